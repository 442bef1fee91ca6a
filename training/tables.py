"""Reading and writing tables of articles: CSV, JSONL or Parquet, chosen by suffix.

Reading is chunked so that batches of any size run in flat memory; every problem
with a file becomes an :class:`InputFileError` with one readable sentence.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from training.exceptions import InputFileError

__all__ = ["SUFFIXES", "TableWriter", "encoding_hint", "iter_table", "read_table"]

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
        reader = (
            pd.read_csv(
                path,
                chunksize=chunksize,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8",
            )
            if suffix == ".csv"
            # utf-8-sig skips a byte-order mark, as the CSV reader does itself.
            else pd.read_json(
                path, lines=True, chunksize=chunksize, dtype=False, encoding="utf-8-sig"
            )
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
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"{path}: not UTF-8 text ({error.reason}); {encoding_hint(_head(path))}"
        ) from error
    except (ValueError, pa.ArrowException, pd.errors.ParserError, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        known = None if suffix == ".parquet" else _known_format(_head(path))
        broken = _first_broken_line(path) if suffix == ".jsonl" and not known else None
        if broken:
            raise InputFileError(f"{path}: {broken}; fix or remove it") from error
        raise InputFileError(
            f"{path}: cannot read it as {suffix[1:].upper()} ({first_line[:160]})"
            + (f"; {known}" if known else "")
        ) from error


def _first_broken_line(path: Path) -> str | None:
    """Which line of a JSONL file is not one JSON object (pandas gives an offset).

    Read only after pandas has failed, so it costs nothing on good files.
    """
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                return f"line {number} is not valid JSON ({error.msg})"
            if not isinstance(row, dict):
                return f"line {number} is not a JSON object"
    return None


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
        """Finish the file and move it into place (no file if no chunk came)."""
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._started:
            os.replace(self._partial, self.path)
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
