"""Main text by agreement of extractors (listen/text/maintext.py), on small made-up pages."""

from __future__ import annotations

import lxml.html
import pytest

from listen.models import Block, RawArticle
from listen.text import maintext as m
from listen.text import sanitize as s

STORY = [
    "The river rose two metres overnight and flooded the lower town before dawn on Sunday.",
    "Firefighters moved forty families to the school gym, where volunteers served soup.",
    "The mayor said the new levee held, and that the old one would be rebuilt by spring.",
]


def blocks(*texts: str) -> list[Block]:
    return [Block("paragraph", t) for t in texts]


def test_held_finds_whole_blocks_and_most_of_a_block():
    main = f"{STORY[0]}\n{STORY[1].replace('soup', 'hot soup')}"
    assert m.held(blocks(*STORY), main) == [True, True, False]
    assert m.held(blocks(*STORY), None) == [False, False, False]


@pytest.mark.parametrize(
    "judge, opinions, expected",
    [
        (
            [True, False, False],
            [[False, True, True], [False, True, False], [True, True, False]],
            [True, True, False],
        ),
        ([False], [[True], [False], [False]], [False]),
        ([False], [[True], [True], [False]], [True]),
    ],
)
def test_agreed_keeps_the_judges_choice_and_what_two_others_hold(judge, opinions, expected):
    assert m.agreed(judge, opinions, len(opinions)) == expected


def test_a_block_the_judge_dropped_is_kept_when_two_others_hold_it(monkeypatch):
    code = "response = connection.recv(4096) reads the first four kilobytes of the reply"
    teaser = "Ten photos of the floods you have to see"
    page = blocks(*STORY, code, teaser)
    monkeypatch.setattr(m, "trafilatura_precise", lambda doc: "\n".join(STORY))
    monkeypatch.setattr(
        m,
        "SECOND_OPINIONS",
        (
            lambda doc: "\n".join([*STORY, code, teaser]),
            lambda doc: "\n".join([*STORY, code]),
            lambda doc: None,  # an extractor that found nothing has no say
        ),
    )
    doc = lxml.html.fromstring("<html><body><p>x</p></body></html>")
    assert [b.text for b in m.main_blocks(doc, page)] == [*STORY, code]


def test_agreed_stops_asking_once_nothing_can_change():
    asked = []

    def opinions():
        for opinion in ([True, False], [True, False], [True, True]):
            asked.append(opinion)
            yield opinion

    # After two opinions the first block has its two votes and the second cannot get them.
    assert m.agreed([False, False], opinions(), 3) == [True, False]
    assert len(asked) == 2


def test_a_failing_extractor_is_not_counted(monkeypatch):
    def broken(doc):
        raise ValueError("odd page")

    monkeypatch.setattr(m, "trafilatura_precise", lambda doc: STORY[0])
    monkeypatch.setattr(m, "SECOND_OPINIONS", (broken, broken, lambda doc: STORY[1]))
    doc = lxml.html.fromstring("<html><body><p>x</p></body></html>")
    assert [b.text for b in m.main_blocks(doc, blocks(*STORY))] == [STORY[0]]


def test_real_extractors_keep_the_story_and_leave_the_sidebar():
    paragraphs = "".join(f"<p>{t} {t}</p>" for t in STORY * 2)
    links = "".join(f'<li><a href="/s{i}">Other story number {i}</a></li>' for i in range(8))
    html = (
        "<html><head><title>Flood</title></head><body>"
        f'<div class="menu"><ul>{links}</ul></div>'
        f"<div class='story'><h1>Flood</h1>{paragraphs}</div>"
        f'<div class="more"><ul>{links}</ul></div></body></html>'
    )
    spoken = [b.text for b in s.sanitize(RawArticle(id="x", html=html)).blocks]
    assert spoken == [f"{t} {t}" for t in STORY * 2][:3]  # the repeats are spoken once
    assert not any("Other story" in t for t in spoken)


def test_a_one_word_label_is_not_held_because_the_article_uses_the_word():
    main = "The Government said the levee held.\nSupport came from volunteers."
    page = [Block("paragraph", t) for t in ("Government", "The Government said the levee held.")]
    page += [Block("paragraph", "Support came from volunteers."), Block("paragraph", "Support")]
    assert m.held(page, main) == [False, True, True, False]
    # A label is held where it is a line of the extractor's text, or follows the last block.
    assert m.held(blocks("Brooklyn", STORY[0]), f"Brooklyn\n{STORY[0]}") == [True, True]
    assert m.held(blocks(STORY[0], "Nested one."), f"{STORY[0]} Nested one. More") == [True, True]


def test_short_sentences_of_the_article_template_are_kept_between_kept_blocks(monkeypatch):
    def block(text: str, container: str = "div.post/p") -> Block:
        return Block("paragraph", text, 0.0, container)

    question = block("How does one know which of the two tenses to use here?")
    page = [
        block(STORY[0]),
        question,
        block(STORY[1]),
        block("Our newsroom is funded by readers like you."),  # after the article
        block("Sign up now for our daily morning briefing.", "div.promo/p"),
    ]
    monkeypatch.setattr(m, "trafilatura_precise", lambda doc: f"{STORY[0]}\n{STORY[1]}")
    monkeypatch.setattr(m, "SECOND_OPINIONS", ())
    doc = lxml.html.fromstring("<html><body><p>x</p></body></html>")
    assert [b.text for b in m.main_blocks(doc, page)] == [STORY[0], question.text, STORY[1]]


def test_a_list_of_sentences_in_the_article_template_is_the_article(monkeypatch):
    point = (
        "Take the river's record: it has risen above the old levee four times in ten years, "
        "and each time the lower town was flooded before the warning reached the farms upstream."
    )
    page = [
        Block("paragraph", STORY[0], 0.0, "div.post/p"),
        Block("item", point, 0.0, "ul/li"),
        Block("item", STORY[1], 0.0, "ul/li"),
        Block("item", "Ten photos of the flood", 1.0, "ul/li"),
    ]
    monkeypatch.setattr(m, "trafilatura_precise", lambda doc: f"{STORY[0]}\n{STORY[1]}")
    monkeypatch.setattr(m, "SECOND_OPINIONS", ())
    doc = lxml.html.fromstring("<html><body><p>x</p></body></html>")
    assert [b.text for b in m.main_blocks(doc, page)] == [STORY[0], point, STORY[1]]
