"""Run every benchmark: ``python -m bench [NAME...]``; each prints one JSON object."""

from __future__ import annotations

import importlib
import sys

BENCHES = (
    "fidelity",
    "sanitize",
    "adversarial",
    "lexicon",
    "synthesis",
    "growth",
    "gtts",
    "coldstart",
    "edit",
    "overhead",
    "load",
    "memory",
    "pushbody",
)


def main(argv: list[str]) -> int:
    for name in argv or BENCHES:
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
