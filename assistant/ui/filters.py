"""One reading of the filters a user gives (gemeente, type, from/to dates, top-k), for the
CLI flags and the chat's filter fields alike: Dutch or ISO dates, names in any case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.prompts import ALL
from index.filters import known_spelling, metadata_filter
from ingest.errors import InkoopError
from ingest.extract import parse_date

MAX_TOP_K = 50


class FilterError(InkoopError, ValueError):
    """A filter the user typed that cannot be used; the message is Dutch and shown as is."""

    exit_code = 2


def filter_date(value: str | None, label: str) -> date | None:
    """A date typed in a filter ("2024-03-01" or "1 maart 2024"); None when empty."""
    text = (value or "").strip()
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise FilterError(
            f"{label}: “{text}” is geen datum. Schrijf bijvoorbeeld 2024-03-01 of 1 maart 2024."
        )
    return day


def _chosen(value: str | None) -> str | None:
    """A typed or picked value; the "(alle)" choice and empty fields filter nothing."""
    text = (value or "").strip()
    return text if text and text != ALL else None


@dataclass(frozen=True)
class UserFilters:
    gemeente: str | None = None
    doc_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    top_k: int | None = None

    def where(self, known: Callable[[str], Iterable[str]] | None = None) -> dict[str, Any] | None:
        """The metadata `where`; with `known` (metadata key → indexed values) a name typed in
        another case is matched to its indexed spelling ("weert" → "Weert")."""
        gemeente, doc_type = self.gemeente, self.doc_type
        if known is not None:
            gemeente = gemeente and known_spelling(gemeente, known("gemeente"))
            doc_type = doc_type and known_spelling(doc_type, known("type"))
        return metadata_filter(gemeente, doc_type, self.date_from, self.date_to)


def parse_filters(
    gemeente: str | None = None,
    doc_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    top_k: int | None = None,
    labels: tuple[str, str, str] = ("Vanaf", "Tot en met", "Aantal passages"),
) -> UserFilters:
    """The filters as typed; `labels` name the date and top-k fields in messages (the CLI's
    flags)."""
    start = filter_date(date_from, labels[0])
    end = filter_date(date_to, labels[1])
    if start and end and start > end:
        raise FilterError(f"“{labels[0]}” ligt na “{labels[1]}”; draai de datums om.")
    if top_k is not None and not 1 <= top_k <= MAX_TOP_K:
        raise FilterError(f"{labels[2]}: moet tussen 1 en {MAX_TOP_K} liggen, niet {top_k}.")
    return UserFilters(_chosen(gemeente), _chosen(doc_type), start, end, top_k)


def chat_filter(
    gemeente: str | None = None,
    doc_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> dict[str, Any] | None:
    """The `where` of the chat's filter fields (the dropdowns offer indexed spellings)."""
    return parse_filters(gemeente, doc_type, date_from, date_to).where()
