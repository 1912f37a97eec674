"""Worker jobs: top-level functions that ``listen worker`` runs for the queue.

Each worker process builds articles with its own :class:`~listen.service.Listen`
(voices loaded once per process) into the shared cache. Errors a reader should see
(every engine failed, nothing to speak) are returned as data, not raised, so RQ
does not retry what would fail again; a worker that dies mid-job is another matter:
:func:`reap` hands its job to another worker as soon as the article's lock expires.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from listen.errors import ListenError

log = logging.getLogger(__name__)

_service: Any = None
_service_lock = threading.Lock()


def service() -> Any:
    """This worker's Listen, configured from the environment, built once."""
    global _service
    with _service_lock:
        if _service is None:
            from listen.service import Listen
            from listen.settings import load

            _service = Listen(load(environ=os.environ), in_worker=True)
            _service.start_upgrades()
    return _service


def build_article(article_id: str, key: str | None = None) -> dict[str, Any]:
    """Build one article's audio into the cache (the job the web and prewarm enqueue)."""
    listen = service()
    try:
        article = listen.article(article_id)
        entry = listen.audio(article)
    except ListenError as exc:
        log.warning("job for %s: %s", article_id, exc.message)
        return exc.to_record()
    if key and entry.key != key:
        log.info("article %s changed since it was queued; built its current text", article_id)
    return {"key": entry.key, "duration_s": entry.meta.get("duration_s")}


def reap(listen: Any, grace: float, queue_: Any, unlocked: dict[str, float]) -> int:
    """Requeue jobs whose worker died: started, but their article lock is gone.

    RQ notices a dead worker only after its heartbeat TTL (a minute and a half); the
    article lock, renewed every few seconds while a build runs, tells sooner. A job
    seen without its lock for ``grace`` seconds is handed to RQ's own abandoned-job
    handling, which retries it on any worker. ``unlocked`` remembers, between calls,
    since when each job has been seen without its lock.
    """
    from rq.registry import StartedJobRegistry

    registry = StartedJobRegistry(queue=queue_.queue)
    running = registry.get_job_and_execution_ids(cleanup=False)
    now = time.monotonic()
    for gone in set(unlocked) - {job_id for job_id, _ in running}:
        del unlocked[gone]
    expired = 0
    for job_id, execution_id in running:
        if listen.is_building(job_id.removeprefix("build-")):
            unlocked.pop(job_id, None)
            continue
        since = unlocked.setdefault(job_id, now)
        if now - since < grace:
            continue
        log.warning("job %s lost its worker; it runs again on another", job_id)
        # Mark its execution expired: RQ's cleanup then retries the job (Retry(max=2)).
        queue_.client.zadd(registry.key, {f"{job_id}:{execution_id}": 1})
        unlocked.pop(job_id, None)
        expired += 1
    if expired:
        registry.cleanup()
    return expired
