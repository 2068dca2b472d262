"""Read files into `SourceDocument`s: PDF (page by page, OCR for scanned pages), TXT, Markdown,
DOCX, HTML, and XLSX/CSV tables (one line per row, each cell with its column name)."""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import zipfile
from pathlib import Path

from ingest.archives import ArchiveMember, sidecar_metadata_of
from ingest.encoding import UTF16_BOMS, NotTextError, decode_text
from ingest.errors import CorruptFileError, EmptyFileError, UnsupportedFormatError
from ingest.extract import extract_metadata, with_dossier
from ingest.metadata import sidecar_metadata, split_front_matter, title_from_filename
from ingest.models import Heading, MetadataValue, Page, SourceDocument
from ingest.ocr import OCR_VERSION, ocr_status
from ingest.pdf import read_pdf
from ingest.sections import is_contents_heading, normalize, section_label, text_headings
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
EXTRACTION_VERSION = b"extract-5"  # part of every id: a better extractor re-reads old files
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
        return read_pdf(path, data, doc_id, source, meta)
    if kind == "docx":
        text, headings = _read_docx(path, data)
        return _single_page(path, doc_id, source, kind, text, meta, headings)
    if kind == "xlsx":
        text, headings, notes = _read_xlsx(path, data)
        return _single_page(path, doc_id, source, kind, text, meta, headings, notes)
    if kind == "csv":
        text, notes = _read_csv(path, data)
        return _single_page(path, doc_id, source, kind, text, meta, [], notes)
    text, notes = _decode(path, data)
    front, body = split_front_matter(text)
    meta = {**front, **meta}
    if kind == "html":
        body, headings = _html_text(body)
        return _single_page(path, doc_id, source, kind, body, meta, headings, notes)
    return _single_page(path, doc_id, source, kind, body, meta, None, notes)


def _decode(
    path: Path | ArchiveMember, data: bytes, utf16: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The text of a text file, and a note when it was not UTF-8; UTF-16 (with its BOM, as
    Excel saves a CSV) only where `utf16`."""
    if b"\x00" in data[:4096] and not (utf16 and data.startswith(UTF16_BOMS)):
        raise CorruptFileError(f"{path.name}: looks like a binary file, not text")
    try:
        text, encoding = decode_text(data, MAX_GARBAGE_SHARE)
    except NotTextError as exc:
        if exc.reason == "utf-16":
            raise CorruptFileError(f"{path.name}: not readable as UTF-16 text ({exc})") from exc
        if exc.reason == "binary":
            raise CorruptFileError(f"{path.name}: looks like a binary file, not text") from exc
        raise CorruptFileError(
            f"{path.name}: not readable as text (neither UTF-8 nor Windows-1252); "
            "save it as UTF-8 text and ingest it again"
        ) from exc
    if encoding == "cp1252":
        return text, (f"{path.name}: not valid UTF-8; read as Windows-1252",)
    return text, ()


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


def _read_csv(path: Path | ArchiveMember, data: bytes) -> tuple[str, tuple[str, ...]]:
    text, notes = _decode(path, data, utf16=True)
    try:
        table, cut = csv_text(text)
    except csv.Error as exc:
        raise CorruptFileError(f"{path.name}: not a readable CSV file ({exc})") from exc
    return table, notes + tuple(f"{path.name}: {n}" for n in cut)


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
