"""Chapters: an article's subheadings -> the chapters of its audio.

An article with subheadings has one chapter from the start of its audio (the title and
what follows it, up to the first subheading), then one per subheading, each from where
the subheading is spoken to where the next chapter starts (the last to the end of the
audio). An article without subheadings has none.

Which pieces open a chapter, and their titles, are known before any audio is
(:func:`planned`): the build reserves the room for them in the MP3's tag and, once the
audio is complete, writes the times in (:func:`timed`, as ID3 ``CHAP`` frames) and
into the entry's metadata, from which the API's ``chapters.json`` and the podcast feed
read them (:func:`from_meta`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from listen.audio.mp3 import MAX_CHAPTERS, Chapter
from listen.models import Article

TITLE_CHARS = 200
"""A chapter's title at most (a subheading is short; an odd page's may not be)."""


def short(title: str, limit: int = TITLE_CHARS) -> str:
    """``title`` on one line, cut at a word before ``limit`` characters (an ellipsis if cut)."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] or title[: limit - 1]
    return f"{cut}…"


def planned(article: Article) -> list[tuple[int, str]]:
    """(index of the piece it opens with, title) of each chapter of ``article``, in order.

    The first :data:`~listen.audio.mp3.MAX_CHAPTERS` only: past them, the last chapter
    runs on over the subheadings left.
    """
    kinds = article.kinds
    headings = [i for i, kind in enumerate(kinds) if kind == "heading"]
    if not headings:
        return []
    texts = article.pieces
    intro = [] if headings[0] == 0 else [(0, article.title or article.id)]
    chosen = intro + [(i, texts[i]) for i in headings]
    return [(i, short(title)) for i, title in chosen[:MAX_CHAPTERS]]


def placeholders(plan: Sequence[tuple[int, str]]) -> list[Chapter]:
    """The chapters of ``plan`` before their times are known (their frames' length is
    already that of the timed ones)."""
    return [Chapter(0, 0, title) for _, title in plan]


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def timed(
    plan: Sequence[tuple[int, str]], timings: Sequence[Mapping[str, Any]], duration_s: float
) -> list[Chapter]:
    """The chapters of ``plan`` placed in the audio: the first from 0, each other from
    the start of its piece, each to the next one's start (the last to ``duration_s``)."""
    if not plan:
        return []
    starts = [0 if n == 0 else _ms(timings[index]["start"]) for n, (index, _) in enumerate(plan)]
    ends = [*starts[1:], _ms(duration_s)]
    return [
        Chapter(start, max(start, end), title)
        for start, end, (_, title) in zip(starts, ends, plan, strict=True)
    ]


def to_meta(chapters: Sequence[Chapter]) -> list[dict[str, Any]]:
    """As the entry's metadata keeps them: seconds, to the millisecond of the CHAP frames."""
    return [
        {"start": c.start_ms / 1000, "end": c.end_ms / 1000, "title": c.title} for c in chapters
    ]


def from_meta(meta: Mapping[str, Any]) -> list[Chapter]:
    """The chapters an entry's metadata keeps (none for audio built before chapters)."""
    return [
        Chapter(_ms(c["start"]), _ms(c["end"]), str(c["title"])) for c in meta.get("chapters") or []
    ]
