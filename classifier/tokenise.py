"""Sentence and word spans, from NLTK parts that need no downloaded data.

``nltk.sent_tokenize`` needs the ``punkt_tab`` download, so the sentence splitter is
an untrained Punkt tokenizer given the abbreviations news copy uses. Words are
``WORD_PATTERN`` tokens: the pattern of an NLTK ``RegexpTokenizer``, run on the
standard-library engine, because NLTK routes ``RegexpTokenizer`` through a ReDoS
guard that made it 5x slower here (the pattern is linear; a test checks that
both engines give the same spans). Both report offsets into the text given.
"""

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import Any

import regex
from nltk import redos
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktToken

__all__ = [
    "WORD_PATTERN",
    "punkt_sentence_spans",
    "sentence_spans",
    "word_spans",
    "word_tokens",
]

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
        # From the audit of 2026-12-04: titles, a degree, US states that are
        # not also words ("Ill.", "Wash.", "Mass." are left out: "fell ill.").
        "rt",
        "cllr",
        "fr",
        "ph.d",
        "calif",
        "ariz",
        "colo",
        "conn",
        "fla",
        "mich",
        "minn",
        "okla",
        "tenn",
    ]
)
# Words that, capitalised after an abbreviation, open a new sentence ("at 5 p.m.
# The mayor", "said no. It"): Punkt's frequent-sentence-starter rule, which an
# untrained model lacks. Only words that are never capitalised inside a sentence,
# and no single letters: "Dr. A. Bach" and "Jones v. The Crown" must not split
# (Punkt never applies the rule after an initial such as "v.").
_SENTENCE_STARTERS = frozenset(
    [
        "the",
        "he",
        "she",
        "it",
        "they",
        "we",
        "this",
        "that",
        "these",
        "those",
        "there",
        "his",
        "her",
        "their",
        "its",
        "but",
        "and",
        "so",
        "yet",
        "however",
        "meanwhile",
        "after",
        "when",
        "while",
        "if",
    ]
)
_SPACES = dict.fromkeys(
    [0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " "
)
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_BULLET = re.compile(
    r"[^\S\n]*(?:[-*\u2022\u2023\u25aa\u25cf\u25e6\u2013\u2014]|\d{1,2}[.)])\s"
)
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]")
# How a line that ends inside or at the end of a sentence ends.
_PUNCTUATED = frozenset(".!?:;,-\u2013\u2014\"'\u201d\u2019)]")
WORD_PATTERN = r"[^\W_]+(?:['\u2019.-][^\W_]+)*|[^\w\s]"
_WORDS = re.compile(WORD_PATTERN)
# Splitting on the pattern captured yields gap, word, gap, word, ...: the words
# and, by summing lengths in C, their offsets, without a match object per word.
_WORD_SPLIT = re.compile(f"({WORD_PATTERN})")


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
    params.sent_starters = set(_SENTENCE_STARTERS)
    return PunktSentenceTokenizer(params)


class _Splitter:
    """Punkt's ``span_tokenize`` for an untrained model, without its token objects.

    An untrained Punkt has no collocations and no orthographic statistics, so of
    its second-pass rules only two can fire: a period after an abbreviation or an
    ellipsis (not an initial) is a break when the next token is a capitalised
    sentence starter; and a period after an initial or a number is not a break
    when the next token is punctuation or lower-case (or, after an initial,
    upper-case). Each candidate
    break is then decided from the context's word tokens alone, instead of
    building, annotating and discarding a ``PunktToken`` per word, which was
    more than half of all scoring time. Punkt's own patterns are reused, compiled
    once with the same ``regex`` engine NLTK uses, so the tokens are the same;
    an oracle test checks the spans against ``PunktSentenceTokenizer``.
    """

    def __init__(self, punkt: PunktSentenceTokenizer) -> None:
        params = punkt._params
        if params.collocations or params.ortho_context:
            raise ValueError(
                "The fast sentence splitter only reproduces an untrained Punkt "
                "model; use PunktSentenceTokenizer.span_tokenize for a trained one."
            )
        lang = punkt._lang_vars

        def own(pattern: Any) -> Any:
            return regex.compile(pattern.pattern, pattern.flags)

        self._candidates = own(lang.period_context_re())
        self._words = own(lang._word_tokenizer_re())
        self._realign = own(lang.re_boundary_realignment)
        self._numeric = own(PunktToken._RE_NUMERIC)
        self._initial = own(PunktToken._RE_INITIAL)
        self._ellipsis = own(PunktToken._RE_ELLIPSIS)
        self._abbreviations = frozenset(params.abbrev_types)
        self._starters = frozenset(params.sent_starters)
        self._not_starters = frozenset(PunktSentenceTokenizer.PUNCTUATION)
        self._ends = frozenset(lang.sent_end_chars)

    def _has_break(self, context: str) -> bool:
        # Punkt's text_contains_sentbreak: a break on any token but the last.
        tokens: list[str] = []
        for line in context.split("\n"):
            if line.strip():
                tokens += self._words.findall(line)
        for i in range(len(tokens) - 1):
            token = tokens[i]
            if token in self._ends:
                pass
            elif self._ellipsis.match(token):
                if not self._starts_sentence(tokens[i + 1]):
                    continue
            elif token.endswith(".") and not token.endswith(".."):
                stem = token[:-1].lower()
                if (
                    stem in self._abbreviations
                    or stem.split("-")[-1] in self._abbreviations
                ):
                    if self._initial.match(token) or not self._starts_sentence(
                        tokens[i + 1]
                    ):
                        continue
                    return True
            else:
                continue
            if token.endswith("."):
                kind = self._numeric.sub("##number##", token.lower())
                if len(kind) > 1 and kind[-1] == ".":
                    kind = kind[:-1]
                initial = self._initial.match(token)
                if initial or kind == "##number##":
                    following = tokens[i + 1]
                    if following in self._not_starters or following[0].islower():
                        continue
                    if initial and following[0].isupper():
                        continue
            return True
        return False

    def _starts_sentence(self, token: str) -> bool:
        # Punkt's frequent-sentence-starter test: capitalised, and its type
        # (lower-cased, a sentence-final period dropped) a known starter.
        if not token[0].isupper():
            return False
        kind = token.lower()
        if kind.endswith(".") and not kind.endswith(".."):
            kind = kind[:-1]
        return kind in self._starters

    def _contexts(self, text: str) -> Iterator[tuple[Any, str]]:
        # Punkt's _match_potential_end_contexts, step for step.
        previous_start = previous_stop = 0
        previous = None
        for match in self._candidates.finditer(text):
            before = text[previous_stop : match.start()]
            space = _LAST_SPACE.search(before)
            if space is not None and space.start() > 0:
                word_start = space.start() + previous_stop + 1
            else:
                word_start = previous_start
            if previous is not None and previous_stop <= word_start:
                yield (
                    previous,
                    text[previous_start:previous_stop]
                    + previous.group()
                    + previous.group("after_tok"),
                )
            previous = match
            previous_start, previous_stop = word_start, match.start()
        if previous is not None:
            yield (
                previous,
                text[previous_start:previous_stop]
                + previous.group()
                + previous.group("after_tok"),
            )

    def spans(self, text: str) -> list[Span]:
        """What ``PunktSentenceTokenizer.span_tokenize(text)`` yields."""
        slices: list[Span] = []
        last_break = 0
        for match, context in self._contexts(text):
            if self._has_break(context):
                slices.append((last_break, match.end()))
                if match.group("next_tok"):
                    last_break = match.start("next_tok")
                else:
                    last_break = match.end()
        slices.append((last_break, len(text.rstrip())))
        out: list[Span] = []
        realign = 0
        for k, (start, stop) in enumerate(slices):
            start += realign
            if k + 1 == len(slices):
                if text[start:stop]:
                    out.append((start, stop))
                break
            next_start, next_stop = slices[k + 1]
            found = self._realign.match(text[next_start:next_stop])
            if found:
                out.append((start, next_start + len(found.group(0).rstrip())))
                realign = found.end()
            else:
                realign = 0
                if text[start:stop]:
                    out.append((start, stop))
        return out


# Punkt's _get_last_whitespace_index: the last of string.whitespace, 0 if none.
_LAST_SPACE = re.compile(r"[ \t\n\r\x0b\x0c][^ \t\n\r\x0b\x0c]*\Z")


@lru_cache(maxsize=1)
def _splitter() -> _Splitter:
    return _Splitter(_punkt())


def sentence_spans(text: str) -> list[Span]:
    """Character spans of the sentences of ``text``; paragraphs never share one.

    Examples
    --------
    >>> text = "Mr. Hale met U.S. officials. They said little.\\n\\nHeadline"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Mr. Hale met U.S. officials.', 'They said little.', 'Headline']
    """
    return _sentence_spans(text, _splitter().spans)


def punkt_sentence_spans(text: str) -> list[Span]:
    """:func:`sentence_spans` through NLTK's own Punkt tokenizer (the oracle).

    Examples
    --------
    >>> text = "Dr. J. Bach left at 5 p.m. on Friday. Nobody knew."
    >>> punkt_sentence_spans(text) == sentence_spans(text)
    True
    """
    punkt = _punkt()
    return _sentence_spans(text, lambda paragraph: list(punkt.span_tokenize(paragraph)))


def _line_breaks(text: str, start: int, end: int) -> list[int]:
    """Where, inside one paragraph, a single line break also ends a sentence.

    Before a bulleted line, and after a line that is not punctuated as the end
    or middle of a sentence and is under 60% of the paragraph's longest line,
    when the next line opens with a capital or a digit: a headline, a
    standfirst, a signature. Prose wrapped at a fixed width has lines of about
    one length (short of it by at most the next word), so its breaks do not
    qualify.
    """
    lines = []  # each line's visible text, as (start, end)
    position = start
    for line in text[start:end].split("\n"):
        visible = line.strip()
        if visible:
            a = position + line.index(visible[0])
            lines.append((a, a + len(visible)))
        position += len(line) + 1
    if len(lines) < 2:
        return []
    longest = max(b - a for a, b in lines)
    breaks = []
    for (a, b), (c, _) in pairwise(lines):
        following = text[c]
        if _BULLET.match(text, c) or (
            text[b - 1] not in _PUNCTUATED
            and 5 * (b - a) < 3 * longest
            and (following.isupper() or following.isdigit())
        ):
            breaks.append(c)
    return breaks


def _sentence_spans(text: str, split: Callable[[str], list[Span]]) -> list[Span]:
    spans: list[Span] = []
    bounds = [0]
    for brk in _PARAGRAPH_BREAK.finditer(text):
        bounds += [brk.start(), brk.end()]
    bounds.append(len(text))
    segments = []
    for offset, end in zip(bounds[::2], bounds[1::2], strict=True):
        if "\n" in text[offset:end].strip():
            starts = [offset, *_line_breaks(text, offset, end)]
            segments += list(zip(starts, [*starts[1:], end], strict=True))
        else:
            segments.append((offset, end))
    for offset, end in segments:
        paragraph = text[offset:end]
        # Punkt takes only ASCII whitespace for a gap between words; the others
        # become a plain space, one character for one, so offsets hold.
        ascii_spaced = (
            paragraph if paragraph.isascii() else paragraph.translate(_SPACES)
        )
        first = len(spans)
        for a, b in split(ascii_spaced):
            # Punkt may leave surrounding whitespace inside a span; offsets must not.
            piece = paragraph[a:b]
            stripped = piece.strip()
            if stripped:
                a += len(piece) - len(piece.lstrip())
                spans.append((offset + a, offset + a + len(stripped)))
        # A list number opening a line ("1. First step") is its item's start,
        # not a sentence: Punkt ends one after a number before a capital.
        if len(spans) > first + 1 and _LIST_NUMBER.fullmatch(text, *spans[first]):
            spans[first : first + 2] = [(spans[first][0], spans[first + 1][1])]
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


def word_tokens(text: str) -> tuple[list[Span], list[str]]:
    """The spans of :func:`word_spans` together with the words they cover.

    Examples
    --------
    >>> word_tokens("It's 40%.")
    ([(0, 4), (5, 7), (7, 8), (8, 9)], ["It's", '40', '%', '.'])
    """
    pieces = _WORD_SPLIT.split(text)
    ends = list(accumulate(map(len, pieces)))
    return list(zip(ends[0::2], ends[1::2], strict=False)), pieces[1::2]
