"""espeak-ng engine: offline English and Spanish, through the espeak-ng program."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from pydub import AudioSegment

from listen.engines import Speech
from listen.errors import EngineError
from listen.settings import load, target_wpm

DEFAULT_SPEED = 175
"""espeak-ng's own ``-s`` (its default)."""
WPM_PER_SPEED = 1.07
"""Words a minute heard per unit of ``-s``: measured on news prose once its silence is
trimmed, ``-s`` 130, 150, 175 and 200 read 140, 160, 188 and 213 words a minute."""
TIMEOUT = 120.0
"""Seconds one espeak-ng run may take; it speaks about 100x faster than real time."""


class EspeakEngine:
    name = "espeak"

    def __init__(self, config: Mapping[str, Any]) -> None:
        settings = load(config)
        self.voices = {"en": settings.ESPEAK_VOICE_EN, "es": settings.ESPEAK_VOICE_ES}
        self.binary = shutil.which("espeak-ng") or shutil.which("espeak")
        wpm = target_wpm(settings.RATE, DEFAULT_SPEED * WPM_PER_SPEED)
        self.speed = max(80, min(450, round(wpm / WPM_PER_SPEED)))

    def supports(self, language: str) -> bool:
        return language in self.voices

    def voice(self, language: str) -> str:
        return f"espeak-ng:{self.voices[language]}"

    def synthesize(self, text: str, language: str) -> Speech:
        if not self.binary:
            raise EngineError(
                "espeak-ng is not installed. Probable cause: the system package "
                "espeak-ng is missing (apt-get install espeak-ng).",
                unreachable=True,
            )
        try:
            proc = subprocess.run(
                [self.binary, "-v", self.voices[language], "-s", str(self.speed)]
                + ["--stdin", "--stdout", "-b", "1"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"espeak-ng failed to run: {exc}") from exc
        if proc.returncode != 0 or len(proc.stdout) <= 44:
            detail = proc.stderr.decode("utf-8", "replace").strip()[:200]
            raise EngineError(
                f"espeak-ng exited {proc.returncode} without audio ({detail or 'no message'})."
                f" Probable cause: voice {self.voices[language]!r} is not installed."
            )
        return Speech(AudioSegment.from_wav(io.BytesIO(proc.stdout)))
