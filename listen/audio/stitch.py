"""Stitch: engine audio -> one leveled MP3 segment; segments + pauses -> an article.

Every segment is brought to one format (22.05 kHz, mono, 16-bit), leveled to the
same loudness whatever engine spoke it (so a Spanish quote in espeak-ng is not
louder than the piper voice around it), faded in and out over a few milliseconds
(no clicks at joins), and encoded once with one bitrate. An article is an ID3 tag
followed by its segments' frames with silence between them: joining is copying
bytes, in time linear in the article's length. A long paragraph is spoken and
encoded in bounded passages (:class:`SegmentEncoder`), so no more than one passage's
PCM is held in memory, however long the paragraph; its frames go to a file as they
are encoded, and are copied from file to file in blocks of :data:`BLOCK` bytes.
"""

from __future__ import annotations

import io
import math
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from pydub import AudioSegment
from scipy import signal

from listen.audio import mp3
from listen.engines import Speech

SAMPLE_WIDTH = 2
FADE_MS = 8
RELATIVE_GATE_LU = 10.0
ABSOLUTE_GATE_LUFS = -70.0
PEAK_CEILING_DBFS = -1.0
"""The true peak no piece goes over (dBTP): what a decoder reproduces stays under -1 dBFS."""
KNEE_DBFS = -4.0
"""Sample peaks above this are bent (a soft limiter)..."""
LIMIT_DBFS = -1.5
"""...towards this, never reaching it: the room left to the ceiling is the swing between
samples that a decoder reconstructs."""
MAX_LIMITING = 4.0
"""Peaks may be lifted at most this far (12 dB) over the knee before being bent under it:
speech peaks are brief, so bending them costs little loudness and is not heard as such."""
LEVEL_PASSES = 3
"""Passes of gain and limiting at most: the limiter takes some loudness, the next pass
makes it up (two are enough for speech)."""
OVERSAMPLE = 4
CONTEXT = 64
"""Samples on each side of a chunk its oversampling sees (the filter reaches 10)."""
CHUNK = mp3.SAMPLE_RATE // 10 * 30
"""Samples leveled at once: 3 s, whole 100 ms steps (see :func:`loudness`)."""
SILENCE_DBFS = -50.0
"""Below this, an engine's samples at either end of its speech are silence, trimmed so the
pause a listener hears between pieces is the configured one, not that plus the engine's."""
KEEP_MS = 10
"""Of the trimmed silence, this much stays at each end (the fades fall in it)."""
PASSAGE_GAP_MS = 300
"""Silence between the passages of one long paragraph: a sentence break (passages are cut
between sentences), in place of the engine's own trailing and leading silence."""
BLOCK = 64 * 1024
"""Bytes of frames read or written at once: a paragraph's frames (6 KB a second of audio
at 48 kbit/s) are never held whole."""


def conform(segment: AudioSegment) -> AudioSegment:
    """Bring a segment to the one format of every article."""
    if segment.channels != 1:
        segment = segment.set_channels(1)
    if segment.frame_rate != mp3.SAMPLE_RATE:
        segment = segment.set_frame_rate(mp3.SAMPLE_RATE)
    if segment.sample_width != SAMPLE_WIDTH:
        segment = segment.set_sample_width(SAMPLE_WIDTH)
    return segment


def _k_weighting(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """ITU-R BS.1770's K-weighting at ``rate``: its high shelf and high pass as one filter
    (the coefficients libebur128 derives for any sample rate)."""
    k = np.tan(np.pi * 1681.974450955533 / rate)
    vh, q = 10 ** (3.999843853973347 / 20), 0.7071752369554196
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / a0
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    k = np.tan(np.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    pass_b = np.array([1.0, -2.0, 1.0])
    pass_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return np.convolve(shelf_b, pass_b), np.convolve(shelf_a, pass_a)


_K_B, _K_A = _k_weighting(mp3.SAMPLE_RATE)
STEP = mp3.SAMPLE_RATE // 10
"""BS.1770's gating blocks are 400 ms long and start every 100 ms: four steps each."""


def _step_powers(pcm: np.ndarray) -> np.ndarray:
    """Mean square of the K-weighted signal in each whole 100 ms step, filtered
    :data:`CHUNK` samples at a time (the filter's state carried across)."""
    state = signal.lfilter_zi(_K_B, _K_A) * 0.0
    powers = []
    usable = len(pcm) // STEP * STEP
    for at in range(0, usable, CHUNK):
        weighted, state = signal.lfilter(
            _K_B, _K_A, _floats(pcm[at : min(at + CHUNK, usable)]), zi=state
        )
        powers.append(np.mean(weighted.reshape(-1, STEP) ** 2, axis=1))
    return np.concatenate(powers) if powers else np.empty(0)


def loudness(pcm: np.ndarray) -> float | None:
    """Integrated loudness in LUFS (ITU-R BS.1770-4: K-weighting, 400 ms blocks every
    100 ms, an absolute gate at -70 LUFS and a relative one 10 LU under the blocks above
    it); None for silence or less than 400 ms. Pauses between words do not count, so the
    measure does not depend on how much silence an engine leaves around its words."""
    steps = _step_powers(pcm)
    if steps.size < 4:
        return None
    blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / 4
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
    above = blocks[levels > ABSOLUTE_GATE_LUFS]
    if above.size == 0:
        return None
    relative = -0.691 + 10 * np.log10(np.mean(above)) - RELATIVE_GATE_LU
    gated = above[-0.691 + 10 * np.log10(above) > relative]
    return float(-0.691 + 10 * np.log10(np.mean(gated)))


def true_peak(pcm: np.ndarray) -> float:
    """The true peak, in dBFS (dBTP): the highest sample of ``pcm`` oversampled four times,
    as a decoder's reconstruction swings between samples (BS.1770-4, annex 2)."""
    peak = 0.0
    for at, chunk in _chunks(pcm):
        # with the samples around the chunk the interpolation filter reaches: the same
        # values as oversampling the whole signal at once
        before = min(at, CONTEXT)
        around = pcm[at - before : at + len(chunk) + CONTEXT]
        up = signal.resample_poly(_floats(around), OVERSAMPLE, 1)
        inside = up[before * OVERSAMPLE : (before + len(chunk)) * OVERSAMPLE]
        if inside.size:
            peak = max(peak, float(np.max(np.abs(inside))))
    return 20 * np.log10(peak) if peak > 0 else -math.inf


def trim(pcm: np.ndarray) -> tuple[np.ndarray, int]:
    """``pcm`` without the silence an engine put before and after its speech (but
    :data:`KEEP_MS` of it), and how many samples went from the start. Silence alone is
    kept as it is."""
    threshold = 32768 * 10 ** (SILENCE_DBFS / 20)
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    if loud.size == 0:
        return pcm, 0
    keep = mp3.SAMPLE_RATE * KEEP_MS // 1000
    start = max(0, int(loud[0]) - keep)
    end = min(len(pcm), int(loud[-1]) + 1 + keep)
    return pcm[start:end], start


def _floats(pcm: np.ndarray) -> np.ndarray:
    return pcm.astype(np.float64) / 32768.0


def _chunks(pcm: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    for at in range(0, len(pcm), CHUNK):
        yield at, pcm[at : at + CHUNK]


def level(pcm: np.ndarray, target_lufs: float) -> np.ndarray:
    """Scale speech so its :func:`loudness` is ``target_lufs``, its true peak under
    :data:`PEAK_CEILING_DBFS`.

    Voices differ in how far their peaks stand above their loudness (piper's reach full
    scale): sample peaks the gain lifts over :data:`KNEE_DBFS` are bent smoothly under
    :data:`LIMIT_DBFS` (a soft limiter) rather than lowering the whole passage, so every
    engine ends at the same loudness (a second pass makes up what the bending took). The
    gain is capped where that bending would go past 12 dB. If the limited speech still
    swings over the ceiling between samples (its true peak, which an MP3 decoder
    reproduces), the whole passage comes down by the excess.
    Done :data:`CHUNK` samples at a time (every sample on its own: the same result as all
    at once), so a passage's floats, eight bytes a sample, are never all made.
    """
    measured = loudness(pcm)
    if measured is None:
        return pcm
    peak = max(float(np.max(np.abs(_floats(chunk)))) for _, chunk in _chunks(pcm))
    most = MAX_LIMITING * 10 ** (KNEE_DBFS / 20) / peak
    gain = min(10 ** ((target_lufs - measured) / 20), most)
    leveled = _limited(pcm, gain)
    for _ in range(LEVEL_PASSES - 1):  # bending peaks took some loudness: make it up
        reached = loudness(leveled)
        if reached is None or abs(reached - target_lufs) < 0.2 or gain >= most:
            break
        gain = min(gain * 10 ** ((target_lufs - reached) / 20), most)
        leveled = _limited(pcm, gain)
    over_ceiling = true_peak(leveled) - PEAK_CEILING_DBFS
    if over_ceiling > 0:
        scale = 10 ** (-over_ceiling / 20)
        for at, chunk in _chunks(leveled):
            leveled[at : at + len(chunk)] = (chunk * scale).astype(np.int16)
    return leveled


def _limited(pcm: np.ndarray, gain: float) -> np.ndarray:
    """``pcm`` times ``gain``, sample peaks over :data:`KNEE_DBFS` bent under
    :data:`LIMIT_DBFS`."""
    knee = 10 ** (KNEE_DBFS / 20)
    limit = 10 ** (LIMIT_DBFS / 20)
    leveled = np.empty(len(pcm), dtype=np.int16)
    for at, chunk in _chunks(pcm):
        out = _floats(chunk) * gain
        over = np.abs(out) > knee
        if over.any():
            excess = (np.abs(out[over]) - knee) / (limit - knee)
            out[over] = np.sign(out[over]) * (knee + (limit - knee) * np.tanh(excess))
        leveled[at : at + len(chunk)] = np.clip(out * 32767.0, -32767, 32767).astype(np.int16)
    return leveled


def fade(pcm: np.ndarray, ms: int = FADE_MS) -> np.ndarray:
    """Linear fade in and out, so a segment starts and ends at zero (a new array)."""
    n = min(len(pcm) // 2, int(mp3.SAMPLE_RATE * ms / 1000))
    if n <= 0:
        return pcm
    out = pcm.astype(np.int16)  # a copy; only its ends are scaled (in floats)
    ramp = np.linspace(0.0, 1.0, n)
    out[:n] = (pcm[:n].astype(np.float64) * ramp).astype(np.int16)
    out[-n:] = (pcm[-n:].astype(np.float64) * ramp[::-1]).astype(np.int16)
    return out


class FrameCounter:
    """:func:`mp3.count_frames` of a run of frames given in consecutive blocks."""

    def __init__(self) -> None:
        self.frames = 0
        self._rest = b""  # the bytes of the frame the last block cut
        self._stopped = False

    def feed(self, block: bytes) -> None:
        if self._stopped:
            return
        data = self._rest + block
        offset = 0
        while offset + 4 <= len(data):
            length = mp3.frame_length(data[offset : offset + 4])
            if not length:
                self._stopped = True  # count_frames stops at the first non-frame
                break
            if offset + length > len(data):
                break  # the frame goes on in the next block
            self.frames += 1
            offset += length
        self._rest = data[offset:]

    def total(self) -> int:
        """Frames so far, a last frame cut short included (as count_frames counts it)."""
        cut = not self._stopped and mp3.frame_length(self._rest[:4]) > 0
        return self.frames + int(cut)


@dataclass
class Segment:
    """One spoken piece, encoded: its frames (in a file, never whole in memory) and
    what is known of its timing. Close it (or use it as a context manager) when done."""

    file: BinaryIO
    """Its frames from the start; a temporary file, or the paragraph cache's (open, so
    that it survives the entry's eviction while an article is being written)."""
    frame_count: int
    samples: int
    """Samples of speech (without the encoder's delay and padding)."""
    sentences: list[tuple[float, float]]
    engine: str
    voice: str

    @classmethod
    def from_file(
        cls,
        file: BinaryIO,
        *,
        samples: int,
        sentences: list[tuple[float, float]],
        engine: str,
        voice: str,
    ) -> Segment:
        """The segment whose frames are ``file`` (read once, in blocks, to count them)."""
        counter = FrameCounter()
        while block := file.read(BLOCK):
            counter.feed(block)
        return cls(file, counter.total(), samples, sentences, engine, voice)

    @property
    def duration(self) -> float:
        """Length of the frames in seconds (what the segment occupies in the article)."""
        return mp3.duration(self.frame_count)

    @property
    def frames(self) -> bytes:
        """All its frames at once: for short segments only (tests); see :meth:`copy_to`."""
        self.file.seek(0)
        return self.file.read()

    def copy_to(self, out: BinaryIO) -> None:
        """Append its frames to ``out``, :data:`BLOCK` bytes at a time."""
        self.file.seek(0)
        shutil.copyfileobj(self.file, out, BLOCK)

    def save(self, path: Path) -> None:
        """Write its frames to a new file ``path`` (the paragraph cache's temporary one)."""
        with open(path, "wb") as out:
            self.copy_to(out)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Segment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SegmentEncoder:
    """One segment encoded from consecutive passages of speech, one passage's PCM at a time.

    A long paragraph is spoken in passages; each is conformed, leveled and faded on its
    own (so every passage has the same loudness, as paragraphs do, and the joins fall
    on zero), then fed to one MP3 encoder. The paragraph is one continuous run of
    frames: no encoder delay or padding between its passages, and sentence timings
    offset by the samples before them. The frames go to a temporary file in
    ``folder`` as they are encoded (in memory without one: short speech, tests), so
    memory does not grow with the paragraph. The file has no name: it is gone when
    closed, or when its process dies. Close the encoder if it is not finished.
    """

    def __init__(
        self,
        *,
        engine: str,
        voice: str,
        target_lufs: float,
        bitrate_kbps: int,
        folder: Path | None = None,
    ) -> None:
        self.engine = engine
        self.voice = voice
        self.target_lufs = target_lufs
        self._encoder = mp3.encoder_for(bitrate_kbps)
        self._frames: BinaryIO = (
            tempfile.TemporaryFile(dir=folder, prefix=".segment-")  # noqa: SIM115 - closed by close()
            if folder is not None
            else io.BytesIO()
        )
        self._counter = FrameCounter()
        self._samples = 0
        self._sentences: list[tuple[float, float]] = []

    def add(self, speech: Speech) -> None:
        """Append one passage of speech (its PCM is not kept)."""
        audio = conform(speech.audio)
        pcm, lead = trim(np.frombuffer(audio.raw_data, dtype=np.int16))
        pcm = fade(level(pcm, self.target_lufs))
        if self._samples:  # a later passage of the paragraph: a sentence break before it
            gap = np.zeros(mp3.SAMPLE_RATE * PASSAGE_GAP_MS // 1000, dtype=np.int16)
            self._samples += len(gap)
            self._write(self._encoder.encode(gap.tobytes()))
        offset = self._samples / mp3.SAMPLE_RATE
        length = len(pcm) / mp3.SAMPLE_RATE
        shift = lead / mp3.SAMPLE_RATE  # sentence times count from the untrimmed start
        self._sentences.extend(
            (offset + min(max(a - shift, 0.0), length), offset + min(max(b - shift, 0.0), length))
            for a, b in speech.sentences
        )
        self._samples += len(pcm)
        self._write(self._encoder.encode(pcm.tobytes()))

    def _write(self, frames: bytes) -> None:
        self._counter.feed(frames)
        self._frames.write(frames)

    def finish(self) -> Segment:
        """The segment: every passage's frames and the encoder's last ones."""
        self._write(self._encoder.flush())
        self._frames.flush()
        return Segment(
            file=self._frames,
            frame_count=self._counter.total(),
            samples=self._samples,
            sentences=self._sentences,
            engine=self.engine,
            voice=self.voice,
        )

    def close(self) -> None:
        """Discard what was encoded (a paragraph another engine speaks again)."""
        self._frames.close()


PAUSE_BEFORE = {"heading": "PAUSE_HEADING_MS", "item": "PAUSE_ITEM_MS"}
"""The setting of the pause before a piece of each kind; any other: ``PAUSE_PARAGRAPH_MS``."""


def pause_ms(kinds: Sequence[str], index: int, config: Mapping[str, Any]) -> int:
    """Milliseconds of silence before the ``index``-th piece of an article whose pieces are
    of ``kinds``: none before the first, the title's pause after the title, then the pause
    of the piece's kind (a subheading's longer, a list item's shorter, else a paragraph's)."""
    if index == 0:
        return 0
    if kinds[index - 1] == "title":
        return int(config["PAUSE_TITLE_MS"])
    return int(config[PAUSE_BEFORE.get(kinds[index], "PAUSE_PARAGRAPH_MS")])


def pause_frames(
    kinds: Sequence[str], index: int, config: Mapping[str, Any], kbps: int, silent_ms: float = 0
) -> bytes:
    """The silence before the ``index``-th piece (:func:`pause_ms`), as MP3 frames, less
    the ``silent_ms`` the segments around it already hold (see :func:`silent_ms`)."""
    ms = round(pause_ms(kinds, index, config) - silent_ms) if index else 0
    return mp3.silence(ms, kbps) if ms > 0 else b""


def silent_ms(previous: Segment) -> float:
    """Silence a listener hears between ``previous`` and the next segment before any pause:
    the encoder's padding after the one and its delay before the other, and the
    :data:`KEEP_MS` each keeps of its engine's silence."""
    padding = previous.frame_count * mp3.SAMPLES_PER_FRAME - previous.samples - mp3.ENCODER_DELAY
    return (max(0, padding) + mp3.ENCODER_DELAY) * 1000 / mp3.SAMPLE_RATE + 2 * KEEP_MS
