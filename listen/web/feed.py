"""Feed: cached articles -> an RSS 2.0 podcast feed with iTunes tags.

One item per article whose audio is ready (its newest version), newest published
first, with an ``<enclosure>`` giving the MP3's URL, length in bytes and type, so
podcast apps can subscribe to a publisher's articles read aloud.

What keeps an app from showing an edit as a new episode: an item's ``<guid>`` is the
article's ID (``isPermaLink="false"``), not its audio's key, and its ``pubDate`` is when
the article was published (from its source), not when its audio was built. The channel
carries what the podcast directories require: ``<language>``, artwork
(``itunes:image`` and ``<image>``), an owner (``itunes:owner``), a category and
``itunes:explicit``.

An article with subheadings has its chapters in its item twice, as podcast apps read
them: the Podcasting 2.0 ``<podcast:chapters>`` (a link to its JSON chapters,
:func:`json_chapters`) and Podlove Simple Chapters (``<psc:chapters>``, inline), both
from the entry's metadata, the very times of its MP3's ``CHAP`` frames.

Every text in the feed passes through :func:`xml_text` first: one control
character in one title would otherwise make the whole document not well-formed
XML, and every podcast app would stop reading it.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from listen.audio import chapters
from listen.audio.mp3 import Chapter
from listen.storage.cache import Entry

log = logging.getLogger(__name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST = "https://podcastindex.org/namespace/1.0"
PSC = "http://podlove.org/simple-chapters"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("atom", ATOM)
ET.register_namespace("podcast", PODCAST)
ET.register_namespace("psc", PSC)
JSON_CHAPTERS = "application/json+chapters"
"""The media type of Podcasting 2.0's JSON chapters (its ``<podcast:chapters type>``)."""
# What XML 1.0 allows (its "Char" production): tab, newline, carriage return, and
# everything from space up except the surrogates (lone ones, in a Python str) and
# U+FFFE/U+FFFF. The rest cannot be written even as a character reference.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (C0 controls, lone surrogates...)."""
    return NOT_XML.sub("", value)


SUMMARY_CHARS = 600
"""An item's description at most: a standfirst, or the start of the first paragraph."""


@dataclass(frozen=True)
class Channel:
    """What the feed says about the publisher (``LISTEN_FEED_*``) and where it is."""

    title: str
    link: str
    self_url: str
    description: str
    language: str
    image: str = ""
    """Absolute URL of the artwork (JPEG or PNG, square, 1400-3000 px); empty: none."""
    owner_email: str = ""


def latest_per_article(entries: Iterable[Entry], language: str | None = None) -> list[Entry]:
    """The newest entry of each article (edits leave older versions), newest published
    first."""
    newest: dict[str, Entry] = {}
    for entry in entries:
        article_id = entry.meta.get("id")
        if not article_id or (language and entry.meta.get("language") != language):
            continue
        known = newest.get(article_id)
        if known is None or _created(entry) > _created(known):
            newest[article_id] = entry
    return sorted(newest.values(), key=published, reverse=True)


def _created(entry: Entry) -> float:
    return float(entry.meta.get("created") or 0)


def published(entry: Entry) -> float:
    """When the entry's article was published; when its audio was built if the source
    could not tell (or the audio is older than the field)."""
    found = entry.meta.get("published")
    return float(found) if found is not None else _created(entry)


def title(entry: Entry) -> str:
    """What an entry's article is called in a listing (its ID when it has no title)."""
    return str(entry.meta.get("title") or entry.meta["id"])


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return f"{cut}…"


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _npt(ms: int) -> str:
    """A time as Podlove Simple Chapters give it (RFC 2326 normal play time)."""
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def json_chapters(marks: Iterable[Chapter]) -> dict[str, Any]:
    """The Podcasting 2.0 JSON chapters document of an article's chapters (seconds)."""
    return {
        "version": "1.2.0",
        "chapters": [
            {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
            for c in marks
        ],
    }


def _sub(parent: ET.Element, tag: str, content: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: xml_text(v) for name, v in attrib.items()})
    if content is not None:
        element.text = xml_text(content)
    return element


def rss(
    entries: list[Entry],
    about: Channel,
    *,
    audio_url: Callable[[str], str],  # an entry's key -> its audio's URL
    page_url: Callable[[str], str],
    chapters_url: Callable[[str], str],  # an article's ID -> its chapters.json's URL
) -> bytes:
    """The feed document: a channel describing the publisher, an item per entry."""
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", about.title)
    _sub(channel, "link", about.link)
    _sub(channel, "description", about.description)
    _sub(channel, f"{{{ATOM}}}link", href=about.self_url, rel="self", type="application/rss+xml")
    _sub(channel, "language", about.language)
    if entries:
        _sub(channel, "lastBuildDate", formatdate(max(map(_created, entries)), usegmt=True))
    if about.image:
        image = _sub(channel, "image")
        _sub(image, "url", about.image)
        _sub(image, "title", about.title)
        _sub(image, "link", about.link)
        _sub(channel, f"{{{ITUNES}}}image", href=about.image)
    _sub(channel, f"{{{ITUNES}}}author", about.title)
    if about.owner_email:
        owner = _sub(channel, f"{{{ITUNES}}}owner")
        _sub(owner, f"{{{ITUNES}}}name", about.title)
        _sub(owner, f"{{{ITUNES}}}email", about.owner_email)
    _sub(channel, f"{{{ITUNES}}}summary", about.description)
    _sub(channel, f"{{{ITUNES}}}explicit", "false")
    _sub(channel, f"{{{ITUNES}}}type", "episodic")
    _sub(channel, f"{{{ITUNES}}}category", None, text="News")
    for entry in entries:
        try:
            _item(channel, entry, audio_url, page_url, chapters_url)
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
    chapters_url: Callable[[str], str],
) -> None:
    """One ``<item>``: built whole before it is added, so a failure leaves nothing behind."""
    meta: dict[str, Any] = entry.meta
    article_id = str(meta["id"])
    item = ET.Element("item")
    _sub(item, "title", title(entry))
    _sub(item, "link", page_url(article_id))
    # The article, not this version of its audio: an edit is the same episode.
    _sub(item, "guid", article_id, isPermaLink="false")
    _sub(item, "pubDate", formatdate(published(entry), usegmt=True))
    text = summary(str(meta.get("summary") or ""))
    if text:
        _sub(item, "description", text)
        _sub(item, f"{{{ITUNES}}}summary", text)
    length = str(int(meta["bytes"]))
    _sub(item, "enclosure", url=audio_url(entry.key), length=length, type="audio/mpeg")
    _sub(item, f"{{{ITUNES}}}duration", _duration(float(meta.get("duration_s") or 0)))
    _sub(item, f"{{{ITUNES}}}explicit", "false")
    marks = chapters.from_meta(meta)
    if marks:
        _sub(item, f"{{{PODCAST}}}chapters", url=chapters_url(article_id), type=JSON_CHAPTERS)
        simple = _sub(item, f"{{{PSC}}}chapters", version="1.2")
        for mark in marks:
            _sub(simple, f"{{{PSC}}}chapter", start=_npt(mark.start_ms), title=mark.title)
    channel.append(item)
