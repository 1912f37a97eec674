"""The deployed topology with real processes: redis-server, gunicorn (two web
processes) and two `listen worker`s, as docker-compose.yml runs them."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from listen.engines.gtts.chunk import chunks

from conftest import decode_mp3, free_port, redis_server, wait_http, write_article

pytestmark = [pytest.mark.redis, pytest.mark.slow]

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as (url, _proc):
        yield url


class Topology:
    def __init__(self, root: Path, redis_url: str, google_url: str, **settings: str) -> None:
        self.root = root
        self.articles = root / "articles"
        self.articles.mkdir()
        self.env = {
            **os.environ,
            "LISTEN_REDIS_URL": redis_url,
            "LISTEN_SOURCE": str(self.articles),
            "LISTEN_CACHE_DIR": str(root / "cache"),
            "LISTEN_ENGINES": "gtts",
            "LISTEN_GTTS_URL": google_url,
            "LISTEN_GTTS_RETRIES": "0",
            "LISTEN_SYNTH_WORKERS": "1",
            "LISTEN_SYNTH_LOOKAHEAD": "1",
            "LISTEN_LOCK_TTL": "3",
            "LISTEN_LOG_LEVEL": "INFO",
            **{f"LISTEN_{name}": value for name, value in settings.items()},
        }
        self.port = free_port()
        web_log = open(root / "web.log", "ab")  # noqa: SIM115 - the child keeps its own copy
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "16",
                "--timeout",
                "120",
                "listen.wsgi:app",
            ],
            env=self.env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=web_log,
        )
        web_log.close()
        self.workers = {name: self.start_worker(name) for name in ("w1", "w2")}
        wait_http(f"{self.base}/healthz")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            [str(BIN / "listen"), "worker", "--name", name], env=self.env, stdout=log, stderr=log
        )
        log.close()
        return proc

    def stop(self) -> None:
        for proc in [self.web, *self.workers.values()]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [self.web, *self.workers.values()]:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def service(self):  # a client-side Listen with the same settings
        from listen.cli import load_service
        from listen.settings import from_env

        return load_service(**from_env(self.env))


@pytest.fixture
def topology(tmp_path, redis_url, google) -> Iterator[Topology]:
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    google.latency = 0.05
    world = Topology(tmp_path, redis_url, google.url)
    try:
        yield world
    finally:
        world.stop()


def paragraphs(n: int, tag: str) -> str:
    return "\n".join(
        f"Paragraph {i} of the {tag} story, spoken by a worker for the readers." for i in range(n)
    )


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.status, response.read()


def test_jobs_run_on_two_workers(topology):
    for i in range(6):
        write_article(
            topology.articles,
            f"a{i}",
            title=f"Article {i}",
            language="en",
            text=paragraphs(6, f"number {i}"),
        )
    result = subprocess.run(
        [str(BIN / "listen"), "prewarm", "--all", "--concurrency", "6", "--json"],
        env=topology.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["synthesized"] == 6 and report["failed"] == 0
    from rq.job import Job

    service = topology.service()
    ran_on = set()
    for i in range(6):
        article = service.article(f"a{i}")
        assert service.lookup(article) is not None
        job = Job.fetch(f"build-{service.article_key(article)}", connection=service.redis)
        ran_on.add(job.worker_name)
    assert ran_on == {"w1", "w2"}  # both workers took jobs


def test_thirty_cold_requests_over_two_web_processes_make_one_synthesis(topology, google):
    write_article(
        topology.articles,
        "hot",
        title="Everyone wants this",
        language="en",
        text=paragraphs(8, "popular"),
    )
    google.latency = 0.2
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def listen() -> None:
        got = fetch(f"{topology.base}/api/articles/hot/audio.mp3")
        with lock:
            results.append(got)

    threads = [threading.Thread(target=listen) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert [status for status, _ in results] == [200] * 30
    assert len({body for _, body in results}) == 1  # every listener got the whole file
    service = topology.service()
    article = service.article("hot")
    assert service.lookup(article).path.read_bytes() == results[0][1]
    assert google.count == sum(len(chunks(text)) for text, _ in article.spoken_pieces)


def test_a_killed_worker_loses_nothing(topology, google):
    write_article(
        topology.articles, "long", title="A long one", language="en", text=paragraphs(20, "long")
    )
    google.latency = 0.3
    service = topology.service()
    article = service.article("long")
    key = service.article_key(article)
    service.queue.enqueue(article.id, key)
    from rq.job import Job

    deadline = time.monotonic() + 60
    job = Job.fetch(f"build-{key}", connection=service.redis)
    cache_dir = Path(topology.env["LISTEN_CACHE_DIR"])
    while not (job.worker_name and list(cache_dir.glob(f"??/{key}*.part"))):
        assert time.monotonic() < deadline, "no worker started the job"
        time.sleep(0.05)
        job = Job.fetch(f"build-{key}", connection=service.redis)
    victim = job.worker_name
    time.sleep(1.0)  # mid-job: some paragraphs written, most not
    assert service.lookup(article) is None
    topology.workers[victim].send_signal(signal.SIGKILL)
    topology.workers[victim].wait(10)
    # nothing partial is ever an entry of the cache...
    assert service.lookup(article) is None
    # A listener who was following the dead worker's file is cut off (an incomplete
    # response, never one that looks complete); asking again, as players do, gets it all.
    for _attempt in range(3):
        try:
            status, body = fetch(f"{topology.base}/api/articles/long/audio.mp3")
            break
        except http.client.IncompleteRead:
            continue
    # ...and the job ran again on the other worker, to the end
    assert status == 200
    entry = service.lookup(article)
    assert entry is not None and body == entry.path.read_bytes()
    audio = decode_mp3(body)
    assert abs(len(audio) / 1000 - entry.meta["duration_s"]) < 0.1
    assert len(entry.meta["timings"]) == 21
    job = Job.fetch(f"build-{key}", connection=service.redis)
    assert job.worker_name != victim
    assert not list(Path(topology.env["LISTEN_CACHE_DIR"]).glob("??/*.part"))


def test_a_worker_upgrades_what_it_built_with_a_fallback(tmp_path, redis_url, google):
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    world = Topology(tmp_path, redis_url, google.url, ENGINES="gtts,fake", ENGINE_COOLDOWN="3")
    try:
        write_article(
            world.articles, "late", title="A late story", language="en", text=paragraphs(3, "late")
        )
        google.mode = "500"  # the worker's Google is down: the fake engine speaks
        status, old = fetch(f"{world.base}/api/articles/late/audio.mp3")
        assert status == 200
        google.mode = "ok"
        google.clear_requests()
        _, body = fetch(f"{world.base}/api/articles/late")
        before = json.loads(body)
        assert before["engine"] == "fake"
        deadline = time.monotonic() + 60
        while (after := json.loads(fetch(f"{world.base}/api/articles/late")[1]))[
            "engine"
        ] != "gtts":
            assert time.monotonic() < deadline, "no upgrade"
            time.sleep(0.2)
        # The worker that built it upgraded it, once; the web processes only enqueue.
        service = world.service()
        article = service.article("late")
        assert google.count == sum(len(chunks(text)) for text, _ in article.spoken_pieces)
        assert after["audio_url"] != before["audio_url"]
        assert fetch(before["audio_url"])[1] == old  # the old address still serves its bytes
        new = fetch(after["audio_url"])[1]
        assert new != old and decode_mp3(new).duration_seconds > 1
        logs = "".join((tmp_path / f"{name}.log").read_text() for name in ("w1", "w2"))
        assert logs.count("upgraded late: 4 of 4 pieces spoken again by gtts (was fake)") == 1
    finally:
        world.stop()
