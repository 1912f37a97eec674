"""gTTS engine: Google Translate's speech through the gTTS library, fast and polite.

gTTS builds every request (its batchexecute RPC) and its answer is read with
gTTS's own pattern; only the sending is ours, to put a deadline on it. Around it:
text is cut at sentence boundaries (:mod:`listen.engines.gtts.chunk`) rather than wherever 100
characters fall; chunks go out in parallel through a bounded pool
(``LISTEN_GTTS_CONCURRENCY``) under a process-wide rate budget
(``LISTEN_GTTS_RATE``); every request has one wall-clock deadline
(``LISTEN_GTTS_TIMEOUT``) over connect, headers and body, however slowly the bytes
come, and is retried with exponential backoff and jitter on 429, 5xx and bad
answers, honouring ``Retry-After``. A request with no answer in time is not
retried: Google counts as unreachable, the circuit breaker opens and the next
engine speaks. ``LISTEN_GTTS_URL`` replaces the endpoint, which is how tests and
benchmarks point gTTS at a local server speaking Google's format.
"""

from __future__ import annotations

import base64
import io
import logging
import random
import re
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import miniaudio
import requests
from gtts import gTTS
from gtts.tts import gTTSError
from pydub import AudioSegment

from listen import deadline
from listen.audio import mp3
from listen.engines import Speech
from listen.engines.gtts import chunk, ratelimit
from listen.errors import EngineError
from listen.settings import load

log = logging.getLogger(__name__)

BACKOFF = 0.25
"""Seconds before the first retry; doubled at each next one, plus up to as much jitter."""
MAX_RETRY_AFTER = 15
"""A Retry-After longer than this is not waited for: the engine is reported down instead."""


AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')
"""Where gTTS finds the base64 MP3 in a batchexecute answer line (gTTS's own pattern)."""


class _EndpointGTTS(gTTS):  # type: ignore[misc]  # gTTS ships no types (no py.typed, no stubs)
    """gTTS with a replaceable batchexecute endpoint, each request under one deadline.

    ``timeout`` is a wall-clock limit over the whole request: gTTS's own timeout is
    requests' per-read one, which an answer dripping a byte at a time never trips.
    """

    def __init__(self, text: str, *, endpoint: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.endpoint = endpoint

    def _prepare_requests(self) -> list[requests.PreparedRequest]:
        prepared: list[requests.PreparedRequest] = super()._prepare_requests()
        if self.endpoint:
            for request in prepared:
                request.prepare_url(self.endpoint, None)
        return prepared

    def stream(self) -> Iterator[bytes]:
        """gTTS's requests sent by a session that ends each by its deadline; the
        answers parsed as gTTS parses them."""
        for prepared in self._prepare_requests():
            with deadline.within(self.timeout) as limit, deadline.session() as http:
                try:
                    response = http.send(
                        prepared, timeout=self.timeout, proxies=urllib.request.getproxies()
                    )
                    if limit.expired:  # cut off, though it may look whole
                        raise requests.Timeout("the deadline passed")
                    response.raise_for_status()
                except requests.HTTPError as exc:
                    raise gTTSError(tts=self, response=response) from exc
                except requests.RequestException as exc:
                    if limit.expired or isinstance(exc, requests.Timeout):
                        raise gTTSError(self._too_slow()) from exc
                    raise gTTSError(tts=self) from exc
            for line in response.iter_lines(chunk_size=1024):
                decoded = line.decode("utf-8")
                if "jQ1olc" in decoded:
                    found = AUDIO.search(decoded)
                    if not found:
                        raise gTTSError(tts=self, response=response)
                    yield base64.b64decode(found.group(1).encode("ascii"))

    def _too_slow(self) -> str:
        return (
            f"no whole answer within {self.timeout:g} s (LISTEN_GTTS_TIMEOUT). Probable "
            "cause: Google is slow or unreachable from here, or its answer drips in."
        )


class _Cancelled(Exception):
    """A chunk not tried because another chunk of the same text failed for good."""


class _Failure(Exception):
    """One request failed; ``retry`` says whether trying again can help."""

    def __init__(self, message: str, *, retry: bool, unreachable: bool, after: float | None = None):
        super().__init__(message)
        self.retry = retry
        self.unreachable = unreachable
        self.after = after


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    return float(value) if value and value.strip().isdigit() else None


_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(size: int) -> ThreadPoolExecutor:
    """The process's request pool: one per size, shared by every engine instance."""
    with _pools_lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(size, thread_name_prefix="gtts")
        return _pools[size]


class GTTSEngine:
    name = "gtts"

    def __init__(self, config: Mapping[str, Any]) -> None:
        settings = load(config)
        self.endpoint = settings.GTTS_URL
        self.timeout = settings.GTTS_TIMEOUT
        self.concurrency = settings.GTTS_CONCURRENCY
        self.retries = settings.GTTS_RETRIES
        self.budget = ratelimit.bucket("gtts", settings.GTTS_RATE, burst=self.concurrency)
        self.tlds = {"en": settings.GTTS_TLD_EN, "es": settings.GTTS_TLD_ES}
        self._pending: dict[tuple[str, str], _Pending] = {}
        """Prefetched texts not yet spoken, by (text, language)."""
        self._lock = threading.Lock()

    def supports(self, language: str) -> bool:
        return language in self.tlds

    def voice(self, language: str) -> str:
        return f"gtts:{language}-{self.tlds[language]}"

    # ------------------------------------------------------------ one request

    def _request(self, text: str, language: str) -> bytes:
        """One gTTS request (gTTS's own code path) -> MP3 bytes, or a _Failure."""
        tts = _EndpointGTTS(
            text,
            endpoint=self.endpoint,
            lang=language,
            tld=self.tlds[language],
            lang_check=False,
            timeout=self.timeout,
        )
        buf = io.BytesIO()
        try:
            tts.write_to_fp(buf)
        except gTTSError as exc:
            response = getattr(exc, "rsp", None)
            status = getattr(response, "status_code", None)
            if status is None:
                # No answer, or none in time: Google is unreachable for now. Retrying a
                # timeout would hold the first audio for (retries + 1) timeouts; the
                # breaker skips gTTS instead, and the next engine speaks at once.
                raise _Failure(f"gTTS failed: {exc}", retry=False, unreachable=True) from exc
            if status == 429 or status >= 500:
                after = _retry_after(response)
                raise _Failure(
                    f"gTTS failed: {exc}", retry=True, unreachable=True, after=after
                ) from exc
            # A 200 without audio is a bad answer worth one more try; other 4xx are not.
            raise _Failure(f"gTTS failed: {exc}", retry=status == 200, unreachable=False) from exc
        except AssertionError as exc:  # gTTS asserts when a text has nothing to say
            raise _Failure(
                f"gTTS found nothing to pronounce in {text[:40]!r}", retry=False, unreachable=False
            ) from exc
        data = buf.getvalue()
        data = data[mp3.id3_length(data) :]  # many encoders start with a tag: not audio
        if not mp3.count_frames(data):
            raise _Failure(
                "gTTS returned no audio. Probable cause: upstream API changes.",
                retry=True,
                unreachable=False,
            )
        return data

    def _with_retries(self, text: str, language: str, stop: threading.Event) -> bytes:
        attempt = 0
        while True:
            if stop.is_set():
                raise _Cancelled("another chunk of this text failed")
            self.budget.acquire()
            try:
                return self._request(text, language)
            except _Failure as failure:
                hopeless = (
                    not failure.retry
                    or attempt >= self.retries
                    or (failure.after or 0) > MAX_RETRY_AFTER
                )
                if hopeless:
                    stop.set()  # the other chunks of this text need not be tried
                    if failure.unreachable:
                        self._drop_prefetched()  # nor those of texts handed ahead
                    raise
                delay = max(BACKOFF * 2**attempt, failure.after or 0)
                delay += random.uniform(0, BACKOFF)
                log.info("gTTS: %s; retry %d in %.2f s", failure, attempt + 1, delay)
                attempt += 1
                if stop.wait(delay):
                    raise _Cancelled("another chunk of this text failed") from failure

    # ------------------------------------------------------------ a whole text

    def prefetch(self, text: str, language: str) -> _Pending:
        """Queue the requests for ``text`` in the process's pool now, behind those queued
        before; :meth:`synthesize` of the same text and language then waits on them. This
        is how one article's texts keep the pool full (the build hands over its next texts
        in order) rather than each text's requests going out only when it is spoken."""
        key = (text, language)
        with self._lock:
            pending = self._pending.get(key)
            if pending is None:
                pending = self._start(text, language)
                if pending.futures:  # nothing to pronounce: synthesize says so
                    self._pending[key] = pending
            else:
                pending.holders += 1
            return pending

    def discard(self, ticket: _Pending) -> None:
        """A prefetched text will not be asked for: its requests not yet sent are dropped."""
        with self._lock:
            if self._pending.get(ticket.key) is not ticket:
                return  # already taken by synthesize (or never queued)
            ticket.holders -= 1
            if ticket.holders > 0:
                return
            del self._pending[ticket.key]
        ticket.stop.set()
        for future in ticket.futures:
            future.cancel()

    def _drop_prefetched(self) -> None:
        """Google is unreachable: the texts handed ahead and not yet asked for send no
        more requests (a dead Google costs the requests in flight, not one per text). If
        they are asked for after all, they are tried afresh."""
        with self._lock:
            dropped, self._pending = list(self._pending.values()), {}
        for pending in dropped:
            pending.stop.set()
            for future in pending.futures:
                future.cancel()

    def _start(self, text: str, language: str) -> _Pending:
        stop = threading.Event()
        futures = [
            _pool(self.concurrency).submit(self._with_retries, text_chunk, language, stop)
            for text_chunk in chunk.chunks(text)
        ]
        return _Pending((text, language), futures, stop)

    def synthesize(self, text: str, language: str) -> Speech:
        with self._lock:
            pending = self._pending.pop((text, language), None)
        if pending is None:
            pending = self._start(text, language)
        if not pending.futures:
            raise EngineError("gTTS: nothing to pronounce")
        parts: list[bytes] = []
        failures: list[_Failure] = []
        for future in pending.futures:
            try:
                parts.append(future.result())
            except _Failure as failure:
                failures.append(failure)
            except (_Cancelled, CancelledError):
                pass
        if failures:
            first = failures[0]
            after = int(first.after) if first.after else None
            raise EngineError(str(first), unreachable=first.unreachable, retry_after=after)
        # Chunks are whole sentences (or clauses): their lengths are sentence timings.
        sentences = []
        offset = 0.0
        for part in parts:
            length = mp3.count_frames(part) * mp3.SAMPLES_PER_FRAME / _sample_rate(part)
            sentences.append((offset, offset + length))
            offset += length
        return Speech(decode_mp3(b"".join(parts)), sentences)


@dataclass(eq=False)
class _Pending:
    """The requests of one text, queued in the pool: the prefetch ticket."""

    key: tuple[str, str]
    futures: list[Future[bytes]]
    stop: threading.Event
    holders: int = 1
    """Builds that prefetched it and have neither spoken nor discarded it."""

    @property
    def requests(self) -> int:
        return len(self.futures)


def decode_mp3(data: bytes) -> AudioSegment:
    """MP3 -> 22.05 kHz mono PCM, in-process (an ffmpeg process per paragraph costs ~0.1 s)."""
    try:
        decoded = miniaudio.decode(
            data,
            output_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=1,
            sample_rate=mp3.SAMPLE_RATE,
        )
    except miniaudio.DecodeError as exc:
        raise EngineError("gTTS returned audio that does not decode as MP3.") from exc
    return AudioSegment(
        data=decoded.samples.tobytes(), sample_width=2, frame_rate=mp3.SAMPLE_RATE, channels=1
    )


def _sample_rate(frames: bytes) -> int:
    return (22050, 24000, 16000)[(frames[2] >> 2) & 0x3] if len(frames) > 2 else 24000
