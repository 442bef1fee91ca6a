"""Reading and writing tables of articles: CSV, JSONL or Parquet, chosen by suffix.

Reading is chunked so that batches of any size run in flat memory; every problem
with a file becomes an :class:`InputFileError` with one readable sentence.
"""

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from classifier.missing import is_missing
from training.exceptions import InputFileError

__all__ = [
    "SUFFIXES",
    "BrokenLineError",
    "TableWriter",
    "encoding_hint",
    "iter_table",
    "json_lines",
    "jsonl_frame",
    "optional_text",
    "parse_json_lines",
    "read_table",
]

SUFFIXES = (".csv", ".jsonl", ".parquet")

# What a file that is not UTF-8 most often turns out to be, by its first bytes.
_SIGNATURES = (
    (b"\xff\xfe\x00\x00", "it is UTF-32; save it as UTF-8"),
    (b"\x00\x00\xfe\xff", "it is UTF-32; save it as UTF-8"),
    (b"\xff\xfe", "it is UTF-16; save it as UTF-8"),
    (b"\xfe\xff", "it is UTF-16; save it as UTF-8"),
    (b"\x1f\x8b", "it is gzip-compressed; decompress it first"),
    (b"PK\x03\x04", "it is a zip archive; extract it first"),
    (b"PAR1", "it is Parquet; name it .parquet"),
)


def encoding_hint(head: bytes) -> str:
    r"""What to do with a file whose first bytes ``head`` are not UTF-8 text.

    Examples
    --------
    >>> encoding_hint("id,text".encode("utf-16"))
    'it is UTF-16; save it as UTF-8'
    >>> encoding_hint(b"id,caf\xe9")
    'save it as UTF-8'
    """
    return _known_format(head) or "save it as UTF-8"


def _known_format(head: bytes) -> str | None:
    for signature, hint in _SIGNATURES:
        if head.startswith(signature):
            return hint
    return None


def _head(path: Path) -> bytes:
    with open(path, "rb") as file:
        return file.read(4)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".ndjson":
        return ".jsonl"
    if suffix not in SUFFIXES:
        raise InputFileError(
            f"{path}: unknown file type {path.suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}"
        )
    return suffix


def iter_table(path: str | Path, chunksize: int = 2_000) -> Iterator[pd.DataFrame]:
    """Yield ``path`` as DataFrames of at most ``chunksize`` rows, columns as read."""
    path = Path(path)
    suffix = _suffix(path)
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a file")
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize):
                yield batch.to_pandas()
            return
        if suffix == ".jsonl":
            yield from _jsonl_chunks(path, chunksize)
            return
        reader = pd.read_csv(
            path,
            chunksize=chunksize,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8",
        )
        with reader as chunks:
            for chunk in chunks:
                # Rows with one field more than the header make pandas read the
                # first field as the index: ids would be lost without a word.
                if not isinstance(chunk.index, pd.RangeIndex):
                    raise InputFileError(
                        f"{path}: its rows have more fields than its header "
                        f"({', '.join(map(str, chunk.columns))}); quote every "
                        "field that holds a comma"
                    )
                yield chunk
    except InputFileError:
        raise
    except BrokenLineError as error:
        raise InputFileError(f"{path}: {error}; fix or remove it") from error
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"{path}: not UTF-8 text ({error.reason}); {encoding_hint(_head(path))}"
        ) from error
    except (ValueError, pa.ArrowException, pd.errors.ParserError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        known = None if suffix == ".parquet" else _known_format(_head(path))
        raise InputFileError(
            f"{path}: cannot read it as {suffix[1:].upper()} ({first_line[:160]})"
            + (f"; {known}" if known else "")
        ) from error


class BrokenLineError(ValueError):
    """A line of a JSONL file that is not one JSON object; ``number`` counts from 1."""

    def __init__(self, number: int, reason: str) -> None:
        super().__init__(f"line {number} is {reason}")
        self.number = number
        self.reason = reason


# A \uD800-\uDFFF escape: half of a character (an emoji cut in two), which json.loads
# keeps as a lone surrogate that no UTF-8 writer can encode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_surrogates(value: object) -> object:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()
        }
    return value


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (line number, object) for each non-blank line of a UTF-8 JSONL file.

    A leading byte-order mark is skipped, and a lone surrogate escape is read as
    U+FFFD, as a UTF-8 decoder reads a broken byte.

    Raises
    ------
    BrokenLineError
        For the first line that is not valid JSON or not an object.
    UnicodeDecodeError
        For bytes that are not UTF-8.
    """
    with open(path, encoding="utf-8-sig") as lines:
        yield from parse_json_lines(lines)


def parse_json_lines(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, object]]]:
    """:func:`json_lines` over lines already read."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise BrokenLineError(number, f"not valid JSON ({error.msg})") from error
        if not isinstance(row, dict):
            raise BrokenLineError(number, "not a JSON object")
        if "\\u" in line and _SURROGATE_ESCAPE.search(line):
            row = _replace_surrogates(row)
        yield number, row


def jsonl_frame(buffer: IO[str], **_: object) -> pd.DataFrame:
    """One DataFrame of the JSON lines in ``buffer``, read as :func:`json_lines` reads.

    Shaped as ``pandas.read_json`` is called, so Dask's ``read_json(engine=...)``
    reads its blocks the way the local engine reads a file.
    """
    return pd.DataFrame([row for _, row in parse_json_lines(buffer)])


def _jsonl_chunks(path: Path, chunksize: int) -> Iterator[pd.DataFrame]:
    rows: list[dict[str, object]] = []
    start = 0
    for _, row in json_lines(path):
        rows.append(row)
        if len(rows) == chunksize:
            yield pd.DataFrame(rows, index=pd.RangeIndex(start, start + len(rows)))
            start += len(rows)
            rows = []
    if rows:
        yield pd.DataFrame(rows, index=pd.RangeIndex(start, start + len(rows)))


def optional_text(value: object) -> str | None:
    """A cell that may hold text: ``None`` when absent, null or blank, else as text.

    JSONL and Parquet keep types, so an event of 17 is the event ``"17"``; bytes
    (a Parquet binary column) are not text.

    Examples
    --------
    >>> [optional_text(value) for value in (17, float("nan"), "  ", b"e", "e")]
    ['17', None, None, None, 'e']
    """
    if is_missing(value) or isinstance(value, bytes):
        return None
    return str(value) if str(value).strip() else None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a whole table (for labeled files, which are small)."""
    chunks = list(iter_table(path))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


class TableWriter:
    """Append DataFrames to a CSV, JSONL or Parquet file, one chunk at a time.

    Chunks go to a hidden file beside ``path``, renamed over it only when the
    writer closes after success. A run that fails or is interrupted leaves no
    partial file, and an existing ``path`` as it was.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._suffix = _suffix(self.path)
        self._parquet: pq.ParquetWriter | None = None
        self._started = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame``; the first chunk fixes the columns (and Parquet schema)."""
        if self._suffix == ".parquet":
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                # A column with no value in the first chunk has no type yet;
                # text is what a later value can always be cast to.
                schema = pa.schema(
                    [
                        f.with_type(pa.string()) if pa.types.is_null(f.type) else f
                        for f in table.schema
                    ],
                    metadata=table.schema.metadata,
                )
                self._parquet = pq.ParquetWriter(self._partial, schema)
            self._parquet.write_table(table.cast(self._parquet.schema))
        elif self._suffix == ".csv":
            frame.to_csv(
                self._partial,
                mode="a" if self._started else "w",
                header=not self._started,
                index=False,
            )
        else:
            with open(
                self._partial, "a" if self._started else "w", encoding="utf-8"
            ) as out:
                # 15 decimals, pandas' most (its default of 10 rounds 6e-05 to
                # one significant digit).
                text = frame.to_json(
                    orient="records",
                    lines=True,
                    force_ascii=False,
                    double_precision=15,
                )
                out.write(text if text.endswith("\n") or not text else text + "\n")
        self._started = True

    def close(self) -> None:
        """Finish the file and move it into place (no file if no chunk came).

        If it cannot be moved (``path`` is a directory, say), the hidden file is
        removed before the error is raised.
        """
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._started:
            try:
                os.replace(self._partial, self.path)
            except OSError:
                self.discard()
                raise
            self._started = False

    def discard(self) -> None:
        """Drop what was written; ``path`` is left as it was."""
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        self._partial.unlink(missing_ok=True)
        self._started = False

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            self.close()
        else:
            self.discard()
