"""The hedging scorer: the team's cue lexicon matched over NLTK word spans.

A sentence hedges when it carries at least one cue. Cues that are also ordinary
words ("May" the month, "could not", "might" the noun, "about" the preposition)
only count where a rule says they hedge.

Which categories make a sentence hedged is a decision of its own. Our guidelines
(``labels/GUIDELINES.md``) count every category, approximators included. The
uncertainty annotation of CoNLL-2010 Wikipedia does not count approximators ("about
40"): there, sentences whose only cue is an approximator are uncertain 11% of the
time on the training split, against 40% for the lexicon's flags overall. Pass
``categories=UNCERTAINTY_CATEGORIES`` to decide the way that annotation does; the
approximator spans are still found and returned.
"""

import csv
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import compress, count
from pathlib import Path
from typing import cast, get_args

from classifier.result import HedgeCategory, HedgeCue, HedgingResult
from classifier.tokenise import Span, sentence_spans, word_spans, word_tokens

__all__ = [
    "ALL_CATEGORIES",
    "UNCERTAINTY_CATEGORIES",
    "HedgeLexicon",
    "default_lexicon",
    "find_cues",
    "is_hedged",
    "score_hedging",
]

_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "trillion",
        "dozen",
        "dozens",
        "half",
        "third",
        "thirds",
        "quarter",
        "quarters",
        "fifth",
        "tenth",
        "percent",
    ]
)
# "about a week", "almost a year": a quantity of one unit.
_UNITS = frozenset(
    [
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "fortnight",
        "month",
        "year",
        "decade",
        "century",
        "mile",
        "kilometre",
        "kilometer",
        "metre",
        "meter",
        "foot",
        "yard",
        "inch",
        "acre",
        "hectare",
        "pound",
        "kilo",
        "kilogram",
        "ton",
        "tonne",
        "litre",
        "liter",
        "gallon",
    ]
)
_PEOPLE = frozenset(
    [
        "people",
        "experts",
        "critics",
        "analysts",
        "observers",
        "scholars",
        "historians",
        "commentators",
        "sources",
        "officials",
        "researchers",
        "scientists",
        "economists",
        "residents",
        "members",
        "fans",
        "voters",
        "authors",
        "writers",
        "supporters",
        "opponents",
        "insiders",
        "observers",
        "diplomats",
        "investors",
        "traders",
        "doctors",
        "lawyers",
        "politicians",
        "sceptics",
        "skeptics",
        "campaigners",
        "academics",
        "believe",
        "argue",
        "say",
        "claim",
        "suggest",
        "think",
        "consider",
    ]
)
_NEGATIONS = frozenset(["not", "n't", "never"])
_DENIALS = frozenset(["no", "without", "beyond", "little"])
_COMPOUND_HEADS = frozenset(["tank", "tanks"])
_RECIPIENTS = frozenset(["police", "the", "a", "authorities", "officials"])
_PLACES = frozenset(["in", "on", "at", "before", "alongside", "onstage", "with"])
_PRONOUNS = frozenset(["i", "you", "he", "she", "it", "we", "they", "who"])
# After a noun "might": "might has grown", "financial might to crush", "its might."
_AFTER_NOUN = frozenset(
    ["to", "is", "was", "has", "had", "of", "and", "or", "in", "on", "at", "for"]
)
# "about 1968 and its aftermath", "over 2023, prices": a year, not a quantity.
_AFTER_YEAR = frozenset(
    ["and", "or", "to", "in", "on", "at", "as", "but", "when", "the", "a", "with"]
)
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_NOUN_CONTEXT = frozenset(
    [
        "the",
        "his",
        "her",
        "its",
        "their",
        "our",
        "my",
        "your",
        "all",
        "a",
        "an",
        "military",
        "economic",
        "full",
        "sheer",
        "with",
    ]
)
_CATEGORIES = frozenset(get_args(HedgeCategory))
#: Every category counts: the sentence decision of ``labels/GUIDELINES.md``.
ALL_CATEGORIES: frozenset[str] = _CATEGORIES
#: Uncertainty without approximation: the sentence decision of CoNLL-2010 Wikipedia.
UNCERTAINTY_CATEGORIES: frozenset[str] = _CATEGORIES - {"approximator"}
_CURRENCY = re.compile(r"^[$£€¥]$|^\d")
# Soft hyphen, zero-width space, non-joiner and joiner, word joiner, BOM.
_INVISIBLE_CHARS = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_INVISIBLE = re.compile(f"[{''.join(sorted(_INVISIBLE_CHARS))}]")


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]
    category: HedgeCategory
    rule: str


class _Context:
    """The tokens of one text, with what the rules need to look around a match."""

    def __init__(
        self, text: str, spans: Sequence[Span], words: list[str] | None = None
    ) -> None:
        self.text = text
        self.spans = spans
        self.words = [text[a:b] for a, b in spans] if words is None else words
        # One lower() over all words (no word holds a newline): str.lower's only
        # context rule, the Greek final sigma, stops at a newline as at a word end.
        self.lower = "\n".join(self.words).lower().split("\n") if self.words else []

    def at(self, i: int) -> str:
        return self.lower[i] if 0 <= i < len(self.lower) else ""

    def is_number(self, i: int) -> bool:
        """Whether a quantity starts at token ``i``: a figure, a number word, a unit."""
        word = self.at(i)
        if word in {"a", "an"}:
            word = self.at(i + 1)
            if word in _UNITS:
                return True
        if _YEAR.match(word):
            after = self.at(i + 1)
            return after.isalpha() and after not in _AFTER_YEAR
        if "-" in word:  # twenty-five, two-thirds
            return all(part in _NUMBER_WORDS for part in word.split("-"))
        return bool(_CURRENCY.match(word)) or word in _NUMBER_WORDS


def _not_month(ctx: _Context, i: int, n: int) -> bool:
    # The month and the name are written "May", and a sentence that opens with
    # the modal asks or wishes ("May I ask", "May the best side win"): none of
    # them hedges. In lower-case text, "may 5" and "may 2024" are dates.
    if ctx.words[i][0].isupper():
        return False
    return not ctx.at(i + 1)[:1].isdigit()


def _not_negated(ctx: _Context, i: int, n: int) -> bool:
    return ctx.at(i + n) not in _NEGATIONS


def _not_contrast(ctx: _Context, i: int, n: int) -> bool:
    # "rather than" contrasts two things; only "rather" = "somewhat" hedges.
    return ctx.at(i + n) != "than"


def _not_noun(ctx: _Context, i: int, n: int) -> bool:
    before, after = ctx.at(i - 1), ctx.at(i + n)
    if before in _NOUN_CONTEXT or before.endswith(("'s", "\u2019s")):
        return False  # "the might of", "China's might"
    if not after[:1].isalnum():  # "its might." but "they might."
        return before in _PRONOUNS
    # A modal is followed by a verb or an adverb, a noun by these.
    return after not in _AFTER_NOUN


def _not_literal(ctx: _Context, i: int, n: int) -> bool:
    # "appeared in court", "appears on the ballot": being seen, not seeming.
    return ctx.at(i + n) not in _PLACES


def _not_denied(ctx: _Context, i: int, n: int) -> bool:
    # "there is no doubt", "beyond doubt": certainty, not doubt.
    return ctx.at(i - 1) not in _DENIALS


def _not_compound(ctx: _Context, i: int, n: int) -> bool:
    # "a think tank": a noun, not thinking.
    return ctx.at(i + n) not in _COMPOUND_HEADS


def _not_to_someone(ctx: _Context, i: int, n: int) -> bool:
    # "reported to police": told to someone; "reported to have" hedges.
    return ctx.at(i + n) not in _RECIPIENTS


def _not_how(ctx: _Context, i: int, n: int) -> bool:
    # "did not say how many": a question, not a vague quantity.
    return ctx.at(i - 1) != "how"


def _before_number(ctx: _Context, i: int, n: int) -> bool:
    return ctx.is_number(i + n)


def _before_people(ctx: _Context, i: int, n: int) -> bool:
    return ctx.at(i + n) in _PEOPLE or ctx.at(i + n + 1) in _PEOPLE


_RULES: dict[str, Callable[[_Context, int, int], bool]] = {
    "-": lambda ctx, i, n: True,
    "not_month": _not_month,
    "not_negated": _not_negated,
    "not_noun": _not_noun,
    "not_literal": _not_literal,
    "not_denied": _not_denied,
    "not_compound": _not_compound,
    "not_to_someone": _not_to_someone,
    "not_how": _not_how,
    "not_contrast": _not_contrast,
    "before_number": _before_number,
    "before_people": _before_people,
}


class HedgeLexicon:
    """A set of hedge cues, each with a category and the rule that licenses it.

    Parameters
    ----------
    entries : sequence of (cue, category, rule)
        ``cue`` is one or more words; ``rule`` is one of ``-``, ``not_month``,
        ``not_negated``, ``not_noun``, ``not_literal``, ``not_denied``,
        ``not_compound``, ``not_to_someone``, ``not_how``, ``not_contrast``,
        ``before_number``,
        ``before_people``.

    Examples
    --------
    >>> cues = [("reportedly", "adverb", "-"), ("may", "modal", "not_month")]
    >>> lex = HedgeLexicon(cues)
    >>> [c.text for c in lex.find("In May the plan may fail, reportedly.")]
    ['may', 'reportedly']
    """

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        entries = list(entries)
        self._by_first: dict[str, list[_Entry]] = {}
        for cue, category, rule in entries:
            if category not in _CATEGORIES:
                raise ValueError(
                    f"Unknown hedge category {category!r} for cue {cue!r}; "
                    f"use one of {sorted(_CATEGORIES)}."
                )
            if rule not in _RULES:
                raise ValueError(
                    f"Unknown hedge rule {rule!r} for cue {cue!r}; "
                    f"use one of {sorted(_RULES)}."
                )
            text = cue.lower()
            tokens = tuple(text[a:b] for a, b in word_spans(text))
            if not tokens:
                raise ValueError(f"Hedge cue {cue!r} has no words.")
            # Checked against the categories above.
            known = cast(HedgeCategory, category)
            self._by_first.setdefault(tokens[0], []).append(_Entry(tokens, known, rule))
        for options in self._by_first.values():
            options.sort(key=lambda e: len(e.tokens), reverse=True)
        self.size = len(entries)

    @classmethod
    def from_tsv(cls, path: str | Path) -> "HedgeLexicon":
        """Read a lexicon from a tab-separated file of cue, category, rule."""
        with open(path, encoding="utf-8", newline="") as handle:
            rows = [
                (row[0], row[1], row[2] if len(row) > 2 else "-")
                for row in csv.reader(handle, delimiter="\t")
                if row and not row[0].startswith("#")
            ]
        return cls(rows)

    def find(
        self, text: str, sentences: Sequence[Span] | None = None
    ) -> list[HedgeCue]:
        """All cues in ``text``, longest match first, never overlapping."""
        tokens = _visible_tokens(text) if _INVISIBLE.search(text) else word_tokens(text)
        ctx = _Context(text, *tokens)
        if sentences is None:
            sentences = sentence_spans(text) if ctx.spans else []
        starts = {a for a, _ in sentences}
        cues: list[HedgeCue] = []
        resume = 0  # the first token not inside a cue already found
        lower, spans, by_first = ctx.lower, ctx.spans, self._by_first
        # Only tokens that begin some cue are visited (picked out in C).
        for i in compress(count(), map(by_first.__contains__, lower)):
            if i < resume:
                continue
            for entry in by_first[lower[i]]:
                n = len(entry.tokens)
                if (
                    n == 1
                    or (
                        tuple(lower[i : i + n]) == entry.tokens
                        # A cue never runs on into the next sentence.
                        and not any(spans[j][0] in starts for j in range(i + 1, i + n))
                    )
                ) and _RULES[entry.rule](ctx, i, n):
                    start, end = spans[i][0], spans[i + n - 1][1]
                    cues.append(
                        HedgeCue(
                            text=text[start:end],
                            start=start,
                            end=end,
                            category=entry.category,
                        )
                    )
                    resume = i + n
                    break
        return cues


def _visible_tokens(text: str) -> tuple[list[Span], list[str]]:
    """Words as they read, with invisible characters inside them left out.

    Text copied from web pages carries soft hyphens and zero-width spaces in
    the middle of words ("ma\u200by"), which would otherwise split a cue in
    two. The spans still index ``text``, invisible characters included.
    """
    kept = [i for i, char in enumerate(text) if char not in _INVISIBLE_CHARS]
    spans, words = word_tokens("".join(text[i] for i in kept))
    return [(kept[a], kept[b - 1] + 1) for a, b in spans], words


@lru_cache(maxsize=1)
def default_lexicon() -> HedgeLexicon:
    """The lexicon shipped with tone (``classifier/data/hedge_cues.tsv``)."""
    path = resources.files("classifier") / "data" / "hedge_cues.tsv"
    with resources.as_file(path) as file:
        return HedgeLexicon.from_tsv(file)


def find_cues(text: str, lexicon: HedgeLexicon | None = None) -> list[HedgeCue]:
    """Hedge cues in ``text`` with character offsets and categories.

    Examples
    --------
    >>> [(c.text, c.category) for c in find_cues("Some 40 people may have died.")]
    [('Some', 'approximator'), ('may have', 'modal')]
    >>> find_cues("It could not be done in May 2024.")
    []
    """
    return (lexicon or default_lexicon()).find(text)


def is_hedged(
    cues: Iterable[HedgeCue], categories: AbstractSet[str] = ALL_CATEGORIES
) -> bool:
    """Whether any of ``cues`` belongs to a category that counts as a hedge.

    Examples
    --------
    >>> cues = find_cues("About 40 people came.")
    >>> is_hedged(cues), is_hedged(cues, UNCERTAINTY_CATEGORIES)
    (True, False)
    """
    return any(cue.category in categories for cue in cues)


def score_hedging(
    text: str,
    sentences: Sequence[Span] | None = None,
    lexicon: HedgeLexicon | None = None,
    *,
    categories: AbstractSet[str] = ALL_CATEGORIES,
) -> tuple[HedgingResult, list[bool]]:
    """Score a text's hedging and say which of its sentences hedge.

    Returns the result and one flag per sentence, in the order of ``sentences``
    (by default the text's own sentence spans). A sentence hedges when it holds
    a cue of one of ``categories``; every cue found is returned either way.

    Examples
    --------
    >>> result, flags = score_hedging("It may rain. The sun rose at six.")
    >>> result.score, result.hedged_sentences, flags
    (0.5, 1, [True, False])
    >>> score_hedging("About 40 came.", categories=UNCERTAINTY_CATEGORIES)[1]
    [False]
    """
    unknown = set(categories) - _CATEGORIES
    if unknown:
        known = ", ".join(sorted(_CATEGORIES))
        raise ValueError(
            f"Unknown hedge categor{'ies' if len(unknown) > 1 else 'y'} "
            f"{', '.join(sorted(unknown))}; use some of {known}."
        )
    spans = sentence_spans(text) if sentences is None else list(sentences)
    cues = (lexicon or default_lexicon()).find(text, spans)
    # Already in text order.
    cue_starts = [cue.start for cue in cues if cue.category in categories]
    flags = [bisect_left(cue_starts, a) < bisect_left(cue_starts, b) for a, b in spans]
    hedged = sum(flags)
    score = hedged / len(spans) if spans else 0.0
    return (
        HedgingResult(
            score=score, hedged_sentences=hedged, sentences=len(spans), cues=cues
        ),
        flags,
    )
