"""Batch scoring throughput of `tone batch` against TextBlob: same texts, same run.

Usage: python benchmarks/throughput.py [--megabytes 20] [--repeats 3] [--model DIR]

Texts are the project's own articles repeated to the requested size. Scoring goes
through ``classifier.score_frame`` (what ``tone batch`` runs per chunk), with and
without per-sentence detail, one process, BLAS threads pinned to 1. Prints medians
of ``--repeats`` runs and the ratio to TextBlob's subjectivity on the same texts;
writes ``reports/benchmarks.md``.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pandas as pd

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


def median_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
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

    rows: list[tuple[str, float]] = []
    for name, detail in (
        ("tone (scores + hedging)", False),
        ("tone (+ per-sentence, cues, features)", True),
    ):
        seconds = median_seconds(
            lambda d=detail: [score_frame(c, model, detail=d) for c in chunks],
            args.repeats,
        )
        rows.append((name, seconds))
    try:
        from textblob import TextBlob

        seconds = median_seconds(
            lambda: [TextBlob(t).sentiment.subjectivity for t in texts], args.repeats
        )
        rows.append(("TextBlob subjectivity (peer)", seconds))
        peer = seconds
    except ImportError:
        peer = None

    sizes = [1_000, 10_000, 100_000]
    base = load_articles()
    fit_rows = []
    for n in sizes:
        sample = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n]
        sample = sample.assign(
            event=[f"{e}#{i // len(base)}" for i, e in enumerate(sample["event"])]
        )
        start = time.perf_counter()
        train_model(sample)
        fit_rows.append((n, time.perf_counter() - start))

    lines = [
        "# Benchmarks",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; one process, BLAS threads 1. "
        f"Texts: {len(texts):,} articles, {megabytes:.1f} MB "
        f"(the project's corpus repeated). Medians of {args.repeats} runs.",
        "",
        "| scorer | seconds | articles/s | MB/s | x TextBlob |",
        "|---|---|---|---|---|",
    ]
    for name, seconds in rows:
        ratio = f"{peer / seconds:.2f}" if peer else "n/a"
        rate = f"{len(texts) / seconds:,.0f} | {megabytes / seconds:.2f}"
        lines.append(f"| {name} | {seconds:.2f} | {rate} | {ratio} |")
    lines += [
        "",
        "| training texts | fit seconds (grouped calibration, 5 folds) |",
        "|---|---|",
    ]
    lines += [f"| {n:,} | {s:.1f} |" for n, s in fit_rows]
    report = "\n".join(lines) + "\n"
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
