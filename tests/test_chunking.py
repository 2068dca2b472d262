"""Chunking properties: verbatim slices that cover every section, never cross one, stable ids."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import ChunkSettings, chunk_document
from ingest.models import PAGE_SEPARATOR, Chunk, Heading, Page, SourceDocument

WORD = re.compile(r"\S+")
VOCAB = [
    "gemeente",
    "koopt",
    "jeugdhulp",
    "in",
    "het",
    "tarief",
    "wordt",
    "jaarlijks",
    "geïndexeerd",
    "aanbieder",
    "levert",
    "zorg",
    "binnen",
    "vijf",
    "werkdagen",
    "contract",
    "2025",
    "€",
    "45,00",
    "Wmo",
    "toewijzing",
    "declaratie",
    "(stap",
    "3)",
    "’s-Hertogenbosch",
    "budget",
]
MERGE_BELOW = 12  # documented: a section of fewer words joins the next one


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    section: str
    title: str

    def words(self, text: str) -> int:
        return len(text[self.start : self.end].split())


def spans_of(doc: SourceDocument) -> list[Span]:
    """The documented section spans, computed independently of the chunker."""
    text = doc.full_text
    heads = sorted(doc.headings, key=lambda h: h.offset)
    spans = []
    if not heads or heads[0].offset > 0:
        spans.append(Span(0, heads[0].offset if heads else len(text), "", ""))
    for i, h in enumerate(heads):
        end = heads[i + 1].offset if i + 1 < len(heads) else len(text)
        spans.append(Span(h.offset, end, h.section, h.title))
    return spans


def page_of(doc: SourceDocument, offset: int) -> int:
    """The page whose own text holds `offset` (never a separator: chunks start and end on words)."""
    for page, start in zip(doc.pages, doc.page_starts, strict=True):
        if start <= offset < start + len(page.text):
            return page.number
    raise AssertionError(f"offset {offset} is not inside any page's text")


def is_contents(title: str) -> bool:
    return title.strip().lower() in {"inhoudsopgave", "inhoud"}


# --- a generator of multi-page documents with numbered, named and contents headings -----------

sentence_words = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=14).map(
    lambda ws: [*ws[:-1], ws[-1] + "."]
)
paragraphs = st.lists(sentence_words, min_size=0, max_size=25).map(
    lambda sentences: _wrap([w for s in sentences for w in s])
)
title_words = st.lists(st.sampled_from(VOCAB[:12]), min_size=1, max_size=6).map(" ".join)
blocks = st.lists(
    st.one_of(
        st.tuples(st.just("numbered"), title_words),
        st.tuples(st.just("named"), title_words),
        st.tuples(st.just("contents"), st.sampled_from(["Inhoudsopgave", "Inhoud"])),
        st.tuples(st.just("text"), paragraphs),
        st.tuples(st.just("text"), paragraphs),
    ),
    max_size=5,
)
metadata = st.dictionaries(
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.floats(allow_nan=False)),
    max_size=3,
)


def _wrap(words: list[str]) -> str:
    return "\n".join(" ".join(words[i : i + 11]) for i in range(0, len(words), 11))


@st.composite
def documents(draw: st.DrawFn) -> SourceDocument:
    pages: list[Page] = []
    headings: list[Heading] = []
    offset, chapter = 0, 0
    for number in range(1, draw(st.integers(1, 5)) + 1):
        parts: list[str] = []
        pos = 0
        for kind, payload in draw(blocks):
            if kind == "text":
                if not payload:
                    continue
                part = payload
            else:
                if kind == "contents":
                    section, part = "", payload
                else:
                    chapter += 1
                    label = str(chapter) if kind == "numbered" else f"Artikel {chapter}"
                    section, part = label, f"{label} {payload.capitalize()}"
                headings.append(Heading(offset + pos, section, part))
            parts.append(part)
            pos += len(part) + 1
        text = "\n".join(parts)
        pages.append(Page(number, text))
        offset += len(text) + len(PAGE_SEPARATOR)
    return SourceDocument(
        doc_id="d" * 32,
        source="inkoop/beleid.pdf",
        title="Inkoopbeleid",
        kind="pdf",
        pages=tuple(pages),
        metadata=draw(metadata),
        headings=tuple(headings),
    )


chunk_settings = st.one_of(
    st.just(ChunkSettings()),
    st.builds(
        lambda target, extra, overlap, minimum: ChunkSettings(
            target, target + extra, overlap, minimum
        ),
        st.integers(20, 90),
        st.integers(0, 40),
        st.integers(0, 6),
        st.integers(3, 25),
    ),
)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- properties -------------------------------------------------------------------------------


@PROPERTY
@given(documents(), chunk_settings)
def test_chunks_are_verbatim_slices_in_order(doc: SourceDocument, cfg: ChunkSettings) -> None:
    chunks = chunk_document(doc, cfg)
    text = doc.full_text
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert c.text == text[c.char_start : c.char_end]
        assert c.text == c.text.strip() and c.text
        assert (c.doc_id, c.source, c.title) == (doc.doc_id, doc.source, doc.title)
        assert c.metadata == doc.metadata
    starts = [c.char_start for c in chunks]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@PROPERTY
@given(documents(), chunk_settings)
def test_chunks_cover_every_word_of_every_non_contents_section(
    doc: SourceDocument, cfg: ChunkSettings
) -> None:
    chunks = chunk_document(doc, cfg)
    text = doc.full_text
    for span in spans_of(doc):
        covered = [
            m.group()
            for m in WORD.finditer(text, span.start, span.end)
            if any(c.char_start <= m.start() and m.end() <= c.char_end for c in chunks)
        ]
        if not is_contents(span.title):
            assert covered == text[span.start : span.end].split(), f"words lost in {span}"
        elif span.words(text) >= MERGE_BELOW:
            assert covered == [], f"contents section {span} was chunked"


@PROPERTY
@given(documents(), chunk_settings)
def test_no_chunk_crosses_a_section_boundary(doc: SourceDocument, cfg: ChunkSettings) -> None:
    text = doc.full_text
    spans = spans_of(doc)
    for c in chunk_document(doc, cfg):
        touched = [s for s in spans if s.start < c.char_end and s.end > c.char_start]
        # Only the documented merge: heading-only sections run into the section below them.
        assert all(s.words(text) < MERGE_BELOW for s in touched[:-1]), (c, touched)
        assert (c.section, c.heading) == (touched[-1].section, touched[-1].title)
        assert not is_contents(c.heading)


@PROPERTY
@given(documents(), chunk_settings)
def test_pages_are_monotonic_and_match_the_offsets(doc: SourceDocument, cfg: ChunkSettings) -> None:
    chunks = chunk_document(doc, cfg)
    pages = [c.page for c in chunks]
    assert pages == sorted(pages)
    for c in chunks:
        assert c.page <= c.page_end
        assert c.page == page_of(doc, c.char_start)
        assert c.page_end == page_of(doc, c.char_end - 1)
        assert len(c.page_breaks) == c.page_end - c.page
        for m in WORD.finditer(c.text):
            assert c.page_at(m.start()) == page_of(doc, c.char_start + m.start())
            assert c.page_at(m.end() - 1) == page_of(doc, c.char_start + m.end() - 1)


@PROPERTY
@given(documents(), chunk_settings)
def test_chunk_sizes_stay_near_the_target(doc: SourceDocument, cfg: ChunkSettings) -> None:
    chunks = chunk_document(doc, cfg)
    last_of_section = {}
    for c in chunks:
        last_of_section[(c.section, c.heading)] = c.position
    for c in chunks:
        n = len(c.text.split())
        assert n <= cfg.max_words + cfg.min_words
        if last_of_section[(c.section, c.heading)] != c.position:
            assert n >= int(cfg.target_words * 0.75), f"a short chunk mid-section: {n} words"


@PROPERTY
@given(documents())
def test_chunk_ids_are_stable_and_follow_the_text(doc: SourceDocument) -> None:
    first = chunk_document(doc)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in chunk_document(doc)]
    assert len({c.chunk_id for c in first}) == len(first)
    if not first:
        return
    # Edit the last word of the document (heading offsets stay valid).
    last = doc.pages[-1] if doc.pages[-1].text else None
    if last is None:
        return
    edited_pages = (*doc.pages[:-1], Page(last.number, last.text + "x"))
    same_id = replace(doc, pages=edited_pages)
    edited = chunk_document(same_id)
    old_ids = {c.chunk_id for c in first}
    for before, after in zip(first, edited, strict=True):
        unchanged = before.text == after.text and before.char_start == after.char_start
        assert (before.chunk_id == after.chunk_id) == unchanged
    if first[-1].char_end == len(doc.full_text):  # the edited word is in a chunk
        assert edited[-1].chunk_id not in old_ids
    # A real edit also changes the document id (a hash of the bytes): every id is new.
    new_doc = replace(same_id, doc_id="e" * 32)
    assert old_ids.isdisjoint(c.chunk_id for c in chunk_document(new_doc))


@PROPERTY
@given(documents(), chunk_settings)
def test_metadata_round_trip(doc: SourceDocument, cfg: ChunkSettings) -> None:
    for c in chunk_document(doc, cfg):
        meta = c.to_metadata()
        assert all(isinstance(v, str | int | float | bool) for v in meta.values())
        assert Chunk.from_metadata(c.chunk_id, c.text, meta) == c


# --- examples of the documented behaviour -----------------------------------------------------


def _doc(pages: list[str], heads: list[tuple[str, str, str]]) -> SourceDocument:
    """Headings given as (section, title, the text it starts at) on the joined pages."""
    text = PAGE_SEPARATOR.join(pages)
    headings = tuple(Heading(text.index(at), section, title) for section, title, at in heads)
    return SourceDocument(
        "a" * 32,
        "wet.md",
        "Jeugdwet",
        "md",
        tuple(Page(i, t) for i, t in enumerate(pages, start=1)),
        headings=headings,
    )


def test_a_heading_only_section_joins_the_next_section() -> None:
    body = "De gemeente draagt zorg voor jeugdhulp. " * 10
    doc = _doc(
        [f"Hoofdstuk 2\n\nArtikel 2.1\n{body}"],
        [("Hoofdstuk 2", "Hoofdstuk 2", "Hoofdstuk 2"), ("Artikel 2.1", "Artikel 2.1", "Artikel")],
    )
    chunks = chunk_document(doc)
    assert chunks[0].text.startswith("Hoofdstuk 2\n\nArtikel 2.1\nDe gemeente")
    assert {(c.section, c.heading) for c in chunks} == {("Artikel 2.1", "Artikel 2.1")}


def test_contents_sections_are_not_chunked() -> None:
    toc = "\n".join(f"{i} Onderwerp nummer {i} .......... {i + 2}" for i in range(1, 8))
    body = "Het tarief voor ambulante jeugdhulp wordt jaarlijks geïndexeerd. " * 4
    doc = _doc(
        ["Inhoudsopgave\n" + toc, "1 Inleiding\n" + body],
        [("", "Inhoudsopgave", "Inhoudsopgave"), ("1", "1 Inleiding", "1 Inleiding")],
    )
    chunks = chunk_document(doc)
    assert chunks, "the body must be chunked"
    assert all("Onderwerp nummer" not in c.text for c in chunks)
    assert all(c.page == 2 and c.section == "1" for c in chunks)


def test_a_chunk_across_a_page_break_records_where_the_page_turns() -> None:
    first = "Het college besluit over de inkoop van jeugdhulp en"
    second = "de gemeenteraad wordt daarover geïnformeerd."
    doc = _doc([first, second], [])
    [chunk] = chunk_document(doc)
    assert (chunk.page, chunk.page_end) == (1, 2)
    assert chunk.page_breaks == (len(first) + len(PAGE_SEPARATOR),)
    assert chunk.page_at(chunk.text.index("gemeenteraad")) == 2
    assert chunk.page_at(chunk.text.index("college")) == 1


def test_long_sections_are_split_with_overlap_and_sentence_aligned_starts() -> None:
    sentence = "De aanbieder levert de zorg binnen vijf werkdagen na de toewijzing."
    doc = _doc([" ".join([sentence] * 60)], [])  # 660 words, one section
    cfg = ChunkSettings()
    chunks = chunk_document(doc, cfg)
    assert len(chunks) >= 660 // cfg.max_words
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.char_start < prev.char_end, "consecutive chunks overlap"
        assert nxt.text.startswith("De aanbieder"), "a chunk starts at a sentence start"
        assert prev.text.endswith("toewijzing."), "a chunk ends at a sentence end"
