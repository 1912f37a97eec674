"""Chunk: a passage's spoken text -> chunks short enough for one gTTS request each.

Google's endpoint takes about 100 characters a request. gTTS's own tokenizer cuts
wherever the limit falls, which is heard as a pause in the middle of a sentence.
Here sentences are never cut unless one is longer than the limit; then it is cut at
clause boundaries (, ; : — –), then between words. Short sentences are packed
together up to the limit, so a paragraph costs as few requests as it can.
"""

from __future__ import annotations

import re

LIMIT = 100
"""Characters per gTTS request (gTTS's own GOOGLE_TTS_MAX_CHARS)."""

# A sentence ends at . ! ? … (and closing quotes/brackets after them) before white space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
# Clause boundaries, kept with the clause they end.
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–]\s)")


def sentences(text: str) -> list[str]:
    """Split text into sentences, keeping their punctuation."""
    parts = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        sentence = text[start:end].strip()
        if sentence:
            parts.append(sentence)
        start = end
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _split_long(sentence: str, limit: int) -> list[str]:
    """A sentence longer than the limit: clauses, then words, then (rarely) hard cuts."""
    out: list[str] = []
    for clause in (c.strip() for c in _CLAUSE_END.split(sentence)):
        if not clause:
            continue
        if len(clause) <= limit:
            out.append(clause)
            continue
        for word in clause.split():
            while len(word) > limit:  # no spaces at all: cut, rather than drop text
                out.append(word[:limit])
                word = word[limit:]
            out.append(word)
    return _pack(out, limit)


def _pack(parts: list[str], limit: int) -> list[str]:
    """Join consecutive parts while they fit in the limit."""
    packed: list[str] = []
    for part in parts:
        if packed and len(packed[-1]) + 1 + len(part) <= limit:
            packed[-1] = f"{packed[-1]} {part}"
        else:
            packed.append(part)
    return packed


def chunks(text: str, limit: int = LIMIT) -> list[str]:
    """Cut ``text`` into request-sized chunks at the best boundaries available."""
    text = " ".join(text.split())
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    for sentence in sentences(text):
        parts.extend([sentence] if len(sentence) <= limit else _split_long(sentence, limit))
    # Whole sentences are packed together; a cut sentence's parts are not mixed
    # with its neighbours beyond what fits.
    return _pack(parts, limit)
