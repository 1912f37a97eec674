"""Hit statistics: how many audio requests the cache served, and what it holds.

:class:`HitCounter` counts audio requests served from the cache (hits) and built
(misses), in memory, and adds them to ``<cache>/stats.json`` at most every
:data:`FLUSH_EVERY` seconds and at exit, under a file lock (every process adds its own).
:func:`stats` is what ``listen cache stats`` prints.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from listen.storage.cache import AudioCache
from listen.storage.evict import size
from listen.storage.files import flocked, lock_path, write_atomic

log = logging.getLogger(__name__)

FLUSH_EVERY = 10.0
"""Seconds between writes of a process's hit counts to ``stats.json``."""


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
            with flocked(lock_path(self.root, "stats")):
                saved = read_counts(self.root)
                data = {name: saved[name] + counts[name] for name in counts}
                write_atomic(self.root / "stats.json", json.dumps(data).encode("utf-8"))
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
    segment_bytes = sum(map(size, segments))
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
