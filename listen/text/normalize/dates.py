"""Dates and times: "May 5, 2024", "5 de mayo de 2024", "5/5/2024", "2:15 a.m.", "14.30 h"
-> words, in English and Spanish (steps of :mod:`listen.text.normalize`)."""

from __future__ import annotations

import re
from functools import lru_cache

from listen.text.normalize import data
from listen.text.normalize.numerals import (
    agree,
    alternation,
    cardinal,
    ends_sentence_after_time,
    ordinal_en,
    year_en,
)
from listen.text.textutil import split_sub

_NUMERIC_DATE = re.compile(
    r"(?<![\w.,/-])(?:([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})"
    r"|([0-9]{1,2})([-/.])([0-9]{1,2})\6([0-9]{4}))(?![\w/-]|[.,][0-9])"
)


def say_date(day: int, month: int, year: int | None, language: str) -> str:
    """ "May fifth, twenty twenty-four" / "cinco de mayo de dos mil veinticuatro"."""
    name = data.MONTHS[language][month - 1]
    if language == "en":
        return f"{name} {ordinal_en(day)}" + (f", {year_en(year)}" if year else "")
    spoken_day = data.FIRST_OF_MONTH_ES if day == 1 else cardinal(day, language)
    return f"{spoken_day} de {name}" + (f" de {cardinal(year, language)}" if year else "")


def numeric_dates(text: str, language: str) -> str:
    """ "2024-05-05", "5/5/2024": English reads month/day, Spanish day/month."""

    def date(match: re.Match[str]) -> str:
        if match.group(1):
            year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        else:
            first, second, year = int(match.group(5)), int(match.group(7)), int(match.group(8))
            # Ambiguous "5/6/2024": the language's order, unless only the other is a date.
            month, day = (first, second) if language == "en" else (second, first)
            if month > 12 >= day:
                month, day = day, month
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return match.group(0)
        return say_date(day, month, year, language)

    return _NUMERIC_DATE.sub(date, text)


_MONTHS_EN = alternation(data.MONTH_FORMS["en"])
_DAY_EN = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_WRITTEN_DATE = {
    "en": re.compile(
        rf"(?=[JFMASOND])(?<![\w.])({_MONTHS_EN})\s+{_DAY_EN}(?:\s?[-–]\s?{_DAY_EN})?"
        rf"(?![\w]|[.,:][0-9])(?:,?\s+([0-9]{{4}})(?![\w]|[.,][0-9]))?"
        rf"|(?=[t0-9])(?<![\w.,])(?:the\s+)?{_DAY_EN}\s+(?:of\s+)?({_MONTHS_EN})(?!\w)"
        rf"(?:,?\s+([0-9]{{4}})(?![\w]|[.,][0-9]))?"
    ),
    "es": re.compile(
        r"(?=[0-9])(?<![\w.,])([0-9]{1,2})(?:\.?[º°]|\.?er|ro)?\s+de\s+((?i:"
        + alternation(data.MONTH_FORMS["es"])
        + r"))(?!\w)"
    ),
}


# The same, the whole match captured first: its groups are all a date's words need.
_WRITTEN_DATE_WHOLE = {
    lang: re.compile(f"({pattern.pattern})") for lang, pattern in _WRITTEN_DATE.items()
}


@lru_cache(maxsize=4096)
def _say_written_date(language: str, whole: str, *g: str | None) -> str:
    """The words of one match of :data:`_WRITTEN_DATE` (``whole`` if it is no date), memoized."""
    if language == "es":
        day = int(g[0] or 0)
        month = data.MONTH_FORMS["es"][(g[1] or "").lower()]
        return say_date(day, month, None, language) if 1 <= day <= 31 else whole
    if g[0]:  # "May 5", "May 5-7, 2024"
        month, days, year = data.MONTH_FORMS["en"][g[0]], [g[1], g[2]], g[3]
    else:  # "5 May 2024", "the 5th of May"
        month, days, year = data.MONTH_FORMS["en"][g[5] or ""], [g[4]], g[6]
    numbers = [int(d) for d in days if d]
    if not all(1 <= d <= 31 for d in numbers):
        return whole
    spoken_days = f" {data.RANGE_WORD['en']} ".join(ordinal_en(d) for d in numbers)
    name = data.MONTHS["en"][month - 1]
    spoken = f"{name} {spoken_days}" if g[0] else f"the {spoken_days} of {name}"
    return spoken + (f", {year_en(int(year))}" if year else "")


def written_dates(text: str, language: str) -> str:
    """ "May 5, 2024" -> "May fifth, twenty twenty-four"; "1 de mayo" -> "primero de mayo"."""
    return split_sub(_WRITTEN_DATE_WHOLE[language], text, _say_written_date, language)


# After the hour, a cheap look ahead for minutes or a.m./p.m.: an hour alone is no time,
# and a page of bare numbers is not handed to Python one number at a time.
_TIME = re.compile(
    r"(?=[0-9])(?<![\w.,:])([0-9]{1,2})(?=[:.][0-9]{2}|\s?[aApP])(?::([0-9]{2})(?![0-9]|:[0-9])|\.([0-9]{2})(?=\s?h))?"
    r"(?:\s?([aApP])\.?\s?[mM](\.?)(?!\w)|\s?(hrs|hs|h)(?!\w))?"
)


@lru_cache(maxsize=4096)
def say_time(hour: int, minute: int, ampm: str, language: str, hours: bool = False) -> str:
    """ "two fifteen a.m.", "fourteen thirty", "las dos y quince de la tarde".

    ``hours``: the time was written with "h" ("10.00 h"), which Spanish reads "diez horas"."""
    if language == "en":
        spoken = cardinal(hour, language)
        if minute:
            oh = f"{data.OH['en']} " if minute < 10 else ""
            spoken += f" {oh}{cardinal(minute, language)}"
        elif not ampm:
            spoken += " " + (data.OCLOCK["en"] if 0 < hour <= 12 else data.HUNDRED_HOURS["en"])
        return f"{spoken} {data.AM_PM['en'][ampm]}" if ampm else spoken
    spoken = agree(cardinal(hour, language), language, feminine=True)  # "la una", "veintiuna"
    if minute:
        spoken += f" y {cardinal(minute, language)}"
    elif not ampm and (hours or hour > 12 or hour == 0):
        # "la una hora", "las diez horas"
        spoken += " " + (data.ONE_HOUR_ES if hour == 1 else data.HUNDRED_HOURS["es"])
    for part, first, last, words in data.PARTS_OF_DAY_ES:
        if ampm == part and first <= hour <= last:
            spoken += " " + words
    return spoken


# "2:05:30": a race or record time, hours, minutes and seconds (no clock reads its seconds).
_DURATION = re.compile(r"(?<![\w.,:])([0-9]{1,2}):([0-5][0-9]):([0-5][0-9])(?![\w:]|[.,][0-9])")


@lru_cache(maxsize=1024)
def _say_duration(language: str, hours: str, minutes: str, seconds: str) -> str:
    """ "2:05:30" -> "two hours, five minutes and thirty seconds"."""
    parts = []
    for amount, (one, many), feminine in zip(
        (int(hours), int(minutes), int(seconds)),
        data.DURATION_UNITS[language],
        (True, False, False),
        strict=True,
    ):
        if amount:
            words = cardinal(amount, language)
            if language == "es":
                words = agree(words, language, feminine=feminine)  # "una hora", "un minuto"
            parts.append(f"{words} {one if amount == 1 else many}")
    if not parts:
        return f"{hours}:{minutes}:{seconds}"
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {data.AND_WORDS[language][0]} {parts[-1]}"


def times(text: str, language: str) -> str:
    """ "2:15 a.m.", "6 p. m.", "14:30", "14.30 h" -> words; an hour alone is no time."""
    if ":" in text:
        text = split_sub(_DURATION, text, _say_duration, language)

    def time(match: re.Match[str]) -> str:
        hour_text, minute_text, dotted, ampm, period, suffix = match.groups()
        minute_text = minute_text or dotted
        if not (minute_text or ampm):
            return match.group(0)
        hour, minute = int(hour_text), int(minute_text or 0)
        ampm = (ampm or "").lower()
        if minute > 59 or hour > (12 if ampm else 24):
            return match.group(0)
        spoken = say_time(hour, minute, ampm, language, suffix is not None)
        # "p.m." is said without its periods; one that also ended the sentence stays.
        if period and ends_sentence_after_time(text, match.end(), language):
            spoken += "."
        return spoken

    text = _TIME.sub(time, text)
    if language == "es" and "." in text:
        text = _DOTTED_TIME_ES.sub(_dotted_time, text)
    return text


# "a las 7.45", "a la 1.30": after the article of an hour, a dot separates the minutes.
_DOTTED_TIME_ES = re.compile(
    r"(?:(?<=\blas )|(?<=\bla ))([0-9]{1,2})\.([0-5][0-9])(?![0-9]|[.,][0-9])"
)


def _dotted_time(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    return say_time(hour, minute, "", "es") if hour <= 24 else match.group(0)
