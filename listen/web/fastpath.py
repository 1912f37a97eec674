"""Fast path: finished audio by its content address, without the web app's machinery.

``/audio/<key>.mp3`` names one version of one article's audio by its cache key,
so it never changes: it is served with ``Cache-Control: immutable`` (browsers and
CDNs keep it for a year) by a small WSGI layer in front of Flask that does only
what a static file server does — find the file, answer ``Range``/``ETag`` — so a
process serves cached audio at several times the rate of the full API route.
The article endpoint's ``audio_url`` points here once the audio is complete.

Conditional and range requests follow RFC 9110 (sections 13 and 14), in its order:
``If-Match`` (strong comparison; 412 when it fails), ``If-None-Match`` (``*`` or a
weak match: 304), then ``Range`` on a GET only if ``If-Range`` is absent or names
the ETag exactly (a weak tag or a date never matches: the whole file). One byte
range gets a 206; a range no byte of the file satisfies gets a JSON 416 with
``Content-Range: bytes */<size>``. A Range header that is not a valid byte-ranges
specifier (``5-2``, ``bytes=``, another unit) is ignored, and so is one asking for
several ranges: the whole file, 200, which RFC 9110 section 14.2 allows and every
player handles (a multipart/byteranges body is something no audio element asks for).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from listen import metrics
from listen.errors import ListenError, PreconditionFailed, RangeNotSatisfiable

if TYPE_CHECKING:
    from listen.service import Listen

log = logging.getLogger(__name__)

PATTERN = re.compile(r"^/audio/([0-9a-f]{64})\.mp3$")
IMMUTABLE = 365 * 24 * 3600
BLOCK = 64 * 1024
RANGE_MAX = 200
"""Longest Range header read; longer ones (a list of many ranges) are ignored."""
# One byte-range spec (RFC 9110 14.1.2): "first-[last]" or "-suffix"; ASCII digits only.
RANGE_SPEC = re.compile(r"([0-9]+)-([0-9]*)|-([0-9]+)", re.ASCII)
ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


STATUS = {
    200: "200 OK",
    206: "206 Partial Content",
    304: "304 Not Modified",
    412: "412 Precondition Failed",
    416: "416 Range Not Satisfiable",
    500: "500 Internal Server Error",
}


@dataclass(frozen=True)
class Answer:
    """What to send: a status, headers beyond the common ones, and which bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    start: int = 0
    length: int = 0
    to_end: bool = False
    """The bytes run to the end of the file (so the server's file wrapper may send them)."""
    error: ListenError | None = None


class AudioFastPath:
    """WSGI middleware serving ``/audio/<key>.mp3`` straight from the cache folder."""

    def __init__(self, app: WSGIApp, listen: Listen) -> None:
        self.app = app
        self.listen = listen

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = PATTERN.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if match is None or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        key = match.group(1)
        try:
            # A stat call for a file checked before; a bad entry is no file (the app's 404).
            found = self.listen.path_of(key)
            if found is None:
                return self.app(environ, start_response)
            path, size = found
            answer = decide(environ, key, size)
            handle = open(path, "rb") if answer.length and method == "GET" else None  # noqa: SIM115 - closed by the server
        except FileNotFoundError:  # evicted since the stat
            return self.app(environ, start_response)
        except Exception:  # noqa: BLE001 - answer in JSON, as the app would
            log.exception("serving /audio/%s.mp3", key)
            error = ListenError("internal error; the server log has details")
            return _send(environ, start_response, Answer(500, error=error), key, None)
        self.listen.played(key, hit=True)  # last played: what cache eviction goes by
        return _send(environ, start_response, answer, key, handle)


def decide(environ: dict[str, Any], key: str, size: int) -> Answer:
    """The answer to a GET or HEAD of the file ``key`` of ``size`` bytes (RFC 9110 13.2.2)."""
    etag = f'"{key}"'
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match is not None and not _matches(if_match, key, weak=False):
        return Answer(
            412,
            error=PreconditionFailed(
                "If-Match names another version: this address always serves the same bytes"
            ),
        )
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None and _matches(if_none_match, key, weak=True):
        return Answer(304)
    whole = Answer(200, (("Content-Length", str(size)),), 0, size, to_end=True)
    asked = environ.get("HTTP_RANGE")
    if asked is None or environ.get("REQUEST_METHOD") != "GET":
        return whole  # Range is defined for GET only (RFC 9110 14.2)
    if_range = environ.get("HTTP_IF_RANGE")
    if if_range is not None and if_range.strip() != etag:
        return whole  # If-Range needs a strong match; a weak tag or a date means "all of it"
    span = byte_range(asked, size)
    if span is None:
        return whole
    if not span:
        return Answer(
            416,
            (("Content-Range", f"bytes */{size}"),),
            error=RangeNotSatisfiable(
                f"the range {asked.strip()[:40]!r} is past the end of the file, which has "
                f"{size} bytes"
            ),
        )
    headers = (
        ("Content-Length", str(len(span))),
        ("Content-Range", f"bytes {span.start}-{span.stop - 1}/{size}"),
    )
    return Answer(206, headers, span.start, len(span), to_end=span.stop == size)


def byte_range(header: str, size: int) -> range | None:
    """The bytes of a file of ``size`` bytes that the Range ``header`` asks for.

    Returns:
        The range of byte offsets; an empty one when the header is valid but no byte
        satisfies it (a 416); None when the header is to be ignored: not a valid
        bytes range, or more than one range.
    """
    header = header.strip()
    unit, equals, spec = header[: RANGE_MAX + 1].partition("=")
    if not equals or unit.lower() != "bytes" or len(header) > RANGE_MAX:
        return None
    specs = [part.strip() for part in spec.split(",") if part.strip()]  # empty items are allowed
    found = RANGE_SPEC.fullmatch(specs[0]) if len(specs) == 1 else None
    if found is None:
        return None  # not a range, no range at all, or several
    first, last, suffix = found.groups()
    if suffix is not None:
        return range(max(0, size - _number(suffix)), size if _number(suffix) else 0)
    start = _number(first)
    if last and _number(last) < start:
        return None  # "5-2" is not a valid range (RFC 9110 14.1.1)
    end = min(_number(last) + 1, size) if last else size
    return range(start, end) if start < size else range(0)


def _number(digits: str) -> int:
    """A range's position, capped: a thousand-digit one is just "past any file"."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < 19 else 2**63


def _matches(header: str, key: str, *, weak: bool) -> bool:
    """Whether an If-Match / If-None-Match list names this file (RFC 9110 8.8.3.2)."""
    if header.strip() == "*":
        return True  # the file exists: we are serving it
    for found in ENTITY_TAG.finditer(header):
        if found.group(2) == key and (weak or not found.group(1)):
            return True
    return False


def _send(
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    answer: Answer,
    key: str,
    handle: BinaryIO | None,
) -> Iterable[bytes]:
    metrics.http_response(environ["REQUEST_METHOD"], answer.status)
    if answer.error is not None:
        body = json.dumps(answer.error.to_dict()).encode("utf-8")
        start_response(
            STATUS[answer.status],
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                *answer.headers,
                *CORS_HEADERS,
            ],
        )
        return [body] if environ["REQUEST_METHOD"] == "GET" else []
    start_response(STATUS[answer.status], [*answer.headers, ("ETag", f'"{key}"'), *STATIC_HEADERS])
    if handle is None:
        return []
    handle.seek(answer.start)
    # PEP 3333: wsgi.file_wrapper(filelike, block_size) -> an iterable of the file's bytes
    wrapper: Callable[[BinaryIO, int], Iterable[bytes]] | None = environ.get("wsgi.file_wrapper")
    if wrapper is not None and answer.to_end:
        # The server sends it with sendfile(2) (gunicorn), from here to the end of the file.
        return wrapper(handle, BLOCK)
    return _chunks(handle, answer.length)


def _chunks(handle: BinaryIO, length: int) -> Iterable[bytes]:
    with handle:
        while length > 0 and (block := handle.read(min(BLOCK, length))):
            length -= len(block)
            yield block


CORS_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag"),
)
STATIC_HEADERS = (
    ("Content-Type", "audio/mpeg"),
    ("Accept-Ranges", "bytes"),
    ("Cache-Control", f"public, max-age={IMMUTABLE}, immutable"),
    *CORS_HEADERS,
)
