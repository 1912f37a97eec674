"""Pipeline: article ID -> cached MP3, running every stage in order.

source -> sanitize -> language -> speech -> stitch -> cache. :class:`Listen` is
the one object the web app, the CLI and the workers share.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from listen import language
from listen.build import POLL, Build, Builder, follow
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


LONGEST_WORD = 60
"""Characters; a longer run without spaces (a hash, base64, a pasted URL) is not read."""


def pronounceable(text: str, article_id: str) -> str:
    """The spoken text without runs of characters no engine can pronounce as a word."""
    words = text.split()
    kept = [w for w in words if len(w) <= LONGEST_WORD]
    if len(kept) != len(words):
        log.warning(
            "article %s: not reading %d run(s) of over %d characters without a space",
            article_id, len(words) - len(kept), LONGEST_WORD,
        )  # fmt: skip
    return " ".join(kept)


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
        self.segments = AudioCache(Path(self.config["CACHE_DIR"]) / "segments")
        self.builder = Builder(self.config, self.speaker, self.cache, self.segments)
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
            if not language.speakable(block.text):
                log.warning(
                    "article %s: skipping a paragraph in a script no voice reads: %.60r",
                    raw.id, block.text,
                )  # fmt: skip
                continue
            own = language.paragraph_language(block.text, lang)
            spoken = pronounceable(normalize(block.text, own), raw.id)
            if spoken:
                paragraphs.append(Paragraph(block.text, own, block.kind, spoken))
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

    def article_key(self, article: Article) -> str:
        """Key of an article's audio: what is spoken, in which languages, by which
        configured engines and voices, how it is paced and encoded, and the version."""
        chain = {
            lang: [f"{e.name}:{e.voice(lang)}" for e in self.speaker.candidates(lang)]
            for lang in article.languages
        }
        material = [
            PIPELINE_VERSION,
            article.language,
            article.items,
            chain,
            self.config["PAUSE_TITLE_MS"],
            self.config["PAUSE_PARAGRAPH_MS"],
            self.config["BITRATE"],
            self.config["LOUDNESS_DBFS"],
        ]
        blob = json.dumps(material, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def lookup(self, article: Article) -> Entry | None:
        """The article's finished audio, if cached."""
        return self.cache.get(self.article_key(article))

    def status(self, article: Article) -> Status:
        key = self.article_key(article)
        entry = self.cache.get(key)
        if entry is not None:
            return Status("ready", entry)
        if self.builder.current(key) is not None or self.cache.is_locked(key):
            return Status("pending")
        error = self._recent_error(key)
        if error is not None:
            return Status("error", message=error.message)
        return Status("pending")

    def start(self, article: Article) -> tuple[str, Build | None]:
        """Make sure the article's audio exists or is being built; return its key and build.

        The build is None when the audio is complete, or when another process builds it.
        """
        key = self.article_key(article)
        if self.cache.get(key) is not None:
            return key, None
        if self.cache.is_locked(key) and self.builder.current(key) is None:
            return key, None  # another process is building it: follow its .part file
        meta = {"id": article.id, "title": article.title, "language": article.language,
                "chars": article.chars, "pipeline_version": PIPELINE_VERSION}  # fmt: skip
        return key, self.builder.start(article, key, meta)

    def first_audio(self, article: Article, timeout: float = 300.0) -> tuple[str, Build | None]:
        """Start the article and wait until its first spoken piece is written (or it is done).

        Raises:
            ListenError: the build failed before any audio (e.g. every engine failed).
        """
        key, build = self.start(article)
        if build is not None:
            build.wait(lambda: build.done or build.pieces > 0, timeout)
            self._check(key, build)
        return key, build

    def audio(self, article: Article, timeout: float = 3600.0) -> Entry:
        """The article's finished audio: from the cache, else built (once) and waited for.

        Raises:
            EnginesUnavailable: every engine failed (a 503 with Retry-After).
        """
        key, build = self.start(article)
        if build is None:
            deadline = time.monotonic() + timeout
            while (entry := self.cache.get(key)) is None:
                if not self.cache.is_locked(key):
                    key, build = self.start(article)  # the other process gave up: our turn
                    if build is not None:
                        break
                if time.monotonic() > deadline:
                    raise ListenError(f"article {article.id!r} took too long to synthesize")
                time.sleep(POLL)
            else:
                return entry
        build.wait(lambda: build.done, timeout)
        self._check(key, build)
        if build.entry is None:
            raise ListenError(f"article {article.id!r} took too long to synthesize")
        return build.entry

    def _check(self, key: str, build: Build) -> None:
        if build.error is not None:
            with self._errors_lock:
                self._errors[key] = (time.monotonic(), build.error)
            raise build.error

    def follow(self, key: str, build: Build | None) -> Iterator[bytes]:
        """The article's bytes as they are written (see :func:`listen.build.follow`)."""
        return follow(build, self.cache, key)

    def _recent_error(self, key: str) -> ListenError | None:
        with self._errors_lock:
            found = self._errors.get(key)
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
