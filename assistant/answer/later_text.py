"""The later binding text for a cited passage: what a nota van inlichtingen or rectificatie
says on the paragraph (its answer, its new text), or the closest sentence of a newer
version; always verbatim on a page of the later document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.later_relations import VERSIE, PageText, Relation, document_pages
from assistant.models import Citation
from assistant.verify.citations import CITATION_KEY, normalize_ws, quote_on_page
from assistant.verify.sentences import split_line
from index.store import DocumentRecord
from index.tokens import tokenize
from ingest.note_blocks import note_blocks

LEAD_WORDS = 80  # the later text quoted at the top of an answer, at most
MIN_LIKENESS = 0.3  # word overlap (Jaccard) of a newer version's sentence with the cited one
_NUMBERED_HEADING = re.compile(r"^[#\s*]*(?:artikel\s+|§\s*)?\d+(?:\.\d+)*\.?\s+[A-Z]", re.I)
_ANSWER_START = re.compile(
    r"(?:antwoord|wordt|komt (?:als volgt )?te luiden|nieuwe tekst|gewijzigd in)\s*:\**\s*", re.I
)
_STOP = re.compile(r"^\W*(?:bronnen|was|oude tekst)\s*:", re.I)


@dataclass(frozen=True)
class Later:
    """The later binding text for one cited passage."""

    relation: Relation
    quote: str  # verbatim on `page` of the later document
    page: int
    same: bool = False  # a newer version saying exactly the same


@dataclass(frozen=True)
class Clarification:
    """A note's answer on a paragraph it clarifies, shown beside the cited paragraph."""

    relation: Relation
    number: str  # the note's question number ("3"); '' when its blocks have none
    quote: str  # verbatim on `page` of the note
    page: int


def _blocks_about(text: str, paragraph: str, amends: bool | None = None) -> list[str]:
    """What the parts of a note or rectificatie about a paragraph say (an answer cell, the
    text below a heading that names it), in order; only amending or clarifying parts when
    `amends` says which."""
    return [
        b.answer
        for b in note_blocks(text)
        if b.paragraph == paragraph and b.answer.strip() and amends in (None, b.amends)
    ]


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
        sentence = CITATION_KEY.split(sentence)[0].strip(" >*")
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
    pages = document_pages(relation.later, page_text)
    if relation.kind == VERSIE:
        for number, text in pages:  # the newer version says the same: it takes over
            if quote_on_page(quote, text):
                return Later(relation, normalize_ws(quote), number, same=True)
        for number, text in pages:
            found = _version_sentence(text, quote, section, heading)
            if found:
                return Later(relation, found, number)
        return Later(relation, "", 0)  # nothing to lead with, but the passage is outdated
    binding = binding_text(pages, relation.paragraph, relation.amends)
    return Later(relation, binding[0], binding[1]) if binding else None


def was_replaced(record: DocumentRecord, c: Citation, page_text: PageText) -> Later | None:
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


def binding_text(
    pages: Sequence[tuple[int, str]], paragraph: str, amends: bool | None = None
) -> tuple[str, int] | None:
    """What a note or rectificatie says on a paragraph (its answer, its new text), verbatim,
    with its page; None when it says nothing on it. A changing part comes before a clarifying
    one unless `amends` picks one kind."""
    if amends is None:
        return binding_text(pages, paragraph, True) or binding_text(pages, paragraph, False)
    for number, text in pages:
        for block in _blocks_about(text, paragraph, amends):
            found = _quote(_answer_part(block), text)
            if found:
                return found, number
    return None


def clarification(relation: Relation, question: str, page_text: PageText) -> Clarification | None:
    """The note's answer on the relation's paragraph that shares most words with the question
    (the first on a tie), verbatim on its page; None when the note says nothing quotable."""
    wanted = set(tokenize(question))
    best: Clarification | None = None
    best_score = -1
    for number, text in document_pages(relation.later, page_text):
        for block in note_blocks(text):
            if block.paragraph != relation.paragraph or block.amends or not block.answer.strip():
                continue
            score = len(wanted & set(tokenize(text[block.start : block.end])))
            if score <= best_score:
                continue
            found = _quote(_answer_part(block.answer), text)
            if found:
                best, best_score = Clarification(relation, block.number, found, number), score
    return best


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
