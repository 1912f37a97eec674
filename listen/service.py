"""The service: article IDs -> audio, as one small facade over the stages.

source -> text (sanitize, language, normalize) -> engines -> audio -> storage.
:class:`Listen` is the one object the web app, the CLI and the workers share. It
holds no logic of its own: :mod:`listen.wiring` builds the parts from the settings,
:class:`listen.text.prepare.Preparer` turns a raw article into what is spoken, and
:class:`listen.audio.articles.ArticleAudio` finds, builds and follows its audio.
Its methods are what the web, the CLI, the workers and the tests need, so none of
them reaches into the parts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from listen import metrics
from listen.audio.articles import FIRST_BYTES, PIPELINE_VERSION, Status
from listen.audio.build import Build
from listen.engines import Engine
from listen.models import Article, RawArticle, State
from listen.settings import Settings, load
from listen.sources import Source, validate_id
from listen.sources.fetch import revalidating
from listen.storage import evict as eviction
from listen.storage import stats as hit_stats
from listen.storage.cache import Entry
from listen.text import language
from listen.text.lexicon import Entry as LexiconEntry
from listen.text.prepare import LONGEST_WORD, PREPARED_ARTICLES, pronounceable
from listen.wiring import wire

if TYPE_CHECKING:
    from pathlib import Path

    from redis import Redis

    from listen.queue import JobQueue

__all__ = [
    "FIRST_BYTES",
    "LONGEST_WORD",
    "PIPELINE_VERSION",
    "PREPARED_ARTICLES",
    "Listen",
    "State",
    "Status",
    "pronounceable",
]

Check = tuple[bool, str]


class Listen:
    """The service: everything needed to turn article IDs into audio."""

    def __init__(
        self, config: Mapping[str, Any], *, source: Source | None = None, in_worker: bool = False
    ) -> None:
        self.config: Settings = load(config)
        self._parts = wire(self.config, source, in_worker)
        self._audio = self._parts.audio

    # ------------------------------------------------------------ articles

    def article(self, article_id: str) -> Article:
        """Load one article from the source and prepare it (remembered by raw content).

        Raises:
            InvalidArticleId, ArticleNotFound, SourceUnavailable, ...: from the source.
            NothingToSpeak, ArticleTooLarge: from preparing it.
        """
        return self._parts.preparer(self._parts.source.get(validate_id(article_id)))

    def prepare(self, raw: RawArticle) -> Article:
        """A raw article, prepared anew (see :func:`listen.text.prepare.prepare`)."""
        return self._parts.preparer.prepare(raw)

    def push(self, raw: RawArticle) -> bool:
        """Store an article a CMS pushed (it overrides the source's); True if it changed."""
        return self._parts.store.put(raw)

    def unpush(self, article_id: str) -> bool:
        """Forget an article a CMS pushed (the source's own, if any, is read again); True
        if one was stored."""
        return self._parts.store.delete(article_id)

    def lexicon(self) -> list[tuple[LexiconEntry, str]]:
        """The lexicon entries in effect, each with where it comes from ("file" or "api")."""
        return self._parts.pronunciations.listed()

    def add_pronunciation(self, entry: LexiconEntry) -> bool:
        """Add or replace a lexicon entry (the API's); True if its term and language
        had none. Every process prepares articles with it from its next request."""
        return self._parts.pronunciations.put(entry)

    def remove_pronunciation(self, term: str, language: str) -> LexiconEntry:
        """Remove a lexicon entry the API added (raises LexiconEntryNotFound, a 404)."""
        return self._parts.pronunciations.delete(term, language)

    def ids(self, since: str | None = None) -> Iterator[str]:
        """Every article ID the source lists (pushed ones first); see
        :meth:`listen.sources.Source.ids` for ``since``."""
        return iter(self._parts.source.ids(since=since))

    def describe_source(self) -> str:
        """Where the articles come from, e.g. ``files:/srv/articles (and pushed articles)``."""
        return self._parts.source.describe()

    # ------------------------------------------------------------ audio

    def article_key(self, article: Article) -> str:
        """The key of the article's audio (see :meth:`ArticleAudio.key`)."""
        return self._audio.key(article)

    def lookup(self, article: Article) -> Entry | None:
        """The article's finished audio, if cached."""
        return self._audio.lookup(article)

    def finished(self, key: str) -> Entry | None:
        """The finished audio of ``key``, if cached."""
        return self._parts.cache.get(key)

    def path_of(self, key: str) -> tuple[str, int] | None:
        """The file and size of the finished audio ``key``, or None (one ``stat`` once
        the file was checked: the fast path's hot path)."""
        return self._parts.cache.audio_file(key)

    def entries(self) -> Iterator[Entry]:
        """Every article's finished audio in the cache."""
        return self._parts.cache.entries()

    def status(self, article: Article) -> Status:
        return self._audio.status(article)

    def start(self, article: Article) -> tuple[str, Build | None]:
        """Make sure the article's audio exists or is being built; its key and build
        (see :meth:`listen.audio.articles.ArticleAudio.start`)."""
        return self._audio.start(article)

    def first_audio(self, article: Article, timeout: float = 300.0) -> tuple[str, Build | None]:
        """Start the article and wait until its first piece is written (or it is done)."""
        return self._audio.first_audio(article, timeout)

    def audio(self, article: Article, timeout: float = 3600.0) -> Entry:
        """The article's finished audio: from the cache, else built (once) and waited for."""
        return self._audio.audio(article, timeout)

    def follow(self, key: str, build: Build | None) -> Iterator[bytes]:
        """The article's bytes as they are written (see :meth:`ArticleAudio.follow`)."""
        return self._audio.follow(key, build)

    def played(self, key: str, *, hit: bool) -> None:
        """Record one request for an article's audio: served from the cache (``hit``,
        which also marks it played, what eviction goes by) or built."""
        metrics.cache_lookup(hit=hit)
        self._parts.hits.record(hit=hit)
        if hit:
            self._parts.cache.touch(key)

    def regenerate(self, article_id: str) -> str:
        """Build the article's audio anew; the key it is built under.

        The article is read again from its source (a web source asks the publisher's
        server even about a page it holds as fresh), its cached audio is dropped and the
        build started, here or on the queue. Paragraphs whose text and voice are unchanged
        come from the paragraph cache; those a fallback engine spoke are spoken by the
        preferred engine again if it is up.
        """
        with revalidating():
            article = self.article(article_id)
        self.purge([article.id])
        return self.start(article)[0]

    def voices_used(self, entry: Entry) -> list[tuple[str, str, str]]:
        """``(language, engine, voice)`` of everything the audio ``entry`` speaks, each once,
        in order of first use: from its paragraphs' records in the paragraph cache (a
        fallback that took over mid-article shows), else what the entry recorded."""
        recorded = entry.meta.get("voices") or {}
        used: dict[tuple[str, str, str], None] = {}
        timings = entry.meta.get("timings") or []
        for key, timing in zip(entry.meta.get("segments") or [], timings, strict=False):
            language_ = str(timing.get("language", ""))
            segment = self._parts.segments.get(key)
            voice = segment.meta if segment is not None else recorded.get(language_, {})
            used[(language_, str(voice.get("engine")), str(voice.get("voice")))] = None
        if not used:
            for language_, voice in recorded.items():
                used[(language_, str(voice.get("engine")), str(voice.get("voice")))] = None
        return list(used)

    def is_building(self, key: str) -> bool:
        """True while some process, here or on another host, holds the article's lock."""
        return self._parts.cache.is_locked(key)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until this process builds nothing; False if ``timeout`` passed first."""
        return self._parts.builder.wait_idle(timeout)

    # ------------------------------------------------------------ the cache

    def purge(self, article_ids: list[str] | None = None) -> int:
        """Drop cached audio of these articles (any version), or of all articles."""
        return self._audio.purge(article_ids)

    def evict(self, keep: Collection[str] = ()) -> dict[str, Any]:
        """Evict down to ``LISTEN_CACHE_MAX_BYTES`` (see :func:`listen.storage.evict.evict`)."""
        parts = self._parts
        return eviction.evict(parts.cache, parts.segments, self.config["CACHE_MAX_BYTES"], keep)

    def cache_stats(self) -> dict[str, Any]:
        """Entries, bytes, duration and hit rate of the cache (``listen cache stats``)."""
        parts = self._parts
        return hit_stats.stats(parts.cache, parts.segments, self.config["CACHE_MAX_BYTES"])

    def flush_stats(self) -> None:
        """Add this process's hit counts to the cache's ``stats.json`` now."""
        self._parts.hits.flush()

    @property
    def cache_root(self) -> Path:
        return self._parts.cache.root

    # ------------------------------------------------------------ engines and Redis

    @property
    def engines(self) -> list[Engine]:
        """The configured engines, in order of preference."""
        return list(self._parts.speaker.engines)

    def voices(self, language_: str) -> list[str]:
        """``engine:voice`` of each engine that speaks ``language_``, in order."""
        return [f"{e.name}:{e.voice(language_)}" for e in self._parts.speaker.candidates(language_)]

    def engine_down(self, name: str, seconds: float) -> None:
        """Open the circuit breaker of engine ``name`` for ``seconds`` (as a failure would)."""
        self._parts.speaker.breaker.open(name, seconds)

    def engine_is_down(self, name: str) -> bool:
        return self._parts.speaker.breaker.is_open(name)

    def start_upgrades(self) -> None:
        """In a process that builds (no queue: a web process without Redis, or a worker):
        upgrade the cached articles a fallback engine spoke, in the background, once their
        preferred engine is back (``LISTEN_UPGRADE_FALLBACK``; see listen.audio.upgrade)."""
        if self._parts.queue is None:
            self._parts.upgrader.start()

    def upgrades_waiting(self) -> list[str]:
        """Keys of the cached articles waiting for their upgrade in this process."""
        return self._parts.upgrader.waiting()

    def warm(self) -> list[str]:
        """Load the engines' voices now (a server worker, before its first reader)."""
        return self._parts.speaker.warm()

    def speak(self, text: str, language_: str) -> str:
        """Speak one text with the engine chain; the name of the engine that spoke it."""
        return str(self._parts.speaker.speak_one(text, language_)[0].name)

    @property
    def redis(self) -> Redis | None:
        """The Redis client (None without ``LISTEN_REDIS_URL``): the worker takes jobs with it."""
        return self._parts.redis

    @property
    def queue(self) -> JobQueue | None:
        """The job queue builds are handed to (None without Redis, and in a worker)."""
        return self._parts.queue

    def queue_depth(self) -> int:
        """Jobs waiting or running on the queue (0 without one)."""
        queue = self._parts.queue
        return queue.depth() if queue is not None else 0

    # ------------------------------------------------------------ readiness

    def readiness(self) -> dict[str, Check]:
        """Whether this process can serve audio, check by check, each with a line saying why."""
        # Here, not at the top: redis and rq are a fifth of `listen speak`'s start-up.
        from listen.queue import readiness as redis_readiness

        return {
            "cache": self._parts.cache.readiness(),
            "redis": redis_readiness(self._parts.redis),
            "engines": self._parts.speaker.readiness(language.SUPPORTED),
        }
