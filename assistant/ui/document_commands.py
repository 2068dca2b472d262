"""The `inkoop` commands about what is indexed: ingest (or hand it to the running server),
documents (with versions and relations) and relate (a relation set by hand). Each takes the
parsed flags and returns an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from assistant.ui.cli_args import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from assistant.ui.commands import _assistant, _check_lock

if TYPE_CHECKING:
    from assistant.settings import Settings
    from index.indexer import IngestReport


def _who(by: str | None = None) -> str:
    """Who does it, for the change log: the flag, INKOOP_USER, or the login name."""
    import getpass
    import os

    return by or os.environ.get("INKOOP_USER") or getpass.getuser()


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
    from assistant.ui.admin import hand_off

    job = hand_off(settings.data_dir, list(args.paths), args.visibility, args.prune, _who())
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


def _documents(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from assistant.answer.relation_report import clarified_lines, document_relations
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
    from assistant.answer import hand_relations
    from assistant.answer.relation_report import ingest_lines

    assistant = _assistant(settings)
    who = _who(args.by)
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
