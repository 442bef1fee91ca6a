"""The fitted tone model: article, passage and sentence probabilities, explanations.

A linear model's margin grows with the length of the text it sees, so a
2,000-word feature and a one-line sentence land on different probability scales
from the 300-word pieces it was trained on. ``ToneModel`` therefore scores a long
text as the length-weighted mean log-odds of its passages of about
``passage_words`` words, each on the scale the calibration was fitted on.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse
from scipy.special import expit, logit
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from classifier.result import Feature, TopFeatures
from classifier.tokenise import Span, sentence_spans
from classifier.vectorise import SharedTexts, predict_proba, transform_features

__all__ = ["OPINION", "REPORTING", "TOP_FEATURES", "ToneModel", "passages"]

OPINION = "opinion"
REPORTING = "reporting"
TOP_FEATURES = 5  # features each way in a detailed result
_EPS = 1e-6


def passages(text: str, spans: Sequence[Span], words: int) -> list[str]:
    """Cut ``text`` into runs of whole sentences of at least ``words`` words.

    A short remainder joins the passage before it, so no passage is a fragment.

    Examples
    --------
    >>> text = "One two three. Four five six. Seven."
    >>> passages(text, sentence_spans(text), words=3)
    ['One two three.', 'Four five six. Seven.']
    """
    if not spans:
        return [text]
    chunks: list[tuple[int, int, int]] = []  # start, end, words
    start, count = spans[0][0], 0
    for a, b in spans:
        if count >= words:
            chunks.append((start, a, count))
            start, count = a, 0
        count += len(text[a:b].split())
    if chunks and count < words / 2:
        first, _, before = chunks.pop()
        start, count = first, before + count
    chunks.append((start, spans[-1][1], count))
    return [text[a:b].strip() for a, b, _ in chunks]


@dataclass
class ToneModel:
    """A fitted pipeline with the facts needed to score and explain with it.

    Parameters
    ----------
    pipeline : Pipeline
        Fitted by :func:`classifier.pipeline.fit_pipeline`.
    version : str
        Written into every result the model produces.
    passage_words : int
        Length of the passages a long text is scored in.
    metadata : dict
        What training recorded (corpus, metrics, library versions).
    sentence_pipelines : list of Pipeline
        The sentence model (see :mod:`classifier.sentence`): each pipeline's
        log-odds are averaged. Empty for models saved before it existed; the
        article pipeline then scores sentences.
    sentence_offset : float
        Subtracted from the sentence log-odds so that 0.5 is the decision point
        chosen on held-out sentences.
    """

    pipeline: Pipeline
    version: str
    passage_words: int = 300
    metadata: dict[str, Any] = field(default_factory=dict)
    sentence_pipelines: list[Pipeline] = field(default_factory=list)
    sentence_offset: float = 0.0

    def __post_init__(self) -> None:
        check_is_fitted(self.pipeline)
        classes = list(self.pipeline.classes_)
        if sorted(classes) != [OPINION, REPORTING]:
            raise ValueError(
                f"A tone pipeline must be fitted on the labels {OPINION!r} and "
                f"{REPORTING!r}; this one knows {classes}."
            )
        for sentence in self.sentence_pipelines:
            check_is_fitted(sentence)
            if sorted(sentence.classes_) != [OPINION, REPORTING]:
                raise ValueError(
                    f"A sentence pipeline must be fitted on the labels {OPINION!r} "
                    f"and {REPORTING!r}; this one knows {list(sentence.classes_)}."
                )

    def _features(self, texts: Sequence[str]) -> Any:
        # The feature step's transform through classifier.vectorise: the same
        # matrix as Pipeline.transform, counted in C.
        return transform_features(self.pipeline.named_steps["features"], list(texts))

    def _probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _opinion_proba(self.pipeline, texts)

    def opinion_probability(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[Span]] | None = None,
    ) -> np.ndarray:
        """Probability that each text is opinion, scored passage by passage."""
        return self.score_articles(texts, sentences)[0]

    def score_articles(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[Span]] | None = None,
        *,
        explain: int = 0,
    ) -> tuple[np.ndarray, list[TopFeatures]]:
        """Each text's opinion probability and, with ``explain=k``, its top features.

        A text's log-odds are the word-weighted mean of its passages' log-odds,
        so a feature's share of them is its weight times its value, averaged
        over the passages with the same weights: the ``k`` features with the
        largest shares each way are the ones that moved this score furthest.
        The passages' features are computed once for both.
        """
        if sentences is None:
            sentences = [sentence_spans(text) for text in texts]
        owners: list[int] = []
        chunks: list[str] = []
        for i, (text, spans) in enumerate(zip(texts, sentences, strict=True)):
            parts = passages(text, spans, self.passage_words)
            chunks += parts
            owners += [i] * len(parts)
        weights = np.array([max(len(c.split()), 1) for c in chunks], dtype=float)
        owner = np.array(owners, dtype=int)
        norm = np.bincount(owner, weights=weights, minlength=len(texts))
        features = self._features(chunks) if explain and chunks else None
        proba = (
            _opinion_proba(self.pipeline, chunks)
            if features is None
            else _proba_from_features(self.pipeline, features)
        )
        log_odds = logit(np.clip(proba, _EPS, 1 - _EPS))
        total = np.bincount(owner, weights=log_odds * weights, minlength=len(texts))
        probabilities = np.asarray(expit(total / np.maximum(norm, _EPS)))
        if features is None:
            return probabilities, []
        # Row i of the averaging matrix holds text i's passage weights over norm.
        mean = sparse.csr_matrix(
            (weights / norm[owner], (owner, np.arange(len(chunks)))),
            shape=(len(texts), len(chunks)),
        )
        return probabilities, self._top_features(mean @ features, explain)

    def sentence_probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        """Probability that each sentence, read on its own, is opinion."""
        if not self.sentence_pipelines or not sentences:
            return self._probabilities(sentences)
        # The pipelines mask, tokenise and count each sentence once between them.
        texts = SharedTexts(sentences)
        log_odds = np.zeros(len(texts))
        for sentence in self.sentence_pipelines:
            p = _opinion_proba(sentence, texts)
            log_odds += logit(np.clip(p, _EPS, 1 - _EPS))
        log_odds /= len(self.sentence_pipelines)
        return np.asarray(expit(log_odds - self.sentence_offset))

    @cached_property
    def _explanation(self) -> tuple[np.ndarray, list[str]]:
        # Built once per model: the feature names alone took a millisecond a call.
        features = self.pipeline.named_steps["features"]
        linear = self.pipeline.named_steps["model"].calibrated_classifiers_[0].estimator
        # coef_ points towards classes_[1]; flip it so positive means opinion.
        sign = 1.0 if self.pipeline.classes_[1] == OPINION else -1.0
        return linear.coef_[0] * sign, _feature_names(features.get_feature_names_out())

    def top_features(
        self,
        texts: Sequence[str],
        k: int = TOP_FEATURES,
        sentences: Sequence[Sequence[Span]] | None = None,
    ) -> list[TopFeatures]:
        """For each text, the ``k`` features that moved it furthest to each label."""
        if not texts:
            return []
        if k < 1:
            return [TopFeatures(opinion=[], reporting=[]) for _ in texts]
        return self.score_articles(texts, sentences, explain=k)[1]

    def _top_features(self, values: Any, k: int) -> list[TopFeatures]:
        weights, names = self._explanation
        rows = sparse.csr_matrix(values)
        rows.sort_indices()
        out = []
        for i in range(rows.shape[0]):
            start, end = rows.indptr[i], rows.indptr[i + 1]
            columns = rows.indices[start:end]
            contribution = rows.data[start:end] * weights[columns]
            order = np.argsort(contribution, kind="stable")
            out.append(
                TopFeatures(
                    opinion=[
                        Feature(
                            feature=names[columns[j]],
                            weight=round(float(contribution[j]), 4),
                        )
                        for j in order[::-1][:k]
                        if contribution[j] > 0
                    ],
                    reporting=[
                        Feature(
                            feature=names[columns[j]],
                            weight=round(float(-contribution[j]), 4),
                        )
                        for j in order[:k]
                        if contribution[j] < 0
                    ],
                )
            )
        return out


def _opinion_proba(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """``pipeline``'s opinion probability of each text, through the fast paths.

    For a ``features`` + ``model`` pipeline, ``classifier.vectorise`` gives the
    same features and probabilities as scikit-learn, bitwise, without its
    per-call checks; any other pipeline is left to scikit-learn.
    """
    if not texts:
        return np.empty(0)
    if list(pipeline.named_steps) != ["features", "model"]:
        column = list(pipeline.classes_).index(OPINION)
        return np.asarray(pipeline.predict_proba(list(texts))[:, column])
    if not isinstance(texts, SharedTexts):
        texts = list(texts)
    features = transform_features(pipeline.named_steps["features"], texts)
    return _proba_from_features(pipeline, features)


def _proba_from_features(pipeline: Pipeline, features: Any) -> np.ndarray:
    """The opinion probability a ``features`` + ``model`` pipeline gives each row."""
    column = list(pipeline.classes_).index(OPINION)
    return predict_proba(pipeline.named_steps["model"], features)[:, column]


def _feature_names(raw: Sequence[str]) -> list[str]:
    return [
        name.removeprefix("words__")
        if name.startswith("words__")
        else "style:" + name.removeprefix("style__")
        for name in raw
    ]
