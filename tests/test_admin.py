"""The editor's console at /admin through Flask's client: signing in, sessions, CSRF, pages.

Its browser side (keyboard, axe-core, a real `listen serve`) is tests/test_admin_browser.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner
from lxml import html as lxml_html

from listen import create_app
from listen.analytics.counts import Totals
from listen.analytics.limiter import Limiter
from listen.web import admin_auth, chart

from conftest import closed_port_url, redis_server, write_article

TOKEN = "console-token-0123456789"
ARTICLE = "budget-vote"
CHANGED = "The council approved 48 million dollars on 3 March 2024."
PLAIN = "Residents welcomed the news."


@pytest.fixture
def config(config, articles):
    write_article(articles, ARTICLE, title="Budget vote", text=f"{CHANGED}\n\n{PLAIN}")
    return {**config, "ADMIN_TOKEN": TOKEN}


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: Any, token: str = TOKEN) -> Any:
    form = client.get("/admin/login")
    assert form.status_code == 200
    return client.post("/admin/login", data={"csrf": csrf_of(form.text), "token": token})


@pytest.fixture
def editor(client):
    """A client signed in to the console."""
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/admin"
    return client


def page_of(response: Any) -> Any:
    assert response.content_type.startswith("text/html"), response.data[:200]
    return lxml_html.fromstring(response.text)


def session_cookie(client: Any) -> Any:
    return client.get_cookie(admin_auth.SESSION_COOKIE, path="/admin")


# ---------------------------------------------------------------- off without a token


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/admin"),
        ("get", "/admin/login"),
        ("post", "/admin/login"),
        ("get", "/admin/chart"),
        ("get", "/admin/queue"),
        ("get", f"/admin/articles/{ARTICLE}"),
        ("post", f"/admin/articles/{ARTICLE}/purge"),
    ],
)
def test_without_a_token_the_console_is_not_there(config, method, path):
    client = create_app({**config, "ADMIN_TOKEN": ""}).test_client()
    response = getattr(client, method)(path)
    unknown = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.get_json() == unknown.get_json()  # just like an unknown address
    assert not response.headers.getlist("Set-Cookie")


# ---------------------------------------------------------------- signing in


def test_pages_send_a_stranger_to_the_form(client):
    for path in ("/admin", "/admin/chart", "/admin/queue", f"/admin/articles/{ARTICLE}"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/admin/login"
    form = page_of(client.get("/admin/login"))
    assert form.xpath("//label[@for='token']/text()") == ["Admin token"]
    assert form.xpath("//input[@id='token']/@type") == ["password"]


def test_signing_in_sets_a_strict_http_only_session_cookie(client):
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/admin"
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("listen_admin=")
    )
    flags = [part.strip() for part in cookie.split(";")]
    assert {"HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age=28800"} <= set(flags)
    assert "Secure" not in flags  # plain http here
    assert TOKEN not in cookie and TOKEN not in response.headers["Location"]
    page = client.get("/admin")
    assert page.status_code == 200
    assert page_of(page).xpath("//h1/text()") == ["Articles"]


def test_over_https_the_cookie_is_secure(app):
    client = app.test_client()
    form = client.get("/admin/login", base_url="https://localhost")
    assert "Secure" in form.headers["Set-Cookie"]
    response = client.post(
        "/admin/login",
        data={"csrf": csrf_of(form.text), "token": TOKEN},
        base_url="https://localhost",
    )
    assert response.status_code == 303
    assert "; Secure" in response.headers["Set-Cookie"]


def test_a_wrong_token_is_refused_and_signs_nobody_in(client):
    response = sign_in(client, "console-token-012345678X")
    assert response.status_code == 403
    page = page_of(response)
    assert page.xpath("//*[@role='alert']/text()") == ["That is not the admin token."]
    assert page.xpath("//input[@id='token']/@aria-invalid") == ["true"]
    assert session_cookie(client) is None
    assert client.get("/admin").status_code == 303
    assert sign_in(client, "").status_code == 403
    assert sign_in(client, TOKEN + "x").status_code == 403


def test_signing_out_ends_the_session(editor):
    page = editor.get("/admin")
    out = editor.post("/admin/logout", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["Location"] == "/admin/login"
    assert session_cookie(editor) is None
    assert editor.get("/admin").status_code == 303


def test_an_expired_session_is_no_session(client, monkeypatch):
    now = time.time()
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(now - admin_auth.SESSION_S + 60)
    )
    assert sign_in(client).status_code == 303  # signed in 7 h 59 min ago
    monkeypatch.undo()
    assert client.get("/admin").status_code == 200
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(now - admin_auth.SESSION_S - 60)
    )
    assert sign_in(client).status_code == 303  # signed in 8 h 1 min ago
    monkeypatch.undo()
    response = client.get("/admin")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"


def test_an_altered_cookie_is_no_session(editor):
    value = session_cookie(editor).value
    payload, stamp, signature = value.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    for altered in (
        f"{payload}.{stamp}.{flipped}",
        f"{payload[:-1]}x.{stamp}.{signature}",
        f"{payload}.{stamp}",
        "",
    ):
        editor.set_cookie(admin_auth.SESSION_COOKIE, altered, path="/admin")
        assert editor.get("/admin").status_code == 303, altered
    editor.set_cookie(admin_auth.SESSION_COOKIE, value, path="/admin")
    assert editor.get("/admin").status_code == 200


def test_a_new_token_ends_every_session(config, editor):
    value = session_cookie(editor).value
    rotated = create_app({**config, "ADMIN_TOKEN": "another-token-9876543210"}).test_client()
    rotated.set_cookie(admin_auth.SESSION_COOKIE, value, path="/admin")
    assert rotated.get("/admin").status_code == 303
    same = create_app(config).test_client()  # another process with the same token
    same.set_cookie(admin_auth.SESSION_COOKIE, value, path="/admin")
    assert same.get("/admin").status_code == 200


def test_the_login_form_needs_its_own_csrf_token(app):
    stranger = app.test_client()
    response = stranger.post("/admin/login", data={"csrf": "x" * 43, "token": TOKEN})
    assert response.status_code == 400  # no form was served to this browser
    assert session_cookie(stranger) is None
    form = stranger.get("/admin/login")
    wrong = stranger.post("/admin/login", data={"csrf": "y" * 43, "token": TOKEN})
    assert wrong.status_code == 403
    assert "CSRF" in page_of(wrong).xpath("string(//p[@class='problem'])")
    assert session_cookie(stranger) is None
    missing = stranger.post("/admin/login", data={"token": TOKEN})
    assert missing.status_code == 400
    assert (
        stranger.post("/admin/login", data={"csrf": csrf_of(form.text), "token": TOKEN}).status_code
        == 303
    )


def test_failed_sign_ins_are_limited(client):
    for _ in range(admin_auth.FAILED_PER_CLIENT):
        assert sign_in(client, "guess").status_code == 403
    blocked = sign_in(client)  # even the right token, this minute
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert page_of(blocked).xpath("//title/text()") == ["Too many attempts (429) · listen console"]
    assert session_cookie(client) is None


def test_failed_sign_ins_are_limited_per_client_and_overall():
    logins = admin_auth.LoginLimiter()
    for _ in range(admin_auth.FAILED_PER_CLIENT):
        logins.check("10.0.0.1")
        logins.failed("10.0.0.1")
    with pytest.raises(Exception, match="too many failed sign-ins"):
        logins.check("10.0.0.1")
    logins.check("10.0.0.2")  # another client may still try
    for n in range(admin_auth.FAILED_OVERALL):
        logins.failed(f"10.1.{n // 250}.{n % 250}")
    with pytest.raises(Exception, match="too many failed sign-ins"):
        logins.check("10.0.0.3")


def test_limiter_exhausted_counts_nothing():
    clock = [0.0]
    limiter = Limiter(2, clock=lambda: clock[0])
    assert not limiter.exhausted("a")
    assert limiter.allow("a") and not limiter.exhausted("a")
    assert limiter.allow("a") and limiter.exhausted("a")
    assert limiter.exhausted("a")  # asking did not count
    clock[0] = 61.0
    assert not limiter.exhausted("a")


FIELD = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(token=FIELD, csrf=FIELD | st.none(), extra=st.dictionaries(FIELD, FIELD, max_size=3))
def test_any_sign_in_form_is_a_page_and_no_session(app, token, csrf, extra):
    app.extensions["listen.logins"] = admin_auth.LoginLimiter()
    client = app.test_client()
    client.get("/admin/login")  # a form was served: its cookie is there
    data = {**extra, "token": token}
    if csrf is not None:
        data["csrf"] = csrf
    response = client.post("/admin/login", data=data)
    assert response.status_code in (400, 403), response.status_code
    assert response.content_type.startswith("text/html")
    assert "Traceback" not in response.text
    assert session_cookie(client) is None
    if csrf is None and "csrf" not in extra:
        assert response.status_code == 400


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=600))
def test_any_forged_cookie_is_sent_to_the_form(app, value):
    client = app.test_client()
    client.set_cookie(admin_auth.SESSION_COOKIE, value, path="/admin")
    assert client.get("/admin").status_code == 303


# ---------------------------------------------------------------- CSRF on the actions


def built(editor: Any, article_id: str = ARTICLE) -> dict[str, Any]:
    assert editor.get(f"/api/articles/{article_id}/audio.mp3").status_code == 200
    status = editor.get(f"/api/articles/{article_id}").get_json()
    assert status["status"] == "ready"
    return status


@pytest.mark.parametrize(
    "form, status", [({}, 400), ({"csrf": ""}, 400), ({"csrf": "not-the-token"}, 403)]
)
@pytest.mark.parametrize("action", ["regenerate", "purge"])
def test_an_action_without_the_sessions_csrf_token_does_nothing(editor, form, status, action):
    before = built(editor)
    response = editor.post(f"/admin/articles/{ARTICLE}/{action}", data=form)
    assert response.status_code == status
    page = page_of(response)
    assert page.xpath("//html/@lang") == ["en"]
    assert "CSRF" in page.xpath("string(//p[@class='problem'])")
    assert "Traceback" not in response.text
    assert editor.get(f"/api/articles/{ARTICLE}").get_json() == before  # untouched


def test_another_sessions_csrf_token_is_refused(app, editor):
    other = app.test_client()
    assert sign_in(other).status_code == 303
    foreign = csrf_of(other.get("/admin").text)
    before = built(editor)
    response = editor.post(f"/admin/articles/{ARTICLE}/purge", data={"csrf": foreign})
    assert response.status_code == 403
    assert editor.get(f"/api/articles/{ARTICLE}").get_json() == before


def test_signing_out_needs_the_csrf_token_too(editor):
    assert editor.post("/admin/logout", data={}).status_code == 400
    assert editor.get("/admin").status_code == 200  # still signed in


# ---------------------------------------------------------------- the pages


def test_pages_carry_a_strict_policy_and_no_script(editor):
    for path in ("/admin", f"/admin/articles/{ARTICLE}", "/admin/chart", "/admin/queue"):
        response = editor.get(path)
        assert response.status_code == 200, path
        policy = response.headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'none'; style-src 'nonce-")
        assert "frame-ancestors 'none'" in policy and "script-src" not in policy
        assert response.headers["Cache-Control"] == "no-store"
        page = page_of(response)
        assert not page.xpath("//script") and not page.xpath("//*[@style]")
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        assert page.xpath("//style/@nonce") == [nonce]
        assert page.xpath("//html/@lang") == ["en"]
        assert page.xpath("//title/text()")[0].endswith("· listen console")


def test_the_list_shows_status_voice_duration_plays_and_completion(editor):
    built(editor)
    for kind, value in (("play", 1), ("play", 1), ("quartile", 100), ("listened", 90)):
        event = {"article": ARTICLE, "kind": kind, "value": value}
        assert editor.post("/api/events", json=event).status_code == 204
    page = page_of(editor.get("/admin"))
    row = page.xpath(f"//tr[td/a[@href='/admin/articles/{ARTICLE}']]")[0]
    cells = [c.text_content().strip() for c in row.xpath("td")]
    assert cells[0] == f"Budget vote ({ARTICLE}, en)"
    assert cells[1] == "ready"
    assert cells[2] == "fake (fake:en-tones)"
    assert re.fullmatch(r"0:[0-9]{2}", cells[3]) and cells[3] != "0:00"
    assert cells[4:] == ["2", "50%"]
    idle = page.xpath("//tr[td/a[@href='/admin/articles/harbour-bridge-reopens']]/td[2]")[0]
    assert idle.text_content().strip() == "not built yet"


def test_a_fallback_voice_is_shown_as_such(config):
    app = create_app({**config, "ENGINES": "gtts,fake", "GTTS_URL": closed_port_url()})
    client = app.test_client()
    assert sign_in(client).status_code == 303
    built(client)  # Google is unreachable: the fake engine speaks instead
    page = page_of(client.get("/admin"))
    voice = page.xpath(f"//tr[td/a[@href='/admin/articles/{ARTICLE}']]/td[3]")[0]
    assert voice.text_content().strip() == "fake (fake:en-tones) fallback (preferred: gtts)"
    assert voice.xpath(".//*[@class='fallback']")
    article = page_of(client.get(f"/admin/articles/{ARTICLE}"))
    assert "fallback (preferred: gtts)" in article.xpath("string(//dl)")


def test_the_preferred_voice_is_not_a_fallback(editor):
    built(editor)
    page = page_of(editor.get(f"/admin/articles/{ARTICLE}"))
    assert not page.xpath("//*[@class='fallback']")


def test_the_list_is_paginated(editor, articles):
    for n in range(30):
        write_article(articles, f"extra-{n:02d}", title=f"Extra {n}", text="A short one.")
    first = page_of(editor.get("/admin"))
    second = page_of(editor.get("/admin?page=2"))
    listed = first.xpath("//tbody/tr/td[1]/a/@href") + second.xpath("//tbody/tr/td[1]/a/@href")
    assert len(first.xpath("//tbody/tr")) == 25
    assert len(set(listed)) == len(listed) == 37  # the 6 samples, ours and 30 more
    assert first.xpath("//a[text()='Next page']/@href") == ["/admin?page=2"]
    assert second.xpath("//a[text()='Previous page']/@href") == ["/admin?page=1"]
    assert not second.xpath("//a[text()='Next page']")
    for bad in ("0", "abc", "²", "99999999", "-1"):
        response = editor.get(f"/admin?page={bad}")
        assert response.status_code == 400, bad
        assert "page" in page_of(response).xpath("string(//p[@class='problem'])")


def test_the_transcript_highlights_the_rows_spoken_differently(editor):
    page = page_of(editor.get(f"/admin/articles/{ARTICLE}"))
    rows = page.xpath("//table[caption]/tbody/tr")
    cells = [[c.text_content().strip() for c in r.xpath("td")] for r in rows]
    assert [c[2] for c in cells] == ["Budget vote", CHANGED, PLAIN]
    changed = [r.get("class") == "changed" for r in rows]
    assert changed == [False, True, False]
    spoken = cells[1][3]
    assert "forty-eight million" in spoken and "2024" not in spoken
    assert cells[2][3] == PLAIN
    assert "1 of 3 rows" in page.xpath("string(//main)")


def test_regenerate_reads_the_article_again_and_builds_it_anew(app, editor, articles):
    before = built(editor)
    write_article(articles, ARTICLE, title="Budget vote, revised", text=f"{PLAIN} Again.")
    form = editor.get(f"/admin/articles/{ARTICLE}")
    response = editor.post(
        f"/admin/articles/{ARTICLE}/regenerate", data={"csrf": csrf_of(form.text)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/articles/{ARTICLE}?done=regenerated"
    assert app.extensions["listen"].wait_idle(60)
    after = editor.get(f"/api/articles/{ARTICLE}").get_json()
    assert after["status"] == "ready" and after["title"] == "Budget vote, revised"
    assert after["audio_url"] != before["audio_url"]
    page = page_of(editor.get(response.headers["Location"]))
    assert page.xpath("//*[@role='status']/text()")[0].startswith("Regenerating")
    assert page.xpath("//h1/text()") == ["Budget vote, revised"]
    listen = app.extensions["listen"]
    assert [e.meta["title"] for e in listen.entries() if e.meta["id"] == ARTICLE] == [
        "Budget vote, revised"
    ]  # the old version was dropped


def test_regenerate_builds_the_same_text_again(app, editor):
    built(editor)
    listen = app.extensions["listen"]
    (entry,) = [e for e in listen.entries() if e.meta["id"] == ARTICLE]
    form = editor.get(f"/admin/articles/{ARTICLE}")
    editor.post(f"/admin/articles/{ARTICLE}/regenerate", data={"csrf": csrf_of(form.text)})
    assert listen.wait_idle(60)
    (again,) = [e for e in listen.entries() if e.meta["id"] == ARTICLE]
    assert again.key == entry.key and again.meta["created"] > entry.meta["created"]


def test_purge_drops_the_audio(editor):
    built(editor)
    form = editor.get(f"/admin/articles/{ARTICLE}")
    response = editor.post(f"/admin/articles/{ARTICLE}/purge", data={"csrf": csrf_of(form.text)})
    assert response.status_code == 303
    assert editor.get(f"/api/articles/{ARTICLE}").get_json()["status"] == "pending"
    page = page_of(editor.get(response.headers["Location"]))
    assert page.xpath("string(//dl/dd[2])") == "not built yet"


def test_an_unknown_article_is_a_404_page(editor):
    response = editor.get("/admin/articles/no-such-article")
    assert response.status_code == 404
    assert page_of(response).xpath("//h1/text()") == ["Not found"]
    bad = editor.get("/admin/articles/..%2Fetc")
    assert bad.status_code in (400, 404) and bad.content_type.startswith("text/html")
    assert "/work" not in bad.text and "/tmp" not in bad.text


def test_the_chart_draws_the_days_counts(editor):
    for _ in range(3):
        play = {"article": ARTICLE, "kind": "play", "value": 1}
        assert editor.post("/api/events", json=play).status_code == 204
    listened = {"article": ARTICLE, "kind": "listened", "value": 150}
    assert editor.post("/api/events", json=listened).status_code == 204
    today = datetime.now(UTC).date().isoformat()
    page = page_of(editor.get("/admin/chart"))
    plays = page.xpath("//svg[@id='plays-chart']")[0]
    assert plays.get("role") == "img"
    assert plays.xpath("./title/text()")[0].startswith("Plays per day")
    assert "3 plays in 30 days" in plays.xpath("string(./desc)")
    bars = plays.xpath("./rect")
    assert len(bars) == 30
    assert bars[-1].get("data-day") == today and bars[-1].get("data-value") == "3"
    assert all(b.get("data-value") == "0" for b in bars[:-1])
    assert float(bars[-1].get("height")) > 0 and float(bars[0].get("height")) == 0
    minutes = page.xpath("//svg[@id='minutes-chart']/rect")[-1]
    assert minutes.get("data-value") == "2.5"
    first_row = page.xpath("//table[@id='days-table']/tbody/tr[1]")[0]
    assert [c.text_content() for c in first_row] == [today, "3", "2.5"]
    assert len(page_of(editor.get("/admin/chart?days=7")).xpath("//svg[1]/rect")) == 7
    assert editor.get("/admin/chart?days=5").status_code == 400


@pytest.mark.parametrize(
    "value, top", [(0, 1.0), (1, 1.0), (3, 5.0), (7, 10.0), (10, 10.0), (11, 20.0), (260, 500.0)]
)
def test_nice_top(value, top):
    assert chart.nice_top(value) == top


def test_daily_fills_the_days_nothing_was_counted():
    last = date(2026, 3, 10)
    counted = [Totals("2026-03-08", 4, 1, 120.0), Totals("2026-03-01", 9, 9, 9.0)]
    days = chart.daily(counted, last, 3)
    assert [(d.day, d.plays, d.minutes) for d in days] == [
        (date(2026, 3, 8), 4, 2.0),
        (date(2026, 3, 9), 0, 0.0),
        (date(2026, 3, 10), 0, 0.0),
    ]
    laid = chart.bars(days, [d.plays for d in days])
    assert laid.top == 5.0
    assert [b.height for b in laid.bars][1:] == [0, 0]
    assert laid.bars[0].height == pytest.approx((chart.HEIGHT - chart.BOTTOM - chart.TOP) * 0.8)
    assert [t.label for t in laid.ticks] == ["0", "2.5", "5"]
    assert laid.bars[0].x < laid.bars[1].x < laid.bars[2].x


def test_without_redis_the_queue_page_says_so(editor):
    page = page_of(editor.get("/admin/queue"))
    assert "Redis is not in use" in page.xpath("string(//main)")


@pytest.mark.redis
@pytest.mark.slow
def test_the_queue_page_shows_jobs_and_failures(config, tmp_path):
    (tmp_path / "redis").mkdir()
    with redis_server(tmp_path / "redis") as (url, _proc):
        settings_ = {**config, "REDIS_URL": url}
        app = create_app(settings_)
        client = app.test_client()
        assert sign_in(client).status_code == 303
        listen = app.extensions["listen"]
        listen.start(listen.article(ARTICLE))  # no worker yet: it waits
        listen.queue.enqueue("deleted-meanwhile", "0" * 64)
        page = page_of(client.get("/admin/queue"))
        waiting = page.xpath("//table[caption='Waiting']/tbody/tr/td[1]/a/text()")
        assert waiting == [ARTICLE, "deleted-meanwhile"]
        assert "2 jobs waiting or running" in page.xpath("string(//main)")
        listed = page_of(client.get("/admin"))
        state = listed.xpath(f"//tr[td/a[@href='/admin/articles/{ARTICLE}']]/td[2]")[0]
        assert state.text_content().strip() == "building"

        env = {**os.environ, **{f"LISTEN_{k}": str(v) for k, v in settings_.items()}}
        env.pop("LISTEN_TESTING")
        worker = Path(sys.executable).with_name("listen")
        subprocess.run([str(worker), "worker", "--burst"], env=env, check=True, timeout=120)

        page = page_of(client.get("/admin/queue"))
        assert page.xpath("//table[caption='Waiting']/tbody/tr/td/text()") == ["None."]
        failed = page.xpath("//table[caption='Recent failures, newest first']/tbody/tr")
        assert len(failed) == 1
        cells = [c.text_content().strip() for c in failed[0].xpath("td")]
        assert cells[0] == "deleted-meanwhile"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", cells[1])
        assert "deleted-meanwhile" in cells[2] and "no article" in cells[2].lower()
        listed = page_of(client.get("/admin"))
        state = listed.xpath(f"//tr[td/a[@href='/admin/articles/{ARTICLE}']]/td[2]")[0]
        assert state.text_content().strip() == "ready"


def test_redis_down_is_a_page(config):
    app = create_app({**config, "REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_TIMEOUT": 0.2})
    client = app.test_client()
    assert sign_in(client).status_code == 303
    page = page_of(client.get("/admin/queue"))
    assert "Redis does not answer" in page.xpath("string(//p[@class='problem'])")
    listed = client.get("/admin")
    assert listed.status_code == 503
    assert "Redis" in page_of(listed).xpath("string(//p[@class='problem'])")
