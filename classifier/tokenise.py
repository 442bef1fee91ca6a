"""Sentence and word spans, from NLTK parts that need no downloaded data.

``nltk.sent_tokenize`` needs the ``punkt_tab`` download, so the sentence splitter is
an untrained Punkt tokenizer given the abbreviations news copy uses. Words are
``WORD_PATTERN`` tokens: the pattern of an NLTK ``RegexpTokenizer``, run on the
standard-library engine, because NLTK routes ``RegexpTokenizer`` through a ReDoS
guard that made it 5x slower here (the pattern is linear; a test checks that
both engines give the same spans). Both report offsets into the text given.
"""

import re
from functools import lru_cache

from nltk import redos
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

__all__ = ["WORD_PATTERN", "sentence_spans", "word_spans"]

Span = tuple[int, int]

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "mt",
        "ft",
        "jr",
        "sr",
        "sen",
        "rep",
        "gov",
        "gen",
        "col",
        "lt",
        "capt",
        "sgt",
        "cpl",
        "adm",
        "maj",
        "rev",
        "hon",
        "pres",
        "supt",
        "insp",
        "det",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "v",
        "no",
        "nos",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "dept",
        "univ",
        "assn",
        "est",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ave",
        "blvd",
        "rd",
        "fig",
        "vol",
        "pp",
        "ca",
        "cf",
        "al",
    ]
)
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
WORD_PATTERN = r"[^\W_]+(?:['\u2019.-][^\W_]+)*|[^\w\s]"
_WORDS = re.compile(WORD_PATTERN)


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    # NLTK runs every regex match under a wall-clock timeout (nltk.redos) to guard
    # against caller-supplied patterns. Punkt's patterns are NLTK's own and linear;
    # the guard made sentence splitting 1.6x slower here and 4x slower again when
    # 8 threads split at once, so it is switched off (NLTK's documented setting
    # for trusted patterns). This is process-wide for NLTK.
    redos.DEFAULT_TIMEOUT = None
    params = PunktParameters()
    params.abbrev_types = set(_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences of ``text``; paragraphs never share one.

    Examples
    --------
    >>> text = "Mr. Hale met U.S. officials. They said little.\\n\\nHeadline"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Mr. Hale met U.S. officials.', 'They said little.', 'Headline']
    """
    spans: list[Span] = []
    punkt = _punkt()
    bounds = [0]
    for brk in _PARAGRAPH_BREAK.finditer(text):
        bounds += [brk.start(), brk.end()]
    bounds.append(len(text))
    for offset, end in zip(bounds[::2], bounds[1::2], strict=True):
        paragraph = text[offset:end]
        for a, b in punkt.span_tokenize(paragraph):
            # Punkt may leave surrounding whitespace inside a span; offsets must not.
            piece = paragraph[a:b]
            stripped = piece.strip()
            if stripped:
                a += len(piece) - len(piece.lstrip())
                spans.append((offset + a, offset + a + len(stripped)))
    return spans


def word_spans(text: str) -> list[Span]:
    """Character spans of words and punctuation marks.

    Examples
    --------
    >>> text = "It couldn't be, some 40 said."
    >>> [text[a:b] for a, b in word_spans(text)]
    ['It', "couldn't", 'be', ',', 'some', '40', 'said', '.']
    """
    return [match.span() for match in _WORDS.finditer(text)]
