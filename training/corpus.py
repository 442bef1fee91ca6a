"""The project's own labeled corpus in ``labels/``: schema, loading, statistics."""

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from training.exceptions import CorpusError
from training.metrics import LABELS, label_name
from training.tables import BrokenLineError, json_lines, read_table

__all__ = [
    "SECOND_READING_FILE",
    "Article",
    "HedgeSentence",
    "SecondReading",
    "corpus_hash",
    "corpus_stats",
    "default_labels_dir",
    "load_articles",
    "load_hedging",
    "load_second_reading",
    "read_labeled_table",
    "second_reading_agreement",
    "text_key",
]

Subject = Literal[
    "politics",
    "war-diplomacy",
    "economy",
    "business",
    "courts-crime",
    "health",
    "science",
    "technology",
    "climate",
    "sport",
    "culture-arts",
    "education",
    "local",
    "immigration",
    "energy",
    "transport",
    "housing",
    "media",
    "food-agriculture",
    "religion",
    "defence",
]
Genre = Literal[
    "wire",
    "broadsheet-report",
    "tabloid-news",
    "local-report",
    "trade-press",
    "explainer",
    "live-blog",
    "court-report",
    "market-report",
    "match-report",
    "science-news",
    "interview",
    "feature",
    "breaking-news",
    "profile",
    "obituary",
    "society-page",
    "news-roundup",
    "column",
    "editorial",
    "op-ed",
    "letter",
    "review",
    "news-analysis",
    "blog",
    "partisan-web",
    "satire",
]
REPORTING_GENRES = frozenset(
    [
        "wire",
        "broadsheet-report",
        "tabloid-news",
        "local-report",
        "trade-press",
        "explainer",
        "live-blog",
        "court-report",
        "market-report",
        "match-report",
        "science-news",
        "interview",
        "feature",
        "breaking-news",
        "profile",
        "obituary",
        "society-page",
        "news-roundup",
    ]
)
MIN_WORDS, MAX_WORDS = 120, 700


class Article(BaseModel):
    """One labeled article of the base corpus."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    event: str = Field(min_length=1)
    label: Literal["opinion", "reporting"]
    genre: Genre
    subject: Subject
    title: str = Field(min_length=1)
    text: str
    source: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _length(cls, text: str) -> str:
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            raise ValueError(f"text has {words} words; allowed {MIN_WORDS}-{MAX_WORDS}")
        return text

    def model_post_init(self, __context: object) -> None:
        side = "reporting" if self.genre in REPORTING_GENRES else "opinion"
        if side != self.label:
            raise ValueError(
                f"genre {self.genre!r} is a {side} genre, label is {self.label!r}"
            )


class CueSpan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class HedgeSentence(BaseModel):
    """One sentence from an article, marked hedged or not, with its cue spans."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    article_id: str
    sentence: str = Field(min_length=1)
    hedged: bool
    cues: list[CueSpan]


#: The blind second reading of the articles, beside ``articles.jsonl``.
SECOND_READING_FILE = "second_reading.jsonl"


class SecondReading(BaseModel):
    """One article's label from a blind second reading against the guidelines."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    article_id: str = Field(min_length=1)
    label: Literal["opinion", "reporting"]
    confident: bool
    why: str = Field(min_length=1)


def default_labels_dir() -> Path:
    """``labels/`` at the root of the project checkout."""
    return Path(__file__).resolve().parent.parent / "labels"


_SPACE = re.compile(r"\s+")


def read_labeled_table(path: str | Path) -> pd.DataFrame:
    """A CSV, JSONL or Parquet file with ``text`` and ``label`` columns, checked.

    Raises
    ------
    CorpusError
        Naming the missing columns, or the labels that are not opinion or
        reporting (whatever their type: JSON may give lists, numbers or null).
    """
    frame = read_table(path)
    if not len(frame):
        raise CorpusError(f"{path} holds no rows")
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise CorpusError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = sorted(
        {
            label_name(v)
            for v in frame["label"]
            if not isinstance(v, str) or v not in LABELS
        }
    )
    if bad:
        raise CorpusError(
            f"{path}: unknown label(s) [{', '.join(bad[:5])}]; use opinion or reporting"
        )
    return frame


def text_key(text: str) -> str:
    """Hash of a text with case and whitespace folded: the key for duplicates."""
    return hashlib.sha256(_SPACE.sub(" ", text).strip().lower().encode()).hexdigest()


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        yield from json_lines(path)
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path}: not UTF-8 ({error.reason})") from error
    except BrokenLineError as error:
        raise CorpusError(f"{path}:{error.number}: {error.reason}") from error


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "row"
    return f"{where}: {first['msg']}"


_Row = TypeVar("_Row", bound=BaseModel)


def _validated(path: Path, schema: type[_Row]) -> Iterator[tuple[int, _Row]]:
    """Each line of a JSONL file as ``schema``, with its number; a bad line raises."""
    for number, raw in _read_jsonl(path):
        try:
            yield number, schema.model_validate(raw)
        except ValidationError as error:
            raise CorpusError(f"{path}:{number}: {_problem(error)}") from error


def load_articles(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the articles (``labels/articles.jsonl`` by default).

    Raises
    ------
    CorpusError
        On the first bad line, naming file and line: broken JSON, an unknown label,
        genre or subject, a text outside 120-700 words, or a duplicate id or text.
    """
    path = Path(path) if path else default_labels_dir() / "articles.jsonl"
    rows: list[dict[str, object]] = []
    seen_ids: dict[str, int] = {}
    seen_texts: dict[str, int] = {}
    for number, article in _validated(path, Article):
        key = text_key(article.text)
        for seen, value, what in (
            (seen_ids, article.id, "id"),
            (seen_texts, key, "text"),
        ):
            if value in seen:
                raise CorpusError(
                    f"{path}:{number}: duplicate {what} (first on line {seen[value]})"
                )
            seen[value] = number
        rows.append(article.model_dump())
    if not rows:
        raise CorpusError(f"{path}: no articles")
    return pd.DataFrame(rows)


def load_hedging(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the hedge-annotated sentences (``labels/hedging.jsonl``)."""
    path = Path(path) if path else default_labels_dir() / "hedging.jsonl"
    rows = []
    for number, item in _validated(path, HedgeSentence):
        for cue in item.cues:
            if item.sentence[cue.start : cue.end] != cue.text:
                raise CorpusError(
                    f"{path}:{number}: cue {cue.text!r} is not at its offsets"
                )
        if item.hedged != bool(item.cues):
            raise CorpusError(
                f"{path}:{number}: hedged must be true exactly when cues are given"
            )
        rows.append(item.model_dump())
    return pd.DataFrame(rows)


def load_second_reading(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the blind second reading (``labels/second_reading.jsonl``).

    Raises
    ------
    CorpusError
        On the first bad line, naming file and line, or an article read twice.
    """
    path = Path(path) if path else default_labels_dir() / SECOND_READING_FILE
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for number, item in _validated(path, SecondReading):
        if item.article_id in seen:
            raise CorpusError(
                f"{path}:{number}: article {item.article_id!r} read twice "
                f"(first on line {seen[item.article_id]})"
            )
        seen[item.article_id] = number
        rows.append(item.model_dump())
    return pd.DataFrame(rows, columns=list(SecondReading.model_fields))


def second_reading_agreement(
    articles: pd.DataFrame, second: pd.DataFrame
) -> dict[str, object]:
    """How far a second reading agrees with the corpus labels: share and Cohen's kappa.

    Raises
    ------
    CorpusError
        If the second reading names an article the corpus does not hold.
    """
    from sklearn.metrics import cohen_kappa_score

    labels = articles.set_index("id")["label"]
    unknown = sorted(set(second["article_id"]) - set(labels.index))
    if unknown:
        raise CorpusError(
            f"the second reading names {len(unknown)} article(s) not in the corpus, "
            f"e.g. {unknown[0]!r}"
        )
    first = labels.loc[second["article_id"]].to_numpy()
    again = second["label"].to_numpy()
    differ = first != again
    return {
        "articles": len(second),
        "of_corpus": len(labels),
        "agreement": round(float((~differ).mean()), 4),
        "cohen_kappa": round(float(cohen_kappa_score(first, again)), 4),
        "not_confident": int((~second["confident"]).sum()),
        "disagreements": sorted(second.loc[differ, "article_id"]),
    }


def corpus_hash(frame: pd.DataFrame) -> str:
    """A short fingerprint of the labeled texts, recorded in model metadata."""
    digest = hashlib.sha256()
    for text, label in sorted(zip(frame["text"], frame["label"], strict=True)):
        digest.update(f"{label}\t{text_key(text)}\n".encode())
    return digest.hexdigest()[:12]


def corpus_stats(frame: pd.DataFrame) -> dict[str, object]:
    """Counts by label, genre, subject and event; words per label; paired events."""
    words = frame["text"].map(lambda text: len(text.split()))
    per_event = frame.groupby("event")["label"].nunique()
    stats: dict[str, object] = {
        "articles": len(frame),
        "events": int(per_event.size),
        "paired_event_share": round(float((per_event == 2).mean()), 3),
        "by_label": frame["label"].value_counts().sort_index().to_dict(),
        "words_by_label": {
            label: {"median": int(w.median()), "min": int(w.min()), "max": int(w.max())}
            for label, w in words.groupby(frame["label"])
        },
    }
    for column in ("genre", "subject"):
        if column in frame:
            stats[f"by_{column}"] = frame[column].value_counts().sort_index().to_dict()
    return stats
