from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import ToneModel, load_model, save_model
from classifier.persistence import MODEL_FILE
from classifier.sentence import SENTENCE_FEATURES, SentenceFeatures
from training.train import fit_sentence_model

OPINION_SENTENCE = "This shameful deal is a disgrace, and we should say so."
REPORTING_SENTENCE = "The council voted 7-4 on Tuesday, a spokesman said."


@pytest.fixture(scope="module")
def with_sentences(model: ToneModel, articles: pd.DataFrame) -> ToneModel:
    events = sorted(articles["event"].unique())[:60]
    small = articles[articles["event"].isin(events)].reset_index(drop=True)
    pipelines, offset, provenance = fit_sentence_model(small, checkthat=False)
    assert provenance["data"] == ["own article sentences"] and offset == 0.0
    return ToneModel(
        pipeline=model.pipeline,
        version="test-sentences",
        sentence_pipelines=pipelines,
        sentence_offset=offset,
        metadata={"sentence_model": provenance},
    )


def test_the_lexicon_file_holds_every_category_and_no_other() -> None:
    from classifier.sentence import _LEXICON_CATEGORIES, _lexicons

    lexicons = _lexicons()
    assert set(lexicons) == set(_LEXICON_CATEGORIES)
    assert all(lexicon.words for lexicon in lexicons.values())


def test_lexicon_counts_match_a_scan_of_each_category(articles) -> None:
    """One lookup per token counts what twelve set scans and the phrases count."""
    from classifier.normalise import normalise_text
    from classifier.sentence import (
        _LEXICON_CATEGORIES,
        _LOWER_TOKEN,
        _lexicon_counts,
        _lexicons,
    )

    lexicons = _lexicons()
    sentences = [s for text in articles["text"][:60] for s in text.split(". ")]
    for sentence in sentences:
        lowered = normalise_text(sentence).lower()
        tokens = _LOWER_TOKEN.findall(lowered)
        expected = []
        for name in _LEXICON_CATEGORIES:
            lexicon = lexicons[name]
            found = sum(1 for token in tokens if token in lexicon.words)
            if lexicon.phrases is not None:
                found += len(lexicon.phrases.findall(lowered))
            expected.append(found)
        assert _lexicon_counts(lowered, tokens) == expected, sentence


def _scanned_counts(sentence: str) -> list[int]:
    """The lexicon, pattern and quote counts by full regex scans, no shortcuts."""
    import re

    from classifier.normalise import normalise_text
    from classifier.sentence import (
        _LEXICON_CATEGORIES,
        _LOWER_TOKEN,
        _PATTERNS,
        _SHORT_QUOTE,
        _lexicons,
    )

    text = normalise_text(sentence)
    lowered = text.lower()
    tokens = _LOWER_TOKEN.findall(lowered)
    row = []
    for name in _LEXICON_CATEGORIES:
        lexicon = _lexicons()[name]
        found = sum(1 for token in tokens if token in lexicon.words)
        if lexicon.phrases is not None:
            found += len(lexicon.phrases.findall(lowered))
        row.append(found)
    row += [len(p.pattern.findall(lowered)) for p in _PATTERNS.values()]
    row += [len(re.findall(r"[\"\u201c\u201d]", text)), len(_SHORT_QUOTE.findall(text))]
    row += [
        text.count("?"),
        text.count("!"),
        len(re.findall(r"\d", text)),
        len(re.findall(r"(?<=\s)[A-Z][a-z]+", text)),
        len(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text)),
        text.count(":") + text.count(" - ") + text.count("\u2014"),
    ]
    return row


_FRAGMENTS = [
    "more",
    "less",
    "than",
    "THAN",
    "most",
    "least",
    "best",
    "west",
    "est",
    "harder than",
    "of course",
    "in fact",
    "according to",
    "it is clear",
    '"',
    "\u201c",
    "\u201d",
    "'",
    "-",
    " ",
    "\n",
    ".",
    "we",
    "must",
    "Bigger",
    "don't",
    "rock'n'roll",
    "x_y",
    "well-worn",
    "\u212a",  # Kelvin sign: lower-cases to an ASCII "k"
    "\u0130stanbul",  # lower-cases to "i" and a combining dot
    "caf\u00e9",
    "40",
]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_shortcut_counts_match_full_scans_on_any_mix(sentence: str) -> None:
    from classifier.sentence import _counts

    assert list(_counts.__wrapped__(sentence)) == _scanned_counts(sentence)


def test_shortcut_counts_match_full_scans_on_the_corpus(articles) -> None:
    from classifier.sentence import _counts

    sentences = [s for text in articles["text"][:80] for s in text.split(". ")]
    for sentence in sentences:
        assert list(_counts.__wrapped__(sentence)) == _scanned_counts(sentence)


@pytest.mark.parametrize(
    ("sentence", "feature"),
    [
        pytest.param("What a truly shameful deal.", "evaluative", id="evaluative"),
        pytest.param("This is a radical agenda.", "loaded", id="loaded"),
        pytest.param("It was really very late.", "intensifier", id="intensifier"),
        pytest.param("The board must resign.", "obligation", id="obligation"),
        pytest.param("Police said two men were held.", "attribution", id="said"),
        pytest.param('The "reform" is a tax.', "short_quotes", id="scare-quote"),
        pytest.param("Prices rose 4 percent.", "digits", id="digits"),
    ],
)
def test_lexicon_features_fire(sentence: str, feature: str) -> None:
    row = SentenceFeatures().fit_transform([sentence, "Xyz."])
    column = SENTENCE_FEATURES.index(feature)
    assert row[0, column] > 0 and row[1, column] == 0


def test_sentence_probabilities_are_the_sentence_model(
    with_sentences: ToneModel, model: ToneModel
) -> None:
    texts = [OPINION_SENTENCE, REPORTING_SENTENCE]
    p = with_sentences.sentence_probabilities(texts)
    assert p.shape == (2,) and np.all((p >= 0) & (p <= 1))
    assert p[0] > 0.5 > p[1]
    # The article pipeline no longer scores sentences...
    assert not np.allclose(p, model.sentence_probabilities(texts))
    # ...but still scores articles.
    assert with_sentences.opinion_probability(texts) == pytest.approx(
        model.opinion_probability(texts)
    )
    assert with_sentences.sentence_probabilities([]).shape == (0,)


def test_offset_moves_the_decision_point(with_sentences: ToneModel) -> None:
    shifted = ToneModel(
        pipeline=with_sentences.pipeline,
        version="shifted",
        sentence_pipelines=with_sentences.sentence_pipelines,
        sentence_offset=2.0,
    )
    texts = [OPINION_SENTENCE, REPORTING_SENTENCE]
    assert np.all(
        shifted.sentence_probabilities(texts)
        < with_sentences.sentence_probabilities(texts)
    )


def test_a_sentence_pipeline_with_other_labels_is_refused(
    with_sentences: ToneModel,
) -> None:
    from classifier.sentence import build_sentence_pipeline

    other = build_sentence_pipeline(calibration_folds=2).fit(
        ["good", "bad", "nice", "awful"] * 3, ["pos", "neg", "pos", "neg"] * 3
    )
    with pytest.raises(ValueError, match="sentence pipeline must be fitted"):
        ToneModel(
            pipeline=with_sentences.pipeline, version="x", sentence_pipelines=[other]
        )


def test_saved_with_the_article_pipeline(
    with_sentences: ToneModel, tmp_path: Path
) -> None:
    loaded = load_model(save_model(with_sentences, tmp_path / "m"))
    texts = [OPINION_SENTENCE, REPORTING_SENTENCE]
    assert len(loaded.sentence_pipelines) == 1
    assert loaded.sentence_probabilities(texts) == pytest.approx(
        with_sentences.sentence_probabilities(texts)
    )
    assert loaded.metadata["sentence_model"]["data"] == ["own article sentences"]


def test_a_file_from_before_the_sentence_model_still_loads(
    model: ToneModel, model_dir: Path, tmp_path: Path
) -> None:
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "metadata.json").write_text(
        (model_dir / "metadata.json").read_text(), encoding="utf-8"
    )
    sio.dump(model.pipeline, legacy / MODEL_FILE)
    loaded = load_model(legacy)
    assert loaded.sentence_pipelines == []
    assert loaded.sentence_probabilities([OPINION_SENTENCE]) == pytest.approx(
        model.sentence_probabilities([OPINION_SENTENCE])
    )
