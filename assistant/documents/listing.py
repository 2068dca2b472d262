"""The list of indexed documents staff see: one row per document, with its versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.models import INTERN

if TYPE_CHECKING:
    from assistant.service import Assistant


@dataclass(frozen=True)
class DocumentRow:
    """One line of the staff's document list."""

    doc_id: str
    source: str
    title: str
    type: str
    gemeente: str
    datum: str
    visibility: str
    pages: int
    chunks: int
    versions: str
    ocr_pages: str
    ingested_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def document_rows(assistant: Assistant) -> list[DocumentRow]:
    """Every indexed document, as staff see it in the list."""
    from assistant.answer.relation_report import clarified_lines, document_relations

    docs = assistant.documents()
    related = document_relations(docs)
    out = []
    for d in docs:
        rel = related.get(d.doc_id, {})
        versions = [f"versie {rel['version']}"] if rel.get("version") else []
        versions += [f"vervangt {s}" for s in rel.get("supersedes", [])]
        versions += [f"vervangen door {s}" for s in rel.get("superseded_by", [])]
        versions += clarified_lines(rel) if rel else []
        versions += (
            [f"handmatig gekoppeld aan {rel['linked_by_hand']}"]
            if rel.get("linked_by_hand")
            else []
        )
        versions += [f"let op: {rel['unresolved']}"] if rel.get("unresolved") else []
        meta = d.metadata
        out.append(
            DocumentRow(
                doc_id=d.doc_id,
                source=d.source,
                title=d.title,
                type=str(meta.get("type") or d.kind),
                gemeente=str(meta.get("gemeente") or ""),
                datum=str(meta.get("datum") or ""),
                visibility=str(meta.get("visibility") or INTERN),
                pages=d.pages,
                chunks=d.chunks,
                versions="; ".join(versions),
                ocr_pages=str(meta.get("ocr_pages") or ""),
                ingested_at=d.ingested_at,
            )
        )
    return out
