"""Store: articles a CMS pushes (PUT /api/articles/<id>), in SQLite in the cache folder.

Pushed articles take precedence over the configured source: :class:`OverlaySource`
looks in the store first. A push with the same content as the stored one changes
nothing (idempotent), so a CMS may push on every save.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from listen.models import RawArticle
from listen.sources import Source

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT,
    html TEXT,
    text TEXT,
    language TEXT,
    digest TEXT NOT NULL,
    updated REAL NOT NULL
)
"""


class ArticleStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(SCHEMA)
        return db

    def put(self, raw: RawArticle) -> bool:
        """Store a pushed article; True if it is new or its content changed."""
        fields = {"title": raw.title, "html": _text(raw.html), "text": raw.text,
                  "language": raw.language}  # fmt: skip
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
        with closing(self._connect()) as db, db:
            row = db.execute("SELECT digest FROM articles WHERE id = ?", (raw.id,)).fetchone()
            if row and row[0] == digest:
                return False
            db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                (raw.id, fields["title"], fields["html"], fields["text"], fields["language"],
                 digest, time.time()),
            )  # fmt: skip
        return True

    def get(self, article_id: str) -> RawArticle | None:
        if not self.path.exists():
            return None  # nothing pushed yet: reading creates no database
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT title, html, text, language, updated FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        title, html, text, language, updated = row
        return RawArticle(
            id=article_id, title=title, html=html, text=text, language=language,
            modified=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(updated)),
        )  # fmt: skip

    def ids(self) -> list[str]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY updated DESC")]


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        from listen.extract import decode

        return decode(value)
    return value


class OverlaySource:
    """Pushed articles first, then the configured source."""

    def __init__(self, store: ArticleStore, base: Source) -> None:
        self.store = store
        self.base = base

    def get(self, article_id: str) -> RawArticle:
        return self.store.get(article_id) or self.base.get(article_id)

    def ids(self, since: str | None = None) -> Iterator[str]:
        seen = set()
        for article_id in self.store.ids():
            seen.add(article_id)
            yield article_id
        listed = self.base.ids(since=since) if since else self.base.ids()  # type: ignore[call-arg]
        for article_id in listed:
            if article_id not in seen:
                yield article_id

    def describe(self) -> str:
        return f"{self.base.describe()} (and pushed articles)"
