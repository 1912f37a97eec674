"""Push body: memory a 200 MB chunked PUT costs the `listen serve` worker.

A chunked body says no length, so only reading it in bounded pieces keeps the worker's
memory bounded: it must stop at the 10 MiB limit and answer 413. Measured as the growth of
the worker's peak RSS (VmHWM) over its RSS before the request. Goal: under 32 MB.

    python -m bench pushbody
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.common import BIN, machine

TOKEN = "bench-token"
BODY_MB = 200
GOAL_MB = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def _worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("gunicorn started no worker")


def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("listen serve did not come up")


def _push(port: int) -> int | None:
    """Send the chunked body while reading the answer; return its status (None if lost)."""
    head = (
        f"PUT /api/articles/big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    piece = b" " * 2**20
    answer = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:

        def read() -> None:
            try:
                while chunk := sock.recv(65536):
                    answer.extend(chunk)
            except OSError:
                pass

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            sock.sendall(head + b"%x\r\n%s\r\n" % (12, b'{"text":"x"}'))
            for _ in range(BODY_MB):
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before the whole body was sent
        reader.join(60)
    return int(answer.split()[1]) if answer.startswith(b"HTTP/") else None


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "LISTEN_ENGINES": "espeak",
            "LISTEN_ADMIN_TOKEN": TOKEN,
            "LISTEN_CACHE_DIR": str(Path(tmp) / "cache"),
            "LISTEN_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [str(BIN / "listen"), "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_up(port)
            worker = _worker_pid(server.pid)
            before = _kib(worker, "VmRSS")
            status = _push(port)
            growth_mb = (_kib(worker, "VmHWM") - before) / 1024
        finally:
            server.terminate()
            server.wait(30)
    print(
        json.dumps(
            {
                "bench": "pushbody",
                "body_mb": BODY_MB,
                "status": status,
                "rss_growth_mb": round(growth_mb, 1),
                "goal_mb": GOAL_MB,
                "ok": growth_mb < GOAL_MB,
                **machine(),
            }
        )
    )
