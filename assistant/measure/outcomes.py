"""The three outcomes of an answer as `inkoop eval --ask` counts them (issue 20): direct
answers right or wrong, passages that hold the answer, unanswerable questions answered; and the
tuning/checking split of a question set, so a rule is decided on one half and checked on the
other. Pure: case results in, counts out."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence

from assistant.measure.scoring import CaseResult, EvalCase, contains_all, source_matches, verdict
from assistant.models import Answer

OUTCOME_COLUMNS = (
    "direct right",
    "passages hold it",
    "in view",
    "wrong direct",
    "unanswerable answered",
    "passages",
    "none",
)


def passages_hold(case: EvalCase, answer: Answer) -> bool:
    """True when a "hier staat het waarschijnlijk" passage shown holds every expected string
    (from an expected source, when the case names sources)."""
    if not case.answer_contains:
        return False
    return any(
        contains_all(p.text, case.answer_contains)
        and (not case.expected or any(source_matches(e.source, p.source) for e in case.expected))
        for p in answer.passages
    )


def outcome_counts(results: Sequence[CaseResult]) -> dict[str, Counter[str]]:
    """Per question kind and "all": direct answers right, answerable cases whose shown
    passages hold the answer, answer in view (either), wrong direct answers to answerable
    cases, unanswerable cases answered directly, and how many ended as passages or none."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        a = r.answer
        if a is None:
            continue
        v = verdict(r.case, a)
        flags = {
            "direct right": v == "right",
            "passages hold it": r.case.answerable and a.refused and passages_hold(r.case, a),
            "wrong direct": v == "wrong" and r.case.answerable,
            "unanswerable answered": v == "wrong" and not r.case.answerable,
            "passages": a.outcome == "passages",
            "none": a.outcome == "none",
        }
        row = Counter({name: int(flag) for name, flag in flags.items()})  # counts, not bools
        row["in view"] = row["direct right"] + row["passages hold it"]
        for kind in (r.case.kind or "-", "all"):
            table[kind].update(row)
            table[kind]["cases"] += 1
            table[kind]["answerable"] += r.case.answerable
    return dict(table)


def half_of(question: str) -> str:
    """"tune" or "check": the half of a question set a question belongs to, by a hash of its
    text (crc32, stable across runs and machines), so rules are decided on one half and
    checked on the other (issue 20)."""
    return "tune" if zlib.crc32(question.encode("utf-8")) % 2 == 0 else "check"
