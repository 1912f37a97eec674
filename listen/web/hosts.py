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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted

from listen.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
"""Probed by orchestrators by address, whatever the Host: no URL is built there."""
HOST_PATTERN = re.compile(r"\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\]")
DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class PublicAddress:
    """What the service is reachable as: ``scheme`` and ``netloc`` (host[:port])."""

    scheme: str
    netloc: str
    hostname: str
    port: str


def parse_public_url(value: str) -> PublicAddress | None:
    """``LISTEN_PUBLIC_URL`` -> its scheme and host; None when empty.

    Raises:
        ConfigError: not an http(s) origin (no host, a path, a query, a user name).
    """
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = -1
    checks = (
        (parts.scheme not in DEFAULT_PORTS, "use http:// or https://"),
        (not parts.hostname, "it names no host"),
        (port == -1, "the port is not a number from 1 to 65535"),
        (parts.username is not None, "no user name or password"),
        (parts.path not in ("", "/"), "no path: the player finds the API at the origin"),
        (bool(parts.query or parts.fragment), "no query or fragment"),
    )
    for failed, problem in checks:
        if failed:
            raise ConfigError(
                f"LISTEN_PUBLIC_URL={value!r}: {problem} (https://host[:port], e.g. "
                "https://listen.example.com)"
            )
    return PublicAddress(
        scheme=parts.scheme,
        netloc=parts.netloc.lower(),
        hostname=parts.hostname or "",
        port=str(port or DEFAULT_PORTS[parts.scheme]),
    )


def parse_trusted_hosts(value: str) -> list[str]:
    """``LISTEN_TRUSTED_HOSTS`` -> host names (a leading dot matches every subdomain).

    Raises:
        ConfigError: an entry is not a host name.
    """
    hosts = [h.strip().lower() for h in (value or "").split(",") if h.strip()]
    for host in hosts:
        if not HOST_PATTERN.fullmatch(host):
            raise ConfigError(
                f"LISTEN_TRUSTED_HOSTS: {host[:80]!r} is not a host name; give names like "
                "listen.example.com or .example.com, comma-separated, without ports"
            )
    return hosts


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
    """The public address and trusted hosts of the (loaded) settings, validated."""
    return parse_public_url(config["PUBLIC_URL"]), parse_trusted_hosts(config["TRUSTED_HOSTS"])
