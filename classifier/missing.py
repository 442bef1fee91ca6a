"""What counts as a missing cell: one rule for every reader of user tables."""

import numpy as np
import pandas as pd

__all__ = ["is_missing"]


def is_missing(value: object) -> bool:
    """Whether a table cell holds no value: ``None``, a float NaN, ``pd.NA`` or ``NaT``.

    Parquet files written from nullable pandas columns read back with ``pd.NA``,
    which cannot be compared (``pd.NA != pd.NA`` is ``pd.NA``), so ``value != value``
    is no test for it.

    Examples
    --------
    >>> cells = [None, float("nan"), np.float32("nan"), pd.NA, pd.NaT, 0, "", []]
    >>> [is_missing(cell) for cell in cells]
    [True, True, True, True, True, False, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))
