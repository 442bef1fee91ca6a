"""The Dask engine on a local 2-worker cluster on loopback: same rows as local."""

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from service.batch import score_file
from service.cli import app
from tests.conftest import OPINION_TEXT, REPORTING_TEXT
from training.exceptions import InputFileError

distributed = pytest.importorskip("distributed")
from service.dask_batch import score_file_with_dask  # noqa: E402

pytestmark = pytest.mark.slow

FRAME = pd.DataFrame(
    {
        "id": [f"r{i}" for i in range(12)],
        "text": [OPINION_TEXT, REPORTING_TEXT, "", OPINION_TEXT + " Indeed.", "  "]
        + [REPORTING_TEXT + f" Item {i}." for i in range(7)],
        "title": ["Shameful", None, "", "A disgrace", "x"]
        + [f"Item {i}" for i in range(7)],
    }
)
WRITERS = {
    ".csv": lambda f, p: f.to_csv(p, index=False),
    ".jsonl": lambda f, p: f.to_json(p, orient="records", lines=True),
    ".parquet": lambda f, p: f.to_parquet(p),
}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def local_output(source: Path, tmp_path: Path, model_dir: Path) -> pd.DataFrame:
    out = tmp_path / "local.parquet"
    score_file(source, out, model_dir)
    return pd.read_parquet(out)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_dask_matches_local_engine(
    scheduler: str, model_dir: Path, tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"in{suffix}"
    WRITERS[suffix](FRAME, source)
    out = tmp_path / "dask_out"
    summary = score_file_with_dask(
        str(source), out, model_dir, scheduler=scheduler, partitions=3
    )
    assert summary == {"rows": 12, "scored": 10, "failed": 2}
    dask_rows = pd.read_parquet(out).reset_index(drop=True)
    pd.testing.assert_frame_equal(dask_rows, local_output(source, tmp_path, model_dir))
    assert dask_rows.loc[2, "error"] == "text is empty"


def test_dask_reads_jsonl_as_the_local_engine_does(
    scheduler: str, model_dir: Path, tmp_path: Path
) -> None:
    # Through tone's own line reader: a byte-order mark, and half an emoji.
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b"\xef\xbb\xbf"
        + b'{"id": "a", "text": "We should act \\udc00 now, and we must."}\n'
        + b'{"id": "b", "text": "Officials said it rained."}\n'
    )
    out = tmp_path / "dask_out"
    summary = score_file_with_dask(str(source), out, model_dir, scheduler=scheduler)
    assert summary == {"rows": 2, "scored": 2, "failed": 0}
    dask_rows = pd.read_parquet(out).reset_index(drop=True)
    pd.testing.assert_frame_equal(dask_rows, local_output(source, tmp_path, model_dir))


def _model_loads() -> int:
    from service.batch import _model

    return _model.cache_info().misses


def test_model_loaded_once_per_worker_process(
    scheduler: str, model_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.parquet"
    pd.concat([FRAME] * 4, ignore_index=True).to_parquet(source)
    with distributed.Client(scheduler) as client:
        client.run(lambda: __import__("service.batch").batch._model.cache_clear())
        score_file_with_dask(
            str(source), tmp_path / "o", model_dir, scheduler=scheduler, partitions=8
        )
        loads = client.run(_model_loads)
    # 8 partitions over 2 workers; each worker that scored loaded the model once.
    assert sorted(loads.values()) in ([1, 1], [0, 1])


def test_directory_of_parts_and_glob(
    scheduler: str, model_dir: Path, tmp_path: Path
) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    for k in range(3):
        FRAME.iloc[k * 4 : (k + 1) * 4].to_parquet(parts / f"part-{k}.parquet")
    for source in (str(parts), str(parts / "part-*.parquet")):
        out = tmp_path / "out.csv"
        summary = score_file_with_dask(source, out, model_dir, scheduler=scheduler)
        assert summary["rows"] == 12
        assert list(pd.read_csv(out)["id"]) == list(FRAME["id"])


def _dask_cli(model_dir: Path, source: Path, output: Path, *extra: str) -> Result:
    """``tone batch SOURCE -o OUTPUT --engine dask`` through the CLI runner."""
    command = ["batch", str(source), "-o", str(output), "--engine", "dask"]
    return CliRunner().invoke(app, [*command, *extra, "--model", str(model_dir)])


def test_cli_missing_column_fails_fast(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    FRAME.rename(columns={"text": "body"}).to_csv(source, index=False)
    result = _dask_cli(model_dir, source, tmp_path / "o")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "tone: error: column 'text' not found; the input has id, body, title"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--engine", "spark"], "unknown engine 'spark'", id="engine"),
        pytest.param(["--partitions", "4"], "need --engine dask", id="local-flags"),
    ],
)
def test_cli_engine_options(
    model_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    source = tmp_path / "in.csv"
    FRAME.to_csv(source, index=False)
    result = CliRunner().invoke(
        app,
        [
            "batch",
            str(source),
            "-o",
            str(tmp_path / "o.csv"),
            "--model",
            str(model_dir),
            *args,
        ],
    )
    assert result.exit_code == 1 and message in result.stderr


def test_no_input_is_one_clear_error(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such file, glob match"):
        score_file_with_dask(str(tmp_path / "none*.csv"), tmp_path / "o", model_dir)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "in.jsonl",
            b'{"id": "1", "text": "ok"}\n{not json\n',
            "in.jsonl: line 2 is not valid JSON",
            id="broken-jsonl",
        ),
        pytest.param(
            "in.csv",
            "id,text\n1,caf\u00e9\n".encode("latin-1"),
            "in.csv: not UTF-8 text (unexpected end of data); save it as UTF-8",
            id="latin-1-csv",
        ),
    ],
)
def test_cli_unreadable_part_is_the_local_engines_one_line(
    model_dir: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    result = _dask_cli(model_dir, source, tmp_path / "o", "--workers", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip().startswith("tone: error: ")
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_jsonl_output_is_refused_in_one_line(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    FRAME.to_csv(source, index=False)
    with pytest.raises(InputFileError, match="writes a directory of Parquet parts"):
        score_file_with_dask(str(source), tmp_path / "out.jsonl", model_dir)
    assert not (tmp_path / "out.jsonl").exists()
