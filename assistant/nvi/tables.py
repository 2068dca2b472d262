"""Provider question files (CSV/TXT, XLSX, DOCX) as plain tables of cleaned cell texts.

- Questions and answers keep line breaks as single newlines (blank lines dropped); the other
  fields are one line. Spaces are collapsed everywhere.
- Merged cells count as filled with their value (Word does this itself; Excel is loaded in
  normal mode, not read-only, to see merged ranges). A row merged across the full width is a
  group heading.
- CSV/TXT: the delimiter is whichever of ; tab , gives most rows the same width (ties: ;).
  Encoding: UTF-8 (BOM or not, no NUL bytes), UTF-16 with a BOM, else cp1252 if it reads
  as text (noted); an explicit encoding is used as given (`ingest.encoding`, `ingest.tables`).
- Row.number is the row in the sheet or CSV (blank lines included; a quoted newline stays
  inside its row); for Word it runs on across all tables of the document, and messages say
  "tabel 2, rij 3".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from assistant.nvi.models import NviError
from ingest.encoding import NotTextError, decode_text
from ingest.tables import csv_rows as csv_records
from ingest.tables import sheet_grid


@dataclass(frozen=True)
class Row:
    number: int  # row in the file (ImportedQuestion.row)
    where: str  # "rij 7" or "tabel 2, rij 3", for messages
    cells: tuple[str, ...]
    heading: bool = False  # one cell merged across the whole row: a group heading


@dataclass(frozen=True)
class Table:
    label: str  # "tabblad 'Vragen'", "tabel 2" or "" for a CSV
    rows: tuple[Row, ...]
    joins_same_layout: bool = False  # Word: later tables with the same header continue it


def decode(name: str, data: bytes, encoding: str | None) -> tuple[str, str]:
    """Text of a CSV and a note on how it was read; explicit encodings are taken as given."""
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError as exc:
            raise NviError(f"Onbekende tekenset '{encoding}'; probeer utf-8 of cp1252.") from exc
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise NviError(
                f"{name}: regel {line} is niet te lezen als {encoding}; kies een andere "
                "tekenset of sla het bestand op als CSV UTF-8."
            ) from exc
        return text.removeprefix("\ufeff"), ""
    try:
        text, found = decode_text(data)  # Windows-1252 only when it holds no control characters
    except NotTextError as exc:
        raise NviError(
            f"{name}: kan de tekens niet lezen; sla het bestand op als CSV UTF-8."
        ) from exc
    return text, "gelezen als Windows-1252" if found == "cp1252" else ""


def csv_rows(text: str) -> tuple[Row, ...]:
    try:
        records = csv_records(text)
    except csv.Error as exc:
        raise NviError(f"CSV-bestand kan niet worden gelezen: {exc}.") from exc
    # Records are numbered as a spreadsheet shows them (a quoted newline stays in its row).
    return tuple(
        Row(n, f"rij {n}", tuple(clean(c) for c in rec)) for n, rec in enumerate(records, 1)
    )


def xlsx_tables(name: str, data: bytes) -> list[Table]:
    import openpyxl

    # Normal mode, not read-only: only it exposes merged ranges, and NvI files are small.
    # Any failure to parse is the file's fault, so every exception becomes a message.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise NviError(
            f"{name} is geen geldig Excel-bestand (.xlsx); open het in Excel en sla het opnieuw "
            "op als Excel-werkmap."
        ) from exc
    tables = []
    for sheet in workbook.worksheets:
        grid = sheet_grid(sheet, text=lambda value, _format: cell_text(value))
        spans: dict[int, int] = {}  # row -> last column of a one-row merge from column A
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            value = grid[top][left] if top < len(grid) and left < len(grid[top]) else ""
            if value and left == 0 and merged.max_col > 1 and merged.min_row == merged.max_row:
                spans[top] = merged.max_col
        headings = {r for r, last in spans.items() if len(trim(grid[r])) <= last}
        rows = tuple(
            Row(i + 1, f"rij {i + 1}", tuple(cells), i in headings) for i, cells in enumerate(grid)
        )
        tables.append(Table(f"tabblad '{sheet.title}'", rows))
    return tables


def docx_tables(name: str, data: bytes) -> list[Table]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken package can fail anywhere while parsing
        raise NviError(
            f"{name} is geen geldig Word-bestand (.docx); open het in Word en sla het opnieuw "
            "op als Word-document."
        ) from exc
    tables, start = [], 0
    for i, table in enumerate(document.tables, 1):
        rows = []
        for j, row in enumerate(table.rows, 1):
            cells = row.cells  # a merged cell appears once per grid column it covers
            merged = len(cells) > 1 and all(c._tc is cells[0]._tc for c in cells)
            texts = tuple(clean(c.text) for c in cells)
            rows.append(Row(start + j, f"tabel {i}, rij {j}", texts, merged))
        start += len(rows)
        tables.append(Table(f"tabel {i}", tuple(rows), joins_same_layout=True))
    if not tables:
        raise NviError(f"{name} bevat geen tabel; zet de vragen in een tabel met een kopregel.")
    return tables


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return clean(str(value))


def clean(text: str) -> str:
    """Collapse spaces per line and drop blank lines; line breaks stay as single newlines."""
    text = re.sub(
        r"\r\n?|[\v\f\u2028\u2029]", "\n", text.replace("\u200b", "").replace("\ufeff", "")
    )
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def trim(cells: Sequence[str]) -> Sequence[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
