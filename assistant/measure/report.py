"""`inkoop eval`'s printed tables: retrieval and answer metrics, answerers side by side, and
verdicts and outcomes per question kind. Pure: metrics in, aligned text out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.measure.outcomes import OUTCOME_COLUMNS, outcome_counts
from assistant.measure.scoring import (
    VERDICTS,
    AnswerMetrics,
    CaseResult,
    Metrics,
    verdicts_by_kind,
)


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def _aligned(rows: Sequence[Sequence[str]], numbers_right: bool = False) -> str:
    """Rows as aligned columns; with `numbers_right` every column after the first is
    right-aligned (counts)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def cell(i: int, text: str, width: int) -> str:
        return text.rjust(width) if numbers_right and i else text.ljust(width)

    return "\n".join(
        "  ".join(cell(i, c, w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        for row in rows
    )


def format_table(m: Metrics, answers: bool = True) -> str:
    """The metrics as an aligned two-column table; `answers=False` leaves out answer rows."""
    rows = [
        ("cases", str(m.cases)),
        ("with expected section", str(m.section_cases)),
        ("R@1", _num(m.recall_at_1)),
        ("R@5", _num(m.recall_at_5)),
        ("R@10", _num(m.recall_at_10)),
        ("MRR@10", _num(m.mrr_at_10)),
        (f"macro R@5 ({m.distinct_sections} sections)", _num(m.macro_recall_at_5)),
        (
            f"R@5 without § {m.dominant_section} ({m.dominant_cases} cases)",
            _num(m.recall_at_5_without_dominant),
        ),
        (f"page hit@5 ({m.page_cases} cases)", _num(m.page_hit_at_5)),
    ]
    if answers:
        rows += [
            (f"refusal precision ({m.refused} of {m.asked} refused)", _num(m.refusal_precision)),
            (f"refusal recall ({m.unanswerable} unanswerable)", _num(m.refusal_recall)),
            ("answer contains", _num(m.answer_contains)),
            (f"citations verified ({m.citations})", _num(m.citation_verified)),
        ]
    rows.append(("retrieval ms, median / mean", f"{_num(m.median_ms)} / {_num(m.mean_ms)}"))
    return _aligned(rows)


def format_comparison(compared: Mapping[str, AnswerMetrics]) -> str:
    """Answerers side by side, one column each: quality, fallbacks and latency per answer."""

    def share(rate: float | None, of: int) -> str:  # "0.750 (3/4)"
        return "-" if rate is None else f"{rate:.3f} ({round(rate * of)}/{of})"

    def millis(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    columns = list(compared.values())
    rows = [
        ("", *compared),
        ("answers", *(str(m.asked) for m in columns)),
        ("answer contains", *(share(m.answer_contains, m.contains_cases) for m in columns)),
        ("refused", *(share(m.refusal_rate, m.asked) for m in columns)),
        ("citations verified", *(share(m.citation_verified, m.citations) for m in columns)),
        ("fell back to extractive", *(share(m.fallback_rate, m.asked) for m in columns)),
        ("answer ms, mean", *(millis(m.mean_ms) for m in columns)),
        ("answer ms, p50", *(millis(m.p50_ms) for m in columns)),
        ("answer ms, p95", *(millis(m.p95_ms) for m in columns)),
    ]
    return _aligned(rows)


def format_verdicts(results: Sequence[CaseResult]) -> str:
    """Per question kind and overall: answered right, refused right, refused although
    answerable, and wrong answers."""
    table = verdicts_by_kind(results)
    if not table:
        return ""
    kinds = [*sorted(k for k in table if k != "all"), "all"]
    rows: list[tuple[str, ...]] = [("kind", "cases", *VERDICTS)]
    for kind in kinds:
        counts = table[kind]
        rows.append((kind, str(sum(counts.values())), *(str(counts[v]) for v in VERDICTS)))
    outcomes = outcome_counts(results)
    shown: list[tuple[str, ...]] = [("kind", "cases", "answerable", *OUTCOME_COLUMNS)]
    for kind in kinds:
        counts = outcomes[kind]
        shown.append((kind, *(str(counts[c]) for c in ("cases", "answerable", *OUTCOME_COLUMNS))))
    return (
        _aligned(rows, numbers_right=True)
        + "\n\noutcomes (in view = direct right or the answer inside a passage shown):\n"
        + _aligned(shown, numbers_right=True)
    )
