"""The one scoring path: a pure function over a ``pandas.DataFrame``.

The CLI's ``tone batch``, the HTTP API and any distributed batch call
:func:`score_frame`; :func:`score_text` is its one-row convenience.
"""

import numpy as np
import pandas as pd

from classifier.collection import fewer_collections
from classifier.exceptions import EmptyTextError, ToneError
from classifier.hedging import HedgeLexicon, score_hedging
from classifier.missing import is_missing
from classifier.model import OPINION, REPORTING, TOP_FEATURES, ToneModel
from classifier.normalise import is_blank
from classifier.result import SentenceResult, ToneResult, TopFeatures
from classifier.tokenise import sentence_spans

__all__ = [
    "RESULT_COLUMNS",
    "RESULT_DTYPES",
    "MissingColumnError",
    "score_frame",
    "score_text",
    "text_problem",
]

RESULT_COLUMNS: tuple[str, ...] = (
    "label",
    "opinion_probability",
    "hedging_score",
    "hedged_sentences",
    "sentences",
    "model_version",
    "error",
)


class MissingColumnError(ToneError, KeyError):
    """The frame to score lacks a column it was told to read, or has it twice."""

    def __str__(self) -> str:
        return str(self.args[0])


# A typed table (missing values are <NA>), so it writes to Parquet, CSV or JSONL
# and partitions under Dask with the same schema every time.
RESULT_DTYPES: dict[str, str] = {
    "label": "string",
    "opinion_probability": "Float64",
    "hedging_score": "Float64",
    "hedged_sentences": "Int64",
    "sentences": "Int64",
    "model_version": "string",
    "error": "string",
}


def _typed(values: list[object], dtype: str) -> object:
    """``pd.array(values, dtype=dtype)`` (None as <NA>), numbers built directly.

    Examples
    --------
    >>> _typed([1, None], "Int64").tolist()
    [1, <NA>]
    """
    if dtype == "string":
        return pd.array(values, dtype="string")  # type: ignore[call-overload]
    missing = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    present = (0 if v is None else v for v in values)
    if dtype == "Float64":
        floats = np.fromiter(present, dtype=np.float64, count=len(values))
        return pd.arrays.FloatingArray(floats, missing)
    integers = np.fromiter(present, dtype=np.int64, count=len(values))
    return pd.arrays.IntegerArray(integers, missing)


def text_problem(value: object) -> str | None:
    """What keeps ``value`` from being scored as a text, or ``None`` if nothing.

    Examples
    --------
    >>> [text_problem(value) for value in (None, 5, "  ", "Yes.")]
    ['text is missing', 'text is not a string', 'text is empty', None]
    """
    if not isinstance(value, str):
        return "text is missing" if is_missing(value) else "text is not a string"
    if is_blank(value):  # whitespace, control and zero-width characters only
        return "text is empty"
    return None


def _title(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


@fewer_collections()
def score_frame(
    frame: pd.DataFrame,
    model: ToneModel,
    *,
    text_column: str = "text",
    title_column: str | None = None,
    id_column: str | None = None,
    detail: bool = False,
    lexicon: HedgeLexicon | None = None,
) -> pd.DataFrame:
    """Score every row of ``frame``; a bad row gets an ``error``, never an exception.

    Parameters
    ----------
    frame : DataFrame
        One article per row.
    model : ToneModel
        The fitted model.
    text_column, title_column, id_column : str
        Where the text, an optional title and an optional id are.
    detail : bool
        Also return a ``result`` column of :class:`ToneResult` objects with the
        per-sentence scores, hedge cues and top features.

    Returns
    -------
    DataFrame
        Same index as ``frame``: the id column (when given), then
        ``RESULT_COLUMNS`` (and ``result`` with ``detail``).

    Raises
    ------
    MissingColumnError
        If a named column is not in ``frame``.
    """
    for column in (text_column, title_column, id_column):
        if column is not None and column not in frame.columns:
            raise MissingColumnError(
                f"column {column!r} not found; the input has "
                f"{', '.join(map(str, frame.columns)) or 'no columns'}"
            )
        if column is not None and (frame.columns == column).sum() > 1:
            raise MissingColumnError(
                f"the input has {(frame.columns == column).sum()} columns named "
                f"{column!r}; rename all but one"
            )
    if id_column in (*RESULT_COLUMNS, "result"):
        raise MissingColumnError(
            f"the id column {id_column!r} has the name of a result column; "
            "rename it in the input"
        )
    errors = [text_problem(value) for value in frame[text_column]]
    good = [i for i, error in enumerate(errors) if error is None]
    texts: list[str] = [str(frame[text_column].iat[i]) for i in good]
    titles = [_title(frame[title_column].iat[i]) if title_column else "" for i in good]
    spans = [sentence_spans(text) for text in texts]
    # The title counts towards the article's tone but never shifts the offsets
    # reported into the text, so it is scored as a leading passage of its own text.
    articles = [
        f"{title}.\n\n{text}" if title else text
        for title, text in zip(titles, texts, strict=True)
    ]
    article_spans = [
        sentence_spans(article) if title else s
        for article, title, s in zip(articles, titles, spans, strict=True)
    ]
    # With detail, the passages' features also give each article's top features.
    probabilities, features = model.score_articles(
        articles, article_spans, explain=TOP_FEATURES if detail else 0
    )
    hedging = [score_hedging(t, s, lexicon) for t, s in zip(texts, spans, strict=True)]

    n = len(frame)
    columns: dict[str, list[object]] = {name: [None] * n for name in RESULT_COLUMNS}
    columns["error"] = list(errors)
    for j, i in enumerate(good):
        p = float(probabilities[j])
        columns["label"][i] = OPINION if p >= 0.5 else REPORTING
        columns["opinion_probability"][i] = p
        columns["hedging_score"][i] = hedging[j][0].score
        columns["hedged_sentences"][i] = hedging[j][0].hedged_sentences
        columns["sentences"][i] = hedging[j][0].sentences
        columns["model_version"][i] = model.version
    data: dict[str, object] = {id_column: frame[id_column]} if id_column else {}
    for name in RESULT_COLUMNS:
        data[name] = _typed(columns[name], RESULT_DTYPES[name])
    if detail:
        data["result"] = _details(
            frame,
            model,
            good,
            texts,
            spans,
            probabilities,
            features,
            hedging,
            id_column,
        )
    # One constructor call over ready-made arrays: inserting columns one by one,
    # or letting pandas infer each from a list, cost more than scoring a short text.
    out = pd.DataFrame(data, index=frame.index, copy=False)
    return out


def _details(
    frame: pd.DataFrame,
    model: ToneModel,
    good: list[int],
    texts: list[str],
    spans: list[list[tuple[int, int]]],
    probabilities: np.ndarray,
    features: list[TopFeatures],
    hedging: list,
    id_column: str | None,
) -> list[ToneResult | None]:
    flat = [text[a:b] for text, s in zip(texts, spans, strict=True) for a, b in s]
    sentence_p = iter(model.sentence_probabilities(flat))
    results: list[ToneResult | None] = [None] * len(frame)
    for j, i in enumerate(good):
        result, flags = hedging[j]
        # Validated constructors: with pydantic's compiled validators they cost
        # about half of model_construct (1.1 against 2.0 µs a sentence result),
        # and nested results already built are taken as they are.
        sentences = [
            SentenceResult(start=a, end=b, opinion_probability=float(q), hedged=flag)
            for (a, b), flag, q in zip(spans[j], flags, sentence_p, strict=False)
        ]
        p = float(probabilities[j])
        ident: object = frame[id_column].iat[i] if id_column else None
        results[i] = ToneResult(
            id=None if is_missing(ident) else str(ident),
            label="opinion" if p >= 0.5 else "reporting",
            opinion_probability=p,
            hedging=result,
            sentences=sentences,
            top_features=features[j],
            model_version=model.version,
        )
    return results


def score_text(
    model: ToneModel,
    text: str,
    *,
    title: str | None = None,
    id: str | None = None,
    lexicon: HedgeLexicon | None = None,
) -> ToneResult:
    """Score one text with every detail.

    Raises
    ------
    EmptyTextError
        If ``text`` is empty or holds only whitespace, control and zero-width
        characters.
    """
    frame = pd.DataFrame({"text": [text], "title": [title], "id": [id]}, dtype=object)
    row = score_frame(
        frame, model, title_column="title", id_column="id", detail=True, lexicon=lexicon
    ).iloc[0]
    if not pd.isna(row["error"]):
        raise EmptyTextError(
            f"Cannot score this text: {row['error']}. Send the article's text."
        )
    result: ToneResult = row["result"]
    return result
