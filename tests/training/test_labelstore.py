import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from training.exceptions import LabelError
from training.labelstore import LabelStore, NewLabel, read_label_studio


@pytest.fixture
def store(tmp_path: Path) -> LabelStore:
    return LabelStore(tmp_path / "data", max_chars=200)


def test_database_is_in_wal_mode(store: LabelStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_add_stamps_who_when_and_source(store: LabelStore) -> None:
    result = store.add(
        [NewLabel("We must act.", "opinion", title="Act", event="e1")],
        author="ann",
        source="cli",
    )
    assert result.as_dict() == {"added": 1, "duplicates": 0, "conflicts": []}
    row = store.frame().iloc[0]
    assert (row["author"], row["source"], row["event"]) == ("ann", "cli", "e1")
    assert row["created_at"].startswith("20")


def test_duplicates_fold_case_and_whitespace(store: LabelStore) -> None:
    store.add([NewLabel("Police said so.", "reporting")], author="a", source="s")
    again = store.add(
        [NewLabel("  police   SAID so. ", "reporting")], author="b", source="s"
    )
    assert (again.added, again.duplicates, store.count()) == (0, 1, 1)


def test_conflict_is_reported_not_overwritten(store: LabelStore) -> None:
    store.add([NewLabel("Police said so.", "reporting")], author="a", source="s")
    result = store.add(
        [NewLabel("We must act.", "opinion"), NewLabel("police said so.", "opinion")],
        author="b",
        source="s",
    )
    assert result.added == 1
    [conflict] = result.conflicts
    assert (conflict.index, conflict.stored, conflict.given) == (
        1,
        "reporting",
        "opinion",
    )
    assert set(store.frame()["label"]) == {"reporting", "opinion"}
    assert store.frame().set_index("text").loc["Police said so.", "label"] == (
        "reporting"
    )


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param(
            NewLabel("Fine text.", "news"),
            r"labels\[1\]: unknown label 'news'; use opinion or reporting",
            id="unknown-label",
        ),
        pytest.param(
            NewLabel(" \n ", "opinion"),
            r"labels\[1\]: text must not be empty",
            id="empty",
        ),
        pytest.param(
            NewLabel("x" * 201, "opinion"),
            r"labels\[1\]: text has 201 characters; the maximum is 200",
            id="too-long",
        ),
        pytest.param(
            NewLabel("Fine text.", "opinion", title="a\ud800"),
            r"labels\[1\]: title is not valid Unicode \(it holds a lone surrogate\)",
            id="surrogate-title",
        ),
        pytest.param(
            NewLabel("Fine \udcff text.", "opinion"),
            r"labels\[1\]: text is not valid Unicode",
            id="surrogate-text",
        ),
    ],
)
def test_invalid_label_stores_nothing(
    store: LabelStore, item: NewLabel, message: str
) -> None:
    with pytest.raises(LabelError, match=message):
        store.add([NewLabel("A good one.", "opinion"), item], author="a", source="s")
    assert store.count() == 0


def test_twenty_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    """20 writers, each with its own connection, 1,000 distinct labels in all."""
    data = tmp_path / "data"
    LabelStore(data)

    def write(writer: int) -> int:
        store = LabelStore(data)  # as a separate request or process would
        added = 0
        for batch in range(5):
            items = [
                NewLabel(f"Writer {writer} batch {batch} item {i} said.", "reporting")
                for i in range(10)
            ]
            added += store.add(items, author=f"w{writer}", source="test").added
        return added

    with ThreadPoolExecutor(max_workers=20) as pool:
        added = list(pool.map(write, range(20)))
    assert sum(added) == 1_000
    assert LabelStore(data).count() == 1_000


def test_stats(store: LabelStore) -> None:
    store.add([NewLabel("We must act.", "opinion")], author="ann", source="cli")
    store.add([NewLabel("Police said.", "reporting")], author="bob", source="api")
    stats = store.stats()
    assert stats["labels"] == 2
    assert stats["by_label"] == {"opinion": 1, "reporting": 1}
    assert stats["by_source"] == {"api": 1, "cli": 1}
    assert stats["by_author"] == {"ann": 1, "bob": 1}


def _task(text: str, choice: str | None, cancelled: bool = False) -> dict:
    result = (
        [
            {
                "from_name": "tone",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": [choice]},
            }
        ]
        if choice
        else []
    )
    return {
        "id": 1,
        "data": {"text": text},
        "annotations": [{"result": result, "was_cancelled": cancelled}],
    }


def test_label_studio_export(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(
            [
                _task("We must act.", "Opinion"),
                _task("Police said.", "reporting"),
                _task("Skipped, no choice.", None),
                _task("Cancelled.", "opinion", cancelled=True),
            ]
        )
    )
    labels, skipped = read_label_studio(path)
    assert [(x.text, x.label) for x in labels] == [
        ("We must act.", "opinion"),
        ("Police said.", "reporting"),
    ]
    assert skipped == 2


def test_label_studio_needs_a_list(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"text": "x"}')
    with pytest.raises(LabelError, match="expected a Label Studio export"):
        read_label_studio(path)


def test_a_dead_job_does_not_block_the_next(store: LabelStore) -> None:
    import subprocess
    import sys

    assert store.create_job("a", "retrain")
    assert not store.create_job("b", "retrain")  # "a" is queued, recent
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    store.update_job("a", state="running", pid=int(gone.stdout))
    assert store.create_job("b", "retrain")
    job = store.job("a")
    assert job is not None
    assert (job["state"], job["error"]) == ("failed", "the job's process is gone")
