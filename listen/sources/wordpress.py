"""WordPress source: post ID or slug -> RawArticle, from the site's REST API (/wp-json/)."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import lxml.etree
import lxml.html

from listen.errors import (
    ArticleForbidden,
    ArticleNotFound,
    ArticleUnreadable,
    ConfigError,
    SourceUnavailable,
)
from listen.models import RawArticle
from listen.sources.fetch import Fetcher, Page, origin_of

log = logging.getLogger(__name__)

JSON_TYPES = ("application/json",)
PER_PAGE = 100
MAX_PAGES = 10_000
"""A listing longer than this many pages (a million posts) is a loop, not an archive."""

LANGUAGE_FIELDS = ("lang", "language", "wpml_current_locale", "locale")
"""Post fields that name its language: Polylang's ``lang``, WPML's locale, others."""

READ_MORE = ("continue reading", "read more", "seguir leyendo", "sigue leyendo", "leer más")
"""Link texts themes append to auto-excerpts; not part of the excerpt's own words."""

BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 figure figcaption blockquote table tr td th "
    "section header footer aside pre dt dd".split()
)

EXCERPT_SEARCH_WORDS = 50
"""An excerpt repeats the content if it matches a run starting in this many first words
(room for a dateline or a photo caption before the first paragraph)."""


class WordPressSource:
    """Posts of one WordPress site, read through its REST API.

    Article IDs are numeric post IDs (``/wp-json/wp/v2/posts/<id>``) or slugs
    (``/wp-json/wp/v2/posts?slug=<id>``).

    Args:
        site: the site's root URL, ``https://site.example`` (a path prefix is kept).
        config: the settings mapping (``FETCH_*``, ``USER_AGENT``, ``CACHE_DIR``).

    Raises:
        ConfigError: ``site`` is not an http(s) URL with a host.
    """

    def __init__(self, site: str, config: Mapping[str, Any] | None = None) -> None:
        site = site.strip().rstrip("/")
        try:
            origin = origin_of(site)
        except ValueError as exc:
            raise ConfigError(
                f"LISTEN_SOURCE=wordpress+{site}: give the site's http:// or https:// URL "
                "with a host, e.g. wordpress+https://news.example.com"
            ) from exc
        parts = urlsplit(site)
        if parts.query or parts.fragment:
            raise ConfigError(
                f"LISTEN_SOURCE=wordpress+{site}: the site URL must not have a query or fragment"
            )
        self.site = site
        self.api = f"{site}/wp-json/wp/v2/posts"
        self.fetcher = Fetcher.from_config(config or {}, origin=origin)

    def describe(self) -> str:
        """``wordpress+<site URL>``, as in ``LISTEN_SOURCE``."""
        return f"wordpress+{self.site}"

    def get(self, article_id: str) -> RawArticle:
        """The post with this numeric ID or slug.

        Raises:
            ArticleNotFound: no such (published) post.
            ArticleForbidden: the post is password-protected or private.
            ArticleUnreadable: the API answered something that is not a post.
            SourceUnavailable: the site is unreachable or its API is missing.
        """
        if article_id.isdigit():
            post = self._call(f"{self.api}/{article_id}", article_id)
        else:
            found = self._call(f"{self.api}?{urlencode({'slug': article_id})}", article_id)
            if not isinstance(found, list):
                raise ArticleUnreadable(f"{self.describe()}: a slug lookup did not return a list")
            if not found:
                raise ArticleNotFound(f"no post with slug {article_id!r} on {self.describe()}")
            post = found[0]
        raw = post_to_raw(post, article_id, self.describe())
        log.debug("post %s of %s: %r (%s)", article_id, self.site, raw.title, raw.language)
        return raw

    def ids(self, since: str | None = None) -> Iterator[str]:
        """Every published post's ID, newest first, page by page (``X-WP-TotalPages``).

        With ``since`` (an ISO 8601 date or time), only posts modified after it
        (WordPress's ``modified_after``, WordPress 5.7 and later).
        """
        number = 1
        while number <= MAX_PAGES:
            params: dict[str, object] = {"per_page": PER_PAGE, "page": number, "_fields": "id"}
            if since:
                params["modified_after"] = since if "T" in since else f"{since}T00:00:00"
            query = urlencode(params)
            page = self.fetcher.get(f"{self.api}?{query}", accept=JSON_TYPES, allow_statuses=(400,))
            if page.status == 400 and number > 1:
                break  # rest_post_invalid_page_number: the listing shrank while we read it
            if page.status != 200:
                raise _api_error(page, self.describe())
            items = page.json()
            if not isinstance(items, list):
                raise ArticleUnreadable(f"{page.url} did not return a list of posts")
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), int):
                    yield str(item["id"])
            total = page.headers.get("x-wp-totalpages", "")
            if total.isdigit():
                if number >= int(total):
                    break
            elif len(items) < PER_PAGE:
                break
            number += 1

    def _call(self, url: str, article_id: str) -> Any:
        page = self.fetcher.get(url, accept=JSON_TYPES, allow_statuses=(400, 401, 403, 404, 410))
        if page.status == 200:
            return page.json()
        code, _ = _error_fields(page)
        if code == "rest_no_route":
            raise SourceUnavailable(
                f"{self.describe()} has no REST route /wp/v2/posts ({page.url} answered "
                f"{page.status} rest_no_route). Probable cause: LISTEN_SOURCE is not the "
                "site's root URL, or a plugin disabled the REST API."
            )
        if page.status in (404, 410) or code == "rest_post_invalid_id":
            raise ArticleNotFound(f"no post {article_id!r} on {self.describe()}")
        raise _api_error(page, self.describe())


def post_to_raw(post: Any, article_id: str, where: str = "WordPress") -> RawArticle:
    """One REST API post object -> RawArticle (title, excerpt + content, language, modified).

    Raises:
        ArticleForbidden: the post is password-protected.
        ArticleUnreadable: ``post`` is not shaped like a post.
    """
    if not isinstance(post, dict) or not isinstance(post.get("content"), dict):
        raise ArticleUnreadable(f"post {article_id!r} on {where}: the answer is not a post")
    if post["content"].get("protected"):
        raise ArticleForbidden(
            f"post {article_id!r} on {where} is password-protected. Probable cause: the "
            "publisher protected it; only a reader with the password may hear it."
        )
    title = html_to_text(_rendered(post, "title"))
    content = _rendered(post, "content")
    excerpt = _rendered(post, "excerpt")
    standfirst = excerpt if excerpt_is_new(excerpt, content) else ""
    language = post_language(post)
    return RawArticle(
        id=article_id,
        html=_document(title, standfirst, content, language),
        title=title or None,
        language=language,
        modified=_modified(post),
    )


def html_to_text(fragment: str) -> str:
    """Rendered HTML (a title, an excerpt) -> its text: tags stripped, entities decoded."""
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())
    return _text(root)


def excerpt_is_new(excerpt: str, content: str) -> bool:
    """True if the excerpt says something the content does not start with.

    WordPress makes an excerpt, when the author wrote none, from the first 55 words
    of the content plus "[…]" or a "Continue reading" link: speaking it would say
    the opening twice. A hand-written standfirst is kept.
    """
    words = _words(_strip_read_more(excerpt))
    if not words:
        return False
    body = _words(html_to_text(content))
    needed = 0.9 * len(words)  # tolerate an edited word or two
    for start in range(min(EXCERPT_SEARCH_WORDS, len(body))):
        if body[start] != words[0]:
            continue
        run = body[start : start + len(words)]
        if sum(a == b for a, b in zip(run, words, strict=False)) >= needed:
            return False
    return True


def post_language(post: Mapping[str, Any]) -> str | None:
    """The post's language from a multilingual plugin's field ("es_ES" -> "es"), else None."""
    for name in LANGUAGE_FIELDS:
        value = post.get(name)
        if isinstance(value, str):
            match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", value)
            if match:
                return match.group(1).lower()
    return None


def _rendered(post: Mapping[str, Any], name: str) -> str:
    value = post.get(name)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _modified(post: Mapping[str, Any]) -> str | None:
    gmt = post.get("modified_gmt")
    if isinstance(gmt, str) and gmt:
        return gmt if gmt.endswith("Z") or "+" in gmt else gmt + "+00:00"
    local = post.get("modified")  # the site's local time, zone unknown
    return local if isinstance(local, str) and local else None


def _strip_read_more(excerpt: str) -> str:
    """The excerpt's text without a theme's "Continue reading" link or "[…]"."""
    try:
        root = lxml.html.fragment_fromstring(excerpt, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return html_to_text(excerpt)
    for link in root.xpath(".//a"):
        label = " ".join(link.text_content().lower().split())
        if "more" in link.get("class", "").lower() or label.startswith(READ_MORE):
            link.drop_tree()
    text = _text(root)
    lowered = text.lower().rstrip(" .…[]»›→")
    for phrase in READ_MORE:
        if lowered.endswith(phrase):
            return text[: len(lowered) - len(phrase)]
    return text


def _text(root: lxml.html.HtmlElement) -> str:
    # text_content() runs "<p>a</p><p>b</p>" together as "ab"; blocks need a space.
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in BLOCK_TAGS:
            el.text = " " + (el.text or "")
            el.tail = " " + (el.tail or "")
    return " ".join(root.text_content().split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _document(title: str, standfirst: str, content: str, language: str | None) -> str:
    lang = f' lang="{html.escape(language)}"' if language else ""
    lead = f'<div class="standfirst">{standfirst}</div>\n' if standfirst else ""
    return (
        f'<!DOCTYPE html>\n<html{lang}><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f"<body><article>\n{lead}{content}\n</article></body></html>\n"
    )


def _error_fields(page: Page) -> tuple[str, str]:
    try:
        data = page.json()
    except ArticleUnreadable:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("code") or ""), str(data.get("message") or "")


def _api_error(page: Page, where: str) -> SourceUnavailable | ArticleForbidden:
    code, message = _error_fields(page)
    said = f" ({code}: {message})" if code else ""
    if page.status in (401, 403):
        return ArticleForbidden(
            f"{where} refused {page.url} with HTTP {page.status}{said}. Probable cause: the "
            "post is private or a draft, or the site requires a login for its REST API."
        )
    return SourceUnavailable(
        f"{where} answered {page.url} with HTTP {page.status}{said}. Probable cause: the "
        "site's REST API does not accept this request (an old WordPress or a plugin)."
    )
