"""The editor's console in real headless Chromium, against a real `listen serve` (gunicorn,
two worker processes: the signed session is read by whichever answers)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import axe_violations, listen_serve, write_article

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
TOKEN = "browser-console-token-0123456789"
ARTICLE = "budget-vote"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    articles = tmp_path_factory.mktemp("articles")
    write_article(
        articles,
        ARTICLE,
        title="Budget vote",
        text="The council approved 48 million dollars.\n\nResidents welcomed the news.",
        language="en",
    )
    write_article(articles, "night-trains", title="Night trains return", text="From Monday.")
    return articles


@pytest.fixture(scope="module")
def service(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = {
        "LISTEN_ENGINES": "fake",
        "LISTEN_SOURCE": str(folder),
        "LISTEN_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "LISTEN_ADMIN_TOKEN": TOKEN,
    }
    with listen_serve(settings, workers=2) as base:
        with urllib.request.urlopen(f"{base}/api/articles/{ARTICLE}/audio.mp3", timeout=60) as r:
            r.read()  # built before the console looks at it
        for kind, value in (("play", 1), ("play", 1), ("quartile", 100), ("listened", 120)):
            body = json.dumps({"article": ARTICLE, "kind": kind, "value": value}).encode()
            request = urllib.request.Request(f"{base}/api/events", data=body, method="POST")
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.status == 204
        yield base


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # axe-core is injected as a script: the console's policy allows none, so this context
    # bypasses it (test_the_policy_lets_the_styles_through checks the page under it).
    context = browser.new_context(bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def no_violations(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def sign_in_by_keyboard(page: Any, base: str) -> None:
    page.goto(f"{base}/admin")
    assert page.url == f"{base}/admin/login"
    assert page.title() == "Sign in · listen console"
    no_violations(page, "login")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "token"
    page.keyboard.type(TOKEN)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/admin"


def built_at(page: Any) -> str:
    return str(page.locator("dl.facts dt:text-is('Built') + dd").inner_text())


def test_sign_in_see_the_articles_and_sign_out(page, service):
    sign_in_by_keyboard(page, service)
    assert page.title() == "Articles · listen console"
    row = page.locator("tbody tr", has=page.locator(f"a[href='/admin/articles/{ARTICLE}']"))
    cells = row.locator("td").all_inner_texts()
    assert cells[1:3] == ["ready", "fake (fake:en-tones)"]
    assert cells[4:] == ["2", "50%"]
    no_violations(page, "articles")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{service}/admin/login")
    page.goto(f"{service}/admin")
    assert page.url == f"{service}/admin/login"  # the session is gone


def test_a_form_without_the_csrf_token_is_refused(page, service):
    sign_in_by_keyboard(page, service)
    page.goto(f"{service}/admin/articles/{ARTICLE}")
    before = built_at(page)
    regenerate = f"form[action='/admin/articles/{ARTICLE}/regenerate']"
    page.eval_on_selector(f"{regenerate} input[name=csrf]", "input => input.remove()")
    page.get_by_role("button", name="Regenerate").click()
    page.wait_for_load_state()
    assert page.title() == "Bad request (400) · listen console"
    assert "CSRF" in page.locator("p.problem").inner_text()
    no_violations(page, "csrf-400")

    page.goto(f"{service}/admin/articles/{ARTICLE}")
    purge = f"form[action='/admin/articles/{ARTICLE}/purge']"
    page.eval_on_selector(f"{purge} input[name=csrf]", "input => input.value = 'forged'")
    page.get_by_role("button", name="Purge audio").click()
    page.wait_for_load_state()
    assert page.title() == "Refused (403) · listen console"
    page.goto(f"{service}/admin/articles/{ARTICLE}")
    assert built_at(page) == before  # neither form did anything


def test_regenerate_an_edited_article_and_see_it_rebuilt(page, service, folder):
    sign_in_by_keyboard(page, service)
    page.goto(f"{service}/admin/articles/{ARTICLE}")
    assert page.title() == "Budget vote · listen console"
    highlighted = page.locator("tbody tr.changed td:nth-child(3)").all_inner_texts()
    assert highlighted == ["The council approved 48 million dollars."]
    no_violations(page, "article")
    before = built_at(page)
    write_article(
        folder,
        ARTICLE,
        title="Budget vote, revised",
        text="The council approved 52 million dollars.\n\nResidents welcomed the news.",
        language="en",
    )
    time.sleep(1.1)  # the built time is shown to the second
    page.get_by_role("button", name="Regenerate").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("[role=status]").inner_text().startswith("Regenerating")
    deadline = time.monotonic() + 60
    while True:
        state = page.locator("dl.facts dt:text-is('Status') + dd").inner_text()
        if state == "ready" and built_at(page) != before:
            break
        assert time.monotonic() < deadline, (state, built_at(page))
        time.sleep(0.3)
        page.reload()
    assert page.locator("h1").inner_text() == "Budget vote, revised"
    changed = page.locator("tbody tr.changed td:nth-child(3)").all_inner_texts()
    assert changed == ["The council approved 52 million dollars."]
    assert "fifty-two million" in page.locator("tbody tr.changed td:nth-child(4)").inner_text()
    with urllib.request.urlopen(f"{service}/api/articles/{ARTICLE}", timeout=10) as r:
        status = json.load(r)
    assert status["status"] == "ready" and status["title"] == "Budget vote, revised"


def test_the_chart_renders_the_days_counts(page, service):
    sign_in_by_keyboard(page, service)
    page.get_by_role("link", name="Listening").click()
    page.wait_for_url(f"{service}/admin/chart")
    assert page.title() == "Listening per day · listen console"
    today = datetime.now(UTC).date().isoformat()
    plays = page.locator("svg#plays-chart")
    assert plays.get_attribute("role") == "img"
    bar = plays.locator(f"rect[data-day='{today}']")
    assert bar.get_attribute("data-value") == "2"
    box = bar.bounding_box()
    assert box is not None and box["height"] > 50  # drawn: the day is the scale's top
    minutes = page.locator(f"svg#minutes-chart rect[data-day='{today}']")
    assert minutes.get_attribute("data-value") == "2.0"
    first = page.locator("#days-table tbody tr").first
    assert first.locator("th, td").all_inner_texts() == [today, "2", "2.0"]
    no_violations(page, "chart")
    page.get_by_role("link", name="Queue").click()
    page.wait_for_url(f"{service}/admin/queue")
    assert "Redis is not in use" in page.locator("main").inner_text()
    no_violations(page, "queue")


def test_the_policy_lets_the_styles_through(browser, service):
    context = browser.new_context()  # the console's CSP in force
    try:
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
        page.goto(f"{service}/admin/login")
        background = page.evaluate(
            "getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        assert background == "rgb(27, 42, 58)"  # the nonce'd stylesheet applied
        assert refused == []
    finally:
        context.close()
