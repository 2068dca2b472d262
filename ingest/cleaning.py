"""Pure clean-up of extracted PDF pages: running headers/footers, page numbers, contents pages."""

from __future__ import annotations

import re
from collections import Counter

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:pagina|page|blz\.?|p\.)?\s*\d{1,4}\s*(?:(?:van|of|/)\s*\d{1,4})?\s*(?:[-–—])?\s*$",
    re.IGNORECASE,
)
# "2.7 Hardheidsclausule ........ 24", "Bijlage 7 Tarieven 52", "Voorwoord 2"
TOC_LINE = re.compile(
    r"^\s*(?P<label>(?:\d+(?:\.\d+)*\.?|bijlage\s+\d+[a-z]?\.?|hoofdstuk\s+\d+\.?)?)\s*"
    r"(?P<title>\S.*?)[\s.·…_]*?\s(?P<page>\d{1,3})\s*$",
    re.IGNORECASE,
)
_CONTENTS_TITLE = re.compile(r"^\s*(inhoudsopgave|inhoud|table of contents|contents)\s*$", re.I)
_DOT_LEADER = re.compile(r"[.·…_]{4,}\s*\d{1,3}\s*$")
_ENDS_IN_PAGE = re.compile(r"\D\s+\d{1,3}\s*$")


def normalize_line(line: str) -> str:
    """A line with digits masked and whitespace collapsed, to spot running headers."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", line)).strip().lower()


def is_page_number_line(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line)) and bool(line.strip())


def is_contents_page(text: str) -> bool:
    """True for a table-of-contents page: mostly lines that end in a page number."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 3:
        return False
    has_title = any(_CONTENTS_TITLE.match(ln) for ln in lines[:5])
    toc_like = sum(1 for ln in lines if _DOT_LEADER.search(ln) or _toc_numbered(ln))
    ends_in_page = sum(1 for ln in lines if _ENDS_IN_PAGE.search(ln))
    if has_title and toc_like >= 3:
        return True
    return toc_like >= 6 and ends_in_page >= 0.5 * len(lines)


def _toc_numbered(line: str) -> bool:
    m = TOC_LINE.match(line)
    return bool(m and m.group("label") and len(line) < 160)


def running_lines(pages: list[str], edge: int = 3) -> set[str]:
    """Normalised lines that recur at the top or bottom of many pages (headers/footers)."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for text in pages:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        seen = {normalize_line(ln) for ln in lines[:edge] + lines[-edge:]}
        counts.update(s for s in seen if s)
    threshold = max(3, int(0.4 * len(pages)))
    return {line for line, n in counts.items() if n >= threshold and len(line) < 120}


def clean_pages(pages: list[str]) -> tuple[list[str], list[int]]:
    """Strip running headers/footers and page-number lines; blank out contents pages.

    Returns the cleaned texts and the 1-based numbers of the contents pages.
    """
    repeated = running_lines(pages)
    cleaned: list[str] = []
    contents: list[int] = []
    for number, text in enumerate(pages, start=1):
        if is_contents_page(text):
            contents.append(number)
            cleaned.append("")
            continue
        lines = text.splitlines()
        kept = []
        for i, line in enumerate(lines):
            at_edge = i < 3 or i >= len(lines) - 3
            if at_edge and (is_page_number_line(line) or normalize_line(line) in repeated):
                continue
            kept.append(line.rstrip())
        cleaned.append("\n".join(kept).strip())
    return cleaned, contents
