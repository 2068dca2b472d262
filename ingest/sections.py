"""Pure section detection: numbered headings ("2.7.1 Tarieven", "Bijlage 7", "Artikel 12").

A plain "number + title" regex takes numbered lists, footnotes and table cells for headings.
So a heading is accepted only when the document's own structure vouches for it: it is listed
in the PDF outline or contents page (in order, with a matching title), or it is a plausible
next number after the last accepted heading ("2.3" -> "2.3.1", "2.4", "3"), or (a PDF without
outline or contents) it opens a page numbered past the last heading ("4.2 Sluitingsdatum" at
the top of page 2 after "1 Inleiding": a document that skips numbers or starts mid-way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ingest.cleaning import TOC_LINE
from ingest.models import Heading

_NUMBERED = re.compile(
    r"^(?P<label>\d{1,2}(?:\.\d{1,2}){0,4})(?P<dot>\.?)[\s\u00a0]+(?P<rest>\S.*)$"
)
_NAMED = re.compile(
    r"^(?P<kind>artikel|hoofdstuk|paragraaf|afdeling|bijlage|titel|deel|§)\s*"
    r"(?P<num>\d+[0-9a-z]*(?:[.:]\d+[a-z]*)*|[ivxlc]+\b)[.:]?",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s*(?P<text>.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\*\*(?P<text>[^*]{2,120})\*\*\s*$")
_CONTENTS = re.compile(r"^(inhoudsopgave|inhoud|table of contents|contents)$", re.I)


@dataclass(frozen=True)
class KnownEntry:
    """A heading the document itself lists (PDF outline or contents page)."""

    label: str  # "" for unnumbered entries such as "Voorwoord"
    title: str
    page: int | None = None


def normalize(text: str) -> str:
    """Lower-case letters and digits only: survives pypdf's stray spaces and line wraps."""
    return re.sub(r"[^0-9a-zà-ÿ]", "", text.lower())


def section_label(text: str) -> tuple[str, int]:
    """The section label of a heading text and its depth; ("", 0) when it has none."""
    text = text.strip().strip("*").strip()
    named = _NAMED.match(text)
    if named:
        kind = named.group("kind")
        kind = "§" if kind == "§" else kind.capitalize()
        num = named.group("num").rstrip(".:")
        return f"{kind} {num}", 1
    numbered = _NUMBERED.match(text)
    if numbered:
        label = numbered.group("label")
        return label, label.count(".") + 1
    return "", 0


def plausible_next(last: str | None, label: str) -> bool:
    """True if `label` may follow heading `last` (child .1, or the successor at some level)."""
    parts = [int(p) for p in label.split(".")]
    if last is None:
        return parts[-1] == 1 or parts == [0]
    prev = [int(p) for p in last.split(".")]
    if parts == [*prev, 1]:
        return True
    for depth in range(len(prev), 0, -1):
        if parts == [*prev[: depth - 1], prev[depth - 1] + 1]:
            return True
    return False


def parse_contents(texts: Iterable[str]) -> list[KnownEntry]:
    """Entries of a contents page: "2.7 Hardheidsclausule ....... 24"."""
    entries = []
    for text in texts:
        pending = ""
        for raw in text.splitlines():
            line = f"{pending} {raw.strip()}".strip() if pending else raw.strip()
            pending = ""
            if _NUMBERED.match(line) and not re.search(r"\s\d{1,3}$", line):
                pending = line  # a wrapped entry: its page number is on the next line
                continue
            m = TOC_LINE.match(line)
            if not m or _CONTENTS.match(m.group("title").strip()):
                continue
            label, _ = section_label(f"{m.group('label')} x") if m.group("label") else ("", 0)
            entries.append(KnownEntry(label, m.group("title").strip(" ."), int(m.group("page"))))
    return entries


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for raw in text.splitlines(keepends=True):
        yield pos, raw.rstrip("\r\n")
        pos += len(raw)


def _looks_like_heading(rest: str, line: str) -> bool:
    words = rest.split()
    return (
        bool(words)
        and (rest[0].isupper() or rest[0].isdigit() or rest[0] in "‘'\"(")
        and len(line) <= 160
        and not line.rstrip().endswith((";", ",", ":"))
        and not re.match(r"^\d+([.,]\d+)?\s*(%|euro|€|uur|dagen|jaar|procent)", rest, re.I)
    )


def pdf_headings(text: str, page_starts: list[int], known: list[KnownEntry]) -> list[Heading]:
    """Headings in a PDF's cleaned text, vouched for by its outline/contents when it has one."""
    known_labels: dict[str, list[KnownEntry]] = {}
    for e in known:
        if e.label:
            known_labels.setdefault(e.label, []).append(e)
    unlabeled = {
        normalize(e.title): e for e in known if not e.label and len(normalize(e.title)) > 3
    }
    headings: list[Heading] = []
    used: set[str] = set()
    last: str | None = None
    lines = list(_lines(text))
    tops = _page_tops(lines, page_starts) if not known_labels else set()
    for index, (offset, line) in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        page = _page_of(offset, page_starts)
        numbered = _NUMBERED.match(stripped)
        if numbered and _looks_like_heading(numbered.group("rest"), stripped):
            label = numbered.group("label")
            if label in used:
                continue
            title = stripped
            entries = known_labels.get(label)
            if entries:
                # Outline and contents page may disagree ("1 september" / "8 september").
                match = next(
                    (
                        e
                        for e in entries
                        if _title_matches(e.title, numbered.group("rest")) and _page_near(e, page)
                    ),
                    None,
                )
                ok = match is not None
                wrapped = (
                    match is not None
                    and len(normalize(match.title)) > len(normalize(numbered.group("rest"))) + 3
                )
                if wrapped and index + 1 < len(lines):
                    title = f"{stripped} {lines[index + 1][1].strip()}"  # the heading wrapped
            else:
                # Not listed: only as a plausible next (sub)section with a short heading line,
                # or (no outline or contents to say otherwise) as the first line of a page
                # numbered past the last heading: "4.2 Sluitingsdatum" after "1 Inleiding".
                ok = (
                    (
                        plausible_next(last, label)
                        or (
                            not known_labels
                            and index in tops
                            and "." in label  # "6. Vervaltermijn": a list running on
                            and _after(last, label)
                            and len(stripped.split()) <= 12
                        )
                    )
                    and len(stripped.split()) <= 24
                    and not stripped.endswith(".")
                    and ("." in label or bool(numbered.group("dot")) or not known_labels)
                    # A chapter the outline/contents does not list is a numbered list item.
                    and not ("." not in label and any(k[0].isdigit() for k in known_labels))
                )
            if ok:
                headings.append(Heading(offset, label, title, label.count(".") + 1))
                used.add(label)
                last = label
            continue
        key = normalize(stripped)
        entry = unlabeled.get(key)
        if entry is not None and key not in used and _page_near(entry, page):
            headings.append(Heading(offset, "", stripped, 1))
            used.add(key)
            continue
        named = _NAMED.match(stripped)
        if (
            named
            and named.group("kind").lower() == "bijlage"
            and len(stripped.split()) <= 10
            and stripped[0].isupper()  # "bijlage 5. De ..." is a wrapped sentence
            and not stripped.endswith((":", ";", ","))
        ):
            label, _ = section_label(stripped)
            first_lines = offset - page_starts[page - 1] < 200
            if label not in used and (label in known_labels or first_lines):
                headings.append(Heading(offset, label, stripped, 1))
                used.add(label)
    return headings


# A contents entry of a Markdown export: "[5.7 Gestanddoeningstermijn 22](about:blank#...)".
_MD_TOC_LINK = re.compile(r"^\[(?P<entry>[^\]]*(?:\[[^\]]*\][^\]]*)*)\]\([^)]*\)\s*$")


def markdown_contents(text: str) -> list[KnownEntry]:
    """The contents of a Markdown or text file, in order: its linked entries ("[2.1 Title 7](#…)")
    or its dotted contents lines ("2.1 Title ..... 7") under an "Inhoudsopgave" heading."""
    entries: list[KnownEntry] = []
    in_contents = False
    for _, line in _lines(text):
        stripped = line.strip()
        md = _MD_HEADING.match(stripped)
        if md:
            if entries and not in_contents:
                break
            in_contents = is_contents_heading(md.group("text"))
            if not in_contents and entries:
                break
            continue
        link = _MD_TOC_LINK.match(stripped)
        candidate = link.group("entry").strip() if link else (stripped if in_contents else "")
        m = TOC_LINE.match(candidate) if candidate else None
        if not m or _CONTENTS.match(m.group("title").strip()):
            continue
        label, _ = section_label(f"{m.group('label')} x") if m.group("label") else ("", 0)
        entries.append(KnownEntry(label, m.group("title").strip(" ."), int(m.group("page"))))
    return entries


def _contents_label(title: str, entries: list[KnownEntry], start: int) -> tuple[str, int]:
    """The label the contents gives an unnumbered heading, looked up from `start` on in order
    (a title may repeat: "1 Inkopende organisatie" / "1.1 Inkopende organisatie"); ("", start)
    when the next few entries do not list it."""
    key = normalize(title)
    if len(key) < 3:
        return "", start
    for i in range(start, min(start + 6, len(entries))):
        if normalize(entries[i].title) == key:
            return entries[i].label, i + 1
    return "", start


def text_headings(text: str) -> list[Heading]:
    """Headings in Markdown or plain text: '#' lines, bold-only lines, 'Artikel 3' lines.

    A Markdown heading without a number takes the one its contents entry gives it
    ("## Gestanddoeningstermijn" listed as "5.7 Gestanddoeningstermijn" is § 5.7)."""
    headings: list[Heading] = []
    contents = markdown_contents(text)
    next_entry = 0
    last_numbered: str | None = None
    labeled_level = 0
    current = ""
    in_list = False  # the previous line opened ("... de volgende:") or continued a numbered list
    for offset, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            in_list = False  # a blank line ends the paragraph, and with it the list
            continue
        after_list, in_list = in_list, stripped.endswith(":")
        md = _MD_HEADING.match(stripped)
        bold = _BOLD_LINE.match(stripped)
        title, level = "", 0
        if md:
            title, level = md.group("text").strip().strip("*").strip(), len(md.group("hashes"))
            if contents and title and not section_label(title)[0]:
                number, next_entry = _contents_label(title, contents, next_entry)
                title = f"{number} {title}" if number else title
        elif bold:
            title, level = bold.group("text").strip(), 7
        elif _NAMED.match(stripped) and len(stripped.split()) <= 12 and not stripped.endswith("."):
            title, level = stripped, 7
        else:
            numbered = _NUMBERED.match(stripped)
            if (
                numbered
                and not after_list
                and _looks_like_heading(numbered.group("rest"), stripped)
                and len(stripped.split()) <= 14
                and not stripped.endswith(".")
                and plausible_next(last_numbered, numbered.group("label"))
            ):
                title, level = stripped, numbered.group("label").count(".") + 1
                last_numbered = numbered.group("label")
            elif numbered:
                in_list = True  # a numbered line that is no heading is a list item
        if not title:
            continue
        label, _ = section_label(title)
        if label:
            current, labeled_level = label, level
        elif level <= labeled_level or not current:
            current, labeled_level = "", 0
        headings.append(Heading(offset, current, title, level))
    return headings


def is_contents_heading(title: str) -> bool:
    return bool(_CONTENTS.match(title.strip().strip("#* ")))


def _page_tops(lines: list[tuple[int, str]], page_starts: list[int]) -> set[int]:
    """The index of each page's first line with text."""
    tops: dict[int, int] = {}
    for index, (offset, line) in enumerate(lines):
        if line.strip():
            tops.setdefault(_page_of(offset, page_starts), index)
    return set(tops.values())


def _after(last: str | None, label: str) -> bool:
    """True when `label` is numbered past `last` (4.2 after 1 or 3.9); any label opens."""
    if last is None:
        return True
    return tuple(int(p) for p in label.split(".")) > tuple(int(p) for p in last.split("."))


def _page_of(offset: int, page_starts: list[int]) -> int:
    page = 1
    for i, start in enumerate(page_starts, start=1):
        if start <= offset:
            page = i
    return page


def _page_near(entry: KnownEntry, page: int) -> bool:
    return entry.page is None or abs(entry.page - page) <= 2


def _title_matches(expected: str, found: str) -> bool:
    a, b = normalize(expected), normalize(found)
    n = min(len(a), len(b), 24)
    return n >= 4 and a[:n] == b[:n]
