"""The publish API: a CMS pushes, refreshes and drops articles (Bearer LISTEN_ADMIN_TOKEN).

- ``PUT /api/articles/<id>`` stores ``{"title", "html" or "text", "language"?}`` and
  starts its synthesis: 202 with the URL to follow its status.
- ``POST /api/articles/<id>/refresh`` reads it again from the source and
  re-synthesizes what changed (the paragraph cache keeps the rest): 202.
- ``DELETE /api/articles/<id>/audio`` drops its cached audio: 200.
- ``DELETE /api/articles/<id>`` forgets the pushed article and drops its cached audio (an
  unpublished or trashed post): 200, also when nothing was pushed (a retry is harmless).
- ``GET /api/lexicon`` lists the pronunciation entries in effect; ``PUT`` or ``POST``
  ``/api/lexicon`` with one entry adds it or replaces the entry of its term and language
  (201 new, 200 replaced); ``DELETE /api/lexicon/<term>?language=en|es|both`` removes one
  the API added (404 if none). Articles are prepared with the new lexicon on their next
  request, in every process; only paragraphs whose spoken text changed are synthesized again.

Without the header: 401; with a wrong token: 403 (compared in constant time).
A body over 10 MiB is a 413 whether it says its length or comes chunked (read in bounded
parts, never buffered past the limit); a body that is not UTF-8 JSON, is nested too deep,
holds a lone surrogate or is cut off (a bad chunk) is a 400.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import get_args

from flask import Blueprint, Flask, Response, jsonify, request, url_for

from listen.errors import ArticleTooLarge, BadInput, Forbidden, Unauthorized
from listen.sources import validate_id
from listen.sources.fetch import revalidating
from listen.sources.files import parse_json
from listen.text.lexicon import MAX_TERM, Entry, Scope, parse_entry
from listen.web.api import service

log = logging.getLogger(__name__)

bp = Blueprint("publish", __name__)
MAX_BODY = 10 * 1024 * 1024
MAX_ENTRY_BODY = 64 * 1024
"""Bytes of a lexicon entry's body: a term and a respelling, with room to spare."""
READ_SIZE = 64 * 1024
"""Bytes read from the client at a time."""


def _server_errors() -> tuple[type[Exception], ...]:
    """What reading a broken body raises: OSError for a lost client, and under gunicorn its
    parse errors (a bad chunk size, a missing terminator) while the app reads the body."""
    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # pragma: no cover - gunicorn is a dependency
        return (OSError, ValueError)
    return (OSError, ValueError, ParseException)


BODY_ERRORS = _server_errors()


def authorize() -> None:
    token = service().config["ADMIN_TOKEN"]
    if not token:
        raise Forbidden("the publish API is disabled: set LISTEN_ADMIN_TOKEN to enable it")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("send the admin token as 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(errors="replace"), token.encode()):
        raise Forbidden("wrong admin token")


def _accepted(article_id: str, **extra: object) -> tuple[Response, int]:
    listen = service()
    article = listen.article(article_id)
    key, _ = listen.start(article)
    status_url = url_for("listen.article", article_id=article_id, _external=True)
    body = {
        "id": article_id,
        "status": listen.status(article).state,
        "status_url": status_url,
        "audio_url": url_for("listen.audio", article_id=article_id, _external=True),
        **extra,
    }
    response = jsonify(body)
    response.headers["Location"] = status_url
    return response, 202


@bp.put("/api/articles/<path:article_id>")
def push(article_id: str) -> tuple[Response, int]:
    authorize()
    validate_id(article_id)
    data = read_body(MAX_BODY)
    check_json(data)
    raw = parse_json(data, article_id)
    listen = service()
    listen.prepare(raw)  # refuse what could never be spoken (422/413) before storing it
    changed = listen.push(raw)
    log.info("article %s pushed (%s)", article_id, "changed" if changed else "unchanged")
    return _accepted(article_id, changed=changed)


def read_body(limit: int) -> bytearray:
    """The request body, at most ``limit`` bytes, read ``READ_SIZE`` bytes at a time.

    Raises:
        ArticleTooLarge: the body is longer (413), told by Content-Length or once read.
        BadInput: the body is cut off or its chunked framing is broken (400).
    """
    too_large = ArticleTooLarge(f"the request body is larger than {limit // 2**20} MiB")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    # Chunked bodies say no length: request.stream is then the server's own input.
    stream = request.stream
    body = bytearray()
    try:
        while part := stream.read(READ_SIZE):
            body += part
            if len(body) > limit:
                raise too_large
    except BODY_ERRORS as exc:
        raise BadInput(f"the request body could not be read: {exc}") from exc
    return body  # not copied into bytes: the limit plus one read is all it ever holds


def check_json(data: bytes | bytearray) -> None:
    """Refuse a body that is not UTF-8 JSON of text (400), before its fields are looked at.

    Nesting is bounded by the C parser's own depth guard (RecursionError, well before the
    stack is at risk); a lone surrogate (``"\\ud800"``) parses but is no text to store.
    """
    try:
        obj = json.loads(data.decode("utf-8-sig") or "null")
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"the body is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    except UnicodeEncodeError as exc:
        raise BadInput(
            "the body holds a lone surrogate (an escape like \\ud800 that is half a "
            "character): send whole characters"
        ) from exc
    except ValueError as exc:
        raise BadInput(f"the body is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise BadInput("the body is JSON nested too deep: send a flat object") from exc


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


@bp.delete("/api/articles/<path:article_id>")
def unpush(article_id: str) -> Response:
    authorize()
    listen = service()
    forgotten = listen.unpush(validate_id(article_id))
    removed = listen.purge([article_id])
    log.info("article %s deleted (%s pushed, %d audio removed)", article_id, forgotten, removed)
    return jsonify({"id": article_id, "forgotten": forgotten, "removed": removed})


def _shown(entry: Entry, source: str = "api") -> dict[str, object]:
    return {**entry.to_dict(), "source": source}


@bp.get("/api/lexicon")
def lexicon_list() -> Response:
    authorize()
    entries = [_shown(entry, source) for entry, source in service().lexicon()]
    return jsonify({"entries": entries, "count": len(entries)})


@bp.route("/api/lexicon", methods=["PUT", "POST"])
def lexicon_add() -> tuple[Response, int]:
    authorize()
    data = read_body(MAX_ENTRY_BODY)
    check_json(data)
    entry = parse_entry(json.loads(data.decode("utf-8-sig") or "null"))
    created = service().add_pronunciation(entry)
    log.info(
        "lexicon entry %r (%s) %s", entry.term, entry.language, "added" if created else "replaced"
    )
    return jsonify({"entry": _shown(entry), "created": created}), 201 if created else 200


@bp.delete("/api/lexicon/<path:term>")
def lexicon_delete(term: str) -> Response:
    authorize()
    language = request.args.get("language", "both")
    if language not in get_args(Scope):
        raise BadInput(f"language must be en, es or both, not {language[:20]!r}")
    if len(term) > MAX_TERM:
        raise BadInput(f"the term has {len(term)} characters, more than {MAX_TERM}")
    removed = service().remove_pronunciation(term, language)
    log.info("lexicon entry %r (%s) deleted", removed.term, removed.language)
    return jsonify({"removed": _shown(removed)})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
