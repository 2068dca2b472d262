"""Metadata read from the text of municipal documents: the seed letters, a real besluitenlijst,
fixtures of other layouts, and documents that state none of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT

from ingest.extract import date_key, extract_metadata, parse_date
from ingest.models import Chunk
from ingest.readers import read_document

SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
WEERT = "weert-rib-2024-03-19-inkoopstrategie-ambulante-jeugdhulp.txt"
MAASGOUW = "maasgouw-rib-Z-24-126291-inkoopstrategie-ambulante-jeugdhulp.txt"
BESLUITENLIJST = SHARED / "corpus" / "pdf" / "ori_Besluitenlijst-raadsvergadering-29-juni-2015.pdf"

RAADSVOORSTEL = """RAADSVOORSTEL

Zaaknummer: 2023-004512
Ons kenmerk : RV/2023/118
Datum: 12-05-2023
Portefeuillehouder: wethouder J. de Vries
Onderwerp: Vaststellen inkoopbeleid sociaal domein 2024

Aan de gemeenteraad van Bergen op Zoom

Voorgesteld besluit
De raad wordt voorgesteld het inkoopbeleid vast te stellen.
"""

COLLEGEBESLUIT = """Collegebesluit
Behandeld door: P. Jansen
Onderwerp: Verlenging contract leerlingenvervoer

Het college van burgemeester en wethouders van 's-Hertogenbosch besluit het contract te verlengen.

's-Hertogenbosch, 3 oktober 2022
"""

LAW = """# Jeugdwet

## Hoofdstuk 1. Algemene bepalingen

Artikel 1.1 In deze wet en de daarop berustende bepalingen wordt verstaan onder: college:
college van burgemeester en wethouders. Op 1 januari 2015 treedt deze wet in werking.
"""


def seed(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path.read_text(encoding="utf-8")


def test_weert_letter() -> None:
    assert extract_metadata(seed(WEERT)) == {
        "gemeente": "Weert",
        "type": "raadsinformatiebrief",
        "datum": "2024-03-19",
        "kenmerk": "2371022/2372380",
        "onderwerp": "Inkoopstrategie Ambulante Jeugdhulp Midden-Limburg",
        "dossier": "inkoopstrategie ambulante jeugdhulp midden limburg",
    }


def test_maasgouw_letter_wrapped_cells_and_college_decision_date() -> None:
    assert extract_metadata(seed(MAASGOUW)) == {
        "gemeente": "Maasgouw",
        "type": "raadsinformatiebrief",
        "datum_besluit": "2024-04-02",  # no date of its own: the decision it reports
        "registratienummer": "Z/24/126291",
        "contactpersoon": "Corrie Luijten",
        "onderwerp": "Inkoopstrategie Ambulante Jeugdhulp Midden-Limburg",
        "portefeuillehouder": "Wilms",
        "dossier": "inkoopstrategie ambulante jeugdhulp midden limburg",
    }


def test_real_besluitenlijst_pdf() -> None:
    if not BESLUITENLIJST.is_file():
        pytest.skip("../shared/corpus is not present")
    doc = read_document(BESLUITENLIJST)
    # the list never names its own municipality in a recognised form: gemeente stays absent,
    # and "onder kenmerk AU15.05274" in a decision is not the document's kenmerk
    assert doc.metadata == {"type": "besluitenlijst", "datum": "2015-06-29"}


def test_raadsvoorstel_layout() -> None:
    assert extract_metadata(RAADSVOORSTEL) == {
        "gemeente": "Bergen op Zoom",
        "type": "raadsvoorstel",
        "datum": "2023-05-12",
        "kenmerk": "RV/2023/118",
        "zaaknummer": "2023-004512",
        "onderwerp": "Vaststellen inkoopbeleid sociaal domein 2024",
        "portefeuillehouder": "wethouder J. de Vries",
        "dossier": "vaststellen inkoopbeleid sociaal domein 2024",
    }


def test_collegebesluit_with_date_at_the_end_and_signature_gemeente() -> None:
    assert extract_metadata(COLLEGEBESLUIT) == {
        "gemeente": "'s-Hertogenbosch",
        "type": "collegebesluit",
        "datum": "2022-10-03",
        "contactpersoon": "P. Jansen",
        "onderwerp": "Verlenging contract leerlingenvervoer",
        "dossier": "verlenging contract leerlingenvervoer",  # the onderwerp, normalised
    }


@pytest.mark.parametrize(
    "text",
    [LAW, "", "Zomaar een tekst zonder briefhoofd.\n\nDe gemeente doet veel.\n"],
)
def test_documents_without_such_data_stay_empty(text: str) -> None:
    meta = extract_metadata(text)
    assert set(meta) <= {"type"}
    assert meta.get("type") in (None, "wet")


def test_a_law_is_typed_but_gets_no_gemeente_or_date() -> None:
    assert extract_metadata(LAW) == {"type": "wet"}


def test_dates() -> None:
    assert parse_date("19 maart 2024") == date(2024, 3, 19)
    assert parse_date("1-1-2026") == date(2026, 1, 1)
    assert parse_date("2024-04-02") == date(2024, 4, 2)
    assert parse_date("31 februari 2024") is None
    assert parse_date("maart") is None
    assert date_key({"datum": "2024-03-19", "datum_besluit": "2024-04-02"}) == 20240319
    assert date_key({"datum_besluit": "2 april 2024"}) == 20240402
    assert date_key({"gemeente": "Weert"}) is None


def test_front_matter_wins_over_extraction(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text("---\ngemeente: Roermond\n---\n" + seed(WEERT), encoding="utf-8")
    meta = read_document(path).metadata
    assert meta["gemeente"] == "Roermond"
    assert meta["kenmerk"] == "2371022/2372380" and meta["datum"] == "2024-03-19"


def test_sidecar_wins_and_title_falls_back_to_onderwerp(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(seed(MAASGOUW), encoding="utf-8")
    doc = read_document(path)
    assert doc.title == "Inkoopstrategie Ambulante Jeugdhulp Midden-Limburg"
    path.with_name("brief.txt.meta.json").write_text('{"type": "rib"}', encoding="utf-8")
    assert read_document(path).metadata["type"] == "rib"


def test_repo_seed_letters_keep_their_front_matter() -> None:
    letters = ROOT / "corpus" / "raadsinformatiebrieven"
    maasgouw = read_document(letters / MAASGOUW).metadata
    assert maasgouw["datum_besluit"] == "2024-04-02" and "datum" not in maasgouw
    assert maasgouw["title"].startswith("Raadsinformatiebrief Maasgouw")
    weert = read_document(letters / WEERT).metadata
    assert (weert["gemeente"], weert["kenmerk"]) == ("Weert", "2371022/2372380")


def test_chunks_carry_a_numeric_date_for_range_filters() -> None:
    chunk = Chunk("c", "d", "s", "t", "x", 1, 1, "", "", 0, 1, 0,
                  metadata={"datum_besluit": "2024-04-02"})  # fmt: skip
    meta = chunk.to_metadata()
    assert meta["datum_int"] == 20240402 and meta["meta_datum_besluit"] == "2024-04-02"
    assert Chunk.from_metadata("c", "x", meta) == chunk
