"""Limiter: at most N events a minute from one client, counted in memory only.

A client is known by a salted hash of its address (the salt is random per process and
never written down), counted in the current minute's window and forgotten when the
minute ends: nothing that identifies a listener outlives a minute or leaves the process.
Each process counts on its own (with W gunicorn workers a client may send up to W times
the limit); that bounds abuse, it is not billing. The console counts failed sign-ins
with it too (:mod:`listen.web.admin_auth`).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable

MAX_CLIENTS = 100_000
"""Clients counted in one window: past it every new client is refused until the minute
ends, so a flood of forged addresses costs bounded memory (about 10 MB)."""
WINDOW_S = 60.0


class Limiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._salt = secrets.token_bytes(16)
        self._lock = threading.Lock()
        self._window = -1
        self._counts: dict[bytes, int] = {}

    def _tag(self, client: str) -> bytes:
        tag = hashlib.blake2b(client.encode(errors="replace"), key=self._salt, digest_size=12)
        return tag.digest()

    def _roll(self) -> None:
        """Forget the last minute's counts once it is over (the lock held)."""
        window = int(self._clock() // WINDOW_S)
        if window != self._window:
            self._window, self._counts = window, {}

    def allow(self, client: str) -> bool:
        """Count one request of ``client``; False if it is over the limit this minute."""
        digest = self._tag(client)
        with self._lock:
            self._roll()
            seen = self._counts.get(digest)
            if seen is None and len(self._counts) >= MAX_CLIENTS:
                return False
            count = (seen or 0) + 1
            self._counts[digest] = count
        return count <= self.per_minute

    def exhausted(self, client: str) -> bool:
        """True if ``client`` used up this minute's requests (nothing is counted)."""
        digest = self._tag(client)
        with self._lock:
            self._roll()
            return self._counts.get(digest, 0) >= self.per_minute

    def retry_after(self) -> int:
        """Whole seconds until the current window ends (at least 1)."""
        return max(1, int(WINDOW_S - self._clock() % WINDOW_S))
