"""Listening analytics: POST /api/events validated, rate-limited, counted per article per
day in SQLite, shown by ``listen stats`` and /metrics; nothing about the client kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from listen import create_app
from listen.analytics import events
from listen.analytics.counts import FILENAME, Counts
from listen.analytics.limiter import Limiter
from listen.cli import main
from listen.errors import BadInput, InvalidArticleId

ARTICLE = "city-council-budget"
OTHER = "sequia-en-el-valle"
VISITOR = "203.0.113.77"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) ListenTestBrowser/9.9"


def send(client: Any, body: Any, **headers: str) -> Any:
    """One event as ``navigator.sendBeacon(url, JSON.stringify(event))`` sends it."""
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(
        "/api/events", data=data, content_type="text/plain;charset=UTF-8", headers=headers
    )


def counted(config: dict[str, Any]) -> list[Any]:
    return Counts(config["CACHE_DIR"]).per_article()


def metric(client: Any, name: str, **labels: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name and labels.items() <= s.labels.items()
    )


def test_a_listen_is_counted_and_reported(client, config, runner):
    plays_before = metric(client, "listen_plays_total")
    seconds_before = metric(client, "listen_listened_seconds_total")
    for body in (
        {"article": ARTICLE, "kind": "play", "value": 1},
        *({"article": ARTICLE, "kind": "quartile", "value": q} for q in (25, 50, 75, 100)),
        {"article": ARTICLE, "kind": "listened", "value": 42.5},
        {"article": ARTICLE, "kind": "listened", "value": 47.5},
        {"article": ARTICLE, "kind": "play", "value": 1},  # a second listener, who stops early
        {"article": ARTICLE, "kind": "quartile", "value": 25},
        {"article": ARTICLE, "kind": "listened", "value": 30},
        {"article": OTHER, "kind": "play", "value": 1},
    ):
        response = send(client, body)
        assert response.status_code == 204, response.data
    assert metric(client, "listen_plays_total") - plays_before == 3
    assert metric(client, "listen_listened_seconds_total") - seconds_before == 120
    assert metric(client, "listen_quartiles_total", quartile="100") >= 1

    result = runner.invoke(main, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    first, second = report["articles"]
    assert first == {
        "article": ARTICLE,
        "plays": 2,
        "completed": 1,
        "seconds": 120.0,
        "completion": 0.5,
        "minutes": 2.0,
    }
    assert (second["article"], second["plays"], second["completion"]) == (OTHER, 1, 0.0)
    assert sum(d["plays"] for d in report["days"]) == 3  # one day, or two across midnight
    assert sum(d["seconds"] for d in report["days"]) == 120

    text = runner.invoke(main, ["stats"])
    assert text.exit_code == 0, text.output
    row = next(line for line in text.output.splitlines() if line.startswith(ARTICLE))
    assert row.split() == [ARTICLE, "2", "50%", "2.0"]


def test_stats_per_day_and_since(config, runner):
    counts = Counts(config["CACHE_DIR"])
    play = events.Event(ARTICLE, "play", 1)
    counts.add(play, day="2026-01-30")
    counts.add(play, day="2026-02-01")
    counts.add(events.Event(ARTICLE, "listened", 90), day="2026-02-01")
    days = runner.invoke(main, ["stats", "--json", "--since", "2026-02-01"])
    assert days.exit_code == 0, days.output
    report = json.loads(days.output)
    assert [d["day"] for d in report["days"]] == ["2026-02-01"]
    assert report["articles"][0]["plays"] == 1 and report["articles"][0]["minutes"] == 1.5
    every = json.loads(runner.invoke(main, ["stats", "--json"]).output)
    assert [d["day"] for d in every["days"]] == ["2026-01-30", "2026-02-01"]


def test_stats_refuses_a_bad_date_in_one_line(runner):
    result = runner.invoke(main, ["stats", "--since", "last week"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Error: --since 'last week': give a day as YYYY-MM-DD"
    ]


def test_stats_without_any_listening(runner):
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0 and "No listening counted yet." in result.output


BAD = [
    ({"article": ARTICLE, "kind": "play"}, "exactly"),
    ({"article": ARTICLE, "kind": "play", "value": 1, "user": "x"}, "exactly"),
    ({"article": ARTICLE, "kind": "pause", "value": 1}, '"kind" is one of'),
    ({"article": ARTICLE, "kind": "play", "value": 2}, "a play's value is 1"),
    ({"article": ARTICLE, "kind": "play", "value": True}, "is a number"),
    ({"article": ARTICLE, "kind": "quartile", "value": 33}, "25, 50, 75 or 100"),
    ({"article": ARTICLE, "kind": "listened", "value": 0}, "more than 0"),
    ({"article": ARTICLE, "kind": "listened", "value": -5}, "more than 0"),
    ({"article": ARTICLE, "kind": "listened", "value": 86400}, "at most 3600"),
    ({"article": ARTICLE, "kind": "listened", "value": "60"}, "is a number"),
    ({"article": ARTICLE, "kind": "listened", "value": 10**400}, "sensible size"),
    ({"article": 7, "kind": "play", "value": 1}, "article ID"),
    ({"article": "../etc/passwd", "kind": "play", "value": 1}, "invalid article id"),
    ({"article": "no-such-article", "kind": "play", "value": 1}, "no article"),
    ([ARTICLE, "play", 1], "JSON object"),
    (b'{"article": "city-council-budget", "kind": "listened", "value": NaN}', "UTF-8 JSON"),
    (b"\xff\xfe", "UTF-8 JSON"),
    (b"", "UTF-8 JSON"),
]


@pytest.mark.parametrize(("body", "why"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_an_invalid_event_is_a_400_and_not_stored(client, config, body, why):
    response = send(client, body)
    assert response.status_code == 400, response.data
    assert response.is_json and why in response.get_json()["message"]
    assert counted(config) == []


def test_a_large_body_is_a_413(client, config):
    body = {"article": ARTICLE, "kind": "play", "value": 1, "pad": "x" * 2000}
    assert send(client, body).status_code == 413
    assert counted(config) == []


def test_one_client_is_rate_limited(config):
    client = create_app({**config, "ANALYTICS_EVENTS_PER_MINUTE": 3}).test_client()
    play = {"article": ARTICLE, "kind": "play", "value": 1}
    statuses = [send(client, play, **{"X-Forwarded-For": VISITOR}).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    refused = send(client, play, **{"X-Forwarded-For": VISITOR})
    assert refused.get_json()["error"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # another listener behind the same proxy is not
    assert send(client, play, **{"X-Forwarded-For": "198.51.100.2"}).status_code == 204
    assert counted(config)[0].plays == 4


def test_the_limit_is_per_minute():
    now = [1000.0]
    limiter = Limiter(2, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")
    now[0] += 60
    assert limiter.allow("a")


def test_nothing_about_the_client_is_stored(client, config):
    for kind, value in (("play", 1), ("quartile", 25), ("listened", 12)):
        body = {"article": ARTICLE, "kind": kind, "value": value}
        headers = {"X-Forwarded-For": VISITOR, "User-Agent": AGENT, "Cookie": "id=abc123"}
        assert send(client, body, **headers).status_code == 204
        assert "Set-Cookie" not in send(client, body).headers
    stored = b"".join(p.read_bytes() for p in Path(config["CACHE_DIR"]).rglob("*") if p.is_file())
    assert FILENAME in {p.name for p in Path(config["CACHE_DIR"]).iterdir()}
    for secret in (VISITOR, AGENT, "ListenTestBrowser", "abc123", "127.0.0.1"):
        assert secret.encode() not in stored


@pytest.mark.parametrize("header", [{"DNT": "1"}, {"Sec-GPC": "1"}])
def test_do_not_track_and_gpc_are_honoured(client, config, header):
    assert (
        send(client, {"article": ARTICLE, "kind": "play", "value": 1}, **header).status_code == 204
    )
    assert counted(config) == []


def test_analytics_off_is_a_404_and_stores_nothing(config):
    client = create_app({**config, "ANALYTICS": False}).test_client()
    response = send(client, {"article": ARTICLE, "kind": "play", "value": 1})
    assert response.status_code == 404 and response.get_json()["error"] == "analytics_off"
    assert not (Path(config["CACHE_DIR"]) / FILENAME).exists()
    # the player is told: no address to send to, so no request leaves it
    assert client.get(f"/api/articles/{ARTICLE}").get_json()["events_url"] is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
EVENTISH = st.fixed_dictionaries(
    {
        "article": st.sampled_from([ARTICLE, "nope", "", "a" * 200, "ü"]) | st.text(max_size=20),
        "kind": st.sampled_from(["play", "quartile", "listened", "PLAY", ""]),
        "value": st.sampled_from([0, 1, 25, 100, 3600, 3601, -1, 1e308, float("nan")])
        | st.floats()
        | st.integers()
        | JSON,
    }
)


@pytest.fixture
def fuzz_app(config: dict[str, Any]) -> Any:
    """An app whose rate limit the fuzzer's hundreds of events from one address stay under."""
    return create_app({**config, "ANALYTICS_EVENTS_PER_MINUTE": 1_000_000})


def refusal(data: bytes) -> str | None:
    """Why validation refuses ``data`` (None if it passes)."""
    try:
        events.parse(data)
    except (BadInput, InvalidArticleId) as exc:
        return exc.message
    return None


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=EVENTISH | JSON | st.binary(max_size=1200))
def test_fuzzed_events_get_a_clear_answer(fuzz_app, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = send(fuzz_app.test_client(), data)
    assert response.status_code in (204, 400, 413), response.data
    why = refusal(data)
    if response.status_code == 204:
        assert why is None  # only what passes validation is counted
        return
    error = response.get_json()
    assert set(error) == {"error", "message"} and "Traceback" not in error["message"]
    if response.status_code == 413:
        assert len(data) > events.MAX_BODY
    elif why is None:  # a valid event for an article the source does not have
        assert error["message"].startswith("no article")
    else:
        assert error["message"] == why
