"""`inkoop eval`: read a question set, run it through the assistant, report and write scores.

The scoring itself is pure and lives in `assistant.scoring`; this module does the I/O.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from assistant.citations import normalize_ws
from assistant.scoring import (
    CaseResult,
    EvalCase,
    Expected,
    Metrics,
    PageText,
    Passage,
    citation_checks,
    first_hit_rank,
    source_matches,
)
from index.filters import AANBIEDER

if TYPE_CHECKING:
    from assistant.service import Assistant


class EvalInputError(ValueError):
    """The question file cannot be read as evaluation cases."""


def format_table(m: Metrics) -> str:
    """The metrics as an aligned two-column table for the terminal."""

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    rows = [
        ("cases", str(m.cases)),
        ("with expected section", str(m.section_cases)),
        ("R@1", num(m.recall_at_1)),
        ("R@5", num(m.recall_at_5)),
        ("R@10", num(m.recall_at_10)),
        ("MRR@10", num(m.mrr_at_10)),
        (f"macro R@5 ({m.distinct_sections} sections)", num(m.macro_recall_at_5)),
        (
            f"R@5 without § {m.dominant_section} ({m.dominant_cases} cases)",
            num(m.recall_at_5_without_dominant),
        ),
        (f"page hit@5 ({m.page_cases} cases)", num(m.page_hit_at_5)),
        (f"refusal precision ({m.refused} of {m.asked} refused)", num(m.refusal_precision)),
        (f"refusal recall ({m.unanswerable} unanswerable)", num(m.refusal_recall)),
        ("answer contains", num(m.answer_contains)),
        (f"citations verified ({m.citations})", num(m.citation_verified)),
        ("retrieval ms, median / mean", f"{num(m.median_ms)} / {num(m.mean_ms)}"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def load_cases(path: Path, source: str | None = None) -> list[EvalCase]:
    """Cases from a JSON list or JSONL file, in our format or as an NvI Q&A list."""
    try:
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("["):
            items = json.loads(text)
        else:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalInputError(f"cannot read {path} as JSON or JSONL: {exc}") from exc
    cases = [_case(item, source, f"{path} item {i}") for i, item in enumerate(items, start=1)]
    if not cases:
        raise EvalInputError(f"{path} holds no cases")
    return cases


def _case(item: Any, source: str | None, where: str) -> EvalCase:
    if not isinstance(item, dict) or not str(item.get("question") or "").strip():
        raise EvalInputError(f"{where}: expected an object with a non-empty 'question'")
    question = str(item["question"]).strip()
    if "expected" not in item and "answer" in item and "section" in item:  # an NvI Q&A list
        section = _section(item["section"], where)
        if section and not source:
            raise EvalInputError(
                f"{where} is an NvI question with section {section}: "
                "give --source NAME, the document its sections belong to"
            )
        return EvalCase(question, (Expected(str(source), section),) if section else ())
    answerable = item.get("answerable", True)
    if not isinstance(answerable, bool):
        raise EvalInputError(f"{where}: 'answerable' must be true or false")
    contains = item.get("answer_contains") or []
    contains = [contains] if isinstance(contains, str) else contains
    expected = tuple(_expected(e, where) for e in item.get("expected") or [])
    return EvalCase(question, expected, answerable, tuple(str(s) for s in contains))


def _expected(entry: Any, where: str) -> Expected:
    if not isinstance(entry, dict) or not entry.get("source"):
        raise EvalInputError(f"{where}: each expected entry needs a 'source'")
    page = entry.get("page")
    if page is not None and (not isinstance(page, int) or isinstance(page, bool)):
        raise EvalInputError(f"{where}: 'page' must be a whole number or null")
    return Expected(str(entry["source"]), _section(entry.get("section"), where), page)


def _section(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return (value or "").strip().rstrip(".") or None
    if isinstance(value, int):
        return str(value)
    raise EvalInputError(f'{where}: write section {value!r} as a string, e.g. "2.10"')


def source_filter(
    sources: Iterable[str], restrict: Sequence[str] = (), exclude: Sequence[str] = ()
) -> dict[str, Any] | None:
    """A Chroma `where` on chunk metadata `source`: only `restrict` matches, none of `exclude`."""
    if not restrict and not exclude:
        return None
    sources = sorted(set(sources))
    excluded = [s for s in sources if any(source_matches(g, s) for g in exclude)]
    if not restrict:
        return {"source": {"$nin": excluded}} if excluded else None
    kept = [s for s in sources if any(source_matches(g, s) for g in restrict) and s not in excluded]
    if not kept:
        raise EvalInputError(
            f"no indexed document matches {', '.join(restrict)}"
            + (f" outside {', '.join(exclude)}" if exclude else "")
            + "; see `inkoop documents`"
        )
    return {"source": {"$in": kept}}


def run_cases(
    assistant: Assistant,
    cases: Sequence[EvalCase],
    k: int = 10,
    where: dict[str, Any] | None = None,
    ask: bool = False,
    progress: bool = True,
    audience: str = AANBIEDER,
) -> list[CaseResult]:
    """Search each question as `audience` (and answer it from the same hits when `ask`)."""
    from tqdm import tqdm

    results = []
    for case in tqdm(cases, unit="vraag", disable=not progress, dynamic_ncols=True):
        start = time.perf_counter()
        hits = assistant.search(case.question, k, where, audience)
        seconds = time.perf_counter() - start
        answer = None
        if ask:  # the answerer sees the top_k hits, as `Assistant.ask` would, but filtered
            answer = assistant.answerer.answer(case.question, hits[: assistant.settings.top_k])
        results.append(CaseResult(case, tuple(Passage.of(h) for h in hits), answer, seconds))
    return results


def case_record(result: CaseResult, page_text: PageText, show: int = 5) -> dict[str, Any]:
    """One line of the per-case report: what was expected, where it was found, what came back."""
    case = result.case
    record: dict[str, Any] = {
        "question": case.question,
        "answerable": case.answerable,
        "expected": [asdict(e) for e in case.expected],
        "hit_rank": first_hit_rank(result, len(result.passages)),
        "passages": [
            {
                "source": PurePath(p.source).name,
                "page": p.page,
                "section": p.section,
                "score": round(p.score, 6),
                "text": normalize_ws(p.text)[:200],
            }
            for p in result.passages[:show]
        ],
    }
    if case.answer_contains:
        record["answer_contains"] = list(case.answer_contains)
    if result.answer is not None:
        answer = result.answer
        checks = citation_checks(answer, page_text)
        record["answer"] = answer.answer
        record["refused"] = answer.refused
        record["citations"] = [
            {**c.to_dict(), "verified": ok} for c, ok in zip(answer.citations, checks, strict=True)
        ]
    return record


def write_case_records(path: Path, results: Sequence[CaseResult], page_text: PageText) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(case_record(r, page_text), ensure_ascii=False) + "\n")
