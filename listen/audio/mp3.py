"""MP3: encode PCM to MPEG frames in-process, count frames, write an ID3v2 tag.

Every segment of every article is encoded with the same parameters (22.05 kHz,
mono, constant bitrate), so an article is a plain concatenation of its
segments' frames: no re-encoding when a paragraph is reused, byte offsets that
map linearly to time, and a file that can be streamed while it is written.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import lameenc

SAMPLE_RATE = 22050
SAMPLES_PER_FRAME = 576
"""MPEG-2 Layer III at 22.05 kHz."""
ENCODER_DELAY = 1105
"""Samples LAME puts before the audio of every segment (576 + 529)."""
ISO639_2 = {"en": "eng", "es": "spa"}
"""ID3's TLAN frame takes ISO 639-2 codes."""

# MPEG-2 Layer III bitrates (kbit/s) by header index.
_BITRATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0)
BITRATES = _BITRATES[1:-1]
"""The bitrates (kbit/s) a frame can have; ``LISTEN_BITRATE`` is checked against them."""


def kbps(bitrate: str) -> int:
    """ "48k" / "48" -> 48 (a number only: :mod:`listen.settings` checks it is allowed).

    Raises:
        ValueError: not a number of kbit/s.
    """
    return int(str(bitrate).lower().removesuffix("k"))


def encode(pcm: bytes, bitrate_kbps: int) -> bytes:
    """16-bit mono PCM at 22.05 kHz -> MP3 frames (no tag, no Xing header)."""
    encoder = encoder_for(bitrate_kbps)
    return bytes(encoder.encode(pcm) + encoder.flush())


def encoder_for(bitrate_kbps: int) -> lameenc.Encoder:
    """A LAME encoder with the one set of parameters of every segment.

    Fed PCM in several ``encode`` calls and flushed once, it makes one continuous
    run of frames: the encoder's delay and padding occur once, not at every call.
    """
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)  # fast: 3.5x faster than 2, no audible loss for speech at 48k mono
    return encoder


@lru_cache(maxsize=32)
def silence(ms: int, bitrate_kbps: int) -> bytes:
    """Frames of silence lasting ``ms`` (to the frame), encoded once per process."""
    samples = int(SAMPLE_RATE * ms / 1000)
    # Encoder delay and padding are silence too: trim the input so the result is close.
    samples = max(0, samples - ENCODER_DELAY)
    return encode(b"\x00\x00" * samples, bitrate_kbps) if ms > 0 else b""


def frame_length(header: bytes) -> int:
    """Length in bytes of the MPEG-2 Layer III frame starting with ``header`` (0 if none)."""
    if len(header) < 4 or header[0] != 0xFF or (header[1] & 0xFE) != 0xF2:
        return 0  # not an MPEG-2 (0b10) Layer III (0b01) sync word
    bitrate = _BITRATES[header[2] >> 4]
    rate_index = (header[2] >> 2) & 0x3
    if not bitrate or rate_index == 3:
        return 0
    sample_rate = (22050, 24000, 16000)[rate_index]
    padding = (header[2] >> 1) & 0x1
    return 72 * bitrate * 1000 // sample_rate + padding


def id3_length(data: bytes) -> int:
    """Bytes of the ID3v2 tag ``data`` starts with, footer included (0 if none)."""
    if len(data) < 10 or data[:3] != b"ID3" or any(b & 0x80 for b in data[6:10]):
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def count_frames(data: bytes) -> int:
    """Frames in a run of MP3 frames (stops at the first byte that is not a frame)."""
    frames = offset = 0
    while offset < len(data):
        length = frame_length(data[offset : offset + 4])
        if not length:
            break
        frames += 1
        offset += length
    return frames


def duration(frames: int) -> float:
    return frames * SAMPLES_PER_FRAME / SAMPLE_RATE


def _syncsafe(n: int) -> bytes:
    return bytes(((n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F))


def _frame(frame_id: str, body: bytes) -> bytes:
    """An ID3v2.3 frame: its ID, its size (a plain 32-bit number in 2.3), no flags."""
    return frame_id.encode("ascii") + struct.pack(">I", len(body)) + b"\x00\x00" + body


def _text_frame(frame_id: str, text: str) -> bytes:
    return _frame(
        frame_id, b"\x01" + "\ufeff".encode("utf-16-le") + text.encode("utf-16-le") + b"\x00\x00"
    )


def id3_tag(title: str, language: str, padding: int = 0) -> bytes:
    """An ID3v2.3 tag with the title (TIT2) and language (TLAN), then ``padding`` zero
    bytes (the room :func:`chapter_frames` are written into once the audio is built)."""
    lang = ISO639_2.get(language, language)
    frames = _text_frame("TIT2", title)
    frames += _frame("TLAN", b"\x00" + lang.encode())
    frames += bytes(padding)
    return b"ID3\x03\x00\x00" + _syncsafe(len(frames)) + frames


@dataclass(frozen=True)
class Chapter:
    """One chapter of an article's audio: where it starts and ends, and its title."""

    start_ms: int
    end_ms: int
    title: str


UNSET_OFFSET = 0xFFFFFFFF
"""A CHAP frame's byte offsets when only its times count (the addendum's "not used")."""
MAX_CHAPTERS = 255
"""Chapters one CTOC frame can list (its entry count is one byte)."""
TOC_ID = b"toc"


def _chapter_id(index: int) -> bytes:
    return f"chp{index}".encode("ascii")


def chapter_frames(chapters: Sequence[Chapter]) -> bytes:
    """The ID3v2 chapter addendum's frames: a top-level, ordered table of contents (CTOC)
    listing one CHAP frame per chapter, each with its title (a TIT2 sub-frame).

    Their length depends on the titles only, never on the times (fixed-width fields), so
    it is known before the audio is (see :func:`listen.audio.build`). None: no frames.

    Raises:
        ValueError: more than :data:`MAX_CHAPTERS` chapters.
    """
    if not chapters:
        return b""
    if len(chapters) > MAX_CHAPTERS:
        raise ValueError(f"{len(chapters)} chapters: one table of contents lists {MAX_CHAPTERS}")
    ids = [_chapter_id(i) for i in range(len(chapters))]
    toc = TOC_ID + b"\x00" + b"\x03" + bytes((len(ids),)) + b"".join(i + b"\x00" for i in ids)
    frames = _frame("CTOC", toc)
    for element_id, chapter in zip(ids, chapters, strict=True):
        times = struct.pack(">IIII", chapter.start_ms, chapter.end_ms, UNSET_OFFSET, UNSET_OFFSET)
        frames += _frame("CHAP", element_id + b"\x00" + times + _text_frame("TIT2", chapter.title))
    return frames


ID3_HEADER = 10
"""Bytes of an ID3v2 tag's header (and of its footer, when it has one)."""
FRAMES_PROBE = 1600
"""Bytes enough for two frames (the longest MPEG-2 Layer III frame is 721 bytes)."""


def tag_length(header: bytes) -> int:
    """Bytes taken by the ID3v2 tag a file's first 10 bytes open (0 if they open none)."""
    if len(header) < ID3_HEADER or header[:3] != b"ID3" or any(b & 0x80 for b in header[6:10]):
        return 0
    size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
    footer = ID3_HEADER if header[5] & 0x10 else 0
    return ID3_HEADER + size + footer


def starts_with_frames(block: bytes) -> bool:
    """True when ``block`` (a file's bytes after its tag) opens with frames in sync.

    The first frame header must be valid and, unless that frame ends the block, the
    next one too: two in a row are what random or shifted bytes almost never show.
    """
    first = frame_length(block[:4])
    if not first:
        return False
    return len(block) == first or frame_length(block[first : first + 4]) > 0
