"""The staff page: NvI handlers on a real index, access control, and the chat's inbox."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers_app import running_staff_page
from test_nvi_workbench import INTERN_NOTE, QUESTIONS, TENDER

from assistant.nvi.answers import ConflictError
from assistant.nvi.models import NviError
from assistant.nvi.store import NviStore
from assistant.nvi.workbench import Workbench, store_path
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.chat import respond
from assistant.ui.staff import StaffPage, parse_numbers
from assistant.ui.staff_launch import StaffAccessError, staff_auth


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("staff")
    (root / "inkoopdocument.md").write_text(TENDER, encoding="utf-8")
    (root / "interne-notitie.md").write_text(INTERN_NOTE, encoding="utf-8")
    a = Assistant(Settings(data_dir=root / "data", embedding_model="hashing"))
    a.ingest([root / "inkoopdocument.md", root / "interne-notitie.md"])
    return a


@pytest.fixture
def page(assistant: Assistant, tmp_path: Path) -> StaffPage:
    bench = Workbench(NviStore(tmp_path / "nvi.sqlite3"), lambda: assistant)
    return StaffPage(bench, tmp_path / "exports")


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "gradio-upload" / "vragen aanbieders.csv"
    path.parent.mkdir()
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Nr.", "Aanbieder", "Paragraaf", "Vraag"])
        w.writerows(QUESTIONS)
    return path


def test_a_staff_member_goes_from_upload_to_download(page: StaffPage, upload: Path) -> None:
    message, names = page.create("Jeugdhulp 2026", "*inkoopdocument*", "2026-01-15")
    assert names == ["Jeugdhulp 2026"]
    assert "5 vragen geïmporteerd uit vragen aanbieders.csv" in page.import_file(
        "Jeugdhulp 2026", str(upload), ""
    )
    assert page.cluster("Jeugdhulp 2026").startswith("1 vraag bij een gelijke vraag gezet")
    assert page.draft("Jeugdhulp 2026").startswith(
        "3 met een concept met bronnen, 1 zonder antwoord in de stukken"
    )
    table = page.table("Jeugdhulp 2026")
    assert [row[0] for row in table] == ["1, 2", "3", "4", "5"]
    assert table[3][4].startswith("Beleidsvraag")

    overview, answer, status, version, _ = page.load("Jeugdhulp 2026", 3)
    assert "78,50 euro" in answer
    assert status == "concept"
    assert "Bronnen van het concept" in overview and "Inkoopdocument" in overview
    saved, new_version = page.save("Jeugdhulp 2026", 3, answer, "definitief", "Anna", version)
    assert "definitief" in saved and new_version == version + 1
    with pytest.raises(ConflictError, match="intussen gewijzigd door Anna"):
        page.save("Jeugdhulp 2026", 3, "Ander antwoord", "concept", "Bram", version)

    path, message = page.export("Jeugdhulp 2026", "docx", False)
    assert message == "1 vraag geëxporteerd (docx)."
    exported = Path(path)
    assert exported.is_file() and exported.name == "NvI-Jeugdhulp-2026.docx"
    assert exported.is_relative_to(page.export_dir)


def test_merge_split_and_numbers(page: StaffPage, upload: Path) -> None:
    page.create("P", "", "")
    page.import_file("P", str(upload), "")
    assert page.merge("P", "3, 4 en 5", "Anna") == "Samen beantwoord: vragen 3, 4, 5."
    assert page.split("P", 4, "Anna") == "Vraag 4 wordt apart beantwoord."
    assert [row[0] for row in page.table("P")] == ["1", "2", "3, 5", "4"]
    assert parse_numbers("3;7, 12") == [3, 7, 12]
    with pytest.raises(NviError, match="vraagnummers"):
        parse_numbers("drie")


def test_bad_uploads_and_missing_choices_get_dutch_errors(
    page: StaffPage, upload: Path, tmp_path: Path
) -> None:
    with pytest.raises(NviError, match="Kies eerst een NvI-project"):
        page.import_file("", str(upload), "")
    page.create("P", "", "")
    with pytest.raises(NviError, match="Kies een bestand"):
        page.import_file("P", None, "")
    script = tmp_path / "vragen.exe"
    script.write_bytes(b"MZ\x00\x00")
    with pytest.raises(NviError, match="Alleen CSV-, XLSX- en DOCX-bestanden"):
        page.import_file("P", str(script), "")
    with pytest.raises(NviError, match="geen kolomkoppeling"):
        page.import_file("P", str(upload), "vraag")
    with pytest.raises(NviError, match="geen definitieve antwoorden"):
        page.export("P", "md", False)


def test_an_export_name_cannot_leave_the_export_folder(page: StaffPage, upload: Path) -> None:
    page.create("../../etc/passwd", "", "")
    page.import_file("../../etc/passwd", str(upload), "")
    path, _ = page.export("../../etc/passwd", "md", True)
    assert Path(path).resolve().is_relative_to(page.export_dir.resolve())
    assert Path(path).name == "NvI-etc-passwd.md"


def test_the_staff_page_needs_a_password_off_loopback() -> None:
    assert staff_auth("127.0.0.1", None) is None
    with pytest.raises(StaffAccessError, match="INKOOP_STAFF_PASSWORD"):
        staff_auth("0.0.0.0", None)
    check = staff_auth("0.0.0.0", "geheim")
    assert check is not None
    assert check("Anna", "geheim")
    assert not check("Anna", "fout")
    assert not check(" ", "geheim")  # a name is needed: it goes into the history


@pytest.fixture
def staff_url(assistant: Assistant, tmp_path: Path) -> Iterator[str]:
    bench = Workbench(NviStore(store_path(tmp_path)), lambda: assistant)
    with running_staff_page(bench, tmp_path, None, "geheim") as url:
        yield url.rstrip("/")


def test_the_served_staff_page_asks_for_the_password(staff_url: str) -> None:
    with httpx.Client(base_url=staff_url, timeout=10) as client:
        assert client.get("/config").status_code == 401
        refused = client.post("/login", data={"username": "Anna", "password": "fout"})
        assert refused.status_code == 400
        assert client.post("/login", data={"username": "Anna", "password": "geheim"}).is_success
        config = client.get("/config")
        assert config.status_code == 200
        assert "NvI-werkbank" in config.text


def test_refused_provider_questions_land_in_the_inbox(assistant: Assistant, tmp_path: Path) -> None:
    store = NviStore(tmp_path / "nvi.sqlite3")
    respond(assistant, {}, "Wat is de hoofdstad van Frankrijk?", [], inbox=store.add_candidate)
    respond(assistant, {}, "Wanneer sluit de inschrijving?", [], inbox=store.add_candidate)
    assert [c.question for c in store.candidates()] == ["Wat is de hoofdstad van Frankrijk?"]

    def broken(question: str) -> None:
        raise OSError("disk full")

    _, history, _ = respond(assistant, {}, "Wat is de hoofdstad van Italië?", [], inbox=broken)
    assert "staat niet in de documenten" in history[-1]["content"]


def test_uploads_over_the_size_limit_are_refused(
    staff_url: str, page: StaffPage, tmp_path: Path
) -> None:
    with httpx.Client(base_url=staff_url, timeout=30) as client:
        client.post("/login", data={"username": "Anna", "password": "geheim"})
        small = client.post(
            "/gradio_api/upload", files={"files": ("vragen.csv", b"Nr;Vraag\n1;Mag dat?\n")}
        )
        assert small.status_code == 200, small.text
    # documents may be larger than a questions file: the handler holds the 5 MB
    big = tmp_path / "groot.csv"
    big.write_bytes(b"Nr;Vraag\n" + b"1;" + b"x" * (6 * 1024 * 1024) + b"\n")
    page.create("Groot", "", "")
    with pytest.raises(NviError, match="hoogstens 5 MB"):
        page.import_file("Groot", str(big), "")
