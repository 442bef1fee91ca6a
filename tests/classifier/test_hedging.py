from collections import Counter

import pytest

from classifier.hedging import (
    ALL_CATEGORIES,
    UNCERTAINTY_CATEGORIES,
    HedgeLexicon,
    default_lexicon,
    find_cues,
    is_hedged,
    score_hedging,
)


def cues(text: str) -> list[str]:
    return [c.text for c in find_cues(text)]


def test_lexicon_is_large_and_categorised() -> None:
    lexicon = default_lexicon()
    assert lexicon.size >= 150
    categories = Counter(
        e.category for entries in lexicon._by_first.values() for e in entries
    )
    assert set(categories) == {
        "modal",
        "epistemic_verb",
        "epistemic_adjective",
        "adverb",
        "attribution",
        "approximator",
        "weasel",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("The deal may collapse.", ["may"], id="modal-may"),
        pytest.param("The vote is in May.", [], id="may-the-month"),
        pytest.param("May 5 is the deadline.", [], id="may-month-sentence-start"),
        pytest.param("They met on 3 May and left.", [], id="may-after-number"),
        pytest.param("Officials could not confirm it.", [], id="could-not"),
        pytest.param("The plan could fail.", ["could"], id="could"),
        pytest.param("He pushed with all his might.", [], id="might-noun"),
        pytest.param("Prices might rise.", ["might"], id="might-modal"),
        pytest.param("Rents will rise next year.", [], id="will"),
        pytest.param("A book about the war.", [], id="about-preposition"),
        pytest.param("About 40 people came.", ["About"], id="about-number"),
        pytest.param("Some 300 jobs went.", ["Some"], id="some-number"),
        pytest.param(
            "It is believed the talks failed.", ["It is believed"], id="multiword"
        ),
        pytest.param("She reportedly resigned.", ["reportedly"], id="adverb"),
        pytest.param("Many critics disagree.", ["Many", "critics"], id="weasel"),
        pytest.param("Maria Lopez said the plant closed.", [], id="named-attribution"),
        pytest.param("The hall is rather small.", ["rather"], id="rather-somewhat"),
        pytest.param("They chose trains rather than cars.", [], id="rather-than"),
        pytest.param("He is best known for his novels.", ["best known"], id="peacock"),
        pytest.param(
            "The drug is known to cause headaches.", ["known to"], id="known-to"
        ),
        pytest.param(
            "Some contend the vote was rigged.", ["Some", "contend"], id="contend"
        ),
        pytest.param("A well-known singer arrived.", ["well-known"], id="well-known"),
        pytest.param(
            "It became his most popular song.", ["most popular"], id="superlative"
        ),
        pytest.param("An influential critic wrote.", ["influential"], id="influential"),
        # Found by the result-quality audit of 2026-12-04.
        pytest.param("This may take weeks.", ["may"], id="may-after-this"),
        pytest.param("Arriving late may cost seats.", ["may"], id="may-after-late"),
        pytest.param("The drug may one day cure it.", ["may"], id="may-one-day"),
        pytest.param("May said on Tuesday it was done.", [], id="may-name-opens"),
        pytest.param("May was the wettest month.", [], id="may-month-opens"),
        pytest.param("MAY DAY PARADE DRAWS THOUSANDS", [], id="may-headline"),
        pytest.param(
            "The talks might resume in may 2025.", ["might"], id="lower-may-date"
        ),
        pytest.param("China's naval might has grown.", [], id="might-possessive"),
        pytest.param("It used its financial might to win.", [], id="might-noun-to"),
        pytest.param("Might is right, he wrote.", [], id="might-noun-opens"),
        pytest.param("He said they might.", ["might"], id="might-elliptical"),
        pytest.param("The meeting lasted about an hour.", ["about"], id="about-a-unit"),
        pytest.param("About sixteen people died.", ["About"], id="number-teen"),
        pytest.param("Nearly twenty-five came.", ["Nearly"], id="number-hyphenated"),
        pytest.param("Up to two-thirds may strike.", ["Up to", "may"], id="fraction"),
        pytest.param("Prices rose over 2023, it said.", [], id="over-a-year"),
        pytest.param("The film is about 1968 and after.", [], id="about-a-year"),
        pytest.param("Over 2000 people attended.", ["Over"], id="over-a-figure"),
        pytest.param("He appeared in court on Monday.", [], id="appeared-in-court"),
        pytest.param("He appeared nervous.", ["appeared"], id="appeared-seeming"),
        pytest.param("The suspect was held.", [], id="suspect-noun"),
        pytest.param("Police suspect arson.", ["suspect"], id="suspect-verb"),
        pytest.param(
            "It was not immediately clear why.",
            ["not immediately clear"],
            id="not-immediately-clear",
        ),
        pytest.param(
            "The men are understood to have met.",
            ["are understood to"],
            id="are-understood-to",
        ),
        pytest.param(
            "A source close to him said so.", ["A source close to"], id="a-source"
        ),
        pytest.param("There is no doubt it fell.", [], id="no-doubt"),
        pytest.param("I doubt it will pass.", ["doubt"], id="doubt"),
        pytest.param("The think tank met.", [], id="think-tank"),
        pytest.param("It was reported to police.", [], id="reported-to-police"),
        pytest.param("He is reported to have fled.", ["is reported to"], id="reported"),
        pytest.param("They did not say how many died.", [], id="how-many"),
    ],
)
def test_find_cues(text: str, expected: list[str]) -> None:
    assert cues(text) == expected


def test_cue_offsets_and_categories() -> None:
    text = "Sources say it was reportedly sold for roughly 5 million."
    found = find_cues(text)
    assert [(c.text, c.category) for c in found] == [
        ("Sources say", "attribution"),
        ("reportedly", "adverb"),
        ("roughly", "approximator"),
    ]
    for cue in found:
        assert text[cue.start : cue.end] == cue.text


def test_score_hedging_counts_sentences() -> None:
    result, flags = score_hedging("It may rain. It rained. Perhaps it will again.")
    assert flags == [True, False, True]
    assert (result.hedged_sentences, result.sentences) == (2, 3)
    assert result.score == pytest.approx(2 / 3)


def test_score_hedging_of_empty_text() -> None:
    result, flags = score_hedging("")
    assert (result.score, result.sentences, flags) == (0.0, 0, [])


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown hedge rule 'sometimes'"):
        HedgeLexicon([("maybe", "adverb", "sometimes")])


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown hedge category 'vague'"):
        HedgeLexicon([("maybe", "vague", "-")])


def test_lexicon_from_tsv(tmp_path) -> None:
    path = tmp_path / "cues.tsv"
    path.write_text("# comment\nperchance\tadverb\t-\n", encoding="utf-8")
    assert [
        c.text for c in HedgeLexicon.from_tsv(path).find("Perchance to dream.")
    ] == ["Perchance"]


@pytest.mark.parametrize(
    ("text", "categories", "expected"),
    [
        pytest.param("About 40 people came.", ALL_CATEGORIES, True, id="approx-all"),
        pytest.param(
            "About 40 people came.", UNCERTAINTY_CATEGORIES, False, id="approx-unc"
        ),
        pytest.param(
            "About 40 people may come.", UNCERTAINTY_CATEGORIES, True, id="both-unc"
        ),
        pytest.param("Nobody came.", ALL_CATEGORIES, False, id="no-cue"),
    ],
)
def test_is_hedged_counts_only_given_categories(
    text: str, categories: frozenset[str], expected: bool
) -> None:
    assert is_hedged(find_cues(text), categories) is expected


def test_uncertainty_categories_leave_out_approximators_only() -> None:
    assert {"approximator"} == ALL_CATEGORIES - UNCERTAINTY_CATEGORIES


def test_score_hedging_with_uncertainty_categories_keeps_every_cue() -> None:
    text = "Roughly 40 came. It may rain."
    result, flags = score_hedging(text, categories=UNCERTAINTY_CATEGORIES)
    assert flags == [False, True]
    assert result.hedged_sentences == 1
    assert [c.category for c in result.cues] == ["approximator", "modal"]
    assert score_hedging(text)[1] == [True, True]


def test_a_cue_never_runs_into_the_next_sentence() -> None:
    text = "Storm warning: rivers may\n\nbe at risk, the agency said."
    result, flags = score_hedging(text)
    assert [(c.text, c.start, c.end) for c in result.cues] == [("may", 22, 25)]
    assert flags == [True, False]


def test_unknown_categories_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown hedge category modals; use some of"):
        score_hedging("It may rain.", categories={"modals"})


def test_lexicon_takes_any_iterable() -> None:
    lexicon = HedgeLexicon(entry for entry in [("reportedly", "adverb", "-")])
    assert lexicon.size == 1
    assert [c.text for c in lexicon.find("She reportedly left.")] == ["reportedly"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The plan ma\u200by fail.", ["ma\u200by"]),
        ("Report\u200bedly, no.", ["Report\u200bedly"]),
        ("\ufeffSources\u200d say it is over.", ["Sources\u200d say"]),
        ("Approxi\u00admately 50 came.", ["Approxi\u00admately"]),
    ],
)
def test_invisible_characters_inside_words_hide_no_cue(
    text: str, expected: list[str]
) -> None:
    found = find_cues(text)
    assert [c.text for c in found] == expected
    assert all(text[c.start : c.end] == c.text for c in found)
