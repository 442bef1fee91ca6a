"""tone's classifier: normalise, featurise, score opinion vs reporting, find hedges."""

import importlib
from typing import TYPE_CHECKING, Any

from classifier.exceptions import EmptyTextError, ModelFileError, ToneError

if TYPE_CHECKING:
    from classifier.hedging import HedgeLexicon, find_cues, score_hedging
    from classifier.model import OPINION, REPORTING, ToneModel
    from classifier.persistence import load_model, save_model
    from classifier.pipeline import build_pipeline, fit_pipeline
    from classifier.result import HedgeCue, HedgingResult, SentenceResult, ToneResult
    from classifier.scoring import (
        RESULT_COLUMNS,
        RESULT_DTYPES,
        MissingColumnError,
        score_frame,
        score_text,
    )
    from classifier.sentence import build_sentence_pipeline

# Where each public name lives. They are imported on first use, so that importing
# ``classifier`` for its errors (as the CLI does to print ``tone --help``) does not
# pay for scikit-learn, pandas and the lexicons.
_HOMES = {
    "HedgeLexicon": "classifier.hedging",
    "find_cues": "classifier.hedging",
    "score_hedging": "classifier.hedging",
    "OPINION": "classifier.model",
    "REPORTING": "classifier.model",
    "ToneModel": "classifier.model",
    "load_model": "classifier.persistence",
    "save_model": "classifier.persistence",
    "build_pipeline": "classifier.pipeline",
    "fit_pipeline": "classifier.pipeline",
    "HedgeCue": "classifier.result",
    "HedgingResult": "classifier.result",
    "SentenceResult": "classifier.result",
    "ToneResult": "classifier.result",
    "RESULT_COLUMNS": "classifier.scoring",
    "RESULT_DTYPES": "classifier.scoring",
    "MissingColumnError": "classifier.scoring",
    "score_frame": "classifier.scoring",
    "score_text": "classifier.scoring",
    "build_sentence_pipeline": "classifier.sentence",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'classifier' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "OPINION",
    "REPORTING",
    "RESULT_COLUMNS",
    "RESULT_DTYPES",
    "EmptyTextError",
    "HedgeCue",
    "HedgeLexicon",
    "HedgingResult",
    "MissingColumnError",
    "ModelFileError",
    "SentenceResult",
    "ToneError",
    "ToneModel",
    "ToneResult",
    "build_pipeline",
    "build_sentence_pipeline",
    "find_cues",
    "fit_pipeline",
    "load_model",
    "save_model",
    "score_frame",
    "score_hedging",
    "score_text",
]
