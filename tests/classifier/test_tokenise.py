import pytest
from nltk.tokenize import RegexpTokenizer

from classifier.tokenise import WORD_PATTERN, sentence_spans, word_spans


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


def test_word_spans_match_nltk_regexp_tokenizer(articles) -> None:
    """Oracle: the stdlib engine gives NLTK's RegexpTokenizer spans exactly."""
    nltk_tokenizer = RegexpTokenizer(WORD_PATTERN)
    for text in [*articles["text"][:200], "Ünïcödé — “quotes” it's 3.5%", ""]:
        assert word_spans(text) == list(nltk_tokenizer.span_tokenize(text))
