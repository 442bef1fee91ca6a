"""Metrics for opinion-vs-reporting and for hedging, as plain dictionaries."""

from collections.abc import Iterable

import numpy as np
from sklearn.metrics import (
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from classifier.missing import is_missing
from training.exceptions import CorpusError

__all__ = [
    "LABELS",
    "check_labels",
    "classification_metrics",
    "hedging_metrics",
    "label_name",
    "metrics_markdown",
    "score_cell",
]

LABELS = ("opinion", "reporting")


def label_name(value: object) -> str:
    """How messages show a label cell: quoted text, ``(missing)``, or its repr.

    >>> [label_name(v) for v in ("opinion", np.str_("SUBJ"), None, 1)]
    ["'opinion'", "'SUBJ'", '(missing)', '1']
    """
    if isinstance(value, str):
        return repr(str(value))
    return "(missing)" if is_missing(value) else repr(value)


def check_labels(labels: Iterable[object]) -> np.ndarray:
    """The labels as an array, once each is known to be opinion or reporting.

    >>> check_labels(["opinion", "SUBJ"])
    Traceback (most recent call last):
    ...
    training.exceptions.CorpusError: unknown label(s) 'SUBJ'; use opinion or reporting
    """
    y = np.asarray(list(labels), dtype=object)
    unknown = sorted(
        {label_name(v) for v in y if not (isinstance(v, str) and v in LABELS)}
    )
    if unknown:
        raise CorpusError(
            f"unknown label(s) {', '.join(unknown)}; use opinion or reporting"
        )
    return y


def classification_metrics(
    labels: Iterable[str], opinion_probability: Iterable[float], threshold: float = 0.5
) -> dict[str, object]:
    """Macro-F1, per-class F1, ROC-AUC, Brier score and confusion matrix.

    A label that is neither in ``labels`` nor predicted has no F1 (``None``), and
    macro-F1 averages the others: counting it as 0 would halve a perfect score on a
    file of one label. ROC-AUC needs both labels in ``labels``.

    Examples
    --------
    >>> m = classification_metrics(["opinion", "reporting"], [0.9, 0.2])
    >>> m["macro_f1"], m["roc_auc"], m["confusion"]
    (1.0, 1.0, [[1, 0], [0, 1]])
    >>> m = classification_metrics(["opinion", "opinion"], [0.9, 0.8])
    >>> m["macro_f1"], m["f1"], m["roc_auc"]
    (1.0, {'opinion': 1.0, 'reporting': None}, None)
    >>> classification_metrics(["opinion", "SUBJ"], [0.9, 0.8])
    Traceback (most recent call last):
    ...
    training.exceptions.CorpusError: unknown label(s) 'SUBJ'; use opinion or reporting
    """
    y = check_labels(labels)
    p = np.asarray(list(opinion_probability), dtype=float)
    predicted = np.where(p >= threshold, "opinion", "reporting")
    is_opinion = (y == "opinion").astype(int)
    # zero_division applies only where 2·TP + FP + FN is 0: a label never seen.
    per_class = f1_score(
        y, predicted, labels=list(LABELS), average=None, zero_division=np.nan
    )
    both = len(set(is_opinion)) == 2
    return {
        "n": len(y),
        "support": {label: int((y == label).sum()) for label in LABELS},
        "macro_f1": round(float(np.nanmean(per_class)), 4),
        "f1": {
            label: None if np.isnan(f) else round(float(f), 4)
            for label, f in zip(LABELS, per_class, strict=True)
        },
        "roc_auc": round(float(roc_auc_score(is_opinion, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(is_opinion, p)), 4),
        "confusion": confusion_matrix(y, predicted, labels=list(LABELS)).tolist(),
    }


def hedging_metrics(
    truth: Iterable[bool], predicted: Iterable[bool]
) -> dict[str, object]:
    """Precision, recall and F1 of the hedged (uncertain) class.

    Examples
    --------
    >>> hedging_metrics([True, True, False], [True, False, False])["f1"]
    0.6667
    """
    gold = np.asarray(list(truth), dtype=bool)
    p, r, f, _ = precision_recall_fscore_support(
        gold,
        np.asarray(list(predicted), dtype=bool),
        average="binary",
        zero_division=0,
    )
    return {
        "n": len(gold),
        "positives": int(gold.sum()),
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f), 4),
    }


def score_cell(value: object) -> str:
    """A score for a table, to 3 decimals, or ``n/a`` where it is undefined."""
    return f"{value:.3f}" if isinstance(value, float | int) else "n/a"


def metrics_markdown(name: str, metrics: dict[str, object]) -> str:
    """A small markdown table for one evaluation."""
    if "precision" in metrics:
        return (
            f"| {name} | n | precision | recall | F1 (hedged) |\n"
            "|---|---|---|---|---|\n"
            f"| | {metrics['n']} | {metrics['precision']:.3f} | {metrics['recall']:.3f}"
            f" | {metrics['f1']:.3f} |\n"
        )
    f1 = metrics["f1"]
    assert isinstance(f1, dict)
    confusion = metrics["confusion"]
    assert isinstance(confusion, list)
    return (
        f"| {name} | n | macro-F1 | F1 opinion | F1 reporting | ROC-AUC | Brier |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| | {metrics['n']} | {metrics['macro_f1']:.3f} | "
        f"{score_cell(f1['opinion'])} | {score_cell(f1['reporting'])} | "
        f"{score_cell(metrics['roc_auc'])} | "
        f"{metrics['brier']:.3f} |\n\n"
        f"Confusion (rows true, columns predicted; opinion, reporting): "
        f"{confusion}\n"
    )
