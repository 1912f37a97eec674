"""Bad cache entries heal: checked when read, a bad one is a miss, rebuilt, left out of the feed."""

from __future__ import annotations

import json
import logging
import os
import random
import time
import urllib.error
import urllib.request
import xml.dom.minidom
from pathlib import Path
from typing import Any

import lxml.etree
import pytest

from listen import metrics
from listen.audio.mp3 import id3_tag, silence
from listen.storage.cache import AudioCache
from listen.storage.shapes import ARTICLE, SEGMENT

from conftest import listen_serve, stored, write_article

SHORT = "short-note"
OTHER = "other-note"


@pytest.fixture
def articles(articles: Path) -> Path:
    write_article(
        articles,
        SHORT,
        title="A short note",
        language="en",
        text="One paragraph to speak. And a second sentence.",
    )
    write_article(
        articles,
        OTHER,
        title="Another note",
        language="en",
        text="A different paragraph, spoken too.",
    )
    return articles


@pytest.fixture
def listen(app: Any) -> Any:
    return app.extensions["listen"]


def build(client: Any, listen: Any, article_id: str) -> Any:
    """Build the article through the API; its cache entry."""
    response = client.get(f"/api/articles/{article_id}/audio.mp3")
    assert response.status_code == 200, response.data[:300]
    entry = listen.lookup(listen.article(article_id))
    assert entry is not None
    return entry


def meta_path(entry: Any) -> Path:
    return Path(entry.path).with_suffix(".json")


def feed_items(client: Any) -> dict[str, Any]:
    """The feed's items by the key of the audio they enclose (their guid is the article's)."""
    response = client.get("/feed.xml")
    assert response.status_code == 200, response.data[:300]
    root = lxml.etree.fromstring(response.data)
    return {
        item.find("enclosure").get("url").rsplit("/", 1)[1].removesuffix(".mp3"): item
        for item in root.iter("item")
    }


def _without(name: str) -> Any:
    return lambda meta: {k: v for k, v in meta.items() if k != name}


def _with(**fields: Any) -> Any:
    return lambda meta: {**meta, **fields}


# Metadata that is JSON but not an article entry's shape (and two that are not JSON).
BAD_METADATA = {
    "a list": lambda meta: [],
    "a number": lambda meta: 5,
    "timings a number": lambda meta: {"timings": 5},
    "timings a number, the rest intact": _with(timings=5),
    "no duration": _without("duration_s"),
    "no timings": _without("timings"),
    "no id": _without("id"),
    "duration a string": _with(duration_s="long"),
    "duration negative": _with(duration_s=-1),
    "timing without start": lambda meta: {**meta, "timings": [{"end": 1.0}]},
    "timing start a string": lambda meta: {**meta, "timings": [{"start": "0", "end": 1}]},
    "bytes true": _with(bytes=True),
    "bytes a string": lambda meta: {**meta, "bytes": str(meta["bytes"])},
    "bytes wrong": lambda meta: {**meta, "bytes": meta["bytes"] + 1},
    "id a number": _with(id=5),
    "title a list": _with(title=["x"]),
    "created a string": _with(created="yesterday"),
    "segments a dict": _with(segments={"a": 1}),
    "another entry's key": _with(key="f" * 64),
}
RAW_METADATA = {"not JSON": b"{oops", "NaN duration": None, "not UTF-8": b"\xff\xfe{}"}


def _corrupt(entry: Any, case: str) -> None:
    path = meta_path(entry)
    meta = json.loads(path.read_text("utf-8"))
    if case in BAD_METADATA:
        path.write_text(json.dumps(BAD_METADATA[case](meta)), "utf-8")
    elif case == "NaN duration":
        path.write_text(json.dumps({**meta, "duration_s": float("nan")}), "utf-8")
    else:
        path.write_bytes(RAW_METADATA[case])


@pytest.mark.parametrize("case", [*BAD_METADATA, *RAW_METADATA])
def test_bad_metadata_is_a_miss_that_is_rebuilt(client, listen, case, caplog):
    entry = build(client, listen, SHORT)
    good = build(client, listen, OTHER)
    audio = entry.path.read_bytes()
    _corrupt(entry, case)
    caplog.set_level(logging.WARNING, logger="listen.storage.cache")
    # the feed still answers, for everyone, without the bad entry
    items = feed_items(client)
    assert entry.key not in items and good.key in items
    # the article is not a permanent 500: a miss, so the next request builds it again
    described = client.get(f"/api/articles/{SHORT}")
    assert described.status_code == 200 and described.get_json()["status"] != "error"
    for path in (f"/api/articles/{SHORT}/timings.json", f"/audio/{entry.key}.mp3"):
        assert client.get(path).status_code < 500, path
    rebuilt = build(client, listen, SHORT)
    assert rebuilt.key == entry.key and rebuilt.path.read_bytes() == audio
    assert ARTICLE.problem(rebuilt.meta) is None
    timings = client.get(f"/api/articles/{SHORT}/timings.json")
    assert timings.status_code == 200 and timings.get_json()["duration_s"] > 0
    assert entry.key in feed_items(client)
    warnings = [
        r for r in caplog.records if r.name == "listen.storage.cache" and entry.key in r.message
    ]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING, warnings


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _scramble(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(path.stat().st_size))  # the same size


def _shift(path: Path) -> None:
    data = path.read_bytes()
    tag = len(id3_tag("x", "en"))  # not the real tag's length: the frames are off sync
    path.write_bytes(data[:tag] + data[tag + 1 :] + b"\x00")


@pytest.mark.parametrize("damage", [_truncate, _scramble, _shift])
def test_damaged_audio_is_never_served_under_its_immutable_etag(client, listen, damage, caplog):
    entry = build(client, listen, SHORT)
    audio = entry.path.read_bytes()
    url = f"/audio/{entry.key}.mp3"
    assert client.get(url).data == audio  # served once: this process has checked the file
    damage(entry.path)
    assert entry.path.read_bytes() != audio
    served = client.get(url)
    assert served.status_code == 404 and served.get_json()["error"] == "not_found"
    assert client.get(url, headers={"Range": "bytes=0-99"}).status_code == 404
    assert entry.key not in feed_items(client)
    rebuilt = build(client, listen, SHORT)
    assert rebuilt.key == entry.key
    again = client.get(url)
    assert again.status_code == 200 and again.data == audio
    assert len([r for r in caplog.records if entry.key in r.getMessage()]) == 1
    assert caplog.records[0].name == "listen.storage.cache"


def test_truncated_audio_is_not_served_by_a_real_server(client, listen, config):
    entry = build(client, listen, SHORT)
    _truncate(entry.path)
    settings = {f"LISTEN_{k}": str(v) for k, v in config.items() if k != "TESTING"}
    with listen_serve(settings) as base:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/audio/{entry.key}.mp3", timeout=10)
        assert missing.value.code == 404
        assert json.loads(missing.value.read())["error"] == "not_found"
        missing.value.close()
        with urllib.request.urlopen(f"{base}/api/articles/{SHORT}/audio.mp3", timeout=60) as r:
            rebuilt = r.read()
        with urllib.request.urlopen(f"{base}/audio/{entry.key}.mp3", timeout=10) as r:
            assert r.status == 200 and r.read() == rebuilt
    assert listen.finished(entry.key) is not None


@pytest.mark.parametrize(
    "damage",
    [
        lambda meta, audio: meta.write_text(json.dumps({"samples": "many"}), "utf-8"),
        lambda meta, audio: meta.write_text("[]", "utf-8"),
        lambda meta, audio: _truncate(audio),
        lambda meta, audio: _scramble(audio),
    ],
)
def test_a_bad_paragraph_segment_is_spoken_again(client, listen, damage):
    entry = build(client, listen, SHORT)
    audio = entry.path.read_bytes()
    keys = entry.meta["segments"]
    segment = stored(listen).segments.get(keys[-1])
    damage(segment.path.with_suffix(".json"), segment.path)
    listen.purge([SHORT])
    spoken = metrics.synthesized()
    rebuilt = build(client, listen, SHORT)
    assert metrics.synthesized() == spoken + 1  # that one segment, the rest reused
    assert rebuilt.path.read_bytes() == audio
    again = stored(listen).segments.get(keys[-1])
    assert again is not None and SEGMENT.problem(again.meta) is None


# ---------------------------------------------------------------- the cache itself

KEY = "ab" + "0" * 62


def _article_entry(cache: AudioCache, frames: bytes) -> Path:
    meta = {"id": "x", "duration_s": 1.0, "timings": [], "engine": "fake"}
    return cache.put(KEY, lambda p: p.write_bytes(id3_tag("x", "en") + frames), meta).path


def test_a_bad_entry_is_removed_and_logged_once(tmp_path, caplog):
    cache = AudioCache(tmp_path, shape=ARTICLE)
    path = _article_entry(cache, b"\x00" * 2000)  # a tag, then no MP3 frames
    caplog.set_level(logging.WARNING, logger="listen.storage.cache")
    assert cache.get(KEY) is None and cache.get(KEY) is None
    assert list(cache.entries()) == []
    assert not path.exists() and not path.with_suffix(".json").exists()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "does not start with MP3 frames" in caplog.records[0].getMessage()


def test_a_good_entry_is_kept(tmp_path):
    cache = AudioCache(tmp_path, shape=ARTICLE)
    _article_entry(cache, silence(500, 48))
    found = cache.get(KEY)
    assert found is not None and cache.audio_file(KEY) == (str(found.path), found.meta["bytes"])
    assert [e.key for e in cache.entries()] == [KEY]


def test_a_bad_entry_being_rebuilt_is_left_to_its_builder(tmp_path):
    cache = AudioCache(tmp_path, shape=ARTICLE)
    path = _article_entry(cache, silence(500, 48))
    _truncate(path)
    with cache.lock(KEY):  # as the build replacing it holds it
        assert cache.get(KEY) is None
        assert path.exists()  # the build's commit replaces both files; nothing to race
    assert cache.get(KEY) is None and not path.exists()


def _settled(path: Path) -> None:
    """Date the file a minute back, as a file built a while ago (see SETTLED_NS)."""
    then = time.time() - 60
    os.utime(path, (then, then))


def test_the_check_sees_a_file_rewritten_after_it(tmp_path):
    cache = AudioCache(tmp_path, shape=ARTICLE)
    path = _article_entry(cache, silence(500, 48))
    _settled(path)
    assert cache.audio_file(KEY) is not None  # checked, and remembered
    size = path.stat().st_size
    path.write_bytes(b"\x00" * size)  # in place, the same size: only the frame sync tells
    assert cache.audio_file(KEY) is None and cache.get(KEY) is None


def test_a_file_rewritten_within_its_check_is_checked_again(tmp_path):
    cache = AudioCache(tmp_path, shape=ARTICLE)
    path = _article_entry(cache, silence(500, 48))
    assert cache.audio_file(KEY) is not None
    with open(path, "r+b") as handle:  # at once: the mtime may not even change
        handle.seek(len(id3_tag("x", "en")))
        handle.write(b"\x00" * 8)
    assert cache.audio_file(KEY) is None


# ---------------------------------------------------------------- the feed's XML

HOSTILE_TITLE = "Budget\x01 vote \x1b[31mtonight\x7f \ufffe\uffff\x00 tab\there \U0001f600"


def _xml_char(c: str) -> bool:
    """XML 1.0's Char production, code point by code point."""
    n = ord(c)
    return (
        n in (0x9, 0xA, 0xD)
        or 0x20 <= n <= 0xD7FF
        or 0xE000 <= n <= 0xFFFD
        or 0x10000 <= n <= 0x10FFFF
    )


def _parses_everywhere(body: bytes) -> list[str]:
    """The feed's item titles, read by a strict XML parser, the stdlib's, and a podcast one."""
    root = lxml.etree.fromstring(body)  # raises on a document that is not well-formed
    xml.dom.minidom.parseString(body)
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(root.findall("channel/item"))
    return [str(t) for t in root.xpath("channel/item/title/text()")]


def test_control_characters_in_a_title_do_not_break_the_feed(client, listen, articles):
    write_article(
        articles,
        "hostile",
        title=HOSTILE_TITLE,
        language="en",
        text="The paragraph of an article whose title has control characters.",
    )
    build(client, listen, "hostile")
    build(client, listen, OTHER)
    title = client.get("/api/articles/hostile").get_json()["title"]  # as the text stage left it
    body = client.get("/feed.xml").data
    clean = "".join(c for c in title if _xml_char(c))
    assert sorted(_parses_everywhere(body)) == sorted([clean, "Another note"])
    assert "vote" in clean and "tonight" in clean


def test_a_lone_surrogate_in_cached_metadata_does_not_break_the_feed(client, listen):
    entry = build(client, listen, SHORT)
    path = meta_path(entry)
    meta = json.loads(path.read_text("utf-8"))
    # A metadata file may say anything JSON can: "\ud800" is valid JSON, not valid UTF-8.
    path.write_text(json.dumps({**meta, "title": "Half \ud800 a pair\x0b"}), "utf-8")
    body = client.get("/feed.xml").data
    assert _parses_everywhere(body) == ["Half  a pair"]
