"""Find the header row of a question table and which column holds which field.

The header is the best-scoring row among the first 10 non-empty rows of a table; it must have a
question column. Header texts are compared case-, accent-, space- and punctuation-insensitively
(`header_key`); known names count more than headers with a telling word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.nvi.tables import Table, trim

# Header texts (normalised by header_key) that name a field outright.
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
class Header:
    index: int  # position of the header row in the table's rows
    fields: dict[str, tuple[int, ...]]  # field -> column(s); several only for location
    names: tuple[str, ...]  # the header cells as written


def find_header(table: Table, mapping: dict[str, str]) -> Header | None:
    """The header row: the first with all mapped headers, else the best-scoring one."""
    candidates = [i for i, r in enumerate(table.rows) if any(r.cells) and not r.heading]
    best: Header | None = None
    best_score = (0, 0)
    for i in candidates[:HEADER_SCAN_ROWS]:
        cells = table.rows[i].cells
        if mapping:
            keys = header_keys(cells)
            wanted = {f: header_key(h) for f, h in mapping.items()}
            if all(k in keys for k in wanted.values()):
                explicit = {f: (keys.index(k),) for f, k in wanted.items()}
                taken = {c for cols in explicit.values() for c in cols}
                auto, _ = _detect(cells, set(explicit), taken)
                return Header(i, {**auto, **explicit}, cells)
            continue
        fields, exact = _detect(cells, set(), set())
        score = (exact, len(fields))
        if "text" in fields and score > best_score:
            best, best_score = Header(i, fields, cells), score
    return best


def _detect(
    cells: Sequence[str], taken_fields: set[str], taken_cols: set[int]
) -> tuple[dict[str, tuple[int, ...]], int]:
    """Fields recognised in a header row, and how many of them matched a synonym exactly."""
    best: dict[str, tuple[int, int]] = {}  # field -> (strength, column)
    locations: list[tuple[int, int]] = []
    for col, cell in enumerate(cells):
        match = None if col in taken_cols else classify(cell)
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


def classify(cell: str) -> tuple[str, int] | None:
    """(field, 2) for a known header, (field, 1) for a header with a telling word, else None."""
    key = header_key(cell)
    if not key or len(cell) > _MAX_HEADER_LEN or len(key.split()) > 5:
        return None
    if key in _EXACT:
        return _EXACT[key], 2
    for field, pattern in _FUZZY:
        if any(pattern.search(token) for token in key.split()):
            return (field, 1) if field else None
    return None


def location_label(header: str) -> str:
    tokens = header_key(header).split()
    labels = {
        label
        for start, label in _LOCATION_LABELS
        for token in tokens
        if token == start or (len(start) > 1 and token.startswith(start))
    }
    return labels.pop() if len(labels) == 1 else ""


def header_key(text: str) -> str:
    """A header compared case-, accent-, space- and punctuation-insensitively."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9#§]+", " ", text).split())


def header_keys(cells: Sequence[str]) -> list[str]:
    return [header_key(c) for c in trim(cells)]
