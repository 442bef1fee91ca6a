import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from classifier.exceptions import ModelFileError
from classifier.hedge_model import (
    HEDGE_METADATA_FILE,
    HEDGE_MODEL_FILE,
    HedgeModel,
    cue_document,
    load_hedge_model,
    save_hedge_model,
)

HEDGED = [
    "The plan may fail next year.",
    "Perhaps the bridge will open in spring.",
    "It is believed the talks collapsed.",
    "The council could delay the vote.",
    "Critics say the scheme is unfair.",
    "The fire was probably started by a heater.",
]
CERTAIN = [
    "The plan failed last year.",
    "The bridge opened in spring.",
    "The talks collapsed on Monday.",
    "The council delayed the vote.",
    "The scheme began in March.",
    "The fire was started by a heater.",
]


@pytest.fixture(scope="module")
def fitted() -> HedgeModel:
    texts = (HEDGED + CERTAIN) * 3
    labels = ([True] * len(HEDGED) + [False] * len(CERTAIN)) * 3
    return HedgeModel(cv=3, min_df=1).fit(texts, labels)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param("No cue here.", "nocue", id="no-cue"),
        pytest.param(
            "Prices may rise.",
            "cue=may cat=modal pre=prices_may post=may_rise",
            id="modal",
        ),
        pytest.param(
            "It is believed.",
            "cue=it_is_believed cat=attribution pre=^_it_is_believed "
            "post=it_is_believed_.",
            id="multiword-at-start",
        ),
    ],
)
def test_cue_document(sentence: str, expected: str) -> None:
    assert cue_document(sentence) == expected


def test_fit_learns_hedged_sentences(fitted: HedgeModel) -> None:
    probability = fitted.predict_proba(["The deal may collapse.", "The deal closed."])
    assert probability.shape == (2,)
    assert ((probability >= 0) & (probability <= 1)).all()
    assert probability[0] > probability[1]
    assert fitted.predict(["The deal may collapse.", "The deal closed."]).tolist() == [
        True,
        False,
    ]
    assert 0.05 <= fitted.threshold_ <= 0.95
    assert 0.0 <= fitted.cv_f1_ <= 1.0


def test_flag_sentences_follows_spans(fitted: HedgeModel) -> None:
    text = "The deal closed. The deal may collapse."
    assert fitted.flag_sentences(text, [(0, 16), (17, 39)]) == [False, True]


def test_empty_input_gives_empty_output(fitted: HedgeModel) -> None:
    assert fitted.predict_proba([]).shape == (0,)


def test_unfitted_model_is_refused() -> None:
    with pytest.raises(NotFittedError, match="not fitted yet"):
        HedgeModel().predict(["It may rain."])


@pytest.mark.parametrize(
    ("params", "texts", "labels", "message"),
    [
        pytest.param(
            {"C": 0}, HEDGED, [True] * 6, "C must be a positive number", id="bad-C"
        ),
        pytest.param({"cv": 1}, HEDGED, [True] * 6, "cv must be an int", id="bad-cv"),
        pytest.param({}, HEDGED, [True] * 5, "Got 6 sentences but 5", id="length"),
        pytest.param(
            {"cv": 5},
            HEDGED + CERTAIN[:2],
            [True] * 6 + [False] * 2,
            "at least cv=5 sentences",
            id="small-class",
        ),
    ],
)
def test_fit_validates(
    params: dict[str, int], texts: list[str], labels: list[bool], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        HedgeModel(**params).fit(texts, labels)


def test_save_and_load_round_trip(fitted: HedgeModel, tmp_path: Path) -> None:
    save_hedge_model(fitted, tmp_path, metadata={"trained_on": ["unit-test"]})
    loaded, metadata = load_hedge_model(tmp_path)
    assert metadata["trained_on"] == ["unit-test"]
    assert metadata["threshold"] == fitted.threshold_
    texts = ["The deal may collapse.", "The deal closed."]
    np.testing.assert_allclose(loaded.predict_proba(texts), fitted.predict_proba(texts))
    assert loaded.threshold_ == fitted.threshold_


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"hedge\.skops is missing"):
        load_hedge_model(tmp_path)


def test_damaged_file_is_a_clear_error(fitted: HedgeModel, tmp_path: Path) -> None:
    save_hedge_model(fitted, tmp_path)
    (tmp_path / HEDGE_MODEL_FILE).write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="is damaged"):
        load_hedge_model(tmp_path)


def test_untrusted_type_is_refused(fitted: HedgeModel, tmp_path: Path) -> None:
    save_hedge_model(fitted, tmp_path)
    sio.dump(
        make_pipeline(FunctionTransformer(json.dumps)), tmp_path / HEDGE_MODEL_FILE
    )
    with pytest.raises(ModelFileError, match=r"json\.dumps"):
        load_hedge_model(tmp_path)
    assert (tmp_path / HEDGE_METADATA_FILE).is_file()


def test_hedge_model_follows_scikit_learn_conventions() -> None:
    model = HedgeModel(C=0.5, min_df=1, cv=2)
    assert clone(model).get_params() == model.get_params()
    assert model.get_params()["C"] == 0.5
    with pytest.raises(NotFittedError):
        model.predict_proba([])
