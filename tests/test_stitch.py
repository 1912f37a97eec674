"""Stitch and MP3: one format, one loudness, no clicks, frames that concatenate."""

from __future__ import annotations

import numpy as np
from mutagen.id3 import ID3
from pydub import AudioSegment
from pydub.generators import Sine

from listen.audio import mp3, stitch
from listen.engines import Speech

from conftest import decode_mp3, encode_segment


def tone(ms: int, rate: int = 24000, channels: int = 1, gain: float = 0.0) -> AudioSegment:
    return Sine(440, sample_rate=rate).to_audio_segment(ms).set_channels(channels).apply_gain(gain)


def rms_dbfs(audio: AudioSegment) -> float:
    return audio.dBFS


def test_conform_to_one_format():
    for rate, channels in ((24000, 1), (16000, 2), (22050, 1)):
        out = stitch.conform(tone(300, rate, channels))
        assert (out.frame_rate, out.channels, out.sample_width) == (22050, 1, 2)


def test_level_brings_any_engine_to_one_loudness():
    quiet = np.frombuffer(stitch.conform(tone(1000, gain=-30)).raw_data, dtype=np.int16)
    loud = np.frombuffer(stitch.conform(tone(1000, gain=-3)).raw_data, dtype=np.int16)
    a, b = stitch.level(quiet, -16.0), stitch.level(loud, -16.0)

    assert abs(stitch.loudness(a) - -16.0) < 0.2 and abs(stitch.loudness(b) - -16.0) < 0.2
    assert abs(np.std(a.astype(float)) / np.std(b.astype(float)) - 1) < 0.02


def test_level_never_clips_and_keeps_true_peaks_under_the_ceiling():
    spiky = np.full(22050, 300, dtype=np.int16)
    spiky[::100] = 30000  # rare peaks, quiet average: a big gain would clip them
    out = stitch.level(spiky, -3.0)
    limit = 32767 * 10 ** (stitch.LIMIT_DBFS / 20)
    assert np.max(np.abs(out.astype(np.int32))) <= limit  # bent under the limit, not clipped
    assert stitch.true_peak(out) <= stitch.PEAK_CEILING_DBFS
    # the gain stopped where bending the peaks would pass 12 dB: no wild amplification
    assert np.max(np.abs(out.astype(np.int32))) > 0.95 * limit and np.median(np.abs(out)) < 2000


def test_fade_starts_and_ends_at_zero():
    pcm = np.full(22050, 10000, dtype=np.int16)
    out = stitch.fade(pcm)
    assert out[0] == 0 and out[-1] == 0 and out[len(out) // 2] == 10000


def test_segments_and_pauses_concatenate_into_one_playable_file(tmp_path):
    a = encode_segment(Speech(tone(1000)), target_lufs=-16)
    b = encode_segment(Speech(tone(500, 16000, 2)), target_lufs=-16)
    pause = stitch.pause_frames(
        ["title", "paragraph"], 1, {"PAUSE_TITLE_MS": 800, "PAUSE_PARAGRAPH_MS": 400}, 48
    )
    data = mp3.id3_tag("Año nuevo", "es") + a.frames + pause + b.frames
    path = tmp_path / "x.mp3"
    path.write_bytes(data)
    decoded = decode_mp3(data)
    expected = a.duration + mp3.duration(mp3.count_frames(pause)) + b.duration
    assert abs(len(decoded) / 1000 - expected) < 0.03
    assert decoded.frame_rate == 22050 and decoded.channels == 1
    assert str(ID3(path)["TIT2"]) == "Año nuevo" and str(ID3(path)["TLAN"]) == "spa"
    assert a.samples == 22050 and abs(b.samples - 11025) <= 1
    assert (
        stitch.pause_frames(
            ["title", "paragraph"], 0, {"PAUSE_TITLE_MS": 800, "PAUSE_PARAGRAPH_MS": 400}, 48
        )
        == b""
    )
    assert abs(mp3.duration(mp3.count_frames(pause)) - 0.8) < 0.03


def test_mp3_frames_are_constant_bitrate():
    frames = mp3.encode(b"\x00\x00" * 22050, 48)
    n = mp3.count_frames(frames)
    assert n > 0 and abs(len(frames) / n - 72 * 48000 / 22050) < 1
    assert mp3.kbps("48k") == 48


def test_joining_is_linear():
    seg = encode_segment(Speech(tone(50)), target_lufs=-16)
    data = b"".join([seg.frames] * 2000)
    assert mp3.count_frames(data) == 2000 * mp3.count_frames(seg.frames)
