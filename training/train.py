"""Training tone models: grouped cross-validation, fitting, saving with a card."""

import importlib.metadata
import os
import shutil
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, StratifiedKFold

from classifier import (
    ToneModel,
    build_pipeline,
    build_sentence_pipeline,
    fit_pipeline,
    save_model,
)
from classifier.missing import is_missing
from classifier.persistence import METADATA_FILE, MODEL_FILE
from classifier.scoring import text_problem
from classifier.tokenise import sentence_spans
from training.card import write_model_card
from training.corpus import (
    corpus_hash,
    corpus_stats,
    load_articles,
    read_labeled_table,
    text_key,
)
from training.evaluate import evaluate_corpus
from training.exceptions import CorpusError, CorpusNotFoundError, ModelOutputError
from training.metrics import check_labels, classification_metrics, label_name
from training.registry import is_registry
from training.tables import optional_text

__all__ = [
    "DEFAULT_PASSAGE_WORDS",
    "OFFSET_GRID",
    "article_sentences",
    "check_output",
    "choose_offset",
    "default_version",
    "fit_sentence_model",
    "grouped_cross_validation",
    "load_training_frame",
    "train_and_save",
    "train_model",
]

DEFAULT_PASSAGE_WORDS = 300
_LIBRARIES = ("scikit-learn", "numpy", "scipy", "nltk", "skops", "pandas")


def _check_frame(frame: pd.DataFrame) -> None:
    """Both labels and nothing else, and an event on every row."""
    labels = {label_name(v) for v in frame["label"]}
    if labels != {"'opinion'", "'reporting'"}:
        raise CorpusError(
            "Training needs both labels, 'opinion' and 'reporting', and no other; "
            f"got {', '.join(sorted(labels)) or 'none'}."
        )
    no_event = [i for i, v in enumerate(frame["event"]) if is_missing(v)]
    if no_event:
        raise CorpusError(
            f"{len(no_event)} row(s) have no event (the first is row {no_event[0]}); "
            "give every row one, its own if it covers none: events group the "
            "cross-validation folds"
        )


def load_training_frame(
    labels_path: str | Path | None = None,
    extra_files: Sequence[str | Path] = (),
    *,
    brown: bool = False,
    corpora: Path | None = None,
) -> pd.DataFrame:
    """The base corpus plus any extra labeled tables (and Brown, when asked).

    Extra files need ``text`` and ``label`` columns, and every row a text; rows
    without an ``event`` (absent, null or blank) are each their own group in
    cross-validation, and other events are read as text. A text found twice (case
    and spacing aside) is kept once, so that no copy sits on the other side of a
    split; one found with both labels is refused.
    """
    frame = load_articles(labels_path)[["text", "label", "event", "source"]]
    parts = [frame]
    for path in extra_files:
        extra = read_labeled_table(path).assign(source=str(path))
        _check_texts(path, extra["text"])
        given = extra["event"] if "event" in extra else [None] * len(extra)
        extra["event"] = [
            optional_text(value) or f"{path}#{i}" for i, value in enumerate(given)
        ]
        parts.append(extra[["text", "label", "event", "source"]])
    if brown:
        from training.external import load_brown

        b = load_brown(corpora)
        parts.append(
            b.assign(event=b["group"], source="brown")[
                ["text", "label", "event", "source"]
            ]
        )
    return _without_copies(pd.concat(parts, ignore_index=True))


def _check_texts(path: str | Path, texts: pd.Series) -> None:
    for row, text in enumerate(texts, 1):
        problem = text_problem(text)
        if problem is not None:
            raise CorpusError(f"{path}: row {row}: {problem}; every row needs one")


def _without_copies(frame: pd.DataFrame) -> pd.DataFrame:
    keys = frame["text"].map(text_key)
    labels = frame.groupby(keys)["label"].nunique()
    both = labels[labels > 1]
    if len(both):
        rows = frame[keys == both.index[0]]
        where = ", ".join(sorted(set(rows["source"])))
        raise CorpusError(
            f"{len(both)} text(s) are labeled both opinion and reporting, e.g. "
            f"{rows['text'].iloc[0][:60]!r} (in {where}); remove the wrong copy"
        )
    return frame[~keys.duplicated()].reset_index(drop=True)


def article_sentences(frame: pd.DataFrame, *, min_words: int = 4) -> pd.DataFrame:
    """Every sentence of every article, labeled with its article's label.

    The article label is a noisy sentence label: opinion pieces hold factual
    sentences too. Filtering those out by stance markers was measured and made
    the sentence model worse on CheckThat! dev (AUC 0.741 to 0.711), so every
    sentence of at least ``min_words`` words is kept.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["We must act now. Yes.", "Police said so."],
    ...                       "label": ["opinion", "reporting"], "event": ["e", "e"]})
    >>> article_sentences(frame, min_words=3)[["text", "label"]].values.tolist()
    [['We must act now.', 'opinion'], ['Police said so.', 'reporting']]
    """
    rows = [
        (text[a:b], label, event)
        for text, label, event in zip(
            frame["text"], frame["label"], frame["event"], strict=True
        )
        for a, b in sentence_spans(text)
        if len(text[a:b].split()) >= min_words
    ]
    return pd.DataFrame(rows, columns=["text", "label", "event"])


OFFSET_GRID = np.round(np.arange(-3.0, 3.0001, 0.05), 2)
"""The log-odds thresholds :func:`choose_offset` considers."""


def choose_offset(
    labels: Sequence[str],
    log_odds: np.ndarray,
    *,
    resamples: int = 200,
    seed: int = 0,
) -> float:
    """A log-odds threshold for held-out sentences, chosen so it does not wander.

    Macro-F1 is computed at every threshold of a 0.05 grid from -3 to 3. Its
    curve is flat near the top, so the single best point jumps with small
    changes to the data (0.35 to 0.85 between two corpus waves). Instead, every
    threshold whose macro-F1 is within one standard error of the best (the
    spread of the best threshold's macro-F1 over ``resamples`` bootstrap
    resamples) counts as equally good, and the median of those is returned.

    Examples
    --------
    >>> choose_offset(["opinion", "reporting", "reporting"], np.array([1.0, 0.4, -1]))
    0.725
    """
    from sklearn.metrics import f1_score

    y = check_labels(labels)
    log_odds = np.asarray(log_odds, dtype=float)
    if len(y) != len(log_odds) or not len(y):
        raise ValueError(
            f"choose_offset needs one log-odds per label; got {len(y)} labels "
            f"and {len(log_odds)} log-odds"
        )
    truth = y == "opinion"
    curve = np.array(
        [
            f1_score(truth, log_odds >= t, average="macro", zero_division=0)
            for t in OFFSET_GRID
        ]
    )
    best = log_odds >= OFFSET_GRID[int(np.argmax(curve))]
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(y), size=(resamples, len(y)))
    spread = float(
        np.std(
            [
                f1_score(truth[r], best[r], average="macro", zero_division=0)
                for r in rows
            ]
        )
    )
    return float(np.median(OFFSET_GRID[curve >= curve.max() - spread]))


def _log_odds(pipelines: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
    from scipy.special import logit

    total = np.zeros(len(texts))
    for pipeline in pipelines:
        column = list(pipeline.classes_).index("opinion")
        p = pipeline.predict_proba(list(texts))[:, column]
        total += logit(np.clip(p, 1e-6, 1 - 1e-6))
    return total / max(len(pipelines), 1)


def fit_sentence_model(
    frame: pd.DataFrame,
    *,
    checkthat: bool = True,
    corpora: Path | None = None,
) -> tuple[list[Any], float, dict[str, object]]:
    """Fit the sentence pipelines, choose their offset and say what trained them.

    One pipeline learns from the sentences of ``frame``'s articles; when
    ``checkthat`` is set and CheckThat! is present under ``corpora``, a second
    learns from its ``train`` and ``dev`` splits, and the decision offset is
    chosen on out-of-fold scores over them. ``dev_test`` is never read here.

    Returns
    -------
    pipelines, offset, provenance
    """
    own = article_sentences(frame)
    pipelines: list[Any] = [
        build_sentence_pipeline(ngram_range=(1, 1)).fit(
            list(own["text"]), list(own["label"])
        )
    ]
    provenance: dict[str, object] = {
        "data": ["own article sentences"],
        "own_sentences": len(own),
        "offset_chosen_on": None,
    }
    offset = 0.0
    if checkthat:
        from training.external import load_checkthat

        train: pd.DataFrame | None
        dev: pd.DataFrame | None
        try:
            train = load_checkthat("train", corpora).drop_duplicates("text")
            dev = load_checkthat("dev", corpora)
        except CorpusNotFoundError:
            train = dev = None
        if train is not None and dev is not None:
            news = pd.concat([train, dev], ignore_index=True).drop_duplicates("text")
            texts, labels = list(news["text"]), list(news["label"])
            # The offset is chosen on out-of-fold log-odds over train and dev,
            # each sentence scored by a news pipeline that never saw it.
            own_log_odds = _log_odds(pipelines, texts)
            fold_log_odds = np.zeros(len(texts))
            folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
            for fit_rows, held_rows in folds.split(texts, labels):
                fold = build_sentence_pipeline().fit(
                    [texts[i] for i in fit_rows], [labels[i] for i in fit_rows]
                )
                fold_log_odds[held_rows] = _log_odds(
                    [fold], [texts[i] for i in held_rows]
                )
            offset = choose_offset(labels, (own_log_odds + fold_log_odds) / 2)
            pipelines.append(build_sentence_pipeline().fit(texts, labels))
            provenance["data"] = ["own article sentences", "checkthat train+dev"]
            provenance["checkthat_sentences"] = len(news)
            provenance["offset_chosen_on"] = (
                "checkthat train+dev, out of fold (5 stratified folds), as the median "
                "threshold within one bootstrap standard error of the best macro-F1"
            )
    provenance["offset"] = offset
    return pipelines, offset, provenance


def train_model(
    frame: pd.DataFrame,
    *,
    version: str = "unversioned",
    passage_words: int = DEFAULT_PASSAGE_WORDS,
    sentences: bool = False,
    checkthat: bool = True,
    corpora: Path | None = None,
    **pipeline_options: Any,
) -> ToneModel:
    """Fit a :class:`ToneModel` on a frame with ``text``, ``label`` and ``event``.

    With ``sentences``, also fit the sentence model (:func:`fit_sentence_model`);
    its provenance goes into ``metadata["sentence_model"]``.
    """
    _check_frame(frame)
    pipeline = fit_pipeline(
        build_pipeline(**pipeline_options),
        frame["text"],
        frame["label"],
        frame["event"],
    )
    model = ToneModel(pipeline=pipeline, version=version, passage_words=passage_words)
    if sentences:
        pipelines, offset, provenance = fit_sentence_model(
            frame, checkthat=checkthat, corpora=corpora
        )
        model.sentence_pipelines = pipelines
        model.sentence_offset = offset
        model.metadata["sentence_model"] = provenance
    return model


def grouped_cross_validation(
    frame: pd.DataFrame,
    *,
    folds: int = 5,
    passage_words: int = DEFAULT_PASSAGE_WORDS,
    **pipeline_options: Any,
) -> tuple[dict[str, object], np.ndarray]:
    """Out-of-fold opinion probabilities with no event on both sides of a split."""
    _check_frame(frame)
    events = frame["event"].nunique()
    if folds > events:
        raise CorpusError(
            f"{folds} cross-validation folds need at least {folds} events; the "
            f"training data has {events}"
            + (f": use --folds {events} or fewer" if events >= 2 else "")
        )
    probability = np.zeros(len(frame))
    splitter = GroupKFold(n_splits=folds)
    for train, test in splitter.split(frame, groups=frame["event"]):
        model = train_model(
            frame.iloc[train], passage_words=passage_words, **pipeline_options
        )
        probability[test] = model.opinion_probability(list(frame["text"].iloc[test]))
    return classification_metrics(frame["label"], probability), probability


def default_version(fingerprint: str, created: datetime) -> str:
    """A model's name: its creation time and its corpus fingerprint."""
    return f"{created:%Y%m%dT%H%M%SZ}-{fingerprint[:7]}"


def check_output(output: str | Path) -> Path:
    """Refuse, before any training, a model output that cannot be written whole.

    Raises
    ------
    ModelOutputError
        If ``output`` is a file, a model registry, or a version inside one.
    """
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ModelOutputError(f"{output}: is a file; name a directory for the model")
    if is_registry(output):
        raise ModelOutputError(
            f"{output} is a model registry (it holds CURRENT); add a version with "
            "`tone retrain`, or train into another directory with --output"
        )
    if is_registry(output.resolve().parent):
        raise ModelOutputError(
            f"{output} is a version of the model registry {output.parent}, which "
            "is never written in place; add a version with `tone retrain`"
        )
    return output


def _save_whole(output: Path, save: Callable[[Path], None]) -> None:
    """Run ``save(directory)`` so that ``output`` changes only once it succeeded.

    An empty or absent ``output`` holds nothing to keep and is written in place;
    otherwise the files are written into a hidden sibling first and then moved
    over those in ``output``, model last. A failed or interrupted training thus
    leaves the old model as it was, never half replaced.
    """
    if output.is_dir() and not any(output.iterdir()):
        save(output)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        save(staging)
        if not output.exists():
            os.rename(staging, output)
            return
        last = {METADATA_FILE: 1, MODEL_FILE: 2}
        for path in sorted(staging.iterdir(), key=lambda p: last.get(p.name, 0)):
            os.replace(path, output / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def train_and_save(
    output: str | Path,
    frame: pd.DataFrame,
    *,
    folds: int = 5,
    passage_words: int = DEFAULT_PASSAGE_WORDS,
    evaluate_on: Sequence[str] = (),
    corpora: Path | None = None,
    version: str | None = None,
    checkthat: bool = True,
    **pipeline_options: Any,
) -> ToneModel:
    """Cross-validate, fit on everything, and save model, metadata and card.

    ``evaluate_on`` names published corpora to score the fitted model on; those
    absent from ``corpora`` are skipped. Name none the model was trained on.
    ``version`` overrides the default name (creation time and corpus hash).
    The sentence model is fitted too (with CheckThat! train and dev when
    ``checkthat`` is set and they are present); see :func:`fit_sentence_model`.
    An existing model in ``output`` is replaced only once the new one is written
    whole (:func:`check_output` says beforehand whether ``output`` may be written).
    """
    output = Path(output)
    created = datetime.now(UTC).replace(microsecond=0)
    cv_metrics, cv_probability = grouped_cross_validation(
        frame, folds=folds, passage_words=passage_words, **pipeline_options
    )
    fingerprint = corpus_hash(frame)
    model = train_model(
        frame,
        version=version or default_version(fingerprint, created),
        passage_words=passage_words,
        sentences=True,
        checkthat=checkthat,
        corpora=corpora,
        **pipeline_options,
    )
    stats = corpus_stats(frame)
    model.metadata = {
        "sentence_model": model.metadata["sentence_model"],
        "created": created.isoformat(),
        "corpus": {
            "hash": fingerprint,
            "articles": stats["articles"],
            "events": stats["events"],
            "by_label": stats["by_label"],
            "sources": frame["source"].value_counts().to_dict(),
        },
        "pipeline": {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in pipeline_options.items()
        },
        "metrics": {"grouped_cv": cv_metrics},
        "libraries": {name: importlib.metadata.version(name) for name in _LIBRARIES},
    }
    for name in evaluate_on:
        try:
            metrics = evaluate_corpus(model, name, corpora)
        except CorpusNotFoundError:
            continue
        used = model.metadata["sentence_model"]["data"]
        if name == "checkthat":
            metrics["level"] = "sentence (the sentence model)"
            metrics["domain"] = (
                "in-domain (CheckThat! train/dev used)"
                if any("checkthat" in d for d in used)
                else "out of domain"
            )
        model.metadata["metrics"][name] = metrics

    def save(directory: Path) -> None:
        save_model(model, directory)
        write_model_card(
            directory,
            {
                **model.metadata,
                "version": model.version,
                "passage_words": passage_words,
            },
            list(frame["label"]),
            cv_probability,
        )

    _save_whole(output, save)
    return model
