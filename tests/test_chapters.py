"""Chapters: an article's subheadings as ID3 CHAP/CTOC frames in its MP3, read back by
real readers (mutagen, ffprobe), in chapters.json and in the podcast feed."""

from __future__ import annotations

import io
import json
import subprocess
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from mutagen.id3 import ID3

from listen import create_app
from listen.audio import chapters, mp3
from listen.models import Article, Paragraph
from listen.web import feed

from conftest import decode_mp3, write_article

HEADINGS = ["The flood of spring", "What the mayor said", "Next steps"]
TITLE = "The river rises"


def _paragraph(n: int) -> str:
    return (
        f"<p>Paragraph {n} of the story tells the reader something new about the river "
        "and the town beside it.</p>"
    )


def river(articles: Path, article_id: str = "river") -> None:
    """An article with three subheadings (an h2, an h2, an h3) between its paragraphs."""
    html = (
        "<article>"
        + _paragraph(1)
        + _paragraph(2)
        + f"<h2>{HEADINGS[0]}</h2>"
        + _paragraph(3)
        + _paragraph(4)
        + f"<h2>{HEADINGS[1]}</h2>"
        + _paragraph(5)
        + f"<h3>{HEADINGS[2]}</h3>"
        + _paragraph(6)
        + "</article>"
    )
    write_article(articles, article_id, title=TITLE, language="en", html=html)


def built(client: Any, article_id: str) -> tuple[bytes, dict[str, Any]]:
    """The article's finished MP3 and its timings."""
    first = client.get(f"/api/articles/{article_id}/audio.mp3")
    assert first.status_code == 200, first.data[:300]
    data = client.get(f"/api/articles/{article_id}/audio.mp3").data
    timings = client.get(f"/api/articles/{article_id}/timings.json").get_json()
    return data, timings


def chap_frames(data: bytes) -> tuple[Any, list[Any]]:
    """The CTOC frame and the CHAP frames (in the table's order) that mutagen reads."""
    tag = ID3(io.BytesIO(data))
    tocs = tag.getall("CTOC")
    assert len(tocs) == 1
    by_id = {frame.element_id: frame for frame in tag.getall("CHAP")}
    assert set(by_id) == set(tocs[0].child_element_ids)
    return tocs[0], [by_id[i] for i in tocs[0].child_element_ids]


@pytest.fixture
def client(config: dict[str, Any], articles: Path) -> Any:
    river(articles)
    return create_app(config).test_client()


def test_subheadings_are_chapters_mutagen_reads(client):
    data, timings = built(client, "river")
    toc, chaps = chap_frames(data)
    assert toc.flags == 0x03  # top-level and ordered
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == [TITLE, *HEADINGS]
    pieces = timings["pieces"]
    headings = [p for p in pieces if p["kind"] == "heading"]
    assert [p["text"] for p in headings] == HEADINGS
    # the first chapter from 0, each other from its subheading's start, back to back
    assert [c.start_time for c in chaps] == [0] + [round(p["start"] * 1000) for p in headings]
    assert [c.end_time for c in chaps[:-1]] == [c.start_time for c in chaps[1:]]
    assert chaps[-1].end_time == round(timings["duration_s"] * 1000)
    assert all(c.start_offset == c.end_offset == 0xFFFFFFFF for c in chaps)  # times count
    # the last chapter ends where the audio does (to a frame)
    assert abs(chaps[-1].end_time - len(decode_mp3(data))) <= 30


def test_ffprobe_reads_the_chapters(client, tmp_path):
    data, timings = built(client, "river")
    path = tmp_path / "river.mp3"
    path.write_bytes(data)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    found = json.loads(probe.stdout)["chapters"]
    _, chaps = chap_frames(data)
    assert [c["tags"]["title"] for c in found] == [TITLE, *HEADINGS]
    assert [(c["start"], c["end"]) for c in found] == [(c.start_time, c.end_time) for c in chaps]
    assert all(c["time_base"] == "1/1000" for c in found)


def test_an_article_without_subheadings_has_no_chapter_frames(client, articles):
    write_article(
        articles, "plain", title="Plain", language="en", text="One paragraph.\nAnd another one."
    )
    data, _ = built(client, "plain")
    tag = ID3(io.BytesIO(data))
    assert not tag.getall("CHAP") and not tag.getall("CTOC")
    assert data.startswith(mp3.id3_tag("Plain", "en"))  # no room reserved either
    assert mp3.starts_with_frames(data[len(mp3.id3_tag("Plain", "en")) :])


def test_ranges_and_lengths_cover_the_tag_with_its_chapters(client):
    data, _ = built(client, "river")
    url = client.get("/api/articles/river").get_json()["audio_url"].replace("http://localhost", "")
    tag = mp3.tag_length(data[: mp3.ID3_HEADER])
    head = client.head(url)
    assert int(head.headers["Content-Length"]) == len(data)
    part = client.get(url, headers={"Range": f"bytes=0-{tag - 1}"})
    assert part.status_code == 206 and part.data == data[:tag]
    assert part.headers["Content-Range"] == f"bytes 0-{tag - 1}/{len(data)}"
    assert len(ID3(io.BytesIO(part.data + data[tag:])).getall("CHAP")) == 4
    rest = client.get(url, headers={"Range": f"bytes={tag}-"})
    assert rest.status_code == 206 and mp3.starts_with_frames(rest.data)


def test_a_listener_streamed_during_the_build_gets_the_same_file_but_the_chapters(
    config, articles, google
):
    """The tag is written before the audio exists: the room for the chapters is padding
    in the first listener's stream (a valid tag without them), and the chapters are in
    the file served from then on, every other byte the same."""
    river(articles)
    google.latency = 0.25
    app = create_app({**config, "ENGINES": "gtts", "GTTS_URL": google.url, "SYNTH_WORKERS": 1})
    client = app.test_client()
    response = client.get("/api/articles/river/audio.mp3", buffered=False)
    assert response.headers["X-Listen-Stream"] == "partial"
    assert (
        response.headers["Accept-Ranges"] == "none"
        and "no-store" in response.headers["Cache-Control"]
    )
    streamed = b"".join(response.response)
    response.close()
    final = client.get("/api/articles/river/audio.mp3").data
    assert len(streamed) == len(final)
    tag = mp3.tag_length(final[: mp3.ID3_HEADER])
    assert streamed[tag:] == final[tag:]  # the audio, byte for byte
    assert mp3.tag_length(streamed[: mp3.ID3_HEADER]) == tag
    early = ID3(io.BytesIO(streamed))
    assert str(early["TIT2"]) == TITLE and not early.getall("CHAP")
    assert len(chap_frames(final)[1]) == 4


def _article(kinds: list[str], title: str = "A title") -> Article:
    return Article(
        id="a",
        title=title,
        language="en",
        paragraphs=tuple(Paragraph(f"{kind} {i}", "en", kind) for i, kind in enumerate(kinds)),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("kinds", "title", "expected"),
    [
        (["paragraph", "paragraph"], "T", []),
        (["paragraph", "heading", "paragraph"], "T", [(0, "T"), (2, "heading 1")]),
        (["heading", "paragraph"], "T", [(0, "T"), (1, "heading 0")]),  # the title's own
        (["heading", "paragraph", "heading"], "", [(0, "heading 0"), (2, "heading 2")]),
        (["paragraph", "heading"], "", [(0, "a"), (1, "heading 1")]),  # untitled: its id
        (["item", "heading", "standfirst"], "T", [(0, "T"), (2, "heading 1")]),
    ],
)
def test_which_pieces_open_a_chapter(kinds, title, expected):
    assert chapters.planned(_article(kinds, title)) == expected


def test_past_255_chapters_the_last_runs_on():
    plan = chapters.planned(_article(["heading", "paragraph"] * 300))
    assert len(plan) == mp3.MAX_CHAPTERS
    timings = [{"start": float(i)} for i in range(601)]
    marks = chapters.timed(plan, timings, 700.0)
    assert marks[-1].end_ms == 700_000
    frames = mp3.chapter_frames(marks)
    tag = mp3.id3_tag("T", "en", padding=len(frames))
    assert len(ID3(io.BytesIO(tag[: len(tag) - len(frames)] + frames)).getall("CHAP")) == 255
    with pytest.raises(ValueError, match="255"):
        mp3.chapter_frames([*marks, marks[-1]])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Next steps", "Next steps"),
        ("  Next\n steps\t", "Next steps"),
        ("word " * 100, ("word " * 39).strip() + "…"),
        ("x" * 500, "x" * 199 + "…"),
    ],
)
def test_a_chapter_title_is_one_short_line(title, expected):
    assert chapters.short(title) == expected
    assert len(chapters.short(title)) <= chapters.TITLE_CHARS


def test_the_frames_length_does_not_depend_on_the_times():
    plan = [(0, "Título"), (3, "Qué dijo el alcalde")]
    early = mp3.chapter_frames(chapters.placeholders(plan))
    late = mp3.chapter_frames(chapters.timed(plan, [{"start": 0}] * 3 + [{"start": 61.5}], 99.9))
    assert len(early) == len(late) and early != late


# ------------------------------------------------------------------ chapters.json, the feed


def test_chapters_json_has_the_times_of_the_chap_frames(client):
    pending = client.get("/api/articles/river/chapters.json")
    assert pending.status_code == 409 and pending.headers["Retry-After"]
    data, _ = built(client, "river")
    described = client.get("/api/articles/river").get_json()
    response = client.get(described["chapters_url"].replace("http://localhost", ""))
    assert response.status_code == 200 and response.mimetype == "application/json+chapters"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = json.loads(response.data)
    assert body["version"] == "1.2.0"
    _, chaps = chap_frames(data)
    assert [c["title"] for c in body["chapters"]] == [str(c.sub_frames["TIT2"]) for c in chaps]
    assert [round(c["startTime"] * 1000) for c in body["chapters"]] == [c.start_time for c in chaps]
    assert [round(c["endTime"] * 1000) for c in body["chapters"]] == [c.end_time for c in chaps]
    again = client.get(
        "/api/articles/river/chapters.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_an_article_without_subheadings_has_no_chapters_json_entries(client, articles):
    write_article(articles, "plain", title="Plain", language="en", text="Just one paragraph.")
    built(client, "plain")
    body = json.loads(client.get("/api/articles/plain/chapters.json").data)
    assert body == {"version": "1.2.0", "chapters": []}
    assert client.get("/api/articles/nothing-here/chapters.json").status_code == 404


def test_the_feed_gives_the_chapters_to_both_parsers(client, articles):
    write_article(articles, "plain", title="Plain", language="en", text="Just one paragraph.")
    data, _ = built(client, "river")
    built(client, "plain")
    _, chaps = chap_frames(data)
    body = client.get("/feed/en.xml").data
    by_gpodder = podcastparser.parse("http://localhost/feed/en.xml", io.BytesIO(body))
    by_feedparser = feedparser.parse(body)
    assert not by_feedparser.bozo, by_feedparser.get("bozo_exception")
    gpodder = {e["guid"]: e for e in by_gpodder["episodes"]}
    fp = {e.id: e for e in by_feedparser.entries}
    # gPodder reads Podlove Simple Chapters (to the second)
    assert gpodder["river"]["chapters"] == [
        {"start": c.start_time // 1000, "title": str(c.sub_frames["TIT2"])} for c in chaps
    ]
    # feedparser reads them to the millisecond, and the Podcasting 2.0 link
    simple = fp["river"].psc_chapters["chapters"]
    assert [c["start_parsed"] for c in simple] == [
        timedelta(milliseconds=c.start_time) for c in chaps
    ]
    assert [c["title"] for c in simple] == [TITLE, *HEADINGS]
    link = fp["river"].podcast_chapters
    assert link["type"] == "application/json+chapters"
    linked = json.loads(client.get(link["url"].replace("http://localhost", "")).data)
    assert [round(c["startTime"] * 1000) for c in linked["chapters"]] == [
        c.start_time for c in chaps
    ]
    # the enclosure is the very file whose frames these are
    enclosure = fp["river"].enclosures[0]["href"].replace("http://localhost", "")
    assert client.get(enclosure).data == data
    # an article without subheadings: no chapters at all
    assert "chapters" not in gpodder["plain"]
    assert "psc_chapters" not in fp["plain"] and "podcast_chapters" not in fp["plain"]
    root = ET.fromstring(body)
    assert root.find(f".//item[guid='plain']/{{{feed.PSC}}}chapters") is None
    assert len(root.findall(f".//item[guid='river']/{{{feed.PSC}}}chapters/*")) == 4


def test_another_process_waits_for_audio_past_a_tag_with_room_for_chapters(tmp_path):
    """Another process's stream starts once the title's audio is there, not at the end of
    a tag that the room for many chapters made longer than the first bytes awaited."""
    from listen.audio.articles import FIRST_BYTES, _audio_started

    plan = [(i, f"Subheading number {i}") for i in range(40)]
    room = len(mp3.chapter_frames(chapters.placeholders(plan)))
    tag = mp3.id3_tag("A title", "en", padding=room)
    assert len(tag) > FIRST_BYTES
    part = tmp_path / "article.part"
    assert not _audio_started(part)  # not written yet
    frames = mp3.silence(2000, 48)
    part.write_bytes(tag + frames[:100])
    assert not _audio_started(part)
    part.write_bytes(tag + frames[: FIRST_BYTES + 1])
    assert _audio_started(part)
