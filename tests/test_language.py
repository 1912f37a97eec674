"""Language: metadata first, then seeded detection restricted to en/es."""

from __future__ import annotations

import json

import pytest

from listen.service import Listen
from listen.sources import SAMPLES
from listen.text import language


@pytest.mark.parametrize(
    "tag, expected",
    [
        ("es-MX", "es"),
        ("es_ES", "es"),
        (" EN ", "en"),
        ("en", "en"),
        ("fr-FR", "fr"),
        ("", None),
        (None, None),
        ("español", None),
        ("e", None),
    ],
)
def test_normalize_tag(tag, expected):
    assert language.normalize_tag(tag) == expected


EN = "The city council approved the budget after a long debate on Tuesday night."
ES = "El ayuntamiento aprobó el presupuesto tras un largo debate el martes por la noche."


@pytest.mark.parametrize(
    "hint, text, default, expected",
    [
        ("es", EN, "en", "es"),  # metadata wins
        ("en-GB", ES, "es", "en"),
        (None, EN, "es", "en"),
        (None, ES, "en", "es"),
        ("fr", ES, "en", "es"),  # unsupported metadata: detection decides
        (None, "OK", "es", "es"),  # too short to judge: the default
        (None, "OK", "en", "en"),
        (None, "1234 5678 !!!", "es", "es"),
    ],
)
def test_choose(hint, text, default, expected):
    assert language.choose(hint, text, default=default) == expected


def test_detection_is_deterministic():
    mixed = "Hola hello casa house perro dog gato cat " * 3
    assert len({language.detect(mixed) for _ in range(20)}) == 1


def test_only_english_and_spanish_are_answered():
    # Italian is neither: detection is restricted to the two profiles we can speak.
    assert language.detect(
        "Il consiglio comunale ha approvato il bilancio dopo un lungo dibattito."
    ) in ("en", "es")


def test_samples_get_their_language(config):
    service = Listen(config)
    expected = {
        "harbour-bridge-reopens": "en",
        "city-council-budget": "en",
        "solar-farm-cooperative": "en",
        "festival-de-cine": "es",
        "sequia-en-el-valle": "es",
        "mercado-central": "es",
    }
    # mercado-central has no language metadata: detection must find Spanish.
    assert "language" not in json.loads((SAMPLES / "mercado-central.json").read_text())
    assert {i: service.article(i).language for i in expected} == expected


@pytest.mark.parametrize(
    "text, article, expected",
    [
        (
            "«No vamos a permitir que el puerto se quede sin trabajadores», dijo la ministra.",
            "en",
            "es",
        ),
        ("The minister said the port would not be left without workers this summer.", "es", "en"),
        ("«Gracias», dijo.", "en", "en"),  # too short to judge: inherits
        ("Real Madrid beat Barcelona in the Copa del Rey final on Saturday night.", "en", "en"),
        (ES, "es", "es"),
    ],
)
def test_paragraph_language(text, article, expected):
    assert language.paragraph_language(text, article) == expected


def test_wrong_lang_attribute_is_overruled_by_long_clear_text():
    body = " ".join([ES] * 8)
    assert language.choose("en", body) == "es"
    assert language.choose("en", ES) == "en"  # short: metadata wins


def test_langid_corpus_strings(corpus_langid):
    wrong = [r for r in corpus_langid if language.detect(r["text"], default=r["lang"]) != r["lang"]]
    assert len(wrong) <= 0.005 * len(corpus_langid), wrong[:5]
