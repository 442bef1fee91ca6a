"""A learned hedge layer on top of the cue lexicon.

The lexicon stays the explainable core: it finds the cue spans. This layer only
decides, per sentence, how likely the sentence is to hedge, from the cues the
lexicon found (which cue, its category, the words either side of it) and the
sentence's own word n-grams. A logistic regression turns those into a
probability; a sentence is flagged when the probability reaches ``threshold_``,
chosen by cross-validation on the training sentences only.

The fitted layer is a plain scikit-learn pipeline, saved with skops and loaded
with an explicit allow-list (``HEDGE_TRUSTED_TYPES``); nothing is unpickled.
"""

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from classifier.hedging import find_cues
from classifier.persistence import load_trusted, plain_vocabularies
from classifier.tokenise import word_spans

__all__ = [
    "HEDGE_METADATA_FILE",
    "HEDGE_MODEL_FILE",
    "HEDGE_TRUSTED_TYPES",
    "HedgeModel",
    "cue_document",
    "cue_documents",
    "load_hedge_model",
    "save_hedge_model",
]

HEDGE_MODEL_FILE = "hedge.skops"
HEDGE_METADATA_FILE = "hedge.json"

# Types skops does not trust by default that a hedge pipeline legitimately holds.
HEDGE_TRUSTED_TYPES: tuple[str, ...] = ("classifier.hedge_model.cue_documents",)


def cue_document(sentence: str) -> str:
    """The lexicon's cues in ``sentence`` as feature tokens, one string.

    Each cue gives its identity, its category and the word either side of it,
    so the layer can learn that "often referred to" is not "often said to".

    Examples
    --------
    >>> cue_document("It may rain.")
    'cue=may cat=modal pre=it_may post=may_rain'
    >>> cue_document("It rained.")
    'nocue'
    """
    cues = find_cues(sentence)
    if not cues:
        return "nocue"
    spans = word_spans(sentence)
    words = [sentence[a:b].lower() for a, b in spans]
    first = {a: i for i, (a, _) in enumerate(spans)}
    last = {b: i for i, (_, b) in enumerate(spans)}
    tokens: list[str] = []
    for cue in cues:
        name = "_".join(cue.text.lower().split())
        tokens += [f"cue={name}", f"cat={cue.category}"]
        i, j = first.get(cue.start), last.get(cue.end)
        if i is not None:
            tokens.append(f"pre={words[i - 1] if i > 0 else '^'}_{name}")
        if j is not None:
            tokens.append(f"post={name}_{words[j + 1] if j + 1 < len(words) else '$'}")
    return " ".join(tokens)


def cue_documents(sentences: Iterable[str]) -> list[str]:
    """:func:`cue_document` for each sentence (the pipeline's cue branch)."""
    return [cue_document(sentence) for sentence in sentences]


def _best_threshold(truth: np.ndarray, probability: np.ndarray) -> float:
    """The probability cut-off that maximises F1 of the hedged class."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [f1_score(truth, probability >= t, zero_division=0) for t in grid]
    return float(grid[int(np.argmax(scores))])


class HedgeModel(BaseEstimator):
    """Sentence hedge probability from lexicon cues and word n-grams.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength of the logistic regression.
    min_df : int, default=2
        Word n-grams seen in fewer training sentences are ignored.
    cv : int, default=5
        Folds used in :meth:`fit` to choose ``threshold_``.
    random_state : int, default=0
        Seed of the folds.

    Examples
    --------
    >>> texts = ["It may rain.", "It rained.", "Perhaps he left.", "He left."] * 5
    >>> model = HedgeModel(cv=2, min_df=1).fit(texts, [1, 0, 1, 0] * 5)
    >>> model.predict(["It may snow.", "It snowed."]).tolist()
    [True, False]
    """

    def __init__(
        self, *, C: float = 1.0, min_df: int = 2, cv: int = 5, random_state: int = 0
    ) -> None:
        self.C = C
        self.min_df = min_df
        self.cv = cv
        self.random_state = random_state

    def _pipeline(self) -> Pipeline:
        features = FeatureUnion(
            [
                (
                    "words",
                    TfidfVectorizer(
                        ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True
                    ),
                ),
                (
                    "cues",
                    make_pipeline(
                        FunctionTransformer(cue_documents),
                        CountVectorizer(
                            token_pattern=r"\S+", lowercase=False, binary=True
                        ),
                    ),
                ),
            ]
        )
        classifier = LogisticRegression(
            C=self.C, class_weight="balanced", max_iter=2000
        )
        return Pipeline([("features", features), ("classifier", classifier)])

    def fit(self, sentences: Sequence[str], hedged: Sequence[bool]) -> "HedgeModel":
        """Fit on labeled sentences; choose ``threshold_`` on out-of-fold scores.

        Raises
        ------
        ValueError
            If the inputs differ in length, or either class has fewer
            sentences than ``cv``.
        """
        if not (isinstance(self.C, int | float) and self.C > 0):
            raise ValueError(f"C must be a positive number. Got {self.C!r} instead.")
        if not (isinstance(self.cv, int) and self.cv >= 2):
            raise ValueError(f"cv must be an int >= 2. Got {self.cv!r} instead.")
        texts = list(sentences)
        truth = np.asarray(list(hedged), dtype=bool)
        if len(texts) != len(truth):
            raise ValueError(
                f"Got {len(texts)} sentences but {len(truth)} labels; "
                "give one label per sentence."
            )
        smallest = int(min(truth.sum(), (~truth).sum()))
        if smallest < self.cv:
            raise ValueError(
                f"Each class needs at least cv={self.cv} sentences to choose the "
                f"threshold. Got {smallest} in the smaller class."
            )
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        out_of_fold = np.zeros(len(texts))
        for train, held in folds.split(texts, truth):
            fold = self._pipeline().fit([texts[i] for i in train], truth[train])
            out_of_fold[held] = fold.predict_proba([texts[i] for i in held])[:, 1]
        self.threshold_ = _best_threshold(truth, out_of_fold)
        self.cv_f1_ = round(
            float(f1_score(truth, out_of_fold >= self.threshold_, zero_division=0)), 4
        )
        self.pipeline_ = self._pipeline().fit(texts, truth)
        return self

    def _check_fitted(self) -> Pipeline:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError(
                "This HedgeModel is not fitted yet. Call fit() or load one with "
                "load_hedge_model() first."
            )
        pipeline: Pipeline = self.pipeline_
        return pipeline

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        """The probability that each sentence hedges."""
        pipeline, texts = self._check_fitted(), list(sentences)
        if not texts:
            return np.zeros(0)
        return np.asarray(pipeline.predict_proba(texts)[:, 1])

    def predict(self, sentences: Sequence[str]) -> np.ndarray:
        """Whether each sentence hedges: its probability reaches ``threshold_``."""
        self._check_fitted()
        return self.predict_proba(sentences) >= self.threshold_

    def flag_sentences(self, text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
        """One hedged flag per sentence span of ``text`` (``score_hedging``'s order).

        Examples
        --------
        >>> texts = ["It may rain.", "It rained.", "Perhaps.", "He left."] * 5
        >>> model = HedgeModel(cv=2, min_df=1).fit(texts, [1, 0, 1, 0] * 5)
        >>> model.flag_sentences("It may rain. It rained.", [(0, 12), (13, 23)])
        [True, False]
        """
        return [bool(f) for f in self.predict([text[a:b] for a, b in spans])]


def save_hedge_model(
    model: HedgeModel, directory: str | Path, *, metadata: dict[str, Any] | None = None
) -> Path:
    """Write the fitted layer to ``directory`` (``hedge.skops`` + ``hedge.json``).

    ``metadata`` (for example which corpora it was trained on) is stored with
    the threshold and the cross-validated F1.
    """
    pipeline = model._check_fitted()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    plain_vocabularies(pipeline)
    sio.dump(pipeline, directory / HEDGE_MODEL_FILE)
    record = {
        **(metadata or {}),
        "threshold": model.threshold_,
        "cv_f1": model.cv_f1_,
        "params": {
            "C": model.C,
            "min_df": model.min_df,
            "cv": model.cv,
            "random_state": model.random_state,
        },
    }
    (directory / HEDGE_METADATA_FILE).write_text(
        json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return directory


def load_hedge_model(directory: str | Path) -> tuple[HedgeModel, dict[str, Any]]:
    """Load a layer saved by :func:`save_hedge_model`, refusing untrusted types.

    Returns the model and its metadata.

    Raises
    ------
    ModelFileError
        If a file is missing or damaged, or holds a type outside
        ``HEDGE_TRUSTED_TYPES`` and skops' defaults.
    """
    directory = Path(directory)
    pipeline, metadata = load_trusted(
        directory / HEDGE_MODEL_FILE,
        directory / HEDGE_METADATA_FILE,
        HEDGE_TRUSTED_TYPES,
        what="hedge layer",
        origin="saved by save_hedge_model()",
        build="Fit one and save it with save_hedge_model().",
        rebuild="fit and save it again",
    )
    params = metadata.get("params", {})
    model = HedgeModel(**params)
    model.pipeline_ = pipeline
    model.threshold_ = float(metadata["threshold"])
    model.cv_f1_ = float(metadata.get("cv_f1", float("nan")))
    return model, metadata
