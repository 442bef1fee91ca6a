import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize import RegexpTokenizer

from classifier.tokenise import (
    WORD_PATTERN,
    punkt_sentence_spans,
    sentence_spans,
    word_spans,
)


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
        # Found by the result-quality audit of 2026-12-04.
        pytest.param(
            "Minister quits over expenses row\nThe minister resigned on Tuesday "
            "after a week of claims about her expenses.",
            [
                "Minister quits over expenses row",
                "The minister resigned on Tuesday after a week of claims about her "
                "expenses.",
            ],
            id="headline-line",
        ),
        pytest.param(
            "Key points:\n- Taxes rise\n\u2022 Spending is cut",
            ["Key points:", "- Taxes rise", "\u2022 Spending is cut"],
            id="bullets",
        ),
        pytest.param(
            "The talks with the unions had failed, and a strike was likely in\n"
            "Public services across the country, the minister said on Tuesday.",
            [
                "The talks with the unions had failed, and a strike was likely in\n"
                "Public services across the country, the minister said on Tuesday."
            ],
            id="wrapped-prose",
        ),
        pytest.param(
            "The Rt. Hon. member objected. She has a Ph.D. in law.",
            ["The Rt. Hon. member objected.", "She has a Ph.D. in law."],
            id="rt-hon-phd",
        ),
        pytest.param(
            "The Calif. governor signed. Cllr. Ames agreed.",
            ["The Calif. governor signed.", "Cllr. Ames agreed."],
            id="calif-cllr",
        ),
        pytest.param(
            "The count ended at 5 p.m. The mayor conceded. The answer was no. It "
            "was over. They waited... Then left.",
            [
                "The count ended at 5 p.m.",
                "The mayor conceded.",
                "The answer was no.",
                "It was over.",
                "They waited... Then left.",
            ],
            id="abbreviation-then-sentence-starter",
        ),
        pytest.param(
            "Jones v. The Crown was heard. Dr. A. Bach and Acme Co. This Year Ltd. "
            "testified.",
            [
                "Jones v. The Crown was heard.",
                "Dr. A. Bach and Acme Co.",
                "This Year Ltd. testified.",
            ],
            id="no-starter-rule-after-an-initial",
        ),
        pytest.param(
            "Steps:\n1. Close the valve.\n2) Call the office.\n\n3. Wait. Then go.",
            [
                "Steps:",
                "1. Close the valve.",
                "2) Call the office.",
                "3. Wait.",
                "Then go.",
            ],
            id="numbered-list-items",
        ),
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


_TRICKY = [
    "Dr. J. Bach left at 5 p.m. on Friday. Nobody knew.",
    "He scored 12. Then 14. and then j. smith. A. B. Clark won.",
    'She said "Go." Then (it rained.) [Maybe!] Fine?! Yes... no. . . ok.',
    "The U.S.-based co. rose 3.5%. Mr. X-ray. e.g. this; etc. And...",
    "Wait -- what?\nNew line. next line.\r\nCRLF. \u201cCurly.\u201d \u00abG.\u00bb",
    "1. First item\n2. Second item. 3.\nLast.",
    "A.B.C. D. E.\tTabbed.\x0bVT. Under_score. \u00c9t\u00e9. \u0130stanbul.",
    "",
    "   ",
    ".",
    "?!",
    "a.",
    "No end",
    "At 5 p.m. The vote. Said no. It did... The end. Jones v. The Crown. Co. THE.",
    "U.S. The. Inc. It. etc. However",
]


@pytest.mark.parametrize(
    "text", [pytest.param(t, id=f"tricky-{i}") for i, t in enumerate(_TRICKY)]
)
def test_sentence_spans_match_punkt_on_tricky_text(text: str) -> None:
    """Oracle: the fast splitter gives NLTK Punkt's spans exactly."""
    assert sentence_spans(text) == punkt_sentence_spans(text)


def test_sentence_spans_match_punkt_on_the_corpus(articles) -> None:
    """Oracle: the same spans as NLTK Punkt on every article of the corpus."""
    for text in articles["text"]:
        assert sentence_spans(text) == punkt_sentence_spans(text)


_PIECES = st.sampled_from(
    [
        "Mr.",
        "U.S.",
        "J.",
        "a.",
        "12.",
        "5.5",
        "said.",
        "The",
        "the",
        "It",
        "THE",
        "The.",
        "no.",
        "p.m.",
        "etc.",
        "...",
        ". . .",
        "--",
        "?",
        "!",
        '"',
        "\u201d",
        ")",
        "(",
        "]",
        ";",
        ",",
        "e.g.",
        "Co.",
        "x-co.",
        "\u00c9.",
        "_",
        "'",
    ]
)
_GAPS = st.sampled_from([" ", "", "  ", "\n", "\n\n", "\t", " \n "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GAPS), max_size=25), st.text(max_size=30))
def test_sentence_spans_match_punkt_on_any_text(
    pieces: list[tuple[str, str]], noise: str
) -> None:
    """Oracle (property): same spans as NLTK Punkt for generated texts."""
    for text in (
        "".join(p + g for p, g in pieces),
        noise + "".join(p for p, _ in pieces),
    ):
        assert sentence_spans(text) == punkt_sentence_spans(text)


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u3000"])
def test_unicode_spaces_split_sentences_as_spaces_do(space: str) -> None:
    text = "Seats fell to 163. Reform may win 8. A vote is due."
    spaced = text.replace(" ", space)
    assert sentence_spans(spaced) == sentence_spans(text)
    assert sentence_spans(spaced) == punkt_sentence_spans(spaced)
