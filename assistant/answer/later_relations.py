"""Which later document replaces which: relations among indexed documents.

Relations come from document metadata (`ingest.relations`: `supersedes`, `version`,
`tender`, `published`): a nota van inlichtingen or rectificatie replaces a paragraph of an
earlier document, a newer version the whole of it. `replacing` gives the relations that
cover a cited passage; `mark` is the "<document>, <datum>" a replaced passage is marked with.
What staff read about them (`inkoop documents`, the ingest report) is `relation_report`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

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
    version_of,
)

PageText = Callable[[str, int], "str | None"]
VERSIE = "versie"
# metadata a hand relation lays over a note (`answer.hand_relations`): its document's source
PROCEDURE_SOURCE = "procedure_source"
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_TENDER_TYPES = ("inkoopdocument", "overeenkomst", "")  # what a bare "§ 5.7" can be about


@dataclass(frozen=True)
class Relation:
    """`later` replaces `earlier` (one paragraph of it, or the whole of it)."""

    later: DocumentRecord
    earlier: DocumentRecord
    paragraph: str  # "5.7"; '' = the whole document (a newer version)
    kind: str  # nota van inlichtingen | rectificatie | versie | the later document's type
    amends: bool = True  # False: a note's answer clarifies the paragraph, its text stands


@dataclass(frozen=True)
class Unresolved:
    """A note whose document could not be decided: nothing is related, staff are told."""

    note: DocumentRecord
    reason: str  # Dutch, for the ingest report and `inkoop documents`


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
    return links(documents)[0]


def unresolved(documents: Sequence[DocumentRecord]) -> list[Unresolved]:
    """The notes among `documents` whose document could not be decided."""
    return links(documents)[1]


def links(documents: Sequence[DocumentRecord]) -> tuple[list[Relation], list[Unresolved]]:
    """(relations, notes whose document could not be decided). A note's bare "§ 5.7" belongs
    to the document it names as its procedure (fuzzy title match), else to its tender's
    documents; when that is not one document, nothing is related and the note is reported."""
    found: list[Relation] = []
    open_notes: dict[str, Unresolved] = {}
    for later in documents:
        kind = str(later.metadata.get("type") or "")
        items = [(s, True) for s in parse_supersedes(later.metadata.get("supersedes"))]
        items += [(s, False) for s in parse_supersedes(later.metadata.get("clarifies"))]
        if not items:
            continue
        procedure = str(later.metadata.get("procedure") or "")
        by_hand = str(later.metadata.get(PROCEDURE_SOURCE) or "")
        own = None
        if by_hand:  # staff said which document: no title match, no date check
            own = next((d for d in documents if d.source == by_hand and d is not later), None)
            if own is None:
                open_notes[later.doc_id] = Unresolved(later, f"{by_hand}: {HAND_MISSING}")
                continue
        elif procedure:
            candidates = [
                d for d in documents if d.doc_id != later.doc_id and _may_replace(later, d)
            ]
            own, reason = resolve(procedure, candidates)
            if own is None:
                open_notes[later.doc_id] = Unresolved(later, reason)
        for item, amends in items:
            earlier = (
                [own]
                if by_hand and own is not None
                else _targets(later, item.target, own, bool(procedure), documents)
            )
            if earlier is None:
                open_notes.setdefault(later.doc_id, Unresolved(later, NOT_FOUND))
                continue
            found += [
                Relation(later, e, item.paragraph, kind or "document", amends) for e in earlier
            ]
    found += _versions(documents)
    unique = {(r.later.doc_id, r.earlier.doc_id, r.paragraph, r.kind, r.amends): r for r in found}
    amended = {(r.later.doc_id, r.earlier.doc_id, r.paragraph) for r in found if r.amends}
    kept = [
        r
        for r in unique.values()
        if r.amends or (r.later.doc_id, r.earlier.doc_id, r.paragraph) not in amended
    ]
    return kept, list(open_notes.values())


LINK_HINT = (
    "koppel met `inkoop relate NOTA --to DOCUMENT`, of `procedure: <document>` in front matter "
    "of .meta.json"
)
HAND_MISSING = "handmatig gekoppeld document is niet geïndexeerd (of niet zichtbaar)"
NOT_FOUND = f"procedure niet gevonden — {LINK_HINT}"
MIN_TITLE_MATCH = 0.6  # word overlap (Dice) of a named procedure with a document's title
TITLE_MARGIN = 0.1  # the best match must beat the next one by this much


def resolve(name: str, documents: Sequence[DocumentRecord]) -> tuple[DocumentRecord | None, str]:
    """The one document `name` names ("Inkoopdocument Wmo met EMVI" ~ Inkoopdocument-Wmo-met-
    Emvi.md), or None with the reason in Dutch: none alike, or two alike."""
    scored = sorted(
        (
            (title_likeness(name, _names(d)), d)
            for d in documents
            if str(d.metadata.get("type") or "") not in BINDING_TYPES
        ),
        key=lambda x: -x[0],
    )
    if not scored or scored[0][0] < MIN_TITLE_MATCH:
        return (
            None,
            f"procedure '{name}' niet gevonden — {LINK_HINT}",
        )
    if len(scored) > 1 and scored[0][0] - scored[1][0] < TITLE_MARGIN:
        both = ", ".join(PurePath(d.source).name for _, d in scored[:2])
        return None, (f"procedure '{name}' past op meer documenten ({both}) — {LINK_HINT}")
    return scored[0][1], ""


def title_likeness(name: str, names: Sequence[str]) -> float:
    """Word overlap both ways (Dice), best over a document's title and file names; a word
    matches a longer one it starts ("inkoopdocument" ~ "inkoopdocumenten")."""
    wanted = set(relation_key(name).split())
    best = 0.0
    for n in names:
        got = set(relation_key(n).split())
        if not wanted or not got:
            continue
        same = sum(
            1
            for w in wanted
            if any(
                w == g or (min(len(w), len(g)) >= 5 and (w.startswith(g) or g.startswith(w)))
                for g in got
            )
        )
        best = max(best, 2 * same / (len(wanted) + len(got)))
    return best


def _targets(
    later: DocumentRecord,
    target: str,
    own: DocumentRecord | None,
    named_procedure: bool,
    documents: Sequence[DocumentRecord],
) -> list[DocumentRecord] | None:
    """The documents an item of a note is about; None when that cannot be decided."""
    others = [d for d in documents if d.doc_id != later.doc_id and _may_replace(later, d)]
    if target:
        matched = [d for d in others if names_match(target, *_names(d))]
        wanted = version_of(target)  # "Overeenkomst Wmo versie 1.1": that version only
        if wanted:
            matched = [d for d in matched if _version(d) == wanted]
        if len(matched) > 1 and own is not None and own in matched:
            return [own]
        if len(matched) > 1 and _tender(later):
            matched = [d for d in matched if _tender(d) == _tender(later)] or matched
        return matched if len(matched) <= 1 or not named_procedure else None
    if own is not None:
        return [own]
    if named_procedure:
        return None
    if not _tender(later):
        return None  # a bare "§ 5.7" of no named procedure or tender: never guessed
    return [
        d
        for d in others
        if _tender(later) == _tender(d) and str(d.metadata.get("type") or "") not in BINDING_TYPES
    ]


def _version(record: DocumentRecord) -> str:
    return str(record.metadata.get("version") or "") or version_of(record.title or "")


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
    chapter = "." not in relation.paragraph and relation.kind in BINDING_TYPES
    if number and (
        number.group() == relation.paragraph
        or (not chapter and number.group().startswith(relation.paragraph + "."))
    ):  # a note's change to chapter 6 is about the chapter's own text, not all of 6.1-6.13
        return True
    title = paragraph_title(relation.earlier, relation.paragraph, page_text)
    last = heading.split(" > ")[-1] if heading else ""
    return bool(title) and relation_key(title) == relation_key(last)


def replacing(
    rels: Sequence[Relation], doc_id: str, section: str, heading: str, page_text: PageText
) -> list[Relation]:
    """The relations whose later text replaces the passage."""
    return [
        r
        for r in rels
        if r.amends and r.earlier.doc_id == doc_id and covers(r, section, heading, page_text)
    ]


def clarifying(
    rels: Sequence[Relation], doc_id: str, section: str, heading: str, page_text: PageText
) -> list[Relation]:
    """The relations whose note answers questions on the passage's paragraph."""
    return [
        r
        for r in rels
        if not r.amends
        and r.paragraph
        and r.earlier.doc_id == doc_id
        and _NUMBER.search(section or "")
        and _NUMBER.search(section or "").group() == r.paragraph  # type: ignore[union-attr]
    ]
