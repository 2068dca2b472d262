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
from ingest.models import Chunk
from ingest.sections import section_label

_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?![\s]|$))+(?:[.!?]+(?=\s|$)|(?=\n)|$)")
_ENUMERATOR = re.compile(r"^(?:\*\*)?\(?(?:\d{1,3}|[a-z])[.)°]+(?:\*\*)?\s+(?=\S)")
_TERMINAL = re.compile(r"[.!:;)\]'\"”’]\s*$")
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
    missing: int = 0  # question words found nowhere in the evidence


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
            stripped = _ENUMERATOR.sub("", raw.strip(" \t-•*|>")).strip(" \t-•*|>")
            if not stripped:
                continue
            start = a + m.start() + raw.index(stripped)
            end = start + len(stripped)
            if pieces and ends_in_abbreviation(text[pieces[-1][0] : pieces[-1][1]]):
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


def ends_in_abbreviation(sentence: str) -> bool:
    last = sentence.rsplit(None, 1)[-1].lower().rstrip(".")
    return sentence.endswith(".") and (last in _ABBREVIATIONS or len(last) == 1)


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of text between hard breaks: blank lines, list items, heading-like short lines."""
    cuts = [0]
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        body = line.strip().strip("*#_ ")
        words = body.split()
        heading_like = (
            0 < len(words) < 6
            and not body.endswith((",", "-"))
            and body[-1:].isalnum()
            and not body[0].islower()  # a wrapped line's tail is not a heading
        )
        if heading_like or not body:
            cuts.extend([pos, end])
        pos = end
    cuts.append(len(text))
    for m in _BLOCK_BREAK.finditer(text):
        cuts.append(m.start() + 1)
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in itertools.pairwise(cuts) if text[a:b].strip()]


def chunk_sentences(chunk: Chunk) -> list[tuple[int, str]]:
    """Quotable sentences of a chunk: never across a page break (a quote sits on one page) or
    out of the heading line, and no fragments cut off by the chunk's edges, no questions."""
    text = chunk.text
    cuts = {0, len(text), *chunk.page_breaks}
    lines = text.split("\n", 2)
    first_line = lines[0]
    heading = normalize_ws(chunk.heading)
    if heading and normalize_ws(first_line).startswith(heading[:40]):
        end = len(first_line)
        if len(heading) > len(normalize_ws(first_line)) + 3 and len(lines) > 1:
            end += 1 + len(lines[1])  # the heading wrapped onto a second line
        cuts.add(end)
    breaks = set(chunk.page_breaks)
    out: list[tuple[int, str]] = []
    for a, b in itertools.pairwise(sorted(cuts)):
        for off, sentence in sentences(text[a:b]):
            start, end = a + off, a + off + len(sentence)
            if sentence.rstrip().endswith("?"):
                continue  # a question (NvI tables) is not an answer
            if sentence[0].islower():
                continue  # a fragment: the chunk, page or a line break cut the sentence
            if (
                b in breaks
                and end >= a + len(text[a:b].rstrip())
                and not _TERMINAL.search(sentence)
            ):
                continue  # the sentence runs on over the page break
            if _heading_line(text, start, end):
                continue  # "§ 4.0. Toetreding nieuwe jeugdhulpaanbieders" names, not answers
            if (
                end >= len(text.rstrip())
                and not _TERMINAL.search(sentence)
                and (len(sentence.split()) >= 6)
            ):
                continue  # the chunk ended mid-sentence
            out.append((start, sentence))
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
        # "Wlz-cliënten": its parts count, not the compound (the text may say "Wlz cliënten").
        terms = [t for t in dict.fromkeys(tokenize(question)) if "-" not in t]
        if not terms:
            return Answer(
                question, refusal_text(), True, notes=("no content words in the question",)
            )
        weights = {t: max(self.idf(t), 0.0) for t in terms}
        if sum(weights.values()) == 0:
            return Answer(
                question, refusal_text(), True, notes=("none of the question's words occur",)
            )
        candidates = self._candidates(question, terms, weights, hits)
        # Enough of the question's weight, and not more than a third of its words missing:
        # "nieuwe contracten ambulante jeugdhulp" is not answered by a sentence that only
        # shares "ambulante jeugdhulp", however rare those two words are.
        allowance = max(1, len(weights) // 3)
        eligible = [
            c
            for c in candidates
            if c.coverage >= self.settings.min_coverage and c.missing <= allowance
        ]
        if not eligible:
            best = max((c.coverage for c in candidates), default=0.0)
            return Answer(question, refusal_text(), True, notes=(f"best coverage {best:.2f}",))
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
            lines.append(f"{_display(quote)} [{key}]")
        if not citations:
            return Answer(question, refusal_text(), True, notes=("no quote could be verified",))
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


def _heading_line(text: str, start: int, end: int) -> bool:
    """A short line on its own that is bold or starts with a section label."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    if line.startswith("**") and line.endswith("**"):
        return True
    words = line.split()
    return len(words) < 10 and bool(section_label(line)[0]) and not line.endswith(".")


def with_list(sentence: str, page: str | None, max_words: int = 80) -> str:
    """A sentence that introduces a list ("De uitgangspunten zijn:") brings its items along
    from the page text: up to a blank line after the items, or ~max_words at a line end."""
    if not page or not sentence.rstrip().endswith(":"):
        return sentence
    at = page.find(sentence)
    if at < 0:
        return sentence
    end = pos = at + len(sentence)
    words = 0
    lines = page[end:].splitlines(keepends=True)
    for i, line in enumerate(lines):
        body = line.strip()
        if body:
            words += len(body.split())
            end = pos + len(line.rstrip("\r\n"))
        elif words and not _continues(lines[i + 1 :]):
            break
        pos += len(line)
        if (words >= max_words and body.endswith((";", ".", ":"))) or words >= 2 * max_words:
            break
    return page[at:end]


def _display(quote: str) -> str:
    """A quote for the answer text: list items keep their own lines, the rest is one line."""
    lines = [normalize_ws(line) for line in quote.splitlines() if line.strip()]
    out: list[str] = []
    for line in lines:
        if out and not re.match(r"^([-•*]|\d+[.)]|[a-z][.)])\s", line):
            out[-1] = f"{out[-1]} {line}"  # a wrapped line joins the one before
        else:
            out.append(line)
    return "\n  ".join(out)


def _continues(lines: list[str]) -> bool:
    """True when the next non-blank line carries on a wrapped item (starts in lower case)."""
    nxt = next((ln.strip() for ln in lines if ln.strip()), "")
    return bool(nxt) and nxt[0].islower()


def refusal_text() -> str:
    return (
        f"{REFUSAL} U kunt deze vraag stellen via de nota van inlichtingen, "
        "zodat alle aanbieders hetzelfde antwoord krijgen."
    )
