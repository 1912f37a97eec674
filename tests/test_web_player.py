"""The player's server side: error answers that never leak, the embed script's delivery."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import brotli
import pytest

import listen.web
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


WIRE_LIMIT = {"br": 10_000, "gzip": 11_000, "entry": 400}
"""Bytes on the wire the player may cost: a budget of 10 KB brotli and 11 KB gzip (the
README's figures: 9,916 and 10,980 bytes; the entry point 187 bytes)."""


def test_the_entry_point_is_small_and_short_cached(client):
    response = client.get("/embed.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert len(response.data) < WIRE_LIMIT["entry"]
    assert response.cache_control.max_age == 300 and not response.cache_control.immutable
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    source = brotli.decompress(response.data).decode()
    version = re.search(r"embed\.([0-9a-f]{12})\.js", source).group(1)
    again = client.get(
        "/embed.js", headers={"If-None-Match": response.headers["ETag"], "Accept-Encoding": "br"}
    )
    assert again.status_code == 304
    assert client.get(f"/embed.{version}.js").status_code == 200


def parses_and_revalidates(client, response, plain: bytes, coding: str, tmp_path: Path) -> None:
    """Node's own parser reads the minified script, and asking again with its ETag is a 304."""
    (tmp_path / "script.js").write_bytes(plain)
    check = subprocess.run(["node", "--check", str(tmp_path / "script.js")], capture_output=True)
    assert check.returncode == 0, check.stderr
    again = client.get(
        response.request.path,
        headers={"If-None-Match": response.headers["ETag"], "Accept-Encoding": coding},
    )
    assert again.status_code == 304


def player(client, coding: str):
    entry = client.get("/embed.js").get_data(as_text=True)
    version = re.search(r"embed\.([0-9a-f]{12})\.js", entry).group(1)
    return client.get(f"/embed.{version}.js", headers={"Accept-Encoding": coding})


@pytest.mark.parametrize(
    ("coding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_the_player_is_minified_compressed_and_immutable(client, coding, decode, tmp_path):
    response = player(client, coding)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == coding
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.cache_control.immutable and response.cache_control.max_age == 31_536_000
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Timing-Allow-Origin"] == "*"
    assert len(response.data) < WIRE_LIMIT[coding], len(response.data)
    plain = player(client, "identity")
    assert "Content-Encoding" not in plain.headers
    assert decode(response.data) == plain.data
    source = (Path(listen.web.__file__).parent / "static" / "embed.js").read_bytes()
    assert len(plain.data) < 0.8 * len(source)  # comments and white space gone
    assert b"/*" not in plain.data
    parses_and_revalidates(client, response, plain.data, coding, tmp_path)


def test_an_old_version_is_sent_on_to_the_current_one(client):
    response = client.get("/embed.000000000000.js")
    assert response.status_code == 302
    assert re.fullmatch(r".*/embed\.[0-9a-f]{12}\.js", response.headers["Location"])
    assert response.cache_control.max_age == 60


def test_the_lock_screen_settings(config):
    from listen.errors import ConfigError

    app = create_app(
        {**config, "PUBLISHER_NAME": "The Daily Example", "ARTWORK_URL": "https://x.test/a.png"}
    )
    body = app.test_client().get("/api/articles/harbour-bridge-reopens").get_json()
    assert body["publisher"] == "The Daily Example"
    assert body["artwork_url"] == "https://x.test/a.png"
    plain = create_app(config).test_client().get("/api/articles/harbour-bridge-reopens")
    assert plain.get_json()["publisher"] is None and plain.get_json()["artwork_url"] is None
    with pytest.raises(ConfigError, match="LISTEN_ARTWORK_URL"):
        create_app({**config, "ARTWORK_URL": "logo.png"})


MORE_LIMIT = {"br": 6_500, "gzip": 7_200}
"""Bytes on the wire of what the player fetches on the first play (embed-more.js): its own
budget, in the README (measured: see test_the_rest_of_the_player_comes_on_first_play)."""


@pytest.mark.parametrize(
    ("coding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_the_rest_of_the_player_is_a_second_immutable_asset(client, coding, decode, tmp_path):
    source = brotli.decompress(player(client, "br").data).decode()
    names = re.findall(r"embed-more\.([0-9a-f]{12})\.js", source)
    assert len(names) == 1, names  # the player names the one version it works with
    response = client.get(f"/embed-more.{names[0]}.js", headers={"Accept-Encoding": coding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == coding
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.cache_control.immutable and response.cache_control.max_age == 31_536_000
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert len(response.data) < MORE_LIMIT[coding], len(response.data)
    plain = client.get(f"/embed-more.{names[0]}.js").data
    assert decode(response.data) == plain and b"/*" not in plain
    assert b"ListenEmbed" in plain
    parses_and_revalidates(client, response, plain, coding, tmp_path)
    moved = client.get("/embed-more.000000000000.js")
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"{names[0]}.js")
