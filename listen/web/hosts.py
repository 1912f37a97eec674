"""Public address: absolute URLs from ``LISTEN_PUBLIC_URL``, and only trusted Host headers.

The Host header is whatever the client sends. Absolute URLs built from it (feed
enclosures, oEmbed, the API's ``audio_url``) are cached by proxies and CDNs for minutes,
so one forged request would hand its host to every later reader. With
``LISTEN_PUBLIC_URL`` set, this WSGI layer replaces the request's scheme and host by the
public ones before anything builds a URL; with ``LISTEN_TRUSTED_HOSTS`` set, a request
for another host is a 400. Neither set: the Host header is used (local use).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

from listen.settings import DEFAULT_PORTS, load

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Probed by orchestrators by address, whatever the Host: no URL is built there."""


@dataclass(frozen=True)
class PublicAddress:
    """What the service is reachable as: ``scheme`` and ``netloc`` (host[:port])."""

    scheme: str
    netloc: str
    hostname: str
    port: str


def parse_public_url(value: str) -> PublicAddress | None:
    """``LISTEN_PUBLIC_URL`` (checked by :func:`listen.settings.origin` when the settings
    were loaded) -> its scheme and host; None when empty."""
    value = value.strip()
    if not value:
        return None
    parts = urlsplit(value)
    port = parts.port
    return PublicAddress(
        scheme=parts.scheme,
        netloc=parts.netloc.lower(),
        hostname=parts.hostname or "",
        port=str(port or DEFAULT_PORTS[parts.scheme]),
    )


def parse_trusted_hosts(value: str) -> list[str]:
    """``LISTEN_TRUSTED_HOSTS`` (checked by :func:`listen.settings.host_names`) -> host
    names (a leading dot matches every subdomain)."""
    return [h.strip().lower() for h in value.split(",") if h.strip()]


class HostGuard:
    """WSGI layer: refuses untrusted Host headers, and puts the public address in place."""

    def __init__(
        self, app: WSGIApplication, public: PublicAddress | None, trusted: Iterable[str]
    ) -> None:
        self.app = app
        self.public = public
        self.trusted = list(trusted)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.trusted and environ.get("PATH_INFO") not in OPS_PATHS:
            host = environ.get("HTTP_HOST") or ""
            if not host_is_trusted(host, self.trusted):
                return _untrusted(start_response)
        if self.public is not None:
            environ["wsgi.url_scheme"] = self.public.scheme
            environ["HTTP_HOST"] = self.public.netloc
            environ["SERVER_NAME"] = self.public.hostname
            environ["SERVER_PORT"] = self.public.port
        return self.app(environ, start_response)


def _untrusted(start_response: StartResponse) -> list[bytes]:
    message = (
        "this service does not answer to that Host header. Probable cause: a forged Host, "
        "or a front proxy that does not pass the public host on (LISTEN_TRUSTED_HOSTS lists "
        "the accepted names)"
    )
    body = json.dumps({"error": "untrusted_host", "message": message}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("400 Bad Request", headers)
    return [body]


def from_config(config: Mapping[str, Any]) -> tuple[PublicAddress | None, list[str]]:
    """The public address and trusted hosts of the settings (validated as they load)."""
    settings = load(config)
    return parse_public_url(settings.PUBLIC_URL), parse_trusted_hosts(settings.TRUSTED_HOSTS)
