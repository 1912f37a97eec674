"""CLI: ``listen serve | clean | speak | prewarm | worker | stats | cache stats|evict|purge |
settings``.

Argument handling only: every command loads the settings as the web app does, calls the
service (or :mod:`listen.prewarm`, :mod:`listen.queue.reaper`) and turns a
:class:`~listen.errors.ListenError` into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from listen.errors import BadInput, ListenError
from listen.logs import configure_logging
from listen.service import Listen
from listen.settings import DEFAULTS, SETTINGS, Settings, load
from listen.sources.files import parse_bytes, read_path

T = TypeVar("T")


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment, as the web app and the worker load them, with
    ``overrides`` (CLI options; None leaves a setting as it is) on top.

    Raises:
        ConfigError: a bad setting, in one line naming its variable.
    """
    import os

    return load(overrides, environ=os.environ)


def load_service(**overrides: Any) -> Listen:
    """The service configured from the environment, as the web app would be (without Flask)."""
    return Listen(load_settings(**overrides))


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the service's errors into a one-line message and a non-zero exit."""
    try:
        yield
    except ListenError as exc:
        fail(exc.message, 2 if exc.status < 500 else 1)


def guarded(fn: Callable[[], T]) -> T | ListenError:
    try:
        return fn()
    except ListenError as exc:
        return exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING… (default LISTEN_LOG_LEVEL)")
def main(log_level: str | None) -> None:
    """listen: turn news articles into speech, cache it, and serve an embeddable player."""
    import os

    with user_errors():  # every command stops on a bad setting, before doing anything
        settings = load_settings(LOG_LEVEL=log_level)
    chosen = log_level is not None or "LISTEN_LOG_LEVEL" in os.environ
    configure_logging(settings.LOG_LEVEL if chosen else "WARNING", settings.LOG_FORMAT)


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def setting_help(text: str, name: str) -> str:
    """A flag's help: what it sets, and the setting it overrides with that setting's default."""
    return f"{text} [default: LISTEN_{name}, else {DEFAULTS[name]}]"


@main.command()
@click.option("--host", default=None, help=setting_help("Address to listen on.", "HOST"))
@click.option("--port", default=None, type=int, help=setting_help("TCP port.", "PORT"))
@click.option(
    "--workers", default=None, type=int, help=setting_help("gunicorn worker processes.", "WORKERS")
)
@click.option(
    "--threads", default=None, type=int, help=setting_help("Threads per worker.", "THREADS")
)
def serve(host: str | None, port: int | None, workers: int | None, threads: int | None) -> None:
    """Serve the API, audio and player with gunicorn (listen/web/gunicorn_conf.py)."""
    from gunicorn.app.base import BaseApplication

    from listen.web import hosts

    with user_errors():
        # fail fast, with a clear message, on bad settings
        listen = load_service(HOST=host, PORT=port, WORKERS=workers, THREADS=threads)
        from listen.web import gunicorn_conf

        options = gunicorn_conf.settings(listen.config)
        public, trusted = hosts.from_config(listen.config)
    if public is None and not trusted and listen.config["HOST"] not in LOOPBACK:
        click.echo(
            "Warning: LISTEN_PUBLIC_URL and LISTEN_TRUSTED_HOSTS are unset: absolute URLs "
            "(feed, oEmbed, API) follow each request's Host header. Set them in production.",
            err=True,
        )

    class Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            from listen.wsgi import app

            return app

    click.echo(f"listen serving on http://{options['bind'][0]}", err=True)
    Server().run()


def read_input(path: str) -> tuple[str, Any]:
    """Read one CLI input (a file or "-" for stdin) into a raw article."""
    if path == "-":
        return "-", parse_bytes(sys.stdin.buffer.read(), "", "stdin")
    p = Path(path)
    if not p.is_file():
        raise BadInput(f"{path}: no such file")
    article_id = p.stem if p.suffix.lower() in (".html", ".htm", ".txt", ".json") else "input"
    if p.suffix.lower() not in (".html", ".htm", ".txt", ".json"):
        return path, parse_bytes(p.read_bytes(), "", article_id)
    return path, read_path(p, article_id)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input line.")
@click.argument("paths", nargs=-1, required=True)
def clean(as_json: bool, paths: tuple[str, ...]) -> None:
    """Print what would be spoken of each input (.html, .txt, .json, or - for stdin).

    One line per input, in order. A failed input prints an error line (with
    --json, {"path", "error", "message"}) and makes the exit status 1.
    """
    with user_errors():
        listen = load_service()
    failed = False
    for path in paths:
        result = guarded(lambda path=path: listen.prepare(read_input(path)[1]))  # type: ignore[misc]
        if isinstance(result, ListenError):
            failed = True
            if as_json:
                click.echo(json.dumps({"path": path, **result.to_dict()}, ensure_ascii=False))
            else:
                click.echo(f"{path}: error: {result.message}")
            continue
        if as_json:
            click.echo(json.dumps(result.to_dict(spoken=True), ensure_ascii=False))
        else:
            click.echo(f"[{result.language}] " + " ¶ ".join(result.pieces))
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("path")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the MP3."
)
@click.option("--engine", default=None, help="Use only this engine (gtts, piper, espeak).")
@click.option(
    "--language",
    type=click.Choice(["en", "es"]),
    default=None,
    help="Speak in this language instead of the detected one.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Synthesize every paragraph again, and leave the cache as it is.",
)
def speak(path: str, output: str, engine: str | None, language: str | None, no_cache: bool) -> None:
    """Speak one article file (.html, .txt, .json, or -) into an MP3.

    Paragraphs already spoken (by this command or the service) come from the cache.
    """
    with user_errors(), tempfile.TemporaryDirectory(prefix="listen-speak-") as scratch:
        listen = load_service(ENGINES=engine, CACHE_DIR=scratch if no_cache else None)
        _, raw = read_input(path)
        if language:
            raw = type(raw)(**{**raw.__dict__, "language": language})
        article = listen.prepare(raw)
        entry = listen.audio(article)
        shutil.copyfile(entry.path, output)
    click.echo(
        f"{output}: {entry.meta['duration_s']:.1f} s, {article.language}, {entry.meta['engine']}",
        err=True,
    )


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every article the source lists.")
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="With --all: only articles modified since DATE (YYYY-MM-DD; WordPress).",
)
@click.option(
    "--concurrency",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Articles in progress at once (queued jobs, with LISTEN_REDIS_URL).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what it would take (characters, engine requests, time); do nothing.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Fetch every article to see whether its text changed, instead of "
    "skipping articles that have audio already.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def prewarm(
    ids: tuple[str, ...],
    all_: bool,
    since: str | None,
    concurrency: int,
    dry_run: bool,
    check: bool,
    as_json: bool,
) -> None:
    """Synthesize and cache articles ahead of readers.

    Resumable: an article that has audio already is skipped without fetching it
    (one look at the cache), so a run that was stopped picks up where it was.
    Exits 1 if any article failed, listing their IDs and reasons.
    """
    from listen import prewarm as prewarming

    with user_errors():
        listen = load_service()
        if since and not all_:
            fail("--since goes with --all", 2)
        wanted = list(prewarming.listed(listen, since)) if all_ else list(ids)
    if not wanted:
        fail("name article IDs or use --all", 2)
    if dry_run:
        _print_estimate(prewarming.estimate(listen, wanted), as_json)
        return
    progress: Any = click.progressbar(
        length=len(wanted), label="prewarm", file=sys.stderr, show_eta=True, show_pos=True
    )
    with progress as bar:
        done = prewarming.prewarm(
            listen, wanted, concurrency=concurrency, check=check, progress=lambda: bar.update(1)
        )
    summary = {k: len(v) for k, v in done.items()}
    if as_json:
        click.echo(json.dumps({**summary, "failures": done["failed"]}))
    else:
        click.echo(
            f"synthesized {summary['synthesized']}, already cached {summary['cached']}, "
            f"failed {summary['failed']}"
        )
        for failure in done["failed"]:
            click.echo(f"  {failure['id']}: {failure['reason']}", err=True)
    sys.exit(1 if done["failed"] else 0)


def _print_estimate(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(
        f"{report['articles']} articles ({report['cached']} already cached): "
        f"{report['characters']:,} characters, {report['engine_requests']:,} engine requests, "
        f"about {report['estimated_s'] / 60:.1f} minutes"
    )
    for failure in report["failed"]:
        click.echo(f"  {failure['id']}: {failure['reason']}", err=True)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", default=None, help="Worker name (default: host and process ID).")
def worker(burst: bool, name: str | None) -> None:
    """Run a synthesis worker: builds articles queued on Redis (LISTEN_REDIS_URL)."""
    import os
    import threading

    from rq.worker import SimpleWorker

    from listen.queue import JobQueue, jobs, reaper

    with user_errors():
        listen = jobs.service()
        if listen.redis is None:
            fail("listen worker needs LISTEN_REDIS_URL (a Redis to take jobs from)", 2)
        listen.redis.ping()
    stop = threading.Event()
    # Jobs of workers that died (kill -9) go back to the queue once their lock expires.
    reaper.start(listen, JobQueue(listen.redis, listen.config["QUEUE"]), stop)
    # SimpleWorker runs jobs in this process: the voices stay loaded between jobs.
    rq_worker = SimpleWorker(
        [listen.config["QUEUE"]], connection=listen.redis, name=name or f"listen-{os.getpid()}"
    )
    try:
        rq_worker.work(burst=burst, with_scheduler=False)
    finally:
        stop.set()


@main.command()
@click.option("--since", default=None, metavar="DATE", help="From this UTC day on (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def stats(since: str | None, as_json: bool) -> None:
    """Plays, completion rate and minutes listened per article (and per day)."""
    from datetime import date

    from listen.analytics.counts import Counts

    try:
        first = date.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since {str(since)[:40]!r}: give a day as YYYY-MM-DD", 2)
        return
    with user_errors():
        counts = Counts(load_settings().CACHE_DIR)
        articles, days = counts.per_article(first), counts.per_day(first)
    if as_json:
        report = {
            "since": since,
            "articles": [t.to_dict("article") for t in articles],
            "days": [t.to_dict("day") for t in days],
        }
        click.echo(json.dumps(report))
        return
    if not articles:
        click.echo("No listening counted" + (f" since {since}." if since else " yet."))
        return
    width = max(len("article"), *(len(t.key) for t in articles))
    click.echo(f"{'article':<{width}}  {'plays':>6}  {'completion':>10}  {'minutes':>8}")
    for t in articles:
        done = "-" if t.completion is None else f"{t.completion:.0%}"
        click.echo(f"{t.key:<{width}}  {t.plays:>6}  {done:>10}  {t.minutes:>8.1f}")
    click.echo("")
    click.echo(f"{'day':<10}  {'plays':>6}  {'minutes':>8}")
    for t in days:
        click.echo(f"{t.key:<10}  {t.plays:>6}  {t.minutes:>8.1f}")


@main.group()
def cache() -> None:
    """Inspect or empty the audio cache."""


@cache.command("stats")
@click.option("--json", "as_json", is_flag=True)
def cache_stats(as_json: bool) -> None:
    """Entries, bytes (articles, segments, total), audio duration and hit rate."""
    with user_errors():
        stats = load_service().cache_stats()
    if as_json:
        click.echo(json.dumps(stats))
    else:
        for name, value in stats.items():
            click.echo(f"{name}: {value}")


@cache.command("evict")
@click.option("--json", "as_json", is_flag=True)
def cache_evict(as_json: bool) -> None:
    """Remove least recently played audio until the cache fits LISTEN_CACHE_MAX_BYTES."""
    with user_errors():
        report = load_service().evict()
    if as_json:
        click.echo(json.dumps(report))
        return
    for removed in report["articles"]:
        click.echo(f"removed {removed['id']} ({removed['key'][:12]}, {removed['bytes']} bytes)")
    click.echo(
        f"evicted {len(report['articles'])} article(s) and {report['segments']} segment(s): "
        f"{report['bytes_before']} -> {report['bytes_after']} bytes "
        f"(LISTEN_CACHE_MAX_BYTES={report['max_bytes']})"
    )


@cache.command("purge")
@click.argument("ids", nargs=-1)
@click.option("--yes", is_flag=True, help="Purge everything without asking.")
def cache_purge(ids: tuple[str, ...], yes: bool) -> None:
    """Drop cached audio of these articles, or of every article."""
    with user_errors():
        listen = load_service()
        if not ids and not yes:
            click.confirm(f"Drop all cached audio in {listen.cache_root}?", abort=True)
        removed = listen.purge(list(ids) if ids else None)
    click.echo(f"removed {removed} cached audio file(s)")


@main.command("settings")
def settings_cmd() -> None:
    """List every LISTEN_* setting with its default and help."""
    for s in SETTINGS:
        click.echo(f"{s.env} (default {s.default!r})\n    {s.help}")
