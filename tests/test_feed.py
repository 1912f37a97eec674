"""The podcast feed through real podcast parsers (gPodder's podcastparser, feedparser).

What a podcast app needs to keep its episodes: a ``<guid>`` per article that an edit
does not change, the article's publication date as ``pubDate``, enclosures whose length
is the bytes served, and the channel tags the directories require.
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import podcastparser
import pytest

from listen import create_app
from listen.sources.wordpress import post_to_raw
from listen.web.feed import summary

from conftest import write_article

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
IMAGE = "https://news.example.com/podcast-art.png"
OWNER = "podcasts@news.example.com"
PUBLISHED = "2026-03-01T09:30:00Z"
PUBLISHED_S = 1772357400  # 2026-03-01 09:30:00 UTC
TOKEN = "feed-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

REQUIRED_CHANNEL = (
    # RSS 2.0's required channel elements, then Apple Podcasts' required and recommended tags
    "title",
    "link",
    "description",
    "language",
    f"{ITUNES}image",
    f"{ITUNES}category",
    f"{ITUNES}explicit",
    f"{ITUNES}author",
    f"{ITUNES}owner/{ITUNES}email",
    "image/url",
    "image/title",
    "image/link",
)
REQUIRED_ITEM = (
    "title",
    "enclosure",
    "guid",
    "pubDate",
    "description",
    f"{ITUNES}duration",
    f"{ITUNES}explicit",
)


@pytest.fixture
def feed_client(config: dict[str, Any]) -> Any:
    settings = {**config, "FEED_IMAGE": IMAGE, "FEED_OWNER_EMAIL": OWNER, "ADMIN_TOKEN": TOKEN}
    return create_app(settings).test_client()


def parsed(client: Any, path: str = "/feed.xml") -> tuple[dict[str, Any], Any]:
    """The feed at ``path`` read by podcastparser and by feedparser."""
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/rss+xml"
    body = response.data
    by_gpodder = podcastparser.parse(f"http://localhost{path}", io.BytesIO(body))
    by_feedparser = feedparser.parse(body)
    assert not by_feedparser.bozo, by_feedparser.get("bozo_exception")
    return by_gpodder, by_feedparser


def episodes(client: Any, path: str = "/feed.xml") -> dict[str, dict[str, Any]]:
    """Each episode by guid, as both parsers see it (they must agree)."""
    gpodder, fp = parsed(client, path)
    seen = {e["guid"]: e for e in gpodder["episodes"]}
    assert {e.id for e in fp.entries} == set(seen)
    for entry in fp.entries:
        episode = seen[entry.id]
        assert entry.title == episode["title"]
        assert int(entry.enclosures[0]["length"]) == episode["enclosures"][0]["file_size"]
        assert entry.enclosures[0]["href"] == episode["enclosures"][0]["url"]
        assert parsedate_to_datetime(entry.published).timestamp() == episode["published"]
    return seen


def served_bytes(client: Any, url: str) -> int:
    response = client.get(url.replace("http://localhost", ""))
    assert response.status_code == 200
    return len(response.data)


def test_an_edited_article_keeps_its_guid_and_date(feed_client, articles):
    write_article(
        articles, "ferry", title="Ferry returns", text="The ferry runs again.", published=PUBLISHED
    )
    feed_client.get("/api/articles/ferry/audio.mp3")
    before = episodes(feed_client)["ferry"]
    write_article(
        articles,
        "ferry",
        title="Ferry returns on Monday",
        text="The ferry runs again from Monday, the port said.",
        published=PUBLISHED,
    )
    feed_client.get("/api/articles/ferry/audio.mp3")
    after = episodes(feed_client)
    assert list(after) == ["ferry"]  # one episode, not a new one beside the old
    edited = after["ferry"]
    assert edited["title"] == "Ferry returns on Monday"
    assert edited["published"] == before["published"] == PUBLISHED_S
    old, new = before["enclosures"][0], edited["enclosures"][0]
    assert old["url"] != new["url"]  # the new audio, at its own address
    for episode in (before, edited):
        enclosure = episode["enclosures"][0]
        assert enclosure["mime_type"] == "audio/mpeg"
    assert new["file_size"] == served_bytes(feed_client, new["url"])


def test_enclosure_lengths_are_the_bytes_served(feed_client):
    for article_id in ("city-council-budget", "sequia-en-el-valle", "mercado-central"):
        feed_client.get(f"/api/articles/{article_id}/audio.mp3")
    found = episodes(feed_client)
    assert set(found) == {"city-council-budget", "sequia-en-el-valle", "mercado-central"}
    for episode in found.values():
        enclosure = episode["enclosures"][0]
        assert enclosure["file_size"] == served_bytes(feed_client, enclosure["url"]) > 0
        head = feed_client.head(enclosure["url"].replace("http://localhost", ""))
        assert int(head.headers["Content-Length"]) == enclosure["file_size"]
        assert episode["total_time"] > 0


def test_required_rss_and_itunes_tags(feed_client):
    feed_client.get("/api/articles/city-council-budget/audio.mp3")
    root = ET.fromstring(feed_client.get("/feed.xml").data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert [tag for tag in REQUIRED_CHANNEL if channel.find(tag) is None] == []
    assert channel.find(f"{ITUNES}image").get("href") == IMAGE
    assert channel.findtext("image/url") == IMAGE
    assert channel.find(f"{ITUNES}category").get("text") == "News"
    (item,) = channel.findall("item")
    assert [tag for tag in REQUIRED_ITEM if item.find(tag) is None] == []
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("guid") == "city-council-budget"

    gpodder, fp = parsed(feed_client)
    assert gpodder["cover_url"] == IMAGE and fp.feed.image["href"] == IMAGE
    assert gpodder["itunes_owner"]["email"] == OWNER == fp.feed.publisher_detail["email"]
    assert gpodder["language"] == "en" == fp.feed.language  # the default language
    (episode,) = gpodder["episodes"]
    # a sample without a standfirst: its first paragraph, as a podcast app shows it
    assert episode["description"].startswith("Councillors voted 7-4 in the early hours")
    assert fp.entries[0].summary == episode["description"]


def test_the_description_is_the_standfirst(feed_client):
    feed_client.get("/api/articles/harbour-bridge-reopens/audio.mp3")
    (episode,) = episodes(feed_client).values()
    standfirst = "The 94-year-old crossing welcomed its first cars on Saturday"
    assert episode["description"].startswith(standfirst)
    assert "Crews removed the last traffic barriers" not in episode["description"]  # the body


def test_without_artwork_or_owner_those_tags_are_left_out(client):
    client.get("/api/articles/city-council-budget/audio.mp3")
    gpodder, fp = parsed(client)
    assert "cover_url" not in gpodder and "itunes_owner" not in gpodder
    assert "image" not in fp.feed


def test_one_feed_per_language(feed_client):
    feed_client.get("/api/articles/city-council-budget/audio.mp3")
    feed_client.get("/api/articles/sequia-en-el-valle/audio.mp3")
    english, _ = parsed(feed_client, "/feed/en.xml")
    spanish, _ = parsed(feed_client, "/feed/es.xml")
    assert [e["guid"] for e in english["episodes"]] == ["city-council-budget"]
    assert [e["guid"] for e in spanish["episodes"]] == ["sequia-en-el-valle"]
    assert (english["language"], spanish["language"]) == ("en", "es")
    query, _ = parsed(feed_client, "/feed.xml?language=es")
    assert query["episodes"] == spanish["episodes"]
    missing = feed_client.get("/feed/fr.xml")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert "/feed/en.xml" in missing.get_json()["message"]
    assert feed_client.get("/feed/es.xml").headers["Access-Control-Allow-Origin"] == "*"


def test_newest_published_first(feed_client, articles):
    write_article(articles, "older", title="Older", text="An old story.", published="2020-05-01")
    write_article(articles, "newer", title="Newer", text="A new story.", published=PUBLISHED)
    feed_client.get("/api/articles/newer/audio.mp3")
    feed_client.get("/api/articles/older/audio.mp3")  # built last, published first
    gpodder, _ = parsed(feed_client)
    assert [e["guid"] for e in gpodder["episodes"]] == ["newer", "older"]
    assert gpodder["episodes"][1]["published"] == 1588291200  # 2020-05-01 00:00 UTC


def test_a_file_without_a_date_is_dated_by_its_mtime(feed_client, articles):
    path = articles / "city-council-budget.txt"
    os.utime(path, (1700000000, 1700000000))
    feed_client.get("/api/articles/city-council-budget/audio.mp3")
    (episode,) = episodes(feed_client).values()
    assert episode["published"] == 1700000000


def test_a_pushed_article_keeps_its_date_across_edits(feed_client):
    first = {"title": "Pushed", "text": "Pushed once.", "published": "2025-12-24T18:00:00+01:00"}
    assert feed_client.put("/api/articles/pushed", json=first, headers=AUTH).status_code == 202
    feed_client.get("/api/articles/pushed/audio.mp3")
    assert episodes(feed_client)["pushed"]["published"] == 1766595600  # 17:00 UTC
    edit = {"title": "Pushed", "text": "Pushed twice, without a date."}
    assert feed_client.put("/api/articles/pushed", json=edit, headers=AUTH).status_code == 202
    feed_client.get("/api/articles/pushed/audio.mp3")
    (episode,) = episodes(feed_client).values()
    assert episode["published"] == 1766595600 and episode["guid"] == "pushed"


def test_a_pushed_article_without_a_date_is_dated_by_its_first_push(feed_client):
    body = {"title": "Undated", "text": "No date given."}
    feed_client.put("/api/articles/undated", json=body, headers=AUTH)
    feed_client.get("/api/articles/undated/audio.mp3")
    first = episodes(feed_client)["undated"]["published"]
    feed_client.put("/api/articles/undated", json={**body, "text": "Edited."}, headers=AUTH)
    feed_client.get("/api/articles/undated/audio.mp3")
    assert episodes(feed_client)["undated"]["published"] == first


@pytest.mark.parametrize("published", ["yesterday", "2026-13-01", "1969-12-31", 20260301])
def test_a_bad_published_date_is_refused(feed_client, published):
    body = {"title": "Bad", "text": "Bad date.", "published": published}
    response = feed_client.put("/api/articles/bad", json=body, headers=AUTH)
    assert response.status_code == 422, response.data
    assert "published" in response.get_json()["message"]


def test_wordpress_date_gmt_is_the_publication_date():
    post = {
        "content": {"rendered": "<p>Body.</p>", "protected": False},
        "title": {"rendered": "T"},
        "excerpt": {"rendered": ""},
        "date": "2026-03-01T10:30:00",  # the site's local time (UTC+1)
        "date_gmt": "2026-03-01T09:30:00",
        "modified_gmt": "2026-03-05T12:00:00",
    }
    assert post_to_raw(post, "1").published == PUBLISHED_S
    assert post_to_raw({**post, "date_gmt": None}, "1").published == PUBLISHED_S + 3600


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short.", 20, "Short."),
        ("one two three four", 12, "one two…"),
        ("one, two, three", 10, "one, two…"),
    ],
)
def test_summary_is_cut_at_a_word(text, limit, expected):
    assert summary(text, limit) == expected


def test_a_store_made_before_publication_dates_is_read_and_kept(tmp_path):
    """An older version's store has no ``published`` column: it is added, its rows dated by
    their last push, and a new push keeps working."""
    import sqlite3

    from listen.models import RawArticle
    from listen.sources.store import ArticleStore

    path = tmp_path / "articles.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT, html TEXT, text TEXT, "
            "language TEXT, digest TEXT NOT NULL, updated REAL NOT NULL)"
        )
        db.execute(
            "INSERT INTO articles VALUES ('old', 'Old', NULL, 'Old text.', 'en', 'x', 1.5e9)"
        )
    db.close()
    store = ArticleStore(path)
    old = store.get("old")
    assert old is not None and old.published == 1.5e9 and old.text == "Old text."
    assert store.put(RawArticle(id="new", text="New text.", published=PUBLISHED_S))
    new = store.get("new")
    assert new is not None and new.published == PUBLISHED_S
