import pytest

from classifier.tokenise import sentence_spans, word_spans


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param(
            "Mr. Smith went. He left.", ["Mr. Smith went.", "He left."], id="mr"
        ),
        pytest.param(
            "The U.S. Senate voted. It passed.",
            ["The U.S. Senate voted.", "It passed."],
            id="u.s.",
        ),
        pytest.param(
            "Headline\n\nBody text here.",
            ["Headline", "Body text here."],
            id="paragraphs",
        ),
        pytest.param("", [], id="empty"),
        pytest.param("   \n\n  ", [], id="whitespace"),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences


def test_spans_index_the_original_text() -> None:
    text = "  \u201cQuoted,\u201d she said.  Next one?\n\n\nLast!"
    for a, b in sentence_spans(text) + word_spans(text):
        assert text[a:b] == text[a:b].strip() and b > a


def test_word_spans_keep_contractions_whole() -> None:
    text = "They couldn't, won't and can't."
    assert [text[a:b] for a, b in word_spans(text)][1:4] == ["couldn't", ",", "won't"]
