"""`inkoop eval --ask`'s outcome counts (issue 20) and the tuning/checking split."""

from __future__ import annotations

from assistant.measure.outcomes import half_of, outcome_counts
from assistant.measure.scoring import CaseResult, EvalCase, Expected
from assistant.models import Answer, Citation, Passage


def _cite(quote: str) -> Citation:
    return Citation(1, "brief.txt", "Brief", 1, "", "", quote, 0.5)


def _passage(text: str) -> Passage:
    return Passage(1, "brief.txt", "Brief", 1, "", "", text, text, 0.5)


def test_outcomes_count_direct_answers_passages_and_wrong_ones() -> None:
    when = EvalCase("Wanneer?", (Expected("brief.txt"),), True, ("1 januari 2026",), "when")
    none = EvalCase("Hoeveel?", (), False, (), "how-many")
    results = [
        CaseResult(when, (), Answer("q", "1 januari 2026 [1]", False, (_cite("1 januari 2026"),))),
        CaseResult(when, (), Answer("q", "x", True, passages=(_passage("Op 1 januari 2026."),))),
        CaseResult(when, (), Answer("q", "februari [1]", False, (_cite("februari"),))),
        CaseResult(none, (), Answer("q", "Twee [1]", False, (_cite("Twee"),))),
        CaseResult(none, (), Answer("q", "Dit staat niet ...", True)),
    ]
    table = outcome_counts(results)
    assert table["when"] == {
        "direct right": 1,
        "passages hold it": 1,
        "in view": 2,
        "wrong direct": 1,
        "unanswerable answered": 0,
        "passages": 1,
        "none": 0,
        "cases": 3,
        "answerable": 3,
    }
    assert table["all"]["unanswerable answered"] == 1 and table["all"]["none"] == 1
    assert all(isinstance(v, int) and not isinstance(v, bool) for v in table["how-many"].values())


def test_the_halves_are_stable_and_split_a_set() -> None:
    questions = [f"Vraag {i}?" for i in range(200)]
    halves = [half_of(q) for q in questions]
    assert halves == [half_of(q) for q in questions]  # no randomness, no clock
    assert 60 < halves.count("tune") < 140
    assert half_of("Wanneer is de gunning?") in ("tune", "check")
