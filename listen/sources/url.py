"""URL source: article ID -> the publisher's page at a URL template with ``{id}``, as RawArticle."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from listen.errors import ConfigError
from listen.models import RawArticle
from listen.sources import undated
from listen.sources.fetch import Fetcher, origin_of

log = logging.getLogger(__name__)

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
"""Content types an article page may have; anything else (PDF, images, JSON) is refused."""


class URLSource:
    """Article pages fetched from a URL template, e.g. ``https://news.example.com/a/{id}``.

    The ID is URL-quoted into the template; pages are fetched only from the
    template's own scheme, host and port (redirects included). The page is handed
    over whole: finding the article in it is the sanitizer's job. There is no
    listing, so :meth:`ids` yields nothing: prewarm with explicit IDs.

    Args:
        template: an http(s) URL with ``{id}`` in its path or query.
        config: the settings mapping (``FETCH_*``, ``USER_AGENT``, ``CACHE_DIR``).

    Raises:
        ConfigError: the template has no ``{id}``, no host, a non-http(s) scheme, or
            ``{id}`` in its host.
    """

    def __init__(self, template: str, config: Mapping[str, Any] | None = None) -> None:
        template = template.strip()
        if "{id}" not in template:
            raise ConfigError(
                f"LISTEN_SOURCE={template}: a URL template needs {{id}} where the article "
                "ID goes, e.g. https://news.example.com/articles/{id}"
            )
        probe = template.replace("{id}", "id")
        try:
            origin = origin_of(probe)
        except ValueError as exc:
            raise ConfigError(
                f"LISTEN_SOURCE={template}: a URL template must be an http:// or https:// "
                "URL with a host, e.g. https://news.example.com/articles/{id}"
            ) from exc
        if "{id}" in urlsplit(template).netloc:
            raise ConfigError(
                f"LISTEN_SOURCE={template}: {{id}} must be in the path or query, not the host"
            )
        self.template = template
        self.fetcher = Fetcher.from_config(config or {}, origin=origin)

    def describe(self) -> str:
        """The URL template, as in ``LISTEN_SOURCE``."""
        return self.template

    def url_for(self, article_id: str) -> str:
        """The page URL of an article: the template with the quoted ID in place of ``{id}``."""
        return self.template.replace("{id}", quote(article_id, safe=""))

    def get(self, article_id: str) -> RawArticle:
        """The article's page: HTML as bytes (``text/plain`` pages as text).

        Raises:
            ArticleNotFound: the page answered 404 or 410.
            ArticleTooLarge: the page is larger than ``LISTEN_FETCH_MAX_BYTES``.
            ArticleUnreadable: the page is not HTML or text.
            SourceUnavailable: the site is unreachable, answered an error, or
                redirected to another origin.
        """
        page = self.fetcher.get(self.url_for(article_id), accept=PAGE_TYPES)
        log.debug("%s: %s, %d bytes (%s)", page.url, page.media_type, len(page.body), page.origin)
        modified = page.last_modified_iso
        if page.media_type == "text/plain":
            return RawArticle(
                id=article_id, text=_decode_text(page.body, page.charset), modified=modified
            )
        return RawArticle(id=article_id, html=page.body, modified=modified)

    def ids(self, since: str | None = None) -> Iterator[str]:
        """Nothing: a URL template cannot list its articles."""
        undated(self, since)
        return iter(())


def _decode_text(body: bytes, charset: str | None) -> str:
    from listen.text.decoding import decode

    # One decoder for every page: BOMs, then UTF-8, then a charset that reads ASCII as ASCII.
    return decode(body, charset)
