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
    # sample: (article key, sha256 of its segment keys, one per engine and item, joined)
    "harbour-bridge-reopens.html": (
        "6e33c75d60ab37803d0341d9eee400bf0de0c475763a339355e13427c1b08d8f",
        "052d654a0b1689d8ba83f14394955df1458b8ee7e288bb3d6966be65098b6120",
    ),
    "sequia-en-el-valle.txt": (
        "61831ecc03f3ed7e2f9dc301935712f1f2d422de894785aa3971d37c44f56177",
        "fcae273fcae3ac8201d0fb29007c9e1a570e9379ac215b00e5513ad459249ba8",
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
