"""Where the answer most likely stands, when there is no direct answer (issue 20's middle
outcome, "hier staat het waarschijnlijk"): the best passages from different sections that are
clearly about the question, each with the one sentence most likely to hold the answer marked.

Never an answer: the passages come with an honest lead ("Ik kan dit niet met zekerheid
beantwoorden") and the answer stays a refusal (`Answer.refused`, outcome "passages"), so a
provider's question still goes to the NvI inbox. Each marked sentence is verified on its page
like every quote; a passage whose sentence cannot be verified is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.answer.candidates import Candidate
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.answer.types import VALUE_TYPES, answer_type
from assistant.models import Answer, Passage
from assistant.prompts import NVI_HINT, PASSAGES_LEAD
from assistant.question import Question
from assistant.verify.citations import normalize_ws, quote_on_page
from assistant.verify.sentences import display_quote
from index.retriever import RetrievedChunk
from ingest.models import Chunk

PageText = Callable[[str, int], str | None]


Window = Callable[[Chunk], Sequence[Chunk]]


def where_to_read(
    q: Question,
    hits: Sequence[RetrievedChunk],
    answerer: ExtractiveAnswerer,
    page_text: PageText,
    min_share: float,
    limit: int = 3,
    window: Window | None = None,
) -> tuple[Passage, ...]:
    """Up to `limit` passages, in search order, from different sections, each saying at least
    `min_share` of the question's weighted content words; () when none does. A question after
    a value (a date, duration, amount or count) gets the passages that hold one first.
    `window` widens a hit to its neighbours in the same section: the marked sentence is sought
    in all of them and the passage shows them together."""
    if not hits:
        return ()
    terms = answerer.terms(q.text, q.kind)
    if not terms or not sum(t.weight for t in terms):
        return ()
    shares = answerer.passage_shares(q, hits, terms)
    # only the passages about the question are widened and read for their marked sentence
    windows = [
        (list(window(h.chunk)) if window else [h.chunk]) if share >= min_share else []
        for h, share in zip(hits, shares, strict=True)
    ]
    wide: list[RetrievedChunk] = []
    owner: dict[str, int] = {}
    for i, (hit, chunks) in enumerate(zip(hits, windows, strict=True)):
        for c in chunks:
            if c.chunk_id not in owner:
                owner[c.chunk_id] = i
                wide.append(hit if c.chunk_id == hit.chunk.chunk_id else replace(hit, chunk=c))
    best: dict[int, list[Candidate]] = {}
    for cand in answerer.candidates(q, wide, terms, semantic=False):
        best.setdefault(owner[cand.hit.chunk.chunk_id], []).append(cand)
    out: list[Passage] = []
    places: set[tuple[str, str]] = set()
    shown: set[str] = set()  # passages already inside a shown window (a letter has no §)
    order = list(range(len(hits)))
    if answer_type(q.kind, q.text) in VALUE_TYPES:  # "wanneer", "hoe lang", "hoeveel": a
        # passage that holds a date, duration, amount or count comes before one that does not
        order.sort(key=lambda i: (not any(c.typed for c in best.get(i, [])), i))
    for i in order:
        hit, share = hits[i], shares[i]
        chunk = hit.chunk
        # one passage per section; a document without sections (a letter, a Q&A table) has
        # as many places as windows that do not overlap (`shown`)
        place = (chunk.doc_id, chunk.section or chunk.chunk_id)
        if share < min_share or place in places or chunk.chunk_id in shown:
            continue
        marked = _marked(best.get(i, []), page_text)
        if marked is None:
            continue
        page, sentence = marked
        places.add(place)
        shown.update(c.chunk_id for c in windows[i])
        out.append(
            Passage(
                key=len(out) + 1,
                source=chunk.source,
                title=chunk.title,
                page=page,
                section=chunk.section,
                heading=chunk.heading,
                text=normalize_ws(joined(windows[i])),
                highlight=sentence,
                score=share,
                doc_id=chunk.doc_id,
            )
        )
        if len(out) >= limit:
            break
    return tuple(out)


def joined(chunks: Sequence[Chunk]) -> str:
    """Neighbouring passages of one document as one text, their overlap once."""
    text, end = "", -1
    for c in chunks:
        overlap = end - c.char_start
        if text and 0 < overlap <= len(c.text) and text.endswith(c.text[:overlap]):
            text += c.text[overlap:]
        else:
            text = f"{text}\n{c.text}" if text else c.text
        end = c.char_end
    return text


def _marked(cands: list[Candidate], page_text: PageText) -> tuple[int, str] | None:
    """The passage's sentence most likely to hold the answer (one of the type the question
    needs first, then by score), with its page, verified there."""
    for cand in sorted(cands, key=lambda c: (not c.typed, -c.score)):
        chunk = cand.hit.chunk
        page = chunk.page_at(cand.start)
        if quote_on_page(cand.text, page_text(chunk.doc_id, page)):
            return page, normalize_ws(cand.text)
    return None


def with_passages(answer: Answer, passages: Sequence[Passage]) -> Answer:
    """A refusal turned into "hier staat het waarschijnlijk": the lead, each passage's place
    and marked sentence, and the NvI hint; unchanged without passages."""
    if not passages or not answer.refused:
        return answer
    lines = [PASSAGES_LEAD]
    for p in passages:
        lines.append(f"- {place(p)}: “{display_quote(p.highlight)}”")
    body = "\n".join(lines) + f"\n\n{NVI_HINT}"
    return replace(answer, answer=body, passages=tuple(passages), citations=())


def place(p: Passage) -> str:
    """Where a passage stands, for a reader: title, page (of a PDF), section."""
    where = [p.title or p.source]
    if p.source.lower().endswith(".pdf"):
        where.append(f"pagina {p.page}")
    if p.section:
        where.append(f"§ {p.section}")
    elif p.heading and p.heading != where[0]:  # a document whose heading is its title
        where.append(p.heading)
    return ", ".join(where)
