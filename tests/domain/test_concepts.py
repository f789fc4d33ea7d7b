"""The concept finder: word patterns, typos, vetoes, negation and rules."""

from __future__ import annotations

import pytest

from bot.domain.concepts import Lexicon, rule, sentences
from bot.domain.safety import normalize

LEXICON = Lexicon(
    {
        "faint": "fainted|desmay*|ohnmachtig*|pass out|обморок*",
        "!faint": "pass out the",
        "chest": "chest|грудь",
        "pain": "pain|hurts|болит",
        "numb": "numb|kann _ nicht bewegen",
        "urine": "orina",
    },
    normalize,
)


def concepts(text: str) -> set[str]:
    return {
        hit.concept for sentence in sentences(LEXICON, normalize(text)) for hit in sentence.hits
    }


def live_concepts(text: str) -> set[str]:
    return {
        hit.concept
        for sentence in sentences(LEXICON, normalize(text))
        for hit in sentence.hits
        if not hit.negated
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("I fainted", {"faint"}, id="exact"),
        pytest.param("me desmayé", {"faint"}, id="prefix-and-diacritic"),
        pytest.param("me desmayaron", {"faint"}, id="prefix-other-ending"),
        pytest.param("ohnmaechtig", {"faint"}, id="umlaut-spelled-out"),
        pytest.param("ОБМОРОКА", {"faint"}, id="russian-case"),
        pytest.param("i fianted", {"faint"}, id="swapped-letters"),
        pytest.param("i faintted", {"faint"}, id="extra-letter"),
        pytest.param("обморк", {"faint"}, id="missing-letter-short-word"),
        pytest.param("orrina", {"urine"}, id="extra-letter-five-letter-word"),
        pytest.param("i painted", set(), id="first-letter-never-a-typo"),
        pytest.param("el desayuno", set(), id="prefix-never-drops-a-letter-in-a-long-word"),
        pytest.param("chess", set(), id="short-words-need-exact-spelling"),
        pytest.param("i pass out", {"faint"}, id="phrase"),
        pytest.param("pass out the bands", set(), id="veto"),
        pytest.param("ich kann es nicht bewegen", {"numb"}, id="wildcard"),
    ],
)
def test_concepts_are_found_in_their_forms(text: str, expected: set[str]) -> None:
    assert concepts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("no chest pain", set(), id="negated"),
        pytest.param("I don't have any chest pain", set(), id="negation-reaches-four-words"),
        pytest.param("no idea why, but my chest hurts", {"chest", "pain"}, id="comma-ends-it"),
        pytest.param("nothing else and my chest hurts", {"chest", "pain"}, id="and-ends-it"),
        pytest.param("боли в груди нет", set(), id="russian-trailing-no"),
        pytest.param("чуть не упала в обморок", {"faint"}, id="nearly-is-not-a-negation"),
        pytest.param("afraid of fainted", set(), id="afraid-of-is-a-negation"),
        pytest.param("i'm afraid my chest hurts", {"chest", "pain"}, id="afraid-alone-is-not"),
    ],
)
def test_negations_reach_within_their_clause(text: str, expected: set[str]) -> None:
    found = live_concepts(text)

    assert found & {"chest", "pain", "faint"} == expected


def test_a_rule_needs_its_concepts_close_together() -> None:
    chest_pain = rule("chest", "pain", span=3)
    near, far, apart = sentences(
        LEXICON, normalize("my chest hurts. chest, legs, arms, back and then pain")
    ) + sentences(LEXICON, "pain")

    assert chest_pain.match(near) is not None
    assert chest_pain.match(far) is None
    assert chest_pain.match(apart) is None
