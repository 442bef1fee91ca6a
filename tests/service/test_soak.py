"""Soak: a real two-worker server on 127.0.0.1 under 32 concurrent clients.

The mix is 60 % single articles without detail, 25 % with full detail and 15 %
batches of 8. It runs ``TONE_SOAK_SECONDS`` (default 60) after a warm-up of
``TONE_SOAK_WARMUP`` seconds (default 10) at the same load. It checks zero errors
and that the server's resident memory (supervisor and workers) after the soak is
within 10 % of what it was after the warm-up, and prints the figures.
"""

import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from tests.service.live import live_server, run_load

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("TONE_SOAK_SECONDS", "60"))
WARMUP = float(os.environ.get("TONE_SOAK_WARMUP", "10"))
CLIENTS = int(os.environ.get("TONE_SOAK_CLIENTS", "32"))
MiB = 1024 * 1024


def test_soak_zero_errors_and_flat_memory(
    model_dir: Path,
    articles: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    texts = list(articles["text"])
    with live_server(model_dir, tmp_path, workers=2) as server:
        warm = run_load(server.url, texts, seconds=WARMUP, clients=CLIENTS)
        rss_warm = server.rss_bytes()
        samples: list[int] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(SECONDS / 10):
                samples.append(server.rss_bytes())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        soak = run_load(server.url, texts, seconds=SECONDS, clients=CLIENTS)
        stop.set()
        sampler.join()
        rss_after = server.rss_bytes()
    growth = rss_after / rss_warm - 1
    with capsys.disabled():
        print(
            f"\nsoak: {SECONDS:.0f} s, {CLIENTS} clients, 2 workers: "
            f"{soak.requests} requests ({dict(soak.sent)}), "
            f"{soak.requests / soak.seconds:.1f} req/s, errors {soak.errors}, "
            f"p50 {soak.p(50) * 1000:.0f} ms, p99 {soak.p(99) * 1000:.0f} ms, "
            f"max {max(soak.latencies) * 1000:.0f} ms; "
            f"RSS after warm-up ({warm.requests} requests) {rss_warm / MiB:.0f} MiB, "
            f"after soak {rss_after / MiB:.0f} MiB ({growth:+.1%}); during: "
            + ", ".join(f"{rss / MiB:.0f}" for rss in samples)
        )
    assert warm.errors == 0 and soak.errors == 0, dict(soak.failures)
    assert soak.requests > CLIENTS and set(soak.sent) == {"single", "detail", "batch"}
    assert growth <= 0.10
