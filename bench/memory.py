"""Memory against paragraph length: one-paragraph articles of 2, 20 and 150 KB.

Each article is spoken by `listen speak --no-cache` in a fresh process, with espeak
and with piper; the peak RSS of that process is measured. The goal is a flat peak:
the 150 KB paragraph within 1.5x of the 2 KB one, for each engine (a paragraph is
spoken in bounded pieces, so memory does not follow its length).

    python -m bench memory
    BENCH_MEMORY_KB=2,20 BENCH_MEMORY_ENGINES=espeak python -m bench memory  # quicker

Measured (2 shared cores, espeak; peak RSS MiB for 2 / 20 / 150 KB): frames held in
memory and pieces leveled in one array of floats, 113.7 / 220.0 / 319.2 (ratio 2.81);
frames in a file and pieces leveled 3 s at a time, 79.3 / 138.4 / 154.4 (ratio 1.95,
1.12 from 20 to 150 KB). A paragraph over 3,000 characters is cut into blocks (see
listen.text.sanitize), spoken by up to LISTEN_SYNTH_WORKERS threads at once: what is left
between 2 and 20 KB is that parallelism (one piece each), not the paragraph's length:
with LISTEN_SYNTH_WORKERS=1, 79.0 / 86.9 MiB for 2 / 20 KB.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from bench.common import BIN, machine, paragraphs, run_measured, write_article

SIZES_KB = (2, 20, 150)
ENGINES = ("espeak", "piper")
GOAL_RATIO = 1.5


def one_paragraph(chars: int) -> str:
    """About ``chars`` characters of prose in a single paragraph (whole sentences)."""
    words = max(10, chars // 7)
    text = paragraphs(words, per_paragraph=words)[0]
    while len(text) > chars and ". " in text:
        text = text[: text.rindex(". ") + 1]
    return text


def speak(engine: str, kb: int, folder: Path, workers: int | None = None) -> dict[str, object]:
    text = one_paragraph(kb * 1000)
    name = f"{engine}-{kb}-{workers}"
    path = write_article(folder, name, f"One paragraph of {kb} KB", [text])
    env = {**os.environ, "LISTEN_CACHE_DIR": str(folder / name), "LISTEN_MAX_CHARS": str(10**7)}
    if workers is not None:
        env["LISTEN_SYNTH_WORKERS"] = str(workers)
    out = folder / f"{name}.mp3"
    wall, rss = run_measured(
        [str(BIN / "listen"), "speak", str(path), "-o", str(out), "--engine", engine, "--no-cache"],
        env,
    )
    audio_s = out.stat().st_size * 8 / 48_000  # 48 kbit/s, the default bitrate
    out.unlink()
    run = {
        "engine": engine,
        "kb": kb,
        "chars": len(text),
        "audio_s": round(audio_s, 1),
        "wall_s": round(wall, 2),
        "peak_rss_mib": round(rss / 1024, 1),
    }
    print(json.dumps(run), file=sys.stderr, flush=True)  # progress: long runs take minutes
    return run


def _listed(name: str, default: tuple) -> list[str]:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else list(default)


def main() -> None:
    sizes = [int(kb) for kb in _listed("BENCH_MEMORY_KB", SIZES_KB)]
    result: dict[str, object] = {"bench": "memory", "machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in _listed("BENCH_MEMORY_ENGINES", ENGINES):
            # With the default LISTEN_SYNTH_WORKERS, an article of several blocks (the
            # sanitizer cuts blocks at 3,000 characters) keeps that many pieces in flight
            # while a 2 KB one keeps one; with one worker, only the length differs.
            for label, workers in (("default_workers", None), ("one_worker", 1)):
                runs = [speak(engine, kb, Path(tmp), workers) for kb in sizes]
                ratio = runs[-1]["peak_rss_mib"] / runs[0]["peak_rss_mib"]  # type: ignore[operator]
                result[f"{engine}_{label}"] = {
                    "runs": runs,
                    "peak_rss_ratio": round(ratio, 2),
                    "flat": ratio <= GOAL_RATIO,
                }
    result["goal"] = {"peak_rss_ratio": f"largest / smallest <= {GOAL_RATIO}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
