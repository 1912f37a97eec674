"""The process-wide request budget."""

from __future__ import annotations

from listen.engines.gtts.ratelimit import TokenBucket, bucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_burst_then_rate():
    clock = Clock()
    b = TokenBucket(rate=10, burst=3, clock=clock.time, sleep=clock.sleep)
    waits = [b.acquire() for _ in range(6)]
    assert waits[:3] == [0, 0, 0]  # the burst
    assert [round(w, 3) for w in waits[3:]] == [0.1, 0.1, 0.1]  # then 10 a second
    assert round(clock.now, 3) == 0.3


def test_tokens_refill_while_idle():
    clock = Clock()
    b = TokenBucket(rate=2, burst=2, clock=clock.time, sleep=clock.sleep)
    b.acquire(), b.acquire()
    clock.now += 5  # idle: the bucket refills, but only up to the burst
    assert [b.acquire() for _ in range(3)][:2] == [0, 0]
    assert clock.slept == [0.5]


def test_zero_rate_is_unlimited_and_buckets_are_shared_by_name():
    assert TokenBucket(rate=0, burst=1).acquire() == 0
    assert bucket("x", 5, 2) is bucket("x", 5, 2)
