"""The NvI question importer on real CSV, XLSX and DOCX files built in tmp_path."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from assistant.nvi.importer import parse_columns, read_questions
from assistant.nvi.models import ImportedQuestion, ImportProblem, NviError

HEADER = ["Nr.", "Document", "Paragraaf", "Vraag", "Aanbieder"]
ROWS = [
    ["1", "Bestek", "2.3", "Hoe vaak wordt het tarief geïndexeerd?", "Zorg BV"],
    ["2", "Concept-overeenkomst", "4.1", "Mag de onderaannemer, zonder toestemming, wisselen?", ""],
]


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ";", encoding: str = "utf-8"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merges: tuple[str, ...] = ()):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(r, c, value)
    for merge in merges:  # merges apply to the first sheet
        workbook.worksheets[0].merge_cells(merge)
    workbook.save(path)
    return path


def add_table(document: Any, rows: list[list[str]]) -> Any:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    return table


def texts(result: Any) -> list[str]:
    return [q.text for q in result.questions]


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = write_csv(tmp_path / "vragen.csv", [HEADER, *ROWS], delimiter)
    result = read_questions(path)
    assert result.questions == (
        ImportedQuestion(2, ROWS[0][3], "1", "Bestek", "2.3", "Zorg BV"),
        ImportedQuestion(3, ROWS[1][3], "2", "Concept-overeenkomst", "4.1", ""),
    )
    assert result.columns == {
        "nr": "Nr.", "document": "Document", "location": "Paragraaf", "text": "Vraag",
        "provider": "Aanbieder",
    }  # fmt: skip
    assert result.problems == () and result.empty_rows == 0 and result.notes == ()


def test_csv_utf8_bom_and_quoted_newlines(tmp_path: Path) -> None:
    question = "Eerste alinea  met   spaties.\r\n\r\n  Tweede alinea: geldt dit ook voor ë?"
    path = write_csv(
        tmp_path / "vragen.csv", [["Nr", "Vraag"], ["7", question], ["8", "Kort"]],
        encoding="utf-8-sig",
    )  # fmt: skip
    result = read_questions(path)
    assert result.columns == {"nr": "Nr", "text": "Vraag"}  # the BOM is not part of "Nr"
    assert texts(result) == [
        "Eerste alinea met spaties.\nTweede alinea: geldt dit ook voor ë?",
        "Kort",
    ]
    # A quoted newline stays inside its record: the next question is on spreadsheet row 3.
    assert [(q.row, q.nr) for q in result.questions] == [(2, "7"), (3, "8")]


def test_csv_windows_1252_is_read_with_a_note(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "vragen.csv", [["Nr", "Vraag"], ["1", "Is het café-tarief geïndexeerd?"]],
        encoding="cp1252",
    )  # fmt: skip
    result = read_questions(path)
    assert texts(result) == ["Is het café-tarief geïndexeerd?"]
    assert result.notes == ("gelezen als Windows-1252",)


def test_txt_utf16_with_bom_is_read(tmp_path: Path) -> None:
    # What Excel writes for "Unicode-tekst": UTF-16 LE with a BOM, tab-separated, in a .txt.
    path = write_csv(
        tmp_path / "vragen.txt", [["Vraag", "Organisatie"], ["Wat betekent € 5,00 per uur?", "Ñu"]],
        delimiter="\t", encoding="utf-16",
    )  # fmt: skip
    result = read_questions(path)
    assert result.questions == (ImportedQuestion(2, "Wat betekent € 5,00 per uur?", provider="Ñu"),)
    assert result.notes == ()


@pytest.mark.parametrize(
    "data",
    [
        b"Nr;Vraag\n1;\x00\x00\x01\x02\xff\xfe\x00zip",  # not UTF-8, control characters
        b"Nr;Vraag\n1;\x00\x00\x01\x02",  # valid UTF-8, but NUL bytes
        "Nr;Vraag".encode("utf-16-le"),  # UTF-16 without a BOM
    ],
)
def test_binary_with_nul_bytes_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "vragen.csv"
    path.write_bytes(data)
    with pytest.raises(NviError, match="kan de tekens niet lezen; sla het bestand op als CSV"):
        read_questions(path)


def test_explicit_encoding_that_fails_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "vragen.csv"
    path.write_bytes("Nr;Vraag\n1;Goed\n2;Café\n".encode("cp1252"))
    with pytest.raises(NviError, match=r"regel 3 is niet te lezen als utf-8"):
        read_questions(path, encoding="utf-8")
    assert texts(read_questions(path, encoding="cp1252")) == ["Goed", "Café"]


def test_header_below_title_rows(tmp_path: Path) -> None:
    rows = [
        ["Nota van inlichtingen Jeugdhulp 2026", "", ""],
        ["Vragen en antwoorden, ronde 1", "", ""],
        ["", "", ""],
        ["Volgnummer", "Paragraaf / pagina", "Vraag aanbieder"],
        ["1", "3.2 / p. 14", "Geldt de looptijd voor bestaande cliënten?"],
    ]
    result = read_questions(write_csv(tmp_path / "vragen.csv", rows))
    assert result.columns == {
        "nr": "Volgnummer", "location": "Paragraaf / pagina", "text": "Vraag aanbieder",
    }  # fmt: skip
    assert result.questions == (
        ImportedQuestion(5, "Geldt de looptijd voor bestaande cliënten?", "1", "", "3.2 / p. 14"),
    )
    assert result.empty_rows == 0  # blank rows above the header are not counted


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["#", "Vraag"], {"nr": "#", "text": "Vraag"}),
        (["Vraagnummer", "Vragen"], {"nr": "Vraagnummer", "text": "Vragen"}),
        (["Nr. van de vraag", "Question"], {"nr": "Nr. van de vraag", "text": "Question"}),
        (["Paginanummer", "Vraagtekst"], {"location": "Paginanummer", "text": "Vraagtekst"}),
        (["KvK-nummer", "Naam aanbieder", "Vraag"],
         {"provider": "Naam aanbieder", "text": "Vraag"}),
        (["Zorgaanbieder", "Vraag", "Antwoord gemeente"],
         {"provider": "Zorgaanbieder", "text": "Vraag", "answer": "Antwoord gemeente"}),
        (["VRAAG", "Toelichting op de vraag"], {"text": "VRAAG"}),
        (["Inschrijver", "Blz.", "Artikel", "Vraag"],
         {"provider": "Inschrijver", "location": "Blz. + Artikel", "text": "Vraag"}),
    ],
)  # fmt: skip
def test_header_synonyms(tmp_path: Path, header: list[str], expected: dict[str, str]) -> None:
    row = ["x"] * len(header)
    result = read_questions(write_csv(tmp_path / "vragen.csv", [header, row]))
    assert result.columns == expected


def test_paragraph_and_page_columns_are_joined(tmp_path: Path) -> None:
    rows = [
        ["Nr", "Paragraaf", "Pagina", "Vraag"],
        ["1", "2.7", "12", "Eerste?"],
        ["2", "", "13", "Tweede?"],
        ["3", "Bijlage B", "", "Derde?"],
    ]
    result = read_questions(write_csv(tmp_path / "vragen.csv", rows))
    assert [q.location for q in result.questions] == ["§ 2.7, p. 12", "p. 13", "Bijlage B"]
    assert result.columns["location"] == "Paragraaf + Pagina"


def test_empty_rows_are_counted_and_a_row_without_question_is_a_problem(tmp_path: Path) -> None:
    rows = [
        ["Nr", "Paragraaf", "Vraag"],
        ["1", "2.1", "Eerste vraag?"],
        ["", "", ""],
        ["2", "3.4", "   "],
        ["", "", ""],
        ["", "", ""],
        ["3", "", "Derde vraag?"],
        ["", "", ""],  # trailing blank rows are not counted
        ["", "", ""],
    ]
    result = read_questions(write_csv(tmp_path / "vragen.csv", rows))
    assert [(q.row, q.nr, q.text) for q in result.questions] == [
        (2, "1", "Eerste vraag?"), (7, "3", "Derde vraag?")
    ]  # fmt: skip
    assert result.empty_rows == 3
    assert result.problems == (
        ImportProblem(4, "rij 4: geen vraag in kolom 'Vraag' (nummer 2, paragraaf 3.4); "
                         "rij overgeslagen."),
    )  # fmt: skip


def test_header_without_questions_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "vragen.csv", [["Nr", "Vraag"], ["1", ""], ["", ""]])
    with pytest.raises(NviError, match="geen vragen gevonden onder de kolomkop 'Vraag'; 1 rijen"):
        read_questions(path)


def test_missing_question_column_lists_the_headers(tmp_path: Path) -> None:
    rows = [["Nr", "Onderwerp", "Omschrijving"], ["1", "Tarief", "Hoe wordt geïndexeerd?"]]
    with pytest.raises(NviError) as caught:
        read_questions(write_csv(tmp_path / "vragen.csv", rows))
    message = str(caught.value)
    assert "geen kolom met de vragen gevonden" in message
    assert "'Nr', 'Onderwerp', 'Omschrijving'" in message
    # The suggestion names the unrecognised column with the most text under it.
    assert '--columns vraag="Omschrijving"' in message


# --- explicit mapping ---------------------------------------------------------------------------

ENGLISH = [["No", "Section", "Question", "Remark"], ["4", "1.2", "Is a quote needed?", "none"]]


@pytest.mark.parametrize(
    "columns",
    [
        {"text": "Question", "nr": "No"},
        {"vraag": "question", "nummer": "NO."},  # Dutch field names; headers match loosely
        parse_columns(["vraag=Question", "nr = No"]),
    ],
)
def test_explicit_mapping(tmp_path: Path, columns: dict[str, str]) -> None:
    result = read_questions(write_csv(tmp_path / "q.csv", ENGLISH, ","), columns=columns)
    assert result.questions == (ImportedQuestion(2, "Is a quote needed?", "4", location="1.2"),)
    assert result.columns["text"] == "Question" and result.columns["nr"] == "No"


def test_explicit_mapping_overrides_detection(tmp_path: Path) -> None:
    rows = [["Nr", "Vraag", "Toelichting"], ["1", "Kort?", "Lange uitleg bij de vraag"]]
    result = read_questions(write_csv(tmp_path / "v.csv", rows), columns={"vraag": "Toelichting"})
    assert texts(result) == ["Lange uitleg bij de vraag"]
    assert result.columns == {"nr": "Nr", "text": "Toelichting"}


def test_bad_mapping(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "q.csv", ENGLISH, ",")
    with pytest.raises(NviError, match=r"Onbekend veld 'onderwerp'.*vraag, nummer, document"):
        read_questions(path, columns={"onderwerp": "Question"})
    with pytest.raises(NviError) as caught:
        read_questions(path, columns={"vraag": "Vraagtekst"})
    assert "kolom 'Vraagtekst' niet gevonden" in str(caught.value)
    assert "'No', 'Section', 'Question', 'Remark'" in str(caught.value)
    with pytest.raises(NviError, match="geen kolomkoppeling"):
        parse_columns(["vraag"])


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_title_row_merged_cells_and_numbers(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Nota van inlichtingen Wmo", None, None, None],
        [None, None, None, None],
        ["Vraag nr.", "Document", "Pagina", "Vraag"],
        [1, "Bestek", 12, "Wat is de\nlooptijd?"],
        [2, None, 2.5, "Mag   ik\n\n\nonderaannemen?"],  # Document merged from the row above
        ["Hoofdstuk 2: Tarieven", None, None, None],  # a group heading across the table
        [3, "Tarieven", None, "Wordt er\tgeïndexeerd?"],
        [None, None, None, None],
        [None, None, None, "Vraag zonder nummer"],
    ]
    path = write_xlsx(tmp_path / "vragen.xlsx", {"Vragen": rows}, ("A1:D1", "B4:B5", "A6:D6"))
    result = read_questions(path)
    assert [(q.row, q.nr, q.document, q.location, q.text) for q in result.questions] == [
        (4, "1", "Bestek", "12", "Wat is de\nlooptijd?"),
        (5, "2", "Bestek", "2.5", "Mag ik\nonderaannemen?"),
        (7, "3", "Tarieven", "", "Wordt er geïndexeerd?"),
        (9, "", "", "", "Vraag zonder nummer"),
    ]
    assert result.empty_rows == 1 and result.problems == ()


def test_xlsx_float_cells_become_plain_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "v.xlsx", {"Blad1": [["Nr", "Vraag"], [3, "Drie?"], [41, "?"]]})
    # openpyxl writes 3 as "3"; Excel and other tools may write "3.0" or "4.1E1".
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = (
        parts[sheet].replace(b"<v>3</v>", b"<v>3.0</v>").replace(b"<v>41</v>", b"<v>4.1E1</v>")
    )
    assert b"<v>3.0</v>" in parts[sheet] and b"<v>4.1E1</v>" in parts[sheet]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    result = read_questions(path)
    assert [(q.nr, q.text) for q in result.questions] == [("3", "Drie?"), ("41", "?")]


def test_xlsx_reads_the_first_sheet_with_questions(tmp_path: Path) -> None:
    sheets: dict[str, list[list[Any]]] = {
        "Toelichting": [["Vul per rij één vraag in."], ["Gebruik geen samengevoegde cellen."]],
        "Vragen": [["Nr", "Vraag"], [1, "Eerste?"]],
        "Oud": [["Nr", "Vraag"], [1, "Oude vraag?"]],
    }
    result = read_questions(write_xlsx(tmp_path / "vragen.xlsx", sheets))
    assert texts(result) == ["Eerste?"]
    assert result.notes == (
        "tabblad 'Oud' is niet gelezen: alleen tabblad 'Vragen' is gebruikt.",
        "vragen gelezen van tabblad 'Vragen'",
    )


# --- DOCX ---------------------------------------------------------------------------------------


def test_docx_single_table(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Vragenformulier aanbesteding Jeugdhulp")
    add_table(document, [
        ["Nr.", "Paragraaf", "Vraag"],
        ["1", "2.4", "Eerste regel.\nTweede regel."],
        ["2", "5.1", "Wat is een  ‘spoedplaatsing’?"],
    ])  # fmt: skip
    document.save(str(tmp_path / "vragen.docx"))
    result = read_questions(tmp_path / "vragen.docx")
    assert result.questions == (
        ImportedQuestion(2, "Eerste regel.\nTweede regel.", "1", location="2.4"),
        ImportedQuestion(3, "Wat is een ‘spoedplaatsing’?", "2", location="5.1"),
    )


def test_docx_tables_with_the_same_layout_are_joined(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    add_table(document, [["Kenmerk", "Datum"], ["2025-017", "1 maart 2025"]])  # unrelated
    document.add_heading("Vragen over het bestek", level=1)
    add_table(document, [["Nr", "Vraag", "Aanbieder"], ["1", "Eerste?", "A"], ["2", "", "B"]])
    document.add_heading("Vragen over de overeenkomst", level=1)
    add_table(document, [["NR.", "vraag", "aanbieder"], ["3", "Derde?", "C"]])
    add_table(document, [["Vraag", "Antwoord"], ["Andere indeling?", "Ja"]])
    document.save(str(tmp_path / "vragen.docx"))
    result = read_questions(tmp_path / "vragen.docx")
    assert [(q.nr, q.text, q.provider, q.row) for q in result.questions] == [
        ("1", "Eerste?", "A", 4),
        ("3", "Derde?", "C", 7),  # rows run on over all tables: 2 + 3 + 2
    ]
    assert result.problems == (
        ImportProblem(5, "tabel 2, rij 3: geen vraag in kolom 'Vraag' (nummer 2); "
                         "rij overgeslagen."),
    )  # fmt: skip
    assert result.notes == (
        "tabel 4 is niet gelezen: alleen tabel 2 is gebruikt.",
        "vragen uit 2 tabellen samengevoegd",
    )


def test_docx_nvi_table_with_answers_and_group_rows(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = add_table(document, [
        ["Nota van inlichtingen", "", ""],
        ["Paragraaf", "Vraag", "Antwoord"],
        ["Bestek", "", ""],
        ["3.1", "Is een VOG verplicht?", "Ja, voor alle medewerkers.\nZie ook 3.4."],
        ["", "Mag een ZZP'er inschrijven?", ""],
    ])  # fmt: skip
    title, group = table.rows[0].cells, table.rows[2].cells
    title[0].merge(title[2]).text = "Nota van inlichtingen"
    group[0].merge(group[2]).text = "Bestek"
    document.save(str(tmp_path / "nvi.docx"))
    result = read_questions(tmp_path / "nvi.docx")
    assert result.questions == (
        ImportedQuestion(4, "Is een VOG verplicht?", location="3.1",
                         answer="Ja, voor alle medewerkers.\nZie ook 3.4."),
        ImportedQuestion(5, "Mag een ZZP'er inschrijven?"),
    )  # fmt: skip
    assert result.columns == {"location": "Paragraaf", "text": "Vraag", "answer": "Antwoord"}
    assert result.problems == ()


# --- files that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("vragen.xlsx", "vragen.xlsx is geen geldig Excel-bestand"),
        ("vragen.docx", "vragen.docx is geen geldig Word-bestand"),
    ],
)
def test_corrupt_office_files(tmp_path: Path, name: str, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(NviError, match=match):
        read_questions(path)
    path.write_bytes(b"Nr;Vraag\n1;Dit is eigenlijk een CSV\n")
    with pytest.raises(NviError, match=match):
        read_questions(path)


def test_zero_bytes_unsupported_suffix_and_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "vragen.csv"
    empty.write_bytes(b"")
    with pytest.raises(NviError, match=r"vragen.csv is leeg \(0 bytes\)"):
        read_questions(empty)
    pdf = tmp_path / "vragen.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    with pytest.raises(NviError, match=r"niet ondersteund; gebruik \.csv, \.txt, \.xlsx, \.docx"):
        read_questions(pdf)
    with pytest.raises(NviError, match=r"Sla het op als \.xlsx"):
        read_questions(tmp_path / "oud.xls")
    with pytest.raises(NviError, match="bestand niet gevonden"):
        read_questions(tmp_path / "weg.csv")


def test_docx_without_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("1. Wat is de looptijd?")
    document.save(str(tmp_path / "vragen.docx"))
    with pytest.raises(NviError, match="bevat geen tabel"):
        read_questions(tmp_path / "vragen.docx")
