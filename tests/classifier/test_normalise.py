import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import normalise
from classifier.normalise import (
    NAME_REFERENCE,
    NAME_TOKEN,
    NUMBER_REFERENCE,
    NUMBER_TOKEN,
    mask_text,
    normalise_text,
)


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


def _reference_normalise(text: str) -> str:
    # The function as first written, step by step with no shortcuts.
    text = unicodedata.normalize("NFKC", text).translate(normalise._QUOTES)
    text = normalise._CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = normalise._SPACES.sub(" ", text)
    return normalise._BLANK_LINES.sub("\n\n", text).strip()


def _reference_mask(text: str) -> str:
    masked = re.sub(NAME_REFERENCE, NAME_TOKEN, _reference_normalise(text))
    return re.sub(NUMBER_REFERENCE, NUMBER_TOKEN, masked).lower()


_MASK_TEXTS = [
    "I I'm Ivan, I. X I Ian",
    "a I; in I'd, 4 I",
    "3 4a5 x9 ,7 12.5% 1/2 (3) -4",
    "\u00e9 \u00c9, \u00d1) \u00d6- I' \u00de\u00df",
    "The Prime Minister said on 12 May that I was wrong.",
    "Tabs\tand  spaces \u2014 \u201cquotes\u201d \ufb01 \u2460",
]


@pytest.mark.parametrize(
    "text", [pytest.param(t, id=f"case-{i}") for i, t in enumerate(_MASK_TEXTS)]
)
def test_mask_text_matches_the_reference_patterns(text: str) -> None:
    """Oracle: the fast forms give what the plain patterns give."""
    assert normalise_text(text) == _reference_normalise(text)
    assert mask_text(text) == _reference_mask(text)


def test_mask_text_matches_the_reference_on_the_corpus(articles) -> None:
    for text in articles["text"]:
        assert mask_text(text) == _reference_mask(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "I",
                    "I'",
                    "Ian",
                    " ",
                    "  ",
                    "\t",
                    ",",
                    ")",
                    "-",
                    "%",
                    "9",
                    "a",
                    "\u00c9",
                    "\u00e9",
                    "\r\n",
                    "\n\n",
                    "\u2019",
                    "\u00a0",
                    "x1",
                    "  ",
                    "\t",
                    "\x00",
                    "\u200b",
                    "\u2028",
                    "\ufeff",
                ]
            ),
            st.text(max_size=3),
        ),
        max_size=30,
    )
)
def test_mask_text_matches_the_reference_on_any_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert normalise_text(text) == _reference_normalise(text)
    assert mask_text(text) == _reference_mask(text)


def test_blank_is_whitespace_and_what_normalisation_removes() -> None:
    """``NOT_BLANK`` is written out for the API schema; it must match both rules."""
    from classifier.normalise import _CONTROL, is_blank

    for point in range(sys.maxunicode + 1):
        char = chr(point)
        expected = char.isspace() or _CONTROL.fullmatch(char) is not None
        assert is_blank(char) == expected, hex(point)
