"""Speech: texts and their language -> what an engine said, with fallback down the chain.

The engines are tried in the configured order. An engine that cannot speak the
language is skipped; when one fails, the next takes over, and an article keeps
using it for the rest of the article (:class:`ArticleVoices`). An engine that
proved unreachable (no network, rate limited, not installed) is skipped by every
article for ``ENGINE_COOLDOWN`` seconds (the circuit breaker), so a dead Google
costs one failed request, not one per sentence. An article rebuilt to replace a
fallback's audio (:mod:`listen.audio.upgrade`) speaks with each language's preferred
engine alone (``Speaker.article(fallback=False)``). This module alone decides which
engine speaks.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from listen.engines import Engine, Prefetch, Prefetching, Speech, Warming
from listen.errors import EngineError, EnginesUnavailable

log = logging.getLogger(__name__)


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

    def warm(self) -> list[str]:
        """Load what each engine loads lazily (piper's voices), now rather than on a
        reader's first request; the names of the engines warmed. An engine that fails to
        load is left to fail as it would have (its error comes with the first request)."""
        warmed = []
        for engine in self.engines:
            if not isinstance(engine, Warming):
                continue
            try:
                engine.warm()
            except EngineError as exc:
                log.warning("%s could not be loaded ahead: %s", engine.name, exc.message)
                continue
            warmed.append(engine.name)
        return warmed

    def candidates(self, language: str) -> list[Engine]:
        """Engines that can speak ``language``, in order of preference."""
        return [e for e in self.engines if e.supports(language)]

    def preferred(self, language: str) -> Engine | None:
        """The engine that speaks ``language`` when every engine is up (None: none does)."""
        candidates = self.candidates(language)
        return candidates[0] if candidates else None

    def readiness(self, languages: Iterable[str]) -> tuple[bool, str]:
        """Whether every language has an engine whose circuit breaker is closed, and a
        line saying which speaks each (or why none can)."""
        ready, missing = [], []
        for language in languages:
            candidates = self.candidates(language)
            usable = [e.name for e in candidates if not self.breaker.is_open(e.name)]
            if usable:
                ready.append(f"{language}: {usable[0]}")
                continue
            down = ", ".join(
                f"{e.name} down for {self.breaker.remaining(e.name):.0f} s more" for e in candidates
            )
            missing.append(
                f"{language}: " + (down or "no configured engine speaks it (LISTEN_ENGINES)")
            )
        if missing:
            return False, "no engine can speak " + "; ".join(missing)
        return True, ", ".join(ready)

    def speak_one(
        self, text: str, language: str, prefer: str | None = None, fallback: bool = True
    ) -> tuple[Engine, Speech]:
        """Speak one text: the preferred engine first, then (``fallback``) the rest of the
        chain after it.

        Raises:
            EnginesUnavailable: no engine could speak it.
        """
        candidates = self.candidates(language)
        names = [e.name for e in candidates]
        if prefer in names:
            candidates = candidates[names.index(prefer) :]
        return self._first_working(candidates if fallback else candidates[:1], text, language)

    def choose(self, language: str, prefer: str | None = None) -> Engine | None:
        """The engine :meth:`speak_one` will try first: ``prefer`` if it speaks
        ``language``, else the first of the chain that is not down (None: none speaks it)."""
        candidates = self.candidates(language)
        for engine in candidates:
            if engine.name == prefer:
                return engine
        up = (e for e in candidates if not self.breaker.is_open(e.name))
        return next(up, candidates[0] if candidates else None)

    def article(self, fallback: bool = True) -> ArticleVoices:
        """The engines of one article: a fallback, once it took over, keeps the rest; or,
        without ``fallback``, each language's preferred engine alone (an upgrade)."""
        return ArticleVoices(self, fallback)

    def _first_working(
        self, candidates: list[Engine], text: str, language: str
    ) -> tuple[Engine, Speech]:
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
                speech = engine.synthesize(text, language)
            except EngineError as exc:
                log.warning("engine %s failed, trying the next: %s", engine.name, exc.message)
                reasons.append(f"{engine.name}: {exc.message}")
                if exc.unreachable:
                    self.breaker.open(engine.name, max(self.cooldown, exc.retry_after or 0))
                continue
            return engine, speech
        retry = min((self.breaker.remaining(e.name) for e in candidates), default=0.0)
        raise EnginesUnavailable(
            "every speech engine failed: " + "; ".join(reasons),
            retry_after=max(1, int(retry) if retry else 30),
        )


class ArticleVoices:
    """Which engine speaks each language of one article, shared by its speaking threads.

    Each language starts with the engine :meth:`Speaker.choose` picks; when it fails and
    another takes over, that one speaks the rest of the article (a fallback only ever
    moves down the chain, so threads that fail over at once agree). Without ``fallback``,
    each language's preferred engine speaks, and its failure is the article's.
    """

    def __init__(self, speaker: Speaker, fallback: bool = True) -> None:
        self._speaker = speaker
        self._fallback = fallback
        self._kept: dict[str, str] = {}
        self._lock = threading.Lock()
        self._prefetched: list[tuple[str, str, Prefetching, Prefetch]] = []
        """(text, language, engine, ticket) of the texts handed ahead and not yet spoken."""

    def prefetch(self, text: str, language: str) -> tuple[int, int]:
        """Hand ``text`` ahead to the engine that will speak it, if that engine waits on a
        remote service (:class:`~listen.engines.Prefetching`): its requests start now, in
        the order texts are handed over. Returns (requests queued, requests the engine has
        in flight at once); (0, 0) for an engine that does not prefetch."""
        engine = self.engine(language)
        if not isinstance(engine, Prefetching):
            return 0, 0
        ticket = engine.prefetch(text, language)
        with self._lock:
            self._prefetched.append((text, language, engine, ticket))
        return ticket.requests, engine.concurrency

    def close(self) -> None:
        """The article is over: texts handed ahead and never spoken are dropped."""
        with self._lock:
            prefetched, self._prefetched = self._prefetched, []
        for _, _, engine, ticket in prefetched:
            engine.discard(ticket)

    def _forget(self, text: str, language: str, keep: object) -> None:
        """``text`` was spoken: its ticket goes (with the audio it holds). If another engine
        took over ``language``, what was handed ahead to the others is dropped."""
        with self._lock:
            dropped = [
                p
                for p in self._prefetched
                if p[1] == language and (p[0] == text or p[2] is not keep)
            ]
            self._prefetched = [p for p in self._prefetched if p not in dropped]
        for _, _, engine, ticket in dropped:
            engine.discard(ticket)

    def engine(self, language: str) -> Engine | None:
        """The engine that will speak this article's next text in ``language``."""
        if not self._fallback:
            return self._speaker.preferred(language)
        with self._lock:
            kept = self._kept.get(language)
        return self._speaker.choose(language, kept)

    def speak(self, text: str, language: str) -> tuple[Engine, Speech]:
        """Speak ``text`` with this article's engine for ``language``, or its fallback.

        Raises:
            EnginesUnavailable: no engine could speak it.
        """
        with self._lock:
            kept = self._kept.get(language)
        engine, speech = self._speaker.speak_one(
            text, language, prefer=kept, fallback=self._fallback
        )
        if engine.name != kept:
            with self._lock:
                order = [e.name for e in self._speaker.candidates(language)]
                now = self._kept.get(language)
                if now is None or order.index(engine.name) > order.index(now):
                    self._kept[language] = engine.name
        self._forget(text, language, keep=engine)
        return engine, speech
