"""Tables: the output appears whole or not at all, in every format; JSONL is read
line by line."""

from pathlib import Path

import pandas as pd
import pytest

from training.exceptions import InputFileError
from training.tables import TableWriter, iter_table, read_table

CHUNKS = [
    pd.DataFrame({"id": ["a", "b"], "p": [6.064816703743593e-05, 0.5]}),
    pd.DataFrame({"id": ["c"], "p": [0.25]}),
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_the_file_appears_only_when_complete(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    with TableWriter(path) as writer:
        for chunk in CHUNKS:
            writer.write(chunk)
            assert not path.exists()
    frame = read_table(path)
    assert frame["id"].tolist() == ["a", "b", "c"]
    # JSONL keeps 15 decimals (pandas' default of 10 kept one digit of 6e-05);
    # CSV reads back as text.
    assert float(frame["p"].iloc[0]) == pytest.approx(6.064816703743593e-05, rel=1e-9)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_a_failure_leaves_the_old_file_and_no_partial_one(
    tmp_path: Path, suffix: str, failure: type[BaseException]
) -> None:
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"old")
    with pytest.raises(failure), TableWriter(path) as writer:
        writer.write(CHUNKS[0])
        raise failure
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_an_output_that_cannot_be_replaced_leaves_no_partial(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(IsADirectoryError), TableWriter(tmp_path / "out.csv") as out:
        out.write(CHUNKS[0])
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_no_chunk_no_file(tmp_path: Path) -> None:
    with TableWriter(tmp_path / "out.csv"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_parquet_column_empty_in_the_first_chunk_takes_text_later(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out.parquet"
    with TableWriter(path) as writer:
        writer.write(pd.DataFrame({"error": [None, None]}, dtype=object))
        writer.write(pd.DataFrame({"error": ["text is empty"]}, dtype=object))
    errors = pd.read_parquet(path)["error"].tolist()
    assert pd.isna(errors[0]) and errors[2] == "text is empty"


# Half an emoji: JSON allows a lone surrogate escape, UTF-8 cannot hold it.
SURROGATES = (
    b'{"id": "a", "text": "We should act \\udc00 now."}\n'
    b"\n"
    b'{"id": "b\\ud83d", "text": "Officials said it rained \\ud83d"}\n'
    b'{"id": "c", "text": "Officials said \\ud83d\\ude00 it rained.", "n": 3}\n'
)


def test_jsonl_lone_surrogates_are_read_as_the_replacement_character(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(SURROGATES)
    frame = read_table(path)
    assert list(frame["id"]) == ["a", "b\ufffd", "c"]
    assert list(frame["text"]) == [
        "We should act \ufffd now.",
        "Officials said it rained \ufffd",
        "Officials said \U0001f600 it rained.",  # a whole pair stays one character
    ]
    assert frame["n"].isna().tolist() == [True, True, False]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b'{"a": 1}\n\n{"a": \n', "line 3 is not valid JSON", id="broken"),
        pytest.param(b'{"a": 1}\n[1, 2]\n', "line 2 is not a JSON object", id="array"),
    ],
)
def test_jsonl_problems_name_the_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_table(path)


def test_jsonl_chunks_keep_counting_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(b'{"i": %d}\n' % i for i in range(5)))
    chunks = list(iter_table(path, chunksize=2))
    assert [list(c.index) for c in chunks] == [[0, 1], [2, 3], [4]]
    assert pd.concat(chunks)["i"].tolist() == [0, 1, 2, 3, 4]
