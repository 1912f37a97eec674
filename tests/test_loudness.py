"""Loudness by perceived loudness: every piece of every engine at LISTEN_LOUDNESS_LUFS
(ITU-R BS.1770, measured with pyloudnorm on the decoded MP3), its peaks under -1 dBFS."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from pydub.generators import Sine

from listen import create_app
from listen.audio import stitch
from listen.errors import ConfigError
from listen.settings import load

from conftest import decode_mp3, write_article

TEXT = (
    "The council approved the budget on Tuesday night after a long debate.\n\n"
    "Parking fees will rise slightly next year, and the library keeps its weekend hours.\n\n"
    "Residents who spoke at the hearing asked for more money for the parks."
)
TOLERANCE_LU = 1.0


def measured(config, articles, engines: str, target: float = -16.0):
    """(loudness of each piece in LUFS, peak of the decoded article in dBFS)."""
    write_article(articles, "loud", title="Council passes a budget", language="en", text=TEXT)
    app = create_app({**config, "ENGINES": engines, "LOUDNESS_LUFS": target})
    client = app.test_client()
    response = client.get("/api/articles/loud/audio.mp3")
    assert response.status_code == 200, response.data[:300]
    pieces = client.get("/api/articles/loud/timings.json").get_json()["pieces"]
    decoded = decode_mp3(response.data)
    rate = decoded.frame_rate
    samples = np.array(decoded.get_array_of_samples(), dtype=np.float64) / 32768.0
    meter = pyloudnorm.Meter(rate)
    levels = [
        meter.integrated_loudness(samples[int(p["start"] * rate) : int(p["end"] * rate)])
        for p in pieces
    ]
    return levels, 20 * np.log10(np.max(np.abs(samples)))


def check(levels, peak, target=-16.0):
    assert all(abs(level - target) <= TOLERANCE_LU for level in levels), levels
    assert peak < stitch.PEAK_CEILING_DBFS, peak


def test_every_piece_of_the_fake_engine_is_at_the_target(config, articles):
    check(*measured(config, articles, "fake"))


def test_another_target_is_reached_too(config, articles):
    check(*measured(config, articles, "fake", -23.0), target=-23.0)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["espeak", "piper"])
def test_every_piece_of_every_offline_engine_is_at_the_target(config, articles, engine):
    check(*measured(config, articles, engine))


@pytest.mark.slow
def test_every_piece_of_gtts_is_at_the_target(config, articles, google):
    check(*measured({**config, "GTTS_URL": google.url}, articles, "gtts"))


def test_our_meter_is_the_reference_meter():
    for seconds, freq, gain in ((1.0, 440, -6), (3.5, 1000, -20), (7.2, 150, -30)):
        audio = Sine(freq, sample_rate=22050).to_audio_segment(seconds * 1000).apply_gain(gain)
        pcm = np.frombuffer(audio.raw_data, dtype=np.int16)
        reference = pyloudnorm.Meter(22050).integrated_loudness(pcm / 32768.0)
        assert abs(stitch.loudness(pcm) - reference) < 0.2


def test_the_old_rms_setting_stops_start_up_with_its_replacement():
    with pytest.raises(ConfigError) as caught:
        load(environ={"LISTEN_LOUDNESS_DBFS": "-20"})
    assert "LISTEN_LOUDNESS_LUFS" in caught.value.message and "\n" not in caught.value.message
