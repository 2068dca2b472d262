"""Export the nota van inlichtingen as Markdown, CSV (for Excel) or DOCX.

`anonymise`, `intro_paragraphs` and `to_markdown` are pure; the writers replace their target
atomically, so a crash mid-export never leaves half a file behind.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.nvi.models import DEFINITIEF, ExportMeta, ExportRow, NviError
from ingest.extract import MONTH_NAMES

if TYPE_CHECKING:
    from docx.table import _Cell

logger = logging.getLogger(__name__)

ANONYMOUS = "[aanbieder]"
REMOVED = "[verwijderd]"
FORMATS = ("docx", "md", "csv")
CSV_HEADER = ("nr", "document", "paragraaf", "vraag", "antwoord", "bronnen", "status")
DOCX_HEADER = ("Nr.", "Paragraaf", "Vraag", "Antwoord")
MIN_NAME = 3  # shorter provider names ("AB") would blank out ordinary words

# --- anonymising -------------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.I)
_SEP = r"[ \t\u00a0.-]{0,3}"
PHONE = re.compile(
    r"(?<![\w+/-])"
    r"(?!\d{1,2}[-/.]\d{1,2}[-/.]\d{4})"  # 01-04-2025 12:00 is a date, not a number
    r"(?:"
    rf"(?:\+|00)31{_SEP}(?:\(0\){_SEP})?[1-9](?:{_SEP}\d){{8}}"  # +31 (0)6 1234 5678
    rf"|0[89]00(?:{_SEP}\d){{4,7}}"  # 0800-1234, 0900-1234567
    rf"|\(?0[1-9](?:\)?{_SEP}\d){{8}}"  # 06-12345678, (020) 123 45 67, 0123-456789
    r")(?!\d)"
)
# Legal forms around a name: "Stichting Zorg Noord", "Zorg Noord B.V." are the same provider.
_PREFIXES = ("stichting", "vereniging", "coöperatie", "cooperatie")
_SUFFIX = r"(?:\s*,?\s*(?<!\w)(?:b\.?\s?v\.?|n\.?\s?v\.?|v\.?\s?o\.?\s?f\.?|u\.?\s?a\.?)(?!\w))?"
_POSSESSIVE = r"(?:['’]s)?"


def _core_names(providers: Iterable[str]) -> list[str]:
    """Provider names without legal forms, longest first: 'Zorg Noord West' before 'Zorg Noord'."""
    cores: set[str] = set()
    for raw in providers:
        name = " ".join(raw.split())
        if len(name) < MIN_NAME:
            continue
        core = re.sub(_SUFFIX + r"\s*$", "", name, flags=re.I).strip(" ,")
        first, _, rest = core.partition(" ")
        if first.lower() in _PREFIXES and rest:
            core = rest
        cores.add(core.lower() if len(core) >= MIN_NAME else name.lower())
    return sorted(cores, key=lambda c: (-len(c), c))


def provider_pattern(providers: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive whole-word pattern for all providers and their legal forms, or None."""
    cores = _core_names(providers)
    if not cores:
        return None
    names = "|".join(r"\s+".join(re.escape(w) for w in core.split()) for core in cores)
    prefix = r"(?:(?:" + "|".join(_PREFIXES) + r")\s+)?"
    return re.compile(
        rf"(?<!\w){prefix}(?:{names})(?!\w){_SUFFIX}{_POSSESSIVE}(?!\w)", re.IGNORECASE
    )


def anonymise(text: str, providers: Iterable[str]) -> str:
    """Replace provider names by [aanbieder], e-mail addresses and phone numbers by [verwijderd]."""
    # Contact details first: a name inside an address must not leave "info@[aanbieder].nl".
    text = EMAIL.sub(REMOVED, text)
    text = PHONE.sub(REMOVED, text)
    pattern = provider_pattern(providers)
    return pattern.sub(ANONYMOUS, text) if pattern else text


# --- shared wording ----------------------------------------------------------------------------


def dutch_date(value: str) -> str:
    """'2025-03-12' -> '12 maart 2025' (with ', 12:00 uur' for a time); anything else as written."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value.strip()
    day = f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}"
    has_time = len(value.strip()) > 10  # '2025-03-12' has no time; '2025-03-12T12:00' has
    return f"{day}, {moment:%H:%M} uur" if has_time else day


def where(row: ExportRow) -> str:
    """'Inkoopdocument, § 2.7': the document and the place in it, as far as they are known."""
    location = " ".join(row.location.split())
    if location[:1].isdigit():
        location = f"§ {location}"
    return ", ".join(part for part in (" ".join(row.document.split()), location) if part)


def status_marker(row: ExportRow) -> str:
    """'(status: concept)' for an answer that is not final yet; '' for a final one."""
    return "" if row.status == DEFINITIEF else f"(status: {row.status})"


def intro_paragraphs(meta: ExportMeta, count: int) -> list[str]:
    """The opening paragraphs, plain text, for every format."""
    subject = f" over {meta.documents}" if meta.documents.strip() else ""
    vragen = "1 vraag" if count == 1 else f"{count} vragen"
    dates = [f"Datum: {dutch_date(meta.date)}"]
    if meta.deadline.strip():
        dates.append(f"Uiterste datum van inschrijving: {dutch_date(meta.deadline)}")
    return [
        *dates,
        f"In deze nota van inlichtingen beantwoorden wij de vragen die aanbieders hebben gesteld"
        f"{subject}. De nota maakt deel uit van de aanbestedingsdocumenten. Waar deze nota "
        "afwijkt van de aanbestedingsdocumenten, gaat deze nota voor.",
        f"Deze nota bevat {vragen}. De vragen zijn geanonimiseerd: namen van aanbieders en "
        "contactgegevens zijn weggelaten. Elke vraag is één keer beantwoord, voor alle aanbieders "
        "gelijk. Een verwijzing als [1] in een antwoord staat bij de bronnen onder dat antwoord.",
    ]


# --- Markdown ----------------------------------------------------------------------------------

# Inline syntax is escaped; a "]" only where it would close a link, so [1] and [aanbieder] stay.
_INLINE = re.compile(r"[\\`*_<|~]|\](?=[(\[:])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:[#>+=-]|\d+(?=[.)](?:\s|$)))")


def _escape_line(line: str) -> str:
    line = _INLINE.sub(lambda m: "\\" + m.group(), line.strip())
    # Leading spaces would make a code block (hence the strip); a leading marker a heading,
    # list, quote or setext underline.
    match = _LINE_START.match(line)
    if match and match.group()[0].isdigit():
        return match.group() + "\\" + line[match.end() :]
    return "\\" + line if match else line


def md_escape(text: str) -> str:
    """Escape Markdown in free text so a question cannot make a heading, table, link or HTML.

    Blank lines keep separating paragraphs; a single line break stays one (a hard break).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [_escape_line(line) for line in paragraph.split("\n") if line.strip()]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def _blockquote(text: str) -> str:
    body = md_escape(text) or "(geen vraagtekst)"
    return "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))


def _md_block(row: ExportRow) -> str:
    heading = f"Vraag {row.nr}"
    if place := where(row):
        heading += f" — {md_escape(place)}"
    if marker := status_marker(row):
        heading += f" {marker}"
    answer = md_escape(row.answer) or "*(nog geen antwoord)*"
    parts = [f"## {heading}", _blockquote(row.question), f"**Antwoord:** {answer}"]
    if row.sources:
        items = (
            f"- [{key}] {md_escape(' '.join(s.split()))}"
            for key, s in enumerate(row.sources, start=1)
        )
        parts.append("**Bronnen:**\n\n" + "\n".join(items))
    return "\n\n".join(parts)


def to_markdown(meta: ExportMeta, rows: Sequence[ExportRow]) -> str:
    """The note as a Markdown document: title, intro, then one block per question."""
    title = f"# Nota van inlichtingen — {md_escape(' '.join(meta.name.split()))}"
    intro = [md_escape(p) for p in intro_paragraphs(meta, len(rows))]
    return "\n\n".join([title, *intro, *(_md_block(row) for row in rows)]) + "\n"


# --- writers -----------------------------------------------------------------------------------


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Let `write` fill a temporary file next to `path`, then move it into place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp makes it private; the note is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_markdown(meta: ExportMeta, rows: Sequence[ExportRow], path: Path) -> Path:
    """Write the Markdown note to `path` (UTF-8)."""
    text = to_markdown(meta, rows)

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    _write_atomic(path, write)
    logger.info("NvI als Markdown geschreven: %s (%d vragen)", path, len(rows))
    return path


def _csv_cell(value: str) -> str:
    # Excel runs a cell that starts with = + - @ as a formula; provider text must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_record(row: ExportRow) -> list[str]:
    values = (row.document, row.location, row.question, row.answer, " | ".join(row.sources))
    return [str(row.nr), *(_csv_cell(v) for v in values), row.status]


def write_csv(meta: ExportMeta, rows: Sequence[ExportRow], path: Path) -> Path:
    """Write one line per question, ';'-separated UTF-8 with BOM, as Dutch Excel expects."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f, delimiter=";")
            out.writerow(CSV_HEADER)
            for row in rows:
                out.writerow(_csv_record(row))

    _write_atomic(path, write)
    logger.info("NvI als CSV geschreven: %s (%d vragen)", path, len(rows))
    return path


_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    # Text pasted from Word or Excel can hold control characters that are invalid in XML.
    return _XML_UNSAFE.sub(" ", text.replace("\r\n", "\n")).strip()


def _fill_answer_cell(cell: _Cell, row: ExportRow) -> None:
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    if marker := status_marker(row):
        paragraph.add_run(marker).bold = True
        paragraph = cell.add_paragraph()
    if answer := _xml_safe(row.answer):
        paragraph.add_run(answer)
    else:
        paragraph.add_run("(nog geen antwoord)").italic = True
    if row.sources:
        listed = "; ".join(
            f"[{key}] {' '.join(s.split())}" for key, s in enumerate(row.sources, start=1)
        )
        run = cell.add_paragraph().add_run(_xml_safe(f"Bronnen: {listed}"))
        run.italic = True
        run.font.size = Pt(8)


def write_docx(meta: ExportMeta, rows: Sequence[ExportRow], path: Path) -> Path:
    """Write the note as a Word document: title, intro and one table with a row per question."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, not the template's Letter
    section.left_margin = section.right_margin = Cm(2.5)
    title = _xml_safe(f"Nota van inlichtingen — {' '.join(meta.name.split())}")
    document.core_properties.title = title
    document.core_properties.author = ""
    document.add_heading(title, level=0)
    for text in intro_paragraphs(meta, len(rows)):
        document.add_paragraph(_xml_safe(text))

    table = document.add_table(rows=1 + len(rows), cols=len(DOCX_HEADER))
    table.style = "Table Grid"
    table.autofit = False
    header = table.rows[0]
    for cell, label in zip(header.cells, DOCX_HEADER, strict=True):
        cell.paragraphs[0].add_run(label).bold = True
    # Repeat the header row at the top of every page.
    header_mark = OxmlElement("w:tblHeader")
    header_mark.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(header_mark)
    for table_row, row in zip(table.rows[1:], rows, strict=True):
        cells = table_row.cells
        cells[0].text = str(row.nr)
        cells[1].text = _xml_safe(where(row))
        cells[2].text = _xml_safe(row.question)
        _fill_answer_cell(cells[3], row)
    for column, width in zip(table.columns, (1.2, 3.3, 5.5, 6.0), strict=True):
        for cell in column.cells:
            cell.width = Cm(width)

    _write_atomic(path, lambda tmp: document.save(str(tmp)))
    logger.info("NvI als Word-document geschreven: %s (%d vragen)", path, len(rows))
    return path


_WRITERS: dict[str, Callable[[ExportMeta, Sequence[ExportRow], Path], Path]] = {
    "docx": write_docx,
    "md": write_markdown,
    "csv": write_csv,
}


def export(meta: ExportMeta, rows: Sequence[ExportRow], fmt: str, path: Path) -> Path:
    """Write the note to `path` in format 'docx', 'md' or 'csv'; return the path."""
    writer = _WRITERS.get(fmt.strip().lower().lstrip("."))
    if writer is None:
        raise NviError(f"Onbekend exportformaat '{fmt}'. Kies een van: {', '.join(FORMATS)}.")
    return writer(meta, rows, Path(path))
