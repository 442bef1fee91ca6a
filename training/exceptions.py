"""Errors raised by the training package."""

from classifier.exceptions import ToneError

__all__ = [
    "CorpusError",
    "CorpusNotFoundError",
    "InputFileError",
    "LabelError",
    "LabelStoreUnavailableError",
    "ModelOutputError",
    "RegistryError",
    "RetrainBusyError",
]


class CorpusError(ToneError, ValueError):
    """A labeled file breaks the corpus schema; the message names file and line."""


class CorpusNotFoundError(ToneError, FileNotFoundError):
    """An external corpus is not under the configured corpora path."""


class InputFileError(ToneError, ValueError):
    """An input file cannot be read: unknown suffix, bad encoding, broken format."""


class LabelError(ToneError, ValueError):
    """A label cannot be stored: unknown label, empty or over-long text."""


class LabelStoreUnavailableError(ToneError, OSError):
    """The label database cannot be written: disk full, read-only, or locked."""


class ModelOutputError(ToneError, ValueError):
    """A model cannot be written where asked: a file, or inside a registry."""


class RegistryError(ToneError, ValueError):
    """A model registry operation is impossible: unknown version, nothing to undo."""


class RetrainBusyError(ToneError, RuntimeError):
    """Another retrain holds the registry's lock."""
