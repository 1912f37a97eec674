"""Logging set-up, called only by entry points (CLI, WSGI)."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr at ``level``; a later call (a gunicorn worker after the CLI) resets it."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(str(level).upper())
