"""Cold start: time to the first audio byte of a cold 1,000-word article.

Serves generated articles with `listen serve` (gunicorn, as deployed) and
LISTEN_ENGINES=piper,espeak; one warm-up request on another article loads the
voice; then the cold article is requested and timed to its first byte and to its
last. Goals: first byte within 1.0 s and within 10% of the full synthesis time.

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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        write_article(folder, "warmup", "A warm-up article", paragraphs(200, seed=1))
        write_article(
            folder, "cold", "A cold article of a thousand words", paragraphs(1000, seed=2)
        )
        port = free_port()
        env = {
            **os.environ,
            "LISTEN_ENGINES": "piper,espeak",
            "LISTEN_SOURCE": str(folder),
            "LISTEN_CACHE_DIR": str(Path(tmp) / "cache"),
            "LISTEN_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [str(BIN / "listen"), "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
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
                "full_s": round(full, 2),
                "bytes": size,
                "first_byte_share": round(first / full, 3),
                "goals": {"first_byte_s": "<= 1.0", "first_byte_share": "<= 0.10"},
            }
        )
    )


if __name__ == "__main__":
    main()
