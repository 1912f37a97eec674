"""Files: the one way listen replaces a file others read, and the one file lock.

:func:`atomic_path` hands out a temporary name beside a file and renames it into place
when the writer is done, so a reader sees the old file or the whole new one, never part
of one: a crash or a full disk leaves at most a ``.tmp-*`` file (readers skip names that
start with a dot), which the failed writer removes. :func:`write_atomic` is that for
bytes. :func:`flocked` holds an exclusive ``flock`` on a lock file, across threads of one
process only with a lock of their own (``flock`` is per open file) and across processes
on one host; :func:`is_flocked` asks whether someone holds it.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCKS = ".locks"
"""The folder, inside a storage root, of its lock files."""


def lock_path(root: Path, name: str) -> Path:
    """The lock file of the lock ``name`` in the storage root ``root``."""
    return root / LOCKS / f"{name}.lock"


def temp_path(folder: Path, suffix: str = "") -> Path:
    """A new empty file in ``folder`` with a hidden temporary name."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    return Path(name)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed to ``path`` when the block ends,
    removed if it raises. Nested blocks rename innermost first: put the file that must
    appear last (the one readers look for) outermost."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path.parent, path.suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Write ``data`` to ``path``; with ``sync``, on the disk before this returns (a
    write the disk refuses late, as NFS may, fails here instead of going unnoticed)."""
    with open(path, "wb") as out:
        out.write(data)
        if sync:
            out.flush()
            os.fsync(out.fileno())


def write_atomic(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Replace ``path`` with ``data``, all or nothing for readers."""
    with atomic_path(path) as tmp:
        write_bytes(tmp, data, sync=sync)


@contextmanager
def flocked(path: Path) -> Iterator[None]:
    """Hold the lock file ``path`` (exclusive; waits for its holder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_flocked(path: Path) -> bool:
    """True while another open file holds the lock file ``path``."""
    if not path.exists():
        return False
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
