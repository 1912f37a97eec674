"""Long paragraphs: spoken in bounded passages, heard and timed as one paragraph.

A paragraph used to be synthesized, leveled and encoded as one array of PCM, so
memory grew with the longest paragraph (a 150 KB one took 6 GB). These tests
give real engines (espeak-ng, piper) long paragraphs and check what each engine
was asked to say, the audio that came out and the timings that describe it.
"""

from __future__ import annotations

import builtins
import io
import os
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydub import AudioSegment
from pydub.generators import Sine
from scipy import signal

from listen import create_app, metrics
from listen.audio import mp3, passages, stitch
from listen.engines import Speech
from listen.engines.espeak import EspeakEngine
from listen.engines.gtts.chunk import sentences
from listen.engines.piper import PiperEngine
from listen.errors import EngineError
from listen.text import sanitize

from conftest import decode_mp3, encode_segment, stored, write_article

WORDS = "council budget bridge river market harbour farmers water school library street".split()


def long_paragraph(count: int) -> str:
    """``count`` different sentences of 80 to 130 characters, in one paragraph."""
    out = []
    for n in range(count):
        body = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(9 + n % 6))
        out.append(f"Sentence {n + 1} says the {body} changed.")
    return " ".join(out)


def one_block(text: str) -> bool:
    """The sanitizer cuts a longer block into several paragraphs before any of this runs."""
    return len(text) <= sanitize.MAX_BLOCK_CHARS


class RecordingEspeak(EspeakEngine):
    """espeak-ng that remembers each text it was given, the length of its audio once its
    silence at both ends is trimmed (what a listener hears of it), and reports each text it
    spoke as one sentence (espeak-ng itself reports none)."""

    def __init__(self, config):
        super().__init__(config)
        self.texts: list[str] = []
        self.seconds: list[float] = []

    def synthesize(self, text: str, language: str) -> Speech:
        speech = super().synthesize(text, language)
        self.texts.append(text)
        pcm = np.frombuffer(stitch.conform(speech.audio).raw_data, dtype=np.int16)
        self.seconds.append(len(stitch.trim(pcm)[0]) / mp3.SAMPLE_RATE)
        return Speech(speech.audio, [(0.0, len(pcm) / mp3.SAMPLE_RATE)])


def heard(seconds: list[float]) -> float:
    """How long a paragraph of passages lasting ``seconds`` (trimmed) is, with the gaps
    between them."""
    return sum(seconds) + stitch.PASSAGE_GAP_MS / 1000 * (len(seconds) - 1)


class RecordingPiper(PiperEngine):
    """piper that remembers each text it was given."""

    def __init__(self, config):
        super().__init__(config)
        self.texts: list[str] = []

    def synthesize(self, text: str, language: str) -> Speech:
        self.texts.append(text)
        return super().synthesize(text, language)


class FailsOnThirdText(RecordingEspeak):
    """An engine of its own (another name) that fails on the third text it is given."""

    name = "flaky"

    def voice(self, language: str) -> str:
        return "flaky:" + super().voice(language)

    def synthesize(self, text: str, language: str) -> Speech:
        if len(self.texts) == 2:
            self.texts.append(text)
            raise EngineError("flaky failed on purpose")
        return super().synthesize(text, language)


def build(config, articles: Path, text: str, engines: str):
    """Speak a one-paragraph article; its app, MP3 bytes and timings."""
    write_article(articles, "long", title="A long paragraph", language="en", text=text)
    app = create_app({**config, "ENGINES": engines, "MAX_CHARS": 10**6})
    client = app.test_client()
    response = client.get("/api/articles/long/audio.mp3")
    assert response.status_code == 200, response.data[:300]
    timings = client.get("/api/articles/long/timings.json").get_json()
    return app, response.data, timings


def silences(data: bytes, folder: Path) -> list[tuple[float, float]]:
    """(start, end) of every stretch quieter than -45 dBFS for 150 ms or more (ffmpeg)."""
    path = folder / "decoded.mp3"
    path.write_bytes(data)
    detect = "silencedetect=noise=-45dB:d=0.15"
    command = [
        "ffmpeg",
        "-hide_banner",
        "-nostats",
        "-i",
        str(path),
        "-af",
        detect,
        "-f",
        "null",
        "-",
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    starts = [float(s) for s in re.findall(r"silence_start: ([\d.]+)", proc.stderr)]
    ends = [float(s) for s in re.findall(r"silence_end: ([\d.]+)", proc.stderr)]
    return list(zip(starts, ends, strict=False))


def speakers(app) -> list:
    return app.extensions["listen"].engines


def spoken_text(app) -> str:
    """The paragraph as the engines are given it (after normalization)."""
    return app.extensions["listen"].article("long").spoken_pieces[1][0]


CUTS = [
    ("Short. Paragraph.", 40, ["Short. Paragraph."]),
    ("One two. Three four. Five six.", 20, ["One two. Three four.", "Five six."]),
    (
        "A clause, then another clause, then more.",
        20,
        ["A clause,", "then another clause,", "then more."],
    ),
    (
        "words without any punctuation at all here",
        12,
        ["words", "without any", "punctuation", "at all here"],
    ),
]


@pytest.mark.parametrize(("text", "limit", "expected"), CUTS)
def test_passages_cut_at_sentences_then_clauses_then_words(text, limit, expected):
    assert passages.passages(text, limit) == expected


def test_passages_of_a_long_paragraph_keep_every_word_in_order():
    text = long_paragraph(200)
    cut = passages.passages(text)
    assert len(cut) > 10 and all(len(p) <= passages.PASSAGE_CHARS for p in cut)
    assert " ".join(cut).split() == text.split()
    # whole sentences: every passage ends where a sentence ends
    assert all(p.endswith("changed.") for p in cut)


PATHOLOGICAL = st.lists(
    st.sampled_from(["word", "x" * 700, ".", ",", " ", "  ", "\n", "—", "!?", "a. b"]),
    max_size=400,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(PATHOLOGICAL)
def test_passages_are_bounded_and_lose_nothing_whatever_the_text(text):
    cut = passages.passages(text, 1000)
    assert all(len(p) <= 1000 for p in cut)
    if len(text) > 1000:
        assert "".join("".join(cut).split()) == "".join(text.split())
        # words are cut only where a word is longer than the bound
        assert " ".join(cut).split() == text.split() or max(map(len, text.split())) > 1000


def test_segment_encoder_joins_passages_into_one_run_of_frames():
    def speech(ms: int, freq: int) -> Speech:
        audio = Sine(freq, sample_rate=22050).to_audio_segment(ms).apply_gain(-10)
        return Speech(audio, [(0.0, ms / 2000), (ms / 2000, ms / 1000)])

    encoder = stitch.SegmentEncoder(engine="e", voice="v", target_lufs=-16.0, bitrate_kbps=48)
    encoder.add(speech(1000, 440))
    encoder.add(speech(600, 660))
    segment = encoder.finish()
    gap = 22050 * stitch.PASSAGE_GAP_MS // 1000  # a sentence break between the passages
    assert segment.samples == int(22050 * 1.6) + gap
    g = gap / 22050
    flat = [t for span in segment.sentences for t in span]
    assert flat == pytest.approx([0.0, 0.5, 0.5, 1.0, 1.0 + g, 1.3 + g, 1.3 + g, 1.6 + g])
    decoded = decode_mp3(segment.frames)
    # one encoder delay and padding for the segment, not one per passage
    assert 1.6 + g < len(decoded) / 1000 < 1.6 + g + (mp3.ENCODER_DELAY + 2 * 576) / 22050
    samples = np.array(decoded.get_array_of_samples(), dtype=np.float64)
    delay = mp3.ENCODER_DELAY
    # the gap is silence
    assert np.max(np.abs(samples[delay + 22050 + 300 : delay + 22050 + gap - 300])) < 100
    # each passage leveled on its own: the same loudness for both
    first = samples[delay + 2205 : delay + 19845]
    second = samples[delay + gap + 24255 : delay + gap + 33075]
    assert abs(20 * np.log10(np.std(first) / np.std(second))) < 0.5


def test_one_passage_is_encoded_exactly_as_before():
    audio = Sine(300, sample_rate=22050).to_audio_segment(700).apply_gain(-6)
    segment = encode_segment(Speech(audio), target_lufs=-16.0)
    pcm = np.frombuffer(audio.raw_data, dtype=np.int16)
    expected = mp3.encode(stitch.fade(stitch.level(pcm, -16.0)).tobytes(), 48)
    assert segment.frames == expected and segment.samples == len(pcm)


@pytest.mark.slow
def test_a_long_paragraph_is_spoken_in_bounded_passages_as_one_paragraph(
    config, articles, monkeypatch
):
    monkeypatch.setattr(passages, "PASSAGE_CHARS", 600)
    text = long_paragraph(26)  # about 4.8 times the bound, and one block (see one_block)
    assert one_block(text)
    app, data, timings = build(config, articles, text, "test_long_paragraphs:RecordingEspeak")
    (engine,) = speakers(app)
    title, *parts = engine.texts
    assert title == "A long paragraph"
    # what espeak-ng was given: bounded passages, whole sentences, the paragraph in order
    assert len(parts) >= 4 and max(len(p) for p in parts) <= passages.PASSAGE_CHARS
    assert " ".join(parts) == spoken_text(app)
    assert all(p.endswith("changed.") for p in parts)

    # one paragraph downstream: one timing, one cache segment
    assert [p["kind"] for p in timings["pieces"]] == ["title", "paragraph"]
    paragraph = timings["pieces"][1]
    start, end = paragraph["start"], paragraph["end"]
    assert abs((end - start) - heard(engine.seconds[1:])) < 0.002
    service = app.extensions["listen"]
    keys = service.lookup(service.article("long")).meta["segments"]
    assert len(keys) == 2
    segment = stored(service).segments.get(keys[1])
    assert segment.meta["chars"] == len(spoken_text(app)) and segment.meta["engine"] == "espeak"

    # its sentences: one per passage here, offset by the passages before, inside the paragraph
    spans = paragraph["sentences"]
    assert len(spans) == len(parts)
    assert spans[0][0] == start and abs(spans[-1][1] - end) < 0.002
    for (a, b), (c, d) in zip(spans, spans[1:], strict=False):
        assert a < b and abs(c - b - stitch.PASSAGE_GAP_MS / 1000) < 0.002 and c < d

    # the audio decodes to what the timings say
    assert abs(timings["duration_s"] - len(decode_mp3(data)) / 1000) < 0.05
    cached = len(decode_mp3(segment.path.read_bytes())) / 1000
    assert 0 <= cached - (end - start) < (mp3.ENCODER_DELAY + 2 * 576) / mp3.SAMPLE_RATE


@pytest.mark.slow
def test_joins_are_no_longer_silent_than_the_pauses_between_sentences(
    config, articles, tmp_path, monkeypatch
):
    text = long_paragraph(25)
    assert one_block(text)
    split, data, timings = build(config, articles, text, "test_long_paragraphs:RecordingEspeak")
    (engine,) = speakers(split)
    start = timings["pieces"][1]["start"]
    gap = stitch.PASSAGE_GAP_MS / 1000
    joins = [
        start + heard(engine.seconds[1 : i + 1]) + gap / 2
        for i in range(1, len(engine.seconds) - 1)
    ]
    assert len(joins) >= 2

    monkeypatch.setattr(passages, "PASSAGE_CHARS", 10**6)  # the same paragraph, unsplit
    before = metrics.synthesized()
    whole, whole_data, whole_timings = build(
        {**config, "CACHE_DIR": str(tmp_path / "whole")}, articles, text, "espeak"
    )
    assert metrics.synthesized() - before == 2

    def inside(found, timing):
        paragraph = timing["pieces"][1]
        return [(a, b) for a, b in found if paragraph["start"] < a and b < paragraph["end"]]

    unsplit = inside(silences(whole_data, tmp_path), whole_timings)
    longest_pause = max(b - a for a, b in unsplit)  # espeak-ng's own, between sentences
    found = inside(silences(data, tmp_path), timings)
    at_joins = [(a, b) for a, b in found if a - 0.05 <= min(joins, key=lambda j: abs(j - a)) <= b]
    # every join falls in a pause (no click mid-word), and none is longer than the
    # longest pause espeak-ng makes between two sentences of the unsplit paragraph
    assert len(at_joins) == len(joins)
    assert max(b - a for a, b in at_joins) <= longest_pause + 0.05
    assert len(found) <= len(unsplit) + 1


@pytest.mark.slow
def test_an_engine_failing_within_a_paragraph_hands_all_of_it_to_the_next(config, articles):
    text = long_paragraph(25)
    assert one_block(text)
    chain = "test_long_paragraphs:FailsOnThirdText,test_long_paragraphs:RecordingEspeak"
    app, data, timings = build(config, articles, text, chain)
    flaky, espeak = speakers(app)
    spoken = spoken_text(app)
    # flaky said the title and the first passage, then failed on the second passage, which
    # espeak-ng said in its place; then espeak-ng said the whole paragraph from its start
    assert flaky.texts[0] == "A long paragraph" and len(flaky.texts) == 3
    assert espeak.texts[0] == flaky.texts[2]
    assert " ".join(espeak.texts[1:]) == spoken
    service = app.extensions["listen"]
    keys = service.lookup(service.article("long")).meta["segments"]
    assert stored(service).segments.get(keys[1]).meta["engine"] == "espeak"
    paragraph = timings["pieces"][1]
    assert abs((paragraph["end"] - paragraph["start"]) - heard(espeak.seconds[1:])) < 0.002
    assert abs(timings["duration_s"] - len(decode_mp3(data)) / 1000) < 0.05


@pytest.mark.slow
def test_piper_sentence_timings_stay_in_order_across_passages(config, articles, monkeypatch):
    monkeypatch.setattr(passages, "PASSAGE_CHARS", 250)  # a short paragraph, several passages
    text = long_paragraph(8)
    assert len(passages.passages(text)) >= 4
    app, data, timings = build(config, articles, text, "test_long_paragraphs:RecordingPiper")
    (engine,) = speakers(app)
    assert len(engine.texts) >= 5 and max(len(t) for t in engine.texts) <= 250
    assert " ".join(engine.texts[1:]) == spoken_text(app)
    paragraph = timings["pieces"][1]
    spans = paragraph["sentences"]
    assert len(spans) == len(sentences(spoken_text(app)))  # piper reports each sentence
    assert paragraph["start"] <= spans[0][0] and spans[-1][1] <= paragraph["end"] + 0.002
    for (a, b), (c, d) in zip(spans, spans[1:], strict=False):
        assert a < b <= c + 0.002 and c < d
    audio: AudioSegment = decode_mp3(data)
    assert abs(timings["duration_s"] - len(audio) / 1000) < 0.05


class ToneEngine:
    """A deterministic engine that needs no binary: a tone for each text, 40 ms per
    character, its pitch from the text, reported as one sentence."""

    name = "tone"

    def __init__(self, config):
        self.texts: list[str] = []

    def supports(self, language: str) -> bool:
        return True

    def voice(self, language: str) -> str:
        return "tone:1"

    def synthesize(self, text: str, language: str) -> Speech:
        self.texts.append(text)
        samples = int(mp3.SAMPLE_RATE * 0.04 * len(text))
        pitch = 180 + sum(map(ord, text)) % 300
        t = np.arange(samples) / mp3.SAMPLE_RATE
        wave = (8000 * np.sin(2 * np.pi * pitch * t) * (1 + 0.5 * np.sin(3 * t))).astype(np.int16)
        audio = AudioSegment(wave.tobytes(), sample_width=2, frame_rate=mp3.SAMPLE_RATE, channels=1)
        return Speech(audio, [(0.0, samples / mp3.SAMPLE_RATE)])


TONE = "test_long_paragraphs:ToneEngine"


def loudness_at_once(pcm: np.ndarray) -> float | None:
    """stitch.loudness (BS.1770), on a whole array of floats at once."""
    step = mp3.SAMPLE_RATE // 10
    usable = len(pcm) // step * step
    weighted = signal.lfilter(stitch._K_B, stitch._K_A, pcm[:usable].astype(np.float64) / 32768.0)
    steps = np.mean(weighted.reshape(-1, step) ** 2, axis=1) if usable else np.empty(0)
    if steps.size < 4:
        return None
    blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / 4
    with np.errstate(divide="ignore"):
        above = blocks[-0.691 + 10 * np.log10(blocks) > -70]
    if above.size == 0:
        return None
    relative = -0.691 + 10 * np.log10(np.mean(above)) - 10
    gated = above[-0.691 + 10 * np.log10(above) > relative]
    return float(-0.691 + 10 * np.log10(np.mean(gated)))


def limited_at_once(samples: np.ndarray, gain: float) -> np.ndarray:
    knee, limit = 10 ** (-4 / 20), 10 ** (-1.5 / 20)
    out = samples * gain
    over = np.abs(out) > knee
    if over.any():
        excess = (np.abs(out[over]) - knee) / (limit - knee)
        out[over] = np.sign(out[over]) * (knee + (limit - knee) * np.tanh(excess))
    return np.clip(out * 32767.0, -32767, 32767).astype(np.int16)


def level_at_once(pcm: np.ndarray, target: float) -> np.ndarray:
    """stitch.level, on a whole array of floats at once."""
    measured = loudness_at_once(pcm)
    if measured is None:
        return pcm
    samples = pcm.astype(np.float64) / 32768.0
    most = 4.0 * 10 ** (-4 / 20) / float(np.max(np.abs(samples)))
    gain = min(10 ** ((target - measured) / 20), most)
    out = limited_at_once(samples, gain)
    for _ in range(2):
        reached = loudness_at_once(out)
        if reached is None or abs(reached - target) < 0.2 or gain >= most:
            break
        gain = min(gain * 10 ** ((target - reached) / 20), most)
        out = limited_at_once(samples, gain)
    up = signal.resample_poly(out.astype(np.float64) / 32768.0, 4, 1)
    over_ceiling = 20 * np.log10(float(np.max(np.abs(up)))) - -1.0 if up.size else -1.0
    if over_ceiling > 0:
        out = (out * 10 ** (-over_ceiling / 20)).astype(np.int16)
    return out


def fade_at_once(pcm: np.ndarray, ms: int = 8) -> np.ndarray:
    """stitch.fade as it was, on a whole array of floats at once."""
    n = min(len(pcm) // 2, int(mp3.SAMPLE_RATE * ms / 1000))
    if n <= 0:
        return pcm
    out = pcm.astype(np.float64)
    ramp = np.linspace(0.0, 1.0, n)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out.astype(np.int16)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 3 * stitch.CHUNK + 1000),
    st.floats(0.001, 1.0),
    st.floats(-40.0, -3.0),
    st.integers(0, 2**32 - 1),
)
def test_leveling_chunk_by_chunk_is_leveling_at_once(length, amplitude, target, seed):
    rng = np.random.default_rng(seed)
    pcm = (rng.standard_normal(length) * 8000 * amplitude).clip(-32768, 32767).astype(np.int16)
    pcm[: length // 3] //= 50  # quiet stretches, as between sentences
    assert stitch.loudness(pcm) == loudness_at_once(pcm)
    leveled = stitch.level(pcm, target)
    assert np.array_equal(leveled, level_at_once(pcm, target))
    assert np.array_equal(stitch.fade(leveled), fade_at_once(leveled))


def frames_in_memory(engine: ToneEngine, text: str, config) -> tuple[bytes, int]:
    """A paragraph's frames as they were encoded before they went to a file: every
    passage trimmed, leveled and faded at once, fed to one encoder, all of it joined in
    memory; and its samples."""
    encoder = mp3.encoder_for(mp3.kbps(config["BITRATE"]))
    frames = bytearray()
    samples = 0
    gap = np.zeros(22050 * stitch.PASSAGE_GAP_MS // 1000, dtype=np.int16).tobytes()
    for i, passage in enumerate(passages.passages(text)):
        audio = stitch.conform(engine.synthesize(passage, "en").audio)
        pcm, _ = stitch.trim(np.frombuffer(audio.raw_data, dtype=np.int16))
        leveled = fade_at_once(level_at_once(pcm, config["LOUDNESS_LUFS"]))
        pcm_bytes = (gap if i else b"") + leveled.tobytes()
        samples += len(pcm_bytes) // 2
        frames += encoder.encode(pcm_bytes)
    return bytes(frames + encoder.flush()), samples


def build_tones(config, articles: Path, text: str):
    """A one-paragraph article spoken by :class:`ToneEngine`: its service and entry."""
    write_article(articles, "long", title="A long paragraph", language="en", text=text)
    service = create_app({**config, "ENGINES": TONE, "MAX_CHARS": 10**6}).extensions["listen"]
    article = service.article("long")
    return service, article, service.audio(article)


@pytest.mark.parametrize("sentences", [1, 30], ids=["short", "long"])
def test_the_article_mp3_is_the_bytes_of_frames_joined_in_memory(
    config, articles, monkeypatch, sentences
):
    monkeypatch.setattr(passages, "PASSAGE_CHARS", 200)  # the long one: some 15 passages
    before = metrics.synthesized()
    service, article, entry = build_tones(config, articles, long_paragraph(sentences))
    texts = [text for text, _ in article.spoken_pieces]
    longest = max(len(passages.passages(text)) for text in texts)
    assert longest == 1 if sentences == 1 else longest >= 10
    cfg = service.config
    reference = ToneEngine(cfg)
    encoded = [frames_in_memory(reference, text, cfg) for text in texts]
    segments = [frames for frames, _ in encoded]
    # each pause less the silence the segment before it ends with (the encoder's padding,
    # the next one's delay and what trimming kept)
    silent = [0.0] + [
        stitch.silent_ms(SimpleNamespace(frame_count=mp3.count_frames(f), samples=n))
        for f, n in encoded[:-1]
    ]
    pauses = [stitch.pause_frames(article.kinds, i, cfg, 48, silent[i]) for i in range(len(texts))]
    joined = b"".join(p + f for p, f in zip(pauses, segments, strict=True))
    expected = mp3.id3_tag(texts[0], "en") + joined
    assert entry.path.read_bytes() == expected

    # the same timings as frames counted in memory
    frames = 0
    for index, (pause, segment) in enumerate(zip(pauses, segments, strict=True)):
        frames += mp3.count_frames(pause)
        start = round(mp3.duration(frames) + mp3.ENCODER_DELAY / mp3.SAMPLE_RATE, 3)
        assert entry.meta["timings"][index]["start"] == start
        frames += mp3.count_frames(segment)
    assert entry.meta["duration_s"] == round(mp3.duration(frames), 3)
    # the paragraph cache holds the same frames, and a build from it the same article
    for key, segment in zip(entry.meta["segments"], segments, strict=True):
        assert stored(service).segments.get(key).path.read_bytes() == segment
    service.purge([article.id])
    again = service.audio(article)
    assert metrics.synthesized() - before == len(texts)  # nothing spoken again
    assert again.path.read_bytes() == expected and again.meta["timings"] == entry.meta["timings"]


class Recorded:
    """A file that notes the size of every block written to or read from it."""

    def __init__(self, file, sizes: list[int]):
        self._file, self._sizes = file, sizes

    def write(self, data):
        self._sizes.append(len(data))
        return self._file.write(data)

    def read(self, size=-1):
        data = self._file.read(size)
        self._sizes.append(len(data))
        return data

    def readinto(self, buffer):
        count = self._file.readinto(buffer)
        self._sizes.append(count or 0)
        return count

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._file.close()


def test_a_long_paragraph_s_frames_are_never_written_or_read_whole(config, articles, monkeypatch):
    """Every block of audio that goes to or comes from a file of the cache (the article
    being written, the paragraph cache, on a miss and on a hit) is at most one BLOCK,
    while the paragraph's frames are many blocks."""
    monkeypatch.setattr(passages, "PASSAGE_CHARS", 200)  # passages of 8 s: 48 KB of frames each
    sizes: list[int] = []
    real_open = io.open
    root = Path(config["CACHE_DIR"]).absolute()

    def recording_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        ours = isinstance(file, str | os.PathLike) and Path(file).absolute().is_relative_to(root)
        return Recorded(handle, sizes) if ours and "b" in mode else handle

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    before = metrics.synthesized()
    service, article, entry = build_tones(config, articles, long_paragraph(60))
    paragraph = stored(service).segments.get(entry.meta["segments"][1])
    service.purge([article.id])
    again = service.audio(article)  # the paragraphs from the cache
    monkeypatch.undo()
    assert metrics.synthesized() - before == len(article.spoken_pieces)
    assert paragraph.path.stat().st_size > 10 * stitch.BLOCK
    assert again.path.read_bytes() == entry.path.read_bytes()
    assert sizes and max(sizes) <= stitch.BLOCK


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 6000),
    st.lists(st.integers(1, 2000), max_size=30),
    st.binary(max_size=8),
)
def test_frames_counted_block_by_block_are_frames_counted_at_once(samples, cuts, tail):
    data = mp3.encode(b"\x01\x00" * samples, 48)[: 10**6] + tail
    counter = stitch.FrameCounter()
    at = 0
    for cut in [*cuts, len(data)]:
        counter.feed(data[at : at + cut])
        at += cut
    counter.feed(data[at:])
    assert counter.total() == mp3.count_frames(data)
