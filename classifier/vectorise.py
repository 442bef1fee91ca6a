"""The fitted feature step's ``transform``, with its per-token Python loop in C.

scikit-learn's ``CountVectorizer`` counts a document's features in a Python loop
over every token (a dictionary lookup, a ``try`` and an increment each). Here the
same analyzer (scikit-learn's own ``build_analyzer``) feeds ``map`` and
``collections.Counter``, which run in C, and the counts then go through the
vectorizer's own TF-IDF step. The matrix is the same, entry for entry and in the
same order, so the model's output is bitwise the same; an oracle test checks it
against ``Pipeline.transform``. Any feature step this module does not recognise
is left to scikit-learn.
"""

from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion

__all__ = ["count_matrix", "transform_features"]


def count_matrix(vectorizer: CountVectorizer, documents: Sequence[str]) -> Any:
    """What ``vectorizer``'s ``CountVectorizer.transform(documents)`` returns.

    Examples
    --------
    >>> vectorizer = CountVectorizer().fit(["aa bb bb", "bb cc"])
    >>> count_matrix(vectorizer, ["bb bb cc aa", "dd"]).toarray().tolist()
    [[1, 2, 1], [0, 0, 0]]
    """
    analyze = vectorizer.build_analyzer()
    lookup = vectorizer.vocabulary_.get
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for document in documents:
        counts = Counter(map(lookup, analyze(document), repeat(-1)))
        counts.pop(-1, None)  # out of the vocabulary
        indices += counts.keys()
        values += counts.values()
        indptr.append(len(indices))
    kind = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
    matrix = sparse.csr_matrix(
        (
            np.asarray(values, dtype=np.intc),
            np.asarray(indices, dtype=kind),
            np.asarray(indptr, dtype=kind),
        ),
        shape=(len(documents), len(vectorizer.vocabulary_)),
        dtype=vectorizer.dtype,
    )
    matrix.sort_indices()
    if vectorizer.binary:
        matrix.data.fill(1)
    return matrix


def _words_only(features: Any) -> TfidfVectorizer | None:
    """The vectorizer, when ``features`` is one unweighted word TF-IDF step."""
    if not isinstance(features, FeatureUnion):
        return None
    steps = [(name, step) for name, step in features.transformer_list if step]
    if len(steps) != 1 or not isinstance(steps[0][1], TfidfVectorizer):
        return None
    weight = (features.transformer_weights or {}).get(steps[0][0])
    vectorizer = steps[0][1]
    if weight not in (None, 1, 1.0) or not hasattr(vectorizer, "_tfidf"):
        return None
    return vectorizer


def transform_features(features: Any, documents: Sequence[str]) -> Any:
    """``features.transform(documents)``, fast for tone's word TF-IDF union.

    Examples
    --------
    >>> union = FeatureUnion([("words", TfidfVectorizer())]).fit(["aa bb", "bb cc"])
    >>> docs = ["aa bb bb", "cc"]
    >>> bool((transform_features(union, docs) != union.transform(docs)).nnz == 0)
    True
    """
    vectorizer = _words_only(features)
    if vectorizer is None or isinstance(documents, str):
        return features.transform(documents)
    counts = count_matrix(vectorizer, list(documents))
    return sparse.csr_matrix(vectorizer._tfidf.transform(counts, copy=False))
