"""Stitch: spoken segments -> one MP3 with pauses, ID3 tags and piece timings.

pydub's ``+`` copies the whole result for every join (quadratic in the number of
pieces), so segments are brought to one format and their raw PCM is joined once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment

log = logging.getLogger(__name__)

FRAME_RATE = 22050
"""Hz. piper and espeak-ng speak at 22.05 kHz; gTTS's 24 kHz is resampled."""
SAMPLE_WIDTH = 2
CHANNELS = 1


@dataclass(frozen=True)
class Stitched:
    audio: AudioSegment
    timings: list[tuple[float, float]]
    """(start, end) in seconds of every piece in the stitched audio."""

    @property
    def duration(self) -> float:
        return len(self.audio.raw_data) / (FRAME_RATE * SAMPLE_WIDTH * CHANNELS)


def conform(segment: AudioSegment) -> AudioSegment:
    """Bring a segment to the one format of the stitched audio."""
    if segment.channels != CHANNELS:
        segment = segment.set_channels(CHANNELS)
    if segment.frame_rate != FRAME_RATE:
        segment = segment.set_frame_rate(FRAME_RATE)
    if segment.sample_width != SAMPLE_WIDTH:
        segment = segment.set_sample_width(SAMPLE_WIDTH)
    return segment


def silence(ms: int) -> bytes:
    return b"\x00" * (int(FRAME_RATE * ms / 1000) * SAMPLE_WIDTH * CHANNELS)


def stitch(segments: Sequence[AudioSegment], pause_title_ms: int, pause_ms: int) -> Stitched:
    """Join segments with a pause after the first (the title) and between the others."""
    parts: list[bytes] = []
    timings = []
    offset = 0
    bytes_per_second = FRAME_RATE * SAMPLE_WIDTH * CHANNELS
    for index, segment in enumerate(segments):
        if index:
            gap = silence(pause_title_ms if index == 1 else pause_ms)
            parts.append(gap)
            offset += len(gap)
        data = conform(segment).raw_data
        parts.append(data)
        timings.append((offset / bytes_per_second, (offset + len(data)) / bytes_per_second))
        offset += len(data)
    audio = AudioSegment(
        data=b"".join(parts), sample_width=SAMPLE_WIDTH, frame_rate=FRAME_RATE, channels=CHANNELS
    )
    return Stitched(audio, timings)


ISO639_2 = {"en": "eng", "es": "spa"}
"""ID3's TLAN frame takes ISO 639-2 codes."""


def encode_mp3(audio: AudioSegment, path: Path, *, title: str, language: str, bitrate: str) -> None:
    """Encode to mono MP3 at a speech bitrate, with ID3v2 title and language (TLAN)."""
    # pydub returns the output file still open: close it, or every encode leaks a handle.
    handle = audio.export(
        str(path),
        format="mp3",
        bitrate=bitrate,
        tags={"title": title, "language": ISO639_2.get(language, language)},
        id3v2_version="3",
        parameters=["-ac", "1"],
    )
    handle.close()
