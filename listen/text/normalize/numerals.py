"""Numbers: saying numbers, amounts, ordinals and years in English and Spanish.

The helpers :mod:`listen.text.normalize` builds its steps on: integers through num2words
(with its Spanish slips corrected), amounts parsed with each language's separators,
agreement of Spanish numerals with the noun that follows, ordinals and years.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple

from num2words import num2words

from listen.text.normalize import data
from listen.text.normalize.data import Noun

MAX_DIGITS = 15
"""Longer digit runs (card numbers, IDs) are read digit by digit; num2words' limit is 27."""


def alternation(keys: Iterable[str]) -> str:
    """A regex alternation of literal keys, longest first so "km/h" wins over "km"."""
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


def first_chars(keys: Iterable[str]) -> str:
    """A character class of the first character of any key."""
    return "[" + re.escape("".join(sorted({k[0] for k in keys}))) + "]"


def first_of(keys: Iterable[str]) -> str:
    """A look-ahead for the first character of any key: one test instead of one per key
    where the alternation that follows cannot match (most places after a number)."""
    return f"(?={first_chars(keys)})"


_US_AND = re.compile(r",| and(?= )")
_ES_SHORT_UNO = re.compile(r"\b(?:veinti)?uno(?= (?:" + "|".join(data.APOCOPE_BEFORE) + r")\b)")
_ES_TAIL = re.compile(r"^(.*\b(?:" + "|".join(data.DE_BEFORE_NOUN) + r") ?)?(.*)$")
_ES_MASCULINE = re.compile(rf"\b(?:{'|'.join(data.MASCULINE_ES)})$")
_ES_FEMININE = re.compile(
    rf"\b(?:{'|'.join(data.FEMININE_ES)})\b|(?:{'|'.join(data.FEMININE_ENDINGS_ES)})\b"
)
_ES_FEMININE_FORMS = {**data.FEMININE_ES, **data.FEMININE_ENDINGS_ES}


@lru_cache(maxsize=8192)
def cardinal(n: int, language: str) -> str:
    """1200 -> "one thousand two hundred" (US: no "and", no commas) / "mil doscientos"."""
    if language == "en":
        return _US_AND.sub("", str(num2words(n, lang="en")))
    # num2words writes "veintiuno mil"; Spanish shortens "uno" before mil and millones.
    words = str(num2words(n, lang="es"))
    return _ES_SHORT_UNO.sub(lambda m: data.MASCULINE_ES[m.group(0)], words)


def say_digits(digits: str, language: str) -> str:
    return " ".join(cardinal(int(d), language) for d in digits)


LONGEST_READ = 30
"""Digits read one by one at most; a longer run is said as its length ("a 40-digit number")."""


def say_integer(digits: str, language: str) -> str:
    """A whole number; "007" and over-long runs digit by digit, very long ones by length."""
    if len(digits) > LONGEST_READ:
        return data.LONG_NUMBER[language].format(cardinal(len(digits), language))
    if (len(digits) > 1 and digits[0] == "0") or len(digits) > MAX_DIGITS:
        return say_digits(digits, language)
    return cardinal(int(digits), language)


def agree(words: str, language: str, feminine: bool) -> str:
    """Spanish cardinal before a noun: "un kilómetro", "veintiún euros", "doscientas casas"."""
    if language != "es":
        return words
    match = _ES_TAIL.match(words)
    head, tail = (match.group(1) or "", match.group(2)) if match else ("", words)
    # Only the part after "millones" agrees: "doscientos millones de casas".
    if feminine:
        tail = _ES_FEMININE.sub(lambda m: _ES_FEMININE_FORMS[m.group(0)], tail)
    else:
        tail = _ES_MASCULINE.sub(lambda m: data.MASCULINE_ES[m.group(0)], tail)
    return head + tail


def de(words: str, language: str) -> str:
    """Spanish joins "millones" to its noun with "de": "dos millones de euros"."""
    return " de" if language == "es" and words.endswith(data.DE_BEFORE_NOUN) else ""


class Amount(NamedTuple):
    """A written number: whole-part digits, fraction digits, and the decimal mark used."""

    whole: str
    fraction: str = ""
    separator: str = ""

    @property
    def is_one(self) -> bool:
        return self.whole == "1" and not self.separator


# A number is taken whole (atomic group); a plain space joins only a 3-digit group ("21 000").
NUM = r"(?>[0-9]+(?:(?:[.,\u00a0\u202f\u2009]| (?=[0-9]{3}(?![0-9])))[0-9]+)*)"
# Not glued to a word: skips "G7", "COVID-19", "B-52". The lookahead first is for speed.
# Nor inside a longer number: after "1 " (before three digits) or "1\u00a0" a number is
# the rest of one that started earlier. Without that, "100 100 100 …" would be scanned
# again from each of its spaces by every step that fails after the number: quadratic.
START = (
    r"(?=[0-9])(?<![\w.,])(?<![^\W\d_]-)(?<![0-9][\u00a0\u202f\u2009])"
    r"(?:(?<![0-9] )|(?![0-9]{3}(?![0-9])))"
)


def sign(group: str = "sign") -> str:
    """An optional sign before a number, not a hyphen after a word ("B-52").

    The sign is looked for before the look-behind is tried: at most digits there is none."""
    return rf"(?=[-−+0-9])(?:(?=[-−+])(?<![\w.,)\]])(?P<{group}>[-−+])(?=[0-9]))?"


SIGN = sign()
END = r"(?![^\W\d_])"  # not glued to letters: skips "3D", "5G"
_SEPARATOR = re.compile(r"([.,\u00a0\u202f\u2009 ])")


def _grouped(groups: list[str]) -> bool:
    """Digit groups that read as thousands: "1", or "38" "412", never "0" "500"."""
    if len(groups) == 1:
        return True
    head = groups[0]
    return 1 <= len(head) <= 3 and head[0] != "0" and all(len(g) == 3 for g in groups[1:])


def parse_amount(token: str, language: str, money: bool = False) -> Amount | None:
    """Read the separators of a number; None when it is no single number ("3.11.7").

    A lone comma or period before exactly three digits groups thousands ("1,200",
    Spanish "38.412"), except an English period ("3.750" is a decimal there) unless the
    number is ``money`` ("COP 2.000": prices have two decimals). A lone comma before
    other than three digits is a Spanish decimal ("9,3") but an English list ("1,5" ->
    "one, five"). With both marks the last is the decimal ("1,000.5", "1.000,5",
    Mexican "1,200.50"); a space only ever groups ("38 412", "21 000").
    """
    parts = _SEPARATOR.split(token)
    groups, marks = parts[0::2], parts[1::2]
    if not marks:
        return Amount(token)
    last, grouping = marks[-1], marks[:-1]
    if not grouping and last in ".," and len(groups[1]) == 3 and _grouped(groups):
        if last == "," or language == "es" or money:
            return Amount("".join(groups))
        return Amount(groups[0], groups[1], last)
    if len(set(marks)) == 1 and (grouping or last not in ".,") and _grouped(groups):
        return Amount("".join(groups))
    if last in ".," and last not in grouping and len(set(grouping)) <= 1:
        if _grouped(groups[:-1]) and not (last == "," and not grouping and language == "en"):
            return Amount("".join(groups[:-1]), groups[-1], last)
    return None


def say_amount(amount: Amount, language: str) -> str:
    """ "three point seven five"; Spanish reads short fractions whole: "nueve coma treinta"."""
    whole = say_integer(amount.whole, language)
    if not amount.separator:
        return whole
    fraction = amount.fraction
    if language == "es" and len(fraction) <= 2 and fraction[0] != "0":
        spoken = cardinal(int(fraction), language)
    else:
        spoken = say_digits(fraction, language)
    return f"{whole} {data.DECIMAL_WORD[language][amount.separator]} {spoken}"


def say_number(token: str, language: str) -> str:
    """Any digit string: a number if it parses as one, else its groups ("three dot eleven")."""
    amount = parse_amount(token, language)
    if amount is not None:
        return say_amount(amount, language)
    parts = _SEPARATOR.split(token)
    groups, marks = parts[0::2], parts[1::2]
    # Each distinct group said once and one join: a token of a few hundred thousand groups
    # ("1,1,1,…") costs a dictionary look-up per group, not a copy of the words so far.
    words = {digits: say_integer(digits, language) for digits in set(groups)}
    parts[0::2] = map(words.__getitem__, groups)
    parts[1::2] = map(data.GROUP_JOINER[language].get, marks, repeat(" "))
    return "".join(parts)


def count(amount: Amount, noun: Noun, language: str, magnitude: str = "") -> str:
    """A number and its noun, agreeing: "one kilometer", "una hectárea", "un millón de euros"."""
    number = say_amount(amount, language)
    if not amount.separator and not magnitude:
        number = agree(number, language, noun.feminine)
    number = f"{number} {magnitude}" if magnitude else number
    word = noun.singular if amount.is_one and not magnitude else noun.plural
    return f"{number}{de(number, language)} {word}"


def signed(sign: str | None, words: str, language: str) -> str:
    if not sign:
        return words
    return f"{data.PLUS[language] if sign == '+' else data.MINUS[language]} {words}"


def ordinal_es(n: int, form: str) -> str:
    """Spanish ordinal 1-999 from parts, in the form of its indicator (m, f, mp, fp, apocope)."""
    if not 0 < n < 1000:
        return cardinal(n, "es")  # the RAE accepts cardinals for long ordinals
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    if tens == 1:
        parts = [data.ORDINAL_HUNDREDS_ES[hundreds], data.ORDINAL_TEENS_ES[units]]
    else:
        parts = [
            data.ORDINAL_HUNDREDS_ES[hundreds],
            data.ORDINAL_TENS_ES[tens],
            data.ORDINAL_UNITS_ES[units],
        ]
    words = " ".join(p for p in parts if p)
    if form.startswith("f"):
        words = re.sub(r"o\b", "a", words)
    if form == "apocope":
        words = re.sub(r"(primer|tercer)o$", r"\1", words)
    return words + "s" if form.endswith("p") else words


@lru_cache(maxsize=1024)
def ordinal_en(n: int) -> str:
    return _US_AND.sub("", str(num2words(n, lang="en", to="ordinal")))


@lru_cache(maxsize=1024)
def year_en(n: int) -> str:
    """1931 -> "nineteen thirty-one", 2007 -> "two thousand seven", 1905 -> "nineteen oh five"."""
    return _US_AND.sub("", str(num2words(n, lang="en", to="year"))).replace("oh-", "oh ")


def say_year(n: int, language: str) -> str:
    return year_en(n) if language == "en" else cardinal(n, language)


NEXT_WORD = re.compile(r"[^\S\n]+(\w+)")
AFTER_ABBREVIATION = re.compile(r"[^\S\n]*(?:$|\n)|[^\S\n]+(?:[\"“«¿¡]|(\w+))")


def ends_sentence_after_time(text: str, end: int, language: str) -> bool:
    """Does the period of a time's "p.m." ending at ``end`` also end the sentence?

    Yes at the end of the text or line, before an opening quote, or before a capital: a
    time is seldom followed by a name, so any capital but a time zone or a weekday ("8 p.m.
    Eastern time") starts a new sentence.
    """
    match = AFTER_ABBREVIATION.match(text, end)
    if not match:
        return False
    word = match.group(1)
    return word is None or (word[0].isupper() and word not in data.CONTINUES_AFTER_TIME[language])
