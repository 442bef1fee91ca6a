"""End to end on loopback: labels in, retrain, every worker swaps, zero errors."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.service.live import live_server

pytestmark = pytest.mark.slow

KEY = "e2e-key-" + "0" * 24
AUTH = {"X-API-Key": KEY}
TEXT = "The council voted on Tuesday to close the bridge, officials said."


def _label(writer: int, i: int) -> dict[str, str]:
    n = writer * 1_000 + i
    if n % 2:
        text = f"Officials said item {n} would reopen in May, according to a statement."
        return {"text": text, "label": "reporting"}
    return {
        "text": f"Reopening item {n} is folly, and we should say so.",
        "label": "opinion",
    }


def test_labels_retrain_and_hot_swap_under_load(
    registry_dir: Path, small_labels: Path, tmp_path: Path
) -> None:
    env = {
        "TONE_DATA_DIR": str(tmp_path / "data"),
        "TONE_LABELS_FILE": str(small_labels),
        "TONE_RETRAIN_FOLDS": "2",
        "TONE_RETRAIN_CORPORA": "[]",
        "TONE_WRITE_ENDPOINTS": "1",
        "TONE_API_KEY": KEY,
        "TONE_RELOAD_INTERVAL": "0.5",
        # 20 writers on one loopback address: far above the default write limit.
        "TONE_WRITE_RATE_PER_MINUTE": "100000",
    }
    seen: list[tuple[int, str | None]] = []
    latency: list[float] = []
    stop = threading.Event()

    def keep_scoring() -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set():
                try:
                    sent = time.perf_counter()
                    r = client.post("/v1/score?detail=false", json={"text": TEXT})
                    latency.append(time.perf_counter() - sent)
                    version = r.json().get("model_version") if r.is_success else None
                    seen.append((r.status_code, version))
                except httpx.HTTPError as error:
                    seen.append((0, type(error).__name__))
                # A steady client, not a flood: it should not starve the trainer.
                time.sleep(0.01)

    with live_server(registry_dir, tmp_path, workers=2, env=env) as live:
        url = live.url
        client_thread = threading.Thread(target=keep_scoring)
        client_thread.start()

        try:
            # 20 concurrent writers, 1,000 distinct labels, across both workers.
            def write(writer: int) -> int:
                added = 0
                with httpx.Client(base_url=url, timeout=60, headers=AUTH) as c:
                    for start in range(0, 50, 10):
                        batch = [_label(writer, i) for i in range(start, start + 10)]
                        r = c.post("/v1/labels", json={"labels": batch})
                        assert r.status_code == 200, r.text
                        added += r.json()["added"]
                return added

            began = time.monotonic()
            with ThreadPoolExecutor(max_workers=20) as pool:
                assert sum(pool.map(write, range(20))) == 1_000
            assert (
                httpx.get(f"{url}/v1/labels/stats", headers=AUTH).json()["labels"]
                == 1_000
            )
            print(f"1,000 labels by 20 writers in {time.monotonic() - began:.1f} s")
            began = time.monotonic()

            started = httpx.post(
                f"{url}/v1/retrain", json={"force": True}, headers=AUTH, timeout=30
            )
            assert started.status_code == 202, started.text
            job_id = started.json()["job_id"]
            deadline = time.monotonic() + 180
            while True:
                job = httpx.get(
                    f"{url}/v1/jobs/{job_id}", headers=AUTH, timeout=30
                ).json()
                if job["state"] in {"succeeded", "failed"}:
                    break
                assert time.monotonic() < deadline, f"retrain not done: {job}"
                time.sleep(0.5)
            assert job["state"] == "succeeded", job
            print(f"retrain job {time.monotonic() - began:.1f} s")
            assert job["result"]["training"]["stored_labels"] == 1_000
            new = job["result"]["candidate"]

            # The worker follows CURRENT: it checks every 0.5 s, then loads the
            # candidate off the request path (a few seconds on a loaded 2-core
            # machine), and from then on serves nothing else.
            promoted = time.monotonic()
            while not (seen and seen[-1][1] == new):
                assert time.monotonic() - promoted < 30, "CURRENT not followed in 30 s"
                time.sleep(0.1)
            print(f"new version served {time.monotonic() - promoted:.1f} s after")
            mark = len(seen)
            time.sleep(2)

            # Every worker swaps: the steady client above keeps one connection,
            # so one worker. New connections land on any worker; open them
            # until each worker has answered, and every answer is the new version.
            answers: dict[int | None, set[str]] = {}
            for _ in range(100):
                pid, status, body = live.post_fresh(
                    "/v1/score?detail=false", {"text": TEXT}
                )
                assert status == 200, body
                answers.setdefault(pid, set()).add(body["model_version"])
                if len(answers) == 2:
                    break
            print(f"fresh connections: {answers}")
            assert set(answers) == {worker.pid for worker in live.workers()}
            assert all(versions == {new} for versions in answers.values()), answers
        finally:
            stop.set()
            client_thread.join(timeout=60)
    statuses = Counter(status for status, _ in seen)
    versions = Counter(version for _, version in seen)
    print(
        f"responses {len(seen)}, statuses {dict(statuses)}, versions {dict(versions)}"
    )
    assert statuses == {200: len(seen)}, statuses  # zero errors
    assert versions["test-model"] > 0 and versions[new] > 0
    assert {version for _, version in seen[mark:]} == {new}
    # Latency around the swap against before it, for the record (not a gate:
    # the machine is shared).
    first_new = next(i for i, (_, v) in enumerate(seen) if v == new)
    for name, part in (
        ("before the swap", latency[: max(first_new - 100, 1)]),
        ("around the swap", latency[max(first_new - 100, 0) : first_new + 100]),
    ):
        ms = sorted(1000 * x for x in part)
        print(
            f"{name}: n={len(ms)} p50={ms[len(ms) // 2]:.1f} ms "
            f"p99={ms[int(len(ms) * 0.99)]:.1f} ms max={ms[-1]:.1f} ms"
        )
