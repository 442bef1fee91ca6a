import math

import pandas as pd
import pytest

from classifier import (
    RESULT_COLUMNS,
    RESULT_DTYPES,
    EmptyTextError,
    MissingColumnError,
    ToneModel,
    score_frame,
    score_text,
)
from classifier.result import ToneResult
from tests.conftest import OPINION_TEXT, REPORTING_TEXT


def test_score_frame_columns_and_order(model: ToneModel) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "text": [OPINION_TEXT, REPORTING_TEXT]})
    out = score_frame(frame, model, id_column="id")
    assert list(out.columns) == ["id", *RESULT_COLUMNS]
    assert list(out["id"]) == ["a", "b"]
    assert list(out["label"]) == ["opinion", "reporting"]
    assert out["error"].isna().all()
    assert (out["model_version"] == "test-model").all()


@pytest.mark.parametrize(
    ("value", "error"),
    [
        pytest.param("", "text is empty", id="empty"),
        pytest.param("  \n\t ", "text is empty", id="whitespace"),
        pytest.param("\x00\u200b\ufeff\x1b", "text is empty", id="controls"),
        pytest.param(None, "text is missing", id="none"),
        pytest.param(float("nan"), "text is missing", id="nan"),
        pytest.param(42, "text is not a string", id="number"),
    ],
)
def test_bad_rows_get_an_error_and_the_rest_are_scored(
    model: ToneModel, value: object, error: str
) -> None:
    frame = pd.DataFrame({"text": [OPINION_TEXT, value, REPORTING_TEXT]}, dtype=object)
    out = score_frame(frame, model)
    assert out["error"].fillna("-").tolist() == ["-", error, "-"]
    assert out["label"].fillna("-").tolist() == ["opinion", "-", "reporting"]
    assert str(out["label"].dtype) == "string"
    assert str(out["opinion_probability"].dtype) == "Float64"


def test_missing_column_is_one_clear_error(model: ToneModel) -> None:
    with pytest.raises(
        MissingColumnError, match="column 'body' not found; the input has text"
    ):
        score_frame(pd.DataFrame({"text": ["x"]}), model, text_column="body")


def test_score_text_is_score_frame_with_detail(model: ToneModel) -> None:
    """Oracle: the one-text path and the batch path agree exactly."""
    frame = pd.DataFrame({"text": [OPINION_TEXT, REPORTING_TEXT]})
    batch = score_frame(frame, model, detail=True)
    for i, text in enumerate(frame["text"]):
        single = score_text(model, text)
        assert single == batch["result"].iat[i]
        assert single.opinion_probability == batch["opinion_probability"].iat[i]


def test_detail_result_is_consistent(model: ToneModel) -> None:
    text = (
        "The deal may collapse, officials said.\n\nThat is a disgrace, and we say so."
    )
    result = score_text(model, text, title="Deal in doubt", id="x1")
    assert result.id == "x1"
    assert result.hedging.sentences == len(result.sentences) == 2
    assert [s.hedged for s in result.sentences] == [True, False]
    for cue in result.hedging.cues:
        assert text[cue.start : cue.end] == cue.text
    for sentence in result.sentences:
        assert 0 <= sentence.opinion_probability <= 1
        assert (
            text[sentence.start : sentence.end].strip()
            == text[sentence.start : sentence.end]
        )


def test_title_counts_but_does_not_shift_offsets(model: ToneModel) -> None:
    plain = score_text(model, REPORTING_TEXT)
    titled = score_text(model, REPORTING_TEXT, title="Why this toll is an outrage")
    assert titled.sentences == plain.sentences
    assert not math.isclose(titled.opinion_probability, plain.opinion_probability)


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_score_text_refuses_empty_text(model: ToneModel, text: str) -> None:
    with pytest.raises(EmptyTextError, match="text is empty"):
        score_text(model, text)


def test_detailed_results_equal_their_validated_form(
    model: ToneModel, articles
) -> None:
    """Results are built without re-validation; validating them changes nothing."""
    frame = articles.iloc[:40][["id", "text"]].reset_index(drop=True)
    scored = score_frame(frame, model, id_column="id", detail=True)
    for result in scored["result"]:
        again = ToneResult.model_validate(result.model_dump())
        assert again == result
        assert again.model_dump_json() == result.model_dump_json()


def test_result_columns_are_typed_as_pandas_would_type_them(
    model: ToneModel,
) -> None:
    """The arrays built directly equal pandas' own inference from the lists."""
    frame = pd.DataFrame({"text": ["It may rain.", None, "", "We must act!"]})
    scored = score_frame(frame, model)
    for name, dtype in RESULT_DTYPES.items():
        expected = pd.Series(
            scored[name].astype(object).where(scored[name].notna(), None).tolist(),
            index=scored.index,
            dtype=dtype,
            name=name,
        )
        pd.testing.assert_series_equal(scored[name], expected)
    assert scored["sentences"].tolist()[1] is pd.NA


def test_nullable_missing_values_are_missing(model: ToneModel) -> None:
    """``pd.NA`` (nullable columns, as Parquet gives them back) is a missing cell."""
    frame = pd.DataFrame(
        {
            "text": pd.array([OPINION_TEXT, None], dtype="string"),
            "id": pd.array([1, None], dtype="Int64"),
        }
    )
    scored = score_frame(frame, model, id_column="id", detail=True)
    assert list(scored["error"].fillna("")) == ["", "text is missing"]
    ids = pd.DataFrame({"text": [OPINION_TEXT] * 2, "id": pd.array([1, None], "Int64")})
    results = score_frame(ids, model, id_column="id", detail=True)["result"]
    assert [r.id for r in results] == ["1", None]


def test_ambiguous_columns_are_one_clear_error(model: ToneModel) -> None:
    twice = pd.DataFrame([["a b.", "c d."]], columns=["text", "text"])
    with pytest.raises(MissingColumnError, match="2 columns named 'text'"):
        score_frame(twice, model)
    clash = pd.DataFrame({"text": [OPINION_TEXT], "label": ["my-id"]})
    with pytest.raises(MissingColumnError, match="name of a result column"):
        score_frame(clash, model, id_column="label")
