"""Upgrades: an article a fallback engine spoke is rebuilt with the preferred one once it is
back, in the background, only its fallback paragraphs spoken again, within the gTTS budget.

The preferred engine is gTTS against the local fake Google; the fallback is piper (a real
neural voice: its audio is told from Google's by decoding the MP3)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from listen import create_app, metrics
from listen.audio import upgrade
from listen.audio.articles import upgraded_key
from listen.engines import resolve_engine

from conftest import decode_mp3, stored, write_article

TITLE = "Bridge works begin"
KEPT = "The council voted on Tuesday to close the old bridge for repairs."
LOST = [
    "Engineers found cracks in two of its supports during an inspection last month.",
    "Buses will take a longer route through the town centre while the work goes on.",
    "Shops near the river say they expect fewer customers until the summer.",
    "The bridge should open again in June, a year before its two hundredth birthday.",
]
OTHER = [
    "Library hours change",
    "The central library will open an hour later on weekdays from next month.",
    "Its reading room stays open until nine in the evening on Thursdays.",
]
RATE = 4.0


def settings(config, google, **more):
    return {
        **config,
        "ENGINES": "gtts,piper",
        "GTTS_URL": google.url,
        "GTTS_RETRIES": 0,
        "GTTS_CONCURRENCY": 1,  # a burst of one request: the budget is RATE a second
        "GTTS_RATE": RATE,
        "ENGINE_COOLDOWN": 60.0,
        "SYNTH_WORKERS": 1,  # pieces spoken in order: which fall back is certain
        "SYNTH_LOOKAHEAD": 1,
        "UPGRADE_FALLBACK": True,  # the default (the suite's config turns it off)
        **more,
    }


def calls(engine: str) -> float:
    """Pieces ``engine`` has spoken in this process."""
    return metrics.SYNTHESIS.labels(engine=engine, status="ok")._value.get()


def envelope(segment) -> np.ndarray:
    """Loudness every 20 ms, normalized: what a voice says and at which pace."""
    samples = np.array(segment.set_channels(1).set_frame_rate(22050).get_array_of_samples(), float)
    frames = samples[: len(samples) // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames**2).mean(axis=1))
    return (rms - rms.mean()) / (rms.std() or 1.0)


def likeness(a: np.ndarray, b: np.ndarray, shift: int = 25) -> float:
    """Best correlation of two envelopes over shifts up to half a second (trimmed edges)."""
    best = -1.0
    for s in range(-shift, shift + 1):
        x, y = (a[s:], b) if s >= 0 else (a, b[-s:])
        n = min(len(x), len(y))
        if n > 50:
            best = max(best, float(np.corrcoef(x[:n], y[:n])[0, 1]))
    return best


def piece(mp3: bytes, timing: dict) -> np.ndarray:
    audio = decode_mp3(mp3)
    return envelope(audio[int(timing["start"] * 1000) : int(timing["end"] * 1000)])


def within_budget(arrivals: list[float], rate: float, slack: float = 0.6) -> bool:
    """No run of requests came faster than the budget allows (a burst of one)."""
    return all(
        j - i <= rate * (arrivals[j] - arrivals[i]) + slack
        for i in range(len(arrivals))
        for j in range(i + 1, len(arrivals))
    )


@pytest.mark.slow
def test_fallback_audio_is_upgraded_when_google_is_back(config, articles, google, monkeypatch):
    monkeypatch.setattr(upgrade, "POLL", 0.2)
    app = create_app(settings(config, google))
    client = app.test_client()
    listen = app.extensions["listen"]
    listen.warm()  # piper's voice loaded before the clock matters

    def spoken(article_id):
        return [text for text, _ in listen.article(article_id).spoken_pieces]

    # The title and first paragraph were spoken by Google before, in an earlier version.
    write_article(articles, "bridge", title=TITLE, language="en", text=KEPT)
    assert client.get("/api/articles/bridge/audio.mp3").status_code == 200
    assert listen.wait_idle(60)

    # Google goes down; the story grows: its new paragraphs are piper's.
    google.mode = "500"
    write_article(articles, "bridge", title=TITLE, language="en", text="\n".join([KEPT, *LOST]))
    old = client.get("/api/articles/bridge/audio.mp3").data
    assert listen.wait_idle(120)
    before = client.get("/api/articles/bridge").get_json()
    old_key = before["audio_url"].rsplit("/", 1)[1].removesuffix(".mp3")
    old_meta = listen.finished(old_key).meta
    assert old_meta["segment_engines"] == ["gtts", "gtts"] + ["piper"] * len(LOST)
    assert listen.engine_is_down("gtts") and listen.upgrades_waiting() == [old_key]

    # A listener's cold build runs (piper's: Google is still skipped) when Google is back.
    write_article(articles, "other", title=OTHER[0], language="en", text="\n".join(OTHER[1:]))
    google.mode = "ok"
    google.clear_requests()
    _, building = listen.start(listen.article("other"))
    assert building is not None and building.wait(lambda: building.pieces > 0, 60)
    google_calls = calls("gtts")
    listen.engine_down("gtts", 0)  # the breaker closes
    assert building.wait(lambda: building.done, 120)
    other_done = building.entry.meta["created"]
    piper_calls = calls("piper")

    deadline = time.monotonic() + 120
    while listen.upgrades_waiting() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert listen.wait_idle(60) and not listen.upgrades_waiting()

    # Only what piper spoke was spoken again, by Google; nothing was asked of piper.
    respoken = spoken("bridge")[2:] + spoken("other")
    assert sorted(google.texts) == sorted(respoken)
    assert calls("gtts") - google_calls == len(LOST) + len(OTHER)
    assert calls("piper") == piper_calls
    # Upgrades waited for the listener's build, and kept to the budget.
    assert min(google.arrivals) > other_done
    assert within_budget(google.arrivals, RATE)
    assert google.arrivals[-1] - google.arrivals[0] >= (google.count - 1) / RATE - 0.3

    # The next play gets the new audio at a new address; the old one still serves its bytes.
    after = client.get("/api/articles/bridge").get_json()
    new_key = after["audio_url"].rsplit("/", 1)[1].removesuffix(".mp3")
    assert new_key == upgraded_key(old_key) and after["engine"] == "gtts"
    new = client.get("/api/articles/bridge/audio.mp3")
    assert new.headers["ETag"] == f'"{new_key}"' and new.data != old
    assert client.get(f"/audio/{old_key}.mp3").data == old
    new_meta = listen.finished(new_key).meta
    assert new_meta["segment_engines"] == ["gtts"] * (2 + len(LOST))
    assert new_meta["upgraded_from"] == old_key

    # The MP3 changed only where piper spoke: the same frames for the title and KEPT.
    segments = stored(listen).segments
    assert new_meta["segments"][:2] == old_meta["segments"][:2]
    for key in new_meta["segments"][:2]:
        frames = segments.get(key).path.read_bytes()
        assert frames in old and frames in new.data
    for old_piece, new_piece in zip(
        old_meta["segments"][2:], new_meta["segments"][2:], strict=True
    ):
        assert segments.get(old_piece).path.read_bytes() not in new.data
        assert segments.get(new_piece).path.read_bytes() not in old

    # Decoded: the old paragraphs are piper's voice, the new ones Google's.
    gtts = resolve_engine("gtts", settings(config, google))
    piper = resolve_engine("piper", settings(config, google))
    for index, text in enumerate(LOST, start=2):
        google_voice = envelope(gtts.synthesize(text, "en").audio)
        piper_voice = envelope(piper.synthesize(text, "en").audio)
        was = piece(old, old_meta["timings"][index])
        now = piece(new.data, new_meta["timings"][index])
        assert likeness(now, google_voice) > 0.9, text
        assert likeness(was, piper_voice) > 0.85 and likeness(was, google_voice) < 0.6, text


def test_no_upgrade_when_it_is_off(config, articles, google, monkeypatch):
    monkeypatch.setattr(upgrade, "POLL", 0.1)
    app = create_app(settings(config, google, ENGINES="gtts,fake", UPGRADE_FALLBACK=False))
    listen = app.extensions["listen"]
    google.mode = "500"
    write_article(articles, "bridge", title=TITLE, language="en", text=KEPT)
    entry = listen.audio(listen.article("bridge"))
    assert entry.meta["segment_engines"] == ["fake", "fake"]
    google.mode = "ok"
    google.clear_requests()
    listen.engine_down("gtts", 0)
    listen.start_upgrades()
    time.sleep(1.0)  # ten looks of an upgrader, were there one
    assert listen.wait_idle(10) and google.count == 0 and not listen.upgrades_waiting()
    assert listen.lookup(listen.article("bridge")).key == entry.key
    assert stored(listen).articles.get(upgraded_key(entry.key)) is None


def test_fallback_audio_in_the_cache_is_found_at_start(
    config, articles, google, monkeypatch, caplog
):
    caplog.set_level("INFO", logger="listen.audio.upgrade")
    monkeypatch.setattr(upgrade, "POLL", 0.1)
    google.mode = "500"
    write_article(articles, "bridge", title=TITLE, language="en", text=KEPT)
    first = create_app(settings(config, google, ENGINES="gtts,fake", UPGRADE_FALLBACK=False))
    entry = first.extensions["listen"].audio(first.extensions["listen"].article("bridge"))
    assert entry.meta["engine"] == "fake"
    google.mode = "ok"
    google.clear_requests()
    # A process started later (no breaker open: its first request is the probe) upgrades it.
    app = create_app(settings(config, google, ENGINES="gtts,fake"))
    listen = app.extensions["listen"]
    deadline = time.monotonic() + 60
    while listen.lookup(listen.article("bridge")).key == entry.key:
        assert time.monotonic() < deadline, "no upgrade"
        time.sleep(0.05)
    while listen.upgrades_waiting():  # committed: its log line comes next
        assert time.monotonic() < deadline, "no upgrade"
        time.sleep(0.05)
    assert sorted(google.texts) == sorted(t for t, _ in listen.article("bridge").spoken_pieces)
    assert app.test_client().get("/api/articles/bridge").get_json()["engine"] == "gtts"
    said = [r.getMessage() for r in caplog.records if r.name == "listen.audio.upgrade"]
    assert "upgraded bridge: 2 of 2 pieces spoken again by gtts (was fake)" in said


def test_a_failed_upgrade_keeps_the_old_audio_and_is_tried_again(
    config, articles, google, monkeypatch
):
    monkeypatch.setattr(upgrade, "POLL", 0.1)
    app = create_app(settings(config, google, ENGINES="gtts,fake", ENGINE_COOLDOWN=0.5))
    listen = app.extensions["listen"]
    google.mode = "500"
    write_article(articles, "bridge", title=TITLE, language="en", text=KEPT)
    entry = listen.audio(listen.article("bridge"))
    assert entry.meta["engine"] == "fake"
    failed = metrics.UPGRADES.labels(status="error")._value.get()
    # Google still down: each try is one request (the probe), never a second fallback.
    deadline = time.monotonic() + 30
    while metrics.UPGRADES.labels(status="error")._value.get() < failed + 2:
        assert time.monotonic() < deadline, "no second try"
        time.sleep(0.05)
    assert listen.lookup(listen.article("bridge")).key == entry.key
    assert listen.upgrades_waiting() == [entry.key]
    title = listen.article("bridge").spoken_pieces[0][0]
    assert google.texts and all(text == title for text in google.texts)
    google.mode = "ok"
    deadline = time.monotonic() + 60
    while listen.upgrades_waiting():
        assert time.monotonic() < deadline, "no upgrade"
        time.sleep(0.05)
    assert listen.lookup(listen.article("bridge")).meta["segment_engines"] == ["gtts", "gtts"]


def test_an_edited_article_is_not_upgraded_but_built_anew(config, articles, google, monkeypatch):
    monkeypatch.setattr(upgrade, "POLL", 0.1)
    app = create_app(settings(config, google, ENGINES="gtts,fake"))
    listen = app.extensions["listen"]
    google.mode = "500"
    write_article(articles, "bridge", title=TITLE, language="en", text=KEPT)
    entry = listen.audio(listen.article("bridge"))
    write_article(articles, "bridge", title=TITLE, language="en", text=LOST[0])
    google.mode = "ok"
    google.clear_requests()
    listen.engine_down("gtts", 0)
    deadline = time.monotonic() + 30
    while listen.upgrades_waiting():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert listen.wait_idle(10) and google.count == 0
    assert stored(listen).articles.get(upgraded_key(entry.key)) is None
