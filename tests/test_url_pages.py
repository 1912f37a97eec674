"""The URL-template source end to end on real news pages: served, fetched, spoken.

A sample of the development corpus (``../shared/corpus``, English and Spanish, chosen
by a fixed rule) is served by a local HTTP server on 127.0.0.1 as a publisher would
serve its pages; the service reads them through ``LISTEN_SOURCE=<server>/news/{id}``.
What the API says it will speak must be exactly what ``listen clean --json`` says of
the same file: fetching a page changes nothing of what is heard.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from listen.cli import main

from conftest import CORPUS

PER_LANGUAGE = 10


def sample() -> list[dict[str, str]]:
    """Every n-th page of each language in ID order: 10 English, 10 Spanish pages."""
    index = CORPUS / "index.json"
    if not index.exists():
        return []
    pages = sorted(json.loads(index.read_text("utf-8")), key=lambda page: page["id"])
    chosen = []
    for language in ("en", "es"):
        of_language = [page for page in pages if page["language"] == language]
        step = max(1, len(of_language) // PER_LANGUAGE)
        chosen += of_language[::step][:PER_LANGUAGE]
    return chosen


PAGES = sample()


@pytest.fixture(scope="module")
def publisher() -> Iterator[str]:
    """The sampled pages at ``/news/<id>``, as ``text/html`` (the page says its charset)."""
    if not PAGES:
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    files = {page["id"]: CORPUS / page["html"] for page in PAGES}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            found = files.get(path.removeprefix("/news/")) if path.startswith("/news/") else None
            if found is None:
                self.send_error(404)
                return
            body = found.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def config(config: dict[str, Any], publisher: str) -> dict[str, Any]:
    return {**config, "SOURCE": f"{publisher}/news/{{id}}", "FETCH_FRESH": 0}


@pytest.fixture
def cleaned(runner: Any) -> dict[str, dict[str, Any]]:
    """``listen clean --json`` of every sampled file, by page ID."""
    paths = [str(CORPUS / page["html"]) for page in PAGES]
    result = runner.invoke(main, ["clean", "--json", *paths])
    lines = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert len(lines) == len(PAGES), result.output
    return {page["id"]: line for page, line in zip(PAGES, lines, strict=True)}


def test_the_sample_holds_both_languages():
    if not PAGES:
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    languages = [page["language"] for page in PAGES]
    assert languages.count("en") == languages.count("es") == PER_LANGUAGE


def test_api_transcript_of_a_served_page_is_listen_clean_of_its_file(client, cleaned):
    for page in PAGES:
        response = client.get(f"/api/articles/{page['id']}/transcript")
        expected = cleaned[page["id"]]
        if "error" in expected:
            assert response.json["error"] == expected["error"], page["id"]
            continue
        assert response.status_code == 200, (page["id"], response.json)
        got = response.json
        assert (got["title"], got["language"]) == (expected["title"], expected["language"])
        assert [
            {"text": p["text"], "language": p["language"], "spoken": p["spoken"]}
            for p in got["paragraphs"]
        ] == expected["paragraphs"], page["id"]
        assert got["paragraphs"], page["id"]  # a real page: an article is spoken


def test_a_page_the_publisher_does_not_have(client):
    response = client.get("/api/articles/no-such-story/transcript")
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_served_pages_are_the_corpus_files(publisher):
    import urllib.request

    page = PAGES[0]
    with urllib.request.urlopen(f"{publisher}/news/{page['id']}", timeout=5) as response:
        assert response.read() == Path(CORPUS / page["html"]).read_bytes()
