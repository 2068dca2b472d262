"""Pure scoring of a retrieval evaluation: cases and results in, numbers out (no I/O).

A retrieved passage is relevant to an expected section when its source matches the expected
file name or glob (by base name) and its section is that section or lies inside it.
"""

from __future__ import annotations

import fnmatch
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from assistant.measure.stats import percentile
from assistant.models import Answer, fell_back
from assistant.verify.citations import normalize_ws, quote_on_page

if TYPE_CHECKING:
    from index.retriever import RetrievedChunk

PageText = Callable[[str, int], str | None]
DEPTHS = (1, 5, 10)


@dataclass(frozen=True)
class Expected:
    source: str  # file name or glob, matched against a source's base name
    section: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class EvalCase:
    question: str
    expected: tuple[Expected, ...] = ()
    answerable: bool = True
    answer_contains: tuple[str, ...] = ()
    kind: str = ""  # when, who, how-much, ... as the case file labels it


@dataclass(frozen=True)
class Passage:
    """What scoring and the per-case report need of a retrieved chunk."""

    source: str
    section: str
    page: int
    page_end: int
    score: float = 0.0
    text: str = ""

    @classmethod
    def of(cls, hit: RetrievedChunk) -> Passage:
        c = hit.chunk
        return cls(c.source, c.section, c.page, c.page_end, hit.score, c.text)


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    passages: tuple[Passage, ...]  # ranked, best first
    answer: Answer | None = None
    seconds: float = 0.0  # retrieval time
    answer_seconds: float = 0.0  # time the answerer took, model included


def section_contains(expected: str, actual: str) -> bool:
    """True when `actual` is `expected` or a subsection: "2.7" holds "2.7.3", not "2.70".
    Labels compare by their numbers: "3.19" matches "Artikel 3.19" and "§ 3.19"."""
    expected, actual = _section_number(expected), _section_number(actual)
    return bool(expected) and (actual == expected or actual.startswith(expected + "."))


def _section_number(label: str) -> str:
    found = re.search(r"\d+(?:\.\d+)*[a-z]?", label)
    return found.group(0) if found else label.strip().rstrip(".")


def source_matches(pattern: str, source: str) -> bool:
    """Match a file name or glob against a source's base name (or its whole path)."""
    return fnmatch.fnmatchcase(PurePath(source).name, pattern) or fnmatch.fnmatchcase(
        source, pattern
    )


def section_hit(passage: Passage, expected: Expected) -> bool:
    return (
        expected.section is not None
        and source_matches(expected.source, passage.source)
        and section_contains(expected.section, passage.section)
    )


def first_hit_rank(result: CaseResult, depth: int = 10) -> int | None:
    """1-based rank of the first passage in an expected section, within `depth`."""
    for rank, passage in enumerate(result.passages[:depth], start=1):
        if any(section_hit(passage, e) for e in result.case.expected):
            return rank
    return None


def has_sections(case: EvalCase) -> bool:
    return any(e.section for e in case.expected)


def recall_at(results: Sequence[CaseResult], k: int) -> float | None:
    """Share of cases with a section expectation that have a hit in the top k."""
    scored = [r for r in results if has_sections(r.case)]
    if not scored:
        return None
    return sum(first_hit_rank(r, k) is not None for r in scored) / len(scored)


def mean_reciprocal_rank(results: Sequence[CaseResult], depth: int = 10) -> float | None:
    scored = [r for r in results if has_sections(r.case)]
    if not scored:
        return None
    ranks = [first_hit_rank(r, depth) for r in scored]
    return sum(1 / rank for rank in ranks if rank) / len(scored)


def macro_recall(results: Sequence[CaseResult], k: int = 5) -> float | None:
    """Recall@k averaged per distinct expected section, so one big section cannot dominate."""
    per_section: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for r in results:
        for e in r.case.expected:
            if e.section:
                hit = any(section_hit(p, e) for p in r.passages[:k])
                per_section[(e.source, e.section)].append(hit)
    if not per_section:
        return None
    return statistics.fmean(sum(hits) / len(hits) for hits in per_section.values())


def dominant_section(cases: Iterable[EvalCase]) -> tuple[str, int] | None:
    """The most frequently expected section and its number of cases."""
    counts = Counter(s for c in cases for s in {e.section for e in c.expected if e.section})
    return counts.most_common(1)[0] if counts else None


def without_section(results: Sequence[CaseResult], section: str) -> list[CaseResult]:
    return [r for r in results if all(e.section != section for e in r.case.expected)]


def page_hit_rate(results: Sequence[CaseResult], k: int = 5) -> float | None:
    """Share of cases with an expected page whose top k holds a passage spanning that page."""
    scored = [r for r in results if any(e.page is not None for e in r.case.expected)]
    if not scored:
        return None

    def hit(r: CaseResult) -> bool:
        return any(
            e.page is not None
            and source_matches(e.source, p.source)
            and p.page <= e.page <= max(p.page, p.page_end)
            for e in r.case.expected
            for p in r.passages[:k]
        )

    return sum(hit(r) for r in scored) / len(scored)


def refusal_scores(results: Sequence[CaseResult]) -> tuple[float | None, float | None]:
    """Precision and recall of refusals, an unanswerable case refused being a true positive."""
    asked = [r for r in results if r.answer is not None]
    tp = sum(1 for r in asked if r.answer and r.answer.refused and not r.case.answerable)
    refused = sum(1 for r in asked if r.answer and r.answer.refused)
    unanswerable = sum(1 for r in asked if not r.case.answerable)
    return (tp / refused if refused else None, tp / unanswerable if unanswerable else None)


def contains_all(answer: str, expected: Iterable[str]) -> bool:
    """All expected strings occur in the answer, case-insensitive and whitespace-normalised."""
    text = normalize_ws(answer).casefold()
    return all(normalize_ws(s).casefold() in text for s in expected)


def answer_contains_rate(results: Sequence[CaseResult]) -> float | None:
    scored = [(r.answer, r.case) for r in results if r.answer and r.case.answer_contains]
    if not scored:
        return None
    return sum(contains_all(a.answer, c.answer_contains) for a, c in scored) / len(scored)


def citation_checks(answer: Answer, page_text: PageText) -> list[bool]:
    """For each citation: is its quote on the page it cites?"""
    return [quote_on_page(c.quote, page_text(c.doc_id, c.page)) for c in answer.citations]


def citation_verification_rate(answers: Iterable[Answer], page_text: PageText) -> float | None:
    checks = [ok for a in answers for ok in citation_checks(a, page_text)]
    return sum(checks) / len(checks) if checks else None


@dataclass(frozen=True)
class Metrics:
    cases: int
    section_cases: int  # cases with an expected section: the denominator of R@k and MRR
    recall_at_1: float | None
    recall_at_5: float | None
    recall_at_10: float | None
    mrr_at_10: float | None
    macro_recall_at_5: float | None
    distinct_sections: int
    dominant_section: str | None
    dominant_cases: int
    recall_at_5_without_dominant: float | None
    page_cases: int
    page_hit_at_5: float | None
    asked: int
    refused: int
    unanswerable: int
    refusal_precision: float | None
    refusal_recall: float | None
    answer_contains: float | None
    citations: int
    citation_verified: float | None
    median_ms: float | None
    mean_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def summarize(
    results: Sequence[CaseResult], k: int = 10, page_text: PageText | None = None
) -> Metrics:
    """All metrics of a run; those that need answers are None when nothing was asked."""
    cases = [r.case for r in results]
    recall = {d: recall_at(results, d) if d <= k else None for d in DEPTHS}
    dominant = dominant_section(cases)
    sectioned = [e for c in cases for e in c.expected if e.section]
    answers = [r.answer for r in results if r.answer is not None]
    precision, refusal_recall = refusal_scores(results)
    ms = [r.seconds * 1000 for r in results]
    return Metrics(
        cases=len(results),
        section_cases=sum(has_sections(c) for c in cases),
        recall_at_1=recall[1],
        recall_at_5=recall[5],
        recall_at_10=recall[10],
        mrr_at_10=mean_reciprocal_rank(results, min(k, 10)),
        macro_recall_at_5=macro_recall(results, 5),
        distinct_sections=len({(e.source, e.section) for e in sectioned}),
        dominant_section=dominant[0] if dominant else None,
        dominant_cases=dominant[1] if dominant else 0,
        recall_at_5_without_dominant=(
            recall_at(without_section(results, dominant[0]), 5) if dominant else None
        ),
        page_cases=sum(any(e.page is not None for e in c.expected) for c in cases),
        page_hit_at_5=page_hit_rate(results, 5),
        asked=len(answers),
        refused=sum(a.refused for a in answers),
        unanswerable=sum(not r.case.answerable for r in results if r.answer is not None),
        refusal_precision=precision,
        refusal_recall=refusal_recall,
        answer_contains=answer_contains_rate(results),
        citations=sum(len(a.citations) for a in answers),
        citation_verified=(
            citation_verification_rate(answers, page_text) if page_text and answers else None
        ),
        median_ms=statistics.median(ms) if ms else None,
        mean_ms=statistics.fmean(ms) if ms else None,
    )


@dataclass(frozen=True)
class AnswerMetrics:
    """One answerer's answers to a question set, for a side-by-side comparison."""

    asked: int
    contains_cases: int  # answers to cases with `answer_contains`: its denominator
    answer_contains: float | None
    refused: int
    refusal_rate: float | None
    citations: int
    citation_verified: float | None
    fallbacks: int  # model answers replaced by the extractive answer (under a note)
    fallback_rate: float | None
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def answer_metrics(results: Sequence[CaseResult], page_text: PageText) -> AnswerMetrics:
    """Answer quality and latency of the results that were answered."""
    asked = [r for r in results if r.answer is not None]
    answers = [r.answer for r in asked if r.answer is not None]
    refused = sum(a.refused for a in answers)
    fallbacks = sum(fell_back(a) for a in answers)
    ms = [r.answer_seconds * 1000 for r in asked]
    return AnswerMetrics(
        asked=len(answers),
        contains_cases=sum(bool(r.case.answer_contains) for r in asked),
        answer_contains=answer_contains_rate(asked),
        refused=refused,
        refusal_rate=refused / len(answers) if answers else None,
        citations=sum(len(a.citations) for a in answers),
        citation_verified=citation_verification_rate(answers, page_text),
        fallbacks=fallbacks,
        fallback_rate=fallbacks / len(answers) if answers else None,
        mean_ms=statistics.fmean(ms) if ms else None,
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
    )


# --- answers judged per case: right, refused right, refused although answerable, wrong -------

VERDICTS = ("right", "refused right", "refused answerable", "wrong")


def verdict(case: EvalCase, answer: Answer) -> str:
    """How an answer fares: right (every `answer_contains` string in it and a citation from an
    expected source), refused right, refused although answerable, or wrong (answered, not
    right — the worst outcome: a confident answer with a real citation)."""
    if answer.refused:
        return "refused answerable" if case.answerable else "refused right"
    if not case.answerable:
        return "wrong"
    cited = not case.expected or any(
        source_matches(e.source, c.source) for c in answer.citations for e in case.expected
    )
    return "right" if cited and contains_all(answer.answer, case.answer_contains) else "wrong"


def verdicts_by_kind(results: Sequence[CaseResult]) -> dict[str, Counter[str]]:
    """Verdict counts per question kind, and "all"; only answered cases count."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        if r.answer is None:
            continue
        v = verdict(r.case, r.answer)
        table[r.case.kind or "-"][v] += 1
        table["all"][v] += 1
    return dict(table)
