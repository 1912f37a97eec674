"""Edit: re-serving a 300-word, 10-paragraph article after one paragraph changed.

With piper: the article's cold synthesis time, then the time to serve it again
after an editor corrected one paragraph (only that paragraph is synthesized again;
the other nine come from the paragraph cache). Goal: at most 15% of the cold time.

    python -m bench edit
"""

from __future__ import annotations

import json
import tempfile
import time

from bench.common import machine, paragraphs
from listen import metrics
from listen.models import RawArticle
from listen.service import Listen
from listen.settings import DEFAULTS


def main() -> None:
    paras = paragraphs(300, per_paragraph=30, seed=5)
    assert len(paras) == 10
    with tempfile.TemporaryDirectory() as cache:
        service = Listen({**DEFAULTS, "ENGINES": "piper", "CACHE_DIR": cache})
        warm = RawArticle(id="warm", title="Warm-up", text="A first sentence to load the voice.")
        service.audio(service.prepare(warm))  # loads the piper voice

        def serve(body: list[str]) -> float:
            article = service.prepare(
                RawArticle(
                    id="edit",
                    title="An article that will be corrected",
                    text="\n".join(body),
                    language="en",
                )
            )
            started = time.perf_counter()
            service.audio(article)
            return time.perf_counter() - started

        cold = serve(paras)
        edited = list(paras)
        edited[6] = "This paragraph was corrected by the editor after the article was published."
        synthesized = metrics.synthesized()
        again = serve(edited)
        resynthesized = metrics.synthesized() - synthesized
    print(
        json.dumps(
            {
                "bench": "edit",
                "machine": machine(),
                "words": 300,
                "paragraphs": 10,
                "engine": "piper",
                "cold_s": round(cold, 3),
                "edited_s": round(again, 3),
                "pieces_resynthesized": resynthesized,
                "share": round(again / cold, 3),
                "goal": {"share": "<= 0.15"},
            }
        )
    )


if __name__ == "__main__":
    main()
