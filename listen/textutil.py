"""Small text helpers shared by the extract and sanitize stages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

TERMINAL = tuple(".!?…:;\"'”’»)")
"""Characters a sentence (not a headline or a label) ends with."""


# C0 and C1 control characters that are not white space (NUL, ESC, DEL, …): an engine
# reads them as noise or stops at them, and a title shows them as boxes. Tab, line
# breaks and the separators Python counts as white space become spaces instead.
CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_SPACE = re.compile(r"\s+")


def clean_space(text: str) -> str:
    """Collapse all white space (including NBSP and zero-width) to single spaces; drop controls."""
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u00ad", "")
    return _SPACE.sub(" ", CONTROL.sub("", text)).strip()


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """Comparison form of a text: case-folded, without accents, letters and digits only.

    Accents go because publishers drop them in labels ("Siguenos", "ESCUCHA ESTA NOTA").
    """
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", text).strip()


def word_count(text: str) -> int:
    return len(text.split())


@lru_cache(maxsize=4096)
def phrase_key(phrase: str) -> str:
    """:func:`key` of a phrase from the tables, computed once."""
    return key(phrase)


@lru_cache(maxsize=64)
def _by_first_word(phrase_list: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """A table's phrases by the first word of their key, in the table's order."""
    index: dict[str, list[str]] = {}
    for phrase in phrase_list:
        index.setdefault(phrase_key(phrase).split(" ", 1)[0], []).append(phrase)
    return {first: tuple(found) for first, found in index.items()}


def starts_with_phrase(text: str, phrase_list: Iterable[str]) -> str | None:
    """The phrase ``text`` starts with, as a whole word, if any.

    Only the phrases sharing the text's first word are tried: a page of many short
    blocks costs one look-up each, not one per phrase of the table.
    """
    k = key(text)
    first = k[: k.find(" ")] if " " in k else k
    for phrase in _by_first_word(tuple(phrase_list)).get(first, ()):
        p = phrase_key(phrase)
        if k.startswith(p) and (len(k) == len(p) or k[len(p)] == " "):
            return phrase
    return None


def is_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)
