"""Fetch: URL -> page bytes over HTTP, pinned to one origin, with a conditional cache on disk.

Used by the web sources (``wordpress``, ``url``). Every fetch, redirects included, has
one wall-clock deadline over connect, headers and body (:mod:`listen.deadline`), a
size cap and the service's User-Agent; redirects are followed by hand so that a hop to
another origin is refused before it is requested. Good answers are stored under
``<CACHE_DIR>/pages/`` with their ``ETag`` and ``Last-Modified``. For ``fresh`` seconds
after it was stored (or last revalidated) a page is used without asking the origin;
after that, the next fetch asks with ``If-None-Match`` / ``If-Modified-Since`` and reuses
the stored body on a 304, and serves it (with a warning) when the origin is unreachable.
"""

from __future__ import annotations

import contextvars
import email.utils
import hashlib
import json
import logging
import os
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from listen import deadline
from listen.errors import (
    ArticleNotFound,
    ArticleTooLarge,
    ArticleUnreadable,
    OriginUnreachable,
    SourceUnavailable,
)
from listen.settings import DEFAULTS, load
from listen.storage.files import write_atomic

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/listen-tts/listen"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
# Kept with a stored page: what a later conditional request or a source needs again.
STORED_HEADERS = (
    "content-type",
    "etag",
    "last-modified",
    "link",
    "x-wp-total",
    "x-wp-totalpages",
)


_revalidate = contextvars.ContextVar("listen_fetch_revalidate", default=False)


@contextmanager
def revalidating() -> Iterator[None]:
    """Fetches in the block ask the origin even about a fresh stored page.

    For a publisher's refresh hook: it says the article changed just now.
    """
    token = _revalidate.set(True)
    try:
        yield
    finally:
        _revalidate.reset(token)


@dataclass(frozen=True)
class Page:
    """One fetched page.

    ``origin`` says where the body came from: ``"network"`` (a fresh answer),
    ``"revalidated"`` (the server said 304, the stored body is current) or
    ``"stale"`` (the server was unreachable; the stored body may be out of date) or
    ``"fresh"`` (stored less than ``LISTEN_FETCH_FRESH`` seconds ago: not asked).
    """

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    origin: str = "network"

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ("" when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of the Content-Type, if any."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def last_modified_iso(self) -> str | None:
        """The ``Last-Modified`` header as an ISO 8601 time, if it parses."""
        value = self.headers.get("last-modified")
        if not value:
            return None
        try:
            return email.utils.parsedate_to_datetime(value).isoformat()
        except (TypeError, ValueError):
            return None

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ArticleUnreadable: the body is not UTF-8 JSON.
        """
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ArticleUnreadable(
                f"{self.url} did not answer with valid JSON ({exc}). Probable cause: a proxy "
                "or security plugin answered instead of the API."
            ) from exc


def default_user_agent() -> str:
    """``listen/<version> (+<project URL>)``: who is asking, and where to read about it."""
    from listen import __version__

    return f"listen/{__version__} (+{PROJECT_URL})"


def origin_of(url: str) -> str:
    """``scheme://host:port`` of an http(s) URL, with the default port made explicit.

    Raises:
        ValueError: not an http(s) URL with a host.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    port = parts.port or (443 if scheme == "https" else 80)  # .port raises on a bad port
    return f"{scheme}://{parts.hostname.lower()}:{port}"


class Fetcher:
    """A small HTTP client for article sources: GET with timeout, size cap and cache.

    Args:
        timeout: seconds for the whole exchange: connect, headers and body, redirects
            included, however slowly the bytes arrive.
        max_bytes: largest body accepted (after decompression).
        user_agent: the User-Agent header; empty means :func:`default_user_agent`.
        cache_dir: folder for stored pages (``<CACHE_DIR>/pages``); None stores nothing.
        origin: if set, only URLs of this origin (see :func:`origin_of`) are fetched,
            redirects included.
        fresh: seconds a stored page is used without asking the origin (0: always ask).
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULTS["FETCH_TIMEOUT"],
        max_bytes: int = DEFAULTS["FETCH_MAX_BYTES"],
        user_agent: str = "",
        cache_dir: Path | None = None,
        origin: str | None = None,
        fresh: float = 0.0,
    ) -> None:
        self.timeout = timeout
        self.fresh = fresh
        self.max_bytes = max_bytes
        self.user_agent = user_agent or default_user_agent()
        self.cache_dir = Path(cache_dir).absolute() if cache_dir is not None else None
        self.origin = origin

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, origin: str | None = None) -> Fetcher:
        """A fetcher set up from the settings (:func:`listen.settings.load` checks them).

        Raises:
            ConfigError: a fetch setting has a bad value.
        """
        settings = load(config)
        return cls(
            timeout=settings.FETCH_TIMEOUT,
            max_bytes=settings.FETCH_MAX_BYTES,
            user_agent=settings.USER_AGENT,
            cache_dir=Path(settings.CACHE_DIR) / "pages" if settings.CACHE_DIR else None,
            origin=origin,
            fresh=settings.FETCH_FRESH,
        )

    # ------------------------------------------------------------ fetching

    def get(
        self,
        url: str,
        *,
        accept: Collection[str] = (),
        allow_statuses: Collection[int] = (),
    ) -> Page:
        """GET ``url``: a fresh stored copy, else revalidated or fallen back on.

        Args:
            url: the http(s) URL; must be on :attr:`origin` when one is set.
            accept: media types a 200 answer may have (empty: any). A missing
                Content-Type is accepted.
            allow_statuses: 4xx statuses returned as a :class:`Page` (not stored)
                instead of raised, for callers that read error bodies.

        Raises:
            ArticleNotFound: 404 or 410.
            ArticleTooLarge: the body is larger than ``max_bytes``.
            ArticleUnreadable: a 200 answer of a media type not in ``accept``.
            SourceUnavailable: 502; the origin failed (network error, timeout, 5xx,
                another 4xx, a redirect elsewhere) and no stored copy exists.
        """
        stored, age = self._load(url)
        if stored is not None and age < self.fresh and not _revalidate.get():
            log.debug("%s stored %.0f s ago; not asking the origin", url, age)
            return Page(url, stored.status, stored.body, stored.headers, origin="fresh")
        try:
            return self._fetch_in_time(url, stored, accept, allow_statuses)
        except OriginUnreachable as exc:
            if stored is None:
                raise
            log.warning("serving the stored copy of %s: %s", url, exc.message)
            return Page(url, stored.status, stored.body, stored.headers, origin="stale")

    def _fetch_in_time(
        self,
        url: str,
        stored: Page | None,
        accept: Collection[str],
        allow_statuses: Collection[int],
    ) -> Page:
        """:meth:`_fetch` with every byte, redirects included, by one deadline."""
        with deadline.within(self.timeout) as limit:
            try:
                page = self._fetch(url, stored, accept, allow_statuses)
            except OriginUnreachable:
                if limit.expired:  # the cut-off connection looked broken: say why
                    raise self._too_slow(url) from None
                raise
            # A cut-off answer can also look whole (headers ended by the cut, a body
            # read until the connection closed): never take it.
            if limit.expired:
                raise self._too_slow(url)
            return page

    def _fetch(
        self,
        url: str,
        stored: Page | None,
        accept: Collection[str],
        allow_statuses: Collection[int],
    ) -> Page:
        headers = {"User-Agent": self.user_agent}
        if accept:
            headers["Accept"] = ", ".join([*accept, "*/*;q=0.1"])
        if stored is not None:
            if "etag" in stored.headers:
                headers["If-None-Match"] = stored.headers["etag"]
            if "last-modified" in stored.headers:
                headers["If-Modified-Since"] = stored.headers["last-modified"]
        current = url
        with deadline.session() as session:
            for _hop in range(MAX_REDIRECTS + 1):
                self._check_origin(current, url)
                try:
                    response = session.get(
                        current,
                        headers=headers,
                        timeout=(self.timeout, self.timeout),
                        allow_redirects=False,
                        stream=True,
                    )
                except requests.RequestException as exc:
                    raise _network_error(current, exc, self.timeout) from exc
                with response:
                    location = response.headers.get("Location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = urljoin(current, location)
                        continue
                    return self._answer(url, current, response, stored, accept, allow_statuses)
        raise SourceUnavailable(
            f"{url} redirected more than {MAX_REDIRECTS} times. Probable cause: a redirect "
            "loop on the publisher's site."
        )

    def _answer(
        self,
        url: str,
        current: str,
        response: requests.Response,
        stored: Page | None,
        accept: Collection[str],
        allow_statuses: Collection[int],
    ) -> Page:
        status = response.status_code
        if status == 304 and stored is not None:
            log.debug("%s not modified; using the stored copy", url)
            self._revalidated(url)
            return Page(url, stored.status, stored.body, stored.headers, origin="revalidated")
        if status in (404, 410):
            self._forget(url)  # a deleted article must not come back as a stale copy
        if status in allow_statuses:
            body = self._read(response, current)
            return Page(url, status, body, _kept_headers(response))
        if status in (404, 410):
            raise ArticleNotFound(f"{current} answered HTTP {status}: no such article")
        if status == 429 or status >= 500:
            raise OriginUnreachable(
                f"{current} answered HTTP {status}. Probable cause: the publisher's server "
                + ("is rate-limiting us." if status == 429 else "is down or overloaded.")
            )
        if status != 200:
            raise SourceUnavailable(
                f"{current} answered HTTP {status}. Probable cause: "
                + (
                    "the server refuses our requests (login, firewall or bot blocking)."
                    if status in (401, 403)
                    else "the source URL in LISTEN_SOURCE is wrong for this server."
                )
            )
        page = Page(url, status, self._read(response, current), _kept_headers(response))
        if accept and page.media_type and page.media_type not in accept:
            raise ArticleUnreadable(
                f"{current} is {page.media_type}, not {' or '.join(accept)}. Probable cause: "
                "the URL is not an article page (a file, an image) or not the expected API."
            )
        self._store(page)
        return page

    def _read(self, response: requests.Response, url: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large(url, f"it declares {int(declared)} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large(url, "its body did not end there")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise _network_error(url, exc, self.timeout) from exc
        return b"".join(chunks)

    def _too_slow(self, url: str) -> OriginUnreachable:
        return OriginUnreachable(
            f"{url} sent no whole answer within {self.timeout:g} s (LISTEN_FETCH_TIMEOUT). "
            "Probable cause: a slow or overloaded server, or one sending its page a few "
            "bytes at a time."
        )

    def _too_large(self, url: str, detail: str) -> ArticleTooLarge:
        return ArticleTooLarge(
            f"{url} is larger than LISTEN_FETCH_MAX_BYTES={self.max_bytes} ({detail}). "
            "Probable cause: the URL is a download rather than an article page."
        )

    def _check_origin(self, url: str, asked: str) -> None:
        try:
            origin = origin_of(url)
        except ValueError as exc:
            raise SourceUnavailable(f"refused to fetch {url!r} (asked for {asked}): {exc}") from exc
        if self.origin is not None and origin != self.origin:
            raise SourceUnavailable(
                f"refused to fetch {url}: only {self.origin} is allowed"
                + (f" (it was a redirect from {asked})" if url != asked else "")
                + ". Probable cause: the article moved to another site, or the site "
                "redirects to another scheme or host; put that one in LISTEN_SOURCE."
            )

    # ------------------------------------------------------------ stored pages

    def _path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.page"

    def _load(self, url: str) -> tuple[Page | None, float]:
        """The stored copy of ``url`` and its age in seconds (since stored or revalidated)."""
        path = self._path(url)
        if path is None:
            return None, 0.0
        try:
            data = path.read_bytes()
            age = time.time() - path.stat().st_mtime
            head, _, body = data.partition(b"\n")
            meta = json.loads(head)
        except (OSError, ValueError):
            return None, 0.0
        if not isinstance(meta, dict) or meta.get("url") != url:
            return None, 0.0
        page = Page(url, int(meta.get("status", 200)), body, dict(meta.get("headers", {})))
        return page, age

    def _revalidated(self, url: str) -> None:
        """The origin said the stored copy is current: it is fresh again (its mtime)."""
        path = self._path(url)
        try:
            if path is not None:
                os.utime(path)
        except OSError as exc:
            log.warning("could not mark %s as revalidated: %s", url, exc)

    def _store(self, page: Page) -> None:
        path = self._path(page.url)
        if path is None:
            return
        # One file, header line then body, renamed into place: readers see all or nothing.
        meta = {"url": page.url, "status": page.status, "headers": dict(page.headers)}
        head = json.dumps({**meta, "stored": time.time()}).encode("utf-8")
        try:
            write_atomic(path, head + b"\n" + page.body)
        except OSError as exc:
            # A read-only or full cache costs revalidation, not the article.
            log.warning("could not store %s in %s: %s", page.url, self.cache_dir, exc)

    def _forget(self, url: str) -> None:
        path = self._path(url)
        if path is not None:
            path.unlink(missing_ok=True)


def _kept_headers(response: requests.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in STORED_HEADERS if name in response.headers}


def _network_error(url: str, exc: requests.RequestException, timeout: float) -> OriginUnreachable:
    text = str(exc)
    if isinstance(exc, requests.Timeout) or "timed out" in text.lower():
        cause = f"no answer within {timeout:g} s (LISTEN_FETCH_TIMEOUT), a slow server"
    elif isinstance(exc, requests.ConnectionError):
        cause = "the server is down, the host name does not resolve, or a firewall blocks us"
    else:
        cause = f"a broken HTTP answer ({type(exc).__name__})"
    return OriginUnreachable(f"could not fetch {url}. Probable cause: {cause}.")
