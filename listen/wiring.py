"""Wiring: settings -> the parts of the service, each built once and connected.

The one place that knows which concrete part each stage gets: the source (with the
pushed-article store in front), the engines and their speaker, Redis with its locks
and job queue when ``LISTEN_REDIS_URL`` is set, the audio caches, the builder, the
upgrader of fallback audio, the text preparer and the hit counter.
:class:`listen.service.Listen` is built on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from listen.audio.articles import ArticleAudio
from listen.audio.build import Builder
from listen.audio.upgrade import Upgrader
from listen.engines import resolve_engines
from listen.engines.speaker import Speaker
from listen.sources import Source, resolve_source, validate_id
from listen.sources.store import ArticleStore, OverlaySource, open_lexicon, open_store
from listen.storage import shapes
from listen.storage.cache import AudioCache, Entry
from listen.storage.evict import evict
from listen.storage.stats import HitCounter
from listen.text import lexicon
from listen.text.prepare import Preparer

if TYPE_CHECKING:
    from redis import Redis

    from listen.queue import JobQueue


@dataclass(frozen=True)
class Parts:
    """The connected parts of one service."""

    config: Mapping[str, Any]
    store: ArticleStore
    source: OverlaySource
    speaker: Speaker
    redis: Redis | None
    queue: JobQueue | None
    """None without Redis, and in a worker (it builds what it is given)."""
    cache: AudioCache
    """Articles' audio."""
    segments: AudioCache
    """Each piece's encoded audio (the paragraph cache)."""
    builder: Builder
    audio: ArticleAudio
    upgrader: Upgrader
    """Rebuilds what a fallback engine spoke once the preferred one is back."""
    preparer: Preparer
    pronunciations: lexicon.Pronunciations
    """The lexicon: ``LISTEN_LEXICON``'s entries and the publish API's."""
    hits: HitCounter
    """Audio requests served from the cache and built (``listen cache stats``)."""


def wire(config: Mapping[str, Any], source: Source | None = None, in_worker: bool = False) -> Parts:
    """Build every part from checked settings (``source`` replaces ``LISTEN_SOURCE``)."""
    store = open_store(config["DATA_DIR"], config["CACHE_DIR"])
    file = lexicon.read_file(config["LEXICON"].strip()) if config["LEXICON"].strip() else []
    pronunciations = lexicon.Pronunciations(
        file, open_lexicon(config["DATA_DIR"], config["CACHE_DIR"])
    )
    overlay = OverlaySource(store, source or resolve_source(config["SOURCE"], config))
    speaker = Speaker(
        resolve_engines(config["ENGINES"], config), cooldown=config["ENGINE_COOLDOWN"]
    )
    redis = queue = remote = None
    if config["REDIS_URL"]:
        from listen.queue import JobQueue, connect
        from listen.queue.locks import RedisLocks

        redis = connect(
            config["REDIS_URL"], timeout=config["REDIS_TIMEOUT"], cooldown=config["REDIS_COOLDOWN"]
        )
        remote = RedisLocks(redis, ttl=config["LOCK_TTL"])
        queue = None if in_worker else JobQueue(redis, config["QUEUE"])
    root = Path(config["CACHE_DIR"])
    cache = AudioCache(root, remote, shape=shapes.ARTICLE)
    segments = AudioCache(root / "segments", shape=shapes.SEGMENT)
    builder = Builder(config, speaker, cache, segments)
    limit = int(config["CACHE_MAX_BYTES"])

    def built(entry: Entry) -> None:
        """After a build: down to LISTEN_CACHE_MAX_BYTES, never the article just built;
        then its upgrade, if a fallback spoke it."""
        if limit > 0:
            evict(cache, segments, limit, keep={entry.key})
        upgrader.note(entry)

    preparer = Preparer(
        max_chars=config["MAX_CHARS"],
        default_language=config["LANGUAGE"],
        unsupported_as=config["UNSUPPORTED_AS"],
        pronunciations=pronunciations,
    )
    audio = ArticleAudio(config, speaker, cache, builder, queue, after_build=built)
    upgrader = Upgrader(
        config,
        speaker,
        cache,
        builder,
        audio,
        load=lambda article_id: preparer(overlay.get(validate_id(article_id))),
    )
    return Parts(
        config=config,
        store=store,
        source=overlay,
        speaker=speaker,
        redis=redis,
        queue=queue,
        cache=cache,
        segments=segments,
        builder=builder,
        audio=audio,
        upgrader=upgrader,
        preparer=preparer,
        pronunciations=pronunciations,
        hits=HitCounter(root),
    )
