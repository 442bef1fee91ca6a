"""The sentence model: is this one sentence the writer's opinion, or a report?

An article model applied to one sentence misjudges it: a linear model trained on
300-word pieces has learned that opinion pieces are long runs of "is", "it" and
"that", and a short factual sentence without the attribution cues reports carry
looks like opinion to it. The sentence model therefore has features of its own,
counted per sentence:

- the stance lexicons of ``data/sentence_lexicon.tsv``, written for this
  project: evaluative adjectives, loaded words, intensifiers, first and second
  person, modals of obligation, epistemic and emphatic adverbs;
- the marks of reporting: attribution verbs, quotations, numbers, dates,
  named people and places (the masked placeholders of
  :func:`classifier.normalise.mask_text`);
- word TF-IDF over the masked sentence, and character n-grams when asked.

Every count is sentence-sized (log1p of a count), so nothing depends on length.
"""

import re
from functools import lru_cache
from importlib import resources

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from classifier.normalise import mask_text, normalise_text

__all__ = [
    "SENTENCE_FEATURES",
    "SentenceFeatures",
    "build_sentence_pipeline",
]


class _Lexicon:
    """Single words looked up in a set; the few phrases matched by one regex.

    A regex alternation of hundreds of words is tried word by word at every
    position; a set lookup per token made the features 10x cheaper.
    """

    def __init__(self, *terms: str) -> None:
        self.words = frozenset(t for t in terms if " " not in t)
        # The phrases as written: a sentence holding none of them needs no regex.
        self.literals = tuple(t for t in terms if " " in t)
        phrases = [re.escape(t) for t in self.literals]
        self.phrases = (
            re.compile(r"\b(?:" + "|".join(phrases) + r")\b") if phrases else None
        )

    def phrase_count(self, lowered: str) -> int:
        """How many of the phrases ``lowered`` holds, as whole words."""
        if self.phrases is None or not any(map(lowered.__contains__, self.literals)):
            return 0
        return len(self.phrases.findall(lowered))


class _Pattern:
    """A regex counted over the lower-cased sentence.

    ``needs`` are strings of which every match holds one: a sentence with none
    of them is not scanned (a substring test costs a tenth of a scan).
    """

    def __init__(self, pattern: str, needs: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern)
        self.needs = needs

    def count(self, lowered: str) -> int:
        if not any(map(lowered.__contains__, self.needs)):
            return 0
        return len(self.pattern.findall(lowered))


@lru_cache(maxsize=1)
def _lexicons() -> dict[str, _Lexicon]:
    """The stance lexicons of ``data/sentence_lexicon.tsv``, by category."""
    text = resources.files("classifier").joinpath(_LEXICON_FILE).read_text("utf-8")
    terms: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            term, category = line.split("\t")
            terms.setdefault(category.strip(), []).append(term.strip().lower())
    return {category: _Lexicon(*words) for category, words in terms.items()}


@lru_cache(maxsize=1)
def _word_categories() -> dict[str, tuple[int, ...]]:
    """Each lexicon word's categories, as indices into ``_LEXICON_CATEGORIES``.

    One lookup per token finds all its categories: twelve set scans of every
    sentence cost 18 against 11 µs a sentence with the phrases.
    """
    lexicons = _lexicons()
    found: dict[str, list[int]] = {}
    for i, name in enumerate(_LEXICON_CATEGORIES):
        for word in lexicons[name].words:
            found.setdefault(word, []).append(i)
    return {word: tuple(categories) for word, categories in found.items()}


def _lexicon_counts(lowered: str, tokens: list[str]) -> list[int]:
    """How many words and phrases of each stance lexicon the sentence holds."""
    row = [0] * len(_LEXICON_CATEGORIES)
    # Only the tokens found in some lexicon reach the Python loop (filtered in C).
    for found in filter(None, map(_word_categories().get, tokens)):
        for i in found:
            row[i] += 1
    # Nine sentences in ten hold no phrase of any lexicon: one substring scan
    # over all the phrases (3 µs) spares the six lexicons' own (5 µs).
    if any(map(lowered.__contains__, _phrase_literals())):
        for i, lexicon in _phrase_lexicons():
            row[i] += lexicon.phrase_count(lowered)
    return row


@lru_cache(maxsize=1)
def _phrase_lexicons() -> tuple[tuple[int, _Lexicon], ...]:
    """The lexicons with phrases, by their index in ``_LEXICON_CATEGORIES``."""
    lexicons = _lexicons()
    return tuple(
        (i, lexicons[name])
        for i, name in enumerate(_LEXICON_CATEGORIES)
        if lexicons[name].phrases is not None
    )


@lru_cache(maxsize=1)
def _phrase_literals() -> tuple[str, ...]:
    """Every lexicon's phrases as written: a sentence holding none has no phrase."""
    return tuple(t for _, lexicon in _phrase_lexicons() for t in lexicon.literals)


_LEXICON_FILE = "data/sentence_lexicon.tsv"
_LEXICON_CATEGORIES = (
    "evaluative",
    "loaded",
    "intensifier",
    "epistemic",
    "obligation",
    "possibility",
    "first_singular",
    "first_plural",
    "second_person",
    "negation",
    "attribution",
    "event_words",
)
_SUPERLATIVE = _Pattern(
    r"\b(?:most|least)\s+\w+|\b\w{3,}est\b", needs=("most", "least", "est")
)
_COMPARATIVE = _Pattern(
    r"\b(?:more|less)\s+\w+\s+than\b|\b\w{3,}er than\b", needs=("than",)
)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGIT = re.compile(r"\d")
_QUOTES = ('"', "\u201c", "\u201d")
# Opening with the capital lets the engine skip to candidates; the look-behind
# checks the space before it (the same matches as "(?<=\s)[A-Z][a-z]+").
_CAPITALISED = re.compile(r"[A-Z](?<=\s[A-Z])[a-z]+")
# A short quoted phrase with no attribution around it is usually a scare quote.
_SHORT_QUOTE = re.compile(r'"[^"]{1,30}"')

_LOWER_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_PATTERNS: dict[str, _Pattern] = {
    "superlative": _SUPERLATIVE,
    "comparative": _COMPARATIVE,
}

SENTENCE_FEATURES: tuple[str, ...] = (
    *_LEXICON_CATEGORIES,
    *_PATTERNS,
    "quotes",
    "short_quotes",
    "question",
    "exclamation",
    "digits",
    "capitalised",
    "words",
    "colon_or_dash",
)


# Scoring shares counts between the sentence pipelines through
# ``classifier.vectorise.SharedTexts``. The cache serves what goes through
# scikit-learn's own path: training counts the CheckThat! sentences once per
# calibration fold and again to choose the offset (7,723 hits against 2,956
# misses in one ``fit_sentence_model``).
@lru_cache(maxsize=8192)
def _counts(sentence: str) -> tuple[int, ...]:
    text = normalise_text(sentence)
    lowered = text.lower()
    tokens = _LOWER_TOKEN.findall(lowered)
    row = _lexicon_counts(lowered, tokens)
    row += [p.count(lowered) for p in _PATTERNS.values()]
    row += [
        sum(map(text.count, _QUOTES)),
        len(_SHORT_QUOTE.findall(text)) if '"' in text else 0,
        text.count("?"),
        text.count("!"),
        len(_DIGIT.findall(text)),
        len(_CAPITALISED.findall(text)),
        _word_count(text, tokens),
        text.count(":") + text.count(" - ") + text.count("\u2014"),
    ]
    return tuple(row)


def _word_count(text: str, lowered_tokens: list[str]) -> int:
    """``len(_TOKEN.findall(text))``, read off the lower-cased tokens where exact.

    In ASCII, lower-casing changes no character's class, and with no hyphen and
    at most one apostrophe ``_LOWER_TOKEN`` and ``_TOKEN`` match the same spans.
    That holds for eight sentences in ten and spares a scan of 3.5 µs.
    """
    if "-" not in text and text.count("'") < 2 and text.isascii():
        return len(lowered_tokens)
    return len(_TOKEN.findall(text))


class SentenceFeatures(TransformerMixin, BaseEstimator):
    """Dense stance and reporting counts of each sentence, as ``log1p`` values.

    Examples
    --------
    >>> X = SentenceFeatures().fit_transform(
    ...     ["We should be ashamed: this is a truly shameful deal.",
    ...      'The minister said on Monday that 40 jobs would go.']
    ... )
    >>> X.shape == (2, len(SENTENCE_FEATURES))
    True
    >>> evaluative = SENTENCE_FEATURES.index("evaluative")
    >>> attribution = SENTENCE_FEATURES.index("attribution")
    >>> bool(X[0, evaluative] > X[1, evaluative]), bool(X[1, attribution] > 0)
    (True, True)
    """

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        # One log1p over the whole matrix: per value, numpy scalars cost more
        # than all the counting.
        counts = np.array([_counts(str(s)) for s in X], dtype=float)
        return np.log1p(counts.reshape(-1, len(SENTENCE_FEATURES)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray(SENTENCE_FEATURES, dtype=object)


def build_sentence_pipeline(
    *,
    C: float = 0.5,
    lexicon_weight: float = 1.0,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    chars: bool = False,
    calibration_folds: int = 5,
) -> Pipeline:
    """Build the unfitted sentence pipeline: lexicon counts, words, a calibrated LR.

    Examples
    --------
    >>> [name for name, _ in build_sentence_pipeline().steps]
    ['features', 'model']
    """
    words = TfidfVectorizer(
        preprocessor=mask_text,
        lowercase=False,
        token_pattern=r"[^\W\d_]+(?:'[^\W\d_]+)?|[\"?!]",
        ngram_range=ngram_range,
        min_df=min_df,
        max_features=50_000,
        sublinear_tf=True,
        dtype=np.float64,
    )
    parts: list[tuple[str, object]] = [
        (
            "lexicon",
            Pipeline([("counts", SentenceFeatures()), ("scale", StandardScaler())]),
        ),
        ("words", words),
    ]
    weights = {"lexicon": lexicon_weight, "words": 1.0}
    if chars:
        parts.append(
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=3,
                    max_features=50_000,
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            )
        )
        weights["chars"] = 1.0
    model = CalibratedClassifierCV(
        LogisticRegression(C=C, class_weight="balanced", max_iter=3000),
        method="sigmoid",
        cv=calibration_folds,
        ensemble=False,
    )
    return Pipeline(
        [
            ("features", FeatureUnion(parts, transformer_weights=weights)),
            ("model", model),
        ]
    )
