"""Metadata read from the text of Dutch municipal documents: gemeente, type, datum, kenmerk, ….

Pure functions over the first pages of a document. A value is returned only when the text
states it in a recognised form; anything else stays absent (never guessed).
"""

from __future__ import annotations

import re
from datetime import date

from ingest.relations import detect_relations

MetadataValue = str | int | float | bool  # as in ingest.models, which builds on this module

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_NAMES = tuple(MONTHS)  # in calendar order: MONTH_NAMES[month - 1]
MONTH_PATTERN = "|".join(MONTHS)  # regex alternation of the month names
DUTCH_DATE = rf"\d{{1,2}}\s+(?:{MONTH_PATTERN})\s+\d{{4}}"
# A date as a document writes it, in the forms `parse_date` reads: "19 maart 2024",
# "19-03-2024", "2024-03-19". (The answer types' DATE, `assistant.answer.types`, is wider: it
# also takes a month, a quarter or "in 2026" as a time.)
WRITTEN_DATE = rf"(?:{DUTCH_DATE}|\d{{1,2}}-\d{{1,2}}-\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"

# A place or municipality name: "Weert", "Den Helder", "Bergen op Zoom", "Sittard-Geleen".
_NAME = r"(?:'s-)?[A-Z][\w'’-]*(?:[ ](?:(?:op|aan|en|de|den)[ ])?[A-Z][\w'’-]*)*"
_GEMEENTE = [
    re.compile(rf"\bgemeenteraad van (?:de gemeente )?({_NAME})"),
    re.compile(rf"\braad van de gemeente ({_NAME})"),
    re.compile(rf"\b[Bb]urgemeester en wethouders van (?:de gemeente )?({_NAME})"),
]

# Document types, most specific first: a nota van inlichtingen names the inkoopdocument.
DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("raadsinformatiebrief", re.compile(r"\braadsinformatiebrief\b", re.I)),
    ("besluitenlijst", re.compile(r"^\W*besluitenlijst\b", re.I | re.M)),
    ("raadsvoorstel", re.compile(r"^\W*raadsvoorstel\b", re.I | re.M)),
    ("collegebesluit", re.compile(r"^\W*(?:collegebesluit|collegevoorstel)\b", re.I | re.M)),
    ("rectificatie", re.compile(r"^\W*rectificatie\b", re.I | re.M)),
    ("nota van inlichtingen", re.compile(r"\bnota van inlichtingen\b", re.I)),
    (
        "inkoopdocument",
        re.compile(
            r"^\W*(?:inkoopdocument|aanbestedingsleidraad|aanbestedingsdocument"
            r"|inschrijvingsleidraad|offerteaanvraag)\b",
            re.I | re.M,
        ),
    ),
    ("overeenkomst", re.compile(r"^\W*(?:raam|mantel|samenwerkings)?overeenkomst\b", re.I | re.M)),
    ("wet", re.compile(r"^\W*(?:wet\b|\w+wet(?:\s+\d{4})?\s*$)", re.I | re.M)),
    ("regeling", re.compile(r"^\W*(?:regeling|verordening|uitvoeringsbesluit)\b", re.I | re.M)),
]

_LABELS = {
    "kenmerk": r"(?:ons |uw )?kenmerk",
    "registratienummer": r"registratie(?:nr\.?|nummer)",
    "zaaknummer": r"zaak(?:nr\.?|nummer)",
    "contactpersoon": r"(?:inlichtingen(?: bij)?|contactpersoon|behandeld door)",
}
_HEADER_DATE = re.compile(
    rf"^[ \t]*(?:datum[ \t]*:?|{_NAME},)[ \t]*({WRITTEN_DATE})[ \t]*$", re.I | re.M
)
_MEETING_DATE = re.compile(rf"vergadering(?: van)?\s+({DUTCH_DATE})", re.I)
_COLLEGE_DECISION = re.compile(
    rf"\b[Oo]p ({DUTCH_DATE}) heeft (?:ons|het) college\b[^.]*?"
    r"\b(?:vastgesteld|besloten|ingestemd|genomen)\b"
)
_STOP_LINE = re.compile(r"^(?:aan|geachte|beste|datum|kenmerk|bijlage|met\b|van\b)", re.I)
HEAD_CHARS = 4000  # labels and header dates sit at the top of a letter
TAIL_CHARS = 1500  # where a letter is signed


def parse_date(text: str) -> date | None:
    """A date in a Dutch form ("19 maart 2024", "19-03-2024") or ISO; None when it is not one."""
    text = " ".join(text.split()).lower()
    try:
        if m := re.fullmatch(rf"(\d{{1,2}}) ({MONTH_PATTERN}) (\d{{4}})", text):
            return date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        if m := re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        return None


def dutch_date(value: str) -> str:
    """'2024-03-19' -> '19 maart 2024', '2024-10' -> 'oktober 2024'; anything else as written."""
    value = value.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        month = int(m.group(2))
        return f"{MONTH_NAMES[month - 1]} {m.group(1)}" if 1 <= month <= 12 else value
    parsed = parse_date(value[:10]) if re.match(r"\d{4}-\d{2}-\d{2}", value) else None
    return f"{parsed.day} {MONTH_NAMES[parsed.month - 1]} {parsed.year}" if parsed else value


def date_key(metadata: dict[str, MetadataValue]) -> int | None:
    """The document's date as yyyymmdd (its own date, else the decision it reports)."""
    for key in ("datum", "datum_besluit"):
        value = metadata.get(key)
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed:
            return parsed.year * 10000 + parsed.month * 100 + parsed.day
    return None


def extract_metadata(text: str, body: str | None = None) -> dict[str, MetadataValue]:
    """Metadata stated in a document's first pages; keys that are not found are absent.
    `body` is the whole text when `text` is only its first pages (a note's blocks run on)."""
    head = text[:HEAD_CHARS]
    meta: dict[str, MetadataValue] = {}
    # the addressee sits at the top; "Burgemeester en wethouders van X" may sign at the end
    gemeente = _first(_GEMEENTE, head) or _first(_GEMEENTE, text[-TAIL_CHARS:])
    if gemeente:
        meta["gemeente"] = gemeente
    first_lines = "\n".join(head.splitlines()[:12])
    for name, pattern in DOC_TYPES:
        if pattern.search(first_lines if name != "raadsinformatiebrief" else head[:1500]):
            meta["type"] = name
            break
    found = _HEADER_DATE.search(head) or _MEETING_DATE.search(head[:400])
    parsed = parse_date(found.group(1)) if found else None
    if parsed:
        meta["datum"] = parsed.isoformat()
    decision = _COLLEGE_DECISION.search(text[: 3 * HEAD_CHARS])
    decided = parse_date(decision.group(1)) if decision else None
    if decided:
        meta["datum_besluit"] = decided.isoformat()
    for key, label in _LABELS.items():
        value = _label_value(head, label, wrap=False)
        if value:
            meta[key] = value
    for key, label in (("onderwerp", "onderwerp"), ("portefeuillehouder", "portefeuillehouder")):
        value = _label_value(head, label, wrap=True)
        if value:
            meta[key] = value
    meta.update(detect_relations(text, meta, body))
    return with_dossier(meta)


def dossier_key(onderwerp: str) -> str:
    """The dossier of a subject: lower case, words only ("Midden-Limburg" -> "midden limburg").

    Letters of several municipalities on one subject share it, whatever their capitals,
    hyphens or punctuation.
    """
    return " ".join(re.findall(r"[^\W_]+", onderwerp.casefold()))


def with_dossier(
    meta: dict[str, MetadataValue], given: dict[str, MetadataValue] | None = None
) -> dict[str, MetadataValue]:
    """`meta` with a `dossier` key from its onderwerp, unless `given` (a sidecar) names one."""
    if given and given.get("dossier"):
        return meta
    key = dossier_key(str(meta.get("onderwerp") or ""))
    if key:
        return {**meta, "dossier": key}
    return {k: v for k, v in meta.items() if k != "dossier"}


def _first(patterns: list[re.Pattern[str]], text: str) -> str | None:
    hits = [m for p in patterns if (m := p.search(text))]
    return min(hits, key=lambda m: m.start()).group(1) if hits else None


def _label_value(head: str, label: str, wrap: bool) -> str:
    """The value after "Label :" on its line; with `wrap`, short lines that continue it.

    Letters laid out in table cells wrap a value over several lines, sometimes repeating
    the label ("Portefeuillehouder: Portefeuillehouder \\n\\nWilms").
    """
    m = re.search(rf"^[ \t]*{label}[ \t]*:[ \t]*(.*)$", head, re.I | re.M)
    if not m:
        return ""
    value = re.sub(rf"^{label}\b", "", m.group(1).strip(), flags=re.I).strip()
    if wrap:
        parts = [value] if value else []
        continued = False
        for line in head[m.end() :].splitlines()[1:12] if len(value.split()) <= 3 else []:
            line = line.strip()
            if not line:
                if continued:  # the wrapped value ends at the next blank line
                    break
                continue
            if ":" in line or _STOP_LINE.match(line) or len(line.split()) > 4 or len(parts) >= 5:
                break
            parts.append(line)
            continued = True
        value = ""
        for part in parts:
            value += part if value.endswith("-") or not value else " " + part
    return value.strip(" .;,")
