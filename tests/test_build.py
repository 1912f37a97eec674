"""Builds: progressive streaming on a cold miss, the paragraph cache, timings that match."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from listen import create_app, metrics
from listen.audio import mp3
from listen.engines.gtts.chunk import chunks

from conftest import decode_mp3, write_article

PARAGRAPHS = [
    f"Paragraph number {i} of the story says something new and worth hearing." for i in range(10)
]  # noqa: E501


def ten_paragraphs(articles, changed: int | None = None):
    body = list(PARAGRAPHS)
    if changed is not None:
        body[changed] = "This paragraph was corrected by the editor after publication."
    write_article(articles, "ten", title="Ten paragraphs", language="en", text="\n".join(body))


def test_cold_miss_streams_before_synthesis_ends(config, articles, google):
    ten_paragraphs(articles)
    google.latency = 0.25  # every paragraph takes a while
    app = create_app(
        {
            **config,
            "ENGINES": "gtts",
            "GTTS_URL": google.url,
            "SYNTH_WORKERS": 1,
            "SYNTH_LOOKAHEAD": 1,
        }
    )
    client = app.test_client()
    response = client.get("/api/articles/ten/audio.mp3", buffered=False)
    assert response.status_code == 200 and response.headers["X-Listen-Stream"] == "partial"
    chunks_in = iter(response.response)
    first = next(chunks_in)
    assert first.startswith(b"ID3")
    # the first bytes arrived while most paragraphs were still to be spoken
    service = app.extensions["listen"]
    assert service.status(service.article("ten")).state == "pending"
    assert google.count < 11
    rest = b"".join(chunks_in)
    response.close()
    whole = first + rest
    done = client.get("/api/articles/ten/audio.mp3")
    assert done.data == whole and "X-Listen-Stream" not in done.headers


def test_two_listeners_share_one_stream(config, articles, google):
    ten_paragraphs(articles)
    google.latency = 0.1
    app = create_app({**config, "ENGINES": "gtts", "GTTS_URL": google.url})
    bodies = []

    def listen():
        bodies.append(app.test_client().get("/api/articles/ten/audio.mp3").data)

    threads = [threading.Thread(target=listen) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.15)  # the second arrives while the first is being streamed
    for t in threads:
        t.join()
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    article = app.extensions["listen"].article("ten")
    assert google.count == sum(len(chunks(text)) for text, _ in article.spoken_pieces)


def test_an_articles_requests_fill_the_gtts_pool_across_paragraphs(config, articles, google):
    ten_paragraphs(articles)  # a title and ten paragraphs of one request each
    google.latency = 0.3
    app = create_app(
        {
            **config,
            "ENGINES": "gtts",
            "GTTS_URL": google.url,
            "GTTS_CONCURRENCY": 6,
            "SYNTH_WORKERS": 2,  # the synthesis workers do not bound the requests
        }
    )
    response = app.test_client().get("/api/articles/ten/audio.mp3")
    assert response.status_code == 200
    service = app.extensions["listen"]
    article = service.article("ten")
    pieces = article.spoken_pieces
    # six paragraphs' requests were waiting on Google together: the pool was full
    assert google.max_in_flight == 6
    # each piece asked for once, the title in the first wave (not behind the rest)
    assert google.count == len(pieces) == 11
    assert google.texts.index(pieces[0][0]) < 6
    timings = service.lookup(article).meta["timings"]
    assert [t["kind"] for t in timings] == article.kinds
    assert all(a["end"] < b["start"] for a, b in zip(timings, timings[1:], strict=False))
    assert not service.engines[0]._pending  # nothing handed ahead is left holding audio


def test_a_dead_google_costs_the_requests_in_flight_not_the_article(config, articles, google):
    ten_paragraphs(articles)
    google.latency = 0.1
    google.mode = "500"
    app = create_app(
        {
            **config,
            "ENGINES": "gtts,fake",
            "GTTS_URL": google.url,
            "GTTS_RETRIES": 0,
            "GTTS_CONCURRENCY": 4,
        }
    )
    response = app.test_client().get("/api/articles/ten/audio.mp3")
    assert response.status_code == 200
    # the texts handed ahead were dropped when Google failed: only those in flight went
    assert 1 <= google.count <= 4
    service = app.extensions["listen"]
    assert service.lookup(service.article("ten")).meta["engine"] == "fake"
    assert not service.engines[0]._pending


def test_editing_one_paragraph_resynthesizes_only_that_paragraph(config, articles):
    ten_paragraphs(articles)
    app = create_app(config)
    client = app.test_client()
    before = metrics.synthesized()
    first = client.get("/api/articles/ten/audio.mp3").data
    assert metrics.synthesized() - before == 11  # title + 10 paragraphs
    ten_paragraphs(articles, changed=4)
    edited = client.get("/api/articles/ten/audio.mp3").data
    assert metrics.synthesized() - before == 12  # one more: the corrected paragraph
    assert edited != first


def test_repeated_text_is_synthesized_once(config, articles):
    write_article(
        articles,
        "twice",
        title="Twice",
        language="en",
        text="The same sentence, said twice.\nSomething else.\nThe same sentence, said twice.",
    )
    write_article(
        articles,
        "again",
        title="Again",
        language="en",
        text="The same sentence, said twice.\nAnother thing entirely.",
    )
    app = create_app(config)
    client = app.test_client()
    before = metrics.synthesized()
    client.get("/api/articles/twice/audio.mp3")
    # the sanitizer speaks a repeated paragraph once; the other article reuses its audio
    assert metrics.synthesized() - before == 3
    client.get("/api/articles/again/audio.mp3")
    assert metrics.synthesized() - before == 5  # its title and its new paragraph only


def test_timings_match_the_audio(config, articles):
    ten_paragraphs(articles)
    client = create_app({**config, "PAUSE_TITLE_MS": 900, "PAUSE_PARAGRAPH_MS": 600}).test_client()
    pending = client.get("/api/articles/ten/timings.json")
    assert pending.status_code == 409 and pending.headers["Retry-After"]
    data = client.get("/api/articles/ten/audio.mp3").data  # wait for the audio
    timings = client.get("/api/articles/ten/timings.json").get_json()
    pieces = timings["pieces"]
    assert [p["kind"] for p in pieces] == ["title"] + ["paragraph"] * 10
    assert pieces[1]["text"] == PARAGRAPHS[0]
    audio = decode_mp3(data)
    assert abs(timings["duration_s"] - len(audio) / 1000) < 0.05
    samples = np.array(audio.get_array_of_samples(), dtype=np.float64)
    rate = audio.frame_rate

    def loud(a: float, b: float) -> float:
        window = samples[int(a * rate) : int(b * rate)]
        return float(np.sqrt(np.mean(window**2))) if window.size else 0.0

    for prev, piece in zip(pieces, pieces[1:], strict=False):
        gap = piece["start"] - prev["end"]
        assert 0.5 < gap < 1.1  # the configured pause, give or take a frame
        assert loud(prev["end"] + 0.05, piece["start"] - 0.05) < 30  # silence between
        assert loud(piece["start"], piece["end"]) > 300  # speech within
        assert prev["start"] < prev["end"]
    assert 0.85 < pieces[1]["start"] - pieces[0]["end"] < 1.1


def test_webvtt(config, articles):
    ten_paragraphs(articles)
    client = create_app(config).test_client()
    client.get("/api/articles/ten/audio.mp3")
    vtt = client.get("/api/articles/ten/transcript.vtt")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    lines = vtt.get_data(as_text=True).splitlines()
    assert lines[0] == "WEBVTT"
    assert lines[2:5] == ["1", lines[3], "Ten paragraphs"]
    assert lines[3].startswith("00:00:00.0") and " --> 00:00:0" in lines[3]
    assert PARAGRAPHS[9] in lines
    etag = vtt.headers["ETag"]
    assert (
        client.get("/api/articles/ten/transcript.vtt", headers={"If-None-Match": etag}).status_code
        == 304
    )


def test_every_engine_failing_before_any_audio_is_503(config, articles, google):
    ten_paragraphs(articles)
    google.mode = "500"
    client = create_app(
        {**config, "ENGINES": "gtts", "GTTS_URL": google.url, "GTTS_RETRIES": 0}
    ).test_client()
    response = client.get("/api/articles/ten/audio.mp3")
    assert response.status_code == 503 and response.get_json()["error"] == "engines_unavailable"
    cache = Path(config["CACHE_DIR"])
    assert not list(cache.glob("??/*.part")) and not list(cache.glob("??/*.mp3"))


def test_every_frame_has_one_bitrate_and_rate(config, articles):
    ten_paragraphs(articles)
    client = create_app(config).test_client()
    client.get("/api/articles/ten/audio.mp3")
    data = client.get("/api/articles/ten/audio.mp3").data
    size = data[6:10]
    offset = 10 + (size[0] << 21 | size[1] << 14 | size[2] << 7 | size[3])  # syncsafe
    headers = set()
    while offset < len(data):
        length = mp3.frame_length(data[offset : offset + 4])
        assert length, f"not a frame at byte {offset}"
        headers.add(data[offset + 2] & 0xFC)  # bitrate and sample-rate bits
        offset += length
    assert headers == {0x60}  # 48 kbit/s, 22.05 kHz: one format for the whole file


def _build_elsewhere(config: dict, started) -> None:  # runs in another process
    from listen.cli import load_service

    service = load_service(**config)
    article = service.article("ten")
    key, build = service.start(article)
    started.set()
    service.audio(article)


def test_another_process_follows_the_build_in_progress(config, articles, google):
    """A second gunicorn worker (here: another process) streams the same .part file."""
    import multiprocessing

    ten_paragraphs(articles)
    google.latency = 0.3
    settings = {k: v for k, v in config.items() if k != "TESTING"}
    settings.update(
        {"ENGINES": "gtts", "GTTS_URL": google.url, "SYNTH_WORKERS": 1, "SYNTH_LOOKAHEAD": 1}
    )
    ctx = multiprocessing.get_context("spawn")
    started = ctx.Event()
    other = ctx.Process(target=_build_elsewhere, args=(settings, started))
    other.start()
    try:
        assert started.wait(30)
        from listen.cli import load_service

        service = load_service(**settings)
        before = metrics.synthesized()
        article = service.article("ten")
        deadline = time.monotonic() + 30
        while not service.is_building(service.article_key(article)):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert service.status(article).state == "pending"
        key, build = service.start(article)
        assert build is None  # nothing started here: the other process builds it
        followed = b"".join(service.follow(key, None))
        other.join(60)
        assert other.exitcode == 0
        final = service.lookup(article)
        assert final is not None and followed == final.path.read_bytes()
        assert metrics.synthesized() == before
    finally:
        other.join(10)
