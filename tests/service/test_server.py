"""A real uvicorn server in a subprocess on a free loopback port, and the oracle."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier import ToneModel, score_text
from service.cli import app
from tests.service.live import live_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "TONE_MAX_BODY_BYTES": "65536",
    }
    with live_server(model_dir, tmp_path_factory.mktemp("server"), env=env) as live:
        yield live.url


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
