"""A real ``tone serve`` on a free loopback port, and a bounded load to send it.

Shared by the soak and fault tests. Only 127.0.0.1 is ever targeted.
"""

import asyncio
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

__all__ = ["LiveServer", "Load", "live_server", "percentile", "run_load"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def tree(self) -> list[psutil.Process]:
        """The supervisor and every process under it."""
        parent = psutil.Process(self.process.pid)
        return [parent, *parent.children(recursive=True)]

    def workers(self) -> list[psutil.Process]:
        """uvicorn's worker processes (spawned children serving the app)."""
        found = []
        for child in psutil.Process(self.process.pid).children():
            try:
                if "spawn_main" in " ".join(child.cmdline()):
                    found.append(child)
            except psutil.NoSuchProcess:
                continue
        return found

    def listeners(self) -> int:
        """Sockets listening on the server's port: one per worker that serves."""
        port = int(self.url.rsplit(":", 1)[1])
        return sum(
            1
            for conn in psutil.net_connections(kind="tcp")
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
        )

    def post_fresh(self, path: str, body: object) -> tuple[int | None, int, dict]:
        """POST on a new connection: (pid of the worker that answered, status, JSON).

        Each new connection is accepted by whichever worker the kernel picks
        (``SO_REUSEPORT``), so repeated calls reach every worker.
        """
        port = int(self.url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(
                "POST", path, json.dumps(body), {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            status, payload = response.status, json.loads(response.read())
            # The connection is still open (keep-alive): find who holds its far end.
            assert connection.sock is not None
            local = connection.sock.getsockname()[1]
            for worker in self.workers():
                try:
                    ends = worker.net_connections(kind="tcp")
                except psutil.NoSuchProcess:
                    continue
                if any(end.raddr and end.raddr.port == local for end in ends):
                    return worker.pid, status, payload
            return None, status, payload
        finally:
            connection.close()

    def rss_bytes(self) -> int:
        """Resident memory of the whole tree, supervisor and workers."""
        total = 0
        for proc in self.tree():
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total


def _wait_ready(server: LiveServer, timeout: float, *, workers: int) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log.read_text()[-2000:]}")
        try:
            ready = httpx.get(f"{server.url}/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            ready = False
        # Each worker listens on its own socket once its model is loaded.
        if ready and (workers == 1 or server.listeners() == workers):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server not ready in {timeout:.0f} s: {server.log.read_text()}")


@contextmanager
def live_server(
    model_dir: Path,
    log_dir: Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    ready_timeout: float = 120,
) -> Iterator[LiveServer]:
    """Run ``tone serve`` until the block ends; ready once every worker is."""
    port = _free_port()
    log_path = log_dir / f"server-{port}.log"
    environment = {
        **os.environ,
        "TONE_MODEL_DIR": str(model_dir),
        "TONE_LOG_LEVEL": "warning",
        **(env or {}),
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
        try:
            _wait_ready(server, ready_timeout, workers=workers)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@dataclass
class Load:
    """What a bounded load saw: per request kind, latencies and failures."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    # (sent, failed), in seconds since the load began, for every failure
    failure_times: list[tuple[float, float]] = field(default_factory=list)
    # when ``during`` was called, on the same clock
    during_at: float | None = None

    @property
    def requests(self) -> int:
        return sum(self.sent.values())

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``, in their unit.

    Examples
    --------
    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    >>> percentile([5.0], 99)
    5.0
    """
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# Each request kind: (weight, method path, body factory from a list of texts).
Mix = Sequence[tuple[float, str, str, Callable[[random.Random, list[str]], object]]]

DEFAULT_MIX: Mix = (
    (
        0.6,
        "single",
        "/v1/score?detail=false",
        lambda rng, texts: {"text": rng.choice(texts)},
    ),
    (
        0.25,
        "detail",
        "/v1/score",
        lambda rng, texts: {"text": rng.choice(texts), "id": "x"},
    ),
    (
        0.15,
        "batch",
        "/v1/score/batch?detail=false",
        lambda rng, texts: {"articles": [{"text": t} for t in rng.sample(texts, 8)]},
    ),
)


async def _client(
    url: str,
    texts: list[str],
    mix: Mix,
    seed: int,
    start: float,
    until: float,
    load: Load,
    http: httpx.AsyncClient,
) -> None:
    rng = random.Random(seed)
    weights = [w for w, *_ in mix]
    while time.monotonic() < until:
        _, kind, path, body = rng.choices(mix, weights=weights)[0]
        sent = time.monotonic()
        load.sent[kind] += 1
        try:
            response = await http.post(f"{url}{path}", json=body(rng, texts))
            ok = response.status_code == 200
            reason = kind if ok else f"{kind}: HTTP {response.status_code}"
        except httpx.HTTPError as error:
            ok, reason = False, f"{kind}: {error.__class__.__name__}"
        if ok:
            load.latencies.append(time.monotonic() - sent)
        else:
            load.failures[reason] += 1
            load.failure_times.append((sent - start, time.monotonic() - start))


async def _run(
    url: str,
    texts: list[str],
    seconds: float,
    clients: int,
    mix: Mix,
    during: Callable[[], None] | None,
    during_at: float,
) -> Load:
    load = Load()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        start = time.monotonic()
        until = start + seconds
        tasks = [
            asyncio.create_task(
                _client(url, texts, mix, seed, start, until, load, http)
            )
            for seed in range(clients)
        ]
        if during is not None:
            await asyncio.sleep(during_at)
            load.during_at = time.monotonic() - start
            await asyncio.to_thread(during)
        await asyncio.gather(*tasks)
        load.seconds = time.monotonic() - start
    return load


def run_load(
    url: str,
    texts: list[str],
    *,
    seconds: float,
    clients: int,
    mix: Mix = DEFAULT_MIX,
    during: Callable[[], None] | None = None,
    during_at: float = 0.0,
) -> Load:
    """``clients`` concurrent loops of requests drawn from ``mix`` for ``seconds``.

    ``during``, if given, runs once ``during_at`` seconds in, while the load goes on.
    """
    return asyncio.run(_run(url, texts, seconds, clients, mix, during, during_at))
