"""`inkoop nvi …`: the workbench from the command line; every command also speaks `--json`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assistant.nvi.importer import parse_columns
from assistant.nvi.models import STATUSES, NviError, short, vragen

if TYPE_CHECKING:
    from assistant.nvi.records import Group
    from assistant.nvi.workbench import Workbench
    from assistant.settings import Settings

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
FORMATS = ("docx", "md", "csv")


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("nvi", help="nota van inlichtingen: import, group, draft, review, export")
    nvi = p.add_subparsers(dest="nvi_command", required=True)
    out = argparse.ArgumentParser(add_help=False, parents=[common])
    out.add_argument("--json", action="store_true", help="print JSON")
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--by", help="your name in the history (INKOOP_USER, default: login name)")

    p = nvi.add_parser("new", parents=[out], help="create an NvI project for a tender")
    p.add_argument("name")
    p.add_argument(
        "--documents",
        default="",
        help="the tender documents: comma-separated globs on path, file name or title "
        "(default: every openbaar document)",
    )
    p.add_argument("--deadline", default="", help="deadline for questions/answers, e.g. 2026-01-15")

    p = nvi.add_parser("import", parents=[out], help="import questions from CSV, XLSX or DOCX")
    p.add_argument("name")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--columns",
        nargs="+",
        default=[],
        metavar="FIELD=HEADER",
        help="map columns: vraag=, nr=, document=, paragraaf=, aanbieder=, antwoord=",
    )
    p.add_argument("--encoding", help="CSV encoding (default: detect UTF-8, else Windows-1252)")

    p = nvi.add_parser("cluster", parents=[out], help="group duplicate questions")
    p.add_argument("name")
    p.add_argument("--threshold", type=float, help="similarity needed to group (0-1)")

    p = nvi.add_parser("draft", parents=[out], help="draft cited answers from the documents")
    p.add_argument("name")
    p.add_argument("--nr", type=int, nargs="+", help="only these questions")
    p.add_argument("--redo", action="store_true", help="also redraft machine concepts")

    p = nvi.add_parser("list", parents=[out], help="questions with answer and status")
    p.add_argument("name")
    p.add_argument("--status", choices=STATUSES)

    p = nvi.add_parser("show", parents=[out], help="one answer with passages, warnings, history")
    p.add_argument("name")
    p.add_argument("nr", type=int)

    p = nvi.add_parser("set", parents=[out, who], help="edit an answer and/or set its status")
    p.add_argument("name")
    p.add_argument("nr", type=int)
    p.add_argument("--status", choices=STATUSES)
    text = p.add_mutually_exclusive_group()
    text.add_argument("--answer", help="the new answer text")
    text.add_argument("--answer-file", type=Path, help="read the answer text from a file")
    p.add_argument(
        "--version", type=int, help="fail if the answer changed since this version (see show)"
    )

    p = nvi.add_parser("merge", parents=[out, who], help="answer these questions together")
    p.add_argument("name")
    p.add_argument("nrs", type=int, nargs="+")

    p = nvi.add_parser("split", parents=[out, who], help="answer a question on its own")
    p.add_argument("name")
    p.add_argument("nr", type=int)

    p = nvi.add_parser("export", parents=[out], help="write the note as DOCX, Markdown or CSV")
    p.add_argument("name")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--all", action="store_true", help="also answers that are not definitief")

    p = nvi.add_parser("inbox", parents=[out, who], help="chat questions the documents missed")
    p.add_argument("--take", metavar="NAME", help="move these into NvI project NAME")
    p.add_argument("--id", type=int, nargs="+", default=[], help="inbox ids to take or dismiss")
    p.add_argument("--dismiss", action="store_true", help="dismiss these ids (or --all) as junk")
    p.add_argument("--all", action="store_true", help="with --dismiss: every waiting question")

    nvi.add_parser("projects", parents=[out], help="list NvI projects")


def run(
    args: argparse.Namespace,
    settings: Settings,
    out: TextIO,
    assistant: Callable[[], Any],
) -> int:
    from assistant.nvi.store import NviStore
    from assistant.nvi.workbench import Workbench, store_path
    from index.errors import DataDirBusyError

    bench = Workbench(NviStore(store_path(settings.data_dir)), assistant)
    try:
        data, text = _COMMANDS[args.nvi_command](args, bench)
    except (NviError, DataDirBusyError) as exc:
        message = str(exc) if isinstance(exc, NviError) else BUSY
        if getattr(args, "json", False):
            print(json.dumps({"error": message}, ensure_ascii=False), file=out)
        print(f"fout: {message}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
    else:
        print(text, file=out)
    return EXIT_OK


Result = tuple[Any, str]
BUSY = (
    "de index is in gebruik door een ander proces (draait `inkoop serve`?). Deze stap leest "
    "de index: gebruik de medewerkerspagina van de server, stop de server, of laat beide een "
    "Chroma-server gebruiken (INKOOP_CHROMA_URL)."
)


def _who(args: argparse.Namespace) -> str:
    return args.by or os.environ.get("INKOOP_USER") or getpass.getuser()


def _new(args: argparse.Namespace, bench: Workbench) -> Result:
    project = bench.new(args.name, args.documents, args.deadline)
    return project.to_dict(), f"NvI-project '{project.name}' aangemaakt."


def _import(args: argparse.Namespace, bench: Workbench) -> Result:
    mapping = parse_columns(args.columns)
    done = bench.import_file(args.name, args.file, mapping or None, args.encoding)
    return done.to_dict(), "\n".join(done.lines(args.file.name))


def _cluster(args: argparse.Namespace, bench: Workbench) -> Result:
    from assistant.nvi.results import cluster_summary

    moved, count, reset = bench.cluster(args.name, args.threshold)
    groups = [g for g in bench.groups(args.name) if len(g.nrs) > 1]
    lines = [cluster_summary(moved, count, reset)]
    lines += [f"  samen: {', '.join(map(str, g.nrs))}" for g in groups]
    data = {
        "moved": moved,
        "groups": count,
        "together": [list(g.nrs) for g in groups],
        "back_to_concept": list(reset),
    }
    return data, "\n".join(lines)


def _draft(args: argparse.Namespace, bench: Workbench) -> Result:
    def progress(i: int, n: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\rconcepten: {i}/{n}", end="" if i < n else "\n", file=sys.stderr)

    done = bench.draft(args.name, args.nr, args.redo, progress)
    text = done.summary()
    return done.to_dict(), text


def _list(args: argparse.Namespace, bench: Workbench) -> Result:
    groups = bench.groups(args.name, args.status)
    lines = [_line(g) for g in groups] or ["Geen vragen."]
    return [g.to_dict() for g in groups], "\n".join(lines)


def _line(g: Group) -> str:
    nrs = ", ".join(map(str, g.nrs))
    flags = f" [{'; '.join(g.flags)}]" if g.flags and not g.answer else ""
    answer = short(g.answer, 80) or "(geen antwoord)"
    return f"{nrs:>8}  {g.status:<13} {short(g.lead.text, 60)}\n{'':>8}  → {answer}{flags}"


def _show(args: argparse.Namespace, bench: Workbench) -> Result:
    from index.errors import DataDirBusyError

    note = ""
    try:
        review = bench.review(args.name, args.nr)
    except DataDirBusyError:
        review = bench.review(args.name, args.nr, check=False)
        note = "(bronnen niet opnieuw gecontroleerd: de index is in gebruik door de server)"
    data = {**review.to_dict(), "citations_checked": not note}
    g = review.group
    lines = [
        f"Vraag {', '.join(map(str, g.nrs))} — {g.status} (versie {g.version}, "
        f"{g.updated_by or '-'} {g.updated_at})"
    ]
    lines += [
        f"  {q.nr}. {q.text}" + (f"  [{q.location}]" if q.location else "") for q in g.questions
    ]
    lines += ["", "Antwoord:", g.answer or "(nog geen antwoord)"]
    lines += [
        f'  [{c["key"]}] {c.get("title")}, p. {c.get("page")}: "{c.get("quote")}"'
        for c in g.citations
    ]
    if g.passages:
        lines += ["", "Passages:"]
        lines += [
            f"  - {p['title']}, p. {p['page']}: "
            + (f'gemarkeerd: "{p["highlight"]}"' if p.get("highlight") else str(p["text"]))
            for p in g.passages
        ]
    if g.earlier:
        lines += ["", "Eerdere nota's van inlichtingen:"]
        lines += [f"  - {p['title']}, p. {p['page']}: {p['text']}" for p in g.earlier]
    if review.warnings:
        lines += ["", "Let op:"] + [f"  ! {w}" for w in review.warnings]
    if review.history:
        lines += ["", "Geschiedenis:"]
        lines += [f"  {e.at[:16].replace('T', ' ')}  {e.who}: {e.action}" for e in review.history]
    if note:
        lines.append(note)
    return data, "\n".join(lines)


def _set(args: argparse.Namespace, bench: Workbench) -> Result:
    answer = args.answer
    if args.answer_file is not None:
        try:
            answer = args.answer_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise NviError(
                f"Kan {args.answer_file} niet lezen (verwacht: een UTF-8-tekst)."
            ) from exc
    if answer is None and args.status is None:
        raise NviError("Geef --status en/of --answer.")
    g = bench.set(args.name, args.nr, _who(args), args.status, answer, args.version)
    return g.to_dict(), f"Vraag {', '.join(map(str, g.nrs))}: {g.status} (versie {g.version})."


def _merge(args: argparse.Namespace, bench: Workbench) -> Result:
    g = bench.merge(args.name, args.nrs, _who(args))
    return g.to_dict(), f"Samen beantwoord: {', '.join(map(str, g.nrs))} ({g.status})."


def _split(args: argparse.Namespace, bench: Workbench) -> Result:
    g = bench.split(args.name, args.nr, _who(args))
    return g.to_dict(), f"Vraag {args.nr} wordt apart beantwoord."


def _export(args: argparse.Namespace, bench: Workbench) -> Result:
    path, count = bench.export(args.name, args.format, args.out, args.all)
    data = {"path": str(path), "questions": count, "format": args.format, "all": args.all}
    return data, f"{vragen(count)} geëxporteerd naar {path}."


def _inbox(args: argparse.Namespace, bench: Workbench) -> Result:
    if args.dismiss:
        if args.take or (args.all and args.id) or not (args.all or args.id):
            raise NviError("Noem met --id welke vragen u afwijst, of --all voor de hele inbox.")
        count = bench.store.dismiss_candidates(None if args.all else args.id, _who(args))
        return {"dismissed": count}, f"{vragen(count)} uit de inbox afgewezen."
    if args.all:
        raise NviError("--all hoort bij --dismiss: inkoop nvi inbox --dismiss --all.")
    if args.take:
        if not args.id:
            raise NviError("Noem met --id welke vragen uit de inbox u overneemt.")
        project = bench.store.project(args.take)
        added = bench.store.take_candidates(project, args.id, _who(args))
        return {"added": list(added.nrs)}, f"{vragen(len(added.nrs))} toegevoegd aan {args.take}."
    if args.id:
        raise NviError("Noem met --take het project waarin u deze vragen overneemt.")
    found = bench.store.candidates()
    lines = [f"{c.id:>4}  {c.asked}x  {c.last_at[:10]}  {c.question}" for c in found]
    return [c.to_dict() for c in found], "\n".join(lines) or "De inbox is leeg."


def _projects(args: argparse.Namespace, bench: Workbench) -> Result:
    found = bench.store.projects()
    lines = [f"{p.name}  ({p.documents or 'alle openbare documenten'})" for p in found]
    return [p.to_dict() for p in found], "\n".join(lines) or "Nog geen NvI-projecten."


_COMMANDS: dict[str, Callable[[argparse.Namespace, Workbench], Result]] = {
    "new": _new,
    "import": _import,
    "cluster": _cluster,
    "draft": _draft,
    "list": _list,
    "show": _show,
    "set": _set,
    "merge": _merge,
    "split": _split,
    "export": _export,
    "inbox": _inbox,
    "projects": _projects,
}
