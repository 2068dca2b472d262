"""What staff read about relations among documents (`later_relations.links`): per document
for `inkoop documents` and the staff page (`document_relations`, `clarified_lines`), and per
note for the ingest report (`ingest_lines`): what it replaces or clarifies, or why nothing
could be related."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from assistant.answer.later_relations import PROCEDURE_SOURCE, VERSIE, Relation, links
from index.store import DocumentRecord


def document_relations(documents: Sequence[DocumentRecord]) -> dict[str, dict[str, Any]]:
    """doc_id -> {version, supersedes: [...], superseded_by: [...]} for `inkoop documents`."""
    out: dict[str, dict[str, Any]] = {
        d.doc_id: {
            "version": str(d.metadata.get("version") or ""),
            "supersedes": [],
            "superseded_by": [],
            "clarifies": [],
            "clarified_by": [],
            "unresolved": "",
            "linked_by_hand": str(d.metadata.get(PROCEDURE_SOURCE) or ""),
        }
        for d in documents
    }
    rels, open_notes = links(documents)
    for r in rels:
        where = f" § {r.paragraph}" if r.paragraph else ""
        forward, back = (
            ("supersedes", "superseded_by") if r.amends else ("clarifies", "clarified_by")
        )
        out[r.later.doc_id][forward].append(f"{r.earlier.source}{where}")
        out[r.earlier.doc_id][back].append(f"{r.later.source}{where}")
    for note in open_notes:
        out[note.note.doc_id]["unresolved"] = note.reason
    return out


def ingest_lines(documents: Sequence[DocumentRecord], touched: Iterable[str]) -> list[str]:
    """The ingest report's lines on relations that concern the documents this run added or
    replaced (`touched`: sources): per note, what it replaces and clarifies, or why nothing
    could be related ("NvI X: procedure niet gevonden — koppel met `inkoop relate` …")."""
    wanted = set(touched)
    rels, open_notes = links(documents)
    per_note: dict[str, tuple[DocumentRecord, list[Relation]]] = {}
    for r in rels:
        if r.kind != VERSIE and (r.later.source in wanted or r.earlier.source in wanted):
            per_note.setdefault(r.later.doc_id, (r.later, []))[1].append(r)
    out = []
    for note, found in per_note.values():
        parts = []
        for amends, label in ((True, "vervangt"), (False, "verduidelijkt")):
            grouped: dict[str, list[str]] = {}
            for r in found:
                if r.amends == amends:
                    grouped.setdefault(PurePath(r.earlier.source).name, []).append(r.paragraph)
            parts += [
                f"{label} {name}" + (" " + ", ".join(f"§ {p}" for p in ps if p) if any(ps) else "")
                for name, ps in grouped.items()
            ]
        by_hand = " (handmatig gekoppeld)" if note.metadata.get(PROCEDURE_SOURCE) else ""
        out.append(f"{PurePath(note.source).name}{by_hand}: {'; '.join(parts)}")
    for u in open_notes:
        if u.note.source in wanted:
            out.append(f"{PurePath(u.note.source).name}: {u.reason}")
    return out


def clarified_lines(rel: dict[str, Any]) -> list[str]:
    """ "verduidelijkt x.pdf § 1.1, § 2.7" lines of a `document_relations` row, one per
    document (a note answers questions on dozens of paragraphs)."""
    out = []
    for key, label in (("clarifies", "verduidelijkt"), ("clarified_by", "verduidelijkt door")):
        grouped: dict[str, list[str]] = {}
        for item in rel.get(key, []):
            source, _, paragraph = item.partition(" § ")
            grouped.setdefault(source, []).append(f"§ {paragraph}" if paragraph else "")
        out += [
            f"{label} {src} {', '.join(p for p in ps if p)}".rstrip() for src, ps in grouped.items()
        ]
    return out
