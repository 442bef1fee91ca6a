"""Bounded HTTP load against a real tone server on 127.0.0.1.

Usage: python benchmarks/http_load.py [--seconds 10] [--workers 2] [--model DIR]

Starts ``tone serve`` in its own process on a free loopback port, then sends
~800-word articles from this process at concurrency 1, 16 and 64 to the single
endpoint (with and without detail) and the batch endpoint (16 articles a
request). Each run stops after ``--seconds``. Prints requests/s, p50/p95/p99
latency, errors and CPU time per request (server and client), plus the server's
peak resident memory (all its processes),
and writes ``reports/http_load.md``. Traffic never leaves the loopback interface.
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
from _report import publish  # benchmarks/, the script's own folder

from training.corpus import load_articles


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listeners(port: int) -> int:
    """Sockets listening on PORT: one per server worker that serves."""
    return sum(
        1
        for conn in psutil.net_connections(kind="tcp")
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
    )


def articles_of(words: int = 800) -> list[str]:
    texts = list(load_articles()["text"])
    out, current = [], []
    for text in texts:
        current.append(text)
        if sum(len(t.split()) for t in current) >= words:
            out.append("\n\n".join(current))
            current = []
    return out


def tree_peak_rss_kib(pid: int) -> int:
    """Sum of VmHWM over the server process and its children (Linux /proc)."""
    pids, total = [pid], 0
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(
                next(
                    line.split()[1]
                    for line in status.splitlines()
                    if line.startswith("VmHWM")
                )
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process and its children (Linux /proc).

    Unlike requests/s, this barely moves when other work shares the machine, so
    it is the figure to compare between runs.
    """
    pids, total = [pid], 0.0
    tick = os.sysconf("SC_CLK_TCK")
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime, and the same for children already waited for.
            total += sum(int(f) for f in fields[11:15]) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


async def load(url: str, bodies: list[dict], concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: Counter[str] = Counter()  # status code or exception class -> count
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency
    )
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker(k: int) -> None:
            i = k
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    response = await client.post(url, json=bodies[i % len(bodies)])
                    if response.status_code != 200:
                        errors[str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    errors[type(error).__name__] += 1
                latencies.append(time.perf_counter() - start)
                i += concurrency

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("TONE_MODEL_DIR", "models/default")),
    )
    parser.add_argument("--output", type=Path, default=Path("reports/http_load.md"))
    args = parser.parse_args()

    port = free_port()
    env = {**os.environ, "TONE_MODEL_DIR": str(args.model), "TONE_LOG_LEVEL": "warning"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                # Each worker listens on its own socket once its model is loaded:
                # load sent before all listen would miss the late ones.
                ready = httpx.get(f"{base}/ready", timeout=1).status_code == 200
                if ready and listeners(port) == args.workers:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            print("server did not become ready", file=sys.stderr)
            return 1
        texts = articles_of()
        words = statistics.median(len(t.split()) for t in texts)
        single = [{"text": t} for t in texts]
        batch = [
            {"articles": [{"text": t} for t in texts[i : i + 16]]}
            for i in range(0, len(texts) - 16, 16)
        ]
        scenarios = [
            ("POST /v1/score?detail=false", f"{base}/v1/score?detail=false", single),
            ("POST /v1/score (detail)", f"{base}/v1/score", single),
            (
                "POST /v1/score/batch?detail=false (16 articles)",
                f"{base}/v1/score/batch?detail=false",
                batch,
            ),
        ]
        asyncio.run(load(scenarios[0][1], single, 4, 2.0))  # warm-up
        rows = []
        for name, url, bodies in scenarios:
            for concurrency in args.concurrency:
                cpu = tree_cpu_seconds(server.pid)
                client = time.process_time()
                result = asyncio.run(load(url, bodies, concurrency, args.seconds))
                result["server_cpu_ms"] = (
                    (tree_cpu_seconds(server.pid) - cpu) * 1000 / result["requests"]
                )
                result["client_cpu_ms"] = (
                    (time.process_time() - client) * 1000 / result["requests"]
                )
                rows.append((name, concurrency, result))
                print(
                    name,
                    concurrency,
                    {
                        k: round(v, 1) if isinstance(v, float) else v
                        for k, v in result.items()
                    },
                    flush=True,
                )
        rss = tree_peak_rss_kib(server.pid) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)

    lines = [
        "# HTTP load",
        "",
        f"Server: `tone serve --workers {args.workers}` on 127.0.0.1; client: httpx "
        f"(asyncio) in a separate process on the same {os.cpu_count()}-core machine. "
        f"Articles: median {words:.0f} words. {args.seconds:.0f} s per row. "
        f"Server peak RSS (all processes): {rss:.0f} MiB.",
        "",
        "Server CPU is user + system time of all server processes per request; "
        "client CPU is the load generator's, on the same cores.",
        "",
        "| endpoint | concurrency | requests | errors | req/s "
        "| p50 ms | p95 ms | p99 ms | server CPU ms/req | client CPU ms/req |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, concurrency, r in rows:
        kinds = ", ".join(f"{n} {kind}" for kind, n in r["error_kinds"].items())
        errors = f"{r['errors']} ({kinds})" if kinds else "0"
        lines.append(
            f"| {name} | {concurrency} | {r['requests']} | {errors} "
            f"| {r['rps']:.0f} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
            f"| {r['server_cpu_ms']:.2f} | {r['client_cpu_ms']:.2f} |"
        )
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
