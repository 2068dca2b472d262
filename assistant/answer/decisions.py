"""A decision timeline: dated statements (decided, planned, announced) read from page texts.

Pure: page text and document facts in, `DatedStatement`s out. A statement is a sentence of
the document that names a date and a step (vaststellen, besluiten, gunning, contracts that
start); its quote is the sentence itself, so it can be checked against the page.

A besluitenlijst is read differently: every "De raad besluit (unaniem | in meerderheid | bij
acclamatie): …" is a decision taken on the meeting's date, with the agenda item it belongs to
and the vote; a date inside the decision's text is not its date.

`timeline` knows what day it is (`today`: the clock, or INKOOP_TODAY): a planned step shows
the letter that announced it, a planned date that has passed without a later source says so,
and a later document reporting the step makes it decided (or done) with that source. The same
statement in several letters is one row naming each gemeente and letter.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from assistant.models import Answer, Citation
from assistant.prompts import (
    DOCUMENT_KIND_NAMES,
    MEETING_ANSWER_LEAD,
    MEETING_DECISION_LINE,
    PASSED_NOTE,
    PLANNED_NOTE,
    REPORTED_NOTE,
)
from assistant.verify.citations import normalize_ws, quote_on_page
from assistant.verify.sentences import split_line
from index.lexical import tokenize
from index.retriever import RetrievedChunk
from index.store import DocumentRecord
from ingest.extract import DUTCH_DATE, MONTH_PATTERN, MONTHS, dutch_date, parse_date

log = logging.getLogger(__name__)

TODAY_ENV = "INKOOP_TODAY"  # an ISO or Dutch date: "today" for tests and demos
BESLUITENLIJST = "besluitenlijst"

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
# Kinds of step a planned statement and a later report must share to be the same step.
_STEP_KINDS = {
    "vaststellen": re.compile(r"\bvast(?:gesteld|gestelde|stellen|stelt| te stellen)\b", re.I),
    "gunning": re.compile(r"\b(?:gunning|gegund|gunnen|gunt)\b", re.I),
    "ingaan": re.compile(
        r"\b(?:ingaan|ingegaan|in werking|in te laten gaan|gaan\b.*\bin|gingen\b.*\bin)\b", re.I
    ),
    "besluiten": re.compile(r"\b(?:besloten|besluit|ingestemd|instemmen)\b", re.I),
}
_SPECIFIC_KINDS = {"gunning", "ingaan"}  # one such step per dossier: no object words needed
_GENERIC = set(
    tokenize(
        "verwachting verwacht zal zullen worden wordt gaan gaat omstreeks gepland planning "
        "waarna ruime periode nieuwe huidige hebben heeft zijn is op per in door de het"
    )
)
_MONTH_TOKENS = set(tokenize(" ".join(MONTHS)))


def today() -> str:
    """Today as ISO date: INKOOP_TODAY when set (tests, demos), else the clock."""
    value = os.environ.get(TODAY_ENV, "").strip()
    if value:
        parsed = parse_date(value)
        if parsed:
            return parsed.isoformat()
        log.warning("%s=%r is not a date; using the clock", TODAY_ENV, value)
    return date.today().isoformat()


@dataclass(frozen=True)
class DocumentFacts:
    """What a timeline entry says about its document: from the document's metadata."""

    source: str
    title: str
    gemeente: str = ""
    kenmerk: str = ""
    datum: str = ""  # ISO; the letter's own date (or the decision it reports)
    dossier: str = ""  # the normalised onderwerp shared by letters on one subject
    kind: str = ""  # the document type (raadsinformatiebrief, besluitenlijst, …)
    doc_id: str = ""

    @classmethod
    def from_metadata(
        cls, source: str, title: str, meta: dict[str, Any], doc_id: str = ""
    ) -> DocumentFacts:
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
            first("type"),
            doc_id,
        )


@dataclass(frozen=True)
class SourceRef:
    """One document that states a timeline row: which gemeente, which letter, where."""

    gemeente: str
    source: str
    title: str
    page: int
    kenmerk: str
    quote: str
    datum: str  # ISO date of the document ('' when it states none)
    kind: str = ""

    def label(self) -> str:
        """'brief van 19 maart 2024' (or 'besluitenlijst van …'; the title when undated)."""
        name = DOCUMENT_KIND_NAMES.get(self.kind, self.kind or "document")
        return f"{name} van {dutch_date(self.datum)}" if self.datum else self.title or self.source


@dataclass(frozen=True)
class DatedStatement:
    """One step in a dossier: when, who, done or planned, and the sentence that says so."""

    date: str  # ISO day "2024-04-02", or month "2024-10" when the text names only a month
    gemeente: str  # merged rows: every gemeente, comma-separated
    actor: str  # college | raad | "" when the sentence names no one
    status: str  # besloten | gepland | verstreken | gebeurd | aangekondigd
    statement: str
    source: str
    title: str
    page: int
    kenmerk: str
    quote: str
    dossier: str = ""
    announced: str = ""  # ISO date of the document that says it
    kind: str = ""  # that document's type
    agenda: str = ""  # besluitenlijst: the agenda item ("7. Voorstel tot …")
    vote: str = ""  # besluitenlijst: "unaniem", "in meerderheid; Tegen … stemden …"
    note: str = ""  # "gepland volgens brief van 19 maart 2024", "datum verstreken — …"
    sources: tuple[SourceRef, ...] = ()  # every letter that states it (a merged row: several)
    reported_by: SourceRef | None = None  # the later document that reports the step done
    doc_id: str = field(default="", compare=False)

    def ref(self) -> SourceRef:
        return SourceRef(
            self.gemeente,
            self.source,
            self.title,
            self.page,
            self.kenmerk,
            self.quote,
            self.announced,
            self.kind,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "gemeente": self.gemeente,
            "actor": self.actor,
            "status": self.status,
            "statement": self.statement,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "kenmerk": self.kenmerk,
            "quote": self.quote,
            "dossier": self.dossier,
            "announced": self.announced,
            "agenda": self.agenda,
            "vote": self.vote,
            "note": self.note,
            "sources": [_ref_dict(r) for r in (self.sources or (self.ref(),))],
            "reported_by": _ref_dict(self.reported_by) if self.reported_by else None,
        }


def _ref_dict(ref: SourceRef) -> dict[str, Any]:
    return {
        "gemeente": ref.gemeente,
        "source": ref.source,
        "title": ref.title,
        "page": ref.page,
        "kenmerk": ref.kenmerk,
        "quote": ref.quote,
        "datum": ref.datum,
    }


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


# --- a besluitenlijst ------------------------------------------------------------------------

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


def statements_for_hits(
    hits: Iterable[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
    subject: str = "",
) -> list[DatedStatement]:
    """The dated steps in the retrieved passages, read from whole pages, each quote checked.

    A besluitenlijst is read whole (an agenda item and its decision may sit on two pages);
    a decision counts when the passage holds its start, its end or its agenda item, and
    (with a `subject`) its text or agenda item names one of the subject's words: a
    besluitenlijst decides on many subjects, a passage often holds several. Other passages
    count when they (with their title and heading) name one of the subject's words.
    """
    wanted = set(tokenize(subject))
    found: list[DatedStatement] = []
    meetings: dict[str, list[DatedStatement]] = {}
    for hit in hits:
        c = hit.chunk
        facts = DocumentFacts.from_metadata(c.source, c.title, c.metadata, c.doc_id)
        passage = normalize_ws(c.text)
        if is_besluitenlijst(facts):
            if c.doc_id not in meetings:
                pages = document_pages(c.doc_id, page_text)
                meetings[c.doc_id] = [
                    s
                    for s in meeting_statements(pages, facts)
                    if quote_on_page(s.quote, dict(pages).get(s.page))
                ]
            found += [
                s
                for s in meetings[c.doc_id]
                if c.page <= s.page <= c.page_end
                and (not wanted or wanted & set(tokenize(f"{s.agenda} {s.statement}")))
                and (
                    s.quote[:40] in passage
                    or s.quote[-40:] in passage
                    or (s.agenda and s.agenda[-40:] in passage)
                )
            ]
            continue
        if wanted and not wanted & set(tokenize(c.context)):
            continue  # a passage the subject's words are not in (vector search finds those)
        for page in range(c.page, c.page_end + 1):
            # whole sentences come from the page; only those in the retrieved passage count
            text = page_text(c.doc_id, page) or ""
            found += [
                s
                for s in page_statements(text, page, facts)
                if (s.quote[:40] in passage or s.quote[-40:] in passage)
                and quote_on_page(s.quote, text)
            ]
    return found


# --- the timeline ----------------------------------------------------------------------------


def _same_text(text: str) -> str:
    """A statement as compared across letters: case, quotes, punctuation and spaces ignored."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold().replace("’", "'")))


def _merge(rows: list[DatedStatement]) -> list[DatedStatement]:
    """One row per statement: the same sentence on the same date in several letters."""
    groups: dict[tuple[str, str, str], list[DatedStatement]] = {}
    for s in rows:
        groups.setdefault((s.date, s.status, _same_text(s.statement)), []).append(s)
    merged = []
    for group in groups.values():
        group.sort(key=lambda s: (s.announced or "9999", s.gemeente, s.source))
        first = group[0]
        gemeenten = list(dict.fromkeys(s.gemeente for s in group if s.gemeente))
        merged.append(
            replace(first, gemeente=", ".join(gemeenten), sources=tuple(s.ref() for s in group))
        )
    return merged


def _content(text: str) -> set[str]:
    return {
        t
        for t in tokenize(text)
        if t not in _GENERIC and t not in _MONTH_TOKENS and not t[0].isdigit()
    }


def _kinds(text: str) -> set[str]:
    return {name for name, pattern in _STEP_KINDS.items() if pattern.search(text)}


def reports(planned: DatedStatement, later: DatedStatement) -> bool:
    """True when `later` (from a later document) reports the step `planned` announced."""
    if later.status != "besloten" or later.source in {r.source for r in planned.sources}:
        return False
    if not later.announced or later.announced <= (planned.announced or ""):
        return False
    shared = _kinds(planned.statement) & _kinds(later.statement)
    if not shared:
        return False
    same_dossier = bool(planned.dossier) and planned.dossier == later.dossier
    if shared & _SPECIFIC_KINDS and (same_dossier or not later.dossier):
        return True
    wanted = _content(planned.statement) - set(tokenize(planned.gemeente))
    if not wanted:
        return False
    return len(wanted & _content(later.statement)) / len(wanted) >= 0.5


def passed(when: str, day: str) -> bool:
    """True when the (day or month) date `when` lies before `day`."""
    return day[: len(when)] > when


def timeline(statements: list[DatedStatement], day: str | None = None) -> list[DatedStatement]:
    """Oldest first, as of `day` (default: `today()`).

    The same sentence of the same document once; the same statement in several letters one
    row naming each; a planned step that a later document reports done takes that status and
    source (and the report is not a row of its own); a planned date that has passed without
    such a report is `verstreken`.
    """
    day = day or today()
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in statements:
        if (s.source, s.quote) not in seen:
            seen.add((s.source, s.quote))
            unique.append(s)
    rows = _merge(unique)
    absorbed: set[int] = set()
    out = []
    for s in rows:
        if s.status == "gepland":
            report = next(
                (
                    (i, r)
                    for i, r in enumerate(rows)
                    if r is not s and r.date <= day and reports(s, r)
                ),
                None,
            )
            if report is not None:
                absorbed.add(report[0])
                r = report[1]
                status = "besloten" if r.actor else "gebeurd"
                note = REPORTED_NOTE.format(
                    status=status, document=r.title or r.source, datum=dutch_date(r.date)
                )
                s = replace(s, status=status, reported_by=r.ref(), note=note)
            else:
                planned = PLANNED_NOTE.format(document=s.sources[0].label())
                if passed(s.date, day):
                    s = replace(s, status="verstreken", note=f"{PASSED_NOTE} ({planned})")
                else:
                    s = replace(s, note=planned)
        out.append(s)
    kept = [s for i, s in enumerate(out) if i not in absorbed]
    return sorted(kept, key=lambda s: (s.date, s.gemeente, s.source, s.page))


# --- "what was decided at the meeting of …" -------------------------------------------------

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
