"""Cached audio sent by the front proxy: X-Accel-Redirect (nginx) and X-Sendfile (Apache)."""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
import yaml

from listen import create_app
from listen.cli import main
from listen.errors import ConfigError

from conftest import SAMPLES, free_port, listen_serve, wait_http, write_article

EN_ID = "city-council-budget"
URL = f"/api/articles/{EN_ID}/audio.mp3"
PREFIX = "/_listen_audio/"
NGINX = Path("/usr/sbin/nginx")
ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEMPLATE = ROOT / "deploy" / "nginx" / "default.conf.template"
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "SENDFILE_HEADER": "X-Accel-Redirect"}


def test_cold_audio_is_streamed_by_the_app_not_offloaded(client):
    cold = client.get(URL)
    assert cold.status_code == 200 and cold.headers["X-Listen-Stream"] == "partial"
    assert "X-Accel-Redirect" not in cold.headers and "X-Sendfile" not in cold.headers
    assert len(cold.data) > 100_000


def test_cached_audio_is_an_x_accel_redirect_to_its_file(client, config):
    audio = client.get(URL).data  # cold: streamed by the app, then cached
    warm = client.get(URL)
    assert warm.status_code == 200 and warm.data == b""
    assert warm.mimetype == "audio/mpeg" and "X-Listen-Stream" not in warm.headers
    assert (
        "public" in warm.headers["Cache-Control"] and "max-age=300" in warm.headers["Cache-Control"]
    )
    target = warm.headers["X-Accel-Redirect"]
    assert target.startswith(PREFIX)
    file = Path(config["CACHE_DIR"]) / target.removeprefix(PREFIX)
    assert file.is_file() and file.read_bytes() == audio
    assert warm.headers["ETag"] == f'"{file.stem}"'
    # Range is the proxy's job: the app hands over the whole file whatever was asked
    ranged = client.get(URL, headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 200 and ranged.headers["X-Accel-Redirect"] == target
    # a fresh copy is a 304 from the app, which must not carry the header
    fresh = client.get(URL, headers={"If-None-Match": warm.headers["ETag"]})
    assert fresh.status_code == 304 and "X-Accel-Redirect" not in fresh.headers
    download = client.get(URL + "?download=1")
    assert download.headers["X-Accel-Redirect"] == target
    assert download.headers["Content-Disposition"] == f"attachment; filename={EN_ID}.mp3"


def test_x_sendfile_gives_the_absolute_path(config):
    client = create_app({**config, "SENDFILE_HEADER": "X-Sendfile"}).test_client()
    audio = client.get(URL).data
    warm = client.get(URL)
    assert warm.status_code == 200 and warm.data == b"" and warm.mimetype == "audio/mpeg"
    assert "X-Accel-Redirect" not in warm.headers
    file = Path(warm.headers["X-Sendfile"])
    assert file.is_absolute() and file.read_bytes() == audio
    assert warm.headers["ETag"] == f'"{file.stem}"'


def test_accel_prefix_is_configurable(config):
    client = create_app({**config, "ACCEL_PREFIX": "/internal/mp3/"}).test_client()
    client.get(URL)
    target = client.get(URL).headers["X-Accel-Redirect"]
    assert target.startswith("/internal/mp3/")
    assert (Path(config["CACHE_DIR"]) / target.removeprefix("/internal/mp3/")).is_file()


@pytest.mark.parametrize(
    "setting, value",
    [
        ("SENDFILE_HEADER", "nginx"),
        ("SENDFILE_HEADER", "x-accel-redirect"),
        ("ACCEL_PREFIX", "_listen_audio/"),
        ("ACCEL_PREFIX", "/_listen_audio"),
    ],
)
def test_a_bad_value_stops_start_up(config, setting, value):
    with pytest.raises(ConfigError, match=f"LISTEN_{setting}="):
        create_app({**config, setting: value})


def test_listen_serve_refuses_an_unknown_header(runner, monkeypatch):
    monkeypatch.setenv("LISTEN_SENDFILE_HEADER", "X-Foo")
    result = runner.invoke(main, ["serve", "--port", str(free_port())])
    assert result.exit_code != 0
    assert "LISTEN_SENDFILE_HEADER='X-Foo'" in result.output
    assert "X-Accel-Redirect" in result.output


def readme_nginx_block() -> str:
    text = README.read_text("utf-8")
    return text[text.index("### Behind nginx") :].split("```nginx\n", 1)[1].split("```", 1)[0]


def readme_nginx_server(listen_port: int, nginx_port: int, cache: Path) -> str:
    """The README's X-Accel-Redirect example, pointed at this test's servers and cache."""
    block = readme_nginx_block()
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{nginx_port};"),
        ("http://127.0.0.1:8000", f"http://127.0.0.1:{listen_port}"),
        ("/srv/listen/audio_cache/", f"{cache}/"),
    ):
        assert old in block, f"the README's nginx example no longer has {old!r}"
        block = block.replace(old, new)
    return block


def render_template(**values: str) -> str:
    """deploy/nginx's template rendered as the nginx image does it: envsubst of the names
    NGINX_ENVSUBST_FILTER picks from the service's environment (compose's, with ``values``)."""
    env = {**yaml.safe_load(COMPOSE.read_text())["services"]["nginx"]["environment"], **values}
    names = [f"${{{name}}}" for name in env if re.search(env["NGINX_ENVSUBST_FILTER"], name)]
    rendered = subprocess.run(
        ["envsubst", " ".join(names)],
        input=TEMPLATE.read_text("utf-8"),
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout
    assert "${" not in rendered, rendered
    return rendered


def test_the_readme_block_is_the_shipped_template_rendered_for_one_host():
    rendered = render_template(
        NGINX_PORT="80",
        NGINX_SERVER_NAME="listen.example.com",
        NGINX_UPSTREAM="127.0.0.1:8000",
        LISTEN_CACHE_DIR="/srv/listen/audio_cache",
    )
    without_header = "".join(x for x in rendered.splitlines(True) if not x.startswith("#"))
    assert readme_nginx_block() == without_header


def nginx_config(folder: Path, server: str, worker_user: str = "") -> str:
    """A main configuration around ``server``, with every file nginx writes in ``folder``."""
    # As root nginx's workers would run as nobody, who cannot enter pytest's private tmp_path.
    user = ""
    if os.geteuid() == 0:
        user = f"user {worker_user or pwd.getpwuid(os.geteuid()).pw_name};"
    temp = " ".join(
        f"{name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off; {user} pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; {temp}\n{server}\n}}\n"
    )


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, dict(response.headers), response.read()


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.mark.slow
def test_nginx_sends_the_cached_file_with_the_readme_configuration(config, tmp_path):
    if not NGINX.exists():
        pytest.skip(f"nginx is not installed ({NGINX}): apt-get install nginx (.ci/run does)")
    cache = Path(config["CACHE_DIR"])
    listen_port, nginx_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
    env |= {f"LISTEN_{k}": str(v) for k, v in config.items() if k != "TESTING"}
    env["LISTEN_LOG_LEVEL"] = "WARNING"
    listen_bin = Path(sys.executable).with_name("listen")
    folder = tmp_path / "nginx"
    folder.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, readme_nginx_server(listen_port, nginx_port, cache)))
    listen = subprocess.Popen(
        [str(listen_bin), "serve", "--port", str(listen_port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            direct, front = f"http://127.0.0.1:{listen_port}", f"http://127.0.0.1:{nginx_port}"
            wait_http(f"{direct}/healthz")
            wait_http(f"{front}/healthz", 10)
            status, headers, audio = fetch(front + URL)  # cold: streamed through nginx
            assert status == 200 and headers["X-Listen-Stream"] == "partial"
            # listen itself now answers with the header and no bytes...
            status, headers, body = fetch(direct + URL)
            assert status == 200 and body == b""
            file = cache / headers["X-Accel-Redirect"].removeprefix(PREFIX)
            assert file.read_bytes() == audio
            # ...and nginx sends the file, with listen's headers
            status, headers, body = fetch(front + URL)
            assert status == 200 and body == audio, (folder / "error.log").read_text()
            assert int(headers["Content-Length"]) == len(audio)
            assert headers["Content-Type"] == "audio/mpeg"
            assert headers["ETag"] == f'"{file.stem}"'
            assert headers["Access-Control-Allow-Origin"] == "*"
            assert "public" in headers["Cache-Control"]
            status, headers, body = fetch(front + URL, Range="bytes=100-199")
            assert status == 206 and body == audio[100:200]
            assert headers["Content-Range"] == f"bytes 100-199/{len(audio)}"
            # the content address, sent by nginx straight from the cache folder
            status, headers, body = fetch(f"{front}/audio/{file.stem}.mp3")
            assert status == 200 and body == audio
            assert headers["Content-Type"] == "audio/mpeg"
            assert "immutable" in headers["Cache-Control"]
            with pytest.raises(HTTPError) as hidden:  # the internal location is not public
                fetch(front + PREFIX + file.relative_to(cache).as_posix())
            hidden.value.close()
            assert hidden.value.code == 404
        finally:
            stop(nginx)
    finally:
        stop(listen)


class SlowReader:
    """A listener on a bad line: asks for ``path``, then reads 4 bytes every half second."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.socket()
        # a small receive window (set before connecting): the file cannot pour in at this end
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.head, self.body = b"", b""
        while b"\r\n\r\n" not in self.head and len(self.head) < 8192:  # the answer has begun
            self.head += self.sock.recv(64)
        self.head, _, self.body = self.head.partition(b"\r\n\r\n")
        self.ended = False
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self) -> None:
        while not self.stopping.wait(0.5):
            try:
                chunk = self.sock.recv(4)
            except OSError:
                chunk = b""
            if not chunk:
                self.ended = True
                return
            self.body += chunk

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()


@contextmanager
def slow_readers(count: int, port: int, path: str) -> Iterator[list[SlowReader]]:
    readers: list[SlowReader] = []
    try:
        for _ in range(count):
            readers.append(SlowReader(port, path))
        yield readers
    finally:
        for reader in readers:
            reader.close()


@contextmanager
def nginx_running(folder: Path, server: str, worker_user: str = "") -> Iterator[None]:
    folder.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, server, worker_user))
    nginx = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        stop(nginx)


@pytest.mark.slow
def test_slow_readers_meet_nginx_not_gunicorn_threads(config, tmp_path):
    """docker-compose.yml's topology: nginx, running the shipped template, alone in front of
    gunicorn (1 worker, 2 threads) and sending cached audio from the shared cache as another
    user. Readers taking a few bytes a second hold gunicorn's threads when they reach it
    directly; through nginx, more of them than gunicorn has threads leave it free."""
    if not NGINX.exists():
        pytest.skip(f"nginx is not installed ({NGINX}): apt-get install nginx (.ci/run does)")
    threads = 2
    # Long enough (about 6 MB of audio) that the kernel's send buffer (about 3 MB of a
    # 4 MB tcp_wmem) cannot take the whole file off gunicorn's hands.
    lines = [x for x in (SAMPLES / f"{EN_ID}.txt").read_text("utf-8").splitlines()[1:] if x]
    text = "\n".join(f"Part {part}. {x}" for part in range(1, 7) for x in lines)
    write_article(Path(config["SOURCE"]), "long-read", title="A long read", text=text)
    long_read = "/api/articles/long-read/audio.mp3"
    # Outside pytest's private tmp_path, so nginx's workers (nobody) can reach the cache.
    cache = Path(tempfile.mkdtemp(prefix="listen-shared-cache-"))
    cache.chmod(0o755)
    # (this module's config fixture turns X-Accel-Redirect on: here only nginx's server has it)
    plain = {k: v for k, v in config.items() if k not in ("TESTING", "SENDFILE_HEADER")}
    settings = {f"LISTEN_{k}": str(v) for k, v in plain.items()}
    settings |= {"LISTEN_CACHE_DIR": str(cache), "LISTEN_LOG_LEVEL": "WARNING"}
    accel = {"LISTEN_SENDFILE_HEADER": "X-Accel-Redirect", "LISTEN_ACCEL_PREFIX": PREFIX}
    try:
        with listen_serve(settings | accel, threads=threads) as web:
            nginx_port = free_port()
            server = render_template(
                NGINX_PORT=f"127.0.0.1:{nginx_port}",
                NGINX_UPSTREAM=web.removeprefix("http://"),
                LISTEN_CACHE_DIR=str(cache),
            )
            front = f"http://127.0.0.1:{nginx_port}"
            nobody = pwd.getpwnam("nobody")
            worker_user = f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"
            with nginx_running(tmp_path / "nginx", server, worker_user):
                try:
                    wait_http(f"{front}/healthz", 10)
                except RuntimeError:
                    pytest.fail((tmp_path / "nginx" / "error.log").read_text())
                status, _, audio = fetch(front + long_read)  # cold: made and cached
                assert status == 200 and len(audio) > 5_000_000
                # from now on gunicorn only names the file: nginx sends all of it
                status, headers, empty = fetch(web + long_read)
                assert status == 200 and empty == b"" and headers["X-Accel-Redirect"]
                with slow_readers(threads + 2, nginx_port, long_read) as readers:
                    assert all(r.head.startswith(b"HTTP/1.1 200") for r in readers)
                    with urllib.request.urlopen(f"{front}/healthz", timeout=5) as response:
                        assert response.status == 200
                    status, _, other = fetch(f"{front}/api/articles/harbour-bridge-reopens")
                    assert status == 200
                    # listen's absolute URLs keep the port the reader used
                    assert json.loads(other)["audio_url"].startswith(front + "/")
                    status, headers, body = fetch(
                        f"{front}/api/articles/harbour-bridge-reopens/audio.mp3"
                    )
                    assert status == 200 and len(body) > 100_000
                    assert headers["Content-Type"] == "audio/mpeg"
                    # and every slow reader was still there, still reading the cached file
                    assert not any(r.ended for r in readers)
                    assert all(r.body and audio.startswith(r.body) for r in readers)
                    errors = (tmp_path / "nginx" / "error.log").read_text()
                    assert "Permission denied" not in errors, errors
        # The same readers straight to gunicorn (compose's web used to publish it): each
        # download holds a thread, and nothing else is answered.
        with listen_serve(settings, threads=threads) as web:
            port = int(web.rsplit(":", 1)[1])
            with slow_readers(threads, port, long_read) as readers:
                assert all(r.head.startswith(b"HTTP/1.1 200") for r in readers)
                assert all(b"X-Accel-Redirect" not in r.head for r in readers)
                with pytest.raises(OSError):
                    urllib.request.urlopen(f"{web}/healthz", timeout=3).close()
    finally:
        shutil.rmtree(cache)
