"""Cache bounds: least-recently-played eviction, and the cache's hit rate.

With ``LISTEN_CACHE_MAX_BYTES`` set, :func:`evict` keeps articles plus paragraph
segments under that many bytes. Articles go least recently played first (a play
touches the entry's metadata, see :meth:`listen.storage.cache.AudioCache.touch`); a
segment goes once no remaining article is made of it (each article lists its
segments in its metadata). Articles cached before that list existed make every
segment count as used. An article whose lock is held (being built) is never
removed. It runs after every build this process commits, and as ``listen cache evict``.

:class:`HitCounter` counts audio requests served from the cache and built, in
memory, and adds them to ``<cache>/stats.json`` at most every few seconds and at exit.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from listen.storage.cache import AudioCache, Entry, _write_atomic

log = logging.getLogger(__name__)

FLUSH_EVERY = 10.0
"""Seconds between writes of a process's hit counts to ``stats.json``."""


@contextmanager
def _flocked(root: Path, name: str) -> Iterator[None]:
    """Hold ``<root>/.locks/<name>.lock`` (exclusive, across processes)."""
    path = root / ".locks" / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _size(entry: Entry) -> int:
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
    with _flocked(cache.root, "evict"):
        articles = list(cache.entries())
        segments = {e.key: e for e in segments_cache.entries()}
        total = sum(map(_size, articles)) + sum(map(_size, segments.values()))
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
                freed += _size(entry)
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
        freed += _size(entry)
        report["articles"].append(
            {"key": entry.key, "id": entry.meta.get("id"), "bytes": _size(entry)}
        )
        if refs is not None:
            unused = []
            for key in set(entry.meta["segments"]):
                refs[key] -= 1
                if refs[key] <= 0:
                    unused.append(key)
            drop_segments(unused)
    return freed


class HitCounter:
    """Audio requests served from the cache (hits) and built (misses) by this process,
    added to ``<cache>/stats.json`` every :data:`FLUSH_EVERY` seconds and at exit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._counts = {"hits": 0, "misses": 0}
        self._lock = threading.Lock()
        self._flushed = 0.0
        self._registered = False

    def record(self, hit: bool) -> None:
        with self._lock:
            self._counts["hits" if hit else "misses"] += 1
            if not self._registered:
                self._registered = True
                atexit.register(self.flush)
            due = time.monotonic() - self._flushed >= FLUSH_EVERY
        if due:
            self.flush()

    def flush(self) -> None:
        """Add the counts so far to ``stats.json`` (read-modify-write under a file lock)."""
        with self._lock:
            counts, self._counts = self._counts, {"hits": 0, "misses": 0}
            self._flushed = time.monotonic()
        if not any(counts.values()):
            return
        try:
            with _flocked(self.root, "stats"):
                saved = read_counts(self.root)
                data = {name: saved[name] + counts[name] for name in counts}
                _write_atomic(self.root / "stats.json", json.dumps(data).encode("utf-8"))
        except OSError as exc:  # e.g. the cache folder is gone (at exit)
            log.warning("could not save cache hit counts: %r", exc)


def read_counts(root: Path) -> dict[str, int]:
    """The hits and misses saved in ``<root>/stats.json`` (zeros if none)."""
    try:
        data = json.loads((root / "stats.json").read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        data = {}
    return {name: int(data.get(name) or 0) for name in ("hits", "misses")}


def stats(cache: AudioCache, segments_cache: AudioCache, limit: int) -> dict[str, Any]:
    """Entries, bytes (articles, segments, total), duration and hit rate of the cache."""
    base = cache.stats()
    segments = list(segments_cache.entries())
    segment_bytes = sum(map(_size, segments))
    counts = read_counts(cache.root)
    served = counts["hits"] + counts["misses"]
    return {
        "path": base["path"],
        "entries": base["entries"],
        "segments": len(segments),
        "article_bytes": base["bytes"],
        "segment_bytes": segment_bytes,
        "bytes": base["bytes"] + segment_bytes,
        "max_bytes": limit,
        "duration_s": base["duration_s"],
        **counts,
        "hit_rate": round(counts["hits"] / served, 4) if served else None,
    }
