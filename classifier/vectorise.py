"""Fast paths through tone's fitted pipeline, identical to scikit-learn's output.

The feature step's ``transform`` has its per-token Python loop in C, and the
calibrated model's ``predict_proba`` skips input checks that cost more than the
arithmetic on one short text.

scikit-learn's ``CountVectorizer`` counts a document's features in a Python loop
over every token (a dictionary lookup, a ``try`` and an increment each). Here the
same analyzer (scikit-learn's steps) gives each document's terms, one ``map`` in C
looks up the terms of all documents at once, the sparse constructor sums repeats
into counts, and the counts then go through the vectorizer's own TF-IDF step.
The matrix is the same, entry for entry and in the same order, so the model's
output is bitwise the same; an oracle test checks it against
``Pipeline.transform``. Any feature step this module does not recognise is left
to scikit-learn.

Several pipelines scoring the same texts (the sentence model averages two) can
share the work that does not depend on what each learned: pass the texts as one
:class:`SharedTexts` to each call, and each text is masked and tokenised once
per token rule, and its stance counts counted once, whatever the number of
pipelines.
"""

from collections.abc import Callable, Hashable, Sequence
from itertools import chain, repeat
from typing import Any, TypeVar

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import (
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from classifier.sentence import SentenceFeatures

try:  # private scikit-learn names: without them, scikit-learn's own path is taken
    from sklearn.calibration import _SigmoidCalibration
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2
except ImportError:  # pragma: no cover - depends on the scikit-learn release
    _SigmoidCalibration = None
    inplace_csr_row_normalize_l2 = None

__all__ = [
    "SharedTexts",
    "count_matrix",
    "predict_proba",
    "transform_features",
    "word_ngrams",
]

_T = TypeVar("_T")


class SharedTexts(list[str]):
    """Texts that several feature steps transform, with the work they share.

    What a step computes from the texts alone (the tokens of a token rule, the
    sentence stance counts) is kept here by a key that says how it was computed,
    and read back by the next step that needs the same. Keep one instance for
    one set of texts and do not change it in place.

    Examples
    --------
    >>> texts = SharedTexts(["aa bb", "bb"])
    >>> texts.reuse("lengths", lambda: [len(t) for t in texts])
    [5, 2]
    >>> texts.reuse("lengths", lambda: None)
    [5, 2]
    """

    def __init__(self, texts: Sequence[str] = ()) -> None:
        super().__init__(texts)
        self._done: dict[Hashable, Any] = {}

    def reuse(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()`` the first time ``key`` is asked for; the same value after."""
        if key not in self._done:
            self._done[key] = compute()
        value: _T = self._done[key]
        return value


def _word_analyzer(
    vectorizer: CountVectorizer, documents: Sequence[str]
) -> Callable[[int, str], list[str]]:
    """Each document's terms as ``vectorizer.build_analyzer()`` gives them.

    A word analyzer's steps are scikit-learn's (decode, preprocess, tokenise)
    but for the n-grams, which :func:`word_ngrams` joins in C. With
    :class:`SharedTexts`, the first three (all of the cost but the n-grams) run
    once per document for every vectorizer that does them alike; the n-grams are
    still each vectorizer's own.
    """
    if vectorizer.analyzer != "word":
        analyze = vectorizer.build_analyzer()
        return lambda i, document: analyze(document)
    decode = vectorizer.decode
    preprocess = vectorizer.build_preprocessor()
    tokenize = vectorizer.build_tokenizer()
    ngrams = word_ngrams(vectorizer)
    if not isinstance(documents, SharedTexts):
        return lambda i, document: ngrams(tokenize(preprocess(decode(document))))
    key = (
        "tokens",
        vectorizer.input,
        vectorizer.encoding,
        vectorizer.decode_error,
        vectorizer.strip_accents,
        vectorizer.lowercase,
        vectorizer.preprocessor,
        vectorizer.tokenizer,
        vectorizer.token_pattern,
    )
    tokens = documents.reuse(
        key, lambda: [tokenize(preprocess(decode(d))) for d in documents]
    )
    return lambda i, document: ngrams(tokens[i])


def word_ngrams(vectorizer: CountVectorizer) -> Callable[[list[str]], list[str]]:
    """``vectorizer._word_ngrams``: a document's tokens to its terms, same order.

    scikit-learn joins each n-gram in a Python loop; here ``map`` and ``zip`` do
    it in C (for the sentence model's bigrams, a fifth of its word features'
    cost). With stop words, scikit-learn's own method is used.

    Examples
    --------
    >>> word_ngrams(CountVectorizer(ngram_range=(1, 3)))(["a", "b", "c"])
    ['a', 'b', 'c', 'a b', 'b c', 'a b c']
    """
    min_n, max_n = vectorizer.ngram_range
    if vectorizer.get_stop_words() is not None:
        stop_words = vectorizer.get_stop_words()
        return lambda tokens: vectorizer._word_ngrams(tokens, stop_words)
    if max_n == 1:
        return lambda tokens: tokens
    lengths = range(max(min_n, 2), max_n + 1)

    def ngrams(tokens: list[str]) -> list[str]:
        terms = list(tokens) if min_n == 1 else []
        for n in lengths:
            # Shifted copies of the tokens; zip stops at the shortest (n-grams).
            shifted = (tokens[k:] for k in range(n))
            terms += map(" ".join, zip(*shifted, strict=False))
        return terms

    return ngrams


def count_matrix(vectorizer: CountVectorizer, documents: Sequence[str]) -> Any:
    """What ``vectorizer``'s ``CountVectorizer.transform(documents)`` returns.

    Examples
    --------
    >>> vectorizer = CountVectorizer().fit(["aa bb bb", "bb cc"])
    >>> count_matrix(vectorizer, ["bb bb cc aa", "dd"]).toarray().tolist()
    [[1, 2, 1], [0, 0, 0]]
    """
    analyze = _word_analyzer(vectorizer, documents)
    terms = [analyze(i, document) for i, document in enumerate(documents)]
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    # Every term of every document looked up in one pass in C (-1: not in the
    # vocabulary); the sparse constructor then sums repeats into counts.
    columns = np.fromiter(
        map(vectorizer.vocabulary_.get, chain.from_iterable(terms), repeat(-1)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    rows = np.repeat(np.arange(len(terms), dtype=np.int64), lengths)
    known = columns >= 0
    matrix = sparse.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.intc), (rows[known], columns[known])),
        shape=(len(documents), len(vectorizer.vocabulary_)),
    ).astype(vectorizer.dtype)
    matrix.sort_indices()
    if vectorizer.binary:
        matrix.data.fill(1)
    return matrix


def _step_transform(step: Any, data: Any) -> Any:
    """``step.transform(data)``: fast for word TF-IDF, standard scaling, pipelines."""
    if isinstance(step, TfidfVectorizer) and hasattr(step, "_tfidf"):
        return _tfidf(step._tfidf, count_matrix(step, data))
    if isinstance(step, Pipeline) and all(
        sub not in (None, "passthrough") for _, sub in step.steps
    ):
        for _, sub in step.steps:
            data = _step_transform(sub, data)
        return data
    if (
        isinstance(step, StandardScaler)
        and isinstance(data, np.ndarray)
        and data.dtype == np.float64
        and data.ndim == 2
    ):
        # StandardScaler.transform's arithmetic on its own copy, without the checks.
        scaled = data.copy()
        if step.with_mean:
            scaled -= step.mean_
        if step.with_std:
            scaled /= step.scale_
        return scaled
    if isinstance(step, SentenceFeatures) and isinstance(data, SharedTexts):
        # The counts depend on the sentence alone; a copy keeps them unchanged.
        return data.reuse("sentence_counts", lambda: step.transform(data)).copy()
    return step.transform(data)


def _plain_union(features: Any) -> bool:
    """Whether ``features`` is a FeatureUnion this module can assemble itself."""
    if not isinstance(features, FeatureUnion):
        return False
    output = getattr(features, "_sklearn_output_config", {}).get("transform")
    steps = [step for _, step in features.transformer_list]
    return output in (None, "default") and not any(
        isinstance(step, str) and step != "drop" for step in steps
    )


def transform_features(features: Any, documents: Sequence[str]) -> Any:
    """``features.transform(documents)``, fast for tone's feature unions.

    Each step of the union is transformed as scikit-learn would (word TF-IDF
    counted in C, standard scaling without input checks, anything else by its
    own ``transform``), weighted and stacked as ``FeatureUnion`` does.

    Examples
    --------
    >>> union = FeatureUnion([("words", TfidfVectorizer())]).fit(["aa bb", "bb cc"])
    >>> docs = ["aa bb bb", "cc"]
    >>> bool((transform_features(union, docs) != union.transform(docs)).nnz == 0)
    True
    """
    if isinstance(documents, str) or not _plain_union(features):
        return features.transform(documents)
    if not isinstance(documents, SharedTexts):
        documents = list(documents)
    weights = features.transformer_weights or {}
    blocks = []
    for name, step in features.transformer_list:
        if step is None or step == "drop":
            continue
        block = _step_transform(step, documents)
        weight = weights.get(name)
        # x * 1.0 == x exactly, so an unweighted block skips the copy.
        blocks.append(block if weight in (None, 1) else block * weight)
    if not blocks:
        return features.transform(documents)
    if len(blocks) == 1 and sparse.issparse(blocks[0]):
        return blocks[0]  # what hstack of one block would rebuild
    if any(sparse.issparse(block) for block in blocks):
        return sparse.hstack(blocks).tocsr()
    return np.hstack(blocks)


def _tfidf(transformer: TfidfTransformer, counts: Any) -> Any:
    # TfidfTransformer.transform's arithmetic, in its order, without its input
    # validation (half a millisecond a call, which one short request felt).
    if (
        inplace_csr_row_normalize_l2 is None
        or not isinstance(transformer, TfidfTransformer)
        or transformer.norm not in (None, "l2")
    ):
        return sparse.csr_matrix(transformer.transform(counts, copy=False))
    if transformer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    if hasattr(transformer, "idf_"):
        counts.data *= transformer.idf_[counts.indices]
    if transformer.norm == "l2":
        inplace_csr_row_normalize_l2(counts)
    return counts


def predict_proba(estimator: Any, features: Any) -> np.ndarray:
    """``estimator.predict_proba(features)``, direct for tone's calibrated model.

    For a binary ``CalibratedClassifierCV`` with one sigmoid-calibrated logistic
    regression (``ensemble=False``), this is scikit-learn's arithmetic in its
    order (so bitwise the same) without the input checks that cost more than the
    arithmetic on one short text. Anything else goes to scikit-learn.

    Examples
    --------
    >>> from sklearn.calibration import CalibratedClassifierCV
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]] * 3), [0, 0, 1, 1] * 3
    >>> model = CalibratedClassifierCV(LogisticRegression(), cv=2, ensemble=False)
    >>> model = model.fit(X, y)
    >>> bool(np.array_equal(predict_proba(model, X), model.predict_proba(X)))
    True
    """
    calibrated = getattr(estimator, "calibrated_classifiers_", None)
    if (
        _SigmoidCalibration is None
        or not isinstance(estimator, CalibratedClassifierCV)
        or calibrated is None
        or len(calibrated) != 1
        or len(estimator.classes_) != 2
        or calibrated[0].method != "sigmoid"
        or len(calibrated[0].calibrators) != 1
        or not isinstance(calibrated[0].estimator, LogisticRegression)
        or not isinstance(calibrated[0].calibrators[0], _SigmoidCalibration)
        or list(calibrated[0].estimator.classes_) != list(estimator.classes_)
    ):
        return np.asarray(estimator.predict_proba(features))
    linear, calibrator = calibrated[0].estimator, calibrated[0].calibrators[0]
    scores = np.asarray(features @ linear.coef_.T) + linear.intercept_
    scores = scores.reshape(-1)
    proba = np.zeros((scores.shape[0], 2))
    proba[:, 1] = expit(-(calibrator.a_ * scores + calibrator.b_))
    proba[:, 0] = 1.0 - proba[:, 1]
    return proba
