"""Saving and loading tone models safely: skops with an explicit allow-list.

A model directory holds ``model.skops`` (the fitted article pipeline and the
sentence pipelines, in one dictionary; older files hold the article pipeline
alone) and
``metadata.json`` (version, passage length, what training recorded). Nothing is
ever unpickled: a file holding any type outside ``TRUSTED_TYPES`` is refused.
"""

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.feature_extraction.text import CountVectorizer
from skops.io.exceptions import UntrustedTypesFoundException

from classifier.exceptions import ModelFileError
from classifier.model import ToneModel

__all__ = [
    "METADATA_FILE",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "load_model",
    "load_trusted",
    "plain_vocabularies",
    "save_model",
]

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"

# Types skops does not trust by default that a tone pipeline legitimately holds.
TRUSTED_TYPES: tuple[str, ...] = (
    "classifier.features.StyleFeatures",
    "classifier.normalise.mask_text",
    "classifier.sentence.SentenceFeatures",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.GroupKFold",
)


def plain_vocabularies(estimator: Any) -> None:
    """Make the fitted vocabularies in ``estimator`` map terms to Python ints, in place.

    With ``max_features`` set, scikit-learn leaves NumPy integers in a fitted
    vocabulary, and skops stores each NumPy integer as a file of its own: the
    default model held 21,391 of them and took 4.4 s to load. Python ints are
    stored in the archive's JSON schema instead (0.8 s). The indices, and so
    every score, are unchanged.

    >>> from sklearn.feature_extraction.text import CountVectorizer
    >>> counts = CountVectorizer(max_features=1).fit(["tone learns", "tone hedges"])
    >>> type(counts.vocabulary_["tone"]).__name__
    'int64'
    >>> plain_vocabularies(counts)
    >>> counts.vocabulary_
    {'tone': 0}
    >>> type(counts.vocabulary_["tone"]).__name__
    'int'
    """
    parts = [estimator]
    if hasattr(estimator, "get_params"):
        parts.extend(estimator.get_params(deep=True).values())
    for part in parts:
        if isinstance(part, CountVectorizer) and hasattr(part, "vocabulary_"):
            part.vocabulary_ = {
                term: int(index) for term, index in part.vocabulary_.items()
            }


def save_model(model: ToneModel, directory: str | Path) -> Path:
    """Write ``model`` into ``directory`` (created if needed) and return it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for pipeline in (model.pipeline, *model.sentence_pipelines):
        plain_vocabularies(pipeline)
    sio.dump(
        {"article": model.pipeline, "sentences": list(model.sentence_pipelines)},
        directory / MODEL_FILE,
    )
    metadata = {
        **model.metadata,
        "version": model.version,
        "passage_words": model.passage_words,
        "sentence_offset": model.sentence_offset,
    }
    (directory / METADATA_FILE).write_text(
        json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return directory


def load_trusted(
    model_file: Path,
    metadata_file: Path,
    trusted: Sequence[str],
    *,
    what: str,
    origin: str,
    build: str,
    rebuild: str,
) -> tuple[Any, dict[str, Any]]:
    """Load a skops file and its JSON metadata, refusing any type not in ``trusted``.

    ``what`` names the thing in messages ("model"), ``origin`` where trusted files
    come from, ``build`` how to make one and ``rebuild`` how to replace a damaged one.

    Raises
    ------
    ModelFileError
        If a file is missing, truncated or damaged, or holds an untrusted type.
    """
    directory = model_file.parent
    if directory.is_file():
        raise ModelFileError(
            f"{directory} is a file: give the directory that holds the {what}'s "
            f"{model_file.name}"
        )
    # A relative path is read from the working directory, which the user may
    # not be in: say which one.
    where = directory if directory.is_absolute() else f"{directory} (in {Path.cwd()})"
    for path in (model_file, metadata_file):
        if not path.is_file():
            raise ModelFileError(
                f"No {what} at {where}: {path.name} is missing. {build}"
            )
    try:
        metadata: dict[str, Any] = json.loads(metadata_file.read_text("utf-8"))
        # One pass over the file: skops refuses any type outside its own defaults
        # and ``trusted`` before it builds anything. Listing the untrusted types
        # first walked the whole tree twice (0.7 of 1.4 s for the default model).
        return sio.load(model_file, trusted=list(trusted)), metadata
    except (OSError, ValueError, zipfile.BadZipFile, KeyError) as error:
        raise ModelFileError(
            f"The {what} in {directory} is damaged ({error.__class__.__name__}); "
            f"{rebuild}."
        ) from error
    except UntrustedTypesFoundException:
        # Only now is the tree walked again, to name what was refused.
        refused = sorted(set(sio.get_untrusted_types(file=model_file)) - set(trusted))
        raise ModelFileError(
            f"The {what} in {directory} holds types tone does not trust: "
            f"{', '.join(refused)}. Only load {what}s {origin}."
        ) from None
    except Exception as error:  # skops raises many kinds on a damaged file
        raise ModelFileError(
            f"The {what} in {directory} could not be loaded "
            f"({error.__class__.__name__}: {error}); {rebuild}."
        ) from error


def load_model(directory: str | Path) -> ToneModel:
    """Load the model saved in ``directory``, refusing anything not trusted.

    Raises
    ------
    ModelFileError
        If a file is missing, truncated or damaged, or holds an untrusted type.
    """
    directory = Path(directory)
    loaded, metadata = load_trusted(
        directory / MODEL_FILE,
        directory / METADATA_FILE,
        TRUSTED_TYPES,
        what="model",
        origin="built by `tone train`",
        build="Build one with `tone train`, or name one (--model, TONE_MODEL_DIR).",
        rebuild="retrain it with `tone train`",
    )
    try:
        # Files written before the sentence model hold the article pipeline alone.
        parts = loaded if isinstance(loaded, dict) else {"article": loaded}
        return ToneModel(
            pipeline=parts["article"],
            version=str(metadata["version"]),
            passage_words=int(metadata.get("passage_words", 300)),
            metadata=metadata,
            sentence_pipelines=list(parts.get("sentences", [])),
            sentence_offset=float(metadata.get("sentence_offset", 0.0)),
        )
    except Exception as error:  # metadata or contents of an incompatible version
        raise ModelFileError(
            f"The model in {directory} could not be loaded "
            f"({error.__class__.__name__}: {error}); retrain it with `tone train`."
        ) from error
