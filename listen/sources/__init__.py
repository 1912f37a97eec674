"""Article sources: article ID -> RawArticle, behind one Protocol and an alias registry.

``LISTEN_SOURCE`` picks the source: empty for the bundled samples, a folder path
for the files source, ``wordpress+https://site`` for a WordPress site's REST API,
an http(s) URL template with ``{id}`` for publisher pages, or
``alias:argument`` / ``module:Class`` for any registered source.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from listen.errors import BadInput, ConfigError, InvalidArticleId
from listen.models import RawArticle

ID_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
"""Article IDs are slugs: letters, digits, '-', '_', and '.' anywhere but first."""

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def validate_id(article_id: str) -> str:
    """Return ``article_id`` if it is a valid slug, else raise :class:`InvalidArticleId`."""
    if not isinstance(article_id, str) or not ID_PATTERN.fullmatch(article_id):
        shown = article_id[:40] + ("…" if len(article_id) > 40 else "")
        raise InvalidArticleId(
            f"invalid article id {shown!r}: use 1-128 letters, digits, '-', '_' or '.' "
            "(not leading)"
        )
    return article_id


@runtime_checkable
class Source(Protocol):
    """Where articles come from."""

    def get(self, article_id: str) -> RawArticle:
        """The article with this (already validated) ID.

        Raises:
            ArticleNotFound: no such article.
        """
        ...

    def ids(self, since: str | None = None) -> Iterable[str]:
        """Every article ID the source can list, for the home page and prewarming.

        With ``since`` (an ISO 8601 date or time), only articles modified after it.

        Raises:
            BadInput: ``since`` was given and the source cannot tell (:func:`undated`).
        """
        ...

    def describe(self) -> str:
        """A short human description, e.g. ``files:/srv/articles``."""
        ...


MAX_DATE_CHARS = 64
"""An ISO 8601 time is at most ~35 characters: a longer one is not one (never parsed)."""


def published_time(value: object) -> float | None:
    """An ISO 8601 date or time -> seconds since the epoch; None if it is not one.

    A time without an offset is UTC (WordPress's ``date_gmt`` has none); a time before
    1970 or after 9999 is no publication date (None), as is anything not a string.
    """
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_DATE_CHARS:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = when.timestamp()
    return seconds if seconds >= 0 else None


def undated(source: Source, since: str | None) -> None:
    """Refuse ``since`` for a source that cannot list its articles by date.

    Raises:
        BadInput: ``since`` is set.
    """
    if since is not None:
        raise BadInput(f"{source.describe()} cannot list articles by date (--since)")


SOURCES: dict[str, str] = {
    "files": "listen.sources.files:FilesSource",
    "wordpress": "listen.sources.wordpress:WordPressSource",
    "url": "listen.sources.url:URLSource",
}


def resolve_source(spec: str, config: Mapping[str, Any] | None = None) -> Source:
    """Build the source named by ``LISTEN_SOURCE``.

    Sources are built as ``cls(argument, config)``: the part of the spec after the
    alias, and the settings mapping. ``wordpress+https://site`` is the ``wordpress``
    source with ``https://site``; a spec containing ``{id}`` is the ``url`` source.

    Raises:
        ConfigError: the spec names no usable source (a missing folder, an unknown
            class, a ``wordpress+`` URL that is not http(s), a template without a host).
    """
    spec = (spec or "").strip()
    config = config or {}
    if not spec:
        return _load(SOURCES["files"], str(SAMPLES), config)
    if spec.lower().startswith("wordpress+"):
        return _load(SOURCES["wordpress"], spec[len("wordpress+") :], config)
    alias, sep, argument = spec.partition(":")
    if sep and alias in SOURCES:
        return _load(SOURCES[alias], argument, config)
    if "{id}" in spec:
        return _load(SOURCES["url"], spec, config)
    if sep and re.fullmatch(r"[\w.]+", alias) and re.fullmatch(r"[A-Za-z_]\w*", argument):
        return _load(spec, "", config)
    return _load(SOURCES["files"], spec, config)


def _load(path: str, argument: str, config: Mapping[str, Any]) -> Source:
    module_name, _, class_name = path.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load article source {path!r}: {exc}") from exc
    source = cls(argument, config)
    if not isinstance(source, Source):
        raise ConfigError(f"article source {path!r} does not implement the Source protocol")
    return source
