"""Prove tests/fake_google.py speaks Google's batchexecute dialect well enough
for gTTS's *real* request/parse code path (only the URL is redirected)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import time

import pytest
import requests
from gtts import gTTS
from gtts.tts import gTTSError
from pydub import AudioSegment

from fake_google import FakeGoogle

GTTS_AUDIO_RE = re.compile(r'jQ1olc","\[\\"(.*)\\"]')  # same regex as gtts/tts.py

EN_TEXT = (
    "The quick brown fox jumps over the lazy dog near the riverbank. "
    "Afterwards it rested under an old oak tree, watching the clouds drift slowly "
    "across a pale blue sky while birds sang in the distance."
)
ES_TEXT = "Hola, ¿cómo estás? Hoy hace un día muy bonito para pasear por el parque."


def make_tts_class(url):
    class LocalGTTS(gTTS):
        """gTTS whose prepared requests are re-pointed at the fake."""

        def _prepare_requests(self):
            prs = super()._prepare_requests()
            for pr in prs:
                pr.prepare_url(url, None)
            return prs

    return LocalGTTS


@pytest.fixture(scope="module")
def server():
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def fake(server):
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def TTS(fake):
    return make_tts_class(fake.url)


def _words(s):
    return re.findall(r"\w+", s.lower())


def _synth(TTS, text, lang="en", timeout=5):
    buf = io.BytesIO()
    TTS(text, lang=lang, timeout=timeout).write_to_fp(buf)
    return buf


# --------------------------------------------------------------------------


def test_english_real_mp3_and_recorded_chunks(fake, TTS):
    buf = _synth(TTS, EN_TEXT, "en")
    assert buf.getbuffer().nbytes > 1000
    buf.seek(0)
    seg = AudioSegment.from_file(buf, format="mp3")
    n_words = len(_words(EN_TEXT))
    secs = seg.duration_seconds
    assert n_words * 0.05 < secs < n_words * 1.0, secs
    assert seg.channels == 1 and seg.frame_rate == 24000

    # gTTS split the >100-char text into several chunks; fake saw them all.
    assert fake.count >= 2
    assert all(lang == "en" for _, lang in fake.requests)
    assert _words(" ".join(fake.texts)) == _words(EN_TEXT)


def test_spanish(fake, TTS):
    buf = _synth(TTS, ES_TEXT, "es")
    buf.seek(0)
    seg = AudioSegment.from_file(buf, format="mp3")
    assert seg.duration_seconds > 0.05 * len(_words(ES_TEXT))
    assert {lang for _, lang in fake.requests} == {"es"}
    assert _words(" ".join(fake.texts)) == _words(ES_TEXT)


def test_raw_wire_format(fake, TTS):
    body = TTS("Hello there, general.", lang="en").get_bodies()[0]
    r = requests.post(
        fake.url,
        data=body,
        timeout=5,
        headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    text = r.text
    assert text.startswith(")]}'\n\n")
    lines = text.split("\n")
    assert lines[2].isdigit() and int(lines[2]) == len(lines[3]) + 1
    assert lines[3].startswith('[["wrb.fr","jQ1olc","[\\"')
    assert lines[3].endswith('\\"]",null,null,null,"generic"]]')
    assert GTTS_AUDIO_RE.search(lines[3])
    assert any('"di"' in ln and '"af.httprm"' in ln for ln in lines)
    assert fake.requests == [("Hello there, general.", "en")]


def test_audio_cache(fake, TTS):
    _synth(TTS, "Cache me if you can.")
    calls = fake.synth_calls
    _synth(TTS, "Cache me if you can.")
    assert fake.synth_calls == calls
    assert fake.count == 2


def test_mode_429(fake, TTS):
    fake.mode = "429"
    with pytest.raises(gTTSError) as ei:
        _synth(TTS, "Too many requests.")
    assert "429" in str(ei.value)


def test_mode_500(fake, TTS):
    fake.mode = "500"
    with pytest.raises(gTTSError, match="500"):
        _synth(TTS, "Server error.")


def test_fail_next_then_recovers_with_retry_after(fake, TTS):
    fake.fail_next(2, status=429, retry_after=7)
    body = TTS("Retry me.").get_bodies()[0]
    r = requests.post(fake.url, data=body, timeout=5)
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    with pytest.raises(gTTSError, match="429"):
        _synth(TTS, "Retry me.")
    assert fake.pending_faults == 0
    assert _synth(TTS, "Retry me.").getbuffer().nbytes > 0  # queue drained -> ok
    assert fake.count == 3


def test_queue_mode(fake, TTS):
    fake.queue_mode("garbage")
    with pytest.raises(gTTSError):
        _synth(TTS, "First.")
    assert _synth(TTS, "Second.").getbuffer().nbytes > 0


def test_mode_garbage_raises_from_gtts_parser(fake, TTS):
    fake.mode = "garbage"
    with pytest.raises(gTTSError) as ei:
        _synth(TTS, "Garbage in.")
    assert "200" in str(ei.value)


def test_mode_empty_yields_no_audio(fake, TTS):
    fake.mode = "empty"
    buf = _synth(TTS, "Nothing to hear.")  # valid format: gTTS doesn't complain
    assert buf.getvalue() == b""
    assert fake.count == 1


def test_mode_hang_times_out(fake, TTS):
    fake.mode = "hang"
    t0 = time.monotonic()
    with pytest.raises(gTTSError):
        _synth(TTS, "Hello?", timeout=1)
    assert time.monotonic() - t0 < 3


def test_mode_reset(fake, TTS):
    fake.mode = "reset"
    with pytest.raises(gTTSError, match="Failed to connect"):
        _synth(TTS, "Connection drops.")
    assert fake.count == 1


def test_latency(fake, TTS):
    text = "Latency check."
    _synth(TTS, text)  # warm the cache so timing measures latency only
    t0 = time.monotonic()
    _synth(TTS, text)
    base = time.monotonic() - t0
    fake.latency = 0.4
    t0 = time.monotonic()
    _synth(TTS, text)
    slow = time.monotonic() - t0
    assert slow >= 0.4
    assert slow - base >= 0.3


def test_concurrent_requests_are_all_recorded(fake, TTS):
    fake.latency = 0.2
    texts = [f"Number {i}." for i in range(8)]
    fake.prewarm(texts)  # only the latency is timed, not espeak-ng making the audio
    errors = []

    def worker(t):
        try:
            _synth(TTS, t)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in texts]
    t0 = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(map(_words, fake.texts)) == sorted(map(_words, texts))
    assert time.monotonic() - t0 < 8 * 0.2  # served in parallel


def test_bad_mode_rejected(fake):
    with pytest.raises(ValueError):
        fake.mode = "sideways"
    fake.mode = "503"  # any 4xx/5xx status is accepted
    assert fake.mode == "503"


def test_standalone_main():
    script = os.path.join(os.path.dirname(__file__), "fake_google.py")
    proc = subprocess.Popen(
        [sys.executable, script, "--port", "0", "--latency", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/batchexecute")
        buf = io.BytesIO()
        make_tts_class(url)("Standalone works.", lang="en", timeout=5).write_to_fp(buf)
        assert buf.getbuffer().nbytes > 0
        base = url.split("/_/")[0]
        state = requests.get(base + "/_fake/state", timeout=5).json()
        assert state["count"] == 1 and state["latency"] == 0.05
        r = requests.post(base + "/_fake/config", json={"mode": "429"}, timeout=5)
        assert r.json()["mode"] == "429"
    finally:
        proc.terminate()
        rc = proc.wait(timeout=5)
        proc.stdout.close()
    assert rc == 0
