"""Cached audio sent by the front proxy: X-Accel-Redirect (nginx) and X-Sendfile (Apache)."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest

from listen import create_app
from listen.cli import main
from listen.errors import ConfigError

from conftest import free_port, wait_http

EN_ID = "city-council-budget"
URL = f"/api/articles/{EN_ID}/audio.mp3"
PREFIX = "/_listen_audio/"
NGINX = Path("/usr/sbin/nginx")
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture
def config(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "SENDFILE_HEADER": "X-Accel-Redirect"}


def test_cold_audio_is_streamed_by_the_app_not_offloaded(client):
    cold = client.get(URL)
    assert cold.status_code == 200 and cold.headers["X-Listen-Stream"] == "partial"
    assert "X-Accel-Redirect" not in cold.headers and "X-Sendfile" not in cold.headers
    assert len(cold.data) > 100_000


def test_cached_audio_is_an_x_accel_redirect_to_its_file(client, config):
    audio = client.get(URL).data  # cold: streamed by the app, then cached
    warm = client.get(URL)
    assert warm.status_code == 200 and warm.data == b""
    assert warm.mimetype == "audio/mpeg" and "X-Listen-Stream" not in warm.headers
    assert (
        "public" in warm.headers["Cache-Control"] and "max-age=300" in warm.headers["Cache-Control"]
    )
    target = warm.headers["X-Accel-Redirect"]
    assert target.startswith(PREFIX)
    file = Path(config["CACHE_DIR"]) / target.removeprefix(PREFIX)
    assert file.is_file() and file.read_bytes() == audio
    assert warm.headers["ETag"] == f'"{file.stem}"'
    # Range is the proxy's job: the app hands over the whole file whatever was asked
    ranged = client.get(URL, headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 200 and ranged.headers["X-Accel-Redirect"] == target
    # a fresh copy is a 304 from the app, which must not carry the header
    fresh = client.get(URL, headers={"If-None-Match": warm.headers["ETag"]})
    assert fresh.status_code == 304 and "X-Accel-Redirect" not in fresh.headers
    download = client.get(URL + "?download=1")
    assert download.headers["X-Accel-Redirect"] == target
    assert download.headers["Content-Disposition"] == f"attachment; filename={EN_ID}.mp3"


def test_x_sendfile_gives_the_absolute_path(config):
    client = create_app({**config, "SENDFILE_HEADER": "X-Sendfile"}).test_client()
    audio = client.get(URL).data
    warm = client.get(URL)
    assert warm.status_code == 200 and warm.data == b"" and warm.mimetype == "audio/mpeg"
    assert "X-Accel-Redirect" not in warm.headers
    file = Path(warm.headers["X-Sendfile"])
    assert file.is_absolute() and file.read_bytes() == audio
    assert warm.headers["ETag"] == f'"{file.stem}"'


def test_accel_prefix_is_configurable(config):
    client = create_app({**config, "ACCEL_PREFIX": "/internal/mp3/"}).test_client()
    client.get(URL)
    target = client.get(URL).headers["X-Accel-Redirect"]
    assert target.startswith("/internal/mp3/")
    assert (Path(config["CACHE_DIR"]) / target.removeprefix("/internal/mp3/")).is_file()


@pytest.mark.parametrize(
    "setting, value",
    [
        ("SENDFILE_HEADER", "nginx"),
        ("SENDFILE_HEADER", "x-accel-redirect"),
        ("ACCEL_PREFIX", "_listen_audio/"),
        ("ACCEL_PREFIX", "/_listen_audio"),
    ],
)
def test_a_bad_value_stops_start_up(config, setting, value):
    with pytest.raises(ConfigError, match=f"LISTEN_{setting}="):
        create_app({**config, setting: value})


def test_listen_serve_refuses_an_unknown_header(runner, monkeypatch):
    monkeypatch.setenv("LISTEN_SENDFILE_HEADER", "X-Foo")
    result = runner.invoke(main, ["serve", "--port", str(free_port())])
    assert result.exit_code != 0
    assert "LISTEN_SENDFILE_HEADER='X-Foo'" in result.output
    assert "X-Accel-Redirect" in result.output


def readme_nginx_server(listen_port: int, nginx_port: int, cache: Path) -> str:
    """The README's X-Accel-Redirect example, pointed at this test's servers and cache."""
    text = README.read_text("utf-8")
    block = text[text.index("### Behind nginx") :].split("```nginx\n", 1)[1].split("```", 1)[0]
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{nginx_port};"),
        ("http://127.0.0.1:8000", f"http://127.0.0.1:{listen_port}"),
        ("/srv/listen/audio_cache/", f"{cache}/"),
    ):
        assert old in block, f"the README's nginx example no longer has {old!r}"
        block = block.replace(old, new)
    return block


def nginx_config(folder: Path, server: str) -> str:
    """A main configuration around ``server``, with every file nginx writes in ``folder``."""
    # As root nginx's workers would run as nobody, who cannot enter pytest's private tmp_path.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off; {user} pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; {temp}\n{server}\n}}\n"
    )


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, dict(response.headers), response.read()


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.mark.slow
def test_nginx_sends_the_cached_file_with_the_readme_configuration(config, tmp_path):
    if not NGINX.exists():
        pytest.skip(f"nginx is not installed ({NGINX}): apt-get install nginx (.ci/run does)")
    cache = Path(config["CACHE_DIR"])
    listen_port, nginx_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
    env |= {f"LISTEN_{k}": str(v) for k, v in config.items() if k != "TESTING"}
    env["LISTEN_LOG_LEVEL"] = "WARNING"
    listen_bin = Path(sys.executable).with_name("listen")
    folder = tmp_path / "nginx"
    folder.mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, readme_nginx_server(listen_port, nginx_port, cache)))
    listen = subprocess.Popen(
        [str(listen_bin), "serve", "--port", str(listen_port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            direct, front = f"http://127.0.0.1:{listen_port}", f"http://127.0.0.1:{nginx_port}"
            wait_http(f"{direct}/healthz")
            wait_http(f"{front}/healthz", 10)
            status, headers, audio = fetch(front + URL)  # cold: streamed through nginx
            assert status == 200 and headers["X-Listen-Stream"] == "partial"
            # listen itself now answers with the header and no bytes...
            status, headers, body = fetch(direct + URL)
            assert status == 200 and body == b""
            file = cache / headers["X-Accel-Redirect"].removeprefix(PREFIX)
            assert file.read_bytes() == audio
            # ...and nginx sends the file, with listen's headers
            status, headers, body = fetch(front + URL)
            assert status == 200 and body == audio, (folder / "error.log").read_text()
            assert int(headers["Content-Length"]) == len(audio)
            assert headers["Content-Type"] == "audio/mpeg"
            assert headers["ETag"] == f'"{file.stem}"'
            assert headers["Access-Control-Allow-Origin"] == "*"
            assert "public" in headers["Cache-Control"]
            status, headers, body = fetch(front + URL, Range="bytes=100-199")
            assert status == 206 and body == audio[100:200]
            assert headers["Content-Range"] == f"bytes 100-199/{len(audio)}"
            # the content address, sent by nginx straight from the cache folder
            status, headers, body = fetch(f"{front}/audio/{file.stem}.mp3")
            assert status == 200 and body == audio
            assert headers["Content-Type"] == "audio/mpeg"
            assert "immutable" in headers["Cache-Control"]
            with pytest.raises(HTTPError) as hidden:  # the internal location is not public
                fetch(front + PREFIX + file.relative_to(cache).as_posix())
            hidden.value.close()
            assert hidden.value.code == 404
        finally:
            stop(nginx)
    finally:
        stop(listen)
