"""'What was decided at the meeting of …': the decisions of that meeting's besluitenlijst,
each cited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answer.timeline.meetings import (
    QUOTE_WORDS,
    document_pages,
    is_besluitenlijst,
    meeting_date,
    meeting_statements,
)
from assistant.answer.timeline.statement import DocumentFacts
from assistant.models import Answer, Citation
from assistant.prompts import MEETING_ANSWER_LEAD, MEETING_DECISION_LINE
from assistant.verify.citations import quote_on_page
from index.store import DocumentRecord
from ingest.extract import DUTCH_DATE, dutch_date, parse_date

_MEETING_QUESTION = re.compile(r"\bbesl(?:oten|uit|uiten|issingen)\b", re.I)
_MEETING_WORD = re.compile(r"\b(?:raads)?vergadering\b|\braad\b", re.I)
_QUESTION_DATE = re.compile(
    rf"({DUTCH_DATE}|\d{{1,2}}-\d{{1,2}}-\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})", re.I
)


def _cut(text: str, words: int = QUOTE_WORDS) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def meeting_asked(question: str) -> str:
    """The ISO date of the meeting a question asks the decisions of ("Wat is er besloten in
    de raadsvergadering van 29 juni 2015?"), or ''."""
    if not (_MEETING_QUESTION.search(question) and _MEETING_WORD.search(question)):
        return ""
    m = _QUESTION_DATE.search(question)
    parsed = parse_date(m.group(1)) if m else None
    return parsed.isoformat() if parsed else ""


def meeting_answer(
    question: str,
    documents: Sequence[DocumentRecord],
    page_text: Callable[[str, int], str | None],
) -> Answer | None:
    """The decisions of the meeting a question asks about, each cited; None when the question
    is not such a question or no besluitenlijst of that meeting is among `documents` (pass
    only the documents the reader may see)."""
    when = meeting_asked(question)
    if not when:
        return None
    lines: list[str] = []
    citations: list[Citation] = []
    lists = []
    for record in documents:
        facts = DocumentFacts.from_metadata(
            record.source, record.title, record.metadata, record.doc_id
        )
        if not is_besluitenlijst(facts):
            continue
        pages = document_pages(record.doc_id, page_text)
        if meeting_date(pages, facts) != when:
            continue
        lists.append(record.title or record.source)
        by_page = dict(pages)
        for s in meeting_statements(pages, facts):
            if not quote_on_page(s.quote, by_page.get(s.page)):
                continue
            key = len(citations) + 1
            citations.append(
                Citation(
                    key=key,
                    source=s.source,
                    title=s.title,
                    page=s.page,
                    section="",
                    heading=s.agenda,
                    quote=s.quote,
                    score=1.0,
                    doc_id=record.doc_id,
                )
            )
            lines.append(
                MEETING_DECISION_LINE.format(
                    agenda=s.agenda or s.title,
                    vote=s.vote or "besloten",
                    statement=_cut(s.statement),
                    key=key,
                )
            )
    if not citations:
        return None
    lead = MEETING_ANSWER_LEAD.format(datum=dutch_date(when), documents=", ".join(lists))
    body = lead + "\n" + "\n".join(f"- {line}" for line in lines)
    return Answer(question, body, False, tuple(citations))
