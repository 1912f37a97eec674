"""Chunking for gTTS: sentences whole, long ones at clauses, then words; packed to the limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listen.engines.gtts.chunk import chunks, sentences

LONG = (
    "The council, which met for nine hours on Tuesday, approved the budget; the mayor said "
    "the cuts were painful — but necessary — and promised to revisit them in the autumn."
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("   ", []),
        ("Short text.", ["Short text."]),
        ("One. Two! Three? Four…", ["One. Two! Three? Four…"]),
        # sentences that do not fit together go to separate chunks, never cut
        ("A" * 60 + ". " + "B" * 60 + ".", ["A" * 60 + ".", "B" * 60 + "."]),
        # closing quotes stay with their sentence
        (
            'He said "no." Then he left the room without another word, slamming the door.'
            + " "
            + "x" * 40
            + ".",
            [
                'He said "no." Then he left the room without another word, slamming the door.',
                "x" * 40 + ".",
            ],
        ),
        # a sentence longer than the limit is cut at clause boundaries
        (
            LONG,
            [
                "The council, which met for nine hours on Tuesday, approved the budget;",
                "the mayor said the cuts were painful — but necessary — and promised to revisit "
                "them in the autumn.",
            ],
        ),
        # a clause still too long: at the dashes
        (
            LONG.replace(";", " and") + " Yes.",
            [
                "The council, which met for nine hours on Tuesday,",
                "approved the budget and the mayor said the cuts were painful — but necessary",
                "— and promised to revisit them in the autumn. Yes.",
            ],
        ),
        # no clause boundary either: between words
        (" ".join(["word"] * 30), [" ".join(["word"] * 20), " ".join(["word"] * 10)]),
        # no space at all: cut, never dropped
        ("x" * 250, ["x" * 100, "x" * 100, "x" * 50]),
    ],
)
def test_chunks(text, expected):
    assert chunks(text) == expected


def test_sentences_keep_punctuation():
    assert sentences("Hi. «Bien», dijo. ¿Y tú?") == ["Hi.", "«Bien», dijo.", "¿Y tú?"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=600))
def test_chunks_keep_every_word_in_order_within_the_limit(text):
    out = chunks(text)
    assert all(0 < len(c) <= 100 for c in out)
    assert "".join("".join(out).split()) == "".join(text.split())
