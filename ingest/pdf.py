"""PDF files into a `SourceDocument`: page by page, scanned pages read by OCR (Tesseract, where
installed), headings from the bookmarks, the contents page and the text, metadata from the
first pages."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from ingest.archives import ArchiveMember
from ingest.cleaning import clean_pages
from ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    IngestError,
    NoTextLayerError,
)
from ingest.extract import extract_metadata, with_dossier
from ingest.metadata import title_from_filename, usable_pdf_title
from ingest.models import MetadataValue, Page, SourceDocument
from ingest.ocr import INSTALL_HINT, OcrError, has_images, ocr_pages, ocr_status, page_ranges
from ingest.sections import KnownEntry, parse_contents, pdf_headings, section_label

log = logging.getLogger(__name__)

MIN_PAGE_CHARS = 20  # a page with less text than this has no text layer
HEAD_PAGES = 2  # metadata is read from the first pages only
READABLE = ", "  # page lists in notes: "2, 5-7" (metadata holds the compact "2,5-7")


def read_pdf(
    path: Path | ArchiveMember,
    data: bytes,
    doc_id: str,
    source: str,
    meta: dict[str, MetadataValue],
) -> SourceDocument:
    """A PDF's pages, headings and metadata; raises an `IngestError` subclass when it cannot."""
    import pypdf
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise EncryptedFileError(_encrypted(path)) from exc
            if not opened:
                raise EncryptedFileError(_encrypted(path))
        raw = [_page_text(page) for page in reader.pages]
        read_by_ocr, unread = _ocr_missing(reader.pages, raw, path.name)
        outline = _outline(reader)
        pdf_title = usable_pdf_title(
            reader.metadata.get("/Title") if reader.metadata else None, raw[0] if raw else ""
        )
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise CorruptFileError(
            f"{path.name}: the PDF is damaged or incomplete ({exc}); re-export or re-download it"
        ) from exc
    if not raw:
        raise EmptyFileError(f"{path.name}: the PDF has no pages")
    if all(len(t.strip()) < MIN_PAGE_CHARS for t in raw):
        raise NoTextLayerError(_no_text_message(path.name, unread))
    notes = list(unread.values())
    if read_by_ocr:
        pages_read = page_ranges(read_by_ocr, READABLE)
        notes.append(f"{path.name}: page(s) {pages_read} read by OCR (Tesseract, nld)")
    cleaned, contents = clean_pages(raw)
    known = outline + [
        e
        for e in parse_contents(raw[i - 1] for i in contents)
        if e.label or not outline  # unnumbered contents lines are often wrapped titles
    ]
    pages = tuple(Page(i, t) for i, t in enumerate(cleaned, start=1))
    probe = SourceDocument(doc_id, source, "", "pdf", pages)
    headings = pdf_headings(probe.full_text, probe.page_starts, known)
    found = extract_metadata("\n\n".join(raw[:HEAD_PAGES]), body=probe.full_text)
    title = str(
        meta.get("title")
        or meta.get("onderwerp")
        or pdf_title
        or found.get("onderwerp")
        or title_from_filename(path)
    )
    # what the file's own metadata says wins over what was read; the dossier follows onderwerp
    meta = with_dossier({**found, **meta}, meta)
    if read_by_ocr:  # Chroma metadata holds scalars only: "3,5-7"
        meta["ocr_pages"] = page_ranges(read_by_ocr)
    return SourceDocument(
        doc_id=doc_id,
        source=source,
        title=title,
        kind="pdf",
        pages=pages,
        metadata=meta,
        headings=tuple(headings),
        notes=tuple(notes),
    )


def _ocr_missing(pages: Any, raw: list[str], name: str) -> tuple[list[int], dict[str, str]]:
    """Read the pages without a text layer by OCR, in place in `raw`.

    Returns the numbers of the pages OCR read, and for the pages still without text a note per
    cause: no image on the page (nothing OCR could read), OCR not installed (with the hint),
    OCR found no text, OCR failed.
    """
    missing = [i for i, t in enumerate(raw, start=1) if len(t.strip()) < MIN_PAGE_CHARS]
    if not missing:
        return [], {}
    status = ocr_status()
    causes: dict[str, list[int]] = {}
    scanned = []
    for number in missing:
        if not has_images(pages[number - 1]):
            causes.setdefault("blank", []).append(number)
        elif status is not None:
            causes.setdefault("no-ocr", []).append(number)
        else:
            scanned.append(number)
    done: list[int] = []
    for number, text in sorted((ocr_pages(pages, scanned) if scanned else {}).items()):
        if text is None:  # only a logo or picture, no scan of the page
            causes.setdefault("blank", []).append(number)
        elif isinstance(text, OcrError):
            log.warning("%s: OCR of page %d failed: %s", name, number, text)
            causes.setdefault("failed", []).append(number)
        elif len(text.strip()) < MIN_PAGE_CHARS:
            causes.setdefault("nothing", []).append(number)
        else:
            raw[number - 1] = text
            done.append(number)
    why = {
        "blank": "have no text layer and were skipped",
        "no-ocr": f"have no text layer and were skipped ({status}; {INSTALL_HINT})",
        "nothing": "have no text layer and OCR found no text on them; they were skipped",
        "failed": "have no text layer and OCR failed on them (see the log); they were skipped",
    }
    notes = {
        cause: f"{name}: page(s) {page_ranges(numbers, READABLE)} {why[cause]}"
        for cause, numbers in causes.items()
    }
    return done, notes


def _no_text_message(name: str, unread: dict[str, str]) -> str:
    if "no-ocr" in unread:
        return (
            f"{name}: no page has a text layer (a scan?) and OCR is not available here "
            f"({ocr_status()}); {INSTALL_HINT}, or supply a text version"
        )
    if "nothing" in unread or "failed" in unread:
        return (
            f"{name}: no page has a text layer and OCR read no text on its images; "
            "supply a text version or a better scan"
        )
    return f"{name}: no page has a text layer (a scan?); OCR it or supply a text version"


def _encrypted(path: Path | ArchiveMember) -> str:
    return f"{path.name}: the PDF is password-protected; save an unprotected copy and ingest that"


def _page_text(page: object) -> str:
    text = page.extract_text() or ""  # type: ignore[attr-defined]
    return text.replace("\u00a0", " ").replace("\x00", "")


def _outline(reader: object) -> list[KnownEntry]:
    """Entries of the PDF's bookmarks (outline), with their 1-based page."""
    entries: list[KnownEntry] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            title = re.sub(r"\s+", " ", str(getattr(item, "title", "") or "")).strip()
            try:
                page = reader.get_destination_page_number(item) + 1  # type: ignore[attr-defined]
            except Exception as exc:  # a bookmark without a page still names its section
                log.debug("bookmark %r has no page: %s", title, exc)
                page = None
            label, _ = section_label(title)
            if label and title.startswith(label):
                title = title[len(label) :].lstrip(". ")
            if title:
                entries.append(KnownEntry(label, title, page))

    try:
        walk(reader.outline)  # type: ignore[attr-defined]
    except Exception as exc:  # a broken outline must not cost the document
        log.info("ignoring a broken PDF outline: %s", exc)
        return []
    return entries
