"""Which later document replaces which: relations among indexed documents.

Relations come from document metadata (`ingest.relations`: `supersedes`, `version`,
`tender`, `published`): a nota van inlichtingen or rectificatie replaces a paragraph of an
earlier document, a newer version the whole of it. `replacing` gives the relations that
cover a cited passage; `mark` is the "<document>, <datum>" a replaced passage is marked with;
`document_relations` feeds `inkoop documents`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from index.filters import MEDEWERKER, check_audience
from index.store import DocumentRecord
from ingest.extract import dutch_date
from ingest.models import OPENBAAR
from ingest.relations import (
    BINDING_TYPES,
    is_newer,
    names_match,
    parse_supersedes,
    relation_key,
)

PageText = Callable[[str, int], "str | None"]
VERSIE = "versie"
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_TENDER_TYPES = ("inkoopdocument", "overeenkomst", "")  # what a bare "§ 5.7" can be about


@dataclass(frozen=True)
class Relation:
    """`later` replaces `earlier` (one paragraph of it, or the whole of it)."""

    later: DocumentRecord
    earlier: DocumentRecord
    paragraph: str  # "5.7"; '' = the whole document (a newer version)
    kind: str  # nota van inlichtingen | rectificatie | versie | the later document's type


def published(record: DocumentRecord) -> str:
    meta = record.metadata
    return str(meta.get("published") or meta.get("datum") or meta.get("datum_besluit") or "")


def mark(record: DocumentRecord) -> str:
    """'Nota van inlichtingen — Wmo 2026, 1 december 2025': what `superseded_by` holds."""
    when = published(record)
    return f"{record.title or record.source}, {dutch_date(when)}" if when else record.title


def _names(record: DocumentRecord) -> tuple[str, ...]:
    path = PurePath(record.source)
    return (record.title, path.name, path.stem)


def _tender(record: DocumentRecord) -> str:
    return relation_key(str(record.metadata.get("tender") or ""))


def relations(documents: Sequence[DocumentRecord]) -> list[Relation]:
    """Every stated or detected relation among `documents` (pass only what the reader may
    see: a relation from an internal document must not change a provider's answer)."""
    found: list[Relation] = []
    for later in documents:
        kind = str(later.metadata.get("type") or "")
        for item in parse_supersedes(later.metadata.get("supersedes")):
            for earlier in documents:
                if earlier.doc_id == later.doc_id or not _may_replace(later, earlier):
                    continue
                if item.target:
                    if not names_match(item.target, *_names(earlier)):
                        continue
                elif not (_tender(later) and _tender(later) == _tender(earlier)) and (
                    str(earlier.metadata.get("type") or "") not in _TENDER_TYPES
                    or str(earlier.metadata.get("type") or "") in BINDING_TYPES
                ):
                    continue
                found.append(Relation(later, earlier, item.paragraph, kind or "document"))
    found += _versions(documents)
    unique = {(r.later.doc_id, r.earlier.doc_id, r.paragraph, r.kind): r for r in found}
    return list(unique.values())


def _may_replace(later: DocumentRecord, earlier: DocumentRecord) -> bool:
    """Not across tenders, and not an older document replacing a newer one."""
    if _tender(later) and _tender(earlier) and _tender(later) != _tender(earlier):
        return False
    a, b = published(later), published(earlier)
    return not (a and b and a < b)


def _versions(documents: Sequence[DocumentRecord]) -> list[Relation]:
    """Documents with the same name and a `version`: the newest replaces each older one."""
    groups: dict[str, list[DocumentRecord]] = {}
    for d in documents:
        if d.metadata.get("version"):
            groups.setdefault(relation_key(d.title or PurePath(d.source).stem), []).append(d)
    out = []
    for group in groups.values():
        newest = group[0]
        for d in group[1:]:
            if is_newer(str(d.metadata["version"]), str(newest.metadata["version"])):
                newest = d
        for d in group:
            if d is not newest and is_newer(
                str(newest.metadata["version"]), str(d.metadata["version"])
            ):
                out.append(Relation(newest, d, "", VERSIE))
    return out


def visible(documents: Iterable[DocumentRecord], audience: str) -> list[DocumentRecord]:
    if check_audience(audience) == MEDEWERKER:
        return list(documents)
    return [d for d in documents if d.metadata.get("visibility") == OPENBAAR]


# --- which relation applies to a passage ------------------------------------------------------


def document_pages(record: DocumentRecord, page_text: PageText) -> list[tuple[int, str]]:
    """(number, text) of each stored page of a document, in order."""
    out = []
    for number in range(1, max(record.pages, 1) + 1):
        text = page_text(record.doc_id, number)
        if text is not None:
            out.append((number, text))
    return out


def paragraph_title(record: DocumentRecord, paragraph: str, page_text: PageText) -> str:
    """The title a document's contents give a paragraph ("5.7 Gestanddoeningstermijn 22")."""
    pattern = re.compile(
        rf"^\W*{re.escape(paragraph)}\.?\s+(?P<title>[^\d\]\n][^\]\n]*?)\s*\d*\s*\]?(?:\(.*\))?\s*$",
        re.M,
    )
    for _, text in document_pages(record, page_text)[:5]:
        m = pattern.search(text)
        if m:
            return m.group("title").strip(" .")
    return ""


def covers(relation: Relation, section: str, heading: str, page_text: PageText) -> bool:
    """True when the relation's paragraph is the passage's (or contains it)."""
    if not relation.paragraph:
        return True
    number = _NUMBER.search(section or "")
    if number and (
        number.group() == relation.paragraph or number.group().startswith(relation.paragraph + ".")
    ):
        return True
    title = paragraph_title(relation.earlier, relation.paragraph, page_text)
    last = heading.split(" > ")[-1] if heading else ""
    return bool(title) and relation_key(title) == relation_key(last)


def replacing(
    rels: Sequence[Relation], doc_id: str, section: str, heading: str, page_text: PageText
) -> list[Relation]:
    return [
        r for r in rels if r.earlier.doc_id == doc_id and covers(r, section, heading, page_text)
    ]


def document_relations(documents: Sequence[DocumentRecord]) -> dict[str, dict[str, Any]]:
    """doc_id -> {version, supersedes: [...], superseded_by: [...]} for `inkoop documents`."""
    out: dict[str, dict[str, Any]] = {
        d.doc_id: {
            "version": str(d.metadata.get("version") or ""),
            "supersedes": [],
            "superseded_by": [],
        }
        for d in documents
    }
    for r in relations(documents):
        where = f" § {r.paragraph}" if r.paragraph else ""
        out[r.later.doc_id]["supersedes"].append(f"{r.earlier.source}{where}")
        out[r.earlier.doc_id]["superseded_by"].append(f"{r.later.source}{where}")
    return out
