"""Old address of the worker jobs (:mod:`listen.queue.jobs`), for jobs already queued."""

from listen.queue.jobs import build_article

__all__ = ["build_article"]
