"""Cold start: time to the first audio byte of a cold 1,000-word article.

Serves generated articles with `listen serve` (gunicorn, as deployed) and
LISTEN_ENGINES=piper,espeak. First, per worker: two workers just started (no request
before), two cold articles asked at once, one for each worker, each timed to its first
byte (the workers load piper's voice when they start, not on their first reader). Then
on a warm server the cold 1,000-word article is timed to its first byte and to its last.
Goals: first byte within 1.0 s on every worker, and within 10% of the full synthesis time.

    python -m bench coldstart
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import BIN, machine, paragraphs, write_article


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed_get(url: str) -> tuple[float, float, int]:
    """Seconds to the first body byte, seconds to the last, and the bytes received."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        first = response.read(1)
        first_at = time.perf_counter() - started
        size = len(first) + len(response.read())
    return first_at, time.perf_counter() - started, size


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "listen"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def first_bytes_per_worker(env: dict[str, str]) -> list[float]:
    """Two workers just up; two cold articles at once (each worker takes one)."""
    server, base = serve(env, 2)
    try:
        time.sleep(2)  # both workers up (and, since this release, their voices loaded)
        with ThreadPoolExecutor(2) as pool:
            runs = list(
                pool.map(lambda n: timed_get(f"{base}/api/articles/fresh{n}/audio.mp3"), (1, 2))
            )
    finally:
        server.terminate()
        server.wait(10)
    return [round(first, 3) for first, _, _ in runs]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        write_article(folder, "warmup", "A warm-up article", paragraphs(200, seed=1))
        write_article(
            folder, "cold", "A cold article of a thousand words", paragraphs(1000, seed=2)
        )
        for n in (1, 2):
            write_article(folder, f"fresh{n}", f"A fresh article {n}", paragraphs(300, seed=2 + n))
        env = {
            **os.environ,
            "LISTEN_ENGINES": "piper,espeak",
            "LISTEN_SOURCE": str(folder),
            "LISTEN_CACHE_DIR": str(Path(tmp) / "cache"),
            "LISTEN_LOG_LEVEL": "WARNING",
        }
        per_worker = first_bytes_per_worker(env)
        server, base = serve({**env, "LISTEN_CACHE_DIR": str(Path(tmp) / "cache2")}, 1)
        try:
            timed_get(f"{base}/api/articles/warmup/audio.mp3")
            first, full, size = timed_get(f"{base}/api/articles/cold/audio.mp3")
        finally:
            server.terminate()
            server.wait(10)
    print(
        json.dumps(
            {
                "bench": "coldstart",
                "machine": machine(),
                "words": 1000,
                "engines": "piper,espeak",
                "first_byte_s": round(first, 3),
                "first_byte_per_new_worker_s": per_worker,
                "full_s": round(full, 2),
                "bytes": size,
                "first_byte_share": round(first / full, 3),
                "goals": {
                    "first_byte_s": "<= 1.0",
                    "first_byte_per_new_worker_s": "<= 1.0 each",
                    "first_byte_share": "<= 0.10",
                },
            }
        )
    )


if __name__ == "__main__":
    main()
