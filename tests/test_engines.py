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


def assert_speech_fits(audio, text):
    """Speech runs at roughly 2-4 words a second; silence or a beep would not fit."""
    seconds = len(audio) / 1000
    assert 0.2 * words(text) < seconds < 0.8 * words(text) + 1, seconds
    assert audio.dBFS > -40  # not silence


def test_registry_resolves_aliases_and_paths():
    assert set(ENGINES) == {"gtts", "piper", "espeak"}
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
    audio = engine.synthesize(SENTENCE["en"], "en")
    assert audio.frame_rate == 22050
    assert_speech_fits(audio, SENTENCE["en"])


def test_piper_with_a_missing_model_is_unreachable(tmp_path):
    engine = resolve_engine("piper", {"PIPER_MODEL": str(tmp_path / "none.onnx")})
    with pytest.raises(EngineError) as info:
        engine.synthesize("Hello.", "en")
    assert info.value.unreachable and "LISTEN_PIPER_MODEL" in info.value.message


def gtts(url, timeout=3.0):
    return GTTSEngine({"GTTS_URL": url, "GTTS_TIMEOUT": timeout})


@pytest.mark.parametrize("lang", ["en", "es"])
def test_gtts_through_local_endpoint(google, lang):
    audio = gtts(google.url).synthesize(SENTENCE[lang], lang)
    assert_speech_fits(audio, SENTENCE[lang])
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
