"""Training tone models: grouped cross-validation, fitting, saving with a card."""

import importlib.metadata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from classifier import ToneModel, build_pipeline, fit_pipeline, save_model
from training.card import write_model_card
from training.corpus import corpus_hash, corpus_stats, load_articles
from training.evaluate import evaluate_corpus
from training.exceptions import CorpusError, CorpusNotFoundError
from training.metrics import classification_metrics
from training.tables import read_table

__all__ = [
    "DEFAULT_PASSAGE_WORDS",
    "default_version",
    "grouped_cross_validation",
    "load_training_frame",
    "train_and_save",
    "train_model",
]

DEFAULT_PASSAGE_WORDS = 300
_LIBRARIES = ("scikit-learn", "numpy", "scipy", "nltk", "skops", "pandas")


def _check_frame(frame: pd.DataFrame) -> None:
    labels = set(frame["label"])
    if labels != {"opinion", "reporting"}:
        raise CorpusError(
            "Training needs both labels 'opinion' and 'reporting'; "
            f"got {sorted(labels) or 'none'}."
        )


def load_training_frame(
    labels_path: str | Path | None = None,
    extra_files: Sequence[str | Path] = (),
    *,
    brown: bool = False,
    corpora: Path | None = None,
) -> pd.DataFrame:
    """The base corpus plus any extra labeled tables (and Brown, when asked).

    Extra files need ``text`` and ``label`` columns; rows without an ``event`` are
    each their own group in cross-validation.
    """
    frame = load_articles(labels_path)[["text", "label", "event", "source"]]
    parts = [frame]
    for path in extra_files:
        extra = read_table(path)
        missing = {"text", "label"} - set(extra.columns)
        if missing:
            raise CorpusError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        bad = sorted(set(extra["label"]) - {"opinion", "reporting"})
        if bad:
            raise CorpusError(
                f"{path}: unknown label(s) {bad}; use opinion or reporting"
            )
        extra = extra.assign(source=str(path))
        if "event" not in extra:
            extra["event"] = [f"{path}#{i}" for i in range(len(extra))]
        parts.append(extra[["text", "label", "event", "source"]])
    if brown:
        from training.external import load_brown

        b = load_brown(corpora)
        parts.append(
            b.assign(event=b["group"], source="brown")[
                ["text", "label", "event", "source"]
            ]
        )
    return pd.concat(parts, ignore_index=True)


def train_model(
    frame: pd.DataFrame,
    *,
    version: str = "unversioned",
    passage_words: int = DEFAULT_PASSAGE_WORDS,
    **pipeline_options: Any,
) -> ToneModel:
    """Fit a :class:`ToneModel` on a frame with ``text``, ``label`` and ``event``."""
    _check_frame(frame)
    pipeline = fit_pipeline(
        build_pipeline(**pipeline_options),
        frame["text"],
        frame["label"],
        frame["event"],
    )
    return ToneModel(pipeline=pipeline, version=version, passage_words=passage_words)


def grouped_cross_validation(
    frame: pd.DataFrame,
    *,
    folds: int = 5,
    passage_words: int = DEFAULT_PASSAGE_WORDS,
    **pipeline_options: Any,
) -> tuple[dict[str, object], np.ndarray]:
    """Out-of-fold opinion probabilities with no event on both sides of a split."""
    _check_frame(frame)
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


def train_and_save(
    output: str | Path,
    frame: pd.DataFrame,
    *,
    folds: int = 5,
    passage_words: int = DEFAULT_PASSAGE_WORDS,
    evaluate_on: Sequence[str] = (),
    corpora: Path | None = None,
    version: str | None = None,
    **pipeline_options: Any,
) -> ToneModel:
    """Cross-validate, fit on everything, and save model, metadata and card.

    ``evaluate_on`` names published corpora to score the fitted model on; those
    absent from ``corpora`` are skipped. Name none the model was trained on.
    ``version`` overrides the default name (creation time and corpus hash).
    """
    created = datetime.now(UTC).replace(microsecond=0)
    cv_metrics, cv_probability = grouped_cross_validation(
        frame, folds=folds, passage_words=passage_words, **pipeline_options
    )
    fingerprint = corpus_hash(frame)
    model = train_model(
        frame,
        version=version or default_version(fingerprint, created),
        passage_words=passage_words,
        **pipeline_options,
    )
    stats = corpus_stats(frame)
    model.metadata = {
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
            model.metadata["metrics"][name] = evaluate_corpus(model, name, corpora)
        except CorpusNotFoundError:
            continue
    directory = save_model(model, output)
    write_model_card(
        directory,
        {**model.metadata, "version": model.version, "passage_words": passage_words},
        list(frame["label"]),
        cv_probability,
    )
    return model
