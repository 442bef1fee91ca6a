"""tone's classifier: normalise, featurise, score opinion vs reporting, find hedges."""

from classifier.exceptions import EmptyTextError, ModelFileError, ToneError
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
