"""CLI: ``listen serve | clean | speak | prewarm | cache | settings``."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from listen.errors import BadInput, ListenError
from listen.logs import configure_logging
from listen.pipeline import Listen
from listen.settings import DEFAULTS, SETTINGS, from_env
from listen.sources.files import parse_bytes, read_path

T = TypeVar("T")


def load_service(**overrides: Any) -> Listen:
    """The service configured from the environment, as the web app would be (without Flask)."""
    import os

    config = {**DEFAULTS, **from_env(os.environ)}
    config.update({k: v for k, v in overrides.items() if v is not None})
    return Listen(config)


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

    configure_logging(log_level or os.environ.get("LISTEN_LOG_LEVEL", "WARNING"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Threads per worker.",
)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API, audio and player with gunicorn."""
    from gunicorn.app.base import BaseApplication

    with user_errors():
        load_service()  # fail fast, with a clear message, on bad settings

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 300)
            self.cfg.set("accesslog", "-")

        def load(self) -> Any:
            from listen.wsgi import app

            return app

    click.echo(f"listen serving on http://{host}:{port}", err=True)
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
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def prewarm(ids: tuple[str, ...], all_: bool, concurrency: int, as_json: bool) -> None:
    """Synthesize and cache articles ahead of readers."""
    with user_errors():
        listen = load_service()
        wanted = list(listen.source.ids()) if all_ else list(ids)
    if not wanted:
        fail("name article IDs or use --all", 2)
    done: dict[str, list[Any]] = {"synthesized": [], "cached": [], "failed": []}

    def one(article_id: str) -> tuple[str, str | None]:
        try:
            article = listen.article(article_id)
            if listen.lookup(article) is not None:
                return "cached", None
            listen.audio(article)
            return "synthesized", None
        except ListenError as exc:
            return "failed", exc.message

    progress: Any = click.progressbar(length=len(wanted), label="prewarm", file=sys.stderr)
    with ThreadPoolExecutor(concurrency) as pool, progress as bar:
        futures = {pool.submit(one, article_id): article_id for article_id in wanted}
        for future in as_completed(futures):
            outcome, reason = future.result()
            article_id = futures[future]
            done[outcome].append({"id": article_id, "reason": reason} if reason else article_id)
            bar.update(1)
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


@main.group()
def cache() -> None:
    """Inspect or empty the audio cache."""


@cache.command("stats")
@click.option("--json", "as_json", is_flag=True)
def cache_stats(as_json: bool) -> None:
    """Entries, bytes and audio duration in the cache."""
    with user_errors():
        stats = load_service().cache.stats()
    if as_json:
        click.echo(json.dumps(stats))
    else:
        for name, value in stats.items():
            click.echo(f"{name}: {value}")


@cache.command("purge")
@click.argument("ids", nargs=-1)
@click.option("--yes", is_flag=True, help="Purge everything without asking.")
def cache_purge(ids: tuple[str, ...], yes: bool) -> None:
    """Drop cached audio of these articles, or of every article."""
    with user_errors():
        listen = load_service()
        if not ids and not yes:
            click.confirm(f"Drop all cached audio in {listen.cache.root}?", abort=True)
        removed = listen.purge(list(ids) if ids else None)
    click.echo(f"removed {removed} cached audio file(s)")


@main.command("settings")
def settings_cmd() -> None:
    """List every LISTEN_* setting with its default and help."""
    for s in SETTINGS:
        click.echo(f"{s.env} (default {s.default!r})\n    {s.help}")
