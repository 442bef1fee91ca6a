"""The base corpus meets its own guidelines, and broken files are reported precisely."""

import json
from pathlib import Path

import pandas as pd
import pytest

from training.corpus import (
    corpus_stats,
    default_labels_dir,
    load_articles,
    load_hedging,
    load_second_reading,
    second_reading_agreement,
    text_key,
)
from training.exceptions import CorpusError


def test_corpus_size_and_pairing(articles: pd.DataFrame) -> None:
    labels_per_event = articles.groupby("event")["label"].nunique()
    assert labels_per_event.size >= 150, "at least 150 events"
    assert (labels_per_event == 2).all(), (
        "every event has both an opinion and a reporting piece"
    )
    assert len(articles) >= 300
    assert articles["subject"].nunique() >= 12
    assert articles["genre"].nunique() >= 15


def test_corpus_is_balanced_and_varied(articles: pd.DataFrame) -> None:
    share = (articles["label"] == "opinion").mean()
    assert 0.4 <= share <= 0.6
    words = articles["text"].str.split().str.len()
    assert words.between(120, 700).all()
    # Lengths overlap across labels so that length cannot decide.
    medians = words.groupby(articles["label"]).median()
    assert abs(medians["opinion"] - medians["reporting"]) < 80


def test_every_article_names_its_writing_batch(articles: pd.DataFrame) -> None:
    # GUIDELINES.md "Provenance": each text records the batch it was drafted in,
    # and a batch's ids share one prefix ("b4-e12-a" was written in batch_4).
    batch = articles["source"].str.extract(r"^tone team \((batch_\d+)\)$")[0]
    assert batch.notna().all(), articles.loc[batch.isna(), "id"].tolist()[:5]
    prefix = articles["id"].str.split("-").str[0]
    assert (batch.groupby(prefix).nunique() == 1).all()


def _assert_sentences_are_quoted(hedging: pd.DataFrame, articles: pd.DataFrame) -> None:
    texts = dict(zip(articles["id"], articles["text"], strict=True))
    for row in hedging.itertuples():
        assert row.sentence in texts[row.article_id]


def test_hedging_annotations(articles: pd.DataFrame) -> None:
    hedging = load_hedging()
    assert len(hedging) >= 400
    assert 0.3 <= hedging["hedged"].mean() <= 0.7
    _assert_sentences_are_quoted(hedging, articles)


def test_blind_hedging_annotations(articles: pd.DataFrame) -> None:
    blind = load_hedging(default_labels_dir() / "hedging_blind.jsonl")
    # Articles the writers annotated are not annotated again.
    assert not set(blind["article_id"]) & set(load_hedging()["article_id"])
    _assert_sentences_are_quoted(blind, articles)


def test_stats(articles: pd.DataFrame) -> None:
    stats = corpus_stats(articles)
    assert stats["paired_event_share"] == 1.0
    assert set(stats["by_label"]) == {"opinion", "reporting"}


GOOD = {
    "id": "t-1",
    "event": "t-e1",
    "label": "opinion",
    "genre": "column",
    "subject": "politics",
    "title": "A title",
    "text": "word " * 150,
    "source": "test",
}


def write(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n"
    )
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param([GOOD, "{broken"], r"x.jsonl:2: not valid JSON", id="broken-json"),
        pytest.param(
            [{**GOOD, "label": "news"}],
            r"x.jsonl:1: label: Input should be",
            id="unknown-label",
        ),
        pytest.param(
            [{**GOOD, "genre": "poem"}], r"x.jsonl:1: genre", id="unknown-genre"
        ),
        pytest.param(
            [{**GOOD, "text": ""}],
            r"x.jsonl:1: text: Value error, text has 0 words",
            id="empty-text",
        ),
        pytest.param(
            [{**GOOD, "genre": "wire"}],
            r"genre 'wire' is a reporting genre",
            id="genre-label-mismatch",
        ),
        pytest.param(
            [GOOD, {**GOOD, "id": "t-2"}],
            r"x.jsonl:2: duplicate text \(first on line 1\)",
            id="duplicate-text",
        ),
        pytest.param(
            [GOOD, {**GOOD, "text": "other " * 150}],
            r"x.jsonl:2: duplicate id",
            id="duplicate-id",
        ),
        pytest.param(
            [{**GOOD, "extra": 1}],
            r"x.jsonl:1: extra: Extra inputs",
            id="unknown-field",
        ),
        pytest.param(["[1, 2]"], r"x.jsonl:1: not a JSON object", id="not-an-object"),
        pytest.param([], r"x.jsonl: no articles", id="empty-file"),
    ],
)
def test_bad_files_name_file_and_line(
    tmp_path: Path, rows: list[object], message: str
) -> None:
    with pytest.raises(CorpusError, match=message):
        load_articles(write(tmp_path / "x.jsonl", rows))


@pytest.mark.parametrize(
    "genre", ["profile", "obituary", "society-page", "news-roundup"]
)
def test_descriptive_genres_are_reporting(tmp_path: Path, genre: str) -> None:
    """GUIDELINES: profiles, obituaries, society pages and round-ups only relay."""
    good = load_articles(
        write(tmp_path / "r.jsonl", [{**GOOD, "genre": genre, "label": "reporting"}])
    )
    assert list(good["genre"]) == [genre]
    with pytest.raises(CorpusError, match=f"genre '{genre}' is a reporting genre"):
        load_articles(write(tmp_path / "o.jsonl", [{**GOOD, "genre": genre}]))


def test_duplicates_ignore_case_and_spacing() -> None:
    assert text_key("The  Cat\nsat") == text_key("the cat sat")


def test_hedging_offsets_are_checked(tmp_path: Path) -> None:
    row = {
        "article_id": "a",
        "sentence": "It may rain.",
        "hedged": True,
        "cues": [{"text": "may", "start": 0, "end": 3}],
    }
    with pytest.raises(CorpusError, match="cue 'may' is not at its offsets"):
        load_hedging(write(tmp_path / "h.jsonl", [row]))


def test_nullable_parquet_cells_are_missing_not_a_crash(tmp_path) -> None:
    """``pd.NA`` from a nullable Parquet column had raised TypeError."""
    from training.corpus import read_labeled_table
    from training.exceptions import CorpusError

    path = tmp_path / "w.parquet"
    labels = pd.array(["opinion", None], dtype="string")
    pd.DataFrame(
        {"text": ["We must act.", "Police said."], "label": labels}
    ).to_parquet(path)
    with pytest.raises(CorpusError, match=r"unknown label\(s\) \[\(missing\)\]"):
        read_labeled_table(path)


def test_a_blind_second_reading_agrees_with_the_labels(articles: pd.DataFrame) -> None:
    # labels/GUIDELINES.md "Agreement": every article read again without its label.
    agreement = second_reading_agreement(articles, load_second_reading())
    assert agreement["articles"] == agreement["of_corpus"] == len(articles)
    assert agreement["cohen_kappa"] >= 0.9, agreement["disagreements"][:10]


def test_agreement_counts_what_differs(articles: pd.DataFrame) -> None:
    first = articles.head(4)
    flipped = ["reporting" if x == "opinion" else "opinion" for x in first["label"]]
    second = pd.DataFrame(
        {
            "article_id": first["id"],
            "label": [flipped[0], *first["label"][1:]],
            "confident": [False, True, True, True],
            "why": "w",
        }
    )
    result = second_reading_agreement(first, second)
    assert result["agreement"] == 0.75 and result["not_confident"] == 1
    assert result["disagreements"] == [first["id"].iloc[0]]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(
            [{"article_id": "a", "label": "SUBJ", "confident": True, "why": "w"}],
            r"x.jsonl:1: label",
            id="unknown-label",
        ),
        pytest.param(
            [{"article_id": "a", "label": "opinion", "confident": True, "why": "w"}]
            * 2,
            r"x.jsonl:2: article 'a' read twice \(first on line 1\)",
            id="read-twice",
        ),
    ],
)
def test_bad_second_readings_name_file_and_line(
    tmp_path: Path, rows: list[object], message: str
) -> None:
    with pytest.raises(CorpusError, match=message):
        load_second_reading(write(tmp_path / "x.jsonl", rows))


def test_a_second_reading_of_an_unknown_article_is_refused(
    articles: pd.DataFrame,
) -> None:
    second = pd.DataFrame(
        [{"article_id": "nope", "label": "opinion", "confident": True, "why": "w"}]
    )
    with pytest.raises(CorpusError, match="1 article\\(s\\) not in the corpus"):
        second_reading_agreement(articles, second)
