"""Helpers shared by the benchmarks: machine facts, generated articles, child processes."""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

WORDS = (
    "council budget bridge river market harbour farmers water school library street "
    "city mayor engineers residents traffic weather summer winter report minister week "
    "morning evening project station museum festival cooperative energy panels storage "
    "workers union plan price cost vote season garden forest island coast road village"
).split()


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }


def paragraphs(words: int, per_paragraph: int = 100, seed: int = 7) -> list[str]:
    """Unique English prose paragraphs of about ``words`` words in all (seeded)."""
    rng = random.Random(seed)
    out = []
    left = words
    number = 0
    while left > 0:
        size = min(per_paragraph, left)
        sentences = []
        count = 0
        while count < size:
            n = min(rng.randint(8, 16), size - count)
            number += 1
            body = " ".join(rng.choice(WORDS) for _ in range(max(1, n - 2)))
            sentences.append(f"The {body} {number}.")
            count += n
        out.append(" ".join(sentences))
        left -= size
    return out


def write_article(folder: Path, article_id: str, title: str, paras: list[str]) -> Path:
    path = folder / f"{article_id}.json"
    path.write_text(json.dumps({"title": title, "language": "en", "text": "\n".join(paras)}))
    return path


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command; return its wall time (s) and the peak RSS of its process (KiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_maxrss


def fake_google(latency: float) -> tuple[subprocess.Popen[str], str]:
    """Start tests/fake_google.py on a free port; return the process and its endpoint."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "fake_google.py"),
            "--port",
            "0",
            "--latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    return proc, url
