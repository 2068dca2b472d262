"""Relations staff set by hand (`inkoop relate`): which document a nota van inlichtingen or
rectificatie belongs to, and which paragraphs it is about, when its text does not say so in a
form the ingest can decide.

They live in `DATA_DIR/relaties.json`, not in the index and not beside the note: a re-ingest
(a changed file gets a new doc id, the same source) keeps them, they apply at once without
re-reading any file, and a note in a read-only folder or inside a ZIP can be related too.
`with_hand_relations` lays them over the indexed records' metadata (`procedure_source`, and
`clarifies`/`supersedes` for the paragraphs given), which `answer.later_relations` reads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePath

from assistant.answer.later_relations import PROCEDURE_SOURCE
from index.store import DocumentRecord
from ingest.errors import InkoopError
from ingest.relations import Supersedes, format_supersedes, parse_supersedes

RELATIONS_FILE = "relaties.json"


@dataclass(frozen=True)
class HandRelation:
    """A note belongs to `document` (both by source); `paragraphs` it amends or clarifies."""

    note: str
    document: str
    paragraphs: tuple[str, ...] = ()
    amends: bool = False
    by: str = ""


class RelateError(InkoopError):
    """A name in `inkoop relate` names no indexed document, or more than one."""

    exit_code = 2


def load(data_dir: Path) -> list[HandRelation]:
    """The relations set by hand in `data_dir` (none when the file is absent)."""
    path = data_dir / RELATIONS_FILE
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [
            HandRelation(
                note=str(r["note"]),
                document=str(r["document"]),
                paragraphs=tuple(str(p) for p in r.get("paragraphs", [])),
                amends=bool(r.get("amends", False)),
                by=str(r.get("by", "")),
            )
            for r in rows
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RelateError(
            f"{path} is beschadigd ({exc}); herstel het of verwijder het en koppel opnieuw "
            "met `inkoop relate`"
        ) from exc


def save(data_dir: Path, relations: Sequence[HandRelation]) -> None:
    """Write the relations atomically (a reader never sees half a file)."""
    path = data_dir / RELATIONS_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps([asdict(r) for r in relations], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, path)


def set_relation(data_dir: Path, relation: HandRelation) -> None:
    """Add `relation`, replacing any earlier one for the same note."""
    kept = [r for r in load(data_dir) if r.note != relation.note]
    save(data_dir, [*kept, relation])


def remove_relation(data_dir: Path, note: str) -> bool:
    """Drop the hand relation of `note`; False when it had none."""
    rows = load(data_dir)
    kept = [r for r in rows if r.note != note]
    if len(kept) != len(rows):
        save(data_dir, kept)
    return len(kept) != len(rows)


def find_document(name: str, documents: Sequence[DocumentRecord]) -> DocumentRecord:
    """The one indexed document `name` names: its source, or its file name. Never a guess:
    no match or several is a RelateError that lists what there is."""
    exact = [d for d in documents if d.source == name]
    if len(exact) == 1:
        return exact[0]
    named = [d for d in documents if PurePath(d.source).name == PurePath(name).name]
    if len(named) == 1:
        return named[0]
    if named:
        options = ", ".join(d.source for d in named)
        raise RelateError(f"'{name}' past op meer documenten ({options}); geef het hele pad.")
    raise RelateError(f"'{name}' is geen geïndexeerd document; `inkoop documents` toont de namen.")


def _matches(stored: str, record: DocumentRecord) -> bool:
    return record.source == stored or PurePath(record.source).name == PurePath(stored).name


def with_hand_relations(
    documents: Sequence[DocumentRecord], relations: Sequence[HandRelation]
) -> list[DocumentRecord]:
    """The records with each note's hand relation laid over its metadata: `procedure_source`
    names its document, and the paragraphs given join its `supersedes`/`clarifies`."""
    if not relations:
        return list(documents)
    out = []
    for d in documents:
        rel = next((r for r in relations if _matches(r.note, d)), None)
        if rel is None:
            out.append(d)
            continue
        target = next((x for x in documents if x.source == rel.document), None)
        target = target or next((x for x in documents if _matches(rel.document, x)), None)
        meta = dict(d.metadata)
        meta[PROCEDURE_SOURCE] = target.source if target else rel.document
        meta["procedure"] = (target.title if target else "") or PurePath(rel.document).name
        if rel.paragraphs:
            key = "supersedes" if rel.amends else "clarifies"
            items = parse_supersedes(meta.get(key)) + [Supersedes("", p) for p in rel.paragraphs]
            meta[key] = format_supersedes(items)
        out.append(replace(d, metadata=meta))
    return out


def relate(
    data_dir: Path,
    documents: Sequence[DocumentRecord],
    note_name: str,
    to_name: str | None,
    paragraphs: Sequence[str] = (),
    amends: bool = False,
    by: str = "",
) -> tuple[str, bool]:
    """Set (or with `to_name` None remove) the hand relation of a note, as `inkoop relate` and
    the staff Documenten tab do: the note's source, and whether anything changed. Names are
    resolved by `find_document` (never a guess); a note that names no paragraphs itself needs
    `paragraphs`."""
    note = find_document(note_name, documents)
    if to_name is None:
        return note.source, remove_relation(data_dir, note.source)
    target = find_document(to_name, documents)
    if target.doc_id == note.doc_id:
        raise RelateError("een document kan niet aan zichzelf gekoppeld worden")
    named = parse_supersedes(note.metadata.get("supersedes"))
    named += parse_supersedes(note.metadata.get("clarifies"))
    if not paragraphs and not any(s.paragraph for s in named):
        raise RelateError(
            f"{note.source} noemt zelf geen paragrafen; geef ze op (bijv. 5.7 6.1)"
        )
    set_relation(
        data_dir, HandRelation(note.source, target.source, tuple(paragraphs), amends, by)
    )
    return note.source, True
