"""Web: HTTP API, audio, player pages and embed script (a Flask blueprint)."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from listen.audio import chapters, stitch
from listen.errors import (
    ArticleNotFound,
    AudioPending,
    BadInput,
    DownloadDisabled,
    FormatNotImplemented,
    ListenError,
)
from listen.models import Article
from listen.service import Listen
from listen.storage.cache import Entry
from listen.text.language import SUPPORTED
from listen.web import assets, feed

log = logging.getLogger(__name__)

CROSS_ORIGIN = frozenset(
    {"/embed.js", "/oembed", "/feed.xml", *(f"/feed/{lang}.xml" for lang in SUPPORTED)}
)
INDEX_LIMIT = 50
"""Articles listed on the home page."""

bp = Blueprint("listen", __name__)


def service() -> Listen:
    """The app's service (:func:`listen.web.app.create_app` puts it there)."""
    listen: Listen = current_app.extensions["listen"]
    return listen


WORDS_PER_SECOND = 2.6
"""How fast the voices read (measured on the bundled samples: 150-160 words a minute)."""


def estimated_seconds(article: Article) -> int:
    """Listening time before the audio exists: words at the voices' pace, plus pauses."""
    config = service().config
    kinds = article.kinds
    pauses = sum(stitch.pause_ms(kinds, i, config) for i in range(len(kinds)))
    return round(article.spoken_words / WORDS_PER_SECOND + pauses / 1000)


def _article_json(article: Article) -> dict[str, Any]:
    status = service().status(article)
    meta = status.entry.meta if status.entry else {}
    body: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "language": article.language,
        "status": status.state,
        "duration_s": meta.get("duration_s"),
        "estimated_s": estimated_seconds(article),
        "words": article.words,
        # Once complete, the audio has an address of its own that never changes (and is
        # served without the API's machinery, see listen.web.fastpath); until then, the stream.
        "audio_url": url_for("listen.audio_by_key", key=status.entry.key, _external=True)
        if status.entry is not None
        else url_for("listen.audio", article_id=article.id, _external=True),
        "download_url": url_for("listen.audio", article_id=article.id, download=1, _external=True)
        if service().config["DOWNLOAD"]
        else None,
        "timings_url": url_for("listen.timings", article_id=article.id, _external=True),
        "transcript_url": url_for("listen.transcript_vtt", article_id=article.id, _external=True),
        "chapters_url": url_for("listen.chapters_json", article_id=article.id, _external=True),
        "engine": meta.get("engine"),
        # Where the player reports listening (listen.web.events); None: analytics are off
        # and the player sends nothing.
        "events_url": url_for("events.post_event", _external=True)
        if service().config["ANALYTICS"]
        else None,
        # What the lock screen shows beside the title (Media Session artist and artwork).
        "publisher": service().config["PUBLISHER_NAME"] or None,
        "artwork_url": service().config["ARTWORK_URL"] or None,
    }
    if status.message:
        body["message"] = public_message(status.message)
    return body


@bp.get("/api/articles/<path:article_id>")
def article(article_id: str) -> Response:
    return jsonify(_article_json(service().article(article_id)))


def transcript_of(article: Article) -> dict[str, Any]:
    """Exactly what is spoken, in order, as displayed and as pronounced."""
    return {
        "id": article.id,
        "title": article.title,
        "title_spoken": article.title_speech,
        "language": article.language,
        "paragraphs": [
            {"kind": p.kind, "language": p.language, "text": p.text, "spoken": p.speech}
            for p in article.paragraphs
        ],
    }


@bp.get("/api/articles/<path:article_id>/transcript")
def transcript_json(article_id: str) -> Response:
    return jsonify(transcript_of(service().article(article_id)))


@bp.get("/transcript/<path:article_id>")
def transcript_page(article_id: str) -> str:
    article = service().article(article_id)
    data = transcript_of(article)
    return render_template(
        "transcript.html",
        article=article,
        title_spoken=data["title_spoken"],
        paragraphs=data["paragraphs"],
        words=sum(len(text.split()) for text in article.pieces),
        json_url=url_for("listen.transcript_json", article_id=article.id),
    )


def _ready_entry(article_id: str) -> tuple[Article, Entry]:
    listen = service()
    article = listen.article(article_id)
    entry = listen.lookup(article)
    if entry is None:
        listen.start(article)  # timings exist once the audio does: start making it
        raise AudioPending(
            f"the audio of {article_id!r} is being generated; its timings follow when it is "
            "complete"
        )
    return article, entry


@bp.route("/audio/<key>.mp3", methods=["GET", "HEAD"])
def audio_by_key(key: str) -> Response:
    """Finished audio by its content address (served by listen.web.fastpath when it exists)."""
    raise ArticleNotFound(
        f"no audio {key[:70]!r}: it was replaced by a newer version or evicted; ask "
        "/api/articles/<id> for the current address"
    )


@bp.get("/api/articles/<path:article_id>/timings.json")
def timings(article_id: str) -> Response:
    """Start and end of the title and every paragraph (and sentence) in the audio."""
    article, entry = _ready_entry(article_id)
    texts = article.pieces
    pieces = [
        {**timing, "text": text} for timing, text in zip(entry.meta["timings"], texts, strict=True)
    ]
    response = jsonify(
        {
            "id": article.id,
            "duration_s": entry.meta["duration_s"],
            "audio_url": url_for("listen.audio_by_key", key=entry.key, _external=True),
            "pieces": pieces,
        }
    )
    return _revalidated(response, entry)


@bp.get("/api/articles/<path:article_id>/chapters.json")
def chapters_json(article_id: str) -> Response:
    """The audio's chapters (one from 0 s, one per subheading; none without subheadings)
    as Podcasting 2.0 JSON chapters: the times of the MP3's ID3 ``CHAP`` frames."""
    _, entry = _ready_entry(article_id)
    response = jsonify(feed.json_chapters(chapters.from_meta(entry.meta)))
    response.mimetype = feed.JSON_CHAPTERS
    return _revalidated(response, entry)


@bp.get("/api/articles/<path:article_id>/transcript.vtt")
def transcript_vtt(article_id: str) -> Response:
    """The spoken text as WebVTT cues, one per title and paragraph, timed to the audio."""
    article, entry = _ready_entry(article_id)
    texts = article.pieces
    lines = ["WEBVTT", ""]
    for n, (timing, text) in enumerate(zip(entry.meta["timings"], texts, strict=True), 1):
        lines += [
            str(n),
            f"{_vtt_time(timing['start'])} --> {_vtt_time(timing['end'])}",
            _vtt_text(text),
            "",
        ]
    response = Response("\n".join(lines), content_type="text/vtt; charset=utf-8")
    return _revalidated(response, entry)


VTT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " "})
"""WebVTT cue text: & and < start markup (and > is escaped so "-->" cannot end a timing);
a line break would end the cue early (a blank line) or split it."""


def _vtt_text(text: str) -> str:
    return text.translate(VTT_ESCAPES)


def _vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _revalidated(response: Response, entry: Entry) -> Response:
    response.set_etag(entry.key)
    response.cache_control.public = True
    response.cache_control.max_age = service().config["AUDIO_MAX_AGE"]
    response.make_conditional(request)
    return response


@bp.route("/api/articles/<path:article_id>/audio.mp3", methods=["GET", "HEAD"])
def audio(article_id: str) -> Response:
    """The article's MP3: the cached file with Range/ETag, or on a cold miss a stream
    that starts as soon as the title is spoken, shared by every listener."""
    listen = service()
    download = request.args.get("download") not in (None, "", "0")
    if download and not listen.config["DOWNLOAD"]:
        raise DownloadDisabled("downloads are disabled on this service (LISTEN_DOWNLOAD=false)")
    article = listen.article(article_id)
    entry = listen.lookup(article)
    if entry is None and request.method == "HEAD":
        # A HEAD never starts work: the headers a GET would stream with, and no build.
        response = _stream(iter(()), listen.article_key(article))
        return _as_download(response, article) if download else response
    listen.played(entry.key if entry else listen.article_key(article), hit=entry is not None)
    if entry is None:
        key, build = listen.first_audio(article)
        entry = listen.finished(key)
        if entry is None:
            response = _stream(listen.follow(key, build), key)
            return _as_download(response, article) if download else response
    response = _send(entry, listen.config["AUDIO_MAX_AGE"])
    return _as_download(response, article) if download else response


def _as_download(response: Response, article: Article) -> Response:
    response.headers.set("Content-Disposition", "attachment", filename=f"{article.id}.mp3")
    return response


def _send(entry: Entry, max_age: int) -> Response:
    header = service().config["SENDFILE_HEADER"]
    if header:
        return _offload(entry, max_age, header)
    # A real path: send_file hands the open file to the server's wsgi.file_wrapper, and
    # gunicorn sends it with sendfile(2), without copying the bytes through Python.
    response = send_file(
        entry.path,
        mimetype="audio/mpeg",
        etag=entry.key,
        conditional=True,
        max_age=max_age,
        last_modified=entry.meta.get("created"),
    )
    response.headers["Accept-Ranges"] = "bytes"
    response.cache_control.public = True
    return response


def _offload(entry: Entry, max_age: int, header: str) -> Response:
    """An empty answer whose ``header`` has the front proxy send the cached file (and
    answer Range itself): nginx's X-Accel-Redirect or Apache mod_xsendfile's X-Sendfile."""
    response = Response(mimetype="audio/mpeg")
    response.set_etag(entry.key)
    if entry.meta.get("created"):
        response.last_modified = entry.meta["created"]
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(request)
    if response.status_code == 304:
        return response  # the proxy would send the file on any answer carrying the header
    if header == "X-Sendfile":
        response.headers[header] = str(entry.path)
    else:
        relative = entry.path.relative_to(service().cache_root).as_posix()
        response.headers[header] = service().config["ACCEL_PREFIX"] + quote(relative)
    return response


def _stream(chunks: Iterator[bytes], key: str) -> Response:
    """A progressive MP3 of unknown length, while the article is still being synthesized.

    Its first bytes are read here, so a build that fails before them is an error
    answered as JSON; one that fails after breaks the response off (no final chunk).
    """
    first = next(chunks, b"")

    def primed() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    response = Response(primed(), mimetype="audio/mpeg", direct_passthrough=True)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Accept-Ranges"] = "none"  # not until the file is complete
    response.headers["X-Listen-Stream"] = "partial"
    response.headers["X-Accel-Buffering"] = "no"  # let nginx pass bytes on as they come
    return response


@bp.get("/")
def index() -> str:
    listen = service()
    articles = []
    # A WordPress archive lists thousands of posts: the home page shows the first ones.
    for article_id in itertools.islice(listen.ids(), INDEX_LIMIT):
        try:
            a = listen.article(article_id)
        except ListenError as exc:
            log.warning("article %s is not listed: %s", article_id, exc.message)
            continue
        articles.append({"id": a.id, "title": a.title, "language": a.language})
    return render_template(
        "index.html",
        articles=articles,
        source=_public_description(listen.describe_source()),
        embed_js_url=url_for("listen.embed_js", _external=True),
        player_js_url=_player_url(),
    )


def _player_url() -> str:
    return url_for("listen.embed_versioned", version=assets.embed_scripts().version)


SOURCE_KINDS = (("files:", "files"), ("wordpress+", "WordPress"), ("http", "web pages"))
"""What the home page says of a source: its kind, never its folder or address."""


def _public_description(described: str) -> str:
    kind = next((name for prefix, name in SOURCE_KINDS if described.startswith(prefix)), "")
    pushed = " (and pushed articles)" if described.endswith("(and pushed articles)") else ""
    return (kind or "configured") + pushed


@bp.get("/embed/<path:article_id>")
def embed(article_id: str) -> str:
    a = service().article(article_id)
    return render_template(
        "embed.html",
        article={"id": a.id, "title": a.title, "language": a.language},
        # Relative: the page is ours, so the script is too; the script takes the API's
        # origin from its own address. The versioned player directly: one request fewer.
        embed_js_url=_player_url(),
    )


@bp.get("/embed.js")
def embed_js() -> Response:
    """The entry point publishers paste: cached a few minutes, it adds the versioned player."""
    scripts = assets.embed_scripts()
    return _script(scripts.entry, scripts.version + "-entry", assets.ENTRY_MAX_AGE)


@bp.get("/embed.<version>.js")
def embed_versioned(version: str) -> Response:
    """The player itself, minified and compressed, cached for a year under its version."""
    scripts = assets.embed_scripts()
    return _immutable("listen.embed_versioned", version, scripts.version, scripts.player, "")


@bp.get("/embed-more.<version>.js")
def embed_more(version: str) -> Response:
    """The rest of the player, fetched by it on the first play: cached a year too."""
    scripts = assets.embed_scripts()
    return _immutable("listen.embed_more", version, scripts.more_version, scripts.more, "more-")


def _immutable(
    endpoint: str, asked: str, current: str, script: assets.Encoded, tag: str
) -> Response:
    """A versioned script, immutable for a year; an old version (an entry point or player
    cached before a deploy) is sent to the current one, not cached for long."""
    if asked != current:
        moved = Response(status=302)
        moved.headers["Location"] = url_for(endpoint, version=current)
        moved.cache_control.max_age = 60
        return moved
    response = _script(script, tag + current, assets.VERSIONED_MAX_AGE)
    response.cache_control.immutable = True
    return response


def _script(script: assets.Encoded, tag: str, max_age: int) -> Response:
    accepted = {coding: q for coding, q in request.accept_encodings}
    coding, body = script.pick(accepted)
    response = Response(body, mimetype="text/javascript")
    if coding != "identity":
        response.headers["Content-Encoding"] = coding
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{tag}-{coding}")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.headers["Timing-Allow-Origin"] = "*"  # publishers may measure what it costs
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.make_conditional(request)
    return response


OEMBED_HEIGHT = 96
OEMBED_WIDTH = 640


@bp.get("/oembed")
def oembed() -> Response:
    """oEmbed for CMSs: the iframe of the player for ``url`` (an /embed/<id> address)."""
    if request.args.get("format", "json") != "json":
        raise FormatNotImplemented("oEmbed is served as format=json only")
    url = request.args.get("url", "")
    match = re.search(r"/embed/([^/?#]+)/?(?:[?#].*)?$", url)
    if not match:
        raise ArticleNotFound(
            f"no player for url {url[:100]!r}: give the address of an /embed/<id> page"
        )
    article = service().article(unquote(match.group(1)))
    width = min(_positive_int_arg("maxwidth", OEMBED_WIDTH), OEMBED_WIDTH)
    height = OEMBED_HEIGHT
    src = url_for("listen.embed", article_id=article.id, _external=True)
    html = (
        f'<iframe src="{escape(src)}" title="{escape(article.title)}" width="{width}" '
        f'height="{height}" style="border:0;width:100%;max-width:{width}px" loading="lazy" '
        'allow="autoplay; encrypted-media"></iframe>'
    )
    return jsonify(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": "listen",
            "provider_url": request.url_root,
            "title": article.title,
            "html": html,
            "width": width,
            "height": height,
        }
    )


POSITIVE_INT = re.compile(r"[0-9]{1,9}")
"""ASCII digits only ("²".isdigit() is True, and int() refuses it), and few of them."""


def _positive_int_arg(name: str, default: int, unit: str = "pixels", most: int = 0) -> int:
    """The query's ``name``: a whole number from 1 (to ``most``, if given), else ``default``.

    Raises:
        BadInput: not such a number.
    """
    value = request.args.get(name, "")
    if not value:
        return default
    if not POSITIVE_INT.fullmatch(value) or int(value) == 0 or (most and int(value) > most):
        upto = f" up to {most}" if most else ""
        raise BadInput(f"{name}={value[:20]!r}: give a positive whole number of {unit}{upto}")
    return int(value)


PLAYLIST_LIMIT = 20
PLAYLIST_MAX = 100
"""Articles a playlist lists by default, and at most (``?limit=``)."""


@bp.get("/api/playlist.json")
def playlist() -> Response:
    """The newest articles of one language whose audio is ready, in the feed's order (the
    player's "next article")."""
    language = request.args.get("language", "")
    if language not in SUPPORTED:
        raise BadInput(f"language={language[:20]!r}: give language= one of {', '.join(SUPPORTED)}")
    limit = _positive_int_arg("limit", PLAYLIST_LIMIT, unit="articles", most=PLAYLIST_MAX)
    entries = feed.latest_per_article(service().entries(), language)[:limit]
    articles = [
        {
            "id": str(entry.meta["id"]),
            "title": feed.title(entry),
            "url": url_for("listen.article", article_id=entry.meta["id"], _external=True),
        }
        for entry in entries
    ]
    response = jsonify({"language": language, "articles": articles})
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.get("/feed.xml")
def feed_xml() -> Response:
    """A podcast feed (RSS 2.0, iTunes tags) of the articles whose audio is ready:
    every language, or one with ``?language=``."""
    language = request.args.get("language") or None
    if language is not None and language not in SUPPORTED:
        raise BadInput(f"language {language!r}: use one of {', '.join(SUPPORTED)}")
    return _feed(language)


@bp.get("/feed/<language>.xml")
def feed_of_language(language: str) -> Response:
    """The podcast feed of the articles in one language (``/feed/en.xml``)."""
    if language not in SUPPORTED:
        raise ArticleNotFound(
            f"no feed {language[:20]!r}: the feeds are "
            + ", ".join(f"/feed/{lang}.xml" for lang in SUPPORTED)
        )
    return _feed(language)


def _feed(language: str | None) -> Response:
    listen = service()
    config = listen.config
    entries = feed.latest_per_article(listen.entries(), language)[: config["FEED_ITEMS"]]
    about = feed.Channel(
        title=config["FEED_TITLE"],
        link=request.url_root,
        self_url=request.url,
        description=config["FEED_DESCRIPTION"],
        # A feed of every language says the default one (directories want one).
        language=language or config["LANGUAGE"],
        image=config["FEED_IMAGE"].strip(),
        owner_email=config["FEED_OWNER_EMAIL"].strip(),
    )
    body = feed.rss(
        entries,
        about,
        audio_url=lambda key: url_for("listen.audio_by_key", key=key, _external=True),
        page_url=lambda i: url_for("listen.embed", article_id=i, _external=True),
        chapters_url=lambda i: url_for("listen.chapters_json", article_id=i, _external=True),
    )
    response = Response(body, content_type="application/rss+xml; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.after_app_request
def cors(response: Response) -> Response:
    # The player runs on publishers' pages: its API calls and audio are cross-origin.
    if request.path.startswith("/api/") or request.path in CROSS_ORIGIN or _versioned(request.path):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "Content-Length, Content-Range, Accept-Ranges, ETag, Retry-After, X-Listen-Stream"
        )
    if request.path.startswith("/embed/"):
        ancestors = current_app.extensions["listen"].config["FRAME_ANCESTORS"] or "*"
        response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response


HTML_PAGES = frozenset({"listen.embed", "listen.transcript_page", "listen.index"})
"""Endpoints whose answer is a page a person (or an iframe) shows: their errors are pages too."""

PAGE_TEXT = {
    "en": {
        "missing": ("Audio not available", "This article has no audio."),
        "failed": ("Audio not available", "The audio is not available right now."),
    },
    "es": {
        "missing": ("Audio no disponible", "Este artículo no tiene audio."),
        "failed": ("Audio no disponible", "El audio no está disponible en este momento."),
    },
}
"""What an error page says, by language and kind (a permanent 4xx, or anything else)."""

PRIVATE_SETTINGS = (
    ("SOURCE", "the source"),
    ("CACHE_DIR", "the cache folder"),
    ("DATA_DIR", "the data folder"),
    ("LEXICON", "the lexicon"),
    ("PIPER_MODEL", "the piper voice"),
    ("PIPER_VOICES", "the piper voices"),
    ("GTTS_URL", "the gTTS endpoint"),
    ("REDIS_URL", "Redis"),
)
"""Settings whose values (folders, addresses) no public answer names, and what it says instead."""

SERVER_PATH = re.compile(
    r"(?<![\w.:/])/(?:srv|home|tmp|var|opt|usr|etc|root|mnt|media|data|work|run|private)"
    r"(?:/[^\s'\"/]{1,200}){0,40}/?"
)
"""An absolute path under a usual root, which no public answer shows (a safety net)."""

WEB_SITE = re.compile(r"https?://[^/\s'\"{}]{1,300}")


def public_message(message: str) -> str:
    """``message`` without the server's paths or the source's settings (the log has them)."""
    listen = service()
    source = str(listen.config["SOURCE"])
    hidden = [(listen.describe_source(), "the source")]
    hidden += [(str(listen.config[name]), instead) for name, instead in PRIVATE_SETTINGS]
    # A web source's site, however an article's address goes on from there.
    hidden += [(site, "the source") for site in WEB_SITE.findall(source)]
    for value, instead in sorted(hidden, key=lambda pair: -len(pair[0])):
        if len(value) >= 2:
            message = message.replace(value, instead)
    return SERVER_PATH.sub("<path>", message)


def permanent(status: int) -> bool:
    """A client error that asking again will not mend (not a 408, 409 or 429)."""
    return 400 <= status < 500 and status not in (408, 409, 429)


def _page_language() -> str:
    asked = (request.args.get("lang") or "")[:2].lower()
    if asked in PAGE_TEXT:
        return asked
    default = str(service().config["LANGUAGE"])
    return request.accept_languages.best_match(list(PAGE_TEXT), default) or default


def _error_page(status: int) -> tuple[str, int]:
    lang = _page_language()
    title, message = PAGE_TEXT[lang]["missing" if permanent(status) else "failed"]
    page = render_template("error.html", lang=lang, text={"title": title, "message": message})
    return page, status


def _versioned(path: str) -> bool:
    return path.startswith(("/embed.", "/embed-more.")) and path.endswith(".js")


def handle_listen_error(exc: ListenError) -> tuple[Response | str, int]:
    if exc.status < 500:
        log.info("%s %s -> %s: %s", request.method, request.path, exc.status, exc.message)
    if request.endpoint in HTML_PAGES:
        return _error_page(exc.status)
    response = jsonify({**exc.to_dict(), "message": public_message(exc.message)})
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    if exc.status >= 500:
        log.warning("%s %s -> %s: %s", request.method, request.path, exc.status, exc.message)
    return response, exc.status


def handle_http_error(exc: HTTPException) -> tuple[Response | str, int]:
    code = exc.code or 500
    if request.endpoint in HTML_PAGES:
        return _error_page(code)
    name = (exc.name or "error").lower().replace(" ", "_")
    return jsonify({"error": name, "message": exc.description or exc.name}), code


def handle_redis_error(exc: Exception) -> tuple[Response, int]:
    log.error("Redis failed on %s %s: %r", request.method, request.path, exc)
    body = {
        "error": "queue_unavailable",
        "message": "the synthesis queue is unavailable. Probable cause: Redis "
        "(LISTEN_REDIS_URL) is down or unreachable",
    }
    response = jsonify(body)
    response.headers["Retry-After"] = "10"
    return response, 503


def handle_unexpected(exc: Exception) -> tuple[Response | str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    if request.endpoint in HTML_PAGES:
        return _error_page(500)
    body = {"error": "internal_error", "message": "internal error; the server log has details"}
    return jsonify(body), 500


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(ListenError, handle_listen_error)
    app.register_error_handler(HTTPException, handle_http_error)
    try:
        from redis.exceptions import RedisError

        app.register_error_handler(RedisError, handle_redis_error)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    app.register_error_handler(Exception, handle_unexpected)
