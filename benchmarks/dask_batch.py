"""`tone batch` on Dask against the local engine: rows/s and the driver's peak memory.

Usage: python benchmarks/dask_batch.py [--rows 200000] [--repeats 1] [--model DIR]

Short articles (the first sentences of the project's own articles, 20-80 words) are
written to Parquet; each configuration runs ``tone batch`` as a separate process, as a
user would, and the driver process's resident memory is sampled every 50 ms (Dask's
worker processes are not the driver and are not counted). The driver's peak memory is
measured at ``--rows`` and at a tenth of it: a flat driver stays the same as the input
grows 10x. Writes ``reports/dask_batch.md``.
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil
from _report import publish  # benchmarks/, the script's own folder

from training.corpus import load_articles

TONE = str(Path(sys.executable).with_name("tone"))


def short_articles(rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` short texts cut from the corpus's articles at sentence ends."""
    rng = random.Random(seed)
    texts = list(load_articles()["text"])
    out = []
    for i in range(rows):
        words = texts[i % len(texts)].split()
        start = rng.randrange(0, max(len(words) - 80, 1))
        out.append(" ".join(words[start : start + rng.randint(20, 80)]))
    return pd.DataFrame({"id": [f"a{i}" for i in range(rows)], "text": out})


def run(args: list[str]) -> tuple[float, float]:
    """Seconds and the driver's peak RSS (MiB) of one ``tone batch`` run."""
    start = time.perf_counter()
    process = psutil.Popen(
        [TONE, "batch", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"tone batch {' '.join(args)} failed: {error.strip()}")
    return seconds, peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("TONE_MODEL_DIR", "models/default")),
    )
    parser.add_argument("--output", type=Path, default=Path("reports/dask_batch.md"))
    args = parser.parse_args()
    if not (args.model / "model.skops").is_file():
        raise SystemExit(f"no model at {args.model}; run `make model` first")

    configs = [
        ("local", ["--workers", "1"]),
        ("local", ["--workers", "2"]),
        # One input file is one partition as read: split it so workers share it.
        ("dask", ["--engine", "dask", "--partitions", "20", "--workers", "1"]),
        ("dask", ["--engine", "dask", "--partitions", "20", "--workers", "2"]),
    ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {}
        for rows in (args.rows // 10, args.rows):
            path = Path(tmp) / f"in-{rows}.parquet"
            short_articles(rows).to_parquet(path, row_group_size=10_000)
            sizes[rows] = path
        for engine, options in configs:
            peaks = {}
            times = []
            for rows, source in sizes.items():
                repeats = args.repeats if rows == args.rows else 1
                for k in range(repeats):
                    out = Path(tmp) / f"out-{engine}-{rows}-{k}"
                    suffix = "" if engine == "dask" else ".parquet"
                    seconds, peak = run(
                        [
                            str(source),
                            "-o",
                            f"{out}{suffix}",
                            "--model",
                            str(args.model),
                            *options,
                        ]
                    )
                    peaks[rows] = max(peaks.get(rows, 0.0), peak)
                    if rows == args.rows:
                        times.append(seconds)
            seconds = statistics.median(times)
            results.append((engine, options[-1], seconds, peaks))
            print(
                f"{engine} workers={options[-1]}: {args.rows / seconds:,.0f} rows/s; "
                f"driver peak {peaks[args.rows // 10]:.0f} -> "
                f"{peaks[args.rows]:.0f} MiB",
                flush=True,
            )

    base = results[0][2]
    small, large = args.rows // 10, args.rows
    lines = [
        "# tone batch: local engine and Dask",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Input: {large:,} short articles (20-80 words, "
        f"cut from the project's corpus) in one Parquet file (`--partitions 20` "
        f"on Dask); output Parquet. Each run "
        f"is a separate `tone batch` process, model loading and cluster start-up "
        f"included; median of {args.repeats} run(s). Driver peak RSS sampled every "
        f"50 ms at {small:,} and {large:,} rows (Dask's worker processes excluded).",
        "",
        "| engine | workers | seconds | rows/s | x local, 1 worker "
        f"| driver peak MiB, {small:,} rows | driver peak MiB, {large:,} rows |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine, workers, seconds, peaks in results:
        lines.append(
            f"| {engine} | {workers} | {seconds:.1f} | {large / seconds:,.0f} | "
            f"{base / seconds:.2f} | {peaks[small]:.0f} | {peaks[large]:.0f} |"
        )
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
