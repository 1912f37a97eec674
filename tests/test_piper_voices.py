"""piper voices per language (LISTEN_PIPER_VOICES): checked at start-up, and a second
language spoken by piper. The mechanism is tested with the bundled English voice mapped
to Spanish (no Spanish piper voice ships as a package)."""

from __future__ import annotations

import shutil

import pytest

from listen import create_app
from listen.engines.piper import PiperEngine, default_model
from listen.errors import ConfigError
from listen.settings import load

from conftest import write_article


@pytest.fixture
def voice_files(tmp_path):
    """The two files of a piper voice, as the start-up check sees them (not loaded)."""
    target = tmp_path / "voices" / "es_XX-test-medium.onnx"
    target.parent.mkdir()
    target.write_bytes(b"model")
    target.with_name(target.name + ".json").write_text("{}")
    return target


@pytest.fixture
def voice_pair(tmp_path):
    """A piper voice as a publisher installs one: a .onnx and its .onnx.json, copied."""
    model = default_model()
    target = tmp_path / "voices" / "es_XX-test-medium.onnx"
    target.parent.mkdir()
    shutil.copy(model, target)
    shutil.copy(model.with_name(model.name + ".json"), target.with_name(target.name + ".json"))
    return target


def test_a_voice_per_language_is_spoken_for_that_language(voice_files):
    engine = PiperEngine(load({"PIPER_VOICES": f"es:{voice_files}"}))
    assert engine.supports("es") and engine.supports("en")
    assert engine.voice("es") == "piper:es_XX-test-medium"
    assert engine.voice("en") == "piper:en_US-joe-medium"
    assert not PiperEngine(load({})).supports("es")


@pytest.mark.parametrize(
    "value, why",
    [
        ("es", "is not language:path"),
        ("fr:/x.onnx", "'fr' is not a language listen speaks"),
        ("es:/voices/claude.bin", "is not a piper voice"),
        ("es:/no/such/voice.onnx", "cannot be read"),
    ],
)
def test_a_bad_voice_stops_start_up_in_one_line(config, value, why):
    with pytest.raises(ConfigError) as caught:
        create_app({**config, "PIPER_VOICES": value})
    message = caught.value.message
    assert message.startswith("LISTEN_PIPER_VOICES=") and why in message and "\n" not in message


def test_a_voice_without_its_json_stops_start_up(config, voice_files):
    voice_files.with_name(voice_files.name + ".json").unlink()
    with pytest.raises(ConfigError, match=r"\.onnx\.json' cannot be read"):
        create_app({**config, "PIPER_VOICES": f"es:{voice_files}"})


@pytest.mark.slow
def test_a_spanish_article_is_spoken_by_the_piper_voice_given_for_spanish(
    config, articles, voice_pair
):
    text = "El ayuntamiento aprobó el presupuesto. La votación fue ajustada."
    write_article(articles, "es-piper", title="Presupuesto aprobado", language="es", text=text)
    app = create_app({**config, "ENGINES": "piper,espeak", "PIPER_VOICES": f"es:{voice_pair}"})
    client = app.test_client()
    assert client.get("/api/articles/es-piper/audio.mp3").status_code == 200
    info = client.get("/api/articles/es-piper").get_json()
    assert info["engine"] == "piper"
    service = app.extensions["listen"]
    meta = service.lookup(service.article("es-piper")).meta
    assert meta["voices"] == {"es": {"engine": "piper", "voice": "piper:es_XX-test-medium"}}
