"""The data that flows through the pipeline: raw articles in, clean articles out.

A :class:`Block` is a run of text found in a page; a *piece* is what a listener hears as
one unit (the title or one :class:`Paragraph`); the audio stage cuts a long piece into
*passages*, gTTS sends *chunks*, and a piece's encoded audio is a *segment*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Language = Literal["en", "es"]
"""A language listen speaks (``LISTEN_LANGUAGE``; what detection settles on)."""
BlockKind = Literal["standfirst", "heading", "paragraph", "item"]
"""What a block of an article's text is."""
PieceKind = Literal["title", BlockKind]
"""What a spoken piece of an article is: its title, or one of its blocks."""
State = Literal["ready", "pending", "error"]
"""Where an article's audio stands: in the cache, being built, or failed lately."""


@dataclass(frozen=True)
class RawArticle:
    """An article as a source hands it over, before sanitizing.

    Exactly one of ``html`` and ``text`` is set. ``title``, ``language`` and
    ``modified`` (an ISO 8601 time of the last edit) are metadata the source knew
    (a JSON field, a CMS field, an HTTP header), if any; ``published`` is when the
    article was first published, in seconds since the epoch (the podcast feed's
    ``pubDate``: WordPress's ``date_gmt``, a pushed article's ``published``, a file's
    mtime), if the source can tell.
    """

    id: str
    html: str | bytes | None = None
    text: str | None = None
    title: str | None = None
    language: str | None = None
    modified: str | None = None
    published: float | None = None


@dataclass(frozen=True)
class Block:
    """One block of text found in a page: a paragraph, heading or list item."""

    kind: BlockKind
    text: str
    link_ratio: float = 0.0
    """Share of the text that is link text: 1.0 for a block that is only a link."""
    container: str = ""
    """Where it sat in the page ("div.body/p.text"): blocks of the same template share it."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    """As displayed on the page."""
    language: str
    kind: BlockKind = "paragraph"
    spoken: str = ""
    """As it is pronounced (numbers, abbreviations… written out); empty means ``text``."""

    @property
    def speech(self) -> str:
        return self.spoken or self.text

    def to_dict(self, *, spoken: bool = False) -> dict[str, str]:
        out = {"text": self.text, "language": self.language}
        if spoken:
            out["spoken"] = self.speech
        return out


@dataclass(frozen=True)
class Article:
    """A sanitized article: what a listener hears, in order."""

    id: str
    title: str
    language: str
    paragraphs: tuple[Paragraph, ...] = field(default_factory=tuple)
    title_spoken: str = ""
    published: float | None = None
    """When it was first published (seconds since the epoch), if its source can tell;
    not part of what is spoken, so not of the audio's key."""

    @property
    def pieces(self) -> list[str]:
        """The texts to speak as displayed, title first."""
        return (
            [self.title, *(p.text for p in self.paragraphs)]
            if self.title
            else [p.text for p in self.paragraphs]
        )

    @property
    def title_speech(self) -> str:
        """The title as it is pronounced."""
        return self.title_spoken or self.title

    @property
    def kinds(self) -> list[PieceKind]:
        """The kind of each piece, title first ("title", "standfirst", "paragraph"…)."""
        head: list[PieceKind] = ["title"] if self.title else []
        return head + [p.kind for p in self.paragraphs]

    @property
    def spoken_pieces(self) -> list[tuple[str, str]]:
        """What the engines speak: (spoken text, language) of each piece, title first."""
        head = [(self.title_speech, self.language)] if self.title else []
        return head + [(p.speech, p.language) for p in self.paragraphs]

    @property
    def summary(self) -> str:
        """The standfirst (the podcast feed's item description); else the first paragraph."""
        standfirst = [p.text for p in self.paragraphs if p.kind == "standfirst"]
        if standfirst:
            return " ".join(standfirst)
        first = next((p.text for p in self.paragraphs if p.kind == "paragraph"), "")
        return first

    @property
    def languages(self) -> list[str]:
        """The languages spoken, the article's first."""
        found = dict.fromkeys([self.language, *(p.language for p in self.paragraphs)])
        return list(found)

    @property
    def words(self) -> int:
        return sum(len(t.split()) for t in self.pieces)

    @property
    def chars(self) -> int:
        """Characters displayed: the title and paragraphs as on the page."""
        return sum(len(t) for t in self.pieces)

    @property
    def spoken_words(self) -> int:
        """Words the engines say (numbers and symbols written out)."""
        return sum(len(t.split()) for t, _ in self.spoken_pieces)

    @property
    def spoken_chars(self) -> int:
        """Characters the engines say: what ``LISTEN_MAX_CHARS`` bounds after normalizing."""
        return sum(len(t) for t, _ in self.spoken_pieces)

    def to_dict(self, *, spoken: bool = False) -> dict[str, object]:
        return {
            "title": self.title,
            "language": self.language,
            "paragraphs": [p.to_dict(spoken=spoken) for p in self.paragraphs],
        }
