"""Prewarm: article IDs -> their audio built ahead of readers, or what that would take.

:func:`prewarm` builds (or, with ``LISTEN_REDIS_URL``, queues for the workers and waits
for) every article without audio, a few at once, and reports which were synthesized,
already cached or failed and why. It resumes: an article that has audio already is
skipped without fetching it (one look at the cache) unless ``check`` asks to fetch it
and see whether its text changed. :func:`estimate` is the dry run: characters, engine
requests and about how long it would take. ``listen prewarm`` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Literal

from listen.engines.gtts.chunk import chunks
from listen.errors import BadInput, ListenError
from listen.service import Listen

Outcome = Literal["synthesized", "cached", "failed"]

REALTIME = {"piper": 20.0, "espeak": 300.0}
"""Seconds of speech an engine makes per second on one core (bench/synthesis)."""
CHARACTERS_PER_SECOND = 15.0
"""Characters of text a voice says in a second."""
GTTS_REQUEST_S = 0.25
"""Seconds one gTTS request takes (for the estimate)."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:]+)?")


def listed(listen: Listen, since: str | None = None) -> Iterator[str]:
    """Every article ID the source lists, or those modified since ``since`` (a date).

    Raises:
        BadInput: ``since`` is not a date, or the source cannot list by date.
    """
    if since is not None and not _DATE.fullmatch(since):
        raise BadInput(f"--since {since!r}: use a date like 2026-01-31")
    return listen.ids(since=since)


def prewarm(
    listen: Listen,
    ids: Iterable[str],
    *,
    concurrency: int = 2,
    check: bool = False,
    progress: Callable[[], object] = lambda: None,
) -> dict[Outcome, list[Any]]:
    """Build the audio of every article in ``ids`` that has none; what became of each:
    IDs synthesized or already cached, and ``{"id", "reason"}`` of those that failed.
    ``progress`` is called once per article done."""
    have = set() if check else {e.meta.get("id") for e in listen.entries()}
    done: dict[Outcome, list[Any]] = {"synthesized": [], "cached": [], "failed": []}

    def one(article_id: str) -> tuple[Outcome, str | None]:
        if article_id in have:
            return "cached", None
        try:
            article = listen.article(article_id)
            if listen.lookup(article) is not None:
                return "cached", None
            listen.audio(article)  # a queued job on a worker, with LISTEN_REDIS_URL
            return "synthesized", None
        except ListenError as exc:
            return "failed", exc.message

    with ThreadPoolExecutor(concurrency) as pool:
        futures = {pool.submit(one, article_id): article_id for article_id in ids}
        for future in as_completed(futures):
            outcome, reason = future.result()
            article_id = futures[future]
            done[outcome].append({"id": article_id, "reason": reason} if reason else article_id)
            progress()
    return done


def estimate(listen: Listen, ids: Iterable[str]) -> dict[str, Any]:
    """What a prewarm of ``ids`` would cost: characters, engine requests, seconds."""
    report: dict[str, Any] = {
        "articles": 0,
        "cached": 0,
        "characters": 0,
        "engine_requests": 0,
        "failed": [],
    }
    first = listen.engines[0].name if listen.engines else ""
    for article_id in ids:
        report["articles"] += 1
        try:
            article = listen.article(article_id)
        except ListenError as exc:
            report["failed"].append({"id": article_id, "reason": exc.message})
            continue
        if listen.lookup(article) is not None:
            report["cached"] += 1
            continue
        report["characters"] += article.chars
        report["engine_requests"] += sum(
            len(chunks(text)) if first == "gtts" else 1 for text, _ in article.spoken_pieces
        )
    report["estimated_s"] = round(_seconds(listen, first or "espeak", report), 1)
    return report


def _seconds(listen: Listen, engine: str, report: dict[str, Any]) -> float:
    if engine == "gtts":
        rate = listen.config["GTTS_RATE"] or 1000.0
        per_second = min(rate, listen.config["GTTS_CONCURRENCY"] / GTTS_REQUEST_S)
        return float(report["engine_requests"] / per_second)
    speech_seconds: float = report["characters"] / CHARACTERS_PER_SECOND
    return speech_seconds / REALTIME.get(engine, 20.0)
