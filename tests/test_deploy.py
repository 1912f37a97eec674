"""Deployment: the wheel carries templates, samples and the player and declares every
distribution it imports; the Docker topology (gunicorn running listen.wsgi:app with the cache
on a volume, behind nginx) runs as real processes."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from gunicorn.config import Config
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from listen.cli import main
from listen.settings import from_env

from conftest import free_port, wait_http

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_templates_samples_and_player(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "listen/web/templates/index.html",
        "listen/web/templates/embed.html",
        "listen/web/static/embed.js",
        "listen/samples/festival-de-cine.html",
    } <= names
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "listen = listen.cli:main" in entry_points


def declared() -> list[Requirement]:
    """pyproject.toml's dependencies that apply to this Python."""
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    requirements = map(Requirement, tomllib.loads(text)["project"]["dependencies"])
    return [r for r in requirements if r.marker is None or r.marker.evaluate({"extra": ""})]


def imported_modules() -> Iterator[tuple[str, str]]:
    """(top-level module, file) for every absolute import in listen/."""
    for path in sorted((ROOT / "listen").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield name.partition(".")[0], str(path.relative_to(ROOT))


def test_every_imported_distribution_is_declared():
    """A module listen imports must not arrive only because another package needs it."""
    names = {canonicalize_name(r.name) for r in declared()}
    providers = importlib.metadata.packages_distributions()
    missing = set()
    for module, where in imported_modules():
        # _typeshed: the standard library's type stubs, imported only under TYPE_CHECKING
        if module in sys.stdlib_module_names or module in ("__future__", "_typeshed", "listen"):
            continue
        dists = providers.get(module, ["?"])
        if not names & {canonicalize_name(d) for d in dists}:
            missing.add(f"{module} ({where}): declare {' or '.join(dists)}")
    assert not missing, sorted(missing)


def test_no_dependency_needs_an_extra_that_old_pip_misses():
    """pip < 23.3 (Python 3.11 bundles 23.2) matches a requested extra to the names the
    package declares only when spelled alike: `lxml[html_clean]` against lxml's
    `html-clean` silently installs lxml without lxml_html_clean. Whatever such an extra
    brings must be a dependency of listen itself."""
    names = {canonicalize_name(r.name) for r in declared()}
    seen: set[str] = set()
    todo = [(r, "listen") for r in declared()]
    missed = []
    while todo:
        requirement, wanted_by = todo.pop()
        dist = importlib.metadata.distribution(requirement.name)
        provided = dist.metadata.get_all("Provides-Extra") or []
        for extra in requirement.extras:
            if extra in provided:
                continue
            for r in map(Requirement, dist.requires or []):
                brought = r.marker is not None and r.marker.evaluate({"extra": extra})
                if brought and canonicalize_name(r.name) not in names:
                    missed.append(f"{wanted_by} asks for {requirement}: old pip skips {r.name}")
        key = canonicalize_name(requirement.name) + str(sorted(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        for r in map(Requirement, dist.requires or []):
            extras = [""] + sorted(requirement.extras)
            if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in extras):
                todo.append((r, dist.metadata["Name"]))
    assert not missed, missed


def dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert match, "Dockerfile has an exec-form CMD"
    return list(json.loads(match.group(1)))


def dockerfile_env() -> dict[str, str]:
    """The variables the Dockerfile's ENV instructions set in the image."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    pairs = [
        word.split("=", 1)
        for line in text.splitlines()
        if line.startswith("ENV ")
        for word in shlex.split(line[len("ENV ") :])
    ]
    return dict(pairs)


CONFIG_MODULE = "listen.web.gunicorn_conf"


def image_config(monkeypatch: pytest.MonkeyPatch, **environ: str) -> Config:
    """gunicorn's configuration as the image's CMD loads it, under the Dockerfile's ENV and
    ``environ``: gunicorn's own command-line runner, not started."""
    from gunicorn.app.wsgiapp import WSGIApplication

    import listen.web

    for name, value in {**dockerfile_env(), **environ}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    # The config module reads the environment when imported: import it afresh.
    monkeypatch.delitem(sys.modules, CONFIG_MODULE, raising=False)
    monkeypatch.delattr(listen.web, "gunicorn_conf", raising=False)
    monkeypatch.setattr(sys, "argv", dockerfile_cmd())
    monkeypatch.setattr(sys, "path", list(sys.path))  # gunicorn puts its chdir in front
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def serve_config(monkeypatch: pytest.MonkeyPatch, runner: CliRunner, *args: str) -> Config:
    """gunicorn's configuration as `listen serve ARGS` sets it up, not started."""
    from gunicorn.app.base import BaseApplication

    served: list[Config] = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: served.append(self.cfg))
    result = runner.invoke(main, ["serve", *args])
    assert result.exit_code == 0, result.output
    (cfg,) = served
    return cfg


def comparable(value: Any) -> Any:
    """A gunicorn setting's value; a hook by the function it names (a module imported twice
    makes two function objects of one hook)."""
    return (value.__module__, value.__qualname__) if callable(value) else value


def test_dockerfile_installs_the_system_packages_and_keeps_cache_on_a_volume():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"apt-get install .*ffmpeg espeak-ng", text)
    assert 'VOLUME ["/data/audio_cache", "/data/listen_data"]' in text
    assert "LISTEN_CACHE_DIR=/data/audio_cache" in text
    assert "LISTEN_DATA_DIR=/data/listen_data" in text  # pushed articles: not in the cache
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["build"] == "."
    assert "audio_cache:/data/audio_cache" in web["volumes"]
    assert "listen_data:/data/listen_data" in web["volumes"]
    assert "audio_cache" in compose["volumes"] and "listen_data" in compose["volumes"]
    assert web["environment"]["LISTEN_CACHE_DIR"] == "/data/audio_cache"
    assert web["environment"]["LISTEN_DATA_DIR"] == "/data/listen_data"
    assert "readyz" in " ".join(web["healthcheck"]["test"])
    worker = compose["services"]["worker"]
    assert worker["command"] == ["listen", "worker"] and worker["image"] == web["image"]
    assert worker["volumes"] == web["volumes"]  # one shared cache
    assert web["environment"]["LISTEN_REDIS_URL"] == worker["environment"]["LISTEN_REDIS_URL"]
    assert web["environment"]["LISTEN_REDIS_URL"].startswith("redis://redis:")
    assert "redis" in compose["services"] and "healthcheck" in compose["services"]["redis"]


def test_compose_publishes_only_nginx_which_shares_the_cache_read_only():
    """Readers meet nginx; gunicorn is reachable only through it (slow readers are
    tests/test_sendfile.py::test_slow_readers_meet_nginx_not_gunicorn_threads)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"nginx", "web", "worker", "redis"}
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    nginx, web = services["nginx"], services["web"]
    assert nginx["ports"] == ["127.0.0.1:8000:80"] and nginx["environment"]["NGINX_PORT"] == "80"
    assert nginx["image"].startswith("nginx:")
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"
    env = web["environment"]
    assert env["LISTEN_SENDFILE_HEADER"] == "X-Accel-Redirect"
    # nginx renders the template with the same cache folder and prefix as listen's
    for name in ("LISTEN_CACHE_DIR", "LISTEN_ACCEL_PREFIX"):
        assert nginx["environment"][name] == env[name], name
    assert nginx["environment"]["NGINX_UPSTREAM"] == "web:8000"
    assert "command" not in web  # the image's CMD: gunicorn with listen/web/gunicorn_conf.py
    assert web["expose"] == ["8000"]
    assert dockerfile_env()["LISTEN_HOST"] == "0.0.0.0"
    assert dockerfile_env()["LISTEN_PORT"] == "8000"
    volume = next(v for v in web["volumes"] if v.endswith(":" + env["LISTEN_CACHE_DIR"]))
    assert f"{volume}:ro" in nginx["volumes"]  # the same volume, read-only
    templates = next(v for v in nginx["volumes"] if v.split(":")[1] == "/etc/nginx/templates")
    folder = ROOT / templates.split(":")[0]
    assert [p.name for p in folder.glob("*.template")] == ["default.conf.template"]
    assert "/healthz" in " ".join(nginx["healthcheck"]["test"])
    assert all("healthcheck" in service for service in services.values())


def test_dockerfile_installs_with_the_images_own_pip():
    """.ci/install-check proves this path: a plain `pip install .` with the pip that ships
    with Python 3.11, not upgraded first."""
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-", text, re.M)
    assert re.search(r"RUN pip install --no-cache-dir \. ", text)
    upgrade_pip = re.compile(r"(--upgrade|-U)\W+pip\b")
    assert not upgrade_pip.search(text)
    check = (ROOT / ".ci" / "install-check").read_text()
    assert '"python3.11"' in check and not upgrade_pip.search(check)
    assert ".ci/install-check" in (ROOT / "dev").read_text()
    assert "./dev install-check" in (ROOT / ".ci" / "run").read_text()


def test_dockerfile_and_listen_serve_take_the_server_from_one_config_module(monkeypatch, runner):
    """The image's gunicorn loads listen/web/gunicorn_conf.py; `listen serve` takes its
    settings from the same module: the same server, set by the same LISTEN_* settings."""
    from listen.web import gunicorn_conf

    cmd = dockerfile_cmd()
    assert cmd == ["gunicorn", "-c", f"python:{CONFIG_MODULE}", "listen.wsgi:app"]
    env = dockerfile_env()
    monkeypatch.setenv("LISTEN_WORKERS", "3")
    monkeypatch.setenv("LISTEN_THREADS", "5")
    served = serve_config(
        monkeypatch, runner, "--host", env["LISTEN_HOST"], "--port", env["LISTEN_PORT"]
    )
    image = image_config(monkeypatch, LISTEN_WORKERS="3", LISTEN_THREADS="5")
    names = gunicorn_conf.settings({}).keys()
    assert {"bind", "workers", "threads", "worker_class", "timeout", "accesslog"} <= names
    assert {"on_starting", "child_exit"} <= names  # prometheus multiprocess mode
    for name in names:
        mine, theirs = image.settings[name].get(), served.settings[name].get()
        assert comparable(mine) == comparable(theirs), name
    assert image.bind == ["0.0.0.0:8000"] and (image.workers, image.threads) == (3, 5)
    assert image.worker_class_str == "listen.web.server.JSONWorker"
    assert comparable(image.child_exit) == (CONFIG_MODULE, "child_exit")


def test_the_config_modules_names_are_its_settings(monkeypatch):
    """gunicorn reads the module's names: exactly what settings() gives for the environment."""
    from listen.web import gunicorn_conf

    image_config(monkeypatch, LISTEN_PORT="8123")
    module = sys.modules[CONFIG_MODULE]
    assert module is not gunicorn_conf  # read again under LISTEN_PORT=8123
    known = set(Config().settings)
    exposed = {k: comparable(v) for k, v in vars(module).items() if k in known}
    expected = module.settings(from_env(os.environ))
    assert exposed == {k: comparable(v) for k, v in expected.items()}
    assert exposed["bind"] == ["0.0.0.0:8123"]


@pytest.mark.parametrize(
    ("environ", "args", "bind", "workers", "threads"),
    [
        ({}, [], "127.0.0.1:8000", 2, 8),
        ({"LISTEN_PORT": "8123", "LISTEN_WORKERS": "3"}, [], "127.0.0.1:8123", 3, 8),
        ({"LISTEN_WORKERS": "3"}, ["--workers", "4", "--threads", "2"], "127.0.0.1:8000", 4, 2),
        ({"LISTEN_HOST": "0.0.0.0"}, ["--host", "::1", "--port", "9"], "[::1]:9", 2, 8),
    ],
)
def test_listen_serve_flags_override_the_settings(
    monkeypatch, runner, environ, args, bind, workers, threads
):
    for name in ("LISTEN_HOST", "LISTEN_PORT", "LISTEN_WORKERS", "LISTEN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    cfg = serve_config(monkeypatch, runner, *args)
    assert (cfg.bind, cfg.workers, cfg.threads) == ([bind], workers, threads)
    assert cfg.worker_class_str == "listen.web.server.JSONWorker" and cfg.timeout == 300


@pytest.mark.parametrize(
    ("environ", "args", "named"),
    [
        ({"LISTEN_WORKERS": "0"}, [], "LISTEN_WORKERS=0"),
        ({"LISTEN_THREADS": "many"}, [], "LISTEN_THREADS='many'"),
        ({}, ["--port", "70000"], "LISTEN_PORT=70000 (listen serve --port)"),
    ],
)
def test_listen_serve_refuses_a_bad_server_setting_in_one_line(
    monkeypatch, runner, environ, args, named
):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(main, ["serve", *args])
    assert result.exit_code != 0
    assert named in result.output and "Traceback" not in result.output


# --------------------------------------------- the image's exact command, as real processes


@dataclass
class Image:
    """The image's gunicorn, running here: its base URL, its process, its metrics folder."""

    base: str
    proc: subprocess.Popen[bytes]
    metrics: Path


STALE = "from listen import metrics; metrics.http_response('GET', 599)"
"""A previous run's metrics: one response with a status nobody answers."""


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Image]:
    """No Docker engine here: the image's exact CMD (gunicorn), its ENV and compose's web
    environment, on this machine, in prometheus-client's multiprocess mode."""
    root = tmp_path_factory.mktemp("image")
    cmd = dockerfile_cmd()
    cmd = [str(Path(sys.executable).with_name("gunicorn")), *cmd[1:]]
    port = free_port()
    folder = root / "prometheus"
    folder.mkdir()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    # The single-machine case (no Redis); tests/test_redis.py runs the whole topology.
    env = {
        **os.environ,
        **dockerfile_env(),
        **compose["services"]["web"]["environment"],
        "LISTEN_HOST": "127.0.0.1",
        "LISTEN_PORT": str(port),
        "LISTEN_REDIS_URL": "",
        "LISTEN_CACHE_DIR": str(root / "audio_cache"),
        "LISTEN_DATA_DIR": str(root / "listen_data"),
        "LISTEN_ENGINES": "espeak",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    subprocess.run([sys.executable, "-c", STALE], env=env, check=True, timeout=60)
    assert list(folder.glob("counter_*.db"))
    with open(root / "gunicorn.log", "wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield Image(f"http://127.0.0.1:{port}", proc, folder)
    finally:
        proc.terminate()
        proc.wait(10)


def scrape(base: str) -> list[Any]:
    """Every sample /metrics shows."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


@pytest.mark.slow
def test_docker_cmd_serves_the_app_with_real_processes(image, tmp_path):
    with urllib.request.urlopen(
        f"{image.base}/api/articles/mercado-central/audio.mp3", timeout=60
    ) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "audio/mpeg"
        assert len(response.read()) > 100_000
    assert list((image.metrics.parent / "audio_cache").glob("??/*.mp3"))


@pytest.mark.slow
def test_docker_cmd_answers_a_bad_request_line_in_json(image):
    """gunicorn's own refusal of a request that is not HTTP, through the JSON worker."""
    host, port = image.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"HELLO\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):  # the worker closes after an error
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer[:300]
    assert b"\r\nContent-Type: application/json\r\n" in head
    assert json.loads(body)["error"] == "bad_request"


@pytest.mark.slow
def test_docker_cmd_starts_the_metrics_afresh(image):
    """on_starting emptied the folder: a previous run's counts are not this server's."""
    samples = scrape(image.base)
    assert any(s.name == "listen_http_requests_total" for s in samples)
    assert not [s for s in samples if s.labels.get("status") == "599"]


def worker_pids(folder: Path) -> set[int]:
    """The processes with a live gauge in the multiprocess folder."""
    return {int(p.stem.rsplit("_", 1)[1]) for p in folder.glob("gauge_livesum_*.db")}


def parent(pid: int) -> int | None:
    """The parent of a live process, None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return int(stat.rpartition(")")[2].split()[1])


@pytest.mark.slow
def test_docker_cmd_drops_a_dead_workers_live_gauge_and_keeps_its_counts(image):
    """child_exit: a worker killed -9 stops counting as a build in progress; what it
    answered still counts."""
    for _ in range(5):
        wait_http(f"{image.base}/healthz")
    workers = sorted(p for p in worker_pids(image.metrics) if parent(p) == image.proc.pid)
    assert workers, "no worker of gunicorn has written its metrics"
    victim = workers[0]
    answered = sum(
        s.value
        for s in scrape(image.base)
        if s.name == "listen_http_requests_total" and s.labels["status"] == "200"
    )
    assert answered >= 5
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while victim in worker_pids(image.metrics) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert victim not in worker_pids(image.metrics)
    assert (image.metrics / f"counter_{victim}.db").exists()
    wait_http(f"{image.base}/healthz")  # the master started another worker
    after = sum(
        s.value
        for s in scrape(image.base)
        if s.name == "listen_http_requests_total" and s.labels["status"] == "200"
    )
    assert after >= answered + 1  # the dead worker's answers, and this scrape's /healthz
