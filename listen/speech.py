"""Speech: the texts of an article -> one audio segment per text, from one engine.

The engines are tried in the configured order. An engine that cannot speak the
language is skipped; when one fails, the next takes over for the whole article
(one voice per article). An engine that proved unreachable (no network, rate
limited, not installed) is skipped by every article for ``ENGINE_COOLDOWN``
seconds, so a dead Google costs one failed request, not one per sentence.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydub import AudioSegment

from listen.engines import Engine
from listen.errors import EngineError, EnginesUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spoken:
    engine: str
    voice: str
    segments: list[AudioSegment]


@dataclass(frozen=True)
class SpokenArticle:
    """One segment per text, and the (engine, voice) that spoke each language."""

    segments: list[AudioSegment]
    voices: dict[str, tuple[str, str]]


class Breaker:
    """Remembers which engines are down, and until when."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._down: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def open(self, name: str, seconds: float) -> None:
        with self._lock:
            self._down[name] = self._clock() + seconds

    def remaining(self, name: str) -> float:
        with self._lock:
            return max(0.0, self._down.get(name, 0.0) - self._clock())

    def is_open(self, name: str) -> bool:
        return self.remaining(name) > 0


class Speaker:
    """Speaks articles with the first working engine of a chain."""

    def __init__(self, engines: Sequence[Engine], cooldown: float = 60.0) -> None:
        self.engines = list(engines)
        self.cooldown = cooldown
        self.breaker = Breaker()

    def candidates(self, language: str) -> list[Engine]:
        """Engines that can speak ``language``, in order of preference."""
        return [e for e in self.engines if e.supports(language)]

    def speak_items(self, items: Sequence[tuple[str, str]]) -> SpokenArticle:
        """Speak (text, language) items: one engine per language, each with its fallback.

        A Spanish quote in an English article is voiced by the Spanish voice; every
        English text by one English voice.
        """
        segments: list[AudioSegment | None] = [None] * len(items)
        voices = {}
        for language in dict.fromkeys(lang for _, lang in items):
            where = [i for i, (_, lang) in enumerate(items) if lang == language]
            spoken = self.speak([items[i][0] for i in where], language)
            voices[language] = (spoken.engine, spoken.voice)
            for i, segment in zip(where, spoken.segments, strict=True):
                segments[i] = segment
        return SpokenArticle([s for s in segments if s is not None], voices)

    def speak(self, texts: Sequence[str], language: str) -> Spoken:
        """Speak every text with one engine, falling back down the chain on failure.

        Raises:
            EnginesUnavailable: no engine could speak all the texts.
        """
        candidates = self.candidates(language)
        if not candidates:
            raise EnginesUnavailable(
                f"no configured engine speaks {language!r}. Probable cause: LISTEN_ENGINES "
                "lists only engines for other languages (piper speaks English only)."
            )
        reasons = []
        for engine in candidates:
            if self.breaker.is_open(engine.name):
                reasons.append(
                    f"{engine.name}: skipped, down for "
                    f"{self.breaker.remaining(engine.name):.0f} s more"
                )
                continue
            try:
                segments = [engine.synthesize(text, language) for text in texts]
            except EngineError as exc:
                log.warning("engine %s failed, trying the next: %s", engine.name, exc.message)
                reasons.append(f"{engine.name}: {exc.message}")
                if exc.unreachable:
                    self.breaker.open(engine.name, max(self.cooldown, exc.retry_after or 0))
                continue
            return Spoken(engine.name, engine.voice(language), segments)
        retry = min((self.breaker.remaining(e.name) for e in candidates), default=0.0)
        raise EnginesUnavailable(
            "every speech engine failed: " + "; ".join(reasons),
            retry_after=max(1, int(retry) if retry else 30),
        )
