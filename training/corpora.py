"""Names and default place of the published corpora tone reads.

Only the standard library here: the settings import it, and so does every
``tone`` command at start-up, before anything heavy is loaded.
"""

from pathlib import Path

__all__ = ["DEFAULT_CORPORA_DIR", "EXTERNAL_CORPORA", "GATE_CORPORA"]

# ``../shared/corpora`` beside the project checkout.
DEFAULT_CORPORA_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpora"

# Every corpus ``tone evaluate --corpus`` knows.
EXTERNAL_CORPORA = ("brown", "checkthat", "conll-hedging")

# The opinion corpora a retrain's gate may compare models on (CoNLL-2010 is
# hedging, which retraining does not change).
GATE_CORPORA = ("brown", "checkthat")
