"""A process-wide request budget: token buckets shared by name.

Every gTTS request in the process, whatever article or thread it serves, takes a
token from the same bucket, so prewarming the archive and serving readers together
never exceed ``LISTEN_GTTS_RATE`` requests a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()

    def _reserve(self) -> float:
        """Take a token (possibly going into debt); return how long to wait for it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> float:
        """Wait for a token; return the seconds waited."""
        if self.rate <= 0:
            return 0.0  # no budget configured: unlimited
        wait = self._reserve()
        if wait > 0:
            self._sleep(wait)
        return wait


_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()


def bucket(name: str, rate: float, burst: float) -> TokenBucket:
    """The process's bucket called ``name``, shared by every caller with the same rate.

    A caller with another ``rate`` or ``burst`` (settings changed, as in tests) gets a new
    bucket under that name, which replaces the old one for everyone from then on.
    """
    with _buckets_lock:
        found = _buckets.get(name)
        if found is None or (found.rate, found.burst) != (rate, max(1.0, burst)):
            found = _buckets[name] = TokenBucket(rate, burst)
        return found
