"""Pipeline: article ID -> cached MP3, running every stage in order.

source -> sanitize -> language -> speech -> stitch -> cache. :class:`Listen` is
the one object the web app, the CLI and the workers share.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from listen import language, stitch
from listen.cache import AudioCache, Entry
from listen.engines import resolve_engines
from listen.errors import ArticleTooLarge, ConfigError, ListenError, NothingToSpeak
from listen.models import Article, Paragraph, RawArticle
from listen.normalize import normalize
from listen.sanitize import sanitize
from listen.settings import coerce
from listen.sources import Source, resolve_source, validate_id
from listen.speech import Speaker

log = logging.getLogger(__name__)

PIPELINE_VERSION = "1"
"""Bump when a change to sanitizing, speech or encoding should invalidate cached audio."""


@dataclass(frozen=True)
class Status:
    state: str  # "ready", "pending" or "error"
    entry: Entry | None = None
    message: str | None = None


class Listen:
    """The service: everything needed to turn article IDs into audio."""

    def __init__(self, config: Mapping[str, Any], *, source: Source | None = None) -> None:
        self.config = coerce(config)
        for name, allowed in (
            ("LANGUAGE", language.SUPPORTED),
            ("UNSUPPORTED_AS", ("", *language.SUPPORTED)),
        ):
            if self.config[name] not in allowed:
                raise ConfigError(
                    f"LISTEN_{name}={self.config[name]!r}: use one of "
                    + ", ".join(repr(a) for a in allowed)
                )
        self.source = source or resolve_source(self.config["SOURCE"], self.config)
        self.speaker = Speaker(
            resolve_engines(self.config["ENGINES"], self.config),
            cooldown=self.config["ENGINE_COOLDOWN"],
        )
        self.cache = AudioCache(Path(self.config["CACHE_DIR"]))
        self._errors: dict[str, tuple[float, ListenError]] = {}
        self._errors_lock = threading.Lock()

    # ------------------------------------------------------------ text stages

    def article(self, article_id: str) -> Article:
        """Load and sanitize one article from the source."""
        return self.prepare(self.source.get(validate_id(article_id)))

    def prepare(self, raw: RawArticle) -> Article:
        """Sanitize a raw article, pick its language and each paragraph's."""
        clean = sanitize(raw)
        body = " ".join(b.text for b in clean.blocks)
        lang = language.choose(
            clean.language_hint,
            f"{clean.title} {body}",
            self.config["LANGUAGE"],
            self.config["UNSUPPORTED_AS"],
        )
        paragraphs = []
        for block in clean.blocks:
            own = language.paragraph_language(block.text, lang)
            paragraphs.append(Paragraph(block.text, own, block.kind, normalize(block.text, own)))
        article = Article(
            id=raw.id,
            title=clean.title,
            language=lang,
            paragraphs=tuple(paragraphs),
            title_spoken=normalize(clean.title, lang),
        )
        if not article.pieces:
            raise NothingToSpeak(
                f"article {raw.id!r} has nothing to speak after removing captions and "
                "boilerplate. Probable cause: an empty article, or its text is all in "
                "elements that are never spoken (figure, aside, data-listen=skip)."
            )
        if article.chars > self.config["MAX_CHARS"]:
            raise ArticleTooLarge(
                f"article {raw.id!r} has {article.chars} characters to speak, more than "
                f"LISTEN_MAX_CHARS={self.config['MAX_CHARS']}"
            )
        return article

    # ------------------------------------------------------------ audio stages

    def _digest(self, article: Article, *extra: str) -> str:
        material = [
            PIPELINE_VERSION,
            article.language,
            article.items,
            self.config["PAUSE_TITLE_MS"],
            self.config["PAUSE_PARAGRAPH_MS"],
            self.config["BITRATE"],
            *extra,
        ]
        blob = json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def cache_key(self, article: Article, voices: dict[str, tuple[str, str]]) -> str:
        """Key of an article's audio: spoken text, languages, engines, voices, version."""
        plan = [f"{lang}={engine}:{voice}" for lang, (engine, voice) in sorted(voices.items())]
        return self._digest(article, *plan)

    def lookup(self, article: Article) -> Entry | None:
        """Cached audio of the article from any engines of the chain, best first."""
        per_language = [
            [(lang, (e.name, e.voice(lang))) for e in self.speaker.candidates(lang)]
            for lang in article.languages
        ]
        for plan in itertools.product(*per_language):
            entry = self.cache.get(self.cache_key(article, dict(plan)))
            if entry is not None:
                return entry
        return None

    def status(self, article: Article) -> Status:
        entry = self.lookup(article)
        if entry is not None:
            return Status("ready", entry)
        error = self._recent_error(self._digest(article))
        if error is not None:
            return Status("error", message=error.message)
        return Status("pending")

    def audio(self, article: Article) -> Entry:
        """The article's audio: from the cache, else synthesized once (single-flight).

        Raises:
            EnginesUnavailable: every engine failed (a 503 with Retry-After).
        """
        entry = self.lookup(article)
        if entry is not None:
            return entry
        digest = self._digest(article)
        waiting_since = time.monotonic()
        with self.cache.lock(digest):
            # Whoever held the lock before us may have just built it, or just failed:
            # then its error is ours too, rather than one more try per waiting request.
            entry = self.lookup(article)
            if entry is not None:
                return entry
            with self._errors_lock:
                failed = self._errors.get(digest)
            if failed and failed[0] >= waiting_since:
                raise failed[1]
            try:
                entry = self._synthesize(article)
            except ListenError as exc:
                with self._errors_lock:
                    self._errors[digest] = (time.monotonic(), exc)
                raise
            with self._errors_lock:
                self._errors.pop(digest, None)
            return entry

    def _synthesize(self, article: Article) -> Entry:
        started = time.monotonic()
        spoken = self.speaker.speak_items(article.items)
        engine, voice = spoken.voices[article.language]
        stitched = stitch.stitch(
            spoken.segments, self.config["PAUSE_TITLE_MS"], self.config["PAUSE_PARAGRAPH_MS"]
        )
        meta = {
            "id": article.id,
            "title": article.title,
            "language": article.language,
            "engine": engine,
            "voice": voice,
            "voices": {lang: {"engine": e, "voice": v} for lang, (e, v) in spoken.voices.items()},
            "duration_s": round(stitched.duration, 3),
            "timings": [[round(a, 3), round(b, 3)] for a, b in stitched.timings],
            "chars": article.chars,
            "created": time.time(),
            "pipeline_version": PIPELINE_VERSION,
        }

        def write(path: Path) -> None:
            stitch.encode_mp3(
                stitched.audio,
                path,
                title=article.title,
                language=article.language,
                bitrate=self.config["BITRATE"],
            )

        entry = self.cache.put(self.cache_key(article, spoken.voices), write, meta)
        log.info(
            "synthesized %s (%s, %s, %.1f s of audio) in %.2f s",
            article.id, article.language, engine, stitched.duration,
            time.monotonic() - started,
        )  # fmt: skip
        return entry

    def _recent_error(self, digest: str) -> ListenError | None:
        with self._errors_lock:
            found = self._errors.get(digest)
            if found and time.monotonic() - found[0] < self.config["ERROR_TTL"]:
                return found[1]
        return None

    def purge(self, article_ids: list[str] | None = None) -> int:
        """Drop cached audio of these articles (any version), or of all articles."""
        wanted = set(article_ids) if article_ids is not None else None
        removed = 0
        for entry in list(self.cache.entries()):
            if wanted is None or entry.meta.get("id") in wanted:
                removed += self.cache.delete(entry.key)
        return removed
