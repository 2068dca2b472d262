"""Pure chunking: ~90-word passages that never cross a section boundary, with a small overlap."""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from ingest.models import Chunk, SourceDocument
from ingest.sections import is_contents_heading

# A "word" longer than this is no word (a blob, or text extracted without spaces): it is cut
# into pieces so that a passage stays bounded; no word in real documents comes near it.
MAX_WORD_CHARS = 250
_WORD = re.compile(rf"\S{{1,{MAX_WORD_CHARS}}}")
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?$")
# Tables (XLSX, CSV) are read as one line per row, each cell with its column name: every row
# is a passage of its own, so a question about a row finds that row and no row is cut in two
# passages (only a row longer than `max_words` is split, and its cells keep their names).
TABLE_KINDS = frozenset({"csv", "xlsx"})


@dataclass(frozen=True)
class ChunkSettings:
    """Chunk sizes in words. The bundled embedder reads 256 wordpieces; Dutch is ~2.6 a word."""

    target_words: int = 90
    max_words: int = 120
    overlap_words: int = 15
    min_words: int = 25

    def fingerprint(self) -> str:
        return f"w{self.target_words}-{self.max_words}-o{self.overlap_words}-m{self.min_words}"


def chunk_document(doc: SourceDocument, settings: ChunkSettings | None = None) -> list[Chunk]:
    """Split a document into chunks; every chunk's text is a verbatim slice of `doc.full_text`."""
    settings = settings or ChunkSettings()
    text = doc.full_text
    starts = doc.page_starts
    chunks: list[Chunk] = []
    table = doc.kind in TABLE_KINDS
    spans = _table_sections(doc, len(text)) if table else _sections(doc, len(text))
    for sec_start, sec_end, section, heading in spans:
        if is_contents_heading(heading) and not table:
            continue
        words = [
            (m.start() - sec_start, m.end() - sec_start)
            for m in _WORD.finditer(text, sec_start, sec_end)
        ]
        body = text[sec_start:sec_end]
        windows = (
            _row_windows(body, words, settings, heading)
            if table
            else _windows(body, words, settings)
        )
        for lo, hi in windows:
            start, end = sec_start + words[lo][0], sec_start + words[hi - 1][1]
            chunk_text = text[start:end]
            first_page = bisect.bisect_right(starts, start)
            last_page = bisect.bisect_right(starts, end - 1)
            breaks = tuple(starts[p] - start for p in range(first_page, last_page))
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.source, doc.doc_id, start, chunk_text),
                    doc_id=doc.doc_id,
                    source=doc.source,
                    title=doc.title,
                    text=chunk_text,
                    page=doc.pages[first_page - 1].number,
                    page_end=doc.pages[last_page - 1].number,
                    section=section,
                    heading=heading,
                    char_start=start,
                    char_end=end,
                    position=len(chunks),
                    page_breaks=breaks,
                    metadata=dict(doc.metadata),
                )
            )
    return chunks


def chunk_id(source: str, doc_id: str, start: int, text: str) -> str:
    """Stable id from content: the same file always yields the same ids."""
    digest = hashlib.sha256(f"{source}\x1f{doc_id}\x1f{start}\x1f{text}".encode()).hexdigest()
    return digest[:32]


def _sections(doc: SourceDocument, length: int) -> list[tuple[int, int, str, str]]:
    """(start, end, section, heading) spans covering the text, split at each heading."""
    spans = []
    bounds = sorted(doc.headings, key=lambda h: h.offset)
    first = bounds[0].offset if bounds else length
    if first > 0:
        spans.append((0, first, "", ""))
    for i, h in enumerate(bounds):
        end = bounds[i + 1].offset if i + 1 < len(bounds) else length
        if end > h.offset:
            spans.append((h.offset, end, h.section, h.title))
    # A section that is only its heading ("Hoofdstuk 2" right above "Artikel 2.1") joins the
    # next one as context instead of becoming a chunk of three words.
    merged: list[tuple[int, int, str, str]] = []
    carry: int | None = None
    text = doc.full_text
    for i, (start, end, section, heading) in enumerate(spans):
        start = carry if carry is not None else start
        carry = None
        if (
            i + 1 < len(spans)
            and len(text[start:end].split()) < 12
            # a contents section is dropped: nothing joins it, and it joins nothing
            and not is_contents_heading(heading)
            and not is_contents_heading(spans[i + 1][3])
        ):
            carry = start
            continue
        merged.append((start, end, section, heading))
    return merged


def _table_sections(doc: SourceDocument, length: int) -> list[tuple[int, int, str, str]]:
    """(start, end, section, heading) per sheet; unlike prose, a short sheet stays its own."""
    bounds = sorted(doc.headings, key=lambda h: h.offset)
    spans = [(0, bounds[0].offset if bounds else length, "", "")]
    for i, h in enumerate(bounds):
        end = bounds[i + 1].offset if i + 1 < len(bounds) else length
        spans.append((h.offset, end, h.section, h.title))
    return [s for s in spans if s[1] > s[0]]


def _row_windows(
    text: str, words: list[tuple[int, int]], settings: ChunkSettings, heading: str
) -> list[tuple[int, int]]:
    """One window per line (a table row); the sheet's heading line is no row of its own."""
    windows: list[tuple[int, int]] = []
    lo = 0
    while lo < len(words):
        line_end = text.find("\n", words[lo][0])
        line_end = len(text) if line_end < 0 else line_end
        hi = lo
        while hi < len(words) and words[hi][0] < line_end:
            hi += 1
        line = text[words[lo][0] : words[hi - 1][1]]
        if not (heading and lo == 0 and line == heading):
            if hi - lo <= settings.max_words:
                windows.append((lo, hi))
            else:  # a very long row: split like prose, the cells keep their column names
                row = [(a - words[lo][0], b - words[lo][0]) for a, b in words[lo:hi]]
                row_text = text[words[lo][0] : words[hi - 1][1]]
                windows += [(lo + a, lo + b) for a, b in _windows(row_text, row, settings)]
        lo = hi
    return windows


def _windows(
    text: str, words: list[tuple[int, int]], settings: ChunkSettings
) -> list[tuple[int, int]]:
    """Word-index windows [lo, hi) of ~target words, ending at a sentence end where possible."""
    n = len(words)
    if n == 0:
        return []
    windows: list[tuple[int, int]] = []
    lo = 0
    while lo < n:
        if n - lo <= settings.max_words:
            hi = n
        else:
            hi = lo + settings.target_words
            # Prefer a sentence end between 75% of target and max.
            best = None
            for j in range(lo + int(settings.target_words * 0.75), lo + settings.max_words):
                a, b = words[j - 1]
                if _SENTENCE_END.search(text[a:b]):
                    best = j
                    if j >= hi:
                        break
            hi = best or hi
            if n - hi < settings.min_words:
                hi = n if n - lo <= settings.max_words + settings.min_words else hi
        windows.append((lo, hi))
        if hi >= n:
            break
        lo = max(_next_start(text, words, lo, hi, settings.overlap_words), lo + 1)
    return windows


def _next_start(text: str, words: list[tuple[int, int]], lo: int, hi: int, overlap: int) -> int:
    """Where the next window starts: a sentence start inside the overlap region if there is one,
    so passages (and the quotes taken from them) do not begin mid-sentence."""
    default = hi - overlap
    starts = [
        j
        for j in range(max(lo + 1, hi - 2 * overlap), hi - 2)
        if _SENTENCE_END.search(text[words[j - 1][0] : words[j - 1][1]])
    ]
    return min(starts, key=lambda j: abs(j - default)) if starts else default
