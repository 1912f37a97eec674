"""Cache: atomic entries, single-flight across threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from listen.storage.cache import AudioCache

KEY = "ab" + "0" * 62


def test_put_get_delete(tmp_path):
    cache = AudioCache(tmp_path)
    assert cache.get(KEY) is None
    entry = cache.put(KEY, lambda p: p.write_bytes(b"mp3"), {"id": "x", "duration_s": 2.5})
    assert entry.path.read_bytes() == b"mp3"
    again = cache.get(KEY)
    assert again is not None and again.meta["id"] == "x" and again.meta["bytes"] == 3
    assert cache.stats()["entries"] == 1 and cache.stats()["duration_s"] == 2.5
    assert cache.delete(KEY) and cache.get(KEY) is None


def test_failed_write_leaves_nothing(tmp_path):
    cache = AudioCache(tmp_path)

    def broken(path: Path) -> None:
        path.write_bytes(b"half an mp3")
        raise OSError("disk full")

    with pytest.raises(OSError):
        cache.put(KEY, broken, {})
    assert cache.get(KEY) is None
    assert [p.name for p in (tmp_path / KEY[:2]).iterdir()] == []


def test_audio_without_metadata_is_not_an_entry(tmp_path):
    cache = AudioCache(tmp_path)
    (tmp_path / KEY[:2]).mkdir()
    (tmp_path / KEY[:2] / f"{KEY}.mp3").write_bytes(b"partial")
    assert cache.get(KEY) is None


def test_lock_is_single_flight_across_threads(tmp_path):
    cache = AudioCache(tmp_path)
    inside, most = [0], [0]
    guard = threading.Lock()

    def work():
        with cache.lock("article"):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.01)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    assert not cache.is_locked("article")


def _hold(root: str, started, release) -> None:
    with AudioCache(Path(root)).lock("shared"):
        started.set()
        release.wait(10)


def test_lock_is_seen_across_processes(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(tmp_path), started, release))
    proc.start()
    try:
        assert started.wait(20)
        cache = AudioCache(tmp_path)
        assert cache.is_locked("shared")
        release.set()
        proc.join(10)
        assert not cache.is_locked("shared")
        with cache.lock("shared"):
            pass
    finally:
        release.set()
        proc.join(10)


def test_an_entry_whose_audio_is_not_its_byte_count_is_a_miss(tmp_path):
    cache = AudioCache(tmp_path)
    entry = cache.put(KEY, lambda p: p.write_bytes(b"mp3"), {"id": "x"})
    entry.path.write_bytes(b"mp")  # truncated after it was stored
    assert cache.get(KEY) is None and list(cache.entries()) == []
    assert not entry.path.exists() and not entry.path.with_suffix(".json").exists()
