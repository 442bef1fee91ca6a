"""The ``tone`` command line: score, batch, train, evaluate, labels, serve."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from classifier import ToneError, ToneModel, load_model, score_text
from service.settings import Settings

app = typer.Typer(
    name="tone",
    help="Tell opinion from reporting and measure hedging.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
labels_app = typer.Typer(help="The labeled corpus.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")

ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory [env TONE_MODEL_DIR].")
]


def _fail(message: str) -> NoReturn:
    typer.echo(f"tone: error: {message}", err=True)
    raise typer.Exit(code=1)


def _os_error(error: OSError) -> str:
    """``path: reason`` for an OS error, without Python's ``[Errno n]`` noise."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error).strip("'\"")


def _model_dir(model: Path | None) -> Path:
    return model or Settings().model_dir


def _load(model: Path | None) -> ToneModel:
    try:
        return load_model(_model_dir(model))
    except ToneError as error:
        _fail(str(error))


def _echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@app.command()
def score(
    text: Annotated[
        str | None, typer.Argument(help="The text, or - to read stdin.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the text from a file.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="The article's headline.")] = None,
    detail: Annotated[
        bool, typer.Option(help="Add sentences, cues and top features.")
    ] = False,
    model: ModelOption = None,
) -> None:
    """Score one text and print its result as JSON."""
    if (text is None) == (file is None):
        _fail("give the text as an argument (or - for stdin) or with --file, not both")
    from training.tables import encoding_hint

    source = "stdin" if text == "-" else str(file)
    try:
        if file is not None:
            raw = file.read_bytes()
        elif text == "-":
            raw = sys.stdin.buffer.read()
        else:
            raw = str(text).encode("utf-8", "surrogateescape")
        body = raw.decode("utf-8")
    except OSError as error:
        _fail(f"cannot read {_os_error(error)}")
    except UnicodeDecodeError as error:
        _fail(
            f"cannot read {source}: not UTF-8 text (byte {raw[error.start]:#04x} at "
            f"offset {error.start}); {encoding_hint(raw[:4])}"
        )
    tone = _load(model)
    try:
        result = score_text(tone, body, title=title)
    except ToneError as error:
        _fail(str(error))
    exclude: Any = (
        None
        if detail
        else {"sentences": True, "top_features": True, "hedging": {"cues"}}
    )
    _echo_json(result.model_dump(exclude=exclude))


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="CSV, JSONL or Parquet (Dask: also a glob or a directory of parts)."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write results (by suffix).")
    ],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    id_column: Annotated[
        str | None, typer.Option(help="Column to carry over [default: id if present].")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes [default: 1 local; one per core on Dask]."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="local, or dask (needs the dask extra).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address [default: a local cluster]."),
    ] = None,
    partitions: Annotated[
        int | None, typer.Option(min=1, help="Dask partitions [default: as read].")
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option(min=1, help="Rows read and scored at a time.")
    ] = 1_000,
    model: ModelOption = None,
) -> None:
    """Score a table of articles; bad rows get an error in their own row."""
    from rich.progress import Progress

    from service.batch import score_file

    if engine not in {"local", "dask"}:
        _fail(f"unknown engine {engine!r}; use local or dask")
    if engine == "local" and (scheduler or partitions):
        _fail("--scheduler and --partitions need --engine dask")
    show = sys.stderr.isatty()
    try:
        if engine == "dask":
            from service.dask_batch import score_file_with_dask

            summary = score_file_with_dask(
                str(source),
                output,
                _model_dir(model),
                text_column=text_column,
                id_column=id_column,
                scheduler=scheduler,
                workers=workers,
                partitions=partitions,
            )
        else:
            with Progress(transient=True, disable=not show) as bar:
                task = bar.add_task("scoring", total=None)
                summary = score_file(
                    source,
                    output,
                    _model_dir(model),
                    text_column=text_column,
                    id_column=id_column,
                    workers=workers or 1,
                    chunk_rows=chunk_rows,
                    progress=lambda n: bar.advance(task, n),
                )
    except OSError as error:
        _fail(_os_error(error))
    except (ToneError, KeyError) as error:
        _fail(str(error).strip("'\""))
    if not summary["rows"]:
        _fail(f"{source} holds no rows")
    typer.echo(
        f"scored {summary['scored']} of {summary['rows']} rows "
        f"({summary['failed']} with errors) into {output}",
        err=True,
    )
    if summary["rows"] and not summary["scored"]:
        _fail("no row could be scored; see the error column")


@app.command()
def train(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Model directory to write [default: TONE_MODEL_DIR]."
        ),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(help="Articles JSONL [default: labels/articles.jsonl]."),
    ] = None,
    extra: Annotated[
        list[Path] | None,
        typer.Option(help="Extra labeled CSV/JSONL/Parquet (text, label)."),
    ] = None,
    brown: Annotated[
        bool, typer.Option(help="Also train on Brown press (from the corpora path).")
    ] = False,
    folds: Annotated[
        int, typer.Option(min=2, help="Grouped cross-validation folds.")
    ] = 5,
    external: Annotated[
        bool, typer.Option(help="Evaluate on published corpora present.")
    ] = True,
) -> None:
    """Train a model from labels/ (and extras), cross-validated by event."""
    from training.external import EXTERNAL_CORPORA
    from training.train import load_training_frame, train_and_save

    settings = Settings()
    target = output or settings.model_dir
    # Never report a corpus the model was trained on as unseen.
    unseen = [n for n in EXTERNAL_CORPORA if external and not (brown and n == "brown")]
    try:
        frame = load_training_frame(
            labels, extra or (), brown=brown, corpora=settings.corpora
        )
        model = train_and_save(
            target, frame, folds=folds, evaluate_on=unseen, corpora=settings.corpora
        )
    except (ToneError, OSError) as error:
        _fail(str(error))
    typer.echo(f"trained {model.version} into {target}", err=True)
    _echo_json(model.metadata["metrics"])


@app.command()
def evaluate(
    file: Annotated[
        Path | None, typer.Argument(help="Labeled CSV/JSONL/Parquet (text, label).")
    ] = None,
    corpus: Annotated[
        list[str] | None, typer.Option(help="brown, checkthat or conll-hedging.")
    ] = None,
    all_corpora: Annotated[
        bool, typer.Option("--all", help="Every published corpus present.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write JSON and markdown here."),
    ] = None,
    model: ModelOption = None,
) -> None:
    """Evaluate the model on a labeled file or on published corpora."""
    from training.evaluate import (
        EXTERNAL_CORPORA,
        evaluate_corpus,
        evaluate_labeled_file,
        report_markdown,
    )

    settings = Settings()
    names = list(EXTERNAL_CORPORA) if all_corpora else list(corpus or [])
    if file is None and not names:
        _fail("name a labeled file, --corpus NAME or --all")
    tone = _load(model)
    results: dict[str, dict[str, object]] = {}
    try:
        if file is not None:
            results[file.name] = evaluate_labeled_file(tone, file)
        for name in names:
            try:
                results[name] = evaluate_corpus(tone, name, settings.corpora)
            except FileNotFoundError as error:
                if not all_corpora:
                    raise
                typer.echo(f"tone: skipped {name}: {error}", err=True)
    except (ToneError, OSError, ValueError) as error:
        _fail(str(error))
    _echo_json(results)
    markdown = report_markdown(results)
    typer.echo(markdown, err=True)
    if output:
        output.mkdir(parents=True, exist_ok=True)
        (output / "evaluation.json").write_text(json.dumps(results, indent=2) + "\n")
        (output / "evaluation.md").write_text(markdown)


@labels_app.command("stats")
def labels_stats(
    labels: Annotated[
        Path | None,
        typer.Option(help="Articles JSONL [default: labels/articles.jsonl]."),
    ] = None,
) -> None:
    """Counts by label, genre, subject and event; words per label; paired events."""
    from training.corpus import corpus_stats, load_articles

    try:
        frame = load_articles(labels)
    except (ToneError, OSError) as error:
        _fail(str(error))
    stats = corpus_stats(frame)
    stats["by_event"] = (
        frame.groupby("event")["label"]
        .value_counts()
        .unstack(fill_value=0)
        .astype(int)
        .to_dict(orient="index")
    )
    _echo_json(stats)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind [env TONE_HOST].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port [env TONE_PORT].")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes [env TONE_WORKERS].")
    ] = None,
    model: ModelOption = None,
) -> None:
    """Serve the HTTP API with uvicorn (default 127.0.0.1:8000)."""
    import os

    import uvicorn

    settings = Settings()
    if model is not None:
        os.environ["TONE_MODEL_DIR"] = str(model)  # read again by each worker's app
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
    )


if __name__ == "__main__":  # pragma: no cover
    app()
