"""Main text: a full page's blocks -> the blocks that are its article, by agreement of extractors.

Our walk (:func:`listen.text.extract.walk`) keeps the structure (paragraph boundaries,
standfirst, link text); the extractors decide *what* is the article. trafilatura (in its
default, precise mode) knows the boilerplate of real sites best, so what it keeps is kept.
It also drops real paragraphs (a code sample, a question above its answers, a table of
figures); a block it dropped is kept when at least :data:`AGREEMENT` of the other
extractors (trafilatura in recall mode, readability, jusText), which err in different
ways, hold it. Then prose in the same template as the kept paragraphs is the rest of the
article (trafilatura sometimes stops at the first chunk of a long one): long sentences
anywhere, short ones between the first and last kept blocks.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable

import lxml.etree
import lxml.html

from listen.models import Block
from listen.text.textutil import is_sentence, key

log = logging.getLogger(__name__)

Extractor = Callable[[lxml.html.HtmlElement], "str | None"]
"""The main text an extractor finds in a (cleaned) page, or None where it finds none."""

AGREEMENT = 2
"""Second opinions (of :data:`SECOND_OPINIONS`) that keep a block trafilatura dropped."""

MAX_OPINION_BLOCKS = 1_000
"""Blocks a page may have for second opinions to be asked: jusText revises each paragraph
against its neighbours, quadratic in a page of many short ones (1,700 blocks took 0.6 s).
A busier page is judged by trafilatura alone; real articles have far fewer (median 60)."""

MATCHED_SHINGLES = 0.6
"""Share of a block's word trigrams an extractor's text must hold to count as holding it."""


WHOLE_LINE_WORDS = 3
"""A block shorter than this many words is held only as a whole line of the extractor's text or
right after the block before it: a one-word label ("Government", "Support") is found inside
any article that uses the word."""

PROSE_WORDS = 30
"""Words of a sentence in the article's template that is the article wherever it stands
(after the part trafilatura kept, where it stopped at the first chunk of a long article)."""

ENCLOSED_PROSE_WORDS = 8
"""Words of a sentence in the article's template, between the first and last kept blocks, that
is the article too: a short question above its answers, a one-line definition."""

MAX_OPINION_DEPTH = 128
"""Nesting a page may have for second opinions to be asked (three times the deepest page of
the test corpus, 41). jusText, inside trafilatura's own fallback too, walks up from every
paragraph to the root: a page 2,000 elements deep took 2.5 s. A deeper page is judged by
trafilatura's main extractor alone, which costs the same at any depth."""


def _trafilatura(
    doc: lxml.html.HtmlElement, *, recall: bool = False, fast: bool = False
) -> str | None:
    import trafilatura

    return trafilatura.extract(
        copy.deepcopy(doc),
        fast=fast,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        favor_recall=recall,
    )


def trafilatura_precise(doc: lxml.html.HtmlElement) -> str | None:
    """trafilatura as it is by default: the judge whose choice is always kept."""
    return _trafilatura(doc)


def trafilatura_alone(doc: lxml.html.HtmlElement) -> str | None:
    """trafilatura's main extractor without its fallback (readability and jusText)."""
    return _trafilatura(doc, fast=True)


def trafilatura_recall(doc: lxml.html.HtmlElement) -> str | None:
    """trafilatura favouring recall: keeps more of the page, boilerplate too."""
    return _trafilatura(doc, recall=True)


def readability(doc: lxml.html.HtmlElement) -> str | None:
    """readability-lxml (Arc90's algorithm): the densest cluster of paragraphs."""
    from readability import Document

    summary = Document(copy.deepcopy(doc)).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary else None


def justext(doc: lxml.html.HtmlElement) -> str | None:
    """jusText: paragraphs classified by length, link density and stop words."""
    import justext as jt

    paragraphs = jt.justext(lxml.html.tostring(doc), _stoplist())
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _stoplist() -> frozenset[str]:
    """English and Spanish stop words at once: it runs before language detection."""
    import justext as jt

    global _STOPLIST
    if _STOPLIST is None:
        _STOPLIST = frozenset(jt.get_stoplist("English")) | frozenset(jt.get_stoplist("Spanish"))
    return _STOPLIST


_STOPLIST: frozenset[str] | None = None

SECOND_OPINIONS: tuple[Extractor, ...] = (trafilatura_recall, justext, readability)
"""Extractors asked about the blocks trafilatura dropped, the quickest first."""


def _run(extractor: Extractor, doc: lxml.html.HtmlElement) -> str | None:
    try:
        return extractor(doc)
    except Exception as exc:  # noqa: BLE001 - extractors raise many types on odd pages
        log.warning("%s failed (%r); not counting its opinion", extractor.__name__, exc)
        return None


def held(blocks: list[Block], main: str | None) -> list[bool]:
    """Which blocks ``main`` (an extractor's text) holds: whole, or most of their trigrams.

    Blocks come in the extractor's order, so each is first looked for after the last match.
    """
    if not main:
        return [False] * len(blocks)
    text = f" {key(main)} "
    shingles = _shingles(key(main))
    lines = {key(line) for line in main.splitlines()}
    out = []
    cursor = 0
    for block in blocks:
        k = key(block.text)
        if not k:
            out.append(False)
            continue
        if k.count(" ") + 1 < WHOLE_LINE_WORDS:
            # A label: a line of its own, or the words right after the last block found.
            after = text.find(" ", cursor)
            next_words = text.startswith(f" {k} ", after)
            if next_words:
                cursor = after + len(k)
            out.append(next_words or k in lines)
            continue
        found = text.find(f" {k} ", cursor)
        if found < 0:
            found = text.find(f" {k} ")
        if found >= 0:
            cursor = found + len(k)
            out.append(True)
            continue
        own = _shingles(k)
        out.append(bool(own) and len(own & shingles) >= MATCHED_SHINGLES * len(own))
    return out


def agreed(
    judge: list[bool], opinions: Iterable[list[bool]], count: int, needed: int = AGREEMENT
) -> list[bool]:
    """A block is kept if the judge kept it, or ``needed`` of the ``count`` opinions hold it.

    ``opinions`` is consumed lazily: once no block's fate can change, the rest (the
    costly extractors still to run) are never asked.
    """
    votes = [0] * len(judge)
    pending = [i for i, kept in enumerate(judge) if not kept]
    remaining = count
    for opinion in opinions if pending else ():
        remaining -= 1
        for i in pending:
            votes[i] += opinion[i]
        # Undecided: short of the votes needed, but the opinions left could still give them.
        pending = [i for i in pending if votes[i] < needed <= votes[i] + remaining]
        if not pending:
            break
    return [kept or votes[i] >= needed for i, kept in enumerate(judge)]


def main_blocks(
    doc: lxml.html.HtmlElement, blocks: list[Block], page: lxml.html.HtmlElement | None = None
) -> list[Block]:
    """The blocks of a full page that are its article (see the module docstring).

    ``doc`` is the page without the elements that never hold article text; the second
    opinions read ``page``, the page as it was (their own rules need its classes).

    On a page too small for trafilatura's heuristics it finds nothing, and every block
    is kept.
    """
    deep = depth(doc) > MAX_OPINION_DEPTH
    main = _run(trafilatura_alone if deep else trafilatura_precise, doc)
    if not main:
        return blocks
    judge = held(blocks, main)
    if all(judge) or deep or len(blocks) > MAX_OPINION_BLOCKS:
        chosen = judge
    else:
        source = doc if page is None else page
        opinions = (held(blocks, _run(x, source)) for x in SECOND_OPINIONS)
        chosen = agreed(judge, opinions, len(SECOND_OPINIONS))
    body_containers = {b.container for b, keep in zip(blocks, chosen, strict=True) if keep}
    body_containers.discard("")
    kept = [i for i, keep in enumerate(chosen) if keep]
    first, last = (kept[0], kept[-1]) if kept else (0, 0)
    return [
        b
        for i, (b, keep) in enumerate(zip(blocks, chosen, strict=True))
        if keep
        or (
            b.container in body_containers
            and is_prose(b, ENCLOSED_PROSE_WORDS if first < i < last else PROSE_WORDS)
        )
    ]


def depth(doc: lxml.html.HtmlElement) -> int:
    """How deep the page's elements nest (one pass, no recursion)."""
    level = deepest = 0
    for event, _ in lxml.etree.iterwalk(doc, events=("start", "end")):
        level += 1 if event == "start" else -1
        deepest = max(deepest, level)
    return deepest


def is_prose(block: Block, words: int = PROSE_WORDS) -> bool:
    """A paragraph or list item of ``words`` words or more ending a sentence, mostly not links."""
    return (
        block.kind in ("paragraph", "item")
        and len(block.text.split()) >= words
        and is_sentence(block.text)
        and block.link_ratio < 0.3
    )


def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}
