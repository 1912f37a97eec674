"""Pace: LISTEN_RATE applied by each offline engine natively, measured on its trimmed speech."""

from __future__ import annotations

import numpy as np
import pytest

from listen.audio import stitch
from listen.audio.build import segment_key
from listen.engines.espeak import EspeakEngine
from listen.engines.piper import PiperEngine, length_scale
from listen.settings import DEFAULTS, load

NEWS = [
    "Firefighters contained most of the blaze by Sunday evening, officials said, after "
    "winds that had driven it toward the hills died down. About two hundred homes were "
    "evacuated, and residents were told they could return once power lines were checked.",
    "The central bank left interest rates unchanged on Thursday, saying inflation was "
    "easing more slowly than it had hoped. Its governor warned that borrowing costs could "
    "stay high well into next year if wages keep rising at their current pace.",
]
ENGINES = {"piper": PiperEngine, "espeak": EspeakEngine}


def heard_wpm(engine_class, rate: str) -> float:
    """Words a minute of the engine at ``rate`` over the news paragraphs, silence trimmed."""
    engine = engine_class({**DEFAULTS, "RATE": rate})
    words = seconds = 0.0
    for text in NEWS:
        audio = stitch.conform(engine.synthesize(text, "en").audio)
        pcm, _ = stitch.trim(np.frombuffer(audio.raw_data, dtype=np.int16))
        words += len(text.split())
        seconds += len(pcm) / audio.frame_rate
    return words / seconds * 60


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ENGINES))
@pytest.mark.parametrize("rate", ["165", "130", "210"])
def test_the_pace_heard_is_the_pace_asked(name, rate):
    measured = heard_wpm(ENGINES[name], rate)
    assert abs(measured - float(rate)) / float(rate) < 0.10, (name, rate, round(measured))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ENGINES))
def test_a_factor_changes_the_voices_own_pace(name):
    own, slower = heard_wpm(ENGINES[name], "1x"), heard_wpm(ENGINES[name], "0.8x")
    assert abs(slower / own - 0.8) < 0.08, (name, round(own), round(slower))


def test_the_default_reads_slower_than_the_voices_own_pace():
    assert load({}).RATE == "165"
    assert PiperEngine(DEFAULTS).length_scale > 1.2  # piper's own is about 196 a minute
    assert EspeakEngine(DEFAULTS).speed < 175  # espeak-ng's own -s


def test_length_scale_follows_the_measured_table_and_stays_in_range():
    assert length_scale(196) == pytest.approx(1.0)
    assert length_scale(154) == pytest.approx(1.4)
    assert 1.0 < length_scale(185) < 1.2
    assert length_scale(80) > 2.0 and length_scale(10) == 2.5 and length_scale(1000) == 0.5


def test_the_pace_is_part_of_every_paragraph_key():
    keys = {
        segment_key("A paragraph.", "en", "piper", "piper:joe", load({"RATE": rate}))
        for rate in ("165", "150", "1x")
    }
    assert len(keys) == 3
