"""A token-bucket rate limit per client, as a FastAPI dependency for write endpoints.

Each client (by default its address, as uvicorn resolved it, trusting
``X-Forwarded-For`` only from ``--forwarded-allow-ips``) has a bucket of
``burst`` tokens that refills at ``per_minute`` tokens a minute. A request takes
one token; with none left it is refused with 429, a ``Retry-After`` header and a
short detail, before the endpoint runs.

Attach it to a route with ``dependencies=[WriteRateLimit]``; the app holds the
limiter in ``app.state.write_limiter`` (``create_app`` builds it from
``TONE_WRITE_RATE_PER_MINUTE``).
"""

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request

__all__ = [
    "TOO_MANY_WRITES",
    "RateLimit",
    "RateLimiter",
    "WriteRateLimit",
    "client_address",
]

TOO_MANY_WRITES = "Too many write requests; retry later"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by client, safe to share between threads.

    Parameters
    ----------
    per_minute : int
        Tokens each bucket regains per minute.
    burst : int, optional
        Bucket size: requests a rested client may make at once [default:
        ``per_minute``].
    max_clients : int, default 10_000
        Buckets kept; past that the least recently seen is dropped, so memory
        stays bounded whatever the number of addresses.
    clock : callable, default time.monotonic
        Seconds, for tests.

    Examples
    --------
    >>> now = [0.0]
    >>> limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    >>> [limiter.acquire("a"), limiter.acquire("a"), limiter.acquire("a")]
    [0.0, 0.0, 1.0]
    >>> limiter.acquire("b")
    0.0
    >>> now[0] = 1.0
    >>> limiter.acquire("a")
    0.0
    """

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int | None = None,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError(
                f"per_minute must be an int of at least 1. Got {per_minute} instead."
            )
        burst = per_minute if burst is None else burst
        if burst < 1:
            raise ValueError(
                f"burst must be an int of at least 1. Got {burst} instead."
            )
        self.per_second = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take a token for ``key``: 0.0 if granted, else seconds until one is due."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.burst, now)
                if len(self._buckets) > self.max_clients:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key)
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(
                    self.burst, bucket.tokens + elapsed * self.per_second
                )
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.per_second

    def __len__(self) -> int:
        return len(self._buckets)


def client_address(request: Request) -> str:
    """The client's address as the server resolved it (proxy headers included)."""
    return request.client.host if request.client else "unknown"


class RateLimit:
    """A dependency that refuses a request with 429 when its client's bucket is empty.

    Parameters
    ----------
    key : callable, default client_address
        Maps a request to the client it counts against.
    state_name : str, default "write_limiter"
        The :class:`RateLimiter` in ``app.state`` to draw from.
    """

    def __init__(
        self,
        *,
        key: Callable[[Request], str] = client_address,
        state_name: str = "write_limiter",
    ) -> None:
        self.key = key
        self.state_name = state_name

    def __call__(self, request: Request) -> None:
        limiter: RateLimiter = getattr(request.app.state, self.state_name)
        wait = limiter.acquire(self.key(request))
        if wait > 0:
            raise HTTPException(
                status_code=429,
                detail=TOO_MANY_WRITES,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )


#: ``dependencies=[WriteRateLimit]`` on a write route.
WriteRateLimit = Depends(RateLimit())
