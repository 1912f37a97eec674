"""Readiness, Prometheus metrics and JSON logs.

Metrics are process-global: every assertion is on a delta (read before, act, read after),
so the order the tests run in does not matter.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from listen import create_app
from listen.errors import ConfigError
from listen.logs import HANDLER_NAME, configure_logging

from conftest import free_port

ARTICLE = "solar-farm-cooperative"


def samples(client: FlaskClient) -> list[Any]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(found: list[Any], name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels`` (0 if none)."""
    return sum(s.value for s in found if s.name == name and labels.items() <= s.labels.items())


def delta(before: list[Any], after: list[Any], name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


# ------------------------------------------------------------ /readyz


def test_readyz_is_ready_in_the_test_config(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert set(response.json["checks"]) == {"cache", "redis", "engines"}
    assert all(check["ok"] for check in response.json["checks"].values())
    assert response.json["checks"]["engines"]["detail"] == "en: fake, es: fake"
    assert response.json["checks"]["redis"]["detail"] == "not configured"


def test_healthz_stays_liveness_only(app, client):
    app.extensions["listen"].engine_down("fake", 60)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_readyz_fails_when_the_cache_is_not_writable(config, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("a file, not a folder")
    config["CACHE_DIR"] = str(afile / "cache")  # can never be created, even by root
    response = create_app(config).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "not_ready"
    cache = response.json["checks"]["cache"]
    assert cache["ok"] is False
    assert "LISTEN_CACHE_DIR" in cache["detail"] and str(afile) in cache["detail"]
    assert response.json["checks"]["engines"]["ok"] is True


def test_readyz_fails_when_the_only_engine_is_down(app, client):
    app.extensions["listen"].engine_down("fake", 60)
    response = client.get("/readyz")
    assert response.status_code == 503
    engines = response.json["checks"]["engines"]
    assert engines["ok"] is False
    assert "en: fake down for 60 s more" in engines["detail"]
    assert "es: fake down for 60 s more" in engines["detail"]
    assert response.json["checks"]["cache"]["ok"] is True


def test_readyz_fails_when_redis_does_not_answer(config):
    config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    response = create_app(config).test_client().get("/readyz")
    assert response.status_code == 503
    redis = response.json["checks"]["redis"]
    assert redis["ok"] is False
    assert "LISTEN_REDIS_URL" in redis["detail"]
    assert time.monotonic() - started < 5


# ------------------------------------------------------------ /metrics


def test_metrics_count_synthesis_builds_cache_and_requests(app, client):
    pieces = len(app.extensions["listen"].article(ARTICLE).pieces)
    before = samples(client)
    first = client.get(f"/api/articles/{ARTICLE}/audio.mp3")
    second = client.get(f"/api/articles/{ARTICLE}/audio.mp3")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers.get("X-Listen-Stream") == "partial"
    assert second.headers.get("X-Listen-Stream") is None  # served from the cache

    # The build's bookkeeping ends just after its last byte is streamed.
    deadline = time.monotonic() + 10
    while True:
        after = samples(client)
        built = delta(before, after, "listen_builds_total", status="ok")
        if built == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert built == 1
    assert delta(before, after, "listen_cache_misses_total") == 1
    assert delta(before, after, "listen_cache_hits_total") >= 1
    assert delta(before, after, "listen_synthesis_total", engine="fake", status="ok") == pieces
    assert delta(before, after, "listen_synthesis_total", status="error") == 0
    assert delta(before, after, "listen_synthesis_seconds_count") == pieces
    assert delta(before, after, "listen_synthesis_seconds_bucket", le="+Inf") == pieces
    assert delta(before, after, "listen_build_seconds_count") == 1
    assert delta(before, after, "listen_http_requests_total", status="200") >= 2
    assert delta(before, after, "listen_http_requests_total", method="GET", status="200") >= 2
    assert any(s.name == "listen_queue_depth" for s in after)
    assert value(after, "listen_builds_in_progress") == value(after, "listen_queue_depth")


def test_metrics_count_failed_synthesis_by_engine(app, client):
    app.extensions["listen"].engine_down("fake", 60)
    before = samples(client)
    response = client.get(f"/api/articles/{ARTICLE}/audio.mp3")
    assert response.status_code == 503
    deadline = time.monotonic() + 10
    while True:
        after = samples(client)
        failed = delta(before, after, "listen_builds_total", status="error")
        if failed == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert failed == 1
    assert delta(before, after, "listen_synthesis_total", engine="fake", status="error") >= 1
    assert delta(before, after, "listen_synthesis_total", status="ok") == 0
    assert delta(before, after, "listen_http_requests_total", status="503") == 1


def test_http_requests_are_counted_by_status_without_paths(client):
    before = samples(client)
    assert client.get("/no/such/page").status_code == 404
    after = samples(client)
    assert delta(before, after, "listen_http_requests_total", method="GET", status="404") == 1
    names = {key for s in after if s.name == "listen_http_requests_total" for key in s.labels}
    assert names == {"method", "status"}


WRITER = """
import sys
from listen import metrics
metrics.cache_lookup(hit=True)
metrics.build_started()
print(metrics.render().decode())
"""

READER = """
import sys
from types import SimpleNamespace
from listen import metrics
metrics.child_exit(None, SimpleNamespace(pid=int(sys.argv[1])))
print(metrics.render().decode())
"""


def test_multiprocess_mode_adds_up_every_process(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}

    def run(script: str, *args: str) -> list[Any]:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [s for f in text_string_to_metric_families(done.stdout) for s in f.samples]

    run(WRITER)
    second = run(WRITER)
    assert value(second, "listen_cache_hits_total") == 2  # both processes' counts
    assert value(second, "listen_builds_in_progress") == 2
    assert value(second, "listen_queue_depth") == 2
    pids = sorted(int(p.stem.rsplit("_", 1)[1]) for p in folder.glob("gauge_livesum_*.db"))
    assert len(pids) == 2
    # gunicorn's child_exit: a dead worker's builds no longer count; its counts stay.
    reader = run(READER, str(pids[0]))
    assert value(reader, "listen_cache_hits_total") == 2
    assert value(reader, "listen_builds_in_progress") == 1


# ------------------------------------------------------------ logs


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    assert root.handlers == handlers
    root.setLevel(level)


def test_json_log_lines(restore_logging):
    stream = io.StringIO()
    configure_logging("info", "json", stream=stream)
    log = logging.getLogger("listen.test")
    log.debug("not shown at INFO")
    log.warning("engine %s failed: %s", "gtts", "HTTP 503 — «retry»")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("building %s failed", "harbour")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [set(line) for line in lines] == [
        {"time", "level", "logger", "message"},
        {"time", "level", "logger", "message", "exc_info"},
    ]
    assert lines[0]["level"] == "WARNING"
    assert lines[0]["logger"] == "listen.test"
    assert lines[0]["message"] == "engine gtts failed: HTTP 503 — «retry»"
    assert lines[0]["time"].endswith("+00:00")
    assert lines[1]["message"] == "building harbour failed"
    assert lines[1]["exc_info"].startswith("Traceback")
    assert "ValueError: boom" in lines[1]["exc_info"]


def test_a_later_call_replaces_the_handler(restore_logging):
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", "json", stream=first)
    configure_logging("INFO", "text", stream=second)
    logging.getLogger("listen.test").info("once")
    assert first.getvalue() == ""
    assert second.getvalue().rstrip().endswith("INFO listen.test: once")
    assert len([h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]) == 1


def test_a_bad_log_format_stops_start_up(config):
    config["LOG_FORMAT"] = "xml"
    with pytest.raises(ConfigError, match="LISTEN_LOG_FORMAT"):
        create_app(config)


def test_wsgi_passes_the_log_format(tmp_path: Path):
    env = {**os.environ, "LISTEN_LOG_FORMAT": "json", "LISTEN_CACHE_DIR": str(tmp_path)}
    script = (
        "import logging, listen.wsgi; logging.getLogger('listen.test').warning('from %s', 'wsgi')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "from wsgi" and line["logger"] == "listen.test"
