import json
from pathlib import Path

import pytest

from classifier import ToneModel
from training.report import _trained_on, run_evaluation, write_report


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        pytest.param({}, {"brown": False, "checkthat": False}, id="own-only"),
        pytest.param(
            {"corpus": {"sources": {"labels": 464, "brown": 88}}},
            {"brown": True, "checkthat": False},
            id="brown",
        ),
        pytest.param(
            {"sentence_model": {"data": ["own", "checkthat train+dev"]}},
            {"brown": False, "checkthat": True},
            id="checkthat",
        ),
    ],
)
def test_training_data_is_read_from_metadata(
    model: ToneModel, metadata: dict, expected: dict
) -> None:
    tagged = ToneModel(pipeline=model.pipeline, version="t", metadata=metadata)
    assert _trained_on(tagged) == expected


def test_without_corpora_only_the_holdout_is_reported(
    model: ToneModel, tmp_path: Path
) -> None:
    evaluations, hedging = run_evaluation(model, corpora=tmp_path / "none")
    assert [e.name.split(" (")[0] for e in evaluations] == ["labels/ hold-out"]
    assert hedging == {}
    holdout = evaluations[0]
    assert "in domain" in holdout.domain
    assert set(holdout.metrics) == {
        "tone",
        "TextBlob subjectivity",
        "VADER |compound| per sentence",
        "first person + should/must rate",
        "majority class",
    }
    assert (
        holdout.metrics["tone"]["macro_f1"]
        > holdout.metrics["majority class"]["macro_f1"]
    )
    report = write_report(model, evaluations, hedging, tmp_path / "reports")
    text = report.read_text()
    assert "labels/ hold-out" in text and "![roc.png](roc.png)" in text
    for plot in ("roc.png", "confusion.png", "reliability.png"):
        assert (tmp_path / "reports" / plot).stat().st_size > 1000, plot
    payload = json.loads((tmp_path / "reports" / "evaluation.json").read_text())
    assert payload["model_version"] == model.version


@pytest.mark.slow
@pytest.mark.corpora
def test_every_corpus_present_is_evaluated(model: ToneModel, corpora: Path) -> None:
    tagged = ToneModel(
        pipeline=model.pipeline,
        version="t",
        metadata={"sentence_model": {"data": ["checkthat train+dev"]}},
    )
    evaluations, hedging = run_evaluation(tagged, corpora=corpora)
    by_name = {e.name.split(" (")[0]: e for e in evaluations}
    assert set(by_name) == {
        "labels/ hold-out",
        "Brown press 1961",
        "CheckThat! 2025 dev_test",
    }
    assert by_name["Brown press 1961"].domain.startswith("out of domain")
    assert by_name["CheckThat! 2025 dev_test"].domain == (
        "in domain (CheckThat! train/dev used)"
    )
    assert by_name["CheckThat! 2025 dev_test"].metrics["tone"]["n"] == 484
    conll = hedging["CoNLL-2010 Wikipedia test"]
    assert conll["every sentence hedged"]["recall"] == 1.0
    assert conll["tone"]["f1"] > conll["every sentence hedged"]["f1"]
