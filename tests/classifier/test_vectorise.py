"""Oracle tests: the fast feature transform against scikit-learn's own."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import Pipeline

from classifier import ToneModel, build_pipeline, fit_pipeline
from classifier.model import _opinion_proba
from classifier.sentence import build_sentence_pipeline
from classifier.vectorise import (
    SharedTexts,
    count_matrix,
    transform_features,
    word_ngrams,
)

_EDGE = ["", "   ", "zzqx unknownword", '"?!"', "Mr. Hale said 40 times."]


def _same(a: object, b: object) -> None:
    a, b = sparse.csr_matrix(a), sparse.csr_matrix(b)
    assert a.shape == b.shape
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


def test_features_match_the_pipeline_entry_for_entry(
    model: ToneModel, articles
) -> None:
    features = model.pipeline.named_steps["features"]
    texts = [*articles["text"][:150], *_EDGE]
    sentences = [s for t in articles["text"][:20] for s in t.split(". ")]
    for docs in (texts, sentences):
        _same(transform_features(features, docs), features.transform(docs))


@pytest.fixture(scope="module")
def sentence_pipelines(articles) -> list[Pipeline]:
    """The default sentence pipelines' shapes, fitted on sentences of labels/."""
    sample = articles.iloc[:80]
    sentences = [s for t in sample["text"] for s in t.split(". ")]
    labels = [
        lab
        for t, lab in zip(sample["text"], sample["label"], strict=True)
        for _ in t.split(". ")
    ]
    return [
        build_sentence_pipeline(ngram_range=ngrams, calibration_folds=2).fit(
            sentences, labels
        )
        for ngrams in ((1, 1), (1, 2))
    ]


def test_sentence_features_match_the_pipelines_entry_for_entry(
    sentence_pipelines: list[Pipeline], articles
) -> None:
    """The lexicon block (counts, then standard scaling) and the word block."""
    sentences = [s for t in articles["text"][80:110] for s in t.split(". ")]
    for pipeline in sentence_pipelines:
        features = pipeline.named_steps["features"]
        for docs in (sentences, _EDGE):
            _same(transform_features(features, docs), features.transform(docs))


def test_sentence_probabilities_match_the_pipelines_bitwise(
    sentence_pipelines: list[Pipeline], articles
) -> None:
    sentences = [s for t in articles["text"][80:110] for s in t.split(". ")] + _EDGE
    for pipeline in sentence_pipelines:
        column = list(pipeline.classes_).index("opinion")
        expected = pipeline.predict_proba(sentences)[:, column]
        assert np.array_equal(_opinion_proba(pipeline, sentences), expected)


def test_shared_texts_are_masked_tokenised_and_counted_once(
    sentence_pipelines: list[Pipeline], articles, monkeypatch
) -> None:
    """Both sentence pipelines over one SharedTexts: same features, half the work."""
    import classifier.sentence as sentence_module

    sentences = [s for t in articles["text"][110:130] for s in t.split(". ")] + _EDGE
    expected = [
        p.named_steps["features"].transform(sentences) for p in sentence_pipelines
    ]
    calls = {"mask": 0, "count": 0}
    mask, counts = sentence_module.mask_text, sentence_module._counts

    def counting_mask(text: str) -> str:
        calls["mask"] += 1
        return mask(text)

    def counting_counts(sentence: str) -> tuple[int, ...]:
        calls["count"] += 1
        return counts.__wrapped__(sentence)  # past the lru_cache: count every call

    monkeypatch.setattr(sentence_module, "_counts", counting_counts)
    for pipeline in sentence_pipelines:
        words = dict(pipeline.named_steps["features"].transformer_list)["words"]
        monkeypatch.setattr(words, "preprocessor", counting_mask)
    shared = SharedTexts(sentences)
    for pipeline, want in zip(sentence_pipelines, expected, strict=True):
        _same(transform_features(pipeline.named_steps["features"], shared), want)
    assert calls == {"mask": len(sentences), "count": len(sentences)}


def test_shared_texts_keep_apart_vectorizers_that_tokenise_differently() -> None:
    texts = SharedTexts(["Aa bb, cc-dd", "bb BB"])
    plain = CountVectorizer().fit(texts)
    cased = CountVectorizer(lowercase=False, token_pattern=r"\S+").fit(texts)
    for vectorizer in (plain, cased, plain):
        _same(count_matrix(vectorizer, texts), vectorizer.transform(texts))


def test_probabilities_match_the_pipeline_bitwise(model: ToneModel, articles) -> None:
    texts = [*articles["text"][:100], *_EDGE]
    column = list(model.pipeline.classes_).index("opinion")
    expected = model.pipeline.predict_proba(texts)[:, column]
    assert np.array_equal(model._probabilities(texts), expected)


@pytest.mark.parametrize(
    "vectorizer",
    [
        pytest.param(CountVectorizer(), id="counts"),
        pytest.param(CountVectorizer(binary=True), id="binary"),
        pytest.param(CountVectorizer(ngram_range=(1, 2), min_df=2), id="bigrams"),
        pytest.param(CountVectorizer(stop_words=["the", "a"]), id="stop-words"),
    ],
)
def test_count_matrix_matches_count_vectorizer(vectorizer, articles) -> None:
    texts = list(articles["text"][:80])
    vectorizer.fit(texts)
    docs = [*articles["text"][80:120], *_EDGE]
    _same(count_matrix(vectorizer, docs), vectorizer.transform(docs))


@given(
    tokens=st.lists(st.sampled_from(["a", "b", "cc", "the", "x y"]), max_size=8),
    ngram_range=st.sampled_from([(1, 1), (1, 2), (2, 2), (1, 3), (2, 4), (3, 3)]),
    stop_words=st.sampled_from([None, ["the"]]),
)
def test_word_ngrams_match_scikit_learn(
    tokens: list[str], ngram_range: tuple[int, int], stop_words: list[str] | None
) -> None:
    vectorizer = CountVectorizer(ngram_range=ngram_range, stop_words=stop_words)
    expected = vectorizer._word_ngrams(list(tokens), vectorizer.get_stop_words())
    assert word_ngrams(vectorizer)(list(tokens)) == expected


@pytest.mark.parametrize("shared", [False, True], ids=["list", "shared"])
def test_bigram_counts_match_with_and_without_shared_texts(
    articles, shared: bool
) -> None:
    vectorizer = CountVectorizer(ngram_range=(1, 3), min_df=2)
    vectorizer.fit(list(articles["text"][:80]))
    docs = [*articles["text"][80:120], *_EDGE]
    given_docs = SharedTexts(docs) if shared else docs
    _same(count_matrix(vectorizer, given_docs), vectorizer.transform(docs))


def test_other_feature_steps_are_left_to_scikit_learn(articles) -> None:
    """A pipeline with style features takes scikit-learn's path, same output."""
    sample = articles.iloc[:120]
    pipeline = fit_pipeline(
        build_pipeline(style=0.5, calibration_folds=2),
        sample["text"],
        sample["label"],
        sample["event"],
    )
    features = pipeline.named_steps["features"]
    docs = list(articles["text"][120:140])
    got, expected = transform_features(features, docs), features.transform(docs)
    assert np.array_equal(
        np.asarray(sparse.csr_matrix(got).todense()),
        np.asarray(sparse.csr_matrix(expected).todense()),
    )


def test_a_lone_string_is_refused_as_scikit_learn_does(model: ToneModel) -> None:
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        transform_features(model.pipeline.named_steps["features"], "one text")


def test_tfidf_union_with_a_weight_matches_scikit_learn() -> None:
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion(
        [("words", TfidfVectorizer())], transformer_weights={"words": 2.0}
    ).fit(["aa bb", "bb cc"])
    _same(transform_features(union, ["aa bb bb"]), union.transform(["aa bb bb"]))
