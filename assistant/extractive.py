"""The default answerer: picks the sentences that answer the question, each with a citation.

No language model: the answer is made of verbatim sentences from the retrieved passages, so
it can never say more than the documents do. It refuses when no sentence covers enough of
the question's content words (weighted by how rare they are in the collection).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.citations import normalize_ws, quote_on_page
from assistant.models import REFUSAL, Answer, Citation
from index.lexical import tokenize
from index.retriever import RetrievedChunk

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+(?=\s|$)|(?=\n)|$)")
_BLOCK_BREAK = re.compile(r"\n(?=\s*(?:\n|[-•*|>]|\d+[.)]\s|[a-z][.)]\s))")
_DATE = re.compile(
    r"\b(\d{1,2}[-/ ]\d{1,2}[-/ ]\d{2,4}|\d{1,2} (januari|februari|maart|april|mei|juni|juli|"
    r"augustus|september|oktober|november|december)( \d{4})?|(januari|februari|maart|april|mei|"
    r"juni|juli|augustus|september|oktober|november|december) \d{4}|q[1-4]|20\d\d|19\d\d)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(€\s?\d|\d+(,\d+)?\s?%|\d+(,\d+)?\s?(euro|procent|uur|dagen|weken|maanden))", re.I
)
_WHEN = re.compile(
    r"\b(wanneer|datum|per wanneer|vanaf wanneer|termijn|deadline|uiterlijk|tot wanneer)\b", re.I
)
_HOW_MUCH = re.compile(
    r"\b(hoeveel|hoe hoog|bedrag|tarief|tarieven|percentage|kosten|prijs)\b", re.I
)


@dataclass(frozen=True)
class ExtractiveSettings:
    max_sentences: int = 3
    min_coverage: float = 0.55  # share of the question's weighted content words in the evidence
    max_sentence_words: int = 80


@dataclass(frozen=True)
class _Candidate:
    rank: int
    hit: RetrievedChunk
    start: int  # offset inside the chunk text
    text: str
    score: float
    coverage: float


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs.

    A hard line wrap inside a paragraph (PDFs, letters) is not a sentence end; a blank line,
    a list item or table row, or a short heading-like line is.
    """
    out: list[tuple[int, str]] = []
    for a, b in _blocks(text):
        block = text[a:b]
        flat = block.replace("\n", " ")  # same length: offsets stay valid
        pieces: list[tuple[int, int]] = []
        for m in _SENTENCE.finditer(flat):
            raw = m.group(0)
            stripped = raw.strip(" \t-•*|>")
            if not stripped:
                continue
            start = a + m.start() + raw.index(stripped)
            end = start + len(stripped)
            if pieces and _ends_in_abbreviation(text[pieces[-1][0] : pieces[-1][1]]):
                pieces[-1] = (pieces[-1][0], end)
            else:
                pieces.append((start, end))
        out.extend((s, text[s:e]) for s, e in pieces if len(text[s:e].split()) >= 3)
    return out


_ABBREVIATIONS = frozenset(
    [
        "bijv",
        "bv",
        "o.a",
        "i.p.v",
        "m.b.t",
        "e.d",
        "enz",
        "art",
        "nr",
        "jo",
        "t.a.v",
        "d.w.z",
        "z.s.m",
        "incl",
        "excl",
        "ca",
        "resp",
        "evt",
        "mr",
        "dr",
        "ir",
        "drs",
        "ing",
        "prof",
        "blz",
        "pag",
        "vgl",
        "zgn",
    ]
)


def _ends_in_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(None, 1)[-1].lower().rstrip(".")
    return sentence.endswith(".") and (last in _ABBREVIATIONS or len(last) == 1)


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of text between hard breaks: blank lines, list items, heading-like short lines."""
    cuts = [0]
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        body = line.strip()
        words = body.split()
        heading_like = 0 < len(words) < 6 and not body.endswith((",", "-")) and body[-1:].isalnum()
        if heading_like or not body:
            cuts.extend([pos, end])
        pos = end
    cuts.append(len(text))
    for m in _BLOCK_BREAK.finditer(text):
        cuts.append(m.start() + 1)
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in itertools.pairwise(cuts) if text[a:b].strip()]


def _split_at_page_breaks(hit: RetrievedChunk) -> list[tuple[int, str]]:
    """Sentences of a chunk, never running across a page break (a quote must sit on one page)."""
    text = hit.chunk.text
    cuts = [0, *hit.chunk.page_breaks, len(text)]
    out: list[tuple[int, str]] = []
    for a, b in itertools.pairwise(cuts):
        out.extend((a + off, s) for off, s in sentences(text[a:b]))
    return out


class ExtractiveAnswerer:
    def __init__(
        self,
        idf: Callable[[str], float],
        page_text: Callable[[str, int], str | None],
        settings: ExtractiveSettings | None = None,
    ) -> None:
        self.idf = idf
        self.page_text = page_text
        self.settings = settings or ExtractiveSettings()

    def answer(self, question: str, hits: Sequence[RetrievedChunk]) -> Answer:
        terms = list(dict.fromkeys(tokenize(question)))
        if not terms:
            return Answer(question, _refusal(), True, notes=("no content words in the question",))
        weights = {t: max(self.idf(t), 0.0) for t in terms}
        if sum(weights.values()) == 0:
            return Answer(question, _refusal(), True, notes=("none of the question's words occur",))
        candidates = self._candidates(question, terms, weights, hits)
        if not candidates or candidates[0].coverage < self.settings.min_coverage:
            best = candidates[0].coverage if candidates else 0.0
            return Answer(question, _refusal(), True, notes=(f"best coverage {best:.2f}",))
        chosen = self._choose(candidates)
        citations: list[Citation] = []
        lines: list[str] = []
        for cand in chosen:
            chunk = cand.hit.chunk
            page = chunk.page_at(cand.start)
            if not quote_on_page(cand.text, self.page_text(chunk.doc_id, page)):
                continue  # a citation that cannot be checked is dropped
            key = len(citations) + 1
            citations.append(
                Citation(
                    key=key,
                    source=chunk.source,
                    title=chunk.title,
                    page=page,
                    section=chunk.section,
                    heading=chunk.heading,
                    quote=normalize_ws(cand.text),
                    score=cand.score,
                    doc_id=chunk.doc_id,
                )
            )
            lines.append(f"{normalize_ws(cand.text)} [{key}]")
        if not citations:
            return Answer(question, _refusal(), True, notes=("no quote could be verified",))
        if len(lines) == 1:
            body = f"Volgens de documenten: {lines[0]}"
        else:
            body = "Volgens de documenten:\n" + "\n".join(f"- {line}" for line in lines)
        return Answer(question, body, False, tuple(citations))

    def _candidates(
        self,
        question: str,
        terms: list[str],
        weights: dict[str, float],
        hits: Sequence[RetrievedChunk],
    ) -> list[_Candidate]:
        total = sum(weights.values())
        wants_date = bool(_WHEN.search(question))
        wants_amount = bool(_HOW_MUCH.search(question))
        out = []
        for rank, hit in enumerate(hits):
            context = set(tokenize(f"{hit.chunk.title} {hit.chunk.heading} {hit.chunk.text}"))
            chunk_cov = sum(w for t, w in weights.items() if t in context) / total
            for start, text in _split_at_page_breaks(hit):
                if len(text.split()) > self.settings.max_sentence_words:
                    continue
                words = set(tokenize(text))
                cov = sum(w for t, w in weights.items() if t in words) / total
                score = 0.6 * cov + 0.25 * chunk_cov + 0.15 / (1 + rank)
                if wants_date and _DATE.search(text):
                    score += 0.15
                if wants_amount and _AMOUNT.search(text):
                    score += 0.1
                # Evidence = the sentence, helped by its passage (heading and neighbours).
                coverage = max(cov, 0.5 * cov + 0.5 * chunk_cov)
                out.append(_Candidate(rank, hit, start, text, score, coverage))
        out.sort(key=lambda c: (-c.score, c.rank, c.start))
        if out:
            best_cov = max(c.coverage for c in out[:5])
            out[0] = _Candidate(
                out[0].rank, out[0].hit, out[0].start, out[0].text, out[0].score, best_cov
            )
        return out

    def _choose(self, candidates: list[_Candidate]) -> list[_Candidate]:
        best = candidates[0].score
        chosen: list[_Candidate] = []
        seen_text: set[str] = set()
        for cand in candidates:
            if len(chosen) >= self.settings.max_sentences or cand.score < 0.75 * best:
                break
            norm = " ".join(tokenize(cand.text))
            if norm in seen_text:  # the same sentence in another letter or an overlap
                continue
            seen_text.add(norm)
            chosen.append(cand)
        return chosen


def _refusal() -> str:
    return (
        f"{REFUSAL} U kunt deze vraag stellen via de nota van inlichtingen, "
        "zodat alle aanbieders hetzelfde antwoord krijgen."
    )
