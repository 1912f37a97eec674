"""Golden cache keys: a move or a refactor must not silently invalidate cached audio.

An article's key and its paragraphs' keys are what the cache finds MP3s by. They are pinned
here for two bundled samples at the default settings; a change that alters them on purpose
bumps ``PIPELINE_VERSION`` or ``SEGMENT_VERSION`` and updates the figures in the same commit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from listen.audio.build import segment_key
from listen.service import Listen
from listen.settings import DEFAULTS
from listen.sources.files import read_path

SAMPLES = Path(__file__).parent.parent / "listen" / "samples"

GOLDEN = {
    # PIPELINE_VERSION 3 and SEGMENT_VERSION 3: engine silence trimmed, pauses by kind
    # sample: (article key, sha256 of its segment keys, one per engine and item, joined)
    "harbour-bridge-reopens.html": (
        "bab9800ec7ad5dc4d2f742098d9b6de38ca45c2e9670b1b1d1797ec00fc868da",
        "b484f12f12c98cdbcd1b1c08dd19b6a504d19e201ff0832deeacd904a734da89",
    ),
    "sequia-en-el-valle.txt": (
        "cf46934126b76dbf75fe84b2fbd42c9d3c1cec3f9e3f7947998c5efe30a56ab3",
        "3c4333078e6029cd46b46c0b226f274135f22de8306e4284514a00a03247dc8f",
    ),
}


@pytest.fixture
def service(tmp_path: Path) -> Listen:
    return Listen({**DEFAULTS, "CACHE_DIR": str(tmp_path / "cache")})


def keys_of(service: Listen, sample: str) -> tuple[str, str]:
    article = service.prepare(read_path(SAMPLES / sample))
    config: dict[str, Any] = service.config
    segments = [
        segment_key(text, language, engine.name, engine.voice(language), config)
        for text, language in article.spoken_pieces
        for engine in service.engines
        if engine.supports(language)
    ]
    return service.article_key(article), hashlib.sha256("\n".join(segments).encode()).hexdigest()


@pytest.mark.parametrize("sample", sorted(GOLDEN))
def test_cache_keys_are_pinned(service: Listen, sample: str) -> None:
    assert keys_of(service, sample) == GOLDEN[sample]
