"""The embed script as the app serves it: minified and compressed once, in Python.

``embed.js`` (``listen/web/static/embed.js``) is the source. What readers get is two
scripts: a tiny entry point at ``/embed.js``, cached a few minutes, that adds the player
itself from ``/embed.<version>.js``, whose address changes with every change of the script
and so is cached for a year as ``immutable``. Both are kept in memory, minified (rjsmin)
and compressed with brotli and gzip, so a reader's browser downloads the player once per
version, compressed, and revalidates nothing on later page views but the small entry point
every few minutes. No node and no build step: the app makes them from the source at its
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

SOURCE = Path(__file__).resolve().parent / "static" / "embed.js"

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
    """The player (by version) and its entry point."""

    version: str
    player: Encoded
    entry: Encoded


def minify(source: str) -> str:
    """The script without comments and needless white space (names are kept)."""
    return str(rjsmin.jsmin(source, keep_bang_comments=False)) + "\n"


@functools.cache
def embed_scripts() -> EmbedScripts:
    """Made once per process from :data:`SOURCE`."""
    player = minify(SOURCE.read_text("utf-8")).encode("utf-8")
    version = hashlib.sha256(player).hexdigest()[:12]
    return EmbedScripts(version, encoded(player), encoded((ENTRY % version).encode("utf-8")))
