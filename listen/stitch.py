"""Stitch: engine audio -> one leveled MP3 segment; segments + pauses -> an article.

Every segment is brought to one format (22.05 kHz, mono, 16-bit), leveled to the
same loudness whatever engine spoke it (so a Spanish quote in espeak-ng is not
louder than the piper voice around it), faded in and out over a few milliseconds
(no clicks at joins), and encoded once with one bitrate. An article is an ID3 tag
followed by its segments' frames with silence between them: joining is copying
bytes, in time linear in the article's length. A long paragraph is spoken and
encoded in bounded pieces (:class:`SegmentEncoder`), so no more than one piece's
PCM is held in memory, however long the paragraph.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from pydub import AudioSegment

from listen import mp3
from listen.engines import Speech

SAMPLE_WIDTH = 2
FADE_MS = 8
RELATIVE_GATE_DB = 30.0
ABSOLUTE_GATE_DBFS = -70.0
PEAK_CEILING_DBFS = -1.0
MAX_LIMITING = 2.0
"""Peaks may be lifted at most this far (6 dB) over the ceiling before being bent under it."""


def conform(segment: AudioSegment) -> AudioSegment:
    """Bring a segment to the one format of every article."""
    if segment.channels != 1:
        segment = segment.set_channels(1)
    if segment.frame_rate != mp3.SAMPLE_RATE:
        segment = segment.set_frame_rate(mp3.SAMPLE_RATE)
    if segment.sample_width != SAMPLE_WIDTH:
        segment = segment.set_sample_width(SAMPLE_WIDTH)
    return segment


def loudness(pcm: np.ndarray) -> float | None:
    """Loudness of speech in dBFS: RMS over its 20 ms blocks that are not pauses.

    Blocks more than 30 dB below the loudest block (pauses between words) and near
    silence are left out, so the measure does not depend on how much silence an
    engine leaves around its words, nor on the input's level.
    """
    samples = pcm.astype(np.float64) / 32768.0
    size = mp3.SAMPLE_RATE // 50
    usable = len(samples) // size * size
    if usable == 0:
        return None
    blocks = samples[:usable].reshape(-1, size)
    power = np.mean(blocks**2, axis=1)
    gate = max(
        float(np.max(power)) * 10 ** (-RELATIVE_GATE_DB / 10), 10 ** (ABSOLUTE_GATE_DBFS / 10)
    )
    voiced = power[power > gate]
    if voiced.size == 0:
        return None
    return float(10 * np.log10(np.mean(voiced)))


def level(pcm: np.ndarray, target_dbfs: float) -> np.ndarray:
    """Scale speech so its :func:`loudness` is ``target_dbfs``, without clipping.

    Voices differ in how far their peaks stand above their loudness (piper's reach
    full scale): peaks the gain lifts over -1 dBFS are bent smoothly under full scale
    (a soft limiter) rather than lowering the whole piece, so every engine ends at the
    same loudness. The gain is capped where that bending would go past 6 dB.
    """
    measured = loudness(pcm)
    if measured is None:
        return pcm
    samples = pcm.astype(np.float64) / 32768.0
    knee = 10 ** (PEAK_CEILING_DBFS / 20)
    peak = float(np.max(np.abs(samples)))
    gain = min(10 ** ((target_dbfs - measured) / 20), MAX_LIMITING * knee / peak)
    out = samples * gain
    over = np.abs(out) > knee
    if over.any():
        excess = (np.abs(out[over]) - knee) / (1 - knee)
        out[over] = np.sign(out[over]) * (knee + (1 - knee) * np.tanh(excess))
    return np.clip(out * 32767.0, -32767, 32767).astype(np.int16)


def fade(pcm: np.ndarray, ms: int = FADE_MS) -> np.ndarray:
    """Linear fade in and out, so a segment starts and ends at zero."""
    n = min(len(pcm) // 2, int(mp3.SAMPLE_RATE * ms / 1000))
    if n <= 0:
        return pcm
    out = pcm.astype(np.float64)
    ramp = np.linspace(0.0, 1.0, n)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out.astype(np.int16)


@dataclass(frozen=True)
class Segment:
    """One spoken piece, encoded: its frames and what is known of its timing."""

    frames: bytes
    samples: int
    """Samples of speech (without the encoder's delay and padding)."""
    sentences: list[tuple[float, float]]
    engine: str
    voice: str

    @property
    def duration(self) -> float:
        """Length of the frames in seconds (what the segment occupies in the article)."""
        return mp3.duration(mp3.count_frames(self.frames))


def encode_segment(
    speech: Speech, *, engine: str, voice: str, target_dbfs: float, bitrate_kbps: int
) -> Segment:
    """Level, fade and encode what an engine said."""
    encoder = SegmentEncoder(
        engine=engine, voice=voice, target_dbfs=target_dbfs, bitrate_kbps=bitrate_kbps
    )
    encoder.add(speech)
    return encoder.finish()


class SegmentEncoder:
    """One segment encoded from consecutive pieces of speech, one piece's PCM at a time.

    A long paragraph is spoken in pieces; each is conformed, leveled and faded on its
    own (so every piece has the same loudness, as paragraphs do, and the joins fall
    on zero), then fed to one MP3 encoder. The paragraph is one continuous run of
    frames: no encoder delay or padding between its pieces, and sentence timings
    offset by the samples before them. Only the frames (about 6 KB a second of audio
    at 48 kbit/s) grow with the paragraph.
    """

    def __init__(self, *, engine: str, voice: str, target_dbfs: float, bitrate_kbps: int) -> None:
        self.engine = engine
        self.voice = voice
        self.target_dbfs = target_dbfs
        self._encoder = mp3.encoder_for(bitrate_kbps)
        self._frames = io.BytesIO()
        self._samples = 0
        self._sentences: list[tuple[float, float]] = []

    def add(self, speech: Speech) -> None:
        """Append one piece of speech (its PCM is not kept)."""
        audio = conform(speech.audio)
        pcm = fade(level(np.frombuffer(audio.raw_data, dtype=np.int16), self.target_dbfs))
        offset = self._samples / mp3.SAMPLE_RATE
        self._sentences.extend((offset + a, offset + b) for a, b in speech.sentences)
        self._samples += len(pcm)
        self._frames.write(self._encoder.encode(pcm.tobytes()))

    def finish(self) -> Segment:
        """The segment: every piece's frames and the encoder's last ones."""
        self._frames.write(self._encoder.flush())
        # getvalue() hands over the buffer itself (no second copy of the frames).
        frames, self._frames = self._frames.getvalue(), io.BytesIO()
        return Segment(
            frames=frames,
            samples=self._samples,
            sentences=self._sentences,
            engine=self.engine,
            voice=self.voice,
        )


def pause_frames(index: int, pause_title_ms: int, pause_ms: int, bitrate_kbps: int) -> bytes:
    """Silence before the ``index``-th piece: none before the title, then title/paragraph pauses."""
    if index == 0:
        return b""
    return mp3.silence(pause_title_ms if index == 1 else pause_ms, bitrate_kbps)
