"""Evaluating a model on labeled files and on the published corpora."""

from collections.abc import Set as AbstractSet
from pathlib import Path

import pandas as pd

from classifier import ToneModel, find_cues, score_frame
from classifier.hedge_model import HedgeModel
from classifier.hedging import ALL_CATEGORIES, UNCERTAINTY_CATEGORIES, is_hedged
from training.corpus import read_labeled_table
from training.exceptions import CorpusError
from training.external import EXTERNAL_CORPORA, load_external
from training.metrics import classification_metrics, hedging_metrics, metrics_markdown

__all__ = [
    "evaluate_corpus",
    "evaluate_frame",
    "evaluate_hedging",
    "evaluate_labeled_file",
    "evaluate_sentences",
]


def evaluate_frame(model: ToneModel, frame: pd.DataFrame) -> dict[str, object]:
    """Score a frame with ``text`` and ``label`` through the one scoring path."""
    scored = score_frame(frame, model)
    ok = scored["error"].isna()
    if not ok.any():
        raise CorpusError("No row could be scored: every text is empty or missing.")
    metrics = classification_metrics(
        frame.loc[ok, "label"], scored.loc[ok, "opinion_probability"].astype(float)
    )
    metrics["unscored"] = int((~ok).sum())
    return metrics


def evaluate_sentences(model: ToneModel, frame: pd.DataFrame) -> dict[str, object]:
    """Score each row as one sentence, as ``sentences[].opinion_probability`` does."""
    texts = [str(t) for t in frame["text"]]
    return classification_metrics(frame["label"], model.sentence_probabilities(texts))


def evaluate_hedging(
    frame: pd.DataFrame,
    *,
    categories: AbstractSet[str] = ALL_CATEGORIES,
    model: HedgeModel | None = None,
) -> dict[str, object]:
    """Sentence-level hedging of a frame with ``text`` and ``hedged`` columns.

    The text may also be in ``sentence``, as :func:`training.corpus.load_hedging`
    gives it. Without ``model`` a sentence is hedged when it carries a lexicon
    cue of one of ``categories``; ``conll-hedging`` is scored with
    ``UNCERTAINTY_CATEGORIES`` because its annotation leaves approximators out.
    With ``model`` the learned layer decides (``HedgeModel.predict``) and
    ``categories`` is not used.

    Raises
    ------
    CorpusError
        If ``frame`` lacks the text or the ``hedged`` column.
    """
    column = "text" if "text" in frame else "sentence"
    missing = [name for name in (column, "hedged") if name not in frame]
    if missing:
        raise CorpusError(
            f"hedging evaluation needs a text (or sentence) and a hedged column; "
            f"the frame has {', '.join(map(str, frame.columns)) or 'no columns'}"
        )
    texts = list(frame[column])
    if model is not None:
        predicted = [bool(flag) for flag in model.predict(texts)]
    else:
        predicted = [is_hedged(find_cues(text), categories) for text in texts]
    return hedging_metrics(list(frame["hedged"]), predicted)


def evaluate_labeled_file(model: ToneModel, path: str | Path) -> dict[str, object]:
    """Evaluate on a CSV/JSONL/Parquet file with ``text`` and ``label`` columns."""
    return evaluate_frame(model, read_labeled_table(path))


def evaluate_corpus(
    model: ToneModel, name: str, corpora: Path | None = None
) -> dict[str, object]:
    """Evaluate on a named published corpus (see ``EXTERNAL_CORPORA``)."""
    frame = load_external(name, corpora)
    if name == "conll-hedging":
        return evaluate_hedging(frame, categories=UNCERTAINTY_CATEGORIES)
    if name == "checkthat":
        return evaluate_sentences(model, frame)
    return evaluate_frame(model, frame)


def report_markdown(results: dict[str, dict[str, object]]) -> str:
    """All results as markdown tables, in the order given."""
    return "\n".join(metrics_markdown(name, m) for name, m in results.items())


__all__ += ["EXTERNAL_CORPORA", "report_markdown"]
