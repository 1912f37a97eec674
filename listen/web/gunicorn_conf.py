"""gunicorn's configuration of listen: one file for every way the server starts.

``listen serve`` and the Docker image (``gunicorn -c python:listen.web.gunicorn_conf
listen.wsgi:app``) both take their server from here: :data:`WORKER_CLASS` (threads,
gunicorn's own errors in JSON), :data:`TIMEOUT`, the access log on stdout, and the hooks of
prometheus-client's multiprocess mode (:mod:`listen.metrics`): the folder named by
``PROMETHEUS_MULTIPROC_DIR`` is emptied before the workers start, and a dead worker's live
gauge stops counting. Each worker loads the engines' voices before its first request.

The address and the numbers of workers and threads are listen settings (``LISTEN_HOST``,
``LISTEN_PORT``, ``LISTEN_WORKERS``, ``LISTEN_THREADS``, their defaults in
:mod:`listen.settings`); ``listen serve``'s flags override them, and gunicorn's own
command-line flags override this file, as they override any gunicorn config file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from listen import metrics
from listen.settings import load

WORKER_CLASS = "listen.web.server.JSONWorker"
"""gunicorn's threaded worker, answering gunicorn's own errors (414, 431, 400) in JSON."""
TIMEOUT = 300
"""Seconds a worker may stay silent before gunicorn's master kills it and starts another."""
ACCESS_LOG = "-"
"""gunicorn's access log: one line a request, on stdout."""


def address(host: str, port: int) -> str:
    """gunicorn's bind address for ``host`` and ``port`` (an IPv6 host in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def on_starting(server: Any) -> None:
    """gunicorn hook, in the master before any worker starts: forget a previous run's metrics."""
    metrics.clear_multiproc_dir()


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook, in the master: a worker is gone, so its live gauges no longer count."""
    metrics.child_exit(server, worker)


def post_worker_init(worker: Any) -> None:
    """gunicorn hook, in each worker once it has loaded the app and before it takes a
    request: load the engines' voices (piper's model, ~0.4 s), so the first reader this
    worker serves does not wait for them."""
    service = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("listen")
    if service is not None:
        service.warm()


def settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """gunicorn's settings for these listen settings (names without ``LISTEN_``).

    Settings missing from ``config`` take their defaults (:func:`listen.settings.load`,
    which also checks the ranges of ``LISTEN_PORT``, ``LISTEN_WORKERS``, ``LISTEN_THREADS``).

    Raises:
        ConfigError: a setting of the wrong type or out of its range.
    """
    values = load(config)
    return {
        "bind": [address(values.HOST, values.PORT)],
        "workers": values.WORKERS,
        "threads": values.THREADS,
        "worker_class": WORKER_CLASS,
        "timeout": TIMEOUT,
        "accesslog": ACCESS_LOG,
        "on_starting": on_starting,
        "child_exit": child_exit,
        "post_worker_init": post_worker_init,
    }


# What gunicorn reads when it loads this module as its config (-c python:...): these names.
_current = settings(load(environ=os.environ))
bind: list[str] = _current["bind"]
workers: int = _current["workers"]
threads: int = _current["threads"]
worker_class: str = _current["worker_class"]
timeout: int = _current["timeout"]
accesslog: str = _current["accesslog"]
