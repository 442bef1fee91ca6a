"""Labels that arrive after the base corpus: an embedded SQLite store.

The base corpus stays in ``labels/`` under git; labels added later (from the CLI,
a file import or the HTTP API) go to ``labels.db`` in the data directory. The
database runs in WAL mode and every call is one transaction, so concurrent
writers (threads, processes, several service workers) lose nothing: SQLite
serialises them and each waits its turn for up to ``busy_timeout`` seconds.

A label's identity is its normalised text (:func:`training.corpus.text_key`).
Sending the same text again with the same label is a duplicate and changes
nothing; sending it with the other label is a *conflict*, reported back and
never written over the stored label.
"""

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from classifier.normalise import is_blank, is_valid_unicode
from classifier.scoring import text_problem
from training.corpus import text_key
from training.exceptions import LabelError, LabelStoreUnavailableError
from training.metrics import LABELS

__all__ = [
    "ALLOWED_LABELS",
    "DB_FILE",
    "AddResult",
    "Conflict",
    "LabelStore",
    "NewLabel",
    "read_label_studio",
    "validate_label",
]

DB_FILE = "labels.db"
ALLOWED_LABELS = LABELS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY,
    text_key TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('opinion', 'reporting')),
    title TEXT,
    event TEXT,
    author TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT '',
    progress REAL NOT NULL DEFAULT 0,
    pid INTEGER,
    result TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class NewLabel:
    """One label to store: the text, its label and where it came from."""

    text: str
    label: str
    title: str | None = None
    event: str | None = None


@dataclass(frozen=True)
class Conflict:
    """A text already stored with the other label; the stored one is kept."""

    index: int
    text_key: str
    stored: str
    given: str


@dataclass
class AddResult:
    """What one call to :meth:`LabelStore.add` did."""

    added: int = 0
    duplicates: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "duplicates": self.duplicates,
            "conflicts": [c.__dict__ for c in self.conflicts],
        }


def validate_label(item: NewLabel, max_chars: int, where: str = "label") -> None:
    """Raise :class:`LabelError` unless ``item`` may be stored.

    Examples
    --------
    >>> validate_label(NewLabel("We must act.", "opinion"), max_chars=100)
    >>> validate_label(NewLabel("We must act.", "news"), max_chars=100, where="#1")
    Traceback (most recent call last):
    ...
    training.exceptions.LabelError: #1: unknown label 'news'; use opinion or reporting
    """
    if item.label not in ALLOWED_LABELS:
        missing = item.label is None or item.label != item.label  # None, NaN
        shown = "(missing)" if missing else repr(item.label)
        raise LabelError(f"{where}: unknown label {shown}; use opinion or reporting")
    if not isinstance(item.text, str):
        raise LabelError(f"{where}: {text_problem(item.text)}")
    if is_blank(item.text):
        raise LabelError(f"{where}: text must not be empty")
    if len(item.text) > max_chars:
        raise LabelError(
            f"{where}: text has {len(item.text)} characters; the maximum is "
            f"{max_chars} (TONE_MAX_TEXT_CHARS)"
        )
    for name in ("text", "title", "event"):
        value = getattr(item, name)
        if isinstance(value, str) and not is_valid_unicode(value):
            raise LabelError(
                f"{where}: {name} is not valid Unicode (it holds a lone surrogate)"
            )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _job_alive(pid: int | None, created: str, grace: float = 60) -> bool:
    """Whether a job's process still runs (a job with no pid yet: for a while)."""
    if pid is None:
        age = datetime.now(UTC) - datetime.fromisoformat(created)
        return age.total_seconds() < grace
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LabelStore:
    """The label database in ``data_dir`` (created on first use).

    Parameters
    ----------
    data_dir : Path
        Directory holding ``labels.db``.
    max_chars : int
        Longest text accepted, in characters.
    busy_timeout : float
        Seconds a writer waits for another writer's transaction to finish.
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        max_chars: int = 200_000,
        busy_timeout: float = 60,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self.max_chars = max_chars
        self.busy_timeout = busy_timeout
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise LabelStoreUnavailableError(
                f"cannot open the label database in {self.data_dir}: it is not a "
                "directory; set TONE_DATA_DIR to one"
            )
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.OperationalError) as error:
            raise LabelStoreUnavailableError(
                f"cannot open the label database {self.path} ({error}); "
                "check TONE_DATA_DIR, its free space and permissions"
            ) from error

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One connection per call: connections are cheap, and never sharing one
        # keeps threads and forked workers from stepping on each other.
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            yield db
        finally:
            db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``).

        A database that cannot be written (disk full, read-only, locked past the
        busy timeout) raises :class:`LabelStoreUnavailableError` and keeps nothing
        of the transaction.
        """
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        except sqlite3.OperationalError as error:
            raise LabelStoreUnavailableError(
                f"the label database {self.path} cannot be written ({error}); "
                "free disk space or make it writable, then retry"
            ) from error

    def add(
        self,
        items: Sequence[NewLabel],
        *,
        author: str,
        source: str,
        name: Callable[[int], str] = "labels[{}]".format,
    ) -> AddResult:
        """Validate and store ``items`` in one transaction.

        Every item is validated first; if one is invalid nothing is stored.
        ``name`` turns an item's index into how errors call it (``labels[0]``,
        as in a JSON body, unless given).

        Raises
        ------
        LabelError
            Naming the first invalid item.
        """
        for i, item in enumerate(items):
            validate_label(item, self.max_chars, where=name(i))
        result = AddResult()
        stamp = _now()
        with self.transaction() as db:
            for i, item in enumerate(items):
                key = text_key(item.text)
                cursor = db.execute(
                    "INSERT INTO labels (text_key, text, label, title, event, author,"
                    " source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (text_key) DO NOTHING",
                    (
                        key,
                        item.text,
                        item.label,
                        item.title,
                        item.event,
                        author,
                        source,
                        stamp,
                    ),
                )
                if cursor.rowcount == 1:
                    result.added += 1
                    continue
                (stored,) = db.execute(
                    "SELECT label FROM labels WHERE text_key = ?", (key,)
                ).fetchone()
                if stored == item.label:
                    result.duplicates += 1
                else:
                    result.conflicts.append(Conflict(i, key, stored, item.label))
        return result

    def count(self) -> int:
        with self._connect() as db:
            (n,) = db.execute("SELECT COUNT(*) FROM labels").fetchone()
        return int(n)

    def frame(self) -> pd.DataFrame:
        """Every stored label, oldest first, with its stamps."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT text, label, title, event, author, source, created_at,"
                " text_key FROM labels ORDER BY id"
            ).fetchall()
        columns = [
            "text",
            "label",
            "title",
            "event",
            "author",
            "source",
            "created_at",
            "text_key",
        ]
        return pd.DataFrame(rows, columns=columns, dtype=object)

    @staticmethod
    def empty_stats() -> dict[str, Any]:
        """What :meth:`stats` says of a store with no labels."""
        return {
            "labels": 0,
            "by_label": {label: 0 for label in ALLOWED_LABELS},
            "by_source": {},
            "by_author": {},
            "with_event": 0,
            "first": None,
            "last": None,
        }

    def stats(self) -> dict[str, Any]:
        """Counts by label, source and author, and the first and last stamps."""
        with self._connect() as db:

            def counts(column: str) -> dict[str, int]:
                rows = db.execute(
                    f"SELECT {column}, COUNT(*) FROM labels GROUP BY {column}"
                    f" ORDER BY {column}"
                ).fetchall()
                return {str(k): int(n) for k, n in rows}

            (total,) = db.execute("SELECT COUNT(*) FROM labels").fetchone()
            first, last = db.execute(
                "SELECT MIN(created_at), MAX(created_at) FROM labels"
            ).fetchone()
            (with_event,) = db.execute(
                "SELECT COUNT(*) FROM labels WHERE event IS NOT NULL"
            ).fetchone()
            return {
                "labels": int(total),
                "by_label": {label: 0 for label in ALLOWED_LABELS} | counts("label"),
                "by_source": counts("source"),
                "by_author": counts("author"),
                "with_event": int(with_event),
                "first": first,
                "last": last,
            }

    # Jobs live beside the labels so that every service worker sees every job.

    def create_job(self, job_id: str, kind: str, *, exclusive: bool = True) -> bool:
        """Record a queued job; ``False`` if ``exclusive`` and one is active."""
        stamp = _now()
        with self.transaction() as db:
            if exclusive:
                active = db.execute(
                    "SELECT id, pid, created_at FROM jobs WHERE kind = ? AND state IN"
                    " ('queued', 'running')",
                    (kind,),
                ).fetchall()
                live = False
                for other, pid, created in active:
                    if _job_alive(pid, created):
                        live = True
                    else:  # its process died unreported (e.g. the server too)
                        db.execute(
                            "UPDATE jobs SET state = 'failed', error = ?, "
                            "updated_at = ? WHERE id = ?",
                            ("the job's process is gone", stamp, other),
                        )
                if live:
                    return False
            db.execute(
                "INSERT INTO jobs (id, kind, state, created_at, updated_at)"
                " VALUES (?, ?, 'queued', ?, ?)",
                (job_id, kind, stamp, stamp),
            )
        return True

    def update_job(self, job_id: str, **values: Any) -> None:
        """Set some of state, stage, progress, pid, result (a dict) and error."""
        allowed = {"state", "stage", "progress", "pid", "result", "error"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown job field(s) {sorted(unknown)}")
        if "result" in values and values["result"] is not None:
            values["result"] = json.dumps(values["result"])
        assignments = ", ".join(f"{k} = ?" for k in values)
        with self.transaction() as db:
            db.execute(
                f"UPDATE jobs SET {assignments}, updated_at = ? WHERE id = ?",
                (*values.values(), _now(), job_id),
            )

    def fail_if_active(self, job_id: str, error: str) -> None:
        """Mark a job failed unless it already finished (its process died)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE jobs SET state = 'failed', error = ?, updated_at = ?"
                " WHERE id = ? AND state IN ('queued', 'running')",
                (error, _now(), job_id),
            )

    def job(self, job_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return None
        job = dict(row)
        job["result"] = json.loads(job["result"]) if job["result"] else None
        return job


def read_label_studio(
    path: str | Path, *, text_field: str = "text"
) -> tuple[list[NewLabel], int]:
    """Labels from a Label Studio JSON export with a Choices field.

    Each task's latest annotation that was not cancelled and holds a ``choices``
    result gives the label (lower-cased, so ``Opinion`` is ``opinion``). Tasks
    without such an annotation are skipped and counted.

    Returns
    -------
    labels, skipped : list of NewLabel, int

    Raises
    ------
    LabelError
        If the file is not a Label Studio export (a JSON list of tasks).
    """
    path = Path(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as error:
        raise LabelError(
            f"{path}: cannot read it as JSON (nested too deeply)"
        ) from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LabelError(f"{path}: cannot read it as JSON ({error})") from error
    if not isinstance(tasks, list):
        raise LabelError(
            f"{path}: expected a Label Studio export (a JSON list of tasks)"
        )
    labels: list[NewLabel] = []
    skipped = 0
    for number, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get(text_field), str):
            raise LabelError(
                f"{path}: task {number} has no data.{text_field}; "
                "name the text field with --text-field"
            )
        choice = _latest_choice(task.get("annotations") or task.get("completions"))
        if choice is None:
            skipped += 1
            continue
        title = data.get("title")
        event = data.get("event")
        labels.append(
            NewLabel(
                text=data[text_field],
                label=choice.strip().lower(),
                title=title if isinstance(title, str) else None,
                event=str(event) if event is not None else None,
            )
        )
    return labels, skipped


def _latest_choice(annotations: object) -> str | None:
    # Every level is checked: exports edited by hand or by scripts vary.
    if not isinstance(annotations, list):
        return None
    for annotation in reversed(annotations):
        if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
            continue
        results = annotation.get("result")
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict) or result.get("type") != "choices":
                continue
            value = result.get("value")
            choices = value.get("choices") if isinstance(value, dict) else None
            if isinstance(choices, str):
                choices = [choices]
            if isinstance(choices, list) and choices and isinstance(choices[0], str):
                return choices[0]
    return None
