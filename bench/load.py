"""Load: one cached article's MP3 under 256 connections, `listen serve` vs nginx.

Serves the bundled samples with `listen serve` (gunicorn, LISTEN_ENGINES=espeak, a temporary
cache), makes one article's audio complete (one full GET, then a GET that must come from
the cache with Content-Length), then runs `wrk -t2 -c256 -d30s --latency` on its audio URL.
Then the same wrk command runs against an nginx of our own (generated configuration in the
temporary folder) serving the same cached MP3 at the same URL path, and against listen
behind that nginx as the README's "Behind nginx" example sets it up
(LISTEN_SENDFILE_HEADER=X-Accel-Redirect: listen names the file, nginx sends it). Goal:
listen's requests/s at least half of nginx's. Everything listens on 127.0.0.1; every
process is stopped at the end, also on errors.

The machine has 2 cores shared by wrk and the server under test: listen runs 2 gunicorn
workers x 16 threads (one process per core, threads to overlap the sendfile calls),
nginx its default for the machine (`worker_processes auto`, one per core).

    python -m bench load
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from bench.coldstart import free_port
from bench.common import BIN, ROOT, machine

ARTICLE = "city-council-budget"
WORKERS = 2
THREADS = 16
WRK = ["wrk", "-t2", "-c256", "-d30s", "--latency"]
WRK_TIMEOUT = 90
"""Seconds a wrk run may take in all before it is killed (it runs for 30)."""
NGINX = "/usr/sbin/nginx"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(text: str) -> dict[str, float | int]:
    """Requests/s, p99 latency (ms), requests and errors from wrk's --latency report.

    Errors are non-2xx/3xx answers plus socket errors (connect, read, write, timeout).
    """
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    total = re.search(r"(\d+) requests in", text)
    if not (rate and p99 and total):
        raise SystemExit(f"cannot read wrk's report:\n{text}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {
        "requests_per_s": round(float(rate.group(1)), 1),
        "p99_ms": round(float(p99.group(1)) * UNITS[p99.group(2)], 2),
        "requests": int(total.group(1)),
        "errors": errors,
    }


def run_wrk(url: str) -> dict[str, float | int]:
    done = subprocess.run(
        [*WRK, url], capture_output=True, text=True, timeout=WRK_TIMEOUT, check=True
    )
    return parse_wrk(done.stdout)


def wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up within {seconds:.0f} s")


def get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read(), dict(response.headers)


def cached_audio(url: str, seconds: float = 60) -> tuple[bytes, str]:
    """Make the article's audio complete; return its bytes and ETag once served whole."""
    get(url)  # cold: streamed while it is synthesized, then renamed into the cache
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body, headers = get(url)
        if "Content-Length" in headers and "X-Listen-Stream" not in headers:
            return body, headers["ETag"].strip('"')
        time.sleep(0.2)
    raise SystemExit(f"{url} is not served from the cache after {seconds:.0f} s")


def readme_nginx_server(listen_port: int, nginx_port: int, cache: Path) -> str:
    """The README's X-Accel-Redirect example, pointed at these servers and this cache."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = text[text.index("### Behind nginx") :].split("```nginx\n", 1)[1].split("```", 1)[0]
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{nginx_port};"),
        ("http://127.0.0.1:8000", f"http://127.0.0.1:{listen_port}"),
        ("/srv/listen/audio_cache/", f"{cache}/"),
    ):
        if old not in block:
            raise SystemExit(f"the README's nginx example no longer has {old!r}")
        block = block.replace(old, new)
    return block


def nginx_config(folder: Path, port: int, path: str, file: Path, proxy: str) -> str:
    """Minimal nginx serving ``file`` at ``path`` on 127.0.0.1:``port``, plus the server
    block ``proxy``; all its state in ``folder``."""
    # As root nginx's workers would run as nobody, who cannot enter a private temporary folder.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
{user}
worker_processes auto;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
{temp}
    server {{
        listen 127.0.0.1:{port};
        location = {path} {{
            alias {file};
            default_type audio/mpeg;
        }}
    }}
{proxy}
}}
"""


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def serve(stack: ExitStack, env: dict[str, str]) -> str:
    """Start `listen serve` on a free port (stopped with ``stack``); return its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "listen"),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stack.callback(stop, server)
    wait_http(f"http://127.0.0.1:{port}/healthz")
    return f"http://127.0.0.1:{port}"


def main() -> None:
    for tool in ("wrk", NGINX):
        if not shutil.which(tool):
            raise SystemExit(f"bench load needs {tool}: apt-get install -y wrk nginx")
    path = f"/api/articles/{ARTICLE}/audio.mp3"
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="listen-load-")))
        cache = tmp / "cache"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
        env |= {
            "LISTEN_ENGINES": "espeak",
            "LISTEN_CACHE_DIR": str(cache),
            "LISTEN_LOG_LEVEL": "WARNING",
        }
        base = serve(stack, env)
        audio, key = cached_audio(base + path)
        file = cache / key[:2] / f"{key}.mp3"
        if file.read_bytes() != audio:
            raise SystemExit(f"{file} is not the audio listen serves")
        # What players fetch once the audio is complete (the API's audio_url then): the
        # content address, served by listen.web.fastpath; and the article route, for comparison.
        if get(f"{base}/audio/{key}.mp3")[0] != audio:
            raise SystemExit("the content-addressed URL does not serve the same bytes")
        listen = run_wrk(f"{base}/audio/{key}.mp3")
        api_route = run_wrk(base + path)

        # The same cache, sent by nginx: directly, and as listen names the file.
        behind = serve(stack, {**env, "LISTEN_SENDFILE_HEADER": "X-Accel-Redirect"})
        nginx_port, front_port = free_port(), free_port()
        conf = tmp / "nginx.conf"
        front = readme_nginx_server(int(behind.rsplit(":", 1)[1]), front_port, cache)
        conf.write_text(nginx_config(tmp, nginx_port, path, file, front))
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp), "-e", str(tmp / "nginx-error.log"), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(stop, nginx)
        nginx_base, front_base = f"http://127.0.0.1:{nginx_port}", f"http://127.0.0.1:{front_port}"
        wait_http(nginx_base + path, 10)
        for url in (nginx_base + path, front_base + path):
            if get(url)[0] != audio:
                raise SystemExit(f"{url} does not serve the same bytes as listen")
        direct = run_wrk(nginx_base + path)
        offloaded = run_wrk(front_base + path)
    print(
        json.dumps(
            {
                "bench": "load",
                "machine": machine(),
                "command": " ".join([*WRK, "<audio url>"]),
                "article": ARTICLE,
                "bytes": len(audio),
                "listen": {
                    **listen,
                    "url": "/audio/<key>.mp3",
                    "workers": WORKERS,
                    "threads": THREADS,
                },
                "listen_article_route": {**api_route, "url": path},
                "nginx": direct,
                "ratio": round(
                    float(listen["requests_per_s"]) / float(direct["requests_per_s"]), 3
                ),
                "listen_behind_nginx": {**offloaded, "sendfile_header": "X-Accel-Redirect"},
                "ratio_behind_nginx": round(
                    float(offloaded["requests_per_s"]) / float(direct["requests_per_s"]), 3
                ),
                "goals": {"ratio": ">= 0.5"},
            }
        )
    )


if __name__ == "__main__":
    main()
