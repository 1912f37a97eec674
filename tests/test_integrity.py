"""Integrity: a listener never gets a file that looks complete when it is not.

Every fault is injected for real: a tmpfs that fills up under the cache, Google
turning to errors in the middle of an article, ``kill -9`` of the gunicorn worker
that builds. Wire behaviour is read from a real ``listen serve`` with a raw HTTP
client: a stream cut off must end without HTTP's terminating chunk (curl exit 18),
never as a clean end after a part of the article.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from listen import create_app, metrics
from listen.service import Listen

from conftest import listen_serve, write_article

SUBJECTS = ["council", "harbour", "library", "orchestra", "railway", "museum", "market", "school"]
ACTIONS = ["approved", "debated", "postponed", "praised", "questioned", "funded", "reviewed"]


def long_article(folder: Path, article_id: str, paragraphs: int) -> None:
    """An English article of distinct paragraphs of about twenty words each."""
    body = [
        f"In part {i} of this report, the {SUBJECTS[i % 8]} {ACTIONS[i % 7]} a plan for "
        f"the {SUBJECTS[(i * 3 + 1) % 8]} after a long meeting that ran late into the evening."
        for i in range(paragraphs)
    ]
    write_article(
        folder,
        article_id,
        title=f"A long report {article_id}",
        language="en",
        text="\n\n".join(body),
    )


# ------------------------------------------------------------ a raw HTTP client


def get(base: str, path: str, method: str = "GET") -> tuple[http.client.HTTPConnection, Any]:
    """Send one request on a connection of its own; the response with its headers read."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request(method, path)
    return conn, conn.getresponse()


def drain(response: Any) -> tuple[bytes, bool]:
    """Read a response to its end: its bytes, and whether the transfer was complete."""
    got = bytearray()
    try:
        while chunk := response.read(64 * 1024):
            got += chunk
    except http.client.IncompleteRead as exc:
        return bytes(got + exc.partial), False
    except (ConnectionError, http.client.HTTPException):
        return bytes(got), False
    return bytes(got), True


def status_json(base: str, article_id: str) -> dict[str, Any]:
    conn, response = get(base, f"/api/articles/{article_id}")
    try:
        assert response.status == 200
        return json.loads(response.read())
    finally:
        conn.close()


def complete_audio(base: str, article_id: str) -> bytes:
    """The article's whole MP3, asked for until it is served complete (a retry builds it)."""
    conn, response = get(base, f"/api/articles/{article_id}/audio.mp3")
    try:
        assert response.status == 200, response.read()
        data, complete = drain(response)
        assert complete
        return data
    finally:
        conn.close()


def settings(config: dict[str, Any], **more: Any) -> dict[str, str]:
    values = {**config, **more}
    return {f"LISTEN_{k}": str(v) for k, v in values.items() if k != "TESTING"}


# ------------------------------------------------------------ a small disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 KB tmpfs, unmounted at the end."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs (root is needed): {mounted.stderr.decode()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def grow(folder: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Write a file until the disk is full."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 4096):
                pass
        except OSError:
            pass
    return filler


def test_disk_full_mid_build_cuts_off_every_listener(config, articles, small_disk):
    long_article(articles, "long", 40)  # over 1.5 MB of audio: never fits in 600 KB
    cache = small_disk / "cache"
    with listen_serve(settings(config, CACHE_DIR=cache), workers=2) as base:
        with ThreadPoolExecutor(2) as pool:
            listeners = [pool.submit(get, base, "/api/articles/long/audio.mp3") for _ in range(2)]
            results = []
            for future in listeners:
                conn, response = future.result()
                assert response.status == 200
                results.append(drain(response))
                conn.close()
        assert [complete for _, complete in results] == [False, False]
        assert all(len(data) < 600 * 1024 for data, _ in results)
        for _ in range(4):  # whichever worker answers, the article says why
            status = status_json(base, "long")
            assert status["status"] == "error", status
            assert "space" in status["message"] and str(small_disk) not in status["message"]
        grow(small_disk, "8m")
        whole = complete_audio(base, "long")  # the next request tries again
        assert len(whole) > 1_500_000 > max(len(data) for data, _ in results)
        assert status_json(base, "long")["status"] == "ready"


def test_a_full_disk_is_503_and_not_ready(config, articles, small_disk):
    write_article(articles, "short", title="Short", text="The council met on Monday.")
    app = create_app({**config, "CACHE_DIR": str(small_disk / "cache")})
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    filler = fill(small_disk)
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["cache"]["ok"] is False
    assert "full" in ready.json["checks"]["cache"]["detail"]
    response = client.get("/api/articles/short/audio.mp3")
    assert response.status_code == 503, response.data
    assert response.json["error"] == "storage_full" and int(response.headers["Retry-After"]) > 0
    assert "LISTEN_CACHE_DIR" in response.json["message"]
    assert str(small_disk) not in response.json["message"]
    status = client.get("/api/articles/short").json
    assert status["status"] == "error" and "space" in status["message"]
    filler.unlink()
    assert client.get("/readyz").status_code == 200
    again = client.get("/api/articles/short/audio.mp3")
    assert again.status_code == 200 and len(again.data) > 5_000


# ------------------------------------------------------------ an engine failing mid-article


def test_engine_failing_mid_article_cuts_off_every_listener(config, articles, google):
    long_article(articles, "long", 12)
    google.latency = 0.15  # the build takes seconds: time to turn Google off mid-article
    server = settings(
        config,
        ENGINES="gtts",
        GTTS_URL=google.url,
        GTTS_RETRIES=0,
        # The local endpoint makes real speech with espeak-ng: with an article's requests
        # in flight at once on a busy machine, one may take seconds. Only the 500s below
        # are meant to fail it.
        GTTS_TIMEOUT=20,
        ENGINE_COOLDOWN=0.5,
        SYNTH_LOOKAHEAD=1,
    )
    with listen_serve(server, workers=2) as base:
        first = get(base, "/api/articles/long/audio.mp3")
        second = get(base, "/api/articles/long/audio.mp3")
        for _, response in (first, second):
            assert response.status == 200 and response.read(1000).startswith(b"ID3")
        google.mode = "500"  # every request fails from now on: no engine is left
        results = [drain(response) for _, response in (first, second)]
        for conn, _ in (first, second):
            conn.close()
        assert [complete for _, complete in results] == [False, False]
        for _ in range(4):
            status = status_json(base, "long")
            assert status["status"] == "error", status
            assert "every speech engine failed" in status["message"]
        google.mode, google.latency = "ok", 0.0
        time.sleep(0.6)  # the circuit breaker's cooldown
        whole = complete_audio(base, "long")
        assert len(whole) > max(len(data) + 1000 for data, _ in results)


# ------------------------------------------------------------ kill -9 of the builder


def serving_pid(conn: http.client.HTTPConnection, server_port: int) -> int | None:
    """The process holding the server's end of ``conn`` (a gunicorn worker), from /proc."""
    client_port = conn.sock.getsockname()[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
        if local == server_port and remote == client_port:
            inodes.add(f"socket:[{fields[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    return None


def test_kill_9_of_the_building_worker_cuts_off_the_other_workers_listeners(config, articles):
    long_article(articles, "long", 60)  # several seconds of espeak-ng: time to kill it
    with listen_serve(settings(config, SYNTH_WORKERS=1, SYNTH_LOOKAHEAD=1), workers=2) as base:
        port = urlsplit(base).port
        assert port is not None
        builder_conn, builder_response = get(base, "/api/articles/long/audio.mp3")
        assert builder_response.status == 200
        builder = serving_pid(builder_conn, port)
        assert builder is not None
        others = []
        # Until a listener is served by the other worker, which may still be starting
        # (it loads the engines before it takes a request): for up to 20 s.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            conn, response = get(base, "/api/articles/long/audio.mp3")
            assert response.status == 200
            if serving_pid(conn, port) in (None, builder):
                conn.close()  # not the case at hand: free the worker's thread
                time.sleep(0.2)
                continue
            others.append((conn, response))
            break
        assert others, "every listener was served by the building worker"
        assert status_json(base, "long")["status"] == "pending"
        os.kill(builder, signal.SIGKILL)
        cut = [drain(response) for _, response in others]
        for conn, _ in others:
            conn.close()
        builder_conn.close()
        assert [complete for _, complete in cut] == [False] * len(cut)
        for _ in range(4):  # every worker, the new one too, knows the build died
            status = status_json(base, "long")
            assert status["status"] == "error", status
            assert "died" in status["message"]
        whole = complete_audio(base, "long")  # the next request builds it again
        assert len(whole) > max(len(data) + 1000 for data, _ in cut)


# ------------------------------------------------------------ eviction, HEAD, failures


def test_a_cache_smaller_than_one_article_keeps_the_article_just_built(config, articles):
    write_article(articles, "alpha", title="Alpha", text="The alpha team finished the survey.")
    write_article(articles, "bravo", title="Bravo", text="The bravo team started the survey.")
    app = create_app({**config, "CACHE_MAX_BYTES": 1000, "SYNTH_BUILDS": 1})
    client = app.test_client()
    listen: Listen = app.extensions["listen"]

    def play(article_id: str) -> None:
        assert client.get(f"/api/articles/{article_id}/audio.mp3").status_code == 200
        assert listen.wait_idle(60)  # eviction done

    play("alpha")
    assert client.get("/api/articles/alpha").json["status"] == "ready"
    assert listen.lookup(listen.article("alpha")).meta["bytes"] > 1000  # type: ignore[union-attr]
    play("bravo")  # the limit holds at the next build: alpha goes, bravo stays
    assert client.get("/api/articles/bravo").json["status"] == "ready"
    assert listen.lookup(listen.article("alpha")) is None


def test_head_on_a_cold_article_starts_nothing(config, articles, app, client):
    listen: Listen = app.extensions["listen"]
    before = metrics.synthesized()
    article = listen.article("city-council-budget")
    head = client.head("/api/articles/city-council-budget/audio.mp3")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["X-Listen-Stream"] == "partial"
    assert head.headers["Content-Type"] == "audio/mpeg"
    assert head.headers["Cache-Control"] == "no-store"
    assert listen.wait_idle(60)  # anything started ran
    assert metrics.synthesized() == before
    assert listen.status(article).state == "pending"
    assert not list(Path(config["CACHE_DIR"]).glob("**/*.mp3"))
    assert not list(Path(config["CACHE_DIR"]).glob("**/*.part"))
    client.get("/api/articles/city-council-budget/audio.mp3")
    cached = client.head("/api/articles/city-council-budget/audio.mp3")
    assert cached.status_code == 200 and int(cached.headers["Content-Length"]) > 10_000
    assert "X-Listen-Stream" not in cached.headers


@pytest.mark.parametrize(
    ("fields", "settings_", "status", "code"),
    [
        ({"title": "", "text": "!!! ??? ..."}, {}, 422, "nothing_to_speak"),
        (
            {"title": "Big", "text": "A sentence that is too long. " * 20},
            {"MAX_CHARS": 100},
            413,
            "too_large",
        ),
    ],
)
def test_an_article_that_fails_to_prepare_is_prepared_once(
    config, articles, monkeypatch, fields, settings_, status, code
):
    import listen.text.prepare as pipeline

    calls = []
    real = pipeline.sanitize

    def counted(raw: Any, *args: Any) -> Any:
        calls.append(raw.id)
        return real(raw, *args)

    monkeypatch.setattr(pipeline, "sanitize", counted)
    write_article(articles, "bad", **fields)
    client = create_app({**config, **settings_}).test_client()
    for path in ("/api/articles/bad", "/api/articles/bad/audio.mp3", "/api/articles/bad"):
        response = client.get(path)
        assert response.status_code == status and response.json["error"] == code
    assert calls == ["bad"]
    write_article(articles, "bad", **{**fields, "text": fields["text"] + " !!!"})  # new content
    assert client.get("/api/articles/bad").status_code == status
    assert calls == ["bad", "bad"]
