"""XLSX and CSV attachments: one passage per row, each cell with its column name, so a question
about a row finds that row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from helpers_scan import memory_index

from index.embedders import HashingEmbedder
from index.indexer import Indexer, display_path
from index.retriever import HybridRetriever, RetrievalSettings
from ingest.chunking import ChunkSettings, chunk_document
from ingest.models import Page, SourceDocument
from ingest.readers import read_document
from ingest.tables import cell_text, row_lines

EMBEDDER = HashingEmbedder(64)
SETTINGS = ChunkSettings(target_words=40, max_words=60, overlap_words=5, min_words=10)

QUESTIONS_CSV = (
    "Vragenlijst aanbesteding ambulante jeugdhulp\n"
    "\n"
    "Nr;Document;Vraag;Antwoord\n"
    "1;Bestek;Mag een onderaannemer de begeleiding uitvoeren?;Ja, mits de hoofdaannemer "
    "verantwoordelijk blijft.\n"
    "2;Bijlage 7;Wanneer wordt het uurtarief geïndexeerd?;Jaarlijks per 1 januari.\n"
    '3;Bestek;"Welke certificering is vereist;\nHKZ of ISO?";Een geldig HKZ-certificaat.\n'
)


def price_book(path: Path) -> Path:
    """A workbook with a price sheet (title row, merged category, € and dates) and a Q&A sheet."""
    book = openpyxl.Workbook()
    prices = book.active
    assert prices is not None
    prices.title = "Tarieven 2026"
    prices.append(["Prijzenblad ambulante jeugdhulp"])
    prices.append(["Categorie", "Product", "Eenheid", "Tarief", "Ingangsdatum"])
    rows = [
        ("Begeleiding", "Begeleiding individueel", "uur", 68.4),
        (None, "Begeleiding groep", "dagdeel", 41.15),
        ("Behandeling", "Behandeling individueel", "uur", 102.9),
        ("Vervoer", "Vervoer per rit", "rit", 18.75),
    ]
    for category, product, unit, price in rows:
        prices.append([category, product, unit, price, dt.datetime(2026, 1, 1)])
    prices.merge_cells("A3:A4")  # "Begeleiding" for both begeleiding rows
    for row in prices.iter_rows(min_row=3, min_col=4, max_col=4):
        row[0].number_format = '"€" #,##0.00'
    questions = book.create_sheet("Vragen")
    questions.append(["Nr", "Vraag", "Antwoord"])
    questions.append(
        [1, "Is vervoer inbegrepen in het tarief?", "Nee, vervoer is een apart product."]
    )
    book.save(path)
    return path


def test_a_csv_becomes_one_line_per_row_with_the_column_names(tmp_path: Path) -> None:
    path = tmp_path / "vragen.csv"
    path.write_text(QUESTIONS_CSV, encoding="utf-8")
    doc = read_document(path)
    assert doc.kind == "csv" and len(doc.pages) == 1
    assert doc.pages[0].text.splitlines() == [
        "Vragenlijst aanbesteding ambulante jeugdhulp",
        "Nr: 1; Document: Bestek; Vraag: Mag een onderaannemer de begeleiding uitvoeren?; "
        "Antwoord: Ja, mits de hoofdaannemer verantwoordelijk blijft.",
        "Nr: 2; Document: Bijlage 7; Vraag: Wanneer wordt het uurtarief geïndexeerd?; "
        "Antwoord: Jaarlijks per 1 januari.",
        "Nr: 3; Document: Bestek; Vraag: Welke certificering is vereist; HKZ of ISO?; "
        "Antwoord: Een geldig HKZ-certificaat.",
    ]
    chunks = chunk_document(doc, SETTINGS)
    assert [c.text for c in chunks] == doc.pages[0].text.splitlines()


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_a_csv_from_dutch_excel_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "vragen.csv"
    path.write_bytes(QUESTIONS_CSV.encode(encoding))
    text = read_document(path).pages[0].text
    assert "Vraag: Wanneer wordt het uurtarief geïndexeerd?" in text


def test_an_xlsx_becomes_sheets_of_rows_with_names_values_and_merged_cells(tmp_path: Path) -> None:
    doc = read_document(price_book(tmp_path / "prijzen.xlsx"))
    assert doc.kind == "xlsx"
    assert [(h.section, h.title) for h in doc.headings] == [
        ("Tarieven 2026", "Tabblad Tarieven 2026"),
        ("Vragen", "Tabblad Vragen"),
    ]
    lines = doc.pages[0].text.splitlines()
    assert (
        "Categorie: Begeleiding; Product: Begeleiding groep; Eenheid: dagdeel; "
        "Tarief: € 41,15; Ingangsdatum: 1-1-2026"
    ) in lines
    chunks = chunk_document(doc, SETTINGS)
    assert [c.section for c in chunks] == ["Tarieven 2026"] * 5 + ["Vragen"]
    assert chunks[0].text == "Prijzenblad ambulante jeugdhulp"  # the title row, as it is
    for chunk in chunks[1:]:  # every row passage names its columns
        assert chunk.text.count(": ") >= 3 and "\n" not in chunk.text
    assert chunks[-1].text == (
        "Nr: 1; Vraag: Is vervoer inbegrepen in het tarief?; "
        "Antwoord: Nee, vervoer is een apart product."
    )


def test_a_row_longer_than_a_passage_is_split_and_its_pieces_keep_column_names() -> None:
    cells = [f"Eis {i}" for i in range(1, 9)]
    long_row = [f"{' '.join(['verplicht'] * 12)} nummer {i}" for i in range(1, 9)]
    lines = row_lines([cells, long_row])
    doc = SourceDocument("x", "eisen.csv", "Eisen", "csv", (Page(1, "\n".join(lines)),))
    chunks = chunk_document(doc, SETTINGS)
    assert len(chunks) >= 2
    assert all("Eis " in c.text and ": " in c.text for c in chunks)
    assert all(c.text in doc.full_text for c in chunks)


def test_cell_values_read_as_a_dutch_reader_writes_them() -> None:
    assert cell_text(12.5) == "12,5" and cell_text(1250.0) == "1250"
    assert cell_text(0.21, "0%") == "21%" and cell_text(3.0, "€ #,##0.00") == "€ 3,00"
    assert cell_text(dt.date(2026, 1, 1)) == "1-1-2026" and cell_text(True) == "ja"


def test_rows_of_csv_and_xlsx_are_found_by_a_question_about_them(tmp_path: Path) -> None:
    root = tmp_path / "bijlagen"
    root.mkdir()
    (root / "vragen.csv").write_text(QUESTIONS_CSV, encoding="utf-8")
    price_book(root / "prijzen.xlsx")
    index = memory_index(EMBEDDER, SETTINGS.fingerprint())
    report = Indexer(index, EMBEDDER, SETTINGS).ingest([root], visibility="openbaar")
    assert sorted(report.added) == [
        display_path(root / "prijzen.xlsx"),
        display_path(root / "vragen.csv"),
    ]
    assert report.problems == []
    retriever = HybridRetriever(index, EMBEDDER, RetrievalSettings(dense_weight=0.0))
    best = retriever.search("Wat is het tarief voor behandeling individueel?", k=3)[0].chunk
    assert best.text.startswith("Categorie: Behandeling; Product: Behandeling individueel")
    assert "€ 102,90" in best.text and best.section == "Tarieven 2026"
    best = retriever.search("mag een onderaannemer de begeleiding doen", k=3)[0].chunk
    assert best.source.endswith("vragen.csv") and best.text.startswith("Nr: 1;")
