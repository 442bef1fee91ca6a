"""One-command evaluation against peers: ``tone evaluate --all`` and ``make evaluate``.

Runs the model on every published corpus present and on a frozen, event-grouped
hold-out of ``labels/``; scores the peers on the same texts in the same run; and
writes ``evaluation.md``, ``evaluation.json`` and PNG plots.

Honesty rules built in:

- the ``labels/`` hold-out is **in domain** (same writers, same guidelines); the
  model scored on it is refitted, with the shipped recipe, on the other events,
  because the shipped model has seen every event;
- a published corpus the model was trained on (Brown with ``tone train --brown``,
  CheckThat! train/dev in the sentence model) is labeled in-domain, never
  out-of-domain;
- peers' probability mapping and thresholds come from the training side only.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from classifier import ToneModel, score_frame
from training.corpus import load_articles
from training.evaluate import evaluate_corpus
from training.exceptions import CorpusNotFoundError
from training.external import load_brown, load_checkthat, load_conll_hedging
from training.holdout import held_out
from training.metrics import (
    LABELS,
    classification_metrics,
    hedging_metrics,
    score_cell,
)
from training.peers import PEERS, fit_peer

__all__ = [
    "Evaluation",
    "run_evaluation",
    "write_report",
]

OURS = "tone"


@dataclass
class Evaluation:
    """One test set: its rows, every scorer's probabilities and metrics."""

    name: str
    level: str
    domain: str
    labels: list[str]
    probabilities: dict[str, np.ndarray] = field(default_factory=dict)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    metrics: dict[str, dict[str, object]] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)


def _trained_on(model: ToneModel) -> dict[str, bool]:
    sources = model.metadata.get("corpus", {}).get("sources", {})
    sentence = model.metadata.get("sentence_model", {})
    return {
        "brown": "brown" in sources,
        "checkthat": any("checkthat" in d for d in sentence.get("data", [])),
    }


def _add_peers(
    evaluation: Evaluation,
    texts: list[str],
    train_texts: list[str],
    train_labels: list[str],
    train_scores: dict[str, np.ndarray],
) -> None:
    for name, peer in PEERS.items():
        if name not in train_scores:
            train_scores[name] = peer(train_texts)
        fitted = fit_peer(train_labels, train_scores[name])
        raw = peer(texts)
        evaluation.scores[name] = raw
        evaluation.probabilities[name] = fitted.probability(raw)
        evaluation.thresholds[name] = fitted.threshold
        evaluation.metrics[name] = fitted.metrics(evaluation.labels, raw)


def _ours(evaluation: Evaluation, name: str, probability: np.ndarray) -> None:
    evaluation.probabilities[name] = probability
    evaluation.scores[name] = probability
    evaluation.thresholds[name] = 0.5
    evaluation.metrics[name] = classification_metrics(evaluation.labels, probability)


def _article_probability(model: ToneModel, texts: list[str]) -> np.ndarray:
    scored = score_frame(pd.DataFrame({"text": texts}), model)
    return scored["opinion_probability"].astype(float).to_numpy()


def run_evaluation(
    model: ToneModel,
    *,
    corpora: Path | None = None,
    labels_path: Path | None = None,
) -> tuple[list[Evaluation], dict[str, dict[str, dict[str, object]]]]:
    """Evaluate ``model`` and the peers on every test set present.

    Returns
    -------
    evaluations : list of Evaluation
        The opinion test sets (article and sentence level).
    hedging : dict
        Hedging metrics per corpus, with the all-hedged baseline beside ours.
    """
    from training.train import train_model

    trained = _trained_on(model)
    articles = load_articles(labels_path)
    is_held = held_out(articles["event"])
    train_side, test_side = articles[~is_held], articles[is_held]
    train_texts, train_labels = list(train_side["text"]), list(train_side["label"])
    article_peer_scores: dict[str, np.ndarray] = {}
    out: list[Evaluation] = []

    # The shipped model has seen every event, so the hold-out is scored by the
    # same recipe refitted without the held-out events.
    recipe = model.metadata.get("pipeline", {})
    options: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in recipe.items()
    }
    refit = train_model(
        train_side.reset_index(drop=True),
        passage_words=model.passage_words,
        **options,
    )
    holdout = Evaluation(
        name=f"labels/ hold-out ({test_side['event'].nunique()} events)",
        level="article",
        domain="in domain (same writers and guidelines; model refitted without it)",
        labels=list(test_side["label"]),
    )
    texts = list(test_side["text"])
    _ours(holdout, OURS, _article_probability(refit, texts))
    _add_peers(holdout, texts, train_texts, train_labels, article_peer_scores)
    out.append(holdout)

    brown: pd.DataFrame | None
    try:
        brown = load_brown(corpora)
    except CorpusNotFoundError:
        brown = None
    if brown is not None:
        evaluation = Evaluation(
            name="Brown press 1961",
            level="article (~2,000 words)",
            domain=(
                "in domain (Brown used in training)"
                if trained["brown"]
                else "out of domain (never seen)"
            ),
            labels=list(brown["label"]),
        )
        texts = list(brown["text"])
        _ours(evaluation, OURS, _article_probability(model, texts))
        _add_peers(evaluation, texts, train_texts, train_labels, article_peer_scores)
        out.append(evaluation)

    ct_test: pd.DataFrame | None
    ct_train: pd.DataFrame | None
    try:
        ct_test = load_checkthat("dev_test", corpora)
        ct_train = load_checkthat("train", corpora).drop_duplicates("text")
    except CorpusNotFoundError:
        ct_test = ct_train = None
    if ct_test is not None and ct_train is not None:
        evaluation = Evaluation(
            name="CheckThat! 2025 dev_test",
            level="sentence",
            domain=(
                "in domain (CheckThat! train/dev used)"
                if trained["checkthat"]
                else "out of domain (never seen)"
            ),
            labels=list(ct_test["label"]),
        )
        texts = list(ct_test["text"])
        _ours(evaluation, OURS, model.sentence_probabilities(texts))
        _ours(
            evaluation,
            "tone article model on sentences",
            _article_probability(model, texts),
        )
        _add_peers(
            evaluation,
            texts,
            list(ct_train["text"]),
            list(ct_train["label"]),
            {},
        )
        out.append(evaluation)

    hedging: dict[str, dict[str, dict[str, object]]] = {}
    conll: pd.DataFrame | None
    try:
        conll = load_conll_hedging("test", corpora)
    except CorpusNotFoundError:
        conll = None
    if conll is not None:
        truth = list(conll["hedged"])
        hedging["CoNLL-2010 Wikipedia test"] = {
            # The same call as `tone evaluate --corpus conll-hedging`, so the
            # report follows however the hedging layer decides a sentence.
            OURS: evaluate_corpus(model, "conll-hedging", corpora),
            "every sentence hedged": hedging_metrics(truth, [True] * len(truth)),
        }
    return out, hedging


def _cell(text: str) -> str:
    """Escape the pipes a markdown table cell cannot hold as they are."""
    return text.replace("|", "\\|")


def _table(evaluations: list[Evaluation]) -> list[str]:
    lines: list[str] = []
    for e in evaluations:
        lines += [
            f"### {e.name}: {e.level}, {e.domain}",
            "",
            "| Scorer | n | macro-F1 | F1 opinion | F1 reporting | ROC-AUC | Brier "
            "| threshold |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for scorer, m in e.metrics.items():
            f1: Any = m["f1"]
            lines.append(
                f"| {_cell(scorer)} | {m['n']} | {m['macro_f1']:.3f} | "
                f"{score_cell(f1['opinion'])} | {score_cell(f1['reporting'])} | "
                f"{score_cell(m['roc_auc'])} | "
                f"{m['brier']:.3f} | "
                f"{e.thresholds[scorer]:.3f} |"
            )
        lines.append("")
    return lines


def _plots(evaluations: list[Evaluation], directory: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay

    n = len(evaluations)
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 4), squeeze=False)
    for ax, e in zip(axes[0], evaluations, strict=True):
        predicted = np.where(e.probabilities[OURS] >= 0.5, "opinion", "reporting")
        ConfusionMatrixDisplay.from_predictions(
            e.labels, predicted, labels=list(LABELS), ax=ax, colorbar=False
        )
        ax.set_title(f"tone: {e.name}", fontsize=9)
    fig.tight_layout()
    fig.savefig(directory / "confusion.png", dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "k:", label="perfectly calibrated")
    for e in evaluations:
        y = (np.asarray(e.labels) == "opinion").astype(int)
        true, predicted = calibration_curve(
            y, e.probabilities[OURS], n_bins=8, strategy="quantile"
        )
        ax.plot(predicted, true, "o-", label=e.name)
    ax.set_xlabel("predicted opinion probability (tone)")
    ax.set_ylabel("share that is opinion")
    ax.set_title("Reliability of tone's probabilities")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(directory / "reliability.png", dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, n, figsize=(4.5 * n, 4.5), squeeze=False)
    for ax, e in zip(axes[0], evaluations, strict=True):
        y = (np.asarray(e.labels) == "opinion").astype(int)
        for scorer, scores in e.scores.items():
            if scorer == "majority class":
                continue
            RocCurveDisplay.from_predictions(
                y, scores, ax=ax, name=scorer, plot_chance_level=False
            )
        ax.plot([0, 1], [0, 1], "k:")
        ax.set_xlabel("false positive rate (reporting called opinion)")
        ax.set_ylabel("true positive rate (opinion found)")
        ax.set_title(f"{e.name} ({e.level})", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(directory / "roc.png", dpi=90)
    plt.close(fig)
    return ["roc.png", "confusion.png", "reliability.png"]


def write_report(
    model: ToneModel,
    evaluations: list[Evaluation],
    hedging: dict[str, dict[str, dict[str, object]]],
    directory: Path,
) -> Path:
    """Write ``evaluation.md``, ``evaluation.json`` and the plots into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    plots = _plots(evaluations, directory) if evaluations else []
    lines = [
        f"# Evaluation of tone model {model.version}",
        "",
        "Written by `tone evaluate --all` (`make evaluate`). Every scorer in a table "
        "was run on the same texts in the same run. Peers are mapped to a "
        "probability (Platt scaling) and given the macro-F1-best threshold on the "
        "training side only: `labels/` outside the hold-out for article-level data, "
        "CheckThat! `train` for sentences. tone decides at 0.5. ROC-AUC needs no "
        "threshold.",
        "",
        *_table(evaluations),
        "",
    ]
    if hedging:
        lines += [
            "## Hedging (a sentence is hedged when it holds at least one cue)",
            "",
            "| Data | Scorer | n | precision | recall | F1 (hedged) |",
            "|---|---|---|---|---|---|",
        ]
        for data, scorers in hedging.items():
            for scorer, m in scorers.items():
                lines.append(
                    f"| {data} | {_cell(scorer)} | {m['n']} | {m['precision']:.3f} | "
                    f"{m['recall']:.3f} | {m['f1']:.3f} |"
                )
        lines.append("")
    lines += [f"![{p}]({p})" for p in plots]
    (directory / "evaluation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    payload = {
        "model_version": model.version,
        "opinion": {
            e.name: {
                "level": e.level,
                "domain": e.domain,
                "scorers": {
                    s: {**m, "threshold": e.thresholds[s]} for s, m in e.metrics.items()
                },
            }
            for e in evaluations
        },
        "hedging": hedging,
    }
    (directory / "evaluation.json").write_text(
        json.dumps(payload, indent=2) + "\n", encoding="utf-8"
    )
    return directory / "evaluation.md"
