"""Pauses as configured: the silence a listener hears between pieces, measured on the
decoded MP3 with ffmpeg's silencedetect, is the configured pause within 50 ms on every
engine (each engine's own silence before and after its speech is trimmed)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from listen import create_app

from conftest import write_article

HTML = (
    "<p>The council met on Tuesday night to discuss the budget for next year.</p>"
    "<h2>What changes for residents</h2>"
    "<p>Parking fees rise slightly, and the library keeps its weekend hours.</p>"
    "<ul><li>Parking fees rise by a small amount.</li>"
    "<li>Library hours stay as they are now.</li></ul>"
    "<p>The final vote is expected next month after a public hearing.</p>"
)
PAUSES = {"PAUSE_TITLE_MS": 900, "PAUSE_PARAGRAPH_MS": 600, "PAUSE_HEADING_MS": 1200}
PAUSES["PAUSE_ITEM_MS"] = 400
EXPECTED_KINDS = ["title", "paragraph", "heading", "paragraph", "item", "item", "paragraph"]
TOLERANCE = 0.05


def silences(data: bytes, folder: Path) -> list[tuple[float, float]]:
    """(start, end) of every stretch under -50 dBFS for 100 ms or more."""
    path = folder / "article.mp3"
    path.write_bytes(data)
    command = ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path)]
    command += ["-af", "silencedetect=noise=-50dB:d=0.1", "-f", "null", "-"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    starts = [float(s) for s in re.findall(r"silence_start: (-?[\d.]+)", proc.stderr)]
    ends = [float(s) for s in re.findall(r"silence_end: ([\d.]+)", proc.stderr)]
    return list(zip(starts, ends, strict=False))


def heard_pauses(config, articles, tmp_path, engines: str) -> list[tuple[str, float, float]]:
    """(kind of the next piece, configured, heard) for each pause of the article."""
    write_article(articles, "pauses", title="Council passes a budget", language="en", html=HTML)
    app = create_app({**config, **PAUSES, "ENGINES": engines})
    client = app.test_client()
    response = client.get("/api/articles/pauses/audio.mp3")
    assert response.status_code == 200, response.data[:300]
    pieces = client.get("/api/articles/pauses/timings.json").get_json()["pieces"]
    kinds = [p["kind"] for p in pieces]
    assert kinds == EXPECTED_KINDS
    found = silences(response.data, tmp_path)
    out = []
    for before, after in zip(pieces, pieces[1:], strict=False):
        boundary = (before["end"] + after["start"]) / 2
        (stretch,) = [(a, b) for a, b in found if a <= boundary <= b]
        configured = {
            "heading": PAUSES["PAUSE_HEADING_MS"],
            "item": PAUSES["PAUSE_ITEM_MS"],
        }.get(after["kind"], PAUSES["PAUSE_PARAGRAPH_MS"])
        if before["kind"] == "title":
            configured = PAUSES["PAUSE_TITLE_MS"]
        out.append((after["kind"], configured / 1000, stretch[1] - stretch[0]))
    return out


def check(pauses: list[tuple[str, float, float]]) -> None:
    wrong = [(k, c, round(h, 3)) for k, c, h in pauses if abs(h - c) > TOLERANCE]
    assert not wrong, f"pauses heard off the configured ones: {wrong}"


def test_pauses_are_as_configured_with_the_fake_engine(config, articles, tmp_path):
    # the fake engine leaves 0.25 s of silence after each sentence, as real engines do
    check(heard_pauses(config, articles, tmp_path, "fake"))


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["espeak", "piper"])
def test_pauses_are_as_configured_with_every_offline_engine(config, articles, tmp_path, engine):
    check(heard_pauses(config, articles, tmp_path, engine))


@pytest.mark.slow
def test_pauses_are_as_configured_with_gtts(config, articles, tmp_path, google):
    check(heard_pauses({**config, "GTTS_URL": google.url}, articles, tmp_path, "gtts"))


def test_a_pause_per_kind_is_in_the_article_key(config, articles):
    write_article(articles, "pauses", title="Council passes a budget", language="en", html=HTML)
    keys = set()
    for change in ({}, {"PAUSE_HEADING_MS": 1300}, {"PAUSE_ITEM_MS": 350}):
        service = create_app({**config, **PAUSES, **change}).extensions["listen"]
        keys.add(service.article_key(service.article("pauses")))
    assert len(keys) == 3
