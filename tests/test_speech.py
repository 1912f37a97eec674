"""Speech: one engine per article, fallback down the chain, cooldown of dead engines."""

from __future__ import annotations

import pytest

from listen.engines import resolve_engines
from listen.engines.speaker import Breaker, Speaker
from listen.errors import EnginesUnavailable

from conftest import closed_port_url

TEXTS = ["A headline here", "The first paragraph of the story.", "The second paragraph."]


def speaker(names, **config):
    return Speaker(resolve_engines(names, {"GTTS_RETRIES": 0, **config}), cooldown=60)


def test_first_engine_speaks_everything(google):
    spoken = speaker("gtts,espeak", GTTS_URL=google.url).speak(TEXTS, "en")
    assert spoken.engine == "gtts" and spoken.voice == "gtts:en-com"
    assert len(spoken.segments) == 3
    assert google.count >= 3


def test_engines_that_cannot_speak_the_language_are_skipped():
    spoken = speaker("piper,espeak").speak(TEXTS, "es")
    assert spoken.engine == "espeak"


@pytest.mark.slow
def test_unreachable_google_falls_back_to_piper_for_the_whole_article():
    s = speaker("gtts,piper,espeak", GTTS_URL=closed_port_url())
    spoken = s.speak(TEXTS, "en")
    assert spoken.engine == "piper" and len(spoken.segments) == 3
    assert s.breaker.is_open("gtts")


def test_rate_limited_google_is_tried_once_then_skipped(google):
    google.mode = "429"
    s = speaker("gtts,espeak", GTTS_URL=google.url)
    for _ in range(5):
        assert s.speak(TEXTS, "es").engine == "espeak"
    assert google.count == 1  # one failed request, not one per text or per article


def test_a_bad_answer_falls_back_without_cooldown(google):
    google.queue_mode("garbage", n=1)
    s = speaker("gtts,espeak", GTTS_URL=google.url)
    assert s.speak(TEXTS, "en").engine == "espeak"
    assert s.speak(TEXTS, "en").engine == "gtts"


def test_every_engine_failing_says_why_and_when_to_retry(google):
    google.mode = "500"
    s = Speaker(resolve_engines("gtts", {"GTTS_URL": google.url, "GTTS_RETRIES": 0}), cooldown=45)
    with pytest.raises(EnginesUnavailable) as info:
        s.speak(TEXTS, "en")
    assert "gtts" in info.value.message and "500" in info.value.message
    assert 40 <= info.value.retry_after <= 45
    assert info.value.status == 503


def test_no_engine_for_the_language():
    with pytest.raises(EnginesUnavailable, match="no configured engine speaks 'es'"):
        speaker("piper").speak(TEXTS, "es")


def test_breaker_expires():
    now = [100.0]
    breaker = Breaker(clock=lambda: now[0])
    breaker.open("gtts", 30)
    assert breaker.is_open("gtts") and breaker.remaining("gtts") == 30
    now[0] += 31
    assert not breaker.is_open("gtts")


def test_speak_one_prefers_then_falls_back(google):
    s = speaker("gtts,espeak", GTTS_URL=google.url)
    engine, speech = s.speak_one("Hello there, listeners.", "en", prefer="espeak")
    assert engine.name == "espeak" and google.count == 0
    google.mode = "500"
    engine, speech = s.speak_one("Hello there, listeners.", "en")
    assert engine.name == "espeak" and google.count == 1 and len(speech.audio) > 500
