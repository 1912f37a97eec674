"""WSGI entry point for gunicorn: ``gunicorn listen.wsgi:app``."""

from listen.logs import configure_logging
from listen.web.app import create_app

app = create_app()
configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
