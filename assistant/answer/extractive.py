"""The default answerer: picks the sentences that answer the question, each with a citation.

No language model: the answer is made of verbatim sentences from the retrieved passages, so
it can never say more than the documents do. It refuses when no sentence covers enough of
the question's content words (weighted by how rare they are in the collection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.models import Answer, Citation
from assistant.prompts import REFUSAL_WITH_HINT
from assistant.settings import default
from assistant.verify.citations import normalize_ws, quote_on_page
from assistant.verify.sentences import chunk_sentences, display_quote, with_list
from index.lexical import tokenize
from index.retriever import RetrievedChunk
from ingest.extract import MONTH_PATTERN

_DATE = re.compile(
    rf"\b(\d{{1,2}}[-/ ]\d{{1,2}}[-/ ]\d{{2,4}}|\d{{1,2}} ({MONTH_PATTERN})( \d{{4}})?"
    rf"|({MONTH_PATTERN}) \d{{4}}"
    r"|q[1-4]|20\d\d|19\d\d)\b",
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
    # share of the question's weighted content words in the evidence (tuned in settings)
    min_coverage: float = float(default("min_coverage"))  # type: ignore[arg-type]
    max_sentence_words: int = 80
    max_missing: float = 1 / 3  # share of the question's words that may be absent from it


@dataclass(frozen=True)
class _Candidate:
    rank: int
    hit: RetrievedChunk
    start: int  # offset inside the chunk text
    text: str
    score: float
    coverage: float
    missing: int = 0  # question words found nowhere in the evidence


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
        # "Wlz-cliënten": its parts count, not the compound (the text may say "Wlz cliënten").
        terms = [t for t in dict.fromkeys(tokenize(question)) if "-" not in t]
        if not terms:
            return Answer(
                question, REFUSAL_WITH_HINT, True, notes=("no content words in the question",)
            )
        weights = {t: max(self.idf(t), 0.0) for t in terms}
        if sum(weights.values()) == 0:
            return Answer(
                question, REFUSAL_WITH_HINT, True, notes=("none of the question's words occur",)
            )
        candidates = self._candidates(question, terms, weights, hits)
        # Enough of the question's weight, and not more than a third of its words missing:
        # "nieuwe contracten ambulante jeugdhulp" is not answered by a sentence that only
        # shares "ambulante jeugdhulp", however rare those two words are.
        allowance = max(1, int(len(weights) * self.settings.max_missing))
        eligible = [
            c
            for c in candidates
            if c.coverage >= self.settings.min_coverage and c.missing <= allowance
        ]
        if not eligible:
            best = max((c.coverage for c in candidates), default=0.0)
            return Answer(question, REFUSAL_WITH_HINT, True, notes=(f"best coverage {best:.2f}",))
        chosen = self._choose(eligible)
        citations: list[Citation] = []
        lines: list[str] = []
        for cand in chosen:
            chunk = cand.hit.chunk
            page = chunk.page_at(cand.start)
            page_text = self.page_text(chunk.doc_id, page)
            quote = with_list(cand.text, page_text)
            if not quote_on_page(quote, page_text):
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
                    quote=normalize_ws(quote),
                    score=cand.score,
                    doc_id=chunk.doc_id,
                )
            )
            lines.append(f"{display_quote(quote)} [{key}]")
        if not citations:
            return Answer(question, REFUSAL_WITH_HINT, True, notes=("no quote could be verified",))
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

        def share(tokens: set[str]) -> float:
            return sum(w for t, w in weights.items() if t in tokens) / total

        wants_date = bool(_WHEN.search(question))
        wants_amount = bool(_HOW_MUCH.search(question))
        out = []
        for rank, hit in enumerate(hits):
            chunk = hit.chunk
            frame = set(tokenize(f"{chunk.title} {chunk.heading}"))
            chunk_cov = share(frame | set(tokenize(chunk.text)))
            found = chunk_sentences(chunk)
            token_sets = [set(tokenize(s)) for _, s in found]
            for i, (start, text) in enumerate(found):
                if len(text.split()) > self.settings.max_sentence_words:
                    continue
                own = token_sets[i]
                near = set().union(*token_sets[max(0, i - 1) : i], *token_sets[i + 1 : i + 2])
                # Evidence: the sentence with its heading and title; neighbours count half.
                local = share(own | frame)
                coverage = local + 0.5 * (share(own | frame | near) - local)
                score = 0.55 * coverage + 0.2 * share(own) + 0.1 * chunk_cov + 0.15 / (1 + rank)
                if wants_date and _DATE.search(text):
                    score += 0.15
                if wants_amount and _AMOUNT.search(text):
                    score += 0.1
                missing = sum(1 for t in weights if t not in own | frame | near)
                out.append(_Candidate(rank, hit, start, text, score, coverage, missing))
        out.sort(key=lambda c: (-c.score, c.rank, c.start))
        return out

    def _choose(self, candidates: list[_Candidate]) -> list[_Candidate]:
        best = candidates[0].score
        chosen: list[_Candidate] = []
        seen_text: set[str] = set()
        for cand in candidates:
            if len(chosen) >= self.settings.max_sentences or cand.score < 0.85 * best:
                break
            norm = " ".join(tokenize(cand.text))
            if norm in seen_text:  # the same sentence in another letter or an overlap
                continue
            seen_text.add(norm)
            chosen.append(cand)
        return chosen
