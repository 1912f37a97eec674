"""Feed: cached articles -> an RSS 2.0 podcast feed with iTunes tags.

One item per article whose audio is ready (its newest version), newest first, with
an ``<enclosure>`` giving the MP3's URL, length in bytes and type, so podcast apps
can subscribe to a publisher's articles read aloud.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any

from listen.cache import Entry

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("atom", ATOM)


def latest_per_article(entries: Iterable[Entry], language: str | None = None) -> list[Entry]:
    """The newest entry of each article (edits leave older versions), newest first."""
    newest: dict[str, Entry] = {}
    for entry in entries:
        article_id = entry.meta.get("id")
        if not article_id or (language and entry.meta.get("language") != language):
            continue
        known = newest.get(article_id)
        if known is None or entry.meta.get("created", 0) > known.meta.get("created", 0):
            newest[article_id] = entry
    return sorted(newest.values(), key=lambda e: e.meta.get("created", 0), reverse=True)


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _sub(parent: ET.Element, tag: str, content: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if content is not None:
        element.text = content
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
        meta: dict[str, Any] = entry.meta
        article_id = str(meta["id"])
        item = _sub(channel, "item")
        _sub(item, "title", str(meta.get("title") or article_id))
        _sub(item, "link", page_url(article_id))
        _sub(item, "guid", entry.key, isPermaLink="false")
        _sub(item, "pubDate", formatdate(float(meta.get("created", 0)), usegmt=True))
        _sub(item, "enclosure", url=audio_url(entry.key), length=str(meta.get("bytes", 0)),
             type="audio/mpeg")  # fmt: skip
        _sub(item, f"{{{ITUNES}}}duration", _duration(float(meta.get("duration_s") or 0)))
        _sub(item, f"{{{ITUNES}}}explicit", "false")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
