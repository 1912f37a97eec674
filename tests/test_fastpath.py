"""The audio fast path (/audio/<key>.mp3): Range, If-Range and the ETag conditions of RFC 9110."""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from listen import create_app
from listen.sources import SAMPLES
from listen.web.fastpath import byte_range

from conftest import closed_port_url, listen_serve, write_article

ARTICLE = "short-note"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One article built once: its settings, its audio's address and bytes."""
    root = tmp_path_factory.mktemp("fastpath")
    articles = root / "articles"
    shutil.copytree(SAMPLES, articles, ignore=shutil.ignore_patterns("*.md"))
    write_article(
        articles,
        ARTICLE,
        title="A short note",
        language="en",
        text="One paragraph is enough to test the headers.",
    )
    config = {
        "TESTING": True,
        "CACHE_DIR": str(root / "cache"),
        "SOURCE": str(articles),
        "ENGINES": "fake",
        "GTTS_URL": closed_port_url(),
    }
    client = create_app(config).test_client()
    client.get(f"/api/articles/{ARTICLE}/audio.mp3", buffered=True)  # built, then cached
    meta = client.get(f"/api/articles/{ARTICLE}").get_json()
    assert meta["status"] == "ready", meta
    url = meta["audio_url"].replace("http://localhost", "")
    audio = client.get(url, buffered=True).data
    assert audio[:3] == b"ID3" and len(audio) > 1000
    yield {"config": config, "url": url, "audio": audio, "etag": f'"{Path(url).stem}"'}


@pytest.fixture
def client(built: dict[str, Any]) -> FlaskClient:
    return create_app(built["config"]).test_client()


def _cases(n: int) -> list[tuple[str, int, tuple[int, int] | None]]:
    """Range header -> status and the byte span (first, last) of a file of ``n`` bytes."""
    return [
        ("bytes=0-5", 206, (0, 5)),
        ("bytes=10-19", 206, (10, 19)),
        ("bytes=0-", 206, (0, n - 1)),
        ("bytes=100-", 206, (100, n - 1)),
        ("bytes=-100", 206, (n - 100, n - 1)),
        (f"bytes=-{n + 500}", 206, (0, n - 1)),  # a suffix longer than the file: all of it
        (f"bytes=5-{n + 500}", 206, (5, n - 1)),  # a last byte past the end is the end
        (f"bytes={n - 1}-{n - 1}", 206, (n - 1, n - 1)),
        ("BYTES=0-5", 206, (0, 5)),  # units are case-insensitive
        ("bytes=0-5,", 206, (0, 5)),  # empty list items are allowed
        ("bytes=" + "0" * 150 + "7-9", 206, (7, 9)),  # leading zeros, not a huge number
        # unsatisfiable: a JSON 416 with "bytes */<size>"
        ("bytes=-0", 416, None),
        (f"bytes={n}-", 416, None),
        ("bytes=99999999-", 416, None),
        ("bytes=" + "9" * 150 + "-", 416, None),  # past any file
        # not valid: ignored, the whole file
        ("bytes=5-2", 200, None),
        ("bytes=", 200, None),
        ("bytes=-", 200, None),
        ("bytes=abc", 200, None),
        ("bytes=1-2-3", 200, None),
        ("bytes=\u0661-\u0662", 200, None),  # Arabic-Indic digits are not digits here
        ("items=0-5", 200, None),
        ("0-5", 200, None),
        # several ranges: ignored too (RFC 9110 14.2 lets a server send the whole file)
        ("bytes=0-1,5-6", 200, None),
        ("bytes=0-1, 5-6, 99999999-", 200, None),
        ("bytes=" + "0-1," * 1000, 200, None),
    ]


def _check(status: int, headers: dict[str, str], body: bytes, case: tuple, audio: bytes) -> None:
    header, expected, span = case
    n = len(audio)
    assert status == expected, (header, status, body[:200])
    assert headers["access-control-allow-origin"] == "*"
    if expected == 206:
        first, last = span
        assert body == audio[first : last + 1], header
        assert headers["content-range"] == f"bytes {first}-{last}/{n}"
        assert int(headers["content-length"]) == last - first + 1
        assert headers["content-type"] == "audio/mpeg" and "immutable" in headers["cache-control"]
    elif expected == 416:
        assert headers["content-range"] == f"bytes */{n}"
        assert headers["content-type"] == "application/json"
        error = json.loads(body)
        assert error["error"] == "range_not_satisfiable" and str(n) in error["message"]
        assert "/" not in error["message"].replace(f"{n}", "")  # no server path
    else:
        assert body == audio and "content-range" not in headers
        assert int(headers["content-length"]) == n


@pytest.mark.parametrize("index", range(len(_cases(1000))))
def test_range_headers(client, built, index):
    case = _cases(len(built["audio"]))[index]
    response = client.get(built["url"], headers={"Range": case[0]})
    headers = {k.lower(): v for k, v in response.headers.items()}
    _check(response.status_code, headers, response.data, case, built["audio"])


def _raw(port: int, path: str, headers: dict[str, str], method: str = "GET") -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def test_range_headers_through_gunicorn(built):
    """The same table against a real `listen serve`: gunicorn, its sendfile, its framing."""
    config = built["config"]
    settings = {f"LISTEN_{k}": str(v) for k, v in config.items() if k != "TESTING"}
    audio = built["audio"]
    with listen_serve(settings) as base:
        port = int(base.rsplit(":", 1)[1])
        for case in [c for c in _cases(len(audio)) if c[0].isascii()]:  # HTTP sends bytes
            _check(*_raw(port, built["url"], {"Range": case[0]}), case, audio)
        status, headers, body = _raw(port, built["url"], {"If-None-Match": "*"})
        assert status == 304 and body == b"" and headers["etag"] == built["etag"]
        weak = {"Range": "bytes=0-5", "If-Range": "W/" + built["etag"]}
        assert _raw(port, built["url"], weak)[0] == 200
        strong = {"Range": "bytes=0-5", "If-Range": built["etag"]}
        assert _raw(port, built["url"], strong)[2] == audio[:6]
        status, headers, body = _raw(port, built["url"], {"Range": "bytes=10-"}, "HEAD")
        assert status == 200 and body == b"" and int(headers["content-length"]) == len(audio)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": "{etag}"}, 304),
        ({"If-None-Match": "W/{etag}"}, 304),  # If-None-Match compares weakly
        ({"If-None-Match": '"other", {etag}'}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-None-Match": '"{key}x"'}, 200),
        ({"If-None-Match": "*", "Range": "bytes=0-5"}, 304),  # conditions come before Range
        ({"If-Match": "*"}, 200),
        ({"If-Match": "{etag}"}, 200),
        ({"If-Match": '"other"'}, 412),
        ({"If-Match": "W/{etag}"}, 412),  # If-Match compares strongly
        ({"Range": "bytes=0-5", "If-Range": "{etag}"}, 206),
        ({"Range": "bytes=0-5", "If-Range": "W/{etag}"}, 200),  # a weak tag never matches
        ({"Range": "bytes=0-5", "If-Range": '"other"'}, 200),
        ({"Range": "bytes=0-5", "If-Range": "Wed, 21 Oct 2015 07:28:00 GMT"}, 200),
        ({"If-Range": "{etag}"}, 200),  # If-Range without Range is ignored
    ],
)
def test_conditional_requests(client, built, headers, status):
    etag = built["etag"]
    sent = {k: v.format(etag=etag, key=etag.strip('"')) for k, v in headers.items()}
    response = client.get(built["url"], headers=sent)
    assert response.status_code == status, sent
    if status == 304:
        assert response.data == b"" and response.headers["ETag"] == etag
    elif status == 412:
        assert response.get_json()["error"] == "precondition_failed"
    elif status == 206:
        assert response.data == built["audio"][:6]
    else:
        assert response.data == built["audio"]


def test_head_ignores_range_and_sends_no_body(client, built):
    response = client.head(built["url"], headers={"Range": "bytes=0-5"})
    assert response.status_code == 200 and response.data == b""
    assert int(response.headers["Content-Length"]) == len(built["audio"])


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 1, range(0, 1)),
        ("bytes=-1", 1, range(0, 1)),
        ("bytes=0-", 0, range(0)),  # nothing in an empty file satisfies a range
        ("bytes=-5", 0, range(0)),
        ("bytes=" + ",".join(["0-1"] * 500), 10, None),  # too long to read: ignored
    ],
)
def test_byte_range_edges(header, size, expected):
    assert byte_range(header, size) == expected
