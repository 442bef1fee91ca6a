from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_evaluate_all_writes_the_report(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONE_CORPORA", str(tmp_path / "no-corpora"))
    out = tmp_path / "reports"
    result = runner.invoke(
        app, ["evaluate", "--all", "--model", str(model_dir), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "labels/ hold-out" in result.stdout
    assert (out / "evaluation.md").is_file() and (out / "roc.png").is_file()


def test_evaluate_needs_something_to_evaluate(model_dir: Path) -> None:
    result = runner.invoke(app, ["evaluate", "--model", str(model_dir)])
    assert result.exit_code == 1
    assert "name a labeled file, --corpus NAME or --all" in result.stderr


@pytest.mark.parametrize(
    ("name", "content"), [("empty.jsonl", ""), ("header.csv", "text,label\n")]
)
def test_evaluate_a_file_without_rows(
    name: str, content: str, model_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = runner.invoke(app, ["evaluate", str(path), "--model", str(model_dir)])
    assert result.exit_code == 1
    assert result.stderr == f"tone: error: {path} holds no rows\n"
