"""Later binding text wins: a cited passage replaced by a nota van inlichtingen, a
rectificatie or a newer version of its document is never shown alone.

Relations come from document metadata (`ingest.relations`: `supersedes`, `version`,
`tender`, `published`). `apply` rewrites an answer: for every citation whose passage has a
later binding statement on the same paragraph, the answer leads with the later text (cited
from the later document) and keeps the earlier one marked "vervangen door <document>,
<datum>" (`Citation.superseded_by`). A newer version with the same text simply takes the
citation over. `marks` gives search results the same mark; `document_relations` feeds
`inkoop documents`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from assistant.models import Answer, Citation
from assistant.prompts import SUPERSEDED_MARK, SUPERSEDING_LEAD, SUPERSEDING_LEAD_UNDATED
from assistant.verify.citations import normalize_ws, quote_on_page
from assistant.verify.sentences import split_line
from index.filters import MEDEWERKER, check_audience
from index.lexical import tokenize
from index.store import DocumentRecord
from ingest.extract import dutch_date
from ingest.models import OPENBAAR
from ingest.relations import (
    BINDING_TYPES,
    is_newer,
    names_match,
    parse_supersedes,
    relation_key,
)

if TYPE_CHECKING:
    from index.retriever import RetrievedChunk
    from index.store import VectorIndex

PageText = Callable[[str, int], "str | None"]
VERSIE = "versie"
LEAD_WORDS = 80  # the later text quoted at the top of an answer, at most
MIN_LIKENESS = 0.3  # word overlap (Jaccard) of a newer version's sentence with the cited one
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_KEY = re.compile(r"\[(\d{1,3})\]")
_HEADING_LINE = re.compile(r"^\s*(?:#{1,6}\s|\*\*|vraag\s+\d|wijziging\s+\d|\d+\s*\|)", re.I)
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|\**\s*(?:vraag|wijziging)\s+\d)", re.I)
_NUMBERED_HEADING = re.compile(r"^[#\s*]*(?:artikel\s+|§\s*)?\d+(?:\.\d+)*\.?\s+[A-Z]", re.I)
_ANSWER_START = re.compile(
    r"(?:antwoord|wordt|komt (?:als volgt )?te luiden|nieuwe tekst|gewijzigd in)\s*:\**\s*", re.I
)
_WAS = re.compile(r"^\W*(?:was|oude tekst)\s*:", re.I)
_STOP = re.compile(r"^\W*(?:bronnen|was|oude tekst)\s*:", re.I)
_TENDER_TYPES = ("inkoopdocument", "overeenkomst", "")  # what a bare "§ 5.7" can be about


@dataclass(frozen=True)
class Relation:
    """`later` replaces `earlier` (one paragraph of it, or the whole of it)."""

    later: DocumentRecord
    earlier: DocumentRecord
    paragraph: str  # "5.7"; '' = the whole document (a newer version)
    kind: str  # nota van inlichtingen | rectificatie | versie | the later document's type


@dataclass(frozen=True)
class Later:
    """The later binding text for one cited passage."""

    relation: Relation
    quote: str  # verbatim on `page` of the later document
    page: int
    same: bool = False  # a newer version saying exactly the same


def published(record: DocumentRecord) -> str:
    meta = record.metadata
    return str(meta.get("published") or meta.get("datum") or meta.get("datum_besluit") or "")


def mark(record: DocumentRecord) -> str:
    """'Nota van inlichtingen — Wmo 2026, 1 december 2025': what `superseded_by` holds."""
    when = published(record)
    return f"{record.title or record.source}, {dutch_date(when)}" if when else record.title


def _names(record: DocumentRecord) -> tuple[str, ...]:
    path = PurePath(record.source)
    return (record.title, path.name, path.stem)


def _tender(record: DocumentRecord) -> str:
    return relation_key(str(record.metadata.get("tender") or ""))


def relations(documents: Sequence[DocumentRecord]) -> list[Relation]:
    """Every stated or detected relation among `documents` (pass only what the reader may
    see: a relation from an internal document must not change a provider's answer)."""
    found: list[Relation] = []
    for later in documents:
        kind = str(later.metadata.get("type") or "")
        for item in parse_supersedes(later.metadata.get("supersedes")):
            for earlier in documents:
                if earlier.doc_id == later.doc_id or not _may_replace(later, earlier):
                    continue
                if item.target:
                    if not names_match(item.target, *_names(earlier)):
                        continue
                elif not (_tender(later) and _tender(later) == _tender(earlier)) and (
                    str(earlier.metadata.get("type") or "") not in _TENDER_TYPES
                    or str(earlier.metadata.get("type") or "") in BINDING_TYPES
                ):
                    continue
                found.append(Relation(later, earlier, item.paragraph, kind or "document"))
    found += _versions(documents)
    unique = {(r.later.doc_id, r.earlier.doc_id, r.paragraph, r.kind): r for r in found}
    return list(unique.values())


def _may_replace(later: DocumentRecord, earlier: DocumentRecord) -> bool:
    """Not across tenders, and not an older document replacing a newer one."""
    if _tender(later) and _tender(earlier) and _tender(later) != _tender(earlier):
        return False
    a, b = published(later), published(earlier)
    return not (a and b and a < b)


def _versions(documents: Sequence[DocumentRecord]) -> list[Relation]:
    """Documents with the same name and a `version`: the newest replaces each older one."""
    groups: dict[str, list[DocumentRecord]] = {}
    for d in documents:
        if d.metadata.get("version"):
            groups.setdefault(relation_key(d.title or PurePath(d.source).stem), []).append(d)
    out = []
    for group in groups.values():
        newest = group[0]
        for d in group[1:]:
            if is_newer(str(d.metadata["version"]), str(newest.metadata["version"])):
                newest = d
        for d in group:
            if d is not newest and is_newer(
                str(newest.metadata["version"]), str(d.metadata["version"])
            ):
                out.append(Relation(newest, d, "", VERSIE))
    return out


def visible(documents: Iterable[DocumentRecord], audience: str) -> list[DocumentRecord]:
    if check_audience(audience) == MEDEWERKER:
        return list(documents)
    return [d for d in documents if d.metadata.get("visibility") == OPENBAAR]


# --- which relation applies to a passage ------------------------------------------------------


def _pages(record: DocumentRecord, page_text: PageText) -> list[tuple[int, str]]:
    out = []
    for number in range(1, max(record.pages, 1) + 1):
        text = page_text(record.doc_id, number)
        if text is not None:
            out.append((number, text))
    return out


def paragraph_title(record: DocumentRecord, paragraph: str, page_text: PageText) -> str:
    """The title a document's contents give a paragraph ("5.7 Gestanddoeningstermijn 22")."""
    pattern = re.compile(
        rf"^\W*{re.escape(paragraph)}\.?\s+(?P<title>[^\d\]\n][^\]\n]*?)\s*\d*\s*\]?(?:\(.*\))?\s*$",
        re.M,
    )
    for _, text in _pages(record, page_text)[:5]:
        m = pattern.search(text)
        if m:
            return m.group("title").strip(" .")
    return ""


def covers(relation: Relation, section: str, heading: str, page_text: PageText) -> bool:
    """True when the relation's paragraph is the passage's (or contains it)."""
    if not relation.paragraph:
        return True
    number = _NUMBER.search(section or "")
    if number and (
        number.group() == relation.paragraph or number.group().startswith(relation.paragraph + ".")
    ):
        return True
    title = paragraph_title(relation.earlier, relation.paragraph, page_text)
    last = heading.split(" > ")[-1] if heading else ""
    return bool(title) and relation_key(title) == relation_key(last)


def replacing(
    rels: Sequence[Relation], doc_id: str, section: str, heading: str, page_text: PageText
) -> list[Relation]:
    return [
        r for r in rels if r.earlier.doc_id == doc_id and covers(r, section, heading, page_text)
    ]


# --- the later text ---------------------------------------------------------------------------


def _mentions(line: str, paragraph: str) -> bool:
    return bool(re.search(rf"(?<![\d.]){re.escape(paragraph)}(?![\d]|\.\d)", line))


def _blocks_about(text: str, paragraph: str) -> list[str]:
    """The parts of a note or rectificatie about a paragraph: from a heading or table row
    that names it to the next heading."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not (_HEADING_LINE.match(line) and _mentions(line, paragraph)):
            continue
        if "|" in line and not line.lstrip().startswith("#"):  # a table row: its last cell
            out.append(line.rsplit("|", 1)[-1])
            continue
        end = next((j for j in range(i + 1, len(lines)) if _BLOCK_START.match(lines[j])), None)
        out.append("\n".join(lines[i + 1 : end]))
    return out


def _answer_part(block: str) -> str:
    """What the block says is now true: after "Antwoord:", "Wordt:", "komt te luiden:"; else
    the block without quoted questions and "Was:" lines."""
    m = None
    for m in _ANSWER_START.finditer(block):
        if not block[: m.start()].rstrip().endswith("Was:"):
            break
    text = block[m.end() :] if m else block
    kept = []
    for line in text.splitlines():
        if _STOP.match(line):
            break
        if line.lstrip().startswith(">") and not m:
            continue
        kept.append(line)
    return "\n".join(kept)


def _quote(text: str, page: str, limit: int = LEAD_WORDS) -> str:
    """The longest run of whole sentences from `text` (keys like [1] cut off) that is
    verbatim on the page, at most `limit` words."""
    pieces: list[str] = []
    for sentence in split_line(normalize_ws(text.replace("**", " "))):
        sentence = _KEY.split(sentence)[0].strip(" >*")
        if not sentence:
            continue
        candidate = " ".join([*pieces, sentence])
        if len(candidate.split()) > limit or not quote_on_page(candidate, page):
            if pieces:
                break
            continue
        pieces.append(sentence)
    return " ".join(pieces)


def later_text(
    relation: Relation, quote: str, section: str, heading: str, page_text: PageText
) -> Later | None:
    """The later document's text for a passage: its answer/replacement on the paragraph, or
    (a newer version) the sentence of the same section closest to the cited one."""
    pages = _pages(relation.later, page_text)
    if relation.kind == VERSIE:
        for number, text in pages:  # the newer version says the same: it takes over
            if quote_on_page(quote, text):
                return Later(relation, normalize_ws(quote), number, same=True)
        for number, text in pages:
            found = _version_sentence(text, quote, section, heading)
            if found:
                return Later(relation, found, number)
        return Later(relation, "", 0)  # nothing to lead with, but the passage is outdated
    binding = binding_text(pages, relation.paragraph)
    return Later(relation, binding[0], binding[1]) if binding else None


def _was_replaced(record: DocumentRecord, c: Citation, page_text: PageText) -> Later | None:
    """For a "Was: …" line of a rectificatie or note: what its block says instead."""
    text = page_text(record.doc_id, c.page) or ""
    flat = normalize_ws(text)
    at = flat.find(normalize_ws(c.quote))
    if at < 0:
        return None
    after = text[len(text) - len(text.lstrip()) :]
    # the same place in the page text: count words up to the quote
    words = len(flat[:at].split())
    rest = after.split(maxsplit=words)[-1] if words else after
    block = rest.split("\n#", 1)[0]
    m = _ANSWER_START.search(block, max(0, len(c.quote) - 5))
    if not m:
        return None
    found = _quote(block[m.end() :], text)
    relation = Relation(record, record, "", str(record.metadata.get("type") or ""))
    return Later(relation, found, c.page) if found else None


def binding_text(pages: Sequence[tuple[int, str]], paragraph: str) -> tuple[str, int] | None:
    """What a note or rectificatie says on a paragraph (its answer, its new text), verbatim,
    with its page; None when it says nothing on it."""
    for number, text in pages:
        for block in _blocks_about(text, paragraph):
            found = _quote(_answer_part(block), text)
            if found:
                return found, number
    return None


def document_pages(record: DocumentRecord, page_text: PageText) -> list[tuple[int, str]]:
    return _pages(record, page_text)


def _version_sentence(text: str, quote: str, section: str, heading: str) -> str:
    labels = [x for x in (section, heading.split(" > ")[-1] if heading else "") if x]
    lines = text.splitlines()
    for label in labels:
        start = next(
            (
                i
                for i, line in enumerate(lines)
                if re.match(rf"^[#\s*]*{re.escape(label)}(?![\d.]*\d)", line.strip(), re.I)
            ),
            None,
        )
        if start is None:
            continue
        end = next(
            (
                j
                for j in range(start + 1, len(lines))
                if lines[j].lstrip().startswith("#")
                or (_NUMBERED_HEADING.match(lines[j]) and not lines[j].lstrip()[:1].isdigit())
            ),
            len(lines),
        )
        block = "\n".join(lines[start + 1 : end])
        wanted = set(tokenize(quote))
        best, best_score = "", MIN_LIKENESS
        for sentence in split_line(normalize_ws(block)):
            got = set(tokenize(sentence))
            score = len(wanted & got) / len(wanted | got) if wanted | got else 0.0
            if score > best_score and quote_on_page(sentence, text):
                best, best_score = sentence, score
        if best:
            return best
    return ""


# --- the answer -------------------------------------------------------------------------------


def apply(answer: Answer, index: VectorIndex, audience: str) -> Answer:
    """The answer with later binding text first and every replaced passage marked.

    Only documents `audience` may read count (a provider's answer never rests on an intern
    note). An answer without replaced passages comes back unchanged.
    """
    if answer.refused or not answer.citations:
        return answer
    rels = relations(visible(index.documents(), audience))
    if not rels:
        return answer
    found: dict[int, Later] = {}
    by_id = {r.later.doc_id: r.later for r in rels}
    for c in answer.citations:
        for rel in replacing(rels, c.doc_id, c.section, c.heading, index.page_text):
            later = later_text(rel, c.quote, c.section, c.heading, index.page_text)
            if later is not None:
                found[c.key] = later
                break
        else:
            if c.doc_id in by_id and _WAS.match(c.quote):  # the old text a rectificatie quotes
                later = _was_replaced(by_id[c.doc_id], c, index.page_text)
                if later is not None:
                    found[c.key] = later
    if not found:
        return answer
    return rewrite(answer, found)


def rewrite(answer: Answer, found: dict[int, Later]) -> Answer:
    """Later texts first (keys 1…m), the earlier citations after them, each replaced one
    marked in the text and in `superseded_by`; a newer version saying the same takes over
    its citation quietly."""
    leads: list[Citation] = []
    lead_keys: dict[tuple[str, str], int] = {}
    lines: list[str] = []
    old: list[Citation] = []
    for c in answer.citations:
        later = found.get(c.key)
        if later is None:
            old.append(c)
            continue
        doc = later.relation.later
        if later.same:
            old.append(
                replace(c, source=doc.source, title=doc.title, page=later.page, doc_id=doc.doc_id)
            )
            continue
        if not later.quote:  # an older version with no counterpart: marked, nothing to lead
            old.append(replace(c, superseded_by=mark(doc)))
            continue
        ident = (doc.doc_id, later.quote)
        if ident not in lead_keys:
            lead_keys[ident] = len(leads) + 1
            leads.append(
                Citation(
                    key=len(leads) + 1,
                    source=doc.source,
                    title=doc.title,
                    page=later.page,
                    section=later.relation.paragraph,
                    heading="",
                    quote=later.quote,
                    score=c.score,
                    doc_id=doc.doc_id,
                )
            )
            when = published(doc)
            template = SUPERSEDING_LEAD if when else SUPERSEDING_LEAD_UNDATED
            lines.append(
                template.format(
                    document=doc.title or doc.source,
                    datum=dutch_date(when),
                    quote=later.quote,
                    key=lead_keys[ident],
                )
            )
        old.append(replace(c, superseded_by=mark(doc)))
    # a passage of the later document cited already is the lead itself: one key for both
    same_as_lead = {
        c.key: lead.key
        for c in old
        for lead in leads
        if not c.superseded_by and c.doc_id == lead.doc_id and _overlaps(c.quote, lead.quote)
    }
    old = [c for c in old if c.key not in same_as_lead]
    renumbered = {c.key: i for i, c in enumerate(old, start=len(leads) + 1)}
    renumbered.update(same_as_lead)
    marked = {c.key for c in old if c.superseded_by}

    def rekey(m: re.Match[str]) -> str:
        key = int(m.group(1))
        new = renumbered.get(key, key)
        if key in marked:
            by = next(c.superseded_by for c in old if c.key == key)
            return f"[{new}] ({SUPERSEDED_MARK.format(document=by)})"
        return f"[{new}]"

    body = _unkeyed_marks(_KEY.sub(rekey, answer.answer), old, leads)
    citations = (*leads, *(replace(c, key=renumbered[c.key]) for c in old))
    text = "\n".join(lines) + ("\n\n" + body if body else "") if lines else body
    return replace(answer, answer=text, citations=tuple(citations))


def _unkeyed_marks(body: str, cited: Sequence[Citation], leads: Sequence[Citation]) -> str:
    """A line without a key (a short answer drawn from a quote, "90 kalenderdagen.") that
    only a replaced passage says gets the mark too: the old value is never shown alone."""
    replaced = [c for c in cited if c.superseded_by]
    current = [_flat(c.quote) for c in (*leads, *cited) if not c.superseded_by]
    lines = []
    for line in body.split("\n"):
        words = _flat(line)
        if line.strip() and not _KEY.search(line) and words.strip():
            by = next((c.superseded_by for c in replaced if words in _flat(c.quote)), "")
            if by and not any(words in q for q in current):
                line = f"{line} ({SUPERSEDED_MARK.format(document=by)})"
        lines.append(line)
    return "\n".join(lines)


def _flat(text: str) -> str:
    """Words only, space-padded, for whole-word containment: " 2 maart 2026 "."""
    return " " + " ".join(re.findall(r"[^\W_]+", text.casefold())) + " "


def _overlaps(a: str, b: str) -> bool:
    """One quote inside the other, markup and a leading "Antwoord:" ignored."""

    def words(text: str) -> str:
        flat = " ".join(re.findall(r"[^\W_]+", text.casefold()))
        return flat.removeprefix("antwoord ")

    x, y = words(a), words(b)
    return bool(x and y) and (x in y or y in x)


# --- search results and the document list ----------------------------------------------------


def marks(hits: Sequence[RetrievedChunk], index: VectorIndex, audience: str) -> dict[str, str]:
    """chunk_id -> "<document>, <datum>" for the passages a later text replaces."""
    rels = relations(visible(index.documents(), audience))
    out: dict[str, str] = {}
    for hit in hits:
        c = hit.chunk
        for rel in replacing(rels, c.doc_id, c.section, c.heading, index.page_text):
            out[c.chunk_id] = mark(rel.later)
            break
    return out


def document_relations(documents: Sequence[DocumentRecord]) -> dict[str, dict[str, Any]]:
    """doc_id -> {version, supersedes: [...], superseded_by: [...]} for `inkoop documents`."""
    out: dict[str, dict[str, Any]] = {
        d.doc_id: {
            "version": str(d.metadata.get("version") or ""),
            "supersedes": [],
            "superseded_by": [],
        }
        for d in documents
    }
    for r in relations(documents):
        where = f" § {r.paragraph}" if r.paragraph else ""
        out[r.later.doc_id]["supersedes"].append(f"{r.earlier.source}{where}")
        out[r.earlier.doc_id]["superseded_by"].append(f"{r.later.source}{where}")
    return out
