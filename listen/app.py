"""The Flask app factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from listen.settings import DEFAULTS, PREFIX


def _template_folder() -> str:
    # Installed wheels carry the templates inside the package; a source checkout
    # (and an editable install) keeps them in the repository's top-level templates/.
    packaged = Path(__file__).resolve().parent / "templates"
    return str(packaged if packaged.is_dir() else packaged.parent.parent / "templates")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``LISTEN_*`` environment variables, then ``test_config``."""
    app = Flask(__name__, template_folder=_template_folder())
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(PREFIX.rstrip("_"))
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from listen import hooks, hosts, ops, web
    from listen.fastpath import AudioFastPath
    from listen.pipeline import Listen

    listen = Listen(app.config)
    public, trusted = hosts.from_config(listen.config)
    # Flask reads a TRUSTED_HOSTS key of its own (a list): HostGuard checks instead, the
    # same way for the fast path, and lets the health probes through.
    app.config["TRUSTED_HOSTS"] = None
    app.extensions["listen"] = listen
    # Finished audio by content address skips Flask: a static file server's work only.
    # Outermost, the Host check and the public address: every layer sees the same host.
    app.wsgi_app = hosts.HostGuard(  # type: ignore[method-assign]
        AudioFastPath(app.wsgi_app, listen), public, trusted
    )
    web.init_app(app)
    ops.init_app(app)
    hooks.init_app(app)
    return app
