"""HTTP API through Flask's test client, with real espeak-ng synthesis."""

from __future__ import annotations

import threading

import pytest

from listen import create_app
from listen.engines.gtts.chunk import chunks

from conftest import decode_mp3, stored, write_article

EN_ID = "city-council-budget"
ES_ID = "sequia-en-el-valle"


def test_article_metadata_before_and_after_synthesis(client):
    before = client.get(f"/api/articles/{EN_ID}").get_json()
    base = f"http://localhost/api/articles/{EN_ID}"
    words = before.pop("words")
    estimated = before.pop("estimated_s")
    assert before == {
        "id": EN_ID,
        "title": "City council approves leaner budget after marathon session",
        "language": "en",
        "status": "pending",
        "duration_s": None,
        "audio_url": f"{base}/audio.mp3",
        "download_url": f"{base}/audio.mp3?download=1",
        "timings_url": f"{base}/timings.json",
        "transcript_url": f"{base}/transcript.vtt",
        "chapters_url": f"{base}/chapters.json",
        "engine": None,
        "events_url": "http://localhost/api/events",
        "publisher": None,
        "artwork_url": None,
    }
    assert 300 < words < 400
    assert client.get(f"/api/articles/{EN_ID}/audio.mp3").status_code == 200
    after = client.get(f"/api/articles/{EN_ID}").get_json()
    assert after["status"] == "ready" and after["engine"] == "fake"
    assert after["duration_s"] > 60
    # the estimate given before the audio existed was within a third of the real length
    assert abs(estimated - after["duration_s"]) < after["duration_s"] / 3


@pytest.mark.parametrize("article_id, lang", [(EN_ID, "en"), (ES_ID, "es")])
def test_audio_is_the_spoken_article(client, article_id, lang):
    cold = client.get(f"/api/articles/{article_id}/audio.mp3")
    assert cold.status_code == 200 and cold.mimetype == "audio/mpeg"
    # a cold miss is streamed while it is synthesized: no length, no caching, no ranges
    assert cold.headers["X-Listen-Stream"] == "partial"
    assert "Content-Length" not in cold.headers and cold.headers["Cache-Control"] == "no-store"
    assert cold.headers["Access-Control-Allow-Origin"] == "*"
    warm = client.get(f"/api/articles/{article_id}/audio.mp3")
    assert warm.data == cold.data  # the stream was the whole file, byte for byte
    assert warm.headers["Accept-Ranges"] == "bytes" and "X-Listen-Stream" not in warm.headers
    assert "public" in warm.headers["Cache-Control"]
    audio = decode_mp3(warm.data)
    meta = client.get(f"/api/articles/{article_id}").get_json()
    assert meta["language"] == lang
    assert abs(len(audio) / 1000 - meta["duration_s"]) < 0.1
    # ~300 words of body at espeak's ~175 words/minute, plus pauses
    assert 80 < len(audio) / 1000 < 200


def test_relative_cache_dir_is_the_working_directory(config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    client = create_app({**config, "CACHE_DIR": "audio_cache"}).test_client()
    response = client.get(f"/api/articles/{ES_ID}/audio.mp3")
    assert response.status_code == 200 and len(response.data) > 100_000
    assert list((tmp_path / "audio_cache").glob("??/*.mp3"))


def test_range_etag_and_head(client):
    url = f"/api/articles/{EN_ID}/audio.mp3"
    client.get(url)  # cold: streamed and cached
    full = client.get(url)
    etag = full.headers["ETag"]
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.data == full.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(full.data)}"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(full.data)


def test_edited_article_gets_new_audio_unchanged_never_twice(client, articles):
    write_article(articles, "edit-me", title="Edit me", text="The first version of the body.")
    url = "/api/articles/edit-me/audio.mp3"
    client.get(url)
    first = client.get(url)
    again = client.get(url)
    assert again.headers["ETag"] == first.headers["ETag"]
    write_article(
        articles,
        "edit-me",
        title="Edit me",
        text="The second version of the body, which is longer than the first one.",
    )
    assert client.get(url).headers["X-Listen-Stream"] == "partial"  # new text, new audio
    edited = client.get(url)
    assert edited.headers["ETag"] != first.headers["ETag"]
    assert len(decode_mp3(edited.data)) > len(decode_mp3(first.data))


@pytest.mark.parametrize(
    "path, status, error",
    [
        ("/api/articles/.hidden", 400, "invalid_id"),
        ("/api/articles/..%2F..%2Fetc%2Fpasswd", 400, "invalid_id"),
        ("/api/articles/a%20b/audio.mp3", 400, "invalid_id"),
        ("/api/articles/" + "x" * 129, 400, "invalid_id"),
        ("/api/articles/no-such-article", 404, "not_found"),
        ("/api/articles/no-such-article/audio.mp3", 404, "not_found"),
        ("/no/such/route", 404, "not_found"),
    ],
)
def test_errors_are_json(client, path, status, error):
    response = client.get(path)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == error and body["message"]


def test_nothing_to_speak_is_422(client, articles):
    write_article(
        articles, "empty", html="<figure><figcaption>Only a caption</figcaption></figure>"
    )
    response = client.get("/api/articles/empty/audio.mp3")
    assert response.status_code == 422
    assert response.get_json()["error"] == "nothing_to_speak"


def test_unreadable_article_is_422(client, articles):
    (articles / "broken.json").write_text("{oops")
    response = client.get("/api/articles/broken")
    assert response.status_code == 422 and "JSON" in response.get_json()["message"]


def test_too_large_is_413(config, articles):
    write_article(articles, "huge", title="Huge", text="The council met again on Tuesday. " * 40)
    client = create_app({**config, "MAX_CHARS": 1000}).test_client()
    response = client.get("/api/articles/huge/audio.mp3")
    assert response.status_code == 413
    assert "LISTEN_MAX_CHARS" in response.get_json()["message"]


def test_every_engine_failing_is_503_with_retry_after(config, google):
    google.mode = "429"
    client = create_app({**config, "ENGINES": "gtts", "GTTS_URL": google.url}).test_client()
    response = client.get(f"/api/articles/{EN_ID}/audio.mp3")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json()["error"] == "engines_unavailable"
    status = client.get(f"/api/articles/{EN_ID}").get_json()
    assert status["status"] == "error" and "429" in status["message"]


def test_unreachable_google_falls_back_offline(config):
    client = create_app({**config, "ENGINES": "gtts,fake"}).test_client()
    assert client.get(f"/api/articles/{ES_ID}/audio.mp3").status_code == 200
    assert client.get(f"/api/articles/{ES_ID}").get_json()["engine"] == "fake"


def test_gtts_end_to_end_through_local_endpoint(config, google):
    client = create_app({**config, "ENGINES": "gtts,espeak", "GTTS_URL": google.url}).test_client()
    response = client.get(f"/api/articles/{ES_ID}/audio.mp3")
    assert response.status_code == 200
    assert client.get(f"/api/articles/{ES_ID}").get_json()["engine"] == "gtts"
    sent = " ".join(text for text, _ in google.requests)
    assert "Los agricultores del valle" in sent and "EFE" not in sent and "Read in" not in sent
    assert {lang for _, lang in google.requests} == {"es"}


def test_concurrent_requests_cause_one_synthesis(config, google):
    # A generous deadline: this is about single-flight, and the local endpoint makes real
    # speech for 8 requests at once on a busy machine (a slow answer would open the breaker).
    app = create_app({**config, "ENGINES": "gtts", "GTTS_URL": google.url, "GTTS_TIMEOUT": 30.0})
    google.latency = 0.02
    results = []

    def fetch():
        results.append(app.test_client().get(f"/api/articles/{EN_ID}/audio.mp3"))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * 8
    assert len({r.data for r in results}) == 1
    # eight listeners cost exactly one synthesis: one request per chunk, no more
    article = app.extensions["listen"].article(EN_ID)
    assert google.count == sum(len(chunks(text)) for text, _ in article.spoken_pieces)


def test_pages_and_embed(client):
    index = client.get("/")
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    for article_id in (EN_ID, ES_ID, "festival-de-cine"):
        assert f'data-listen-article="{article_id}"' in html
    embed = client.get(f"/embed/{ES_ID}")
    assert embed.status_code == 200
    assert 'lang="es"' in embed.get_data(as_text=True)
    script = client.get("/embed.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert script.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_titles_are_escaped(client, articles):
    write_article(articles, "xss", title="<script>alert(1)</script>", text="Body text here.")
    html = client.get("/embed/xss").get_data(as_text=True) + client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_method_not_allowed_is_json(client):
    response = client.post(f"/api/articles/{EN_ID}")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


QUOTE_ES = (
    "«No vamos a permitir que el puerto se quede sin trabajadores durante el verano», "
    "dijo la ministra en una conferencia de prensa celebrada el martes por la mañana."
)


def mixed_article(articles):
    write_article(
        articles,
        "mixed",
        title="Port strike ends after talks",
        language="en",
        text=(
            "The strike at the port ended on Tuesday after two days of talks between the union "
            "and the operators.\n" + QUOTE_ES + "\nShips began unloading again in the afternoon."
        ),
    )


def test_transcript_json_and_page(client, articles):
    mixed_article(articles)
    data = client.get("/api/articles/mixed/transcript").get_json()
    assert data["id"] == "mixed" and data["language"] == "en"
    assert data["title"] == data["title_spoken"] == "Port strike ends after talks"
    assert [(p["kind"], p["language"]) for p in data["paragraphs"]] == [
        ("paragraph", "en"),
        ("paragraph", "es"),
        ("paragraph", "en"),
    ]
    assert all(set(p) == {"kind", "language", "text", "spoken"} for p in data["paragraphs"])
    page = client.get("/transcript/mixed")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Port strike ends after talks" in html and "la ministra" in html
    assert client.get("/transcript/.bad").status_code == 400


def built_mixed(config, articles, engines: str):
    """The cached audio of the English article with a Spanish quote, spoken by ``engines``."""
    mixed_article(articles)
    client = create_app({**config, "ENGINES": engines}).test_client()
    assert client.get("/api/articles/mixed/audio.mp3").status_code == 200
    service = client.application.extensions["listen"]
    return service.lookup(service.article("mixed"))


def test_each_language_of_an_article_has_its_voice(config, articles):
    entry = built_mixed(config, articles, "fake")
    assert entry.meta["voices"] == {
        "en": {"engine": "fake", "voice": "fake:en-tones"},
        "es": {"engine": "fake", "voice": "fake:es-tones"},
    }
    assert [t["language"] for t in entry.meta["timings"]] == ["en", "en", "es", "en"]


@pytest.mark.slow
def test_a_spanish_quote_gets_the_spanish_voice(config, articles):
    entry = built_mixed(config, articles, "piper,espeak")
    assert entry.meta["engine"] == "piper"
    assert entry.meta["voices"] == {
        "en": {"engine": "piper", "voice": "piper:en_US-joe-medium"},
        "es": {"engine": "espeak", "voice": "espeak-ng:es-419"},
    }
    assert len(entry.meta["timings"]) == 4


FRENCH = (
    "Le conseil municipal a adopté mardi soir un budget réduit après un long débat sur "
    "l'entretien des routes et les horaires des bibliothèques de quartier."
)


@pytest.mark.parametrize("metadata", [None, "fr"])
def test_unsupported_language_is_422(client, articles, metadata):
    fields = {"title": "Budget", "text": FRENCH} | ({"language": metadata} if metadata else {})
    write_article(articles, "fr", **fields)
    response = client.get("/api/articles/fr/audio.mp3")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "unsupported_language"
    assert body["message"].startswith("language fr not supported")


def test_unsupported_language_spoken_when_configured(config, articles):
    write_article(articles, "fr", title="Budget", text=FRENCH)
    client = create_app({**config, "UNSUPPORTED_AS": "es"}).test_client()
    assert client.get("/api/articles/fr").get_json()["language"] == "es"
    assert client.get("/api/articles/fr/audio.mp3").status_code == 200


@pytest.mark.parametrize("name, value", [("LANGUAGE", "fr"), ("UNSUPPORTED_AS", "de")])
def test_language_settings_are_checked(config, name, value):
    from listen.errors import ConfigError

    with pytest.raises(ConfigError, match=f"LISTEN_{name}"):
        create_app({**config, name: value})


def test_transcript_shows_the_spoken_form(client):
    data = client.get(f"/api/articles/{EN_ID}/transcript").get_json()
    first = data["paragraphs"][0]
    assert "7-4" in first["text"] and "$312 million" in first["text"]
    assert "seven to four" in first["spoken"]
    assert "a three hundred twelve million dollar spending plan" in first["spoken"]
    es = client.get(f"/api/articles/{ES_ID}/transcript").get_json()
    assert any("veintitrés por ciento" in p["spoken"] for p in es["paragraphs"])


def test_unspeakable_input_is_skipped_with_a_log_line_never_a_crash(client, articles, caplog):
    write_article(
        articles,
        "odd",
        title="Odd input",
        language="en",
        text=(
            "!!! ... ???\n😀😀😀 🎉🎉\n" + "x" * 10_000 + " and then some words.\n"
            "这是一个用中文写的段落，没有英语或西班牙语的声音可以朗读它。\n"
            "A normal sentence to end with."
        ),
    )
    data = client.get("/api/articles/odd/transcript").get_json()
    assert [p["text"][:20] for p in data["paragraphs"]] == [
        "x" * 20,
        "A normal sentence to",
    ]
    assert data["paragraphs"][0]["spoken"] == "and then some words."
    assert "over 60 characters without a space" in caplog.text
    assert "script no voice reads" in caplog.text
    assert client.get("/api/articles/odd/audio.mp3").status_code == 200


def test_only_punctuation_and_emoji_is_nothing_to_speak(client, articles):
    write_article(articles, "emoji", title="", text="!!! ... ???\n😀😀😀 🎉🎉")
    response = client.get("/api/articles/emoji/audio.mp3")
    assert response.status_code == 422 and response.get_json()["error"] == "nothing_to_speak"


def test_download(client, config):
    response = client.get(f"/api/articles/{EN_ID}/audio.mp3?download=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename={EN_ID}.mp3"
    off = create_app({**config, "DOWNLOAD": False}).test_client()
    assert off.get(f"/api/articles/{EN_ID}").get_json()["download_url"] is None
    refused = off.get(f"/api/articles/{EN_ID}/audio.mp3?download=1")
    assert refused.status_code == 403 and refused.get_json()["error"] == "download_disabled"
    assert off.get(f"/api/articles/{EN_ID}/audio.mp3").status_code == 200  # listening is fine


def test_oembed(client):
    response = client.get(f"/oembed?url=https://listen.example.com/embed/{ES_ID}&maxwidth=500")
    assert response.status_code == 200
    data = response.get_json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"].startswith("Los agricultores del valle")
    assert data["width"] == 500 and data["height"] > 0
    assert f'src="http://localhost/embed/{ES_ID}"' in data["html"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/oembed?url=https://x/embed/nope").status_code == 404
    assert client.get("/oembed?url=https://x/somewhere").status_code == 404
    assert client.get(f"/oembed?url=https://x/embed/{ES_ID}&format=xml").status_code == 501


def test_oembed_escapes_titles(client, articles):
    write_article(articles, "xss2", title='"><script>alert(1)</script>', text="Body text here.")
    html = client.get("/oembed?url=https://x/embed/xss2").get_json()["html"]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_podcast_feed(client):
    import xml.etree.ElementTree as ET

    empty = ET.fromstring(client.get("/feed.xml").data)
    assert empty.find("channel/item") is None
    client.get(f"/api/articles/{EN_ID}/audio.mp3")
    client.get(f"/api/articles/{ES_ID}/audio.mp3")
    response = client.get("/feed.xml")
    assert response.mimetype == "application/rss+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert {i.findtext("title") for i in items} == {
        "City council approves leaner budget after marathon session",
        "Los agricultores del valle riegan de noche para resistir la sequía",
    }
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "audio/mpeg"
        audio = client.get(enclosure.get("url").replace("http://localhost", ""))
        assert int(enclosure.get("length")) == len(audio.data)
        assert item.findtext(f"{itunes}duration").count(":") == 2
        assert item.findtext("pubDate") and item.findtext("guid")
    spanish = ET.fromstring(client.get("/feed.xml?language=es").data)
    assert [i.findtext("title")[:9] for i in spanish.findall("channel/item")] == ["Los agric"]
    assert spanish.findtext("channel/language") == "es"
    assert client.get("/feed.xml?language=fr").status_code == 400


def test_frame_ancestors(client, config):
    assert client.get(f"/embed/{EN_ID}").headers["Content-Security-Policy"] == "frame-ancestors *"
    assert "X-Frame-Options" not in client.get(f"/embed/{EN_ID}").headers
    own = create_app({**config, "FRAME_ANCESTORS": "https://news.example.com"}).test_client()
    csp = own.get(f"/embed/{EN_ID}").headers["Content-Security-Policy"]
    assert csp == "frame-ancestors https://news.example.com"
    assert "Content-Security-Policy" not in own.get("/healthz").headers


def test_finished_audio_has_an_immutable_address(client, config):
    client.get(f"/api/articles/{EN_ID}/audio.mp3")  # cold: streamed and cached
    meta = client.get(f"/api/articles/{EN_ID}").get_json()
    assert meta["status"] == "ready"
    url = meta["audio_url"].replace("http://localhost", "")
    assert url.startswith("/audio/") and url.endswith(".mp3")
    whole = client.get(url)
    assert whole.status_code == 200 and whole.mimetype == "audio/mpeg"
    assert whole.data == client.get(f"/api/articles/{EN_ID}/audio.mp3").data
    assert "immutable" in whole.headers["Cache-Control"]
    assert whole.headers["Access-Control-Allow-Origin"] == "*"
    assert int(whole.headers["Content-Length"]) == len(whole.data)
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == whole.data[10:20]
    assert client.get(url, headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and head.data == b""
    missing = client.get("/audio/" + "0" * 64 + ".mp3")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert client.get("/audio/../../etc/passwd.mp3").status_code == 404


def test_plays_by_address_count_for_eviction_and_hit_rate(client, app):
    client.get(f"/api/articles/{EN_ID}/audio.mp3")
    listen = app.extensions["listen"]
    entry = listen.lookup(listen.article(EN_ID))
    from listen.storage.stats import read_counts

    before = stored(listen).articles.played_at(entry)
    listen.flush_stats()
    hits = read_counts(listen.cache_root)["hits"]
    client.get(f"/audio/{entry.key}.mp3")
    listen.flush_stats()
    assert stored(listen).articles.played_at(listen.finished(entry.key)) > before
    assert read_counts(listen.cache_root)["hits"] == hits + 1
