"""Locks held across hosts: one Redis key per article, with a time to live.

With ``LISTEN_REDIS_URL`` set, web processes and ``listen worker``s on any number
of hosts single-flight each article through Redis (file locks only reach the
processes of one host). A holder renews its key while it works; if it dies (even
``kill -9``) the key expires after ``LISTEN_LOCK_TTL`` seconds and the work can be
taken up again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

PREFIX = "listen:lock:"
POLL = 0.05

# Delete / extend the key only if we still own it (a Lua script runs atomically).
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class RedisLocks:
    def __init__(self, client: Any, ttl: float = 15.0) -> None:
        self.client = client
        self.ttl_ms = int(ttl * 1000)
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)

    @contextmanager
    def hold(self, name: str) -> Iterator[str]:
        """Wait for and hold the lock ``name``, renewing it until the block ends."""
        key = PREFIX + name
        token = uuid.uuid4().hex
        while not self.client.set(key, token, nx=True, px=self.ttl_ms):
            time.sleep(POLL)
        stop = threading.Event()
        renewer = threading.Thread(target=self._keep, args=(key, token, stop), daemon=True)
        renewer.start()
        try:
            yield token
        finally:
            stop.set()
            renewer.join()
            self._release(keys=[key], args=[token])

    def _keep(self, key: str, token: str, stop: threading.Event) -> None:
        while not stop.wait(self.ttl_ms / 3000):
            try:
                if not self._renew(keys=[key], args=[token, self.ttl_ms]):
                    log.warning("lost the lock %s while holding it", key)
                    return
            except Exception as exc:  # noqa: BLE001 - a Redis hiccup must not kill the build
                log.warning("could not renew the lock %s: %r", key, exc)

    def is_held(self, name: str) -> bool:
        return bool(self.client.exists(PREFIX + name))

    def holder(self, name: str) -> str | None:
        """The token of whoever holds the lock ``name`` now."""
        value = self.client.get(PREFIX + name)
        return value.decode() if isinstance(value, bytes) else value
