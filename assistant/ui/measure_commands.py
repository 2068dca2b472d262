"""The `inkoop` commands that measure: eval (retrieval and answers) and bench (speed, load)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from assistant.ui.cli_args import EXIT_FAIL, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from assistant.measure.scoring import CaseResult
    from assistant.settings import Settings

from assistant.ui.commands import _assistant


def _eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.answer.generative import GenerativeAnswerer
    from assistant.measure import evaluation, report
    from assistant.measure.outcomes import half_of, outcome_counts
    from assistant.measure.scoring import answer_metrics, summarize

    if not 1 <= args.k <= 50 or (args.limit is not None and args.limit < 1):
        print("error: --k must be between 1 and 50, --limit at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        cases = evaluation.load_cases(args.cases, source=args.source)
        if args.half:
            cases = [c for c in cases if half_of(c.question) == args.half]
        cases = cases[: args.limit]
        assistant = _assistant(settings)
        sources = [d.source for d in assistant.documents_for(args.audience)]
        where = evaluation.source_filter(sources, args.restrict_source, args.exclude)
    except evaluation.EvalInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    runs: dict[str, list[CaseResult]] = {}
    model_name = ""
    if args.compare:  # one search per case; both answer from the same passages
        generative = assistant.answerer
        if not isinstance(generative, GenerativeAnswerer):
            print("error: --compare needs a language model: give --llm-backend", file=sys.stderr)
            return EXIT_USAGE
        model_name = generative.model.name
        answerers: dict[str, evaluation.Answerer] = {
            "extractive": assistant.extractive,
            "generative": generative,
        }
        runs = evaluation.run_answerers(
            assistant, cases, answerers, args.k, where, not args.no_progress, args.audience
        )
        results = [replace(r, answer=None, answer_seconds=0.0) for r in runs["extractive"]]
    else:
        results = evaluation.run_cases(
            assistant,
            cases,
            args.k,
            where,
            ask=args.ask,
            progress=not args.no_progress,
            audience=args.audience,
        )
    page_text = assistant.index.page_text
    metrics = summarize(results, args.k, page_text)
    compared = {name: answer_metrics(run, page_text) for name, run in runs.items()}
    cases_path = args.out or (
        args.json.with_name(f"{args.json.stem}-cases.jsonl")
        if args.json
        else settings.data_dir / "eval-cases.jsonl"
    )
    evaluation.write_case_records(cases_path, results, page_text, runs)
    payload = metrics.to_dict()
    if args.ask and not compared:  # the three outcomes per kind (issue 20)
        payload["outcomes"] = {k: dict(v) for k, v in outcome_counts(results).items()}
    if compared:
        payload["model"] = model_name
        payload["answerers"] = {name: m.to_dict() for name, m in compared.items()}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(report.format_table(metrics, answers=not compared), file=out)
    if args.ask and not compared:
        print("\nanswers per question kind", file=out)
        print(report.format_verdicts(results), file=out)
    if compared:
        print(f"\nanswers from the same passages (generative: {payload['model']})", file=out)
        print(report.format_comparison(compared), file=out)
    print(f"per-case results: {cases_path}", file=out)
    return EXIT_OK


def _bench(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.measure.bench import DEFAULT_QUESTIONS, run_bench

    if args.load:
        return _bench_load(args, settings, out)
    if not args.corpus.exists():
        print(f"error: no such folder: {args.corpus}", file=sys.stderr)
        return EXIT_USAGE
    queries = list(DEFAULT_QUESTIONS)
    if args.queries:
        queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    result = run_bench(settings, args.corpus, queries, synthetic=max(0, args.synthetic))
    print(result.table(), file=out)
    if args.json:
        args.json.write_text(json.dumps(result.data, indent=2), encoding="utf-8")
    return EXIT_OK


def _bench_load(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`bench --load`: chat sessions at once against --url, or against a `serve` of our own."""
    import contextlib

    from assistant.measure.bench import DEFAULT_QUESTIONS
    from assistant.measure.loadtest import LoadTestError, local_server, run_load

    if args.sessions < 1 or args.requests < 1:
        print("error: --sessions and --requests must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    queries = list(DEFAULT_QUESTIONS)
    if args.queries:
        queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    server = contextlib.nullcontext(args.url) if args.url else local_server(settings.data_dir)
    try:
        with server as url:
            urls = [url] if isinstance(url, str) else url
            where = " ".join(urls)
            print(
                f"load: {args.sessions} session(s) x {args.requests} request(s) on {where}",
                file=out,
            )
            report = run_load(urls, args.sessions, args.requests, queries, api=args.api)
    except LoadTestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(report.table(), file=out)
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    return EXIT_OK if report.errors == 0 else EXIT_FAIL
