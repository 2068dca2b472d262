"""A decision timeline: dated statements (decided, planned, announced) read from page texts.

Pure: page text and document facts in, `DatedStatement`s out. A statement is a sentence of
the document that names a date and a step (vaststellen, besluiten, gunning, contracts that
start); its quote is the sentence itself, so it can be checked against the page.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from assistant.verify.sentences import split_line
from ingest.extract import DUTCH_DATE, MONTH_PATTERN, MONTHS, parse_date

_DATE = re.compile(
    rf"(?<!\d )(?:(?P<day>{DUTCH_DATE})|\b(?P<month>{MONTH_PATTERN})\s+(?P<year>\d{{4}}))"
)
_STEP = re.compile(
    r"\b(?:vastgesteld|vastgestelde|vast te stellen|vaststellen|besloten|besluit|ingestemd"
    r"|gegund|gunning|ingaan|in werking|in te laten gaan|gaan\b.*\bin\b|verlengen|starten"
    r"|start)\b",
    re.I,
)
_DECIDED = re.compile(
    r"\b(?:heeft|hebben|is|zijn)\b.*\b(?:vastgesteld|besloten|ingestemd|gegund|genomen)\b", re.I
)
_PLANNED = re.compile(
    r"\b(?:verwachting|verwacht|zal|zullen|gaan|gaat|omstreeks|gepland|planning|worden)\b", re.I
)
_ACTORS = [
    ("raad", re.compile(r"\b(?:uw raad|de raad|gemeenteraad|gemeenteraden)\b", re.I)),
    ("college", re.compile(r"\bcolleges?\b", re.I)),
]


@dataclass(frozen=True)
class DocumentFacts:
    """What a timeline entry says about its document: from the document's metadata."""

    source: str
    title: str
    gemeente: str = ""
    kenmerk: str = ""
    datum: str = ""  # ISO; the letter's own date (or the decision it reports)
    dossier: str = ""  # the normalised onderwerp shared by letters on one subject

    @classmethod
    def from_metadata(cls, source: str, title: str, meta: dict[str, Any]) -> DocumentFacts:
        """From a document's metadata (as stored on its chunks, without `meta_`)."""

        def first(*keys: str) -> str:
            return next((str(meta[k]) for k in keys if meta.get(k)), "")

        return cls(
            source,
            title,
            first("gemeente"),
            first("kenmerk", "registratienummer", "zaaknummer"),
            first("datum", "datum_besluit"),
            first("dossier"),
        )


@dataclass(frozen=True)
class DatedStatement:
    """One step in a dossier: when, who, done or planned, and the sentence that says so."""

    date: str  # ISO day "2024-04-02", or month "2024-10" when the text names only a month
    gemeente: str
    actor: str  # college | raad | "" when the sentence names no one
    status: str  # besloten | gepland | aangekondigd
    statement: str
    source: str
    title: str
    page: int
    kenmerk: str
    quote: str
    dossier: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sentences(text: str) -> list[str]:
    """Sentences of a page, whitespace normalised; paragraphs and headings never run together."""
    out: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        out.extend(split_line(" ".join(paragraph.split())))
    return out


def statement_date(sentence: str) -> str:
    """The first date a sentence names, as ISO day or month; '' when it names none."""
    m = _DATE.search(sentence)
    if not m:
        return ""
    if m.group("day"):
        day = parse_date(m.group("day"))
        return day.isoformat() if day else ""
    return f"{m.group('year')}-{MONTHS[m.group('month').lower()]:02d}"


def classify(sentence: str, when: str, document_date: str) -> str:
    """besloten (done), gepland (a future step) or aangekondigd (announced, tense unclear)."""
    if document_date and when > document_date[: len(when)]:
        return "gepland"
    if _DECIDED.search(sentence) and not _PLANNED.search(sentence):
        return "besloten"
    if _PLANNED.search(sentence):
        return "gepland"
    return "aangekondigd"


def actor(sentence: str) -> str:
    return next((name for name, pattern in _ACTORS if pattern.search(sentence)), "")


def page_statements(text: str, page: int, doc: DocumentFacts) -> list[DatedStatement]:
    """The dated steps on one page of a document, in reading order."""
    found = []
    for sentence in sentences(text):
        when = statement_date(sentence)
        if not when or not _STEP.search(sentence) or len(sentence.split()) < 5:
            continue
        found.append(
            DatedStatement(
                date=when,
                gemeente=doc.gemeente,
                actor=actor(sentence),
                status=classify(sentence, when, doc.datum),
                statement=sentence,
                source=doc.source,
                title=doc.title,
                page=page,
                kenmerk=doc.kenmerk,
                quote=sentence,
                dossier=doc.dossier,
            )
        )
    return found


def timeline(statements: list[DatedStatement]) -> list[DatedStatement]:
    """Oldest first; the same sentence of the same document only once."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in statements:
        if (s.source, s.quote) not in seen:
            seen.add((s.source, s.quote))
            unique.append(s)
    return sorted(unique, key=lambda s: (s.date, s.gemeente, s.source, s.page))
