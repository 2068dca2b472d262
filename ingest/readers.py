"""Read files into `SourceDocument`s: PDF (page by page, OCR for scanned pages), TXT, Markdown,
DOCX, HTML, and XLSX/CSV tables (one line per row, each cell with its column name)."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import zipfile
from pathlib import Path
from typing import Any

from ingest.archives import ArchiveMember, sidecar_metadata_of
from ingest.cleaning import clean_pages
from ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    IngestError,
    NoTextLayerError,
    UnsupportedFormatError,
)
from ingest.extract import extract_metadata, with_dossier
from ingest.metadata import (
    sidecar_metadata,
    split_front_matter,
    title_from_filename,
    usable_pdf_title,
)
from ingest.models import Heading, MetadataValue, Page, SourceDocument
from ingest.ocr import INSTALL_HINT, OCR_VERSION, OcrError, has_images, ocr_pages, ocr_status
from ingest.ocr import page_ranges as compact_pages
from ingest.sections import (
    KnownEntry,
    is_contents_heading,
    normalize,
    parse_contents,
    pdf_headings,
    section_label,
    text_headings,
)
from ingest.tables import csv_text, xlsx_text

log = logging.getLogger(__name__)

SUPPORTED = {
    ".pdf": "pdf",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
    ".csv": "csv",
}
MIN_PAGE_CHARS = 20
EXTRACTION_VERSION = b"extract-3"  # part of every id: a better extractor re-reads old files
HEAD_PAGES = 2  # metadata is read from the first pages only
MAX_GARBAGE_SHARE = 0.05  # control characters and undefined bytes in a text read as cp1252


def content_id(data: bytes, path: Path | ArchiveMember | None = None) -> str:
    """Document id: a hash of the file's bytes and of its sidecar metadata, if any.

    A PDF's id also says whether OCR was available: installing Tesseract re-reads the PDFs
    (their scanned pages may now be read), and removing it does too.
    """
    version = EXTRACTION_VERSION
    if data[:1024].lstrip().startswith(b"%PDF") and ocr_status() is None:
        version += b"+" + OCR_VERSION
    digest = hashlib.sha256(version + b"\x00" + data)
    for _, sidecar in _sidecars(path):
        digest.update(b"\x00sidecar\x00" + sidecar)
    return digest.hexdigest()[:32]


def _sidecars(path: Path | ArchiveMember | None) -> list[tuple[str, bytes]]:
    if isinstance(path, ArchiveMember):
        return path.sidecars()
    if path is not None:
        sidecar = path.with_name(path.name + ".meta.json")
        if sidecar.is_file():
            return [(str(sidecar), sidecar.read_bytes())]
    return []


def file_id(path: Path | ArchiveMember) -> str | None:
    """The document id a file would get, without parsing it; None if it cannot be read."""
    try:
        return content_id(path.read_bytes(), path)
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
        return None


def read_document(path: Path | ArchiveMember, display: str | None = None) -> SourceDocument:
    """Read one file (on disk or in a ZIP); raises an `IngestError` subclass with a clear
    reason when it cannot."""
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise UnsupportedFormatError(
            f"{path.name}: file type '{path.suffix or '(none)'}' is not supported "
            f"(use PDF, TXT, Markdown, DOCX, HTML, XLSX, CSV or a ZIP of these)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError) as exc:
        raise CorruptFileError(f"{path.name}: cannot be read from the ZIP ({exc})") from exc
    if not data.strip():
        raise EmptyFileError(f"{path.name}: the file is empty; nothing to ingest")
    try:
        if isinstance(path, ArchiveMember):
            meta = sidecar_metadata_of(path.sidecars())
        else:
            meta = sidecar_metadata(path)
    except ValueError as exc:
        raise CorruptFileError(f"{path.name}: sidecar metadata is invalid: {exc}") from exc
    source = display or str(path)
    doc_id = content_id(data, path)
    if kind == "pdf":
        return _read_pdf(path, data, doc_id, source, meta)
    if kind == "docx":
        text, headings = _read_docx(path, data)
        return _single_page(path, doc_id, source, kind, text, meta, headings)
    if kind == "xlsx":
        text, headings, notes = _read_xlsx(path, data)
        return _single_page(path, doc_id, source, kind, text, meta, headings, notes)
    if kind == "csv":
        return _read_csv(path, data, doc_id, source, meta)
    text, notes = _decode(path, data)
    front, body = split_front_matter(text)
    meta = {**front, **meta}
    if kind == "html":
        body, headings = _html_text(body)
        return _single_page(path, doc_id, source, kind, body, meta, headings, notes)
    return _single_page(path, doc_id, source, kind, body, meta, None, notes)


def _decode(path: Path | ArchiveMember, data: bytes) -> tuple[str, tuple[str, ...]]:
    if b"\x00" in data[:4096]:
        raise CorruptFileError(f"{path.name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    # Windows-1252 decodes almost any bytes; real text in it has next to no control characters
    # or undefined bytes, while binary data read this way has them every few characters.
    garbage = sum(1 for ch in text if ch == "\ufffd" or (ch < " " and ch not in "\t\n\r\f\x1a"))
    if garbage > MAX_GARBAGE_SHARE * len(text):
        raise CorruptFileError(
            f"{path.name}: not readable as text (neither UTF-8 nor Windows-1252); "
            "save it as UTF-8 text and ingest it again"
        )
    return text, (f"{path.name}: not valid UTF-8; read as Windows-1252",)


def _single_page(
    path: Path | ArchiveMember,
    doc_id: str,
    source: str,
    kind: str,
    text: str,
    meta: dict[str, MetadataValue],
    headings: list[Heading] | None,
    notes: tuple[str, ...] = (),
) -> SourceDocument:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyFileError(f"{path.name}: contains no text")
    if headings is None:
        headings = text_headings(text)
    found = extract_metadata(text)
    title = str(meta.get("title") or meta.get("onderwerp") or "")
    if not title:
        first = next((h for h in headings if h.offset < 500 and not h.section), None)
        title = first.title if first else str(found.get("onderwerp") or title_from_filename(path))
    # what the file's own metadata says wins over what was read; the dossier follows onderwerp
    meta = with_dossier({**found, **meta}, meta)
    return SourceDocument(
        doc_id=doc_id,
        source=source,
        title=title,
        kind=kind,
        pages=(Page(1, text),),
        metadata=meta,
        headings=tuple(headings),
        notes=notes,
    )


def _read_pdf(
    path: Path | ArchiveMember,
    data: bytes,
    doc_id: str,
    source: str,
    meta: dict[str, MetadataValue],
) -> SourceDocument:
    import io

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
        notes.append(f"{path.name}: page(s) {_ranges(read_by_ocr)} read by OCR (Tesseract, nld)")
    cleaned, contents = clean_pages(raw)
    known = outline + [
        e
        for e in parse_contents(raw[i - 1] for i in contents)
        if e.label or not outline  # unnumbered contents lines are often wrapped titles
    ]
    pages = tuple(Page(i, t) for i, t in enumerate(cleaned, start=1))
    probe = SourceDocument(doc_id, source, "", "pdf", pages)
    headings = pdf_headings(probe.full_text, probe.page_starts, known)
    found = extract_metadata("\n\n".join(raw[:HEAD_PAGES]))
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
        meta["ocr_pages"] = compact_pages(read_by_ocr)
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
        cause: f"{name}: page(s) {_ranges(sorted(numbers))} {why[cause]}"
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
            except Exception:
                page = None
            label, _ = section_label(title)
            if label and title.startswith(label):
                title = title[len(label) :].lstrip(". ")
            if title:
                entries.append(KnownEntry(label, title, page))

    try:
        walk(reader.outline)  # type: ignore[attr-defined]
    except Exception:  # a broken outline must not cost the document
        return []
    return entries


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], numbers[0], numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def _read_docx(path: Path | ArchiveMember, data: bytes) -> tuple[str, list[Heading]]:
    import io
    import zipfile

    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptFileError(f"{path.name}: not a valid Word (.docx) file ({exc})") from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    parts: list[str] = []
    headings: list[Heading] = []
    pos = 0
    current = ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            style = (block.style.name if block.style is not None else "") or ""
            level_match = re.match(r"(?:heading|kop)\s*(\d)", style, re.I)
            if text and (level_match or style.lower() == "title"):
                label, _ = section_label(text)
                current = label or current
                level = int(level_match.group(1)) if level_match else 1
                headings.append(Heading(pos, label or current, text, level))
        elif isinstance(block, Table):
            rows = [" | ".join(c.text.strip() for c in row.cells) for row in block.rows]
            text = "\n".join(r for r in rows if r.strip(" |"))
        else:
            continue
        if text:
            parts.append(text)
            pos += len(text) + 2
    return "\n\n".join(parts), headings


def _read_xlsx(
    path: Path | ArchiveMember, data: bytes
) -> tuple[str, list[Heading], tuple[str, ...]]:
    try:
        text, headings, notes = xlsx_text(data)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise CorruptFileError(f"{path.name}: not a valid Excel (.xlsx) file ({exc})") from exc
    return text, headings, tuple(f"{path.name}: {n}" for n in notes)


def _read_csv(
    path: Path | ArchiveMember,
    data: bytes,
    doc_id: str,
    source: str,
    meta: dict[str, MetadataValue],
) -> SourceDocument:
    notes: tuple[str, ...] = ()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM, as Excel may save it
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CorruptFileError(f"{path.name}: not readable as UTF-16 text ({exc})") from exc
    else:
        text, notes = _decode(path, data)
    try:
        table, cut = csv_text(text)
    except csv.Error as exc:
        raise CorruptFileError(f"{path.name}: not a readable CSV file ({exc})") from exc
    notes += tuple(f"{path.name}: {n}" for n in cut)
    return _single_page(path, doc_id, source, "csv", table, meta, [], notes)


def _html_text(html: str) -> tuple[str, list[Heading]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    parts: list[str] = []
    headings: list[Heading] = []
    pos = 0
    body = soup.body or soup
    for el in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre"]):
        if el.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in el.find_all(["td", "th"]))
        elif el.find_parent(["li", "tr", "p"]) is not None:
            continue
        else:
            text = el.get_text(" ", strip=True)
        if not text:
            continue
        if el.name[0] == "h" and el.name[1:].isdigit():
            label, _ = section_label(text)
            headings.append(Heading(pos, label, text, int(el.name[1])))
        parts.append(text)
        pos += len(text) + 2
    return "\n\n".join(parts), headings


__all__ = ["SUPPORTED", "content_id", "is_contents_heading", "normalize", "read_document"]
