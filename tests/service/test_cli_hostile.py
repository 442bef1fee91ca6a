"""The CLI fed files it cannot use: one clear line on stderr, exit 1, no traceback."""

import gzip
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service.cli import app
from training.tables import read_table

TEXT = "Le ministre a peut-être démissionné, a dit la police."
FRAME = pd.DataFrame({"id": ["1", "2"], "text": [TEXT, "The vote may be delayed."]})
NOISE = bytes(range(256)) * 16


def _csv(encoding: str) -> bytes:
    return FRAME.to_csv(index=False).encode(encoding)


def _jsonl(encoding: str) -> bytes:
    return FRAME.to_json(orient="records", lines=True, force_ascii=False).encode(
        encoding
    )


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


GOOD_PARQUET = _parquet(FRAME)

# (file name, content, what the one line on stderr says)
BAD_FILES = [
    pytest.param("in.csv", b"", "cannot read it as CSV", id="empty-csv"),
    pytest.param("in.jsonl", b"", "holds no rows", id="empty-jsonl"),
    pytest.param("in.parquet", b"", "cannot read it as PARQUET", id="empty-parquet"),
    pytest.param("in.csv", b"id,text\n", "holds no rows", id="header-only-csv"),
    pytest.param(
        "in.csv",
        _csv("latin-1"),
        "not UTF-8 text (invalid continuation byte); save it as UTF-8",
        id="latin-1-csv",
    ),
    pytest.param(
        "in.jsonl",
        _jsonl("latin-1"),
        "not UTF-8 text (invalid continuation byte); save it as UTF-8",
        id="latin-1-jsonl",
    ),
    pytest.param(
        "in.csv", _csv("utf-16"), "it is UTF-16; save it as UTF-8", id="utf-16-csv"
    ),
    pytest.param(
        "in.jsonl",
        _jsonl("utf-16"),
        "it is UTF-16; save it as UTF-8",
        id="utf-16-jsonl",
    ),
    pytest.param(
        "in.csv",
        gzip.compress(_csv("utf-8")),
        "it is gzip-compressed; decompress it first",
        id="gzip-csv",
    ),
    pytest.param(
        "in.csv",
        GOOD_PARQUET,
        "it is Parquet; name it .parquet",
        id="parquet-named-csv",
    ),
    pytest.param("in.csv", NOISE, "cannot read it as CSV", id="binary-csv"),
    pytest.param("in.jsonl", NOISE, "not UTF-8 text", id="binary-jsonl"),
    pytest.param("in.parquet", NOISE, "cannot read it as PARQUET", id="binary-parquet"),
    pytest.param(
        "in.csv",
        b'id,text\n1,"a quote that never closes\n2,x\n',
        "cannot read it as CSV (Error tokenizing data. C error: EOF inside string",
        id="unclosed-quote-csv",
    ),
    pytest.param(
        "in.jsonl",
        b'{"id": "1", "text": "fine"}\n{"id": "2", "text": \n',
        "line 2 is not valid JSON (Expecting value); fix or remove it",
        id="truncated-jsonl",
    ),
    pytest.param(
        "in.jsonl",
        b"[1, 2, 3]\n",
        "line 1 is not a JSON object; fix or remove it",
        id="array-lines-jsonl",
    ),
    pytest.param(
        "in.parquet",
        GOOD_PARQUET[: len(GOOD_PARQUET) // 2],
        "cannot read it as PARQUET",
        id="truncated-parquet",
    ),
    pytest.param(
        "in.parquet",
        _parquet(pd.DataFrame({"id": [1, 2], "body": ["a", "b"]})),
        "column 'text' not found; the input has id, body",
        id="parquet-without-text",
    ),
    pytest.param(
        "in.parquet",
        _parquet(pd.DataFrame({"text": [5, 6]})),
        "no row could be scored; see the error column",
        id="parquet-numbers-as-text",
    ),
]


def _one_clean_line(result: object, message: str) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert isinstance(result.exception, SystemExit)  # type: ignore[attr-defined]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("tone: error: ") and message in last
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    errors = [line for line in stderr.splitlines() if line.startswith("tone: error")]
    assert len(errors) == 1


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_batch_refuses_bad_files_in_one_line(
    model_dir: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    result = CliRunner().invoke(
        app,
        [
            "batch",
            str(source),
            "-o",
            str(tmp_path / "out.csv"),
            "--model",
            str(model_dir),
        ],
    )
    _one_clean_line(result, message)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda tmp: tmp, "is a directory, not a file", id="directory-as-input"
        ),
        pytest.param(lambda tmp: tmp / "none.csv", "no such file", id="missing"),
    ],
)
def test_batch_refuses_paths_that_are_not_files(
    model_dir: Path, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    source = make(tmp_path)
    if source == tmp_path:
        source = tmp_path / "folder.csv"
        source.mkdir()
    result = CliRunner().invoke(
        app,
        [
            "batch",
            str(source),
            "-o",
            str(tmp_path / "o.csv"),
            "--model",
            str(model_dir),
        ],
    )
    _one_clean_line(result, message)


def test_batch_output_under_a_file_is_one_line(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    source.write_bytes(GOOD_PARQUET)
    result = CliRunner().invoke(
        app,
        [
            "batch",
            str(source),
            "-o",
            str(source / "out.csv"),
            "--model",
            str(model_dir),
        ],
    )
    _one_clean_line(result, f"{source}: File exists")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            TEXT.encode("latin-1"),
            "not UTF-8 text (byte 0xea at offset 19); save it as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            TEXT.encode("utf-16"),
            "not UTF-8 text (byte 0xff at offset 0); it is UTF-16; save it as UTF-8",
            id="utf-16",
        ),
        pytest.param(NOISE, "not UTF-8 text (byte 0x80 at offset 128)", id="binary"),
        pytest.param(b"", "text is empty", id="empty"),
    ],
)
def test_score_file_and_stdin_refuse_bad_bytes(
    model_dir: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    runner = CliRunner()
    from_file = runner.invoke(
        app, ["score", "--file", str(path), "--model", str(model_dir)]
    )
    _one_clean_line(from_file, message)
    from_stdin = runner.invoke(
        app, ["score", "-", "--model", str(model_dir)], input=content
    )
    _one_clean_line(from_stdin, message)


@pytest.mark.slow
def test_real_process_prints_no_traceback(model_dir: Path, tmp_path: Path) -> None:
    """Outside CliRunner too: the installed entry point, a UTF-16 file, a binary one."""
    utf16, noise = tmp_path / "in.csv", tmp_path / "noise.parquet"
    utf16.write_bytes(_csv("utf-16"))
    noise.write_bytes(NOISE)
    out = str(tmp_path / "o.csv")
    command = [sys.executable, "-m", "service.cli", "batch"]
    for source in (utf16, noise):
        done = subprocess.run(
            [*command, str(source), "-o", out, "--model", str(model_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith(f"tone: error: {source}: ")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "TONE_KEEP_ALIVE_SECONDS",
            "0",
            "TONE_KEEP_ALIVE_SECONDS='0': Input should be",
        ),
        ("TONE_WORKERS", "two", "TONE_WORKERS='two': Input should be a valid integer"),
        (
            "TONE_RETRAIN_CORPORA",
            "brown,conll",
            "TONE_RETRAIN_CORPORA='brown,conll': unknown corpus conll; use brown,",
        ),
        (
            "TONE_RETRAIN_CORPORA",
            '["brown"',
            "TONE_RETRAIN_CORPORA='[\"brown\"': not a JSON list",
        ),
    ],
)
def test_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    for command in (["serve"], ["score", "The minister said so."]):
        _one_clean_line(CliRunner().invoke(app, command), message)


def test_retrain_corpora_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import Settings

    monkeypatch.setenv("TONE_RETRAIN_CORPORA", "checkthat, brown")
    assert Settings().retrain_corpora == ["checkthat", "brown"]
    monkeypatch.setenv("TONE_RETRAIN_CORPORA", "")
    assert Settings().retrain_corpora == []


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"TONE_WRITE_ENDPOINTS": "1"},
            "Write endpoints are enabled (TONE_WRITE_ENDPOINTS) but no API key",
        ),
        (
            {"TONE_WRITE_ENDPOINTS": "1", "TONE_API_KEY": "short"},
            "TONE_API_KEY is 5 characters long; use at least 16",
        ),
    ],
)
def test_serve_refuses_unsafe_settings_in_one_line(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    # Found by loading the app: a traceback of 54 lines, after the model loaded.
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    _one_clean_line(CliRunner().invoke(app, ["serve"]), message)


def _batch(model_dir: Path, source: Path, output: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app,
        ["batch", str(source), "-o", str(output), "--model", str(model_dir), *extra],
    )


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl", "in.parquet"])
def test_batch_refuses_to_write_over_its_input(
    model_dir: Path, tmp_path: Path, name: str
) -> None:
    source = tmp_path / name
    contents = {"in.csv": _csv("utf-8"), "in.jsonl": _jsonl("utf-8")}
    source.write_bytes(contents.get(name, GOOD_PARQUET))
    before = source.read_bytes()
    result = _batch(model_dir, source, tmp_path / "." / name)
    _one_clean_line(
        result, f"{name}: is the input file; write the results to another path (-o)"
    )
    assert source.read_bytes() == before


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["score"], "Model directory [env TONE_MODEL_DIR]."),
        (["serve"], "Port [env TONE_PORT]."),
        (["batch"], "[default: 1 local; one per core on Dask]"),
    ],
)
def test_help_shows_defaults_and_variables(command: list[str], shown: str) -> None:
    # Rich markup had eaten every [default: ...] and [env ...] as a tag.
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0 and shown in result.output


def test_batch_scores_titles_as_the_api_does(model_dir: Path, tmp_path: Path) -> None:
    # The title column was ignored: the same article scored otherwise over HTTP.
    from classifier import load_model, score_text

    text = "The council approved the bridge on Monday, officials said."
    title = "A disgrace we should all be ashamed of"
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a"], "title": [title], "text": [text]}).to_csv(
        source, index=False
    )
    assert _batch(model_dir, source, tmp_path / "out.jsonl").exit_code == 0
    scored = read_table(tmp_path / "out.jsonl")["opinion_probability"].iloc[0]
    model = load_model(model_dir)
    assert scored == pytest.approx(
        score_text(model, text, title=title).opinion_probability
    )
    assert scored != score_text(model, text).opinion_probability
    result = _batch(model_dir, source, tmp_path / "o.csv", "--title-column", "head")
    _one_clean_line(result, "column 'head' not found; the input has id, title, text")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["score"], "give the text as an argument (or - for stdin) or with --file"),
        (["score", "x", "--file", "f"], "or with --file, not both"),
        (
            ["labels", "add", "--label", "opinion"],
            "give the text with --text or --file",
        ),
    ],
)
def test_a_text_given_no_way_or_two_ways_is_named(
    command: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, command)
    _one_clean_line(result, message)
    assert ("not both" in result.stderr) == ("not both" in message)


def test_train_refuses_outputs_before_training(tmp_path: Path) -> None:
    # They had been found out only after the whole training, or not at all.
    (tmp_path / "afile").write_text("x")
    result = CliRunner().invoke(app, ["train", "-o", str(tmp_path / "afile")])
    _one_clean_line(result, "afile: is a file; name a directory for the model")
    (tmp_path / "reg" / "v1").mkdir(parents=True)
    (tmp_path / "reg" / "CURRENT").write_text("v1\n")
    result = CliRunner().invoke(app, ["train", "-o", str(tmp_path / "reg" / "v1")])
    _one_clean_line(result, "is never written in place; add a version with")
    result = CliRunner().invoke(
        app, ["train", "-o", str(tmp_path / "m"), "--folds", "100000"]
    )
    _one_clean_line(result, "100000 cross-validation folds need at least 100000")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "reg"]


@pytest.mark.parametrize("output", ["out.jsonl", "out.csv", "out.parquet"])
def test_batch_scores_rows_holding_half_an_emoji(
    model_dir: Path, tmp_path: Path, output: str
) -> None:
    # A lone surrogate escape had made pandas refuse the whole file.
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"id": "a", "text": "We should act \\udc00 now, and we must."}\n'
        b'{"id": "b\\ud83d", "text": "Officials said it rained \\ud83d"}\n'
    )
    result = _batch(model_dir, source, tmp_path / output, "--id-column", "id")
    assert result.exit_code == 0, result.output
    rows = read_table(tmp_path / output)
    assert rows["id"].tolist() == ["a", "b\ufffd"]
    assert (rows["error"].fillna("") == "").all()  # CSV reads an empty cell as ""
    assert rows["label"].isin(["opinion", "reporting"]).all()


def test_a_failed_batch_leaves_an_existing_output_as_it_was(
    model_dir: Path, tmp_path: Path
) -> None:
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("id,text\n")
    output.write_text("precious\n")
    _one_clean_line(_batch(model_dir, source, output), "holds no rows")
    assert output.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_csv_rows_with_a_field_more_than_the_header_are_refused(
    model_dir: Path, tmp_path: Path
) -> None:
    # pandas would read the first field as the index: the ids would be lost.
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,We must act, and now.\n2,He said, no.\n")
    result = _batch(model_dir, source, tmp_path / "out.csv")
    _one_clean_line(
        result,
        "its rows have more fields than its header (id, text); "
        "quote every field that holds a comma",
    )


def test_parquet_output_holds_ids_whose_type_changes_between_chunks(
    model_dir: Path, tmp_path: Path
) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    rows = [None, 2, "c-3", 4.5]
    source.write_text(
        "".join(f'{{"id": {json.dumps(i)}, "text": "We must act."}}\n' for i in rows)
    )
    result = _batch(model_dir, source, output, "--chunk-rows", "1")
    assert result.exit_code == 0, result.output
    ids = pd.read_parquet(output)["id"].tolist()
    assert pd.isna(ids[0]) and ids[1:] == ["2", "c-3", "4.5"]


def test_batch_workers_are_capped_at_the_cpus(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.batch

    asked: list[int] = []
    real = service.batch.Parallel

    def spy(n_jobs: int, **kwargs: object):  # type: ignore[no-untyped-def]
        asked.append(n_jobs)
        return real(n_jobs=n_jobs, **kwargs)

    monkeypatch.setattr(service.batch, "Parallel", spy)
    monkeypatch.setattr(service.batch.os, "cpu_count", lambda: 2)
    source = tmp_path / "in.parquet"
    source.write_bytes(GOOD_PARQUET)
    result = _batch(model_dir, source, tmp_path / "out.csv", "--workers", "100000")
    assert result.exit_code == 0, result.output
    assert asked == [2]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        pytest.param('["opinion"]', "unknown label(s) [['opinion']]", id="list"),
        pytest.param('{"a": 1}', "unknown label(s) [{'a': 1}]", id="object"),
        pytest.param("null", "unknown label(s) [(missing)]", id="null"),
    ],
)
def test_evaluate_refuses_labels_of_any_type_in_one_line(
    model_dir: Path, tmp_path: Path, labels: str, message: str
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        f'{{"text": "We must act.", "label": {labels}}}\n'
        '{"text": "He said so.", "label": "reporting"}\n'
    )
    result = CliRunner().invoke(app, ["evaluate", str(gold), "--model", str(model_dir)])
    _one_clean_line(result, message)


def test_evaluate_report_path_that_is_a_file_is_one_line(
    model_dir: Path, tmp_path: Path
) -> None:
    gold, taken = tmp_path / "gold.csv", tmp_path / "taken"
    gold.write_text("text,label\nWe must act.,opinion\nHe said so.,reporting\n")
    taken.write_text("x")
    result = CliRunner().invoke(
        app, ["evaluate", str(gold), "-o", str(taken), "--model", str(model_dir)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"tone: error: {taken}: is a file; give a directory for the report (-o)"
    )


def test_score_names_the_argument_when_it_is_not_utf8(model_dir: Path) -> None:
    text = b"caf\xe9 society".decode("utf-8", "surrogateescape")
    result = CliRunner().invoke(app, ["score", text, "--model", str(model_dir)])
    _one_clean_line(result, "cannot read the text argument: not UTF-8 text")


def test_a_jsonl_chunk_without_the_text_key_gets_row_errors(
    model_dir: Path, tmp_path: Path
) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.csv"
    rows = [{"id": i, "text": "We must act."} for i in range(2)] + [{"id": 2}]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = _batch(model_dir, source, output, "--chunk-rows", "2")
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(output)
    assert scored["id"].tolist() == [0, 1, 2]
    assert scored["error"].fillna("").tolist() == ["", "", "text is missing"]


def test_a_broken_jsonl_line_is_named_and_nothing_is_written(
    model_dir: Path, tmp_path: Path
) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.csv"
    good = '{"id": 1, "text": "We must act."}\n'
    source.write_text(good * 3 + "{not json\n" + good)
    result = _batch(model_dir, source, output, "--chunk-rows", "2")
    _one_clean_line(result, "in.jsonl: line 4 is not valid JSON (Expecting property")
    assert not output.exists()


def test_a_jsonl_file_with_a_byte_order_mark_is_read(
    model_dir: Path, tmp_path: Path
) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.csv"
    source.write_bytes(b"\xef\xbb\xbf" + _jsonl("utf-8"))
    assert _batch(model_dir, source, output).exit_code == 0
    assert pd.read_csv(output)["id"].tolist() == [1, 2]
