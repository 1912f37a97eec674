"""The embeddable player (listen/static/embed.js) in real headless Chromium.

The real service runs as `listen serve` (gunicorn, espeak-ng) over a folder of test articles;
the publisher's pages, which carry the same paragraphs for reading along, are served from
another origin (a stdlib server on 127.0.0.1, reached as `localhost`).
"""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import axe_violations, js, listen_serve, value, wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
HEIGHT = {"default": 96, "compact": 56}  # what publishers reserve (the iframe's height too)

HARBOUR_TITLE = "Harbour bridge reopens to traffic after two years of repairs"
HARBOUR = [
    "The Harbour Bridge reopened to cars and buses on Monday morning, two years after "
    "engineers closed it to replace corroded steel cables and resurface the deck.",
    "City officials said the repairs cost 48 million dollars, about six million more than "
    "first planned, because the damage to the southern tower was worse than expected.",
    "Commuters who had spent the closure on crowded ferries greeted the news with relief. "
    "Some drivers honked their horns as they crossed for the first time.",
    "The mayor thanked residents for their patience and promised that the bridge would not "
    "need major work again for at least forty years.",
    "Cyclists will have to wait a little longer. The new protected bike lane on the eastern "
    "side is scheduled to open next month, once the railings are installed.",
    "Traffic engineers expect congestion on the coastal road to ease within weeks, as drivers "
    "return to their old routes across the water.",
]
COUNCIL_TITLE = "City council approves a budget with more money for schools"
COUNCIL = [
    "The city council approved next year's budget on Thursday night after a debate that "
    "lasted almost six hours.",
    "Schools will receive most of the new money, which will pay for smaller classes, more "
    "teaching assistants and repairs to old buildings.",
    "Opposition members voted against the plan, saying that it relies on optimistic "
    "forecasts of tax revenue.",
]
SEQUIA_TITLE = "La sequía obliga a racionar el agua en el valle"
SEQUIA = [
    "Los vecinos del valle tendrán agua corriente solo por las mañanas a partir del lunes, "
    "después de tres meses sin lluvias.",
    "El ayuntamiento pidió a los agricultores que rieguen de noche para que se evapore "
    "menos agua y anunció ayudas para instalar riego por goteo.",
    "Los embalses de la comarca están al veinte por ciento de su capacidad, la cifra más "
    "baja desde que hay registros.",
]
COLD_TITLE = "Night trains return to the northern line"
COLD = [
    "Night trains will run again on the northern line from next week, the rail operator "
    "announced on Friday.",
    "The service was suspended three years ago when passenger numbers fell sharply.",
]


def long_article() -> list[str]:
    """About 1,300 words: at 128 kbit/s more audio than Chromium buffers ahead of the reader."""
    subjects = ["The port authority", "The regional government", "Local fishermen", "Engineers"]
    verbs = ["said on Tuesday that", "warned that", "insisted that", "agreed that"]
    objects = [
        "the new container terminal would open before the summer",
        "dredging the channel would take longer than planned",
        "night shifts at the docks would double the number of ships served",
        "the old warehouses along the river would become housing",
    ]
    paragraphs = []
    for n in range(16):
        sentences = [
            f"{subjects[(n + i) % 4]} {verbs[(n * 3 + i) % 4]} {objects[(n + 2 * i) % 4]}."
            for i in range(6)
        ]
        paragraphs.append(f"Part {n + 1}. " + " ".join(sentences))
    return paragraphs


ARTICLES: dict[str, dict[str, Any]] = {
    "harbour": {"title": HARBOUR_TITLE, "paragraphs": HARBOUR, "language": "en"},
    "council": {"title": COUNCIL_TITLE, "paragraphs": COUNCIL, "language": "en"},
    "sequia": {"title": SEQUIA_TITLE, "paragraphs": SEQUIA, "language": "es"},
    "cold": {"title": COLD_TITLE, "paragraphs": COLD, "language": "en"},
    "long": {
        "title": "The port plans for the next decade",
        "paragraphs": long_article(),
        "language": "en",
    },
}
WARM = ("harbour", "council", "sequia", "long")  # complete before the tests; "cold" is not


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("articles")
    for article_id, a in ARTICLES.items():
        body = {
            "title": a["title"],
            "text": "\n\n".join(a["paragraphs"]),
            "language": a["language"],
        }
        (folder / f"{article_id}.json").write_text(json.dumps(body), "utf-8")
    settings = {
        "LISTEN_ENGINES": "espeak",
        "LISTEN_BITRATE": "128k",
        "LISTEN_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "LISTEN_SOURCE": str(folder),
    }
    with listen_serve(settings) as base:
        for article_id in WARM:  # synthesize them now: complete files, served with Range
            audio = f"{base}/api/articles/{article_id}/audio.mp3"
            with urllib.request.urlopen(audio, timeout=60) as response:
                response.read()
            deadline = time.monotonic() + 30
            while api(base, article_id)["status"] != "ready":  # the file is renamed in place
                assert time.monotonic() < deadline, f"{article_id} never became ready"
                time.sleep(0.05)
        yield base


def api(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}/api/articles/{path}", timeout=10) as response:
        return json.load(response)


PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Publisher</title>
<style>
  body {{ margin: 0 auto; max-width: 680px; padding: 8px; font: 19px/1.6 Georgia, serif;
         color: #222; background: #fff }}
  @media (prefers-color-scheme: dark) {{ body {{ color: #ddd; background: #111 }} }}
  /* the publisher's own styles must not reach the player */
  button {{ background: lime !important; font-size: 30px }} svg {{ fill: red }}
  input {{ width: 20px }} select {{ display: none }}
</style></head><body><main>
{body}
</main>
<script src="{service}/embed.js" async></script>
</body></html>"""


def story(article_id: str, player: str = "", extra: str = "") -> str:
    """The article as the publisher shows it, the player's div after the headline."""
    a = ARTICLES[article_id]
    paragraphs = "\n".join(
        f'<p id="{article_id}-{n}">{text}</p>' for n, text in enumerate(a["paragraphs"], 1)
    )
    return (
        f'<article id="story-{article_id}"><h1 id="{article_id}-0">{a["title"]}</h1>\n'
        f"{player}\n"
        "<figure><figcaption>The harbour at dawn. / Via REUTERS</figcaption></figure>\n"
        f"{paragraphs}\n{extra}</article>"
    )


@pytest.fixture(scope="module")
def publish(service: str, publisher: tuple[Path, str]):
    root, base = publisher

    def write(name: str, body: str, lang: str = "en") -> str:
        (root / f"{name}.html").write_text(PAGE.format(lang=lang, body=body, service=service))
        return f"{base}/{name}.html"

    return write


@pytest.fixture
def visit(browser: Any, service: str, publisher: tuple[Path, str]):
    """Open a page in a fresh browser context. After the test: no exception was thrown in the
    page, and no request went anywhere but the service and the publisher."""
    opened: list[tuple[Any, list[str], list[str]]] = []

    @contextmanager
    def open_page(
        url: str,
        *,
        width: int = 760,
        height: int = 900,
        dark: bool = False,
        goto: bool = True,
        scale: float = 1,
        touch: bool = False,
    ) -> Iterator[Any]:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme="dark" if dark else "light",
            device_scale_factor=scale,
            has_touch=touch,
            is_mobile=touch,
        )
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        opened.append((context, errors, requests))
        if goto:
            page.goto(url)
        yield page

    yield open_page
    for context, errors, requests in opened:
        context.close()
        assert not errors, errors
        origins = (service + "/", publisher[1] + "/")
        foreign = [u for u in requests if not u.startswith(origins)]
        assert not foreign, f"requests to other origins: {foreign}"


def state(page: Any, host: str) -> str:
    return value(page, host, "p && p.dataset.state")


def near(page: Any, host: str, t: float, after: float = 1.5) -> None:
    """Wait until the audio is at t (within the next `after` seconds of playback)."""
    wait(page, host, f"a.currentTime > {t - 0.15} && a.currentTime < {t + after}")


def timings(service: str, article_id: str) -> list[dict[str, Any]]:
    return api(service, f"{article_id}/timings.json")["pieces"]


def shot(target: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_press_play_on_an_article_still_being_made(visit, publish, service):
    url = publish("cold", '<h1>Trains</h1><div id="p" data-listen-article="cold"></div>')
    asked: list[tuple[float, str]] = []
    with visit(url, goto=False) as page:
        page.on(
            "request",
            lambda r: r.url.startswith(service) and asked.append((time.monotonic(), r.url)),
        )
        page.goto(url)
        wait(page, "p", "p.dataset.state === 'idle'")
        assert api(service, "cold")["status"] == "pending"
        # before play it looks like any other article: no "Preparing audio…", nothing made
        assert page.locator("#p .listen-msg").inner_text() == ""
        # the listening time, estimated from the words before there is any audio
        assert page.locator("#p .listen-time").inner_text() == "Listen · 1 min"
        assert page.locator("#p .listen-title").inner_text() == COLD_TITLE
        assert value(page, "p", "a.getAttribute('src')") is None  # no audio before play
        # and no polling while nobody listens: the one metadata request, then nothing for
        # longer than the old player's first three polls (3 s, 4.5 s, 6.75 s)
        time.sleep(12)
        api_calls = [u for _, u in asked if "/api/" in u]
        assert api_calls == [f"{service}/api/articles/cold"], api_calls
        assert api(service, "cold")["status"] == "pending"  # still nothing made
        streamed = []
        page.on("response", lambda r: "audio.mp3" in r.url and streamed.append(r))
        play = page.locator("#p .listen-play")
        assert play.get_attribute("aria-label") == f"Play: {COLD_TITLE}"
        pressed = time.monotonic()
        play.click()
        wait(page, "p", "a.currentTime > 0.5", timeout=30_000)
        assert state(page, "p") == "playing"
        assert play.get_attribute("aria-label") == f"Pause: {COLD_TITLE}"
        assert streamed and streamed[0].headers.get("x-listen-stream") == "partial"
        assert re.match(r"0:0\d", page.locator("#p .listen-time").inner_text())
        session = page.evaluate(
            "() => { const m = navigator.mediaSession.metadata; return [m.title, m.artist]; }"
        )
        assert session == [COLD_TITLE, "localhost"]
        # once the stream is complete the player learns the duration and fetches the timings
        wait(page, "p", "r.querySelector('.listen-time').textContent.includes(' / ')")
        page.wait_for_function(
            "() => performance.getEntriesByType('resource').some(e =>"
            " e.name.endsWith('/cold/timings.json') && e.responseStatus === 200)"
        )
        assert not value(page, "p", "r.querySelector('.listen-msg').textContent")
        # after play the metadata was asked again while pending, with growing gaps
        polls = [
            t - pressed for t, u in asked if u == f"{service}/api/articles/cold" and t > pressed
        ]
        assert polls and polls[0] > 2.5, polls
        gaps = [b - a for a, b in itertools.pairwise(polls)]
        assert all(b >= a * 1.2 for a, b in itertools.pairwise(gaps)), gaps


def test_speed(visit, publish):
    url = publish("speed", story("harbour", '<div id="p" data-listen-article="harbour"></div>'))
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        page.locator("#p .listen-speed").select_option("1.5")
        wait(page, "p", "a.playbackRate === 1.5")
        page.locator("#p .listen-speed").select_option("0.5")
        wait(page, "p", "a.playbackRate === 0.5")
        page.locator("#p .listen-speed").select_option("3")
        wait(page, "p", "a.playbackRate === 3")
        assert page.locator("#p .listen-speed option").all_inner_texts() == [
            "0.5×",
            "0.75×",
            "1×",
            "1.25×",
            "1.5×",
            "1.75×",
            "2×",
            "2.5×",
            "3×",
        ]


def test_seeking_a_complete_article_asks_for_a_range(visit, publish, service):
    duration = api(service, "long")["duration_s"]
    url = publish("long", '<h1>Port</h1><div id="p" data-listen-article="long"></div>')
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        assert value(page, "p", "a.duration") == pytest.approx(duration, abs=0.5)
        seek = page.locator("#p .listen-seek")
        box = seek.bounding_box()
        with page.expect_response(
            lambda r: (
                r.url.endswith(".mp3") and r.request.headers.get("range", "bytes=0-") != "bytes=0-"
            )
        ) as info:
            seek.click(position={"x": box["width"] * 0.92, "y": box["height"] / 2})
        response = info.value
        assert response.status == 206
        assert response.headers["content-range"].startswith("bytes ")
        wait(page, "p", f"a.currentTime > {duration * 0.8} && !a.seeking")
        # the buffered range is drawn on the bar, past the played part
        played, buffered = value(
            page,
            "p",
            "[r.querySelector('.listen-seek').style"
            ".getPropertyValue('--p'), r.querySelector('.listen-seek')"
            ".style.getPropertyValue('--b')]",
        )
        assert float(buffered.rstrip("%")) >= float(played.rstrip("%")) > 80


def test_previous_and_next_paragraph(visit, publish, service):
    pieces = timings(service, "harbour")
    assert [p["kind"] for p in pieces] == ["title"] + ["paragraph"] * len(HARBOUR)
    url = publish("paras", story("harbour", '<div id="p" data-listen-article="harbour"></div>'))
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        nxt, prev = page.locator("#p .listen-next"), page.locator("#p .listen-prev")
        nxt.click()
        near(page, "p", pieces[1]["start"])
        nxt.click()
        near(page, "p", pieces[2]["start"])
        nxt.click()
        near(page, "p", pieces[3]["start"])
        page.locator("#p .listen-play").click()  # paused, they work the same
        wait(page, "p", "a.paused")
        page.evaluate(js("p", f"a.currentTime = {pieces[3]['start'] + 1}"))
        prev.click()  # at the start of a paragraph: the one before
        near(page, "p", pieces[2]["start"], after=0.1)
        page.evaluate(js("p", f"a.currentTime = {pieces[2]['start'] + 4}"))
        prev.click()  # well into a paragraph: back to its start
        near(page, "p", pieces[2]["start"], after=0.1)
        nxt.click()
        near(page, "p", pieces[3]["start"], after=0.1)


def test_reading_along_on_the_host_page(visit, publish, service):
    pieces = timings(service, "harbour")
    url = publish("along", story("harbour", '<div id="p" data-listen-article="harbour"></div>'))
    reading = "() => [...document.querySelectorAll('.listen-reading')].map(e => e.id)"
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-speed").select_option("2")
        page.locator("#p .listen-play").click()
        page.wait_for_function(f"() => ({reading})().join() === 'harbour-0'")  # the headline
        page.locator("#p .listen-next").click()
        page.wait_for_function(f"() => ({reading})().join() === 'harbour-1'")
        # just before the next boundary: the highlight moves when playback passes it
        boundary = pieces[2]["start"]
        page.evaluate(js("p", f"a.currentTime = {boundary - 1.2}"))
        page.wait_for_function(f"() => ({reading})().join() === 'harbour-2'", timeout=10_000)
        assert value(page, "p", "a.currentTime") >= boundary - 0.1
        # clicking a paragraph of the article plays from its start
        page.locator("#harbour-5").click()
        near(page, "p", pieces[5]["start"], after=3)
        page.wait_for_function(f"() => ({reading})().join() === 'harbour-5'")
        assert not value(page, "p", "a.paused")
        # paused, a tap on the text is reading, not a request for sound
        page.locator("#p .listen-play").click()
        wait(page, "p", "a.paused")
        at = value(page, "p", "a.currentTime")
        page.locator("#harbour-2").click()
        page.wait_for_timeout(500)
        assert value(page, "p", "a.paused") and value(page, "p", "a.currentTime") == at
        # the caption is not spoken, so never highlighted; the page got one small stylesheet
        assert (
            page.evaluate(
                "() => document.adoptedStyleSheets.length"
                " + document.querySelectorAll('style').length"
            )
            == 2
        )
        shot(page, "player-reading-along")


def test_keyboard(visit, publish):
    url = publish("keys", story("harbour", '<div id="p" data-listen-article="harbour"></div>'))
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        play = page.locator("#p .listen-play")
        play.focus()
        page.keyboard.press("Space")
        wait(page, "p", "p.dataset.state === 'playing' && a.currentTime > 0.3")
        page.keyboard.press("k")
        wait(page, "p", "p.dataset.state === 'paused' && a.paused")
        before = value(page, "p", "a.currentTime")
        page.keyboard.press("ArrowRight")
        wait(page, "p", f"Math.abs(a.currentTime - {before + 5}) < 0.05")
        page.keyboard.press("ArrowLeft")
        wait(page, "p", f"Math.abs(a.currentTime - {before}) < 0.05")
        # every control is reachable with Tab, in order, and shows where the focus is
        reached = []
        for _ in range(10):
            page.keyboard.press("Tab")
            focused = value(
                page,
                "p",
                "r.activeElement && [r.activeElement.className,"
                " getComputedStyle(r.activeElement).outlineStyle]",
            )
            if not focused:
                break
            reached.append(focused[0].split()[0])
            assert focused[1] != "none", focused
        assert reached == [
            "listen-speed",
            "listen-dl",
            "listen-prev",
            "listen-back",
            "listen-seek",
            "listen-fwd",
            "listen-next",
            "listen-mute",
            "listen-vol",
            "listen-tx",
        ]
        page.locator("#p .listen-seek").focus()
        page.keyboard.press("Space")  # Space plays from anywhere in the player
        wait(page, "p", "!a.paused")


def test_spanish_labels(visit, publish):
    url = publish("es", story("sequia", '<div id="p" data-listen-article="sequia"></div>'), "es")
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle' && p.lang === 'es'")
        labels = {
            ".listen-play": f"Reproducir: {SEQUIA_TITLE}",
            ".listen-seek": "Posición",
            ".listen-speed": "Velocidad",
            ".listen-back": "Retroceder 15 segundos",
            ".listen-fwd": "Avanzar 15 segundos",
            ".listen-prev": "Párrafo anterior",
            ".listen-next": "Párrafo siguiente",
            ".listen-dl": "Descargar",
        }
        for selector, label in labels.items():
            assert page.locator(f"#p {selector}").get_attribute("aria-label") == label
        assert (
            page.locator("#p .listen-player").get_attribute("aria-label")
            == f"Audio del artículo: {SEQUIA_TITLE}"
        )
        assert page.locator("#p .listen-title").inner_text() == SEQUIA_TITLE
        assert re.fullmatch(r"Escuchar · \d+ min", page.locator("#p .listen-sub").inner_text())
        assert "1,5×" in page.locator("#p .listen-speed option").all_inner_texts()
        assert page.get_by_role("button", name="Reproducir").count() == 1
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        assert (
            page.locator("#p .listen-play").get_attribute("aria-label") == f"Pausa: {SEQUIA_TITLE}"
        )
        assert axe_violations(page) == []
        href = page.locator("#p .listen-dl").get_attribute("href")
        assert href.endswith("/api/articles/sequia/audio.mp3?download=1")


def test_resume_where_the_reader_left_off(visit, publish, service):
    duration = api(service, "harbour")["duration_s"]
    url = publish("resume", story("harbour", '<div id="p" data-listen-article="harbour"></div>'))
    saved = "() => +localStorage.getItem('listen:pos:harbour')"
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        page.evaluate(js("p", "a.currentTime = 20"))
        page.wait_for_function(f"() => ({saved})() >= 20")
        page.reload()
        wait(page, "p", "p.dataset.state === 'idle'")
        # before play the reader is told, and may start over instead
        stored = float(page.evaluate("() => localStorage.getItem('listen:pos:harbour')"))
        shown = f"0:{int(stored):02d}"
        assert page.locator("#p .listen-time").inner_text() == f"Resume from {shown}"
        assert page.locator("#p .listen-over").inner_text() == "Start over"
        assert axe_violations(page) == []
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        at = value(page, "p", "a.currentTime")
        assert 20 <= at < 24, at
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'paused'")
        page.reload()
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-over").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        assert value(page, "p", "a.currentTime") < 5
        assert not page.locator("#p .listen-over").is_visible()
        # at the end the position is forgotten: the next visit starts at the beginning
        page.locator("#p .listen-speed").select_option("2")
        page.evaluate(js("p", f"a.currentTime = {duration - 1}"))
        wait(page, "p", "p.dataset.state === 'ended'")
        assert page.evaluate("() => localStorage.getItem('listen:pos:harbour')") is None


def test_unknown_article_says_so_without_retry(visit, publish):
    url = publish(
        "missing",
        '<h1>Oops</h1><div id="p" data-listen-article="no-such-story" style="min-height:96px">'
        '</div><p id="below">Below the player.</p>',
    )
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'missing'")
        assert page.locator("#p .listen-msg").inner_text() == "This article has no audio."
        # a 404 never mends: no Retry, no play button
        assert not page.locator("#p .listen-retry").is_visible()
        assert not page.locator("#p .listen-play").is_visible()
        assert page.locator("#p").bounding_box()["height"] == HEIGHT["default"]
        assert axe_violations(page) == []
        shot(page.locator("#p"), "player-missing")


def test_unknown_article_hidden_gives_its_room_back(visit, publish, service):
    url = publish(
        "missing-hide",
        '<h1>Oops</h1><div id="p" data-listen-article="no-such-story" data-listen-missing="hide"'
        ' style="min-height:96px"></div>'
        '<div id="q" data-listen-article="harbour" data-listen-missing="hide"></div>'
        '<p id="below">Below the player.</p>',
    )
    with visit(url) as page:
        page.wait_for_function("() => document.getElementById('p').hidden")
        assert page.locator("#p").bounding_box() is None  # not displayed at all
        wait(page, "q", "p.dataset.state === 'idle'")  # an article that exists stays
        top = page.evaluate("() => document.getElementById('below').getBoundingClientRect().top")
        h1 = page.evaluate("() => document.querySelector('h1').getBoundingClientRect().bottom")
        assert top - h1 < HEIGHT["default"] + 60, (top, h1)  # only q's room, not p's too
        assert axe_violations(page) == []


def test_a_failing_service_offers_retry(visit, publish, service):
    """A 503 (engines down, a restart) may mend: the reader gets Retry, and it works."""
    url = publish("flaky", story("council", '<div id="p" data-listen-article="council"></div>'))
    failing = {"on": True}

    def answer(route: Any) -> None:
        if failing["on"]:
            body = json.dumps({"error": "engines_unavailable", "message": "every engine failed"})
            route.fulfill(status=503, body=body, content_type="application/json")
        else:
            route.continue_()

    with visit(url, goto=False) as page:
        page.route(f"{service}/api/articles/council", answer)
        page.goto(url)
        wait(page, "p", "p.dataset.state === 'error'")
        assert (
            page.locator("#p .listen-msg").inner_text() == "The audio is not available right now."
        )
        retry = page.locator("#p .listen-retry")
        assert retry.is_visible() and retry.inner_text() == "Retry"
        assert page.locator("#p").bounding_box()["height"] == HEIGHT["default"]
        assert axe_violations(page) == []
        shot(page.locator("#p"), "player-error")
        failing["on"] = False
        retry.click()
        wait(page, "p", "p.dataset.state === 'idle'")
        assert page.locator("#p .listen-title").inner_text() == COUNCIL_TITLE


def test_what_the_script_costs_on_the_wire(visit, publish, service):
    """Compressed by the app (brotli for Chromium), and on the next page view nothing asked."""
    url = publish("wire", story("council", '<div id="p" data-listen-article="council"></div>'))
    codings: dict[str, str | None] = {}
    scripts = (
        "() => performance.getEntriesByType('resource').filter(e => /embed[.].*js$/.test(e.name))"
        ".map(e => [e.name.replace(/^.*[/]/, ''), e.transferSize, e.encodedBodySize,"
        " e.decodedBodySize])"
    )
    with visit(url, goto=False) as page:
        page.on("response", lambda r: codings.update({r.url: r.headers.get("content-encoding")}))
        page.goto(url)
        wait(page, "p", "p.dataset.state === 'idle'")
        first = {name: sizes for name, *sizes in page.evaluate(scripts)}
        entry = first.pop("embed.js")
        ((name, (transfer, encoded, decoded)),) = first.items()
        assert re.fullmatch(r"embed\.[0-9a-f]{12}\.js", name)
        assert codings[f"{service}/{name}"] == "br"
        print(f"wire: embed.js {entry[1]} B, {name} {encoded} B brotli ({decoded} B minified)")
        assert encoded < 10_000 and entry[1] < 400, (entry, encoded)
        assert decoded > 2 * encoded
        more = scripts.replace("embed[.]", "embed-more[.]")
        assert page.evaluate(more) == []  # nothing more before play
        page.locator("#p .listen-play").click()
        page.wait_for_function(f"() => ({more})().length === 1")
        ((more_name, _, more_encoded, more_decoded),) = page.evaluate(more)
        assert re.fullmatch(r"embed-more\.[0-9a-f]{12}\.js", more_name)
        assert codings[f"{service}/{more_name}"] == "br"
        print(f"wire: {more_name} {more_encoded} B brotli ({more_decoded} B minified), on play")
        assert more_encoded < 6_500, more_encoded
        page.goto(url)  # the next article page: both from the browser's cache, nothing sent
        wait(page, "p", "p.dataset.state === 'idle'")
        again = {name: sizes for name, *sizes in page.evaluate(scripts)}
        assert again["embed.js"][0] == 0 and again[name][0] == 0, again


README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def readme_snippets(service: str, article_id: str) -> tuple[str, str]:
    """The README's script snippet and its iframe, pointed at this service and article."""
    section = README[README.index("## Embedding the player") :]
    script = section.split("```html\n", 1)[1].split("```", 1)[0]
    iframe = re.search(r"`(<iframe [^`]*</iframe>)`", section).group(1)
    return tuple(
        s.replace("https://listen.example.com", service).replace(
            "harbour-bridge-reopens", article_id
        )
        for s in (script, iframe)
    )


def test_the_readmes_snippets(visit, publish, service):
    """The snippets publishers copy: no shift while loading, no axe violation, at 320 px too."""
    script, iframe = readme_snippets(service, "harbour")
    assert 'style="min-height:96px"' in script and "title=" in iframe
    body = f"<h1>Snippets</h1>{script}<p id='mid'>Between.</p>{iframe}<p id='below'>End.</p>"
    url = publish("snippets", body.replace("<div ", '<div id="p" ', 1))
    top = "() => document.getElementById('mid').getBoundingClientRect().top"
    for width in (760, 320):
        with visit(url, width=width, goto=False) as page:
            page.goto(url, wait_until="commit")
            page.wait_for_selector("#mid")
            before = page.evaluate(top)
            wait(page, "p", "p.dataset.state === 'idle'")
            assert page.evaluate(top) == before  # the reserved room is the player's height
            page.frame_locator("iframe").locator(".listen-player[data-state=idle]").wait_for()
            assert axe_violations(page) == []
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_volume_and_mute(visit, publish):
    url = publish("volume", story("harbour", '<div id="p" data-listen-article="harbour"></div>'))
    with visit(url) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        mute = page.locator("#p .listen-mute")
        assert mute.get_attribute("aria-label") == "Mute"
        assert mute.get_attribute("aria-pressed") == "false"
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        mute.click()
        wait(page, "p", "a.muted && !a.paused")
        assert mute.get_attribute("aria-pressed") == "true"
        mute.click()
        wait(page, "p", "!a.muted")
        volume = page.locator("#p .listen-vol")
        assert volume.get_attribute("aria-label") == "Volume"
        volume.focus()
        for _ in range(6):
            page.keyboard.press("ArrowLeft")  # 0.05 a step, as the slider says
        wait(page, "p", "Math.abs(a.volume - 0.7) < 0.01")
        page.reload()  # remembered, like the speed
        wait(page, "p", "p.dataset.state === 'idle' && Math.abs(a.volume - 0.7) < 0.01")
        assert axe_violations(page) == []


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed colours ("rgb(r, g, b)")."""

    def luminance(colour: str) -> float:
        channels = [int(x) / 255 for x in re.findall(r"\d+", colour)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    x, y = sorted((luminance(a) + 0.05, luminance(b) + 0.05))
    return y / x


COLOURS = (
    "(() => { const cs = e => getComputedStyle(e), box = r.querySelector('.listen-box');"
    " const probe = document.createElement('i');"
    " probe.style.color = cs(box).getPropertyValue('--trk');"
    " r.appendChild(probe); const trk = cs(probe).color; probe.remove();"
    " return [cs(box).backgroundColor, cs(r.querySelector('.listen-play')).backgroundColor,"
    " trk, cs(r.querySelector('.listen-play')).color]; })()"
)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_accent_colours_keep_3_to_1(visit, publish, dark):
    body = story(
        "harbour",
        '<div id="d" data-listen-article="harbour"></div>'
        '<div id="y" data-listen-article="harbour" data-listen-accent="#ffcc00"></div>'
        '<div id="n" data-listen-article="harbour" data-listen-accent="#222"></div>',
    )
    with visit(publish("accents", body), dark=dark) as page:
        for host in ("d", "y", "n"):
            wait(page, host, "p.dataset.state === 'idle'")
            bg, accent, track, ink = value(page, host, COLOURS)
            assert contrast(accent, bg) >= 3, (host, accent, bg)  # the button, the progress
            assert contrast(track, bg) >= 3, (host, track, bg)  # the unplayed track
            assert contrast(ink, accent) >= 4.5, (host, ink, accent)  # the play icon on it
        # an accent that already stands out is kept as the publisher gave it
        yellow = value(page, "y", COLOURS)[1]
        assert (yellow == "rgb(255, 204, 0)") == dark, yellow
        assert axe_violations(page) == []
        shot(page, "player-accents-dark" if dark else "player-accents-light")


HIGHLIGHT = (
    "() => { const e = document.querySelector('.listen-reading'), cs = getComputedStyle(e);"
    " return [cs.color, cs.backgroundColor, cs.boxShadow.match(/rgba?[(][^)]*[)]/g),"
    " getComputedStyle(document.body).backgroundColor]; }"
)


@pytest.mark.parametrize("dark", [False, True], ids=["light-page", "dark-page"])
@pytest.mark.parametrize("accent", ["", "#ffcc00"], ids=["default", "yellow"])
def test_the_reading_highlight_keeps_its_contrast(visit, publish, dark, accent):
    attribute = f' data-listen-accent="{accent}"' if accent else ""
    body = story("harbour", f'<div id="p" data-listen-article="harbour"{attribute}></div>')
    with visit(publish(f"marked{accent[1:]}", body), dark=dark) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        page.wait_for_function("() => document.querySelector('.listen-reading')")
        page.wait_for_function(  # its colours fade in (0.3 s): measured once they are in
            "() => !document.querySelector('.listen-reading').getAnimations().length"
        )
        text, tint, shadows, page_bg = page.evaluate(HIGHLIGHT)
        assert (page_bg == "rgb(17, 17, 17)") == dark, page_bg
        assert tint != page_bg  # there is a tint
        assert contrast(text, tint) >= 4.5, (text, tint)  # the text on it stays readable
        bar = shadows[1]
        assert contrast(bar, page_bg) >= 3, (bar, page_bg)  # the highlight stands out
        assert axe_violations(page) == []
        shot(page, f"player-highlight-{'dark' if dark else 'light'}{accent[1:]}")


def reading_in_view(n: int) -> str:
    """True once paragraph n of the long story is the one being read and its top is in view."""
    return (
        f"() => {{ const e = document.getElementById('long-{n}'); if (!e) return false;"
        " const r = e.getBoundingClientRect();"
        " return e.classList.contains('listen-reading') && r.top >= 0 && r.top < innerHeight; }"
    )


# Each scroll position the page passes through, and whether its last scroll has ended.
STEPS = (
    "window.steps = []; addEventListener('scroll', () => steps.push(scrollY), { passive: true });"
    " addEventListener('scrollend', () => { window.ended = true; }, { passive: true });"
)


@pytest.mark.parametrize("still", [False, True], ids=["smooth", "reduced-motion"])
def test_the_page_follows_the_reader(visit, publish, service, still):
    pieces = timings(service, "long")
    url = publish("follow", story("long", '<div id="p" data-listen-article="long"></div>'))
    with visit(url, goto=False, height=500) as page:
        if still:
            page.emulate_media(reduced_motion="reduce")
        page.add_init_script(STEPS)
        page.goto(url)
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        for n in (4, 9):
            page.evaluate("() => { window.steps = []; window.ended = false; }")
            page.evaluate(js("p", f"a.currentTime = {pieces[n]['start'] + 0.1}"))
            page.wait_for_function(reading_in_view(n), timeout=10_000)
            page.wait_for_function("() => window.ended")
            steps = page.evaluate("() => new Set(window.steps).size")
            assert (steps == 1) == still, steps  # one jump with reduced motion, else a glide
        if not still:
            return
        # the reader scrolls away themself: the page stays where they put it
        before = page.evaluate("() => scrollY")
        page.mouse.move(300, 300)
        page.mouse.wheel(0, -600)
        page.wait_for_function(f"() => scrollY < {before - 300}")
        page.wait_for_timeout(300)
        where = page.evaluate("() => scrollY")
        page.evaluate(js("p", f"a.currentTime = {pieces[12]['start'] + 0.1}"))
        page.wait_for_function(
            "() => document.getElementById('long-12').classList.contains('listen-reading')"
        )
        page.wait_for_timeout(1000)
        assert page.evaluate("() => scrollY") == where


def test_a_seek_made_before_the_reading_script_arrives_is_followed(visit, publish, service):
    pieces = timings(service, "long")
    url = publish("follow-late", story("long", '<div id="p" data-listen-article="long"></div>'))
    held: list[Any] = []
    with visit(url, height=500, goto=False) as page:
        page.route("**/embed-more.*.js", lambda r: held.append(r))  # answered once sought
        page.goto(url)
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        while not held:
            page.wait_for_timeout(50)
        assert page.evaluate("() => scrollY") == 0  # pressing play moved nothing
        page.evaluate(js("p", f"a.currentTime = {pieces[6]['start'] + 0.1}"))
        held[0].continue_()
        page.wait_for_function(reading_in_view(6), timeout=10_000)


# Blocks the page's main thread for 2 s as each paragraph becomes the one being read, as a busy
# publisher page might: the smooth scroll that follows it reports its scroll events late.
BUSY = """() => new MutationObserver((changes) => {
    if (!changes.some((c) => c.target.id.startsWith('long-')
        && c.target.classList.contains('listen-reading'))) return;
    const t = Date.now(); while (Date.now() - t < 2000);
}).observe(document.body, { subtree: true, attributeFilter: ['class'] })"""


def test_the_page_follows_the_reader_on_a_busy_page(visit, publish, service):
    pieces = timings(service, "long")
    url = publish("follow-busy", story("long", '<div id="p" data-listen-article="long"></div>'))
    with visit(url, height=500) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        page.evaluate(BUSY)
        for n in (4, 9):  # the first follow's late scroll events are the player's, not the reader's
            page.evaluate(js("p", f"a.currentTime = {pieces[n]['start'] + 0.1}"))
            page.wait_for_function(reading_in_view(n), timeout=10_000)


def test_touch_targets_are_44_px(visit, publish):
    body = story(
        "sequia",
        '<div id="p" data-listen-article="sequia"></div>'
        '<div id="c" data-listen-article="sequia" data-listen-layout="compact"></div>',
    )
    with visit(publish("touch", body, "es"), width=320, height=640, touch=True) as page:
        assert page.evaluate("() => matchMedia('(pointer: coarse)').matches")
        for host in ("p", "c"):
            wait(page, host, "p.dataset.state === 'idle'")
            small = value(
                page,
                host,
                "[...r.querySelectorAll('button, select, a, input')]"
                ".filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect())"
                ".filter(b => b.width < 44 || b.height < 44).length",
            )
            assert small == 0, host
            overflow = value(
                page,
                host,
                "[...r.querySelectorAll('.listen-box *')].filter(e => e.getClientRects().length)"
                ".filter(e => e.getBoundingClientRect().right > innerWidth).length",
            )
            assert overflow == 0, host
        assert page.locator("#p").bounding_box()["height"] == HEIGHT["default"]
        assert page.locator("#c").bounding_box()["height"] == HEIGHT["compact"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        assert axe_violations(page) == []
        shot(page, "player-touch")


def test_each_player_says_which_article_it_is(visit, publish):
    body = story(
        "harbour",
        '<div id="p" data-listen-article="harbour" data-listen-title="hide"></div>'
        '<div id="c" data-listen-article="council" data-listen-layout="compact"></div>'
        '<div id="s" data-listen-article="sequia"></div>',
    )
    with visit(publish("identity", body)) as page:
        for host in ("p", "c", "s"):
            wait(page, host, "p.dataset.state === 'idle'")
        # hidden on request (the page shows the headline): the generic label, the time
        assert page.locator("#p .listen-title").inner_text() == "Listen to this article"
        assert re.fullmatch(r"\d+ min listen", page.locator("#p .listen-sub").inner_text())
        assert page.locator("#s .listen-title").inner_text() == SEQUIA_TITLE
        # every group and play button is told apart by its article, compact too
        for title in (HARBOUR_TITLE, COUNCIL_TITLE, SEQUIA_TITLE):
            assert page.get_by_role("button", name=f"{title}").count() == 1, title
        assert page.get_by_role("group", name=f"Article audio: {COUNCIL_TITLE}").count() == 1
        assert page.get_by_role("group", name=f"Audio del artículo: {SEQUIA_TITLE}").count() == 1
        assert axe_violations(page) == []


def test_two_players_on_one_page_are_independent(visit, publish):
    marked = "\n".join(f'<p data-listen-paragraph="council">{t}</p>' for t in COUNCIL)
    body = story(
        "harbour",
        '<div id="a" data-listen-article="harbour"></div>',
        '<aside><div id="b" data-listen-article="council"'
        ' data-listen-highlight="#council-text"></div>'
        f'<section id="council-text"><h2>{COUNCIL_TITLE}</h2>{marked}</section></aside>',
    )
    with visit(publish("two", body)) as page:
        wait(page, "a", "p.dataset.state === 'idle'")
        wait(page, "b", "p.dataset.state === 'idle'")
        page.locator("#a .listen-play").click()
        wait(page, "a", "p.dataset.state === 'playing'")
        page.wait_for_function("() => document.querySelector('#story-harbour > .listen-reading')")
        assert state(page, "b") == "idle"
        assert value(page, "b", "a.getAttribute('src')") is None  # b downloaded nothing
        page.locator("#b .listen-speed").select_option("1.25")
        assert value(page, "a", "a.playbackRate") == 1
        page.locator("#b .listen-play").click()  # one voice at a time
        wait(page, "b", "p.dataset.state === 'playing'")
        wait(page, "a", "p.dataset.state === 'paused'")
        assert value(page, "b", "a.playbackRate") == 1.25
        # b reads along in its own container, paragraphs marked by the publisher, in order
        page.wait_for_function(
            "() => !document.querySelector('#council-text .listen-reading')"
        )  # the title is not marked
        page.locator("#b .listen-next").click()
        page.wait_for_function(
            "() => document.querySelector('#council-text [data-listen-paragraph]')"
            ".classList.contains('listen-reading')"
        )
        assert page.locator("#story-harbour > .listen-reading").count() == 0  # a is paused
        assert page.evaluate("() => document.adoptedStyleSheets.length") == 1  # added once
        shot(page, "player-two")


def test_320_pixels_wide(visit, publish):
    body = story(
        "sequia",
        '<div id="p" data-listen-article="sequia"></div>'
        '<div id="c" data-listen-article="sequia" data-listen-layout="compact"></div>',
    )
    with visit(publish("narrow", body, "es"), width=320, height=640, scale=2) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        wait(page, "c", "p.dataset.state === 'idle'")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        for host in ("p", "c"):
            overflow = value(
                page,
                host,
                "[...r.querySelectorAll('.listen-box, .listen-box *')]"
                ".filter(e => e.getClientRects().length).map(e => {"
                " const b = e.getBoundingClientRect();"
                " return b.right > innerWidth || b.left < 0 || (e.scrollWidth >"
                " e.clientWidth + 1 && e.className !== 'listen-title') ? e.className : null;"
                " }).filter(Boolean)",
            )
            assert overflow == [], overflow
        assert page.locator("#p").bounding_box()["height"] == HEIGHT["default"]
        assert page.locator("#c").bounding_box()["height"] == HEIGHT["compact"]
        # nothing cut at 320 px but a long headline, whose whole text is in the names
        assert page.locator("#p .listen-sub").inner_text().startswith("Escuchar · ")
        assert axe_violations(page) == []
        shot(page, "player-320")


def test_no_layout_shift(visit, publish, service):
    body = (
        '<h1>Shift</h1><div id="p" data-listen-article="harbour"></div>'
        '<div id="c" data-listen-article="council" data-listen-layout="compact"></div>'
        '<div id="e" data-listen-article="no-such-story"></div>'
        '<p id="below">Below the players.</p>'
    )
    url = publish("shift", body)
    below = "() => document.getElementById('below').getBoundingClientRect().top"
    held: list[Any] = []
    gate = {"hold": True}

    def api_answers(route: Any) -> None:
        if gate["hold"]:
            held.append(route)
        else:
            route.continue_()

    with visit(url, goto=False) as page:
        page.route(f"{service}/api/**", api_answers)
        page.goto(url)
        # the script ran, the API has not answered: the players already take their room
        wait(page, "p", "p.dataset.state === 'loading'")
        wait(page, "c", "p.dataset.state === 'loading'")
        wait(page, "e", "p.dataset.state === 'loading'")
        skeleton = page.evaluate(below)
        assert page.locator("#p").bounding_box()["height"] == HEIGHT["default"]
        assert page.locator("#c").bounding_box()["height"] == HEIGHT["compact"]
        gate["hold"] = False
        for route in held:
            route.continue_()
        # loaded, then playing, then an error: nothing below moves
        wait(page, "p", "p.dataset.state === 'idle'")
        wait(page, "c", "p.dataset.state === 'idle'")
        assert page.evaluate(below) == skeleton
        page.locator("#p .listen-play").click()
        page.locator("#c .listen-play").click()
        wait(page, "c", "p.dataset.state === 'playing'")
        assert page.evaluate(below) == skeleton
        wait(page, "e", "p.dataset.state === 'missing'")
        assert page.evaluate(below) == skeleton


def test_sticky_mini_player(visit, publish):
    filler = "".join(f"<p>Filler paragraph {n} of the page.</p>" for n in range(60))
    body = story(
        "harbour",
        '<div id="p" data-listen-article="harbour" data-listen-layout="sticky"'
        ' data-listen-accent="#c2185b"></div>',
        filler + '<p id="below">End.</p>',
    )
    mini = "document.querySelector('[data-listen-mini]')"
    with visit(publish("sticky", body), height=700) as page:
        wait(page, "p", "p.dataset.state === 'idle'")
        layout = page.evaluate(
            "() => [document.getElementById('below').offsetTop,"
            " document.documentElement.scrollHeight]"
        )
        page.locator("#p .listen-play").click()
        wait(page, "p", "p.dataset.state === 'playing'")
        assert page.evaluate(f"() => !{mini} || {mini}.hidden")  # in view: no mini-player
        page.evaluate("() => window.scrollTo(0, 1500)")
        page.wait_for_function(f"() => {mini} && !{mini}.hidden")
        bar = page.locator("[data-listen-mini] .listen-box")
        box = bar.bounding_box()
        assert box["y"] + box["height"] <= 700 and box["y"] > 500  # at the bottom of the viewport
        assert (
            page.evaluate(
                "() => [document.getElementById('below').offsetTop,"
                " document.documentElement.scrollHeight]"
            )
            == layout
        )
        assert page.locator("[data-listen-mini] .listen-title").inner_text() == HARBOUR_TITLE
        assert axe_violations(page) == []
        shot(page, "player-sticky")
        page.locator("[data-listen-mini] .listen-play").click()  # it drives the same audio
        wait(page, "p", "a.paused && p.dataset.state === 'paused'")
        page.locator("[data-listen-mini] .listen-close").click()
        page.wait_for_function(f"() => {mini}.hidden")
        page.evaluate("() => window.scrollTo(0, 0)")
        assert page.evaluate(f"() => {mini}.hidden")


def test_screenshots_light_and_dark(visit, publish):
    body = story(
        "harbour",
        '<div id="p" data-listen-article="harbour"></div>'
        '<div id="c" data-listen-article="harbour" data-listen-layout="compact"></div>'
        '<div id="x" data-listen-article="harbour" data-listen-accent="#ffd23f"'
        ' data-listen-theme="dark"></div>',
    )
    url = publish("shots", body)
    for dark in (False, True):
        with visit(url, dark=dark, scale=2) as page:
            for host in ("p", "c", "x"):
                wait(page, host, "p.dataset.state === 'idle'")
            page.locator("#p .listen-play").click()
            wait(page, "p", "p.dataset.state === 'playing'")
            page.locator("#p .listen-play").click()
            wait(page, "p", "p.dataset.state === 'paused'")
            bg = value(
                page, "p", "getComputedStyle(r.querySelector('.listen-box')).backgroundColor"
            )
            assert (bg == "rgb(27, 30, 35)") == dark, bg
            # the theme attribute overrides the reader's preference
            dark_x = value(
                page, "x", "getComputedStyle(r.querySelector('.listen-box')).backgroundColor"
            )
            assert dark_x == "rgb(27, 30, 35)"
            accent = value(
                page, "x", "getComputedStyle(r.querySelector('.listen-play')).backgroundColor"
            )
            assert accent == "rgb(255, 210, 63)"
            assert axe_violations(page) == []
            shot(page, "player-dark" if dark else "player-light")


def test_iframe_on_the_publisher_page(visit, publish, service):
    url = publish(
        "iframe",
        f'<h1>Framed</h1><iframe id="f" src="{service}/embed/sequia?accent=%23c2185b"'
        ' title="Audio" style="border:0;width:100%;height:96px"></iframe><p id="below">After.</p>',
    )
    with visit(url, width=360) as page:
        frame = page.frame_locator("#f")
        player = frame.locator(".listen-player")
        play = frame.locator(".listen-play")
        play.wait_for()
        frame.locator(".listen-player[data-state=idle]").wait_for()
        assert player.get_attribute("lang") == "es"
        assert play.get_attribute("aria-label") == f"Reproducir: {SEQUIA_TITLE}"
        embedded = page.frame(url=re.compile(r"/embed/sequia"))
        assert axe_violations(embedded) == []
        inner = page.frame(url=re.compile(r"/embed/sequia")).evaluate(
            "() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth,"
            " innerWidth, getComputedStyle(document.querySelector('[data-listen-article]')"
            ".shadowRoot.querySelector('.listen-play')).backgroundColor]"
        )
        assert inner[0] <= 96 and inner[1] <= inner[2], inner  # fits the iframe, no scrollbars
        assert inner[3] == "rgb(194, 24, 91)"
        play.click()
        frame.locator(".listen-player[data-state=playing]").wait_for()
