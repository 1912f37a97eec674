"""Stitch: one format, pauses, timings, linear joins, MP3 with ID3 tags."""

from __future__ import annotations

from mutagen.id3 import ID3
from pydub import AudioSegment
from pydub.generators import Sine

from listen import stitch

from conftest import decode_mp3


def tone(ms: int, rate: int = 24000, channels: int = 1) -> AudioSegment:
    return Sine(440, sample_rate=rate).to_audio_segment(ms).set_channels(channels)


def test_stitch_conforms_and_times_pieces():
    pieces = [tone(1000, 24000), tone(500, 22050, channels=2), tone(250, 16000)]
    result = stitch.stitch(pieces, pause_title_ms=800, pause_ms=400)
    assert result.audio.frame_rate == stitch.FRAME_RATE and result.audio.channels == 1
    starts = [round(a, 2) for a, _ in result.timings]
    ends = [round(b, 2) for _, b in result.timings]
    assert starts == [0.0, 1.8, 2.7]
    assert ends == [1.0, 2.3, 2.95]
    assert round(result.duration, 2) == 2.95


def test_stitch_is_linear_in_pieces():
    # 2,000 joins with pydub's + would copy ~2,000x the audio; a raw join is instant.
    pieces = [tone(50, 22050)] * 2000
    result = stitch.stitch(pieces, 0, 0)
    assert abs(result.duration - 100.0) < 0.05


def test_encode_mp3_with_tags(tmp_path):
    path = tmp_path / "x.mp3"
    stitch.encode_mp3(tone(2000, 22050), path, title="Año nuevo", language="es", bitrate="48k")
    audio = decode_mp3(path.read_bytes())
    assert audio.channels == 1 and abs(len(audio) - 2000) < 100
    tags = ID3(path)
    assert str(tags["TIT2"]) == "Año nuevo"
    assert str(tags["TLAN"]) == "spa"
    # 48 kbit/s: ~6 KB per second of audio
    assert 9_000 < path.stat().st_size < 16_000
