"""A real uvicorn server in a subprocess on a free loopback port, and the oracle."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier import ToneModel, score_text
from service.cli import app

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = {
        **os.environ,
        "TONE_MODEL_DIR": str(model_dir),
        "TONE_MAX_BODY_BYTES": "65536",
        "TONE_LOG_LEVEL": "warning",
    }
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                pytest.fail(f"server exited: {log_path.read_text()}")
            time.sleep(0.2)
        else:
            pytest.fail("server did not become ready in 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_real_server_ready_score_and_413(server: str) -> None:
    assert httpx.get(f"{server}/ready").json()["model_version"] == "test-model"
    scored = httpx.post(
        f"{server}/v1/score", json={"text": "We must act now; this is a disgrace."}
    )
    assert scored.status_code == 200 and scored.json()["label"] == "opinion"
    big = httpx.post(
        f"{server}/v1/score",
        content=b'{"text": "' + b"a" * 100_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert (big.status_code, big.json()) == (
        413,
        {"detail": "Request body exceeds the maximum of 65536 bytes"},
    )


def test_oracle_http_cli_and_python_agree(
    server: str,
    model: ToneModel,
    model_dir: Path,
    articles: pd.DataFrame,
    tmp_path: Path,
) -> None:
    """The same articles through HTTP batch, `tone batch` and the Python API agree."""
    sample = articles.sample(12, random_state=3)[["id", "text"]].reset_index(drop=True)
    http = httpx.post(
        f"{server}/v1/score/batch",
        json={"articles": sample.to_dict(orient="records")},
        timeout=60,
    ).json()["results"]
    source, output = tmp_path / "in.parquet", tmp_path / "out.parquet"
    sample.to_parquet(source)
    assert (
        CliRunner()
        .invoke(
            app, ["batch", str(source), "-o", str(output), "--model", str(model_dir)]
        )
        .exit_code
        == 0
    )
    cli = pd.read_parquet(output)
    for i, row in sample.iterrows():
        python = score_text(model, row["text"])
        assert http[i]["id"] == cli["id"][i] == row["id"]
        assert http[i]["label"] == cli["label"][i] == python.label
        assert http[i]["opinion_probability"] == pytest.approx(
            python.opinion_probability, abs=1e-12
        )
        assert cli["opinion_probability"][i] == pytest.approx(
            python.opinion_probability, abs=1e-12
        )
        assert (
            http[i]["hedging"]["score"]
            == cli["hedging_score"][i]
            == python.hedging.score
        )
