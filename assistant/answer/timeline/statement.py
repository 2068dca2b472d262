"""The timeline's types: a document's facts, a dated statement and the sources stating it.

Pure data: `DocumentFacts` comes from a document's metadata, a `DatedStatement` is one step
in a dossier (read by `letters` or `meetings`, merged by `merge`), a `SourceRef` is one
document that states a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.prompts import DOCUMENT_KIND_NAMES
from ingest.extract import dutch_date


@dataclass(frozen=True)
class DocumentFacts:
    """What a timeline entry says about its document: from the document's metadata."""

    source: str
    title: str
    gemeente: str = ""
    kenmerk: str = ""
    datum: str = ""  # ISO; the letter's own date (or the decision it reports)
    dossier: str = ""  # the normalised onderwerp shared by letters on one subject
    kind: str = ""  # the document type (raadsinformatiebrief, besluitenlijst, …)
    doc_id: str = ""

    @classmethod
    def from_metadata(
        cls, source: str, title: str, meta: dict[str, Any], doc_id: str = ""
    ) -> DocumentFacts:
        """From a document's metadata (as stored on its chunks, without `meta_`)."""

        def first(*keys: str) -> str:
            return next((str(meta[k]) for k in keys if meta.get(k)), "")

        return cls(
            source,
            title,
            first("gemeente"),
            first("kenmerk", "registratienummer", "zaaknummer"),
            first("datum", "datum_besluit"),
            first("dossier"),
            first("type"),
            doc_id,
        )


@dataclass(frozen=True)
class SourceRef:
    """One document that states a timeline row: which gemeente, which letter, where."""

    gemeente: str
    source: str
    title: str
    page: int
    kenmerk: str
    quote: str
    datum: str  # ISO date of the document ('' when it states none)
    kind: str = ""

    def label(self) -> str:
        """'brief van 19 maart 2024' (or 'besluitenlijst van …'; the title when undated)."""
        name = DOCUMENT_KIND_NAMES.get(self.kind, self.kind or "document")
        return f"{name} van {dutch_date(self.datum)}" if self.datum else self.title or self.source


@dataclass(frozen=True)
class DatedStatement:
    """One step in a dossier: when, who, done or planned, and the sentence that says so."""

    date: str  # ISO day "2024-04-02", or month "2024-10" when the text names only a month
    gemeente: str  # merged rows: every gemeente, comma-separated
    actor: str  # college | raad | "" when the sentence names no one
    status: str  # besloten | gepland | verstreken | gebeurd | aangekondigd
    statement: str
    source: str
    title: str
    page: int
    kenmerk: str
    quote: str
    dossier: str = ""
    announced: str = ""  # ISO date of the document that says it
    kind: str = ""  # that document's type
    agenda: str = ""  # besluitenlijst: the agenda item ("7. Voorstel tot …")
    vote: str = ""  # besluitenlijst: "unaniem", "in meerderheid; Tegen … stemden …"
    note: str = ""  # "gepland volgens brief van 19 maart 2024", "datum verstreken — …"
    sources: tuple[SourceRef, ...] = ()  # every letter that states it (a merged row: several)
    reported_by: SourceRef | None = None  # the later document that reports the step done
    doc_id: str = field(default="", compare=False)

    def ref(self) -> SourceRef:
        return SourceRef(
            self.gemeente,
            self.source,
            self.title,
            self.page,
            self.kenmerk,
            self.quote,
            self.announced,
            self.kind,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "gemeente": self.gemeente,
            "actor": self.actor,
            "status": self.status,
            "statement": self.statement,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "kenmerk": self.kenmerk,
            "quote": self.quote,
            "dossier": self.dossier,
            "announced": self.announced,
            "agenda": self.agenda,
            "vote": self.vote,
            "note": self.note,
            "sources": [_ref_dict(r) for r in (self.sources or (self.ref(),))],
            "reported_by": _ref_dict(self.reported_by) if self.reported_by else None,
        }


def _ref_dict(ref: SourceRef) -> dict[str, Any]:
    return {
        "gemeente": ref.gemeente,
        "source": ref.source,
        "title": ref.title,
        "page": ref.page,
        "kenmerk": ref.kenmerk,
        "quote": ref.quote,
        "datum": ref.datum,
    }
