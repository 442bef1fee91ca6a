import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.model_selection import GroupKFold

from classifier import load_model
from training.exceptions import CorpusError
from training.train import (
    fit_sentence_model,
    grouped_cross_validation,
    load_training_frame,
    train_and_save,
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
