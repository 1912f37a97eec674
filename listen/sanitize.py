"""Sanitizer: RawArticle -> title and the blocks a listener should hear.

Two phases. The structural phase (HTML only) drops elements that never hold
article text (figure, aside, nav, …, ``data-listen="skip"``) and walks what is
left into blocks. The text phase runs small rules over those blocks, each a
function ``list[Block] -> list[Block]`` driven by the phrase tables in
:mod:`listen.phrases`: listen labels, cross-links, share and newsletter chrome,
photo captions and their repeats, trailing "More Articles" lists, duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from listen import phrases
from listen.models import Block, RawArticle

DROP_TAGS = (
    "figure", "figcaption", "aside", "nav", "header", "footer", "script", "style",
    "iframe", "form", "button", "noscript", "template", "svg", "canvas", "video",
    "audio", "picture", "img", "object", "embed", "select", "input", "textarea",
    "label", "dialog", "menu",
)  # fmt: skip
BLOCK_TAGS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre "
    "table tr td th caption address details summary center hr".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
TERMINAL = tuple(".!?…:;\"'”’»)")


@dataclass
class Extracted:
    """What the structural phase found."""

    title: str | None
    language: str | None
    blocks: list[Block]
    captions: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Sanitized:
    title: str
    blocks: tuple[Block, ...]
    language_hint: str | None


# ---------------------------------------------------------------- text helpers


def clean_space(text: str) -> str:
    """Collapse all white space (including NBSP and zero-width) to single spaces."""
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip()


def key(text: str) -> str:
    """Comparison form of a text: case-folded, NFC, letters and digits only."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def word_count(text: str) -> int:
    return len(text.split())


def starts_with_phrase(text: str, phrase_list: Iterable[str]) -> str | None:
    """The phrase ``text`` starts with, as a whole word, if any."""
    k = key(text)
    for phrase in phrase_list:
        p = key(phrase)
        if k == p or k.startswith(p + " "):
            return phrase
    return None


def is_sentence(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)


# ---------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode(data: bytes) -> str:
    """Decode page bytes: BOM, then a declared charset, then UTF-8, then cp1252."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    codecs = [declared.group(1).decode("ascii", "ignore")] if declared else []
    for codec in [*codecs, "utf-8"]:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


# ---------------------------------------------------------------- HTML structure


def _classes(el: lxml.html.HtmlElement) -> list[str]:
    return f"{el.get('class', '')} {el.get('id', '')}".lower().split()


def _class_matches(el: lxml.html.HtmlElement, fragments: Iterable[str]) -> bool:
    for cls in _classes(el):
        for frag in fragments:
            if re.search(rf"(?:^|[-_]){re.escape(frag)}(?:$|[-_])", cls):
                return True
    return False


def _is_skipped(el: lxml.html.HtmlElement) -> bool:
    return el.get("data-listen") == "skip" or "listen-skip" in _classes(el)


def _text(el: lxml.html.HtmlElement) -> str:
    return clean_space(el.text_content())


def parse_html(html: str | bytes) -> lxml.html.HtmlElement:
    text = decode(html) if isinstance(html, bytes) else html
    # lxml refuses str input that declares an encoding; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    text = text.replace("\x00", "")
    if not text.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    try:
        doc = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        doc = lxml.html.fromstring("<html><body></body></html>")
    return doc


def _find_title(
    doc: lxml.html.HtmlElement, root: lxml.html.HtmlElement
) -> tuple[str | None, object]:
    for scope in (root, doc):
        for h1 in scope.iter("h1"):
            text = _text(h1)
            if text:
                return text, h1
    for xpath in ('//meta[@property="og:title"]/@content', "//title/text()"):
        found = doc.xpath(xpath)
        if found and clean_space(str(found[0])):
            return clean_space(str(found[0])), None
    return None, None


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


def extract_html(html: str | bytes) -> Extracted:
    """Structural phase: drop non-article elements, walk the rest into blocks."""
    doc = parse_html(html)
    lxml.etree.strip_elements(doc, lxml.etree.Comment, lxml.etree.PI, with_tail=False)
    language = _language(doc)
    root = _find_root(doc)
    title, title_el = _find_title(doc, root)
    root_len = max(1, len(root.text_content()))

    # Caption texts are remembered so their repeats in the body can be dropped too.
    captions = {_text(el) for el in doc.iter("figcaption")}
    captions |= {clean_space(alt) for alt in doc.xpath("//img/@alt")}

    standfirst = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el is title_el:
            continue
        if _class_matches(el, phrases.STANDFIRST_CLASSES) and _text(el):
            if len(el.text_content()) < 0.5 * root_len and el.tag not in ("article", "main"):
                standfirst = el
                break
    standfirst_text = _text(standfirst) if standfirst is not None else None

    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el is root:
            continue
        if el.tag in DROP_TAGS or _is_skipped(el):
            doomed.append(el)
        elif _class_matches(el, phrases.CHROME_CLASSES):
            # A class like "has-share" on the article body must not drop the article.
            if len(el.text_content()) < 0.5 * root_len:
                if el.tag == "p" or el.tag not in HEADING_TAGS:
                    captions |= {_text(el)} if _class_matches(el, ("caption",)) else set()
                    doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()

    blocks = []
    if standfirst_text:
        blocks.append(Block("standfirst", standfirst_text))
    skip = {id(x) for x in (title_el, standfirst) if x is not None}
    blocks += [b for b in walk(root, skip)]
    return Extracted(title, language, blocks, {c for c in captions if c})


def walk(root: lxml.html.HtmlElement, skip: set[int]) -> Iterable[Block]:
    """Yield the text of ``root`` as blocks, in document order, without recursion.

    Inline text accumulates until a block-level element starts or ends, so text
    directly inside a <div> between two <p>s is kept as its own block.
    """
    buffer: list[str] = []
    kinds: list[str] = []
    skipping = 0

    def flush() -> Iterable[Block]:
        text = clean_space("".join(buffer))
        buffer.clear()
        if text:
            yield Block(kinds[-1] if kinds else "paragraph", text)

    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or id(el) in skip:
                skipping += 1
                continue
            if tag in BLOCK_TAGS:
                yield from flush()
                kinds.append(_kind(tag))
            elif tag == "br":
                buffer.append(" ")
            if el.text:
                buffer.append(el.text)
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            elif tag in BLOCK_TAGS:
                yield from flush()
                kinds.pop()
            if el is not root and el.tail:
                buffer.append(el.tail)
    yield from flush()


def _kind(tag: str) -> str:
    if tag in HEADING_TAGS:
        return "heading"
    if tag in ("li", "dt", "dd"):
        return "item"
    return "paragraph"


# ---------------------------------------------------------------- plain text


def extract_text(text: str, *, titled: bool = True) -> Extracted:
    """Plain text: every non-empty line is a block; with ``titled`` the first is the title."""
    lines = [clean_space(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if titled and lines:
        return Extracted(lines[0], None, [Block("paragraph", line) for line in lines[1:]])
    return Extracted(None, None, [Block("paragraph", line) for line in lines])


# ---------------------------------------------------------------- text rules

Rule = Callable[[list[Block], "Context"], list[Block]]


@dataclass
class Context:
    title: str
    captions: set[str]


_LISTEN_LABELS = phrases.union(phrases.LISTEN_LABELS)
_CROSS_LINKS = phrases.union(phrases.CROSS_LINK_PREFIXES)
_CHROME = phrases.union(phrases.CHROME_PREFIXES)
_LIST_HEADINGS = phrases.union(phrases.LIST_HEADINGS)
_CREDIT = re.compile(
    "(?:" + "|".join(p for ps in phrases.CREDIT_PATTERNS.values() for p in ps) + ")"
)
# "4 min", "3:25", "0:00 / 4:12": what players print next to their label.
_PLAYER_NOISE = re.compile(r"^[\d\s:./·|-]*(?:min(?:utes?|utos?)?|mins?|s)?[\d\s:./·|-]*$")


def drop_empty(blocks: list[Block], ctx: Context) -> list[Block]:
    """Blocks with no letters or digits say nothing."""
    return [b for b in blocks if key(b.text)]


def drop_listen_labels(blocks: list[Block], ctx: Context) -> list[Block]:
    """ "Listen to this article" and friends, with an optional duration after them."""
    out = []
    for b in blocks:
        label = starts_with_phrase(b.text, _LISTEN_LABELS)
        rest = key(b.text)[len(key(label)) :] if label else ""
        if label and _PLAYER_NOISE.match(rest):
            continue
        out.append(b)
    return out


def drop_cross_links(blocks: list[Block], ctx: Context) -> list[Block]:
    """ "Leer en español: …" / "Read in English: …" lines linking the other edition."""
    out = []
    for b in blocks:
        prefix = starts_with_phrase(b.text, _CROSS_LINKS)
        if prefix and (
            word_count(b.text) <= word_count(prefix) + 1
            or re.match(rf"\s*{re.escape(prefix)}\s*[:|»>\-–—]", b.text, re.I)
        ):
            continue
        out.append(b)
    return out


def drop_chrome(blocks: list[Block], ctx: Context) -> list[Block]:
    """Share buttons, newsletter boxes, "Advertisement": short blocks led by a chrome phrase."""
    return [
        b for b in blocks if not (word_count(b.text) <= 14 and starts_with_phrase(b.text, _CHROME))
    ]


def _caption_core(text: str) -> str | None:
    """The caption text of a block carrying a photo credit, or None."""
    match = _CREDIT.search(text)
    if not match:
        return None
    return text[: match.start()].strip(" -–—|/")


def drop_captions(blocks: list[Block], ctx: Context) -> list[Block]:
    """Blocks carrying a photo credit, and every other copy of their caption."""
    captions = {key(c) for c in ctx.captions if key(c)}
    out = []
    for b in blocks:
        core = _caption_core(b.text)
        if core is not None and word_count(b.text) <= 60:
            if key(core):
                captions.add(key(core))
            continue
        out.append(b)
    return [b for b in out if key(b.text) not in captions]


def drop_related_lists(blocks: list[Block], ctx: Context) -> list[Block]:
    """A "More Articles" heading and the headlines listed under it."""
    out: list[Block] = []
    in_list = False
    for b in blocks:
        heading = key(b.text) in {key(h) for h in _LIST_HEADINGS}
        if heading or (
            word_count(b.text) <= 8
            and starts_with_phrase(b.text, _LIST_HEADINGS)
            and b.text.rstrip().endswith((":", "»"))
        ):
            in_list = True
            continue
        if in_list and (b.kind == "item" or (not is_sentence(b.text) and word_count(b.text) <= 25)):
            continue
        in_list = False
        out.append(b)
    return out


def drop_title_repeats(blocks: list[Block], ctx: Context) -> list[Block]:
    """The headline printed again (a second <h1>, a breadcrumb) is spoken once."""
    title = key(ctx.title)
    return [b for b in blocks if key(b.text) != title]


def drop_duplicates(blocks: list[Block], ctx: Context) -> list[Block]:
    """A block already spoken (a pull quote, a repeated caption) is not spoken again."""
    seen: set[str] = set()
    out = []
    for b in blocks:
        k = key(b.text)
        if k in seen:
            continue
        seen.add(k)
        out.append(b)
    return out


RULES: tuple[Rule, ...] = (
    drop_empty,
    drop_listen_labels,
    drop_cross_links,
    drop_chrome,
    drop_captions,
    drop_related_lists,
    drop_title_repeats,
    drop_duplicates,
)


def apply_rules(title: str, blocks: list[Block], captions: Iterable[str] = ()) -> list[Block]:
    ctx = Context(title=title, captions=set(captions))
    for rule in RULES:
        blocks = rule(blocks, ctx)
    return blocks


def sanitize(raw: RawArticle) -> Sanitized:
    """Turn a raw article into its title and the blocks to speak, in order."""
    if raw.html is not None:
        found = extract_html(raw.html)
    else:
        # A .txt file starts with its title; a JSON article has a title field instead.
        found = extract_text(raw.text or "", titled=not raw.title)
    title = clean_space(raw.title) if raw.title else (found.title or "")
    blocks = apply_rules(title, found.blocks, found.captions)
    return Sanitized(
        title=title, blocks=tuple(blocks), language_hint=raw.language or found.language
    )
