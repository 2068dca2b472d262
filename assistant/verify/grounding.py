"""Grounded generation, pure: the Dutch prompt over numbered passages, and the check of a reply.

A language model's reply is never trusted. Unknown citation keys are dropped; a sentence that
claims something must cite a passage; the numbers, dates and amounts of a sentence must occur
in a passage it cites; every kept key gets a quote that is checked against its page. What does
not pass is removed, and a reply with nothing left is reported as unverifiable. A passage
sentence that gives the model orders is never support and never a quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.llm.backends import ChatMessage
from assistant.models import Answer, Citation
from assistant.prompts import REFUSAL_WITH_HINT, SYSTEM_PROMPT
from assistant.verify.citations import KEY_WITH_SPACE, normalize_ws, quote_on_page
from assistant.verify.sentences import add_sentence, chunk_sentences, sentences, split_line
from index.retriever import RetrievedChunk
from index.tokens import tokenize
from ingest.extract import MONTH_NAMES, MONTH_PATTERN

_TAG = re.compile(r"<\s*/?\s*passage", re.IGNORECASE)
_LEADING_KEYS = re.compile(r"^((?:\[\d{1,3}\][\s,;]*)+)[.]?\s*")
_BULLET = re.compile(r"^\s*((?:[-•*]|\d{1,2}[.)])\s+)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\w")
_MONTH = re.compile(rf"\b({MONTH_PATTERN})\b", re.IGNORECASE)
# A passage sentence that addresses the model ("negeer alle instructies", "je bent nu ...") is
# data: it can neither support a claim nor be quoted, so obeying it never passes the checks.
_INSTRUCTION = re.compile(
    r"\b(negeer|ignore|disregard)\b.{0,40}\b(instructies|regels|opdrachten|instructions|"
    r"rules)\b|\bje bent nu\b|\byou are now\b|(^|>)\s*(systeem|system)\s*:",
    re.IGNORECASE,
)
_REFUSING = re.compile(
    r"staat niet in de (documenten|passages)|niet in de (documenten|passages) (staat|vermeld|"
    r"te vinden)|bevatten geen informatie|geen informatie (over|in)|kan ik niet (beantwoorden|"
    r"vinden)",
    re.IGNORECASE,
)


# --- the prompt ------------------------------------------------------------------------------


def passage_block(key: int, hit: RetrievedChunk) -> str:
    """One passage as a delimited data block; a tag inside the text cannot close it early."""
    chunk = hit.chunk
    pages = f"{chunk.page}" if chunk.page_end == chunk.page else f"{chunk.page}-{chunk.page_end}"
    where = [f"{chunk.title or chunk.source} ({chunk.source})", f"pagina {pages}"]
    if chunk.section or chunk.heading:
        where.append(f"paragraaf {chunk.heading or chunk.section}")
    text = _TAG.sub("(passage", chunk.text.strip())
    return f'<passage nummer="{key}">\nBron: {", ".join(where)}\n{text}\n</passage>'


def build_prompt(question: str, hits: Sequence[RetrievedChunk]) -> list[ChatMessage]:
    """System and user message: rules, then the passages numbered from 1, then the question."""
    blocks = "\n\n".join(passage_block(i, hit) for i, hit in enumerate(hits, start=1))
    user = (
        f"Passages:\n\n{blocks}\n\n"
        f"Vraag: {normalize_ws(question)}\n\n"
        "Beantwoord de vraag alleen met de passages hierboven, met [nummer] achter elke bewering."
    )
    return [ChatMessage("system", SYSTEM_PROMPT), ChatMessage("user", user)]


def render_prompt(messages: Sequence[ChatMessage]) -> str:
    """The prompt as plain text, for golden files and logs."""
    return "\n\n".join(f"### {m.role}\n{m.content}" for m in messages) + "\n"


# --- checking a reply ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedReply:
    """The verified answer, or None when nothing in the reply could be verified."""

    answer: Answer | None
    problems: tuple[str, ...] = ()  # what was dropped and why


@dataclass(frozen=True)
class _Sentence:
    line: int
    text: str
    keys: tuple[int, ...]


def is_refusal(text: str) -> bool:
    """True when a sentence says the documents do not answer the question."""
    return bool(_REFUSING.search(text))


def reply_sentences(reply: str) -> list[tuple[int, str]]:
    """(line number, sentence) pairs; keys written after the full stop stay with their sentence."""
    out: list[tuple[int, str]] = []
    for n, line in enumerate(reply.strip().splitlines()):
        pieces: list[str] = []
        for raw in split_line(_BULLET.sub("", line).strip()):
            piece = raw.strip()
            lead = _LEADING_KEYS.match(piece)
            if lead and pieces:  # "... 2026. [1]" or "... 2026. [1] De gunning ..."
                pieces[-1] = f"{pieces[-1]} {lead.group(1).strip()}"
                piece = piece[lead.end() :]
            add_sentence(pieces, piece)
        out.extend((n, p) for p in pieces)
    return out


def facts(text: str) -> set[str]:
    """Numbers (normalised: 1.500 = 1500, 45,00 = 45, 01 = 1) and month names in a text."""
    text = KEY_WITH_SPACE.sub(" ", text)
    out: set[str] = set()
    for m in _NUMBER.finditer(text):
        token = m.group(0).rstrip(".,")
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token):
            token = token.replace(".", "")  # Dutch thousands separator
        token = re.sub(r",0+$", "", token)
        out.add(str(int(token)) if token.isdigit() else token)
    for m in _MONTH.finditer(text):
        out.add(m.group(1).lower())
    return out


def is_instruction(text: str) -> bool:
    """True when a passage sentence gives the model orders (a prompt injection)."""
    return bool(_INSTRUCTION.search(text))


def _passage_facts(hit: RetrievedChunk) -> set[str]:
    chunk = hit.chunk
    text = chunk.text
    for _, sentence in sentences(chunk.text):
        if is_instruction(sentence):
            text = text.replace(sentence, " ")
    found = facts(f"{chunk.title}\n{chunk.section}\n{chunk.heading}\n{text}")
    # "1-3-2026" in the passage supports "1 maart 2026" in the answer.
    for m in re.finditer(r"\b\d{1,2}[-/.](\d{1,2})[-/.]\d{2,4}\b", text):
        month = int(m.group(1))
        if 1 <= month <= 12:
            found.add(MONTH_NAMES[month - 1])
    return found


@dataclass(frozen=True)
class _Quote:
    start: int
    text: str
    page: int


def _quotes(hit: RetrievedChunk, page_text: Callable[[str, int], str | None]) -> list[_Quote]:
    """Sentences of a passage that verify on their page, in text order."""
    chunk = hit.chunk
    found = chunk_sentences(chunk) or sentences(chunk.text)
    out = []
    for start, text in found:
        page = chunk.page_at(start)
        if not is_instruction(text) and quote_on_page(text, page_text(chunk.doc_id, page)):
            out.append(_Quote(start, text, page))
    return out


def _best_quote(quotes: list[_Quote], claims: str) -> _Quote:
    """The passage sentence that shares most words and facts with the sentences citing it."""
    words, numbers = set(tokenize(claims)), facts(claims)

    def support(q: _Quote) -> tuple[int, int]:
        return (len(words & set(tokenize(q.text))) + 2 * len(numbers & facts(q.text)), -q.start)

    return max(quotes, key=support)


def verify_reply(
    question: str,
    reply: str,
    hits: Sequence[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
) -> CheckedReply:
    """Check a model's reply to `build_prompt(question, hits)` against the passages."""
    parsed = reply_sentences(reply)
    if not parsed:
        return CheckedReply(None, ("het taalmodel gaf een leeg antwoord",))
    if is_refusal(parsed[0][1]):
        return CheckedReply(
            Answer(question, REFUSAL_WITH_HINT, True, notes=("het taalmodel weigerde",))
        )

    problems: list[str] = []
    quotes: dict[int, list[_Quote]] = {}

    def quotable(key: int) -> bool:
        if key not in quotes:
            quotes[key] = _quotes(hits[key - 1], page_text)
        return bool(quotes[key])

    kept: list[_Sentence] = []
    dropped = 0
    for line, text in parsed:
        if not _WORD.search(KEY_WITH_SPACE.sub("", text)):  # "[3]" alone claims nothing
            problems.append(f"zin zonder inhoud weggelaten: {text!r}")
            continue
        given = [int(k) for k in KEY_WITH_SPACE.findall(text)]
        unknown = [k for k in given if not 1 <= k <= len(hits)]
        if unknown:
            problems.append(f"onbekende bron {unknown} weggelaten: {text!r}")
        keys = tuple(dict.fromkeys(k for k in given if 1 <= k <= len(hits) and quotable(k)))
        if not keys:
            if is_refusal(text) or (text.endswith(":") and not facts(text)):
                kept.append(_Sentence(line, KEY_WITH_SPACE.sub("", text), ()))  # no claim
            else:
                problems.append(f"zin zonder controleerbare bron weggelaten: {text!r}")
                dropped += 1
            continue
        missing = facts(text) - set().union(*(_passage_facts(hits[k - 1]) for k in keys))
        if missing:
            problems.append(f"{sorted(missing)} niet in bron {list(keys)}: {text!r}")
            dropped += 1
            continue
        kept.append(_Sentence(line, text, keys))

    used = list(dict.fromkeys(k for s in kept for k in s.keys))
    if not used:
        return CheckedReply(None, tuple(problems))
    renumber = {old: new for new, old in enumerate(used, start=1)}
    citations = []
    for old in used:
        hit = hits[old - 1]
        claims = " ".join(s.text for s in kept if old in s.keys)
        quote = _best_quote(quotes[old], claims)
        chunk = hit.chunk
        citations.append(
            Citation(
                key=renumber[old],
                source=chunk.source,
                title=chunk.title,
                page=quote.page,
                section=chunk.section,
                heading=chunk.heading,
                quote=normalize_ws(quote.text),
                score=hit.score,
                doc_id=chunk.doc_id,
            )
        )
    body = _compose(kept, renumber, parsed_lines(reply))
    if dropped:
        body += (
            f"\n\n(Let op: {dropped} {'zin' if dropped == 1 else 'zinnen'} uit het antwoord van "
            "het taalmodel weggelaten, omdat ze niet in de aangehaalde passages te controleren "
            "waren.)"
        )
    return CheckedReply(
        Answer(question, body, False, tuple(citations), notes=tuple(problems)), tuple(problems)
    )


def parsed_lines(reply: str) -> list[str]:
    """The bullet prefix of each line of a reply ('' for plain lines)."""
    out = []
    for line in reply.strip().splitlines():
        m = _BULLET.match(line)
        out.append(m.group(1) if m else "")
    return out


def _compose(kept: list[_Sentence], renumber: dict[int, int], bullets: list[str]) -> str:
    """Kept sentences, keys renumbered in order of first use, on their original lines."""

    def rekey(m: re.Match[str]) -> str:
        old = int(m.group(1))
        return f" [{renumber[old]}]" if old in renumber else ""

    lines: dict[int, list[str]] = {}
    for s in kept:
        text = s.text
        if lead := _LEADING_KEYS.match(text):  # "[1] De gunning is ..." -> "De gunning is ... [1]."
            body = text[lead.end() :].rstrip()
            end = body[-1] if body[-1] in ".!?" else ""
            text = f"{body.removesuffix(end)} {lead.group(1).strip()}{end}"
        text = KEY_WITH_SPACE.sub(rekey, text)
        text = re.sub(r"\]\s+\[", "][", text)
        text = re.sub(r"(\[\d+\])\1+", r"\1", text)  # "[1][1]": the key led and closed it
        text = re.sub(r"\s+([.,;:!?])", r"\1", text).strip()
        lines.setdefault(s.line, []).append(text)
    return "\n".join(bullets[n] + " ".join(lines[n]) for n in sorted(lines))
