"""Events: ``POST /api/events``, the player's listening reports -> the analytics counts.

Each request is one event (see :mod:`listen.analytics.events`), sent by the player with
``navigator.sendBeacon`` as JSON text: 204 when counted (or dropped because the browser
says Do Not Track or Global Privacy Control), 400 for an invalid event or an article the
source does not have, 413 for a body over 1 KiB, 429 past
``LISTEN_ANALYTICS_EVENTS_PER_MINUTE`` from one client, 404 ``analytics_off`` with
``LISTEN_ANALYTICS=false``. Nothing about the client is stored: its address is only
hashed, in memory, for the rate limit.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time

from flask import Blueprint, Flask, Response, current_app, request

from listen import metrics
from listen.analytics import events
from listen.analytics.counts import Counts
from listen.analytics.limiter import Limiter
from listen.errors import AnalyticsOff, BadInput, ListenError, RateLimited
from listen.web.api import service
from listen.web.publish import read_body

log = logging.getLogger(__name__)

bp = Blueprint("events", __name__)
KNOWN_S = 600.0
"""Seconds an article the source had is taken as known without asking it again."""
UNKNOWN_S = 60.0
"""Seconds an article the source did not have is refused without asking it again."""
REMEMBERED = 10_000
"""Articles remembered either way (the oldest forgotten first)."""
OPT_OUT = (("DNT", "1"), ("Sec-GPC", "1"))
"""Headers by which a browser says its user does not want to be counted."""


class Articles:
    """Which article IDs the source has, asked at most once per :data:`KNOWN_S`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[bool, float]] = {}

    def known(self, article_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            found = self._seen.get(article_id)
        if found is not None and found[1] > now:
            return found[0]
        try:
            service().article(article_id)
            known = True
        except ListenError as exc:
            known = exc.status >= 500  # the source is down: count, do not lose the play
            if known:
                log.warning("events: cannot tell whether %s exists: %s", article_id, exc)
        with self._lock:
            if len(self._seen) >= REMEMBERED:
                self._seen.pop(next(iter(self._seen)))
            self._seen[article_id] = (known, now + (KNOWN_S if known else UNKNOWN_S))
        return known


def client_address() -> str:
    """The client's address: the last ``X-Forwarded-For`` hop when the request came from
    a proxy on this machine or network (nginx appends the address it saw), else the
    connection's."""
    remote = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        local = ipaddress.ip_address(remote).is_private
    except ValueError:
        local = False
    if local and forwarded:
        return forwarded[-64:].rsplit(",", 1)[-1].strip()
    return remote


@bp.post("/api/events")
def post_event() -> Response:
    config = service().config
    if not config["ANALYTICS"]:
        raise AnalyticsOff("analytics are off (LISTEN_ANALYTICS=false): no event is counted")
    limiter: Limiter = current_app.extensions["listen.limiter"]
    if not limiter.allow(client_address()):
        metrics.event_refused("rate_limited")
        raise RateLimited(
            f"more than {limiter.per_minute} events a minute from this client: send fewer "
            "(one per play, quartile and pause)",
            retry_after=limiter.retry_after(),
        )
    try:
        event = events.parse(read_body(events.MAX_BODY))
        articles: Articles = current_app.extensions["listen.articles"]
        if not articles.known(event.article):
            raise BadInput(f"no article {event.article!r}: events are for articles that exist")
    except ListenError:
        metrics.event_refused("invalid")
        raise
    if any(request.headers.get(name, "").strip() == value for name, value in OPT_OUT):
        return Response(status=204)  # the browser's user opted out: not counted
    counts: Counts = current_app.extensions["listen.counts"]
    counts.add(event)
    metrics.listening_event(event.kind, event.value)
    return Response(status=204)


def init_app(app: Flask) -> None:
    config = app.extensions["listen"].config
    app.extensions["listen.limiter"] = Limiter(config["ANALYTICS_EVENTS_PER_MINUTE"])
    app.extensions["listen.articles"] = Articles()
    app.extensions["listen.counts"] = Counts(config["CACHE_DIR"])
    app.register_blueprint(bp)
