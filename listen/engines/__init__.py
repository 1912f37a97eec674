"""Speech engines: text + language -> audio, behind one Protocol and an alias registry.

Built-in engines are registered the same way an add-on would be: an alias maps to
a ``module:Class`` path, and :func:`resolve_engine` accepts either. Modules are
imported on first use, so an unused engine costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydub import AudioSegment

from listen.errors import ConfigError


@dataclass
class Speech:
    """What an engine said: the audio, and sentence boundaries where the engine knows them."""

    audio: AudioSegment
    sentences: list[tuple[float, float]] = field(default_factory=list)
    """(start, end) seconds of each sentence within ``audio``; empty if unknown."""


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech engine.

    ``synthesize`` raises :class:`listen.errors.EngineError` on failure, with
    ``unreachable=True`` when the failure will repeat for any text.
    """

    name: ClassVar[str]

    def supports(self, language: str) -> bool:
        """True if the engine can speak ``language`` ("en", "es")."""
        ...

    def voice(self, language: str) -> str:
        """A stable name of the voice used for ``language`` (part of cache keys)."""
        ...

    def synthesize(self, text: str, language: str) -> Speech:
        """Speak ``text`` and return the audio."""
        ...


@runtime_checkable
class Warming(Protocol):
    """An engine that loads something lazily (piper's voices) and can load it ahead."""

    def warm(self) -> None:
        """Load it now. Raises :class:`listen.errors.EngineError` if it cannot be loaded."""
        ...


@runtime_checkable
class Prefetching(Protocol):
    """An engine that waits on a remote service can be handed the texts it will be asked
    for ahead of :meth:`Engine.synthesize`, so their requests share its pool in order
    instead of going out one text at a time (gTTS)."""

    concurrency: int
    """Requests it has in flight at once: how many are worth queueing ahead."""

    def prefetch(self, text: str, language: str) -> Prefetch:
        """Start the requests for ``text``; a later ``synthesize(text, language)`` uses them."""
        ...

    def discard(self, ticket: Prefetch) -> None:
        """``text`` will not be asked for after all: stop its requests not yet sent."""
        ...


@runtime_checkable
class Prefetch(Protocol):
    """The requests started for one text."""

    @property
    def requests(self) -> int:
        """How many requests the text takes."""
        ...


ENGINES: dict[str, str] = {
    "gtts": "listen.engines.gtts:GTTSEngine",
    "piper": "listen.engines.piper:PiperEngine",
    "espeak": "listen.engines.espeak:EspeakEngine",
    "fake": "listen.engines.fake:FakeEngine",
}


def resolve_engine(spec: str, config: Mapping[str, Any]) -> Engine:
    """Build the engine named by an alias from :data:`ENGINES` or a ``module:Class`` path.

    The class is called with the settings (``cls(config)``): a read-only mapping, usually
    the loaded :class:`~listen.settings.Settings`; ``listen.settings.load(config)`` gives
    an engine typed values with their defaults, whatever it was handed.
    """
    path = ENGINES.get(spec.strip().lower(), spec.strip())
    module_name, _, class_name = path.partition(":")
    if not class_name:
        raise ConfigError(
            f"unknown engine {spec!r}: use one of {', '.join(ENGINES)} or a module:Class path"
        )
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load engine {spec!r} ({path}): {exc}") from exc
    engine = cls(config)
    if not isinstance(engine, Engine):
        raise ConfigError(f"engine {spec!r} ({path}) does not implement the Engine protocol")
    return engine


def resolve_engines(specs: str, config: Mapping[str, Any]) -> list[Engine]:
    """Engines from a comma-separated list, in order."""
    names = [s for s in (part.strip() for part in specs.split(",")) if s]
    if not names:
        raise ConfigError("LISTEN_ENGINES names no engine")
    return [resolve_engine(name, config) for name in names]
