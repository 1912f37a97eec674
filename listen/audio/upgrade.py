"""Upgrade: audio a fallback engine made -> the article rebuilt with its preferred engine.

When a language's preferred engine (the first of ``LISTEN_ENGINES`` that speaks it,
gTTS by default) is down, the next one speaks instead (see
:mod:`listen.engines.speaker`), and the article's entry records which engine spoke each
piece (``segment_engines``). With ``LISTEN_UPGRADE_FALLBACK``, every such entry this
process built, and every one in the cache when it starts upgrading, waits here until
the preferred engine is healthy again: its circuit breaker closed, then the rebuild's
own first request is the probe (a failure opens the breaker again, or backs the article
off, and it waits for the next try).

The rebuild is an ordinary build (:meth:`listen.audio.build.Builder.upgrade`) in this
module's one thread: pieces the preferred engine spoke come from the paragraph cache,
so only those a fallback spoke are synthesized; it speaks with the preferred engine
alone (never a second fallback), its requests take tokens from the process's gTTS
budget like every other, and it starts no piece while a listener's build runs in this
process. It goes under a key of its own (:func:`~listen.audio.articles.upgraded_key`):
listeners get the old file until the new one is complete, then the new one, at a new
address with a new ETag, from their next play.

The thread runs while upgrades wait, and ends when none is left. With a Redis queue,
the workers build articles, so they upgrade them (web processes only enqueue).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from listen import metrics
from listen.audio.articles import ArticleAudio, upgraded_key
from listen.audio.build import Builder
from listen.engines.speaker import Speaker
from listen.errors import ListenError
from listen.models import Article
from listen.storage.cache import AudioCache, Entry
from listen.text import language

log = logging.getLogger(__name__)

POLL = 5.0
"""Most seconds between looks at the upgrades waiting (sooner when one is due)."""
BUSY_POLL = 0.5
"""Seconds an upgrade waits for a listener's build in this process to end."""
BACKOFF_MAX = 3600.0
"""Most seconds an upgrade that failed again and again waits before its next try."""


def fallback_pieces(meta: Mapping[str, Any], speaker: Speaker) -> list[int]:
    """Indexes of the pieces of an entry that an engine other than their language's
    preferred one spoke (entries older than ``segment_engines``: by each language's
    first engine, in ``voices``)."""
    timings = meta.get("timings") or []
    languages = [str(t.get("language") or meta.get("language") or "") for t in timings]
    engines = meta.get("segment_engines")
    if not isinstance(engines, list) or len(engines) != len(languages):
        voices = meta.get("voices") or {}
        engines = [
            str((voices.get(lang) or {}).get("engine", meta.get("engine"))) for lang in languages
        ]
    found = []
    for index, (engine, lang) in enumerate(zip(engines, languages, strict=True)):
        preferred = speaker.preferred(lang)
        if preferred is not None and engine != preferred.name:
            found.append(index)
    return found


class Upgrader:
    """Rebuilds, in the background, the articles a fallback engine spoke."""

    def __init__(
        self,
        config: Mapping[str, Any],
        speaker: Speaker,
        cache: AudioCache,
        builder: Builder,
        audio: ArticleAudio,
        load: Callable[[str], Article],
    ) -> None:
        self.enabled = bool(config["UPGRADE_FALLBACK"])
        self.cooldown = float(config["ENGINE_COOLDOWN"])
        self.speaker = speaker
        self.cache = cache
        self.builder = builder
        self.audio = audio
        self.load = load
        """An article by its ID, as it is now (its source, prepared)."""
        self._due: dict[str, float] = {}
        """Key of each entry waiting for its upgrade -> when to try it (monotonic)."""
        self._failures: dict[str, int] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._scan = False

    def note(self, entry: Entry) -> None:
        """An entry was committed: if a fallback spoke any of it, upgrade it. (Its file is
        not read again: a listener may be deleting or damaging it by now.)"""
        if self.enabled and self._needs(entry):
            with self._cond:
                self._due.setdefault(entry.key, 0.0)
            self._run()

    def start(self) -> None:
        """Look through the cache for entries a fallback spoke (in the thread), and upgrade
        them; the articles this process builds from now on are noted as they are."""
        if not self.enabled or not any(
            len(self.speaker.candidates(lang)) > 1 for lang in language.SUPPORTED
        ):
            return  # with one engine a language, nothing is ever a fallback's
        with self._cond:
            self._scan = True
        self._run()

    def waiting(self) -> list[str]:
        """Keys of the entries waiting for their upgrade."""
        with self._cond:
            return list(self._due)

    def _needs(self, entry: Entry) -> bool:
        return (
            "upgraded_from" not in entry.meta
            and bool(fallback_pieces(entry.meta, self.speaker))
            and self.cache.audio_file(upgraded_key(entry.key)) is None
        )

    def _run(self) -> None:
        """Start the thread if it is not running, else wake it."""
        with self._cond:
            if self._thread is not None:
                self._cond.notify_all()
                return
            self._thread = threading.Thread(target=self._loop, name="upgrade", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        try:
            while True:
                with self._cond:
                    scan, self._scan = self._scan, False
                if scan:
                    self._find()
                with self._cond:
                    if not self._due and not self._scan:
                        self._thread = None
                        return
                    now = time.monotonic()
                    due = [key for key, when in self._due.items() if when <= now]
                    if not due:
                        self._cond.wait(min(POLL, min(self._due.values()) - now))
                        continue
                for key in due:
                    self.upgrade(key)
        except Exception:  # noqa: BLE001 - a background thread: say it, and let the next note restart it
            log.exception("upgrading fallback audio stopped")
            with self._cond:
                self._thread = None

    def _find(self) -> None:
        found = [entry.key for entry in self.cache.entries() if self._needs(entry)]
        with self._cond:
            for key in found:
                self._due.setdefault(key, 0.0)
        if found:
            log.info("%d articles spoken by a fallback engine wait for an upgrade", len(found))

    def _later(self, key: str, seconds: float) -> None:
        with self._cond:
            if key in self._due:
                self._due[key] = time.monotonic() + seconds

    def _drop(self, key: str) -> None:
        with self._cond:
            self._due.pop(key, None)
            self._failures.pop(key, None)

    def upgrade(self, key: str) -> bool:
        """Try the upgrade of the entry ``key`` now, if it is still needed and its engines
        are up; True if the upgrade was committed."""
        entry = self.cache.get(key)
        if entry is None or not self._needs(entry):
            self._drop(key)  # evicted, purged or upgraded since: nothing to do
            return False
        pieces = fallback_pieces(entry.meta, self.speaker)
        languages = {
            entry.meta["timings"][i].get("language", entry.meta.get("language")) for i in pieces
        }
        engines = [e for e in map(self.speaker.preferred, languages) if e is not None]
        down = max((self.speaker.breaker.remaining(e.name) for e in engines), default=0.0)
        if down > 0:
            self._later(key, min(down, POLL))
            return False
        target = upgraded_key(key)
        if self.builder.listeners_building() or self.cache.is_locked(target):
            self._later(key, BUSY_POLL)  # listeners first; or another process upgrades it
            return False
        try:
            article = self.load(str(entry.meta["id"]))
        except ListenError as exc:
            return self._failed(key, f"cannot load the article: {exc.message}")
        if self.audio.base_key(article) != key:
            self._drop(key)  # its text or settings changed: its next play builds it anew
            return False
        meta = {**self.audio.meta(article), "upgraded_from": key}
        build = self.builder.upgrade(article, target, meta)
        if build.entry is None:
            reason = build.error.message if build.error else "another build of it ran"
            return self._failed(key, reason)
        metrics.upgrade_finished(ok=True)
        log.info(
            "upgraded %s: %d of %d pieces spoken again by %s (was %s)",
            article.id,
            len(pieces),
            len(entry.meta["timings"]),
            ", ".join(sorted(e.name for e in engines)),
            entry.meta.get("engine"),
        )
        self._drop(key)
        return True

    def _failed(self, key: str, reason: str) -> bool:
        metrics.upgrade_finished(ok=False)
        with self._cond:
            failures = self._failures[key] = self._failures.get(key, 0) + 1
        wait = min(BACKOFF_MAX, max(self.cooldown, 1.0) * 2 ** min(failures - 1, 12))
        log.warning("upgrading %s failed (%s); trying again in %.0f s", key, reason, wait)
        self._later(key, wait)
        return False
