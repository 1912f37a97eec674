"""Logging set-up, called only by entry points (CLI, WSGI): text or JSON lines."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import IO, Literal

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LogFormat = Literal["text", "json"]
"""Values of ``LISTEN_LOG_FORMAT``."""
HANDLER_NAME = "listen"
"""Name of the handler :func:`configure_logging` installs (and a later call replaces)."""


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``
    and, when there is one, the traceback as ``exc_info`` — for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None
) -> None:
    """Log to ``stream`` (stderr) at ``level``, as text or (``fmt="json"``) JSON lines.

    A later call (a gunicorn worker after the CLI) replaces the handler an earlier one
    installed. Handlers someone else installed (pytest's) are left alone, and beside
    them a handler is added only for an explicit ``stream``.
    """
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == HANDLER_NAME]
    for old in ours:
        root.removeHandler(old)
        old.close()
    if stream is not None or ours or not root.handlers:
        handler = logging.StreamHandler(stream)
        handler.set_name(HANDLER_NAME)
        handler.setFormatter(
            JsonFormatter() if str(fmt).lower() == "json" else logging.Formatter(TEXT_FORMAT)
        )
        root.addHandler(handler)
    root.setLevel(str(level).upper())
