"""The data that flows through the pipeline: raw articles in, clean articles out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawArticle:
    """An article as a source hands it over, before sanitizing.

    Exactly one of ``html`` and ``text`` is set. ``title`` and ``language`` are
    metadata the source knew (a JSON field, a CMS field), if any.
    """

    id: str
    html: str | bytes | None = None
    text: str | None = None
    title: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Block:
    """One piece of text found in an article: a paragraph, heading or list item."""

    kind: str  # "title", "standfirst", "heading", "paragraph", "item"
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    language: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Article:
    """A sanitized article: what a listener hears, in order."""

    id: str
    title: str
    language: str
    paragraphs: tuple[Paragraph, ...] = field(default_factory=tuple)

    @property
    def pieces(self) -> list[str]:
        """The texts to speak, title first."""
        return (
            [self.title, *(p.text for p in self.paragraphs)]
            if self.title
            else [p.text for p in self.paragraphs]
        )

    @property
    def chars(self) -> int:
        return sum(len(t) for t in self.pieces)

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "language": self.language,
            "paragraphs": [{"text": p.text, "language": p.language} for p in self.paragraphs],
        }
