"""Pipeline: article ID -> cached MP3, running every stage in order.

source -> sanitize -> language -> speech -> stitch -> cache. :class:`Listen` is
the one object the web app, the CLI and the workers share.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from listen.audio.build import POLL, Build, Builder, follow
from listen.engines import resolve_engines
from listen.engines.speaker import Speaker
from listen.errors import ArticleTooLarge, ConfigError, ListenError, NothingToSpeak
from listen.models import Article, Paragraph, RawArticle
from listen.settings import coerce
from listen.sources import Source, resolve_source, validate_id
from listen.sources.store import OverlaySource, open_store
from listen.storage import shapes
from listen.storage.cache import AudioCache, Entry
from listen.storage.evict import HitCounter, evict
from listen.text import language
from listen.text.normalize import normalize
from listen.text.sanitize import sanitize

if TYPE_CHECKING:
    from listen.queue import JobQueue

log = logging.getLogger(__name__)

PIPELINE_VERSION = "2"
"""Bump when a change to sanitizing, speech or encoding should invalidate cached audio."""


@dataclass(frozen=True)
class Status:
    state: str  # "ready", "pending" or "error"
    entry: Entry | None = None
    message: str | None = None


PREPARED_ARTICLES = 256
"""Sanitized articles (or why they cannot be) each process keeps in memory, by a digest of
their raw content."""

LONGEST_WORD = 60
"""Characters; a longer run without spaces (a hash, base64, a pasted URL) is not read."""


def pronounceable(text: str, article_id: str, *, display: bool = False) -> str:
    """The text without runs of characters no engine can pronounce as a word.

    Run on the spoken text, and with ``display`` on the text before normalizing, so
    that a 20,000-digit number is never expanded into 20,000 spoken digits. In display
    text a long run with a letter may be a web address, which the normalizer shortens
    to its host; one without only grows, and goes.
    """
    words = text.split()
    kept = [w for w in words if len(w) <= LONGEST_WORD or (display and any(c.isalpha() for c in w))]
    if len(kept) != len(words):
        log.warning(
            "article %s: not reading %d run(s) of over %d characters without a space",
            article_id,
            len(words) - len(kept),
            LONGEST_WORD,
        )
    return " ".join(kept)


FIRST_BYTES = 1024
"""A .part file this long holds the ID3 tag and the start of the title's audio."""


class Listen:
    """The service: everything needed to turn article IDs into audio."""

    def __init__(
        self, config: Mapping[str, Any], *, source: Source | None = None, in_worker: bool = False
    ) -> None:
        self.config = coerce(config)
        for name, allowed in (
            ("LANGUAGE", language.SUPPORTED),
            ("UNSUPPORTED_AS", ("", *language.SUPPORTED)),
            ("SENDFILE_HEADER", ("", "X-Accel-Redirect", "X-Sendfile")),
            ("LOG_FORMAT", ("text", "json")),
        ):
            if self.config[name] not in allowed:
                raise ConfigError(
                    f"LISTEN_{name}={self.config[name]!r}: use one of "
                    + ", ".join(repr(a) for a in allowed)
                )
        prefix = self.config["ACCEL_PREFIX"]
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ConfigError(f"LISTEN_ACCEL_PREFIX={prefix!r} must start and end with '/'")
        self.store = open_store(self.config["DATA_DIR"], self.config["CACHE_DIR"])
        self.source = OverlaySource(
            self.store, source or resolve_source(self.config["SOURCE"], self.config)
        )
        self.speaker = Speaker(
            resolve_engines(self.config["ENGINES"], self.config),
            cooldown=self.config["ENGINE_COOLDOWN"],
        )
        self.redis = None
        self.queue: JobQueue | None = None
        remote = None
        if self.config["REDIS_URL"]:
            from listen.queue import JobQueue, connect
            from listen.queue.locks import RedisLocks

            self.redis = connect(
                self.config["REDIS_URL"],
                timeout=self.config["REDIS_TIMEOUT"],
                cooldown=self.config["REDIS_COOLDOWN"],
            )
            remote = RedisLocks(self.redis, ttl=self.config["LOCK_TTL"])
            # A worker builds what it is given; everyone else hands builds to the workers.
            self.queue = None if in_worker else JobQueue(self.redis, self.config["QUEUE"])
        root = Path(self.config["CACHE_DIR"])
        self.cache = AudioCache(root, remote, shape=shapes.ARTICLE)
        self.segments = AudioCache(root / "segments", shape=shapes.SEGMENT)
        self.builder = Builder(self.config, self.speaker, self.cache, self.segments)
        self.builder.after_commit = self._built
        self.builder.on_failure = self._remember
        self.hits = HitCounter(self.cache.root)
        """Audio requests served from the cache and built (``listen cache stats``)."""
        self._errors: dict[str, tuple[float, ListenError]] = {}
        self._errors_lock = threading.Lock()
        self._prepared: OrderedDict[bytes, Article | ListenError] = OrderedDict()
        """Prepared articles, and the errors of those that cannot be, by raw content."""
        self._prepared_lock = threading.Lock()

    # ------------------------------------------------------------ text stages

    def article(self, article_id: str) -> Article:
        """Load and sanitize one article from the source."""
        raw = self.source.get(validate_id(article_id))
        # Sanitizing and language detection cost ~10 ms: every request for the audio of an
        # unchanged article would pay them again (100 requests/s per core, at most).
        # An article that cannot be prepared fails the same way every time: remember that
        # too, or every request for it pays the failure again (an expensive one, at will).
        digest = hashlib.sha256(repr(raw).encode("utf-8")).digest()
        with self._prepared_lock:
            if (known := self._prepared.get(digest)) is not None:
                self._prepared.move_to_end(digest)
        if isinstance(known, ListenError):
            raise copy.copy(known)  # a fresh one: tracebacks never pile up on one object
        if known is not None:
            return known
        failure: ListenError | None = None
        try:
            article = self.prepare(raw)
        except ListenError as exc:
            failure = exc
        with self._prepared_lock:
            self._prepared[digest] = article if failure is None else copy.copy(failure)
            while len(self._prepared) > PREPARED_ARTICLES:
                self._prepared.popitem(last=False)
        if failure is not None:
            raise failure
        return article

    def prepare(self, raw: RawArticle) -> Article:
        """Sanitize a raw article, pick its language and each paragraph's.

        Raises:
            NothingToSpeak: nothing is left to speak (a 422).
            ArticleTooLarge: the text to display, checked before normalizing, or the
                text to speak, checked after it, is over ``LISTEN_MAX_CHARS`` (a 413).
        """

        def check_size(chars: int, what: str) -> None:
            if chars > self.config["MAX_CHARS"]:
                raise ArticleTooLarge(
                    f"article {raw.id!r} has {chars} characters of {what} text, more than "
                    f"LISTEN_MAX_CHARS={self.config['MAX_CHARS']}. Probable cause: a very "
                    "long article, or numbers and symbols that take many words to say."
                )

        clean = sanitize(raw, self.config["MAX_CHARS"])
        blocks = []
        for block in clean.blocks:
            if not language.speakable(block.text):
                log.warning(
                    "article %s: skipping a paragraph in a script no voice reads: %.60r",
                    raw.id,
                    block.text,
                )
                continue
            blocks.append(block)
        # Refused before the costly stages: the display text only grows when spoken.
        check_size(len(clean.title) + sum(len(b.text) for b in blocks), "display")
        body = " ".join(b.text for b in blocks)
        lang = language.choose(
            clean.language_hint,
            f"{clean.title} {body}",
            self.config["LANGUAGE"],
            self.config["UNSUPPORTED_AS"],
        )
        paragraphs = []
        for block in blocks:
            own = language.paragraph_language(block.text, lang)
            shown = pronounceable(block.text, raw.id, display=True)
            spoken = pronounceable(normalize(shown, own), raw.id)
            if spoken:
                paragraphs.append(Paragraph(block.text, own, block.kind, spoken))
        shown = pronounceable(clean.title, raw.id, display=True)
        title_spoken = pronounceable(normalize(shown, lang), raw.id)
        article = Article(
            id=raw.id,
            # A title with nothing an engine can say is no title (as one of punctuation).
            title=clean.title if title_spoken else "",
            language=lang,
            paragraphs=tuple(paragraphs),
            title_spoken=title_spoken,
        )
        if not article.pieces:
            raise NothingToSpeak(
                f"article {raw.id!r} has nothing to speak after removing captions and "
                "boilerplate. Probable cause: an empty article, or its text is all in "
                "elements that are never spoken (figure, aside, data-listen=skip)."
            )
        check_size(article.spoken_chars, "spoken")
        return article

    # ------------------------------------------------------------ audio stages

    def article_key(self, article: Article) -> str:
        """Key of an article's audio: what is spoken, in which languages, by which
        configured engines and voices, how it is paced and encoded, and the version."""
        chain = {
            lang: [f"{e.name}:{e.voice(lang)}" for e in self.speaker.candidates(lang)]
            for lang in article.languages
        }
        material = [
            PIPELINE_VERSION,
            article.language,
            article.items,
            chain,
            self.config["PAUSE_TITLE_MS"],
            self.config["PAUSE_PARAGRAPH_MS"],
            self.config["BITRATE"],
            self.config["LOUDNESS_DBFS"],
        ]
        blob = json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def _built(self, key: str) -> None:
        """After a build: forget its last failure; evict down to LISTEN_CACHE_MAX_BYTES,
        if set, never the article just built."""
        with self._errors_lock:
            self._errors.pop(key, None)
        self.cache.clear_error(key)
        if self.config["CACHE_MAX_BYTES"] > 0:
            evict(self, keep={key})

    def lookup(self, article: Article) -> Entry | None:
        """The article's finished audio, if cached."""
        return self.cache.get(self.article_key(article))

    def status(self, article: Article) -> Status:
        key = self.article_key(article)
        entry = self.cache.get(key)
        if entry is not None:
            return Status("ready", entry)
        if self.builder.current(key) is not None or self._elsewhere(key):
            return Status("pending")
        error = self._recent_error(key) or (self.queue.failure(key) if self.queue else None)
        if error is not None:
            return Status("error", message=error.message)
        return Status("pending")

    def _elsewhere(self, key: str) -> bool:
        """True while another process (or a queued job) is building the article."""
        return self.cache.is_locked(key) or (self.queue is not None and self.queue.pending(key))

    def start(self, article: Article) -> tuple[str, Build | None]:
        """Make sure the article's audio exists or is being built; return its key and build.

        The build is None when the audio is complete, or when another process (a
        worker, with a queue) builds it: then its ``.part`` file is followed.
        """
        key = self.article_key(article)
        if self.cache.get(key) is not None:
            return key, None
        build = self.builder.current(key)
        if build is not None:
            return key, build
        if self._elsewhere(key):
            return key, None
        if self.queue is not None:
            self.queue.enqueue(article.id, key)
            return key, None
        meta = {
            "id": article.id,
            "title": article.title,
            "language": article.language,
            "chars": article.chars,
            "pipeline_version": PIPELINE_VERSION,
        }
        return key, self.builder.start(article, key, meta)

    def first_audio(self, article: Article, timeout: float = 300.0) -> tuple[str, Build | None]:
        """Start the article and wait until its first spoken piece is written (or it is done).

        Raises:
            ListenError: the build failed before any audio (e.g. every engine failed).
        """
        key, build = self.start(article)

        def started() -> bool:
            part = self.cache.current_part(key)
            return part is not None and part.exists() and part.stat().st_size > FIRST_BYTES

        if build is None and self.cache.get(key) is None:
            build = self._after_elsewhere(article, key, timeout, started)
        if build is not None:
            build.wait(lambda: build.done or build.pieces > 0, timeout)
            self._check(build)
        return key, build

    def audio(self, article: Article, timeout: float = 3600.0) -> Entry:
        """The article's finished audio: from the cache, else built (once) and waited for.

        Raises:
            EnginesUnavailable: every engine failed (a 503 with Retry-After).
        """
        key, build = self.start(article)
        if build is None and self.cache.get(key) is None:
            build = self._after_elsewhere(article, key, timeout, lambda: False)
        if build is None:
            entry = self.cache.get(key)
            if entry is None:
                raise ListenError(f"article {article.id!r} could not be synthesized")
            return entry
        build.wait(lambda: build.done, timeout)
        self._check(build)
        if build.entry is None:
            raise ListenError(f"article {article.id!r} took too long to synthesize")
        return build.entry

    def _after_elsewhere(
        self, article: Article, key: str, timeout: float, enough: Callable[[], bool]
    ) -> Build | None:
        """Wait while another process builds the article; then this process's build of
        it, if one is needed (None while another process builds it or it is complete).

        Raises:
            ListenError: the other process's build failed (its reason).
        """
        since = time.time()
        self._wait_elsewhere(article, key, timeout, enough)
        build = self.builder.current(key)
        if build is not None or self.cache.get(key) is not None or self._elsewhere(key):
            return build
        failed = self._recorded_error(key, since)
        if failed is not None:
            raise failed
        return self.start(article)[1]  # its builder died before any audio: build it here

    def _wait_elsewhere(
        self, article: Article, key: str, timeout: float, enough: Callable[[], bool]
    ) -> None:
        """Wait while another process or a worker builds the article.

        Returns when the audio is complete, when ``enough()`` holds, or when nobody
        builds it any more (so the caller can start it itself).

        Raises:
            ListenError: the worker's job failed (its error, e.g. a 503).
        """
        deadline = time.monotonic() + timeout
        while self.cache.get(key) is None and not enough():
            if self.queue is not None:
                failure = self.queue.failure(key)
                if failure is not None:
                    self._remember(key, failure, shared=False)  # Redis has it for all
                    raise failure
            if not self._elsewhere(key) and self.builder.current(key) is None:
                return  # nobody builds it (any more): the caller's turn
            if time.monotonic() > deadline:
                raise ListenError(f"article {article.id!r} took too long to synthesize")
            time.sleep(POLL)

    def _check(self, build: Build) -> None:
        if build.error is not None:
            raise build.error  # remembered by the builder (see _remember)

    def follow(self, key: str, build: Build | None) -> Iterator[bytes]:
        """The article's bytes as they are written (see :func:`listen.audio.build.follow`).

        A build that ends without its file cuts the stream off, and is remembered as
        the article's error in every process (its own build did that already).
        """
        since = time.time()  # now, not at the first byte: a failure from then on is its own

        def reason() -> ListenError | None:
            return self._recorded_error(key, since)

        def chunks() -> Iterator[bytes]:
            try:
                yield from follow(build, self.cache, key, lambda: self._elsewhere(key), reason)
            except ListenError as exc:
                if reason() is None:
                    self._remember(key, exc)  # nobody did: its builder died
                raise

        return chunks()

    def _remember(self, key: str, error: ListenError, shared: bool = True) -> None:
        """Report ``error`` as the article's status for LISTEN_ERROR_TTL: in this process,
        and (``shared``) in every process, through ``<key>.error`` beside the cache entry."""
        with self._errors_lock:
            self._errors[key] = (time.monotonic(), error)
        if not shared:
            return
        record = {**error.to_record(), "time": time.time()}
        try:
            self.cache.record_error(key, record)
        except OSError as exc:  # a full disk, say: this process still knows
            log.warning("could not record the failure of %s for other processes: %r", key, exc)

    def _recent_error(self, key: str) -> ListenError | None:
        with self._errors_lock:
            found = self._errors.get(key)
            if found and time.monotonic() - found[0] < self.config["ERROR_TTL"]:
                return found[1]
        return self._recorded_error(key, time.time() - self.config["ERROR_TTL"])

    def _recorded_error(self, key: str, since: float) -> ListenError | None:
        """The failure another process recorded for ``key`` at or after ``since``."""
        record = self.cache.recorded_error(key)
        if record is None:
            return None
        when = record.get("time")
        if not isinstance(when, (int, float)) or when < since:
            return None
        return ListenError.from_dict(record)

    def purge(self, article_ids: list[str] | None = None) -> int:
        """Drop cached audio of these articles (any version), or of all articles."""
        wanted = set(article_ids) if article_ids is not None else None
        removed = 0
        for entry in list(self.cache.entries()):
            if wanted is None or entry.meta.get("id") in wanted:
                removed += self.cache.delete(entry.key)
        return removed
