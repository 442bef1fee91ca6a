import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import Settings
from training.exceptions import CorpusError
from training.holdout import held_out
from training.labelstore import LabelStore, NewLabel
from training.registry import Registry, current_version
from training.retrain import RetrainOptions, gate, retrain, retraining_frame


@pytest.mark.parametrize(
    ("candidate", "current", "passed"),
    [
        pytest.param(0.90, 0.90, True, id="equal"),
        pytest.param(0.895, 0.90, True, id="within-tolerance"),
        pytest.param(0.88, 0.90, False, id="worse"),
        pytest.param(0.95, 0.90, True, id="better"),
    ],
)
def test_gate_figure_by_figure(candidate: float, current: float, passed: bool) -> None:
    ok, rows = gate(
        {"holdout": {"macro_f1": candidate, "n": 10}, "brown": {"macro_f1": 0.8}},
        {"holdout": {"macro_f1": current}, "brown": {"macro_f1": 0.8}},
        tolerance=0.01,
    )
    assert ok is passed
    assert [r["evaluation"] for r in rows] == ["holdout", "brown"]
    assert rows[0]["passed"] is passed


def test_gate_without_a_comparable_figure_fails() -> None:
    ok, rows = gate(
        {"holdout": {"macro_f1": 1.0}},
        {"holdout": {"macro_f1": 0.5}},
        tolerance=0.01,
        comparable=[],
    )
    assert (ok, rows) == (False, [])


def test_stored_labels_without_event_are_their_own_group(
    tmp_path: Path, small_labels: Path
) -> None:
    store = LabelStore(tmp_path / "data")
    store.add(
        [
            NewLabel("We must act now.", "opinion"),
            NewLabel("Police said.", "reporting"),
        ],
        author="a",
        source="test",
    )
    frame, counts = retraining_frame(store, small_labels)
    assert counts["stored_labels"] == 2
    stored = frame[frame["source"] == "store:test"]
    assert stored["event"].nunique() == 2
    assert all(e.startswith("label:") for e in stored["event"])
    # Frozen: the same events are held out whatever else is added.
    before = held_out(frame["event"], 0.2)
    store.add(
        [NewLabel("Another one, said police.", "reporting")], author="a", source="test"
    )
    after_frame, _ = retraining_frame(store, small_labels)
    assert list(held_out(after_frame["event"], 0.2)[: len(before)]) == list(before)


def _options(small_labels: Path, **kw: Any) -> RetrainOptions:
    return RetrainOptions(labels_path=small_labels, folds=2, gate_corpora=(), **kw)


@pytest.mark.slow
def test_retrain_gate_keeps_then_force_promotes_then_compares(
    registry_dir: Path, tmp_path: Path, small_labels: Path
) -> None:
    registry = Registry(registry_dir)
    store = LabelStore(tmp_path / "data")
    store.add(
        [
            NewLabel(f"Officials said {i} roads would close.", "reporting")
            for i in range(5)
        ]
        + [
            NewLabel(f"Closing road {i} is folly; we should stop it.", "opinion")
            for i in range(5)
        ],
        author="t",
        source="test",
    )
    # The current model was trained on everything, held-out events included,
    # so the holdout is not a fair comparison: the gate refuses to decide.
    kept = retrain(registry, store, _options(small_labels))
    assert kept["verdict"] == "kept current" and not kept["promoted"]
    assert any("holdout not compared" in r for r in kept["reasons"])
    assert current_version(registry_dir) == "test-model"
    assert kept["candidate"] in registry.versions()  # kept, with its report
    report = registry.show(kept["candidate"])["evaluation"]
    assert report["verdict"] == "kept current"
    assert (registry_dir / kept["candidate"] / "evaluation.md").is_file()

    forced = retrain(registry, store, _options(small_labels, force=True))
    assert forced["promoted"] and forced["forced"]
    assert current_version(registry_dir) == forced["candidate"]

    # Both trained with the frozen split now: compared on it, figure by figure.
    again = retrain(registry, store, _options(small_labels))
    [row] = again["figures"]
    assert row["evaluation"] == "holdout"
    assert row["n"] == again["training"]["evaluation_split"]["held_out"]
    assert again["passed"] == (row["delta"] >= -0.01)
    assert again["promoted"] == again["passed"]


@pytest.mark.slow
def test_sigkill_midway_leaves_current_and_listing_intact(
    registry_dir: Path, tmp_path: Path, small_labels: Path
) -> None:
    registry = Registry(registry_dir)
    before = registry.versions()
    env = {
        **os.environ,
        "TONE_DATA_DIR": str(tmp_path / "data"),
        "TONE_LABELS_FILE": str(small_labels),
        "TONE_RETRAIN_FOLDS": "2",
        "TONE_RETRAIN_CORPORA": "[]",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "retrain",
            "--force",
            "--model",
            str(registry_dir),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = create_app(Settings(model_dir=registry_dir, reload_interval=0.05))
    with TestClient(app) as client:
        deadline = time.monotonic() + 60
        while not list(registry_dir.glob(".staging-*")):
            assert process.poll() is None, "retrain ended before it could be killed"
            assert time.monotonic() < deadline, "retrain never started writing"
            time.sleep(0.01)
        time.sleep(0.3)  # well into training
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(0.2)  # several watcher checks
        assert client.get("/ready").json()["model_version"] == "test-model"
    assert process.returncode == -signal.SIGKILL
    assert list(registry_dir.glob(".staging-*")), "nothing was half-written"
    assert current_version(registry_dir) == "test-model"
    assert registry.versions() == before
    assert not registry.is_locked()  # the kernel released the dead process's lock

    report = retrain(
        registry, LabelStore(tmp_path / "data"), _options(small_labels, force=True)
    )
    assert report["promoted"]
    assert not list(registry_dir.glob(".staging-*"))
    assert registry.versions() == sorted([*before, report["candidate"]])


def test_a_failed_candidate_leaves_no_staging_folder(
    registry_dir: Path, tmp_path: Path, small_labels: Path
) -> None:
    # Too many folds fail inside training, after the staging folder was made.
    store = LabelStore(tmp_path / "data")
    with pytest.raises(CorpusError, match="cross-validation folds need at least"):
        options = RetrainOptions(
            labels_path=small_labels, folds=10_000, gate_corpora=()
        )
        retrain(Registry(registry_dir), store, options)
    assert not list(registry_dir.glob(".staging-*"))
    assert current_version(registry_dir) == "test-model"
