"""Store: articles a CMS pushes (PUT /api/articles/<id>), in SQLite in the data folder.

Pushed articles take precedence over the configured source: :class:`OverlaySource`
looks in the store first. A push with the same content as the stored one changes
nothing (idempotent), so a CMS may push on every save.

The store is data, not cache: it lives in ``LISTEN_DATA_DIR`` (by default
``listen_data`` beside ``LISTEN_CACHE_DIR``), so emptying the cache keeps every pushed
article. A store an older version kept in the cache folder is moved there on start.

The same database keeps the lexicon entries added through the publish API
(:class:`LexiconStore`), with a generation number every change bumps in the same
transaction, so each worker process sees an edit on its next request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from listen.errors import StoreUnavailable
from listen.models import RawArticle
from listen.sources import Source
from listen.storage.files import atomic_path, flocked
from listen.text.lexicon import Entry, parse_entry

log = logging.getLogger(__name__)

FILENAME = "articles.sqlite3"
DATA_FOLDER = "listen_data"
"""The default data folder's name, beside the cache folder."""
SIDE_FILES = ("", "-wal", "-shm")
"""A SQLite database in WAL mode is up to three files."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT,
    html TEXT,
    text TEXT,
    language TEXT,
    digest TEXT NOT NULL,
    updated REAL NOT NULL,
    published REAL
)
"""
PUBLISHED_COLUMN = "ALTER TABLE articles ADD COLUMN published REAL"
"""A store an older version made has no ``published``: added on open (NULL for its rows)."""


def connect(
    path: Path,
    schema: Iterable[str],
    what: str,
    *,
    check_same_thread: bool = True,
    folder_setting: str = "LISTEN_DATA_DIR",
) -> sqlite3.Connection:
    """The SQLite database at ``path`` (WAL, its ``schema`` statements run), created with
    its folder if need be.

    Raises:
        StoreUnavailable: it cannot be opened or created (503), ``what`` it is and the
            setting naming its folder (``folder_setting``) in the message.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, check_same_thread=check_same_thread)
        db.execute("PRAGMA journal_mode=WAL")
        for statement in schema:
            db.execute(statement)
    except (OSError, sqlite3.OperationalError) as exc:
        log.error("%s %s cannot be opened: %s", what, path, exc)
        raise StoreUnavailable(
            f"{what} cannot be opened. Probable cause: {folder_setting} is not writable by "
            "the service (see its log)"
        ) from exc
    return db


class ArticleStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        db = connect(self.path, (SCHEMA,), "the store of pushed articles")
        columns = {row[1] for row in db.execute("PRAGMA table_info(articles)")}
        if "published" not in columns:
            with db:
                db.execute(PUBLISHED_COLUMN)
        return db

    def put(self, raw: RawArticle) -> bool:
        """Store a pushed article; True if it is new or its content changed.

        Its publication date is the ``published`` it was pushed with; else the one it
        had (an edit pushed without it keeps its date); else the time of its first push.
        """
        fields: dict[str, object] = {
            "title": raw.title,
            "html": _text(raw.html),
            "text": raw.text,
            "language": raw.language,
        }
        if raw.published is not None:  # only then: stores made before it keep their digests
            fields["published"] = raw.published
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
        now = time.time()
        with closing(self._connect()) as db, db:
            row = db.execute(
                "SELECT digest, published FROM articles WHERE id = ?", (raw.id,)
            ).fetchone()
            if row and row[0] == digest:
                return False
            known = row[1] if row else None
            published = raw.published if raw.published is not None else known or now
            db.execute(
                "INSERT OR REPLACE INTO articles "
                "(id, title, html, text, language, digest, updated, published) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    raw.id,
                    fields["title"],
                    fields["html"],
                    fields["text"],
                    fields["language"],
                    digest,
                    now,
                    published,
                ),
            )
        return True

    def get(self, article_id: str) -> RawArticle | None:
        if not self.path.exists():
            return None  # nothing pushed yet: reading creates no database
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT title, html, text, language, updated, published FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            return None
        title, html, text, language, updated, published = row
        return RawArticle(
            id=article_id,
            title=title,
            html=html,
            text=text,
            language=language,
            modified=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(updated)),
            published=published if published is not None else updated,
        )

    def delete(self, article_id: str) -> bool:
        """Forget a pushed article; True if it was stored."""
        if not self.path.exists():
            return False  # nothing pushed yet: deleting creates no database
        with closing(self._connect()) as db, db:
            return db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0

    def ids(self) -> list[str]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            return [r[0] for r in db.execute("SELECT id FROM articles ORDER BY updated DESC")]


def data_folder(data_dir: str, cache_dir: str) -> Path:
    """``LISTEN_DATA_DIR``, or by default ``listen_data`` beside the cache folder."""
    return Path(data_dir).expanduser() if data_dir else Path(cache_dir).parent / DATA_FOLDER


def open_store(data_dir: str, cache_dir: str) -> ArticleStore:
    """The store in the data folder, with a store left in the cache folder moved into it."""
    store = ArticleStore(data_folder(data_dir, cache_dir) / FILENAME)
    legacy = Path(cache_dir) / FILENAME
    if legacy.exists() and legacy.resolve() != store.path.resolve():
        try:
            _move(legacy, store.path)
        except (OSError, sqlite3.Error) as exc:
            log.error(
                "pushed articles in %s could not be moved to %s: %s; they stay there",
                legacy,
                store.path,
                exc,
            )
    return store


def _move(legacy: Path, new: Path) -> None:
    """Copy the database with SQLite's backup (consistent, across file systems), then drop
    the old files; under a lock, as every worker process starts at once."""
    with flocked(new.parent / f".{FILENAME}.move.lock"):
        if not legacy.exists():
            return  # another process moved it while this one waited
        if new.exists():
            log.warning(
                "pushed articles are in both %s and %s: using the second; the first, in the "
                "cache folder, is left as it is",
                legacy,
                new,
            )
            return
        with atomic_path(new) as moving:
            with closing(sqlite3.connect(legacy, timeout=30)) as src:
                with closing(sqlite3.connect(moving)) as dst:
                    src.backup(dst)
        for suffix in SIDE_FILES:
            legacy.with_name(legacy.name + suffix).unlink(missing_ok=True)
    log.info("moved pushed articles from %s to %s (LISTEN_DATA_DIR)", legacy, new)


def _text(value: str | bytes | None) -> str | None:
    if isinstance(value, bytes):
        from listen.text.decoding import decode

        return decode(value)
    return value


LEXICON_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS lexicon (
    term TEXT NOT NULL,
    language TEXT NOT NULL,
    entry TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (term, language)
)""",
    "CREATE TABLE IF NOT EXISTS lexicon_generation (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
)


class LexiconStore:
    """Lexicon entries added through the publish API, in the pushed-article database.

    :meth:`generation` is read on every article request: it keeps one connection per
    process (opened again after a fork) rather than opening the database each time.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._reader: tuple[int, sqlite3.Connection] | None = None
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, LEXICON_SCHEMA, "the lexicon store", check_same_thread=False)

    def generation(self) -> int:
        """A number every change of the entries increases (0: none ever added)."""
        if not self.path.exists():
            return 0  # nothing pushed yet: reading creates no database
        with self._lock:
            if self._reader is None or self._reader[0] != os.getpid():
                self._reader = (os.getpid(), self._connect())
            db = self._reader[1]
            try:
                row = db.execute("SELECT n FROM lexicon_generation WHERE id = 1").fetchone()
            except sqlite3.Error as exc:
                self._reader = None
                raise StoreUnavailable(f"the lexicon store cannot be read: {exc}") from exc
        return int(row[0]) if row else 0

    def entries(self) -> list[Entry]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            rows = db.execute("SELECT entry FROM lexicon ORDER BY term, language").fetchall()
        return [parse_entry(json.loads(row[0])) for row in rows]

    def put(self, entry: Entry) -> bool:
        """Add or replace the entry of its term and languages; True if it is new."""
        with closing(self._connect()) as db, db:
            old = db.execute(
                "SELECT 1 FROM lexicon WHERE term = ? AND language = ?", entry.key
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO lexicon VALUES (?, ?, ?, ?)",
                (*entry.key, json.dumps(entry.to_dict(), ensure_ascii=False), time.time()),
            )
            _bump(db)
        return old is None

    def delete(self, term: str, language: str) -> Entry | None:
        """Remove the entry of ``term`` and ``language``; the entry, or None if there was none."""
        if not self.path.exists():
            return None
        with closing(self._connect()) as db, db:
            row = db.execute(
                "SELECT entry FROM lexicon WHERE term = ? AND language = ?", (term, language)
            ).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM lexicon WHERE term = ? AND language = ?", (term, language))
            _bump(db)
        return parse_entry(json.loads(row[0]))


def _bump(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO lexicon_generation VALUES (1, 1) ON CONFLICT(id) DO UPDATE SET n = n + 1"
    )


def open_lexicon(data_dir: str, cache_dir: str) -> LexiconStore:
    """The lexicon entries in the data folder's database."""
    return LexiconStore(data_folder(data_dir, cache_dir) / FILENAME)


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
        listed = self.base.ids(since=since) if since else self.base.ids()
        for article_id in listed:
            if article_id not in seen:
                yield article_id

    def describe(self) -> str:
        return f"{self.base.describe()} (and pushed articles)"
