import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from classifier.hedge_model import HedgeModel
from classifier.hedging import ALL_CATEGORIES, UNCERTAINTY_CATEGORIES
from training.corpus import default_labels_dir, load_hedging
from training.evaluate import evaluate_hedging
from training.exceptions import CorpusError
from training.external import load_conll_hedging

FRAME = pd.DataFrame(
    {
        "text": ["About 40 people came.", "It may rain.", "It rained."],
        "hedged": [False, True, False],
    }
)


@pytest.mark.parametrize(
    ("categories", "precision"),
    [
        pytest.param(ALL_CATEGORIES, 0.5, id="all-categories"),
        pytest.param(UNCERTAINTY_CATEGORIES, 1.0, id="uncertainty"),
    ],
)
def test_evaluate_hedging_by_categories(
    categories: frozenset[str], precision: float
) -> None:
    metrics = evaluate_hedging(FRAME, categories=categories)
    assert (metrics["n"], metrics["recall"], metrics["precision"]) == (
        3,
        1.0,
        precision,
    )


def test_evaluate_hedging_with_a_learned_layer() -> None:
    texts = ["It may rain.", "It rained.", "Perhaps he left.", "He left."] * 5
    model = HedgeModel(cv=2, min_df=1).fit(texts, [True, False, True, False] * 5)
    metrics = evaluate_hedging(FRAME.iloc[1:], model=model)
    assert (metrics["precision"], metrics["recall"]) == (1.0, 1.0)


def test_in_domain_lexicon_holds() -> None:
    frame = load_hedging().rename(columns={"sentence": "text"})
    metrics = evaluate_hedging(frame)
    assert metrics["f1"] >= 0.93


@pytest.mark.corpora
def test_conll_train_lexicon_beats_all_categories(corpora) -> None:
    # The decision CoNLL is scored with was chosen on train; it must hold there.
    frame = load_conll_hedging("train", corpora)
    uncertainty = evaluate_hedging(frame, categories=UNCERTAINTY_CATEGORIES)
    assert uncertainty["f1"] > evaluate_hedging(frame)["f1"]


def test_blind_in_domain_lexicon_holds() -> None:
    # Random sentences of the later waves, annotated blind from the guidelines alone
    # (labels/GUIDELINES.md, "Hedges"): the honest in-domain figure, 0.776 when added.
    frame = load_hedging(default_labels_dir() / "hedging_blind.jsonl")
    metrics = evaluate_hedging(frame)
    assert metrics["n"] == 780 and metrics["f1"] >= 0.75


def test_two_blind_hedge_readings_agree() -> None:
    # A second blind reader, with the guidelines that name bounds as approximators;
    # kappa 0.896 and lexicon F1 0.815 against it when added.
    first = load_hedging(default_labels_dir() / "hedging_blind.jsonl")
    second = load_hedging(default_labels_dir() / "hedging_blind_second.jsonl")
    columns = ["article_id", "sentence"]
    assert first[columns].equals(second[columns])
    assert cohen_kappa_score(first["hedged"], second["hedged"]) >= 0.85
    assert evaluate_hedging(second)["f1"] >= 0.78


def test_the_corpus_hedge_sentences_evaluate_as_loaded() -> None:
    """``load_hedging`` names the text ``sentence``; that had been a KeyError."""
    metrics = evaluate_hedging(load_hedging())
    assert metrics["n"] == 1392 and metrics["f1"] > 0.9


def test_a_hedging_frame_without_its_columns_is_one_error() -> None:
    with pytest.raises(CorpusError, match="the frame has body"):
        evaluate_hedging(pd.DataFrame({"body": ["It may rain."]}))
