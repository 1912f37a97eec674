"""listen: a self-hosted "Listen to this article" service for news publishers.

Pipeline: sources -> sanitize -> language -> speech (engines) -> stitch -> cache
-> web / player / cli.
"""

from listen.app import create_app

__all__ = ["create_app"]
__version__ = "0.1.0"
