"""Article audio: an article -> its key, its status, its build and its stream.

The build orchestration between the web (or CLI, or worker) and the builder: an
article's audio is keyed by what is spoken and how (:meth:`ArticleAudio.key`); a
request finds it in the cache, follows the build in progress (in this process, in
another one, or a worker's job), or starts one here or on the queue. A failed build
is remembered as the article's status for ``LISTEN_ERROR_TTL``, in this process and,
through a record beside the cache entry, in every other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from listen.audio import mp3
from listen.audio.build import POLL, Build, Builder, follow
from listen.engines.speaker import Speaker
from listen.errors import ListenError
from listen.models import Article, State
from listen.storage.cache import AudioCache, Entry

if TYPE_CHECKING:
    from listen.queue import JobQueue

log = logging.getLogger(__name__)

PIPELINE_VERSION = "5"  # 3: pieces trimmed, pauses by kind; 4: LUFS; 5: ID3 chapters
"""Bump when a change to sanitizing, speech or encoding should invalidate cached audio."""

FIRST_BYTES = 1024
"""A .part file this long past its ID3 tag holds the start of the title's audio (the tag
itself grows with the room for an article's chapters)."""


def _audio_started(part: Path | None) -> bool:
    """True once ``part`` (another process's build) holds the start of the title's audio."""
    if part is None:
        return False
    try:
        with open(part, "rb") as handle:
            tag = mp3.tag_length(handle.read(mp3.ID3_HEADER))
            return os.fstat(handle.fileno()).st_size > tag + FIRST_BYTES
    except FileNotFoundError:
        return False


@dataclass(frozen=True)
class Status:
    state: State
    entry: Entry | None = None
    message: str | None = None


class ArticleAudio:
    """Finds, starts, follows and waits for articles' audio."""

    def __init__(
        self,
        config: Mapping[str, Any],
        speaker: Speaker,
        cache: AudioCache,
        builder: Builder,
        queue: JobQueue | None,
        after_build: Callable[[str], object] = lambda key: None,
    ) -> None:
        self.config = config
        self.speaker = speaker
        self.cache = cache
        self.builder = builder
        self.queue = queue
        self.after_build = after_build
        """Called with the key after a build of this process is committed (eviction)."""
        builder.after_commit = self._built
        builder.on_failure = self._remember
        self._errors: dict[str, tuple[float, ListenError]] = {}
        self._errors_lock = threading.Lock()

    def key(self, article: Article) -> str:
        """Key of an article's audio: what is spoken, in which languages, by which
        configured engines and voices, how it is paced and encoded, and the version."""
        chain = {
            lang: [f"{e.name}:{e.voice(lang)}" for e in self.speaker.candidates(lang)]
            for lang in article.languages
        }
        material = [
            PIPELINE_VERSION,
            article.language,
            article.spoken_pieces,
            chain,
            self.config["PAUSE_TITLE_MS"],
            self.config["PAUSE_PARAGRAPH_MS"],
            self.config["PAUSE_HEADING_MS"],
            self.config["PAUSE_ITEM_MS"],
            self.config["RATE"],
            self.config["BITRATE"],
            self.config["LOUDNESS_LUFS"],
        ]
        blob = json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def _built(self, key: str) -> None:
        """After a build: forget its last failure, then :attr:`after_build`."""
        with self._errors_lock:
            self._errors.pop(key, None)
        self.cache.clear_error(key)
        self.after_build(key)

    def lookup(self, article: Article) -> Entry | None:
        """The article's finished audio, if cached."""
        return self.cache.get(self.key(article))

    def status(self, article: Article) -> Status:
        key = self.key(article)
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
        key = self.key(article)
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
            "summary": article.summary,
            "published": article.published,
        }
        return key, self.builder.start(article, key, meta)

    def first_audio(self, article: Article, timeout: float = 300.0) -> tuple[str, Build | None]:
        """Start the article and wait until its first spoken piece is written (or it is done).

        Raises:
            ListenError: the build failed before any audio (e.g. every engine failed).
        """
        key, build = self.start(article)

        def started() -> bool:
            return _audio_started(self.cache.current_part(key))

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
