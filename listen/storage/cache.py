"""Cache: finished article audio on disk, written atomically, built once.

Layout: ``<root>/<key[:2]>/<key>.mp3`` plus ``<key>.json`` (metadata). The JSON
is written last, so an entry exists only once its audio is complete; both files
are written to a temporary name and renamed (:mod:`.files`), so a crash never leaves
a partial file that is served. While an entry is built, its audio grows in
``<key>.part`` (``<key>.<holder>.part`` with cross-host locks), which listeners follow.
A build that failed leaves ``<key>.error`` (why, for every process) until the next try.
Every entry's metadata is checked against the cache's :class:`~.shapes.Shape` when it
is read, and a bad entry is removed. :meth:`AudioCache.lock` gives single-flight across
threads (a lock per name), across processes (``flock`` on a lock file) and, given a
``remote`` (:class:`listen.queue.locks.RedisLocks`), across hosts.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from listen.audio import mp3
from listen.errors import StorageFull
from listen.storage.files import (
    atomic_path,
    flocked,
    is_flocked,
    lock_path,
    write_atomic,
    write_bytes,
)
from listen.storage.shapes import ANY, Shape

log = logging.getLogger(__name__)

CHECKED_MAX = 4096
"""Audio files whose check this process remembers (a few hundred bytes each)."""
SETTLED_NS = 2_000_000_000
"""How old a file's mtime must be for its check to be remembered: file systems keep
time in ticks (ext4: a few ms, FAT: 2 s), and a file rewritten within the tick of its
check would keep its signature; one written later always gets a newer mtime."""

PROBE_BYTES = 64 * 1024
"""Bytes the readiness probe writes: some ten seconds of audio; with less free, a build
fails within its first paragraphs."""


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    meta: dict[str, Any]


class AudioCache:
    def __init__(self, root: Path, remote: Any = None, shape: Shape = ANY) -> None:
        # Absolute from the start: a relative root would be read against the working
        # directory here but against the app's package folder by Flask's send_file.
        self.root = Path(root).absolute()
        self.remote = remote
        """Locks that reach other hosts (:class:`listen.queue.locks.RedisLocks`), if configured."""
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._registry = threading.Lock()
        self.shape = shape
        """What an entry's metadata and audio must be to be used (see listen.storage.shapes)."""
        self._root = str(self.root)
        self._checked: dict[str, tuple[int, int, int]] = {}
        self._checked_lock = threading.Lock()
        self._warned: set[tuple[str, str]] = set()

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.mp3", folder / f"{key}.json"

    def get(self, key: str) -> Entry | None:
        """The complete, sound entry for ``key``, or None.

        An entry whose metadata is not of the cache's shape, whose audio's size is not
        the metadata's byte count, or whose MP3 does not open with frames in sync is a
        miss: logged once and removed, so that it is built again.
        """
        audio, meta_path = self._paths(key)
        try:
            raw = meta_path.read_bytes()
            stat = os.stat(audio)
        except FileNotFoundError:
            return None
        except OSError as exc:  # unreadable: a miss, but nothing we should delete
            self._warn(key, f"unreadable: {exc.strerror}")
            return None
        problem: str | None
        try:
            data = json.loads(raw)
        except ValueError:
            data, problem = None, "metadata is not JSON"
        else:
            problem = self._problem(key, data, audio, stat)
        if problem is not None:
            self._reject(key, problem)
            return None
        return Entry(key, audio, data)

    def audio_file(self, key: str) -> tuple[str, int] | None:
        """The audio file of the sound entry ``key`` (its path) and its size, or None.

        One ``stat`` call once this process has checked the file (see :meth:`get`): the
        hot path of cached audio, so the path is joined as a string, not a Path.
        """
        audio = os.path.join(self._root, key[:2], f"{key}.mp3")
        try:
            stat = os.stat(audio)
        except OSError:
            return None
        if self._checked.get(key) == _signature(stat):
            return audio, stat.st_size
        entry = self.get(key)
        return (str(entry.path), int(entry.meta["bytes"])) if entry is not None else None

    def _problem(self, key: str, meta: Any, audio: Path, stat: os.stat_result) -> str | None:
        """Why the entry ``key`` cannot be used, or None."""
        problem = self.shape.problem(meta)
        if problem is not None:
            return problem
        if meta["key"] != key:
            return "metadata names another entry"
        if meta["bytes"] != stat.st_size:
            return f"audio has {stat.st_size} bytes, its metadata says {meta['bytes']}"
        signature = _signature(stat)
        if self._checked.get(key) == signature:
            return None
        if self.shape.framed and not (stat.st_size == 0 and self.shape.empty):
            try:
                framed = _starts_with_frames(audio)
            except OSError as exc:
                return f"audio unreadable: {exc.strerror}"
            if not framed:
                return "audio does not start with MP3 frames"
        if time.time_ns() - stat.st_mtime_ns > SETTLED_NS:
            with self._checked_lock:
                if len(self._checked) >= CHECKED_MAX:
                    del self._checked[next(iter(self._checked))]  # the oldest
                self._checked[key] = signature
        return None

    def _reject(self, key: str, problem: str) -> None:
        """A bad entry: logged once, and removed unless a build of it is under way."""
        building = self.is_locked(key)
        self._warn(key, problem, "a build replaces it" if building else "removed, to be rebuilt")
        with self._checked_lock:
            self._checked.pop(key, None)
        if not building:  # a build holds the lock and replaces both files itself
            self.delete(key)

    def _warn(self, key: str, problem: str, then: str = "treated as missing") -> None:
        if (key, problem) in self._warned:
            return
        if len(self._warned) >= CHECKED_MAX:
            self._warned.clear()
        self._warned.add((key, problem))
        log.warning("bad %s in the cache %s: %s; %s", self.shape.name, key, problem, then)

    def put(self, key: str, write_audio: Callable[[Path], object], meta: dict[str, Any]) -> Entry:
        """Store an entry: ``write_audio(path)`` writes the MP3 to a temporary path."""
        audio, meta_path = self._paths(key)
        # Both written before either is renamed (a full disk leaves nothing behind); the
        # audio is renamed first, the metadata that makes it an entry last.
        with atomic_path(meta_path) as tmp_meta, atomic_path(audio) as tmp:
            write_audio(tmp)
            meta = {**meta, "key": key, "bytes": tmp.stat().st_size}
            write_bytes(tmp_meta, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
        return Entry(key, audio, meta)

    def part_path(self, key: str, holder: str | None = None) -> Path:
        """Where an entry's audio is written while it is being built (readers may follow it).

        With cross-host locks the file is named after the lock holder, so a reader
        always follows the live builder's file, never one a dead builder left.
        """
        audio = self._paths(key)[0]
        return audio.with_suffix(f".{holder}.part" if holder else ".part")

    def current_part(self, key: str) -> Path | None:
        """The ``.part`` file being written for ``key`` now, if anyone writes one."""
        if self.remote is None:
            return self.part_path(key)
        holder = self.remote.holder(key)
        return self.part_path(key, holder) if holder else None

    def stale_parts(self, key: str, keep: Path) -> list[Path]:
        """``.part`` files of ``key`` other than ``keep`` (left by builders that died)."""
        audio = self._paths(key)[0]
        return [p for p in audio.parent.glob(f"{key}*.part") if p != keep]

    def commit(self, key: str, meta: dict[str, Any], part: Path | None = None) -> Entry:
        """Make the finished ``.part`` file of ``key`` an entry (audio first, metadata last).

        Everything that needs space is written before the first rename, so a full disk
        fails the commit before anything moved (renames need none).
        """
        audio, meta_path = self._paths(key)
        part = part or self.part_path(key)
        with open(part, "rb") as written:
            # Durable before it is an entry; a write the disk refuses late (NFS) fails here.
            os.fsync(written.fileno())
            size = os.fstat(written.fileno()).st_size
        meta = {**meta, "key": key, "bytes": size}
        with atomic_path(meta_path) as tmp:
            data = json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8")
            write_bytes(tmp, data, sync=True)
            os.replace(part, audio)
        return Entry(key, audio, meta)

    def _error_path(self, key: str) -> Path:
        return self._paths(key)[0].with_suffix(".error")

    def record_error(self, key: str, record: dict[str, Any]) -> None:
        """Note why the last build of ``key`` failed, for every process (``<key>.error``).

        Raises:
            OSError: it could not be written (the disk is full, say).
        """
        write_atomic(self._error_path(key), json.dumps(record, ensure_ascii=False).encode("utf-8"))

    def recorded_error(self, key: str) -> dict[str, Any] | None:
        """What :meth:`record_error` noted for ``key`` (None if nothing, or unreadable)."""
        try:
            data = json.loads(self._error_path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def clear_error(self, key: str) -> None:
        self._error_path(key).unlink(missing_ok=True)

    def entries(self) -> Iterator[Entry]:
        """Every sound entry (a bad one is skipped, and removed as by :meth:`get`)."""
        for meta in sorted(self.root.glob("??/*.json")):
            if meta.name.startswith("."):
                continue  # a metadata file being written (see files.atomic_path)
            entry = self.get(meta.stem)
            if entry is not None:
                yield entry

    def delete(self, key: str) -> bool:
        audio, meta = self._paths(key)
        existed = meta.exists()
        meta.unlink(missing_ok=True)  # the entry is gone as soon as its metadata is
        audio.unlink(missing_ok=True)
        return existed

    def touch(self, key: str) -> None:
        """Mark ``key`` as played now: the mtime of its metadata (one syscall, no rewrite)."""
        now = time.time()  # finer than the file system's own clock (a few ms on ext4)
        try:
            os.utime(self._paths(key)[1], (now, now))
        except FileNotFoundError:
            pass

    def played_at(self, entry: Entry) -> float:
        """When ``entry`` was last played (or, never played, created); see :meth:`touch`."""
        created = float(entry.meta.get("created") or 0.0)
        try:
            return max(self._paths(entry.key)[1].stat().st_mtime, created)
        except FileNotFoundError:
            return created

    def stats(self) -> dict[str, Any]:
        entries = list(self.entries())
        return {
            "path": str(self.root.resolve()),
            "entries": len(entries),
            "bytes": sum(e.path.stat().st_size + 0 for e in entries),
            "duration_s": round(sum(float(e.meta.get("duration_s") or 0) for e in entries), 1),
        }

    def probe(self) -> None:
        """Write :data:`PROBE_BYTES` to a temporary file in the cache and sync them.

        Creating an empty file succeeds on a full disk: only real bytes tell.

        Raises:
            OSError: the folder cannot be created or written, or the disk is full.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.root, buffering=0) as probe:
            probe.write(bytes(PROBE_BYTES))
            os.fsync(probe.fileno())

    def readiness(self) -> tuple[bool, str]:
        """Whether the folder takes real bytes (a full disk still lets empty files be
        made), and a line saying so."""
        try:
            self.probe()
        except OSError as exc:
            if StorageFull.from_os_error(exc) is not None:
                return False, f"the disk of the cache folder {self.root} is full (LISTEN_CACHE_DIR)"
            return False, (
                f"cannot write to the cache folder {self.root} (LISTEN_CACHE_DIR): {exc.strerror}"
            )
        return True, f"{self.root} is writable"

    @contextmanager
    def lock(self, name: str) -> Iterator[str | None]:
        """Hold the lock ``name``: one holder per name across threads and processes.

        Yields the holder's token when the lock reaches other hosts, else None.
        """
        with self._registry:
            lock, users = self._locks.get(name, (threading.Lock(), 0))
            self._locks[name] = (lock, users + 1)
        try:
            with lock, flocked(lock_path(self.root, name)):
                if self.remote is not None:
                    with self.remote.hold(name) as token:
                        yield token
                else:
                    yield None
        finally:
            with self._registry:
                lock, users = self._locks[name]
                if users <= 1:
                    del self._locks[name]
                else:
                    self._locks[name] = (lock, users - 1)

    def is_locked(self, name: str) -> bool:
        """True while someone (this process or another) holds the lock ``name``."""
        with self._registry:
            if name in self._locks:
                return True
        if self.remote is not None and self.remote.is_held(name):
            return True
        return is_flocked(lock_path(self.root, name))


def _signature(stat: os.stat_result) -> tuple[int, int, int]:
    """Which file this is: a replaced or rewritten file has another."""
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _starts_with_frames(audio: Path) -> bool:
    with open(audio, "rb") as handle:
        tag = mp3.tag_length(handle.read(mp3.ID3_HEADER))
        handle.seek(tag)
        return mp3.starts_with_frames(handle.read(mp3.FRAMES_PROBE))
