"""Logging set-up, called only by entry points (CLI, WSGI)."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr at ``level``; later calls (a gunicorn worker after the CLI) change the level."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(str(level).upper())
