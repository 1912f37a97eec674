"""gTTS engine: Google Translate's speech through the gTTS library.

gTTS's own request and parsing code is used as is; only the endpoint URL can be
replaced (``LISTEN_GTTS_URL``), which is how tests and benchmarks point it at a
local server speaking Google's batchexecute format.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from typing import Any

from gtts import gTTS
from gtts.tts import gTTSError
from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError

from listen.errors import EngineError

log = logging.getLogger(__name__)


class _EndpointGTTS(gTTS):
    """gTTS with a replaceable batchexecute endpoint."""

    def __init__(self, text: str, *, endpoint: str, **kwargs: Any) -> None:
        super().__init__(text, **kwargs)
        self.endpoint = endpoint

    def _prepare_requests(self) -> list[Any]:
        prepared = super()._prepare_requests()
        if self.endpoint:
            for request in prepared:
                request.prepare_url(self.endpoint, None)
        return prepared


def _retry_after(response: Any) -> int | None:
    value = response.headers.get("Retry-After") if response is not None else None
    return int(value) if value and value.strip().isdigit() else None


class GTTSEngine:
    name = "gtts"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.endpoint = str(config.get("GTTS_URL") or "")
        self.timeout = float(config.get("GTTS_TIMEOUT") or 5.0)
        self.tlds = {
            "en": str(config.get("GTTS_TLD_EN") or "com"),
            "es": str(config.get("GTTS_TLD_ES") or "com.mx"),
        }

    def supports(self, language: str) -> bool:
        return language in self.tlds

    def voice(self, language: str) -> str:
        return f"gtts:{language}-{self.tlds[language]}"

    def synthesize(self, text: str, language: str) -> AudioSegment:
        tts = _EndpointGTTS(
            text,
            endpoint=self.endpoint,
            lang=language,
            tld=self.tlds[language],
            lang_check=False,
            timeout=self.timeout,
        )
        buf = io.BytesIO()
        try:
            tts.write_to_fp(buf)
        except gTTSError as exc:
            response = getattr(exc, "rsp", None)
            status = getattr(response, "status_code", None)
            # No answer at all, rate limiting and server errors repeat for every text.
            unreachable = status is None or status == 429 or status >= 500
            raise EngineError(
                f"gTTS failed: {exc}", unreachable=unreachable, retry_after=_retry_after(response)
            ) from exc
        except AssertionError as exc:  # gTTS asserts when a text has nothing to say
            raise EngineError(f"gTTS found nothing to pronounce in {text[:40]!r}") from exc
        if not buf.getvalue():
            raise EngineError("gTTS returned no audio. Probable cause: upstream API changes.")
        buf.seek(0)
        try:
            return AudioSegment.from_file(buf, format="mp3")
        except (CouldntDecodeError, IndexError) as exc:
            raise EngineError("gTTS returned audio that does not decode as MP3.") from exc
