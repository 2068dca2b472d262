"""How documents relate over time: which earlier text a document replaces, its version, the
tender it belongs to and when it was published.

Relations are document metadata (scalars, so they fit on every passage):

- `supersedes`: what this document replaces, `;`-separated: `Inkoopdocument-Wmo-met-Emvi § 5.7`
  (one paragraph of a document), `§ 5.7` (that paragraph in the tender's documents), or a
  document alone (`Overeenkomst-Wmo-versie-1_1.md`: the whole of it);
- `version`: "1.2";
- `tender`: the tender or dossier the document belongs to (compared by `relation_key`);
- `published`: ISO date from which it counts (default: the document's `datum`).

Front matter and sidecars set them; `detect_relations` reads them from the text where a
document states them: a nota van inlichtingen or rectificatie naming the tender and its
paragraphs ("Vraag 3 — Inkoopdocument, § 5.7"), a version in the title ("versie 1.2").

Pure; imports nothing from the rest of the product (ingest.extract builds on it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

MetadataValue = str | int | float | bool

RELATION_KEYS = ("supersedes", "version", "tender", "published")
BINDING_TYPES = ("nota van inlichtingen", "rectificatie")

_VERSION = re.compile(
    r"(?:\bversie|\bversion|(?<![\w.])v)[\s_.-]*(?P<v>\d+(?:[._]\d+)*(?:[._]?[a-z](?![a-z]))?)"
    r"(?![\w.]*[\s_-]+naar\b)",
    re.I,
)
_NUMBER = r"\d+(?:\.\d+)*"
_PARAGRAPH = re.compile(
    rf"(?:§|\bparagraaf|\bpar\.|\bartikel|\bart\.)[\s:]*(?P<par>{_NUMBER})\b", re.I
)
# "Inkoopdocument, § 5.7" as the workbench writes a question's place (and providers often do)
_PLACE = re.compile(
    rf"(?P<doc>[A-Za-z][\w'’ .()-]{{1,80}}?),\s*"
    rf"(?:§|paragraaf|par\.|artikel)\s*(?P<par>{_NUMBER})\b",
    re.I,
)
_TARGET = re.compile(
    r"^\W*(?:rectificatie|nota van inlichtingen)\b[^\n]*?\b(?:van|op|bij|inzake|behorende bij)\s+"
    r"(?:het|de)?\s*(?P<doc>[^\n,;:]{3,100})",
    re.I | re.M,
)
_TENDER_LABEL = re.compile(
    r"^[ \t]*(?:aanbesteding|tender|dossier|project)[ \t]*:[ \t]*(?P<name>\S[^\n]{1,100}?)\s*$",
    re.I | re.M,
)
_NVI_TITLE = re.compile(
    r"^\W*nota van inlichtingen\s*[—–-]\s*(?P<name>\S[^\n]{1,100}?)\s*$", re.I | re.M
)
_REFERENCE_LINE = re.compile(
    r"^\s*(?:#{1,6}\s|\*\*|vraag\s+\d|wijziging\s+\d|nr\.?\s*\d|\d+\s*\||"
    r"(?:paragraaf|plaats|locatie)\s*:)",
    re.I,
)
_RECTIFICATIE = re.compile(r"^\W*rectificatie\b", re.I | re.M)


@dataclass(frozen=True)
class Supersedes:
    """One thing a document replaces: a document (by name) and optionally one paragraph."""

    target: str  # a file name, stem or title; '' = the tender's documents
    paragraph: str = ""  # "5.7"; '' = the whole document

    def __str__(self) -> str:
        return " ".join(
            x for x in (self.target, f"§ {self.paragraph}" if self.paragraph else "") if x
        )


def parse_supersedes(value: object) -> list[Supersedes]:
    """`Inkoopdocument § 5.7; § 6.1; Overeenkomst-v1_1.md` -> relations (empty for none)."""
    if not isinstance(value, str):
        return []
    out = []
    for part in value.split(";"):
        part = " ".join(part.split())
        if not part:
            continue
        m = re.search(rf"(?:§|\bparagraaf|\bpar\.|\bartikel)\s*({_NUMBER})\s*$", part, re.I)
        if m:
            out.append(Supersedes(part[: m.start()].strip(" ,"), m.group(1)))
        else:
            out.append(Supersedes(part))
    return list(dict.fromkeys(out))


def format_supersedes(items: list[Supersedes]) -> str:
    return "; ".join(str(s) for s in dict.fromkeys(items))


def relation_key(name: str) -> str:
    """A name as compared: lower case, words only, a file extension and version dropped."""
    name = re.sub(r"\.(?:pdf|docx?|md|markdown|txt|html?|xlsx|csv)$", "", name.strip(), flags=re.I)
    name = _VERSION.sub(" ", name)
    return " ".join(re.findall(r"[^\W_]+", name.casefold()))


def names_match(target: str, *names: str) -> bool:
    """True when every word of `target` is a word of one of `names` (title, file name)."""
    wanted = set(relation_key(target).split())
    if not wanted:
        return False
    return any(wanted <= set(relation_key(n).split()) for n in names if n)


def version_of(text: str) -> str:
    """The version a title states ("Overeenkomst-Wmo-versie-1_2" -> "1.2"); '' when none.
    A change table "versie 1.1 naar 1.2" is no version of its own."""
    m = _VERSION.search(text)
    return m.group("v").replace("_", ".").lower() if m else ""


def version_tuple(version: str) -> tuple[int | str, ...]:
    """ "1.10" sorts after "1.9"; letters ("3.2.b") after numbers."""
    parts: list[int | str] = []
    for p in re.findall(r"\d+|[a-z]+", version.lower()):
        parts.append(int(p) if p.isdigit() else p)
    return tuple(parts)


def is_newer(a: str, b: str) -> bool:
    """True when version `a` is later than version `b`."""
    ta, tb = version_tuple(a), version_tuple(b)
    try:
        return ta > tb
    except TypeError:  # "1.a" against "1.2": compare as text
        return a > b


def paragraph_places(text: str) -> list[Supersedes]:
    """The paragraphs a note or rectificatie is about, from its heading and table lines
    ("## Vraag 3 — Inkoopdocument, § 5.7", "3 | Inkoopdocument, § 5.7 | …"): a question may
    mention other paragraphs in passing, its heading names the one it is about."""
    found: list[Supersedes] = []
    for line in text.splitlines():
        if not _REFERENCE_LINE.match(line):
            continue
        cells = line.split("|")[:2] if "|" in line else [line]
        for cell in cells:
            place = _PLACE.search(cell)
            if place:
                doc = re.sub(
                    r"^[#>*\s]*(?:vraag|wijziging|nr\.?)\s*\d+\s*[—–:-]?\s*",
                    "",
                    place["doc"],
                    flags=re.I,
                )
                found.append(Supersedes(doc.strip(" *—–-"), place["par"]))
                continue
            par = _PARAGRAPH.search(cell)
            if par:
                found.append(Supersedes("", par["par"]))
    return list(dict.fromkeys(found))


def detect_relations(text: str, meta: Mapping[str, MetadataValue]) -> dict[str, MetadataValue]:
    """The relations a document's text states (see the module text); keys not found are absent.

    `meta` is what was read already (type, datum); the caller lets front matter and sidecars
    win over what is found here."""
    head = text[:4000]
    first_lines = "\n".join(head.splitlines()[:12])
    out: dict[str, MetadataValue] = {}
    heading = [line for line in first_lines.splitlines() if line.strip()][:3]
    version = version_of("\n".join(heading))
    if version:
        out["version"] = version
    kind = str(meta.get("type") or "")
    if _RECTIFICATIE.search(first_lines):
        kind = "rectificatie"
        out["type"] = kind
    tender = _TENDER_LABEL.search(head) or (
        _NVI_TITLE.search(first_lines) if kind == "nota van inlichtingen" else None
    )
    if tender:
        out["tender"] = tender["name"].strip(" *#")
    if kind in BINDING_TYPES:
        places = paragraph_places(text)
        target = _TARGET.search(first_lines)
        if target and kind == "rectificatie":  # its paragraphs belong to the document it names
            default = target["doc"].strip(" *")
            places = [p if p.target else Supersedes(default, p.paragraph) for p in places]
        if places:
            out["supersedes"] = format_supersedes(places)
    return out
