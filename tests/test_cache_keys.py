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
    # PIPELINE_VERSION 3 and SEGMENT_VERSION 3: engine silence trimmed, pauses by kind, the
    # pace (LISTEN_RATE) in the keys
    # sample: (article key, sha256 of its segment keys, one per engine and item, joined)
    "harbour-bridge-reopens.html": (
        "3e0e1198a4105bd635de03258e61dfc685ef99bab900676d6800c05005c541bb",
        "3d6cdbf0e968aac20757288b9a55272164efa7b7b2f95273d53de4c8b1315865",
    ),
    "sequia-en-el-valle.txt": (
        "8359114944ba2def15929cee8767008ae21bef6f5655f813a3188e7d21987540",
        "8c4d96c28fbb305b8c397a1018605a784e57af65de111fb1f9f5ecde779ad43e",
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
