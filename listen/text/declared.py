"""Declared body: the article text a page declares (schema.org ``articleBody`` in JSON-LD).

Some pages render their story with scripts: the HTML a reader's browser starts from holds
a summary and the site's chrome, and the story itself only in the page's structured data.
When the blocks chosen from the HTML hold under :data:`MIN_COVERAGE` of a declared
body :data:`LONGER` times longer than they are, what a listener would hear is not the
article, so the declared body is spoken instead, cut into paragraphs (at its line
breaks, else every few sentences).
"""

from __future__ import annotations

import json
import logging
import re

import lxml.html

from listen.models import Block
from listen.text.textutil import clean_space, key

log = logging.getLogger(__name__)

MIN_WORDS = 80
"""A declared body shorter than this is a summary, not the article."""

MIN_COVERAGE = 0.5
"""Share of the declared body's word trigrams the chosen blocks must hold."""

LONGER = 2
"""The declared body must be this many times longer than the chosen blocks to replace
them: a page that says more than its declared body (a live blog declaring one entry)
keeps what it says."""

PARAGRAPH_WORDS = 80
"""A declared body without line breaks is cut into paragraphs of about this many words."""

MAX_JSON_CHARS = 2_000_000
"""Longest JSON-LD script read (a page's own size limit comes first)."""

# A sentence ends at . ! ? … (and a closing quote) before a space and a capital or an
# opening mark. One class per position, no nested quantifiers: linear.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’»)]?\s+(?=[\"“¿¡(«]?[A-ZÁÉÍÓÚÑ])")


def declared_body(doc: lxml.html.HtmlElement) -> str | None:
    """The longest ``articleBody`` in the page's JSON-LD scripts, or None."""
    best = ""
    for script in doc.xpath('//script[contains(@type, "ld+json")]'):
        text = script.text or ""
        if not text.strip() or len(text) > MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        for body in _article_bodies(data):
            if len(body) > len(best):
                best = body
    return best.strip() or None


def _article_bodies(data: object) -> list[str]:
    """Every string ``articleBody`` in a JSON document, walked without recursion."""
    found = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            body = node.get("articleBody")
            if isinstance(body, str):
                found.append(body)
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return found


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = key(text).split()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def coverage(body: str, blocks: list[Block]) -> float:
    """Share of ``body``'s word trigrams that the blocks hold."""
    wanted = _trigrams(body)
    if not wanted:
        return 1.0
    have = _trigrams(" \n ".join(b.text for b in blocks))
    return len(wanted & have) / len(wanted)


def paragraphs(body: str, words: int = PARAGRAPH_WORDS) -> list[str]:
    """The declared body as paragraphs: its own lines, else runs of whole sentences."""
    lines = [clean_space(line) for line in body.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > 1:
        return lines
    out: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in _SENTENCE_END.split(clean_space(body)):
        current.append(sentence)
        count += len(sentence.split())
        if count >= words:
            out.append(" ".join(current))
            current, count = [], 0
    if current:
        out.append(" ".join(current))
    return out


def prefer_declared(blocks: list[Block], body: str | None) -> list[Block]:
    """The chosen blocks, or the declared body where they hold too little of it."""
    declared_words = len(body.split()) if body is not None else 0
    spoken_words = sum(len(b.text.split()) for b in blocks)
    if body is None or declared_words < max(MIN_WORDS, LONGER * spoken_words):
        return blocks
    covered = coverage(body, blocks)
    if covered >= MIN_COVERAGE:
        return blocks
    log.info(
        "the page's blocks hold %.0f%% of the articleBody it declares; speaking that instead",
        100 * covered,
    )
    return [Block("paragraph", text) for text in paragraphs(body)]
