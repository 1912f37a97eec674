"""Files source: a folder of ``<id>.json``, ``<id>.html`` or ``<id>.txt`` articles."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from listen.errors import ArticleNotFound, ArticleUnreadable, ConfigError
from listen.models import RawArticle
from listen.sources import ID_PATTERN

EXTENSIONS = (".json", ".html", ".htm", ".txt")
"""Looked up in this order when several files share an ID."""
MAX_FILE_BYTES = 20 * 1024 * 1024


class FilesSource:
    def __init__(self, folder: str, config: Mapping[str, Any] | None = None) -> None:
        self.folder = Path(folder).expanduser()
        if not self.folder.is_dir():
            raise ConfigError(
                f"LISTEN_SOURCE folder {str(self.folder)!r} does not exist or is not a folder"
            )

    def describe(self) -> str:
        return f"files:{self.folder}"

    def get(self, article_id: str) -> RawArticle:
        for ext in EXTENSIONS:
            path = self.folder / f"{article_id}{ext}"
            if path.is_file():
                return read_path(path, article_id)
        raise ArticleNotFound(f"no article {article_id!r} in {self.describe()}")

    def ids(self) -> Iterator[str]:
        seen = set()
        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() in EXTENSIONS and ID_PATTERN.fullmatch(path.stem):
                if path.stem not in seen:
                    seen.add(path.stem)
                    yield path.stem


def read_path(path: Path, article_id: str | None = None) -> RawArticle:
    """Read one article file; the format follows the extension."""
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
    from listen.extract import decode

    return RawArticle(id=article_id, text=decode(data))


def parse_json(data: bytes, article_id: str) -> RawArticle:
    """``{"title", "html" or "text", "language"?}`` -> RawArticle."""
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArticleUnreadable(f"article {article_id!r} is not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise ArticleUnreadable(f"article {article_id!r}: expected a JSON object")
    fields = {name: obj.get(name) for name in ("title", "html", "text", "language")}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise ArticleUnreadable(f"article {article_id!r}: {name!r} must be a string")
    if (fields["html"] is None) == (fields["text"] is None):
        raise ArticleUnreadable(f"article {article_id!r}: give exactly one of 'html' and 'text'")
    return RawArticle(
        id=article_id,
        title=fields["title"],
        html=fields["html"],
        text=fields["text"],
        language=fields["language"],
    )
