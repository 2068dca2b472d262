"""Hand-made chunks for answerer tests."""

from __future__ import annotations

from ingest.models import PAGE_SEPARATOR, Chunk


def make_chunk(
    doc_id: str,
    pages: list[str],
    first_page: int = 1,
    source: str | None = None,
    section: str = "",
    heading: str = "",
) -> Chunk:
    """One chunk spanning the given pages, with page_breaks where each next page begins."""
    text = PAGE_SEPARATOR.join(pages)
    breaks, pos = [], 0
    for page in pages[:-1]:
        pos += len(page) + len(PAGE_SEPARATOR)
        breaks.append(pos)
    return Chunk(
        chunk_id=f"{doc_id}-0",
        doc_id=doc_id,
        source=source or f"{doc_id}.txt",
        title=f"Brief {doc_id}",
        text=text,
        page=first_page,
        page_end=first_page + len(pages) - 1,
        section=section,
        heading=heading,
        char_start=0,
        char_end=len(text),
        position=0,
        page_breaks=tuple(breaks),
    )
