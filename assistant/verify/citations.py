"""Pure citation checks: a quote must occur in the text of the page it cites."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
# A citation's key in answer text ("[1]"); with the space before it (`KEY_WITH_SPACE`).
CITATION_KEY = re.compile(r"\[(\d{1,3})\]")
KEY_WITH_SPACE = re.compile(r"\s*" + CITATION_KEY.pattern)


def normalize_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def quote_on_page(quote: str, page_text: str | None) -> bool:
    """True when the quote occurs verbatim in the page text, whitespace normalised."""
    if not page_text or not quote.strip():
        return False
    return normalize_ws(quote) in normalize_ws(page_text)


def cited_keys(text: str) -> list[int]:
    """Citation keys like [1] in an answer text, in order of first use."""
    seen: list[int] = []
    for m in CITATION_KEY.finditer(text):
        key = int(m.group(1))
        if key not in seen:
            seen.append(key)
    return seen
