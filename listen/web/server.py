"""The gunicorn worker of ``listen serve`` and the Docker image: gunicorn's own errors in JSON.

gunicorn refuses some requests before the app sees them (a request line over
``limit_request_line``, too many or too large headers, a request that is not HTTP) and
answers them with an HTML page. :class:`JSONWorker` answers them as the app answers
everything else: ``{"error", "message"}`` with the right status. :mod:`.gunicorn_conf`
sets it (``--worker-class listen.web.server.JSONWorker`` on gunicorn's command line).
"""

from __future__ import annotations

import json
import socket
from datetime import datetime
from http import HTTPStatus
from typing import Any

from gunicorn.http import errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker

INTERNAL = (500, "internal_error", "internal error; the server log has details")
CLIENT_ERRORS: tuple[tuple[type[Exception], tuple[int, str, str]], ...] = (
    # The first match wins: subclasses before their bases. A bad header the *app* sent
    # is the app's fault, not the client's.
    # types-gunicorn (26.2) lacks these two of gunicorn 27; the ignores go when it has them.
    (errors.InvalidResponseHeader, INTERNAL),  # type: ignore[attr-defined, unused-ignore]
    (errors.InvalidResponseHeaderName, INTERNAL),  # type: ignore[attr-defined, unused-ignore]
    (errors.ConfigurationProblem, INTERNAL),
    (errors.LimitRequestLine, (414, "uri_too_long", "the request line is too long")),
    (errors.LimitRequestHeaders, (431, "header_too_large", "too many headers, or one too long")),
    (errors.ExpectationFailed, (417, "expectation_failed", "only 100-continue is understood")),
    (errors.UnsupportedTransferCoding, (501, "not_implemented", "send Content-Length or chunked")),
    (errors.ForbiddenProxyRequest, (403, "forbidden", "no PROXY protocol from this address")),
    (errors.ParseException, (400, "bad_request", "the request is not valid HTTP/1.x")),
)
"""How each of gunicorn's parse errors is answered; anything else is a 500."""
DETAIL_CHARS = 120
"""The part of gunicorn's description (it quotes the request) kept in the message."""


def describe(exc: BaseException) -> tuple[int, bytes]:
    """The status that answers ``exc``, and the JSON body of the answer."""
    status, code, message = next(
        (r for kind, r in CLIENT_ERRORS if isinstance(exc, kind)), INTERNAL
    )
    detail = str(exc)[:DETAIL_CHARS]
    if status < 500 and detail:
        message = f"{message} ({detail})"
    return status, json.dumps({"error": code, "message": message}).encode("utf-8")


def write_json_error(sock: socket.socket, status: int, payload: bytes) -> None:
    """A complete HTTP/1.1 answer with a JSON body; the connection closes after it."""
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    sock.setblocking(True)
    sock.sendall(head.encode("latin-1") + payload)


ANSWERED = "listen_answered"
"""Set on a gunicorn request once the app's answer to it was sent in full."""


class JSONWorker(ThreadWorker):
    """gunicorn's threaded worker (``gthread``), its errors in JSON."""

    def handle_request(self, req: Any, conn: Any) -> Any:
        keepalive = super().handle_request(req, conn)
        setattr(req, ANSWERED, True)
        return keepalive

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        started = datetime.now()
        addr = addr or ("", -1)  # a unix socket has no address
        if getattr(req, ANSWERED, False):
            # The app answered; what failed is the drain of a body it did not read (a bad
            # chunk). A second answer would be read as the answer to the next request: the
            # connection just closes.
            self.log.warning("Invalid request body from ip=%s after the answer: %s", addr[0], exc)
            return
        status, payload = describe(exc)
        if status >= 500:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
        if req is None and isinstance(exc, (errors.InvalidHeader, errors.InvalidHeaderName)):
            req = getattr(exc, "req", None)  # whose header was refused, for the access log
        if req is not None:
            try:
                self._access(req, client, addr, status, len(payload), started)
            except Exception:  # noqa: BLE001 - a half-parsed request must still be answered
                self.log.exception("could not log the refused request")
        try:
            write_json_error(client, status, payload)
        except OSError:
            self.log.debug("Failed to send error message.")

    def _access(
        self, req: Any, client: Any, addr: Any, status: int, length: int, started: datetime
    ) -> None:
        # As gunicorn's own handle_error does: the refused request in the access log.
        environ = default_environ(req, client, self.cfg)
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = addr[0], str(addr[1])
        response = Response(req, client, self.cfg)
        response.status = f"{status} {HTTPStatus(status).phrase}"
        response.response_length = length
        self.log.access(response, req, environ, datetime.now() - started)
