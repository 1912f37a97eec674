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
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import free_port, wait_http

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_templates_samples_and_player(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "listen/templates/index.html",
        "listen/templates/embed.html",
        "listen/static/embed.js",
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
        if module in sys.stdlib_module_names or module in ("__future__", "listen"):
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
    assert 'VOLUME ["/data/audio_cache"]' in text and "LISTEN_CACHE_DIR=/data/audio_cache" in text
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["build"] == "."
    assert "audio_cache:/data/audio_cache" in web["volumes"]
    assert "audio_cache" in compose["volumes"]
    assert web["environment"]["LISTEN_CACHE_DIR"] == "/data/audio_cache"
    assert "readyz" in " ".join(web["healthcheck"]["test"])
    worker = compose["services"]["worker"]
    assert worker["command"] == ["listen", "worker"] and worker["image"] == web["image"]
    assert worker["volumes"] == web["volumes"]  # one shared cache
    assert web["environment"]["LISTEN_REDIS_URL"] == worker["environment"]["LISTEN_REDIS_URL"]
    assert web["environment"]["LISTEN_REDIS_URL"].startswith("redis://redis:")
    assert "redis" in compose["services"] and "healthcheck" in compose["services"]["redis"]


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
