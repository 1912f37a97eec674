"""Files source: a folder of ``<id>.json``, ``<id>.html`` or ``<id>.txt`` articles.

Only regular files directly in the folder are read: a symlink (to /proc/self/environ,
say), a FIFO or a device is refused, and so is a folder on the way that was swapped for
a symlink. The file is opened without following links and checked on the open descriptor,
so nothing can be swapped between the check and the read.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from listen.errors import (
    ArticleForbidden,
    ArticleNotFound,
    ArticleUnreadable,
    ConfigError,
    NotARegularFile,
)
from listen.models import RawArticle
from listen.sources import ID_PATTERN, published_time, undated

log = logging.getLogger(__name__)

EXTENSIONS = (".json", ".html", ".htm", ".txt")
"""Looked up in this order when several files share an ID."""
MAX_FILE_BYTES = 20 * 1024 * 1024
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
"""O_NOFOLLOW: a symlink fails to open (ELOOP); O_NONBLOCK: a FIFO does not wait for a writer."""
FOLDER_FLAGS = OPEN_FLAGS | os.O_DIRECTORY
KINDS = (
    (stat.S_ISLNK, "a symlink"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISSOCK, "a socket"),
)
"""What a name that is not a regular file is, for the refusal's message."""


class FilesSource:
    def __init__(self, folder: str, config: Mapping[str, Any] | None = None) -> None:
        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise ConfigError(
                f"LISTEN_SOURCE folder {str(self.folder)!r} does not exist or is not a folder"
            )
        # The configured path may hold links (the operator's choice); resolved once here,
        # every folder on the way is then opened without following links.
        self.root = self.folder.resolve(strict=True)

    def describe(self) -> str:
        return f"files:{self.folder}"

    def get(self, article_id: str) -> RawArticle:
        folder = self._open_folder()
        try:
            for ext in EXTENSIONS:
                found = self._read(folder, f"{article_id}{ext}")
                if found is not None:
                    data, mtime = found
                    raw = parse_bytes(data, ext, article_id)
                    # A JSON file may say when it was published; else its mtime, the last resort.
                    return raw if raw.published is not None else replace(raw, published=mtime)
        finally:
            os.close(folder)
        raise ArticleNotFound(f"no article {article_id!r} in the articles folder")

    def _open_folder(self) -> int:
        """A descriptor of the folder, reached from / without following any link."""
        fd = os.open("/", FOLDER_FLAGS)
        try:
            for part in self.root.parts[1:]:
                parent, fd = fd, os.open(part, FOLDER_FLAGS, dir_fd=fd)
                os.close(parent)
        except OSError as exc:
            os.close(fd)
            log.warning("articles folder %s cannot be opened safely: %s", self.root, exc)
            raise ArticleForbidden(
                "the articles folder is not a plain folder any more (a folder on the way is "
                "a symlink or was removed): refusing to read from it"
            ) from exc
        return fd

    def _read(self, folder: int, name: str) -> tuple[bytes, float] | None:
        """The bytes and mtime of regular file ``name`` in ``folder``; None if there is none."""
        try:
            # Looked at first so that a device is never even opened (opening some has effects).
            mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
            if not stat.S_ISREG(mode):
                self._refuse(name, mode)
            fd = os.open(name, OPEN_FLAGS, dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # made a symlink since it was looked at
                self._refuse(name, stat.S_IFLNK)
            raise ArticleUnreadable(f"article file {name!r} cannot be opened") from exc
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                self._refuse(name, info.st_mode)
            if info.st_size > MAX_FILE_BYTES:
                raise ArticleUnreadable(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MiB")
            os.set_blocking(file.fileno(), True)
            data = file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ArticleUnreadable(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        return data, max(info.st_mtime, 0.0)

    def _refuse(self, name: str, mode: int) -> NoReturn:
        what = next((kind for test, kind in KINDS if test(mode)), "not a regular file")
        log.warning("refusing article file %s: %s", self.root / name, what)
        raise NotARegularFile(
            f"article file {name!r} is {what} (only regular files in the articles folder are "
            "read: no symlinks, FIFOs or devices)"
        )

    def ids(self, since: str | None = None) -> Iterator[str]:
        undated(self, since)
        seen = set()
        with os.scandir(self.root) as entries:
            names = sorted(
                e.name for e in entries if not e.is_symlink() and e.is_file(follow_symlinks=False)
            )
        for name in names:
            stem, ext = os.path.splitext(name)
            if ext.lower() in EXTENSIONS and ID_PATTERN.fullmatch(stem) and stem not in seen:
                seen.add(stem)
                yield stem


def read_path(path: Path, article_id: str | None = None) -> RawArticle:
    """Read one article file the user named (the CLI); the format follows the extension."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ArticleUnreadable(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return parse_bytes(path.read_bytes(), path.suffix.lower(), article_id or path.stem)


def parse_bytes(data: bytes, kind: str, article_id: str) -> RawArticle:
    """Parse article bytes of kind ".json", ".html"/".htm" or ".txt" ("" = sniff)."""
    if not kind:
        head = data.lstrip()[:1]
        kind = ".json" if head == b"{" else ".html" if head == b"<" else ".txt"
    if kind == ".json":
        return parse_json(data, article_id)
    if kind in (".html", ".htm"):
        return RawArticle(id=article_id, html=data)
    from listen.text.decoding import decode

    return RawArticle(id=article_id, text=decode(data))


def parse_json(data: bytes | bytearray, article_id: str) -> RawArticle:
    """``{"title", "html" or "text", "language"?, "published"?}`` -> RawArticle.

    ``published`` is an ISO 8601 date or time (``2026-03-01T09:30:00Z``; UTC without an
    offset).
    """
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArticleUnreadable(f"article {article_id!r} is not valid UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:  # the C parser's own depth guard: nested too deep
        raise ArticleUnreadable(f"article {article_id!r}: the JSON is nested too deep") from exc
    if not isinstance(obj, dict):
        raise ArticleUnreadable(f"article {article_id!r}: expected a JSON object")
    fields = {name: obj.get(name) for name in ("title", "html", "text", "language", "published")}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise ArticleUnreadable(f"article {article_id!r}: {name!r} must be a string")
    for name, value in fields.items():
        if value is not None and not _encodable(value):
            raise ArticleUnreadable(
                f"article {article_id!r}: {name!r} holds a lone surrogate (an escape like "
                "\\ud800 that is half of a character): not text"
            )
    if (fields["html"] is None) == (fields["text"] is None):
        raise ArticleUnreadable(f"article {article_id!r}: give exactly one of 'html' and 'text'")
    published = published_time(fields["published"])
    if fields["published"] is not None and published is None:
        raise ArticleUnreadable(
            f"article {article_id!r}: 'published' must be an ISO 8601 date or time after "
            f"1970, such as 2026-03-01T09:30:00Z (got {fields['published'][:40]!r})"
        )
    return RawArticle(
        id=article_id,
        title=fields["title"],
        html=fields["html"],
        text=fields["text"],
        language=fields["language"],
        published=published,
    )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
