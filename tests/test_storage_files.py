"""The one atomic-write helper and the one file lock (listen.storage.files)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from listen.storage import files


def test_write_atomic_replaces_the_whole_file(tmp_path):
    path = tmp_path / "deep" / "entry.json"
    files.write_atomic(path, b"old")
    files.write_atomic(path, b"new contents", sync=True)
    assert path.read_bytes() == b"new contents"
    assert sorted(p.name for p in path.parent.iterdir()) == ["entry.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "entry.json"
    files.write_atomic(path, b"old")
    with pytest.raises(RuntimeError), files.atomic_path(path) as tmp:
        tmp.write_bytes(b"half of the ne")
        raise RuntimeError("the disk filled up")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]


def test_nested_paths_rename_the_outermost_last(tmp_path):
    audio, meta = tmp_path / "k.mp3", tmp_path / "k.json"
    seen: list[bool] = []
    with files.atomic_path(meta) as tmp_meta:
        with files.atomic_path(audio) as tmp:
            tmp.write_bytes(b"frames")
            tmp_meta.write_bytes(b"{}")
            seen.append(audio.exists())
        # the inner block has ended: the audio is in place, its metadata not yet
        seen += [audio.exists(), meta.exists()]
    assert seen == [False, True, False]
    assert audio.read_bytes() == b"frames" and meta.read_bytes() == b"{}"


def test_temporary_names_are_hidden(tmp_path):
    tmp = files.temp_path(tmp_path, ".json")
    assert tmp.name.startswith(".tmp-") and tmp.suffix == ".json" and tmp.exists()


def _hold_in_another_process(path) -> subprocess.Popen[str]:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from listen.storage.files import flocked\n"
        "with flocked(Path(sys.argv[1])):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_a_lock_held_by_another_process_is_seen_and_waited_for(tmp_path):
    path = files.lock_path(tmp_path, "evict")
    assert not files.is_flocked(path)  # no file yet
    child = _hold_in_another_process(path)
    try:
        assert files.is_flocked(path)
    finally:
        child.kill()  # kill -9: the kernel drops the lock with the process
        child.communicate()
    assert not files.is_flocked(path)
    with files.flocked(path):
        assert files.is_flocked(path)  # another open file of this process is refused too
    assert not files.is_flocked(path)


def test_flocked_waits_until_the_holder_lets_go(tmp_path):
    path = files.lock_path(tmp_path, "stats")
    child = _hold_in_another_process(path)
    started = time.monotonic()
    killer = subprocess.Popen(["sh", "-c", f"sleep 0.5; kill {child.pid}"])
    try:
        with files.flocked(path):
            waited = time.monotonic() - started
    finally:
        killer.wait()
        child.communicate()
    assert waited >= 0.4
