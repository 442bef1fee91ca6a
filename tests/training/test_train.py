import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupKFold

from classifier import load_model
from training.exceptions import CorpusError, ModelOutputError
from training.registry import Registry
from training.train import (
    OFFSET_GRID,
    check_output,
    choose_offset,
    fit_sentence_model,
    grouped_cross_validation,
    load_training_frame,
    train_and_save,
    train_model,
)


@pytest.fixture(scope="module")
def small(articles: pd.DataFrame) -> pd.DataFrame:
    events = sorted(articles["event"].unique())[:40]
    return articles[articles["event"].isin(events)].reset_index(drop=True)


def test_grouped_folds_never_split_an_event(small: pd.DataFrame) -> None:
    for train, test in GroupKFold(n_splits=5).split(small, groups=small["event"]):
        assert not set(small["event"].iloc[train]) & set(small["event"].iloc[test])


def test_grouped_cross_validation(small: pd.DataFrame) -> None:
    metrics, probability = grouped_cross_validation(small, folds=4)
    assert len(probability) == len(small)
    assert metrics["macro_f1"] > 0.7


@pytest.mark.slow
def test_train_and_save_writes_model_metadata_and_card(
    small: pd.DataFrame, tmp_path: Path
) -> None:
    model = train_and_save(tmp_path / "m", small, folds=3)
    for name in (
        "model.skops",
        "metadata.json",
        "MODEL_CARD.md",
        "confusion_matrix.png",
        "calibration.png",
    ):
        assert (tmp_path / "m" / name).is_file(), name
    metadata = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert metadata["version"] == model.version
    assert metadata["corpus"]["articles"] == len(small)
    assert set(metadata["libraries"]) >= {"scikit-learn", "skops"}
    assert "grouped_cv" in metadata["metrics"]
    assert metadata["sentence_model"]["data"][0] == "own article sentences"
    assert "Sentence model" in (tmp_path / "m" / "MODEL_CARD.md").read_text()
    assert load_model(tmp_path / "m").version == model.version


def test_one_label_is_refused(small: pd.DataFrame) -> None:
    with pytest.raises(CorpusError, match="needs both labels"):
        grouped_cross_validation(small[small["label"] == "opinion"])


@pytest.mark.parametrize("fit", [train_model, grouped_cross_validation])
@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_missing_labels_and_events_are_refused_alike(
    fit, missing: object, small: pd.DataFrame
) -> None:
    """They had crashed sorting the message, or in scikit-learn, or trained."""
    labels = small.astype({"label": object})
    labels.loc[labels.index[0], "label"] = missing
    with pytest.raises(
        CorpusError, match=r"no other; got 'opinion', 'reporting', \(missing\)\."
    ):
        fit(labels)
    events = small.astype({"event": object})
    events.loc[events.index[:5], "event"] = missing
    with pytest.raises(
        CorpusError, match=r"^5 row\(s\) have no event \(the first is row 0\)"
    ):
        fit(events)


def test_extra_files(tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    pd.DataFrame(
        {"text": ["We must act.", "Police said so."], "label": ["opinion", "reporting"]}
    ).to_csv(extra, index=False)
    frame = load_training_frame(extra_files=[extra])
    assert frame["source"].eq(str(extra)).sum() == 2
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["x"], "label": ["news"]}).to_csv(bad, index=False)
    with pytest.raises(CorpusError, match=r"unknown label\(s\) \['news'\]"):
        load_training_frame(extra_files=[bad])


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(
            [{"text": None, "label": "opinion"}],
            r"x.jsonl: row 1: text is missing; every row needs one",
            id="null",
        ),
        pytest.param(
            [
                {"text": "We must.", "label": "opinion"},
                {"text": 42, "label": "opinion"},
            ],
            r"x.jsonl: row 2: text is not a string",
            id="number",
        ),
        pytest.param(
            [{"text": " \u200b", "label": "opinion"}],
            r"x.jsonl: row 1: text is empty",
            id="blank",
        ),
        pytest.param(
            [
                {"text": "The toll is a mistake.", "label": "opinion"},
                {"text": "the toll is  a mistake.", "label": "reporting"},
            ],
            r"1 text\(s\) are labeled both opinion and reporting, e\.g\. 'The toll",
            id="conflict",
        ),
    ],
)
def test_extra_rows_that_cannot_train_are_refused(
    tmp_path: Path, rows: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(CorpusError, match=message):
        load_training_frame(extra_files=[_write_jsonl(tmp_path / "x.jsonl", rows)])


def test_extra_events_and_copies(tmp_path: Path, articles: pd.DataFrame) -> None:
    copied = articles.iloc[0]
    extra = _write_jsonl(
        tmp_path / "x.jsonl",
        [
            {"text": "We must act.", "label": "opinion", "event": 17},
            {"text": "Police said so.", "label": "reporting", "event": 17},
            {"text": "Crowds gathered.", "label": "reporting", "event": " "},
            {"text": "It is a scandal.", "label": "opinion"},
            # A copy of a base article would sit on the other side of a split.
            {"text": copied["text"].upper(), "label": copied["label"], "event": "e"},
        ],
    )
    frame = load_training_frame(extra_files=[extra])
    ours = frame[frame["source"] == str(extra)]
    assert list(ours["event"]) == ["17", "17", f"{extra}#2", f"{extra}#3"]
    assert len(frame) == len(articles) + 4


def test_more_folds_than_events_is_one_clear_error(small: pd.DataFrame) -> None:
    events = small["event"].nunique()
    with pytest.raises(CorpusError, match=f"the training data has {events}: use"):
        grouped_cross_validation(small, folds=events + 1)


def test_a_failed_save_leaves_the_old_model_whole(
    small: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "m"
    target.mkdir()
    for name in ("model.skops", "metadata.json", "MODEL_CARD.md"):
        (target / name).write_text(f"old {name}")

    def card_fails(directory: Path, *args: object) -> None:
        assert directory != target  # written beside it, not into it
        (directory / "MODEL_CARD.md").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("training.train.write_model_card", card_fails)
    with pytest.raises(OSError, match="No space left"):
        train_and_save(target, small, folds=2, checkthat=False)
    assert {p.name: p.read_text() for p in target.iterdir()} == {
        name: f"old {name}"
        for name in ("model.skops", "metadata.json", "MODEL_CARD.md")
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no partial left
    monkeypatch.undo()
    model = train_and_save(target, small, folds=2, checkthat=False)
    assert load_model(target).version == model.version
    assert "old" not in (target / "MODEL_CARD.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_outputs_that_cannot_be_written_whole_are_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ModelOutputError, match="afile: is a file"):
        check_output(tmp_path / "afile")
    registry = tmp_path / "registry"
    (registry / "v1").mkdir(parents=True)
    (registry / "CURRENT").write_text("v1\n")
    assert Registry(registry).current() == "v1"
    with pytest.raises(ModelOutputError, match="never written in place"):
        check_output(registry / "v1")
    with pytest.raises(ModelOutputError, match=r"is a model registry \(it holds"):
        check_output(registry)
    assert check_output(tmp_path / "new") == tmp_path / "new"


def _best_single_threshold(labels: np.ndarray, log_odds: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    truth = labels == "opinion"
    curve = [f1_score(truth, log_odds >= t, average="macro") for t in OFFSET_GRID]
    return float(OFFSET_GRID[int(np.argmax(curve))])


def test_one_sentence_does_not_move_the_offset_across_a_flat_top() -> None:
    # No scores fall between 0.28 and 0.92 but one, so macro-F1 is flat there.
    # Relabelling that one sentence moves the best single threshold from one
    # end of the flat top to the other; the chosen offset stays in its middle.
    rng = np.random.default_rng(0)
    log_odds = np.concatenate(
        [
            rng.permutation(np.linspace(-2.9, 0.28, 400)),
            np.linspace(0.92, 2.9, 300),
            [0.6],
        ]
    )
    mixed = (
        ["reporting"] * 340 + ["opinion"] * 60 + ["opinion"] * 250 + ["reporting"] * 50
    )
    chosen, single = [], []
    for label in ("opinion", "reporting"):
        labels = np.array([*mixed, label])
        chosen.append(choose_offset(labels, log_odds))
        single.append(_best_single_threshold(labels, log_odds))
    assert single[1] - single[0] >= 0.3
    assert chosen[0] == chosen[1] and 0.3 < chosen[0] < 0.9


def test_the_offset_gives_up_little_macro_f1() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(3)
    labels = np.where(rng.random(800) < 0.3, "opinion", "reporting")
    log_odds = np.where(labels == "opinion", 1.0, -1.0) + rng.normal(0, 1.2, 800)
    truth = labels == "opinion"
    best = f1_score(
        truth, log_odds >= _best_single_threshold(labels, log_odds), average="macro"
    )
    chosen = f1_score(
        truth, log_odds >= choose_offset(labels, log_odds), average="macro"
    )
    assert best - 0.03 <= chosen <= best


def test_the_offset_needs_one_log_odds_per_label() -> None:
    with pytest.raises(ValueError, match="one log-odds per label; got 2 labels and 1"):
        choose_offset(["opinion", "reporting"], np.array([0.5]))


def test_the_offset_refuses_unknown_labels() -> None:
    with pytest.raises(CorpusError, match="unknown label"):
        choose_offset(["opinion", "SUBJ"], np.array([0.5, -0.5]))


def test_checkthat_is_left_out_when_asked(small: pd.DataFrame) -> None:
    pipelines, offset, provenance = fit_sentence_model(small, checkthat=False)
    assert len(pipelines) == 1 and offset == 0.0
    assert provenance["data"] == ["own article sentences"]
    assert provenance["offset_chosen_on"] is None


@pytest.mark.slow
@pytest.mark.corpora
def test_checkthat_train_and_dev_join_the_sentence_model(
    small: pd.DataFrame, corpora: Path
) -> None:
    pipelines, offset, provenance = fit_sentence_model(small, corpora=corpora)
    assert len(pipelines) == 2
    assert provenance["data"] == ["own article sentences", "checkthat train+dev"]
    assert provenance["offset"] == offset and -3.0 <= offset <= 3.0
