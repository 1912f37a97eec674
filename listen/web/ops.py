"""Ops endpoints: readiness checks and Prometheus metrics (a Flask blueprint).

``/healthz`` (in :mod:`listen.web.api`) says the process is up; ``/readyz`` says it can
serve audio: the cache folder takes real bytes (its disk is not full), Redis answers
(when configured) and every supported language has an engine whose circuit breaker
is closed.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from listen import metrics
from listen.web.api import service

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every check passes, else 503; the body says which failed and why."""
    listen = service()
    checks: dict[str, Any] = {
        name: {"ok": ok, "detail": detail} for name, (ok, detail) in listen.readiness().items()
    }
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
    body = metrics.render(queued=service().queue_depth)  # RQ's jobs, with LISTEN_REDIS_URL
    response = Response(body, content_type=metrics.CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_app_request
def count_response(response: Response) -> Response:
    metrics.http_response(request.method, response.status_code)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
