"""Chroma `where` filters on document metadata stored with every chunk (gemeente, type, date)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


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
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
