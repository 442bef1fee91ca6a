"""Follow the model directory and swap the served model in place.

Each worker process runs one :class:`ModelWatcher`. A background thread looks at
the model directory every ``interval`` seconds: a registry's ``CURRENT`` (one
small file), or the two files of a plain model directory (two ``stat`` calls).
When ``CURRENT`` names a new version, or a plain directory's files were
rewritten and have then stayed as they are for one more look (so a model still
being written is not read half-done), the thread loads that model off the request
path and then replaces the one reference requests read, ``app.state.model``.
Every worker follows the directory this way, so a model reloaded through one
worker's ``POST /v1/model/reload`` reaches the others within two intervals.

A request holds the model it started with until it finishes, so nothing in
flight fails or mixes versions, and every result carries the ``model_version``
that produced it. A model that fails to load (damaged, or holding an untrusted
type) is refused: the worker keeps serving what it has and logs why.
"""

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from classifier import ModelFileError, ToneError, ToneModel
from training.registry import FILES_STAMP, load_served_model, served_stamp

__all__ = ["ModelWatcher"]

log = logging.getLogger("tone.service")


class ModelWatcher:
    """Keeps ``state.model`` on the version the model directory points at.

    Parameters
    ----------
    state : object
        Where the served model lives (``app.state``); only ``.model`` is set.
    model_dir : Path
        A registry (with ``CURRENT``) or a plain model directory.
    interval : float
        Seconds between checks of the directory; 0 turns the thread off.
    on_swap : callable, optional
        Called with each model newly put in service.
    """

    def __init__(
        self,
        state: Any,
        model_dir: Path,
        *,
        interval: float = 1.0,
        on_swap: Callable[[ToneModel], None] | None = None,
    ) -> None:
        self.state = state
        self.model_dir = Path(model_dir)
        self.interval = interval
        self.on_swap = on_swap or (lambda model: None)
        self.last_error: str | None = None
        self._pointer: str | None = None
        self._pending: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _swap(self, pointer: str | None) -> ToneModel:
        model = load_served_model(self.model_dir)
        self.state.model = model
        self._pointer = pointer
        self.last_error = None
        self.on_swap(model)
        log.info("serving model %s from %s", model.version, self.model_dir)
        return model

    def load_initial(self) -> None:
        """Load whatever the directory holds now; log and serve nothing on error."""
        pointer = served_stamp(self.model_dir)
        with self._lock:
            try:
                self._swap(pointer)
            except ToneError as error:
                self._pointer = pointer
                self.last_error = str(error)
                self.state.model = None
                log.error("no model loaded: %s", error)

    def check(self) -> bool:
        """Swap if the served model changed since the last look; ``True`` if swapped.

        ``CURRENT`` is replaced atomically and acted on at once. A plain
        directory's files are written one after the other, so their change is
        acted on once they look the same on two checks in a row.
        """
        pointer = served_stamp(self.model_dir)
        if pointer is None or pointer == self._pointer:
            return False
        if pointer.startswith(FILES_STAMP) and pointer != self._pending:
            self._pending = pointer
            return False
        with self._lock:
            if pointer == self._pointer:
                return False
            try:
                self._swap(pointer)
            except ToneError as error:
                # Remember the refused pointer so a broken version is not
                # reloaded every second; a new promotion is tried afresh.
                self._pointer = pointer
                self.last_error = str(error)
                log.error("refused model %s, still serving: %s", pointer, error)
                return False
            return True

    def reload(self) -> ToneModel:
        """Load the model the directory holds now, even if already seen.

        Raises
        ------
        ModelFileError
            If it cannot be loaded; the served model is left in place.
        """
        pointer = served_stamp(self.model_dir)
        with self._lock:
            try:
                return self._swap(pointer)
            except ToneError as error:
                self.last_error = str(error)
                log.error("refused model on reload, still serving: %s", error)
                raise ModelFileError(str(error)) from error

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except OSError as error:  # e.g. the directory is briefly unreadable
                log.warning("cannot read %s: %s", self.model_dir, error)

    def start(self) -> None:
        """Start the background checks (if ``interval`` is positive)."""
        if self.interval > 0 and self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="tone-model-watcher", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
