"""The `inkoop` commands that use the assistant: ingest, ask, search, decisions, documents,
serve, nvi and model. Each takes the parsed flags and returns an exit code."""

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
    from index.indexer import IngestReport


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


def _ingest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing and len(missing) == len(args.paths):
        print(f"error: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_FAIL
    from index.errors import DataDirBusyError

    try:
        _check_lock(settings)
    except DataDirBusyError as busy:
        if args.rebuild:
            raise
        return _ingest_via_server(args, settings, out, busy)
    if args.rebuild:  # before opening: an index built with another model cannot be opened
        from assistant.index_setup import reset_index
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


def _ingest_via_server(
    args: argparse.Namespace, settings: Settings, out: TextIO, busy: Exception
) -> int:
    """Hand the ingest to the `inkoop serve` that holds the data dir (`ui.admin`); when none
    answers, the lock's own message, within 2 s."""
    import getpass
    import os

    from assistant.ui.admin import hand_off

    who = os.environ.get("INKOOP_USER") or getpass.getuser()
    job = hand_off(settings.data_dir, list(args.paths), args.visibility, args.prune, who)
    if job is None:
        raise busy
    from assistant.documents.jobs import report_from_dict

    report = report_from_dict(job.get("report") or {})
    if args.json:
        print(json.dumps({**report.to_dict(), "server": True}, ensure_ascii=False), file=out)
    else:
        print("handed to the running server (inkoop serve); its report:", file=out)
        _print_report(report, out)
    if job.get("state") != "klaar":
        print(f"error: the server's ingest failed: {job.get('error')}", file=sys.stderr)
        return EXIT_FAIL
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
    for source, pages in report.ocr.items():
        print(f"  ocr       {source}: pages {pages} read by OCR", file=out)
    for source, own in report.overruled.items():
        print(
            f"  WARNING   {source}: the file says visibility {own}, but it was indexed as "
            f"{report.visibility.get(source)} (the --visibility chosen is a ceiling)",
            file=out,
        )
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


def _documents(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.answer.later_relations import clarified_lines, document_relations
    from index.indexer import record_visibility
    from ingest.models import INTERN

    docs = _assistant(settings).documents()
    related = document_relations(docs)  # versions; what replaces what
    if args.json:
        rows = [
            {
                **{k: v for k, v in d.__dict__.items() if k != "metadata"},
                "dossier": d.metadata.get("dossier", ""),  # groups letters on one subject
                "visibility": record_visibility(d) or INTERN,  # what providers may read
                **({"ocr_pages": ocr} if (ocr := d.metadata.get("ocr_pages")) else {}),  # "3,5-7"
                **{k: v for k, v in related[d.doc_id].items() if v},  # only when there are
            }
            for d in docs
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
    else:
        for d in docs:
            print(
                f"{d.source}  ({record_visibility(d) or INTERN}, {d.kind}, {d.pages} p., "
                f"{d.chunks} chunks)  {d.title}",
                file=out,
            )
            rel = related[d.doc_id]
            if d.metadata.get("ocr_pages"):
                print(f"    OCR: pagina's {d.metadata['ocr_pages']}", file=out)
            if rel["version"]:
                print(f"    versie {rel['version']}", file=out)
            for target in rel["supersedes"]:
                print(f"    vervangt {target}", file=out)
            for later in rel["superseded_by"]:
                print(f"    vervangen door {later}", file=out)
            for line in clarified_lines(rel):
                print(f"    {line}", file=out)
            if rel["linked_by_hand"]:
                print(f"    handmatig gekoppeld aan {rel['linked_by_hand']}", file=out)
            if rel["unresolved"]:
                print(f"    let op: {rel['unresolved']}", file=out)
        print(f"{len(docs)} documents", file=out)
    return EXIT_OK


def _relate(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`inkoop relate NOTE --to DOCUMENT [--paragraph 5.7 ...] [--amends]`, or `--remove`:
    a relation staff set by hand, kept in the data dir (`answer.hand_relations`)."""
    import getpass
    import os

    from assistant.answer import hand_relations
    from assistant.answer.later_relations import ingest_lines

    assistant = _assistant(settings)
    who = args.by or os.environ.get("INKOOP_USER") or getpass.getuser()
    try:
        note, changed = hand_relations.relate(
            settings.data_dir,
            assistant.index.documents(),
            args.note,
            None if args.remove else args.to,
            args.paragraph or (),
            args.amends,
            who,
        )
    except hand_relations.RelateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.remove:
        gone = "handmatige koppeling verwijderd" if changed else "geen handmatige koppeling"
        print(f"{note}: {gone}", file=out)
        if not changed:
            return EXIT_OK
    for line in ingest_lines(assistant.documents(), [note]):
        print(line, file=out)
    return EXIT_OK


def _serve(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.ui.serve import serve
    from assistant.ui.staff_launch import StaffAccessError

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
