"""Small text helpers shared by the extract, sanitize and normalize stages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import repeat
from typing import Any

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


def split_sub(pattern: re.Pattern[str], text: str, say: Callable[..., str], language: str) -> str:
    """``pattern.sub`` for words that depend on a match's groups alone, in one C pass.

    ``say(language, *groups)`` is memoized, and called through ``map`` on the columns of
    ``pattern.split``: no match object and no Python callback per match, which made a
    page of hundreds of thousands of prices take seconds.
    """
    parts = pattern.split(text)
    if len(parts) == 1:
        return text
    width = pattern.groups
    columns = [parts[i :: width + 1] for i in range(1, width + 1)]
    return joined_split(parts, width, map(say, repeat(language), *columns))


def joined_split(parts: list[Any], width: int, spoken: Iterable[str]) -> str:
    """``pattern.split`` parts (text, then ``width`` groups per match) with each match said."""
    texts = parts[0 :: width + 1]
    out: list[str] = [""] * (2 * len(texts) - 1)
    out[0::2] = texts
    out[1::2] = spoken
    return "".join(out)
