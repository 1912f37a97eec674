"""Events: one listening report from the player -> a checked :class:`Event`, or a 400.

What the player sends (``POST /api/events``, the body as JSON text)::

    {"article": "<id>", "kind": "play",     "value": 1}
    {"article": "<id>", "kind": "quartile", "value": 25 | 50 | 75 | 100}
    {"article": "<id>", "kind": "listened", "value": <seconds listened since the last report>}

Each kind's rule lives in :data:`RULES`; anything else (another field, a value that is
a boolean, NaN, a string, out of range) is refused, never stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from listen.errors import BadInput
from listen.sources import validate_id

Kind = Literal["play", "quartile", "listened"]
KINDS: tuple[str, ...] = get_args(Kind)
FIELDS = frozenset({"article", "kind", "value"})
MAX_BODY = 1024
"""Bytes of an event's body: an ID of 128 characters and a number, with room to spare."""
MAX_LISTENED_S = 3600.0
"""Seconds one ``listened`` report may carry: the player reports at least at every pause,
the end and when the page is hidden, so an hour in one report is not a listener."""
QUARTILES = (25, 50, 75, 100)


@dataclass(frozen=True)
class Event:
    article: str
    kind: Kind
    value: float


def _play(value: float) -> str | None:
    return None if value == 1 else "a play's value is 1"


def _quartile(value: float) -> str | None:
    return None if value in QUARTILES else "a quartile's value is 25, 50, 75 or 100"


def _listened(value: float) -> str | None:
    if 0 < value <= MAX_LISTENED_S:
        return None
    return f"seconds listened are more than 0 and at most {MAX_LISTENED_S:g}"


RULES: Mapping[str, Callable[[float], str | None]] = {
    "play": _play,
    "quartile": _quartile,
    "listened": _listened,
}
"""Each kind's check of its value: None if it passes, else why not."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse(body: bytes | bytearray) -> Event:
    """The event a request body holds.

    Raises:
        BadInput: the body is not a UTF-8 JSON object of exactly ``article``, ``kind``
            and ``value``, or one of them is wrong (see :data:`RULES`).
    """
    try:
        obj = json.loads(bytes(body).decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadInput(f"an event is a UTF-8 JSON object: {str(exc)[:100]}") from exc
    if not isinstance(obj, dict):
        raise BadInput('an event is a JSON object {"article", "kind", "value"}')
    if set(obj) != FIELDS:
        names = ", ".join(sorted(repr(str(k)[:20]) for k in set(obj) ^ FIELDS))
        raise BadInput(f'an event has exactly "article", "kind" and "value" (not {names})')
    article, kind, value = obj["article"], obj["kind"], obj["value"]
    if not isinstance(article, str):
        raise BadInput('"article" is an article ID (a string)')
    validate_id(article)
    if not isinstance(kind, str) or kind not in RULES:
        raise BadInput(f'"kind" is one of {", ".join(KINDS)}')
    number = _number(value)
    problem = RULES[kind](number)
    if problem:
        raise BadInput(f'"value" {str(value)[:20]}: {problem}')
    return Event(article, cast(Kind, kind), number)


def _number(value: object) -> float:
    """A JSON number as a finite float (an integer too long for a float is none)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput('"value" is a number')
    try:
        number = float(value)
    except OverflowError as exc:
        raise BadInput('"value" is a number of sensible size') from exc
    if not math.isfinite(number):
        raise BadInput('"value" is a finite number')
    return number
