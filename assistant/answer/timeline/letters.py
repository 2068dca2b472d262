"""Dated steps in a letter: sentences that name a date and a step (vaststellen, besluiten,
gunning, contracts that start), classified as decided, planned or announced.

Pure: page text and document facts in, `DatedStatement`s out; the quote is the sentence
itself, so it can be checked against the page.
"""

from __future__ import annotations

import re

from assistant.answer.timeline.statement import DatedStatement, DocumentFacts
from assistant.verify.sentences import split_line
from ingest.extract import DUTCH_DATE, MONTH_PATTERN, MONTHS, parse_date

_DATE = re.compile(
    rf"(?<!\d )(?:(?P<day>{DUTCH_DATE})|\b(?P<month>{MONTH_PATTERN})\s+(?P<year>\d{{4}}))"
)
_STEP = re.compile(
    r"\b(?:vastgesteld|vastgestelde|vast te stellen|vaststellen|besloten|besluit|ingestemd"
    r"|gegund|gunning|ingaan|ingegaan|in werking|in te laten gaan|gaan\b.*\bin\b|verlengen"
    r"|starten|start|gestart)\b",
    re.I,
)
_DECIDED = re.compile(
    r"\b(?:heeft|hebben|is|zijn)\b.*\b(?:vastgesteld|besloten|ingestemd|gegund|genomen"
    r"|ingegaan|gestart)\b",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:verwachting|verwacht|zal|zullen|gaan|gaat|omstreeks|gepland|planning|worden)\b", re.I
)
_ACTORS = [
    ("raad", re.compile(r"\b(?:uw raad|de raad|gemeenteraad|gemeenteraden)\b", re.I)),
    ("college", re.compile(r"\bcolleges?\b", re.I)),
]


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
                announced=doc.datum,
                kind=doc.kind,
                doc_id=doc.doc_id,
            )
        )
    return found
