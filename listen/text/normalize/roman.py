"""Roman numerals: "Henry VIII" -> "Henry the Eighth", "World War II" -> "World War two",
"siglo XIX" / "s. XIX" -> "siglo diecinueve", "la II Guerra Mundial" -> "la segunda …".

A numeral is read only where its neighbours say it is one: after a regnal or papal name
(an ordinal), after a noun that numbers things (chapter, war, capítulo: a cardinal), around
a century, after a Spanish article before a capitalised noun, or, made of I, V and X and at
least two letters long, after another capitalised word ("Apollo XI", "Rocky II"). Anything
else that is spelled like a numeral stays as written: "I" the pronoun, "V for Vendetta",
"CD", "DC", "MD", "XL", "MIX". A match holds the word before the numeral, a second numeral
joined to it ("los siglos XV y XVI") and looks at the word after it: one regular
expression pass (linear: the word before is taken atomically, at word starts only) and a
memoized decision per distinct match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from listen.text.language import SUPPORTED
from listen.text.normalize import data
from listen.text.normalize.numerals import alternation, cardinal, ordinal_en, ordinal_es
from listen.text.textutil import split_sub

# Not an initial ("John D. Rockefeller", "Louis C.K."): no period and letter after it.
# Not an abbreviation ("C/ Mayor"); a single L, C, D or M is a letter, never read.
_NUMERAL = r"(?<![\w.'’-])([IVXLCDM]{2,}|[IVX])(?:(?=['’]s\b)|(?![\w'’/-]|\.\w))"
_ROMAN = {
    lang: re.compile(
        r"(?:(?<!\S)((?>([^\W\d_][\w'’]*)[^\S\n]+)))?"  # the word before, with its spaces
        r"((s\.|S\.)[^\S\n]?)?"  # Spanish "s." (siglo)
        + _NUMERAL
        + rf"(?:([^\S\n]+({alternation(data.JOINERS[lang])})[^\S\n]+){_NUMERAL})?"
        r"(?:(?=[^\S\n]+([^\W\d_][\w'’]*)))?"  # the word after
    )
    for lang in SUPPORTED
}
_VALID = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def value(numeral: str) -> int:
    """The value of a well-formed numeral ("XIV" -> 14); 0 if it is not one."""
    if not _VALID.fullmatch(numeral):
        return 0
    total = 0
    for letter, following in zip(numeral, [*numeral[1:], ""], strict=True):
        n = _VALUES[letter]
        total += -n if following and _VALUES[following] > n else n
    return total


def _regnal(n: int, name: str, language: str) -> str:
    if language == "en":
        return f"{data.REGNAL_THE['en']} {ordinal_en(n)}"
    if n > 10:
        return cardinal(n, "es")
    return ordinal_es(n, "f" if name in data.FEMININE_REGNAL_ES else "m")


def say(
    numeral: str, century: str | None, last: str | None, after: str, language: str
) -> str | None:
    """The words for ``numeral`` after the word ``last`` and before the word ``after``, or
    None where it is not read as a number. ``century`` is a Spanish "s." before it."""
    n = value(numeral)
    if not n:
        return None
    if century is not None:
        return f"{data.CENTURY_ES[century]} {cardinal(n, 'es')}" if language == "es" else None
    if language == "en" and after.lower() in data.ROMAN_ORDINAL_BEFORE_EN:
        return ordinal_en(n)
    if last is None:
        return None
    if language == "es" and last in data.CENTURY_ES:
        return cardinal(n, "es")
    # Regnal numbers and single letters are I, V and X only: "John D" and "Type C" are letters.
    plain = set(numeral) <= {"I", "V", "X"}
    if last in data.REGNAL_NAMES[language]:
        return _regnal(n, last, language) if plain else None
    if last.lower() in data.ROMAN_CARDINAL_AFTER[language]:
        return cardinal(n, language) if plain or len(numeral) >= 2 else None
    if language == "es" and last.lower() in data.ROMAN_ARTICLES_ES:
        if plain and after[:1].isupper():  # "el XV Congreso": "decimoquinto"
            feminine = data.ROMAN_ARTICLES_ES[last.lower()]
            return ordinal_es(n, "f" if feminine else "apocope")
        return None
    # After one capitalised word ("Apollo XI", "Rocky II"), not a sentence's first word and
    # not a headline in capitals ("VISITS XI JINPING").
    titled = last[0].isupper() and not last.isupper()
    if plain and len(numeral) >= 2 and titled and last not in data.SENTENCE_STARTERS[language]:
        return cardinal(n, language)
    return None


@lru_cache(maxsize=4096)
def _say_match(
    language: str,
    before: str | None,
    last: str | None,
    century_text: str | None,
    century: str | None,
    numeral: str,
    joined: str | None,
    joiner: str | None,
    second: str | None,
    after: str | None,
) -> str:
    """The words of one match of :data:`_ROMAN`, or the match as written."""
    rest = f"{joined or ''}{second or ''}"
    spoken = say(numeral, century, last, joiner or after or "", language)
    if spoken is None:
        return f"{before or ''}{century_text or ''}{numeral}{rest}"
    # "los siglos XV y XVI": the second is read as the first is ("Henry VIII and I" is not)
    if second is not None and not (language == "en" and second == "I"):
        then = say(second, century, last, after or "", language)
        if then is not None:
            rest = f"{joined}{then}"
    return f"{before or ''}{spoken}{rest}"


def roman_numerals(text: str, language: str) -> str:
    """Read the Roman numerals of ``text`` where the words around them say they are ones."""
    if not any(letter in text for letter in "IVXLCDM"):
        return text
    return split_sub(_ROMAN[language], text, _say_match, language)
