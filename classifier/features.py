"""Stylistic features that carry stance across outlets and topics.

Each is a rate, so it does not grow with the length of the text: first/second
person, attribution verbs, quotation share, questions, exclamations, modals of
obligation and possibility, and digits.
"""

import re

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from classifier.normalise import normalise_text

__all__ = ["STYLE_FEATURES", "StyleFeatures"]


def _words(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


_PATTERNS: dict[str, re.Pattern[str]] = {
    "first_person_singular": _words(
        "i", "i'm", "i've", "i'd", "me", "my", "mine", "myself"
    ),
    "first_person_plural": _words(
        "we", "we're", "we've", "us", "our", "ours", "ourselves"
    ),
    "second_person": _words("you", "you're", "your", "yours", "yourself"),
    "attribution": _words(
        "said",
        "says",
        "told",
        "according to",
        "stated",
        "added",
        "announced",
        "confirmed",
        "reported",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "statement",
        "declined to comment",
        "testified",
        "wrote in",
    ),
    "obligation": _words(
        "should",
        "shouldn't",
        "must",
        "mustn't",
        "ought",
        "needs to",
        "need to",
        "has to",
        "have to",
    ),
    "possibility": _words("may", "might", "could", "would", "perhaps", "surely"),
}
_TOKEN = re.compile(r"\w+(?:'\w+)?")
_QUOTED = re.compile(r'"[^"\n]{1,600}"')
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_DIGIT_TOKEN = re.compile(r"\b\d[\d.,]*\b")

STYLE_FEATURES: tuple[str, ...] = (
    *_PATTERNS,
    "quotation_share",
    "questions",
    "exclamations",
    "digits",
)


def _rates(text: str) -> list[float]:
    text = normalise_text(text)
    tokens = max(len(_TOKEN.findall(text)), 1)
    sentences = max(len(_SENTENCE_END.findall(text)), 1)
    row = [len(p.findall(text)) * 100.0 / tokens for p in _PATTERNS.values()]
    quoted = sum(len(m.group()) for m in _QUOTED.finditer(text))
    row.append(quoted / max(len(text), 1))
    row.append(text.count("?") / sentences)
    row.append(text.count("!") / sentences)
    row.append(len(_DIGIT_TOKEN.findall(text)) * 100.0 / tokens)
    return row


class StyleFeatures(TransformerMixin, BaseEstimator):
    """Turn texts into a dense matrix of length-independent style rates.

    Examples
    --------
    >>> texts = ["We must act. Must we?", "Police said 3 died."]
    >>> X = StyleFeatures().fit_transform(texts)
    >>> X.shape
    (2, 10)
    >>> bool(X[0, 1] > 0), bool(X[1, 3] > 0)
    (True, True)
    """

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        return np.array([_rates(str(text)) for text in X], dtype=float).reshape(
            -1, len(STYLE_FEATURES)
        )

    def get_feature_names_out(self, input_features=None):
        return np.asarray(STYLE_FEATURES, dtype=object)
