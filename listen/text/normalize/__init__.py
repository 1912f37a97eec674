"""Normalizer: display text and its language ("en"/"es") -> the text an engine should say.

In goes one block of display text, out comes the same block with everything a speech engine
might misread written as words: numbers in the language's separators, ordinals, percentages,
money, dates, times, years, Roman numerals, abbreviations, units, web addresses and symbols.
"Dr. Smith paid $48.6m on 5/5/2024" -> "Doctor Smith paid forty-eight point six million
dollars on May fifth, twenty twenty-four".

Each rule is a small step ``(text, language) -> text`` over the tables in :mod:`.data`
(numbers in :mod:`.numerals`, dates and times in :mod:`.dates`, Roman numerals in
:mod:`.roman`); :data:`STEPS` runs them in
order, specific shapes (a date, a price) before bare numbers. A step rewrites only what it
matches, so letters outside a handled token pass through, and its words hold no digits a
second pass would read again: normalizing the output changes nothing. Digits glued to
letters ("COVID-19", "G7", "3D", "B-52") are left for the engine, which reads them well;
everything else numeric becomes words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import repeat

from listen.errors import UnsupportedLanguage
from listen.text.language import SUPPORTED, normalize_tag
from listen.text.normalize import data
from listen.text.normalize.dates import numeric_dates, times, written_dates
from listen.text.normalize.numerals import (
    AFTER_ABBREVIATION,
    END,
    MAX_DIGITS,
    NEXT_WORD,
    NUM,
    SIGN,
    START,
    Amount,
    agree,
    alternation,
    cardinal,
    count,
    de,
    first_chars,
    first_of,
    ordinal_en,
    ordinal_es,
    parse_amount,
    say_amount,
    say_digits,
    say_integer,
    say_number,
    say_year,
    sign,
    signed,
    year_en,
)
from listen.text.normalize.roman import roman_numerals
from listen.text.textutil import CONTROL, joined_split, split_sub

Step = Callable[[str, str], str]


# ---------------------------------------------------------------- steps

_INVISIBLE = re.compile("[" + re.escape(data.INVISIBLE) + "]")


def prepare(text: str, language: str) -> str:
    """Compose accents (NFC), drop invisible and control characters, so the tables match."""
    return CONTROL.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))


_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([^\W_][\w-]*(?:\.[\w-]+)+)")
# Anything shaped like a host name; _say_url keeps those with a scheme, "www." or a known TLD.
_URL = re.compile(
    r"(?=[^\W_])(?<![\w@./-])(https?://)?((?:[^\W_][\w-]*\.)+[^\W_][\w-]*)(?![\w@-])"
    r"(?::[0-9]+)?(/[^\s<>\"«»“”]*)?"
)
_WEB_PUNCTUATION = re.compile(r"[./_+]")
_SPOKEN_SEGMENT = re.compile(r"[^\W_][\w-]*")


def _spell_address(address: str, language: str) -> str:
    words = data.WEB_WORDS[language]
    return _WEB_PUNCTUATION.sub(lambda m: f" {words[m.group(0)]} ", address)


def _say_url(match: re.Match[str], language: str) -> str:
    scheme, host, path = match.group(1), match.group(2), match.group(3) or ""
    if not (scheme or host.startswith("www.") or host.rsplit(".", 1)[1].lower() in data.TLDS):
        return match.group(0)  # "e.g", "3.5", "end.The": no address
    tail = path[len(path.rstrip(".,;:!?)]}'")) :]  # punctuation after the address is prose
    segments = [s for s in re.split(r"[/?#]", path[: len(path) - len(tail)])[:2] if s]
    spoken = _spell_address(host.removeprefix("www."), language)
    if len(segments) == 1 and re.split(r"[?#]", path)[0].strip("/") == segments[0]:
        segment = segments[0]
        if len(segment) <= data.MAX_SPOKEN_PATH and _SPOKEN_SEGMENT.fullmatch(segment):
            spoken += f" {data.WEB_WORDS[language]['/']} {segment.replace('-', ' ')}"
    return spoken + tail


def web_addresses(text: str, language: str) -> str:
    """E-mail and web addresses, spelled: "example dot com"; long URL paths are dropped."""
    if "@" in text:
        text = _EMAIL.sub(
            lambda m: (
                _spell_address(m.group(1), language)
                + f" {data.WEB_WORDS[language]['@']} "
                + _spell_address(m.group(2), language)
            ),
            text,
        )
    return _URL.sub(lambda m: _say_url(m, language), text) if "." in text else text


# "the hashtag #VoteYes": the word is not said twice.
_HASHTAG = re.compile(r"(?:(?<!\w)(?i:hashtag)\s+)?(?<![\w@#&])#([^\W_]\w*)")
_HANDLE = re.compile(r"(?<![\w@.])@(\w+)")
_CAMEL = re.compile(r"(?<=[a-záéíóúñ])(?=[A-ZÁÉÍÓÚÑ])")


@lru_cache(maxsize=4096)
def _say_hashtag(language: str, tag: str) -> str:
    if tag.isdecimal():
        return f"{data.NUMBER_SIGN[language]} {tag}"
    return f"{data.HASHTAG[language]} {_CAMEL.sub(' ', tag).replace('_', ' ')}"


@lru_cache(maxsize=4096)
def _say_handle(language: str, name: str) -> str:
    return f"{data.WEB_WORDS[language]['@']} {name.replace('_', ' ')}"


def hashtags_and_handles(text: str, language: str) -> str:
    """ "#MeToo" -> "hashtag Me Too", "#1" -> "number 1", "@el_pais" -> "at el pais"."""
    if "#" in text:
        text = split_sub(_HASHTAG, text, _say_hashtag, language)
    if "@" in text:
        text = split_sub(_HANDLE, text, _say_handle, language)
    return text


def _keys_pattern(keys: Iterable[str]) -> str:
    # A key that starts or ends with a letter must not sit inside a longer word.
    def one(key: str) -> str:
        tail = r"(?![^\W\d_])" if key[-1].isalnum() else ""
        return re.escape(key) + tail

    keys = sorted(keys, key=len, reverse=True)
    first = re.escape("".join({k[0] for k in keys}))
    # Every key starts with a letter; the first-letter lookahead makes the scan fast.
    return rf"(?=[{first}])(?<![\w.])(?:" + "|".join(one(k) for k in keys) + ")"


# The key, then what the expansion looks at after it, captured by look-aheads: the next
# word past noise ("Mr. • Smith"), a digit, what tells whether its period ends the
# sentence, and the next character. All of one match's words hang on these groups.
_ABBREVIATION_CONTEXT = (
    r"(?:(?=\s[^\w\n]*(\w+)))?(?:(?=(\s?[0-9])))?"
    rf"(?:(?=({AFTER_ABBREVIATION.pattern})))?(?:(?=(.)))?"
)
_ABBREVIATION = {
    lang: re.compile(
        "("
        + _keys_pattern({*data.TITLES[lang], *data.ABBREVIATIONS[lang], *data.BEFORE_NUMBER[lang]})
        + ")"
        + _ABBREVIATION_CONTEXT
    )
    for lang in SUPPORTED
}


@lru_cache(maxsize=4096)
def _say_abbreviation(
    language: str,
    key: str,
    name: str | None,
    digit: str | None,
    after: str | None,
    after_word: str | None,
    following: str | None,
) -> str:
    """The words of one abbreviation, from the groups of :data:`_ABBREVIATION`, memoized."""
    # A capitalised word that is no sentence opener is a name: "St. Louis", not "St. The".
    if key in data.TITLES[language] and name and name[0].isupper():
        if name not in data.SENTENCE_STARTERS[language]:
            return data.TITLES[language][key]
    if key in data.BEFORE_NUMBER[language]:
        return data.BEFORE_NUMBER[language][key] + " " if digit is not None else key
    if key in data.ABBREVIATIONS[language]:
        # Its period also ends the sentence at the end of a line, or before a word that
        # usually starts one ("in the U.S. The ..."), not before a name ("U.S. Senate").
        ends = after is not None and (
            after_word is None
            or after_word in data.SENTENCE_STARTERS[language]
            or (key in data.ENDS_BEFORE_ANY_CAPITAL[language] and after_word[0].isupper())
        )
        period = key.endswith(".") and ends
        spaced = following is not None and following.isalnum()  # "nº5" -> "número 5"
        return data.ABBREVIATIONS[language][key] + ("." if period else " " if spaced else "")
    return key


_FEMININE_TITLE = re.compile(
    rf"(?<!\w)((?:{'|'.join(data.FEMININE_ARTICLES_ES)})\s+)({'|'.join(data.FEMININE_TITLES_ES)})(?!\w)"
)


# A title before "and" and a second title before a name: "Mr. and Mrs. Lee", "Sr. y Sra. Ruiz".
_TITLE_PAIR = {
    lang: re.compile(
        f"({_keys_pattern(data.TITLES[lang])})"
        f"(?= (?:{'|'.join(data.AND_WORDS[lang])}) (?:{_keys_pattern(data.TITLES[lang])}) [A-Z])"
    )
    for lang in SUPPORTED
}


def abbreviations(text: str, language: str) -> str:
    """ "Dr. Smith" -> "Doctor Smith", "in the U.S." -> "in the U S." (sentence break kept)."""
    titles = data.TITLES[language]
    text = _TITLE_PAIR[language].sub(lambda m: titles[m.group(1)], text)
    text = split_sub(_ABBREVIATION[language], text, _say_abbreviation, language)
    if language == "es":  # "la Lic. Ruiz" -> "la licenciada Ruiz"
        text = _FEMININE_TITLE.sub(lambda m: m.group(1) + data.FEMININE_TITLES_ES[m.group(2)], text)
    return text


def _slash_keys(language: str) -> str:
    keys = sorted(data.SLASH_WORDS[language], key=len, reverse=True)
    # "C/ Mayor": a key that ends with its slash stands before a space; the others alone.
    return "|".join(re.escape(k) + (r"(?=\s)" if k.endswith("/") else r"(?![\w/])") for k in keys)


_SLASH_WORD = {lang: re.compile(rf"(?<![\w/])(?:{_slash_keys(lang)})") for lang in SUPPORTED}
_SLASH_NUMBERS = re.compile(r"(?<![\w/.,])([0-9]{1,3})/([0-9]{1,4})(?![\w/]|[.,][0-9])")


@lru_cache(maxsize=1024)
def _say_slashed_numbers(language: str, top: str, bottom: str) -> str:
    """ "3/4" -> "three quarters" (a fraction up to tenths), "9/11" -> "nine eleven"."""
    n, d = int(top), int(bottom)
    if len(bottom) == 4 and 1900 <= d < 2100 and language == "es":
        return f"{say_integer(top, language)} de {cardinal(d, language)}"  # "ley 7/2023"
    if 0 < n < d <= 10:
        one, many = data.FRACTIONS[language][d]
        count = data.ONE_FRACTION[language] if n == 1 else cardinal(n, language)
        return f"{count} {one if n == 1 else many}"
    return f"{say_integer(top, language)} {say_integer(bottom, language)}"


# A Spanish fraction before a noun whose gender is known: "1/2 taza", "3/4 kilo".
_FRACTION_NOUN_ES = re.compile(r"(?<![\w/.,])([1-9])/([2-9]|10) (\w+)")


def _fraction_before_noun_es(match: re.Match[str]) -> str:
    top, bottom, noun = match.groups()
    feminine = _GENDER_ES.get(noun)
    if feminine is None or int(top) >= int(bottom):
        return match.group(0)
    if top == "1" and bottom == "2":
        return f"{data.HALF_ES[feminine]} {noun}"  # "media taza", "medio kilo"
    return f"{_say_slashed_numbers('es', top, bottom)} de {noun}"  # "un cuarto de taza"


def slashes(text: str, language: str) -> str:
    """ "y/y" -> "year on year", "C/ Mayor" -> "calle Mayor", "3/4" -> "three quarters"."""
    # "9/11" -> "nine eleven": no slash is read out ("km/h" is left to units()).
    if "/" not in text:
        return text
    words = data.SLASH_WORDS[language]
    text = _SLASH_WORD[language].sub(lambda m: words[m.group(0)], text)
    if language == "es":
        text = _FRACTION_NOUN_ES.sub(_fraction_before_noun_es, text)
    return split_sub(_SLASH_NUMBERS, text, _say_slashed_numbers, language)


_PHONE = re.compile(
    r"(?=[+(0-9])(?<![\w.,+-])(\+[0-9]{1,3}[ .-]?)?"
    r"((?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,4}(?:[ .-][0-9]{2,4}){1,4})(?![\w]|[.,-]?[0-9])"
)


# The same, the whole match captured first: its groups are all a phone number's words need.
_PHONE_WHOLE = re.compile(f"({_PHONE.pattern})")


@lru_cache(maxsize=4096)
def _say_phone(language: str, whole: str, country: str | None, rest: str) -> str:
    """The words of one match of :data:`_PHONE` (``whole`` if it is no phone), memoized."""
    groups = re.findall(r"[0-9]+", rest)
    digits = sum(len(g) for g in groups) + len(re.sub(r"\D", "", country or ""))
    if not 7 <= digits <= 15:
        return whole
    if not (country or "(" in rest):
        spaced_only = not re.search(r"[.-]", rest)
        if "." in rest or len(groups) < 3:  # "38.412.000" is a number, "10-12" a range
            return whole
        # Spaces alone: "912 345 678" is a phone, "1 000 000" and "2019 2020" are not.
        if spaced_only and (digits < 9 or len(groups[0]) < 2 or any(len(g) > 3 for g in groups)):
            return whole
        if all(len(g) == 4 for g in groups):  # "2019-2020-2021"
            return whole
    spoken = [say_digits(g, language) for g in groups]
    if country:
        code = re.sub(r"\D", "", country)
        spoken.insert(0, f"{data.PLUS[language]} {say_digits(code, language)}")
    return ", ".join(spoken)


def phone_numbers(text: str, language: str) -> str:
    """ "+34 912 345 678", "(555) 123-4567" -> digit by digit, a pause between groups."""
    return split_sub(_PHONE_WHOLE, text, _say_phone, language)


_RANGE = re.compile(
    rf"{START}(?<![0-9][-–])({NUM})(?:\s?[-–]\s?)({NUM})(?!\s?[-–]\s?[0-9])(?![.,][0-9])"
)


def _range(match: re.Match[str], language: str) -> str:
    first, last = match.groups()
    # Spanish says both years whole: "1990-95" -> "1990 a 1995", "2019-20" -> "2019 a 2020".
    years = first.isdigit() and last.isdigit() and len(first) == 4 and len(last) == 2
    if language == "es" and years and 1000 <= int(first) < 2100:
        century = int(first[:2]) + (int(last) <= int(first[2:]))  # "1998-02": 2002
        last = f"{century}{last}"
    return f"{first} {data.RANGE_WORD[language]} {last}"


def ranges(text: str, language: str) -> str:
    """ "2019-2023", "10–12", a 7-4 vote -> "2019 to 2023", "7 to 4" (digits kept for later)."""
    return _RANGE.sub(lambda m: _range(m, language), text)


_CURRENCY_KEYS = {lang: alternation(data.CURRENCIES[lang]) for lang in SUPPORTED}
_MAGNITUDE_KEYS = {lang: alternation(data.MAGNITUDES[lang]) for lang in SUPPORTED}


def _price_pattern(lang: str, trailing: bool) -> str:
    """A price, its currency before the amount ("$5", "US$ 4,5 millones") or, with
    ``trailing``, after it too ("12 €", "3,5 millones €"); the whole match the first group."""
    leading = (
        rf"(?=[-−]?{first_chars(data.CURRENCIES[lang])})"
        rf"(?:(?=[-−])(?<![\w.,)\]])(?P<sign>[-−]))?(?<![\w$])"
        rf"(?P<cur>{_CURRENCY_KEYS[lang]})\s?(?P<num>{NUM})(?:(?:\s?[-–]\s?|\s{data.RANGE_WORD[lang]}\s)"
        rf"(?:{_CURRENCY_KEYS[lang]})?\s?(?P<num2>{NUM}))?"
        rf"(?:\s?{first_of(data.MAGNITUDES[lang])}(?P<mag>{_MAGNITUDE_KEYS[lang]})(?!\w))?{END}"
    )
    if not trailing:
        return f"({leading})"
    return (
        rf"({leading}"
        rf"|{sign('tsign')}{START}(?P<tnum>{NUM})"
        rf"(?=\s?{first_chars({*data.MAGNITUDES[lang], *data.TRAILING_CURRENCIES})})"
        rf"(?:\s?{first_of(data.MAGNITUDES[lang])}(?P<tmag>{_MAGNITUDE_KEYS[lang]}))?"
        rf"\s?{first_of(data.TRAILING_CURRENCIES)}(?P<tcur>{alternation(data.TRAILING_CURRENCIES)})(?!\w))"
    )


# Each form is guarded by a cheap look-ahead for its first characters, and the trailing form
# by one for a magnitude or currency right after its number: most signs and digits of a
# page start no price, and there both forms fail at once instead of after the alternations.
_PRICE = {
    (lang, trailing): re.compile(_price_pattern(lang, trailing))
    for lang in SUPPORTED
    for trailing in (False, True)
}
# The same with the whole match as its only group, to split a page by: a split of ten groups
# per match builds lists five times as long, and a page of prices is mostly its matches.
# A price's groups are those of the full pattern on its own text (:func:`_say_price`).
_PRICE_SPLIT = {
    key: re.compile(re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern))
    for key, pattern in _PRICE.items()
}
# Still, the trailing form is tried at every digit, which is most of the cost on a page of
# numbers; a text where no digit is followed by a trailing currency cannot hold one, and
# there the leading form alone finds exactly the same prices (this scan has no look-behind
# and skips to the digits in C).
_TRAILING_PRICE = {
    lang: re.compile(
        rf"[0-9]\s?(?:(?:{_MAGNITUDE_KEYS[lang]})\s?)?(?:{alternation(data.TRAILING_CURRENCIES)})"
    )
    for lang in SUPPORTED
}


def say_money(
    token: str, currency: data.Currency, magnitude: str | None, language: str
) -> str | None:
    """ "$250" -> "two hundred fifty dollars", "€3.50" -> "three euros and fifty cents"."""
    amount = parse_amount(token, language, money=True)
    if amount is None:
        return None
    if magnitude:
        one, many = data.MAGNITUDES[language][magnitude]
        number = say_amount(amount, language)
        number = number if amount.separator else agree(number, language, False)
        scale = one if amount.is_one else many
        # "mil millones de dólares", never "un mil millones"
        words = scale if amount.is_one and scale.split()[0] == "mil" else f"{number} {scale}"
        return f"{words}{de(words, language)} {currency.major.plural}"
    if len(amount.fraction) != 2:
        return count(amount, currency.major, language)
    # Two decimals are cents: "three dollars and fifty cents", "tres euros con cincuenta céntimos".
    major = count(Amount(amount.whole), currency.major, language)
    if amount.fraction == "00":
        return major
    cents = count(Amount(amount.fraction.lstrip("0")), currency.minor, language)
    return cents if amount.whole == "0" else f"{major} {data.CENTS_JOINER[language]} {cents}"


@lru_cache(maxsize=4096)
def _say_price(language: str, whole: str) -> str:
    """The words of one match of :data:`_PRICE_SPLIT` (``whole`` if it is no price), memoized.

    Its groups are read again from the match alone: a look-around at either end that
    held in the page holds at the ends of the text too, so the parse is the same."""
    match = _PRICE[language, True].fullmatch(whole)
    if match is None:  # cannot happen: the same pattern matched this text in the page
        return whole
    return _say_groups(language, *match.groups())


def _say_groups(
    language: str,
    whole: str,
    sign: str | None,
    cur: str | None,
    num: str | None,
    num2: str | None,
    mag: str | None,
    tsign: str | None,
    tnum: str | None,
    tmag: str | None,
    tcur: str | None,
) -> str:
    """The words of a price from the groups of :data:`_PRICE`."""
    currency = data.CURRENCIES[language][cur or tcur or ""]
    magnitude = mag or tmag
    spoken = say_money(num or tnum or "", currency, magnitude, language)
    if spoken is None:
        return whole
    if num2:  # "$10-12 million": "ten to twelve million dollars"
        first = say_number(num or "", language)
        rest = say_money(num2, currency, magnitude, language)
        if rest is None:
            return whole
        spoken = f"{first} {data.RANGE_WORD[language]} {rest}"
    return signed(sign or tsign, spoken, language)


_SINGULAR_CURRENCY_EN = {c.major.plural: c.major.singular for c in data.CURRENCIES["en"].values()}
# "a three point two million dollars budget" -> "… dollar budget": an amount after "a" (or
# "A" opening a sentence) and before a noun is an adjective, and English adjectives have no
# plural.
_ADJECTIVE_AMOUNT_EN = re.compile(
    rf"(?<![\w-])([Aa]n? (?:(?:{alternation(data.NUMBER_WORDS_EN)})[ -]){{1,12}}?)"
    rf"({alternation(_SINGULAR_CURRENCY_EN)}) (?!(?:{alternation(data.NOT_NOUNS_EN)})\b)(?=[a-z])"
)


# Only a text with "a $…" or "an €…" can hold an amount used as an adjective.
_ARTICLE_PRICE_EN = re.compile(
    rf"(?<![\w-])[Aa]n?\s(?=[-−]?{first_chars(data.CURRENCIES['en'])})"
    rf"(?:{_CURRENCY_KEYS['en']})"
)


def currencies(text: str, language: str) -> str:
    """ "$48.6 million", "US$4,5 millones", "12 €", "COP 2.000" -> amount and currency in words."""
    adjective = language == "en" and _ARTICLE_PRICE_EN.search(text) is not None
    trailing = _TRAILING_PRICE[language].search(text) is not None
    text = split_sub(_PRICE_SPLIT[language, trailing], text, _say_price, language)
    if adjective:
        text = _ADJECTIVE_AMOUNT_EN.sub(
            lambda m: f"{m.group(1)}{_SINGULAR_CURRENCY_EN[m.group(2)]} ", text
        )
    return text


_PERCENT = re.compile(rf"{SIGN}{START}({NUM})\s?([%‰])")


@lru_cache(maxsize=4096)
def _say_percent(language: str, sign: str | None, token: str, mark: str) -> str:
    words = say_number(token, language)
    return signed(sign, f"{words} {data.PERCENT[language][mark]}", language)


def percentages(text: str, language: str) -> str:
    """ "12%", "4,5 %", "-3%" -> "twelve percent", "cuatro coma cinco por ciento"."""
    return split_sub(_PERCENT, text, _say_percent, language)


_UNIT = {
    lang: re.compile(
        rf"{SIGN}{START}(?P<num>{NUM})"
        # Most numbers have no unit: fail on the next character, not in the alternations.
        rf"(?=\s?{first_chars({*data.SCALE_WORDS[lang], *data.UNITS[lang]})})\s?"
        rf"(?:{first_of(data.SCALE_WORDS[lang])}(?P<mag>{alternation(data.SCALE_WORDS[lang])})\s)?"
        rf"{first_of(data.UNITS[lang])}(?P<unit>{alternation(data.UNITS[lang])})(?![\w²³/])"
    )
    for lang in SUPPORTED
}
_VERB_AFTER_HA = re.compile(r"\s+" + data.VERB_AFTER_HA_ES)


@lru_cache(maxsize=4096)
def _say_measure(
    language: str, sign: str | None, num: str, magnitude: str | None, unit: str
) -> str | None:
    """ "-2", "million", "km" -> "minus two million kilometers"; None if no number; memoized."""
    amount = parse_amount(num, language)
    if amount is None:
        return None
    spoken = count(amount, data.UNITS[language][unit], language, magnitude or "")
    return signed(sign, spoken, language)


def units(text: str, language: str) -> str:
    """ "1 km" -> "one kilometer", "2 km" -> "dos kilómetros", "21 ha" -> "veintiuna hectáreas"."""

    def unit(match: re.Match[str]) -> str:
        key = match.group("unit")
        if key == "ha" and language == "es" and _VERB_AFTER_HA.match(text, match.end()):
            return match.group(0)  # "en 2019 ha crecido": the verb, not hectares
        sign, num, mag = match.group("sign", "num", "mag")
        return _say_measure(language, sign, num, mag, key) or match.group(0)

    return _UNIT[language].sub(unit, text)


_ORDINAL = {
    "en": re.compile(rf"{START}({NUM})({'|'.join(data.ORDINAL_SUFFIXES_EN)})(?!\w)"),
    # Spanish: the word after it too, which a masculine ordinal shortens before.
    "es": re.compile(
        rf"{START}([0-9]+(?:\.[0-9]{{3}})*)({alternation(data.ORDINAL_INDICATORS_ES)})(?!\w)"
        r"(?:(?=[^\S\n]+(\w+)))?"
    ),
}


@lru_cache(maxsize=4096)
def _say_ordinal(language: str, token: str, suffix: str, after: str | None = None) -> str:
    """The words of one match of :data:`_ORDINAL`: the match is the number and its suffix."""
    amount = parse_amount(token, language)
    if amount is None or amount.separator or len(amount.whole) > MAX_DIGITS:
        return token + suffix
    n = int(amount.whole)
    if language == "en":
        return ordinal_en(n)
    form = data.ORDINAL_INDICATORS_ES[suffix]
    # "21.º título" -> "vigésimo primer título", but "el 1.º de mayo" keeps "primero".
    if form == "m" and after is not None and after.lower() not in data.NO_APOCOPE_AFTER_ES:
        if after[0].isalpha():
            form = "apocope"
    return ordinal_es(n, form)


def ordinals(text: str, language: str) -> str:
    """ "21st" -> "twenty-first"; "1.º", "2.ª", "3er" -> "primero", "segunda", "tercer"."""
    return split_sub(_ORDINAL[language], text, _say_ordinal, language)


_DECADE = re.compile(
    r"(?=['’0-9])(?<![\w'’])(?:['’]([1-9]0)(['’]?s)?|(1[0-9]{2}0|20[0-9]0|[1-9]0)(['’]?s))(?!\w)"
)


def decades(text: str, language: str) -> str:
    """ "1990s" -> "nineteen nineties", "the '80s" -> "the eighties", "los '90" -> "los noventa"."""

    def decade(match: re.Match[str]) -> str:
        short, short_s, full, full_s = match.groups()
        if language == "en" and not (short_s or full_s):
            return match.group(0)  # English "'90" alone is a quote mark and a number
        words = say_year(int(full or short), language)
        if language == "es":
            return words
        last = words.rsplit(" ", 1)[-1]
        plural = last[:-1] + "ies" if last.endswith("y") else last + "s"
        return words[: len(words) - len(last)] + plural

    return _DECADE.sub(decade, text)


_YEAR = re.compile(rf"{START}[0-9]{{4}}(?![\w]|[.,][0-9])")
_YEAR_CONTEXT = re.compile(rf"\b(?:{alternation(data.YEAR_CONTEXT_EN)})\s+$")
_NOT_YEAR_NEXT = re.compile(
    r"\s*(?:" + "|".join(data.NOT_YEAR_FOLLOWERS_EN) + r")\b", re.IGNORECASE
)


def years(text: str, language: str) -> str:
    """English years: "in 1931" -> "in nineteen thirty-one", "2019" -> "twenty nineteen"."""
    # A 4-digit number is a year after a year word ("in", "since", "by", a month) when
    # 1000-2099, or standalone when 1900-2099, unless a quantity word follows ("2000
    # people"). Spanish years are plain cardinals, which the numbers step says anyway.
    if language != "en":
        return text

    def year(match: re.Match[str]) -> str:
        n = int(match.group(0))
        context = _YEAR_CONTEXT.search(text, max(0, match.start() - 12), match.start())
        if not (1000 if context else 1900) <= n <= 2099:
            return match.group(0)
        return match.group(0) if _NOT_YEAR_NEXT.match(text, match.end()) else year_en(n)

    return _YEAR.sub(year, text)


_PAIRED = "|".join(re.escape(k) for k in data.PAIRED_AFTER_EN)
_MODEL = re.compile(
    rf"(?<!\w)({'|'.join(data.MODEL_NAMES_EN)})\s+([0-9]{{3}})(?![\w]|[.,][0-9])"
    rf"|(?<![\w.,])()([1-9][0-9]{{2}})(?=\s+(?:{'|'.join(data.MODEL_NOUNS_EN)})\b)"
    rf"|(?<![\w.])((?:{_PAIRED})\s+(?:[A-Z0-9]{{2}}\s)?)([1-9][0-9]{{2,3}})(?![\w]|[.,][0-9])"
    rf"|(?<!\w)((?i:{'|'.join(data.CALLING_EN)})\s+)({'|'.join(data.EMERGENCY_EN)})(?![\w]|[.,][0-9])"
    rf"|(?<![\w.,])({'|'.join(data.EMERGENCY_EN)})(?=\s+(?:call|calls|dispatcher|operator)\b)"
)


def model_numbers(text: str, language: str) -> str:
    """English "Boeing 737", "SB 1047", "Flight 232" in pairs like a year; "call 911"."""
    if language != "en":
        return text

    def say(m: re.Match[str]) -> str:
        if m.group(1):
            return f"{m.group(1)} {year_en(int(m.group(2)))}"
        if m.group(5):  # "SB 1047", "Flight UA 232"
            return f"{m.group(5)}{year_en(int(m.group(6)))}"
        if m.group(8):  # "call 911": "nine one one"
            return f"{m.group(7)}{say_digits(m.group(8), 'en')}"
        if m.group(9):  # "a 911 call"
            return say_digits(m.group(9), "en")
        return year_en(int(m.group(4)))

    return _MODEL.sub(say, text)


_NUMBER = re.compile(rf"{SIGN}{START}({NUM}){END}")
# Spanish also captures the word after the number, which the number agrees with.
_NUMBER_ES = re.compile(rf"{SIGN}{START}({NUM}){END}(?:(?={NEXT_WORD.pattern}))?")
# The gender a Spanish whole number takes before a noun; masculine wins where both list it.
_GENDER_ES: dict[str | None, bool] = {
    **dict.fromkeys(data.FEMININE_NOUNS_ES, True),
    **dict.fromkeys((*data.APOCOPE_BEFORE, *data.MASCULINE_NOUNS_ES), False),
}


@lru_cache(maxsize=8192)
def say_free_number(sign: str | None, token: str, language: str, feminine: bool | None) -> str:
    """A free-standing number in words, agreeing (Spanish, whole numbers) with a noun's gender.

    Memoized: news repeats its numbers (years, amounts, counts) and the words depend on
    these arguments only.
    """
    words = say_number(token, language)
    if feminine is not None and language == "es":
        amount = parse_amount(token, language)
        # Only a whole number agrees with its noun: "849,1 millones" keeps "coma uno".
        if amount is not None and not amount.separator:
            words = agree(words, language, feminine)  # "un millón", "veintiuna personas"
    return signed(sign, words, language)


def numbers(text: str, language: str) -> str:
    """Every other free-standing number: "1,000.5", "38.412", "-5", "+34" -> words."""
    # One split and a memoized look-up per number, no Python call per match: a page of
    # a few hundred thousand numbers takes a fraction of a second.
    if language == "es":
        parts = _NUMBER_ES.split(text)
        genders: Iterable[bool | None] = map(_GENDER_ES.get, parts[3::4])
        width = 3
    else:
        parts = _NUMBER.split(text)
        genders = repeat(None)
        width = 2
    if len(parts) == 1:
        return text
    step = width + 1
    spoken = map(say_free_number, parts[1::step], parts[2::step], repeat(language), genders)
    return joined_split(parts, width, spoken)


_SYMBOL = {lang: re.compile(f"[{re.escape(''.join(data.SYMBOLS[lang]))}]") for lang in SUPPORTED}


_SYMBOL_WORDS = {
    lang: {ord(char): f" {words} " for char, words in data.SYMBOLS[lang].items()}
    for lang in SUPPORTED
}


def symbols(text: str, language: str) -> str:
    """ "&" -> "and"/"y", "+" -> "plus"/"más", and the other symbols said as words."""
    # str.translate is one C pass, but slow on text without a symbol: search first.
    return text.translate(_SYMBOL_WORDS[language]) if _SYMBOL[language].search(text) else text


# Only characters outside plain ASCII words are looked up, which keeps the step fast.
# An aside in parentheses after a word, up to 200 characters without another parenthesis:
# the parentheses become commas, the short pause a reader makes around an aside.
_ASIDE = re.compile(r"(?<=\w)[^\S\n]*\(([^()\n]{1,200})\)(?=[^\S\n]*([.,;:!?…]?))")


def parentheses(text: str, language: str) -> str:
    """ "the mayor (elected in 2019) said" -> "the mayor, elected in 2019, said"."""
    if "(" not in text:
        return text

    def aside(match: re.Match[str]) -> str:
        inner, after = match.group(1).strip(), match.group(2)
        if not inner:
            return match.group(0)
        ends = after or match.end() == len(text) or text[match.end()] == "\n"
        return f", {inner}" if ends else f", {inner},"

    return _ASIDE.sub(aside, text)


_NOISE_CANDIDATE = re.compile(rf"[{re.escape(data.NOISE)}]|[^\w\s!-~]")


def _is_noise(char: str) -> bool:
    return char in data.NOISE or unicodedata.category(char) in data.NOISE_CATEGORIES


_NOISE_SPLIT = re.compile(f"({_NOISE_CANDIDATE.pattern})")


@lru_cache(maxsize=4096)
def _noise_or_kept(char: str) -> str:
    return " " if _is_noise(char) else char


def noise(text: str, language: str) -> str:
    """Characters read as noise ("*", "|", "•", "→", emoji) become spaces; letters never do."""
    parts = _NOISE_SPLIT.split(text)
    if len(parts) == 1:
        return text
    parts[1::2] = map(_noise_or_kept, parts[1::2])  # one memoized look-up per character
    return "".join(parts)


# Each pattern matches only what it changes (not a lone space, not a bare line break) and
# is replaced by a constant: no replacement work for the spaces that stay.
_BLANKS = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
_SPACE_BEFORE = re.compile(r" (?=[,.;:!?)\]}»”](?!\w))")
_SPACE_AFTER = re.compile(r"(?<=[(\[{«“¿¡]) ")
_LINE_EDGES = re.compile(r" \n ?|\n ")


def spaces(text: str, language: str) -> str:
    """One space between words, none before closing punctuation or after opening."""
    text = _BLANKS.sub(" ", text)
    text = _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))
    return _LINE_EDGES.sub("\n", text).strip()


STEPS: tuple[Step, ...] = (
    prepare,
    web_addresses,
    hashtags_and_handles,
    roman_numerals,
    abbreviations,
    numeric_dates,
    written_dates,
    times,
    slashes,
    phone_numbers,
    ranges,
    currencies,
    percentages,
    units,
    ordinals,
    decades,
    years,
    model_numbers,
    numbers,
    symbols,
    parentheses,
    noise,
    spaces,
)


def normalize(text: str, language: str) -> str:
    """Turn display text into the words an engine should say.

    Args:
        text: one block of display text (a title, paragraph or list item).
        language: "en" or "es"; a region ("es-MX", "en_GB") is ignored.

    Returns:
        The spoken form. The display text is not kept here.

    Raises:
        UnsupportedLanguage: not English or Spanish; the language stage should have
            settled that (a 422).
    """
    lang = normalize_tag(language)
    if lang not in SUPPORTED:
        raise UnsupportedLanguage(
            f"cannot normalize language {language!r}: listen speaks {' and '.join(SUPPORTED)}. "
            "Probable cause: the text skipped the language stage."
        )
    for step in STEPS:
        text = step(text, lang)
    return text
