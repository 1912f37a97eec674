"""Whole-article synthesis of the bundled samples per engine: wall time, audio length,
real-time factor, and the cost of stitching + encoding. Prints one JSON object.

    python -m bench synthesis
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time

from listen.service import Listen
from listen.settings import DEFAULTS
from listen.sources import SAMPLES


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def run(engine: str, article_ids: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as cache:
        service = Listen({**DEFAULTS, "ENGINES": engine, "CACHE_DIR": cache})
        articles = [service.article(i) for i in article_ids]
        articles = [a for a in articles if service.voices(a.language)]
        service.speak("Warm up.", articles[0].language)  # load models once
        started = time.perf_counter()
        audio_s = 0.0
        for article in articles:
            audio_s += float(service.audio(article).meta["duration_s"])
        wall = time.perf_counter() - started
        cached = time.perf_counter()
        for article in articles:
            service.audio(article)
        hit = (time.perf_counter() - cached) / len(articles)
    return {
        "articles": len(articles),
        "words": sum(len(" ".join(a.pieces).split()) for a in articles),
        "wall_s": round(wall, 2),
        "audio_s": round(audio_s, 1),
        "realtime_factor": round(audio_s / wall, 1),
        "cache_hit_ms": round(hit * 1000, 2),
    }


def main() -> None:
    ids = sorted({p.stem for p in SAMPLES.iterdir() if p.suffix in (".html", ".txt", ".json")})
    result = {"bench": "synthesis", "machine": machine()}
    for engine in ("espeak", "piper"):
        result[engine] = run(engine, ids)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
