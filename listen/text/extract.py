"""Extract: a raw article (HTML page, HTML fragment or plain text) -> title and blocks.

The structural phase of sanitizing. Elements that never hold article text are
dropped (figure, aside, nav, …, ``data-listen="skip"``, share/related/caption
containers); ``data-listen="only"`` text is unhidden. A full page then goes
through :mod:`listen.text.maintext`, where extractors that know real sites'
boilerplate agree on which blocks are the article; a fragment (a CMS body, a
WordPress ``content.rendered``) is walked as it is. Either way the result is a
list of blocks in document order for the text rules of :mod:`listen.text.sanitize`.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

import lxml.etree
import lxml.html

from listen.errors import ArticleTooLarge, ArticleUnreadable
from listen.models import Block, BlockKind
from listen.text import phrases
from listen.text.declared import declared_body, prefer_declared
from listen.text.decoding import decode
from listen.text.maintext import depth, main_blocks
from listen.text.textutil import clean_space, key

log = logging.getLogger(__name__)

DROP_TAGS = (
    "figure",
    "figcaption",
    "aside",
    "nav",
    "header",
    "footer",
    "script",
    "style",
    "iframe",
    "form",
    "button",
    "noscript",
    "template",
    "svg",
    "canvas",
    "video",
    "audio",
    "picture",
    "img",
    "object",
    "embed",
    "select",
    "input",
    "textarea",
    "label",
    "dialog",
    "menu",
    "math",  # a formula read aloud is its symbols one by one, or its TeX source
)
BLOCK_TAGS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre "
    "table tr td th caption address details summary center hr".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())


@dataclass
class Extracted:
    """What the structural phase found."""

    title: str | None
    language: str | None
    blocks: list[Block]
    captions: set[str] = field(default_factory=set)
    page_words: int = 0
    """Words of text in the whole page's body (0 for a fragment or plain text)."""


# ---------------------------------------------------------------- HTML structure


def _classes(el: lxml.html.HtmlElement) -> list[str]:
    return f"{el.get('class', '')} {el.get('id', '')}".lower().split()


@lru_cache(maxsize=16)
def _fragments_pattern(fragments: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a table of class fragments: each is a whole ``-``/``_`` part."""
    return re.compile(r"(?:^|[-_])(?:" + "|".join(re.escape(f) for f in fragments) + r")(?:$|[-_])")


def _class_matches(el: lxml.html.HtmlElement, fragments: tuple[str, ...]) -> bool:
    pattern = _fragments_pattern(fragments)
    return any(pattern.search(cls) for cls in _classes(el))


def _is_skipped(el: lxml.html.HtmlElement) -> bool:
    return el.get("data-listen") == "skip" or "listen-skip" in _classes(el)


def _text(el: lxml.html.HtmlElement) -> str:
    return clean_space(el.text_content())


MAX_DEPTH = 2048
"""libxml2's nesting limit with ``huge_tree`` (256 without): below it, it drops everything."""


def parse_html(html: str | bytes) -> lxml.html.HtmlElement:
    """Parse a page or fragment into a tree.

    A page nested deeper than the parser keeps (:data:`MAX_DEPTH`) is parsed again
    with its containers flattened, so no text is lost without a word.

    Raises:
        ArticleUnreadable: the page is still too deep (nested lists, tables), a 422.
    """
    text = decode(html) if isinstance(html, bytes) else html
    # lxml refuses str input that declares an encoding; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    text = text.replace("\x00", "")
    if not text.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    doc = _parse(text)
    if depth(doc) >= MAX_DEPTH:
        # Nested containers (a template that never closes its <div>s): flattened into
        # paragraphs, the text is all there; only their classes are lost.
        log.warning("the page nests elements over %d deep; flattening its containers", MAX_DEPTH)
        doc = _parse(_FLATTENED.sub("<p>", text))
    if depth(doc) >= MAX_DEPTH:
        raise ArticleUnreadable(
            f"the page nests elements more than {MAX_DEPTH} deep, and the HTML parser "
            "drops everything below that. Probable cause: unclosed tags (a template bug) "
            "or a page built to exhaust parsers."
        )
    return doc


# huge_tree: pages nest up to MAX_DEPTH elements (the default 256 cuts real pages short).
_PARSER = lxml.html.HTMLParser(huge_tree=True)
FLATTENED_TAGS = (
    "div",
    "section",
    "article",
    "main",
    "span",
    "font",
    "center",
    "b",
    "i",
    "u",
    "em",
    "strong",
    "small",
    "big",
    "blockquote",
)
"""Containers a page nested too deep is parsed without: each becomes a paragraph break."""
# A run of them is one break; [^<>] so a run of "<" without ">" is not rescanned.
_FLATTENED = re.compile(rf"(?:</?(?:{'|'.join(FLATTENED_TAGS)})\b[^<>]*+>\s*+)+", re.I)


def _parse(text: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.fromstring("<html><body></body></html>")


def _headline(text: str) -> str:
    """The headline of "Headline | Site" or "Headline - Site": the longest part."""
    parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+|\s+::\s+", text) if p.strip()]
    return max(parts, key=len) if parts else text.strip()


def _overlap(a: str, b: str) -> float:
    """Share of the words of ``a`` that are in ``b``."""
    words = key(a).split()
    other = set(key(b).split())
    return sum(w in other for w in words) / len(words) if words else 0.0


def _find_title(
    doc: lxml.html.HtmlElement, root: lxml.html.HtmlElement
) -> tuple[str | None, lxml.html.HtmlElement | None]:
    """The headline: an <h1> that agrees with og:title/<title>, else og:title, else any <h1>.

    Sites often mark their logo as <h1>; the page's declared title tells which
    <h1> is the article's.
    """
    declared = {}
    for name, xpath in (("og", '//meta[@property="og:title"]/@content'), ("title", "//title")):
        found = doc.xpath(xpath)
        if found:
            text = clean_space(found[0] if isinstance(found[0], str) else found[0].text_content())
            if text:
                declared[name] = _headline(text)
    h1s = [(h1, _text(h1)) for scope in (root, doc) for h1 in scope.iter("h1")]
    h1s = [(el, text) for el, text in h1s if text]
    for el, text in h1s:
        for title in declared.values():
            if _overlap(text, title) >= 0.6 or _overlap(title, text) >= 0.6:
                return text, el
    # No <h1> agrees: og:title is written for sharing the article; <title> is weaker
    # evidence than the article's own <h1>.
    if "og" in declared:
        return declared["og"], None
    if h1s:
        return h1s[0][1], h1s[0][0]
    return declared.get("title"), None


def _find_root(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the article: the <article> (or <main>) with most text."""
    candidates = doc.xpath("//article") or doc.xpath("//main") or doc.xpath("//*[@role='main']")
    if not candidates:
        body = doc.find("body")
        return body if body is not None else doc
    return max(candidates, key=lambda el: len(el.text_content()))


def _language(doc: lxml.html.HtmlElement) -> str | None:
    for xpath in (
        "/html/@lang",
        "/html/@xml:lang",
        '//meta[@http-equiv="content-language"]/@content',
        '//meta[@property="og:locale"]/@content',
    ):
        try:
            found = doc.xpath(xpath, namespaces={"xml": "http://www.w3.org/XML/1998/namespace"})
        except lxml.etree.XPathError:
            continue
        if found and str(found[0]).strip():
            return str(found[0]).strip()
    return None


def _structural_clean(doc: lxml.html.HtmlElement, keep: set[int], captions: set[str]) -> None:
    """Drop elements that never hold article text; remember caption texts."""
    body = doc.find("body")
    scope = body if body is not None else doc
    scope_len = max(1, len(scope.text_content()))
    doomed = []
    for el in scope.iter():
        if not isinstance(el.tag, str) or el is scope or id(el) in keep:
            continue
        if el.get("data-listen") == "only":
            continue
        if el.tag in DROP_TAGS or _is_skipped(el):
            doomed.append(el)
        elif _class_matches(el, phrases.CHROME_CLASSES) and el.tag not in ("body", "html"):
            # A class like "has-share" on the article body must not drop the article:
            # chrome is small and holds no run of real paragraphs.
            if len(el.text_content()) < 0.3 * scope_len and not _has_prose(el):
                if _class_matches(el, ("caption", "credit")):
                    captions.add(_text(el))
                doomed.append(el)
    for el in doomed:
        if el.getparent() is not None and not _contains_any(el, keep):
            el.drop_tree()


def _has_prose(el: lxml.html.HtmlElement, paragraphs: int = 3, chars: int = 80) -> bool:
    """True if ``el`` holds at least ``paragraphs`` <p> of ``chars`` or more."""
    found = 0
    for p in el.iter("p"):
        if len(p.text_content().strip()) >= chars:
            found += 1
            if found >= paragraphs:
                return True
    return False


def _contains_any(el: lxml.html.HtmlElement, ids: set[int]) -> bool:
    return any(id(d) in ids for d in el.iter())


def _unhide_listen_only(doc: lxml.html.HtmlElement) -> None:
    """``data-listen="only"``: text hidden on the page that is meant to be spoken."""
    for el in doc.xpath('//*[@data-listen="only"]'):
        for attr in ("hidden", "style", "aria-hidden", "class"):
            el.attrib.pop(attr, None)
        el.tag = "p" if el.tag not in BLOCK_TAGS else el.tag


def is_full_page(html: str | bytes) -> bool:
    """A whole web page (with <html>/<body>/<head>), as opposed to a CMS body fragment."""
    head = html[:4096] if isinstance(html, str) else html[:4096].decode("latin-1")
    return re.search(r"<(?:html|body|head)\b", head, re.I) is not None


def check_size(found: int, max_chars: int | None) -> None:
    """Refuse, before the costly steps, a page whose ``found`` characters cannot fit.

    Boilerplate is never most of a page's text, so a page holding more than
    :data:`SIZE_MARGIN` times the limit is refused at once (a 413).
    """
    if max_chars is not None and found > SIZE_MARGIN * max_chars:
        raise ArticleTooLarge(
            f"the article holds {found} characters of text, far more than "
            f"LISTEN_MAX_CHARS={max_chars}. Probable cause: a very long page."
        )


SIZE_MARGIN = 2
"""How much more text than LISTEN_MAX_CHARS a page may hold before extraction trims it."""

TAGS_PER_CHAR = 0.5
"""Tags (``<``) a page may hold per character of LISTEN_MAX_CHARS: 100,000 at the default,
ten times the busiest news page of the test corpus (about 10,000)."""
MIN_TAGS = 50_000
"""The tag limit never falls below this, so a small LISTEN_MAX_CHARS reads real pages."""


MAX_BLOCKS = 4_000
"""Blocks of text a page may hold: six times the most of any page in the test corpus (660).
The main-text extractors cost time per block (75 µs each in trafilatura), so a page of
tens of thousands of one-word blocks, within the tag limit, held a worker for seconds."""


def check_blocks(blocks: list[Block], max_chars: int | None) -> None:
    """Refuse a page of more than :data:`MAX_BLOCKS` blocks (``blocks`` holds at most one
    more: the walk is cut there), before the extractors run.

    Raises:
        ArticleTooLarge: too many blocks.
    """
    if max_chars is not None and len(blocks) > MAX_BLOCKS:
        raise ArticleTooLarge(
            f"the page holds more than {MAX_BLOCKS} separate blocks of text; no article "
            "needs that many. Probable cause: a page built to exhaust parsers, or an index "
            "of thousands of entries."
        )


def check_tags(html: str | bytes, max_chars: int | None) -> None:
    """Refuse, before parsing, a page of far more tags than any article needs.

    Parsing, trafilatura and the walk cost time per element: 1 MB of ``<div>a `` is
    140,000 of them and took seconds before any size check. ``<`` is counted in C.

    Raises:
        ArticleTooLarge: more than :data:`TAGS_PER_CHAR` tags per allowed character.
    """
    if max_chars is None:
        return
    tags = html.count(b"<") if isinstance(html, bytes) else html.count("<")
    limit = max(MIN_TAGS, int(TAGS_PER_CHAR * max_chars))
    if tags > limit:
        raise ArticleTooLarge(
            f"the page holds {tags} tags, far more than an article of LISTEN_MAX_CHARS="
            f"{max_chars} needs ({limit} at most). Probable cause: a very long page, or "
            "markup built to exhaust parsers (thousands of unclosed elements)."
        )


def extract_html(html: str | bytes, max_chars: int | None = None) -> Extracted:
    """Structural phase: drop non-article elements, find the article, list its blocks.

    Raises:
        ArticleTooLarge: the page holds far more than ``max_chars`` of text, or far
            more tags than that much text needs.
        ArticleUnreadable: the page nests too deep to parse whole.
    """
    check_tags(html, max_chars)
    doc = parse_html(html)
    lxml.etree.strip_elements(doc, lxml.etree.Comment, lxml.etree.PI, with_tail=False)
    language = _language(doc)
    root = _find_root(doc)
    title, title_el = _find_title(doc, root)

    # Caption texts are remembered so their repeats in the body can be dropped too.
    captions = {_text(el) for el in doc.iter("figcaption")}
    captions |= {clean_space(str(alt)) for alt in doc.xpath("//img/@alt")}
    standfirst = _find_standfirst(root, title_el)
    keep = {id(x) for x in (title_el, standfirst) if x is not None}

    _unhide_listen_only(doc)
    page = copy.deepcopy(doc) if is_full_page(html) else None
    declared = declared_body(doc) if page is not None else None
    page_words = _words(page) if page is not None else 0
    _structural_clean(doc, keep, captions)
    # The body's text (<head> holds styles and scripts) is at most what is displayed:
    # too much of it is refused before the walk and trafilatura, the costly steps.
    body = doc.find("body")
    check_size(len(clean_space((body if body is not None else doc).text_content())), max_chars)
    blocks = [Block("standfirst", _text(standfirst))] if standfirst is not None else []
    # The extractors look at the whole page, so the walk does too; the standfirst is
    # spoken where they agree it is part of the article, like any other block.
    walked = walk(body if body is not None else doc, keep) if page is not None else walk(root, keep)
    blocks += islice(walked, MAX_BLOCKS + 1)
    check_blocks(blocks, max_chars)
    if page is not None:
        blocks = main_blocks(doc, blocks, page)
        blocks = prefer_declared(blocks, declared)
    return Extracted(title, language, blocks, {c for c in captions if c}, page_words)


def _words(doc: lxml.html.HtmlElement) -> int:
    body = doc.find("body")
    return len((body if body is not None else doc).text_content().split())


def _find_standfirst(
    root: lxml.html.HtmlElement, title_el: lxml.html.HtmlElement | None
) -> lxml.html.HtmlElement | None:
    root_len = max(1, len(root.text_content()))
    for el in root.iter():
        if not isinstance(el.tag, str) or el is title_el or el.tag in ("article", "main"):
            continue
        if _class_matches(el, phrases.STANDFIRST_CLASSES) and _text(el):
            if len(el.text_content()) < 0.3 * root_len and not _is_skipped(el):
                return el
    return None


def walk(root: lxml.html.HtmlElement, skip: set[int]) -> Iterable[Block]:
    """Yield the text of ``root`` as blocks, in document order, without recursion.

    Inline text accumulates until a block-level element starts or ends, so text
    directly inside a <div> between two <p>s is kept as its own block.
    """
    buffer: list[tuple[str, bool]] = []  # (text, inside a link)
    kinds: list[BlockKind] = []
    containers: list[str] = []
    skipping = 0
    in_link = 0

    def flush() -> Iterable[Block]:
        text = clean_space("".join(t for t, _ in buffer))
        linked = sum(len(t.strip()) for t, is_link in buffer if is_link)
        total = sum(len(t.strip()) for t, _ in buffer)
        buffer.clear()
        if text:
            kind = kinds[-1] if kinds else "paragraph"
            yield Block(
                kind, text, linked / total if total else 0, containers[-1] if containers else ""
            )

    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or id(el) in skip:
                skipping += 1
                continue
            if tag in BLOCK_TAGS:
                yield from flush()
                kinds.append(_kind(tag))
                containers.append(_signature(el))
            elif tag == "br":
                buffer.append((" ", False))
            elif tag == "a":
                in_link += 1
            if el.text:
                buffer.append((el.text, in_link > 0))
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            elif tag in BLOCK_TAGS:
                yield from flush()
                kinds.pop()
                containers.pop()
            elif tag == "a":
                in_link -= 1
            if el is not root and el.tail:
                buffer.append((el.tail, in_link > 0))
    yield from flush()


def _signature(el: lxml.html.HtmlElement) -> str:
    """The element and its parent by tag and first class, e.g. "div.body/p.text"."""
    parts = []
    for node in (el.getparent(), el):
        if node is not None and isinstance(node.tag, str):
            first = (node.get("class") or "").split()
            parts.append(f"{node.tag}.{first[0]}" if first else node.tag)
    return "/".join(parts)


def _kind(tag: str) -> BlockKind:
    if tag in HEADING_TAGS:
        return "heading"
    if tag in ("li", "dt", "dd"):
        return "item"
    return "paragraph"


# ---------------------------------------------------------------- plain text


def extract_text(text: str, *, titled: bool = True, max_chars: int | None = None) -> Extracted:
    """Plain text: every non-empty line is a block; with ``titled`` the first is the title.

    Raises:
        ArticleTooLarge: the text is far longer than ``max_chars``.
    """
    if max_chars is not None and len(text) > SIZE_MARGIN * max_chars:
        check_size(len(clean_space(text)), max_chars)
    lines = [clean_space(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if titled and lines:
        return Extracted(lines[0], None, [Block("paragraph", line) for line in lines[1:]])
    return Extracted(None, None, [Block("paragraph", line) for line in lines])
