"""The Q&A-pair association measurement (issue 20): pairs read from Markdown FAQ shapes, the
table learned from them, and the ranking it is measured with."""

from __future__ import annotations

from assistant.measure.qa_pairs import (
    QAPair,
    folds,
    idf_of,
    learn,
    pairs_from_markdown,
    reciprocal_rank,
    stems,
)

FAQ = """# Vragen

| **Vragen** | **Antwoorden** |
| --- | --- |
| Hoe lang duurt de beoordeling van mijn aanvraag? | Het zorgkantoor besluit binnen zes weken. |

## Wanneer krijg ik uitsluitsel over mijn aanvraag?

Het zorgkantoor besluit uiterlijk 1 maart over elke aanvraag.

## Geen vraag

Tekst zonder vraag.
"""


def test_pairs_are_read_from_table_rows_and_asking_headings() -> None:
    pairs = pairs_from_markdown(FAQ)
    assert [p.question for p in pairs] == [
        "Hoe lang duurt de beoordeling van mijn aanvraag?",
        "Wanneer krijg ik uitsluitsel over mijn aanvraag?",
    ]
    assert pairs[1].answer.startswith("Het zorgkantoor besluit uiterlijk")


def test_an_association_is_learned_only_from_repeated_pairs() -> None:
    pairs = [
        QAPair("Wanneer krijg ik uitsluitsel?", "Het zorgkantoor besluit in maart."),
        QAPair("Wanneer volgt het uitsluitsel?", "Het zorgkantoor besluit in april."),
        QAPair("Wat kost een verklaring?", "De verklaring kost 41 euro."),
    ]
    table = learn(pairs, min_pairs=2, min_lift=1.0)
    uitsluitsel = next(iter(stems("uitsluitsel")))
    assert table.strength(uitsluitsel, stems("Wij besluiten snel.")) > 0
    assert table.strength(uitsluitsel, stems("De verklaring kost geld.")) == 0
    assert learn(pairs, min_pairs=3).table == {}


def test_the_ranking_counts_the_right_answer() -> None:
    answers = ["Het zorgkantoor besluit binnen zes weken.", "De verklaring kost 41 euro."]
    idf = idf_of(answers)
    assert reciprocal_rank("Wat kost de verklaring?", answers, 1, idf, None) == 1.0
    assert reciprocal_rank("Wat kost de verklaring?", answers, 0, idf, None) == 0.5
    splits = list(folds([QAPair(str(i), str(i)) for i in range(10)], 5))
    assert len(splits) == 5 and all(len(test) == 2 for _, test in splits)
