"""The embed script as the app serves it: minified and compressed once, in Python.

``embed.js`` and ``embed-more.js`` (in ``listen/web/static/``) are the sources. What
readers get is three scripts: a tiny entry point at ``/embed.js``, cached a few minutes,
that adds the player itself from ``/embed.<version>.js``; and what the player needs only
once the reader presses play or opens the transcript (reading along, transcript and
chapters, sticky mini-player, lock screen, listening reports, next article), fetched by
the player then from ``/embed-more.<version>.js``. A versioned address changes with every
change of its script (the player's with every change of either, as it names the other's)
and so is cached for a year as ``immutable``. All are kept in memory, minified (rjsmin)
and compressed with brotli and gzip, so a reader's browser downloads each once per
version, compressed, and revalidates nothing on later page views but the small entry point
every few minutes. No node and no build step: the app makes them from the sources at its
first request.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import brotli
import rjsmin

STATIC = Path(__file__).resolve().parent / "static"
SOURCE = STATIC / "embed.js"
MORE_SOURCE = STATIC / "embed-more.js"
MORE_MARK = "__LISTEN_MORE__"
"""Where the player's source names the version of embed-more.js."""

ENCODINGS = ("br", "gzip")
"""Content codings offered, in order of preference (brotli is the smaller)."""

ENTRY_MAX_AGE = 300
"""Seconds the entry point is cached: how long after a deploy a page may get the old player."""

VERSIONED_MAX_AGE = 31_536_000
"""A year: the versioned script never changes under its address."""

ENTRY = (
    "(function(){var w=window,d=document;if(w.ListenEmbed){w.ListenEmbed.scan();return}"
    'if(d.querySelector("script[data-listen-main]"))return;'
    'var c=d.currentScript,s=d.createElement("script");'
    's.src=new URL("embed.%s.js",c&&c.src||location.href).href;s.async=true;'
    's.setAttribute("data-listen-main","");(d.head||d.documentElement).appendChild(s)})();\n'
)
"""The entry point: adds the versioned player once per page (a second snippet only rescans)."""


@dataclass(frozen=True)
class Encoded:
    """One script in every coding it is served in (``identity`` included)."""

    bodies: dict[str, bytes]

    def pick(self, accepted: dict[str, float]) -> tuple[str, bytes]:
        """The coding and body for a client that accepts ``accepted`` (coding: quality)."""
        for coding in ENCODINGS:
            if accepted.get(coding, 0) > 0:
                return coding, self.bodies[coding]
        return "identity", self.bodies["identity"]


def encoded(body: bytes) -> Encoded:
    """``body`` as itself, brotli and gzip (best; gzip without a timestamp: the same bytes)."""
    return Encoded(
        {
            "identity": body,
            "br": brotli.compress(body, mode=brotli.MODE_TEXT, quality=11),
            "gzip": gzip.compress(body, compresslevel=9, mtime=0),
        }
    )


@dataclass(frozen=True)
class EmbedScripts:
    """The player (by version), its entry point, and the rest of it (by version)."""

    version: str
    player: Encoded
    entry: Encoded
    more_version: str
    more: Encoded


def minify(source: str) -> str:
    """The script without comments and needless white space (names are kept)."""
    return str(rjsmin.jsmin(source, keep_bang_comments=False)) + "\n"


def version_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


@functools.cache
def embed_scripts() -> EmbedScripts:
    """Made once per process from :data:`SOURCE` and :data:`MORE_SOURCE`."""
    more = minify(MORE_SOURCE.read_text("utf-8")).encode("utf-8")
    more_version = version_of(more)
    source = SOURCE.read_text("utf-8")
    if source.count(MORE_MARK) != 1:
        raise RuntimeError(f"{SOURCE.name} must name {MORE_MARK} once: where embed-more.js is")
    player = minify(source.replace(MORE_MARK, more_version)).encode("utf-8")
    version = version_of(player)
    entry = encoded((ENTRY % version).encode("utf-8"))
    return EmbedScripts(version, encoded(player), entry, more_version, encoded(more))
