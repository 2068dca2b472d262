"""Section detection: labels, numbering, Markdown/plain headings, contents pages, real PDFs."""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.models import PAGE_SEPARATOR, Chunk, Page, SourceDocument
from ingest.readers import read_document
from ingest.sections import (
    KnownEntry,
    parse_contents,
    pdf_headings,
    plausible_next,
    section_label,
    text_headings,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.7.1 Tarieven", ("2.7.1", 3)),
        ("2.2. Duidelijkheid voor meerdere jaren", ("2.2", 2)),
        ("Bijlage 7", ("Bijlage 7", 1)),
        ("Bijlage 7: Tarieven", ("Bijlage 7", 1)),
        ("Artikel 1.2", ("Artikel 1.2", 1)),
        ("artikel 12a lid 3", ("Artikel 12a", 1)),
        ("§ 4.1", ("§ 4.1", 1)),
        ("**Artikel 2.3**", ("Artikel 2.3", 1)),
        ("Hoofdstuk IV", ("Hoofdstuk IV", 1)),
        ("Het contract loopt af", ("", 0)),
        ("", ("", 0)),
    ],
)
def test_section_label(text: str, expected: tuple[str, int]) -> None:
    assert section_label(text) == expected


@pytest.mark.parametrize(
    ("last", "label", "ok"),
    [
        (None, "1", True),
        (None, "0", True),
        (None, "1.1", True),
        (None, "2", False),
        ("2.3", "2.3.1", True),  # first child
        ("2.3", "2.4", True),  # next sibling
        ("2.3", "3", True),  # next chapter
        ("2.3.4", "2.4", True),  # up one level
        ("2.3.4", "3", True),  # up two levels
        ("2.3", "2.5", False),  # skips a number
        ("2.3", "2.3.2", False),  # child must start at 1
        ("2.3", "4", False),
        ("2.3", "1", False),  # a list restarting at 1
        ("2.3", "2.3", False),
    ],
)
def test_plausible_next(last: str | None, label: str, ok: bool) -> None:
    assert plausible_next(last, label) is ok


LAW = """# Aanbestedingswet 2012

### Hoofdstuk 1. Algemene bepalingen

**Artikel 1.1**

In deze wet en de daarop berustende bepalingen wordt verstaan onder:
1. aanbestedende dienst: de staat, een provincie, een gemeente;
2. opdracht: een schriftelijke overeenkomst onder bezwarende titel.

**Artikel 1.2**

1. Deze wet is van toepassing op overheidsopdrachten.
2. Het eerste lid geldt niet voor concessieopdrachten.

### Hoofdstuk 2. Overheidsopdrachten

**Artikel 2.1**

Een aanbestedende dienst past bij het plaatsen van een overheidsopdracht deze wet toe.
"""


def test_text_headings_in_a_markdown_law() -> None:
    headings = text_headings(LAW)
    assert [(h.section, h.title) for h in headings] == [
        ("", "Aanbestedingswet 2012"),
        ("Hoofdstuk 1", "Hoofdstuk 1. Algemene bepalingen"),
        ("Artikel 1.1", "Artikel 1.1"),
        ("Artikel 1.2", "Artikel 1.2"),
        ("Hoofdstuk 2", "Hoofdstuk 2. Overheidsopdrachten"),
        ("Artikel 2.1", "Artikel 2.1"),
    ]
    for h in headings:  # offsets point at the heading's own line
        line = LAW[h.offset :].splitlines()[0]
        assert h.title in line


def test_markdown_articles_become_the_sections_of_chunks() -> None:
    doc = SourceDocument(
        "a" * 32,
        "wet.md",
        "Aanbestedingswet",
        "md",
        (Page(1, LAW),),
        headings=tuple(text_headings(LAW)),
    )
    by_text = {c.section: c.text for c in chunk_document(doc)}
    assert "concessieopdrachten" in by_text["Artikel 1.2"]
    assert "aanbestedende dienst: de staat" in by_text["Artikel 1.1"]
    assert "past bij het plaatsen" in by_text["Artikel 2.1"]


PLAIN = """1 Inleiding
De gemeente koopt ambulante jeugdhulp in. Wij vragen van de aanbieder:
1. Een plan van aanpak
2. Een begroting voor 2025
3. Een verklaring omtrent gedrag
Deze stukken levert u voor 1 maart aan. Het tarief is:
2 uur per week tegen 45 euro
3 Dagen per maand op afroep

2 Werkwijze
De toewijzing volgt binnen vijf werkdagen.
2.1 Toewijzing
De gemeente stuurt een toewijzingsbericht.
2.2 Declaratie
De aanbieder declareert maandelijks.
"""


def test_a_numbered_list_inside_a_paragraph_is_not_a_heading() -> None:
    headings = text_headings(PLAIN)
    assert [h.section for h in headings] == ["1", "2", "2.1", "2.2"]
    assert [h.title for h in headings][1] == "2 Werkwijze"
    assert PLAIN[headings[1].offset :].startswith("2 Werkwijze")


def test_parse_contents_with_wrapped_entries_and_leaders() -> None:
    page = """Inhoudsopgave
Voorwoord 2
1. Inleiding .......... 3
2.7 Zorgaanbieders waarvoor de tariefpercentages niet passend zijn kunnen een beroep
doen op de hardheidsclausule 24
2.8 Lumpsums en budgetten ........ 25
Bijlage 7 Tarieven 52
"""
    entries = parse_contents([page])
    assert [(e.label, e.page) for e in entries] == [
        ("", 2),
        ("1", 3),
        ("2.7", 24),
        ("2.8", 25),
        ("Bijlage 7", 52),
    ]
    by_label = {e.label: e.title for e in entries}
    assert by_label["2.7"] == (
        "Zorgaanbieders waarvoor de tariefpercentages niet passend zijn kunnen een beroep "
        "doen op de hardheidsclausule"
    )
    assert by_label["1"] == "Inleiding"
    assert by_label["2.8"] == "Lumpsums en budgetten"
    assert by_label[""] == "Voorwoord"


def _pages(*texts: str) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(texts), starts


def test_pdf_headings_follow_the_outline_and_reject_lists_and_table_cells() -> None:
    text, starts = _pages(
        "1 Inleiding\nDe gemeente vraagt van u de volgende stukken:\n"
        "1. Een plan van aanpak\n2. Een begroting\n3. Een verklaring omtrent gedrag\n",
        "2 Tarieven\n2.1 Uurtarief\nProduct Eenheid Tarief\n1 Uur 45,00\n2 uur per week\n"
        "3 € 12,50\n2.2 Indexatie\nWe indexeren jaarlijks:\n2.2.1 volgens de OVA,\n",
        # A list item numbered like the next chapter, which the outline does not list:
        "3. Declaratie vindt plaats buiten het berichtenverkeer om\nBijlage 1 Begrippen\n",
    )
    known = [
        KnownEntry("1", "Inleiding", 1),
        KnownEntry("2", "Tarieven", 2),
        KnownEntry("2.1", "Uurtarief", 2),
        KnownEntry("2.2", "Indexatie", 2),
        KnownEntry("Bijlage 1", "Begrippen", 3),
    ]
    headings = pdf_headings(text, starts, known)
    assert [h.section for h in headings] == ["1", "2", "2.1", "2.2", "Bijlage 1"]
    for h in headings:
        assert text[h.offset :].startswith(h.title)


def test_pdf_headings_without_outline_use_plausible_numbering() -> None:
    text, starts = _pages(
        "1 Inleiding\nTekst van de inleiding.\n1.1 Doel\nHet doel.\n"
        "1.3 Overgeslagen nummer\n2 Werkwijze\n2.1 Toewijzing\n"
        "2.1.1 De gemeente stuurt een bericht.\n2.1.1 Aanvraag\n"
    )
    headings = pdf_headings(text, starts, [])
    assert [h.section for h in headings] == ["1", "1.1", "2", "2.1", "2.1.1"]
    assert headings[-1].title == "2.1.1 Aanvraag"  # the sentence ending in "." was no heading
    assert [h.level for h in headings] == [1, 2, 1, 2, 3]


# --- real PDFs from the shared corpus ---------------------------------------------------------

GGZ = "zk_Inkoopbeleid-GGZ-2024-2026.pdf"
SAP = "isd_1.-SAP-Inspanningsgericht-Versie-3.2.b.pdf"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _numeric(label: str) -> tuple[int, ...]:
    return tuple(int(p) for p in label.split("."))


@functools.cache
def _parsed(path: Path) -> tuple[SourceDocument, list[Chunk], list[str]]:
    from helpers_pdf import page_texts

    doc = read_document(path)
    return doc, chunk_document(doc), page_texts(path)


@pytest.fixture
def ggz(shared_corpus: Path) -> tuple[SourceDocument, list[Chunk], list[str]]:
    return _parsed(shared_corpus / "pdf" / GGZ)


@pytest.fixture
def sap(shared_corpus: Path) -> tuple[SourceDocument, list[Chunk], list[str]]:
    return _parsed(shared_corpus / "pdf" / SAP)


def _page_of(doc: SourceDocument, offset: int) -> int:
    return max(i for i, s in enumerate(doc.page_starts, start=1) if s <= offset)


def test_ggz_headings_follow_the_document_order(ggz: tuple) -> None:
    doc, _, _ = ggz
    sections = [h.section for h in doc.headings]
    wanted = ["2.3.2", "2.7", "2.8", "6.8.1", "7.5"]
    positions = [sections.index(s) for s in wanted]
    assert positions == sorted(positions)
    numbered = [_numeric(s) for s in sections if s and s[0].isdigit()]
    assert numbered == sorted(numbered), "numbered headings go forward only"
    assert len(set(numbered)) == len(numbered)
    assert doc.headings[sections.index("2.7")].title.startswith("2.7 Zorgaanbieders")


def test_ggz_contents_pages_are_blank_and_give_no_headings(ggz: tuple) -> None:
    doc, chunks, raw = ggz
    assert "Inhoudsopgave" in raw[4] and "2.7" in raw[4]  # page 5 really is the contents
    assert [doc.pages[i].text for i in (4, 5, 6)] == ["", "", ""]
    assert all(_page_of(doc, h.offset) not in (5, 6, 7) for h in doc.headings)
    assert all(not (c.page <= 7 and c.page_end >= 5) for c in chunks)
    leader = re.compile(r"\s\d{1,3}\s*$")  # a heading copied from the contents ends in a page
    assert not [h.title for h in doc.headings if h.section and leader.search(h.title)]


def test_ggz_pages_are_physical_and_match_pypdf(ggz: tuple) -> None:
    doc, chunks, raw = ggz
    assert [p.number for p in doc.pages] == list(range(1, len(raw) + 1))
    for c in chunks:  # each page's part of a chunk is in pypdf's text of that very page
        cuts = (0, *c.page_breaks, len(c.text))
        for page, (a, b) in enumerate(itertools.pairwise(cuts), start=c.page):
            part = _norm(c.text[a:b])
            assert not part or part in _norm(raw[page - 1]), (c.chunk_id, page, part[:80])


def test_ggz_hardship_clause_chunk_is_cited_as_section_2_7_on_page_24(ggz: tuple) -> None:
    _, chunks, raw = ggz
    phrase = "Heeft de gehanteerde tariefsystematiek een voor uw organisatie onvoorzien"
    [chunk] = [c for c in chunks if phrase in _norm(c.text)]
    assert chunk.section == "2.7" or chunk.section.startswith("2.7.")
    assert chunk.page == 24
    assert _norm(chunk.text) in _norm(raw[23])
    assert phrase not in _norm(raw[22]) and phrase not in _norm(raw[24])


def test_ggz_page_number_lines_are_removed(ggz: tuple) -> None:
    doc, _, raw = ggz
    assert raw[23].split("\n", 1)[0].strip() == "24"  # pypdf sees the page number
    for page in doc.pages:
        lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
        if lines:
            assert not re.fullmatch(r"\d{1,3}", lines[0]), page.number
            assert not re.fullmatch(r"\d{1,3}", lines[-1]), page.number


def test_sap_running_header_and_page_counter_are_removed(sap: tuple) -> None:
    doc, _, raw = sap
    header = "Standaard administratieprotocol, inspanningsgericht, versie 3.2.b"
    assert sum(header in t for t in raw) > 40
    assert not [p.number for p in doc.pages if header in p.text]
    assert not [p.number for p in doc.pages if re.search(rf"^\s*{p.number} / 51\s*$", p.text, re.M)]


def test_sap_without_outline_has_numbered_sections_in_order(sap: tuple) -> None:
    import pypdf

    doc, chunks, _ = sap
    assert not pypdf.PdfReader(doc.source).outline  # the structure comes from the contents page
    numbered = [h.section for h in doc.headings if h.section and h.section[0].isdigit()]
    keys = [_numeric(s) for s in numbered]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), numbered
    for chapter in ["1", "2", "2.1", "2.3.2.1", "3", "3.2.5", "4", "4.6"]:
        assert chapter in numbered
    bijlagen = [h.section for h in doc.headings if h.section.startswith("Bijlage")]
    assert bijlagen[:3] == ["Bijlage 1", "Bijlage 2", "Bijlage 3"]
    assert len(bijlagen) == len(set(bijlagen))
    for h in doc.headings:
        assert h.title[0].isupper() or h.title[0].isdigit(), h.title
        assert not h.title.endswith((":", ";", ",")), h.title
    # The chunk holding the Wlz section is cited as 4.6.
    wlz = next(c for c in chunks if c.heading.startswith("4.6 "))
    assert wlz.section == "4.6" and "Wlz" in wlz.text


# --- Markdown headings numbered by the document's contents --------------------------------------

MD_WITH_CONTENTS = """# Inkoopdocument

# Inhoudsopgave

[Definities 5](about:blank#definities)

[1. Inkopende organisatie 6](about:blank#inkopende-organisatie)

[1.1 Inkopende organisatie 6](about:blank#inkopende-organisatie-1)

[5. Procedure 15](about:blank#procedure)

[5.7 Gestanddoeningstermijn 22](about:blank#gestanddoeningstermijn)

[Bijlage 1: Aan te leveren documenten 24](about:blank#bijlage-1)

# Definities

Begrippen.

# Inkopende organisatie

## Inkopende organisatie

De gemeente koopt in.

# Procedure

## Gestanddoeningstermijn

De inschrijving blijft negentig dagen geldig.

## Niet in de inhoud

Tekst.

# Bijlage 1: Aan te leveren documenten
"""


def test_markdown_headings_take_their_number_from_the_contents() -> None:
    from ingest.sections import markdown_contents, text_headings

    entries = markdown_contents(MD_WITH_CONTENTS)
    assert [e.label for e in entries] == ["", "1", "1.1", "5", "5.7", "Bijlage 1"]
    found = [(h.section, h.title) for h in text_headings(MD_WITH_CONTENTS)]
    assert ("1", "1 Inkopende organisatie") in found
    assert ("1.1", "1.1 Inkopende organisatie") in found  # a repeated title: the next entry
    assert ("5.7", "5.7 Gestanddoeningstermijn") in found
    assert ("Bijlage 1", "Bijlage 1: Aan te leveren documenten") in found
    assert ("", "Definities") in found  # listed without a number
    # a heading the contents does not list is no numbered section of its own
    assert next(s for s, t in found if t == "Niet in de inhoud") in {"", "5.7"}


def test_wmo_tender_document_is_cited_by_paragraph() -> None:
    """corpus/'s Wmo tender document (Markdown without numbered headings) cites "§ 5.7"."""
    path = Path(__file__).resolve().parents[1] / "corpus" / "inkoopdocumenten"
    doc = read_document(path / "Inkoopdocument-Wmo-met-Emvi.md")
    chunks = chunk_document(doc)
    term = [c for c in chunks if "gestanddoeningstermijn" in c.text.lower() and c.section]
    assert {c.section for c in term} >= {"5.7"}
    sections = {c.section for c in chunks}
    assert {"1.2", "2.4.2", "3.3", "5.3.1", "5.8.2", "Bijlage 1"} <= sections
    toelating = SHARED_TEXT / "isd_Inkoopdocument-Wmo-Toelatingsprocedure.md"
    if toelating.is_file():
        numbered = {h.section for h in read_document(toelating).headings if h.section}
        assert {"1.1", "2.1.1", "3.3"} <= numbered and len(numbered) > 30


SHARED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "text"


# --- a numbered heading at the top of a page (no font cues, no outline) ------------------------


def _top_of_page_pdf(folder: Path) -> Path:
    from helpers_pdf import text_pdf

    filler = "De inkopende organisatie beschrijft hier de gang van zaken van deze procedure."
    return text_pdf(
        folder / "zonder-opmaak.pdf",
        [
            ["1 Inleiding", "Dit document beschrijft de aanbesteding van huishoudelijke hulp."]
            + [filler] * 20,
            ["4.2 Sluitingsdatum", "Inschrijven kan tot 1 maart 2026 om 12:00 uur."]
            + [filler] * 20,
            # a list that runs on over a page break: a lower number is no new section
            ["2 Partijen die samen inschrijven", "Ook zij leveren het formulier in."]
            + [filler] * 20,
        ],
    )


def test_a_numbered_line_at_the_top_of_a_page_starts_a_section(tmp_path: Path) -> None:
    doc = read_document(_top_of_page_pdf(tmp_path))
    assert [(h.section, h.title) for h in doc.headings] == [
        ("1", "1 Inleiding"),
        ("4.2", "4.2 Sluitingsdatum"),
    ]
    chunks = chunk_document(doc)
    closing = [c for c in chunks if "1 maart 2026" in c.text]
    assert closing and all(c.section == "4.2" and c.page == 2 for c in closing)
    assert all(c.section == "1" for c in chunks if c.page == 1)
    assert all(c.section == "4.2" for c in chunks if c.page == 3)


def test_a_numbered_line_mid_page_still_needs_a_plausible_number() -> None:
    text, starts = _pages("1 Inleiding\nTekst.\n4.2 Sluitingsdatum\nTekst.\n")
    assert [h.section for h in pdf_headings(text, starts, [])] == ["1"]
