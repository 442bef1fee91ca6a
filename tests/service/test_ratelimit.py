"""The write rate limit: token buckets, and the dependency on a tiny app."""

import threading
from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from service.main import create_app
from service.ratelimit import (
    TOO_MANY_WRITES,
    RateLimit,
    RateLimiter,
    WriteRateLimit,
)
from service.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tiny(clock: Clock) -> Iterator[TestClient]:
    """A write endpoint limited to 6 a minute with a burst of 2, and a free read."""
    app = FastAPI()
    app.state.write_limiter = RateLimiter(per_minute=6, burst=2, clock=clock)

    @app.post("/labels", dependencies=[WriteRateLimit])
    def write() -> dict[str, str]:
        return {"status": "stored"}

    @app.get("/labels")
    def read() -> dict[str, str]:
        return {"status": "read"}

    with TestClient(app) as client:
        yield client


def test_burst_then_429_with_retry_after(tiny: TestClient, clock: Clock) -> None:
    assert [tiny.post("/labels").status_code for _ in range(2)] == [200, 200]
    refused = tiny.post("/labels")
    assert (refused.status_code, refused.json()) == (429, {"detail": TOO_MANY_WRITES})
    assert refused.headers["retry-after"] == "10"  # 6 a minute: one token per 10 s
    assert tiny.get("/labels").status_code == 200  # reads are not limited
    clock.now += 9.0
    assert tiny.post("/labels").headers["retry-after"] == "1"
    clock.now += 1.0
    assert tiny.post("/labels").status_code == 200


def test_refill_never_exceeds_the_burst(tiny: TestClient, clock: Clock) -> None:
    clock.now += 3600
    statuses = [tiny.post("/labels").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_clients_have_their_own_buckets(clock: Clock) -> None:
    app = FastAPI()
    app.state.write_limiter = RateLimiter(per_minute=1, clock=clock)
    by_header = RateLimit(key=lambda request: request.headers.get("x-client", "-"))

    @app.post("/write", dependencies=[Depends(by_header)])
    def write() -> dict[str, str]:
        return {"status": "stored"}

    with TestClient(app) as client:
        codes = [
            client.post("/write", headers={"x-client": name}).status_code
            for name in ("a", "b", "a", "b", "c")
        ]
    assert codes == [200, 200, 429, 429, 200]


def test_buckets_are_bounded(clock: Clock) -> None:
    limiter = RateLimiter(per_minute=1, max_clients=3, clock=clock)
    for n in range(10):
        assert limiter.acquire(f"client-{n}") == 0.0
    assert len(limiter) == 3


def test_concurrent_takes_never_overdraw(clock: Clock) -> None:
    limiter = RateLimiter(per_minute=60, burst=50, clock=clock)
    granted: list[float] = []

    def take() -> None:
        for _ in range(25):
            granted.append(limiter.acquire("shared"))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 200 and granted.count(0.0) == 50


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"per_minute": 0},
            "per_minute must be an int of at least 1. Got 0 instead.",
            id="rate",
        ),
        pytest.param(
            {"per_minute": 5, "burst": 0},
            "burst must be an int of at least 1. Got 0 instead.",
            id="burst",
        ),
    ],
)
def test_bad_limits_are_refused(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RateLimiter(**kwargs)


def test_create_app_builds_the_limiter_from_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TONE_WRITE_RATE_PER_MINUTE", "12")
    limiter = create_app(Settings()).state.write_limiter
    assert isinstance(limiter, RateLimiter)
    assert (limiter.per_second, limiter.burst) == (0.2, 12.0)
