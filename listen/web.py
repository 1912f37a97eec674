"""Web: HTTP API, audio, player pages and embed script (a Flask blueprint)."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from werkzeug.exceptions import HTTPException

from listen.errors import ListenError
from listen.models import Article
from listen.pipeline import Listen

log = logging.getLogger(__name__)

INDEX_LIMIT = 50
"""Articles listed on the home page."""

bp = Blueprint("listen", __name__)
STATIC = Path(__file__).resolve().parent / "static"


def service() -> Listen:
    return current_app.extensions["listen"]


def _article_json(article: Article) -> dict[str, Any]:
    status = service().status(article)
    meta = status.entry.meta if status.entry else {}
    body: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "language": article.language,
        "status": status.state,
        "duration_s": meta.get("duration_s"),
        "audio_url": url_for("listen.audio", article_id=article.id, _external=True),
        "engine": meta.get("engine"),
    }
    if status.message:
        body["message"] = status.message
    return body


@bp.get("/api/articles/<path:article_id>")
def article(article_id: str) -> Response:
    return jsonify(_article_json(service().article(article_id)))


def _transcript(article: Article) -> dict[str, Any]:
    """Exactly what is spoken, in order, as displayed and as pronounced."""
    return {
        "id": article.id,
        "title": article.title,
        "title_spoken": article.title_spoken or article.title,
        "language": article.language,
        "paragraphs": [
            {"kind": p.kind, "language": p.language, "text": p.text, "spoken": p.speech}
            for p in article.paragraphs
        ],
    }


@bp.get("/api/articles/<path:article_id>/transcript")
def transcript_json(article_id: str) -> Response:
    return jsonify(_transcript(service().article(article_id)))


@bp.get("/transcript/<path:article_id>")
def transcript_page(article_id: str) -> str:
    article = service().article(article_id)
    data = _transcript(article)
    return render_template(
        "transcript.html",
        article=article,
        title_spoken=data["title_spoken"],
        paragraphs=data["paragraphs"],
        words=sum(len(text.split()) for text in article.pieces),
        json_url=url_for("listen.transcript_json", article_id=article.id),
    )


@bp.route("/api/articles/<path:article_id>/audio.mp3", methods=["GET", "HEAD"])
def audio(article_id: str) -> Response:
    listen = service()
    entry = listen.audio(listen.article(article_id))
    response = send_file(
        entry.path,
        mimetype="audio/mpeg",
        etag=entry.key,
        conditional=True,
        max_age=listen.config["AUDIO_MAX_AGE"],
        last_modified=entry.meta.get("created"),
    )
    response.headers["Accept-Ranges"] = "bytes"
    response.cache_control.public = True
    return response


@bp.get("/")
def index() -> str:
    listen = service()
    articles = []
    # A WordPress archive lists thousands of posts: the home page shows the first ones.
    for article_id in itertools.islice(listen.source.ids(), INDEX_LIMIT):
        try:
            a = listen.article(article_id)
        except ListenError as exc:
            log.warning("article %s is not listed: %s", article_id, exc.message)
            continue
        articles.append({"id": a.id, "title": a.title, "language": a.language})
    return render_template(
        "index.html",
        articles=articles,
        source=listen.source.describe(),
        embed_js_url=url_for("listen.embed_js", _external=True),
    )


@bp.get("/embed/<path:article_id>")
def embed(article_id: str) -> str:
    a = service().article(article_id)
    return render_template(
        "embed.html",
        article={"id": a.id, "title": a.title, "language": a.language},
        embed_js_url=url_for("listen.embed_js", _external=True),
    )


@bp.get("/embed.js")
def embed_js() -> Response:
    response = send_from_directory(STATIC, "embed.js", mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.after_app_request
def cors(response: Response) -> Response:
    # The player runs on publishers' pages: its API calls and audio are cross-origin.
    if request.path.startswith("/api/") or request.path == "/embed.js":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "Content-Length, Content-Range, Accept-Ranges, ETag"
        )
    return response


def handle_listen_error(exc: ListenError) -> tuple[Response, int]:
    response = jsonify(exc.to_dict())
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    if exc.status >= 500:
        log.warning("%s %s -> %s: %s", request.method, request.path, exc.status, exc.message)
    return response, exc.status


def handle_http_error(exc: HTTPException) -> tuple[Response, int]:
    code = exc.code or 500
    name = (exc.name or "error").lower().replace(" ", "_")
    return jsonify({"error": name, "message": exc.description or exc.name}), code


def handle_unexpected(exc: Exception) -> tuple[Response, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    body = {"error": "internal_error", "message": "internal error; the server log has details"}
    return jsonify(body), 500


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(ListenError, handle_listen_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
