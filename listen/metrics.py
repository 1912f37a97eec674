"""Metrics: what the service did (synthesis, builds, cache, HTTP) -> Prometheus text.

The metric objects live here, once per process; the pipeline and the web app call the
small functions below, and ``GET /metrics`` shows :func:`render`.

gunicorn runs several worker processes, each with its own counters. When the
environment variable ``PROMETHEUS_MULTIPROC_DIR`` names a folder (set before the
service starts, emptied at each start), prometheus-client keeps every process's
values in files there, and :func:`render` adds up all processes' files, so any worker
answers for the whole server. :func:`clear_multiproc_dir` and :func:`child_exit` are what
gunicorn's hooks call (:mod:`listen.web.gunicorn_conf` installs them): the folder emptied
at start, a dead worker's live gauge dropped. Without the variable, the default registry
of this process is shown.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

disable_created_metrics()  # no *_created twin of every series: half the series to store

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
"""HTTP methods counted by name; any other is counted as "other" (labels stay few)."""

SYNTHESIS = Counter(
    "listen_synthesis",
    "Pieces (the title, each paragraph) an engine was asked to speak, by engine and outcome.",
    ["engine", "status"],
)
SYNTHESIS_SECONDS = Histogram(
    "listen_synthesis_seconds",
    "Seconds an engine took to speak one piece (successful ones).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
BUILDS = Counter("listen_builds", "Whole-article builds finished, by outcome.", ["status"])
BUILD_SECONDS = Histogram(
    "listen_build_seconds",
    "Seconds one article build took, from its start to its last byte.",
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
BUILDS_IN_PROGRESS = Gauge(
    "listen_builds_in_progress",
    "Article builds started (running or waiting for a build thread), all processes.",
    multiprocess_mode="livesum",
)
UPGRADES = Counter(
    "listen_upgrades",
    "Rebuilds of articles a fallback engine spoke, with the preferred engine, by outcome.",
    ["status"],
)
CACHE_HITS = Counter("listen_cache_hits", "Article audio requests served from the cache.")
CACHE_MISSES = Counter(
    "listen_cache_misses", "Article audio requests that started or followed a build."
)
HTTP_REQUESTS = Counter(
    "listen_http_requests", "HTTP responses, by method and status.", ["method", "status"]
)
PLAYS = Counter("listen_plays", "Plays the players reported (POST /api/events, kind play).")
QUARTILES = Counter(
    "listen_quartiles", "Listens the players reported reaching a quartile.", ["quartile"]
)
LISTENED_SECONDS = Counter(
    "listen_listened_seconds", "Seconds listened that the players reported (kind listened)."
)
EVENTS_REFUSED = Counter(
    "listen_events_refused",
    "Events refused: invalid (400) or over the rate limit (429).",
    ["reason"],
)


# ------------------------------------------------------------ instrumentation


@dataclass
class Synthesis:
    """One timed synthesis of a piece: set ``engine`` to who spoke it."""

    engine: str


@contextmanager
def synthesis(engine: str | None) -> Iterator[Synthesis]:
    """Time and count one piece's synthesis; an exception counts as an error of ``engine``."""
    record = Synthesis(engine or "none")
    started = time.monotonic()
    try:
        yield record
    except BaseException:
        SYNTHESIS.labels(engine=record.engine, status="error").inc()
        raise
    SYNTHESIS.labels(engine=record.engine, status="ok").inc()
    SYNTHESIS_SECONDS.observe(time.monotonic() - started)


def synthesized() -> int:
    """Pieces an engine spoke in this process so far (the rest came from the cache)."""
    return int(
        sum(
            sample.value
            for family in SYNTHESIS.collect()
            for sample in family.samples
            if sample.name.endswith("_total") and sample.labels.get("status") == "ok"
        )
    )


def build_started() -> None:
    """An article build was queued in this process."""
    BUILDS_IN_PROGRESS.inc()


def build_finished(started: float, ok: bool) -> None:
    """An article build ended (``started`` is its ``time.monotonic()`` at start)."""
    BUILDS_IN_PROGRESS.dec()
    BUILDS.labels(status="ok" if ok else "error").inc()
    BUILD_SECONDS.observe(time.monotonic() - started)


def upgrade_finished(ok: bool) -> None:
    """An upgrade of a fallback's audio was committed (``ok``) or failed (tried again later)."""
    UPGRADES.labels(status="ok" if ok else "error").inc()


def cache_lookup(hit: bool) -> None:
    """An article audio request found its audio cached (``hit``), or did not."""
    (CACHE_HITS if hit else CACHE_MISSES).inc()


def http_response(method: str, status: int) -> None:
    """One HTTP response was sent (paths are not labels: they are unbounded)."""
    HTTP_REQUESTS.labels(method=method if method in METHODS else "other", status=str(status)).inc()


def listening_event(kind: str, value: float) -> None:
    """One event a player reported was counted (articles are not labels: unbounded)."""
    if kind == "play":
        PLAYS.inc()
    elif kind == "quartile":
        QUARTILES.labels(quartile=str(int(value))).inc()
    elif kind == "listened":
        LISTENED_SECONDS.inc(value)


def event_refused(reason: str) -> None:
    """An event was refused: ``invalid`` or ``rate_limited``."""
    EVENTS_REFUSED.labels(reason=reason).inc()


# ------------------------------------------------------------ exposition


def multiproc_dir() -> str | None:
    """The multiprocess folder, or None in single-process mode."""
    return os.environ.get(MULTIPROC_ENV) or None


_registry: CollectorRegistry | None = None
_registry_lock = threading.Lock()


def registry() -> CollectorRegistry:
    """This process's registry: every process's files in multiprocess mode, else the default."""
    global _registry
    with _registry_lock:
        if _registry is None:
            if multiproc_dir():
                _registry = CollectorRegistry()
                multiprocess.MultiProcessCollector(_registry)
            else:
                _registry = REGISTRY
        return _registry


class _Exposition:
    """The registry's metrics, then ``listen_queue_depth`` computed at the scrape."""

    def __init__(self, source: Collector, queued: Callable[[], int] | None) -> None:
        self.source = source
        self.queued = queued

    def collect(self) -> Iterable[Any]:
        building = 0.0
        for family in self.source.collect():
            if family.name == "listen_builds_in_progress":
                building += sum(sample.value for sample in family.samples)
            yield family
        yield GaugeMetricFamily(
            "listen_queue_depth",
            "Article builds in progress or waiting, plus RQ jobs queued or running "
            "when Redis is configured.",
            value=building + self._queued(),
        )

    def _queued(self) -> float:
        if self.queued is None:
            return 0.0
        try:
            return float(self.queued())
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail because Redis did
            log.warning("RQ queue length unknown: %r", exc)
            return 0.0


def render(queued: Callable[[], int] | None = None) -> bytes:
    """Every metric in the Prometheus text format.

    Args:
        queued: the RQ queue's length (``JobQueue.depth``) when Redis is configured.
    """
    return generate_latest(_Exposition(registry(), queued))


# ------------------------------------------------------------ multiprocess mode


def clear_multiproc_dir() -> None:
    """Empty the multiprocess folder before a server starts (values of a previous run)."""
    folder = multiproc_dir()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for path in Path(folder).glob("*.db"):  # only prometheus-client's files
            path.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker died, so its live gauges no longer count."""
    if multiproc_dir():
        multiprocess.mark_process_dead(worker.pid)
