"""The CLI fed files it cannot use: one clear line on stderr, exit 1, no traceback."""

import gzip
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service.cli import app

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
        "cannot read it as JSONL",
        id="truncated-jsonl",
    ),
    pytest.param(
        "in.jsonl",
        b"[1, 2, 3]\n",
        "column 'text' not found; the input has 0, 1, 2",
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
    ],
)
def test_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    for command in (["serve"], ["score", "The minister said so."]):
        _one_clean_line(CliRunner().invoke(app, command), message)
