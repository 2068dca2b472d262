"""Where an NvI question says it is about ("§ 2.7", "pagina 12", "artikel 5", "bijlage 6"), and
whether two questions point at the same place: a nudge to their similarity score."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Same paragraph: a small bonus; two different explicit paragraphs: a penalty.
LOCATION_BONUS = 0.03
LOCATION_PENALTY = 0.1

_REFERENCE = re.compile(
    r"\b(?P<kind>p|pag|pagina|blz|blad|art|artikel|bijlage|lid)\b\.?\s*(?P<nr>\d+(?:\.\d+)*)", re.I
)
_KINDS = {"p": "p", "pag": "p", "pagina": "p", "blz": "p", "blad": "p", "art": "art"}
_KINDS |= {"artikel": "art", "bijlage": "bijlage", "lid": ""}
_NUMBER = re.compile(r"\b\d{1,2}(?:\.\d{1,3})*\b")  # not a year


def location_refs(location: str) -> frozenset[str]:
    """References in a location as written: '§ 2.7', 'paragraaf 2.7', 'par. 2.7', '2.7' -> '§2.7'.

    Pages become 'p12', articles 'art5', appendices 'bijlage6'; a bare number is a paragraph
    or chapter ('hoofdstuk 6' -> '§6'). A 'lid' (sub-article) is dropped.
    """
    found: set[str] = set()
    for m in _REFERENCE.finditer(location):
        kind = _KINDS[m.group("kind").lower()]
        if kind:
            found.add(kind + m.group("nr"))
    rest = _REFERENCE.sub(" ", location)
    found.update("§" + m.group(0) for m in _NUMBER.finditer(rest))
    return frozenset(found)


def _same_place(a: frozenset[str], b: frozenset[str]) -> bool | None:
    """True: one names (a part of) the other's place; False: both name other places of one kind
    (two paragraphs, two pages); None: nothing to compare."""
    for x in a:
        for y in b:
            if x == y or (x[0] == y[0] == "§" and (x.startswith(y + ".") or y.startswith(x + "."))):
                return True
    kinds = {_kind(x) for x in a} & {_kind(y) for y in b}
    return False if kinds else None


def _kind(ref: str) -> str:
    return ref.rstrip("0123456789.")


def location_adjustments(places: Sequence[frozenset[str]]) -> np.ndarray:
    distinct = sorted(set(places), key=sorted)
    slot = {p: k for k, p in enumerate(distinct)}
    table = np.zeros((len(distinct), len(distinct)))
    for a, pa in enumerate(distinct):
        for b, pb in enumerate(distinct):
            same = _same_place(pa, pb)
            if same is not None:
                table[a, b] = LOCATION_BONUS if same else -LOCATION_PENALTY
    index = np.array([slot[p] for p in places], dtype=int)
    adjust: np.ndarray = table[np.ix_(index, index)]
    return adjust
