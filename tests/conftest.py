"""Session-scoped fixtures: the corpus, one fitted model, its saved directory."""

from pathlib import Path

import pandas as pd
import pytest

from classifier import ToneModel, save_model
from training.corpus import load_articles
from training.external import default_corpora_dir
from training.train import train_model


@pytest.fixture(scope="session")
def articles() -> pd.DataFrame:
    return load_articles()


@pytest.fixture(scope="session")
def model(articles: pd.DataFrame) -> ToneModel:
    return train_model(articles, version="test-model")


@pytest.fixture(scope="session")
def model_dir(model: ToneModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_model(model, tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The published corpora; tests that need them skip where they are absent."""
    path = default_corpora_dir()
    if not path.is_dir():
        pytest.skip(f"published corpora not found at {path} (set TONE_CORPORA)")
    return path


OPINION_TEXT = (
    "This newspaper has watched the council's dithering over the harbour bridge with "
    "growing dismay. It is time to stop. The toll is a sensible idea, badly sold, and "
    "councillors should have the courage to say so. Anything less would be a failure "
    "of nerve that the town cannot afford. We urge them to vote yes."
)
REPORTING_TEXT = (
    "The council voted 7-4 on Tuesday to introduce a toll on the harbour bridge, "
    "officials said. The charge, expected to raise about 2 million a year, will begin "
    "in May, according to a statement from the transport department. Opponents said "
    "they would challenge the decision, and a spokesperson for the mayor declined to "
    "comment."
)


@pytest.fixture(scope="session")
def small_labels(
    articles: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A base corpus of 40 events (both labels each) for quick retrains."""
    events = sorted(articles["event"].unique())[:40]
    path = tmp_path_factory.mktemp("small") / "articles.jsonl"
    articles[articles["event"].isin(events)].to_json(path, orient="records", lines=True)
    return path


@pytest.fixture(scope="session")
def small_model_dir(
    articles: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A model fitted on 40 events: a third the size, five times quicker to load."""
    events = sorted(articles["event"].unique())[:40]
    small = train_model(articles[articles["event"].isin(events)], version="test-model")
    return save_model(small, tmp_path_factory.mktemp("small-model"))


@pytest.fixture
def registry_dir(small_model_dir: Path, tmp_path: Path) -> Path:
    """A registry whose one version, ``test-model``, is current."""
    import shutil

    from training.registry import Registry

    root = tmp_path / "registry"
    shutil.copytree(small_model_dir, root / "test-model")
    Registry(root).promote("test-model")
    return root
