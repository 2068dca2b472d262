"""Review warnings: location-only answers, rectificatie hints, unknown keys, stale citations."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.nvi.models import BELEIDSVRAAG
from assistant.nvi.review import (
    LOCATION_ONLY,
    NO_ANSWER,
    RECTIFICATIE,
    implies_correction,
    only_refers,
    warnings,
)


@pytest.mark.parametrize(
    "answer",
    [
        "Zie paragraaf 3.2.",
        "Zie paragraaf 2.7 van het inkoopdocument [1].",
        "Wij verwijzen u naar pagina 12 van het Inkoopdocument.",
        "Zie het antwoord op vraag 14.",
        "Dit staat beschreven in bijlage 2, artikel 4.1.",
        "Conform hoofdstuk 5 van de leidraad.",
    ],
)
def test_answers_that_only_point_somewhere(answer: str) -> None:
    assert only_refers(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "De inschrijving sluit op 15 januari 2026 om 12:00 uur [1].",
        "Zie paragraaf 2.7: het tarief wordt jaarlijks geïndexeerd met de OVA-index en "
        "bekendgemaakt voor 1 juli [1].",
        "Ja, dat klopt.",
        "",
    ],
)
def test_substantive_answers_are_not_flagged(answer: str) -> None:
    assert not only_refers(answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "In paragraaf 3 staat 1 juli maar in bijlage 2 staat 1 augustus; dit is tegenstrijdig.",
            True,
        ),
        ("Klopt het niet dat het tarief in tabel 4 onjuist is berekend?", True),
        ("Er lijkt een typefout in artikel 5 te staan.", True),
        ("Het document verwijst naar bijlage 7, maar die ontbreekt.", True),
        ("Paragraaf 3.1 en paragraaf 5.2 spreken elkaar tegen. Wat geldt?", True),
        ("In tabel 2 staat 4% en in de tekst 5%. Welk percentage is juist?", True),
        ("Welke versie is leidend?", True),
        ("Wat is de uiterste datum voor inschrijving?", False),
        ("Hoe hoog is het tarief voor begeleiding?", False),
    ],
)
def test_questions_that_point_at_a_mistake_in_the_documents(question: str, expected: bool) -> None:
    assert implies_correction(question) is expected


CITE: dict[str, Any] = {
    "key": 1,
    "source": "corpus/inkoop.pdf",
    "title": "Inkoopdocument",
    "page": 4,
    "quote": "De inschrijving sluit op 15 januari 2026.",
}


def test_a_good_answer_has_no_warnings() -> None:
    found = warnings(
        "De inschrijving sluit op 15 januari 2026 [1].",
        "gecontroleerd",
        ["Wanneer sluit de inschrijving?"],
        [CITE],
        [],
        verifies=lambda c: True,
    )
    assert found == []


def test_every_problem_is_named_in_dutch() -> None:
    found = warnings(
        "Zie paragraaf 3 [1][2].",
        "concept",
        ["Tot wanneer?", "Bijlage 2 zegt iets anders dan paragraaf 3; welke klopt?"],
        [CITE],
        [],
        verifies=lambda c: False,
    )
    assert found[0] == LOCATION_ONLY
    assert found[1] == RECTIFICATIE
    assert found[2] == "Het antwoord noemt [2], maar daar hoort geen bron bij."
    assert found[3].startswith("Bron [1] (Inkoopdocument, p. 4) komt niet meer voor")
    assert len(found) == 4


def test_empty_answers_and_policy_questions() -> None:
    assert warnings("", "nieuw", ["Vraag?"], [], []) == [NO_ANSWER]
    assert warnings("", "concept", ["Vraag?"], [], [BELEIDSVRAAG]) == [
        "Beleidsvraag — handmatig beantwoorden."
    ]
    # a written answer to a policy question needs no source; any other definitief answer does
    assert warnings("Nee, dat doen wij niet.", "definitief", ["Vraag?"], [], [BELEIDSVRAAG]) == []
    assert warnings("Nee.", "definitief", ["Vraag?"], [], []) == [
        "Definitief antwoord zonder bron: controleer of dit klopt met de stukken."
    ]
