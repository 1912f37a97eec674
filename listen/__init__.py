"""listen: a self-hosted "Listen to this article" service for news publishers.

Pipeline: sources -> extract -> sanitize -> language -> normalize -> chunk -> engines
-> stitch -> build/cache -> web / player / cli.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]
__version__ = "0.1.0"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app factory (see :func:`listen.web.app.create_app`).

    Imported lazily so that the CLI's commands do not pay for importing Flask.
    """
    from listen.web.app import create_app as factory

    return factory(test_config)
