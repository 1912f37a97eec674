"""Engines: real espeak-ng and piper synthesis, gTTS's real code path on a local endpoint."""

from __future__ import annotations

import time

import pytest

from listen.engines import ENGINES, Engine, resolve_engine, resolve_engines
from listen.engines.gtts import GTTSEngine
from listen.errors import ConfigError, EngineError

from conftest import closed_port_url

SENTENCE = {
    "en": "The harbour bridge reopened to traffic on Saturday after two years of repairs.",
    "es": "El puente del puerto reabrió al tráfico el sábado tras dos años de obras.",
}


def words(text: str) -> int:
    return len(text.split())


def assert_speech_fits(speech, text):
    """Speech runs at roughly 2-4 words a second; silence or a beep would not fit."""
    audio = speech.audio
    seconds = len(audio) / 1000
    assert 0.2 * words(text) < seconds < 0.8 * words(text) + 1, seconds
    assert audio.dBFS > -40  # not silence


def test_registry_resolves_aliases_and_paths():
    assert set(ENGINES) == {"gtts", "piper", "espeak", "fake"}
    assert resolve_engine("espeak", {}).name == "espeak"
    assert resolve_engine("listen.engines.espeak:EspeakEngine", {}).name == "espeak"
    assert [e.name for e in resolve_engines(" gtts , espeak ", {})] == ["gtts", "espeak"]
    for bad in ("nope", "listen.engines.espeak:Nope", ""):
        with pytest.raises(ConfigError):
            resolve_engines(bad, {})
    assert all(isinstance(resolve_engine(n, {}), Engine) for n in ENGINES)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es"])
def test_espeak_speaks(lang):
    engine = resolve_engine("espeak", {})
    assert engine.supports(lang) and not engine.supports("fr")
    assert_speech_fits(engine.synthesize(SENTENCE[lang], lang), SENTENCE[lang])


@pytest.mark.slow
def test_piper_speaks_english_only():
    engine = resolve_engine("piper", {})
    assert engine.supports("en") and not engine.supports("es")
    speech = engine.synthesize(SENTENCE["en"] + " " + SENTENCE["en"], "en")
    assert speech.audio.frame_rate == 22050
    assert_speech_fits(speech, SENTENCE["en"] + " " + SENTENCE["en"])
    # piper speaks sentence by sentence: two sentences, two timings covering the audio
    assert len(speech.sentences) == 2
    assert abs(speech.sentences[-1][1] - len(speech.audio) / 1000) < 0.01


def test_piper_with_a_missing_model_is_unreachable(tmp_path):
    engine = resolve_engine("piper", {"PIPER_MODEL": str(tmp_path / "none.onnx")})
    with pytest.raises(EngineError) as info:
        engine.synthesize("Hello.", "en")
    assert info.value.unreachable and "LISTEN_PIPER_MODEL" in info.value.message


def gtts(url, timeout=3.0, **config):
    return GTTSEngine({"GTTS_URL": url, "GTTS_TIMEOUT": timeout, "GTTS_RETRIES": 0, **config})


@pytest.mark.parametrize("lang", ["en", "es"])
def test_gtts_through_local_endpoint(google, lang):
    speech = gtts(google.url).synthesize(SENTENCE[lang], lang)
    assert_speech_fits(speech, SENTENCE[lang])
    assert google.count >= 1
    assert {sent_lang for _, sent_lang in google.requests} == {lang}
    sent = " ".join(text for text, _ in google.requests)
    assert sent.split()[:3] == SENTENCE[lang].split()[:3]


def test_gtts_429_is_unreachable_with_retry_after(google):
    google.fail_next(1, status=429, retry_after=42)
    with pytest.raises(EngineError) as info:
        gtts(google.url).synthesize(SENTENCE["en"], "en")
    assert info.value.unreachable and info.value.retry_after == 42
    assert "429" in info.value.message


def test_gtts_unreachable_fails_fast():
    started = time.monotonic()
    with pytest.raises(EngineError) as info:
        gtts(closed_port_url()).synthesize(SENTENCE["en"], "en")
    assert info.value.unreachable
    assert time.monotonic() - started < 2


def test_gtts_hang_hits_the_timeout(google):
    google.mode = "hang"
    started = time.monotonic()
    with pytest.raises(EngineError) as info:
        gtts(google.url, timeout=1.0).synthesize("Hello there.", "en")
    assert info.value.unreachable
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("mode", ["garbage", "empty"])
def test_gtts_bad_answers_are_errors(google, mode):
    google.mode = mode
    with pytest.raises(EngineError) as info:
        gtts(google.url).synthesize("Hello there.", "en")
    assert not info.value.unreachable  # the service answered: try the next engine, no cooldown


def test_gtts_chunks_go_in_parallel(google):
    google.latency = 0.3
    text = " ".join(
        f"This is sentence number {i} of the paragraph, read by Google." for i in range(8)
    )
    speech = gtts(google.url, GTTS_CONCURRENCY=8).synthesize(text, "en")
    assert google.count == 8 and len(speech.sentences) == 8
    assert google.max_in_flight >= 4  # the chunks were waiting on Google together
    google.reset()
    google.latency = 0.3
    gtts(google.url, GTTS_CONCURRENCY=2).synthesize(text, "en")
    assert google.max_in_flight == 2  # and the pool bounds how many


def test_gtts_retries_429_then_succeeds(google):
    google.fail_next(2, status=429)
    speech = gtts(google.url, GTTS_RETRIES=3).synthesize("Hello there.", "en")
    assert len(speech.audio) > 300
    assert google.count == 3


def test_gtts_honours_retry_after(google):
    google.fail_next(1, status=503, retry_after=1)
    started = time.monotonic()
    gtts(google.url, GTTS_RETRIES=2).synthesize("Hello there.", "en")
    assert time.monotonic() - started >= 1.0
    assert google.count == 2


def test_gtts_long_retry_after_is_not_waited_for(google):
    google.fail_next(1, status=429, retry_after=120)
    started = time.monotonic()
    with pytest.raises(EngineError) as info:
        gtts(google.url, GTTS_RETRIES=3).synthesize("Hello there.", "en")
    assert info.value.unreachable and info.value.retry_after == 120
    assert time.monotonic() - started < 1 and google.count == 1


@pytest.mark.parametrize("mode", ["500", "429", "garbage", "empty"])
def test_gtts_storms_are_retried_then_given_up(google, mode):
    google.mode = mode
    with pytest.raises(EngineError) as info:
        gtts(google.url, GTTS_RETRIES=2).synthesize("Hello there.", "en")
    assert google.count == 3  # first try and two retries
    assert info.value.unreachable == (mode in ("500", "429"))


def test_gtts_bad_answer_then_good_is_retried(google):
    google.queue_mode("garbage", n=1)
    speech = gtts(google.url, GTTS_RETRIES=1).synthesize("Hello there.", "en")
    assert len(speech.audio) > 300 and google.count == 2


def test_gtts_one_chunk_failing_for_good_stops_the_others(google):
    google.latency = 0.2
    google.fail_next(1, status=429, retry_after=300)
    text = " ".join(
        f"Sentence number {i} of a text that has many sentences in it." for i in range(30)
    )
    with pytest.raises(EngineError):
        gtts(google.url, GTTS_CONCURRENCY=2, GTTS_RETRIES=0).synthesize(text, "en")
    assert google.count < 10  # the queued chunks were not sent


def test_gtts_rate_budget_spaces_requests(google):
    text = " ".join(f"Sentence number {i} of a paragraph read by Google here." for i in range(6))
    started = time.monotonic()
    gtts(google.url, GTTS_CONCURRENCY=6, GTTS_RATE=5.0).synthesize(text, "en")
    # a burst of 6 is allowed once; a second text must wait for tokens at 5 a second
    gtts(google.url, GTTS_CONCURRENCY=6, GTTS_RATE=5.0).synthesize(text, "en")
    assert time.monotonic() - started >= 0.9


@pytest.mark.slow
def test_every_engine_ends_at_one_loudness(google):
    import numpy as np

    from listen.audio import stitch
    from listen.engines.gtts import GTTSEngine

    engines = [
        resolve_engine("espeak", {}),
        resolve_engine("piper", {}),
        GTTSEngine({"GTTS_URL": google.url}),
    ]
    raw, leveled = [], []
    for engine, gain in zip(engines, (0.25, 1.0, 2.0), strict=True):
        speech = engine.synthesize(SENTENCE["en"], "en")
        pcm = np.frombuffer(stitch.conform(speech.audio).raw_data, dtype=np.int16)
        pcm = np.clip(pcm * gain, -32768, 32767).astype(np.int16)  # a quiet and a loud voice
        raw.append(stitch.loudness(pcm))
        leveled.append(stitch.loudness(stitch.level(pcm, -16.0)))
    assert max(raw) - min(raw) > 6  # the voices differ by far...
    assert max(leveled) - min(leveled) < 0.5  # ...and leveling evens them out
