"""The Flask app factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from listen import settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``LISTEN_*`` environment variables, then ``test_config``.

    The settings are loaded and checked once (:func:`listen.settings.load`); ``app.config``
    holds them too, beside the Flask keys of ``test_config`` (``TESTING``).

    Raises:
        ConfigError: a bad setting, in one line naming its variable.
    """
    config = settings.load(test_config, environ=os.environ)
    app = Flask(__name__, template_folder="templates")
    app.config.from_mapping(test_config or {})
    app.config.from_mapping(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from listen.service import Listen
    from listen.web import admin, events, hosts, ops, publish
    from listen.web import api as web
    from listen.web.fastpath import AudioFastPath

    listen = Listen(config)
    public, trusted = hosts.from_config(listen.config)
    # Flask reads a TRUSTED_HOSTS key of its own (a list): HostGuard checks instead, the
    # same way for the fast path, and lets the health probes through.
    app.config["TRUSTED_HOSTS"] = None
    app.extensions["listen"] = listen
    listen.start_upgrades()
    # Finished audio by content address skips Flask: a static file server's work only.
    # Outermost, the Host check and the public address: every layer sees the same host.
    app.wsgi_app = hosts.HostGuard(  # type: ignore[method-assign]
        AudioFastPath(app.wsgi_app, listen), public, trusted
    )
    web.init_app(app)
    ops.init_app(app)
    publish.init_app(app)
    events.init_app(app)
    admin.init_app(app)  # after events: it reads their counts
    return app
