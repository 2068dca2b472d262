"""Read provider questions from a CSV, Excel or Word file into an ImportResult.

Each format is first turned into plain tables of cleaned cell texts; finding the header row,
mapping columns to fields and turning rows into questions is the same for all formats.

Choices, so callers know what to expect:
- The header is the best-scoring row among the first 10 non-empty rows of a table; it must
  have a question column. Excel: the first sheet with such a header is read. Word: the first
  table with one, plus later tables whose header is the same (a split table).
- Questions and answers keep line breaks as single newlines (blank lines dropped); the other
  fields are one line. Spaces are collapsed everywhere.
- Several location columns (e.g. Paragraaf and Pagina) are joined as "§ 2.7, p. 12"; a single
  location column is kept as written.
- Merged cells count as filled with their value (Word does this itself; Excel is loaded in
  normal mode, not read-only, to see merged ranges). A row merged across the full width is a
  group heading and is skipped.
- Empty rows are counted only between the header and the last filled row.
- CSV/TXT: the delimiter is whichever of ; tab , gives most rows the same width (ties: ;).
  Encoding: UTF-8 (BOM or not, no NUL bytes), UTF-16 with a BOM, else cp1252 if it reads
  as text (noted); an explicit encoding is used as given.
- ImportedQuestion.row is the row in the sheet or CSV (blank lines included; a quoted newline
  stays inside its row); for Word it runs on across all tables of the document, and messages
  say "tabel 2, rij 3".
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from assistant.nvi.models import ImportedQuestion, ImportProblem, ImportResult, NviError

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".txt", ".xlsx", ".docx")
FIELDS = ("nr", "document", "location", "text", "provider", "answer")
# Names accepted in an explicit mapping (English field names and the Dutch the CLI shows).
FIELD_NAMES = {
    **{name: name for name in FIELDS},
    "vraag": "text", "question": "text", "tekst": "text",
    "nummer": "nr", "number": "nr",
    "paragraaf": "location", "locatie": "location", "plaats": "location",
    "aanbieder": "provider",
    "antwoord": "answer",
}  # fmt: skip
DUTCH_FIELD_NAMES = ("vraag", "nummer", "document", "paragraaf", "aanbieder", "antwoord")

# Header texts (normalised by _key) that name a field outright.
HEADER_SYNONYMS = {
    "nr": ("nr", "no", "nummer", "number", "#", "vraag nr", "vraagnr", "vraagnummer",
           "nr vraag", "nummer vraag", "volgnummer", "volgnr", "id"),
    "document": ("document", "documentnaam", "naam document", "doc", "bestand",
                 "aanbestedingsdocument", "stuk"),
    "location": ("paragraaf", "par", "§", "pagina", "blz", "bladzijde", "page", "artikel",
                 "hoofdstuk", "verwijzing", "paragraaf pagina", "pagina paragraaf", "locatie",
                 "section", "referentie"),
    "text": ("vraag", "vragen", "question", "questions", "vraag aanbieder", "vraagstelling",
             "gestelde vraag", "vraag inschrijver", "omschrijving vraag", "vraagtekst"),
    "provider": ("aanbieder", "zorgaanbieder", "organisatie", "inschrijver", "naam aanbieder",
                 "gegadigde", "leverancier", "vraagsteller", "provider", "naam organisatie"),
    "answer": ("antwoord", "antwoorden", "answer", "antwoord gemeente", "beantwoording",
               "antwoord opdrachtgever", "reactie gemeente"),
}  # fmt: skip
_EXACT = {syn: name for name, syns in HEADER_SYNONYMS.items() for syn in syns}
# Word parts for headers not listed above ("Nr. van de vraag", "Paginanummer"), tried in this
# order: a location or document word wins over a number word, a number word over "vraag".
# The first rule keeps provider details ("KvK-nummer", "E-mail") from being taken for a field.
_FUZZY = (
    ("", re.compile(r"^(kvk|telefoon|tel|e?mail|datum|date|postcode|iban|website)")),
    ("answer", re.compile(r"^(antwoord|answer|beantwoord)")),
    ("location", re.compile(r"(paragraaf|pagina|blz|bladzijde|artikel|hoofdstuk|§|verwijzing"
                            r"|locatie)|^(par|pag|p|art|page|section)$")),
    ("document", re.compile(r"^(document|bestand)")),
    ("nr", re.compile(r"^(nr|no|nummer|number|#)$|(nummer|nr)$")),
    ("provider", re.compile(r"^vraagsteller")),
    ("text", re.compile(r"^(vraag|vragen|question)")),
    ("provider", re.compile(r"(aanbieder|inschrijver|organisatie|gegadigde|leverancier)")),
)  # fmt: skip
_LOCATION_LABELS = (("par", "§ "), ("§", "§ "), ("pag", "p. "), ("blz", "p. "), ("p", "p. "),
                    ("art", "art. "), ("hoofdstuk", "hfst. "))  # fmt: skip
HEADER_SCAN_ROWS = 10
_MAX_HEADER_LEN = 40


@dataclass(frozen=True)
class _Row:
    number: int  # row in the file (ImportedQuestion.row)
    where: str  # "rij 7" or "tabel 2, rij 3", for messages
    cells: tuple[str, ...]
    heading: bool = False  # one cell merged across the whole row: a group heading


@dataclass(frozen=True)
class _Table:
    label: str  # "tabblad 'Vragen'", "tabel 2" or "" for a CSV
    rows: tuple[_Row, ...]
    joins_same_layout: bool = False  # Word: later tables with the same header continue it


@dataclass(frozen=True)
class _Header:
    index: int  # position of the header row in the table's rows
    fields: dict[str, tuple[int, ...]]  # field -> column(s); several only for location
    names: tuple[str, ...]  # the header cells as written


def read_questions(
    path: Path, columns: Mapping[str, str] | None = None, encoding: str | None = None
) -> ImportResult:
    """Read the questions in a CSV/TXT, XLSX or DOCX file; raise NviError when it cannot."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = {".xls": " Sla het op als .xlsx.", ".doc": " Sla het op als .docx."}.get(suffix, "")
        raise NviError(
            f"{path.name}: dit bestandstype wordt niet ondersteund; gebruik "
            f"{', '.join(SUPPORTED_SUFFIXES)}.{hint}"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NviError(f"{path}: bestand niet gevonden.") from exc
    except OSError as exc:
        raise NviError(f"{path}: bestand kan niet worden geopend ({exc.strerror}).") from exc
    if not data:
        raise NviError(f"{path.name} is leeg (0 bytes); kies het bestand met de vragen.")
    mapping = _explicit_mapping(columns or {})
    notes: list[str] = []
    if suffix == ".xlsx":
        tables = _xlsx_tables(path.name, data)
    elif suffix == ".docx":
        tables = _docx_tables(path.name, data)
    else:
        text, note = _decode(path.name, data, encoding)
        notes += [note] if note else []
        tables = [_Table("", _csv_rows(text))]
    return _build(path.name, tables, mapping, notes)


def parse_columns(specs: Iterable[str]) -> dict[str, str]:
    """Turn CLI specs like 'vraag=Question' into a mapping for read_questions."""
    mapping: dict[str, str] = {}
    for spec in specs:
        name, sep, header = spec.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise NviError(f"'{spec}' is geen kolomkoppeling; schrijf bijvoorbeeld vraag=Vraag.")
        mapping[name.strip()] = header.strip()
    _explicit_mapping(mapping)  # fail early on unknown field names
    return mapping


def _explicit_mapping(columns: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, header in columns.items():
        field = FIELD_NAMES.get(name.strip().lower())
        if field is None:
            raise NviError(
                f"Onbekend veld '{name}' in de kolomkoppeling; kies uit "
                f"{', '.join(DUTCH_FIELD_NAMES)} (of {', '.join(FIELDS)})."
            )
        if not _key(header):
            raise NviError(f"Geef bij '{name}' de kolomkop op zoals die in het bestand staat.")
        out[field] = header
    return out


# --- header and rows (pure) ------------------------------------------------------------------


def _build(
    name: str, tables: Sequence[_Table], mapping: dict[str, str], notes: list[str]
) -> ImportResult:
    found: list[tuple[_Table, _Header]] = []
    for table in tables:
        header = _find_header(table, mapping)
        if header is None or "text" not in header.fields:
            continue
        continues = bool(found) and table.joins_same_layout
        if not found or (continues and _keys(header.names) == _keys(found[0][1].names)):
            found.append((table, header))
        else:
            notes.append(f"{table.label} is niet gelezen: alleen {found[0][0].label} is gebruikt.")
    if not found:
        raise NviError(_no_header_message(name, tables, mapping))
    if found[0][0] is not tables[0] and not found[0][0].joins_same_layout:
        notes.append(f"vragen gelezen van {found[0][0].label}")
    if len(found) > 1:
        notes.append(f"vragen uit {len(found)} tabellen samengevoegd")

    questions: list[ImportedQuestion] = []
    problems: list[ImportProblem] = []
    empty_rows = 0
    for table, header in found:
        pending = 0  # blank rows count only when a filled row follows them
        for row in table.rows[header.index + 1 :]:
            if row.heading:
                continue
            if not any(row.cells):
                pending += 1
                continue
            empty_rows, pending = empty_rows + pending, 0
            if _keys(row.cells) == _keys(header.names):
                continue  # the header repeated further down
            item = _question(row, header)
            if isinstance(item, ImportProblem):
                problems.append(item)
            else:
                questions.append(item)
    header = found[0][1]
    used = {
        field: " + ".join(header.names[c] for c in cols) for field, cols in header.fields.items()
    }
    if not questions:
        skipped = f"; {len(problems)} rijen zonder vraag overgeslagen" if problems else ""
        raise NviError(f"{name}: geen vragen gevonden onder de kolomkop '{used['text']}'{skipped}.")
    logger.debug("%s: %d questions, columns %s", name, len(questions), used)
    return ImportResult(tuple(questions), tuple(problems), used, empty_rows, tuple(notes))


def _question(row: _Row, header: _Header) -> ImportedQuestion | ImportProblem:
    def cell(col: int) -> str:
        return row.cells[col] if col < len(row.cells) else ""

    values = {f: cell(cols[0]) for f, cols in header.fields.items() if f != "location"}
    locations = header.fields.get("location", ())
    if len(locations) == 1:
        location = cell(locations[0])
    else:
        location = ", ".join(
            _location_label(header.names[c]) + cell(c) if cell(c)[:1].isdigit() else cell(c)
            for c in locations
            if cell(c)
        )
    text = values.get("text", "")
    if not text:
        known = [("nummer", values.get("nr", "")), ("paragraaf", location)]
        detail = ", ".join(f"{label} {value}" for label, value in known if value)
        return ImportProblem(
            row.number,
            f"{row.where}: geen vraag in kolom '{header.names[header.fields['text'][0]]}'"
            f"{f' ({detail})' if detail else ''}; rij overgeslagen.",
        )

    def line(field: str) -> str:
        return values.get(field, "").replace("\n", " ")

    return ImportedQuestion(
        row=row.number,
        text=text,
        nr=line("nr"),
        document=line("document"),
        location=location.replace("\n", " "),
        provider=line("provider"),
        answer=values.get("answer", ""),
    )


def _find_header(table: _Table, mapping: dict[str, str]) -> _Header | None:
    """The header row: the first with all mapped headers, else the best-scoring one."""
    candidates = [i for i, r in enumerate(table.rows) if any(r.cells) and not r.heading]
    best: _Header | None = None
    best_score = (0, 0)
    for i in candidates[:HEADER_SCAN_ROWS]:
        cells = table.rows[i].cells
        if mapping:
            keys = _keys(cells)
            wanted = {f: _key(h) for f, h in mapping.items()}
            if all(k in keys for k in wanted.values()):
                explicit = {f: (keys.index(k),) for f, k in wanted.items()}
                taken = {c for cols in explicit.values() for c in cols}
                auto, _ = _detect(cells, set(explicit), taken)
                return _Header(i, {**auto, **explicit}, cells)
            continue
        fields, exact = _detect(cells, set(), set())
        score = (exact, len(fields))
        if "text" in fields and score > best_score:
            best, best_score = _Header(i, fields, cells), score
    return best


def _detect(
    cells: Sequence[str], taken_fields: set[str], taken_cols: set[int]
) -> tuple[dict[str, tuple[int, ...]], int]:
    """Fields recognised in a header row, and how many of them matched a synonym exactly."""
    best: dict[str, tuple[int, int]] = {}  # field -> (strength, column)
    locations: list[tuple[int, int]] = []
    for col, cell in enumerate(cells):
        match = None if col in taken_cols else _classify(cell)
        if match is None or match[0] in taken_fields:
            continue
        field, strength = match
        if field == "location":
            locations.append((strength, col))
        elif field not in best or strength > best[field][0]:
            best[field] = (strength, col)
    fields: dict[str, tuple[int, ...]] = {field: (col,) for field, (_, col) in best.items()}
    exact = sum(strength == 2 for strength, _ in best.values())
    if locations:
        fields["location"] = tuple(col for _, col in locations)
        exact += max(strength for strength, _ in locations) == 2
    return fields, exact


def _classify(cell: str) -> tuple[str, int] | None:
    """(field, 2) for a known header, (field, 1) for a header with a telling word, else None."""
    key = _key(cell)
    if not key or len(cell) > _MAX_HEADER_LEN or len(key.split()) > 5:
        return None
    if key in _EXACT:
        return _EXACT[key], 2
    for field, pattern in _FUZZY:
        if any(pattern.search(token) for token in key.split()):
            return (field, 1) if field else None
    return None


def _location_label(header: str) -> str:
    tokens = _key(header).split()
    labels = {
        label
        for start, label in _LOCATION_LABELS
        for token in tokens
        if token == start or (len(start) > 1 and token.startswith(start))
    }
    return labels.pop() if len(labels) == 1 else ""


def _key(text: str) -> str:
    """A header compared case-, accent-, space- and punctuation-insensitively."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9#§]+", " ", text).split())


def _keys(cells: Sequence[str]) -> list[str]:
    return [_key(c) for c in _trim(cells)]


def _no_header_message(name: str, tables: Sequence[_Table], mapping: dict[str, str]) -> str:
    rows = [r for t in tables for r in t.rows if any(r.cells) and not r.heading]
    if not rows:
        return f"{name}: geen kolomkoppen gevonden; het bestand bevat geen tabel met vragen."
    # The likeliest header: the fullest of the first rows.
    guess = max(rows[:HEADER_SCAN_ROWS], key=lambda r: sum(bool(c) for c in r.cells))
    names = [c.replace("\n", " ") for c in guess.cells if c]
    listing = ", ".join(f"'{n}'" for n in names)
    keys = _keys(guess.cells)
    missing = [h for h in mapping.values() if _key(h) not in keys]
    if missing:
        return (
            f"{name}: kolom {', '.join(repr(h) for h in missing)} niet gevonden. "
            f"Gevonden kolomkoppen ({guess.where}): {listing}."
        )
    # Suggest the unrecognised column with the most text below it: likely the questions.
    table = next(t for t in tables if guess in t.rows)
    below = table.rows[table.rows.index(guess) + 1 :]
    free = [c for c, n in enumerate(guess.cells) if n and _classify(n) is None]
    text_len = {c: sum(len(r.cells[c]) for r in below if c < len(r.cells)) for c in free}
    example = guess.cells[max(free, key=text_len.__getitem__)] if free else "KOP"
    example = example.replace("\n", " ")
    return (
        f"{name}: geen kolom met de vragen gevonden. Gevonden kolomkoppen ({guess.where}): "
        f"{listing}. Geef aan welke kolom de vragen bevat, bijvoorbeeld "
        f'--columns vraag="{example}".'
    )


# --- decoding and reading files -------------------------------------------------------------


def _decode(name: str, data: bytes, encoding: str | None) -> tuple[str, str]:
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
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            pass
    else:
        try:
            text = data.decode("utf-8-sig")
            if "\x00" not in text:  # NULs mean binary or UTF-16 without a BOM
                return text, ""
        except UnicodeDecodeError:
            # Not UTF-8: Dutch Excel's "CSV (gescheiden door lijstscheidingsteken)" is cp1252,
            # but so would any binary file decode; accept it only when it reads as text.
            try:
                text = data.decode("cp1252")
                if _looks_like_text(text):
                    return text, "gelezen als Windows-1252"
            except UnicodeDecodeError:
                pass
    raise NviError(f"{name}: kan de tekens niet lezen; sla het bestand op als CSV UTF-8.")


def _looks_like_text(text: str) -> bool:
    return not any((ch < " " and ch not in "\t\r\n") or ch == "\x7f" for ch in text)


def _csv_rows(text: str) -> tuple[_Row, ...]:
    delimiter = _sniff_delimiter(text[:65536])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Records are numbered as a spreadsheet shows them (a quoted newline stays in its row).
        return tuple(
            _Row(n, f"rij {n}", tuple(_clean(c) for c in rec)) for n, rec in enumerate(reader, 1)
        )
    except csv.Error as exc:
        raise NviError(f"CSV-bestand kan niet worden gelezen: {exc}.") from exc


def _sniff_delimiter(sample: str) -> str:
    """The delimiter among ; tab , that splits most rows into the same number of columns."""
    best, best_score = ";", (0, 0)
    for delimiter in (";", "\t", ","):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)]
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


def _xlsx_tables(name: str, data: bytes) -> list[_Table]:
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
        grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        spans: dict[int, int] = {}  # row -> last column of a one-row merge from column A
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            value = grid[top][left] if top < len(grid) and left < len(grid[top]) else ""
            for r in range(top, min(merged.max_row, len(grid))):
                for c in range(left, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = value
                if value and left == 0 and merged.max_col > 1 and merged.min_row == merged.max_row:
                    spans[r] = merged.max_col
        headings = {r for r, last in spans.items() if len(_trim(grid[r])) <= last}
        rows = tuple(
            _Row(i + 1, f"rij {i + 1}", tuple(cells), i in headings) for i, cells in enumerate(grid)
        )
        tables.append(_Table(f"tabblad '{sheet.title}'", rows))
    return tables


def _docx_tables(name: str, data: bytes) -> list[_Table]:
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
            texts = tuple(_clean(c.text) for c in cells)
            rows.append(_Row(start + j, f"tabel {i}, rij {j}", texts, merged))
        start += len(rows)
        tables.append(_Table(f"tabel {i}", tuple(rows), joins_same_layout=True))
    if not tables:
        raise NviError(f"{name} bevat geen tabel; zet de vragen in een tabel met een kopregel.")
    return tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return _clean(str(value))


def _clean(text: str) -> str:
    """Collapse spaces per line and drop blank lines; line breaks stay as single newlines."""
    text = re.sub(
        r"\r\n?|[\v\f\u2028\u2029]", "\n", text.replace("\u200b", "").replace("\ufeff", "")
    )
    lines = (re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _trim(cells: Sequence[str]) -> Sequence[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
