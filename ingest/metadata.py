"""Document metadata from Markdown/TXT front matter or a sidecar file (`x.pdf.meta.json`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Protocol

from ingest.models import INTERN, OPENBAAR, VISIBILITIES, MetadataValue

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, MetadataValue], str]:
    """Front matter (simple `key: value` lines between `---`) and the body after it."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta: dict[str, MetadataValue] = {}
    for line in m.group("body").splitlines():
        kv = _KEY_VALUE.match(line)
        if kv:
            meta[kv.group("key").lower()] = kv.group("value").strip().strip("\"'")
    return meta, text[m.end() :]


def sidecar_metadata(path: Path) -> dict[str, MetadataValue]:
    """Metadata from `<file>.meta.json` next to the document, if present."""
    sidecar = path.with_name(path.name + ".meta.json")
    if not sidecar.is_file():
        return {}
    return parse_sidecar(sidecar.read_bytes(), str(sidecar))


def parse_sidecar(raw: bytes, where: str) -> dict[str, MetadataValue]:
    """The scalar keys of a sidecar's JSON object; `where` names it in the error."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{where} must hold a JSON object")
    return {str(k).lower(): v for k, v in data.items() if isinstance(v, str | int | float | bool)}


class Named(Protocol):
    """A file on disk or in an archive: what a title can be made of."""

    @property
    def name(self) -> str: ...

    @property
    def stem(self) -> str: ...


def title_from_filename(path: Named) -> str:
    """A readable title from a file name: 'zk_Inkoopbeleid-GGZ-2024-2026.pdf' -> words."""
    stem = re.sub(r"^[a-z]{2,4}_+", "", path.stem)
    return re.sub(r"[_\s]+", " ", stem).strip() or path.name


def usable_pdf_title(title: object, first_page: str = "") -> str:
    """The PDF's own /Title when it reads like a title, else ''.

    Metadata is often stale (a template's title kept for years): when the first page opens
    with a heading that disagrees with it — most of the /Title's words, dates included, are
    not in the heading — the heading is the title.
    """
    if not isinstance(title, str):
        return ""
    title = title.strip()
    generic = re.compile(
        r"^(microsoft (word|powerpoint)|powerpoint|untitled|document|i-sociaal)", re.I
    )
    if len(title.split()) < 3 or generic.match(title) or title.lower().endswith((".doc", ".docx")):
        return ""
    heading = first_page_heading(first_page)
    if heading and _words(title) and len(_words(title) & _words(heading)) < len(_words(title)) / 2:
        return heading
    return title


_HEADING_TAIL = re.compile(r"\s+(?:aanvang|begin)\s+\d{1,2}[.:]\d{2}(?:\s*uur)?\s*$", re.I)


def first_page_heading(text: str) -> str:
    """The heading a page opens with: its first lines up to a blank line (at most 4 lines,
    2–15 words, mostly letters, not a page number), without a trailing start time; else ''."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            if lines:
                break
            continue
        lines.append(line)
        if len(lines) == 4:
            break
    heading = _HEADING_TAIL.sub("", " ".join(lines)).strip(" .:")
    if len(heading.split()) > 15 and lines:  # a paragraph, not a heading: its first line only
        heading = _HEADING_TAIL.sub("", lines[0]).strip(" .:")
    if not 2 <= len(heading.split()) <= 15 or not heading[:1].isalpha():
        return ""
    if re.match(r"^(?:pagina|page|blad)\b", heading, re.I):
        return ""
    letters = sum(ch.isalpha() for ch in heading)
    return heading if letters >= 0.6 * len(heading.replace(" ", "")) else ""


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]+", text.casefold()) if len(w) > 2 or w.isdigit()}


def resolve_visibility(
    declared: MetadataValue | None, default: str, ceiling: str | None = None
) -> str:
    """The document's visibility: its own metadata (front matter, sidecar) wins over `default`,
    but never past `ceiling`, the visibility staff chose for the upload: a file may make
    itself more private, never more public (`intern` chosen + `visibility: openbaar` in the
    file stays intern).

    Raises ValueError for a value that is neither `openbaar` nor `intern`: a typo must not
    silently publish or hide a document.
    """
    value = declared_visibility(declared) or default
    if ceiling == INTERN:
        return INTERN
    return value


def declared_visibility(declared: MetadataValue | None) -> str | None:
    """A file's own visibility setting, normalised; None when it sets none."""
    if declared is None or (isinstance(declared, str) and not declared.strip()):
        return None
    value = str(declared).strip().casefold()
    if value not in VISIBILITIES:
        raise ValueError(
            f"visibility '{declared}' is not one of {OPENBAAR}, {INTERN}; "
            "fix the front matter or sidecar"
        )
    return value
