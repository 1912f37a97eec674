"""Language: article text and metadata -> "en" or "es".

Metadata wins (a JSON ``language``, the HTML ``lang``); otherwise langdetect,
restricted to the English and Spanish profiles and seeded so the same text
always gets the same answer. Text too short to judge gets the default.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path
from typing import get_args

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from listen.errors import UnsupportedLanguage
from listen.models import Language

log = logging.getLogger(__name__)

SUPPORTED: tuple[str, ...] = get_args(Language)
"""The languages listen speaks, in the order they are tried."""
MIN_LETTERS = 20
"""Texts with fewer letters than this are not judged: detection on them is a coin toss."""
MIN_CONFIDENCE = 0.70
SEED = 0

_factory: DetectorFactory | None = None
_all_factory: DetectorFactory | None = None
_factory_lock = threading.Lock()
UNSUPPORTED_CONFIDENCE = 0.95
"""How sure detection over every language must be before an article is refused."""


def _detector_factory() -> DetectorFactory:
    global _factory
    with _factory_lock:
        if _factory is None:
            factory = DetectorFactory()
            factory.load_json_profile(
                [(Path(PROFILES_DIRECTORY) / lang).read_text("utf-8") for lang in SUPPORTED]
            )
            factory.set_seed(SEED)
            _factory = factory
    return _factory


def _all_languages_factory() -> DetectorFactory:
    """langdetect over all its 55 profiles, only to tell that text is in none of ours."""
    global _all_factory
    with _factory_lock:
        if _all_factory is None:
            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(SEED)
            _all_factory = factory
    return _all_factory


def unsupported_language(text: str) -> str | None:
    """The language ``text`` is clearly written in, if it is not one we speak."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS * 2:
        return None
    detector = _all_languages_factory().create()
    detector.append(text[:3000])
    try:
        best = max(detector.get_probabilities(), key=lambda p: p.prob)
    except (LangDetectException, ValueError):
        return None
    lang = normalize_tag(str(best.lang))
    if lang not in SUPPORTED and best.prob >= UNSUPPORTED_CONFIDENCE:
        return lang
    return None


def normalize_tag(tag: str | None) -> str | None:
    """The primary language subtag: "es-MX", "es_ES" -> "es"; None or junk -> None."""
    if not tag:
        return None
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", tag)
    return match.group(1).lower() if match else None


def probabilities(text: str) -> dict[str, float]:
    """Detection probabilities over the supported languages ({} if too short to judge)."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return {}
    detector = _detector_factory().create()
    detector.append(text[:10_000])
    try:
        return {str(p.lang): float(p.prob) for p in detector.get_probabilities()}
    except LangDetectException:
        return {}


def detect(text: str, default: str = "en") -> str:
    """The supported language ``text`` is written in, or ``default`` if undecidable."""
    probs = probabilities(text)
    if not probs:
        return default
    lang, prob = max(probs.items(), key=lambda item: item[1])
    if prob < MIN_CONFIDENCE:
        log.debug("language undecided (%s %.2f), using %s", lang, prob, default)
        return default
    return lang


PARAGRAPH_LETTERS = 60
"""A paragraph needs this many letters before it can have a language of its own..."""
PARAGRAPH_CONFIDENCE = 0.99
"""...and detection must be this sure it is in the other supported language."""


# The commonest words of each language: a paragraph gets a full detection only when
# the other language's words are at least as frequent as the article's (cheap filter).
STOPWORDS = {
    "en": frozenset(
        "the of and to in is that for it was on with as he she at by this from they have "
        "are be not but had his her were which an has said will would their who".split()
    ),
    "es": frozenset(
        "el la de que y en los las del se por un una para con no es su al lo como más "
        "pero sus le ha fue este esta son entre cuando muy sin sobre también dijo".split()
    ),
}


def _looks_foreign(text: str, article_language: str) -> bool:
    words = re.findall(r"\w+", text.lower())
    own = sum(w in STOPWORDS.get(article_language, ()) for w in words)
    other = max(
        (
            sum(w in STOPWORDS[lang] for w in words)
            for lang in SUPPORTED
            if lang != article_language
        ),
        default=0,
    )
    return other >= own


def speakable(text: str) -> bool:
    """True if most of the text's letters are Latin: what the English and Spanish voices read."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True  # numbers and symbols: normalization makes words of them
    latin = sum(1 for ch in letters if ch.isascii() or "LATIN" in unicodedata.name(ch, ""))
    return latin >= 0.5 * len(letters)


def paragraph_language(text: str, article_language: str) -> str:
    """The language a paragraph is spoken in: its own if clearly different, else the article's.

    A quote in Spanish inside an English article gets the Spanish voice; short
    paragraphs, names and mixed sentences stay with the article's language.
    """
    if sum(ch.isalpha() for ch in text) < PARAGRAPH_LETTERS:
        return article_language
    if not _looks_foreign(text, article_language):
        return article_language
    probs = probabilities(text)
    if not probs:
        return article_language
    lang, prob = max(probs.items(), key=lambda item: item[1])
    return lang if lang != article_language and prob >= PARAGRAPH_CONFIDENCE else article_language


OVERRIDE_LETTERS = 400
"""Text at least this long can overrule metadata..."""
OVERRIDE_CONFIDENCE = 0.999
"""...when detection is this sure of the other language (templates ship lang="en")."""


def choose(hint: str | None, text: str, default: str = "en", unsupported_as: str = "") -> str:
    """The article's language: metadata first, then detection.

    Long text clearly in the other supported language overrules the metadata (page
    templates often ship a fixed ``lang``). An article in a language we cannot
    speak is refused unless ``unsupported_as`` names the voice to use anyway.

    Raises:
        UnsupportedLanguage: the article is in another language (a 422).
    """
    tag = normalize_tag(hint)
    if tag in SUPPORTED:
        if sum(ch.isalpha() for ch in text) >= OVERRIDE_LETTERS:
            probs = probabilities(text)
            other = max(probs.items(), key=lambda item: item[1]) if probs else (tag, 0.0)
            if other[0] != tag and other[1] >= OVERRIDE_CONFIDENCE:
                log.info("metadata says %s but the text is clearly %s", tag, other[0])
                return other[0]
        return tag
    foreign = unsupported_language(text)
    if tag and foreign is None and sum(ch.isalpha() for ch in text) < MIN_LETTERS * 2:
        foreign = tag  # too little text to doubt the metadata
    if foreign is not None:
        if unsupported_as in SUPPORTED:
            return unsupported_as
        raise UnsupportedLanguage(
            f"language {foreign} not supported: listen speaks {' and '.join(SUPPORTED)}. "
            "Set LISTEN_UNSUPPORTED_AS=en or es to speak such articles with that voice."
        )
    return detect(text, default)
