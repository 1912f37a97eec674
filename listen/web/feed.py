"""Feed: cached articles -> an RSS 2.0 podcast feed with iTunes tags.

One item per article whose audio is ready (its newest version), newest first, with
an ``<enclosure>`` giving the MP3's URL, length in bytes and type, so podcast apps
can subscribe to a publisher's articles read aloud.

Every text in the feed passes through :func:`xml_text` first: one control
character in one title would otherwise make the whole document not well-formed
XML, and every podcast app would stop reading it.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any

from listen.storage.cache import Entry

log = logging.getLogger(__name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("atom", ATOM)
# What XML 1.0 allows (its "Char" production): tab, newline, carriage return, and
# everything from space up except the surrogates (lone ones, in a Python str) and
# U+FFFE/U+FFFF. The rest cannot be written even as a character reference.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (C0 controls, lone surrogates...)."""
    return NOT_XML.sub("", value)


def latest_per_article(entries: Iterable[Entry], language: str | None = None) -> list[Entry]:
    """The newest entry of each article (edits leave older versions), newest first."""
    newest: dict[str, Entry] = {}
    for entry in entries:
        article_id = entry.meta.get("id")
        if not article_id or (language and entry.meta.get("language") != language):
            continue
        known = newest.get(article_id)
        if known is None or _created(entry) > _created(known):
            newest[article_id] = entry
    return sorted(newest.values(), key=_created, reverse=True)


def _created(entry: Entry) -> float:
    return float(entry.meta.get("created") or 0)


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _sub(parent: ET.Element, tag: str, content: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: xml_text(v) for name, v in attrib.items()})
    if content is not None:
        element.text = xml_text(content)
    return element


def rss(
    entries: list[Entry],
    *,
    title: str,
    link: str,
    self_url: str,
    description: str,
    language: str | None,
    audio_url: Callable[[str], str],  # an entry's key -> its audio's URL
    page_url: Callable[[str], str],
) -> bytes:
    """The feed document: a channel describing the publisher, an item per entry."""
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", link)
    _sub(channel, "description", description)
    _sub(channel, f"{{{ATOM}}}link", href=self_url, rel="self", type="application/rss+xml")
    if language:
        _sub(channel, "language", language)
    _sub(channel, f"{{{ITUNES}}}author", title)
    _sub(channel, f"{{{ITUNES}}}summary", description)
    _sub(channel, f"{{{ITUNES}}}explicit", "false")
    _sub(channel, f"{{{ITUNES}}}category", None, text="News")
    for entry in entries:
        try:
            _item(channel, entry, audio_url, page_url)
        except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
            # The cache checks entries' shape; one that still cannot be written is left
            # out rather than costing every subscriber the whole feed.
            log.warning("feed: entry %s left out: %r", entry.key, exc)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)  # bytes: not "unicode"
    return xml


def _item(
    channel: ET.Element,
    entry: Entry,
    audio_url: Callable[[str], str],
    page_url: Callable[[str], str],
) -> None:
    """One ``<item>``: built whole before it is added, so a failure leaves nothing behind."""
    meta: dict[str, Any] = entry.meta
    article_id = str(meta["id"])
    item = ET.Element("item")
    _sub(item, "title", str(meta.get("title") or article_id))
    _sub(item, "link", page_url(article_id))
    _sub(item, "guid", entry.key, isPermaLink="false")
    _sub(item, "pubDate", formatdate(_created(entry), usegmt=True))
    length = str(int(meta["bytes"]))
    _sub(item, "enclosure", url=audio_url(entry.key), length=length, type="audio/mpeg")
    _sub(item, f"{{{ITUNES}}}duration", _duration(float(meta.get("duration_s") or 0)))
    _sub(item, f"{{{ITUNES}}}explicit", "false")
    channel.append(item)
