"""Worst-case text: every sanitizer rule and normalizer step on 1 MB of its worst inputs.

Each rule gets several pathological families: its own trigger phrases (a listen label,
a photo credit, a read-more prefix...) followed by one fragment repeated to 1 MB, the
fragments drawn from the rule tables, separators, digits and brackets that make a
backtracking regex rescan. A linear rule takes about the same time on every family; a
quadratic one takes seconds or minutes. The whole ``listen clean`` pipeline (extract,
rules, language, normalization) is timed on a few 1 MB files too.

Prints one JSON object: the worst time per rule, the worst overall, and the goal (every
figure under half a second for 1 MB); and the time to normalize a 10,000-word article
(goal: a tenth of a second). Each full-size figure is the best of three runs, in seconds of
this process's CPU time (:func:`timed`).

    python -m bench adversarial       (ADVERSARIAL_BYTES=100000 for a quick run)
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator

from listen.models import Block, RawArticle
from listen.text import normalize as n
from listen.text import phrases
from listen.text import sanitize as s
from listen.text.extract import MAX_BLOCKS, MAX_DEPTH
from listen.text.textutil import key

GOAL_S = 0.5
INPUT_BYTES = 1_000_000

# Fragments a backtracking pattern rescans: separators, digits, brackets, spaces, and the
# pieces of the patterns themselves (credits, addresses, abbreviations, dates).
FRAGMENTS = (
    "a ",
    "1 ",
    "100 ",
    "1\u00a0",
    "1.",
    "1,",
    "1-",
    "1:",
    "1/",
    "(",
    ")",
    "( ",
    ") ",
    "(a ",
    "/ ",
    "| ",
    "- ",
    "— ",
    ": ",
    " ",
    "  ",
    ". ",
    "a.",
    "a-",
    "a_",
    "@",
    "@a ",
    "a@",
    "#a ",
    "é",
    "·",
    "$1 ",
    "1 km ",
    "1% ",
    "1st ",
    "Dr. ",
    "U.S. ",
    "May 1 ",
    "1/1/",
    "1:00 ",
    "'90s ",
    "+1 ",
    "(1) ",
    "1 de ",
    "http://a.",
    "www.a.",
    "a.com/",
    "(Photo ",
    "Photo ",
    "(Foto ",
    "Foto: ",
    "/ AFP ",
    "AFP / A ",
    "| Photo ",
    "/ Via ",
    "(@a) ",
    "pic.twitter.com/",
    "Henry II ",
    "II and ",
    "s. XIX ",
    "la II ",
    "C/ ",
    "1/2 ",
    "y/y ",
)
ENDINGS = ("", "x", ")x", " /x", "@")

SANITIZE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "drop_listen_labels": phrases.union(phrases.LISTEN_LABELS)[:2],
    "drop_cross_links": phrases.union(phrases.CROSS_LINK_PREFIXES)[:2],
    "drop_chrome": phrases.union(phrases.CHROME_PREFIXES)[:2],
    "drop_read_more_links": phrases.union(phrases.READ_MORE_PREFIXES)[:2],
    "drop_social_calls": phrases.union(phrases.CALLS_TO_ACTION)[:2],
    "drop_support_pitches": phrases.union(phrases.SUPPORT_PREFIXES)[:2],
    "drop_credit_lines": phrases.union(phrases.CREDIT_LINE_PREFIXES)[:2],
    "drop_social_embeds": ("— A ",),
    "drop_captions": ("A man. ",),
}


def filled(prefix: str, fragment: str, ending: str, size: int) -> str:
    """``prefix``, then ``fragment`` repeated to ``size`` characters, then ``ending``."""
    return prefix + fragment * max(1, (size - len(prefix)) // len(fragment)) + ending


def specs(triggers: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(prefix, fragment, ending) of every family: no trigger, then each trigger."""
    prefixes = ["", *(f"{t} " for t in triggers)]
    return [(p, f, e) for p in prefixes for f in FRAGMENTS for e in ENDINGS]


def families(triggers: tuple[str, ...], size: int) -> Iterator[str]:
    for prefix, fragment, ending in specs(triggers):
        yield filled(prefix, fragment, ending, size)


def many_blocks(size: int) -> Iterator[list[Block]]:
    """Many short blocks: distinct, sharing their first words (an index's worst case)."""
    for head in ("The council said that ", "(Photo ", "More articles "):
        blocks, total, i = [], 0, 0
        while total < size:
            text = f"{head}{'word ' * (i % 9)}number {i} ends here"
            blocks.append(Block("paragraph", text))
            total += len(text)
            i += 1
        yield blocks


def timed(run: Callable[[], object]) -> float:
    """The CPU time ``run`` takes in this process (all its threads): what a rule costs,
    the same as wall time on an idle core, and not stretched by other processes sharing
    the machine's cores, as wall time is."""
    started = time.process_time()
    run()
    return time.process_time() - started


SCREEN_BYTES = 4_000
"""Every family is first run at this size; the slowest few per rule are then run at 1 MB."""
KEPT = 4


GROWTH: dict[str, float] = {}
"""Per rule: its worst family's time at the full size over its time at a quarter of it
(4 for a linear rule, 16 for a quadratic one)."""


REPEATS = 3
"""Each full-size case is timed this many times and its best time kept: a run can be slowed
(a cache, a page fault, a garbage collection), never sped up, so the least is the rule's cost."""


def best(run: Callable[[int], float], size: int) -> float:
    return min(run(size) for _ in range(REPEATS))


def slowest(name: str, cases: list[tuple[str, Callable[[int], float]]], size: int) -> float:
    """Screen every case small, then time the slowest :data:`KEPT` at ``size``."""
    screened = sorted(cases, key=lambda case: case[1](SCREEN_BYTES), reverse=True)
    timed_full = [(best(run, size), run) for _, run in screened[:KEPT]]
    full, run = max(timed_full, key=lambda t: t[0])
    GROWTH[name] = round(full / max(best(run, size // 4), 1e-6), 1)
    return full


def _rule_case(rule: s.Rule, make: Callable[[int], list[Block]]) -> Callable[[int], float]:
    def run(size: int) -> float:
        blocks = make(size)
        # A block's comparison key is memoized; an attacker's blocks are new ones.
        key.cache_clear()
        return timed(lambda: rule(blocks, s.Context("Title", set())))

    return run


def _step_case(step: n.Step, make: Callable[[int], str], language: str) -> Callable[[int], float]:
    def run(size: int) -> float:
        text = make(size)
        return timed(lambda: step(text, language))

    return run


def _one_block(spec: tuple[str, str, str]) -> Callable[[int], list[Block]]:
    return lambda size: [Block("paragraph", filled(*spec, size))]


def _blocks(index: int) -> Callable[[int], list[Block]]:
    return lambda size: list(many_blocks(size))[index]


def sanitize_figures(size: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    for rule in s.RULES:
        triggers = SANITIZE_TRIGGERS.get(rule.__name__, ())
        cases = [(repr(spec), _rule_case(rule, _one_block(spec))) for spec in specs(triggers)]
        cases += [(f"blocks {i}", _rule_case(rule, _blocks(i))) for i in range(3)]
        name = f"sanitize.{rule.__name__}"
        figures[name] = slowest(name, cases, size)
    return figures


NORMALIZE_TRIGGERS = ("", "Dr.", "$")


def normalize_figures(size: int) -> dict[str, float]:
    figures: dict[str, float] = {}

    def make(spec: tuple[str, str, str]) -> Callable[[int], str]:
        return lambda size: filled(*spec, size)

    for step in n.STEPS:
        cases = [
            (f"{language} {spec!r}", _step_case(step, make(spec), language))
            for language in ("en", "es")
            for spec in specs(NORMALIZE_TRIGGERS)
        ]
        name = f"normalize.{step.__name__}"
        figures[name] = slowest(name, cases, size)
    return figures


def pipeline_figures(size: int) -> dict[str, float]:
    """``listen clean`` (sanitize + normalize) on whole 1 MB files, text and HTML."""
    from listen.service import Listen
    from listen.settings import DEFAULTS

    pages = {
        "photo_text": "Title\n" + filled("", "(Photo ", "", size),
        "listen_label_text": "Title\nListen to this article " + filled("", "1 ", "x", size),
        "spaced_number_text": "Title\n" + filled("", "100 ", "", size),
        "digits_text": "Title\n" + "1" * size,
        "paragraphs_html": "<html><body><article><h1>T</h1>"
        + filled("", "<p>(Photo 1 100 Dr. May 1</p>", "", size)
        + "</article></body></html>",
        "deep_html": "<html><body>" + "<div>a " * (size // 7) + "</body></html>",
        # The worst pages within the limits, whatever the size asked for: nested just short
        # of the parser's limit, and as many blocks as a page may hold.
        "deep_html_at_parser_limit": "<html><body>"
        + "<div>a " * (MAX_DEPTH - 10)
        + "</body></html>",
        "blocks_html_at_block_limit": "<html><body><article><h1>T</h1>"
        + "<p>(Photo 1 100 Dr. May 1</p>" * (MAX_BLOCKS - 2)
        + "</article></body></html>",
    }
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        # The default LISTEN_MAX_CHARS, as `listen clean` runs: 1 MB of text is refused,
        # and the figure is how soon.
        service = Listen({**DEFAULTS, "ENGINES": "espeak", "CACHE_DIR": scratch})
        # Loading the language profiles (once per process, ~1 s) is no part of a page's cost.
        service.prepare(RawArticle(id="warm", text="Title\nA first sentence to warm up."))
        for name, page in pages.items():
            raw = (
                RawArticle(id=name, html=page)
                if page.startswith("<")
                else RawArticle(id=name, text=page)
            )

            def clean(raw: RawArticle = raw) -> None:
                try:
                    service.prepare(raw)
                except Exception as exc:  # noqa: BLE001 - a refusal is a result too
                    if not hasattr(exc, "status"):
                        raise

            figures[f"pipeline.{name}"] = min(timed(clean) for _ in range(REPEATS))
    return figures


ARTICLE_GOAL_S = 0.1
"""Normalizing a 10,000-word article of every kind of token, caches warm as in a service."""


def article_figure() -> float:
    """Best of three: normalizing 10,000 words of dates, money, times, addresses..."""
    paragraph = (
        "On May 5, 2024 the council paid $48.6 million (12%) for 2,500 km of road, "
        "Dr. Smith said at 2:15 p.m. in the U.S. after a 7-4 vote; visit www.example.com "
        "for the 21st report. "
    )
    text = paragraph * (10_000 // len(paragraph.split()) + 1)
    n.normalize(text, "en")  # warm the number caches, as a running service has them
    return min(timed(lambda: n.normalize(text, "en")) for _ in range(3))


def main() -> None:
    size = int(os.environ.get("ADVERSARIAL_BYTES", INPUT_BYTES))
    figures = {**sanitize_figures(size), **normalize_figures(size), **pipeline_figures(size)}
    rounded = {k: round(v, 3) for k, v in figures.items()}
    worst_rule = max(rounded, key=rounded.__getitem__)
    print(
        json.dumps(
            {
                "bench": "adversarial",
                "clock": "process CPU time, best of 3",
                "worst_s": rounded,
                "max_s": rounded[worst_rule],
                "slowest": worst_rule,
                "growth_x4": GROWTH,
                "goal_s": GOAL_S,
                "input_bytes": size,
                "article_10000_words_s": round(article_figure(), 3),
                "article_goal_s": ARTICLE_GOAL_S,
            }
        )
    )


if __name__ == "__main__":
    main()
