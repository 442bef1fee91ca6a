"""Faults: a worker SIGKILLed under load, and a model file corrupted on disk."""

import logging
import os
import re
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pandas as pd
import pytest
import skops.io as sio
from fastapi.testclient import TestClient

from classifier import ModelFileError, load_model
from service.main import create_app
from service.settings import Settings
from tests.conftest import OPINION_TEXT
from tests.service.live import live_server, run_load

CLIENTS = 16


@pytest.mark.slow
def test_sigkill_of_one_worker_under_load(
    model_dir: Path,
    articles: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """uvicorn's supervisor replaces the worker; only requests at the kill fail."""
    texts = list(articles["text"])
    env = {"TONE_LOG_LEVEL": "info"}
    with live_server(model_dir, tmp_path, workers=2, env=env) as server:
        before = {worker.pid for worker in server.workers()}
        victim = min(before)
        killed: list[float] = []

        def kill() -> None:
            killed.append(time.monotonic())
            os.kill(victim, signal.SIGKILL)

        load = run_load(
            server.url, texts, seconds=12, clients=CLIENTS, during=kill, during_at=4
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            after = {worker.pid for worker in server.workers()}
            if len(after) == 2 and victim not in after:
                break
            time.sleep(0.1)
        replaced = time.monotonic() - killed[0]
        kill_at = load.during_at or 0.0
        # Every client again, on both workers: nothing fails once it is replaced.
        clean = run_load(server.url, texts, seconds=6, clients=CLIENTS)
        after = {worker.pid for worker in server.workers()}
    with capsys.disabled():
        print(
            f"\nSIGKILL of 1 of 2 workers under {CLIENTS} clients: {load.requests} "
            f"requests, {load.errors} failed ({dict(load.failures)}), sent/failed at "
            + ", ".join(f"{s:.1f}/{f:.1f}" for s, f in load.failure_times)
            + f" s (kill at {kill_at:.1f} s); replacement worker seen "
            f"{replaced:.1f} s after the kill (looked for after the load); "
            f"then {clean.requests} requests, {clean.errors} failed"
        )
    assert len(after) == 2 and victim not in after and len(after & before) == 1
    # Only at the kill: none fails before it, all within 5 s after it. Each client
    # has one request in flight, and each worker its own listener, so what fails
    # is the in-flight request and, at most, the client's retry if it connected to
    # the dying worker's listener before the kernel closed it (17 of 16 seen).
    assert load.errors <= 2 * CLIENTS
    assert all(kill_at <= failed <= kill_at + 5 for _, failed in load.failure_times)
    assert clean.errors == 0 and clean.requests > 0
    # Looked for only once the load has ended, 8 s after the kill; a supervisor
    # that waits out its 30 s ping timeout on the dead worker shows here.
    assert replaced < 15


@pytest.mark.slow
def test_worker_restarted_on_a_corrupted_file_serves_503_not_garbage(
    model_dir: Path,
    articles: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The known limit: a replacement worker cannot load a damaged file.

    The surviving worker keeps its model; the replacement answers 503 ``Model not
    loaded`` (so a proxy's ``/ready`` check takes it out), never a 500 or a score.
    """
    served = shutil.copytree(model_dir, tmp_path / "served")
    texts = list(articles["text"])
    with live_server(served, tmp_path, workers=2) as server:
        victim = min(worker.pid for worker in server.workers())
        _truncate(served)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pids = {worker.pid for worker in server.workers()}
            if len(pids) == 2 and victim not in pids:
                break
            time.sleep(0.1)
        time.sleep(3)  # the replacement's lifespan has tried, and failed, to load
        load = run_load(server.url, texts, seconds=5, clients=CLIENTS)
        # The load's keep-alive connections may all have landed on one worker (the
        # workers share one listening socket, and the idle one accepts first; seen
        # in CI: every request went to the replacement). New connections, one per
        # probe, land on either worker, so the survivor is checked with them.
        probes = Counter()
        for text in texts[:60]:
            scored = httpx.post(
                f"{server.url}/v1/score?detail=false", json={"text": text}, timeout=30
            )
            probes[(scored.status_code, scored.json().get("detail"))] += 1
        log = server.log.read_text()
    with capsys.disabled():
        print(
            f"\ncorrupted file, then SIGKILL of 1 of 2 workers: {load.requests} "
            f"requests, {load.requests - load.errors} scored, refused: "
            f"{dict(load.failures)}; 60 scores on new connections: {dict(probes)}"
        )
    assert all(reason.endswith("HTTP 503") for reason in load.failures)
    assert (200, None) in probes  # the survivor still scores
    assert set(probes) <= {(200, None), (503, "Model not loaded")}
    assert "no model loaded: The model in" in log and "is damaged" in log


def _truncate(path: Path) -> None:
    data = (path / "model.skops").read_bytes()
    (path / "model.skops").write_bytes(data[: len(data) // 2])


def _flip_bytes(path: Path) -> None:
    data = bytearray((path / "model.skops").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    (path / "model.skops").write_bytes(bytes(data))


def _empty(path: Path) -> None:
    (path / "model.skops").write_bytes(b"")


def _hostile(path: Path) -> None:
    sio.dump({"payload": Path("/etc/passwd")}, path / "model.skops")


def _bad_metadata(path: Path) -> None:
    (path / "metadata.json").write_text("{not json", encoding="utf-8")


def _deleted(path: Path) -> None:
    (path / "model.skops").unlink()


CORRUPTIONS = [
    pytest.param(_truncate, "is damaged (BadZipFile)", id="truncated"),
    pytest.param(_flip_bytes, "is damaged (BadZipFile)", id="bytes-flipped"),
    pytest.param(_empty, "is damaged (BadZipFile)", id="empty"),
    pytest.param(_hostile, "holds types tone does not trust", id="untrusted-type"),
    pytest.param(_bad_metadata, "is damaged (JSONDecodeError)", id="bad-metadata"),
    pytest.param(_deleted, "model.skops is missing", id="deleted"),
]


@pytest.mark.parametrize(("corrupt", "message"), CORRUPTIONS)
def test_corrupted_model_is_refused_and_the_loaded_one_kept(
    model_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    corrupt: Callable[[Path], None],
    message: str,
) -> None:
    served = shutil.copytree(model_dir, tmp_path / "served")
    with TestClient(create_app(Settings(model_dir=served))) as client:
        before = client.post("/v1/score", json={"text": OPINION_TEXT}).json()
        corrupt(served)
        after = client.post("/v1/score", json={"text": OPINION_TEXT})
        assert after.status_code == 200 and after.json() == before
        assert client.get("/v1/model").json()["version"] == "test-model"
    with pytest.raises(ModelFileError, match=re.escape(message)) as refused:
        load_model(served)
    assert len(str(refused.value).splitlines()) == 1
    # A process starting on the damaged file serves nothing rather than garbage.
    with (
        caplog.at_level(logging.ERROR, logger="tone.service"),
        TestClient(create_app(Settings(model_dir=served))) as fresh,
    ):
        ready = fresh.get("/ready")
        scored = fresh.post("/v1/score", json={"text": OPINION_TEXT})
    assert (ready.status_code, ready.json()) == (503, {"detail": "Model not loaded"})
    assert (scored.status_code, scored.json()) == (
        503,
        {"detail": "Model not loaded"},
    )
    assert f"no model loaded: {refused.value}" in caplog.text


def test_serve_passes_its_timeouts_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn's 5 s health ping killed starting workers in a loop, and its 5 s
    keep-alive reset a request now and then under load."""
    import uvicorn
    from typer.testing import CliRunner

    import service.workers
    from service.cli import app

    seen: dict[str, uvicorn.Config] = {}

    def run(server: uvicorn.Server) -> None:
        seen["single"] = server.config
        server.started = True

    monkeypatch.setattr(
        service.workers, "serve_workers", lambda config: seen.update(workers=config)
    )
    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setenv("TONE_WORKER_HEALTHCHECK_SECONDS", "45")
    monkeypatch.setenv("TONE_KEEP_ALIVE_SECONDS", "90")
    assert CliRunner().invoke(app, ["serve", "--workers", "2"]).exit_code == 0
    config = seen["workers"]
    assert (config.workers, config.timeout_worker_healthcheck) == (2, 45)
    assert config.timeout_keep_alive == 90
    monkeypatch.delenv("TONE_WORKER_HEALTHCHECK_SECONDS")
    monkeypatch.delenv("TONE_KEEP_ALIVE_SECONDS")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert seen["single"].timeout_worker_healthcheck == 30
    # Longer than a load balancer's usual 60 s idle timeout (uvicorn's own is 5 s).
    assert seen["single"].timeout_keep_alive == 65
