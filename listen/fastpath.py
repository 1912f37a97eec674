"""Fast path: finished audio by its content address, without the web app's machinery.

``/audio/<key>.mp3`` names one version of one article's audio by its cache key,
so it never changes: it is served with ``Cache-Control: immutable`` (browsers and
CDNs keep it for a year) by a small WSGI layer in front of Flask that does only
what a static file server does — find the file, answer ``Range``/``ETag`` — so a
process serves cached audio at several times the rate of the full API route.
The article endpoint's ``audio_url`` points here once the audio is complete.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.utils import send_file

from listen import metrics

if TYPE_CHECKING:
    from listen.pipeline import Listen

PATTERN = re.compile(r"^/audio/([0-9a-f]{64})\.mp3$")
IMMUTABLE = 365 * 24 * 3600

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AudioFastPath:
    """WSGI middleware serving ``/audio/<key>.mp3`` straight from the cache folder."""

    def __init__(self, app: WSGIApp, listen: Listen) -> None:
        self.app = app
        self.listen = listen
        self.root = listen.cache.root

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = PATTERN.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        key = match.group(1)
        path = self.root / key[:2] / f"{key}.mp3"
        try:
            size = os.stat(path).st_size
        except OSError:
            return self.app(environ, start_response)  # the app answers the 404 in JSON
        metrics.cache_lookup(hit=True)
        self.listen.hits.record(hit=True)
        self.listen.cache.touch(key)  # last played: what cache eviction goes by
        if "HTTP_RANGE" not in environ and "HTTP_IF_RANGE" not in environ:
            return self._whole(environ, start_response, path, key, size)
        response = send_file(
            path,
            environ,
            mimetype="audio/mpeg",
            etag=key,
            conditional=True,
            max_age=IMMUTABLE,
        )
        response.cache_control.public = True
        response.cache_control.immutable = True
        response.headers["Accept-Ranges"] = "bytes"
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "Content-Length, Content-Range, Accept-Ranges, ETag"
        )
        metrics.http_response(environ["REQUEST_METHOD"], response.status_code)
        return response(environ, start_response)

    def _whole(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        path: Path,
        key: str,
        size: int,
    ) -> Iterable[bytes]:
        """The common case, a whole file or a 304, with nothing but headers and sendfile."""
        etag = f'"{key}"'
        headers = [("ETag", etag), *STATIC_HEADERS]
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            metrics.http_response(environ["REQUEST_METHOD"], 304)
            start_response("304 Not Modified", headers)
            return []
        metrics.http_response(environ["REQUEST_METHOD"], 200)
        start_response("200 OK", [("Content-Length", str(size)), *headers])
        if environ["REQUEST_METHOD"] == "HEAD":
            return []
        handle = open(path, "rb")  # noqa: SIM115 - the server closes it (file_wrapper)
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(handle, 64 * 1024) if wrapper else _chunks(handle)


def _chunks(handle: Any) -> Iterable[bytes]:
    with handle:
        while block := handle.read(64 * 1024):
            yield block


STATIC_HEADERS = (
    ("Content-Type", "audio/mpeg"),
    ("Accept-Ranges", "bytes"),
    ("Cache-Control", f"public, max-age={IMMUTABLE}, immutable"),
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag"),
)
