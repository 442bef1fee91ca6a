"""The model card written beside every saved model: metrics, plots, provenance."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from training.metrics import LABELS, metrics_markdown

__all__ = ["write_model_card"]


def _plots(
    directory: Path, labels: Sequence[str], probability: np.ndarray
) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import ConfusionMatrixDisplay

    y = np.asarray(labels)
    predicted = np.where(probability >= 0.5, "opinion", "reporting")
    fig, ax = plt.subplots(figsize=(4, 4))
    ConfusionMatrixDisplay.from_predictions(
        y, predicted, labels=list(LABELS), ax=ax, colorbar=False
    )
    ax.set_title("Grouped CV confusion matrix")
    fig.tight_layout()
    fig.savefig(directory / "confusion_matrix.png", dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(4, 4))
    CalibrationDisplay.from_predictions(
        (y == "opinion").astype(int), probability, n_bins=8, ax=ax, name="tone"
    )
    ax.set_title("Reliability (grouped CV)")
    fig.tight_layout()
    fig.savefig(directory / "calibration.png", dpi=100)
    plt.close(fig)
    return ["confusion_matrix.png", "calibration.png"]


def write_model_card(
    directory: Path,
    metadata: dict[str, Any],
    cv_labels: Sequence[str],
    cv_probability: np.ndarray,
) -> Path:
    """Write ``MODEL_CARD.md`` and its plots into ``directory``."""
    plots = _plots(directory, cv_labels, cv_probability)
    corpus = metadata["corpus"]
    sentence = metadata.get("sentence_model", {})
    chosen = sentence.get("offset_chosen_on")
    lines = [
        f"# tone model {metadata['version']}",
        "",
        "Tells opinion writing from news reporting. Trained on "
        f"{corpus['articles']} labeled articles ({corpus['by_label']}), "
        f"{corpus['events']} events; corpus hash `{corpus['hash']}`.",
        "",
        f"Created {metadata['created']} with {metadata['libraries']}.",
        "",
        "## Pipeline",
        "",
        f"Options: `{metadata['pipeline']}`; long texts are scored in passages of "
        f"{metadata['passage_words']} words.",
        "",
        "Sentence model (per-sentence `opinion_probability`): trained on "
        f"{', '.join(sentence.get('data', ['n/a']))}; decision offset "
        + (
            f"chosen on {chosen}."
            if chosen
            else "0 (nothing held out to choose it on)."
        ),
        "",
        "## Grouped cross-validation (no event on both sides of a split)",
        "",
        metrics_markdown("grouped CV", metadata["metrics"]["grouped_cv"]),
    ]
    for name, metrics in metadata["metrics"].items():
        if name != "grouped_cv":
            domain = f": {metrics['domain']}" if "domain" in metrics else ""
            lines += [f"## {name}{domain}", "", metrics_markdown(name, metrics)]
    lines += ["## Plots", ""] + [f"![{p}]({p})" for p in plots]
    lines += [
        "",
        "## Limits",
        "",
        "In-domain cross-validation on our own corpus is optimistic; see the README's "
        "Accuracy section for figures on published corpora the model never saw.",
    ]
    path = directory / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
