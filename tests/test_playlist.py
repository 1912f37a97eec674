"""GET /api/playlist.json: the newest articles of a language whose audio is ready, in the
podcast feed's order (the player's "next article")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
import pytest

from listen import create_app

from conftest import write_article

DATES = {
    "old-news": "2026-01-05T08:00:00Z",
    "fresh-news": "2026-03-01T09:30:00Z",
    "middle-news": "2026-02-10T12:00:00Z",
}


@pytest.fixture
def client(config: dict[str, Any], articles: Path) -> Any:
    for article_id, published in DATES.items():
        title = article_id.replace("-", " ").capitalize()
        write_article(
            articles,
            article_id,
            title=title,
            language="en",
            text=f"{title} is told in one short paragraph.",
            published=published,
        )
    write_article(
        articles, "not-played", title="Never played", language="en", text="Nobody asked for it."
    )
    client = create_app(config).test_client()
    for article_id in [*DATES, "sequia-en-el-valle"]:
        assert client.get(f"/api/articles/{article_id}/audio.mp3").status_code == 200
    return client


def test_newest_published_first_as_the_feed_lists_them(client):
    response = client.get("/api/playlist.json?language=en")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["language"] == "en"
    ids = [a["id"] for a in body["articles"]]
    assert ids == ["fresh-news", "middle-news", "old-news"]  # ready ones only, in English
    feed = feedparser.parse(client.get("/feed/en.xml").data)
    assert ids == [e.id for e in feed.entries]  # one listing for both
    assert [a["title"] for a in body["articles"]] == [e.title for e in feed.entries]
    for listed in body["articles"]:
        assert listed["url"] == f"http://localhost/api/articles/{listed['id']}"
        article = client.get(listed["url"].replace("http://localhost", "")).get_json()
        assert article["id"] == listed["id"] and article["status"] == "ready"
    spanish = client.get("/api/playlist.json?language=es").get_json()
    assert [a["id"] for a in spanish["articles"]] == ["sequia-en-el-valle"]


def test_an_edited_article_is_listed_once_with_its_new_title(client, articles):
    write_article(
        articles,
        "old-news",
        title="Old news, corrected",
        language="en",
        text="Old news is told in one corrected paragraph.",
        published=DATES["old-news"],
    )
    assert client.get("/api/articles/old-news/audio.mp3").status_code == 200
    listed = client.get("/api/playlist.json?language=en").get_json()["articles"]
    assert [a["id"] for a in listed] == ["fresh-news", "middle-news", "old-news"]
    assert listed[-1]["title"] == "Old news, corrected"


def test_limit(client):
    def ids(query: str) -> list[str]:
        response = client.get(f"/api/playlist.json?language=en{query}")
        assert response.status_code == 200
        return [a["id"] for a in response.get_json()["articles"]]

    assert ids("&limit=2") == ["fresh-news", "middle-news"]
    assert ids("&limit=1") == ["fresh-news"]
    assert ids("&limit=100") == ids("") == ["fresh-news", "middle-news", "old-news"]


def test_twenty_by_default(config, articles):
    for n in range(22):
        write_article(
            articles,
            f"brief-{n:02d}",
            title=f"Brief {n}",
            language="en",
            text=f"Brief number {n}.",
            published=f"2026-02-{n + 1:02d}T10:00:00Z",
        )
    client = create_app(config).test_client()
    for n in range(22):
        assert client.get(f"/api/articles/brief-{n:02d}/audio.mp3").status_code == 200
    listed = client.get("/api/playlist.json?language=en").get_json()["articles"]
    assert [a["id"] for a in listed] == [f"brief-{n:02d}" for n in range(21, 1, -1)]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("", "language"),
        ("?limit=5", "language"),
        ("?language=fr", "language"),
        ("?language=EN", "language"),
        ("?language=en&limit=0", "limit"),
        ("?language=en&limit=-1", "limit"),
        ("?language=en&limit=101", "limit"),
        ("?language=en&limit=abc", "limit"),
        ("?language=en&limit=2.5", "limit"),
        ("?language=en&limit=1e3", "limit"),
        ("?language=en&limit=%C2%B2", "limit"),  # "²": a digit to str.isdigit, not to int()
        ("?language=en&limit=" + "9" * 50, "limit"),
    ],
)
def test_bad_values_are_400_json(client, query, named):
    response = client.get(f"/api/playlist.json{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()
    assert error["error"] == "bad_input" and error["message"].startswith(f"{named}=")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
