"""XLSX and CSV attachments (price sheets, question lists) as text: one line per row.

Each row becomes "Kolom: waarde; Kolom2: waarde2" with the names from the table's header row,
so every row read alone — as one passage — still says what its values are. Title lines above
the header stay plain lines; a workbook's sheets become sections.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

from ingest.models import Heading

MAX_ROWS = 50_000  # per file; a larger sheet is data, not a document (a note says it was cut)
MAX_CELL_CHARS = 2_000
CELL_SEPARATOR = "; "
_NUMBER_LIKE = re.compile(r"^[\s\d.,\-+/:€%]*$")
_DEFAULT_SHEET = re.compile(r"^(sheet|blad|tabelle|feuil)\s*\d*$", re.I)


def row_lines(rows: list[list[str]]) -> list[str]:
    """The lines of one table: title rows as they are, then each data row with its header."""
    rows = [r for r in (_trim(r) for r in rows) if r]
    header_at = _header_index(rows)
    if header_at is None:
        return [CELL_SEPARATOR.join(c for c in r if c) for r in rows]
    header = rows[header_at]
    names = [name or f"Kolom {i}" for i, name in enumerate(header, start=1)]
    lines = [CELL_SEPARATOR.join(c for c in r if c) for r in rows[:header_at]]
    for row in rows[header_at + 1 :]:
        if row == header:  # a header repeated further down the sheet
            continue
        cells = [
            f"{names[i] if i < len(names) else f'Kolom {i + 1}'}: {value}"
            for i, value in enumerate(row)
            if value
        ]
        lines.append(CELL_SEPARATOR.join(cells))
    return lines


def _trim(row: list[str]) -> list[str]:
    cells = [_clean(c) for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _clean(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()[:MAX_CELL_CHARS]


def _header_index(rows: list[list[str]]) -> int | None:
    """The first row that names the columns: at least two filled cells and at least half as
    many as the widest row, none of them a number or date. None for a table without one."""
    if not rows:
        return None
    widest = max(sum(1 for c in r if c) for r in rows)
    for i, row in enumerate(rows[:20]):
        filled = [c for c in row if c]
        if len(filled) >= max(2, (widest + 1) // 2) and not any(
            _NUMBER_LIKE.match(c) for c in filled
        ):
            return i
    return None


# --- CSV --------------------------------------------------------------------------------------


def csv_rows(text: str) -> list[list[str]]:
    """Rows of a CSV text, numbered as a spreadsheet shows them (a quoted newline stays inside
    its row); the delimiter is the one `sniff_delimiter` finds. Raises `csv.Error`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:65536]))
    return list(reader)


def sniff_delimiter(sample: str) -> str:
    """The delimiter among ; tab , that splits most rows into the same number of columns
    (ties: ;, as Dutch Excel writes)."""
    best, best_score = ";", (0, 0)
    for delimiter in (";", "\t", ","):
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if any(c.strip() for c in r)][:50]
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(common), common) if common > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_text(text: str) -> tuple[str, list[str]]:
    """A CSV's text as row lines, and notes (rows cut off)."""
    rows = csv_rows(text)
    notes = []
    if len(rows) > MAX_ROWS:
        notes.append(f"only the first {MAX_ROWS} of {len(rows)} rows were read")
        rows = rows[:MAX_ROWS]
    return "\n".join(row_lines(rows)), notes


# --- XLSX -------------------------------------------------------------------------------------


def xlsx_text(data: bytes) -> tuple[str, list[Heading], list[str]]:
    """A workbook's text: each non-empty sheet's rows; sheets with a telling name (or more than
    one sheet) start with a heading line "Tabblad <name>", the sheet being the section."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheets: list[tuple[str, list[str]]] = []
    notes: list[str] = []
    budget = MAX_ROWS
    for sheet in book.worksheets:
        grid = sheet_grid(sheet, budget)
        if len(grid) >= budget:
            notes.append(f"only the first {MAX_ROWS} rows were read")
        budget -= len(grid)
        lines = row_lines(grid)
        if lines:
            sheets.append((str(sheet.title), lines))
        if budget <= 0:
            break
    parts: list[str] = []
    headings: list[Heading] = []
    pos = 0
    named = len(sheets) > 1 or any(not _DEFAULT_SHEET.match(name) for name, _ in sheets)
    for name, lines in sheets:
        if named:
            title = f"Tabblad {name}"
            headings.append(Heading(pos, name, title, 1))
            lines = [title, *lines]
        block = "\n".join(lines)
        parts.append(block)
        pos += len(block) + 2
    return "\n\n".join(parts), headings, notes


def sheet_grid(
    sheet: Any, limit: int | None = None, text: Callable[[Any, str], str] | None = None
) -> list[list[str]]:
    """The sheet's cells as text (`text(value, number_format)`, by default `cell_text`), at most
    `limit` rows, merged ranges filled with their top-left value."""
    as_text = text or cell_text
    merged: dict[tuple[int, int], Any] = {}
    for rng in getattr(sheet, "merged_cells", None) or []:
        top_left = sheet.cell(rng.min_row, rng.min_col)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = top_left
    grid: list[list[str]] = []
    for row in sheet.iter_rows():
        if limit is not None and len(grid) >= limit:
            break
        cells = []
        for cell in row:
            source = merged.get((cell.row, cell.column), cell) if merged else cell
            cells.append(as_text(source.value, getattr(source, "number_format", "")))
        grid.append(cells)
    return grid


def cell_text(value: object, number_format: str = "") -> str:
    """A cell value as a Dutch reader writes it: 12,50, € 1.250,00 stays a number, 1-1-2026."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value.day}-{value.month}-{value.year}"
        return f"{value.day}-{value.month}-{value.year} {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, int | float):
        return _number(float(value), number_format or "")
    return str(value)


def _number(value: float, number_format: str) -> str:
    if "%" in number_format:
        decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
        return f"{value * 100:.{decimals}f}".replace(".", ",") + "%"
    if "0.00" in number_format:
        text = f"{value:.2f}".replace(".", ",")
    elif value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = f"{value:.10g}".replace(".", ",")
    if "€" in number_format:
        text = f"€ {text}"
    return text
