"""Errors raised by the service package."""

from classifier.exceptions import ToneError

__all__ = ["ServiceConfigError"]


class ServiceConfigError(ToneError, ValueError):
    """The service's settings are unsafe or inconsistent; it refuses to start."""
