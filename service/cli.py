"""The ``tone`` command line: score, batch, train, evaluate, labels, serve."""

import json
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from classifier import ToneError
from service.settings import Settings
from training.exceptions import LabelStoreUnavailableError, RegistryError

if TYPE_CHECKING:
    from classifier import ToneModel
    from training.labelstore import AddResult, LabelStore
    from training.registry import Registry

app = typer.Typer(
    name="tone",
    help="Tell opinion from reporting and measure hedging.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Help strings show "[default: ...]" and "[env ...]" as written, not as markup.
    rich_markup_mode=None,
    add_completion=False,
)
labels_app = typer.Typer(
    help="The labeled corpus and the labels stored since.", no_args_is_help=True
)
app.add_typer(labels_app, name="labels")
model_app = typer.Typer(
    help="The model registry: versions and the CURRENT pointer.", no_args_is_help=True
)
app.add_typer(model_app, name="model")

ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory [env TONE_MODEL_DIR].")
]


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"tone: error: {message}", err=True)
    raise typer.Exit(code=code)


def _terminated(signum: int, frame: object) -> NoReturn:
    # SIGTERM unwinds like Ctrl-C, so a half-written output is removed.
    raise KeyboardInterrupt


def _os_error(error: OSError) -> str:
    """``path: reason`` for an OS error, without Python's ``[Errno n]`` noise."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error).strip("'\"")


def _settings() -> Settings:
    """The settings from the environment, or one line naming the bad variable."""
    try:
        return Settings()
    except SettingsError as error:  # a value pydantic-settings could not decode
        _fail(f"the TONE_ settings: {error}")
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a check across settings names no variable
            _fail(f"the TONE_ settings: {message}")
        name = f"TONE_{str(first['loc'][0]).upper()}"
        _fail(f"{name}={first.get('input')!r}: {message}")


def _model_dir(model: Path | None) -> Path:
    """The model directory to load: a registry's CURRENT version, or the folder."""
    from training.registry import resolve_model_dir

    return resolve_model_dir(model or _settings().model_dir)


def _load(model: Path | None) -> "ToneModel":
    from classifier import load_model

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
        _fail(
            "give the text as an argument (or - for stdin) or with --file"
            + (", not both" if text is not None else "")
        )
    from training.tables import encoding_hint

    source = (
        "stdin" if text == "-" else "the text argument" if file is None else str(file)
    )
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
        from classifier import score_text

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
    title_column: Annotated[
        str | None,
        typer.Option(
            help="Column of titles, scored with the text [default: title if present]."
        ),
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
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        if engine == "dask":
            from service.dask_batch import score_file_with_dask

            summary = score_file_with_dask(
                str(source),
                output,
                _model_dir(model),
                text_column=text_column,
                id_column=id_column,
                title_column=title_column,
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
                    title_column=title_column,
                    workers=workers or 1,
                    chunk_rows=chunk_rows,
                    progress=lambda n: bar.advance(task, n),
                )
    except KeyboardInterrupt:
        _fail(f"interrupted; {output} was not written", code=130)
    except OSError as error:
        _fail(_os_error(error))
    except (ToneError, KeyError) as error:
        _fail(str(error).strip("'\""))
    finally:
        signal.signal(signal.SIGTERM, previous)
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
    checkthat: Annotated[
        bool,
        typer.Option(
            help="Train the sentence model on CheckThat! train/dev too, if present."
        ),
    ] = True,
) -> None:
    """Train a model from labels/ (and extras), cross-validated by event."""
    from training.external import EXTERNAL_CORPORA
    from training.train import check_output, load_training_frame, train_and_save

    settings = _settings()
    target = output or settings.model_dir
    try:
        check_output(target)
    except ToneError as error:
        _fail(str(error))
    # Brown is not evaluated when trained on; CheckThat! dev_test never trains
    # anything, and its result is labeled in-domain when train/dev did.
    unseen = [n for n in EXTERNAL_CORPORA if external and not (brown and n == "brown")]
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        frame = load_training_frame(
            labels, extra or (), brown=brown, corpora=settings.corpora
        )
        model = train_and_save(
            target,
            frame,
            folds=folds,
            evaluate_on=unseen,
            corpora=settings.corpora,
            checkthat=checkthat,
        )
    except KeyboardInterrupt:
        _fail(f"interrupted; {target} was not changed", code=130)
    except OSError as error:
        _fail(_os_error(error))
    except ToneError as error:
        _fail(str(error))
    finally:
        signal.signal(signal.SIGTERM, previous)
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
    """Evaluate the model on a labeled file or on published corpora.

    With --all alone: every published corpus present plus the labels/ hold-out,
    against peers, into evaluation.md, evaluation.json and PNG plots.
    """
    from training.evaluate import (
        EXTERNAL_CORPORA,
        evaluate_corpus,
        evaluate_labeled_file,
        report_markdown,
    )

    settings = _settings()
    names = list(EXTERNAL_CORPORA) if all_corpora else list(corpus or [])
    if file is None and not names:
        _fail("name a labeled file, --corpus NAME or --all")
    tone = _load(model)
    if all_corpora and file is None and not corpus:
        from training.report import run_evaluation, write_report

        try:
            evaluations, hedging = run_evaluation(tone, corpora=settings.corpora)
            report = write_report(tone, evaluations, hedging, output or Path("reports"))
        except (ToneError, OSError, ValueError) as error:
            _fail(str(error))
        typer.echo(report.read_text(encoding="utf-8"))
        typer.echo(f"wrote {report} and its plots", err=True)
        return
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
        try:
            output.mkdir(parents=True, exist_ok=True)
            (output / "evaluation.json").write_text(
                json.dumps(results, indent=2) + "\n"
            )
            (output / "evaluation.md").write_text(markdown)
        except FileExistsError:
            _fail(f"{output}: is a file; give a directory for the report (-o)")
        except OSError as error:
            _fail(f"cannot write the report: {_os_error(error)}")


@labels_app.command("stats")
def labels_stats(
    labels: Annotated[
        Path | None,
        typer.Option(help="Articles JSONL [default: labels/articles.jsonl]."),
    ] = None,
) -> None:
    """Counts by label, genre, subject and event; words per label; paired events.

    With a ``second_reading.jsonl`` beside the articles, also how far that blind
    second reading agrees with their labels.
    """
    from training.corpus import (
        SECOND_READING_FILE,
        corpus_stats,
        default_labels_dir,
        load_articles,
        load_second_reading,
        second_reading_agreement,
    )

    second = (labels.parent if labels else default_labels_dir()) / SECOND_READING_FILE
    try:
        frame = load_articles(labels)
        stats = corpus_stats(frame)
        if second.is_file():
            stats["second_reading"] = second_reading_agreement(
                frame, load_second_reading(second)
            )
    except (ToneError, OSError) as error:
        _fail(str(error))
    stats["by_event"] = (
        frame.groupby("event")["label"]
        .value_counts()
        .unstack(fill_value=0)
        .astype(int)
        .to_dict(orient="index")
    )
    from training.labelstore import DB_FILE, LabelStore

    data_dir = _settings().data_dir
    # Do not create a database, or its tables in an empty file, to say it is empty.
    database = data_dir / DB_FILE
    exists = database.is_file() and database.stat().st_size > 0
    if exists or (data_dir.exists() and not data_dir.is_dir()):
        stored = _store().stats()  # or one line saying what is wrong
    else:
        stored = LabelStore.empty_stats()
    stats["stored"] = {**stored, "database": str(data_dir / DB_FILE)}
    _echo_json(stats)


def _store() -> "LabelStore":
    from training.labelstore import LabelStore

    settings = _settings()
    try:
        return LabelStore(settings.data_dir, max_chars=settings.max_text_chars)
    except LabelStoreUnavailableError as error:
        _fail(str(error))
    except (OSError, sqlite3.Error) as error:
        _fail(f"cannot open the label store in {settings.data_dir}: {error}")


def _author(by: str | None) -> str:
    import getpass

    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


ByOption = Annotated[
    str | None, typer.Option("--by", help="Who labeled [default: your user name].")
]


def _report_added(
    result: "AddResult",
    store: "LabelStore",
    name: Callable[[int], str],
    skipped: int = 0,
) -> None:
    """The API's summary on stdout and each conflict on stderr; 1 if all conflicted."""
    summary = {**result.as_dict(), "stored": store.count()}
    if skipped:
        summary["skipped"] = skipped
    _echo_json(summary)
    for conflict in result.conflicts:
        typer.echo(
            f"tone: conflict: {name(conflict.index)} is stored as {conflict.stored!r}; "
            f"{conflict.given!r} was not written (text key {conflict.text_key[:12]})",
            err=True,
        )
    if result.conflicts and not (result.added or result.duplicates):
        n = len(result.conflicts)
        _fail(
            "nothing was stored: the label conflicts with a stored one"
            if n == 1
            else f"nothing was stored: all {n} labels conflict with stored ones"
        )


@labels_app.command("add")
def labels_add(
    label: Annotated[str, typer.Option(help="opinion or reporting.")],
    text: Annotated[str | None, typer.Option(help="The text.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the text from a file.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Its headline.")] = None,
    event: Annotated[
        str | None, typer.Option(help="The event it covers (groups folds).")
    ] = None,
    by: ByOption = None,
) -> None:
    """Store one labeled text in the label database (TONE_DATA_DIR)."""
    from training.labelstore import NewLabel

    if (text is None) == (file is None):
        _fail(
            "give the text with --text or --file"
            + (", not both" if text is not None else "")
        )
    try:
        body = text if text is not None else Path(str(file)).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"cannot read {file}: {error.__class__.__name__}: {error}")
    store = _store()
    try:
        result = store.add(
            [NewLabel(text=body, label=label, title=title, event=event)],
            author=_author(by),
            source="cli",
        )
    except ToneError as error:
        _fail(str(error))
    _report_added(result, store, lambda i: "the text")


@labels_app.command("import")
def labels_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV, JSONL or Parquet with text and label, or a Label Studio "
            "JSON export with a Choices field."
        ),
    ],
    text_field: Annotated[
        str, typer.Option(help="Label Studio: the data field holding the text.")
    ] = "text",
    by: ByOption = None,
) -> None:
    """Import labels from a file, all in one transaction (all or nothing)."""
    from training.labelstore import NewLabel, read_label_studio
    from training.tables import optional_text, read_table

    skipped = 0
    unit = "row"
    try:
        if file.suffix.lower() == ".json":
            items, skipped = read_label_studio(file, text_field=text_field)
            unit = "labeled task"
        else:
            frame = read_table(file)
            missing = {"text", "label"} - set(frame.columns)
            if missing:
                _fail(f"{file}: missing column(s) {', '.join(sorted(missing))}")

            items = [
                NewLabel(
                    text=row["text"],
                    label=row["label"],
                    title=optional_text(row.get("title")),
                    event=optional_text(row.get("event")),
                )
                for row in frame.to_dict(orient="records")
            ]

        # Counted from 1, as a spreadsheet numbers rows below the header.
        def name(i: int) -> str:
            return f"{file.name} {unit} {i + 1}"

        store = _store()
        result = store.add(
            items, author=_author(by), source=f"import:{file.name}", name=name
        )
    except ToneError as error:
        _fail(str(error))
    _report_added(result, store, name, skipped)


@labels_app.command("export")
def labels_export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="CSV, JSONL or Parquet (by suffix).")
    ],
) -> None:
    """Write every stored label, with who, when and source, to a table."""
    from training.tables import TableWriter

    frame = _store().frame()
    try:
        with TableWriter(output) as writer:
            writer.write(frame)
    except (ToneError, OSError) as error:
        _fail(str(error))
    typer.echo(f"exported {len(frame)} labels to {output}", err=True)


def _registry(model: Path | None) -> "Registry":
    from training.registry import Registry

    return Registry(model or _settings().model_dir)


@model_app.command("list")
def model_list(model: ModelOption = None) -> None:
    """Every complete version, oldest first; the current one is marked."""
    registry = _registry(model)
    try:
        registry.adopt_plain_model()
        _echo_json(registry.summary())
    except (ToneError, OSError) as error:
        _fail(str(error))


@model_app.command("show")
def model_show(
    version: Annotated[str, typer.Argument(help="A version from `tone model list`.")],
    model: ModelOption = None,
) -> None:
    """A version's metadata and evaluation report."""
    try:
        _echo_json(_registry(model).show(version))
    except (ToneError, OSError) as error:
        _fail(str(error))


@model_app.command("promote")
def model_promote(
    version: Annotated[str, typer.Argument(help="A version from `tone model list`.")],
    model: ModelOption = None,
) -> None:
    """Make VERSION current (after checking that it loads); servers follow."""
    registry = _registry(model)
    try:
        plain = registry.plain_version()
        if plain is not None and version != plain:
            # Checked first: a failed promote must leave a plain model as it was.
            raise RegistryError(
                f"No version {version!r} in {registry.root}: it holds one plain "
                f"model, {plain}; promote that, or add versions with `tone retrain`"
            )
        registry.adopt_plain_model()
        registry.promote(version)
    except (ToneError, OSError) as error:
        _fail(str(error))
    typer.echo(f"current version: {version}", err=True)


@model_app.command("rollback")
def model_rollback(model: ModelOption = None) -> None:
    """Make the previously current version current again."""
    try:
        version = _registry(model).rollback()
    except (ToneError, OSError) as error:
        _fail(str(error))
    typer.echo(f"current version: {version}", err=True)


@app.command()
def retrain(
    force: Annotated[
        bool, typer.Option(help="Promote the candidate even if the gate fails.")
    ] = False,
    tolerance: Annotated[
        float | None,
        typer.Option(
            min=0, max=1, help="Allowed macro-F1 drop [env TONE_RETRAIN_TOLERANCE]."
        ),
    ] = None,
    folds: Annotated[
        int | None, typer.Option(min=2, help="CV folds [env TONE_RETRAIN_FOLDS].")
    ] = None,
    job_id: Annotated[str | None, typer.Option(hidden=True)] = None,
    model: ModelOption = None,
) -> None:
    """Train a candidate on labels/ plus stored labels; promote it if it passes."""
    from training.registry import Registry
    from training.retrain import RetrainOptions
    from training.retrain import retrain as run_retrain

    settings = _settings()
    store = _store()
    options = RetrainOptions(
        labels_path=settings.labels_file,
        folds=folds or settings.retrain_folds,
        holdout=settings.retrain_holdout,
        tolerance=settings.retrain_tolerance if tolerance is None else tolerance,
        corpora=settings.corpora,
        gate_corpora=settings.retrain_corpora,
        force=force,
    )

    def progress(stage: str, fraction: float) -> None:
        typer.echo(f"tone: {stage}", err=True)
        if job_id:
            store.update_job(job_id, state="running", stage=stage, progress=fraction)

    if job_id:
        # Started by the service: yield the CPU to the requests it is serving.
        os.nice(10)
        store.update_job(job_id, state="running", stage="starting", pid=os.getpid())
    registry = Registry(model or settings.model_dir)
    versions = registry.versions()
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        report = run_retrain(registry, store, options, progress)
    except KeyboardInterrupt:
        added = sorted(set(registry.versions()) - set(versions))
        message = (
            f"interrupted after adding {', '.join(added)} to {registry.root}; "
            f"its current version is {registry.current()}"
            if added
            else f"interrupted; {registry.root} was not changed"
        )
        if job_id:
            store.update_job(job_id, state="failed", error=message)
        _fail(message, code=130)
    except (ToneError, OSError) as error:
        if job_id:
            store.update_job(job_id, state="failed", error=str(error))
        _fail(str(error))
    finally:
        signal.signal(signal.SIGTERM, previous)
    if job_id:
        store.update_job(job_id, state="succeeded", result=report, progress=1.0)
    for reason in report["reasons"]:
        typer.echo(f"tone: {reason}", err=True)
    typer.echo(f"tone: {report['candidate']}: {report['verdict']}", err=True)
    _echo_json({k: v for k, v in report.items() if k != "evaluations"})


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    return listener


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
    """Serve the HTTP API with uvicorn (default 127.0.0.1:8000).

    With more than one worker, each worker listens on its own SO_REUSEPORT
    socket, so that connections spread over all of them.
    """
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from service.main import check_serving_settings
    from service.workers import serve_workers

    settings = _settings()
    try:
        check_serving_settings(settings)
    except ToneError as error:
        _fail(str(error))
    if model is not None:
        os.environ["TONE_MODEL_DIR"] = str(model)  # read again by each worker's app
    config = uvicorn.Config(
        "service.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    if config.workers == 1:
        # Tried before the model loads, so a port in use fails at once, in one line
        # (uvicorn binds its own socket, and logs the address, after loading).
        try:
            _bind(config.host, config.port).close()
        except OSError as error:
            _fail(f"cannot listen on {config.host}:{config.port}: {error.strerror}")
        server = uvicorn.Server(config)
        server.run()
        if not server.started:  # uvicorn has logged why
            raise typer.Exit(code=STARTUP_FAILURE)
        return
    try:
        serve_workers(config)
    except OSError as error:
        _fail(f"cannot listen on {config.host}:{config.port}: {error.strerror}")


if __name__ == "__main__":  # pragma: no cover
    app()
