"""Deadlines: one wall-clock limit over a whole HTTP exchange (connect, headers and body).

requests' timeouts bound each socket operation, not the exchange: a server that
sends one byte every half second never trips a 10 s read timeout, and holds the
thread that asked for hours. :func:`session` gives a requests session whose
connections register with the deadline of the calling thread (:func:`within`);
when it passes, a timer shuts their sockets down, so whatever read or write is
blocked returns at once and the request fails as a broken connection, which
:attr:`Deadline.expired` tells apart from one the peer broke.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

log = logging.getLogger(__name__)

_local = threading.local()


class Deadline:
    """A moment after which the connections registered with it are cut off."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.expired = False
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        """Seconds left (0 once passed)."""
        return max(0.0, self.expires - time.monotonic())

    def register(self, connection: HTTPConnection) -> None:
        """Cut ``connection`` off at the deadline (at once if it has passed).

        Raises:
            TimeoutError: the deadline has passed already.
        """
        with self._lock:
            if self.expired or not self.remaining():
                self.expired = True
                raise TimeoutError(f"the {self.seconds:g} s deadline passed")
            self._connections.append(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            connections = list(self._connections)
        for connection in connections:
            sock = connection.sock
            if sock is None:
                continue
            try:
                # Wakes a recv() blocked in another thread (close() alone would not).
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already


@contextmanager
def within(seconds: float) -> Iterator[Deadline]:
    """Requests this thread sends through a :func:`session` in the block end by ``seconds``."""
    deadline = Deadline(seconds)
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline
    deadline._timer.start()
    try:
        yield deadline
    finally:
        deadline._timer.cancel()
        _local.deadline = outer


def _register(connection: HTTPConnection) -> None:
    deadline: Deadline | None = getattr(_local, "deadline", None)
    if deadline is None:
        return
    if getattr(connection, "listen_deadline", None) is deadline:
        return  # registered when it connected
    deadline.register(connection)
    connection.listen_deadline = deadline  # type: ignore[attr-defined]
    # The connect timeout too must end by the deadline.
    if isinstance(connection.timeout, int | float):
        connection.timeout = min(connection.timeout, deadline.remaining())
    else:
        connection.timeout = deadline.remaining()


class _Deadlined(HTTPConnection):
    # Registered when it connects, and again by each request sent on it (a connection
    # reused from the pool serves the deadline of its new request).
    def connect(self) -> None:
        _register(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _Connection(_Deadlined):
    pass


class _TLSConnection(_Deadlined, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


POOLS: dict[str, Any] = {"http": _Pool, "https": _TLSPool}


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme") and not proxy.startswith("socks"):
            manager.pool_classes_by_scheme = POOLS
        return manager


def session() -> requests.Session:
    """A requests session whose requests end by the thread's :func:`within` deadline."""
    http = requests.Session()
    http.mount("http://", _Adapter())
    http.mount("https://", _Adapter())
    return http
