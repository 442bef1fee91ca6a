"""The model watcher: following a registry and a plain model directory."""

import json
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.hotswap import ModelWatcher


def _retrain_in_place(directory: Path, version: str) -> None:
    """What ``tone train -o DIR`` over an existing model leaves: new files."""
    metadata = directory / "metadata.json"
    meta = json.loads(metadata.read_text())
    metadata.write_text(json.dumps({**meta, "version": version}))


@pytest.fixture
def plain(small_model_dir: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(small_model_dir, tmp_path / "plain"))


def test_a_plain_directory_rewritten_in_place_is_served_once_settled(
    plain: Path,
) -> None:
    state = SimpleNamespace(model=None)
    watcher = ModelWatcher(state, plain, interval=0)
    watcher.load_initial()
    assert state.model.version == "test-model"
    assert watcher.check() is False  # nothing changed
    _retrain_in_place(plain, "retrained")
    assert watcher.check() is False  # changed: wait one look for the writer
    assert state.model.version == "test-model"
    assert watcher.check() is True
    assert state.model.version == "retrained"
    assert watcher.check() is False


def test_a_half_written_plain_model_is_refused_then_served_when_whole(
    plain: Path, small_model_dir: Path
) -> None:
    state = SimpleNamespace(model=None)
    watcher = ModelWatcher(state, plain, interval=0)
    watcher.load_initial()
    model_file = plain / "model.skops"
    whole = model_file.read_bytes()
    model_file.write_bytes(whole[:1000])
    assert [watcher.check(), watcher.check(), watcher.check()] == [False] * 3
    assert state.model.version == "test-model"
    assert "damaged" in (watcher.last_error or "")
    model_file.write_bytes(whole)
    _retrain_in_place(plain, "whole-again")
    assert [watcher.check(), watcher.check()] == [False, True]
    assert state.model.version == "whole-again"
    assert watcher.last_error is None


def test_a_reload_in_one_worker_reaches_the_others(plain: Path) -> None:
    """Two watchers on one directory stand for two ``tone serve`` workers."""
    answering = SimpleNamespace(model=None)
    other = SimpleNamespace(model=None)
    first = ModelWatcher(answering, plain, interval=0)
    second = ModelWatcher(other, plain, interval=0.05)
    first.load_initial()
    second.load_initial()
    second.start()
    try:
        _retrain_in_place(plain, "reloaded")
        assert first.reload().version == "reloaded"
        deadline = time.monotonic() + 10
        while other.model.version != "reloaded":
            assert time.monotonic() < deadline, "the other worker kept the old model"
            time.sleep(0.02)
    finally:
        second.stop()


def test_a_model_built_after_start_is_picked_up(
    small_model_dir: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "models"
    state = SimpleNamespace(model=None)
    watcher = ModelWatcher(state, empty, interval=0)
    watcher.load_initial()
    assert state.model is None and "missing" in (watcher.last_error or "")
    shutil.copytree(small_model_dir, empty)
    assert [watcher.check(), watcher.check()] == [False, True]
    assert state.model.version == "test-model"
