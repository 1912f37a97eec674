"""The player's server side: error answers that never leak, the embed script's delivery."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from listen.web.app import create_app

PUBLIC = [
    "/embed/no-such-story",
    "/transcript/no-such-story",
    "/api/articles/no-such-story",
    "/api/articles/no-such-story/audio.mp3",
    "/api/articles/no-such-story/timings.json",
    "/api/articles/no-such-story/transcript",
    "/api/articles/no-such-story/transcript.vtt",
    "/oembed?url=http://x/embed/no-such-story",
    "/embed/..bad",
    "/api/articles/..bad",
]
PAGES = ("/embed/", "/transcript/")


def leaks(body: str, *secrets: str) -> list[str]:
    found = [s for s in secrets if s and s in body]
    return found + re.findall(r"/(?:tmp|srv|home|var|work)/\S+", body)


@pytest.mark.parametrize("path", PUBLIC)
def test_no_error_names_a_folder(client, config, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, response.status_code
    body = response.get_data(as_text=True)
    assert not leaks(body, config["SOURCE"], config["CACHE_DIR"]), body
    if path.startswith(PAGES):
        assert response.content_type == "text/html; charset=utf-8"
        assert re.search(r'<html lang="en">', body)
        assert "<title>Audio not available</title>" in body
        assert "This article has no audio." in body
    else:
        assert response.is_json and response.json["error"] in ("not_found", "invalid_id")


def test_error_page_in_the_readers_language(client):
    response = client.get("/embed/no-such-story", headers={"Accept-Language": "es-ES,es;q=0.9"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="es">' in body and "<title>Audio no disponible</title>" in body
    assert "Este artículo no tiene audio." in body
    assert '<html lang="es">' in client.get("/embed/no-such-story?lang=es").get_data(as_text=True)


def test_the_home_page_names_the_source_kind_only(client, config):
    body = client.get("/").get_data(as_text=True)
    assert re.search(r"Source: <code>files( \(and pushed articles\))?</code>", body)
    assert not leaks(body, config["SOURCE"], config["CACHE_DIR"])


@pytest.fixture
def site() -> Iterator[str]:
    """A publisher's site on 127.0.0.1 that has no article at all (every page a 404)."""

    class Missing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<h1>Not found</h1>")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Missing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_web_source_is_not_named_either(config, site, tmp_path: Path):
    app = create_app({**config, "SOURCE": f"{site}/news/{{id}}.html"})
    client = app.test_client()
    for path in ("/api/articles/gone", "/embed/gone", "/"):
        body = client.get(path).get_data(as_text=True)
        assert not leaks(body, site, "127.0.0.1"), (path, body)
    answer = json.loads(client.get("/api/articles/gone").get_data(as_text=True))
    assert answer["error"] == "not_found"
    assert "the source" in answer["message"]
