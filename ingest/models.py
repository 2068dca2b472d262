"""Data carried out of the ingest stage: source documents, pages, sections and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.extract import MetadataValue, date_key


@dataclass(frozen=True)
class Page:
    """One page of a source document (PDFs) or the whole text (other formats), cleaned."""

    number: int  # 1-based, as a PDF viewer shows it; 1 for single-page formats
    text: str


@dataclass(frozen=True)
class Heading:
    """A section heading found in a document, located by its character offset in the full text."""

    offset: int
    section: str  # the number or label: "2.7.1", "Bijlage 7", "Artikel 12"
    title: str  # the whole heading line: "2.7.1 Tarieven"
    level: int = 1


@dataclass(frozen=True)
class SourceDocument:
    """A read and cleaned document, ready to chunk."""

    doc_id: str  # content hash of the raw file bytes
    source: str  # path as given (relative where possible)
    title: str
    kind: str  # pdf, txt, md, docx, html
    pages: tuple[Page, ...]
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    headings: tuple[Heading, ...] = ()
    notes: tuple[str, ...] = ()  # non-fatal warnings, e.g. pages without a text layer

    @property
    def page_starts(self) -> list[int]:
        """Offset of each page in `full_text`."""
        starts, pos = [], 0
        for page in self.pages:
            starts.append(pos)
            pos += len(page.text) + len(PAGE_SEPARATOR)
        return starts

    @property
    def full_text(self) -> str:
        return PAGE_SEPARATOR.join(page.text for page in self.pages)


PAGE_SEPARATOR = "\n\n"

# Who may read a document: `openbaar` is published to every provider, `intern` is for staff
# (council-confidential letters, draft NvI answers). Anything unset or unknown counts as intern.
OPENBAAR = "openbaar"
INTERN = "intern"
VISIBILITIES = (OPENBAAR, INTERN)


@dataclass(frozen=True)
class Chunk:
    """A passage of ~90 words inside one section, with everything needed to cite it."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    text: str
    page: int  # page where the chunk starts
    page_end: int
    section: str  # "" when the document has no numbered sections
    heading: str
    char_start: int  # offsets into the document's full text
    char_end: int
    position: int  # ordinal of the chunk within its document
    page_breaks: tuple[int, ...] = ()  # offsets inside `text` where a new page begins
    metadata: dict[str, MetadataValue] = field(default_factory=dict)

    @property
    def visibility(self) -> str:
        """`openbaar` or `intern`; a chunk without a (valid) visibility is intern."""
        value = self.metadata.get("visibility")
        return OPENBAAR if value == OPENBAAR else INTERN

    def page_at(self, offset: int) -> int:
        """Page number of a character offset inside this chunk's text."""
        return self.page + sum(1 for brk in self.page_breaks if brk <= offset)

    @property
    def context(self) -> str:
        """Text used for indexing: title and heading path give the embedder and BM25 context."""
        parts = [self.title]
        if self.heading and self.heading != self.title:
            parts.append(self.heading)
        parts.append(self.text)
        return "\n".join(parts)

    def to_metadata(self) -> dict[str, Any]:
        """Flat, scalar metadata for a vector store."""
        meta: dict[str, Any] = {f"meta_{k}": v for k, v in self.metadata.items()}
        meta.update(
            doc_id=self.doc_id,
            source=self.source,
            title=self.title,
            page=self.page,
            page_end=self.page_end,
            section=self.section,
            heading=self.heading,
            char_start=self.char_start,
            char_end=self.char_end,
            position=self.position,
            page_breaks=",".join(str(b) for b in self.page_breaks),
            visibility=self.visibility,  # top level: the provider filter is a plain `where`
        )
        day = date_key(self.metadata)
        if day is not None:  # Chroma compares only numbers: date ranges filter on this
            meta["datum_int"] = day
        return meta

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        """Inverse of `to_metadata`."""
        breaks = str(meta.get("page_breaks") or "")
        return cls(
            chunk_id=chunk_id,
            doc_id=str(meta["doc_id"]),
            source=str(meta["source"]),
            title=str(meta.get("title", "")),
            text=text,
            page=int(meta.get("page", 1)),
            page_end=int(meta.get("page_end", meta.get("page", 1))),
            section=str(meta.get("section", "")),
            heading=str(meta.get("heading", "")),
            char_start=int(meta.get("char_start", 0)),
            char_end=int(meta.get("char_end", 0)),
            position=int(meta.get("position", 0)),
            page_breaks=tuple(int(b) for b in breaks.split(",") if b),
            metadata={k[5:]: v for k, v in meta.items() if k.startswith("meta_")},
        )
