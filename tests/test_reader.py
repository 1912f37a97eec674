"""What the player does after play (listen/web/static/embed-more.js) in real headless Chromium:
listening reports counted by the real service, sentence-level reading along and paragraph
keys, the transcript and chapters, the iframe's captions, and the next article of a playlist.

The service runs as `listen serve` (gunicorn) with the fake engine, whose tones have
sentence timings (espeak-ng's have none); the publisher's pages are on another origin.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import axe_violations, js, listen_serve, value, wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BRIDGE_TITLE = "The old bridge opens again"
BRIDGE = [
    "The old bridge opened again on Monday. Buses crossed it first. Cars followed at noon.",
    "Repairs took two years. They cost more than planned.",
    "The mayor thanked the residents. She promised that it would last forty years.",
]
CHAPTERED = (
    "<h1>Rain returns to the valley</h1>"
    "<p>Rain fell on the valley for the first time in months.</p>"
    "<h2>Farmers</h2><p>Farmers said the rain came too late for the wheat.</p>"
    "<h2>Reservoirs</h2><p>The reservoirs are still at a fifth of their capacity.</p>"
)
SHORT = {
    "one": ("First of the list", "The first article is short. It ends soon."),
    "two": ("Second of the list", "The second article is short too. It ends as well."),
    "three": ("Third of the list", "The third article closes the list."),
}
PUBLISHED = {
    "one": "2026-11-03",
    "two": "2026-11-02",
    "three": "2026-11-01",
    "bridge": "2026-10-01",
    "chaptered": "2026-09-01",
}
"""Newest first: the source's own playlist (GET /api/playlist.json) is one, two, three, ..."""
ARTICLES: dict[str, dict[str, Any]] = {
    "bridge": {"title": BRIDGE_TITLE, "text": "\n\n".join(BRIDGE), "language": "en"},
    "chaptered": {"title": "Rain returns to the valley", "html": CHAPTERED, "language": "en"},
    **{k: {"title": t, "text": x, "language": "en"} for k, (t, x) in SHORT.items()},
    "sequia": {
        "title": "La sequía obliga a racionar el agua",
        "text": "Los vecinos tendrán agua solo por las mañanas. Llevan tres meses sin lluvia."
        "\n\nLos embalses están al veinte por ciento.",
        "language": "es",
    },
}
for _id, _day in PUBLISHED.items():
    ARTICLES[_id]["published"] = _day


def warm(base: str) -> None:
    """Synthesize every article now: complete files with their timings."""
    for article_id in ARTICLES:
        with urllib.request.urlopen(f"{base}/api/articles/{article_id}/audio.mp3", timeout=60) as r:
            r.read()
        deadline = time.monotonic() + 30
        while api(base, article_id)["status"] != "ready":
            assert time.monotonic() < deadline, f"{article_id} never became ready"
            time.sleep(0.05)


def api(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}/api/articles/{path}", timeout=10) as response:
        return json.load(response)


@contextmanager
def service_with(tmp: pytest.TempPathFactory, **extra: str) -> Iterator[tuple[str, Path]]:
    folder = tmp.mktemp("articles")
    for article_id, body in ARTICLES.items():
        (folder / f"{article_id}.json").write_text(json.dumps(body), "utf-8")
    cache = tmp.mktemp("cache")
    settings = {
        "LISTEN_ENGINES": "fake",
        "LISTEN_CACHE_DIR": str(cache),
        "LISTEN_SOURCE": str(folder),
        **extra,
    }
    with listen_serve(settings) as base:
        warm(base)
        yield base, cache


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with service_with(tmp_path_factory) as s:
        yield s


@pytest.fixture(scope="module")
def service(served: tuple[str, Path]) -> str:
    return served[0]


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Publisher</title>
<style>body {{ margin: 0 auto; max-width: 680px; padding: 8px; font: 19px/1.6 Georgia, serif;
color: #222; background: #fff }}</style></head><body><main>
{body}
</main><script src="{service}/embed.js" async></script></body></html>"""


def write_page(publisher: tuple[Path, str], service: str, name: str, body: str) -> str:
    root, base = publisher
    (root / f"{name}.html").write_text(PAGE.format(body=body, service=service))
    return f"{base}/{name}.html"


def bridge_story(article: str = "bridge") -> str:
    """The bridge story as the publisher shows it, with a player of `article` after the headline."""
    player = f'<div id="p" data-listen-article="{article}"></div>'
    paragraphs = "\n".join(f'<p id="b-{n}">{t}</p>' for n, t in enumerate(BRIDGE, 1))
    return f'<article><h1 id="b-0">{BRIDGE_TITLE}</h1>\n{player}\n{paragraphs}</article>'


@pytest.fixture
def visit(browser: Any):
    """A page in a fresh context; after the test, no exception was thrown in the page.
    Yields the page and the URLs it requested."""
    opened: list[tuple[Any, list[str]]] = []

    @contextmanager
    def open_page(
        url: str, *, init: str = "", width: int = 760, dark: bool = False
    ) -> Iterator[Any]:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light"
        )
        if init:
            context.add_init_script(init)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.requested = []
        page.on("request", lambda r: page.requested.append(r.url))
        opened.append((context, errors))
        page.goto(url)
        yield page

    yield open_page
    for context, errors in opened:
        context.close()
        assert not errors, errors


# ---------------------------------------------------------------- listening reports


def counted(cache: Path, article_id: str) -> dict[str, Any]:
    """What the service stored for the article: its SQLite row and `listen stats --json`."""
    db = cache / "analytics.sqlite3"
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT plays, q25, q50, q75, q100, seconds FROM daily WHERE article = ?",
            (article_id,),
        ).fetchone()
    return dict(row) if row else {}


def stats(cache: Path) -> dict[str, Any]:
    listen = Path(sys.executable).with_name("listen")
    out = subprocess.run(
        [str(listen), "stats", "--json"],
        env={**os.environ, "LISTEN_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=True,
    )
    return {a["article"]: a for a in json.loads(out.stdout)["articles"]}


def events_sent(page: Any) -> list[str]:
    return [u for u in page.requested if u.endswith("/api/events")]


def listen_to_the_end(page: Any, host: str) -> None:
    wait(page, host, "p.dataset.state === 'idle'")
    page.locator(f"#{host} .listen-speed").select_option("3")
    page.locator(f"#{host} .listen-play").click()
    wait(page, host, "p.dataset.state === 'ended'", timeout=40_000)


def test_a_listen_is_counted_by_the_service(visit, served, publisher):
    service, cache = served
    url = write_page(publisher, service, "counted", bridge_story())
    assert counted(cache, "bridge") == {}
    with visit(url) as page:
        listen_to_the_end(page, "p")
        deadline = time.monotonic() + 10
        while counted(cache, "bridge").get("q100") != 1:
            assert time.monotonic() < deadline, counted(cache, "bridge")
            time.sleep(0.1)
        row = counted(cache, "bridge")
        assert row["plays"] == 1
        assert (row["q25"], row["q50"], row["q75"], row["q100"]) == (1, 1, 1, 1)
        duration = api(service, "bridge")["duration_s"]
        # heard at 3x: about a third of the audio's length, in wall-clock seconds
        assert duration / 3 * 0.6 < row["seconds"] < duration / 3 * 1.6, (row, duration)
        sent = events_sent(page)
        assert len(sent) >= 6 and all(u == f"{service}/api/events" for u in sent), sent
        page.locator("#p .listen-play").click()  # played again: the same page view, no new play
        wait(page, "p", "!a.paused")
        page.locator("#p .listen-play").click()
        wait(page, "p", "a.paused")
        assert axe_violations(page) == []
    summary = stats(cache)["bridge"]
    assert summary["plays"] == 1 and summary["completed"] == 1 and summary["completion"] == 1.0
    assert summary["seconds"] == pytest.approx(counted(cache, "bridge")["seconds"])


def test_global_privacy_control_sends_nothing(visit, served, publisher):
    service, cache = served
    url = write_page(publisher, service, "gpc", bridge_story("chaptered"))
    gpc = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    with visit(url, init=gpc) as page:
        listen_to_the_end(page, "p")
        page.wait_for_timeout(500)
        assert events_sent(page) == []
    assert counted(cache, "chaptered") == {}


def test_analytics_off_no_request_leaves_the_player(visit, tmp_path_factory, publisher):
    with service_with(tmp_path_factory, LISTEN_ANALYTICS="false") as (service, cache):
        assert api(service, "bridge")["events_url"] is None
        url = write_page(publisher, service, "off", bridge_story())
        with visit(url) as page:
            listen_to_the_end(page, "p")
            page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
            page.wait_for_timeout(500)
            assert any("/embed-more." in u for u in page.requested)  # the reporter was there
            assert events_sent(page) == []
        assert not (cache / "analytics.sqlite3").exists()


# ---------------------------------------------------------------- sentences and keys


def timings(service: str, article_id: str) -> list[dict[str, Any]]:
    return api(service, f"{article_id}/timings.json")["pieces"]


SENTENCE = (
    "() => { const h = CSS.highlights.get('listen-sentence');"
    " return h ? [...h].map(r => [r.startContainer.parentElement.id, r.toString()]) : []; }"
)


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    x, y = sorted((luminance(a) + 0.05, luminance(b) + 0.05))
    return y / x


def rgb(css: str) -> tuple[float, ...]:
    import re

    return tuple(float(n) for n in re.findall(r"[\d.]+", css)[:3])


def test_the_sentence_being_read_is_highlighted(visit, service, publisher):
    pieces = timings(service, "bridge")
    assert [len(p["sentences"]) for p in pieces] == [1, 3, 2, 2]
    url = write_page(publisher, service, "sentences", bridge_story())
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        assert page.evaluate(SENTENCE) == []
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        second = pieces[1]["sentences"][1]
        page.evaluate(js("p", f"a.currentTime = {second[0] + 0.1}"))
        page.wait_for_function(
            f"() => ({SENTENCE})().length && ({SENTENCE})()[0][1].startsWith('Buses')"
        )
        assert page.evaluate(SENTENCE) == [["b-1", "Buses crossed it first."]]
        assert page.evaluate("() => document.querySelector('.listen-reading').id") == "b-1"
        # the playback passes the boundary: the highlight moves on to the next sentence
        page.wait_for_function(
            f"() => ({SENTENCE})().length && ({SENTENCE})()[0][1] === 'Cars followed at noon.'",
            timeout=10_000,
        )
        assert value(page, "p", "a.currentTime") >= pieces[1]["sentences"][2][0] - 0.1
        # its colours: the text keeps 4.5:1 on the sentence's tint, the underline 3:1
        rule = page.evaluate(
            "() => [...document.adoptedStyleSheets].flatMap(s => [...s.cssRules])"
            ".find(r => r.selectorText && r.selectorText.includes('highlight')).style"
            ".cssText"
        )
        tint = rgb(rule.split("background-color:")[1])
        assert contrast(rgb("rgb(34, 34, 34)"), tint) >= 4.5, rule
        assert contrast(rgb(rule.split("underline 2px")[1]), (255, 255, 255)) >= 3, rule
        assert axe_violations(page) == []
        page.locator("#p .listen-play").click()  # paused: it stays where the reader stopped
        wait(page, "p", "a.paused")
        held = page.evaluate(SENTENCE)
        assert len(held) == 1 and held[0][0] in ("b-1", "b-2")
        page.evaluate(js("p", "a.currentTime = a.duration - 0.3"))
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'ended'")  # the end: nothing is highlighted
        page.wait_for_function(f"() => ({SENTENCE})().length === 0")


def test_sentences_are_never_misaligned(visit, service, publisher):
    """A page whose paragraph parts into other sentences than the audio: paragraph only."""
    body = (
        f'<article><h1 data-listen-paragraph id="b-0">{BRIDGE_TITLE}</h1>'
        '<div id="p" data-listen-article="bridge"></div>'
        '<p data-listen-paragraph id="b-1">The old bridge opened again on Monday; buses crossed'
        " it first, and cars followed at noon.</p>"
        f'<p data-listen-paragraph id="b-2">{BRIDGE[1]}</p></article>'
    )
    pieces = timings(service, "bridge")
    with visit(write_page(publisher, service, "misaligned", body)) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        page.evaluate(js("p", f"a.currentTime = {pieces[1]['sentences'][1][0] + 0.1}"))
        page.wait_for_function("() => document.querySelector('.listen-reading')?.id === 'b-1'")
        assert page.evaluate(SENTENCE) == []
        page.evaluate(js("p", f"a.currentTime = {pieces[2]['sentences'][1][0] + 0.1}"))
        page.wait_for_function(
            f"() => document.querySelector('.listen-reading')?.id === 'b-2'"
            f" && ({SENTENCE})().length === 1"
        )
        assert page.evaluate(SENTENCE) == [["b-2", "They cost more than planned."]]


def test_paragraphs_seek_by_keyboard_while_playing(visit, service, publisher):
    pieces = timings(service, "bridge")
    url = write_page(publisher, service, "keys", bridge_story())
    tabbable = "() => [...document.querySelectorAll('[tabindex]')].map(e => e.id)"
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        assert page.evaluate(tabbable) == []  # before play, the text is only text
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        page.wait_for_function(f"() => ({tabbable})().length === 4")
        assert page.evaluate(tabbable) == ["b-0", "b-1", "b-2", "b-3"]
        page.locator("#b-3").focus()
        page.keyboard.press("Enter")
        wait(page, "p", f"a.currentTime > {pieces[3]['start'] - 0.15}")
        assert value(page, "p", "a.currentTime") < pieces[3]["start"] + 1.5
        page.keyboard.press("Shift+Tab")  # the paragraphs are in the page's tab order
        assert page.evaluate("() => document.activeElement.id") == "b-2"
        scroll = page.evaluate("() => scrollY")
        page.keyboard.press("Space")  # seeks, and does not scroll the page
        wait(page, "p", f"a.currentTime < {pieces[2]['start'] + 1.5}")
        assert value(page, "p", f"a.currentTime > {pieces[2]['start'] - 0.15}")
        assert page.evaluate("() => scrollY") == scroll
        assert axe_violations(page) == []
        page.locator("#p .listen-play").click()
        wait(page, "p", "a.paused")
        page.wait_for_function(f"() => ({tabbable})().length === 0")


# ---------------------------------------------------------------- transcript and chapters

LINES = (
    "[...r.querySelectorAll('.listen-line')].map(b => [b.textContent,"
    " b.getAttribute('aria-current')])"
)


def test_the_transcript_opens_follows_and_seeks(visit, service, publisher):
    pieces = timings(service, "bridge")
    url = write_page(publisher, service, "transcript", bridge_story())
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        button = page.locator("#p .listen-tx")
        assert button.get_attribute("aria-label") == "Transcript"
        assert button.get_attribute("aria-expanded") == "false"
        assert not [u for u in page.requested if "embed-more" in u or "timings" in u]
        button.click()  # opening it fetches the rest of the player and the timings, no audio
        wait(page, "p", "r.querySelectorAll('.listen-line').length > 0")
        assert button.get_attribute("aria-expanded") == "true"
        panel = page.locator("#p .listen-panel")
        assert panel.is_visible() and button.get_attribute("aria-controls") == "listen-transcript"
        lines = value(page, "p", LINES)
        assert [text for text, _ in lines] == [
            BRIDGE_TITLE,
            "The old bridge opened again on Monday.",
            "Buses crossed it first.",
            "Cars followed at noon.",
            "Repairs took two years.",
            "They cost more than planned.",
            "The mayor thanked the residents.",
            "She promised that it would last forty years.",
        ]
        assert [c for _, c in lines] == ["true"] + [None] * 7
        assert not page.locator("#p .listen-ch").is_visible()  # no headings, no chapters
        assert not [u for u in page.requested if u.endswith(".mp3")]
        assert axe_violations(page) == []
        # a click on a line: from there (before play too), marked as the current line
        page.locator("#p .listen-line", has_text="Buses crossed").click()
        wait(
            page,
            "p",
            "r.querySelector('.listen-line[aria-current]').textContent.startsWith('Buses')",
        )
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        at = pieces[1]["sentences"][1][0]
        wait(page, "p", f"a.currentTime > {at - 0.15} && a.currentTime < {at + 1.5}")
        # the current line follows playback
        nxt = pieces[1]["sentences"][2][0]
        wait(page, "p", f"a.currentTime > {nxt + 0.1}", timeout=10_000)
        wait(
            page,
            "p",
            "r.querySelector('.listen-line[aria-current]').textContent.startsWith('Cars')",
        )
        # Enter on a line (keyboard): from there
        line = page.locator("#p .listen-line", has_text="The mayor thanked")
        line.focus()
        page.keyboard.press("Enter")
        wait(page, "p", f"a.currentTime > {pieces[3]['start'] - 0.15}")
        wait(
            page,
            "p",
            "r.querySelector('.listen-line[aria-current]').textContent.startsWith('The mayor')",
        )
        assert value(page, "p", "a.currentTime") < pieces[3]["start"] + 1.5
        assert axe_violations(page) == []
        button.click()
        assert button.get_attribute("aria-expanded") == "false" and not panel.is_visible()


def test_the_transcript_in_spanish_dark_at_320_px(visit, service, publisher):
    root, _ = publisher
    url = write_page(
        publisher,
        service,
        "transcript-es",
        '<h1>La sequía</h1><div id="p" data-listen-article="sequia" style="min-height:96px"></div>',
    )
    page_file = root / "transcript-es.html"
    page_file.write_text(
        page_file.read_text()
        .replace('lang="en"', 'lang="es"')
        .replace("color: #222; background: #fff", "color: #ddd; background: #111")
    )
    with visit(url, width=320, dark=True) as page:
        wait(page, "p", "p.dataset.state === 'idle' && p.getAttribute('lang') === 'es'")
        button = page.locator("#p .listen-tx")
        assert button.get_attribute("aria-label") == "Transcripción"
        button.click()
        wait(page, "p", "r.querySelectorAll('.listen-line').length === 4")
        assert value(
            page, "p", "getComputedStyle(r.querySelector('.listen-panel')).colorScheme"
        ) == ("dark")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        assert axe_violations(page) == []
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        assert axe_violations(page) == []


def test_chapters_from_the_headings(visit, service, publisher):
    pieces = timings(service, "chaptered")
    assert [p["kind"] for p in pieces] == [
        "title",
        "paragraph",
        "heading",
        "paragraph",
        "heading",
        "paragraph",
    ]
    url = write_page(
        publisher,
        service,
        "chapters",
        '<h1>Rain returns to the valley</h1><div id="p" data-listen-article="chaptered"></div>',
    )
    options = "[...r.querySelectorAll('.listen-ch option')].map(o => o.textContent)"
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-tx").click()
        wait(page, "p", "r.querySelectorAll('.listen-ch option').length > 0")
        chapters = page.locator("#p select.listen-ch")
        assert chapters.is_visible() and chapters.get_attribute("aria-label") == "Chapters"
        assert value(page, "p", options) == ["Rain returns to the valley", "Farmers", "Reservoirs"]
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        chapters.select_option(label="Reservoirs")
        start = pieces[4]["start"]
        wait(page, "p", f"a.currentTime > {start - 0.15} && a.currentTime < {start + 1.5}")
        # the menu shows the chapter being read
        page.evaluate(js("p", f"a.currentTime = {pieces[2]['start'] + 0.2}"))
        wait(
            page, "p", "r.querySelector('.listen-ch').selectedOptions[0].textContent === 'Farmers'"
        )
        assert axe_violations(page) == []


def test_the_iframe_player_has_captions(visit, service):
    pieces = timings(service, "bridge")
    with visit(f"{service}/embed/bridge") as page:
        page.locator(".listen-player[data-state=idle]").wait_for()
        tracks = page.evaluate(
            "() => [...document.querySelector('[data-listen-article]').shadowRoot"
            ".querySelector('audio').querySelectorAll('track')].map(t => [t.kind, t.srclang,"
            " new URL(t.src).pathname])"
        )
        assert tracks == [["captions", "en", "/api/articles/bridge/transcript.vtt"]]
        assert not page.locator(".listen-tx").is_visible()  # 96 px high: the captions instead
        assert not [u for u in page.requested if u.endswith(".vtt")]  # nothing before play
        page.locator(".listen-play").click()
        cues = (
            "() => { const t = document.querySelector('[data-listen-article]').shadowRoot"
            ".querySelector('audio').textTracks[0];"
            " return t.cues ? [...t.cues].map(c => [c.startTime, c.text]) : null; }"
        )
        page.wait_for_function(f"() => ({cues})() && ({cues})().length === {len(pieces)}")
        got = page.evaluate(cues)
        assert [text for _, text in got] == [p["text"] for p in pieces]
        assert [round(s, 2) for s, _ in got] == [round(p["start"], 2) for p in pieces]
        assert axe_violations(page) == []


# ---------------------------------------------------------------- the next article

SESSION = """
window.__actions = {};
const set = MediaSession.prototype.setActionHandler;
MediaSession.prototype.setActionHandler = function (name, fn) {
  window.__actions[name] = fn;
  return set.call(this, name, fn);
};
"""
"""Keeps the Media Session handlers at hand, to press the lock screen's buttons."""

NOW = (
    "() => { const h = document.getElementById('p'), a = h.shadowRoot.querySelector('audio');"
    " return [h.dataset.listenArticle, a.paused, h.shadowRoot.querySelector('.listen-title')"
    ".textContent]; }"
)


def playing(page: Any, article_id: str) -> None:
    page.wait_for_function(
        f"() => {{ const [i, paused] = ({NOW})(); return i === {article_id!r} && !paused; }}",
        timeout=20_000,
    )


def playlist_page(publisher, service, name: str, attrs: str) -> str:
    return write_page(
        publisher,
        service,
        name,
        f'<h1>Playlist</h1><div id="p" data-listen-article="one" {attrs}'
        ' style="min-height:96px"></div>',
    )


def test_the_publishers_playlist_plays_on(visit, service, publisher):
    url = playlist_page(publisher, service, "playlist", 'data-listen-playlist="one, two,three"')
    with visit(url, init=SESSION) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-speed").select_option("3")
        page.locator("#p .listen-play").click()
        playing(page, "one")
        # the lock screen's buttons, once the rest of the player (fetched on play) is there
        page.wait_for_function("() => typeof window.__actions.nexttrack === 'function'")
        page.evaluate("() => window.__actions.nexttrack()")  # the lock screen's next
        playing(page, "two")  # it may start before its title arrives; then both show it
        title = SHORT["two"][0]
        page.wait_for_function(f"() => ({NOW})()[2] === {title!r}", timeout=5_000)
        page.wait_for_function(
            f"() => navigator.mediaSession.metadata.title === {title!r}", timeout=5_000
        )
        page.evaluate("() => window.__actions.previoustrack()")
        playing(page, "one")
        # to its end: the next one starts by itself, and then the last
        playing(page, "two")
        assert axe_violations(page) == []
        playing(page, "three")
        wait(page, "p", "p.dataset.state === 'ended'", timeout=20_000)
        page.wait_for_timeout(500)
        assert page.evaluate(NOW)[:2] == ["three", True]  # the end of the list
        assert page.evaluate("() => document.querySelectorAll('[data-listen-article]').length") == 1


def test_next_off_stops_at_the_end(visit, service, publisher):
    url = playlist_page(
        publisher, service, "next-off", 'data-listen-playlist="one,two" data-listen-next="off"'
    )
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-speed").select_option("3")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'ended'", timeout=20_000)
        page.wait_for_timeout(500)
        assert page.evaluate(NOW)[:2] == ["one", True]


def test_next_auto_follows_the_sources_playlist(visit, service, publisher):
    """No list given: the next is the source's next newest in the language, from the real
    GET /api/playlist.json."""
    listed = json.load(urllib.request.urlopen(f"{service}/api/playlist.json?language=en"))
    assert [a["id"] for a in listed["articles"]][:3] == ["one", "two", "three"]
    url = playlist_page(publisher, service, "next-auto", 'data-listen-next="auto"')
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        assert not [u for u in page.requested if "playlist" in u]  # nothing before play
        page.locator("#p .listen-speed").select_option("3")
        page.locator("#p .listen-play").click()
        playing(page, "one")
        playing(page, "two")
        asked = [u for u in page.requested if "/api/playlist.json" in u]
        assert asked and asked[0].startswith(f"{service}/api/playlist.json?language=en&limit=")
        assert axe_violations(page) == []
