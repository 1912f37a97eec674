"""Engines are loaded when a server worker starts, not on its first reader's request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from listen import create_app
from listen.errors import EngineError
from listen.web import gunicorn_conf

from conftest import free_port, wait_http


class Loading:
    """An engine that loads lazily, as piper does, and counts its loads."""

    name = "loading"
    loads = 0

    def __init__(self, config):
        del config

    def supports(self, language):
        return True

    def voice(self, language):
        return "loading:voice"

    def warm(self):
        type(self).loads += 1

    def synthesize(self, text, language):
        raise EngineError("not used here")


class Broken(Loading):
    name = "broken"

    def warm(self):
        raise EngineError("its model is missing", unreachable=True)


def test_the_worker_hook_warms_every_engine_that_loads_lazily(config):
    Loading.loads = 0
    app = create_app({**config, "ENGINES": "test_warm:Loading,test_warm:Broken,fake"})
    gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))
    assert Loading.loads == 1
    # a voice that cannot load is not warmed and does not stop the worker
    assert app.extensions["listen"].warm() == ["loading"]
    assert gunicorn_conf.settings({})["post_worker_init"] is gunicorn_conf.post_worker_init


@pytest.mark.slow
def test_each_gunicorn_worker_loads_piper_before_its_first_request(tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "LISTEN_ENGINES": "piper,espeak",
        "LISTEN_LOG_LEVEL": "INFO",
        "LISTEN_CACHE_DIR": str(tmp_path / "cache"),
    }
    listen = Path(sys.executable).with_name("listen")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(listen), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            loaded = log.read_text("utf-8", "replace").count("piper voice for en loaded")
            if loaded >= 2:
                break
            time.sleep(0.2)
        # no article was asked for: both workers loaded the voice on their own
        assert loaded == 2, log.read_text("utf-8", "replace")[-2000:]
        assert "GET /api/" not in log.read_text("utf-8", "replace")
    finally:
        proc.terminate()
        proc.wait(10)
