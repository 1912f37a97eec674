"""Language: article text and metadata -> "en" or "es".

Metadata wins (a JSON ``language``, the HTML ``lang``); otherwise langdetect,
restricted to the English and Spanish profiles and seeded so the same text
always gets the same answer. Text too short to judge gets the default.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

log = logging.getLogger(__name__)

SUPPORTED = ("en", "es")
MIN_LETTERS = 20
"""Texts with fewer letters than this are not judged: detection on them is a coin toss."""
MIN_CONFIDENCE = 0.70
SEED = 0

_factory: DetectorFactory | None = None
_factory_lock = threading.Lock()


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


def normalize_tag(tag: str | None) -> str | None:
    """ "es-MX" / "es_ES" / " EN " -> "es" / "es" / "en"; None or junk -> None."""
    if not tag:
        return None
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$", tag)
    return match.group(1).lower() if match else None


def detect(text: str, default: str = "en") -> str:
    """The supported language ``text`` is written in, or ``default`` if undecidable."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return default
    detector = _detector_factory().create()
    detector.append(text[:10_000])
    try:
        best = max(detector.get_probabilities(), key=lambda p: p.prob)
    except (LangDetectException, ValueError):
        return default
    if best.prob < MIN_CONFIDENCE:
        log.debug("language undecided (%s %.2f), using %s", best.lang, best.prob, default)
        return default
    return str(best.lang)


def choose(hint: str | None, text: str, default: str = "en") -> str:
    """Metadata first, then detection."""
    tag = normalize_tag(hint)
    if tag in SUPPORTED:
        return tag
    return detect(text, default)
