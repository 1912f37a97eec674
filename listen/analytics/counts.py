"""Counts: events added up per article per day (UTC) in SQLite in the cache folder.

One row per article and day holds plays, how many listens reached each quartile and the
seconds listened; an event adds one to its column (or its seconds) in one statement, so
every worker process writes to the same file safely. Nothing else is stored: not when in
the day, not who.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from listen.analytics.events import Event
from listen.sources.store import connect

FILENAME = "analytics.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS daily (
    article TEXT NOT NULL,
    day TEXT NOT NULL,
    plays INTEGER NOT NULL DEFAULT 0,
    q25 INTEGER NOT NULL DEFAULT 0,
    q50 INTEGER NOT NULL DEFAULT 0,
    q75 INTEGER NOT NULL DEFAULT 0,
    q100 INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (article, day)
)
"""
COLUMNS: Mapping[tuple[str, float | None], str] = {
    ("play", None): "plays",
    ("quartile", 25.0): "q25",
    ("quartile", 50.0): "q50",
    ("quartile", 75.0): "q75",
    ("quartile", 100.0): "q100",
    ("listened", None): "seconds",
}
"""The column an event adds to: by kind, and by value for quartiles."""
ADDS = {column: f"{column} = {column} + excluded.{column}" for column in COLUMNS.values()}
"""The upsert's SET clause of each column (names from this table only, never from input)."""


@dataclass(frozen=True)
class Totals:
    """What was counted for one article (or one day) over the report's days."""

    key: str
    """The article's ID (or the day, YYYY-MM-DD)."""
    plays: int
    completed: int
    """Listens that reached the end (the 100% quartile)."""
    seconds: float

    @property
    def completion(self) -> float | None:
        """Share of plays heard to the end; None without plays."""
        return min(1.0, self.completed / self.plays) if self.plays else None

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    def to_dict(self, name: str) -> dict[str, Any]:
        out = asdict(self)
        out[name] = out.pop("key")
        return {**out, "completion": self.completion, "minutes": round(self.minutes, 2)}


def today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


class Counts:
    def __init__(self, cache_dir: str | Path) -> None:
        self.path = Path(cache_dir) / FILENAME

    def _connect(self) -> sqlite3.Connection:
        return connect(
            self.path, (SCHEMA,), "the analytics counts", folder_setting="LISTEN_CACHE_DIR"
        )

    def add(self, event: Event, day: str | None = None) -> None:
        """Count one event on ``day`` (today, UTC, by default)."""
        column = COLUMNS[(event.kind, event.value if event.kind == "quartile" else None)]
        amount: float = event.value if column == "seconds" else 1
        with closing(self._connect()) as db, db:
            db.execute(
                f"INSERT INTO daily (article, day, {column}) VALUES (?, ?, ?) "  # noqa: S608
                f"ON CONFLICT (article, day) DO UPDATE SET {ADDS[column]}",
                (event.article, day or today(), amount),
            )

    def per_article(self, since: date | None = None) -> list[Totals]:
        """Each article's totals from ``since`` (a UTC day) on, most played first."""
        return self._totals("article", since, "plays DESC, seconds DESC, article")

    def per_day(self, since: date | None = None) -> list[Totals]:
        """Each day's totals over every article, oldest first."""
        return self._totals("day", since, "day")

    def _totals(self, by: str, since: date | None, order: str) -> list[Totals]:
        if not self.path.exists():
            return []  # nothing counted yet: reading creates no database
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT {by}, SUM(plays), SUM(q100), SUM(seconds) FROM daily "  # noqa: S608
                f"WHERE day >= ? GROUP BY {by} ORDER BY {order}",
                ((since or date.min).isoformat(),),
            ).fetchall()
        return [Totals(str(k), int(p), int(c), float(s)) for k, p, c, s in rows]
