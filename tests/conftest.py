"""Shared fixtures: app -> client -> runner, a local Google endpoint, sample articles."""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pydub import AudioSegment

from listen import create_app
from listen.service import Listen
from listen.sources import SAMPLES
from listen.storage import shapes
from listen.storage.cache import AudioCache

from fake_google import FakeGoogle

if TYPE_CHECKING:
    from wordpress_site import MariaDB

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def closed_port_url() -> str:
    """A batchexecute URL on 127.0.0.1 where nothing listens: 'Google is unreachable'."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/_/TranslateWebserverUi/data/batchexecute"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="session")
def google_server() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    """A real MariaDB on a socket in a temporary folder, for the WordPress sites of the
    tests (each site has its own database in it); skips when its packages are missing."""
    from wordpress_site import mariadb, missing  # it imports this module

    reason = missing()
    if reason:
        pytest.skip(reason)
    with mariadb(tmp_path_factory.mktemp("mariadb")) as db:
        yield db


@pytest.fixture
def google(google_server: FakeGoogle) -> Iterator[FakeGoogle]:
    """The local Google endpoint, reset to healthy before and after each test."""
    google_server.reset()
    yield google_server
    google_server.reset()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample articles."""
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


@pytest.fixture
def config(tmp_path: Path, articles: Path) -> dict[str, Any]:
    """Test settings: a private cache, the sample copy, Google never reached, the fake
    engine's tones (tests of real speech name their engine and are ``slow``), and no
    upgrades of fallback audio."""
    return {
        "TESTING": True,
        "CACHE_DIR": str(tmp_path / "cache"),
        "SOURCE": str(articles),
        "ENGINES": "fake",
        "GTTS_URL": closed_port_url(),
        # The local endpoint encodes each answer with ffmpeg (and espeak-ng where it is
        # installed): with an article's requests in flight at once on a busy CI machine one
        # can take seconds. Tests of deadlines set their own.
        "GTTS_TIMEOUT": 15.0,
        # An upgrader would go on asking the session's fake Google after its test ended
        # (tests/test_upgrade.py turns it on).
        "UPGRADE_FALLBACK": False,
    }


class BufferedClient(FlaskClient):
    """A test client that reads and closes every response, as a real client would."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def buffered_test_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Flask, "test_client_class", BufferedClient)


@pytest.fixture
def app(config: dict[str, Any]) -> Flask:
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose environment carries the test settings."""
    for name, value in config.items():
        if name != "TESTING":
            monkeypatch.setenv(f"LISTEN_{name}", str(value))
    return CliRunner()


@dataclass(frozen=True)
class Stored:
    """The service's cache folder as a test sees it on disk: its articles and segments."""

    articles: AudioCache
    segments: AudioCache


def stored(listen: Listen) -> Stored:
    """The cache folder of ``listen``, read by caches of the test's own (another process's view)."""
    root = Path(listen.config["CACHE_DIR"])
    return Stored(
        AudioCache(root, shape=shapes.ARTICLE), AudioCache(root / "segments", shape=shapes.SEGMENT)
    )


def encode_segment(speech: Any, *, target_lufs: float = -16.0, bitrate_kbps: int = 48) -> Any:
    """One passage of speech leveled, faded and encoded as the build does it (frames kept
    in memory, as no folder is given)."""
    from listen.audio.stitch import SegmentEncoder

    encoder = SegmentEncoder(
        engine="e", voice="v", target_lufs=target_lufs, bitrate_kbps=bitrate_kbps
    )
    encoder.add(speech)
    return encoder.finish()


def decode_mp3(data: bytes) -> AudioSegment:
    return AudioSegment.from_file(io.BytesIO(data), format="mp3")


def write_article(folder: Path, article_id: str, **fields: Any) -> Path:
    path = folder / f"{article_id}.json"
    path.write_text(json.dumps(fields), "utf-8")
    return path


@pytest.fixture(scope="session")
def corpus_langid() -> list[dict[str, str]]:
    path = CORPUS / "langid.jsonl"
    if not path.exists():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
"""Debian's Chromium: tests never download a browser of their own."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, with no network of its own."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: ./dev test installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The publisher's web server, on another origin: (its folder, its base URL)."""
    root = tmp_path_factory.mktemp("publisher")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


AXE = Path(__file__).resolve().parents[1] / ".cache/npm/node_modules/axe-core/axe.min.js"


def js(host: str, expr: str) -> str:
    """A function evaluated in the page, with the player of div #host at hand:
    r its shadow root, p its .listen-player, a its <audio>."""
    return (
        f"() => {{ const h = document.getElementById({host!r}), r = h && h.shadowRoot;"
        " const p = r && r.querySelector('.listen-player'), a = r && r.querySelector('audio');"
        f" return {expr}; }}"
    )


def wait(page: Any, host: str, expr: str, timeout: float = 20_000) -> None:
    page.wait_for_function(js(host, f"!!(p && ({expr}))"), timeout=timeout)


def value(page: Any, host: str, expr: str) -> Any:
    return page.evaluate(js(host, expr))


def axe_violations(target: Any) -> list[str]:
    """axe-core's WCAG 2.x A/AA (and best-practice) violations on a page or frame, as
    "rule: selector" lines (the open shadow roots of the players included)."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: ./dev test installs it (npm, into .cache/npm)")
    if not target.evaluate("() => !!window.axe"):
        target.add_script_tag(path=str(AXE))
    return list(
        target.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.flatMap(v => v.nodes.map(n =>
                    v.id + ': ' + n.target.join(' ') + ' ' + (n.failureSummary || '')));
            }"""
        )
    )


@contextmanager
def listen_serve(settings: dict[str, str], workers: int = 1, threads: int = 8) -> Iterator[str]:
    """A real `listen serve` (gunicorn) with these LISTEN_* settings; yields its base URL."""
    port = free_port()
    listen = Path(sys.executable).with_name("listen")
    proc = subprocess.Popen(
        [str(listen), "serve", "--port", str(port), "--workers", str(workers)]
        + ["--threads", str(threads)],
        env={**os.environ, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


@contextmanager
def redis_server(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real redis-server on 127.0.0.1 keeping nothing on disk; yields its URL and process."""
    if not Path(REDIS).exists():
        pytest.fail("redis-server is not installed: ./dev test installs it (apt-get)")
    from redis import Redis

    port = free_port()
    persistence = ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", *persistence],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Redis(port=port, socket_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        client.close()
        proc.send_signal(signal.SIGCONT)  # a test may have stopped it
        proc.terminate()
        proc.wait(10)
