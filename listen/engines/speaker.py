"""Speech: texts and their language -> what an engine said, with fallback down the chain.

The engines are tried in the configured order. An engine that cannot speak the
language is skipped; when one fails, the next takes over, and an article build
keeps using it for the rest of the article. An engine that proved unreachable
(no network, rate limited, not installed) is skipped by every article for
``ENGINE_COOLDOWN`` seconds (the circuit breaker), so a dead Google costs one
failed request, not one per sentence.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from listen.engines import Engine, Speech
from listen.errors import EngineError, EnginesUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spoken:
    engine: str
    voice: str
    segments: list[Speech]


class Breaker:
    """Remembers which engines (or services: Redis) are down, until when, and why."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._down: dict[str, float] = {}
        self._reasons: dict[str, str] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def open(self, name: str, seconds: float, reason: str = "") -> None:
        with self._lock:
            self._down[name] = self._clock() + seconds
            self._reasons[name] = reason

    def reason(self, name: str) -> str:
        """What made ``name`` fail last (empty if it never did or nobody said)."""
        with self._lock:
            return self._reasons.get(name, "")

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

    def speak_one(
        self, text: str, language: str, prefer: str | None = None
    ) -> tuple[Engine, Speech]:
        """Speak one text: the preferred engine first, then the rest of the chain after it.

        Raises:
            EnginesUnavailable: no engine could speak it.
        """
        candidates = self.candidates(language)
        names = [e.name for e in candidates]
        if prefer in names:
            candidates = candidates[names.index(prefer) :]
        spoken = self._first_working(candidates, [text], language)
        return spoken[0], spoken[1][0]

    def speak(self, texts: Sequence[str], language: str) -> Spoken:
        """Speak every text with one engine, falling back down the chain on failure.

        Raises:
            EnginesUnavailable: no engine could speak all the texts.
        """
        engine, segments = self._first_working(self.candidates(language), texts, language)
        return Spoken(engine.name, engine.voice(language), segments)

    def _first_working(
        self, candidates: list[Engine], texts: Sequence[str], language: str
    ) -> tuple[Engine, list[Speech]]:
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
            return engine, segments
        retry = min((self.breaker.remaining(e.name) for e in candidates), default=0.0)
        raise EnginesUnavailable(
            "every speech engine failed: " + "; ".join(reasons),
            retry_after=max(1, int(retry) if retry else 30),
        )
