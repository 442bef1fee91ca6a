"""Errors raised by the classifier package.

Each subclasses a built-in so callers can catch either the specific error or the
built-in it refines.
"""

__all__ = ["EmptyTextError", "ModelFileError", "ToneError"]


class ToneError(Exception):
    """Base class of every error this package raises on purpose."""


class EmptyTextError(ToneError, ValueError):
    """A text to score was empty or held only whitespace."""


class ModelFileError(ToneError, ValueError):
    """A model directory or file is missing, damaged, or holds an untrusted type."""
