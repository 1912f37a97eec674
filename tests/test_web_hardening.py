"""Hardening of the app and server layer: nothing outside its place is read, every
absolute URL is the service's own, pushed articles outlive the cache, and every error
(down to gunicorn's) is the right status, in JSON."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from listen import create_app
from listen.cli import main
from listen.errors import ConfigError
from listen.settings import load

from conftest import closed_port_url, listen_serve, write_article

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRET = "do-not-leak-9f2c1e"
PUSHED = {
    "title": "Pushed from the CMS",
    "text": "A paragraph the CMS pushed on publish.",
    "language": "en",
}


def _no_leak(response: Any, *secrets: str) -> str:
    body = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in body, body[:300]
    return body


# ------------------------------------------------------- files source: its folder only


def _source_ids(client: Any) -> Iterator[str]:
    return client.application.extensions["listen"].ids()


@pytest.fixture
def leaky_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The secret in this process's environment, as /proc/self/environ shows it."""
    monkeypatch.setenv("LISTEN_ADMIN_TOKEN", SECRET)


def test_a_symlink_to_proc_environ_is_refused(leaky_env, articles, client, tmp_path):
    (articles / "env.txt").symlink_to("/proc/self/environ")
    for path in (
        "/api/articles/env/transcript",
        "/api/articles/env",
        "/transcript/env",
        "/api/articles/env/audio.mp3",
        "/embed/env",
    ):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        if path.startswith(("/embed/", "/transcript/")):  # a page: an HTML error page
            assert "<title>Audio not available</title>" in response.get_data(as_text=True)
        else:
            assert response.get_json()["error"] in ("forbidden", "not_found")
        _no_leak(response, SECRET, str(tmp_path))
    index = client.get("/")
    assert index.status_code == 200 and "/embed/env" not in _no_leak(index, SECRET)


def test_a_symlink_to_a_file_outside_the_folder_is_refused(articles, client, tmp_path):
    outside = write_article(tmp_path, "outside", title="Outside", text=f"The secret {SECRET}.")
    (articles / "inside.json").symlink_to(outside)
    response = client.get("/api/articles/inside/transcript")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    _no_leak(response, SECRET, str(tmp_path))


def test_a_symlink_inside_the_folder_is_refused_too(articles, client):
    # The folder is the boundary, and a link's target can be swapped at any time.
    write_article(articles, "real", title="Real", text="Real text here.")
    (articles / "alias.json").symlink_to(articles / "real.json")
    assert client.get("/api/articles/real").status_code == 200
    assert client.get("/api/articles/alias").status_code == 403
    assert "alias" not in list(_source_ids(client))


def test_a_fifo_is_refused_without_blocking(articles, client):
    os.mkfifo(articles / "pipe.txt")
    result: dict[str, Any] = {}
    # Opening a FIFO for reading waits for a writer: done in a thread, so that a regression
    # fails the test instead of hanging it.
    thread = threading.Thread(
        target=lambda: result.update(r=client.get("/api/articles/pipe/transcript")), daemon=True
    )
    thread.start()
    thread.join(10)
    if thread.is_alive():
        with open(articles / "pipe.txt", "wb"):  # unblock the reader, then fail
            pass
        pytest.fail("reading a FIFO article blocked")
    assert result["r"].status_code == 403 and result["r"].get_json()["error"] == "forbidden"
    assert "pipe" not in list(_source_ids(client))


def test_a_device_is_refused(articles, client):
    try:
        os.mknod(articles / "zero.txt", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("mknod needs root")
    response = client.get("/api/articles/zero/transcript")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert "zero" not in list(_source_ids(client))


def test_a_folder_swapped_for_a_symlink_is_refused(tmp_path, config):
    site = tmp_path / "site"
    (site / "articles").mkdir(parents=True)
    write_article(site / "articles", "story", title="Story", text="The real story.")
    client = create_app({**config, "SOURCE": str(site / "articles")}).test_client()
    assert client.get("/api/articles/story").status_code == 200
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "articles").mkdir(parents=True)
    write_article(elsewhere / "articles", "story", title="Planted", text=f"Planted {SECRET}.")
    shutil.rmtree(site)
    site.symlink_to(elsewhere)  # a folder on the way is now a link
    response = client.get("/api/articles/story/transcript")
    assert response.status_code == 403
    _no_leak(response, SECRET, "Planted", str(tmp_path))


def test_not_found_names_no_server_path(client, articles):
    response = client.get("/api/articles/no-such-story")
    assert response.status_code == 404
    _no_leak(response, str(articles))


def test_a_deeply_nested_article_file_is_unreadable_not_a_crash(articles, client):
    (articles / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    response = client.get("/api/articles/deep")
    assert response.status_code == 422 and response.get_json()["error"] == "unreadable_article"


# ------------------------------------------------------------ public URL, trusted hosts

FORGED = "evil.attacker.test"
PUBLIC = "https://listen.example.com"


@pytest.fixture
def ready_public(config):
    """An app with LISTEN_PUBLIC_URL and an article whose audio is ready."""
    app = create_app({**config, "PUBLIC_URL": PUBLIC, "ADMIN_TOKEN": TOKEN})
    client = app.test_client()
    assert client.get("/api/articles/harbour-bridge-reopens/audio.mp3").status_code == 200
    return client


@pytest.mark.slow
def test_a_forged_host_appears_in_no_url(ready_public):
    client = ready_public
    headers = {"Host": FORGED}
    pages = {
        "feed": client.get("/feed.xml", headers=headers),
        "oembed": client.get(f"/oembed?url={PUBLIC}/embed/harbour-bridge-reopens", headers=headers),
        "embed": client.get("/embed/harbour-bridge-reopens", headers=headers),
        "api": client.get("/api/articles/harbour-bridge-reopens", headers=headers),
        "timings": client.get("/api/articles/harbour-bridge-reopens/timings.json", headers=headers),
        "index": client.get("/", headers=headers),
        "push": client.put("/api/articles/pushed", json=PUSHED, headers={**headers, **AUTH}),
    }
    for name, response in pages.items():
        assert response.status_code in (200, 202), name
        body = _no_leak(response, FORGED)
        if name != "embed":
            assert "https://listen.example.com/" in body, name
    assert pages["push"].headers["Location"].startswith(PUBLIC + "/")
    api = pages["api"].get_json()
    assert api["audio_url"].startswith(f"{PUBLIC}/audio/")
    assert pages["oembed"].get_json()["provider_url"] == PUBLIC + "/"
    assert f'<enclosure url="{PUBLIC}/audio/' in pages["feed"].get_data(as_text=True)


def test_the_embed_page_loads_its_script_by_a_relative_url(client):
    body = client.get("/embed/harbour-bridge-reopens", headers={"Host": FORGED}).get_data(
        as_text=True
    )
    assert re.search(r'<script src="/embed\.[0-9a-f]{12}\.js"', body) and FORGED not in body


def test_without_a_public_url_local_use_keeps_working(client):
    body = client.get("/api/articles/harbour-bridge-reopens").get_json()
    assert body["audio_url"].startswith("http://localhost/")


@pytest.fixture
def guarded(config):
    return create_app({**config, "TRUSTED_HOSTS": "listen.example.com, .cdn.example.com"})


@pytest.mark.parametrize(
    "host, path, status",
    [
        ("listen.example.com", "/api/articles/harbour-bridge-reopens", 200),
        ("listen.example.com:443", "/api/articles/harbour-bridge-reopens", 200),
        ("edge.cdn.example.com", "/feed.xml", 200),
        (FORGED, "/api/articles/harbour-bridge-reopens", 400),
        (FORGED, "/feed.xml", 400),
        (FORGED, "/audio/" + "0" * 64 + ".mp3", 400),
        ("listen.example.com.evil.test", "/embed/harbour-bridge-reopens", 400),
        # Orchestrators probe the health endpoints by address: no URL is built there.
        ("10.0.0.7:8000", "/healthz", 200),
    ],
)
def test_untrusted_hosts_get_400_json(guarded, host, path, status):
    response = guarded.test_client().get(path, headers={"Host": host})
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    if status == 400:
        assert response.get_json()["error"] == "untrusted_host"


@pytest.mark.parametrize(
    "name, value",
    [
        ("PUBLIC_URL", "listen.example.com"),
        ("PUBLIC_URL", "ftp://listen.example.com"),
        ("PUBLIC_URL", "https://listen.example.com/sub/"),
        ("PUBLIC_URL", "https://"),
        ("TRUSTED_HOSTS", "bad host, ok.example.com"),
    ],
)
def test_bad_public_url_settings_stop_start_up(config, name, value):
    with pytest.raises(ConfigError, match=f"LISTEN_{name}"):
        create_app({**config, name: value})
    # checked where every setting is: the CLI and the worker refuse it alike
    with pytest.raises(ConfigError, match=f"^LISTEN_{name}="):
        load({name: value})


# ------------------------------------------------- pushed articles are data, not cache


@pytest.fixture
def admin(config):
    return create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()


def test_pushed_articles_survive_removing_the_cache(admin, config):
    assert admin.put("/api/articles/pushed", json=PUSHED, headers=AUTH).status_code == 202
    assert admin.get("/api/articles/pushed/audio.mp3").status_code == 200  # build done
    shutil.rmtree(config["CACHE_DIR"])
    again = create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()
    response = again.get("/api/articles/pushed/transcript")
    assert response.status_code == 200 and response.get_json()["title"] == PUSHED["title"]
    assert (Path(config["CACHE_DIR"]).parent / "listen_data" / "articles.sqlite3").is_file()


def test_pushed_articles_survive_cache_purge(admin, config, runner):
    assert admin.put("/api/articles/pushed", json=PUSHED, headers=AUTH).status_code == 202
    assert admin.get("/api/articles/pushed/audio.mp3").status_code == 200  # build done
    result = runner.invoke(main, ["cache", "purge", "--yes"])
    assert result.exit_code == 0, result.output
    assert admin.get("/api/articles/pushed").get_json()["title"] == PUSHED["title"]


def test_data_dir_setting_places_the_store(config, tmp_path):
    data = tmp_path / "elsewhere" / "data"
    app = create_app({**config, "ADMIN_TOKEN": TOKEN, "DATA_DIR": str(data)})
    assert app.test_client().put("/api/articles/p", json=PUSHED, headers=AUTH).status_code == 202
    assert (data / "articles.sqlite3").is_file()
    assert not (Path(config["CACHE_DIR"]) / "articles.sqlite3").exists()


def _legacy_store(cache: Path) -> None:
    from listen.models import RawArticle
    from listen.sources.store import ArticleStore

    ArticleStore(cache / "articles.sqlite3").put(
        RawArticle(id="old-push", title="Pushed long ago", text="Still here after the move.")
    )


def test_a_store_in_the_cache_folder_moves_once_on_start(config, caplog):
    cache = Path(config["CACHE_DIR"])
    _legacy_store(cache)
    with caplog.at_level(logging.INFO, logger="listen.sources.store"):
        client = create_app(config).test_client()
    assert client.get("/api/articles/old-push").get_json()["title"] == "Pushed long ago"
    moved = [r for r in caplog.records if "moved" in r.getMessage()]
    assert len(moved) == 1 and "listen_data" in moved[0].getMessage()
    assert not list(cache.glob("articles.sqlite3*"))
    new = cache.parent / "listen_data" / "articles.sqlite3"
    with sqlite3.connect(new) as db:
        assert db.execute("SELECT id FROM articles").fetchall() == [("old-push",)]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="listen.sources.store"):
        create_app(config)
    assert not [r for r in caplog.records if "moved" in r.getMessage()]


def test_a_legacy_store_beside_a_new_one_is_left_alone(config, caplog):
    cache = Path(config["CACHE_DIR"])
    create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client().put(
        "/api/articles/pushed", json=PUSHED, headers=AUTH
    )
    _legacy_store(cache)
    with caplog.at_level(logging.WARNING, logger="listen.sources.store"):
        client = create_app(config).test_client()
    assert (cache / "articles.sqlite3").exists()
    assert any("both" in r.getMessage() for r in caplog.records)
    assert client.get("/api/articles/pushed").status_code == 200


# ------------------------------------------------------------ bad input: 400/413 JSON


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-5", "1e3", "0x10"])
def test_oembed_maxwidth_not_a_number_is_400(client, value):
    url = "https://listen.example.com/embed/harbour-bridge-reopens"
    response = client.get("/oembed", query_string={"url": url, "maxwidth": value})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_input"


def test_oembed_maxwidth_still_bounds_the_width(client):
    url = "https://listen.example.com/embed/harbour-bridge-reopens"
    body = client.get("/oembed", query_string={"url": url, "maxwidth": "300"}).get_json()
    assert body["width"] == 300


@pytest.mark.parametrize(
    "body, status, error",
    [
        (b"[" * 100_000 + b"]" * 100_000, 400, "bad_input"),
        (b'{"title": "x", "text": "\\ud800 lone"}', 400, "bad_input"),
        (b'{"title": "\\udfff", "text": "lone low surrogate"}', 400, "bad_input"),
        (b"\xff\xfe not utf-8", 400, "bad_input"),
        (b'{"title": "x", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400, "bad_input"),
        (b'{"title": "x", "text": 5}', 422, "unreadable_article"),
    ],
)
def test_bad_json_bodies_are_400(admin, body, status, error):
    response = admin.put(
        "/api/articles/bad", data=body, headers=AUTH, content_type="application/json"
    )
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    assert response.get_json()["error"] == error


def test_an_oversized_body_is_413(admin):
    body = json.dumps(PUSHED).encode() + b" " * (10 * 2**20)
    response = admin.put("/api/articles/big", data=body, headers=AUTH)
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"


# --------------------------------------------------- a real gunicorn, over a raw socket


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    root = tmp_path_factory.mktemp("served")
    articles = root / "articles"
    articles.mkdir()
    write_article(articles, "story", title="Story", text="A short story.")
    settings = {
        "LISTEN_SOURCE": str(articles),
        "LISTEN_CACHE_DIR": str(root / "cache"),
        "LISTEN_ENGINES": "espeak",
        "LISTEN_GTTS_URL": closed_port_url(),
        "LISTEN_ADMIN_TOKEN": TOKEN,
    }
    with listen_serve(settings) as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def _exchange(address: tuple[str, int], *pieces: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer (the server closes or says its length)."""
    with socket.create_connection(address, timeout=20) as sock:
        for piece in pieces:
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed before reading it all
        return _read_response(sock)


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    deadline = time.monotonic() + 20
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    length = int(headers.get("content-length", "-1"))
    while (length < 0 or len(body) < length) and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length] if length >= 0 else body


def _json_error(answer: tuple[int, dict[str, str], bytes], status: int) -> dict[str, Any]:
    code, headers, body = answer
    assert code == status, body[:300]
    assert headers["content-type"].startswith("application/json"), headers
    error = json.loads(body)
    assert set(error) == {"error", "message"} and error["message"]
    return error


@pytest.mark.slow
def test_gunicorn_a_long_request_line_is_414_json(served):
    answer = _exchange(served, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _json_error(answer, 414)["error"] == "uri_too_long"


@pytest.mark.slow
def test_gunicorn_a_huge_header_is_431_json(served):
    answer = _exchange(
        served, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20_000 + b"\r\n\r\n"
    )
    assert _json_error(answer, 431)["error"] == "header_too_large"


@pytest.mark.slow
def test_gunicorn_too_many_headers_is_431_json(served):
    many = b"".join(b"X-H%d: v\r\n" % n for n in range(200))
    answer = _exchange(served, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert _json_error(answer, 431)["error"] == "header_too_large"


@pytest.mark.slow
@pytest.mark.parametrize(
    "request_bytes",
    [
        b"\x16\x03\x01\x02\x00garbage\r\n\r\n",
        b"HELLO\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
    ],
)
def test_gunicorn_a_garbage_request_is_400_json(served, request_bytes):
    assert _json_error(_exchange(served, request_bytes), 400)["error"] == "bad_request"


def _chunked_put(path: str, headers: bytes = b"") -> bytes:
    return (
        f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n".encode()
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        + headers
        + b"\r\n"
    )


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@pytest.mark.slow
def test_gunicorn_a_bad_chunk_size_is_400_json(served):
    answer = _exchange(served, _chunked_put("/api/articles/chunky"), b"zz\r\nabc\r\n0\r\n\r\n")
    assert _json_error(answer, 400)["error"] == "bad_input"


@pytest.mark.slow
def test_gunicorn_a_bad_chunk_the_app_did_not_read_gets_no_second_answer(served):
    # /healthz answers without reading the body; the server then drains it and finds the
    # bad chunk: one answer, then the connection closes (an extra one would be taken for
    # the answer to the client's next request).
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    with socket.create_connection(served, timeout=20) as sock:
        sock.sendall(request + b"zz\r\nabc\r\n0\r\n\r\n")
        status, _, body = _read_response(sock)
        assert status == 200 and json.loads(body) == {"status": "ok"}
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
    assert rest == b""


@pytest.mark.slow
def test_gunicorn_a_chunked_body_over_the_limit_is_413_json(served):
    # A small valid article padded with whitespace: accepted if the limit is not enforced.
    body = json.dumps(PUSHED).encode() + b" " * (11 * 2**20)
    pieces = [_chunk(body[i : i + 2**20]) for i in range(0, len(body), 2**20)]
    answer = _exchange(served, _chunked_put("/api/articles/chunky"), *pieces, b"0\r\n\r\n")
    assert _json_error(answer, 413)["error"] == "too_large"


@pytest.mark.slow
def test_gunicorn_a_small_chunked_push_is_accepted(served):
    body = json.dumps(PUSHED).encode()
    answer = _exchange(
        served,
        _chunked_put("/api/articles/chunky-ok", b"Connection: close\r\n"),
        _chunk(body[:10]),
        _chunk(body[10:]),
        b"0\r\n\r\n",
    )
    assert answer[0] == 202, answer[2][:300]
    assert json.loads(answer[2])["id"] == "chunky-ok"


@pytest.mark.slow
def test_gunicorn_an_app_error_is_still_json(served):
    # The app answers 404 JSON itself; gunicorn's own errors are the ones above.
    answer = _exchange(served, b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _json_error(answer, 404)["error"] == "not_found"


# ----------------------------------------------------------------- WebVTT is escaped


@pytest.mark.slow
def test_vtt_cues_escape_markup(admin):
    article = {
        "title": "Tags <b>& co",
        "language": "en",
        "text": "Use <i>x</i> & y --> z when a < b > c.",
    }
    assert admin.put("/api/articles/markup", json=article, headers=AUTH).status_code == 202
    assert admin.get("/api/articles/markup/audio.mp3").status_code == 200
    response = admin.get("/api/articles/markup/transcript.vtt")
    assert response.status_code == 200
    vtt = response.get_data(as_text=True)
    cues = [block.split("\n")[2:] for block in vtt.split("\n\n")[1:] if block.strip()]
    assert cues[0] == ["Tags &lt;b&gt;&amp; co"]
    assert "&lt;i&gt;x&lt;/i&gt; &amp; y --&gt; z when a &lt; b &gt; c." in cues[1][0]
    assert "<" not in vtt.split("\n", 2)[2] and "-->" not in "".join(c[0] for c in cues)


def test_an_unwritable_data_dir_is_a_503_naming_the_setting(config, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    app = create_app({**config, "ADMIN_TOKEN": TOKEN, "DATA_DIR": str(blocker / "data")})
    response = app.test_client().put("/api/articles/p", json=PUSHED, headers=AUTH)
    assert response.status_code == 503 and response.get_json()["error"] == "store_unavailable"
    assert "LISTEN_DATA_DIR" in _no_leak(response, str(tmp_path))


def test_serve_refuses_a_bad_public_url_in_one_line(runner):
    result = runner.invoke(main, ["serve"], env={"LISTEN_PUBLIC_URL": "listen.example.com"})
    assert result.exit_code != 0
    assert "LISTEN_PUBLIC_URL" in result.output and "Traceback" not in result.output
