"""Answers that are facts of a document rather than sentences in its body: the letter head
(registratienummer, kenmerk, portefeuillehouder, contactpersoon, the letter's date), and
definitions ("Wat is een jeugdhulpaanbieder?" → the begripsbepaling of that word).

Letter-head values come from the metadata ingest already extracted (`ingest.extract`); the
citation quotes the line of the page where the value stands, checked like every quote.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from assistant.answer.compose import direct_answer
from assistant.models import Answer, Citation
from assistant.question import Question
from assistant.verify.citations import normalize_ws, quote_on_page
from index.retriever import RetrievedChunk
from ingest.extract import WRITTEN_DATE, dutch_date, parse_date
from ingest.models import Chunk

# Which letter-head field a question asks for, by the words it uses.
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("registratienummer", re.compile(r"\bregistratie(?:nummer|nr)\b", re.I)),
    ("zaaknummer", re.compile(r"\bzaak(?:nummer|nr)\b", re.I)),
    ("kenmerk", re.compile(r"\bkenmerk\b", re.I)),
    ("portefeuillehouder", re.compile(r"\bportefeuillehouder\b", re.I)),
    ("contactpersoon", re.compile(r"\bcontactpersoon\b", re.I)),
    (
        "datum",
        re.compile(
            r"\bwanneer\b.*\b(?:geïnformeerd|geinformeerd|ge[ïi]nformeerd|informeerde|"
            r"verstuurd|gestuurd|verzonden|gedateerd)\b|\b(?:datum|gedateerd)\b.*\bbrief\b",
            re.I,
        ),
    ),
)
_LABEL = {
    "registratienummer": r"registratie(?:nr\.?|nummer)",
    "zaaknummer": r"zaak(?:nr\.?|nummer)",
    "kenmerk": r"(?:ons |uw )?kenmerk",
    "portefeuillehouder": r"portefeuillehouder",
    "contactpersoon": r"(?:inlichtingen(?: bij)?|contactpersoon|behandeld door)",
    "datum": r"datum",
}
# "Wat is een X?", "Wat betekent X?", "Wat verstaat men onder X?", "Wat bedoelen ze met X?"
_DEFINITION = re.compile(
    r"\bwat (?:is|zijn|betekent|betekenen)(?: (?:eigenlijk|precies|nu))?"
    r" (?:een |de |het |dat |die )?(?P<a>[\w'’ -]{3,60}?)"
    r"(?: (?:precies|eigenlijk|nu|in \w+(?: \w+)?|waar .*|volgens .*|bij .*))?\s*\?"
    r"|\b(?:(?:verst(?:aat|aan)|bedoel\w*)(?: [^\s?]+){0,8}?|wordt verstaan)"
    r" (?:onder|met) (?:een |de |het |dat |die )?(?P<b>[\w'’ -]{3,60}?)"
    r"(?: (?:precies|eigenlijk|in \w+(?: \w+)?|volgens .*|bij .*))?\s*\?",
    re.I,
)


def asked_field(q: Question) -> str | None:
    """The letter-head field a question asks for, if it asks for one."""
    return next((name for name, pattern in _FIELDS if pattern.search(q.text)), None)


def letterhead_answer(
    q: Question,
    hits: Sequence[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
) -> Answer | None:
    """The value of the asked field from the best-ranked document that has it, citing the
    line of its first pages where it stands; None when no document can be quoted."""
    field = asked_field(q)
    if field is None:
        return None
    for hit in documents_in(q, hits):
        chunk = hit.chunk
        value = chunk.metadata.get(field)
        if not value:
            continue
        for page in (1, 2):
            text = page_text(chunk.doc_id, page)
            line = _line_with(text or "", field, str(value))
            if line and quote_on_page(line, text):
                shown = dutch_date(str(value)) if field == "datum" else str(value)
                return fact_answer(q, shown, hit, page, line, f"letter head: {field}")
    return None


def documents_in(q: Question, hits: Sequence[RetrievedChunk]) -> Iterator[RetrievedChunk]:
    """The best hit of each document, best first; of the gemeenten the question names only."""
    seen: set[str] = set()
    for hit in hits:
        chunk = hit.chunk
        if chunk.doc_id in seen:
            continue
        seen.add(chunk.doc_id)
        if q.gemeenten and chunk.metadata.get("gemeente") not in q.gemeenten:
            continue
        yield hit


def fact_answer(
    q: Question, short: str, hit: RetrievedChunk, page: int, quote: str, note: str
) -> Answer:
    """A fact said first ("Z/24/126291."), then the line it stands on, cited."""
    citation = Citation.of_chunk(1, hit.chunk, page, quote, hit.score)
    return direct_answer(q.text, [citation], [f"{normalize_ws(quote)} [1]"], short, [note])


def _line_with(text: str, field: str, value: str) -> str | None:
    """The line of a page that states the field's value (with its label where it has one)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    label = re.compile(rf"^\W*{_LABEL[field]}\b", re.I)
    if field == "datum":
        wanted = parse_date(value)
        for line in lines:
            for m in re.finditer(WRITTEN_DATE, line, re.I):
                if wanted and parse_date(m.group(0)) == wanted and len(line.split()) <= 12:
                    return line
        return None
    flat = normalize_ws(value)
    for i, line in enumerate(lines):
        if flat in normalize_ws(line):
            return line
        # a label on its own line, the value on the next
        if label.search(line) and i + 1 < len(lines) and flat in normalize_ws(lines[i + 1]):
            return f"{line}\n{lines[i + 1]}"
    return None


_DIFFERENCE = re.compile(
    r"\bverschil(?:len)? tussen (?:een |de |het )?(?P<a>[\w'’ -]{3,60}?)"
    r" en (?:een |de |het )?(?P<b>[\w'’ -]{3,60}?)\s*\?",
    re.I,
)


def defined_terms(q: Question) -> list[str]:
    """The terms a definition question asks about: one ("Wat is een jeugdhulpaanbieder?"),
    or two ("Wat is het verschil tussen een algemene voorziening en een
    maatwerkvoorziening?"); none for other questions."""
    m = _DIFFERENCE.search(q.text)
    if m:
        return [t for t in (m.group("a").strip(" -'’"), m.group("b").strip(" -'’")) if t]
    m = _DEFINITION.search(q.text)
    if not m:
        return []
    term = (m.group("a") or m.group("b") or "").strip(" -'’")
    return [term] if term else []


def asks_definition(q: Question) -> bool:
    """True for a question after the meaning of a term ("Wat wordt in de wet bedoeld met
    X?", "Wat is een X?"): a what-is question about a short term, not "Wat is de deadline
    om in te schrijven voor ...?"."""
    terms = defined_terms(q)
    return q.kind == "what-is" and bool(terms) and all(len(t.split()) <= 4 for t in terms)


# A begripsbepaling entry: "jeugdhulpaanbieder: ...", "- *algemene voorziening:* ...".
_ENTRY = re.compile(r"^(?:[a-z0-9]{1,3}[.)]\s*)?(?P<term>[\w'’ -]{3,60}?)\s*[:–]")
TYPO_RATIO = 0.9  # "maatwerkvoorzienig" finds "maatwerkvoorziening"; shorter terms: exact


def defines(sentence: str, term: str) -> bool:
    """True when a sentence gives the meaning of `term`: a begripsbepaling ("jeugdhulpaanbieder:
    ...", "X: ..."), "onder X wordt verstaan", "X is een ...", "met X wordt bedoeld". An
    entry also answers a term typed with one slip ("maatwerkvoorzienig"), when long enough."""
    return _definer(term.casefold())(sentence)


@functools.lru_cache(maxsize=256)
def _definer(term: str) -> Callable[[str], bool]:
    """`defines` for one term, its patterns compiled once (a law's page has thousands of
    lines, each tried)."""
    t = re.escape(term)
    exact = re.compile(
        rf"^(?:[a-z0-9]{{1,3}}[.)]\s*)?{t}\w{{0,2}}(?:\s*[:–]|\s+-)(?:\s*\S|\s*$)"
        rf"|\bonder (?:een |de |het )?{t}\w{{0,2}} (?:wordt|worden) verstaan\b"
        rf"|\b(?:wordt|worden) (?:onder|met) (?:een |de |het )?{t}\w{{0,2}}"
        rf"|^(?:een |de |het )?{t}\w{{0,2}} (?:is|zijn|betekent) "
    )
    stem = term[:4]
    fuzzy = len(term) >= 10

    def test(sentence: str) -> bool:
        if _POINTER.search(sentence) and len(sentence.split()) <= POINTER_WORDS:
            return False  # "X: een verklaring als bedoeld in artikel 4.1": see there
        low = sentence[:200].casefold()
        if stem not in low and not (fuzzy and (":" in low or "–" in low)):
            return False  # neither the term nor an entry of the form "X: ..."
        low = sentence.casefold()
        text = _LEAD.sub("", low.replace("*", "").replace("_", ""))
        if stem in text and exact.search(text):
            return True
        if not fuzzy:
            return False
        entry = _ENTRY.match(text)
        if entry is None:
            return False
        found = entry.group("term").strip()
        if abs(len(found) - len(term)) > 2:
            return False  # one slip changes the length by two at most
        return SequenceMatcher(None, found, term).ratio() >= TYPO_RATIO

    return test


_LEAD = re.compile(r"^[^\w]+")
# A law's entry that only points to the article that says it ("gedragsverklaring aanbesteden:
# een verklaring als bedoeld in artikel 4.1;") names the term without saying what it means.
_POINTER = re.compile(
    r"\b(?:als|zoals) bedoeld in (?:artikel|art\.|de artikelen|hoofdstuk|paragraaf|afdeling)",
    re.IGNORECASE,
)
POINTER_WORDS = 14


MAX_DEFINITION_WORDS = 120


def definition_answer(
    q: Question,
    hits: Sequence[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
    passage_with: Callable[[str, str], Chunk | None] = lambda doc_id, text: None,
) -> Answer | None:
    """The begripsbepaling of the term a definition question asks about, quoted from its
    page with the items it lists ("jeugdhulpaanbieder: 1°. ...; 2°. ..."); None if none.

    The entry may stand elsewhere on the page than the passage that was found (a law in
    Markdown is one page): `passage_with(doc_id, line)` names the passage that holds it, so
    the citation names the entry's own section."""
    pages: dict[tuple[str, int], str | None] = {}

    def page(doc_id: str, number: int) -> str | None:  # a law in Markdown is one long page
        if (doc_id, number) not in pages:
            pages[doc_id, number] = page_text(doc_id, number)
        return pages[doc_id, number]

    found: list[tuple[str, Citation]] = []
    for term in defined_terms(q):
        entry = _entry_for(term, hits, page, passage_with)
        if entry is not None and all(entry.quote != c.quote for _, c in found):
            found.append((term, replace(entry, key=len(found) + 1)))
    if not found:
        return None
    lines = []
    for _, citation in found:
        shown = re.sub(r"^[\W_]+", "", normalize_ws(citation.quote.replace("*", "")))
        lines.append(f"{shown} [{citation.key}]")
    notes = [f"definition: {term}" for term, _ in found]
    return direct_answer(q.text, [c for _, c in found], lines, notes=notes)


def _entry_for(
    term: str,
    hits: Sequence[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
    passage_with: Callable[[str, str], Chunk | None],
) -> Citation | None:
    """The citation of the first entry that defines `term` on a page of the hits."""
    for hit in hits:
        chunk = hit.chunk
        for page in range(chunk.page, chunk.page_end + 1):
            text = page_text(chunk.doc_id, page) or ""
            quote = _definition_on(text, term)
            if quote and quote_on_page(quote, text):
                first_line = quote.splitlines()[0].strip()
                home = chunk if first_line in chunk.text else passage_with(chunk.doc_id, first_line)
                citation = Citation.of_chunk(1, home or chunk, page, quote, hit.score)
                if home is None:  # its section is not known: name none rather than a wrong one
                    citation = replace(citation, section="", heading="")
                return citation
    return None


def _definition_on(text: str, term: str) -> str | None:
    """The slice of a page that defines `term`: its entry line, and when that line ends in
    a colon the numbered items under it, up to the next entry; when it ends mid-sentence, the
    lines it wraps onto."""
    lines = text.splitlines(keepends=True)
    pos = 0
    for i, line in enumerate(lines):
        start = pos
        pos += len(line)
        if not defines(line, term):
            continue
        end = start + len(line.rstrip())
        bare = line.replace("*", "").rstrip()  # without Markdown emphasis
        if bare.endswith(":"):
            words = 0
            at = pos
            for item in lines[i + 1 :]:
                body = item.strip()
                if re.match(r"[-–•]\s", body) or words > MAX_DEFINITION_WORDS:
                    break  # the next entry
                if body:
                    words += len(body.split())
                    end = at + len(item.rstrip())
                at += len(item)
        elif not re.search(r"[.;:]$", bare):
            # an entry wrapped onto the next lines ("- Cliëntenstop: een tijdelijke stop ...,"
            # over "  die de opdrachtnemer ... meldt;"): its lower-case continuation, to its end
            at = pos
            for item in lines[i + 1 :]:
                body = item.strip()
                if not body or not body[0].islower():
                    break
                end = at + len(item.rstrip())
                at += len(item)
                if re.search(r"[.;]$", body):
                    break
        return text[start:end].strip()
    return None
