"""The CLI for stored labels, the model registry and retraining."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service.cli import app
from training.registry import current_version

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TONE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(*args: str):
    return runner.invoke(app, list(args))


def test_labels_add_stats_and_export(tmp_path: Path) -> None:
    added = run(
        "labels",
        "add",
        "--label",
        "opinion",
        "--text",
        "We must act.",
        "--event",
        "e1",
        "--by",
        "ann",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["added"] == 1
    text_file = tmp_path / "a.txt"
    text_file.write_text("Police said so.")
    assert (
        run("labels", "add", "--label", "reporting", "--file", str(text_file)).exit_code
        == 0
    )
    conflict = run("labels", "add", "--label", "opinion", "--text", "police said so.")
    assert conflict.exit_code == 1
    assert conflict.stderr.splitlines() == [
        "tone: conflict: the text is stored as 'reporting'; 'opinion' was not written "
        f"(text key {json.loads(conflict.stdout)['conflicts'][0]['text_key'][:12]})",
        "tone: error: nothing was stored: the label conflicts with a stored one",
    ]
    assert json.loads(conflict.stdout)["stored"] == 2
    stats = json.loads(run("labels", "stats").stdout)["stored"]
    assert stats["labels"] == 2 and stats["by_author"]["ann"] == 1
    out = tmp_path / "out.jsonl"
    assert run("labels", "export", "-o", str(out)).exit_code == 0
    exported = pd.read_json(out, lines=True)
    assert list(exported["label"]) == ["opinion", "reporting"]
    assert set(exported.columns) >= {"author", "source", "created_at", "event"}


@pytest.mark.parametrize(
    "command", [["stats"], ["add", "--label", "opinion", "--text", "x"]]
)
def test_a_data_dir_that_is_a_file_is_one_line(
    command: list[str], data_dir: Path
) -> None:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("not a directory")
    result = run("labels", *command)
    assert result.exit_code == 1
    assert result.stderr == (
        f"tone: error: cannot open the label database in {data_dir}: it is not a "
        "directory; set TONE_DATA_DIR to one\n"
    )
    assert data_dir.read_text() == "not a directory"


def test_labels_stats_without_a_database_creates_none(data_dir: Path) -> None:
    result = run("labels", "stats")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["stored"]["labels"] == 0
    assert not data_dir.exists()


def test_labels_stats_leaves_an_empty_database_file_empty(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "labels.db").touch()  # an empty file is an empty SQLite database
    result = run("labels", "stats")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"]["labels"] == 0
    assert sorted(p.name for p in data_dir.iterdir()) == ["labels.db"]
    assert (data_dir / "labels.db").stat().st_size == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--label", "news", "--text", "x"], "unknown label 'news'", id="bad-label"
        ),
        pytest.param(
            ["--label", "opinion"], "give the text with --text or --file", id="no-text"
        ),
    ],
)
def test_labels_add_errors_are_one_line(args: list[str], message: str) -> None:
    result = run("labels", "add", *args)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_labels_import_tables(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "text": ["We must act.", "Police said."],
            "label": ["opinion", "reporting"],
            "event": ["e1", "e1"],
        }
    )
    path = tmp_path / f"labels{suffix}"
    {
        ".csv": lambda: frame.to_csv(path, index=False),
        ".jsonl": lambda: frame.to_json(path, orient="records", lines=True),
        ".parquet": lambda: frame.to_parquet(path),
    }[suffix]()
    result = run("labels", "import", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 2


def test_labels_import_label_studio_and_bad_rows(tmp_path: Path) -> None:
    export = tmp_path / "project.json"
    export.write_text(
        json.dumps(
            [
                {
                    "data": {"text": "We must act."},
                    "annotations": [
                        {
                            "result": [
                                {"type": "choices", "value": {"choices": ["Opinion"]}}
                            ]
                        }
                    ],
                },
                {"data": {"text": "Not labeled yet."}, "annotations": []},
            ]
        )
    )
    result = run("labels", "import", str(export))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "added": 1,
        "duplicates": 0,
        "conflicts": [],
        "stored": 1,
        "skipped": 1,
    }
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["Fine.", ""], "label": ["opinion", "opinion"]}).to_csv(
        bad, index=False
    )
    failed = run("labels", "import", str(bad))
    assert failed.exit_code == 1
    assert failed.stderr == "tone: error: bad.csv row 2: text must not be empty\n"


def _task(value: object) -> dict[str, object]:
    result = [{"type": "choices", "value": value}]
    return {
        "data": {"text": "Surely this is wrong."},
        "annotations": [{"result": result}],
    }


@pytest.mark.parametrize(
    ("content", "outcome"),
    [
        pytest.param(json.dumps([_task({"choices": "Opinion"})]), 1, id="choice-str"),
        pytest.param(json.dumps([_task(["Opinion"])]), 0, id="value-list"),
        pytest.param(
            json.dumps([{"data": {"text": "x"}, "annotations": {"a": 1}}]),
            0,
            id="annotations-object",
        ),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="deep"),
    ],
)
def test_label_studio_exports_of_odd_shapes(
    tmp_path: Path, content: str, outcome: int | str
) -> None:
    # A string of choices had been read letter by letter ("o"), a list of values
    # and deep nesting had crashed.
    export = tmp_path / "project.json"
    export.write_text(content)
    result = run("labels", "import", str(export))
    if isinstance(outcome, str):
        assert result.exit_code == 1 and outcome in result.stderr
        assert "Traceback" not in result.output
    else:
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["added"] == outcome


def test_labels_import_keeps_typed_events_and_names_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "typed.jsonl"
    good.write_text(
        json.dumps(
            {"text": "Rates rose.", "label": "reporting", "event": 17, "title": 5}
        )
        + "\n"
    )
    assert run("labels", "import", str(good)).exit_code == 0
    out = tmp_path / "out.jsonl"
    assert run("labels", "export", "-o", str(out)).exit_code == 0
    exported = json.loads(out.read_text().splitlines()[0])
    assert (exported["event"], exported["title"]) == ("17", "5")
    for row, message in [
        ({"text": 12345, "label": "opinion"}, "bad.jsonl row 1: text is not a string"),
        ({"text": "x", "label": None}, "bad.jsonl row 1: unknown label (missing)"),
    ]:
        bad = tmp_path / "bad.jsonl"
        bad.write_text(json.dumps(row) + "\n")
        failed = run("labels", "import", str(bad))
        assert failed.exit_code == 1 and message in failed.stderr


def test_model_list_show_promote_rollback(registry_dir: Path) -> None:
    listed = run("model", "list", "--model", str(registry_dir))
    assert [r["version"] for r in json.loads(listed.stdout)] == ["test-model"]
    shown = json.loads(
        run("model", "show", "test-model", "--model", str(registry_dir)).stdout
    )
    assert shown["current"] is True and shown["version"] == "test-model"
    missing = run("model", "promote", "nope", "--model", str(registry_dir))
    assert missing.exit_code == 1 and "No version 'nope'" in missing.stderr
    nothing = run("model", "rollback", "--model", str(registry_dir))
    assert nothing.exit_code == 1 and "Nothing to roll back to" in nothing.stderr


def test_a_failed_promote_leaves_a_plain_model_as_it_was(
    small_model_dir: Path, tmp_path: Path
) -> None:
    plain = shutil.copytree(small_model_dir, tmp_path / "plain")
    before = sorted(p.name for p in plain.iterdir())
    result = run("model", "promote", "nope", "--model", str(plain))
    assert result.exit_code == 1
    assert "it holds one plain model, test-model; promote that" in result.stderr
    assert sorted(p.name for p in plain.iterdir()) == before
    assert run("model", "promote", "test-model", "--model", str(plain)).exit_code == 0
    assert current_version(plain) == "test-model"


def test_train_refuses_to_write_into_a_registry(registry_dir: Path) -> None:
    result = run("train", "--output", str(registry_dir), "--no-external")
    assert result.exit_code == 1
    assert "is a model registry (it holds CURRENT)" in result.stderr


@pytest.fixture
def plain(
    small_model_dir: Path,
    small_labels: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A copy of a plain model, with a small base corpus to retrain on."""
    monkeypatch.setenv("TONE_LABELS_FILE", str(small_labels))
    return Path(shutil.copytree(small_model_dir, tmp_path / "models"))


@pytest.mark.slow
def test_retrain_cli_adopts_a_plain_model_and_reports(
    plain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONE_RETRAIN_CORPORA", "[]")
    result = run("retrain", "--folds", "2", "--model", str(plain))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # The adopted model saw the held-out events; with no published corpus to
    # compare on, the gate cannot pass and says so.
    assert report["verdict"] == "kept current"
    assert "no evaluation both models can fairly be compared on" in result.stderr
    assert current_version(plain) == "test-model"
    listed = json.loads(run("model", "list", "--model", str(plain)).stdout)
    assert [r["version"] for r in listed] == sorted(["test-model", report["candidate"]])
    promoted = run("model", "promote", report["candidate"], "--model", str(plain))
    assert promoted.exit_code == 0
    assert current_version(plain) == report["candidate"]
    assert run("model", "rollback", "--model", str(plain)).exit_code == 0
    assert current_version(plain) == "test-model"


def test_retrain_tolerance_is_capped_like_its_variable(registry_dir: Path) -> None:
    result = run("retrain", "--tolerance", "5", "--model", str(registry_dir))
    assert result.exit_code == 2
    assert "Invalid value for '--tolerance'" in result.stderr
    assert "less than or equal to 1" in result.stderr


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("job", [False, True])
def test_an_interrupted_retrain_says_what_it_left(
    job: bool,
    registry_dir: Path,
    small_labels: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.cli import _store

    monkeypatch.setenv("TONE_LABELS_FILE", str(small_labels))
    monkeypatch.setattr("training.retrain.train_and_save", _interrupt)

    def contents() -> list[str]:  # the lock file stays, as after any retrain
        return sorted(p.name for p in registry_dir.iterdir() if p.name != ".lock")

    before = contents()
    args = ["retrain", "--model", str(registry_dir)]
    if job:
        assert _store().create_job("job-1", "retrain")
        args += ["--job-id", "job-1"]
    result = run(*args)
    assert result.exit_code == 130
    message = f"interrupted; {registry_dir} was not changed"
    assert result.stderr.splitlines()[-1] == f"tone: error: {message}"
    # The candidate's staging folder went with it.
    assert contents() == before
    if job:
        stored = _store().job("job-1")
        assert stored is not None
        assert (stored["state"], stored["error"]) == ("failed", message)


def test_an_interrupted_retrain_names_the_plain_model_it_adopted(
    plain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("training.retrain.train_and_save", _interrupt)
    result = run("retrain", "--model", str(plain))
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == (
        f"tone: error: interrupted after adding test-model to {plain}; "
        "its current version is test-model"
    )
    assert current_version(plain) == "test-model"


def test_labels_import_conflicts_name_rows_and_fail_only_when_nothing_is_stored(
    tmp_path: Path,
) -> None:
    assert run("labels", "add", "--label", "reporting", "--text", "Police said so.")
    path = tmp_path / "more.csv"
    pd.DataFrame(
        {"text": ["We must act.", "Police said so."], "label": ["opinion", "opinion"]}
    ).to_csv(path, index=False)
    partly = run("labels", "import", str(path))
    assert partly.exit_code == 0, partly.output
    assert json.loads(partly.stdout)["stored"] == 2
    assert "tone: conflict: more.csv row 2 is stored as 'reporting'" in partly.stderr
    pd.DataFrame({"text": ["Police said so."], "label": ["opinion"]}).to_csv(
        path, index=False
    )
    wholly = run("labels", "import", str(path))
    assert wholly.exit_code == 1
    assert wholly.stderr.splitlines()[-1] == (
        "tone: error: nothing was stored: the label conflicts with a stored one"
    )
