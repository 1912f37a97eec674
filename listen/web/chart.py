"""Chart: the analytics' days -> bars of an inline SVG the console's template draws.

Pure geometry, no drawing library and no script: :func:`daily` fills in the days nothing
was counted (zero), :func:`bars` lays one series out as bars under a rounded-up scale
with three grid lines. The template writes the SVG (with a ``<title>`` and ``<desc>``)
and the same numbers as a table, the chart's text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from listen.analytics.counts import Totals

WIDTH = 720
HEIGHT = 220
LEFT = 56
"""Room for the scale's labels."""
BOTTOM = 28
"""Room for the days' labels."""
TOP = 12
GAP = 0.2
"""Share of each day's slot left between bars."""
DAYS = (7, 30, 90)
"""Periods the console offers, in days (the default first is 30: see the blueprint)."""


@dataclass(frozen=True)
class Day:
    day: date
    plays: int
    minutes: float


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    day: date


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """One series laid out: its bars, the scale's ticks and the days labelled below."""

    bars: list[Bar]
    ticks: list[Tick]
    labels: list[tuple[float, str]]
    top: float
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: float = HEIGHT - BOTTOM


def daily(per_day: Sequence[Totals], last: date, days: int) -> list[Day]:
    """Each of the ``days`` days up to ``last`` (UTC), oldest first, zero where nothing
    was counted."""
    counted = {t.key: t for t in per_day}
    out = []
    for n in range(days - 1, -1, -1):
        day = last - timedelta(days=n)
        found = counted.get(day.isoformat())
        out.append(Day(day, found.plays if found else 0, found.minutes if found else 0.0))
    return out


def nice_top(value: float) -> float:
    """The scale's top: ``value`` rounded up to 1, 2 or 5 times a power of ten (1 at least)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _label(value: float) -> str:
    return f"{value:g}" if value < 1000 else f"{value:,.0f}"


def bars(days: Sequence[Day], values: Sequence[float]) -> Chart:
    """``values`` (one per day of ``days``) as bars under a rounded-up scale."""
    top = nice_top(max(values, default=0.0))
    base = HEIGHT - BOTTOM
    span = base - TOP
    slot = (WIDTH - LEFT) / max(1, len(values))
    laid = []
    for n, (day, value) in enumerate(zip(days, values, strict=True)):
        height = span * value / top
        laid.append(
            Bar(
                x=round(LEFT + n * slot + slot * GAP / 2, 2),
                y=round(base - height, 2),
                width=round(slot * (1 - GAP), 2),
                height=round(height, 2),
                value=value,
                day=day.day,
            )
        )
    ticks = [Tick(round(base - span * share, 2), _label(top * share)) for share in (0, 0.5, 1)]
    every = max(1, math.ceil(len(days) / 8))  # at most about eight dates under the bars
    labels = [
        (round(LEFT + (n + 0.5) * slot, 2), day.day.strftime("%d %b"))
        for n, day in enumerate(days)
        if n % every == 0
    ]
    return Chart(laid, ticks, labels, top)
