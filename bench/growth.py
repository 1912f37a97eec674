"""Cost growth: `listen speak --engine espeak` at 1,000 and 8,000 words.

Per-word wall time and peak RSS of the `listen` process; the goals are a per-word
time ratio (8,000 / 1,000) of at most 1.3 and a peak-RSS ratio of at most 1.5:
speaking a long article costs no more per word, and memory does not grow with it.

    python -m bench growth
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench.common import BIN, machine, paragraphs, run_measured, write_article


def speak(words: int, folder: Path) -> dict[str, float]:
    path = write_article(folder, f"w{words}", f"An article of {words} words", paragraphs(words))
    env = {**os.environ, "LISTEN_CACHE_DIR": str(folder / "cache"), "LISTEN_MAX_CHARS": str(10**7)}
    wall, rss = run_measured(
        [
            str(BIN / "listen"),
            "speak",
            str(path),
            "-o",
            str(folder / f"w{words}.mp3"),
            "--engine",
            "espeak",
            "--no-cache",
        ],
        env,
    )
    return {
        "words": words,
        "wall_s": round(wall, 2),
        "ms_per_word": round(wall / words * 1000, 3),
        "peak_rss_mib": round(rss / 1024, 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        speak(200, folder)  # warm the disk cache of the libraries
        small, large = speak(1000, folder), speak(8000, folder)
    print(
        json.dumps(
            {
                "bench": "growth",
                "machine": machine(),
                "1000_words": small,
                "8000_words": large,
                "per_word_ratio": round(large["ms_per_word"] / small["ms_per_word"], 2),
                "peak_rss_ratio": round(large["peak_rss_mib"] / small["peak_rss_mib"], 2),
                "goals": {"per_word_ratio": "<= 1.3", "peak_rss_ratio": "<= 1.5"},
            }
        )
    )


if __name__ == "__main__":
    main()
