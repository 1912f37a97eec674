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
    # PIPELINE_VERSION 5 and SEGMENT_VERSION 4: engine silence trimmed, pauses by kind, the
    # pace (LISTEN_RATE) in the keys, pieces leveled by LUFS, subheadings as ID3 chapters
    # sample: (article key, sha256 of its segment keys, one per engine and item, joined)
    "harbour-bridge-reopens.html": (
        "b5e79a4143f6438ad194b2b0fbd7ae3625156e89a916143e798c9a3646eed8de",
        "317c8cfa1dbb8216ac32648c59adcb2af86127dfb48750d2894e8284d22590fc",
    ),
    "sequia-en-el-valle.txt": (
        "08287a5ca788d164aafea1d4348ba96804ca1a1f6fbd3baad7f741ebd9b3c6c4",
        "ce071b7f21532a1f6da1c5bce0de1cf17b19549ac7c6834058330f07390beeb7",
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
