"""Overhead: the pipeline's wall time vs the raw engine plus one ffmpeg encode.

The same 1,000-word English text: (a) the raw engine speaks it in one call and
ffmpeg encodes the result to MP3 once; (b) listen builds the article (sanitize,
normalize, per-paragraph synthesis, leveling, encoding, caching). Both after a
warm-up. Goal: (b) at most 1.2x (a), for piper and for espeak-ng.

    python -m bench overhead
"""

from __future__ import annotations

import json
import tempfile
import time

from bench.common import machine, paragraphs
from listen.engines import resolve_engine
from listen.models import RawArticle
from listen.service import Listen
from listen.settings import DEFAULTS


def raw_engine(engine_name: str, text: str, out: str) -> float:
    engine = resolve_engine(engine_name, DEFAULTS)
    engine.synthesize("Warm up.", "en")
    started = time.perf_counter()
    speech = engine.synthesize(text, "en")
    speech.audio.export(out, format="mp3", bitrate="48k", parameters=["-ac", "1"]).close()
    return time.perf_counter() - started


def pipeline(engine_name: str, title: str, body: list[str]) -> float:
    with tempfile.TemporaryDirectory() as cache:
        service = Listen({**DEFAULTS, "ENGINES": engine_name, "CACHE_DIR": cache})
        service.audio(service.prepare(RawArticle(id="w", title="Warm", text="Warm up here.")))
        started = time.perf_counter()
        article = service.prepare(
            RawArticle(id="a", title=title, text="\n".join(body), language="en")
        )
        service.audio(article)
        return time.perf_counter() - started


def main() -> None:
    body = paragraphs(1000, seed=9)
    title = "A thousand words"
    result: dict[str, object] = {"bench": "overhead", "machine": machine(), "words": 1000}
    for engine in ("piper", "espeak"):
        with tempfile.NamedTemporaryFile(suffix=".mp3") as out:
            raw = raw_engine(engine, f"{title}. " + " ".join(body), out.name)
        ours = pipeline(engine, title, body)
        result[engine] = {
            "raw_s": round(raw, 2),
            "pipeline_s": round(ours, 2),
            "ratio": round(ours / raw, 2),
        }
    result["goal"] = {"ratio": "<= 1.2"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
