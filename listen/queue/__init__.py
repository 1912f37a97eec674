"""Queue: synthesis jobs on Redis (RQ) for ``listen worker`` processes on any host.

Without ``LISTEN_REDIS_URL`` none of this is used: builds run in the process that
needs them. With it, web processes and ``listen prewarm`` enqueue one job per
article (the job ID is the article's cache key, so a job already queued or running
is not queued again) and follow the ``.part`` file the worker writes to the
shared cache.

Every client comes from :func:`connect`: short socket timeouts, no retries, and a
circuit breaker, so a Redis that stalls (or is gone) costs one request a timeout
and the rest of the cooldown nothing: they are refused at once, cold articles get
a 503 ``queue_unavailable`` with Retry-After, and cached audio, which never needs
Redis, keeps flowing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis import ConnectionPool, Redis
from redis import exceptions as redis_errors
from redis.backoff import NoBackoff
from redis.connection import AbstractConnection
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from listen.engines.speaker import Breaker
from listen.errors import ListenError

log = logging.getLogger(__name__)

TRIPS = (redis_errors.ConnectionError, redis_errors.TimeoutError)
"""Failures that say Redis is down or stalled (not a bad command): they open the breaker."""


class RedisDown(redis_errors.ConnectionError):
    """Redis failed a moment ago; it is not asked again until the breaker closes."""


class _Guarded(AbstractConnection):
    """A connection that refuses while its breaker is open, and opens it on a failure.

    Subclassed per client by :func:`connect` with ``breaker`` and ``cooldown`` set.
    """

    breaker: Breaker
    cooldown: float

    def _refuse_while_down(self) -> None:
        left = self.breaker.remaining("redis")
        if left:
            raise RedisDown(
                f"Redis failed a moment ago; not asking it for {left:.1f} s more "
                f"({self.breaker.reason('redis')})"
            )

    def _trip(self, exc: Exception) -> None:
        log.warning("Redis failed, skipping it for %.0f s: %s", self.cooldown, exc)
        self.breaker.open("redis", self.cooldown, reason=str(exc))

    def _watched(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call(...)``; a failure that says Redis is down opens the breaker."""
        try:
            return call(*args, **kwargs)
        except TRIPS as exc:
            self._trip(exc)
            raise

    def connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_while_down()
        self._watched(super().connect_check_health, *args, **kwargs)

    def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_while_down()
        self._watched(super().send_packed_command, *args, **kwargs)

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        return self._watched(super().read_response, *args, **kwargs)


def connect(url: str, *, timeout: float, cooldown: float) -> Redis:
    """A Redis client whose every wait is short and that skips a failed Redis for a while.

    Args:
        url: ``LISTEN_REDIS_URL``.
        timeout: seconds to connect, and for each answer (``LISTEN_REDIS_TIMEOUT``).
        cooldown: seconds Redis is skipped after a failure (``LISTEN_REDIS_COOLDOWN``).
    """
    # redis-py retries a timeout 10 times by default: that, not the timeout, is what
    # held each request for tens of seconds. One try; the breaker does the rest.
    pool = ConnectionPool.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=RedisRetry(NoBackoff(), 0),
    )
    pool.connection_class = type(
        "Guarded" + pool.connection_class.__name__,
        (_Guarded, pool.connection_class),
        {"breaker": Breaker(), "cooldown": cooldown},
    )
    return Redis(connection_pool=pool)


@dataclass(frozen=True)
class JobRow:
    """One job as the console lists it: the article, when, and what went wrong (if it did)."""

    article: str
    when: datetime | None
    problem: str = ""


@dataclass(frozen=True)
class Overview:
    """The queue at a glance: its depth, the jobs waiting and running, the latest failures."""

    depth: int
    queued: list[JobRow]
    started: list[JobRow]
    failed: list[JobRow]


PENDING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
JOB_TIMEOUT = 3600
RESULT_TTL = 3600


def job_id(key: str) -> str:
    return f"build-{key}"


class JobQueue:
    def __init__(self, client: Redis, name: str = "listen") -> None:
        self.client = client
        self.queue = Queue(name, connection=client)

    def job(self, key: str) -> Job | None:
        try:
            return Job.fetch(job_id(key), connection=self.client)
        except NoSuchJobError:
            return None

    def pending(self, key: str) -> bool:
        """True while the article's job waits in the queue or runs on a worker."""
        job = self.job(key)
        return job is not None and job.get_status(refresh=False) in PENDING

    def enqueue(self, article_id: str, key: str) -> Job:
        """Queue the article's build, unless it is queued or running already."""
        job = self.job(key)
        if job is not None and job.get_status(refresh=False) in PENDING:
            return job
        return self.queue.enqueue(
            "listen.queue.jobs.build_article",
            article_id,
            key,
            job_id=job_id(key),
            job_timeout=JOB_TIMEOUT,
            result_ttl=RESULT_TTL,
            failure_ttl=24 * 3600,
            retry=Retry(max=2),  # an abandoned job (its worker died) runs again elsewhere
            description=f"build {article_id}",
        )

    def failure(self, key: str) -> ListenError | None:
        """Why the article's last job failed, if it did."""
        job = self.job(key)
        if job is None:
            return None
        status = job.get_status(refresh=False)
        if status == JobStatus.FAILED:
            return ListenError(f"the synthesis job failed on a worker: {_last_line(job)}")
        if status == JobStatus.FINISHED:
            result: Any = job.return_value()
            if isinstance(result, dict) and result.get("error"):
                return rebuild_error(result)
        return None

    def depth(self) -> int:
        """Jobs waiting plus jobs running."""
        started: StartedJobRegistry = self.queue.started_job_registry
        return len(self.queue) + started.count

    def overview(self, limit: int = 20) -> Overview:
        """Up to ``limit`` jobs waiting, running and failed (newest failures first).

        A failure is a job that raised (RQ's failed registry: its last line) or one that
        finished with an error record (every engine failed, the article is gone), as
        :meth:`failure` reads them.
        """
        queued = self._rows(self.queue.get_job_ids(0, limit), "enqueued_at")
        started = self._rows(
            self.queue.started_job_registry.get_job_ids(0, limit - 1), "started_at"
        )
        failed = self._rows(
            self.queue.failed_job_registry.get_job_ids(0, limit - 1, desc=True), "ended_at"
        )
        finished = self.queue.finished_job_registry.get_job_ids(0, 4 * limit - 1, desc=True)
        failed += [row for row in self._rows(finished, "ended_at") if row.problem]
        failed.sort(key=lambda row: row.when.timestamp() if row.when else 0.0, reverse=True)
        return Overview(self.depth(), queued, started, failed[:limit])

    def _rows(self, ids: Iterable[str], when: str) -> list[JobRow]:
        rows = []
        for job in Job.fetch_many(list(ids), connection=self.client):
            if job is None:
                continue  # expired between the two calls
            article = str(job.args[0]) if job.args else job.id
            rows.append(JobRow(article, getattr(job, when, None), _problem(job)))
        return rows


def _problem(job: Job) -> str:
    """What went wrong with a job: its exception's last line, or the error it returned."""
    status = job.get_status(refresh=False)
    if status == JobStatus.FAILED:
        return _last_line(job)
    if status == JobStatus.FINISHED:
        result: Any = job.return_value()
        if isinstance(result, dict) and result.get("error"):
            return str(rebuild_error(result).message)[:300]
    return ""


def readiness(client: Redis | None) -> tuple[bool, str]:
    """Whether Redis answers a PING, when one is configured (through the service's own
    client, so its short timeout and circuit breaker apply: an open breaker is not
    ready), and a line saying so."""
    if client is None:
        return True, "not configured"
    try:
        client.ping()
    except (redis_errors.RedisError, OSError) as exc:
        return False, f"Redis does not answer (LISTEN_REDIS_URL): {exc}"
    return True, "answers PING"


def _last_line(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or "unknown error"
    return str(text).strip().splitlines()[-1][:300]


def rebuild_error(result: dict[str, Any]) -> ListenError:
    """The ListenError a worker reported (errors cross Redis as records): same class and fields."""
    return ListenError.from_dict(result)
