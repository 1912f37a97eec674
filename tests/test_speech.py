"""Speech: one engine per article, fallback down the chain, cooldown of dead engines.

The fake engine stands in for an offline fallback; the real ones are in the slow tests."""

from __future__ import annotations

import pytest

from listen.engines import resolve_engines
from listen.engines.speaker import Breaker, Speaker
from listen.errors import EnginesUnavailable

from conftest import closed_port_url

TEXTS = ["A headline here", "The first paragraph of the story.", "The second paragraph."]


def speaker(names, **config):
    return Speaker(resolve_engines(names, {"GTTS_RETRIES": 0, **config}), cooldown=60)


def speak_all(s, texts, language):
    """Speak the texts as one article does: the engine names that spoke each."""
    voices = s.article()
    return [voices.speak(text, language)[0].name for text in texts]


def test_first_engine_speaks_everything(google):
    s = speaker("gtts,fake", GTTS_URL=google.url)
    engine, speech = s.speak_one(TEXTS[0], "en")
    assert engine.name == "gtts" and engine.voice("en") == "gtts:en-com"
    assert len(speech.audio) > 300
    assert speak_all(s, TEXTS, "en") == ["gtts"] * 3
    assert google.count >= 4


def test_engines_that_cannot_speak_the_language_are_skipped():
    engine, _ = speaker("piper,fake").speak_one(TEXTS[0], "es")
    assert engine.name == "fake"


@pytest.mark.slow
def test_unreachable_google_falls_back_to_piper_for_the_whole_article():
    s = speaker("gtts,piper,espeak", GTTS_URL=closed_port_url())
    assert speak_all(s, TEXTS, "en") == ["piper"] * 3
    assert s.breaker.is_open("gtts")


def test_a_fallback_keeps_the_rest_of_the_article(google):
    google.queue_mode("garbage", n=1)  # one bad answer: no cooldown, gtts is not down
    s = speaker("gtts,fake", GTTS_URL=google.url)
    assert speak_all(s, TEXTS, "en") == ["fake"] * 3
    assert google.count == 1 and not s.breaker.is_open("gtts")
    assert speak_all(s, TEXTS, "en") == ["gtts"] * 3  # the next article starts over


def test_rate_limited_google_is_tried_once_then_skipped(google):
    google.mode = "429"
    s = speaker("gtts,fake", GTTS_URL=google.url)
    for _ in range(5):
        assert speak_all(s, TEXTS, "es") == ["fake"] * 3
    assert google.count == 1  # one failed request, not one per text or per article


def test_a_bad_answer_falls_back_without_cooldown(google):
    google.queue_mode("garbage", n=1)
    s = speaker("gtts,fake", GTTS_URL=google.url)
    assert s.speak_one(TEXTS[0], "en")[0].name == "fake"
    assert s.speak_one(TEXTS[0], "en")[0].name == "gtts"


def test_every_engine_failing_says_why_and_when_to_retry(google):
    google.mode = "500"
    s = Speaker(resolve_engines("gtts", {"GTTS_URL": google.url, "GTTS_RETRIES": 0}), cooldown=45)
    with pytest.raises(EnginesUnavailable) as info:
        s.speak_one(TEXTS[0], "en")
    assert "gtts" in info.value.message and "500" in info.value.message
    assert 40 <= info.value.retry_after <= 45
    assert info.value.status == 503


def test_no_engine_for_the_language():
    with pytest.raises(EnginesUnavailable, match="no configured engine speaks 'es'"):
        speaker("piper").speak_one(TEXTS[0], "es")
    assert speaker("piper").choose("es") is None


def test_choose_prefers_then_skips_engines_that_are_down():
    s = speaker("gtts,fake")
    assert s.choose("en").name == "gtts"
    assert s.choose("en", prefer="fake").name == "fake"
    s.breaker.open("gtts", 30)
    assert s.choose("en").name == "fake"
    s.breaker.open("fake", 30)
    assert s.choose("en").name == "gtts"  # all down: the first, which will say why


def test_breaker_expires():
    now = [100.0]
    breaker = Breaker(clock=lambda: now[0])
    breaker.open("gtts", 30)
    assert breaker.is_open("gtts") and breaker.remaining("gtts") == 30
    now[0] += 31
    assert not breaker.is_open("gtts")


def test_speak_one_prefers_then_falls_back(google):
    s = speaker("gtts,fake", GTTS_URL=google.url)
    engine, speech = s.speak_one("Hello there, listeners.", "en", prefer="fake")
    assert engine.name == "fake" and google.count == 0
    google.mode = "500"
    engine, speech = s.speak_one("Hello there, listeners.", "en")
    assert engine.name == "fake" and google.count == 1 and len(speech.audio) > 500
