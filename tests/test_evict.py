"""Cache bounds: least-recently-played eviction, shared segments, hit rate (espeak, fast)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from listen.cli import main
from listen.service import Listen
from listen.settings import load
from listen.storage.cache import Entry
from listen.storage.evict import evict

from conftest import write_article


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    # One build at a time: a no-op submitted after a build runs once its eviction is done.
    return {**config, "SYNTH_BUILDS": 1}


@pytest.fixture
def listen(app) -> Listen:
    return app.extensions["listen"]


def idle(listen: Listen) -> None:
    """Wait until the builds started so far, and the evictions after them, are done."""
    listen.builder._runner.submit(lambda: None).result(timeout=60)


def bound(listen: Listen, max_bytes: int) -> None:
    """Set the service's LISTEN_CACHE_MAX_BYTES (settings are frozen: a new copy)."""
    listen.config = load({**listen.config, "CACHE_MAX_BYTES": max_bytes})


def play(client, listen: Listen, article_id: str) -> None:
    response = client.get(f"/api/articles/{article_id}/audio.mp3")
    assert response.status_code == 200 and len(response.data) > 1000
    idle(listen)


def entry(listen: Listen, article_id: str) -> Entry | None:
    return listen.lookup(listen.article(article_id))


def size(listen: Listen, article_id: str) -> int:
    """Bytes of the article and of its segments."""
    found = entry(listen, article_id)
    assert found is not None
    keys = found.meta["segments"]
    return found.meta["bytes"] + sum(listen.segments.get(k).meta["bytes"] for k in keys)  # type: ignore[union-attr]


def total(listen: Listen) -> int:
    return sum(e.meta["bytes"] for e in listen.cache.entries()) + sum(
        e.meta["bytes"] for e in listen.segments.entries()
    )


def add_reports(articles) -> None:
    for name, place in (
        ("alpha", "northern bridge"),
        ("bravo", "southern tunnel"),
        ("charlie", "eastern harbour"),
    ):
        write_article(
            articles,
            name,
            title=f"The {name} report",
            text=f"The {name} team finished the {place} survey on Monday morning.",
        )


def test_least_recently_played_article_is_evicted(client, listen, articles):
    add_reports(articles)
    play(client, listen, "alpha")
    play(client, listen, "bravo")
    play(client, listen, "alpha")  # a hit: alpha is now more recently played than bravo
    meta = entry(listen, "alpha").meta  # type: ignore[union-attr]
    assert len(meta["segments"]) == 2 and all(listen.segments.get(k) for k in meta["segments"])
    bound(listen, total(listen) + size(listen, "bravo") // 2)
    play(client, listen, "charlie")  # its build evicts
    assert entry(listen, "bravo") is None
    assert entry(listen, "alpha") is not None and entry(listen, "charlie") is not None
    assert total(listen) <= listen.config["CACHE_MAX_BYTES"]


def add_sharing(articles) -> None:
    shared = "Both stories end with this same closing paragraph about the weather."
    write_article(
        articles, "first", title="First story", text=f"Only the first story says this.\n\n{shared}"
    )
    write_article(
        articles,
        "second",
        title="Second story",
        text=f"Only the second story says that.\n\n{shared}",
    )


def test_shared_segment_survives_and_cli_evicts(client, listen, articles, runner, monkeypatch):
    add_sharing(articles)
    play(client, listen, "first")
    play(client, listen, "second")
    first = entry(listen, "first").meta["segments"]  # type: ignore[union-attr]
    second = entry(listen, "second").meta["segments"]  # type: ignore[union-attr]
    (shared,) = set(first) & set(second)
    monkeypatch.setenv("LISTEN_CACHE_MAX_BYTES", str(total(listen) - 1))
    result = runner.invoke(main, ["cache", "evict", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [a["id"] for a in report["articles"]] == ["first"]
    assert report["segments"] == 2 and report["bytes_after"] <= report["max_bytes"]
    assert entry(listen, "first") is None and entry(listen, "second") is not None
    assert listen.segments.get(shared) is not None
    assert all(listen.segments.get(k) is None for k in first if k != shared)
    assert all(listen.segments.get(k) is not None for k in second)
    text = runner.invoke(main, ["cache", "evict"])  # fits now: nothing to do
    assert text.exit_code == 0 and "evicted 0 article(s)" in text.output


def test_article_being_built_is_never_evicted(client, listen, articles):
    add_reports(articles)
    play(client, listen, "alpha")
    play(client, listen, "bravo")
    key = entry(listen, "alpha").key  # type: ignore[union-attr]
    bound(listen, 1)
    with listen.cache.lock(key):  # as a build of alpha would
        report = evict(listen)
    assert report["kept_building"] == [key]
    assert entry(listen, "alpha") is not None and entry(listen, "bravo") is None
    assert all(listen.segments.get(k) for k in entry(listen, "alpha").meta["segments"])  # type: ignore[union-attr]


def test_articles_without_a_segment_list_keep_every_segment(client, listen, articles):
    add_reports(articles)
    play(client, listen, "alpha")
    play(client, listen, "bravo")
    old = entry(listen, "bravo")
    assert old is not None
    meta_path = old.path.with_suffix(".json")
    meta = {k: v for k, v in old.meta.items() if k != "segments"}  # cached before the list
    meta_path.write_text(json.dumps(meta), "utf-8")
    segments = len(list(listen.segments.entries()))
    bound(listen, 1)
    report = evict(listen)
    assert len(report["articles"]) == 2 and report["segments"] == 0
    assert len(list(listen.segments.entries())) == segments


def test_unbounded_by_default(client, listen, articles):
    add_reports(articles)
    play(client, listen, "alpha")
    report = evict(listen)
    assert report["articles"] == [] and report["segments"] == 0
    assert entry(listen, "alpha") is not None


def test_cache_stats_reports_hit_rate(client, listen, runner):
    article = "city-council-budget"
    play(client, listen, article)  # a miss: built
    play(client, listen, article)  # two hits
    play(client, listen, article)
    listen.hits.flush()  # as every 10 s and at exit
    result = runner.invoke(main, ["cache", "stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert (stats["hits"], stats["misses"], stats["hit_rate"]) == (2, 1, 0.6667)
    assert stats["entries"] == 1 and stats["segments"] > 1
    assert stats["bytes"] == stats["article_bytes"] + stats["segment_bytes"]
    text = runner.invoke(main, ["cache", "stats"])
    assert "hit_rate: 0.6667" in text.output


def test_cache_stats_without_requests(runner):
    stats = json.loads(runner.invoke(main, ["cache", "stats", "--json"]).output)
    assert stats["hits"] == 0 and stats["misses"] == 0 and stats["hit_rate"] is None
