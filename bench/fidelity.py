"""Text fidelity on ../shared/corpus: `listen clean --json` next to trafilatura and readability.

Runs the shared scorer (../shared/tools/fidelity.py) for each extractor on the whole
corpus and on each of its sources (the corpus sub-folders), and prints one JSON object:
F1/precision/recall of the spoken paragraphs against the article body, caption leak,
must/must-not snippet rates, language accuracy and pages_lost (pages where most of the
article went unspoken), with the issue's goals; and, per source, ``with_reachable``: the
share of must-have snippets whose words the page's displayed text holds at all (a snippet
cut inside a word, or text only in a meta tag or a script, no extractor can find), the
most ``with_found`` can be.

    python -m bench fidelity
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
GOALS = {
    "f1": ">= 0.975",
    "caption_leak": "<= 0.01",
    "without_found": "<= 0.05",
    "with_found": ">= 0.97",
    "lang_acc": "== 1.0",
    "pages_lost": "== 0",
}
SHOWN = ("f1", "precision", "recall", "caption_leak", "with_found", "without_found")
SHOWN += ("lang_acc", "pages_lost", "pages")
"""The figures printed per extractor and source (the scorer prints a few more)."""


def score(extractor: str, source: str | None = None) -> dict[str, object]:
    tool = SHARED / "tools" / "fidelity.py"
    only = ["--only", source] if source else []
    out = subprocess.run(
        [sys.executable, str(tool), "--corpus", str(CORPUS), *only, "--json", extractor],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    figures = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    if not figures.get("scored"):  # snippets only: no page with a full body to score F1 on
        figures = {k: v for k, v in figures.items() if k not in ("f1", "precision", "recall")}
    return {k: figures[k] for k in SHOWN if figures.get(k) is not None}


def sources() -> list[str]:
    """The corpus sources that hold HTML pages to score, in the index's order."""
    index = json.loads((CORPUS / "index.json").read_text())
    names = dict.fromkeys(e["source"] for e in index if str(e["html"]).endswith(".html"))
    return list(names)


def reachable(source: str | None = None) -> float | None:
    """The share of must-have snippets the page's displayed text holds, by the scorer's
    own test (whole words, in order): the ceiling of ``with_found``."""
    import re

    import lxml.html

    sys.path.insert(0, str(SHARED / "tools"))
    import fidelity  # the shared scorer: its tokens and its containment test

    index = json.loads((CORPUS / "index.json").read_text())
    found = total = 0
    for entry in index:
        if entry["gt_type"] != "snippets_with_without" or source not in (None, entry["source"]):
            continue
        page = (CORPUS / entry["html"]).read_text(errors="replace")
        doc = lxml.html.fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", page) or "<p></p>")
        for element in doc.xpath("//script|//style|//template"):
            element.drop_tree()
        words = fidelity.tokens(" ".join(doc.itertext()))
        for snippet in (CORPUS / entry["ground_truth"]["with"]).read_text().splitlines():
            hit = fidelity.contains(words, snippet)
            if hit is not None:
                total += 1
                found += hit
    return round(found / total, 3) if total else None


def main() -> None:
    if not (CORPUS / "index.json").exists():
        print(json.dumps({"bench": "fidelity", "skipped": f"no corpus at {CORPUS}"}))
        return
    listen = Path(sys.executable).with_name("listen")
    extractors = {
        "listen": f"{listen} clean --json {{paths}}",
        "trafilatura": "trafilatura",
        "readability": "readability",
    }
    result: dict[str, object] = {"bench": "fidelity", "goals": GOALS}
    for name, extractor in extractors.items():
        result[name] = {
            "all": score(extractor),
            **{source: score(extractor, source) for source in sources()},
        }
    result["with_reachable"] = {
        "all": reachable(),
        **{source: r for source in sources() if (r := reachable(source)) is not None},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
