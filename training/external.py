"""Readers for the published corpora under the configured corpora path.

None of these files is ever copied into the repository; every reader takes the
corpora directory (``TONE_CORPORA``, by default ``../shared/corpora`` beside the
project) and raises :class:`CorpusNotFoundError` when its corpus is not there.
"""

import csv
import os
import re
from pathlib import Path

import pandas as pd

from training.corpora import DEFAULT_CORPORA_DIR, EXTERNAL_CORPORA
from training.exceptions import CorpusNotFoundError

__all__ = [
    "EXTERNAL_CORPORA",
    "default_corpora_dir",
    "detokenise",
    "load_brown",
    "load_checkthat",
    "load_conll_hedging",
    "load_external",
]

BROWN_LABELS = {"news": "reporting", "editorial": "opinion", "reviews": "opinion"}


def default_corpora_dir() -> Path:
    """``$TONE_CORPORA`` if set, else ``../shared/corpora`` beside the project."""
    configured = os.environ.get("TONE_CORPORA")
    if configured:
        return Path(configured)
    return DEFAULT_CORPORA_DIR


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise CorpusNotFoundError(
            f"{what} not found at {path}; set TONE_CORPORA to the folder that holds it."
        )
    return path


_DETOK = [
    (re.compile(r"``\s*"), '"'),
    (re.compile(r"\s*''"), '"'),
    (re.compile(r"\s+([.,;:!?%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$])\s+"), r"\1"),
    (re.compile(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE), r"\1"),
    (re.compile(r"\s+--\s+"), " - "),
]


def detokenise(text: str) -> str:
    """Undo Brown's tokenisation so its text reads like modern raw copy.

    Examples
    --------
    >>> detokenise("`` It 's late '' , he said ( again ) .")
    '"It\\'s late", he said (again).'
    """
    for pattern, replacement in _DETOK:
        text = pattern.sub(replacement, text)
    return text


def load_brown(corpora: str | Path | None = None) -> pd.DataFrame:
    """Brown press samples: ``news`` = reporting, ``editorial``/``reviews`` = opinion.

    One row per sample (about 2,000 words), paragraphs kept, text detokenised;
    columns ``id``, ``category``, ``label``, ``text``, ``group`` (the sample).
    """
    corpora = Path(corpora) if corpora else default_corpora_dir()
    nltk_data = _require(corpora / "nltk_data", "NLTK data (Brown)")
    _require(nltk_data / "corpora" / "brown.zip", "The Brown corpus")
    import nltk

    # NLTK only opens corpora found on its data path (NLTK_DATA); add ours to it.
    if str(nltk_data) not in nltk.data.path:
        nltk.data.path.insert(0, str(nltk_data))
    from nltk.corpus import brown as reader

    rows = []
    for category, label in BROWN_LABELS.items():
        for fileid in reader.fileids(categories=category):
            paragraphs = [
                detokenise(" ".join(" ".join(w for w in sent) for sent in para))
                for para in reader.paras(fileid)
            ]
            rows.append(
                {
                    "id": fileid,
                    "category": category,
                    "label": label,
                    "text": "\n\n".join(paragraphs),
                    "group": fileid,
                }
            )
    return pd.DataFrame(rows)


def load_checkthat(
    split: str = "dev_test", corpora: str | Path | None = None
) -> pd.DataFrame:
    """CheckThat! 2025 English subjectivity: SUBJ = opinion, OBJ = reporting."""
    corpora = Path(corpora) if corpora else default_corpora_dir()
    path = _require(
        corpora / "checkthat2025-subjectivity-en" / f"{split}_en.tsv",
        f"CheckThat! split {split!r}",
    )
    frame = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, dtype=str)
    frame = frame.rename(columns={"sentence_id": "id", "sentence": "text"})
    frame["label"] = frame["label"].map({"SUBJ": "opinion", "OBJ": "reporting"})
    return frame[["id", "text", "label"]].dropna().reset_index(drop=True)


def load_conll_hedging(
    split: str = "test", corpora: str | Path | None = None
) -> pd.DataFrame:
    """CoNLL-2010 Wikipedia sentences: ``hedged`` is True for the uncertain class."""
    corpora = Path(corpora) if corpora else default_corpora_dir()
    path = _require(
        corpora / "conll2010-wikipedia-uncertainty" / f"{split}.csv",
        f"CoNLL-2010 split {split!r}",
    )
    frame = pd.read_csv(path, dtype={"text": str})
    frame["text"] = frame["text"].str.strip()
    frame["hedged"] = frame["label"].astype(int) == 1
    return frame[["text", "hedged"]]


def load_external(name: str, corpora: str | Path | None = None) -> pd.DataFrame:
    """Load an external corpus by the name ``tone evaluate`` uses."""
    loaders = {
        "brown": lambda: load_brown(corpora),
        "checkthat": lambda: load_checkthat("dev_test", corpora),
        "conll-hedging": lambda: load_conll_hedging("test", corpora),
    }
    if name not in loaders:
        raise ValueError(
            f"Unknown corpus {name!r}; choose one of {', '.join(EXTERNAL_CORPORA)}."
        )
    return loaders[name]()
