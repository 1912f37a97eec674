"""Fake engine: deterministic tones instead of speech, for tests and trials without engines.

Like httpx's ``MockTransport``, it ships with the package so that the fast test suite, a
demo or a load test needs neither espeak-ng nor piper nor Google. Each word is a tone whose
pitch follows the word and the language and whose length follows the word's length, at
about a newsreader's pace; words are parted by short silences and sentences by longer
ones, so leveling, silence detection and sentence timings see the structure of speech.
The same text always gives the same samples.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydub import AudioSegment

from listen.engines import Speech

RATE = 22_050
"""Samples per second (what the other engines give)."""
SECONDS_PER_CHARACTER = 0.065
"""About 15 characters a second: a newsreader's 160 words a minute."""
WORD_GAP_S = 0.06
SENTENCE_GAP_S = 0.3
BASE_PITCH_HZ = {"en": 196.0, "es": 220.0}
"""Each language its own register, so a test can tell which was asked for."""
AMPLITUDE = 0.3

_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)")


class FakeEngine:
    """Speaks English and Spanish as tones; never fails, never reaches anything."""

    name = "fake"

    def __init__(self, config: Mapping[str, Any]) -> None:
        del config  # nothing to set up

    def supports(self, language: str) -> bool:
        return language in BASE_PITCH_HZ

    def voice(self, language: str) -> str:
        return f"fake:{language}-tones"

    def synthesize(self, text: str, language: str) -> Speech:
        parts: list[np.ndarray] = []
        sentences: list[tuple[float, float]] = []
        at = 0
        for sentence in _SENTENCE.findall(text):
            words = sentence.split()
            if not words:
                continue
            start = at
            for word in words:
                tone = _tone(word, BASE_PITCH_HZ[language])
                gap = np.zeros(int(RATE * WORD_GAP_S), dtype=np.int16)
                parts += [tone, gap]
                at += len(tone) + len(gap)
            sentences.append((start / RATE, at / RATE))
            pause = np.zeros(int(RATE * SENTENCE_GAP_S), dtype=np.int16)
            parts.append(pause)
            at += len(pause)
        pcm = np.concatenate(parts) if parts else np.zeros(int(RATE * 0.1), dtype=np.int16)
        audio = AudioSegment(pcm.tobytes(), frame_rate=RATE, sample_width=2, channels=1)
        return Speech(audio, sentences)


def _tone(word: str, base_hz: float) -> np.ndarray:
    """One word: a sine of a pitch the word picks (stable across runs), faded in and out."""
    pitch = base_hz * (1 + (zlib.crc32(word.encode("utf-8")) % 12) / 24)
    count = max(int(RATE * SECONDS_PER_CHARACTER * len(word)), RATE // 20)
    t = np.arange(count) / RATE
    wave = np.sin(2 * np.pi * pitch * t) * AMPLITUDE
    ramp = min(count // 4, RATE // 100)
    wave[:ramp] *= np.linspace(0, 1, ramp)
    wave[count - ramp :] *= np.linspace(1, 0, ramp)
    return (wave * 32767).astype(np.int16)
