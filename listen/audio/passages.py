"""Passages: a piece's spoken text -> passages of bounded length, spoken one at a time.

An engine speaks a text in one go, and its audio is leveled and encoded as one
array: memory follows the text's length (a 150 KB paragraph once took 6 GB). A
paragraph longer than :data:`PASSAGE_CHARS` is therefore spoken passage by passage, cut
at sentence boundaries, then clauses, then words (the chunker gTTS requests use),
and its passages are encoded into one segment as they come.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from listen.audio import stitch
from listen.engines.gtts.chunk import chunks

if TYPE_CHECKING:
    from listen.engines.speaker import ArticleVoices

log = logging.getLogger(__name__)

PASSAGE_CHARS = 1000
"""Most characters an engine is given at once: about a minute of speech, whose PCM
(22.05 kHz, 16-bit: ~2.6 MB, ~4x that while leveled in floats) is what a paragraph
costs in memory however long it is. News paragraphs are shorter, so they are spoken
whole as before (same audio, same cache keys); a longer one is cut where a reader
pauses anyway, between sentences."""


def passages(text: str, limit: int | None = None) -> list[str]:
    """``text`` itself if it fits in ``limit`` (:data:`PASSAGE_CHARS`), else its passages of
    at most ``limit`` characters (a word longer than that, with no space, is cut inside)."""
    limit = limit or PASSAGE_CHARS
    if len(text) <= limit:
        return [text]
    return chunks(text, limit)


def speak(
    voices: ArticleVoices,
    text: str,
    language: str,
    *,
    target_lufs: float,
    bitrate_kbps: int,
    folder: Path | None = None,
) -> stitch.Segment:
    """Speak a piece (a title or paragraph) passage by passage into one segment, with the
    article's engine for ``language`` (``voices`` decides which) speaking all its passages.

    Only one passage's audio exists at a time, and the frames go to a temporary file in
    ``folder`` (see :class:`stitch.SegmentEncoder`). If the engine fails on a later
    passage, the engine that took over speaks the paragraph again from its start: one
    paragraph, one voice (this ends: every fallback moves further down the chain).

    Raises:
        EnginesUnavailable: no engine could speak a passage.
    """
    first, *rest = passages(text)
    while True:
        engine, speech = voices.speak(first, language)
        encoder = stitch.SegmentEncoder(
            engine=engine.name,
            voice=engine.voice(language),
            target_lufs=target_lufs,
            bitrate_kbps=bitrate_kbps,
            folder=folder,
        )
        try:
            encoder.add(speech)
            del speech  # before the next passage is spoken
            if _speak_rest(voices, encoder, rest, language, engine.name):
                return encoder.finish()
        except BaseException:
            encoder.close()
            raise
        encoder.close()


def _speak_rest(
    voices: ArticleVoices,
    encoder: stitch.SegmentEncoder,
    rest: list[str],
    language: str,
    engine: str,
) -> bool:
    """Speak and encode the passages after the first; False if ``engine`` failed on one
    and another took over (it then speaks the paragraph from its start)."""
    for passage in rest:
        spoken_by, speech = voices.speak(passage, language)
        if spoken_by.name != engine:
            log.info("%s failed in a paragraph; %s speaks all of it", engine, spoken_by.name)
            return False
        encoder.add(speech)
        del speech
    return True
