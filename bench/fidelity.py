"""Text fidelity on ../shared/corpus: `listen clean --json` next to plain trafilatura.

Runs the shared scorer (../shared/tools/fidelity.py) twice and prints one JSON object:
F1/precision/recall of the spoken paragraphs against the article body, caption leak,
must/must-not snippet rates and language accuracy, with the issue's goals.

    python -m bench fidelity
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOALS = {
    "f1": ">= 0.97",
    "caption_leak": "<= 0.01",
    "without_found": "<= 0.05",
    "with_found": ">= 0.97",
    "lang_acc": "== 1.0",
}


def score(extractor: str) -> dict[str, object]:
    tool = SHARED / "tools" / "fidelity.py"
    out = subprocess.run(
        [sys.executable, str(tool), "--corpus", str(SHARED / "corpus"), "--json", extractor],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    if not (SHARED / "corpus" / "index.json").exists():
        print(json.dumps({"bench": "fidelity", "skipped": f"no corpus at {SHARED / 'corpus'}"}))
        return
    listen = Path(sys.executable).with_name("listen")
    print(
        json.dumps(
            {
                "bench": "fidelity",
                "listen": score(f"{listen} clean --json {{paths}}"),
                "trafilatura": score("trafilatura"),
                "goals": GOALS,
            }
        )
    )


if __name__ == "__main__":
    main()
