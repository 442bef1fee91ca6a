"""Text normalisation and the masking that keeps topic out of the word features."""

import re
import unicodedata

__all__ = ["NOT_BLANK", "is_blank", "is_valid_unicode", "mask_text", "normalise_text"]

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
_SPACES = re.compile(r"[ \t]{2,}|\t")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


# Some character that is neither whitespace (``str.isspace``) nor one that
# normalisation removes (``_CONTROL``): the text has something to score. Written in
# escapes that Python and ECMA regexes read alike, so the API schema's ``pattern``
# says the same.
NOT_BLANK = (
    r"[^\u0000-\u0020\u007f\u0085\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f"
    r"\u205f\u3000\ufeff]"
)
_NOT_BLANK = re.compile(NOT_BLANK)


def is_blank(text: str) -> bool:
    r"""Whether ``text`` holds only whitespace, control and zero-width characters.

    Examples
    --------
    >>> is_blank(" \t\u200b\x00\ufeff"), is_blank("\u200bYes.")
    (True, False)
    """
    return _NOT_BLANK.search(text) is None


def is_valid_unicode(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (JSON may carry lone surrogates).

    Scoring accepts such text; what is stored or echoed back must not hold it.

    Examples
    --------
    >>> is_valid_unicode("café"), is_valid_unicode("a" + chr(0xD800))
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalise_text(text: str) -> str:
    """Fold typography to plain ASCII punctuation and tidy whitespace.

    Offsets reported to users are always offsets into the text they sent; this
    function is applied to copies used for features, never to returned spans.

    Examples
    --------
    >>> normalise_text("\u201cIt\u2019s  fine,\u201d she said\u2026")
    '"It\\'s fine," she said...'
    """
    # Each step is skipped where a cheap test shows it would change nothing:
    # NFKC and the table leave ASCII alone, and the spaces pattern needs a tab
    # or two spaces in a row. On news copy this halved the cost of the function.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if text.isprintable():
        # No control, format or line-break character (nor tab): only runs of
        # spaces can need tidying. Most sentences take this way.
        return (_SPACES.sub(" ", text) if "  " in text else text).strip()
    text = _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# A word that starts with a capital and does not open a sentence is almost always a
# name (person, place, outlet, team): the topic, not the tone. Numbers likewise.
# "Mid-sentence" is read from the two characters before the word (a word character,
# comma, percent sign, bracket or dash, then one space): a fixed-width look-behind,
# so masking is a single regex pass rather than a Python loop over words.
# Both patterns open with the character class a match must start with and look
# behind only after it: a pattern that opens with an assertion makes the engine
# try every position, and these forms ran 2-2.7x faster with the same matches
# (tests check them against the plain forms, NAME_REFERENCE and NUMBER_REFERENCE).
NAME_REFERENCE = r"(?<=[\w,%)\-] )(?!I\b|I')[A-Z\u00C0-\u00DE][\w'-]*"
NUMBER_REFERENCE = r"\b[0-9][0-9.,:/%]*"
_NAME = re.compile(
    r"[A-Z\u00C0-\u00DE](?<=[\w,%)\-] [A-Z\u00C0-\u00DE])(?!(?<=I)(?:\b|'))[\w'-]*"
)
_NUMBER = re.compile(r"[0-9](?<!\w[0-9])[0-9.,:/%]*")
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
    masked = _NAME.sub(NAME_TOKEN, normalise_text(text))
    return _NUMBER.sub(NUMBER_TOKEN, masked).lower()
