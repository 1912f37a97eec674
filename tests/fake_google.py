"""A local, offline stand-in for Google Translate's TTS ``batchexecute`` RPC.

gTTS (``gtts`` 2.5.x) POSTs ``f.req=<urlquoted JSON>`` to
``https://translate.google.<tld>/_/TranslateWebserverUi/data/batchexecute``
and scans the response line by line for ``jQ1olc``, pulling base64 MP3 out of
it with the regex ``jQ1olc","\\[\\\\"(.*)\\\\"]``.  :class:`FakeGoogle`
answers that exact wire format from ``127.0.0.1`` so gTTS's real
request/parse code path can be exercised with no internet access.

The audio is real speech: the received text is synthesised with ``espeak-ng``
and encoded to MP3 by ``ffmpeg`` (mono, 24 kHz, 32 kbit/s, MPEG-2 layer III,
no ID3/Xing header -- like Google's), so durations track the text; on a machine
without espeak-ng, the fake engine's tones stand in for the speech.  Results
are cached in memory by ``(text, lang, slow)``.

Misbehaviour can be injected at runtime (all thread-safe):

* ``fake.latency = 0.2``     -- seconds added to every request
* ``fake.mode = "garbage"``  -- persistent behaviour, one of :data:`MODES`
  (or any 4xx/5xx status as a string, e.g. ``"503"``)
* ``fake.fail_next(2, status=429, retry_after=7)`` -- next 2 requests fail
* ``fake.queue_mode("reset", n=1)`` -- next request behaves as that mode
* ``fake.mode = "drip"``     -- a good answer, its body one byte every
  ``fake.drip_interval`` seconds (headers at once, as a slow proxy sends them)
* ``fake.id3 = True``        -- good answers' MP3 starts with an ID3v2 tag, as
  many encoders write one

Queued faults are consumed first (FIFO); when the queue is empty ``mode``
applies.  Every well-formed RPC is recorded in ``fake.requests`` as
``(text, lang)`` in arrival order, whatever the outcome, and when it
arrived (``time.time()``) in ``fake.arrivals``.

Standalone (for benchmarks)::

    python tests/fake_google.py --port 8765 --latency 0.15

prints the endpoint URL as the first stdout line and serves until
SIGINT/SIGTERM.  A small control API is available on the same port:
``GET /_fake/state``, ``POST /_fake/config`` (JSON ``{"mode": ...,
"latency": ..., "retry_after": ..., "fail_next": {"n":..,"status":..,
"retry_after":..}}``) and ``POST /_fake/reset``.

Only the standard library is used (plus the ``espeak-ng``/``ffmpeg``
executables, or ``listen.engines.fake`` without espeak-ng).
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.server
import json
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable

__all__ = ["FakeGoogle", "MODES", "BATCHEXECUTE_PATH", "synthesize_mp3"]

BATCHEXECUTE_PATH = "/_/TranslateWebserverUi/data/batchexecute"
RPC_ID = "jQ1olc"
MODES = ("ok", "429", "500", "garbage", "empty", "hang", "reset", "drip")

# gTTS language code -> espeak-ng voice.
ESPEAK_VOICES = {
    "en": "en-us",
    "en-us": "en-us",
    "en-gb": "en-gb",
    "es": "es-419",
    "es-419": "es-419",
    "es-mx": "es-419",
    "es-es": "es",
}
DEFAULT_VOICE = "en-us"

_STATUS_RE = re.compile(r"^[45]\d\d$")


# --------------------------------------------------------------------------
# Audio synthesis
# --------------------------------------------------------------------------


def _espeak_voice(lang: str) -> str:
    lang = (lang or "").lower()
    if lang in ESPEAK_VOICES:
        return ESPEAK_VOICES[lang]
    base = lang.split("-")[0]
    return ESPEAK_VOICES.get(base, base or DEFAULT_VOICE)


def _tones_wav(text: str, lang: str) -> bytes:
    """Without espeak-ng (the fast suite on a bare machine): the fake engine's tones."""
    import io

    from listen.engines.fake import FakeEngine

    out = io.BytesIO()
    language = "es" if lang.startswith("es") else "en"
    FakeEngine({}).synthesize(text, language).audio.export(out, format="wav")
    return out.getvalue()


def synthesize_mp3(text: str, lang: str = "en", slow: bool = False) -> bytes:
    """Speak *text* with espeak-ng and return Google-like MP3 bytes.

    Unknown voices fall back to ``en-us``.  Raises ``RuntimeError`` if the
    tools fail.
    """
    voice = _espeak_voice(lang)
    rate = "120" if slow else "175"
    wav = b"" if shutil.which("espeak-ng") else _tones_wav(text, lang)
    for v in (voice, DEFAULT_VOICE) if not wav else ():
        proc = subprocess.run(
            ["espeak-ng", "-v", v, "-s", rate, "--stdin", "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=60,
        )
        if proc.returncode == 0 and len(proc.stdout) > 44:
            wav = proc.stdout
            break
    if not wav:
        raise RuntimeError(f"espeak-ng failed for {text[:40]!r} (voice {voice})")
    proc = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-f",
            "wav",
            "-i",
            "pipe:0",
            "-ac",
            "1",
            "-ar",
            "24000",
            "-codec:a",
            "libmp3lame",
            "-b:a",
            "32k",
            "-map_metadata",
            "-1",
            "-id3v2_version",
            "0",
            "-write_xing",
            "0",
            "-f",
            "mp3",
            "pipe:1",
        ],
        input=wav,
        capture_output=True,
        timeout=60,
    )
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(
            "ffmpeg failed: {}".format(proc.stderr.decode("utf-8", "replace")[-500:])
        )
    return proc.stdout


# --------------------------------------------------------------------------
# Wire format
# --------------------------------------------------------------------------


def _envelope(*chunks: str) -> bytes:
    """Build a batchexecute body: ``)]}'``, blank line, then length-prefixed
    JSON chunks (the length counts the chunk plus its leading newline, in
    UTF-16 code units as Google does; our chunks are ASCII)."""
    out = [")]}'\n"]
    for chunk in chunks:
        out.append(f"\n{len(chunk) + 1}\n{chunk}")
    out.append("\n")
    return "".join(out).encode("utf-8")


def _trailer_chunks(wrb_len: int) -> tuple:
    """The ``di``/``af.httprm`` and ``e`` chunks Google appends."""
    return (
        '[["di",37],["af.httprm",36,"-4713950238164542891",21]]',
        f'[["e",4,null,null,{wrb_len + 120}]]',
    )


def batchexecute_audio_body(mp3: bytes) -> bytes:
    """The 200 body Google sends for a successful jQ1olc call."""
    b64 = base64.b64encode(mp3).decode("ascii")
    inner = json.dumps([b64], separators=(",", ":"))  # ["<b64>"]
    wrb = json.dumps(
        [["wrb.fr", RPC_ID, inner, None, None, None, "generic"]],
        separators=(",", ":"),
    )
    return _envelope(wrb, *_trailer_chunks(len(wrb)))


def id3_tag() -> bytes:
    """A small ID3v2.3 tag (a TSSE frame naming the encoder), as LAME and ffmpeg write."""
    body = b"\x00Lavf60.16.100"
    frame = b"TSSE" + struct.pack(">I", len(body)) + b"\x00\x00" + body
    size = len(frame)
    syncsafe = bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))
    return b"ID3\x03\x00\x00" + syncsafe + frame


def batchexecute_garbage_body() -> bytes:
    """A 200 body that names jQ1olc but carries no audio (what Google sends
    for e.g. an unsupported language): gTTS's parser raises gTTSError."""
    wrb = f'[["wrb.fr","{RPC_ID}",null,null,null,[3],"generic"]]'
    return _envelope(wrb, *_trailer_chunks(len(wrb)))


def _decode_freq(body: bytes):
    """Return ``(text, lang, speed)`` from a gTTS form body, or raise."""
    form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
    rpc = json.loads(form["f.req"][0])
    call = rpc[0][0]
    if call[0] != RPC_ID:
        raise ValueError(f"unknown rpc id {call[0]!r}")
    params = json.loads(call[1])
    return str(params[0]), str(params[1]), params[2]


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeGoogle


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "ESF"

    # -- plumbing ---------------------------------------------------------
    @property
    def fake(self) -> FakeGoogle:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, fmt, *args):  # noqa: D401
        if self.fake.verbose:
            sys.stderr.write(f"fake_google: {self.address_string()} - {fmt % args}\n")

    def _read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _drip(self, body: bytes, ctype: str, interval: float) -> None:
        """A 200 whose body comes one byte every ``interval`` s, until done or stopped."""
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            for i in range(len(body)):
                if self.fake._stop_event.wait(interval):
                    return
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
        except OSError:
            pass  # the client gave up: that is the point

    def _send_json(self, status: int, obj) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _reset_connection(self):
        """Abort the TCP connection (RST) without sending a response."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        # Prevent socketserver from sending a FIN first and from flushing.
        try:
            self.connection.close()
        except OSError:
            pass

    # -- routes -----------------------------------------------------------
    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/health", "/_fake/health"):
            self._send(200, b"ok\n", "text/plain; charset=utf-8")
        elif path == "/_fake/state":
            self._send_json(200, self.fake.state())
        else:
            self._send(
                404,
                b"<!DOCTYPE html><title>Error 404 (Not Found)</title>",
                "text/html; charset=UTF-8",
            )

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self._read_body()
        if path.startswith("/_fake/"):
            return self._control(path, body)
        if not path.endswith("/batchexecute"):
            return self._send(
                404,
                b"<!DOCTYPE html><title>Error 404 (Not Found)</title>",
                "text/html; charset=UTF-8",
            )
        try:
            text, lang, speed = _decode_freq(body)
        except Exception:
            return self._send(
                400,
                b')]}\'\n\n[["er",null,null,null,null,400]]\n',
                "application/json; charset=utf-8",
            )

        fake = self.fake
        action = fake._record_and_next_action(text, lang)
        if action["latency"] > 0:
            fake._enter()
            try:
                fake._stop_event.wait(action["latency"])
            finally:
                fake._leave()
        mode = action["mode"]

        if mode == "reset":
            return self._reset_connection()
        if mode == "hang":
            fake._stop_event.wait(action["hang_seconds"])
            return self._reset_connection()
        if mode == "status":
            extra = {}
            if action["retry_after"] is not None:
                extra["Retry-After"] = str(action["retry_after"])
            status = action["status"]
            self.close_connection = True
            return self._send(
                status,
                (
                    f"<!DOCTYPE html><html><title>Error {status}</title><body>"
                    "Our systems have detected unusual traffic.</body></html>"
                ).encode(),
                "text/html; charset=UTF-8",
                extra,
            )
        if mode == "garbage":
            return self._send(200, batchexecute_garbage_body(), "application/json; charset=utf-8")
        if mode == "empty":
            return self._send(200, batchexecute_audio_body(b""), "application/json; charset=utf-8")
        # ok (or drip)
        try:
            mp3 = fake.audio_for(text, lang, slow=bool(speed))
        except Exception as exc:  # synthesis broke: look like an upstream 500
            sys.stderr.write(f"fake_google: synthesis failed: {exc}\n")
            return self._send(500, b"synthesis failed\n", "text/plain; charset=utf-8")
        if action["id3"]:
            mp3 = id3_tag() + mp3
        body = batchexecute_audio_body(mp3)
        if mode == "drip":
            return self._drip(body, "application/json; charset=utf-8", action["drip_interval"])
        return self._send(200, body, "application/json; charset=utf-8")

    def _control(self, path: str, body: bytes):
        fake = self.fake
        try:
            cfg = json.loads(body.decode() or "{}")
            if path == "/_fake/reset":
                fake.reset()
            elif path == "/_fake/config":
                if "mode" in cfg:
                    fake.mode = cfg["mode"]
                if "latency" in cfg:
                    fake.latency = cfg["latency"]
                if "retry_after" in cfg:
                    fake.retry_after = cfg["retry_after"]
                if "id3" in cfg:
                    fake.id3 = bool(cfg["id3"])
                if cfg.get("fail_next"):
                    fake.fail_next(**cfg["fail_next"])
                if cfg.get("queue_mode"):
                    fake.queue_mode(**cfg["queue_mode"])
            else:
                return self._send_json(404, {"error": "unknown control path"})
        except (ValueError, TypeError) as exc:
            return self._send_json(400, {"error": str(exc)})
        return self._send_json(200, fake.state())


class FakeGoogle:
    """Local fake of Google Translate's TTS batchexecute endpoint.

    Args:
        port: TCP port on 127.0.0.1 (0 = pick a free one).
        host: bind address (default ``127.0.0.1``).
        latency: seconds added to every request.
        mode: initial persistent mode (see :data:`MODES`).
        retry_after: ``Retry-After`` value sent with mode-based error statuses.
        hang_seconds: how long "hang" blocks (or until :meth:`stop`).
        drip_interval: seconds between the bytes of a "drip" answer.
        id3: start good answers' MP3 with an ID3v2 tag.
        synth: ``callable(text, lang, slow) -> mp3 bytes``; defaults to
            espeak-ng + ffmpeg (:func:`synthesize_mp3`).
        start: start serving immediately (default True).
        verbose: log each request to stderr.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        latency: float = 0.0,
        mode: str = "ok",
        retry_after=None,
        hang_seconds: float = 30.0,
        drip_interval: float = 0.5,
        id3: bool = False,
        synth: Callable[[str, str, bool], bytes] | None = None,
        start: bool = True,
        verbose: bool = False,
    ):
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._requests: list = []
        self._arrivals: list = []
        self._faults: collections.deque = collections.deque()
        self._cache: collections.OrderedDict = collections.OrderedDict()
        self._cache_max = 1024
        self._latency = 0.0
        self._mode = "ok"
        self.latency = latency
        self.mode = mode
        self.retry_after = retry_after
        self.hang_seconds = float(hang_seconds)
        self.drip_interval = float(drip_interval)
        self.id3 = bool(id3)
        self.synth = synth or synthesize_mp3
        self.verbose = verbose
        self.synth_calls = 0

        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self.host, self.port = self._server.server_address[:2]
        self.base_url = f"http://{self.host}:{self.port}"
        self.url = self.base_url + BATCHEXECUTE_PATH
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    # -- lifecycle --------------------------------------------------------
    def start(self) -> FakeGoogle:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeGoogle:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes any hanging/latency-sleeping handlers."""
        self._stop_event.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    close = stop

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- knobs ------------------------------------------------------------
    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        value = float(value)
        if value < 0:
            raise ValueError("latency must be >= 0")
        with self._lock:
            self._latency = value

    @property
    def mode(self) -> str:
        with self._lock:
            return self._mode

    @mode.setter
    def mode(self, value) -> None:
        value = self._check_mode(value)
        with self._lock:
            self._mode = value

    @staticmethod
    def _check_mode(value) -> str:
        value = str(value)
        if value not in MODES and not _STATUS_RE.match(value):
            raise ValueError(f"unknown mode {value!r}; expected one of {MODES} or a 4xx/5xx status")
        return value

    def fail_next(self, n: int = 1, status: int = 429, retry_after=None) -> None:
        """Make the next *n* requests answer HTTP *status* (with a
        ``Retry-After`` header if *retry_after* is given)."""
        status = int(status)
        with self._lock:
            for _ in range(int(n)):
                self._faults.append(
                    {"mode": "status", "status": status, "retry_after": retry_after}
                )

    def queue_mode(self, mode: str, n: int = 1, retry_after=None) -> None:
        """Make the next *n* requests behave as *mode* (any of :data:`MODES`
        or a status string), after already-queued faults."""
        mode = self._check_mode(mode)
        with self._lock:
            for _ in range(int(n)):
                self._faults.append(self._mode_action(mode, retry_after))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight = getattr(self, "_in_flight", 0) + 1
            self.max_in_flight = max(getattr(self, "max_in_flight", 0), self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def reset(self) -> None:
        """Back to defaults: mode ok, no latency, no faults, empty log
        (the audio cache is kept)."""
        with self._lock:
            self.max_in_flight = 0
            self._faults.clear()
            self._requests.clear()
            self._arrivals.clear()
            self._mode = "ok"
            self._latency = 0.0
            self.retry_after = None
            self.id3 = False

    # -- observations -----------------------------------------------------
    @property
    def requests(self) -> list:
        """Snapshot list of ``(text, lang)`` received, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def arrivals(self) -> list:
        """Snapshot list of when each request arrived (``time.time()``), in order."""
        with self._lock:
            return list(self._arrivals)

    @property
    def texts(self) -> list:
        return [t for t, _ in self.requests]

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._arrivals.clear()

    def wait_for(self, n: int, timeout: float = 5.0) -> bool:
        """Block until at least *n* requests arrived (True) or timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= n:
                return True
            time.sleep(0.01)
        return self.count >= n

    def state(self) -> dict:
        with self._lock:
            return {
                "url": self.url,
                "mode": self._mode,
                "latency": self._latency,
                "retry_after": self.retry_after,
                "count": len(self._requests),
                "pending_faults": len(self._faults),
                "cached": len(self._cache),
            }

    # -- audio ------------------------------------------------------------
    def audio_for(self, text: str, lang: str = "en", slow: bool = False) -> bytes:
        """MP3 bytes for *text* (cached)."""
        key = (text, lang.lower(), bool(slow))
        with self._lock:
            mp3 = self._cache.get(key)
            if mp3 is not None:
                self._cache.move_to_end(key)
                return mp3
        mp3 = self.synth(text, lang, bool(slow))
        with self._lock:
            self.synth_calls += 1
            self._cache[key] = mp3
            while len(self._cache) > self._cache_max:
                self._cache.popitem(last=False)
        return mp3

    def prewarm(self, texts, lang: str = "en") -> None:
        for t in texts:
            self.audio_for(t, lang)

    # -- internals --------------------------------------------------------
    def _mode_action(self, mode: str, retry_after=None) -> dict:
        if mode in ("ok", "garbage", "empty", "hang", "reset", "drip"):
            return {"mode": mode, "status": 200, "retry_after": None}
        return {"mode": "status", "status": int(mode), "retry_after": retry_after}

    def _record_and_next_action(self, text: str, lang: str) -> dict:
        with self._lock:
            self._requests.append((text, lang))
            self._arrivals.append(time.time())
            if self._faults:
                action = dict(self._faults.popleft())
            else:
                action = self._mode_action(self._mode, self.retry_after)
            action["latency"] = self._latency
            action["hang_seconds"] = self.hang_seconds
            action["drip_interval"] = self.drip_interval
            action["id3"] = self.id3
            return action

    def __repr__(self) -> str:
        return f"<FakeGoogle {self.url} mode={self.mode} latency={self.latency} count={self.count}>"


# --------------------------------------------------------------------------
# Standalone
# --------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Fake Google Translate TTS endpoint (offline).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    ap.add_argument("--mode", default="ok", help=f"one of {MODES} or a 4xx/5xx status")
    ap.add_argument("--retry-after", default=None)
    ap.add_argument("--hang-seconds", type=float, default=30.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    fake = FakeGoogle(
        args.port,
        args.host,
        latency=args.latency,
        mode=args.mode,
        retry_after=args.retry_after,
        hang_seconds=args.hang_seconds,
        verbose=args.verbose,
    )
    print(fake.url, flush=True)
    sys.stderr.write(
        f"fake_google: serving {fake.url} (mode={fake.mode} latency={fake.latency:.3f}s); "
        f"control at {fake.base_url}/_fake/state\n"
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
