"""Reaper: jobs of workers that died -> back on the queue, as soon as their lock expires.

Runs in every ``listen worker`` beside RQ's loop, once a second (see
:func:`listen.queue.jobs.reap`).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from listen.queue import JobQueue
from listen.queue.jobs import reap

if TYPE_CHECKING:
    from listen.service import Listen

log = logging.getLogger(__name__)

EVERY = 1.0
"""Seconds between two looks at the running jobs."""


def start(listen: Listen, queue: JobQueue, stop: threading.Event) -> threading.Thread:
    """Reap ``queue``'s abandoned jobs in a daemon thread until ``stop`` is set.

    A job's article lock is given ``LISTEN_LOCK_TTL`` more seconds on top of its own
    time to live before the job is handed to another worker.
    """
    grace = float(listen.config["LOCK_TTL"])

    def run() -> None:
        unlocked: dict[str, float] = {}
        while not stop.wait(EVERY):
            try:
                reap(listen, grace, queue, unlocked)
            except Exception as exc:  # noqa: BLE001 - keep reaping
                log.warning("reaper: %r", exc)

    thread = threading.Thread(target=run, daemon=True, name="reaper")
    thread.start()
    return thread
