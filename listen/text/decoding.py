"""Decoding: page and file bytes -> text, whatever charset the page declares.

A byte order mark wins, then UTF-8, then the declared charset when it reads ASCII as
ASCII, then cp1252. Every source decodes through :func:`decode`.
"""

from __future__ import annotations

import codecs
import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

# A bounded attribute run: an unbounded one rescans from every "<meta" of the head.
_META_CHARSET = re.compile(rb"""<meta\b[^<>]{0,500}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
# UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ASCII = bytes(range(128))


@lru_cache(maxsize=64)
def ascii_compatible(charset: str) -> bool:
    """True for a known charset that reads ASCII bytes as ASCII.

    A declared charset is only believed when it is: UTF-7 turns ``+ADw-script+AD4-``
    into ``<script>``, and UTF-16 or UTF-32 without a byte order mark is no web page.
    """
    try:
        return _ASCII.decode(charset) == _ASCII.decode("ascii")
    except (LookupError, UnicodeDecodeError, ValueError):
        return False


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes: BOM, then UTF-8, then the declared charset, then cp1252.

    UTF-8 goes before the declared charset because pages often declare a legacy
    charset while serving UTF-8, and text in a legacy charset almost never
    happens to be valid UTF-8. ``declared`` is the charset the server sent (an
    HTTP Content-Type); without it, a ``<meta charset>`` in the first 4 KB counts.
    A declared charset that does not read ASCII as ASCII (UTF-7, UTF-16 without a
    byte order mark) is ignored.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if not declared:
        found = _META_CHARSET.search(data[:4096])
        declared = found.group(1).decode("ascii", "ignore") if found else None
    tried = ["utf-8"]
    if declared and ascii_compatible(declared):
        tried.append(declared)
    elif declared:
        log.warning("ignoring charset %.40r: it does not read ASCII as ASCII", declared)
    for codec in tried:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")
