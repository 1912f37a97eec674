"""Queue: synthesis jobs on Redis (RQ) for ``listen worker`` processes on any host.

Without ``LISTEN_REDIS_URL`` none of this is used: builds run in the process that
needs them. With it, web processes and ``listen prewarm`` enqueue one job per
article (the job ID is the article's cache key, so a job already queued or running
is not queued again) and follow the ``.part`` file the worker writes to the
shared cache.
"""

from __future__ import annotations

import logging
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from listen.errors import ListenError

log = logging.getLogger(__name__)

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
            "listen.jobs.build_article",
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
        return len(self.queue) + self.queue.started_job_registry.count


def _last_line(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or "unknown error"
    return str(text).strip().splitlines()[-1][:300]


def rebuild_error(result: dict[str, Any]) -> ListenError:
    """A ListenError as a worker reported it (errors cross Redis as plain data)."""
    return ListenError.from_dict(result)
