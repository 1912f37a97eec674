"""Deployment: the wheel carries templates, samples and the player; the Docker topology
(gunicorn running listen.wsgi:app with the cache on a volume) runs as real processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml

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
