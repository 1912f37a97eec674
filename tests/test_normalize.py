"""Normalizer: every rule by in/out tables in English and Spanish, plus properties."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listen.errors import UnsupportedLanguage
from listen.text import normalize as n
from listen.text.normalize import data as spoken_data
from listen.text.normalize import normalize, roman


def check(language: str, text: str, spoken: str) -> None:
    assert normalize(text, language) == spoken


# ---------------------------------------------------------------- in/out tables

# tests/speech/<language>.tsv: class, written, spoken[, note]; <language>.known-wrong.tsv:
# class, written, spoken, reason (a row the normalizer still gets wrong, expected to fail).
TABLES = Path(__file__).parent / "speech"
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))")
_ESCAPED = {"n": "\n", "t": "\t", "\\": "\\"}


def _unescape(field: str) -> str:
    return _ESCAPE.sub(
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else _ESCAPED[m.group(2)], field
    )


def read_table(name: str) -> list[tuple[int, list[str]]]:
    """The rows of tests/speech/<name>.tsv with their line numbers (comments, header skipped)."""
    rows = []
    path = TABLES / f"{name}.tsv"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line and not line.startswith("#") and not line.startswith("class\t"):
            fields = [_unescape(field) for field in line.split("\t")]
            assert 3 <= len(fields) <= 4, f"{path.name}:{number}: {len(fields)} columns"
            rows.append((number, fields))
    return rows


def table_params(known_wrong: bool = False) -> list[Any]:
    params = []
    for language in ("en", "es"):
        name = f"{language}.known-wrong" if known_wrong else language
        for number, (kind, written, spoken, *extra) in read_table(name):
            marks = [pytest.mark.xfail(strict=True, reason=extra[0])] if known_wrong else []
            row_id = f"{language}:{number}:{kind}"
            params.append(pytest.param(language, written, spoken, id=row_id, marks=marks))
    return params


@pytest.mark.parametrize("language, text, spoken", table_params())
def test_table(language, text, spoken):
    check(language, text, spoken)


@pytest.mark.parametrize("language, text, spoken", table_params(known_wrong=True))
def test_known_wrong(language, text, spoken):
    check(language, text, spoken)


def test_every_known_wrong_row_says_why():
    for language in ("en", "es"):
        for number, fields in read_table(f"{language}.known-wrong"):
            assert len(fields) == 4 and fields[3].strip(), f"{language}.known-wrong.tsv:{number}"


@pytest.mark.parametrize(
    "token, language, amount",
    [
        ("1,000.5", "en", n.Amount("1000", "5", ".")),
        ("1.000,5", "es", n.Amount("1000", "5", ",")),
        ("1,200", "en", n.Amount("1200")),
        ("1,200", "es", n.Amount("1200")),
        ("38.412", "es", n.Amount("38412")),
        ("38.412", "en", n.Amount("38", "412", ".")),
        ("9,3", "es", n.Amount("9", "3", ",")),
        ("9,3", "en", None),
        ("3.11.7", "en", None),
        ("0,500", "es", n.Amount("0", "500", ",")),
        ("1,2,3", "es", None),
        ("1.000.000,25", "es", n.Amount("1000000", "25", ",")),
    ],
)
def test_parse_amount(token, language, amount):
    assert n.parse_amount(token, language) == amount


def test_money_reads_a_period_before_three_digits_as_thousands():
    assert n.parse_amount("2.000", "en", money=True) == n.Amount("2000")


@pytest.mark.parametrize("language", ["en-US", "es_MX", "ES", "En"])
def test_region_tags_are_accepted(language):
    assert normalize("5", language) in ("five", "cinco")


def test_an_unsupported_language_is_an_error():
    with pytest.raises(UnsupportedLanguage, match="fr"):
        normalize("5", "fr")


def test_every_step_has_a_one_line_docstring():
    for step in n.STEPS:
        assert step.__doc__ and "\n" not in step.__doc__.strip(), step.__name__


def test_every_language_has_every_table():
    for name in dir(spoken_data):
        table = getattr(spoken_data, name)
        if isinstance(table, dict) and set(table) & {"en", "es"}:
            assert set(table) == {"en", "es"}, name


# ---------------------------------------------------------------- properties

LANGUAGES = st.sampled_from(["en", "es"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), LANGUAGES)
def test_never_crashes(text, language):
    assert isinstance(normalize(text, language), str)


_ABBREVIATED = {
    key.rstrip(".")
    for table in (spoken_data.TITLES, spoken_data.ABBREVIATIONS, spoken_data.BEFORE_NUMBER)
    for keys in table.values()
    for key in keys
}
WORDS = st.text(st.characters(categories=["L"]), min_size=1, max_size=8).filter(
    lambda w: unicodedata.normalize("NFC", w) == w and w not in _ABBREVIATED and not roman.value(w)
)
SEPARATORS = st.sampled_from([" ", ", ", "; ", " - ", "\n", " * ", " | ", " • ", " → ", "! "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPARATORS), min_size=1, max_size=12), LANGUAGES)
def test_letters_outside_handled_tokens_are_kept(pieces, language):
    text = "".join(word + separator for word, separator in pieces)
    spoken = normalize(text, language)
    position = 0
    for word, _ in pieces:
        position = spoken.find(word, position)
        assert position >= 0, (word, spoken)
        position += len(word)


def _amount(draw, language: str) -> str:
    whole = draw(st.integers(min_value=0, max_value=10**9))
    thousands, decimal = (",", ".") if language == "en" else (".", ",")
    grouped = f"{whole:,}".replace(",", thousands) if draw(st.booleans()) else str(whole)
    if draw(st.booleans()):
        grouped += decimal + str(draw(st.integers(min_value=0, max_value=999)))
    return grouped


@st.composite
def numeric_phrases(draw):
    language = draw(LANGUAGES)
    amount = _amount(draw, language)
    currency = draw(st.sampled_from(sorted(spoken_data.CURRENCIES[language])))
    magnitude = draw(st.sampled_from(["", *sorted(spoken_data.MAGNITUDES[language])]))
    unit = draw(st.sampled_from(sorted(spoken_data.UNITS[language])))
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    year = draw(st.integers(1000, 2099))
    shape = draw(
        st.sampled_from(
            [
                f"{currency}{amount}",
                f"{currency} {amount} {magnitude}",
                f"{amount} {currency}",
                f"{amount}%",
                f"{amount} {unit}",
                f"-{amount}",
                f"{amount}-{draw(st.integers(0, 99))}",
                f"{draw(st.integers(1, 999))}{'th' if language == 'en' else '.º'}",
                f"{day}/{month}/{year}",
                f"{year}-{month:02d}-{day:02d}",
                f"{draw(st.integers(0, 23))}:{draw(st.integers(0, 59)):02d}",
                f"in {year}",
                f"{day} de {spoken_data.MONTHS['es'][month - 1]} de {year}",
                f"{spoken_data.MONTHS['en'][month - 1]} {day}, {year}",
            ]
        )
    )
    return language, f"The figure was {shape} today."


@settings(max_examples=500, deadline=None)
@given(numeric_phrases())
def test_numbers_are_all_spoken_and_normalizing_twice_changes_nothing(phrase):
    language, text = phrase
    spoken = normalize(text, language)
    assert not re.search(r"[0-9]", spoken), spoken
    assert normalize(spoken, language) == spoken


# ---------------------------------------------------------------- fast paths

# Pathological families (as in bench/adversarial.py) and ordinary text.
FAMILIES = [
    "$1 " * 300,
    "1 " * 500,
    "100 " * 300,
    "1% " * 300,
    "1st " * 300,
    "1:00 " * 300,
    "1/1/" * 300,
    "1 km " * 300,
    "+1 " * 300,
    "1\u00a0" * 300,
    "@" * 300,
    "( " * 300,
    "é" * 300,
    "\t \n " * 300,
    "US$4,5 millones y 12 € por 21 ha; 2.ª vez, 3er día.",
    "Dr. Smith paid $48.6m, up 12%, on the 21st at 2:15 p.m. (see 1 km, 2 km²).",
    "Dr. " * 300,
    "U.S. " * 300,
    "#a " * 300,
    "(@a) " * 300,
    "#MeToo @el_pais #1 a@b.es",
    "in the U.S. The Sr. Pérez, nº5, No. 3, +34 912 345 678.",
]


def _unmemoized(pattern, say, text, language):
    """The same rule as re.sub with a Python callback per match and no cache."""
    say = getattr(say, "__wrapped__", say)
    return pattern.sub(lambda m: say(language, *m.groups()), text)


@pytest.mark.parametrize("text", FAMILIES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_split_steps_equal_a_callback_per_match(text, language):
    assert n.currencies(text, language) == _unmemoized(
        n._PRICE[language, True], n._say_groups, text, language
    )
    assert n.percentages(text, language) == _unmemoized(n._PERCENT, n._say_percent, text, language)
    assert n.ordinals(text, language) == _unmemoized(
        n._ORDINAL[language], n._say_ordinal, text, language
    )
    assert n.abbreviations(text, language) == _unmemoized(
        n._ABBREVIATION[language], n._say_abbreviation, text, language
    )
    assert n.phone_numbers(text, language) == _unmemoized(
        n._PHONE_WHOLE, n._say_phone, text, language
    )
    tagged = _unmemoized(n._HASHTAG, n._say_hashtag, text, language)
    assert n.hashtags_and_handles(text, language) == _unmemoized(
        n._HANDLE, n._say_handle, tagged, language
    )
    gender = n._GENDER_ES if language == "es" else {}
    expected = n._NUMBER.sub(
        lambda m: n.say_free_number.__wrapped__(
            m.group("sign"),
            m.group(2),
            language,
            gender.get(m2.group(1)) if (m2 := n.NEXT_WORD.match(text, m.end())) else None,
        ),
        text,
    )
    assert n.numbers(text, language) == expected


@pytest.mark.parametrize(
    "function, args",
    [
        (n.say_free_number, ("-", "21", "es", True)),
        (n.say_free_number, (None, "849,1", "es", False)),
        (n.say_free_number, ("+", "1,000.5", "en", None)),
        (n._say_price, ("es", "US$4,5 millones")),
        (n._say_price, ("en", "$3.50")),
        (n._say_percent, ("es", "-", "4,5", "%")),
        (n._say_ordinal, ("es", "2", ".ª")),
        (n._say_ordinal, ("en", "1,000", "th")),
        (n._say_measure, ("es", None, "21", None, "ha")),
        (n._say_measure, ("en", "-", "2", "million", "km")),
        (n._say_abbreviation, ("en", "U.S.", "The", None, " The", "The", " ")),
        (n._say_abbreviation, ("en", "St.", "Louis", None, " Louis", "Louis", " ")),
        (n._say_abbreviation, ("es", "nº", None, "5", None, None, "5")),
        (n._say_phone, ("es", "+34 912 345 678", "+34 ", "912 345 678")),
    ],
)
def test_memoized_words_equal_the_unmemoized(function, args):
    function.cache_clear()
    first = function(*args)
    assert first == function.__wrapped__(*args) == function(*args)
    assert function.cache_info().hits == 1


@pytest.mark.parametrize(
    "text, fires",
    [
        ("at 2:15 p.m.", True),
        ("at 6 p. m.", True),
        ("a las 14.30 h", True),
        ("14:30", True),
        ("at 5pm", True),
        ("12 h", False),  # an hour alone is no time
        ("5 of them", False),
        ("1/1/" * 300, False),
        ("1:00 " * 300, True),
    ],
)
def test_times_look_ahead_for_minutes_or_am_pm(text, fires):
    assert bool(n.times.__globals__["_TIME"].search(text)) == fires
    assert (n.times(text, "en") != text) == fires


_PLAIN_SPACES = (
    (re.compile(r"[^\S\n]+"), " "),
    (re.compile(r" (?=[,.;:!?)\]}»”](?!\w))"), ""),
    (re.compile(r"([(\[{«“¿¡]) "), r"\1"),
    (re.compile(r" ?\n ?"), "\n"),
)


@pytest.mark.parametrize(
    "text",
    [*FAMILIES, " a  b\t c \n d ", "( a ) [ b ] ¿ c ? « d »", "a \n\n b", "\u00a0x\u2009y ", "(("],
)
def test_spaces_change_only_what_needs_changing(text):
    expected = text
    for pattern, replacement in _PLAIN_SPACES:
        expected = pattern.sub(replacement, expected)
    assert n.spaces(text, "en") == expected.strip()


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("a & b", "a  and  b"),
        ("1+1=2", "1 plus 1 equals 2"),
        ("é" * 50, "é" * 50),
        ("@@", " at  at "),
        ("no symbol here", "no symbol here"),
    ],
)
def test_symbols_translate(text, spoken):
    assert n.symbols(text, "en") == spoken


# ---------------------------------------------------------------- fast-failing patterns


# The price and unit patterns as they were before their look-ahead guards, and the piecewise
# reading of a number before its single join: the guarded forms must split and read alike.
def _old_currency(lang: str) -> re.Pattern[str]:
    from listen.text.normalize.numerals import END, NUM, START, alternation, first_of, sign

    keys = alternation(spoken_data.CURRENCIES[lang])
    mags = alternation(spoken_data.MAGNITUDES[lang])
    trailing = spoken_data.TRAILING_CURRENCIES
    return re.compile(
        rf"((?=[-−+0-9$€£¥A-Z])(?:(?<![\w.,)\]])(?P<sign>[-−]))?(?<![\w$])"
        rf"(?P<cur>{keys})\s?(?P<num>{NUM})(?:(?:\s?[-–]\s?|\s{spoken_data.RANGE_WORD[lang]}\s)"
        rf"(?:{keys})?\s?(?P<num2>{NUM}))?"
        rf"(?:\s?{first_of(spoken_data.MAGNITUDES[lang])}(?P<mag>{mags})(?!\w))?{END}"
        rf"|{sign('tsign')}{START}(?P<tnum>{NUM})"
        rf"(?:\s?{first_of(spoken_data.MAGNITUDES[lang])}(?P<tmag>{mags}))?"
        rf"\s?{first_of(trailing)}(?P<tcur>{alternation(trailing)})(?!\w))"
    )


def _old_unit(lang: str) -> re.Pattern[str]:
    from listen.text.normalize.numerals import NUM, SIGN, START, alternation, first_of

    scales, units = spoken_data.SCALE_WORDS[lang], spoken_data.UNITS[lang]
    return re.compile(
        rf"{SIGN}{START}(?P<num>{NUM})\s?"
        rf"(?:{first_of(scales)}(?P<mag>{alternation(scales)})\s)?"
        rf"{first_of(units)}(?P<unit>{alternation(units)})(?![\w²³/])"
    )


def _old_say_number(token: str, language: str) -> str:
    from listen.text.normalize import numerals as numbers

    amount = numbers.parse_amount(token, language)
    if amount is not None:
        return numbers.say_amount(amount, language)
    parts = re.split(r"([.,\u00a0\u202f\u2009 ])", token)
    out = numbers.say_integer(parts[0], language)
    for mark, digits in zip(parts[1::2], parts[2::2], strict=True):
        out += spoken_data.GROUP_JOINER[language].get(mark, " ") + numbers.say_integer(
            digits, language
        )
    return out


_GUARD_FRAGMENTS = (
    "-1 ",
    "+1 ",
    "1 ",
    "$1 ",
    "1 km ",
    "1,",
    "1.",
    "1\u00a0",
    "100 ",
    "1-",
    "−2 € ",
)
_GUARD_TEXTS = [
    prefix + fragment * 300 + ending
    for prefix in ("", "Dr. ", "$ ")
    for fragment in _GUARD_FRAGMENTS
    for ending in ("", "x", " €")
] + [
    "He paid $48.6 million, -$3, 12 € and US$ 4 bn; 10-12 million dollars, -5 EUR, +3 $.",
    "Costó 4,5 millones de dólares, COP 2.000 y 3 m€; 21 ha, 5 kg, -2 km, 1 mil km², 7 °C.",
    "A 1,5,7 list, 1.2.3.4, 1 000 000 pieces, 1,02,003.0004 and 12 345,678.9 units.",
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_guarded_patterns_split_as_before(language: str) -> None:
    old_currency, old_unit = _old_currency(language), _old_unit(language)
    for text in _GUARD_TEXTS:
        assert n._PRICE[language, True].split(text) == old_currency.split(text)
        new_units = [m.groupdict() | {"at": m.span()} for m in n._UNIT[language].finditer(text)]
        old_units = [m.groupdict() | {"at": m.span()} for m in old_unit.finditer(text)]
        assert new_units == old_units


@pytest.mark.parametrize("language", ["en", "es"])
def test_numbers_of_many_pieces_read_as_before(language: str) -> None:
    from listen.text.normalize.numerals import NUM, say_number

    for text in _GUARD_TEXTS:
        for token in re.findall(NUM, text):
            assert say_number(token, language) == _old_say_number(token, language)


_PRICE_PIECES = st.sampled_from(
    [
        "1",
        "12",
        "3,5",
        "4.000",
        " ",
        "-",
        "−",
        "+",
        "$",
        "€",
        "£",
        "US$",
        "EUR",
        "USD",
        "COP",
        "million",
        "millones",
        "mil",
        "M",
        "bn",
        "k",
        "de",
        "to",
        "a",
        ".",
        ",",
        "x",
        "\u00a0",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PRICE_PIECES, max_size=14).map("".join), LANGUAGES)
def test_prices_found_without_the_trailing_form_are_the_same(text: str, language: str) -> None:
    """Where no digit is followed by a trailing currency, only the leading form is tried:
    the words must be those of the whole pattern, with a callback per match."""
    assert n.currencies(text, language) == _unmemoized(
        n._PRICE[language, True], n._say_groups, text, language
    )
    if n._TRAILING_PRICE[language].search(text) is None:
        full, leading = n._PRICE[language, True], n._PRICE[language, False]
        parts = full.split(text)
        kept = leading.groups + 1  # the text before a match, then the leading form's groups
        assert leading.split(text) == [
            part for i, part in enumerate(parts) if i % (full.groups + 1) < kept
        ]
