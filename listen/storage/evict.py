"""Cache bounds: least-recently-played eviction, and the cache's hit rate.

With ``LISTEN_CACHE_MAX_BYTES`` set, :func:`evict` keeps articles plus paragraph
segments under that many bytes. Articles go least recently played first (a play
touches the entry's metadata, see :meth:`listen.storage.cache.AudioCache.touch`); a
segment goes once no remaining article is made of it (each article lists its
segments in its metadata). Articles cached before that list existed make every
segment count as used. An article whose lock is held (being built) is never
removed. It runs after every build this process commits, and as ``listen cache evict``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any

from listen.storage.cache import AudioCache, Entry
from listen.storage.files import flocked, lock_path

log = logging.getLogger(__name__)


def size(entry: Entry) -> int:
    """The bytes of an entry's audio, as its metadata says."""
    return int(entry.meta.get("bytes") or 0)


def references(articles: Iterable[Entry]) -> Counter[str] | None:
    """How many articles use each segment, or None when an article does not say."""
    refs: Counter[str] = Counter()
    for entry in articles:
        keys = entry.meta.get("segments")
        if not isinstance(keys, list):
            return None
        refs.update(set(keys))
    return refs


def evict(
    cache: AudioCache, segments_cache: AudioCache, limit: int, keep: Collection[str] = ()
) -> dict[str, Any]:
    """Remove least recently played articles of ``cache`` (and the segments of
    ``segments_cache`` only they used) until both fit in ``limit`` bytes
    (``LISTEN_CACHE_MAX_BYTES``; 0 is no limit); what was removed.

    Articles whose keys are in ``keep`` (the one a build just made) stay, whatever
    the limit: a build never undoes itself.
    """
    with flocked(lock_path(cache.root, "evict")):
        articles = list(cache.entries())
        segments = {e.key: e for e in segments_cache.entries()}
        total = sum(map(size, articles)) + sum(map(size, segments.values()))
        report: dict[str, Any] = {
            "max_bytes": limit,
            "bytes_before": total,
            "articles": [],
            "segments": 0,
            "kept_building": [],
            "kept_new": [],
        }
        if limit > 0 and total > limit:
            total -= _evict(
                cache, segments_cache, limit, total, articles, segments, report, set(keep)
            )
        report["bytes_after"] = total
    if report["articles"] or report["segments"]:
        log.info(
            "cache over %d bytes: evicted %d article(s), %d segment(s); %d bytes now",
            limit,
            len(report["articles"]),
            report["segments"],
            total,
        )
    return report


def _evict(
    cache: AudioCache,
    segments_cache: AudioCache,
    limit: int,
    total: int,
    articles: list[Entry],
    segments: dict[str, Entry],
    report: dict[str, Any],
    keep: set[str],
) -> int:
    """Delete until ``total`` fits in ``limit``, except ``keep``; the bytes freed."""
    refs = references(articles)
    freed = 0

    def drop_segments(keys: Iterable[str]) -> None:
        nonlocal freed
        for key in keys:
            entry = segments.pop(key, None)
            if entry is not None and segments_cache.delete(key):
                freed += size(entry)
                report["segments"] += 1

    if refs is not None:  # segments no article uses go first
        drop_segments([key for key in segments if not refs[key]])
    for entry in sorted(articles, key=cache.played_at):
        if total - freed <= limit:
            break
        if entry.key in keep:
            report["kept_new"].append(entry.key)
            continue
        if cache.is_locked(entry.key):
            report["kept_building"].append(entry.key)
            continue
        if not cache.delete(entry.key):
            continue
        freed += size(entry)
        report["articles"].append(
            {"key": entry.key, "id": entry.meta.get("id"), "bytes": size(entry)}
        )
        if refs is not None:
            unused = []
            for key in set(entry.meta["segments"]):
                refs[key] -= 1
                if refs[key] <= 0:
                    unused.append(key)
            drop_segments(unused)
    return freed
