"""Properties that hold for any input: Hypothesis generates the texts."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import EmptyTextError, ToneModel, find_cues, score_hedging, score_text

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
    if not text.strip():
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
