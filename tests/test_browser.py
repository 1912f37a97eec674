"""The player in real headless Chromium, embedded on a publisher page of another origin,
against the real service started as `listen serve` (gunicorn)."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import listen_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PUBLISHER = "The Daily Example"
ARTWORK = "https://news.example.com/listen-artwork.png"  # never fetched by a headless browser


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = {
        "LISTEN_ENGINES": "espeak",
        "LISTEN_SOURCE": "",
        "LISTEN_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "LISTEN_PUBLISHER_NAME": PUBLISHER,
        "LISTEN_ARTWORK_URL": ARTWORK,
    }
    with listen_serve(settings) as base:
        yield base


@pytest.fixture(scope="module")
def publisher(service: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A publisher's page on another origin that pastes the snippet twice."""
    root = tmp_path_factory.mktemp("publisher")
    (root / "article.html").write_text(f"""<!doctype html><html><head><title>Pub</title>
<style>body {{ font: 20px Georgia; color: red }} button {{ background: lime }}</style></head>
<body><h1>Publisher page</h1>
<script src="{service}/embed.js" async></script>
<div id="en" data-listen-article="city-council-budget"></div>
<p>Article text of the publisher.</p>
<div id="es" data-listen-article="sequia-en-el-valle"></div>
</body></html>""")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/article.html"
    server.shutdown()
    server.server_close()


def player(page, host_id: str):
    return page.locator(f"#{host_id} .listen-player")


def api(base: str, article_id: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/articles/{article_id}", timeout=10) as response:
        return json.load(response)


def test_press_play_hear_the_article(browser, publisher, service):
    page = browser.new_page()
    page.goto(publisher)
    en, es = player(page, "en"), player(page, "es")
    play = en.locator("button.listen-play")
    play.wait_for()
    en_title = api(service, "city-council-budget")["title"]
    es_title = api(service, "sequia-en-el-valle")["title"]
    page.wait_for_function(
        "() => document.querySelector('#en').shadowRoot.querySelector('.listen-player')"
        ".dataset.state === 'idle'"
    )
    assert en.locator(".listen-title").inner_text() == en_title
    assert play.get_attribute("aria-label") == f"Play: {en_title}"
    es_play = es.locator("button.listen-play")
    # the label follows the article's language once the API has answered
    page.wait_for_function(
        "() => document.querySelector('#es').shadowRoot.querySelector('.listen-player')"
        ".getAttribute('lang') === 'es'"
    )
    assert es.locator(".listen-title").inner_text() == es_title
    assert es_play.get_attribute("aria-label") == f"Reproducir: {es_title}"
    assert es.locator("input.listen-seek").get_attribute("aria-label") == "Posición"
    assert es.locator("select.listen-speed").get_attribute("aria-label") == "Velocidad"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "player-idle.png"))

    play.click()  # cold: the service synthesizes, then the audio plays
    page.wait_for_function(
        "() => { const a = document.querySelector('#en').shadowRoot.querySelector('audio');"
        " return a && a.currentTime > 0.5; }",
        timeout=60_000,
    )
    assert en.get_attribute("data-state") == "playing"
    assert play.get_attribute("aria-label") == f"Pause: {en_title}"
    # the lock screen: the article, the publisher's name and artwork
    session = page.evaluate(
        "() => { const m = navigator.mediaSession.metadata;"
        " return [m.title, m.artist, m.artwork.map(a => a.src)]; }"
    )
    assert session == [en_title, PUBLISHER, [ARTWORK]]
    en.locator("select.listen-speed").select_option("1.5")
    rate = page.evaluate(
        "() => document.querySelector('#en').shadowRoot.querySelector('audio').playbackRate"
    )
    assert rate == 1.5
    page.keyboard.press("Tab")  # controls are reachable by keyboard
    play.focus()
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('#en').shadowRoot.querySelector('audio').paused"
    )
    page.wait_for_function(
        "() => document.querySelector('#en').shadowRoot"
        ".querySelector('.listen-player').dataset.state === 'paused'"
    )
    # the other player on the page did not start
    assert es.get_attribute("data-state") in ("idle", "pending", "loading")
    page.screenshot(path=str(ARTIFACTS / "player-paused.png"))
    page.close()


def test_iframe_embed(browser, service):
    page = browser.new_page()
    page.goto(f"{service}/embed/festival-de-cine")
    play = page.locator(".listen-player button.listen-play")
    play.wait_for()
    title = api(service, "festival-de-cine")["title"]
    page.locator(".listen-player[data-state=idle]").wait_for()
    assert page.locator(".listen-player .listen-title").inner_text() == title
    assert play.get_attribute("aria-label") == f"Reproducir: {title}"
    page.goto(f"{service}/embed/festival-de-cine?theme=dark&layout=compact&download=false")
    player = page.locator(".listen-player")
    player.wait_for()
    assert player.get_attribute("data-theme") == "dark"
    assert player.get_attribute("data-layout") == "compact"
    page.wait_for_function(
        "() => document.querySelector('[data-listen-article]').shadowRoot"
        ".querySelector('.listen-player').dataset.state === 'idle'"
    )
    assert not page.locator(".listen-dl").is_visible()
    page.close()
