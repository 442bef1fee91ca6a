import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from classifier import ToneModel, build_pipeline
from classifier.model import passages
from classifier.tokenise import sentence_spans
from tests.conftest import OPINION_TEXT, REPORTING_TEXT


def test_unfitted_pipeline_is_refused() -> None:
    with pytest.raises(NotFittedError):
        ToneModel(pipeline=build_pipeline(), version="x")


def test_opinion_and_reporting_examples(model: ToneModel) -> None:
    p = model.opinion_probability([OPINION_TEXT, REPORTING_TEXT])
    assert p[0] > 0.5 > p[1]


def test_probabilities_do_not_drift_with_length(model: ToneModel) -> None:
    """Repeating a text many times must not push it to a more extreme probability."""
    once, many = model.opinion_probability(
        [REPORTING_TEXT, "\n\n".join([REPORTING_TEXT] * 20)]
    )
    assert abs(once - many) < 0.1


def test_passages_cover_the_text_in_order() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    parts = passages(text, sentence_spans(text), words=100)
    assert " ".join(parts) == text
    assert all(len(p.split()) >= 50 for p in parts)


def test_top_features_point_the_right_way(model: ToneModel) -> None:
    top, other = model.top_features(
        [OPINION_TEXT + " " + REPORTING_TEXT, OPINION_TEXT], k=5
    )
    assert len(other.opinion) <= 5
    assert top.opinion and top.reporting
    assert all(f.weight > 0 for f in top.opinion + top.reporting)
    assert "said" in {f.feature for f in top.reporting}


def test_explaining_leaves_the_probabilities_bitwise_alone(
    model: ToneModel, articles
) -> None:
    texts = [*articles["text"][:40], "\n\n".join(articles["text"][40:46])]
    plain, _ = model.score_articles(texts)
    explained, features = model.score_articles(texts, explain=3)
    assert np.array_equal(plain, explained) and len(features) == len(texts)


def test_top_features_add_up_to_the_passage_weighted_margin(
    model: ToneModel, articles
) -> None:
    """Every feature's share, summed, is the score's margin less the intercept."""
    long_text = "\n\n".join(articles["text"][:5])  # several passages
    spans = sentence_spans(long_text)
    (top,) = model.top_features([long_text], k=100_000)
    shares = sum(f.weight for f in top.opinion) - sum(f.weight for f in top.reporting)
    parts = passages(long_text, spans, model.passage_words)
    words = np.array([len(p.split()) for p in parts], dtype=float)
    linear = model.pipeline.named_steps["model"].calibrated_classifiers_[0].estimator
    margins = linear.decision_function(model._features(parts)) - linear.intercept_[0]
    sign = 1.0 if model.pipeline.classes_[1] == "opinion" else -1.0
    expected = sign * float(np.average(margins, weights=words))
    assert len(parts) > 1
    rounding = 5e-5 * (len(top.opinion) + len(top.reporting))  # 4 decimals each
    assert shares == pytest.approx(expected, abs=rounding)


def test_sentence_probabilities_in_range(model: ToneModel) -> None:
    p = model.sentence_probabilities(["We must act.", "Police said two died."])
    assert np.all((p >= 0) & (p <= 1)) and p[0] > p[1]


def test_no_top_features_is_one_empty_entry_per_text(model: ToneModel) -> None:
    assert [
        (len(t.opinion), len(t.reporting))
        for t in model.top_features(["a b", "c"], k=0)
    ] == [(0, 0), (0, 0)]
