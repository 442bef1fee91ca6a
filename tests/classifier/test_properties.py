"""Properties that hold for any input: Hypothesis generates the texts."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from classifier import (
    EmptyTextError,
    ToneModel,
    ToneResult,
    find_cues,
    score_frame,
    score_hedging,
    score_text,
)
from classifier.normalise import is_blank

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
words = (
    st.lists(
        st.sampled_from(
            [
                "we",
                "must",
                "said",
                "may",
                "May",
                "the",
                "could",
                "not",
                "Police",
                "perhaps",
                "about",
                "40",
                "!",
                "?",
                ".",
                "\n\n",
                '"',
                "I",
            ]
        ),
        min_size=1,
        max_size=60,
    )
    .map(" ".join)
    .filter(str.strip)
)


@SETTINGS
@given(text=st.text())
def test_any_unicode_never_crashes(model: ToneModel, text: str) -> None:
    if is_blank(text):
        with pytest.raises(EmptyTextError):
            score_text(model, text)
        return
    result = score_text(model, text)
    assert 0.0 <= result.opinion_probability <= 1.0
    assert 0.0 <= result.hedging.score <= 1.0
    for cue in result.hedging.cues:
        assert text[cue.start : cue.end] == cue.text
    for sentence in result.sentences:
        assert 0.0 <= sentence.opinion_probability <= 1.0
        assert 0 <= sentence.start < sentence.end <= len(text)


@SETTINGS
@given(text=words)
def test_scores_in_range_on_wordy_text(model: ToneModel, text: str) -> None:
    result = score_text(model, text)
    assert 0.0 <= result.opinion_probability <= 1.0
    assert result.hedging.hedged_sentences <= result.hedging.sentences


@SETTINGS
@given(text=words, pad=st.sampled_from([" ", "  ", "\t", "\n"]))
def test_surrounding_whitespace_does_not_change_scores(
    model: ToneModel, text: str, pad: str
) -> None:
    a, b = score_text(model, text), score_text(model, pad + text + pad)
    assert a.opinion_probability == pytest.approx(b.opinion_probability, abs=1e-9)
    assert a.hedging.score == b.hedging.score


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_hedging_never_crashes(text: str) -> None:
    result, flags = score_hedging(text)
    assert len(flags) == result.sentences and 0 <= result.score <= 1
    assert all(text[c.start : c.end] == c.text for c in find_cues(text))


def test_one_megabyte_single_token(model: ToneModel) -> None:
    result = score_text(model, "a" * 1_000_000)
    assert 0.0 <= result.opinion_probability <= 1.0


# Hostile input: every code point class, control characters, mixed scripts, and
# texts built from pieces a scraper really returns (NULs, BOMs, lone surrogates
# cannot occur in a Python str from JSON, but every other code point can).
control = st.characters(codec=None, categories=["Cc", "Cf", "Zl", "Zp", "Zs"])
scripts = st.sampled_from(
    [
        "Le gouvernement a peut-être tort.",
        "Правительство, возможно, ошибается.",
        "政府可能是错的。",
        "الحكومة ربما تكون مخطئة.",
        "सरकार शायद गलत है।",
        "政府は間違っているかもしれない。",
        "The minister may resign, officials said.",
        "\U0001f525\U0001f4af!!",
        "e\u0301\u0308\u20dd",
    ]
)
hostile = st.lists(
    st.one_of(st.text(alphabet=control, max_size=8), scripts, words, st.text()),
    min_size=1,
    max_size=12,
).map("".join)


def _check_result(text: str, result: ToneResult) -> None:
    assert 0.0 <= result.opinion_probability <= 1.0
    assert 0.0 <= result.hedging.score <= 1.0
    assert 0 <= result.hedging.hedged_sentences <= result.hedging.sentences
    for cue in result.hedging.cues:
        assert text[cue.start : cue.end] == cue.text
    for sentence in result.sentences:
        assert 0.0 <= sentence.opinion_probability <= 1.0
        assert 0 <= sentence.start < sentence.end <= len(text)


@SETTINGS
@given(text=hostile)
def test_control_characters_and_mixed_scripts(model: ToneModel, text: str) -> None:
    if is_blank(text):
        with pytest.raises(EmptyTextError):
            score_text(model, text)
        return
    _check_result(text, score_text(model, text))


@settings(max_examples=200, deadline=None)
@given(text=hostile)
def test_hedging_on_hostile_text(text: str) -> None:
    result, flags = score_hedging(text)
    assert len(flags) == result.sentences and 0 <= result.score <= 1
    assert all(text[c.start : c.end] == c.text for c in find_cues(text))


@SETTINGS
@given(text=hostile)
@example(text="\x7f")  # a control character alone: blank, though str.strip keeps it
def test_score_frame_agrees_with_score_text(model: ToneModel, text: str) -> None:
    """The one scoring function never raises on a row: a bad text is its error."""
    frame = score_frame(pd.DataFrame({"text": [text, None, 7]}, dtype=object), model)
    assert list(frame["error"].notna())[1:] == [True, True]
    if not is_blank(text):  # whitespace, control and zero-width characters only
        assert frame["error"][0] is None or pd.isna(frame["error"][0])
        assert frame["opinion_probability"][0] == pytest.approx(
            score_text(model, text).opinion_probability, abs=1e-12
        )
    else:
        assert frame["error"][0] == "text is empty"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 1_000_000, id="1MB-latin"),
        pytest.param("\u4e00" * 350_000, id="1MB-cjk"),
        pytest.param("\u0301" * 500_000, id="1MB-combining-marks"),
        pytest.param("may" + "\u200b" * 500_000 + "perhaps", id="zero-width-joined"),
        pytest.param("." * 1_000_000, id="1MB-full-stops"),
    ],
)
def test_megabyte_single_tokens(model: ToneModel, text: str) -> None:
    result = score_text(model, text)
    assert 0.0 <= result.opinion_probability <= 1.0
    hedging, flags = score_hedging(text)
    assert 0.0 <= hedging.score <= 1.0 and len(flags) == hedging.sentences
