"""Sanitize: title and blocks -> only what a listener should hear.

Small rules, each a function ``(blocks, context) -> blocks`` driven by the
phrase tables in :mod:`listen.text.phrases`, run in order over the blocks that
:mod:`listen.text.extract` found: listen labels, cross-links, share and newsletter
chrome, photo captions and their repeats, trailing "More Articles" lists,
title repeats, duplicates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import islice

from listen.errors import NoArticle
from listen.models import Block, RawArticle
from listen.text import phrases
from listen.text.extract import extract_html, extract_text
from listen.text.textutil import clean_space, is_sentence, key, starts_with_phrase, word_count


@dataclass
class Context:
    title: str
    captions: set[str]


Rule = Callable[[list[Block], Context], list[Block]]


@dataclass(frozen=True)
class Sanitized:
    title: str
    blocks: tuple[Block, ...]
    language_hint: str | None


_LISTEN_LABELS = phrases.union(phrases.LISTEN_LABELS)
_CROSS_LINKS = phrases.union(phrases.CROSS_LINK_PREFIXES)
_CHROME = phrases.union(phrases.CHROME_PREFIXES)
_LIST_HEADINGS = phrases.union(phrases.LIST_HEADINGS)
_LIST_HEADING_KEYS = frozenset(key(h) for h in _LIST_HEADINGS)
_CREDIT = re.compile(
    "(?:" + "|".join(p for ps in phrases.CREDIT_PATTERNS.values() for p in ps) + ")", re.S
)
# "4 min", "3:25", "0:00 / 4:12": what players print next to their label. The runs are
# possessive: what follows each starts with a letter, so giving characters back never
# helps, and two backtracking runs of the same characters side by side would be cubic.
_PLAYER_NOISE = re.compile(
    r"[\d\s:./·|-]*+(?:(?:min(?:utes?|utos?)?|mins?|s)[\d\s:./·|-]*+)?"
    r"(?:aqui|here|now|ahora|en audio|audio)?\s*$"
)


def drop_empty(blocks: list[Block], ctx: Context) -> list[Block]:
    """Blocks with no letters or digits say nothing."""
    return [b for b in blocks if key(b.text)]


def drop_listen_labels(blocks: list[Block], ctx: Context) -> list[Block]:
    """Labels like "Listen to this article", with an optional duration after them."""
    out = []
    for b in blocks:
        label = starts_with_phrase(b.text, _LISTEN_LABELS)
        rest = key(b.text)[len(key(label)) :] if label else ""
        if label and _PLAYER_NOISE.match(rest):
            continue
        out.append(b)
    return out


def drop_cross_links(blocks: list[Block], ctx: Context) -> list[Block]:
    """Links to the other edition: "Leer en español: …", "Read in English: …"."""
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


_READ_MORE = {key(p) for p in phrases.union(phrases.READ_MORE_PREFIXES)}
_LINK_SEPARATOR = re.compile(r"\s*[:|»>→]\s*")


def drop_read_more_links(blocks: list[Block], ctx: Context) -> list[Block]:
    """In-body links out: "Lea también: <headline>", "READ MORE | <headline>"."""
    out = []
    for b in blocks:
        parts = _LINK_SEPARATOR.split(b.text[:60], maxsplit=1)
        if len(parts) == 2 and key(parts[0]) in _READ_MORE and word_count(b.text) <= 40:
            continue
        out.append(b)
    return out


_NETWORKS = tuple(key(n) for n in phrases.SOCIAL_NETWORKS)
_CALLS = tuple(key(c) for c in phrases.union(phrases.CALLS_TO_ACTION))
_NETWORK = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in _NETWORKS) + r")\b")
"""Any network's name as a whole word (one pass, not one search per network)."""
_SUPPORT = phrases.union(phrases.SUPPORT_PREFIXES)
_PITCHES = tuple(key(p) for p in phrases.union(phrases.SUPPORT_PITCHES))


def drop_social_calls(blocks: list[Block], ctx: Context) -> list[Block]:
    """Calls to action naming a network: "Síguenos en Telegram…", "Follow us on X"."""
    out = []
    for b in blocks:
        if (
            word_count(b.text) <= 25
            and starts_with_phrase(b.text, _CALLS)
            and _NETWORK.search(key(b.text))
        ):
            continue
        out.append(b)
    return out


def drop_support_pitches(blocks: list[Block], ctx: Context) -> list[Block]:
    """Membership and donation pitches: "Become a member", "…HAZTE MIEMBRO Y DISFRUTA…"."""
    out = []
    for b in blocks:
        k = f" {key(b.text)} "
        if word_count(b.text) <= 40 and starts_with_phrase(b.text, _SUPPORT):
            continue
        if word_count(b.text) <= 100 and any(f" {p} " in k for p in _PITCHES):
            continue
        out.append(b)
    return out


_DISCLOSURES = tuple(key(p) for p in phrases.union(phrases.DISCLOSURES))
_CONTACTS = tuple(key(p) for p in phrases.union(phrases.CONTACT_PHRASES))
_FUNCTION_WORDS = frozenset(key(w) for w in phrases.union(phrases.FUNCTION_WORDS))


def _holds_phrase(text: str, phrases_: tuple[str, ...]) -> bool:
    k = f" {key(text)} "
    return any(f" {p} " in k for p in phrases_)


def drop_disclosures(blocks: list[Block], ctx: Context) -> list[Block]:
    """Affiliate disclosures: "This post contains references to products from … advertisers"."""
    return [
        b for b in blocks if not (word_count(b.text) <= 80 and _holds_phrase(b.text, _DISCLOSURES))
    ]


def _has_email(text: str) -> bool:
    """An e-mail address: a word with an "@" that has a dot after it (no regex: linear)."""
    return "@" in text and any("." in w.partition("@")[2] for w in text.split() if "@" in w)


def drop_contact_pitches(blocks: list[Block], ctx: Context) -> list[Block]:
    """Invitations to write in: "Get in touch with our news team by emailing us at …"."""
    return [
        b
        for b in blocks
        if not (
            word_count(b.text) <= 40 and _has_email(b.text) and _holds_phrase(b.text, _CONTACTS)
        )
    ]


def drop_function_words(blocks: list[Block], ctx: Context) -> list[Block]:
    """Blocks of only words that say nothing alone: a login form's "or", a lone "By"."""
    return [b for b in blocks if not set(key(b.text).split()) <= _FUNCTION_WORDS]


def drop_labelled_links(blocks: list[Block], ctx: Context) -> list[Block]:
    """A short "Label: <link>" block: a link out ("Our Standards: <policy page>")."""
    out = []
    for b in blocks:
        label, colon, rest = b.text[:40].partition(":")
        if (
            colon
            and word_count(label) <= 3
            and rest.strip()
            and b.link_ratio >= 0.6
            and word_count(b.text) <= 12
        ):
            continue
        out.append(b)
    return out


def drop_template_debris(blocks: list[Block], ctx: Context) -> list[Block]:
    """Unfilled template fields: "PP: PC: items_count: FI slug: FI name: …"."""
    out = []
    for b in blocks:
        words = b.text.split()
        fields = sum(w.endswith(":") for w in words)
        if fields >= 5 and fields >= 0.3 * len(words):
            continue
        out.append(b)
    return out


_CREDIT_LINES = phrases.union(phrases.CREDIT_LINE_PREFIXES)
_EMBED_TRACE = re.compile(
    r"pic\.twitter\.com/|^\s*[—–-]\s*.{0,80}\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"
)


def drop_credit_lines(blocks: list[Block], ctx: Context) -> list[Block]:
    """Production credits at the foot of wire stories: "Reporting by …; Editing by …"."""
    return [
        b
        for b in blocks
        if not (word_count(b.text) <= 60 and starts_with_phrase(b.text, _CREDIT_LINES))
    ]


def drop_social_embeds(blocks: list[Block], ctx: Context) -> list[Block]:
    """What is left of an embedded post: "pic.twitter.com/…", "— Name (@handle) July 1, 2026"."""
    return [b for b in blocks if not _EMBED_TRACE.search(b.text)]


def drop_link_teasers(blocks: list[Block], ctx: Context) -> list[Block]:
    """A block that is nothing but a link and no sentence: another story's headline."""
    return [
        b
        for b in blocks
        if not (b.link_ratio >= 0.9 and not is_sentence(b.text) and word_count(b.text) <= 30)
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
    # Counted once, so each repeat is judged in constant time (linear in blocks).
    per_container = Counter(b.container for b in out)
    return [b for b in out if key(b.text) not in captions or _is_body_paragraph(b, per_container)]


BODY_PARAGRAPH_WORDS = 20
"""A paragraph this long, in the template of two or more others, is body text even where a
caption repeats it (some sites caption a photo with the story's own first sentence)."""


def _is_body_paragraph(block: Block, per_container: Counter[str]) -> bool:
    if block.kind != "paragraph" or not block.container:
        return False
    if word_count(block.text) < BODY_PARAGRAPH_WORDS or not is_sentence(block.text):
        return False
    return per_container[block.container] >= 3


def drop_related_lists(blocks: list[Block], ctx: Context) -> list[Block]:
    """A "More Articles" heading and the headlines listed under it."""
    out: list[Block] = []
    in_list = False
    for b in blocks:
        heading = key(b.text) in _LIST_HEADING_KEYS
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


def drop_contained_repeats(blocks: list[Block], ctx: Context) -> list[Block]:
    """A short block repeated inside a longer one (a pull quote) is spoken once, in place."""
    keys = [key(b.text) for b in blocks]
    # Index every block by its word trigrams, so a candidate is compared only with
    # the blocks that share its rarest trigram (linear, not quadratic, in blocks).
    holders: dict[tuple[str, ...], set[int]] = {}
    for i, k in enumerate(keys):
        words = k.split()
        for j in range(len(words) - 2):
            holders.setdefault(tuple(words[j : j + 3]), set()).add(i)
    out = []
    for i, (b, k) in enumerate(zip(blocks, keys, strict=True)):
        words = k.split()
        if 8 <= len(words) <= 80:
            padded = f" {k} "
            # The block's rarest trigram names the few blocks that can hold it; on a page
            # of one repeated phrase even that is every block, so only so many are read.
            rarest = min((holders[tuple(words[j : j + 3])] for j in range(len(words) - 2)), key=len)
            others = islice((j for j in rarest if j != i), MAX_COMPARED)
            if any(len(keys[j]) > len(k) and padded in f" {keys[j]} " for j in others):
                continue  # it also stands inside a longer block
        out.append(b)
    return out


MAX_COMPARED = 64
"""Blocks a candidate pull quote is compared with, at most (a bound, not a tuning)."""


RULES: tuple[Rule, ...] = (
    drop_empty,
    drop_listen_labels,
    drop_cross_links,
    drop_chrome,
    drop_read_more_links,
    drop_social_calls,
    drop_support_pitches,
    drop_disclosures,
    drop_contact_pitches,
    drop_function_words,
    drop_labelled_links,
    drop_template_debris,
    drop_link_teasers,
    drop_credit_lines,
    drop_social_embeds,
    drop_captions,
    drop_related_lists,
    drop_title_repeats,
    drop_duplicates,
    drop_contained_repeats,
)


MAX_BLOCK_CHARS = 3_000
"""Longest block the rules see; a longer one is cut into parts at sentence ends or spaces.

Four times a long news paragraph (~750 characters), so a real paragraph is never cut,
and 30 requests of speech. It bounds what one rule, one normalizer step and one
synthesized paragraph handle, whatever a page holds in one element."""
_SENTENCE_ENDS = (". ", "! ", "? ", "… ", '." ', ".” ", "; ")


def _cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` (longer than ``limit``): after a sentence, else at a space.

    Words longer than the limit are never cut: they ride with the text after them
    (which the unpronounceable-run rule then reads without them).
    """
    start = 0
    while (space := text.find(" ", start)) - start > limit:
        start = space + 1
    if space < 0 or len(text) - start <= limit:
        return len(text)
    window = text[start : start + limit + 1]
    sentence = max(window.rfind(end) for end in _SENTENCE_ENDS)
    if sentence >= limit // 2:
        return start + window.index(" ", sentence)  # the punctuation stays with its sentence
    return start + window.rfind(" ")


def split_long(text: str, limit: int = MAX_BLOCK_CHARS) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, besides words longer than that."""
    parts = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        parts.append(text)
    return [p for p in parts if p]


def bounded(blocks: Iterable[Block]) -> list[Block]:
    """Every block cut to at most :data:`MAX_BLOCK_CHARS`, before any rule runs."""
    out = []
    for b in blocks:
        if len(b.text) <= MAX_BLOCK_CHARS:
            out.append(b)
        else:
            out.extend(replace(b, text=part) for part in split_long(b.text))
    return out


def apply_rules(title: str, blocks: list[Block], captions: Iterable[str] = ()) -> list[Block]:
    ctx = Context(title=title, captions=set(captions))
    blocks = bounded(blocks)
    for rule in RULES:
        blocks = rule(blocks, ctx)
    return blocks


MIN_ARTICLE_WORDS = 40
"""Fewer words than this, besides the title, is no article (real ones in the corpus: 72+)."""

PAGE_WORDS = 150
"""A page of at least this many words that speaks under MIN_ARTICLE_WORDS holds no article;
a smaller page (a test page, a bare brief) is spoken as it is."""


def check_article(article_id: str, blocks: list[Block], page_words: int) -> None:
    """Refuse a web page whose text is all chrome: a section front, error page, paywall stub.

    Raises:
        NoArticle: the page holds :data:`PAGE_WORDS` words or more, of which fewer than
            :data:`MIN_ARTICLE_WORDS` are left to speak besides the title.
    """
    spoken = sum(word_count(b.text) for b in blocks)
    if page_words >= PAGE_WORDS and spoken < MIN_ARTICLE_WORDS:
        raise NoArticle(
            f"article {article_id!r}: the page holds {page_words} words, but only {spoken} "
            "of them are article text. Probable cause: not an article's page (a section "
            "front, an error page, or a paywall stub without the story)."
        )


def sanitize(raw: RawArticle, max_chars: int | None = None) -> Sanitized:
    """Turn a raw article into its title and the blocks to speak, in order.

    Raises:
        ArticleTooLarge: the page holds far more text than ``max_chars`` (checked
            before the costly steps).
        ArticleUnreadable: the page cannot be parsed whole.
        NoArticle: a web page of some size holds next to no article text (a 422).
    """
    if raw.html is not None:
        found = extract_html(raw.html, max_chars)
    else:
        # A .txt file starts with its title; a JSON article has a title field instead.
        found = extract_text(raw.text or "", titled=raw.title is None, max_chars=max_chars)
    title = clean_space(raw.title) if raw.title is not None else (found.title or "")
    if not key(title):
        title = ""  # a title of punctuation or emoji says nothing
    blocks = apply_rules(title, found.blocks, found.captions)
    check_article(raw.id, blocks, found.page_words)
    return Sanitized(
        title=title, blocks=tuple(blocks), language_hint=raw.language or found.language
    )
