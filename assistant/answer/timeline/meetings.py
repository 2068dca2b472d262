"""A besluitenlijst read as decisions: every "De raad besluit (unaniem | in meerderheid |
bij acclamatie): …" is a decision taken on the meeting's date, with the agenda item it
belongs to and the vote; a date inside the decision's text is not its date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answer.timeline.statement import DatedStatement, DocumentFacts
from assistant.verify.citations import normalize_ws, quote_on_page
from ingest.extract import DUTCH_DATE, parse_date

BESLUITENLIJST = "besluitenlijst"

_AGENDA = re.compile(
    r"^\s*(?:(?:agendapunt|punt|agenda-item)\s+)?(?P<nr>\d{1,2})\s*[.:)–-]\s*(?P<title>\S.*)$",
    re.I,
)
_RESOLVE = re.compile(
    r"^\s*(?:besluit\s*:\s*)?(?P<head>de raad besluit\b(?P<vote>[^:]*?))\s*(?::\s*(?P<rest>.*))?$",
    re.I,
)
_VOTE_LINE = re.compile(
    r"^\s*(?:tegen\b.*\bstemde|voor\b.*\bstemde|stemming\s*:|over de motie is hoofdelijk)", re.I
)
_VOTE_WORDS = re.compile(
    r"\b(?:unaniem|in meerderheid|bij acclamatie|met algemene stemmen|zonder stemming"
    r"|met \d+ stemmen[^.:;]*)",
    re.I,
)
_MEETING_HEAD = re.compile(rf"vergadering\b[^\n]{{0,80}}?({DUTCH_DATE})", re.I)
QUOTE_WORDS = 60  # a decision's quote: its first words, verbatim


def is_besluitenlijst(doc: DocumentFacts) -> bool:
    return doc.kind == BESLUITENLIJST or doc.title.casefold().startswith(BESLUITENLIJST)


def meeting_date(pages: Sequence[tuple[int, str]], doc: DocumentFacts) -> str:
    """The meeting's date: the document's own date, else the "vergadering … <date>" it names."""
    if doc.datum:
        return doc.datum
    for _, text in pages[:1]:
        m = _MEETING_HEAD.search(text[:600])
        parsed = parse_date(m.group(1)) if m else None
        if parsed:
            return parsed.isoformat()
    return ""


def meeting_statements(
    pages: Sequence[tuple[int, str]], doc: DocumentFacts
) -> list[DatedStatement]:
    """Every "De raad besluit …" of a besluitenlijst: decided on the meeting's date.

    `pages` are (number, text) in order; an agenda item may start on one page and its
    decision follow on the next. The quote is the decision's first words on its page.
    """
    when = meeting_date(pages, doc)
    if not when:
        return []
    found: list[DatedStatement] = []
    agenda_nr, agenda = 0, ""
    title: list[str] | None = None  # an agenda title still wrapping onto the next line
    current: _Open | None = None
    for number, text in pages:
        for raw in text.splitlines():
            line = " ".join(raw.split())
            if current is not None:
                if not line or _RESOLVE.match(line) or _agenda_start(line, agenda_nr):
                    found.append(current.statement(doc, when, agenda))
                    current = None  # and the line is read below
                elif _VOTE_LINE.match(line):
                    current.votes.append(line)
                    continue
                elif current.votes and not current.votes[-1].endswith("."):
                    current.votes.append(line)  # a vote line wrapping onto the next
                    continue
                elif current.votes:
                    found.append(current.statement(doc, when, agenda))
                    current = None
                else:
                    current.lines.append(line)
                    continue
            if not line:
                title = None
                continue
            resolve = _RESOLVE.match(line)
            if title is not None and not resolve and len(title) < 3:
                title.append(line)
                agenda = " ".join(title)
                if line.endswith("."):
                    title = None
                continue
            start = _agenda_start(line, agenda_nr)
            if start:
                agenda_nr, agenda = int(start.group("nr")), line
                title = None if line.endswith(".") else [line]
                continue
            if resolve:
                title = None
                current = _Open.read(resolve, line, number, text)
        if current is not None:  # a decision ends with its page: its quote is on one page
            found.append(current.statement(doc, when, agenda))
            current = None
    return found


def _agenda_start(line: str, current: int) -> re.Match[str] | None:
    """An agenda item's first line: its number follows the current item's (1–3 further)."""
    m = _AGENDA.match(line)
    if not m or not m.group("title")[:1].isupper():
        return None
    nr = int(m.group("nr"))
    return m if current < nr <= current + 3 else None


@dataclass
class _Open:
    """A decision being read: its first line, the lines after it and the vote lines."""

    page: int
    page_text: str
    head: str  # from "De raad besluit" to the end of its line
    vote: str
    first: str  # the decision's words on the head line, after the vote
    lines: list[str] = field(default_factory=list)  # the lines after the head line
    votes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, m: re.Match[str], line: str, page: int, page_text: str) -> _Open:
        tail, rest = " ".join(m.group("vote").split()), m.group("rest")
        if rest is None:  # no colon: "De raad besluit bij acclamatie de … vast te stellen."
            vm = _VOTE_WORDS.match(tail)
            vote = vm.group() if vm else ""
            rest = tail[vm.end() :] if vm else tail
            if pm := re.match(r"\s*\([^)]*\)", rest):  # "(16 stemmen voor en 14 tegen)"
                vote, rest = vote + pm.group(), rest[pm.end() :]
        else:
            vote = tail
        rest = rest.strip(" ,:")
        return cls(page, page_text, line[m.start("head") :], vote.strip(" ,"), rest)

    def statement(self, doc: DocumentFacts, when: str, agenda: str) -> DatedStatement:
        text = normalize_ws(" ".join([self.first, *self.lines]))
        details = normalize_ws(" ".join(self.votes))
        vote = "; ".join(x for x in (self.vote, details) if x)
        words = normalize_ws(" ".join([self.head, *self.lines]))
        quote = " ".join(words.split()[:QUOTE_WORDS])
        if not quote_on_page(quote, self.page_text):
            quote = normalize_ws(self.head)
        return DatedStatement(
            date=when,
            gemeente=doc.gemeente,
            actor="raad",
            status="besloten",
            statement=text or normalize_ws(self.head),
            source=doc.source,
            title=doc.title,
            page=self.page,
            kenmerk=doc.kenmerk,
            quote=quote,
            dossier=doc.dossier,
            announced=when,
            kind=doc.kind or BESLUITENLIJST,
            agenda=normalize_ws(agenda),
            vote=vote,
            doc_id=doc.doc_id,
        )


def document_pages(
    doc_id: str, page_text: Callable[[str, int], str | None]
) -> list[tuple[int, str]]:
    """(number, text) of every stored page of a document, in order."""
    pages: list[tuple[int, str]] = []
    for number in range(1, 10_000):
        text = page_text(doc_id, number)
        if text is None:
            break
        pages.append((number, text))
    return pages
