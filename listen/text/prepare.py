"""Preparation: a raw article -> the article to speak (sanitized, its languages, spoken text).

The text stage in one call: :func:`listen.text.sanitize.sanitize` keeps the title and
the blocks a listener should hear, :mod:`listen.text.language` picks the article's
language and each paragraph's, the publisher's :mod:`listen.text.lexicon` respells the
terms it knows, and :func:`listen.text.normalize.normalize` writes out what is said
(numbers, dates, units). Runs no engine can say as a word go, and an article over
``LISTEN_MAX_CHARS`` is refused before the costly stages. A :class:`Preparer`
remembers the last articles it prepared (and why the others could not be), by a
digest of their raw content and of the lexicon in effect.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import threading
from collections import OrderedDict

from listen.errors import ArticleTooLarge, ListenError, NothingToSpeak
from listen.models import Article, Paragraph, RawArticle
from listen.text import language
from listen.text.lexicon import EMPTY, Lexicon, Pronunciations
from listen.text.normalize import normalize
from listen.text.sanitize import sanitize

log = logging.getLogger(__name__)

PREPARED_ARTICLES = 256
"""Prepared articles (or why they cannot be) each process keeps in memory, by a digest of
their raw content."""

LONGEST_WORD = 60
"""Characters; a longer run without spaces (a hash, base64, a pasted URL) is not read."""


def pronounceable(text: str, article_id: str, *, display: bool = False) -> str:
    """The text without runs of characters no engine can pronounce as a word.

    Run on the spoken text, and with ``display`` on the text before normalizing, so
    that a 20,000-digit number is never expanded into 20,000 spoken digits. In display
    text a long run with a letter may be a web address, which the normalizer shortens
    to its host; one without only grows, and goes.
    """
    words = text.split()
    kept = [w for w in words if len(w) <= LONGEST_WORD or (display and any(c.isalpha() for c in w))]
    if len(kept) != len(words):
        log.warning(
            "article %s: not reading %d run(s) of over %d characters without a space",
            article_id,
            len(words) - len(kept),
            LONGEST_WORD,
        )
    return " ".join(kept)


def prepare(
    raw: RawArticle,
    *,
    max_chars: int,
    default_language: str,
    unsupported_as: str,
    lexicon: Lexicon = EMPTY,
) -> Article:
    """Sanitize a raw article, pick its language and each paragraph's, say its text
    (``lexicon``'s terms respelled first).

    Raises:
        NothingToSpeak: nothing is left to speak (a 422).
        ArticleTooLarge: the text to display, checked before normalizing, or the
            text to speak, checked after it, is over ``max_chars`` (a 413).
    """

    def check_size(chars: int, what: str) -> None:
        if chars > max_chars:
            raise ArticleTooLarge(
                f"article {raw.id!r} has {chars} characters of {what} text, more than "
                f"LISTEN_MAX_CHARS={max_chars}. Probable cause: a very long article, or "
                "numbers and symbols that take many words to say."
            )

    clean = sanitize(raw, max_chars)
    blocks = []
    for block in clean.blocks:
        if not language.speakable(block.text):
            log.warning(
                "article %s: skipping a paragraph in a script no voice reads: %.60r",
                raw.id,
                block.text,
            )
            continue
        blocks.append(block)
    # Refused before the costly stages: the display text only grows when spoken.
    check_size(len(clean.title) + sum(len(b.text) for b in blocks), "display")
    body = " ".join(b.text for b in blocks)
    lang = language.choose(
        clean.language_hint, f"{clean.title} {body}", default_language, unsupported_as
    )
    paragraphs = []
    for block in blocks:
        own = language.paragraph_language(block.text, lang)
        shown = pronounceable(lexicon.apply(block.text, own), raw.id, display=True)
        spoken = pronounceable(normalize(shown, own), raw.id)
        if spoken:
            paragraphs.append(Paragraph(block.text, own, block.kind, spoken))
    shown = pronounceable(lexicon.apply(clean.title, lang), raw.id, display=True)
    title_spoken = pronounceable(normalize(shown, lang), raw.id)
    article = Article(
        id=raw.id,
        # A title with nothing an engine can say is no title (as one of punctuation).
        title=clean.title if title_spoken else "",
        language=lang,
        paragraphs=tuple(paragraphs),
        title_spoken=title_spoken,
        published=raw.published,
    )
    if not article.pieces:
        raise NothingToSpeak(
            f"article {raw.id!r} has nothing to speak after removing captions and "
            "boilerplate. Probable cause: an empty article, or its text is all in "
            "elements that are never spoken (figure, aside, data-listen=skip)."
        )
    check_size(article.spoken_chars, "spoken")
    return article


class Preparer:
    """Prepares articles, remembering the last :data:`PREPARED_ARTICLES` by raw content
    and lexicon version (an edit of the lexicon in any process prepares them anew)."""

    def __init__(
        self,
        *,
        max_chars: int,
        default_language: str,
        unsupported_as: str,
        pronunciations: Pronunciations | None = None,
    ) -> None:
        self.max_chars = max_chars
        self.default_language = default_language
        self.unsupported_as = unsupported_as
        self.pronunciations = pronunciations
        self._prepared: OrderedDict[bytes, Article | ListenError] = OrderedDict()
        """Prepared articles, and the errors of those that cannot be, by raw content."""
        self._lock = threading.Lock()

    def lexicon(self) -> Lexicon:
        """The lexicon in effect now."""
        return EMPTY if self.pronunciations is None else self.pronunciations.current()

    def prepare(self, raw: RawArticle, lexicon: Lexicon | None = None) -> Article:
        """The article to speak, prepared anew (see :func:`prepare`)."""
        return prepare(
            raw,
            max_chars=self.max_chars,
            default_language=self.default_language,
            unsupported_as=self.unsupported_as,
            lexicon=self.lexicon() if lexicon is None else lexicon,
        )

    def __call__(self, raw: RawArticle) -> Article:
        """The article to speak, remembered if its raw content was prepared before.

        Sanitizing and language detection cost ~10 ms: every request for the audio of an
        unchanged article would pay them again (100 requests/s per core, at most). An
        article that cannot be prepared fails the same way every time: that is
        remembered too, or every request for it pays the failure again (an expensive
        one, at will).
        """
        lexicon = self.lexicon()
        digest = hashlib.sha256(f"{lexicon.version}\n{raw!r}".encode()).digest()
        with self._lock:
            if (known := self._prepared.get(digest)) is not None:
                self._prepared.move_to_end(digest)
        if isinstance(known, ListenError):
            raise copy.copy(known)  # a fresh one: tracebacks never pile up on one object
        if known is not None:
            return known
        failure: ListenError | None = None
        try:
            article = self.prepare(raw, lexicon)
        except ListenError as exc:
            failure = exc
        with self._lock:
            self._prepared[digest] = article if failure is None else copy.copy(failure)
            while len(self._prepared) > PREPARED_ARTICLES:
                self._prepared.popitem(last=False)
        if failure is not None:
            raise failure
        return article
