"""Text normalisation and the masking that keeps topic out of the word features."""

import re
import unicodedata

__all__ = ["mask_text", "normalise_text"]

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": " - ",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]"
)
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def normalise_text(text: str) -> str:
    """Fold typography to plain ASCII punctuation and tidy whitespace.

    Offsets reported to users are always offsets into the text they sent; this
    function is applied to copies used for features, never to returned spans.

    Examples
    --------
    >>> normalise_text("\u201cIt\u2019s  fine,\u201d she said\u2026")
    '"It\\'s fine," she said...'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# A word that starts with a capital and does not open a sentence is almost always a
# name (person, place, outlet, team): the topic, not the tone. Numbers likewise.
_SENTENCE_START = re.compile(r"(^|[.!?:;\n]\s*[\"'(\[]?\s*|[\"'(\[]\s*)$")
_WORD_OR_NUMBER = re.compile(r"[0-9][0-9.,:/%]*|[^\W\d_][\w'-]*")
NAME_TOKEN = "xxname"
NUMBER_TOKEN = "xxnum"


def mask_text(text: str) -> str:
    """Lower-case a text with numbers and mid-sentence capitalised words masked.

    Used as the TF-IDF preprocessor so that the word features see stance and
    attribution ("said", "should", "I") rather than who or what the story is about.

    Examples
    --------
    >>> mask_text("The Prime Minister said on 12 May that I was wrong.")
    'the xxname xxname said on xxnum xxname that i was wrong.'
    """
    text = normalise_text(text)
    out: list[str] = []
    last = 0
    for match in _WORD_OR_NUMBER.finditer(text):
        out.append(text[last : match.start()])
        word = match.group()
        if word[0].isdigit():
            out.append(NUMBER_TOKEN)
        elif (
            word[0].isupper()
            and word != "I"
            and not word.startswith("I'")
            and not _SENTENCE_START.search(
                text[max(0, match.start() - 4) : match.start()]
            )
        ):
            out.append(NAME_TOKEN)
        else:
            out.append(word)
        last = match.end()
    out.append(text[last:])
    return "".join(out).lower()
