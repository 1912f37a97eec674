"""WordPress source: post ID or slug -> RawArticle, from the site's REST API.

The API's root is found as WordPress advertises it, in the ``Link: <…>; rel="https://api.w.org/"``
header of the site's home page: ``/wp-json/`` with pretty permalinks, ``/index.php?rest_route=/``
without. A site that sends no such header is asked at ``/?rest_route=/``, which every
WordPress answers.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from listen.errors import (
    ArticleForbidden,
    ArticleNotFound,
    ArticleUnreadable,
    ConfigError,
    ListenError,
    OriginUnreachable,
    SourceUnavailable,
)
from listen.models import RawArticle
from listen.sources import published_time
from listen.sources.fetch import Fetcher, Page, origin_of

log = logging.getLogger(__name__)

JSON_TYPES = ("application/json",)
API_REL = "https://api.w.org/"
"""The link relation WordPress gives its REST API's root (``Link`` header, ``<link>``)."""
POSTS_ROUTE = "/wp/v2/posts"
NOT_PUBLISHED = ("rest_forbidden",)
"""REST error codes for a post a logged-out reader may not see: a draft, a scheduled,
pending, private or trashed post (WordPress answers 401 for each, and 404 for none)."""
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
NOT_IN_EXCERPTS = (
    "//figure | //figcaption | //*[contains(@class, 'wp-caption')] | //script | //style"
)
"""What WordPress leaves out of the excerpts it makes: image, gallery and embed blocks
(``excerpt_remove_blocks``), ``[caption]`` shortcodes (``strip_shortcodes``)."""
UNRESOLVED_EMBED = re.compile(
    r"<p>\s*+(?:<a\s[^<>]*+>\s*+)?https?://[^\s<>\"]++\s*+(?:</a>\s*+)?</p>", re.I
)
"""A URL alone in its paragraph: WordPress embeds it (a video, a post) where it can, and
leaves the bare URL where the provider is unknown or unreachable. Not a sentence to say."""
EXCERPT_RUN = 3
"""Words in a row an excerpt shares with the content for them to be the content's words."""
EXCERPT_SHARED = 0.9
"""An excerpt this much of which is runs of the content's words repeats the content
(room for a word WordPress joined or an editor changed)."""


class WordPressSource:
    """Posts of one WordPress site, read through its REST API.

    Article IDs are numeric post IDs (``/wp/v2/posts/<id>``) or slugs
    (``/wp/v2/posts?slug=<id>``). The API's root is discovered on first use
    (see the module docstring) and kept.

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
        self.origin = origin
        self.fetcher = Fetcher.from_config(config or {}, origin=origin)
        self._root: str | None = None

    @property
    def root(self) -> str:
        """The REST API's root URL, as the site's home page advertises it.

        Raises:
            SourceUnavailable: the site is unreachable (nothing is remembered then).
        """
        if self._root is None:
            self._root = self._discover()
        return self._root

    def _discover(self) -> str:
        fallback = f"{self.site}/?rest_route=/"
        try:
            home = self.fetcher.get(f"{self.site}/", allow_statuses=(401, 403, 404, 410))
        except OriginUnreachable:
            raise
        except ListenError as exc:  # a home page too large, of another type, redirected away
            log.info("%s: no API link from the home page (%s); using %s", self.site, exc, fallback)
            return fallback
        found = api_root(home.headers.get("link", ""), home.url)
        if found is None or origin_of(found) != self.origin:
            log.info("%s: the home page links no REST API here; using %s", self.site, fallback)
            return fallback
        log.debug("%s: REST API at %s", self.site, found)
        return found

    def route(self, path: str, params: Mapping[str, object] | None = None) -> str:
        """The URL of REST route ``path`` (``/wp/v2/posts``) with query ``params``."""
        return route_url(self.root, path, params or {})

    def describe(self) -> str:
        """``wordpress+<site URL>``, as in ``LISTEN_SOURCE``."""
        return f"wordpress+{self.site}"

    def get(self, article_id: str) -> RawArticle:
        """The post with this numeric ID or slug.

        Raises:
            ArticleNotFound: no such published post (a draft, a scheduled, private or
                trashed post is none, as on the site for a logged-out reader).
            ArticleForbidden: the post is password-protected, or the site's REST API
                refuses logged-out readers.
            ArticleUnreadable: the API answered something that is not a post.
            SourceUnavailable: the site is unreachable or its API is missing.
        """
        if article_id.isdigit():
            post = self._call(self.route(f"{POSTS_ROUTE}/{article_id}"), article_id)
        else:
            found = self._call(self.route(POSTS_ROUTE, {"slug": article_id}), article_id)
            if not isinstance(found, list):
                raise ArticleUnreadable(f"{self.describe()}: a slug lookup did not return a list")
            if not found:
                raise ArticleNotFound(f"no post with slug {article_id!r} on {self.describe()}")
            post = found[0]
        raw = post_to_raw(post, article_id, self.describe())
        log.debug("post %s of %s: %r (%s)", article_id, self.site, raw.title, raw.language)
        return raw

    def ids(self, since: str | None = None) -> Iterator[str]:
        """Every published post's ID, newest (highest ID) first, page by page (``X-WP-TotalPages``).

        Password-protected posts are left out: a listener cannot hear them. With
        ``since`` (an ISO 8601 date or time), only posts modified after it
        (WordPress's ``modified_after``, WordPress 5.7 and later).
        """
        number = 1
        while number <= MAX_PAGES:
            params: dict[str, object] = {
                "per_page": PER_PAGE,
                "page": number,
                # By ID: a total order, so no post moves between pages (many posts share
                # a date to the second after an import, and MySQL orders ties anyhow).
                "orderby": "id",
                "order": "desc",
                "_fields": "id,content.protected",
            }
            if since:
                params["modified_after"] = since if "T" in since else f"{since}T00:00:00"
            url = self.route(POSTS_ROUTE, params)
            page = self.fetcher.get(url, accept=JSON_TYPES, allow_statuses=(400,))
            if page.status == 400 and number > 1:
                break  # rest_post_invalid_page_number: the listing shrank while we read it
            if page.status != 200:
                raise _api_error(page, self.describe())
            items = page.json()
            if not isinstance(items, list):
                raise ArticleUnreadable(f"{page.url} did not return a list of posts")
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("id"), int):
                    if not _is_protected(item):
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
        if code in NOT_PUBLISHED:
            raise ArticleNotFound(
                f"post {article_id!r} is not published on {self.describe()} (HTTP "
                f"{page.status} {code}). Probable cause: a draft, a scheduled, private or "
                "trashed post, which the site shows no logged-out reader either."
            )
        raise _api_error(page, self.describe())


def api_root(link: str, base: str) -> str | None:
    """The REST API root in a ``Link`` header (``<…>; rel="https://api.w.org/"``), if any."""
    for value in re.findall(r"<([^<>]*)>\s*((?:;[^,;]*)*)", link[:4096]):
        target, params = value
        rels = re.findall(r';\s*rel\s*=\s*"?([^";]*)"?', params)
        if any(API_REL in rel.split() for rel in rels):
            found = urljoin(base, str(target).strip())
            try:
                origin_of(found)
            except ValueError:
                return None
            return found
    return None


def route_url(root: str, path: str, params: Mapping[str, object]) -> str:
    """REST route ``path`` under API root ``root`` (``…/wp-json/`` or ``…?rest_route=/``)."""
    parts = urlsplit(root)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "rest_route" for name, _ in query):
        kept = [(n, v) for n, v in query if n != "rest_route"]
        pairs = [*kept, ("rest_route", path), *((k, str(v)) for k, v in params.items())]
        return urlunsplit(parts._replace(query=urlencode(pairs, safe="/,")))
    url = parts.path.rstrip("/") + path
    pairs = [*query, *((k, str(v)) for k, v in params.items())]
    return urlunsplit(parts._replace(path=url, query=urlencode(pairs, safe=",")))


def _is_protected(item: Mapping[str, Any]) -> bool:
    content = item.get("content")
    return isinstance(content, dict) and bool(content.get("protected"))


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
    content = UNRESOLVED_EMBED.sub("", _rendered(post, "content"))
    excerpt = _rendered(post, "excerpt")
    standfirst = excerpt if excerpt_is_new(excerpt, content) else ""
    language = post_language(post)
    return RawArticle(
        id=article_id,
        html=_fragment(standfirst, content),
        title=title or None,
        language=language,
        modified=_modified(post),
        published=_published(post),
    )


def _parsed(fragment: str) -> Any:
    """Rendered HTML as one ``div`` element; None if lxml cannot parse it."""
    try:
        return lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None


def html_to_text(fragment: str) -> str:
    """Rendered HTML (a title, an excerpt) -> its text: tags stripped, entities decoded."""
    if not fragment.strip():
        return ""
    root = _parsed(fragment)
    if root is None:
        return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())
    return _text(root)


def excerpt_is_new(excerpt: str, content: str) -> bool:
    """True if the excerpt says something the content does not.

    WordPress makes an excerpt, when the author wrote none, from the first 55 words
    of the content plus "[…]" or a "Continue reading" link, leaving out images,
    captions, embeds and (in WordPress 6.1) lists, and joining paragraphs: speaking
    it would say the opening twice. So an excerpt nearly all of whose words come in
    runs of :data:`EXCERPT_RUN` that the content holds too is the content's own; a
    hand-written standfirst is kept.
    """
    words = _words(_strip_read_more(excerpt))
    if not words:
        return False
    # The content's words with its figures (a pull quote is one, and in the excerpt)
    # and without them (an image's caption is not, and interrupts the runs).
    bodies = [_words(html_to_text(content)), _words(_excerpt_source(content))]
    if len(words) < EXCERPT_RUN:
        return not any(f" {' '.join(words)} " in f" {' '.join(body)} " for body in bodies)
    runs = {
        tuple(body[i : i + EXCERPT_RUN])
        for body in bodies
        for i in range(len(body) - EXCERPT_RUN + 1)
    }
    shared = [False] * len(words)
    for i in range(len(words) - EXCERPT_RUN + 1):
        if tuple(words[i : i + EXCERPT_RUN]) in runs:
            shared[i : i + EXCERPT_RUN] = [True] * EXCERPT_RUN
    return sum(shared) < EXCERPT_SHARED * len(words)


def _excerpt_source(content: str) -> str:
    """The content's text as WordPress makes an excerpt of it: no figures or captions."""
    if not content.strip():
        return ""
    root = _parsed(content)
    if root is None:
        return html_to_text(content)
    for el in root.xpath(NOT_IN_EXCERPTS):
        if el.getparent() is not None:
            el.drop_tree()
    return _text(root)


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


def _published(post: Mapping[str, Any]) -> float | None:
    """When the post was published: ``date_gmt`` (UTC), else ``date`` (the site's local
    time, zone unknown, read as UTC)."""
    found = published_time(post.get("date_gmt"))
    return found if found is not None else published_time(post.get("date"))


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


def _fragment(standfirst: str, content: str) -> str:
    """The post as an HTML fragment: walked as it is, like any CMS body (title and
    language travel as the RawArticle's own fields)."""
    lead = f'<div class="standfirst">{standfirst}</div>\n' if standfirst else ""
    return f"<article>\n{lead}{content}\n</article>\n"


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
