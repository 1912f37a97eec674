"""Publish hooks: a CMS pushes, refreshes and drops articles (Bearer LISTEN_ADMIN_TOKEN).

- ``PUT /api/articles/<id>`` stores ``{"title", "html" or "text", "language"?}`` and
  starts its synthesis: 202 with the URL to follow its status.
- ``POST /api/articles/<id>/refresh`` reads it again from the source and
  re-synthesizes what changed (the paragraph cache keeps the rest): 202.
- ``DELETE /api/articles/<id>/audio`` drops its cached audio: 200.

Without the header: 401; with a wrong token: 403 (compared in constant time).
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, Flask, Response, jsonify, request, url_for

from listen.errors import BadInput, ListenError
from listen.fetch import revalidating
from listen.sources import validate_id
from listen.sources.files import parse_json
from listen.web import service

log = logging.getLogger(__name__)

bp = Blueprint("hooks", __name__)
MAX_BODY = 10 * 1024 * 1024


class Unauthorized(ListenError):
    status = 401
    error = "unauthorized"


class Forbidden(ListenError):
    status = 403
    error = "forbidden"


def authorize() -> None:
    token = service().config["ADMIN_TOKEN"]
    if not token:
        raise Forbidden("publish hooks are disabled: set LISTEN_ADMIN_TOKEN to enable them")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("send the admin token as 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Forbidden("wrong admin token")


def _accepted(article_id: str, **extra: object) -> tuple[Response, int]:
    listen = service()
    article = listen.article(article_id)
    key, _ = listen.start(article)
    status_url = url_for("listen.article", article_id=article_id, _external=True)
    body = {"id": article_id, "status": listen.status(article).state, "status_url": status_url,
            "audio_url": url_for("listen.audio", article_id=article_id, _external=True),
            **extra}  # fmt: skip
    response = jsonify(body)
    response.headers["Location"] = status_url
    return response, 202


@bp.put("/api/articles/<path:article_id>")
def push(article_id: str) -> tuple[Response, int]:
    authorize()
    validate_id(article_id)
    if request.content_length and request.content_length > MAX_BODY:
        raise BadInput(f"the article is larger than {MAX_BODY // 2**20} MiB")
    data = request.get_data(cache=False)
    try:
        json.loads(data or b"null")
    except ValueError as exc:
        raise BadInput(f"the body is not JSON: {exc}") from exc
    raw = parse_json(data, article_id)
    listen = service()
    listen.prepare(raw)  # refuse what could never be spoken (422/413) before storing it
    changed = listen.store.put(raw)
    log.info("article %s pushed (%s)", article_id, "changed" if changed else "unchanged")
    return _accepted(article_id, changed=changed)


@bp.post("/api/articles/<path:article_id>/refresh")
def refresh(article_id: str) -> tuple[Response, int]:
    authorize()
    # The publisher says it changed: ask its server, not a stored copy of the page.
    with revalidating():
        return _accepted(validate_id(article_id))


@bp.delete("/api/articles/<path:article_id>/audio")
def drop_audio(article_id: str) -> Response:
    authorize()
    removed = service().purge([validate_id(article_id)])
    return jsonify({"id": article_id, "removed": removed})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
