"""The parts of a nota van inlichtingen or rectificatie, and the paragraph each is about.

Notes come in the shapes tenders publish them:

- a table `Nr. | Paragraaf | Vraag | Antwoord` (Markdown, a DOCX table read as "a | b | c"
  lines, an XLSX/CSV sheet read as "Nr: 1; Paragraaf: 5.7 …; Antwoord: …" lines, or a PDF
  table whose rows start "1 5.7 Gestanddoeningstermijn …"); the Paragraaf cell holds
  "5.7 Gestanddoeningstermijn", "§ 5.7" or "Inkoopdocument, § 5.7";
- headed blocks: "## Vraag 3 — Inkoopdocument, § 5.7" (the workbench export), or a policy's own
  heading "5.11 Wij maken met zorgaanbieders afspraken …" over a "Vraag Antwoord" block;
- a part "Overzicht aanpassingen" / "Wijzigingen" / "Correcties": its blocks change the text.

A block amends its paragraph when it sits in such a part, when the note is a rectificatie, or
(in a note without such a part) when its answer says the text changes ("wordt verlengd naar",
"komt te luiden"); otherwise it clarifies it. Pure: text in, blocks out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_LEADING_NUMBER = re.compile(rf"^\W*(?P<par>{_NUMBER})\.?(?:\s|$)")
_REFERENCE_LINE = re.compile(
    r"^\s*(?:#{1,6}\s|\*\*|vraag\s+\d|wijziging\s+\d|correctie\s+\d|nr\.?\s*\d|"
    r"(?:paragraaf|plaats|locatie)\s*:)",
    re.I,
)
_ITEM_NUMBER = re.compile(r"(?:vraag|wijziging|correctie|nr\.?)\s*(\d+)", re.I)
_NUMBERED_HEADING = re.compile(rf"^\s*(?P<par>{_NUMBER})\.?\s+(?P<title>[A-Z][^\n]{{2,}})$")
# a heading, so capitalised: "Overzicht aanpassingen op het inkoopbeleid", "## Wijzigingen"
_AMEND_PART = re.compile(
    r"^[#*\s]*(?:Overzicht\s+(?:van\s+(?:de\s+)?)?(?:aanpassingen|wijzigingen|correcties)\b"
    r"[^\n.]{0,60}|(?:Aanpassingen|Wijzigingen|Correcties)\b[^\n.]{0,40}?:?)\**$",
)
_QA_PART = re.compile(r"^[#*\s]*(?:vraag\s+antwoord|vragen en antwoorden|leeswijzer)\s*$", re.I)
_CHANGE = re.compile(
    r"\b(?:wordt|worden|is|zijn)\s+(?:gewijzigd|aangepast|verlengd|verkort|vervangen|"
    r"verschoven|verplaatst|toegevoegd|geschrapt)\b|\bkomt\s+(?:als volgt\s+)?te\s+luiden\b|"
    r"\bwijzigen\s+(?:wij|we)\b|\bpassen\s+(?:wij|we)\b[^.]{0,80}\baan\b|\bvervalt\b|"
    r"^\W*(?:wordt|nieuwe tekst)\s*:",
    re.I | re.M,
)
# column names of a question table (a header row names at least a place and a question/answer)
_PLACE_COLUMNS = ("paragraaf", "par.", "§", "plaats", "locatie", "artikel", "hoofdstuk")
_DOC_COLUMNS = ("document", "stuk", "bijlage")
_NR_COLUMNS = ("nr", "nr.", "nummer", "vraagnummer", "#", "no.")
_TEXT_COLUMNS = ("vraag", "antwoord", "wijziging", "toelichting", "was", "wordt")
_ANSWER_COLUMNS = ("antwoord", "wordt", "wijziging", "nieuwe tekst")


@dataclass(frozen=True)
class NoteBlock:
    """One part of a note: the paragraph it is about and whether it changes or clarifies it."""

    paragraph: str  # "5.7"; '' = not known
    document: str  # the document the block names ("Inkoopdocument"); '' = the note's own
    amends: bool
    number: str  # the question's number ("3"); '' when it has none
    start: int  # character offsets of the block in the text
    end: int
    answer: str = ""  # what the block says: its answer cell, or its text below the heading


@dataclass(frozen=True)
class _Start:
    paragraph: str
    document: str
    number: str
    offset: int
    amend_part: bool
    end: int = -1  # a table row ends with its line
    answer: str | None = None  # a table row's answer cell; None: the block below its heading
    question_first: bool = False  # a PDF table row: its question, then its answer


def note_blocks(text: str, rectificatie: bool = False) -> list[NoteBlock]:
    """The blocks of a note, in order (see the module text)."""
    lines = _lines(text)
    starts: list[_Start] = []
    in_amend = False
    columns: dict[str, int] | None = None  # a pipe table's header
    pdf_table = False
    for i, (offset, line) in enumerate(lines):
        stripped = line.strip()
        if _AMEND_PART.match(stripped):
            in_amend = True
            continue
        if _QA_PART.match(stripped):
            if in_amend or not starts:  # Q&A without a paragraph heading of its own
                starts.append(_Start("", "", "", offset, False))
            in_amend = False
            continue
        cells = _pipe_cells(stripped)
        if cells is not None:
            if _is_header(cells):
                columns = _header_columns(cells)
                continue
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            if columns is not None:
                row = _table_row(cells, columns)
                if row:
                    answer = _cell(cells, columns, "answer") or cells[-1]
                    starts.append(_Start(*row, offset, in_amend, offset + len(line), answer))
                continue
        labelled = _labelled_row(stripped)
        if labelled:
            answer = re.split(r";\s*(?:antwoord|wordt|wijziging)\s*:\s*", stripped, flags=re.I)[-1]
            starts.append(_Start(*labelled, offset, in_amend, offset + len(line), answer))
            continue
        cells_below = " ".join(x.strip() for _, x in lines[i : i + 6] if len(x.strip()) < 20)
        if _is_pdf_table_header(stripped) or (
            _column_kind(stripped) and _is_pdf_table_header(cells_below)  # one cell a line
        ):
            pdf_table = True
            continue
        if pdf_table:
            # "1 5.7 Termijn …" on one line, or each cell on its own line: "1", "5.7 Termijn"
            nxt = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
            m = re.match(rf"^(?P<nr>\d+)\.?\s+(?:§\s*)?(?P<par>{_NUMBER})\s+\S", stripped)
            m = m or re.match(
                r"^(?P<nr>\d+)\.?\n(?:§\s*)?(?P<par>\d+(?:\.\d+)+)\b", f"{stripped}\n{nxt}"
            )
            if m:
                starts.append(_Start(m["par"], "", m["nr"], offset, in_amend, question_first=True))
                continue
        if _REFERENCE_LINE.match(line):
            found = _reference(line)
            if found:
                starts.append(_Start(*found, offset, in_amend))
                continue
        heading = _NUMBERED_HEADING.match(line)
        if heading and _is_block_heading(lines, i, in_amend):
            starts.append(_Start(heading["par"], "", "", offset, in_amend))
    has_amend_part = any(s.amend_part for s in starts)
    blocks = []
    for k, s in enumerate(starts):
        end = s.end if s.end >= 0 else (starts[k + 1].offset if k + 1 < len(starts) else len(text))
        body = text[s.offset : end]
        amends = rectificatie or s.amend_part or (not has_amend_part and bool(_CHANGE.search(body)))
        answer = s.answer if s.answer is not None else _below_heading(body, s.question_first)
        blocks.append(NoteBlock(s.paragraph, s.document, amends, s.number, s.offset, end, answer))
    return blocks


def _below_heading(body: str, question_first: bool = False) -> str:
    """A headed block without its heading (and the heading's wrapped last words); a PDF
    table row without its question (up to its last "?")."""
    if question_first and "?" in body:
        return body[body.rindex("?") + 1 :]  # "1 5.7 Termijn Hoe lang …? De termijn …"
    rest = body.partition("\n")[2]
    wrapped, _, after = rest.partition("\n")
    if wrapped.strip() and len(wrapped.strip()) < 40 and not after[:1].strip():
        rest = after  # "5.11 Wij maken … exclusief\nbehandeling\n\nWij passen …"
    return rest


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _pipe_cells(line: str) -> list[str] | None:
    """The cells of a table line ("| a | b |" or a DOCX row "a | b | c"); None for no table."""
    if line.count("|") < 2:
        return None
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _column_kind(name: str) -> str:
    key = name.strip(" *:").casefold()
    for kind, names in (
        ("answer", _ANSWER_COLUMNS),
        ("place", _PLACE_COLUMNS),
        ("doc", _DOC_COLUMNS),
        ("nr", _NR_COLUMNS),
        ("text", _TEXT_COLUMNS),
    ):
        if key in names:
            return kind
    return ""


def _is_header(cells: list[str]) -> bool:
    kinds = {_column_kind(c) for c in cells}
    return "place" in kinds and bool(kinds & {"text", "answer"})


def _header_columns(cells: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, c in enumerate(cells):
        kind = _column_kind(c)
        if kind and kind not in out:
            out[kind] = i
    return out


def _cell(cells: list[str], columns: dict[str, int], kind: str) -> str:
    i = columns.get(kind)
    return cells[i] if i is not None and i < len(cells) else ""


def _table_row(cells: list[str], columns: dict[str, int]) -> tuple[str, str, str] | None:
    place = _place_of(_cell(cells, columns, "place"))
    if place is None:
        return None
    document, paragraph = place
    return paragraph, document or _cell(cells, columns, "doc"), _number(_cell(cells, columns, "nr"))


def _labelled_row(line: str) -> tuple[str, str, str] | None:
    """ "Nr: 1; Document: Inkoopdocument; Paragraaf: 5.7 …; Vraag: …" (an XLSX/CSV row)."""
    if ": " not in line or "; " not in line:
        return None
    values: dict[str, str] = {}
    for part in line.split("; "):
        name, sep, value = part.partition(": ")
        kind = _column_kind(name) if sep else ""
        if kind and kind not in values:
            values[kind] = value.strip()
    if "place" not in values or not values.keys() & {"text", "answer"}:
        return None
    place = _place_of(values["place"])
    if place is None:
        return None
    return place[1], place[0] or values.get("doc", ""), _number(values.get("nr", ""))


def _place_of(cell: str) -> tuple[str, str] | None:
    """(document, paragraph) a Paragraaf cell names: "5.7 Gestanddoeningstermijn", "§ 5.7",
    "Inkoopdocument, § 5.7"; None when it names no paragraph."""
    m = _PLACE.search(cell)
    if m:
        return m["doc"].strip(" *—–-"), m["par"]
    m = _PARAGRAPH.search(cell) or _LEADING_NUMBER.match(cell)
    return ("", m["par"]) if m else None


def _number(cell: str) -> str:
    m = re.search(r"\d+", cell)
    return m.group() if m else ""


def _is_pdf_table_header(line: str) -> bool:
    words = {w.strip(".:").casefold() for w in line.split()}
    return len(words) <= 8 and "paragraaf" in words and bool(words & {"vraag", "antwoord"})


def _reference(line: str) -> tuple[str, str, str] | None:
    """ "## Vraag 3 — Inkoopdocument, § 5.7" -> (paragraph, document, number)."""
    number = _ITEM_NUMBER.search(line)
    nr = number.group(1) if number else ""
    place = _PLACE.search(line)
    if place:
        doc = re.sub(
            r"^[#>*\s]*(?:vraag|wijziging|correctie|nr\.?)\s*\d+\s*[—–:-]?\s*",
            "",
            place["doc"],
            flags=re.I,
        )
        return place["par"], doc.strip(" *—–-"), nr
    par = _PARAGRAPH.search(line)
    if par:
        return par["par"], "", nr
    return None


def _is_block_heading(lines: list[tuple[int, str]], i: int, in_amend: bool) -> bool:
    """A policy heading repeated over a note's block: followed (after its wrapped title and
    any sibling headings) by "Vraag Antwoord"; in a part of changes, by a blank line."""
    following = [line.strip() for _, line in lines[i + 1 : i + 8]]
    if in_amend:
        return bool(following) and (
            not following[0] or (len(following) > 1 and len(following[0]) < 40 and not following[1])
        )
    for line in following:
        if _QA_PART.match(line) and "vraag" in line.casefold():
            return True
        if line and not _NUMBERED_HEADING.match(line) and (len(line) > 90 or line.endswith("?")):
            return False
    return False
