"""Every wait has a deadline: trickling pages, dripping and hanging gTTS, a stalled Redis.

Each misbehaving peer is real and local: a socket server that sends a page one byte
every half second, the fake Google endpoint in its "drip" and "hang" modes. Calls that
used to hang run in a thread joined with a bound, so a regression fails instead of
hanging the suite; the bounds are loose (several deadlines), not speed targets.
"""

from __future__ import annotations

import json
import os
import signal
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from listen import create_app
from listen.audio import mp3
from listen.engines import resolve_engines
from listen.engines.gtts import GTTSEngine
from listen.engines.speaker import Speaker
from listen.errors import EngineError, OriginUnreachable
from listen.queue import RedisDown, connect
from listen.sources.url import URLSource

from conftest import decode_mp3, free_port, listen_serve, redis_server

PAGE = (
    b"<html><head><title>The harbour bridge reopens</title></head><body><article>"
    b"<h1>The harbour bridge reopens</h1><p>The bridge reopened to traffic on Saturday "
    b"after two years of repairs, the city said.</p></article></body></html>"
)
DEADLINE = 1.0


# ---------------------------------------------------------------- a trickling site


class Site:
    """A local web server: ``mode`` "ok" answers the page (304 to its ETag), "body"
    sends headers then the body a byte every ``interval`` s, "headers" the headers so."""

    def __init__(self, mode: str = "ok", interval: float = 0.5) -> None:
        self.mode = mode
        self.interval = interval
        self.page, self.etag = PAGE, '"v1"'
        self.requests: list[dict[str, str]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        site = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                request_line = self.rfile.readline().decode("latin-1")
                headers = {"path": request_line.split(" ")[1] if " " in request_line else ""}
                while (line := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                with site._lock:
                    site.requests.append(headers)
                try:
                    site.answer(self.wfile, headers)
                except OSError:
                    pass  # the client gave up on us: what a deadline is for

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def answer(self, out: Any, headers: dict[str, str]) -> None:
        if self.mode == "headers":
            out.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self.stopping.wait(self.interval):
                out.write(b"a")
                out.flush()
            return
        if self.mode == "body":
            out.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
            )
            out.flush()
            for byte in PAGE * 1000:
                if self.stopping.wait(self.interval):
                    return
                out.write(bytes((byte,)))
                out.flush()
            return
        page, etag = self.page, self.etag
        if headers.get("if-none-match") == etag:
            out.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode())
            return
        out.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            + f"ETag: {etag}\r\nContent-Length: {len(page)}\r\nConnection: close\r\n\r\n".encode()
            + page
        )

    def publish(self, page: bytes) -> None:
        """A new version of the page (and its ETag)."""
        self.page, self.etag = page, f'"v{int(self.etag[2:-1]) + 1}"'

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def site() -> Iterator[Callable[..., Site]]:
    sites: list[Site] = []

    def start(mode: str = "ok") -> Site:
        sites.append(Site(mode))
        return sites[-1]

    yield start
    for one in sites:
        one.close()


def bounded(call: Callable[[], Any], seconds: float) -> Any:
    """``call()``'s result or exception, failing the test if it has not returned by then."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s: no deadline"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# ---------------------------------------------------------------- publisher pages


@pytest.mark.parametrize("mode", ["body", "headers"])
def test_a_trickling_page_fails_by_the_deadline(site, tmp_path, mode):
    slow = site(mode)
    source = URLSource(
        slow.url + "/a/{id}", {"CACHE_DIR": str(tmp_path), "FETCH_TIMEOUT": DEADLINE}
    )
    with pytest.raises(OriginUnreachable) as caught:
        bounded(lambda: source.get("bridge"), 3 * DEADLINE)
    assert caught.value.status == 502 and caught.value.error == "source_unavailable"
    assert "LISTEN_FETCH_TIMEOUT" in caught.value.message
    assert slow.count == 1


def test_a_trickling_page_is_a_json_502(site, config):
    slow = site("body")
    app = create_app({**config, "SOURCE": slow.url + "/a/{id}", "FETCH_TIMEOUT": DEADLINE})
    response = bounded(lambda: app.test_client().get("/api/articles/bridge"), 3 * DEADLINE)
    assert response.status_code == 502
    assert response.json["error"] == "source_unavailable"
    assert "LISTEN_FETCH_TIMEOUT" in response.json["message"]


@pytest.mark.slow
def test_healthz_answers_while_trickling_pages_are_held(site, tmp_path):
    slow = site("body")
    settings = {
        "LISTEN_SOURCE": slow.url + "/a/{id}",
        "LISTEN_FETCH_TIMEOUT": str(DEADLINE),
        "LISTEN_CACHE_DIR": str(tmp_path / "cache"),
        "LISTEN_ENGINES": "espeak",
    }
    held = 12  # more than `listen serve`'s 8 threads
    with listen_serve(settings) as base:
        results: list[tuple[int, dict[str, str], bytes]] = []
        lock = threading.Lock()

        def ask(n: int) -> None:
            answer = get(f"{base}/api/articles/a{n}")
            with lock:
                results.append(answer)

        threads = [threading.Thread(target=ask, args=(n,), daemon=True) for n in range(held)]
        for thread in threads:
            thread.start()
        for _ in range(200):
            if slow.count >= 8:
                break
            time.sleep(0.05)
        assert slow.count >= 8  # every thread of the server waits on the trickle
        status, _, body = get(f"{base}/healthz", timeout=5 * DEADLINE)
        assert status == 200 and json.loads(body) == {"status": "ok"}
        for thread in threads:
            thread.join(10 * DEADLINE)
        assert len(results) == held
        for status, headers, body in results:
            assert status == 502 and headers["Content-Type"] == "application/json"
            error = json.loads(body)
            assert error["error"] == "source_unavailable"
            assert "LISTEN_FETCH_TIMEOUT" in error["message"]


def test_a_fresh_page_is_not_asked_for_again(site, tmp_path):
    origin = site("ok")
    source = URLSource(origin.url + "/a/{id}", {"CACHE_DIR": str(tmp_path)})
    for _ in range(3):
        assert source.get("bridge").html == PAGE
    assert origin.count == 1  # within LISTEN_FETCH_FRESH: the stored page
    (stored,) = (tmp_path / "pages").rglob("*.page")
    old = time.time() - 301
    os.utime(stored, (old, old))  # older than the default window
    assert source.fetcher.get(source.url_for("bridge")).origin == "revalidated"
    assert origin.count == 2 and origin.requests[1]["if-none-match"] == '"v1"'
    assert source.fetcher.get(source.url_for("bridge")).origin == "fresh"
    assert origin.count == 2  # the 304 made it fresh again


def test_fresh_window_zero_asks_every_time(site, tmp_path):
    origin = site("ok")
    source = URLSource(origin.url + "/a/{id}", {"CACHE_DIR": str(tmp_path), "FETCH_FRESH": 0})
    source.get("bridge")
    source.get("bridge")
    assert origin.count == 2 and origin.requests[1]["if-none-match"] == '"v1"'


def test_a_refresh_hook_asks_the_publisher_within_the_window(site, config):
    origin = site("ok")
    app = create_app({**config, "SOURCE": origin.url + "/a/{id}", "ADMIN_TOKEN": "s3cret"})
    client = app.test_client()
    assert client.get("/api/articles/bridge").json["title"] == "The harbour bridge reopens"
    origin.publish(PAGE.replace(b"reopens", b"stays shut"))
    assert client.get("/api/articles/bridge").json["title"] == "The harbour bridge reopens"
    assert origin.count == 1  # fresh: not asked
    refreshed = client.post(
        "/api/articles/bridge/refresh", headers={"Authorization": "Bearer s3cret"}
    )
    assert refreshed.status_code == 202 and origin.count == 2
    assert origin.requests[1]["if-none-match"] == '"v1"'  # asked, conditionally
    assert client.get("/api/articles/bridge").json["title"] == "The harbour bridge stays shut"
    assert origin.count == 2


def test_cached_audio_does_not_ask_the_publisher(site, config):
    origin = site("ok")
    client = create_app({**config, "SOURCE": origin.url + "/a/{id}"}).test_client()
    first = client.get("/api/articles/bridge/audio.mp3")
    assert first.status_code == 200 and len(decode_mp3(first.data)) > 1000
    for _ in range(3):
        again = client.get("/api/articles/bridge/audio.mp3")
        assert again.status_code == 200 and again.data == first.data
        assert client.get("/api/articles/bridge").json["status"] == "ready"
    assert origin.count == 1


# ---------------------------------------------------------------- gTTS


def gtts_config(config: dict[str, Any], google: Any, **extra: Any) -> dict[str, Any]:
    return {
        **config,
        "ENGINES": "gtts,espeak",
        "GTTS_URL": google.url,
        "GTTS_TIMEOUT": DEADLINE,
        **extra,
    }


@pytest.mark.slow
def test_a_dripping_gtts_answer_hands_over_to_espeak(config, google):
    google.mode = "drip"
    app = create_app(gtts_config(config, google))
    client = app.test_client()
    response = bounded(lambda: client.get("/api/articles/city-council-budget/audio.mp3"), 60)
    assert response.status_code == 200 and len(decode_mp3(response.data)) > 5000
    listen = app.extensions["listen"]
    entry = listen.lookup(listen.article("city-council-budget"))
    assert entry is not None and entry.meta["engine"] == "espeak"
    assert google.count >= 1  # gTTS was asked, and dripped
    assert listen.speaker.breaker.is_open("gtts")
    ready = client.get("/readyz").json
    assert ready["checks"]["engines"]["detail"].startswith("en: espeak")


def test_a_dripping_gtts_with_no_fallback_is_not_ready(config, google):
    google.mode = "drip"
    app = create_app({**gtts_config(config, google), "ENGINES": "gtts"})
    client = app.test_client()
    response = bounded(lambda: client.get("/api/articles/city-council-budget/audio.mp3"), 30)
    assert response.status_code == 503 and response.json["error"] == "engines_unavailable"
    assert "LISTEN_GTTS_TIMEOUT" in response.json["message"]
    assert "Retry-After" in response.headers
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "gtts down for" in ready.json["checks"]["engines"]["detail"]


def test_a_hanging_gtts_is_given_up_after_one_request(google):
    google.mode = "hang"
    speaker = Speaker(
        resolve_engines(
            "gtts,fake", {"GTTS_URL": google.url, "GTTS_TIMEOUT": DEADLINE, "GTTS_RETRIES": 3}
        )
    )
    engine, speech = bounded(lambda: speaker.speak_one("Hello there.", "en"), 30)
    assert engine.name == "fake" and len(speech.audio) > 300
    assert google.count == 1  # the timeout was not retried three times
    assert speaker.breaker.is_open("gtts")
    engine, _ = speaker.speak_one("Hello again.", "en")
    assert engine.name == "fake" and google.count == 1  # skipped while the breaker is open


def test_a_hanging_gtts_is_unreachable(google):
    google.mode = "hang"
    engine = GTTSEngine({"GTTS_URL": google.url, "GTTS_TIMEOUT": DEADLINE, "GTTS_RETRIES": 3})
    with pytest.raises(EngineError) as caught:
        bounded(lambda: engine.synthesize("Hello there.", "en"), 30)
    assert caught.value.unreachable and "LISTEN_GTTS_TIMEOUT" in caught.value.message
    assert google.count == 1


def test_a_gtts_answer_starting_with_an_id3_tag_is_audio(google):
    google.id3 = True
    engine = GTTSEngine({"GTTS_URL": google.url, "GTTS_RETRIES": 0})
    speech = engine.synthesize("The harbour bridge reopened on Saturday.", "en")
    assert 1000 < len(speech.audio) < 6000
    assert google.count == 1
    (sentence,) = speech.sentences
    assert abs(sentence[1] - len(speech.audio) / 1000) < 0.1


@pytest.mark.parametrize(
    ("data", "length"),
    [
        (b"", 0),
        (b"\xff\xf3\x44\xc4" + bytes(200), 0),  # frames, no tag
        (mp3.id3_tag("A title", "en") + b"\xff\xf3", len(mp3.id3_tag("A title", "en"))),
        (b"ID3\x04\x00\x10\x00\x00\x00\x05" + bytes(25), 10 + 5 + 10),  # with a footer
        (b"ID3\x03\x00\x00\x00\x00\x80\x05", 0),  # not syncsafe: not a tag
    ],
    ids=["empty", "frames", "our-tag", "footer", "not-syncsafe"],
)
def test_id3_length(data, length):
    assert mp3.id3_length(data) == length


def test_stored_copy_is_served_when_the_page_trickles(site, tmp_path):
    page = site("ok")
    settings = {"CACHE_DIR": str(tmp_path), "FETCH_TIMEOUT": DEADLINE, "FETCH_FRESH": 0}
    source = URLSource(page.url + "/a/{id}", settings)
    assert source.get("bridge").html == PAGE
    page.mode = "body"
    again = bounded(lambda: source.fetcher.get(source.url_for("bridge")), 3 * DEADLINE)
    assert again.origin == "stale" and again.body == PAGE


# ---------------------------------------------------------------- a stalled Redis


@pytest.fixture
def redis_server_(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real redis-server of this test's own (it gets SIGSTOPped)."""
    with redis_server(tmp_path) as server:
        yield server


@pytest.mark.redis
@pytest.mark.slow
def test_a_stalled_redis_stops_neither_cached_audio_nor_healthz(redis_server_, config):
    url, redis_proc = redis_server_
    # Cached audio made beforehand (the key does not depend on Redis), one article left cold.
    builder = create_app(config).extensions["listen"]
    entry = builder.audio(builder.article("harbour-bridge-reopens"))
    settings = {
        "LISTEN_SOURCE": config["SOURCE"],
        "LISTEN_CACHE_DIR": config["CACHE_DIR"],
        "LISTEN_ENGINES": "espeak",
        "LISTEN_REDIS_URL": url,
        "LISTEN_REDIS_TIMEOUT": "0.5",
        "LISTEN_REDIS_COOLDOWN": "2",
    }
    cached = [
        "/api/articles/harbour-bridge-reopens/audio.mp3",
        f"/audio/{entry.key}.mp3",
        "/api/articles/harbour-bridge-reopens",
        "/healthz",
    ]
    cold = "/api/articles/city-council-budget/audio.mp3"
    with listen_serve(settings) as base:
        assert get(f"{base}/readyz")[0] == 200
        redis_proc.send_signal(signal.SIGSTOP)
        try:
            results: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
            lock = threading.Lock()

            def ask(path: str) -> None:
                answer = get(base + path, timeout=5)
                with lock:
                    results.setdefault(path, []).append(answer)

            # More cold requests than the server has threads, and cached ones among them.
            paths = [cold] * 12 + cached * 3
            threads = [threading.Thread(target=ask, args=(p,), daemon=True) for p in paths]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
            assert sum(len(r) for r in results.values()) == len(paths)
            for status, headers, body in results[cold]:
                assert status == 503 and json.loads(body)["error"] == "queue_unavailable"
                assert int(headers["Retry-After"]) > 0
            for path in cached:
                assert [status for status, _, _ in results[path]] == [200] * 3, path
            (audio, *_) = results[cached[1]]
            assert audio[2] == entry.path.read_bytes()
            ready = get(f"{base}/readyz", timeout=5)
            assert ready[0] == 503 and not json.loads(ready[2])["checks"]["redis"]["ok"]
        finally:
            redis_proc.send_signal(signal.SIGCONT)
        # Redis is back: once the cooldown has passed, cold articles are queued again.
        for _ in range(100):
            status, _, body = get(f"{base}/api/articles/city-council-budget", timeout=5)
            if status == 200:
                break
            time.sleep(0.1)
        assert status == 200 and json.loads(body)["status"] == "pending"
        assert get(f"{base}/readyz", timeout=5)[0] == 200


def test_a_failed_redis_is_skipped_for_the_cooldown():
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = connect(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5, cooldown=30)
    with pytest.raises(RedisConnectionError) as first:
        client.ping()
    assert not isinstance(first.value, RedisDown)  # it was asked, and failed
    with pytest.raises(RedisDown, match="not asking it for"):
        client.ping()  # not asked again: refused at once
