"""``tone batch --engine dask``: the same chunk scorer, on a Dask cluster.

Each partition goes through :func:`service.batch.score_chunk`, the function the local
engine uses, so both engines give the same rows. Tasks carry only the model
*directory*; each worker process loads the model once and keeps it (the loader is
cached per process), so the model is neither reloaded per partition nor shipped
with every task. The directory must be readable from every worker.
"""

import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from service.batch import BatchSummary, default_columns, require_columns, score_chunk
from training.exceptions import InputFileError
from training.tables import SUFFIXES, iter_table, jsonl_frame

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["score_file_with_dask"]


def _inputs(source: str) -> tuple[list[str], str]:
    """Expand a file, a glob or a directory of parts; all parts share one suffix."""
    path = Path(source)
    if path.is_dir():
        files = sorted(str(p) for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
    else:
        files = (
            sorted(glob.glob(source)) if any(c in source for c in "*?[") else [source]
        )
    files = [f for f in files if Path(f).is_file()]
    if not files:
        raise InputFileError(
            f"{source}: no such file, glob match or directory of parts"
        )
    suffixes = {Path(f).suffix.lower() for f in files}
    if len(suffixes) != 1 or next(iter(suffixes)) not in SUFFIXES:
        raise InputFileError(
            f"{source}: parts must all be one of {', '.join(SUFFIXES)}; found "
            f"{', '.join(sorted(suffixes))}"
        )
    return files, suffixes.pop()


def _read(files: list[str], suffix: str) -> "dd.DataFrame":
    import dask.dataframe as dd

    if suffix == ".csv":
        return dd.read_csv(files, dtype=str, keep_default_na=False, blocksize="16MB")
    if suffix == ".jsonl":
        return dd.read_json(
            files, lines=True, blocksize=2**24, engine=jsonl_frame, encoding="utf-8-sig"
        )
    return dd.read_parquet(files)


def score_file_with_dask(
    source: str,
    output: Path,
    model_dir: Path,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    title_column: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    partitions: int | None = None,
) -> BatchSummary:
    """Score ``source`` on Dask into a Parquet directory (or one CSV if ``.csv``).

    Without ``scheduler`` a local cluster of ``workers`` processes (default and
    most: one per core, one thread each) is started on loopback and closed
    afterwards.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise InputFileError(
            "the Dask engine needs the dask extra: "
            "pip install -e '.[dask]' in a checkout"
        ) from error

    import dask

    if output.suffix.lower() in {".jsonl", ".ndjson"}:
        raise InputFileError(
            f"{output}: the Dask engine writes a directory of Parquet parts or one "
            "CSV; give a directory or a .csv path, or use --engine local for JSONL"
        )
    files, suffix = _inputs(source)
    # Keep pandas' own string dtype so both engines write identical tables.
    with dask.config.set({"dataframe.convert-string": False}):
        try:  # dask reads a sample here, to learn the columns
            frame = _read(files, suffix)
        except ValueError as error:  # UnicodeError too
            raise _unreadable(files, error) from error
    id_column, title_column = default_columns(frame.columns, id_column, title_column)
    require_columns(frame.columns, text_column, id_column, title_column)
    if partitions:
        frame = frame.repartition(npartitions=partitions)
    directory = str(Path(model_dir).resolve())
    meta = score_chunk(frame._meta, directory, text_column, id_column, title_column)
    scored = frame.map_partitions(
        score_chunk,
        directory,
        text_column,
        id_column,
        title_column,
        meta=meta,
        align_dataframes=False,
    )
    cluster = None
    if scheduler is None:
        # Capped at the CPUs, as the local engine is: each worker is a process
        # holding the model, and scoring is CPU-bound.
        cores = os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=min(workers or cores, cores),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    try:
        with Client(scheduler or cluster):
            if str(output).lower().endswith(".csv"):
                # A single CSV file is written through a delayed graph, which dask
                # cannot compute together with expressions: count from the file.
                scored.to_csv(str(output), single_file=True, index=False)
                rows, failed = _count_csv(output)
            else:
                write = scored.to_parquet(str(output), write_index=False, compute=False)
                # One graph: each partition is scored once for the file and counts.
                _, failed, rows = dask.compute(
                    write, scored["error"].count(), scored.shape[0]
                )
    except ValueError as error:  # pandas could not read a part (UnicodeError too)
        raise _unreadable(files, error) from error
    finally:
        if cluster is not None:
            cluster.close()
    return BatchSummary(rows=int(rows), scored=int(rows - failed), failed=int(failed))


def _unreadable(files: list[str], error: ValueError) -> InputFileError:
    """The local engine's one line for the first part it cannot read.

    Dask's error names no file, so the parts are read again, locally, but only
    once a run has already failed.
    """
    for part in files:
        try:
            for _ in iter_table(part):
                pass
        except InputFileError as found:
            return found
    first = str(error).strip().splitlines()[0] if str(error).strip() else "no detail"
    return InputFileError(f"cannot read or write the parts: {first[:160]}")


def _count_csv(path: Path) -> tuple[int, int]:
    """Rows and failed rows of a written CSV, read one column in chunks."""
    rows = failed = 0
    for chunk in pd.read_csv(path, usecols=["error"], chunksize=100_000):
        rows += len(chunk)
        failed += int(chunk["error"].notna().sum())
    return rows, failed
