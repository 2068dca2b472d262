"""`inkoop eval`: read a question set, run it through the assistant, report and write scores.

The scoring itself is pure and lives in `assistant.measure.scoring`, its text tables in
`assistant.measure.report`; this module does the I/O. With
several answerers (`--compare`), each case is searched once and every answerer answers from the
same passages, so their numbers differ only by the answerer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Protocol

from assistant.measure.scoring import (
    CaseResult,
    EvalCase,
    Expected,
    PageText,
    Passage,
    citation_checks,
    first_hit_rank,
    source_matches,
    verdict,
)
from assistant.models import Answer, fell_back
from assistant.verify.citations import normalize_ws
from index.filters import AANBIEDER
from ingest.errors import InkoopError

if TYPE_CHECKING:
    from assistant.service import Assistant
    from index.retriever import RetrievedChunk


class Answerer(Protocol):
    def answer(self, question: str, hits: Sequence[RetrievedChunk]) -> Answer: ...


class EvalInputError(InkoopError, ValueError):
    """The question file cannot be read as evaluation cases."""

    exit_code = 2


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
    kind = str(item.get("kind") or "")
    return EvalCase(question, expected, answerable, tuple(str(s) for s in contains), kind)


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
    """Search each question as `audience`; with `ask` also answer it as `inkoop ask` and the
    chat do (`Assistant.ask`: letter-head facts, definitions, comparisons, later texts)."""
    results = []
    for case in _progress(cases, progress):
        hits, seconds = _search(assistant, case, k, where, audience)
        answer, took = None, 0.0
        if ask:
            start = time.perf_counter()
            answer = assistant.ask(case.question, where=where, audience=audience)
            took = time.perf_counter() - start
        results.append(CaseResult(case, tuple(Passage.of(h) for h in hits), answer, seconds, took))
    return results


def run_answerers(
    assistant: Assistant,
    cases: Sequence[EvalCase],
    answerers: Mapping[str, Answerer],
    k: int = 10,
    where: dict[str, Any] | None = None,
    progress: bool = True,
    audience: str = AANBIEDER,
) -> dict[str, list[CaseResult]]:
    """Search each question once; every answerer answers from the same hits. Results by name."""
    runs: dict[str, list[CaseResult]] = {name: [] for name in answerers}
    for case in _progress(cases, progress):
        hits, seconds = _search(assistant, case, k, where, audience)
        passages = tuple(Passage.of(h) for h in hits)
        top = hits[: assistant.settings.top_k]  # what `Assistant.ask` would answer from
        for name, answerer in answerers.items():
            start = time.perf_counter()
            answer = answerer.answer(case.question, top)
            took = time.perf_counter() - start
            runs[name].append(CaseResult(case, passages, answer, seconds, took))
    return runs


def _search(
    assistant: Assistant,
    case: EvalCase,
    k: int,
    where: dict[str, Any] | None,
    audience: str,
) -> tuple[list[RetrievedChunk], float]:
    start = time.perf_counter()
    hits = assistant.search(case.question, k, where, audience)
    return hits, time.perf_counter() - start


def _progress(cases: Sequence[EvalCase], show: bool) -> Iterator[EvalCase]:
    from tqdm import tqdm

    yield from tqdm(cases, unit="vraag", disable=not show, dynamic_ncols=True)


def case_record(
    result: CaseResult,
    page_text: PageText,
    show: int = 5,
    answers: Mapping[str, CaseResult] | None = None,
) -> dict[str, Any]:
    """One line of the per-case report: what was expected, where it was found, what came back.

    `answers`: the same case answered by several answerers, reported under their names.
    """
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
    if case.kind:
        record["kind"] = case.kind
    if result.answer is not None:
        record.update(_answer_record(result.answer, page_text))
        record["verdict"] = verdict(case, result.answer)
    if answers:
        record["answers"] = {
            name: {
                **_answer_record(r.answer, page_text),
                "fell_back": fell_back(r.answer),
                "seconds": round(r.answer_seconds, 3),
            }
            for name, r in answers.items()
            if r.answer is not None
        }
    return record


def _answer_record(answer: Answer, page_text: PageText) -> dict[str, Any]:
    checks = citation_checks(answer, page_text)
    return {
        "answer": answer.answer,
        "refused": answer.refused,
        "outcome": answer.outcome,
        "where_to_read": [p.to_dict() for p in answer.passages],
        "citations": [
            {**c.to_dict(), "verified": ok} for c, ok in zip(answer.citations, checks, strict=True)
        ],
    }


def write_case_records(
    path: Path,
    results: Sequence[CaseResult],
    page_text: PageText,
    runs: Mapping[str, Sequence[CaseResult]] | None = None,
) -> None:
    """The per-case report as JSONL; `runs`: the answers of several answerers to the same cases."""
    runs = runs or {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for i, r in enumerate(results):
            answers = {name: run[i] for name, run in runs.items()}
            f.write(json.dumps(case_record(r, page_text, answers=answers), ensure_ascii=False))
            f.write("\n")
