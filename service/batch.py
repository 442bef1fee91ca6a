"""``tone batch``: score a table of articles chunk by chunk, in flat memory."""

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd
from joblib import Parallel, delayed

from classifier import MissingColumnError, ToneModel, load_model, score_frame
from classifier.missing import is_missing
from training.exceptions import InputFileError
from training.tables import TableWriter, iter_table

__all__ = ["BatchSummary", "require_columns", "score_chunk", "score_file"]


@lru_cache(maxsize=2)
def _model(directory: str) -> ToneModel:
    # Each worker process loads the model once, not once per chunk.
    return load_model(directory)


def score_chunk(
    chunk: pd.DataFrame,
    model_dir: str,
    text_column: str,
    id_column: str | None,
    title_column: str | None = None,
) -> pd.DataFrame:
    """Score one chunk with the model in ``model_dir`` (loaded once per process)."""
    return score_frame(
        chunk,
        _model(model_dir),
        text_column=text_column,
        id_column=id_column,
        title_column=title_column,
    )


def default_columns(
    columns: Iterable[object], id_column: str | None, title_column: str | None
) -> tuple[str | None, str | None]:
    """The id and title columns: as named, else ``id`` and ``title`` if present.

    A title counts in the score, as it does over HTTP and on the page.
    """
    present = {str(c) for c in columns}
    if id_column is None and "id" in present:
        id_column = "id"  # keep an id column the input already has
    if title_column is None and "title" in present:
        title_column = "title"
    return id_column, title_column


class BatchSummary(dict[str, int]):
    """Rows read, scored and failed."""


def require_columns(columns: Iterable[object], *names: str | None) -> None:
    """Raise :class:`MissingColumnError` naming what is there if a column is absent."""
    present = [str(c) for c in columns]
    for column in names:
        if column and column not in present:
            raise MissingColumnError(
                f"column {column!r} not found; the input has "
                f"{', '.join(present) or 'no columns'}"
            )


def _checked(
    chunks: Iterator[pd.DataFrame], *names: str | None
) -> Iterator[pd.DataFrame]:
    """The first chunk must have the columns; in a later one a JSONL chunk may
    lack a key that no row of it has, and its rows get errors instead."""
    first = next(chunks)
    require_columns(first.columns, *names)
    yield first
    for chunk in chunks:
        missing = {c: None for c in names if c and c not in chunk}
        yield chunk.assign(**missing) if missing else chunk


def score_file(
    source: Path,
    output: Path,
    model_dir: Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    workers: int = 1,
    chunk_rows: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Score ``source`` into ``output`` (formats by suffix); bad rows get ``error``.

    ``workers`` is capped at the number of CPUs: scoring is CPU-bound, and each
    worker is a process holding the model. The output appears only once every
    row is written (see :class:`~training.tables.TableWriter`).
    """
    if output.exists() and source.exists() and output.samefile(source):
        raise InputFileError(
            f"{output}: is the input file; write the results to another path (-o)"
        )
    workers = min(workers, os.cpu_count() or 1)
    _model(str(model_dir))  # fail fast, before reading anything, if the model is bad
    raw = iter_table(source, chunk_rows)
    first = next(raw, None)
    if first is None:
        raise MissingColumnError(f"{source} holds no rows")
    id_column, title_column = default_columns(first.columns, id_column, title_column)
    chunks = _checked(
        itertools.chain([first], raw), text_column, id_column, title_column
    )
    to_parquet = output.suffix.lower() == ".parquet"
    if id_column and to_parquet and source.suffix.lower() != ".parquet":
        # CSV and JSONL carry no types: one chunk's ids may read as numbers or
        # nulls and the next as text, which one Parquet schema cannot hold.
        chunks = (_ids_as_strings(chunk, id_column) for chunk in chunks)
    if workers == 1:
        results: Iterator[pd.DataFrame] = (
            score_chunk(c, str(model_dir), text_column, id_column, title_column)
            for c in chunks
        )
    else:
        results = Parallel(n_jobs=workers, return_as="generator")(
            delayed(score_chunk)(
                c, str(model_dir), text_column, id_column, title_column
            )
            for c in chunks
        )
    summary = BatchSummary(rows=0, scored=0, failed=0)
    with TableWriter(output) as writer:
        for scored in results:
            writer.write(scored)
            failed = int(scored["error"].notna().sum())
            summary["rows"] += len(scored)
            summary["failed"] += failed
            summary["scored"] += len(scored) - failed
            if progress:
                progress(len(scored))
        if not summary["rows"]:
            raise MissingColumnError(f"{source} holds no rows")
    return summary


def _ids_as_strings(chunk: pd.DataFrame, id_column: str) -> pd.DataFrame:
    def as_string(value: object) -> str | None:
        return None if is_missing(value) else str(value)

    # Object dtype of str and None: TableWriter types an all-null first chunk as
    # strings, and the values read back as the Dask engine's do.
    return chunk.assign(**{id_column: chunk[id_column].map(as_string).astype(object)})
