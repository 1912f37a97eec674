"""Old address of the gunicorn worker class (:mod:`listen.web.server`)."""

from listen.web.server import JSONWorker

__all__ = ["JSONWorker"]
