import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.conftest import OPINION_TEXT, REPORTING_TEXT

runner = CliRunner()


def run(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_score_argument(model_dir: Path) -> None:
    result = run("score", OPINION_TEXT, "--model", str(model_dir))
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["label"] == "opinion" and "sentences" not in body


def test_score_stdin_and_detail(model_dir: Path) -> None:
    result = run(
        "score", "-", "--detail", "--model", str(model_dir), stdin=REPORTING_TEXT
    )
    body = json.loads(result.stdout)
    assert (
        body["label"] == "reporting" and body["sentences"] and body["hedging"]["cues"]
    )


def test_score_file(model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(OPINION_TEXT, encoding="utf-8")
    assert (
        json.loads(run("score", "--file", str(path), "--model", str(model_dir)).stdout)[
            "label"
        ]
        == "opinion"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["score", "   "],
            "tone: error: Cannot score this text: text is empty.",
            id="empty",
        ),
        pytest.param(
            ["score"], "tone: error: give the text as an argument", id="no-text"
        ),
        pytest.param(
            ["score", "--file", "/nonexistent/x.txt"],
            "tone: error: cannot read /nonexistent/x.txt",
            id="missing-file",
        ),
    ],
)
def test_score_errors_are_one_line(
    model_dir: Path, args: list[str], message: str
) -> None:
    result = run(*args, "--model", str(model_dir))
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_model_is_one_line(tmp_path: Path) -> None:
    result = run("score", "text", "--model", str(tmp_path))
    assert result.exit_code == 1 and "Build one with `tone train`" in result.stderr


FRAME = pd.DataFrame(
    {"id": ["a", "b", "c", "d"], "text": [OPINION_TEXT, "", REPORTING_TEXT, "   "]}
)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_batch_formats_and_bad_rows(
    model_dir: Path, tmp_path: Path, suffix: str
) -> None:
    source = tmp_path / f"in{suffix}"
    {
        ".csv": lambda p: FRAME.to_csv(p, index=False),
        ".jsonl": lambda p: FRAME.to_json(p, orient="records", lines=True),
        ".parquet": lambda p: FRAME.to_parquet(p),
    }[suffix](source)
    output = tmp_path / f"out{suffix}"
    result = run(
        "batch",
        str(source),
        "-o",
        str(output),
        "--model",
        str(model_dir),
        "--chunk-rows",
        "3",
    )
    assert result.exit_code == 0, result.output
    assert "scored 2 of 4 rows (2 with errors)" in result.stderr
    out = {
        ".csv": pd.read_csv,
        ".jsonl": lambda p: pd.read_json(p, lines=True, dtype={"id": str}),
        ".parquet": pd.read_parquet,
    }[suffix](output)
    assert list(out["id"]) == ["a", "b", "c", "d"]
    assert list(out["label"].fillna("-")) == ["opinion", "-", "reporting", "-"]
    assert list(out["error"].fillna("-")) == [
        "-",
        "text is empty",
        "-",
        "text is empty",
    ]
    assert {
        "opinion_probability",
        "hedging_score",
        "hedged_sentences",
        "sentences",
        "model_version",
    } <= set(out.columns)


def test_batch_with_two_workers_matches_one(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.concat([FRAME] * 5, ignore_index=True).to_csv(source, index=False)
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.csv"
        assert (
            run(
                "batch",
                str(source),
                "-o",
                str(out),
                "--workers",
                workers,
                "--chunk-rows",
                "4",
                "--model",
                str(model_dir),
            ).exit_code
            == 0
        )
        outs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outs[0], outs[1])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        pytest.param(
            b"id,body\n1,hello\n",
            "in.csv",
            "column 'text' not found; the input has id, body",
            id="missing-column",
        ),
        pytest.param(b"\xff\xfe\x00garbage\x00", "in.csv", "not UTF-8", id="binary"),
        pytest.param(
            b"{broken\n", "in.jsonl", "line 1 is not valid JSON", id="broken-jsonl"
        ),
        pytest.param(
            b"not parquet",
            "in.parquet",
            "cannot read it as PARQUET",
            id="broken-parquet",
        ),
        pytest.param(
            b"text\nhi\n", "in.txt", "unknown file type '.txt'", id="unknown-suffix"
        ),
    ],
)
def test_batch_bad_files(
    model_dir: Path, tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    result = run(
        "batch", str(source), "-o", str(tmp_path / "out.csv"), "--model", str(model_dir)
    )
    assert result.exit_code == 1
    assert message in result.stderr
    assert (
        len(result.stderr.strip().splitlines()) == 1
        and "Traceback" not in result.output
    )


def test_batch_all_rows_bad_exits_non_zero(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["", " "]}).to_csv(source, index=False)
    result = run(
        "batch", str(source), "-o", str(tmp_path / "out.csv"), "--model", str(model_dir)
    )
    assert result.exit_code == 1 and "no row could be scored" in result.stderr


def test_evaluate_labeled_file(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "gold.jsonl"
    pd.DataFrame(
        {"text": [OPINION_TEXT, REPORTING_TEXT], "label": ["opinion", "reporting"]}
    ).to_json(source, orient="records", lines=True)
    result = run(
        "evaluate",
        str(source),
        "--model",
        str(model_dir),
        "--output",
        str(tmp_path / "r"),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gold.jsonl"]["macro_f1"] == 1.0
    assert (tmp_path / "r" / "evaluation.md").is_file()


def test_evaluate_needs_something(model_dir: Path) -> None:
    result = run("evaluate", "--model", str(model_dir))
    assert result.exit_code == 1 and "name a labeled file" in result.stderr


def test_labels_stats() -> None:
    result = run("labels", "stats")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["paired_event_share"] == 1.0
    assert set(stats) >= {
        "by_label",
        "by_genre",
        "by_subject",
        "by_event",
        "words_by_label",
    }
    # labels/second_reading.jsonl sits beside the default corpus.
    assert stats["second_reading"]["cohen_kappa"] >= 0.9


@pytest.mark.slow
def test_train_small_corpus(tmp_path: Path, articles: pd.DataFrame) -> None:
    subset = articles[articles["event"].isin(sorted(articles["event"].unique())[:20])]
    labels = tmp_path / "articles.jsonl"
    subset.to_json(labels, orient="records", lines=True)
    result = run(
        "train",
        "--labels",
        str(labels),
        "--output",
        str(tmp_path / "m"),
        "--folds",
        "3",
        "--no-external",
    )
    assert result.exit_code == 0, result.output
    assert "grouped_cv" in json.loads(result.stdout)
    assert (tmp_path / "m" / "MODEL_CARD.md").is_file()


def test_the_cli_starts_without_the_scientific_stack() -> None:
    """``tone --help`` took about 5 s here, most of it importing scikit-learn."""
    probe = (
        "import sys, service.cli; "
        "print(sorted(m for m in ('sklearn', 'pandas', 'scipy', 'skops') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
