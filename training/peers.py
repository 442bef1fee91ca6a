"""What a user would reach for instead of tone, scored on the same texts.

Each peer turns a text into a score with no training of its own; to be compared
fairly it is then mapped to a probability (Platt scaling) and given a decision
threshold, both fitted on the *training side* of the evaluation (``labels/``
outside the hold-out for article corpora, CheckThat! ``train`` for sentences),
never on the texts it is tested on. ROC-AUC needs neither.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from classifier.tokenise import sentence_spans
from training.metrics import classification_metrics

__all__ = [
    "PEERS",
    "FittedPeer",
    "fit_peer",
    "majority",
    "stance_rate",
    "textblob_subjectivity",
    "vader_abs_compound",
]


def textblob_subjectivity(texts: Sequence[str]) -> np.ndarray:
    """TextBlob's pattern-lexicon subjectivity in [0, 1] (needs no NLTK data).

    Examples
    --------
    >>> scores = textblob_subjectivity(["A great idea.", "It rained."])
    >>> [round(float(s), 2) for s in scores]
    [0.75, 0.0]
    """
    from textblob import TextBlob

    return np.array([TextBlob(text).sentiment.subjectivity for text in texts])


def vader_abs_compound(texts: Sequence[str]) -> np.ndarray:
    """VADER's |compound| averaged over the sentences of each text.

    Examples
    --------
    >>> scores = vader_abs_compound(["This is awful. I love it!", "The vote is at 9."])
    >>> bool(scores[0] > 0.5), float(scores[1])
    (True, 0.0)
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        spans = sentence_spans(text) or [(0, len(text))]
        values = [
            abs(analyser.polarity_scores(text[a:b])["compound"]) for a, b in spans
        ]
        out.append(float(np.mean(values)))
    return np.array(out)


_STANCE = re.compile(
    r"\b(?:i|me|my|mine|myself|we|us|our|ours|ourselves|should|must|ought)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")


def stance_rate(texts: Sequence[str]) -> np.ndarray:
    """First-person pronouns and "should/must/ought" per 100 words.

    Examples
    --------
    >>> stance_rate(["We must act, I say.", "Police arrived."]).tolist()
    [60.0, 0.0]
    """
    return np.array(
        [
            len(_STANCE.findall(text)) * 100.0 / max(len(_WORD.findall(text)), 1)
            for text in texts
        ]
    )


def majority(texts: Sequence[str]) -> np.ndarray:
    """A constant score: with Platt scaling it predicts the training prior.

    Examples
    --------
    >>> majority(["a", "b"]).tolist()
    [0.0, 0.0]
    """
    return np.zeros(len(texts))


PEERS: dict[str, Callable[[Sequence[str]], np.ndarray]] = {
    "TextBlob subjectivity": textblob_subjectivity,
    "VADER |compound| per sentence": vader_abs_compound,
    "first person + should/must rate": stance_rate,
    "majority class": majority,
}


@dataclass(frozen=True)
class FittedPeer:
    """A peer's score mapped to a probability, with a decision threshold.

    Both were fitted on the training side; ``metrics`` applies them to new texts.
    """

    slope: float
    intercept: float
    threshold: float

    def probability(self, scores: np.ndarray) -> np.ndarray:
        """Platt-scaled probability of opinion for raw peer ``scores``."""
        return np.asarray(1.0 / (1.0 + np.exp(-(self.slope * scores + self.intercept))))

    def metrics(self, labels: Sequence[str], scores: np.ndarray) -> dict[str, object]:
        """Classification metrics on a test set (ROC-AUC from the raw scores)."""
        p = self.probability(scores)
        out = classification_metrics(labels, p, threshold=self.threshold)
        if out["roc_auc"] is not None:
            # Platt scaling flips a score that ranked backwards on the training
            # side; ROC-AUC is for the score as the peer gives it (higher means
            # opinion), so a peer that ranks backwards shows below 0.5.
            y = (np.asarray(labels) == "opinion").astype(int)
            out["roc_auc"] = round(float(roc_auc_score(y, scores)), 4)
        return out


def fit_peer(labels: Sequence[str], scores: np.ndarray) -> FittedPeer:
    """Fit Platt scaling and the macro-F1-best threshold on the training side.

    Examples
    --------
    >>> peer = fit_peer(["opinion", "reporting"] * 5, np.array([0.9, 0.1] * 5))
    >>> peer.metrics(["opinion", "reporting"], np.array([0.8, 0.2]))["macro_f1"]
    1.0
    """
    y = (np.asarray(labels) == "opinion").astype(int)
    x = np.asarray(scores, dtype=float).reshape(-1, 1)
    if np.ptp(x) == 0:  # a constant: the prior, and the majority label
        prior = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
        cut = 0.0 if prior >= 0.5 else 1.0
        return FittedPeer(0.0, float(np.log(prior / (1 - prior))), cut)
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
    peer = FittedPeer(float(platt.coef_[0, 0]), float(platt.intercept_[0]), 0.5)
    p = peer.probability(x[:, 0])
    grid = np.unique(np.quantile(p, np.linspace(0, 1, 201)))
    best = max(
        grid,
        key=lambda t: classification_metrics(labels, p, threshold=float(t))["macro_f1"],  # type: ignore[arg-type, return-value]
    )
    return FittedPeer(peer.slope, peer.intercept, float(best))
