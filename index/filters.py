"""Chroma `where` filters on document metadata stored with every chunk (gemeente, type, date),
and the access tier of the reader (audience), which every search applies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ingest.models import OPENBAAR, Chunk

# Who is asking. A provider (`aanbieder`) may read only `openbaar` documents; staff
# (`medewerker`) read everything. Least privilege: every entry point defaults to aanbieder.
AANBIEDER = "aanbieder"
MEDEWERKER = "medewerker"
AUDIENCES = (AANBIEDER, MEDEWERKER)


def date_number(day: date) -> int:
    """yyyymmdd, the form of the `datum_int` chunk key (Chroma compares only numbers)."""
    return day.year * 10000 + day.month * 100 + day.day


def known_spelling(value: str, known: Iterable[str]) -> str:
    """The indexed spelling of a value typed in another case ("weert" -> "Weert")."""
    folded = value.strip().casefold()
    return next((k for k in known if k.casefold() == folded), value.strip())


def metadata_filter(
    gemeente: str | None = None,
    doc_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, Any] | None:
    """A `where` on chunk metadata; None when nothing is asked. Undated chunks fail a date range."""
    clauses: list[dict[str, Any]] = []
    if gemeente:
        clauses.append({"meta_gemeente": {"$eq": gemeente}})
    if doc_type:
        clauses.append({"meta_type": {"$eq": doc_type}})
    if date_from:
        clauses.append({"datum_int": {"$gte": date_number(date_from)}})
    if date_to:
        clauses.append({"datum_int": {"$lte": date_number(date_to)}})
    return all_of(*clauses)


def all_of(*wheres: dict[str, Any] | None) -> dict[str, Any] | None:
    """Chroma `where` clauses joined with $and; None clauses are left out."""
    given = [w for w in wheres if w]
    if not given:
        return None
    return given[0] if len(given) == 1 else {"$and": given}


def check_audience(audience: str) -> str:
    """`audience` itself, or ValueError: an unknown audience must not fall through to all."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not '{audience}'")
    return audience


def audience_filter(audience: str, where: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """`where` narrowed to what `audience` may read: providers get `visibility == openbaar`."""
    if check_audience(audience) == MEDEWERKER:
        return where
    return all_of({"visibility": {"$eq": OPENBAAR}}, where)


def may_read(audience: str, chunk: Chunk) -> bool:
    """The check on every returned passage, independent of the `where` that should have held."""
    return check_audience(audience) == MEDEWERKER or chunk.visibility == OPENBAAR


def matches(meta: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """Evaluate the subset of Chroma's `where` language we use ($and, $or, $eq, $ne, $in)."""
    if not where:
        return True
    for key, cond in where.items():
        if key == "$and":
            if not all(matches(meta, c) for c in cond):
                return False
        elif key == "$or":
            if not any(matches(meta, c) for c in cond):
                return False
        elif isinstance(cond, dict):
            value = meta.get(key)
            for op, arg in cond.items():
                ok = {
                    "$eq": lambda v, a: v == a,
                    "$ne": lambda v, a: v != a,
                    "$in": lambda v, a: v in a,
                    "$nin": lambda v, a: v not in a,
                    "$gte": lambda v, a: v is not None and v >= a,
                    "$lte": lambda v, a: v is not None and v <= a,
                }[op](value, arg)
                if not ok:
                    return False
        elif meta.get(key) != cond:
            return False
    return True
