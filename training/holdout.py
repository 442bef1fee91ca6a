"""The frozen hold-out of events: one split for evaluation and for the retraining gate.

An event is held out when a salted SHA-256 of its id falls below the share asked
for. The split depends on the event alone, so the same events are held out on
every run, in any order, and adding events never moves an existing one across.
``tone evaluate --all`` reports on the events held out of ``labels/``, and
``tone retrain`` compares candidate and current model on the same events.
"""

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the settings, which the CLI loads before pandas
    import pandas as pd

__all__ = ["HOLDOUT_SALT", "HOLDOUT_SHARE", "held_out"]

HOLDOUT_SALT = "tone-holdout-v1"
HOLDOUT_SHARE = 0.2


def _unit_hash(group: str) -> float:
    digest = hashlib.sha256(f"{HOLDOUT_SALT}\t{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def held_out(events: "pd.Series", fraction: float = HOLDOUT_SHARE) -> "pd.Series":
    """Whether each row's event is in the frozen hold-out (a boolean Series).

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.Series([f"e{i}" for i in range(1000)])
    >>> first, again = held_out(events), held_out(events[::-1])
    >>> bool(0.15 < first.mean() < 0.25), bool((first == again[first.index]).all())
    (True, True)
    """
    return events.map(lambda event: _unit_hash(str(event)) < fraction).astype(bool)
