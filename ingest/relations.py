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

from ingest.change_tables import change_table_places, is_change_table
from ingest.note_blocks import note_blocks

MetadataValue = str | int | float | bool

RELATION_KEYS = ("supersedes", "clarifies", "procedure", "version", "tender", "published")
BINDING_TYPES = ("nota van inlichtingen", "rectificatie")

_VERSION = re.compile(
    r"(?:\bversie|\bversion|(?<![\w.])v)[\s_.-]*(?P<v>\d+(?:[._]\d+)*(?:[._]?[a-z](?![a-z]))?)"
    r"(?![\w.]*[\s_-]+naar\b)",
    re.I,
)
_NUMBER = r"\d+(?:\.\d+)*"
_TARGET = re.compile(
    r"^\W*(?:rectificatie|nota van inlichtingen)\b[^\n]*?\b(?:van|op|bij|inzake|behorende bij)\s+"
    r"(?:het|de)?\s*(?P<doc>[^\n,;:]{3,100})",
    re.I | re.M,
)
_NOTE_TITLE = re.compile(
    r"\b(?:rectificatie|nota van inlichtingen)\s+(?:van|op|bij|inzake|behorende bij)\s+"
    r"(?:het|de)?\s*(?P<doc>[^\n,;:]{3,100}?)\s*(?:\n|$|[.,;:](?!\d))",
    re.I,
)
_TENDER_LABEL = re.compile(
    r"^[ \t]*(?:aanbesteding|tender|dossier|project)[ \t]*:[ \t]*(?P<name>\S[^\n]{1,100}?)\s*$",
    re.I | re.M,
)
_NVI_TITLE = re.compile(
    r"^\W*nota van inlichtingen\s*[—–-]\s*(?P<name>\S[^\n]{1,100}?)\s*$", re.I | re.M
)
_PROCEDURE_LABEL = re.compile(
    r"^[ \t*]*(?:inkoopprocedure|procedure|behorend(?:e)? bij|betreft|inzake)[ \t*]*:[ \t*]*"
    r"(?P<name>\S[^\n]{1,120}?)\s*$",
    re.I | re.M,
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


def procedure_of(text: str) -> str:
    """The procedure or document a note names in its head: a label line ("Inkoopprocedure:
    Inkoopdocument Wmo met EMVI", "Behorend bij: …", "Betreft: …") or its title ("Nota van
    Inlichtingen bij het Inkoopbeleid Wlz …", wrapped over two lines); '' when none."""
    head = re.sub(r"[ \t]+\n", "\n", text[:4000])  # a PDF's lines end in spaces
    label = _PROCEDURE_LABEL.search(head)
    if label:
        return label["name"].strip(" *#")
    flat = re.sub(r"(?<!\n)\n(?!\n)", " ", head)  # a title wrapped over lines, not paragraphs
    target = _NOTE_TITLE.search(flat)
    return " ".join(target["doc"].split()).strip(" *") if target else ""


def note_places(text: str, kind: str) -> tuple[list[Supersedes], list[Supersedes]]:
    """(what a note amends, what it clarifies): the paragraphs of its blocks (see
    `ingest.note_blocks`); a paragraph both amended and clarified counts as amended."""
    blocks = note_blocks(text, rectificatie=kind == "rectificatie")
    amends = [Supersedes(b.document, b.paragraph) for b in blocks if b.paragraph and b.amends]
    clarifies = [
        Supersedes(b.document, b.paragraph)
        for b in blocks
        if b.paragraph and not b.amends and Supersedes(b.document, b.paragraph) not in amends
    ]
    return list(dict.fromkeys(amends)), list(dict.fromkeys(clarifies))


def detect_relations(
    text: str, meta: Mapping[str, MetadataValue], body: str | None = None
) -> dict[str, MetadataValue]:
    """The relations a document's text states (see the module text); keys not found are absent.

    `meta` is what was read already (type, datum); `body` the whole text when `text` is only
    the head of it; the caller lets front matter and sidecars
    win over what is found here."""
    head = text[:4000]
    first_lines = "\n".join(head.splitlines()[:12])
    out: dict[str, MetadataValue] = {}
    heading = [line for line in first_lines.splitlines() if line.strip()][:3]
    version = version_of("\n".join(heading))
    if version and not is_change_table(text):  # "versie-1_1-naar-1_2" is no version of its own
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
        procedure = procedure_of(text)
        if procedure:
            out["procedure"] = procedure
        amends, clarifies = note_places(body or text, kind)
        target = _TARGET.search(first_lines)
        if target and kind == "rectificatie":  # its paragraphs belong to the document it names
            default = target["doc"].strip(" *")
            amends = [p if p.target else Supersedes(default, p.paragraph) for p in amends]
        if amends:
            out["supersedes"] = format_supersedes(amends)
        if clarifies:
            out["clarifies"] = format_supersedes(clarifies)
    elif is_change_table(text):  # a was-wordt table amends the articles of the old version
        changed = [Supersedes(t, p) for t, p in change_table_places(body or text)]
        if changed:
            out["supersedes"] = format_supersedes(changed)
    return out
