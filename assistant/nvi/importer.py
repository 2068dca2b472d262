"""Read provider questions from a CSV, Excel or Word file into an ImportResult.

Each format is first turned into plain tables of cleaned cell texts (`nvi.tables`); finding the
header row (`nvi.headers`), mapping columns to fields and turning rows into questions is the
same for all formats.

Choices, so callers know what to expect:
- Excel: the first sheet with a question header is read. Word: the first table with one, plus
  later tables whose header is the same (a split table).
- Several location columns (e.g. Paragraaf and Pagina) are joined as "§ 2.7, p. 12"; a single
  location column is kept as written.
- A row merged across the full width is a group heading and is skipped.
- Empty rows are counted only between the header and the last filled row.
- ImportedQuestion.row is the row in the sheet or CSV; for Word it runs on across all tables of
  the document, and messages say "tabel 2, rij 3".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from assistant.nvi.headers import (
    HEADER_SCAN_ROWS,
    Header,
    classify,
    find_header,
    header_key,
    header_keys,
    location_label,
)
from assistant.nvi.models import ImportedQuestion, ImportProblem, ImportResult, NviError
from assistant.nvi.tables import Row, Table, csv_rows, decode, docx_tables, xlsx_tables

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
        tables = xlsx_tables(path.name, data)
    elif suffix == ".docx":
        tables = docx_tables(path.name, data)
    else:
        text, note = decode(path.name, data, encoding)
        notes += [note] if note else []
        tables = [Table("", csv_rows(text))]
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
        if not header_key(header):
            raise NviError(f"Geef bij '{name}' de kolomkop op zoals die in het bestand staat.")
        out[field] = header
    return out


def _build(
    name: str, tables: Sequence[Table], mapping: dict[str, str], notes: list[str]
) -> ImportResult:
    found: list[tuple[Table, Header]] = []
    for table in tables:
        header = find_header(table, mapping)
        if header is None or "text" not in header.fields:
            continue
        continues = bool(found) and table.joins_same_layout
        if not found or (continues and header_keys(header.names) == header_keys(found[0][1].names)):
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
            if header_keys(row.cells) == header_keys(header.names):
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


def _question(row: Row, header: Header) -> ImportedQuestion | ImportProblem:
    def cell(col: int) -> str:
        return row.cells[col] if col < len(row.cells) else ""

    values = {f: cell(cols[0]) for f, cols in header.fields.items() if f != "location"}
    locations = header.fields.get("location", ())
    if len(locations) == 1:
        location = cell(locations[0])
    else:
        location = ", ".join(
            location_label(header.names[c]) + cell(c) if cell(c)[:1].isdigit() else cell(c)
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


def _no_header_message(name: str, tables: Sequence[Table], mapping: dict[str, str]) -> str:
    rows = [r for t in tables for r in t.rows if any(r.cells) and not r.heading]
    if not rows:
        return f"{name}: geen kolomkoppen gevonden; het bestand bevat geen tabel met vragen."
    # The likeliest header: the fullest of the first rows.
    guess = max(rows[:HEADER_SCAN_ROWS], key=lambda r: sum(bool(c) for c in r.cells))
    names = [c.replace("\n", " ") for c in guess.cells if c]
    listing = ", ".join(f"'{n}'" for n in names)
    keys = header_keys(guess.cells)
    missing = [h for h in mapping.values() if header_key(h) not in keys]
    if missing:
        return (
            f"{name}: kolom {', '.join(repr(h) for h in missing)} niet gevonden. "
            f"Gevonden kolomkoppen ({guess.where}): {listing}."
        )
    # Suggest the unrecognised column with the most text below it: likely the questions.
    table = next(t for t in tables if guess in t.rows)
    below = table.rows[table.rows.index(guess) + 1 :]
    free = [c for c, n in enumerate(guess.cells) if n and classify(n) is None]
    text_len = {c: sum(len(r.cells[c]) for r in below if c < len(r.cells)) for c in free}
    example = guess.cells[max(free, key=text_len.__getitem__)] if free else "KOP"
    example = example.replace("\n", " ")
    return (
        f"{name}: geen kolom met de vragen gevonden. Gevonden kolomkoppen ({guess.where}): "
        f"{listing}. Geef aan welke kolom de vragen bevat, bijvoorbeeld "
        f'--columns vraag="{example}".'
    )
