"""The declared body (schema.org articleBody) when the page's HTML holds too little of it."""

from __future__ import annotations

import json

import lxml.html
import pytest

from listen.models import Block, RawArticle
from listen.text import declared as d
from listen.text import sanitize as s

SENTENCES = [
    f"Sentence number {i} of the story tells the reader one more fact about the harbour."
    for i in range(30)
]
BODY = " ".join(SENTENCES)


def page(body: str, shown: str, ld: object | None = None) -> str:
    data = ld if ld is not None else {"@type": "NewsArticle", "articleBody": body}
    return (
        "<html><head><title>Harbour</title>"
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Harbour</h1>{shown}</article>"
        "</body></html>"
    )


def spoken(html: str) -> list[str]:
    return [b.text for b in s.sanitize(RawArticle(id="x", html=html)).blocks]


def test_a_page_that_renders_its_story_with_scripts_speaks_the_declared_body():
    texts = spoken(page(BODY, "<p>The harbour story, in short, for readers.</p>"))
    assert " ".join(texts) == BODY
    assert len(texts) > 1  # cut into paragraphs of whole sentences
    assert all(t.endswith(".") for t in texts)


def test_a_page_holding_its_story_keeps_its_own_paragraphs():
    shown = "".join(f"<p>{t}</p>" for t in SENTENCES)
    assert spoken(page(BODY, shown)) == SENTENCES


def test_a_short_declared_body_is_a_summary_and_changes_nothing():
    shown = "<p>The harbour opened a new pier on Monday, the port authority said.</p>"
    summary = "A new pier opened in the harbour on Monday."
    assert spoken(page(summary, shown)) == [
        "The harbour opened a new pier on Monday, the port authority said."
    ]


def test_the_declared_body_is_found_anywhere_in_the_json_ld():
    nested = {"@graph": [{"@type": "WebPage"}, [{"@type": "Article", "articleBody": BODY}]]}
    doc = lxml.html.fromstring(page(BODY, "<p>x</p>", nested))
    assert d.declared_body(doc) == BODY


@pytest.mark.parametrize(
    "script", ["{not json", "[" * 100_000 + "]" * 100_000, '{"articleBody": 42}', ""]
)
def test_broken_or_odd_json_ld_is_ignored(script):
    html = (
        f'<html><head><script type="application/ld+json">{script}</script></head>'
        "<body><p>Only text.</p></body></html>"
    )
    assert d.declared_body(lxml.html.fromstring(html)) is None


def test_line_breaks_are_the_paragraphs():
    assert d.paragraphs("First line here.\n\nSecond line here.") == [
        "First line here.",
        "Second line here.",
    ]


def test_coverage():
    assert d.coverage(BODY, [Block("paragraph", BODY)]) == 1.0
    assert d.coverage(BODY, [Block("paragraph", "nothing of it")]) == 0.0
