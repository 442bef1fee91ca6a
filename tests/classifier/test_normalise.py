import pytest

from classifier.normalise import NAME_TOKEN, NUMBER_TOKEN, mask_text, normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("\u201cHi\u201d", '"Hi"', id="curly-double-quotes"),
        pytest.param("it\u2019s", "it's", id="curly-apostrophe"),
        pytest.param("a\u00a0b", "a b", id="no-break-space"),
        pytest.param("a \t  b", "a b", id="runs-of-spaces"),
        pytest.param("a\r\n\r\n\r\nb", "a\n\nb", id="blank-lines"),
        pytest.param("a\x00b\u200bc", "a b c", id="control-characters"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_mask_text_hides_names_and_numbers_but_not_stance() -> None:
    masked = mask_text("Yesterday Ms Okafor said I'm sure 40 Britons should vote.")
    assert NAME_TOKEN in masked and NUMBER_TOKEN in masked
    for word in ("yesterday", "said", "i'm", "should", "vote"):
        assert word in masked.split() or word + "." in masked.split()
    assert "okafor" not in masked and "britons" not in masked


def test_mask_text_keeps_sentence_initial_words() -> None:
    assert mask_text("He left. The end.") == "he left. the end."
