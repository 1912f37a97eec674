"""Shapes of cache entries: what an entry's metadata must hold to be used.

A cache entry is read back by code that indexes its metadata (``meta["timings"]``,
``float(meta["duration_s"])``) and serves its MP3 under an immutable ETag, so an
entry is checked when it is read: the metadata's keys and types (an article's
and a paragraph segment's, as :mod:`listen.audio.build` writes them), the audio file's
size against the metadata's byte count, and the frame sync where the MP3's
frames begin. An entry that fails is a cache miss (see :meth:`AudioCache.get`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Check = Callable[[Any], bool]


def text(value: Any) -> bool:
    return isinstance(value, str)


def count(value: Any) -> bool:
    """A whole number >= 0 (JSON's ``true`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def seconds(value: Any) -> bool:
    """A finite number >= 0 (a NaN or an infinity would break every use of it)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def list_of(check: Check) -> Check:
    def checked(value: Any) -> bool:
        return isinstance(value, list) and all(check(item) for item in value)

    return checked


def span(value: Any) -> bool:
    """A sentence's ``[start, end]`` in seconds."""
    return isinstance(value, list) and len(value) == 2 and all(seconds(v) for v in value)


def mapping(value: Any) -> bool:
    return isinstance(value, dict)


@dataclass(frozen=True)
class Shape:
    """What an entry's metadata holds: required and optional keys with their checks."""

    name: str
    required: Mapping[str, Check]
    optional: Mapping[str, Check] = field(default_factory=dict)
    framed: bool = False
    """The audio is MP3 frames (after an ID3 tag, if any): its frame sync is checked."""
    empty: bool = True
    """An audio file of no bytes is allowed (a segment may be silence of no frames)."""

    def problem(self, meta: Any) -> str | None:
        """Why ``meta`` does not have this shape (a short phrase for the log), or None."""
        if not isinstance(meta, dict):
            return f"metadata is a JSON {type(meta).__name__}, not an object"
        for name, check in self.required.items():
            if name not in meta:
                return f"metadata has no {name!r}"
            if not check(meta[name]):
                return f"metadata's {name!r} is malformed"
        for name, check in self.optional.items():
            if name in meta and meta[name] is not None and not check(meta[name]):
                return f"metadata's {name!r} is malformed"
        return None


def timing(value: Any) -> bool:
    """One spoken piece's place in the article's audio (see listen.audio.build)."""
    return TIMING.problem(value) is None


TIMING = Shape(
    "timing",
    required={"start": seconds, "end": seconds},
    optional={"kind": text, "language": text, "sentences": list_of(span)},
)


def chapter(value: Any) -> bool:
    """One chapter of an article's audio (see listen.audio.chapters)."""
    return CHAPTER.problem(value) is None


CHAPTER = Shape("chapter", required={"start": seconds, "end": seconds, "title": text})

ANY = Shape("entry", required={"key": text, "bytes": count})
"""Any entry :meth:`AudioCache.put` stored: its key and byte count."""

SEGMENT = Shape(
    "segment",
    required={"key": text, "bytes": count, "samples": count, "engine": text, "voice": text},
    optional={"sentences": list_of(span), "chars": count},
    framed=True,
)
"""A paragraph's encoded audio: MP3 frames, no tag (listen.audio.build ``_segment``)."""

ARTICLE = Shape(
    "article",
    required={
        "key": text,
        "bytes": count,
        "id": text,
        "duration_s": seconds,
        "timings": list_of(timing),
        "engine": text,
    },
    optional={
        "chapters": list_of(chapter),  # older entries have none
        "title": text,
        "language": text,
        "voice": text,
        "voices": mapping,
        "created": seconds,
        "segments": list_of(text),  # older entries have none: every segment is kept
        "chars": count,
        "summary": text,
        "published": seconds,
    },
    framed=True,
    empty=False,
)
"""A finished article: an ID3 tag, then frames (listen.audio.build ``_write``)."""
