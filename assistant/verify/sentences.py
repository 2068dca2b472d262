"""Quotable sentences: splitting Dutch text into sentences with exact offsets, and picking
the sentences of a chunk that may be quoted (no fragments, no questions, no bare headings)."""

from __future__ import annotations

import itertools
import re

from assistant.verify.citations import normalize_ws
from ingest.models import Chunk
from ingest.sections import section_label

_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?![\s]|$))+(?:[.!?]+(?=\s|$)|(?=\n)|$)")


_ENUMERATOR = re.compile(r"^(?:\*\*)?\(?(?:\d{1,3}|[a-z])[.)°]+(?:\*\*)?\s+(?=\S)")
_TERMINAL = re.compile(r"[.!:;)\]'\"”’]\s*$")
_BLOCK_BREAK = re.compile(r"\n(?=\s*(?:\n|[-•*|>]|\d+[.)]\s|[a-z][.)]\s))")


def split_line(line: str) -> list[str]:
    """The sentences of one line of running text: ends at . ! ? before a space, except after
    an abbreviation ("bijv.", "o.a."). The one sentence rule; `sentences` adds blocks."""
    pieces: list[str] = []
    for m in _SENTENCE.finditer(line):
        add_sentence(pieces, m.group(0).strip())
    return pieces


def add_sentence(pieces: list[str], piece: str) -> None:
    """Add `piece` to the sentences in `pieces`: a continuation of the last one where that ends
    in an abbreviation ("bijv."), nothing where it is empty."""
    if not piece:
        return
    if pieces and ends_in_abbreviation(pieces[-1]):
        pieces[-1] = f"{pieces[-1]} {piece}"
    else:
        pieces.append(piece)


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
    # a list of abbreviations, one letter ("A. de Vries"), or initials ("G.J. Braas")
    return sentence.endswith(".") and (
        last in _ABBREVIATIONS or len(last) == 1 or bool(_INITIALS.fullmatch(last))
    )


_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")


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
    heading_end = 0
    if heading and normalize_ws(first_line).startswith(heading[:40]):
        end = len(first_line)
        if len(heading) > len(normalize_ws(first_line)) + 3 and len(lines) > 1:
            end += 1 + len(lines[1])  # the heading wrapped onto a second line
        cuts.add(end)
        heading_end = end
    breaks = set(chunk.page_breaks)
    out: list[tuple[int, str]] = []
    for a, b in itertools.pairwise(sorted(cuts)):
        for off, sentence in sentences(text[a:b]):
            start, end = a + off, a + off + len(sentence)
            if sentence.rstrip().endswith("?"):
                continue  # a question (NvI tables) is not an answer
            if start < heading_end:
                continue  # the passage's heading: context for the sentences under it (its
                # words count as theirs), never an answer sentence of its own
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


def _heading_line(text: str, start: int, end: int) -> bool:
    """A short line on its own that is bold or starts with a section label."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    if line.startswith("#") or (line.startswith("**") and line.endswith("**")):
        return True  # a Markdown heading or a bold line
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


def display_quote(quote: str) -> str:
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
