"""Pages that hold no article are refused with a 422, not read out (sanitize.check_article)."""

from __future__ import annotations

import json

import pytest

from listen.cli import main
from listen.errors import NoArticle
from listen.models import RawArticle
from listen.text import sanitize as s

from conftest import write_article

NAV = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(12))
FOOTER = (
    "<footer><p>About us. Contact. Careers. Terms of use. Privacy policy. Cookie settings. "
    "Advertise with us. Accessibility. Corrections. Newsletters. Podcasts. Archive.</p>"
    f"<ul>{NAV}</ul></footer>"
)
TEASERS = "".join(
    f'<div class="card"><h3><a href="/story/{i}">Headline of another story number {i} '
    f"about the city</a></h3></div>"
    for i in range(20)
)
STORY = "".join(
    f"<p>Paragraph {i} of the story says what the council decided on the harbour, "
    "and why the vote took until midnight.</p>"
    for i in range(6)
)


def page(main: str, title: str = "The Daily") -> str:
    return (
        f"<html><head><title>{title}</title></head><body><header><nav><ul>{NAV}</ul></nav>"
        f"</header><main>{main}</main>{FOOTER}</body></html>"
    )


PAGES = {
    "section_front": page(f"<h1>Local news</h1>{TEASERS}"),
    "error_page": page(
        "<h1>Page not found</h1><p>Sorry, we could not find that page.</p>"
        f"<h2>Most read</h2>{TEASERS}"
    ),
    "paywall_stub": page(
        "<article><h1>Council votes on the harbour</h1><p>The council voted at midnight."
        "</p><p>To continue reading, subscribe now. Already a subscriber? Log in.</p>"
        f"</article>{TEASERS}"
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_without_an_article_are_refused(name):
    with pytest.raises(NoArticle) as caught:
        s.sanitize(RawArticle(id=name, html=PAGES[name]))
    assert caught.value.status == 422 and caught.value.error == "nothing_to_speak"
    assert "not an article" in caught.value.message


def test_an_article_in_the_same_chrome_is_spoken():
    blocks = s.sanitize(
        RawArticle(id="a", html=page(f"<article><h1>Harbour</h1>{STORY}</article>"))
    )
    assert len(blocks.blocks) == 6


def test_a_small_page_is_spoken_as_it_is():
    html = "<html><body><h1>Brief</h1><p>The road reopened at noon.</p></body></html>"
    assert [b.text for b in s.sanitize(RawArticle(id="b", html=html)).blocks] == [
        "The road reopened at noon."
    ]


def test_listen_clean_says_why_in_one_json_line(runner, tmp_path):
    path = tmp_path / "front.html"
    path.write_text(PAGES["section_front"])
    result = runner.invoke(main, ["clean", "--json", str(path)])
    assert result.exit_code == 1
    line = json.loads(result.output)
    assert line["error"] == "nothing_to_speak" and "section front" in line["message"]


def test_the_api_answers_422_for_a_section_front(client, articles):
    write_article(articles, "front", html=PAGES["section_front"])
    response = client.get("/api/articles/front/audio.mp3")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "nothing_to_speak" and "section front" in body["message"]
