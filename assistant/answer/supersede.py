"""Later binding text wins: a cited passage replaced by a nota van inlichtingen, a
rectificatie or a newer version of its document is never shown alone.

`apply` rewrites an answer: for every citation whose passage has a later binding statement
on the same paragraph (`later_relations` finds which document replaces which, `later_text`
what it says instead), the answer leads with the later text (cited from the later document)
and keeps the earlier one marked "vervangen door <document>, <datum>"
(`Citation.superseded_by`). A newer version with the same text simply takes the citation
over. A cited paragraph that a note only clarifies keeps its text; the note's answer that
fits the question best is shown beside it ("Zie ook NvI vraag 3 …", `Citation.clarified_by`).
`marks` gives search results the same mark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.answer.later_relations import (
    PageText,
    Relation,
    clarifying,
    mark,
    published,
    relations,
    replacing,
    visible,
)
from assistant.answer.later_text import (
    CITATION_KEY,
    Clarification,
    Later,
    clarification,
    later_text,
    was_replaced,
)
from assistant.models import Answer, Citation
from assistant.prompts import (
    CLARIFIED_BY,
    CLARIFIED_BY_UNNUMBERED,
    CLARIFYING_LINE,
    SUPERSEDED_MARK,
    SUPERSEDING_LEAD,
    SUPERSEDING_LEAD_UNDATED,
)
from ingest.extract import dutch_date

if TYPE_CHECKING:
    from index.retriever import RetrievedChunk
    from index.store import DocumentRecord, VectorIndex

_WAS = re.compile(r"^\W*(?:was|oude tekst)\s*:", re.I)


# --- the answer -------------------------------------------------------------------------------


def apply(
    answer: Answer,
    index: VectorIndex,
    audience: str,
    documents: Sequence[DocumentRecord] | None = None,
) -> Answer:
    """The answer with later binding text first, every replaced passage marked, and a note's
    answer beside each cited paragraph it clarifies.

    Only documents `audience` may read count (a provider's answer never rests on an intern
    note); `documents`: the indexed ones with their relations set by hand, when the caller has
    them. An answer without replaced or clarified passages comes back unchanged.
    """
    if answer.refused or not answer.citations:
        return answer
    rels = relations(visible(index.documents() if documents is None else documents, audience))
    if not rels:
        return answer
    return clarify(_replace_later(answer, rels, index), rels, index.page_text)


def _replace_later(answer: Answer, rels: Sequence[Relation], index: VectorIndex) -> Answer:
    """The answer led by the later texts that replace its cited passages (`rewrite`)."""
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
                later = was_replaced(by_id[c.doc_id], c, index.page_text)
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
            paragraph = later.relation.paragraph
            leads.append(
                _later_citation(len(leads) + 1, doc, later.page, paragraph, later.quote, c.score)
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

    body = _unkeyed_marks(CITATION_KEY.sub(rekey, answer.answer), old, leads)
    citations = (*leads, *(replace(c, key=renumbered[c.key]) for c in old))
    text = "\n".join(lines) + ("\n\n" + body if body else "") if lines else body
    return replace(answer, answer=text, citations=tuple(citations))


def clarify(answer: Answer, rels: Sequence[Relation], page_text: PageText) -> Answer:
    """Each cited paragraph a note clarifies (not replaced) gets the note's answer that fits the
    question best: one line "Zie ook NvI vraag 3 (…) over § 5.6: <answer> [k]" after the text,
    cited from the note (verbatim on its page), and the paragraph's `clarified_by` set."""
    found: dict[tuple[str, str], Clarification | None] = {}
    marked: dict[int, Clarification] = {}
    for c in answer.citations:
        if c.superseded_by:
            continue
        for rel in clarifying(rels, c.doc_id, c.section, c.heading, page_text):
            ident = (rel.later.doc_id, rel.paragraph)
            if ident not in found:
                found[ident] = clarification(rel, answer.question, page_text)
            if found[ident] is not None:
                marked[c.key] = found[ident]  # type: ignore[assignment]
                break
    if not marked:
        return answer
    added: list[Citation] = []
    lines: list[str] = []
    shown: set[tuple[str, str]] = set()
    for note in marked.values():
        doc = note.relation.later
        if (doc.doc_id, note.quote) in shown:
            continue
        shown.add((doc.doc_id, note.quote))
        cited = [*answer.citations, *added]
        key = next(
            (c.key for c in cited if c.doc_id == doc.doc_id and _overlaps(c.quote, note.quote)),
            0,
        )
        if not key:
            key = max(c.key for c in cited) + 1
            score = min(c.score for c in answer.citations)
            added.append(
                _later_citation(key, doc, note.page, note.relation.paragraph, note.quote, score)
            )
        lines.append(
            CLARIFYING_LINE.format(
                note=clarified_label(note),
                paragraph=note.relation.paragraph,
                quote=note.quote,
                key=key,
            )
        )
    citations = (
        *(
            replace(c, clarified_by=clarified_label(marked[c.key])) if c.key in marked else c
            for c in answer.citations
        ),
        *added,
    )
    text = answer.answer + "\n\n" + "\n".join(lines)
    return replace(answer, answer=text, citations=citations)


def clarified_label(note: Clarification) -> str:
    """ "NvI vraag 3 (Nota van inlichtingen, 1 december 2025)": what `clarified_by` holds."""
    document = mark(note.relation.later)
    if note.number:
        return CLARIFIED_BY.format(number=note.number, document=document)
    return CLARIFIED_BY_UNNUMBERED.format(document=document)


def _unkeyed_marks(body: str, cited: Sequence[Citation], leads: Sequence[Citation]) -> str:
    """A line without a key (a short answer drawn from a quote, "90 kalenderdagen.") that
    only a replaced passage says gets the mark too: the old value is never shown alone."""
    replaced = [c for c in cited if c.superseded_by]
    current = [_flat(c.quote) for c in (*leads, *cited) if not c.superseded_by]
    lines = []
    for line in body.split("\n"):
        words = _flat(line)
        if line.strip() and not CITATION_KEY.search(line) and words.strip():
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


def marks(
    hits: Sequence[RetrievedChunk],
    index: VectorIndex,
    audience: str,
    documents: Sequence[DocumentRecord] | None = None,
) -> dict[str, str]:
    """chunk_id -> "<document>, <datum>" for the passages a later text replaces."""
    rels = relations(visible(index.documents() if documents is None else documents, audience))
    out: dict[str, str] = {}
    for hit in hits:
        c = hit.chunk
        for rel in replacing(rels, c.doc_id, c.section, c.heading, index.page_text):
            out[c.chunk_id] = mark(rel.later)
            break
    return out


def _later_citation(
    key: int, doc: DocumentRecord, page: int, paragraph: str, quote: str, score: float
) -> Citation:
    """A citation of a later text (an NvI answer, a rectificatie) on the paragraph it is about."""
    return Citation(
        key=key,
        source=doc.source,
        title=doc.title,
        page=page,
        section=paragraph,
        heading="",
        quote=quote,
        score=score,
        doc_id=doc.doc_id,
    )
