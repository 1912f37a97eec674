"""Sanitizing speed: every page of ../shared/corpus, and a 5,000-paragraph page.

Prints one JSON object: per-page milliseconds (mean, p95, max) over the corpus pages
(extract + rules + language + normalization, as `listen clean` does) and the time for
one pathological 400 KB page. The goal is under a second for any page.

    python -m bench sanitize
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from listen.service import Listen
from listen.settings import DEFAULTS
from listen.sources.files import read_path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def timed(service: Listen, raw: object) -> float:
    started = time.perf_counter()
    service.prepare(raw)  # type: ignore[arg-type]
    return (time.perf_counter() - started) * 1000


def main() -> None:
    service = Listen({**DEFAULTS, "ENGINES": "espeak", "MAX_CHARS": 10**7})
    result: dict[str, object] = {"bench": "sanitize"}
    from listen.text import language

    started = time.perf_counter()
    language.unsupported_language("Loading every langdetect profile once per process. " * 3)
    result["language_profiles_load_ms"] = round((time.perf_counter() - started) * 1000, 1)
    pages = sorted(CORPUS.glob("*/html/*.html"))
    if pages:
        raws = [read_path(p) for p in pages]
        for raw in raws[:3]:
            timed(service, raw)  # warm-up: imports, detector profiles
        ms = sorted(timed(service, raw) for raw in raws)
        result["corpus_pages"] = len(ms)
        result["page_ms"] = {
            "mean": round(statistics.mean(ms), 1),
            "p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max": round(ms[-1], 1),
        }
    paragraphs = "".join(
        f"<p>Paragraph {i} of a very long article that keeps going with more words.</p>"
        for i in range(5000)
    )
    big = f"<html><body><article><h1>Title</h1>{paragraphs}</article></body></html>"
    from listen.models import RawArticle

    result["huge_page"] = {
        "bytes": len(big),
        "paragraphs": 5000,
        "ms": round(timed(service, RawArticle(id="huge", html=big)), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
