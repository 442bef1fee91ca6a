"""Batch scoring throughput of `tone batch` against TextBlob: same texts, same run.

Usage: python benchmarks/throughput.py [--megabytes 20] [--repeats 3] [--model DIR]

Texts are the project's own articles repeated to the requested size. Scoring goes
through ``classifier.score_frame`` (what ``tone batch`` runs per chunk), with and
without per-sentence detail, one process, BLAS threads pinned to 1. Prints medians
of ``--repeats`` runs (wall-clock and CPU time), the ratios to TextBlob's
subjectivity on the same texts, fit time and peak memory at 1k, 10k and 100k
training texts; writes ``reports/benchmarks.md``.
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pandas as pd
from _report import publish  # benchmarks/, the script's own folder

from classifier import load_model, score_frame
from training.corpus import load_articles
from training.registry import resolve_model_dir
from training.train import train_model

CHUNK = 1_000


def corpus_of(megabytes: float) -> list[str]:
    texts = list(load_articles()["text"])
    out: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        for text in texts:
            out.append(text)
            size += len(text.encode())
    return out


def timed(run, repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds (this process) of ``repeats`` runs.

    CPU time is what to compare between runs on a shared machine: wall-clock
    time also counts whatever else the cores were doing.
    """
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--fit-sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000]
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=Path(os.environ.get("TONE_MODEL_DIR", "models/default")),
    )
    parser.add_argument("--output", type=Path, default=Path("reports/benchmarks.md"))
    args = parser.parse_args()

    model = (
        load_model(resolve_model_dir(args.model))
        if (resolve_model_dir(args.model) / "model.skops").is_file()
        else train_model(load_articles())
    )
    texts = corpus_of(args.megabytes)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    frame = pd.DataFrame({"text": texts})
    chunks = [frame.iloc[i : i + CHUNK] for i in range(0, len(frame), CHUNK)]

    rows: list[tuple[str, float, float]] = []
    for name, detail in (
        ("tone: scores and hedging", False),
        ("tone: + per-sentence scores, cue spans, top features", True),
    ):
        wall, cpu = timed(
            lambda d=detail: [score_frame(c, model, detail=d) for c in chunks],
            args.repeats,
        )
        rows.append((name, wall, cpu))
        print(f"{name}: {wall:.2f} s, {cpu:.2f} s CPU", flush=True)
    scoring_rss = peak_rss_mib()
    try:
        from textblob import TextBlob

        wall, cpu = timed(
            lambda: [TextBlob(t).sentiment.subjectivity for t in texts], args.repeats
        )
        rows.append(("TextBlob subjectivity (peer)", wall, cpu))
        print(f"TextBlob: {wall:.2f} s, {cpu:.2f} s CPU", flush=True)
        peer: tuple[float, float] | None = (wall, cpu)
    except ImportError:
        peer = None

    sizes = args.fit_sizes
    base = load_articles()
    fit_rows = []
    for n in sizes:
        sample = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n]
        sample = sample.assign(
            event=[f"{e}#{i // len(base)}" for i, e in enumerate(sample["event"])]
        )
        start = time.perf_counter()
        train_model(sample)
        fit_rows.append((n, time.perf_counter() - start, peak_rss_mib()))
        print(f"fit on {n:,} texts: {fit_rows[-1][1]:.1f} s", flush=True)

    words = sum(len(t.split()) for t in texts) / len(texts)
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; one process, BLAS threads 1. "
        f"Texts: {len(texts):,} articles (mean {words:.0f} words), "
        f"{megabytes:.1f} MB: the project's corpus repeated, scored through "
        f"`classifier.score_frame` in chunks of {CHUNK:,} rows (what `tone batch` "
        f"runs). Medians of {args.repeats} runs. CPU is this process's CPU time, "
        "which other work on the machine barely moves; the ratios are against "
        "TextBlob in the same run.",
        "",
        "| scorer | seconds | articles/s | MB/s | CPU ms/article "
        "| x TextBlob (wall) | x TextBlob (CPU) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, wall, cpu in rows:
        ratio = f"{peer[0] / wall:.2f} | {peer[1] / cpu:.2f}" if peer else "n/a | n/a"
        rate = f"{len(texts) / wall:,.0f} | {megabytes / wall:.2f}"
        per = cpu * 1000 / len(texts)
        lines.append(f"| {name} | {wall:.2f} | {rate} | {per:.3f} | {ratio} |")
    lines += [
        "",
        f"Peak resident memory after scoring (model, texts and results held): "
        f"{scoring_rss:.0f} MiB.",
        "",
        "| training texts | fit seconds (grouped calibration, 5 folds) "
        "| peak RSS MiB |",
        "|---|---|---|",
    ]
    lines += [f"| {n:,} | {s:.1f} | {m:.0f} |" for n, s, m in fit_rows]
    lines += [
        "",
        "HTTP load figures: `reports/http_load.md` (`benchmarks/http_load.py`).",
    ]
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
