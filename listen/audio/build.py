"""Build: an article's spoken items -> its MP3, written progressively and shared.

A build runs in the background. It writes the ID3 tag, then each segment (title,
paragraphs) with the pause before it, to ``<key>.part`` as soon as the segment is
ready, so listeners can be streamed audio long before the article is complete. The
tag keeps room for the chapters (:mod:`listen.audio.chapters`), written into it in
place once their times are known, before the file is committed.
Segments come from the paragraph cache when their text, language, engine and
voice were spoken before; otherwise they are synthesized a few ahead of the one
being written. When the last one is written, the file is renamed into the
cache with its metadata (timings included) and served whole from then on.

Every listener of the article in this process shares one :class:`Build`; other
processes (gunicorn workers, ``listen`` commands) see the cache lock held and
follow the same ``.part`` file. A build that ends without its file (an engine
failing for good, a full disk, its process killed) breaks off every listener's
response, in every process: never a clean end after a part of the article.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

from listen import metrics
from listen.audio import chapters, mp3, passages, stitch
from listen.engines import Prefetching
from listen.engines.speaker import ArticleVoices, Speaker
from listen.errors import BuildAbandoned, ListenError, StorageFull
from listen.models import Article
from listen.storage.cache import AudioCache, Entry

log = logging.getLogger(__name__)

SEGMENT_VERSION = "4"  # 3: engine silence trimmed; 4: leveled by LUFS
"""Bump when a change to leveling or encoding should invalidate cached segments."""
READ_SIZE = 64 * 1024
POLL = 0.05
"""Seconds between looks at a file another process is writing."""


def build_error(exc: Exception, article_id: str) -> ListenError:
    """What a listener is told about a build that failed with ``exc``."""
    if isinstance(exc, ListenError):
        return exc
    if isinstance(exc, OSError) and (full := StorageFull.from_os_error(exc)) is not None:
        log.error("building %s: %s", article_id, full.message)
        return full
    log.error("building %s failed", article_id, exc_info=exc)
    # Never the exception's text: an OSError names server paths.
    return ListenError(
        f"building the audio failed ({type(exc).__name__}); the server log has details"
    )


class Build:
    """One article being built: progress that readers can wait on."""

    def __init__(self, key: str, part: Path) -> None:
        self.key = key
        self.part = part
        self.pieces = 0
        """Segments written so far."""
        self.done = False
        self.entry: Entry | None = None
        self.error: ListenError | None = None
        self._cond = threading.Condition()

    def advance(self) -> None:
        with self._cond:
            self.pieces += 1
            self._cond.notify_all()

    def finish(self, entry: Entry | None, error: ListenError | None = None) -> None:
        with self._cond:
            self.done, self.entry, self.error = True, entry, error
            self._cond.notify_all()

    def wait(self, until: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``until()`` holds (checked at every change, and every POLL)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not until():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, POLL))
        return True


def segment_key(
    text: str, language: str, engine: str, voice: str, config: Mapping[str, Any]
) -> str:
    """A paragraph's audio is keyed by its spoken text, language, engine, voice and version."""
    material = [
        SEGMENT_VERSION,
        text,
        language,
        engine,
        voice,
        config["LOUDNESS_LUFS"],
        config["BITRATE"],
        config["RATE"],
    ]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


class Builder:
    """Runs builds: one per article at a time in this process, each shared by its readers."""

    def __init__(
        self, config: Mapping[str, Any], speaker: Speaker, cache: AudioCache, segments: AudioCache
    ) -> None:
        self.config = config
        self.speaker = speaker
        self.cache = cache
        self.segments = segments
        self.bitrate = mp3.kbps(config["BITRATE"])
        self._builds: dict[str, Build] = {}
        self._lock = threading.Lock()
        self._running = 0
        """Builds submitted and not yet through their after-commit work."""
        self._idle = threading.Condition(self._lock)
        self._runner = ThreadPoolExecutor(config["SYNTH_BUILDS"], thread_name_prefix="build")
        self._speakers = ThreadPoolExecutor(config["SYNTH_WORKERS"], thread_name_prefix="speak")
        self.after_commit: Callable[[str], object] | None = None
        """Called with the key after a build of this process is committed (cache eviction)."""
        self.on_failure: Callable[[str, ListenError], object] | None = None
        """Called with the key and the error when a build fails, still holding its lock."""

    def current(self, key: str) -> Build | None:
        with self._lock:
            return self._builds.get(key)

    def start(self, article: Article, key: str, meta: dict[str, Any]) -> Build:
        """The build of this article: the running one, or a new one."""
        with self._lock:
            build = self._builds.get(key)
            if build is None:
                build = self._builds[key] = Build(key, self.cache.part_path(key))
                metrics.build_started()
                self._running += 1
                self._runner.submit(self._run, article, build, meta)
            return build

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every build of this process, its after-commit work included, is
        over; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def _run(self, article: Article, build: Build, meta: dict[str, Any]) -> None:
        try:
            self._build(article, build, meta)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _build(self, article: Article, build: Build, meta: dict[str, Any]) -> None:
        started = time.monotonic()
        entry: Entry | None = None
        error: ListenError | None = None
        try:
            with self.cache.lock(build.key) as holder:
                build.part = self.cache.part_path(build.key, holder)
                try:
                    entry = self.cache.get(build.key)  # another process may have built it
                    if entry is None:
                        entry = self._write(article, build, meta)
                except Exception as exc:  # noqa: BLE001 - a build must always finish
                    error = build_error(exc, article.id)
                    # Its blocks are freed now, not when its last listener closes it: room
                    # on a full disk for the error record (and for the next attempt).
                    with contextlib.suppress(OSError):
                        os.truncate(build.part, 0)
                finally:
                    # Still under the lock: a failed build leaves no .part behind (a
                    # finished one was renamed), and nobody else's is touched.
                    build.part.unlink(missing_ok=True)
                if error is not None and self.on_failure is not None:
                    # Still under the lock: whoever sees it free also sees why.
                    self.on_failure(build.key, error)
        except Exception as exc:  # noqa: BLE001 - the lock itself failed
            error = build_error(exc, article.id)
            if self.on_failure is not None:
                self.on_failure(build.key, error)
        finally:
            with self._lock:
                self._builds.pop(build.key, None)
            build.finish(entry, error)
            metrics.build_finished(started, ok=error is None)
        if entry is not None and error is None and self.after_commit is not None:
            try:
                self.after_commit(build.key)
            except Exception:  # noqa: BLE001 - the audio is built; eviction can wait
                log.exception("after building %s", article.id)

    # ------------------------------------------------------------ one article

    def _write(self, article: Article, build: Build, meta: dict[str, Any]) -> Entry:
        started = time.monotonic()
        items = article.spoken_pieces
        kinds = article.kinds
        voices = self.speaker.article()
        used: dict[str, tuple[str, str]] = {}
        keys: list[str] = []  # the paragraph-cache segments this article is made of
        timings = []
        offset = 0.0  # seconds of frames written so far
        silent = 0.0  # milliseconds of silence the last segment ends with (see stitch)
        build.part.parent.mkdir(parents=True, exist_ok=True)
        ahead: deque[Future[tuple[str, stitch.Segment]]] = deque()
        upcoming = iter(enumerate(items))
        handed = _HandedAhead(
            voices, self._remote_texts(items, voices), self.config["SYNTH_LOOKAHEAD"]
        )

        def submit_next() -> bool:
            for index, (text, lang) in upcoming:
                handed.fill(written=len(keys), through=index)
                ahead.append(self._speakers.submit(self._segment, text, lang, voices))
                return True
            return False

        # We hold the lock: any .part of this article was left by a builder that died. Ours
        # is a new file, even under the same name: a listener still reading the dead one
        # must never be handed our bytes after its own.
        for stale in self.cache.stale_parts(build.key, keep=build.part):
            stale.unlink(missing_ok=True)
        build.part.unlink(missing_ok=True)
        plan = chapters.planned(article)
        room = len(mp3.chapter_frames(chapters.placeholders(plan)))
        with open(build.part, "xb") as out, _closing(ahead, voices):
            # The chapters' times are known once the audio is: their room is reserved in
            # the tag (padding, which every reader skips) and they are written into it
            # before the file is committed. A listener streamed the file while it was
            # built has the tag without them; the file served from then on has them.
            tag = mp3.id3_tag(article.title, article.language, padding=room)
            out.write(tag)
            # The first piece alone, so nothing competes with it for the engine: the
            # first listener hears it as soon as it exists. Then keep a few ahead. A
            # remote engine's requests go further ahead, the first piece's first.
            submit_next()
            handed.fill(written=0)
            for index, (_text, lang) in enumerate(items):
                key, segment = ahead.popleft().result()
                with segment:
                    while len(ahead) < self.config["SYNTH_LOOKAHEAD"] and submit_next():
                        pass
                    used.setdefault(lang, (segment.engine, segment.voice))
                    keys.append(key)
                    pause = stitch.pause_frames(kinds, index, self.config, self.bitrate, silent)
                    offset += mp3.duration(mp3.count_frames(pause))
                    start = offset + mp3.ENCODER_DELAY / mp3.SAMPLE_RATE
                    timings.append(
                        {
                            "kind": kinds[index],
                            "language": lang,
                            "start": round(start, 3),
                            "end": round(start + segment.samples / mp3.SAMPLE_RATE, 3),
                            "sentences": [
                                [round(start + a, 3), round(start + b, 3)]
                                for a, b in segment.sentences
                            ],
                        }
                    )
                    out.write(pause)
                    segment.copy_to(out)  # in blocks: a long paragraph is never held whole
                    out.flush()
                    offset += segment.duration
                    silent = stitch.silent_ms(segment)
                    build.advance()
                handed.fill(written=index + 1)
            marks = chapters.timed(plan, timings, offset)
            frames = mp3.chapter_frames(marks)
            if len(frames) != room:  # never: their length does not depend on the times
                raise ListenError(f"chapter frames of {len(frames)} bytes for {room} reserved")
            out.flush()
            os.pwrite(out.fileno(), frames, len(tag) - room)
        engine, voice = used[article.language]
        meta = {
            **meta,
            "engine": engine,
            "voice": voice,
            "voices": {lang: {"engine": e, "voice": v} for lang, (e, v) in used.items()},
            "duration_s": round(offset, 3),
            "timings": timings,
            "chapters": chapters.to_meta(marks),
            "created": time.time(),
            "segments": keys,
        }
        entry = self.cache.commit(build.key, meta, build.part)
        log.info(
            "built %s (%s, %s, %.1f s of audio) in %.2f s",
            article.id,
            article.language,
            engine,
            offset,
            time.monotonic() - started,
        )
        return entry

    def _remote_texts(
        self, items: list[tuple[str, str]], voices: ArticleVoices
    ) -> Iterator[tuple[int, str, str]]:
        """(piece index, text, language) of what can be handed ahead to a remote engine:
        each piece not in the paragraph cache whose engine prefetches, its first passage
        (later passages of a long piece are asked for as it is spoken: memory stays
        bounded)."""
        for index, (text, lang) in enumerate(items):
            engine = voices.engine(lang)
            if not isinstance(engine, Prefetching):
                continue
            key = segment_key(text, lang, engine.name, engine.voice(lang), self.config)
            if self.segments.get(key) is None:
                yield index, passages.passages(text)[0], lang

    def _segment(
        self, text: str, language: str, voices: ArticleVoices
    ) -> tuple[str, stitch.Segment]:
        """One piece's paragraph-cache key and encoded audio: from the cache, else spoken
        and stored."""
        engine = voices.engine(language)
        if engine is not None:
            key = segment_key(text, language, engine.name, engine.voice(language), self.config)
            found = self.segments.get(key)
            if found is not None:
                try:
                    return key, _segment_from(found)
                except FileNotFoundError:
                    pass  # evicted since: speak it again
        # Frames go to a file beside the cache's: a long paragraph's frames are not held.
        self.segments.root.mkdir(parents=True, exist_ok=True)
        with metrics.synthesis(engine.name if engine else None) as timed:
            segment = passages.speak(
                voices,
                text,
                language,
                target_lufs=self.config["LOUDNESS_LUFS"],
                bitrate_kbps=self.bitrate,
                folder=self.segments.root,
            )
            timed.engine = segment.engine
        key = segment_key(text, language, segment.engine, segment.voice, self.config)
        try:
            self.segments.put(
                key,
                segment.save,
                {
                    "samples": segment.samples,
                    "sentences": segment.sentences,
                    "engine": segment.engine,
                    "voice": segment.voice,
                    "chars": len(text),
                },
            )
        except BaseException:
            segment.close()
            raise
        return key, segment


def _segment_from(entry: Entry) -> stitch.Segment:
    """The cached segment, its file kept open (an eviction from now on cannot take it)."""
    file = open(entry.path, "rb")  # noqa: SIM115 - the segment closes it
    try:
        return stitch.Segment.from_file(
            file,
            samples=int(entry.meta["samples"]),
            sentences=[(float(a), float(b)) for a, b in entry.meta.get("sentences", [])],
            engine=str(entry.meta["engine"]),
            voice=str(entry.meta["voice"]),
        )
    except BaseException:
        file.close()
        raise


class _HandedAhead:
    """An article's texts handed ahead to the remote engine that will speak them, in order,
    so its requests keep the engine's pool full across pieces: every piece given to a
    synthesis worker, and the pieces after it (up to ``lookahead`` past the one being
    written) while fewer than twice the engine's concurrency of requests wait for pieces
    not yet written."""

    def __init__(
        self, voices: ArticleVoices, texts: Iterator[tuple[int, str, str]], lookahead: int
    ) -> None:
        self.voices = voices
        self.texts = texts
        self.lookahead = lookahead
        self.waiting: deque[tuple[int, int]] = deque()
        """(piece index, requests) handed ahead for pieces not yet written."""
        self.next: tuple[int, str, str] | None = next(texts, None)
        self.concurrency = 0

    def fill(self, written: int, through: int = -1) -> None:
        """Hand texts ahead: through piece ``through``, and further up to ``lookahead``
        pieces past ``written`` while the requests waiting are fewer than twice the
        engine's concurrency."""
        while self.waiting and self.waiting[0][0] < written:
            self.waiting.popleft()
        while self.next is not None and (
            self.next[0] <= through
            or (
                self.next[0] <= written + self.lookahead
                and sum(n for _, n in self.waiting) < 2 * self.concurrency
            )
        ):
            index, text, lang = self.next
            requests, concurrency = self.voices.prefetch(text, lang)
            self.concurrency = max(self.concurrency, concurrency)
            if requests:
                self.waiting.append((index, requests))
            self.next = next(self.texts, None)


@contextlib.contextmanager
def _closing(
    ahead: deque[Future[tuple[str, stitch.Segment]]], voices: ArticleVoices
) -> Iterator[None]:
    """On the way out of a build, drop the texts handed ahead and never spoken; and if it
    failed, close the segments still ahead: those already spoken now, the others once
    they are (they are still stored in the paragraph cache)."""
    try:
        yield
    finally:
        voices.close()
        for future in ahead:
            future.add_done_callback(_close_result)


def _close_result(future: Future[tuple[str, stitch.Segment]]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result()[1].close()


def follow(
    build: Build | None,
    cache: AudioCache,
    key: str,
    busy: Callable[[], bool],
    reason: Callable[[], ListenError | None] = lambda: None,
) -> Iterator[bytes]:
    """The article's bytes as they are written, from the first to the last.

    Follows this process's build, or the ``.part`` file another process is writing
    while ``busy()`` says so (the cache lock is held, or a worker's job is queued or
    running), until the article is complete.

    Raises:
        ListenError: the build ended without a complete file: it failed (its error, or
            ``reason()`` for another process's build) or its process died
            (:class:`BuildAbandoned`). Never a clean end after a part of the article:
            the server breaks the response off, and the client sees it incomplete.
    """
    handle = None
    try:
        while True:
            if handle is None:
                handle = _open_current(build, cache, key)
            if handle is not None:
                data = handle.read(READ_SIZE)
                if data:
                    yield data
                    continue
            if build is not None:
                if not build.done:
                    build.wait(lambda: build.done, POLL)
                    continue
                if build.entry is None:
                    raise build.error or BuildAbandoned()
                if handle is None:
                    handle = open(build.entry.path, "rb")  # noqa: SIM115 - closed below
                    continue
                yield from _rest(handle)  # written before it was done
                return
            entry = cache.get(key)
            if entry is not None and handle is not None and _same_file(handle, entry.path):
                yield from _rest(handle)  # complete: renamed into the cache
                return
            if busy():
                if handle is not None and _replaced(handle, cache, key):
                    # Its builder died and another took over. Never mix their bytes, and
                    # never end the response as if it were complete: break it off.
                    raise reason() or BuildAbandoned()
                time.sleep(POLL)
                continue
            # Nobody builds it any more: it is complete, or its build failed or died.
            if handle is not None:
                yield from _rest(handle)
            entry = cache.get(key)
            if entry is None or (handle is not None and not _same_file(handle, entry.path)):
                raise reason() or BuildAbandoned()
            if handle is None:
                handle = open(entry.path, "rb")  # noqa: SIM115 - closed below
                continue
            return
    finally:
        if handle is not None:
            handle.close()


def _open_current(build: Build | None, cache: AudioCache, key: str) -> BinaryIO | None:
    """The article's complete file, else the ``.part`` being written, if either exists."""
    entry = cache.get(key)
    if entry is not None:
        path: Path | None = entry.path
    elif build is not None:
        path = build.part
    else:
        path = cache.current_part(key)
    try:
        return open(path, "rb") if path else None  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        return None


def _rest(handle: BinaryIO) -> Iterator[bytes]:
    while data := handle.read(READ_SIZE):
        yield data


def _same_file(handle: BinaryIO, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


def _replaced(handle: BinaryIO, cache: AudioCache, key: str) -> bool:
    """True when another file than ours is now being written for ``key``: its writer
    took the lock after ours died (a finished build renames ours, replacing nothing)."""
    now_writing = cache.current_part(key)
    if now_writing is None or cache.get(key) is not None:
        return False
    try:
        return not os.path.samestat(os.fstat(handle.fileno()), os.stat(now_writing))
    except FileNotFoundError:
        return False  # being committed, or the new builder has not opened its file yet
