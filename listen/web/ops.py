"""Ops endpoints: readiness checks and Prometheus metrics (a Flask blueprint).

``/healthz`` (in :mod:`listen.web.api`) says the process is up; ``/readyz`` says it can
serve audio: the cache folder takes real bytes (its disk is not full), Redis answers
(when configured) and every supported language has an engine whose circuit breaker
is closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from listen import metrics
from listen.errors import StorageFull
from listen.service import Listen
from listen.text.language import SUPPORTED
from listen.web.api import service

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)

Check = tuple[bool, str]


def check_cache(listen: Listen) -> Check:
    """The cache folder takes real bytes (a full disk still lets empty files be made)."""
    root = listen.cache.root
    try:
        listen.cache.probe()
    except OSError as exc:
        if StorageFull.from_os_error(exc) is not None:
            return False, f"the disk of the cache folder {root} is full (LISTEN_CACHE_DIR)"
        return False, f"cannot write to the cache folder {root} (LISTEN_CACHE_DIR): {exc.strerror}"
    return True, f"{root} is writable"


def check_redis(listen: Listen) -> Check:
    """Redis answers a PING, when one is configured (through the service's own client,
    so its short timeout and circuit breaker apply: an open breaker is not ready)."""
    if listen.redis is None:
        return True, "not configured"
    from redis.exceptions import RedisError

    try:
        listen.redis.ping()
    except (RedisError, OSError) as exc:
        return False, f"Redis does not answer (LISTEN_REDIS_URL): {exc}"
    return True, "answers PING"


def check_engines(listen: Listen) -> Check:
    """Every supported language has an engine whose circuit breaker is closed."""
    speaker = listen.speaker
    ready, missing = [], []
    for lang in SUPPORTED:
        candidates = speaker.candidates(lang)
        usable = [e.name for e in candidates if not speaker.breaker.is_open(e.name)]
        if usable:
            ready.append(f"{lang}: {usable[0]}")
            continue
        down = ", ".join(
            f"{e.name} down for {speaker.breaker.remaining(e.name):.0f} s more" for e in candidates
        )
        missing.append(f"{lang}: " + (down or "no configured engine speaks it (LISTEN_ENGINES)"))
    if missing:
        return False, "no engine can speak " + "; ".join(missing)
    return True, ", ".join(ready)


CHECKS: dict[str, Callable[[Listen], Check]] = {
    "cache": check_cache,
    "redis": check_redis,
    "engines": check_engines,
}


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every check passes, else 503; the body says which failed and why."""
    listen = service()
    checks: dict[str, Any] = {}
    for name, check in CHECKS.items():
        ok, detail = check(listen)
        checks[name] = {"ok": ok, "detail": detail}
    ready = all(c["ok"] for c in checks.values())
    if not ready:
        failed = {name: c["detail"] for name, c in checks.items() if not c["ok"]}
        log.warning("not ready: %s", failed)
    response = jsonify({"status": "ready" if ready else "not_ready", "checks": checks})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


@bp.get("/metrics")
def metrics_text() -> Response:
    """Every metric in the Prometheus text format."""
    queue = service().queue  # an RQ queue when LISTEN_REDIS_URL is set
    body = metrics.render(queued=queue.depth if queue is not None else None)
    response = Response(body, content_type=metrics.CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_app_request
def count_response(response: Response) -> Response:
    metrics.http_response(request.method, response.status_code)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
