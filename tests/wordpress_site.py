"""A real WordPress for the tests: Debian's ``wordpress`` package, MariaDB and PHP on 127.0.0.1.

:func:`mariadb` starts a private ``mariadbd`` on a socket in a temporary folder (no TCP
port, nothing of the system's own database touched). :func:`wordpress` serves
``/usr/share/wordpress`` with ``php -S`` and ``wordpress/router.php`` (what Debian's
``/etc/wordpress/htaccess`` rewrites do under Apache), reading a Debian host config
``/etc/wordpress/config-<name>.php`` written for it and removed afterwards (Debian's
``wp-config.php`` picks the file named by ``WORDPRESS_CONFIG``, as Apache's ``SetEnv``
sets it, else by the HTTP host). The site is installed through ``wp-admin/install.php``,
like a publisher's first visit; posts are written with WordPress's own PHP
(``wp_insert_post`` in ``wordpress/tool.php``, which loads ``wp-load.php``).

WordPress never reaches the internet: the config sets ``WP_HTTP_BLOCK_EXTERNAL`` (oEmbed,
update checks and the like fail at once) and ``DISABLE_WP_CRON`` (a scheduled post
stays scheduled).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import free_port

HERE = Path(__file__).resolve().parent / "wordpress"
DOCROOT = Path("/usr/share/wordpress")
CONFIGS = Path("/etc/wordpress")
MARIADBD = "/usr/sbin/mariadbd"
PACKAGES = ("wordpress", "mariadb-server", "php-cli", "php-mysql")
PASSWORD = "listen-Test-9f3c-correct-horse"


def missing() -> str | None:
    """Why a real WordPress cannot run here (a package is absent), or None."""
    needed = {
        "wordpress": DOCROOT / "wp-config.php",
        "mariadb-server": Path(MARIADBD),
        "php-cli": shutil.which("php"),
        "mariadb-install-db": shutil.which("mariadb-install-db"),
    }
    absent = [name for name, path in needed.items() if not path or not Path(path).exists()]
    if (
        not absent
        and subprocess.run(
            ["php", "-r", "exit(function_exists('mysqli_connect') ? 0 : 1);"], check=False
        ).returncode
    ):
        absent.append("php-mysql")
    if absent:
        return (
            f"a real WordPress needs Debian's {', '.join(PACKAGES)} ({', '.join(absent)} "
            "missing): ./dev test installs them"
        )
    if not os.access(CONFIGS, os.W_OK):
        return f"a real WordPress needs {CONFIGS} writable for its host config (run as root)"
    return None


@dataclass(frozen=True)
class MariaDB:
    socket: Path

    def sql(self, statement: str) -> None:
        subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", statement],
            check=True,
            capture_output=True,
        )


@contextmanager
def mariadb(folder: Path) -> Iterator[MariaDB]:
    """A private MariaDB server on a socket in ``folder``; stopped and left there after."""
    data = folder / "data"
    subprocess.run(
        ["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root"]
        + ["--auth-root-authentication-method=normal", "--skip-test-db"],
        check=True,
        capture_output=True,
    )
    socket = folder / "mysql.sock"
    log = folder / "mariadbd.log"
    proc = subprocess.Popen(
        [MARIADBD, "--no-defaults", f"--datadir={data}", f"--socket={socket}"]
        + ["--skip-networking", "--user=root", f"--pid-file={folder / 'mariadbd.pid'}"]
        + [f"--log-error={log}", "--skip-log-bin", "--innodb-buffer-pool-size=64M"]
        # A test database: no waiting on the disk for every commit.
        + ["--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = MariaDB(socket)
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                server.sql("SELECT 1")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.1)
        else:
            raise RuntimeError("mariadbd did not come up in 30 s")
        yield server
    finally:
        proc.terminate()
        proc.wait(30)


@dataclass(frozen=True)
class WordPress:
    """A running WordPress site: its URL and how to write to it with its own PHP."""

    url: str
    config: str
    """The Debian config name: ``/etc/wordpress/config-<config>.php``."""

    def tool(self, command: dict[str, Any]) -> dict[str, Any]:
        """Run ``wordpress/tool.php`` with ``command``; its JSON answer."""
        done = subprocess.run(
            ["php", str(HERE / "tool.php")],
            input=json.dumps(command),
            env={
                **os.environ,
                "LISTEN_TEST_WP_URL": self.url,
                "LISTEN_TEST_WP_CONFIG": self.config,
            },
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"tool.php failed: {done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def insert(self, *posts: dict[str, Any]) -> list[int]:
        """``wp_insert_post`` each post (``post_title``, ``post_content``, …); their IDs."""
        ids: list[int] = self.tool({"insert": [{"post_status": "publish", **p} for p in posts]})[
            "ids"
        ]
        return ids

    def update(self, post_id: int, **fields: Any) -> None:
        """``wp_update_post``: an edit as the editor saves it (``modified`` changes)."""
        self.tool({"update": {"ID": post_id, **fields}})


@contextmanager
def wordpress(
    db: MariaDB, folder: Path, name: str, *, permalinks: str, plugins: Path | None = None
) -> Iterator[WordPress]:
    """A WordPress site in database ``name`` of ``db``, served by ``php -S`` on 127.0.0.1.

    ``permalinks`` is the permalink structure: ``/%postname%/`` (pretty: the REST API at
    ``/wp-json/``) or ``""`` (plain: only ``?rest_route=``). ``plugins`` is the site's own
    plugins folder (``WP_PLUGIN_DIR``), as a publisher's ``wp-content/plugins``.
    """
    db.sql(f"CREATE DATABASE `{name}`")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = f"listen-test-{name}-{uuid.uuid4().hex[:12]}"
    config_file = CONFIGS / f"config-{config}.php"
    config_file.write_text(_config(db, name, url, plugins), "utf-8")
    log = (folder / f"php-{name}.log").open("wb")
    proc = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{port}", "-t", str(DOCROOT), str(HERE / "router.php")],
        # Workers: WordPress asks itself (install.php tests pretty permalinks over HTTP).
        env={**os.environ, "LISTEN_TEST_WP_CONFIG": config, "PHP_CLI_SERVER_WORKERS": "4"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its workers are stopped with it, as one process group
    )
    try:
        _wait(f"{url}/wp-admin/install.php")
        _install(url)
        site = WordPress(url, config)
        site.tool({"permalinks": permalinks})
        yield site
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        log.close()
        config_file.unlink(missing_ok=True)


def _config(db: MariaDB, name: str, url: str, plugins: Path | None = None) -> str:
    plugin_dir = f"define('WP_PLUGIN_DIR', '{plugins}');\n" if plugins else ""
    return f"""<?php
// Written by listen's tests (tests/wordpress_site.py) and removed when they end.
define('DB_NAME', '{name}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{db.socket}');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
{plugin_dir}$table_prefix = 'wp_';
"""


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _install(url: str) -> None:
    """Fill in WordPress's installation form, as a publisher does on the first visit."""
    form = {
        "weblog_title": "Listen Test Site",
        "user_name": "editor",
        "admin_password": PASSWORD,
        "admin_password2": PASSWORD,
        "admin_email": "editor@example.org",
        "blog_public": "0",
        "language": "",
    }
    request = urllib.request.Request(
        f"{url}/wp-admin/install.php?step=2", data=urllib.parse.urlencode(form).encode()
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode("utf-8", "replace")
    if "<h1>Success!</h1>" not in page:
        raise RuntimeError(f"WordPress did not install: {page[-2000:]}")
