"""The editor's console at ``/admin``: articles, their audio and listening, the queue.

Off (404, as any unknown address) while ``LISTEN_ADMIN_TOKEN`` is empty. An editor signs
in with the token (:mod:`.admin_auth`: a signed session cookie, a CSRF token on every
form, failed sign-ins limited) and sees:

- ``/admin``: the articles, a page at a time, with their status, the engine and voice that
  actually spoke them (a fallback marked as such), duration, plays and completion;
- ``/admin/articles/<id>``: one article, its transcript as displayed and as spoken (rows
  that differ highlighted), Regenerate and Purge;
- ``/admin/chart``: plays and minutes listened per day, as inline SVG and as a table;
- ``/admin/queue``: the jobs waiting, running and failed, when Redis is in use.

Pages are plain HTML with no script at all, under a Content-Security-Policy that allows
none; errors are pages too (never a traceback), with their status.
"""

from __future__ import annotations

import functools
import itertools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

from listen.analytics.counts import Counts, Totals
from listen.errors import BadInput, ListenError
from listen.models import Article
from listen.service import Listen, Status
from listen.sources import validate_id
from listen.web import admin_auth, chart
from listen.web.api import handle_http_error, public_message, service, transcript_of
from listen.web.events import client_address

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 25
"""Articles on one page of the list."""
MAX_PAGE = 10_000
PREVIEW_PARAGRAPHS = 200
"""Paragraphs of a transcript the article page shows (the rest: /transcript/<id>)."""
QUEUE_ROWS = 20
DONE = {
    "regenerated": "Regenerating: the article was read again and its audio is being built anew.",
    "purged": "Purged: its cached audio is gone; it is built again at the next play.",
}
"""What the article page says after an action (chosen by name: nothing from the URL is shown)."""
STATE_LABELS = {
    "ready": "ready",
    "building": "building",
    "error": "failed",
    "idle": "not built yet",
    "unreadable": "unreadable",
}

View = TypeVar("View", bound=Callable[..., Any])


# ---------------------------------------------------------------- gate and headers


def _token() -> str:
    return str(service().config["ADMIN_TOKEN"])


@bp.before_request
def console_on() -> tuple[Response | str, int] | None:
    """404 while no admin token is configured, the answer of an unknown address."""
    if not _token():
        return handle_http_error(NotFound())
    g.csp_nonce = secrets.token_urlsafe(16)
    return None


@bp.after_request
def page_headers(response: Response) -> Response:
    nonce = getattr(g, "csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def signed_in(view: View) -> View:
    """The view for a signed-in editor only: else to the login form. A POST must carry
    the session's CSRF token."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        found = admin_auth.session(_token())
        if found is None:
            return redirect(url_for("admin.login"), 303)
        if request.method == "POST":
            admin_auth.check_csrf(found.csrf)
        g.session = found
        return view(*args, **kwargs)

    return cast(View, wrapper)


# ---------------------------------------------------------------- signing in


def _logins() -> admin_auth.LoginLimiter:
    limiter: admin_auth.LoginLimiter = current_app.extensions["listen.logins"]
    return limiter


def _login_page(nonce: str, status: int = 200, problem: str = "") -> Response:
    page = render_template("admin_login.html", csrf=nonce, problem=problem)
    response = make_response(page, status)
    admin_auth.offer_login(response, _token(), nonce)
    return response


@bp.get("/login")
def login() -> Response:
    if admin_auth.session(_token()) is not None:
        return redirect(url_for("admin.articles"), 303)
    return _login_page(admin_auth.login_nonce(_token()) or admin_auth.new_nonce())


@bp.post("/login")
def login_post() -> Response:
    token = _token()
    nonce = admin_auth.login_nonce(token)
    admin_auth.check_csrf(nonce)
    client = client_address()
    _logins().check(client)
    if not admin_auth.token_matches(request.form.get("token", ""), token):
        _logins().failed(client)
        log.warning("console: a failed sign-in")
        return _login_page(nonce or admin_auth.new_nonce(), 403, "That is not the admin token.")
    response = redirect(url_for("admin.articles"), 303)
    admin_auth.start_session(response, token)
    log.info("console: signed in")
    return response


@bp.post("/logout")
@signed_in
def logout() -> Response:
    response = redirect(url_for("admin.login"), 303)
    admin_auth.end_session(response)
    return response


# ---------------------------------------------------------------- articles


@dataclass(frozen=True)
class VoiceUsed:
    language: str
    engine: str
    voice: str
    preferred: str
    """The configured engine the language should have been spoken by."""

    @property
    def fallback(self) -> bool:
        return bool(self.preferred) and self.engine != self.preferred


@dataclass(frozen=True)
class Row:
    """One article as the console shows it."""

    id: str
    title: str = ""
    language: str = ""
    state: str = "idle"
    message: str = ""
    voices: list[VoiceUsed] = field(default_factory=list)
    duration: str = ""
    built: str = ""
    plays: int = 0
    completion: str = ""
    minutes: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _counts() -> Counts:
    counts: Counts = current_app.extensions["listen.counts"]
    return counts


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return (
        f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
        if whole >= 3600
        else (f"{whole // 60}:{whole % 60:02d}")
    )


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _state(listen: Listen, article: Article, status: Status) -> str:
    if status.state in ("ready", "error"):
        return status.state
    key = listen.article_key(article)
    queue = listen.queue
    if listen.is_building(key) or (queue is not None and queue.pending(key)):
        return "building"
    return "idle"


def _voices(listen: Listen, status: Status) -> list[VoiceUsed]:
    if status.entry is None:
        return []
    used = []
    for language, engine, voice in listen.voices_used(status.entry):
        chain = listen.voices(language)  # "engine:voice", the preferred first
        used.append(VoiceUsed(language, engine, voice, chain[0].split(":")[0] if chain else ""))
    return used


def _row(listen: Listen, article_id: str, totals: dict[str, Totals]) -> Row:
    counted = totals.get(article_id)
    listening: dict[str, Any] = {}
    if counted is not None:
        share = counted.completion
        listening = {
            "plays": counted.plays,
            "completion": f"{share:.0%}" if share is not None else "",
            "minutes": f"{counted.minutes:.1f}",
        }
    try:
        article = listen.article(article_id)
    except ListenError as exc:
        return Row(article_id, state="unreadable", message=public_message(exc.message), **listening)
    status = listen.status(article)
    meta = status.entry.meta if status.entry is not None else {}
    return Row(
        article.id,
        title=article.title,
        language=article.language,
        state=_state(listen, article, status),
        message=public_message(status.message) if status.message else "",
        voices=_voices(listen, status),
        duration=_clock(float(meta["duration_s"])) if "duration_s" in meta else "",
        built=_when(float(meta["created"])) if meta.get("created") else "",
        **listening,
    )


def _page_number() -> int:
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit() and 1 <= len(value) <= 5):
        raise BadInput(f"page {value[:20]!r}: give a page number from 1 to {MAX_PAGE}")
    number = int(value)
    if not 1 <= number <= MAX_PAGE:
        raise BadInput(f"page {number}: give a page number from 1 to {MAX_PAGE}")
    return number


@bp.get("")
@signed_in
def articles() -> str:
    listen = service()
    number = _page_number()
    start = (number - 1) * PAGE_SIZE
    ids = list(itertools.islice(listen.ids(), start, start + PAGE_SIZE + 1))
    totals = {t.key: t for t in _counts().per_article()}
    rows = [_row(listen, article_id, totals) for article_id in ids[:PAGE_SIZE]]
    return render_template(
        "admin_articles.html",
        rows=rows,
        page=number,
        first=start + 1,
        more=len(ids) > PAGE_SIZE,
        analytics=listen.config["ANALYTICS"],
    )


def _transcript_rows(article: Article) -> list[dict[str, Any]]:
    data = transcript_of(article)
    title = {
        "kind": "title",
        "language": article.language,
        "text": article.title,
        "spoken": data["title_spoken"],
    }
    rows = [title, *data["paragraphs"]]
    return [{**r, "n": n, "changed": r["text"] != r["spoken"]} for n, r in enumerate(rows)]


@bp.get("/articles/<path:article_id>")
@signed_in
def article(article_id: str) -> str:
    listen = service()
    found = listen.article(article_id)
    totals = {t.key: t for t in _counts().per_article()}
    rows = _transcript_rows(found)
    return render_template(
        "admin_article.html",
        row=_row(listen, found.id, totals),
        transcript=rows[: PREVIEW_PARAGRAPHS + 1],
        hidden=max(0, len(rows) - PREVIEW_PARAGRAPHS - 1),
        changed=sum(r["changed"] for r in rows),
        done=DONE.get(request.args.get("done", "")),
    )


@bp.post("/articles/<path:article_id>/regenerate")
@signed_in
def regenerate(article_id: str) -> Response:
    key = service().regenerate(article_id)
    log.info("console: %s regenerated (%s)", article_id, key[:12])
    return redirect(url_for("admin.article", article_id=article_id, done="regenerated"), 303)


@bp.post("/articles/<path:article_id>/purge")
@signed_in
def purge(article_id: str) -> Response:
    removed = service().purge([validate_id(article_id)])
    log.info("console: %s purged (%d versions)", article_id, removed)
    return redirect(url_for("admin.article", article_id=article_id, done="purged"), 303)


# ---------------------------------------------------------------- listening and the queue


def _days() -> int:
    value = request.args.get("days", str(chart.DAYS[1]))
    if value not in {str(d) for d in chart.DAYS}:
        shown = ", ".join(map(str, chart.DAYS))
        raise BadInput(f"days {value[:20]!r}: show one of {shown} days")
    return int(value)


@bp.get("/chart")
@signed_in
def listening_chart() -> str:
    days = _days()
    last = datetime.fromtimestamp(time.time(), UTC).date()
    first = last - timedelta(days=days - 1)
    series = chart.daily(_counts().per_day(since=first), last, days)
    return render_template(
        "admin_chart.html",
        days=series,
        period=days,
        periods=chart.DAYS,
        plays=chart.bars(series, [d.plays for d in series]),
        minutes=chart.bars(series, [round(d.minutes, 1) for d in series]),
        total_plays=sum(d.plays for d in series),
        total_minutes=sum(d.minutes for d in series),
        analytics=service().config["ANALYTICS"],
    )


@bp.get("/queue")
@signed_in
def queue() -> str:
    jobs = service().queue
    overview, problem = None, ""
    if jobs is not None:
        try:
            overview = jobs.overview(QUEUE_ROWS)
        except RedisError as exc:
            log.warning("console: Redis failed: %r", exc)
            problem = "Redis does not answer (LISTEN_REDIS_URL): the queue cannot be shown."
    return render_template(
        "admin_queue.html", configured=jobs is not None, overview=overview, problem=problem
    )


# ---------------------------------------------------------------- errors as pages


TITLES = {400: "Bad request", 403: "Refused", 404: "Not found", 429: "Too many attempts"}


def _error_page(status: int, message: str, retry_after: int | None = None) -> Response:
    title = TITLES.get(status, "Something went wrong" if status >= 500 else "Refused")
    page = render_template(
        "admin_error.html",
        status=status,
        title=title,
        message=message,
        signed_in=admin_auth.session(_token()) is not None,
    )
    response = make_response(page, status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(ListenError)
def listen_error(exc: ListenError) -> Response:
    log.info("%s %s -> %s: %s", request.method, request.path, exc.status, exc.message)
    return _error_page(exc.status, public_message(exc.message), exc.retry_after)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    return _error_page(exc.code or 500, exc.description or exc.name)


@bp.errorhandler(RedisError)
def redis_error(exc: RedisError) -> Response:
    log.error("Redis failed on %s %s: %r", request.method, request.path, exc)
    message = "The synthesis queue is unavailable: Redis (LISTEN_REDIS_URL) does not answer."
    return _error_page(503, message, 10)


@bp.errorhandler(Exception)
def unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error_page(500, "Internal error; the server log has the details.")


def init_app(app: Flask) -> None:
    app.extensions["listen.logins"] = admin_auth.LoginLimiter()
    app.register_blueprint(bp)
