"""A versioned model registry: one folder per version and a ``CURRENT`` pointer.

Layout of a registry directory::

    CURRENT                  the served version's name, replaced atomically
    HISTORY.jsonl            every promotion and rollback, appended
    20261202T101500Z-ab12cd3/  model.skops, metadata.json, MODEL_CARD.md,
                             evaluation.json, evaluation.md, plots
    .staging-*/              a version being written; never listed
    .lock                    held by the one retrain allowed at a time

A version folder only ever appears complete: it is written under ``.staging-*``
and renamed into place when every file is there. ``CURRENT`` is written to a
temporary file, flushed to disk, renamed over the old pointer and the directory
entry flushed, so a reader sees the old version or the new one, never neither.

A plain model directory (what ``tone train`` writes: ``model.skops`` and
``metadata.json`` at the top) is also accepted wherever a model is loaded; the
first registry operation on it adopts that model as the first version.
"""

import fcntl
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifier import ModelFileError, ToneModel, load_model
from classifier.persistence import METADATA_FILE, MODEL_FILE
from training.exceptions import RegistryError, RetrainBusyError

__all__ = [
    "CURRENT_FILE",
    "FILES_STAMP",
    "Registry",
    "atomic_write",
    "current_version",
    "is_registry",
    "load_served_model",
    "resolve_model_dir",
    "served_stamp",
]

CURRENT_FILE = "CURRENT"
# How a plain model directory's stamp starts; a version name cannot hold ":".
FILES_STAMP = "files:"
HISTORY_FILE = "HISTORY.jsonl"
REPORT_FILE = "evaluation.json"
_STAGING = ".staging-"
_LOCK = ".lock"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Names of the registry's own files, which no version may take.
_RESERVED = {CURRENT_FILE, HISTORY_FILE}


def _valid_version(name: object) -> bool:
    return (
        isinstance(name, str) and bool(_VERSION.match(name)) and name not in _RESERVED
    )


def _read_json(path: Path) -> Any:
    """A JSON file of the registry, or a :class:`RegistryError` naming it."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RegistryError(
            f"{path} is damaged ({error}); restore it, or remove its version folder"
        ) from error


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: write a temporary file, fsync, rename, fsync.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "CURRENT"
    >>> atomic_write(target, "v1\\n")
    >>> target.read_text()
    'v1\\n'
    """
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def is_registry(path: str | Path) -> bool:
    """Whether ``path`` is a registry (it holds a ``CURRENT`` pointer)."""
    return (Path(path) / CURRENT_FILE).is_file()


def current_version(path: str | Path) -> str | None:
    """The version ``CURRENT`` names, or ``None`` for a plain model directory.

    Cheap enough to call every second: one small read.
    """
    try:
        name = (Path(path) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None  # no registry here: a plain model, a file, or nothing
    except UnicodeDecodeError:
        return "(unreadable)"  # names no version, so loading it fails in words
    return name or None


def served_stamp(path: str | Path) -> str | None:
    """What tells one served model from the next, or ``None`` if there is none.

    For a registry, the version ``CURRENT`` names. For a plain model directory,
    which is rewritten in place, the identity of its two files (inode, size and
    modification time of each), so that a model trained over the old one is
    noticed. Cheap enough to call every second: one read or two ``stat`` calls.

    Examples
    --------
    >>> import tempfile
    >>> served_stamp(tempfile.mkdtemp()) is None
    True
    """
    version = current_version(path)
    if version is not None:
        return version
    try:
        stats = [os.stat(Path(path) / name) for name in (MODEL_FILE, METADATA_FILE)]
    except OSError:
        return None
    return FILES_STAMP + ";".join(
        f"{s.st_ino}:{s.st_size}:{s.st_mtime_ns}" for s in stats
    )


def resolve_model_dir(path: str | Path) -> Path:
    """The directory holding the model to serve: ``CURRENT``'s target, or ``path``."""
    path = Path(path)
    version = current_version(path)
    if version is None:
        return path
    if not _VERSION.match(version):
        raise ModelFileError(
            f"{path / CURRENT_FILE} names {version!r}, which is not a version; "
            "fix it with `tone model promote VERSION`."
        )
    return path / version


def load_served_model(path: str | Path) -> ToneModel:
    """Load the model a registry's ``CURRENT`` names, or a plain model directory."""
    return load_model(resolve_model_dir(path))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    """The model registry rooted at ``root`` (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # Reading

    def current(self) -> str | None:
        """The current version's name, if any."""
        return current_version(self.root)

    def versions(self) -> list[str]:
        """Complete versions, oldest first (names sort by creation time)."""
        if not self.root.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if entry.is_dir()
            and not entry.name.startswith(".")
            and (entry / MODEL_FILE).is_file()
            and (entry / METADATA_FILE).is_file()
        )

    def path(self, version: str) -> Path:
        """The folder of ``version``, which must exist."""
        if not _valid_version(version) or version not in self.versions():
            known = ", ".join(self.versions()) or "none"
            raise RegistryError(
                f"No version {version!r} in {self.root} (known: {known}); "
                "see `tone model list`."
            )
        return self.root / version

    def show(self, version: str) -> dict[str, Any]:
        """Metadata and, when saved, the evaluation report of ``version``."""
        folder = self.path(version)
        info: dict[str, Any] = _read_json(folder / METADATA_FILE)
        report = folder / REPORT_FILE
        info["current"] = version == self.current()
        info["evaluation"] = _read_json(report) if report.is_file() else None
        return info

    def summary(self) -> list[dict[str, Any]]:
        """One row per version: name, created, corpus size, gate verdict, current."""
        current = self.current()
        rows = []
        for version in self.versions():
            try:
                info = self.show(version)
            except RegistryError as error:  # one damaged version hides no other
                rows.append(
                    {
                        "version": version,
                        "current": version == current,
                        "error": str(error),
                    }
                )
                continue
            report = info["evaluation"] or {}
            rows.append(
                {
                    "version": version,
                    "current": version == current,
                    "created": info.get("created"),
                    "articles": info.get("corpus", {}).get("articles"),
                    "stored_labels": info.get("training", {}).get("stored_labels"),
                    "gate": report.get("verdict"),
                }
            )
        return rows

    def history(self) -> list[dict[str, Any]]:
        path = self.root / HISTORY_FILE
        if not path.is_file():
            return []
        entries = []
        for line in path.read_text("utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                entry = None  # a line cut short by a crash: every entry is fsynced
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                entries.append(entry)
        return entries

    # Writing

    def _append_history(self, entry: dict[str, Any]) -> None:
        with open(self.root / HISTORY_FILE, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry, sort_keys=True) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def promote(
        self, version: str, *, reason: str = "promote", model: ToneModel | None = None
    ) -> ToneModel:
        """Make ``version`` current, after checking that it loads.

        ``model`` is that version already loaded from its files, to skip loading it
        again (a retrain checks its candidate before committing it, so that nothing
        slow runs between the commit and the promotion).

        Raises
        ------
        RegistryError
            If there is no such version.
        ModelFileError
            If its model file is damaged or holds an untrusted type; ``CURRENT``
            is then left as it was.
        """
        folder = self.path(version)
        model = model if model is not None else load_model(folder)
        atomic_write(self.root / CURRENT_FILE, version + "\n")
        self._append_history({"at": _now(), "action": reason, "version": version})
        return model

    def _stack(self) -> list[str]:
        stack: list[str] = []
        for entry in self.history():
            if entry.get("action") == "rollback":
                if stack:
                    stack.pop()
                if not stack or stack[-1] != entry["version"]:
                    stack.append(entry["version"])
            else:
                stack.append(entry["version"])
        return stack

    def rollback(self) -> str:
        """Make the version that was current before the current one current again.

        Repeated rollbacks walk further back through the promotions.
        """
        stack = self._stack()
        current = self.current()
        while stack and stack[-1] == current:
            stack.pop()
        while stack and stack[-1] not in self.versions():
            stack.pop()
        if not stack:
            raise RegistryError(
                f"Nothing to roll back to in {self.root}: no earlier version was "
                "current. Use `tone model promote VERSION`."
            )
        target = stack[-1]
        self.promote(target, reason="rollback")
        return target

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the registry's retrain lock, or raise :class:`RetrainBusyError`."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / _LOCK, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise RetrainBusyError(
                    f"Another retrain is running on {self.root}; wait for it to "
                    "finish (`tone model list` shows its result)."
                ) from error
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def is_locked(self) -> bool:
        """Whether a retrain holds the lock right now."""
        try:
            with self.lock():
                return False
        except RetrainBusyError:
            return True

    def clean_staging(self) -> list[str]:
        """Remove half-written versions left by a killed retrain (hold the lock)."""
        if not self.root.is_dir():
            return []
        removed = []
        for entry in self.root.iterdir():
            if entry.name.startswith(_STAGING) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry.name)
        return removed

    def new_staging(self) -> Path:
        """A fresh hidden folder to write a version into."""
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f"{_STAGING}{uuid.uuid4().hex}"
        staging.mkdir()
        return staging

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh staging folder, removed if the block fails or is interrupted.

        Commit it within the block; a kill that skips the cleanup is left to
        :meth:`clean_staging`.
        """
        staging = self.new_staging()
        try:
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def free_version(self, version: str) -> str:
        """``version``, or ``version-2``, ``-3``... if that name is taken."""
        candidate, n = version, 1
        while (self.root / candidate).exists():
            n += 1
            candidate = f"{version}-{n}"
        return candidate

    def commit(self, staging: Path, version: str) -> Path:
        """Move a complete ``staging`` folder into place as ``version``."""
        if not _valid_version(version):
            raise RegistryError(f"{version!r} is not a valid version name")
        for entry in staging.iterdir():
            if entry.is_file():
                with open(entry, "rb") as handle:
                    os.fsync(handle.fileno())
        _fsync_dir(staging)
        target = self.root / version
        os.rename(staging, target)
        _fsync_dir(self.root)
        return target

    def plain_version(self) -> str | None:
        """The version of a plain model at ``root`` not yet adopted, if any.

        Raises
        ------
        RegistryError
            If its metadata cannot be read or names no valid version.
        """
        if self.current() is not None or not (self.root / MODEL_FILE).is_file():
            return None
        metadata = _read_json(self.root / METADATA_FILE)
        version = metadata.get("version") if isinstance(metadata, dict) else None
        if not _valid_version(version):
            raise RegistryError(
                f"{self.root / METADATA_FILE} names the version {version!r}, which "
                "cannot name a folder (letters, digits, '.', '_' and '-', not CURRENT "
                'or HISTORY.jsonl); set a valid "version" there, or train again'
            )
        return str(version)

    def adopt_plain_model(self) -> str | None:
        """Turn a plain model directory at ``root`` into the registry's first version.

        Returns the adopted version, or ``None`` if there was nothing to adopt.
        """
        plain = self.plain_version()
        if plain is None:
            return None
        version = self.free_version(plain)
        files = [p for p in self.root.iterdir() if p.is_file() and p.name != _LOCK]
        with self.staging() as staging:
            for path in files:
                if not path.name.startswith(".") and path.name != HISTORY_FILE:
                    shutil.copy2(path, staging / path.name)
            self.commit(staging, version)
        self.promote(version, reason="adopt")
        for path in files:
            if path.name in {MODEL_FILE, METADATA_FILE, "MODEL_CARD.md"} or (
                path.suffix == ".png"
            ):
                path.unlink()
        return version
