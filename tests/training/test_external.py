"""Figures on published corpora the default model never saw (skip where absent).

The floors sit a little under what was measured (README "Accuracy"), so a change
that makes the model worse on real text fails here.
"""

import pytest

from classifier import ToneModel
from training.evaluate import evaluate_corpus
from training.external import detokenise, load_brown, load_checkthat, load_conll_hedging

pytestmark = pytest.mark.corpora


def test_brown_press(corpora, model: ToneModel) -> None:
    brown = load_brown(corpora)
    assert brown["label"].value_counts().to_dict() == {"reporting": 44, "opinion": 44}
    metrics = evaluate_corpus(model, "brown", corpora)
    assert metrics["roc_auc"] >= 0.93
    assert metrics["macro_f1"] >= 0.85


def test_checkthat_sentences(corpora, model: ToneModel) -> None:
    assert len(load_checkthat("dev_test", corpora)) == 484
    metrics = evaluate_corpus(model, "checkthat", corpora)
    assert metrics["roc_auc"] >= 0.64
    assert metrics["macro_f1"] >= 0.55


def test_conll_hedging(corpora) -> None:
    assert len(load_conll_hedging("test", corpora)) == 7288
    metrics = evaluate_corpus(None, "conll-hedging", corpora)  # type: ignore[arg-type]
    assert metrics["f1"] >= 0.65  # the target of issue 3; 0.6544 measured


def test_missing_corpus_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="set TONE_CORPORA"):
        load_checkthat("dev_test", tmp_path)


def test_detokenise() -> None:
    assert detokenise("He said `` no '' ; it 's over .") == 'He said "no"; it\'s over.'
