"""Exporting the nota van inlichtingen: the Markdown (golden file), CSV and DOCX writers, the
anonymising of question texts, and atomic writes.

Regenerate the golden file with INKOOP_UPDATE_GOLDEN=1 after a deliberate change."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from assistant.nvi import export as export_mod
from assistant.nvi.export import (
    CSV_HEADER,
    anonymise,
    dutch_date,
    export,
    md_escape,
    to_markdown,
    where,
    write_csv,
    write_docx,
    write_markdown,
)
from assistant.nvi.models import CONCEPT, ExportMeta, ExportRow, NviError

GOLDEN = Path(__file__).parent / "golden" / "nvi_export.md"

META = ExportMeta(
    name="Jeugdhulp Noord-Limburg 2025",
    date="2025-03-12",
    deadline="2025-04-01T12:00",
    documents="het inkoopdocument en de bijlagen",
)
ROWS = (
    ExportRow(
        nr=1,
        document="Inkoopdocument",
        location="2.7",
        question="Geldt het tarief | per uur of per dagdeel?\nEn geldt dit ook voor *spoedzorg*?",
        answer="Het tarief geldt per uur [1]. Voor spoedzorg geldt hetzelfde uurtarief [2].",
        sources=("Inkoopdocument Jeugdhulp 2025, p. 12, § 2.7", "Bijlage 3 Tarieven, p. 2"),
    ),
    ExportRow(
        nr=2,
        document="",
        location="",
        question="# Mogen wij als [aanbieder] in onderaanneming inschrijven?",
        answer="Ja, mits de hoofdaannemer verantwoordelijk blijft voor de zorg [1].",
        sources=("Inkoopdocument Jeugdhulp 2025, p. 8, § 1.4",),
    ),
    ExportRow(
        nr=3,
        document="Conceptovereenkomst",
        location="artikel 12.3",
        question="=Is de boeteclausule in <artikel 12.3> redelijk?",
        answer="Wij passen de clausule niet aan.",
        status=CONCEPT,
    ),
    ExportRow(
        nr=4,
        document="Bijlage 2 Programma van eisen",
        location="§ 3.1",
        question="Welke eisen gelden voor:\n- de wachttijd;\n- de rapportage?",
        answer="Zie de tabel in § 3.1 [1].\n\nDe rapportage is per kwartaal.",
        sources=("Bijlage 2 Programma van eisen, p. 4, § 3.1",),
    ),
)


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_matches_the_golden_file() -> None:
    text = to_markdown(META, ROWS)
    if os.environ.get("INKOOP_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_markdown_intro_and_blocks() -> None:
    text = to_markdown(META, ROWS)
    assert text.startswith("# Nota van inlichtingen — Jeugdhulp Noord-Limburg 2025\n\n")
    assert "Datum: 12 maart 2025\n" in text
    assert "Uiterste datum van inschrijving: 1 april 2025, 12:00 uur\n" in text
    assert "gaat deze nota voor" in text and "geanonimiseerd" in text
    assert "Deze nota bevat 4 vragen." in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Vraag 1 — Inkoopdocument, § 2.7",
        "## Vraag 2",
        "## Vraag 3 — Conceptovereenkomst, artikel 12.3 (status: concept)",
        "## Vraag 4 — Bijlage 2 Programma van eisen, § 3.1",
    ]
    # Sources are listed under their key; citation keys stay as written in the answer.
    sources = "- [1] Inkoopdocument Jeugdhulp 2025, p. 12, § 2.7\n- [2] Bijlage 3 Tarieven, p. 2"
    assert sources in text
    assert "hetzelfde uurtarief [2]." in text
    assert text.count("**Bronnen:**") == 3  # the concept row has none


def test_markdown_question_cannot_break_the_layout() -> None:
    row = ExportRow(
        nr=7,
        document="Doc | x",
        location="",
        question="## Kop\n| a | b |\n|---|---|\n    code\n[klik](http://x.nl) <script>\n1. lijst",
        answer="**Vet** [1]",
    )
    text = to_markdown(META, [row])
    block = text[text.index("## Vraag 7") :]
    quote = [line for line in block.splitlines() if line.startswith(">")]
    assert quote == [
        "> \\## Kop\\",
        "> \\| a \\| b \\|\\",
        "> \\|---\\|---\\|\\",
        "> code\\",
        "> [klik\\](http://x.nl) \\<script>\\",
        "> 1\\. lijst",
    ]
    assert "## Vraag 7 — Doc \\| x\n" in block
    assert "**Antwoord:** \\*\\*Vet\\*\\* [1]" in block
    assert [line for line in text.splitlines() if line.startswith("#")][1:] == [
        "## Vraag 7 — Doc \\| x"
    ]


def test_markdown_renders_as_intended() -> None:
    """Rendered by a CommonMark parser with GFM tables: no stray structure from provider text."""
    markdown_it = pytest.importorskip("markdown_it")
    hostile = ExportRow(
        nr=5,
        document="",
        location="",
        question="| a | b |\n|---|---|\n[klik](http://x.nl) <script>alert(1)</script>\n- lijst",
        answer="Zie [1].\n[1]: http://x.nl\n    code",
        sources=("Titel_met_underscores <b>, p. 1",),
    )
    html = (
        markdown_it.MarkdownIt("commonmark")
        .enable("table")
        .render(to_markdown(META, [*ROWS, hostile]))
    )
    assert html.count("<h1>") == 1 and html.count("<h2>") == 5
    assert html.count("<blockquote>") == 5 and html.count("<li>") == 5  # sources only
    for tag in ("<table", "<a ", "<script", "<pre", "<em>", "<b>"):
        assert tag not in html
    assert "Geldt het tarief | per uur of per dagdeel?<br />" in html
    assert "<li>[1] Titel_met_underscores &lt;b&gt;, p. 1</li>" in html
    assert "Zie [1].<br />\n[1]: http://x.nl<br />\ncode</p>" in html


def test_md_escape_keeps_citation_keys_and_placeholders() -> None:
    assert md_escape("Zie [1] en [2], gevraagd door [aanbieder].") == (
        "Zie [1] en [2], gevraagd door [aanbieder]."
    )
    assert md_escape("[1]: http://x") == "[1\\]: http://x"
    assert md_escape("a_b & c &amp; d") == "a\\_b & c \\&amp; d"


def test_dutch_dates_and_places() -> None:
    assert dutch_date("2025-12-01") == "1 december 2025"
    assert dutch_date("2025-04-01 09:30") == "1 april 2025, 09:30 uur"
    assert dutch_date("na de schouw") == "na de schouw"
    assert where(ROWS[0]) == "Inkoopdocument, § 2.7"
    assert where(ROWS[1]) == ""
    assert where(ExportRow(1, "", "blz. 4", "v", "a")) == "blz. 4"


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path: Path) -> None:
    path = write_csv(META, ROWS, tmp_path / "nvi.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfnr;document;paragraaf;vraag;antwoord;bronnen;status\r\n")
    with path.open(encoding="utf-8-sig", newline="") as f:
        records = list(csv.reader(f, delimiter=";"))
    assert records[0] == list(CSV_HEADER)
    assert records[1:] == [
        [
            "1",
            "Inkoopdocument",
            "2.7",
            "Geldt het tarief | per uur of per dagdeel?\nEn geldt dit ook voor *spoedzorg*?",
            "Het tarief geldt per uur [1]. Voor spoedzorg geldt hetzelfde uurtarief [2].",
            "Inkoopdocument Jeugdhulp 2025, p. 12, § 2.7 | Bijlage 3 Tarieven, p. 2",
            "definitief",
        ],
        [
            "2",
            "",
            "",
            "# Mogen wij als [aanbieder] in onderaanneming inschrijven?",
            "Ja, mits de hoofdaannemer verantwoordelijk blijft voor de zorg [1].",
            "Inkoopdocument Jeugdhulp 2025, p. 8, § 1.4",
            "definitief",
        ],
        [
            "3",
            "Conceptovereenkomst",
            "artikel 12.3",
            # A leading '=' would run as an Excel formula; the apostrophe keeps it text.
            "'=Is de boeteclausule in <artikel 12.3> redelijk?",
            "Wij passen de clausule niet aan.",
            "",
            "concept",
        ],
        [
            "4",
            "Bijlage 2 Programma van eisen",
            "§ 3.1",
            "Welke eisen gelden voor:\n- de wachttijd;\n- de rapportage?",
            "Zie de tabel in § 3.1 [1].\n\nDe rapportage is per kwartaal.",
            "Bijlage 2 Programma van eisen, p. 4, § 3.1",
            "definitief",
        ],
    ]


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_has_one_table_with_a_row_per_question(tmp_path: Path) -> None:
    path = write_docx(META, ROWS, tmp_path / "nvi.docx")
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Nota van inlichtingen — Jeugdhulp Noord-Limburg 2025"
    title_style = document.paragraphs[0].style
    assert title_style is not None and title_style.name == "Title"
    assert "Datum: 12 maart 2025" in texts
    assert any("gaat deze nota voor" in t for t in texts)
    assert document.core_properties.title == texts[0]

    assert len(document.tables) == 1
    table = document.tables[0]
    assert table.style is not None and table.style.name == "Table Grid"
    assert len(table.rows) == 1 + len(ROWS)
    assert [c.text for c in table.rows[0].cells] == ["Nr.", "Paragraaf", "Vraag", "Antwoord"]
    header_props = table.rows[0]._tr.trPr
    assert header_props is not None
    assert header_props.find(qn("w:tblHeader")) is not None  # repeats on each page

    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [row[0] for row in cells] == ["1", "2", "3", "4"]
    assert [row[1] for row in cells] == [
        "Inkoopdocument, § 2.7",
        "",
        "Conceptovereenkomst, artikel 12.3",
        "Bijlage 2 Programma van eisen, § 3.1",
    ]
    assert cells[0][2] == ROWS[0].question  # the newline survives as a line break
    for row, source in zip(cells, ROWS, strict=True):
        assert source.answer in row[3]
    assert cells[0][3].endswith(
        "Bronnen: [1] Inkoopdocument Jeugdhulp 2025, p. 12, § 2.7; [2] Bijlage 3 Tarieven, p. 2"
    )
    assert cells[1][3].endswith("Bronnen: [1] Inkoopdocument Jeugdhulp 2025, p. 8, § 1.4")
    assert cells[2][3] == "(status: concept)\nWij passen de clausule niet aan."
    assert "Bronnen" not in cells[2][3]

    sources_run = table.rows[1].cells[3].paragraphs[-1].runs[0]
    assert sources_run.italic is True
    assert sources_run.font.size is not None and sources_run.font.size.pt == 8
    marker_run = table.rows[3].cells[3].paragraphs[0].runs[0]
    assert marker_run.text == "(status: concept)" and marker_run.bold is True


def test_docx_survives_control_characters(tmp_path: Path) -> None:
    row = ExportRow(1, "", "", "Vraag\x0bmet\x00tekens", "Antwoord\x0c")
    document = docx.Document(str(write_docx(META, [row], tmp_path / "nvi.docx")))
    assert [c.text for c in document.tables[0].rows[1].cells] == [
        "1",
        "",
        "Vraag met tekens",
        "Antwoord",
    ]


# --- anonymising -------------------------------------------------------------------------------

PROVIDERS = ["Zorg Noord B.V.", "Stichting De Brug", "Zorg Noord West", "AB"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wij van ZORG NOORD vragen:", "Wij van [aanbieder] vragen:"),
        ("zorg noord b.v. en Zorg Noord BV", "[aanbieder] en [aanbieder]"),
        # The longest name wins: no "[aanbieder] West".
        ("Namens Zorg Noord West:", "Namens [aanbieder]:"),
        ("De Brug's aanbod en stichting de brug", "[aanbieder] aanbod en [aanbieder]"),
        # Part of another word: untouched.
        ("Een zorgnoordelijke brugfunctie", "Een zorgnoordelijke brugfunctie"),
        # Names under three characters are ignored.
        ("AB-test en ab", "AB-test en ab"),
        (
            "Groet, Piet (piet.jansen@zorgnoord.nl, 06-12345678)",
            "Groet, Piet ([verwijderd], [verwijderd])",
        ),
        (
            "Bel +31 (0)20 123 45 67, 0031 6 1234 5678 of (0475) 12 34 56.",
            "Bel [verwijderd], [verwijderd] of [verwijderd].",
        ),
        # Dates, years and short numbers are not phone numbers.
        (
            "Uiterlijk 01-04-2025 12:00 uur, looptijd 2024-2026, KvK 12345678.",
            "Uiterlijk 01-04-2025 12:00 uur, looptijd 2024-2026, KvK 12345678.",
        ),
    ],
)
def test_anonymise(text: str, expected: str) -> None:
    assert anonymise(text, PROVIDERS) == expected


def test_anonymise_without_providers_still_removes_contact_details() -> None:
    text = "Zorg Noord vraagt: mail info@zorg-noord.nl of bel 020-1234567."
    assert anonymise(text, []) == "Zorg Noord vraagt: mail [verwijderd] of bel [verwijderd]."
    assert anonymise("Geen namen.", ["", "  ", "x"]) == "Geen namen."


# --- dispatch and atomic writes ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "md", "csv", "MD", ".csv"])
def test_export_writes_the_file_and_no_temp_files(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "nieuw" / "map"
    path = folder / f"nvi.{fmt.strip('.').lower()}"
    path.parent.mkdir(parents=True)
    path.write_text("oud", encoding="utf-8")
    assert export(META, ROWS, fmt, path) == path
    assert [p.name for p in folder.iterdir()] == [path.name]
    assert path.read_bytes() != b"oud"
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_writers_create_the_parent_folder(tmp_path: Path) -> None:
    path = write_markdown(META, ROWS, tmp_path / "a" / "b" / "nvi.md")
    assert path.read_text(encoding="utf-8") == to_markdown(META, ROWS)


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NviError, match=r"Onbekend exportformaat 'pdf'.*docx, md, csv"):
        export(META, ROWS, "pdf", tmp_path / "nvi.pdf")
    assert list(tmp_path.iterdir()) == []


def test_csv_failure_midway_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nvi.csv"
    path.write_text("oude export", encoding="utf-8")
    record = export_mod._csv_record

    def failing_record(row: ExportRow) -> list[str]:
        if row.nr == 3:  # the header and two rows are already in the temp file
            raise RuntimeError("schijf vol")
        return record(row)

    monkeypatch.setattr(export_mod, "_csv_record", failing_record)
    with pytest.raises(RuntimeError, match="schijf vol"):
        write_csv(META, ROWS, path)
    assert path.read_text(encoding="utf-8") == "oude export"
    assert [p.name for p in tmp_path.iterdir()] == ["nvi.csv"]


def test_docx_failure_midway_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nvi.docx"
    path.write_bytes(b"oude export")
    seen: list[str] = []

    def half_save(self: DocxDocument, target: str) -> None:
        seen.append(target)
        Path(target).write_bytes(b"PK\x03\x04 half")
        raise OSError("schijf vol")

    monkeypatch.setattr(DocxDocument, "save", half_save)
    with pytest.raises(OSError, match="schijf vol"):
        write_docx(META, ROWS, path)
    assert len(seen) == 1 and Path(seen[0]).parent == tmp_path and seen[0] != str(path)
    assert path.read_bytes() == b"oude export"
    assert [p.name for p in tmp_path.iterdir()] == ["nvi.docx"]
