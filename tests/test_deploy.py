"""Deployment: the wheel carries templates, samples and the player and declares every
distribution it imports; the Docker topology (gunicorn running listen.wsgi:app with the cache
on a volume, behind nginx) runs as real processes."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    assert web["expose"] == ["8000"] and "--bind" in dockerfile_cmd()
    assert dockerfile_cmd()[dockerfile_cmd().index("--bind") + 1] == "0.0.0.0:8000"
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


def test_dockerfile_runs_gunicorn_as_listen_serve_does(monkeypatch, tmp_path):
    """The image's gunicorn flags and `listen serve` set the same server up."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.config import Config

    from listen.cli import main

    served: list[Config] = []

    def capture(self: BaseApplication) -> None:
        served.append(self.cfg)

    monkeypatch.setattr(BaseApplication, "run", capture)
    monkeypatch.setenv("LISTEN_ENGINES", "espeak")
    monkeypatch.setenv("LISTEN_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8000"])
    assert result.exit_code == 0, result.output
    image = Config()
    cmd = dockerfile_cmd()
    for name, value in vars(image.parser().parse_args(cmd[1:])).items():
        if value is not None and name != "args":
            image.set(name, value)
    for name in ("bind", "workers", "threads", "worker_class_str", "timeout", "accesslog"):
        assert getattr(image, name) == getattr(served[0], name), name


@pytest.mark.slow
def test_docker_cmd_serves_the_app_with_real_processes(tmp_path):
    """No Docker engine here: run the image's exact command (gunicorn) on this machine."""
    cmd = dockerfile_cmd()
    assert cmd[0] == "gunicorn" and cmd[-1] == "listen.wsgi:app"
    port = free_port()
    cmd = [str(Path(sys.executable).with_name("gunicorn")), *cmd[1:]]
    cmd[cmd.index("--bind") + 1] = f"127.0.0.1:{port}"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    # The single-machine case (no Redis); tests/test_redis.py runs the whole topology.
    env = {
        **os.environ,
        **compose["services"]["web"]["environment"],
        "LISTEN_REDIS_URL": "",
        "LISTEN_CACHE_DIR": str(tmp_path / "audio_cache"),
        "LISTEN_ENGINES": "espeak",
    }
    proc = subprocess.Popen(
        cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz")
        with urllib.request.urlopen(
            f"{base}/api/articles/mercado-central/audio.mp3", timeout=60
        ) as response:
            assert response.status == 200 and response.headers["Content-Type"] == "audio/mpeg"
            assert len(response.read()) > 100_000
        assert list((tmp_path / "audio_cache").glob("??/*.mp3"))
    finally:
        proc.terminate()
        proc.wait(10)
        assert proc.stderr is not None
        proc.stderr.close()
