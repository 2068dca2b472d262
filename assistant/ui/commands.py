"""The `inkoop` commands that ask the assistant: ask, search, decisions, serve, nvi and model
(what is indexed: `document_commands`; eval and bench: `measure_commands`). Each takes the
parsed flags and returns an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from assistant.prompts import CLARIFIED_MARK, PASSAGES_HEADING, SUPERSEDED_MARK
from assistant.ui.cli_args import EXIT_FAIL, EXIT_OK, EXIT_USAGE, filters_from

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.settings import Settings


def _assistant(settings: Settings) -> Assistant:
    from assistant.service import Assistant

    _check_lock(settings)  # before the models load (~15 s): a busy data dir fails at once
    return Assistant(settings)


def _check_lock(settings: Settings) -> None:
    """Raise `DataDirBusyError` when another process (a running `inkoop serve`) holds the
    embedded data dir; a Chroma server is shared and needs no check."""
    if settings.chroma_url:
        return
    from index.lock import DataDirLock

    DataDirLock(settings.data_dir / "chroma").acquire().release()


def _where(args: argparse.Namespace, assistant: Assistant) -> dict[str, Any] | None:
    """The metadata filter of the flags, names matched to their indexed spelling."""
    return filters_from(args).where(lambda key: assistant.metadata_values(key, args.audience))


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
    filters_from(args)  # a FilterError is a usage error (`assistant.ui.cli`)
    return None


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
            if c.superseded_by:
                print(f"      {SUPERSEDED_MARK.format(document=c.superseded_by)}", file=out)
            if c.clarified_by:
                print(f"      {CLARIFIED_MARK.format(note=c.clarified_by)}", file=out)
            print(f'      "{c.quote}"', file=out)
        if answer.passages:  # no direct answer: where to read, never shown as the answer
            print(f"\n{PASSAGES_HEADING} (geen antwoord):", file=out)
        for p in answer.passages:
            where = f"p. {p.page}" + (f", § {p.section}" if p.section else "")
            print(f"  ({p.key}) {p.title} ({p.source}, {where})", file=out)
            print(f'      gemarkeerd: "{p.highlight}"', file=out)
    return EXIT_OK


def _search(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.answer.supersede import marks  # passages a later binding text replaces

    assistant = _query_assistant(args, settings)
    if assistant is None:
        return EXIT_USAGE
    only = _where(args, assistant)
    for query in _questions(args):
        hits = assistant.search(query, args.top_k, only, args.audience)
        replaced = marks(hits, assistant.index, args.audience, assistant.documents())
        if args.json or args.jsonl:
            results = [
                {
                    **h.to_dict(),
                    **({"superseded_by": by} if (by := replaced.get(h.chunk.chunk_id)) else {}),
                }
                for h in hits
            ]
            print(json.dumps({"query": query, "results": results}, ensure_ascii=False), file=out)
            continue
        if not hits:
            print("Geen passages gevonden.", file=out)
        for i, hit in enumerate(hits, start=1):
            c = hit.chunk
            where = f"p. {c.page}" + (f", § {c.section}" if c.section else "")
            print(f"{i}. {c.title} ({c.source}, {where}) score {hit.score:.4f}", file=out)
            if c.chunk_id in replaced:
                print(f"   {SUPERSEDED_MARK.format(document=replaced[c.chunk_id])}", file=out)
            print(f"   {' '.join(c.text.split())[:300]}", file=out)
    return EXIT_OK


def _decisions(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    filters_from(args)
    if not args.text.strip():
        print("error: give a subject", file=sys.stderr)
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
        for line in (s.note, " — ".join(x for x in (s.agenda, s.vote) if x)):
            if line:
                print(f"    {line}", file=out)
        print(f'    "{s.quote}"', file=out)
        for r in (*(s.sources or (s.ref(),)), *((s.reported_by,) if s.reported_by else ())):
            ref = f"kenmerk {r.kenmerk}, " if r.kenmerk else ""
            where = " · ".join(x for x in (r.gemeente, r.title) if x)
            print(f"    {where} ({r.source}, {ref}p. {r.page})", file=out)
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.ui.serve import serve
    from assistant.ui.staff_launch import StaffAccessError

    assistant = _assistant(settings)
    if args.ingest:
        from assistant.ui.document_commands import _print_report

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
    from assistant.llm.install import ModelInstallError, install_model

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
