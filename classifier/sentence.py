"""The sentence model: is this one sentence the writer's opinion, or a report?

An article model applied to one sentence misjudges it: a linear model trained on
300-word pieces has learned that opinion pieces are long runs of "is", "it" and
"that", and a short factual sentence without the attribution cues reports carry
looks like opinion to it. The sentence model therefore has features of its own,
counted per sentence:

- the stance lexicons below, written for this project: evaluative and
  subjective adjectives, intensifiers, first and second person, modals of
  obligation, epistemic and emphatic adverbs, rhetorical devices;
- the marks of reporting: attribution verbs, quotations, numbers, dates,
  named people and places (the masked placeholders of
  :func:`classifier.normalise.mask_text`);
- word TF-IDF over the masked sentence, and character n-grams when asked.

Every count is sentence-sized (log1p of a count), so nothing depends on length.
"""

import re
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from classifier.normalise import mask_text, normalise_text

__all__ = [
    "SENTENCE_FEATURES",
    "SentenceFeatures",
    "build_sentence_pipeline",
]


class _Lexicon:
    """Single words looked up in a set; the few phrases matched by one regex.

    A regex alternation of hundreds of words is tried word by word at every
    position; a set lookup per token made the features 10x cheaper.
    """

    def __init__(self, *terms: str) -> None:
        self.words = frozenset(t for t in terms if " " not in t)
        phrases = [re.escape(t) for t in terms if " " in t]
        self.phrases = (
            re.compile(r"\b(?:" + "|".join(phrases) + r")\b") if phrases else None
        )

    def count(self, lowered: str, tokens: list[str]) -> int:
        found = sum(1 for token in tokens if token in self.words)
        if self.phrases is not None:
            found += len(self.phrases.findall(lowered))
        return found


class _Pattern:
    """A regex counted over the lower-cased sentence."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def count(self, lowered: str, tokens: list[str]) -> int:
        return len(self.pattern.findall(lowered))


def _words(*words: str) -> _Lexicon:
    return _Lexicon(*words)


# Adjectives that judge rather than describe. Colour, size and nationality are
# left out on purpose: "a red car" is a fact, "a shameful deal" is a verdict.
_EVALUATIVE = _words(
    "good",
    "bad",
    "better",
    "best",
    "worse",
    "worst",
    "great",
    "greatest",
    "terrible",
    "awful",
    "horrible",
    "dreadful",
    "appalling",
    "disgraceful",
    "shameful",
    "outrageous",
    "absurd",
    "ridiculous",
    "silly",
    "stupid",
    "foolish",
    "naive",
    "reckless",
    "irresponsible",
    "cynical",
    "dishonest",
    "hypocritical",
    "pathetic",
    "brilliant",
    "excellent",
    "superb",
    "wonderful",
    "marvellous",
    "marvelous",
    "fantastic",
    "amazing",
    "remarkable",
    "extraordinary",
    "impressive",
    "admirable",
    "splendid",
    "magnificent",
    "beautiful",
    "lovely",
    "ugly",
    "boring",
    "dull",
    "tedious",
    "bland",
    "mediocre",
    "clumsy",
    "lazy",
    "sensible",
    "wise",
    "unwise",
    "smart",
    "clever",
    "right",
    "wrong",
    "fair",
    "unfair",
    "unjust",
    "just",
    "decent",
    "honest",
    "noble",
    "brave",
    "courageous",
    "cowardly",
    "timid",
    "bold",
    "welcome",
    "unwelcome",
    "deserved",
    "undeserved",
    "overdue",
    "misguided",
    "wrongheaded",
    "flawed",
    "dangerous",
    "harmful",
    "damaging",
    "disastrous",
    "catastrophic",
    "scandalous",
    "unacceptable",
    "intolerable",
    "inexcusable",
    "unforgivable",
    "laughable",
    "baffling",
    "bizarre",
    "strange",
    "weird",
    "odd",
    "sad",
    "tragic",
    "depressing",
    "heartbreaking",
    "moving",
    "delightful",
    "charming",
    "enjoyable",
    "fun",
    "funny",
    "hilarious",
    "gripping",
    "compelling",
    "powerful",
    "weak",
    "feeble",
    "hollow",
    "empty",
    "pointless",
    "useless",
    "worthless",
    "valuable",
    "vital",
    "essential",
    "crucial",
    "important",
    "necessary",
    "unnecessary",
    "needless",
    "obvious",
    "clear",
    "plain",
    "simple",
    "easy",
    "hard",
    "difficult",
    "honourable",
    "honorable",
    "shocking",
    "disturbing",
    "troubling",
    "worrying",
    "alarming",
    "encouraging",
    "promising",
    "disappointing",
    "frustrating",
    "annoying",
    "infuriating",
    "maddening",
    "insulting",
    "offensive",
    "arrogant",
    "smug",
    "sloppy",
    "shoddy",
    "incompetent",
    "inept",
    "corrupt",
    "evil",
    "wicked",
    "cruel",
    "vile",
    "nasty",
    "grotesque",
    "perfect",
    "ideal",
    "flawless",
    "lousy",
    "crazy",
    "insane",
    "mad",
    "nonsense",
    "rubbish",
    "genius",
    "masterpiece",
    "nice",
    "pleasant",
    "unpleasant",
    "worthy",
    "unworthy",
    "tremendous",
    "terrific",
    "incredible",
    "unbelievable",
    "pretentious",
    "refreshing",
    "stunning",
    "dismal",
    "grim",
    "bleak",
    "hopeless",
    "miserable",
    "wretched",
    "fascinating",
    "interesting",
    "uninteresting",
    "exciting",
    "thrilling",
    "memorable",
    "forgettable",
    "elegant",
    "graceful",
    "awkward",
)
# Loaded words: the vocabulary of argument and accusation rather than record.
_LOADED = _words(
    "radical",
    "extreme",
    "extremist",
    "fringe",
    "elite",
    "elites",
    "establishment",
    "so-called",
    "self-proclaimed",
    "self-styled",
    "regime",
    "propaganda",
    "agenda",
    "ideology",
    "ideological",
    "woke",
    "mob",
    "thugs",
    "cronies",
    "lackeys",
    "puppet",
    "sham",
    "farce",
    "fiasco",
    "debacle",
    "charade",
    "travesty",
    "betrayal",
    "betrayed",
    "hypocrisy",
    "lies",
    "lie",
    "liar",
    "liars",
    "nonsense",
    "rhetoric",
    "pandering",
    "grandstanding",
    "virtue",
    "signalling",
    "signaling",
    "scam",
    "crisis",
    "chaos",
    "chaotic",
    "mess",
    "failure",
    "failed",
    "failing",
    "disaster",
    "catastrophe",
    "collapse",
    "decline",
    "doomed",
    "crusade",
    "war on",
    "assault on",
    "attack on",
    "indoctrination",
    "censorship",
    "tyranny",
    "tyrannical",
    "authoritarian",
    "totalitarian",
    "bigotry",
    "bigoted",
    "racist",
    "xenophobic",
    "hateful",
    "vicious",
    "venal",
    "greedy",
    "greed",
    "selfish",
    "arrogance",
    "incompetence",
    "folly",
    "madness",
    "idiocy",
    "idiotic",
    "moronic",
    "deranged",
    "hysterical",
    "hysteria",
    "paranoid",
    "delusional",
    "fanatical",
    "zealots",
    "blatant",
    "brazen",
    "shameless",
    "ruthless",
    "relentless",
    "desperate",
    "desperately",
    "notorious",
    "infamous",
    "beloved",
    "hero",
    "heroic",
    "villain",
    "patriot",
    "patriotic",
    "treason",
    "traitor",
    "traitors",
    "enemies",
    "lavish",
    "bloated",
    "wasteful",
    "sneaky",
    "cheap",
    "grubby",
    "sordid",
    "toxic",
    "poisonous",
    "draconian",
    "punitive",
    "heavy-handed",
    "half-baked",
    "ill-conceived",
)
_INTENSIFIERS = _words(
    "very",
    "really",
    "truly",
    "extremely",
    "utterly",
    "absolutely",
    "totally",
    "completely",
    "entirely",
    "incredibly",
    "deeply",
    "highly",
    "hugely",
    "enormously",
    "terribly",
    "awfully",
    "remarkably",
    "particularly",
    "especially",
    "so",
    "too",
    "quite",
    "rather",
    "simply",
    "just",
    "even",
    "ever",
    "most",
    "least",
    "far",
    "much",
    "whatsoever",
    "at all",
    "indeed",
    "thoroughly",
    "wholly",
    "downright",
    "outright",
    "sheer",
    "mere",
    "merely",
    "only",
    "pure",
    "purely",
)
_EPISTEMIC = _words(
    "clearly",
    "obviously",
    "surely",
    "certainly",
    "undoubtedly",
    "of course",
    "no doubt",
    "frankly",
    "honestly",
    "arguably",
    "admittedly",
    "perhaps",
    "maybe",
    "probably",
    "apparently",
    "seemingly",
    "presumably",
    "hopefully",
    "unfortunately",
    "fortunately",
    "sadly",
    "happily",
    "luckily",
    "thankfully",
    "regrettably",
    "ironically",
    "naturally",
    "evidently",
    "seems",
    "seem",
    "seemed",
    "appears",
    "think",
    "thinks",
    "believe",
    "believes",
    "feel",
    "feels",
    "suspect",
    "doubt",
    "hope",
    "wish",
    "fear",
    "guess",
    "suppose",
    "imagine",
    "bet",
    "reckon",
    "in fact",
    "after all",
    "at least",
    "of all",
    "to be sure",
    "let us",
    "let's",
    "mind you",
    "alas",
)
_OBLIGATION = _words(
    "should",
    "shouldn't",
    "must",
    "mustn't",
    "ought",
    "need to",
    "needs to",
    "has to",
    "have to",
    "had better",
    "deserve",
    "deserves",
    "deserved",
    "it is time",
    "it's time",
    "high time",
)
_POSSIBILITY = _words("may", "might", "could", "would", "can", "can't", "cannot")
_FIRST_SINGULAR = _words(
    "i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself"
)
_FIRST_PLURAL = _words(
    "we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"
)
_SECOND = _words(
    "you",
    "you're",
    "you've",
    "you'd",
    "you'll",
    "your",
    "yours",
    "yourself",
    "yourselves",
)
_NEGATION = _words(
    "not",
    "no",
    "never",
    "nothing",
    "nobody",
    "none",
    "neither",
    "nor",
    "n't",
    "hardly",
    "barely",
)
_ATTRIBUTION = _words(
    "said",
    "says",
    "told",
    "according to",
    "stated",
    "added",
    "announced",
    "confirmed",
    "reported",
    "reports",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "statement",
    "declined to comment",
    "testified",
    "wrote",
    "claimed",
    "claims",
    "argued",
    "insisted",
    "denied",
    "alleged",
    "explained",
    "noted",
    "warned",
    "urged",
    "asked",
    "replied",
    "responded",
    "quoted",
    "revealed",
    "disclosed",
)
_EVENT_WORDS = _words(
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "last week",
    "last month",
    "last year",
    "on",
    "at",
    "in",
    "percent",
    "per cent",
    "million",
    "billion",
    "thousand",
    "hundred",
    "was",
    "were",
    "had",
    "has been",
    "began",
    "ended",
    "took place",
    "held",
    "born",
    "died",
    "founded",
    "released",
    "opened",
    "published",
    "elected",
    "appointed",
    "arrested",
    "charged",
    "sentenced",
    "signed",
    "launched",
)
_SUPERLATIVE = _Pattern(r"\b(?:most|least)\s+\w+|\b\w{3,}est\b")
_COMPARATIVE = _Pattern(r"\b(?:more|less)\s+\w+\s+than\b|\b\w{3,}er than\b")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_DIGIT = re.compile(r"\d")
_QUOTED = re.compile(r"[\"\u201c\u201d]")
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][a-z]+")
# A short quoted phrase with no attribution around it is usually a scare quote.
_SHORT_QUOTE = re.compile(r'"[^"]{1,30}"')

_LOWER_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_PATTERNS: dict[str, _Lexicon | _Pattern] = {
    "evaluative": _EVALUATIVE,
    "loaded": _LOADED,
    "intensifier": _INTENSIFIERS,
    "epistemic": _EPISTEMIC,
    "obligation": _OBLIGATION,
    "possibility": _POSSIBILITY,
    "first_singular": _FIRST_SINGULAR,
    "first_plural": _FIRST_PLURAL,
    "second_person": _SECOND,
    "negation": _NEGATION,
    "attribution": _ATTRIBUTION,
    "event_words": _EVENT_WORDS,
    "superlative": _SUPERLATIVE,
    "comparative": _COMPARATIVE,
}

SENTENCE_FEATURES: tuple[str, ...] = (
    *_PATTERNS,
    "quotes",
    "short_quotes",
    "question",
    "exclamation",
    "digits",
    "capitalised",
    "words",
    "colon_or_dash",
)


# Both sentence pipelines count the same sentences one after the other; the
# cache lets the second read the first's counts.
@lru_cache(maxsize=8192)
def _counts(sentence: str) -> tuple[float, ...]:
    text = normalise_text(sentence)
    lowered = text.lower()
    tokens = _LOWER_TOKEN.findall(lowered)
    row = [p.count(lowered, tokens) for p in _PATTERNS.values()]
    row += [
        len(_QUOTED.findall(text)),
        len(_SHORT_QUOTE.findall(text)),
        text.count("?"),
        text.count("!"),
        len(_DIGIT.findall(text)),
        len(_CAPITALISED.findall(text)),
        len(_TOKEN.findall(text)),
        text.count(":") + text.count(" - ") + text.count("\u2014"),
    ]
    return tuple(float(np.log1p(v)) for v in row)


class SentenceFeatures(TransformerMixin, BaseEstimator):
    """Dense stance and reporting counts of each sentence, as ``log1p`` values.

    Examples
    --------
    >>> X = SentenceFeatures().fit_transform(
    ...     ["We should be ashamed: this is a truly shameful deal.",
    ...      'The minister said on Monday that 40 jobs would go.']
    ... )
    >>> X.shape == (2, len(SENTENCE_FEATURES))
    True
    >>> evaluative = SENTENCE_FEATURES.index("evaluative")
    >>> attribution = SENTENCE_FEATURES.index("attribution")
    >>> bool(X[0, evaluative] > X[1, evaluative]), bool(X[1, attribution] > 0)
    (True, True)
    """

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        check_is_fitted(self, "n_features_in_")
        return np.array([_counts(str(s)) for s in X], dtype=float).reshape(
            -1, len(SENTENCE_FEATURES)
        )

    def get_feature_names_out(self, input_features=None):
        return np.asarray(SENTENCE_FEATURES, dtype=object)


def build_sentence_pipeline(
    *,
    C: float = 0.5,
    lexicon_weight: float = 1.0,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    chars: bool = False,
    calibration_folds: int = 5,
) -> Pipeline:
    """Build the unfitted sentence pipeline: lexicon counts, words, a calibrated LR.

    Examples
    --------
    >>> [name for name, _ in build_sentence_pipeline().steps]
    ['features', 'model']
    """
    words = TfidfVectorizer(
        preprocessor=mask_text,
        lowercase=False,
        token_pattern=r"[^\W\d_]+(?:'[^\W\d_]+)?|[\"?!]",
        ngram_range=ngram_range,
        min_df=min_df,
        max_features=50_000,
        sublinear_tf=True,
        dtype=np.float64,
    )
    parts: list[tuple[str, object]] = [
        (
            "lexicon",
            Pipeline([("counts", SentenceFeatures()), ("scale", StandardScaler())]),
        ),
        ("words", words),
    ]
    weights = {"lexicon": lexicon_weight, "words": 1.0}
    if chars:
        parts.append(
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=3,
                    max_features=50_000,
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            )
        )
        weights["chars"] = 1.0
    model = CalibratedClassifierCV(
        LogisticRegression(C=C, class_weight="balanced", max_iter=3000),
        method="sigmoid",
        cv=calibration_folds,
        ensemble=False,
    )
    return Pipeline(
        [
            ("features", FeatureUnion(parts, transformer_weights=weights)),
            ("model", model),
        ]
    )
