"""Tender packages: a ZIP is ingested as its files (folders, a nested ZIP one level deep), each
with source `package.zip/inner/path`; re-ingesting is a no-op, a changed file replaces only its
document, `--prune` keeps what is still in the ZIP; zip bombs and path traversal are rejected
with a reason and nothing of such an archive is indexed."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from helpers_files import CORE, FIXED, FIXED_ISO, FIXED_PDF_DATE, saved, zip_bytes
from helpers_scan import LETTER, memory_index, render

from index.embedders import HashingEmbedder
from index.indexer import Indexer, IngestReport, display_path
from index.retriever import HybridRetriever, RetrievalSettings
from index.store import VectorIndex
from ingest import archives
from ingest.chunking import ChunkSettings
from ingest.ocr import ocr_status

EMBEDDER = HashingEmbedder(64)
SETTINGS = ChunkSettings(target_words=40, max_words=60, overlap_words=5, min_words=10)

EISEN = (
    "De opdrachtnemer levert ambulante jeugdhulp binnen vijf werkdagen na de aanmelding. "
    "Iedere medewerker beschikt over een SKJ-registratie en een verklaring omtrent gedrag."
)
NVI = "# Nota van inlichtingen 2\n\nVraag 4: Is de termijn van vijf werkdagen haalbaar? Ja.\n"
REGELS = "# Regeling\n\nDe klachtenregeling van de aanbieder is openbaar en vindbaar.\n"


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("Programma van eisen", 1)
    document.add_paragraph(text)
    return saved(document)


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Product", "Eenheid", "Tarief"])
    sheet.append(["Begeleiding individueel", "uur", 68.4])
    sheet.append(["Dagbesteding", "dagdeel", 52.1])
    return saved(book)  # openpyxl stamps the clock as "modified": saved() pins it


def scan_bytes() -> bytes:
    out = io.BytesIO()
    render(LETTER).save(
        out, "PDF", resolution=300.0, creationDate=FIXED_PDF_DATE, modDate=FIXED_PDF_DATE
    )
    return out.getvalue()


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zip_bytes(members))
    return path


def package(eisen: str = EISEN, with_scan: bool = False) -> dict[str, bytes]:
    members = {
        "Aanbesteding/Bijlagen/programma-van-eisen.docx": docx_bytes(eisen),
        "Aanbesteding/Bijlagen/prijzen.xlsx": xlsx_bytes(),
        "Aanbesteding/nvi.zip": zip_bytes({"nvi-2.md": NVI.encode()}),
        "__MACOSX/Aanbesteding/._prijzen.xlsx": b"\x00\x05\x16\x07",
    }
    if with_scan:
        members["Aanbesteding/Bestek/brief-gemeente.pdf"] = scan_bytes()
    return members


def ingest(index: VectorIndex, *paths: Path, prune: bool = False) -> IngestReport:
    return Indexer(index, EMBEDDER, SETTINGS).ingest(
        list(paths), prune=prune, visibility="openbaar"
    )


@pytest.fixture
def index() -> VectorIndex:
    result: VectorIndex = memory_index(EMBEDDER, SETTINGS.fingerprint())
    return result


def sources(index: VectorIndex) -> set[str]:
    return {r.source for r in index.documents()}


@pytest.mark.skipif(ocr_status() is not None, reason=f"OCR not available ({ocr_status()})")
def test_a_zip_with_a_scan_a_docx_and_an_xlsx_is_ingested_as_its_files(
    tmp_path: Path, index: VectorIndex
) -> None:
    path = write_zip(tmp_path / "aanbesteding.zip", package(with_scan=True))
    report = ingest(index, path)
    zip_source = display_path(path)
    expected = {
        f"{zip_source}/Aanbesteding/Bestek/brief-gemeente.pdf",
        f"{zip_source}/Aanbesteding/Bijlagen/programma-van-eisen.docx",
        f"{zip_source}/Aanbesteding/Bijlagen/prijzen.xlsx",
        f"{zip_source}/Aanbesteding/nvi.zip/nvi-2.md",
    }
    assert report.problems == [] and set(report.added) == expected == sources(index)
    assert report.ocr == {f"{zip_source}/Aanbesteding/Bestek/brief-gemeente.pdf": "1"}
    retriever = HybridRetriever(index, EMBEDDER, RetrievalSettings(dense_weight=0.0))
    for question, member, words in [
        ("Wanneer gaan de nieuwe contracten in?", "brief-gemeente.pdf", "1 januari 2026"),
        ("Binnen hoeveel werkdagen na aanmelding?", "programma-van-eisen.docx", "vijf"),
        ("Wat is het tarief voor dagbesteding?", "prijzen.xlsx", "Tarief: 52,1"),
    ]:
        best = retriever.search(question, k=3)[0].chunk
        assert best.source.endswith("/" + member) and words in " ".join(best.text.split())


def test_a_package_built_twice_is_the_same_bytes() -> None:
    """No clock in what the tests build: a rebuilt file is no "changed" file, on any machine."""
    first, again = package(with_scan=True), package(with_scan=True)
    assert first == again and zip_bytes(first) == zip_bytes(again)
    zips = [data for data in first.values() if zipfile.is_zipfile(io.BytesIO(data))]
    assert len(zips) == 3  # the DOCX, the XLSX, the nested ZIP
    for data in [*zips, zip_bytes(first)]:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert {member.date_time for member in zf.infolist()} == {FIXED}
            if CORE in zf.namelist():  # DOCX, XLSX: created and modified
                dates = re.findall(r"\d{4}-\d\d-\d\dT[\d:]+Z", zf.read(CORE).decode())
                assert dates == [FIXED_ISO, FIXED_ISO]
    scan = first["Aanbesteding/Bestek/brief-gemeente.pdf"]
    assert scan.count(b"(D:20240101000000Z)") == 2  # its creation and modification dates


def test_reingesting_the_same_zip_is_a_noop(tmp_path: Path, index: VectorIndex) -> None:
    path = write_zip(tmp_path / "pakket.zip", package())
    first = ingest(index, path)
    assert len(first.added) == 3 and first.problems == []
    again = ingest(index, tmp_path)  # the folder holding it: the same sources
    assert again.added == again.replaced == [] and again.chunks_added == 0
    assert sorted(again.unchanged) == sorted(first.added)


def test_a_changed_file_in_the_zip_replaces_only_that_document(
    tmp_path: Path, index: VectorIndex
) -> None:
    path = write_zip(tmp_path / "pakket.zip", package())
    ingest(index, path)
    before = {r.source: r.doc_id for r in index.documents()}
    write_zip(path, package(eisen=EISEN.replace("vijf", "tien")))
    report = ingest(index, path)
    changed = f"{display_path(path)}/Aanbesteding/Bijlagen/programma-van-eisen.docx"
    assert report.replaced == [changed] and report.added == []
    assert len(report.unchanged) == 2
    after = {r.source: r.doc_id for r in index.documents()}
    assert after.keys() == before.keys() and after[changed] != before[changed]
    assert all(after[s] == before[s] for s in after if s != changed)


def test_prune_keeps_what_is_still_in_the_zip_and_drops_what_is_gone(
    tmp_path: Path, index: VectorIndex
) -> None:
    folder = tmp_path / "stukken"
    path = write_zip(folder / "pakket.zip", package())
    (folder / "regeling.md").write_text(REGELS, encoding="utf-8")
    ingest(index, folder, prune=True)
    assert len(sources(index)) == 4
    assert ingest(index, folder, prune=True).removed == []
    members = package()
    del members["Aanbesteding/Bijlagen/prijzen.xlsx"]
    write_zip(path, members)
    report = ingest(index, folder, prune=True)
    assert report.removed == [f"{display_path(path)}/Aanbesteding/Bijlagen/prijzen.xlsx"]
    path.unlink()
    report = ingest(index, folder, prune=True)
    assert len(report.removed) == 2 and sources(index) == {display_path(folder / "regeling.md")}


def test_a_zip_nested_two_levels_is_not_opened_and_the_rest_is_ingested(
    tmp_path: Path, index: VectorIndex
) -> None:
    inner = zip_bytes({"diep.zip": zip_bytes({"a.md": REGELS.encode()}), "b.md": NVI.encode()})
    path = write_zip(tmp_path / "pakket.zip", {"bijlagen.zip": inner})
    report = ingest(index, path)
    assert report.added == [f"{display_path(path)}/bijlagen.zip/b.md"]
    (problem,) = report.problems
    assert problem.path == f"{display_path(path)}/bijlagen.zip/diep.zip"
    assert problem.reason == "unsupported" and "nested" in problem.message


def _bomb(members: dict[str, bytes]) -> dict[str, bytes]:
    return {**package(), **members}


def _symlink_zip(path: Path) -> Path:
    data = io.BytesIO(zip_bytes(package()))
    with zipfile.ZipFile(data, "a") as zf:
        link = zipfile.ZipInfo("Aanbesteding/wachtwoorden.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/shadow")
    path.write_bytes(data.getvalue())
    return path


@pytest.mark.parametrize(
    ("case", "members", "why"),
    [
        ("ratio", {"leeg.txt": bytes(5 * 1024**2)}, "compressed"),
        ("nested ratio", {"in.zip": zip_bytes({"leeg.txt": bytes(5 * 1024**2)})}, "compressed"),
        ("dot-dot", {"../../buiten.md": REGELS.encode()}, "outside the archive"),
        ("inner dot-dot", {"Aanbesteding/../../buiten.md": REGELS.encode()}, "outside"),
        ("absolute", {"/etc/cron.d/buiten.md": REGELS.encode()}, "absolute path"),
        ("drive", {"C:\\Windows\\buiten.md": REGELS.encode()}, "absolute path"),
        ("nested dot-dot", {"in.zip": zip_bytes({"../buiten.md": b"x"})}, "outside"),
    ],
)
def test_a_zip_bomb_or_traversal_is_rejected_and_nothing_of_it_is_indexed(
    tmp_path: Path, index: VectorIndex, case: str, members: dict[str, bytes], why: str
) -> None:
    folder = tmp_path / "upload"
    path = write_zip(folder / "pakket.zip", _bomb(members))
    (folder / "regeling.md").write_text(REGELS, encoding="utf-8")
    report = ingest(index, folder)
    (problem,) = report.problems
    assert problem.path == display_path(path) and problem.reason == "unsafe-archive", case
    assert "rejected, nothing ingested" in problem.message and why in problem.message
    assert sources(index) == {display_path(folder / "regeling.md")}  # the rest goes on


def test_a_symbolic_link_in_a_zip_is_rejected(tmp_path: Path, index: VectorIndex) -> None:
    path = _symlink_zip(tmp_path / "pakket.zip")
    report = ingest(index, path)
    assert [p.reason for p in report.problems] == ["unsafe-archive"]
    assert "symbolic link" in report.problems[0].message and sources(index) == set()


@pytest.mark.parametrize(
    ("limit", "value", "why"),
    [("MAX_MEMBERS", 3, "more than 3 files"), ("MAX_TOTAL_BYTES", 20_000, "uncompressed")],
)
def test_too_many_files_or_bytes_in_a_zip_are_rejected(
    tmp_path: Path,
    index: VectorIndex,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: int,
    why: str,
) -> None:
    monkeypatch.setattr(archives, limit, value)
    path = write_zip(tmp_path / "pakket.zip", package())  # 4 files, ~45 kB uncompressed
    report = ingest(index, path)
    assert [p.reason for p in report.problems] == ["unsafe-archive"]
    assert why in report.problems[0].message and sources(index) == set()


def test_a_damaged_zip_is_reported_as_corrupt(tmp_path: Path, index: VectorIndex) -> None:
    path = tmp_path / "kapot.zip"
    path.write_bytes(zip_bytes(package())[:300])
    report = ingest(index, path)
    assert [(p.path, p.reason) for p in report.problems] == [(display_path(path), "corrupt")]


def test_metadata_of_the_package_and_of_a_file_in_it_apply(
    tmp_path: Path, index: VectorIndex
) -> None:
    members = {
        "Bestek/regeling.md": REGELS.encode(),
        "Bestek/regeling.md.meta.json": b'{"type": "regeling"}',
        "nvi-2.md": NVI.encode(),
    }
    path = write_zip(tmp_path / "pakket.zip", members)
    (tmp_path / "pakket.zip.meta.json").write_text('{"gemeente": "Weert", "type": "bestek"}')
    report = Indexer(index, EMBEDDER, SETTINGS).ingest([path])  # no flag: intern
    assert len(report.added) == 2  # the sidecar in the ZIP is no document of its own
    meta = {r.source.rsplit("/", 1)[1]: r.metadata for r in index.documents()}
    assert meta["regeling.md"]["type"] == "regeling" and meta["nvi-2.md"]["type"] == "bestek"
    assert {m["gemeente"] for m in meta.values()} == {"Weert"}
    assert {m["visibility"] for m in meta.values()} == {"intern"}
    (tmp_path / "pakket.zip.meta.json").write_text('{"gemeente": "Maasgouw"}')
    report = Indexer(index, EMBEDDER, SETTINGS).ingest([path])
    assert len(report.replaced) == 2  # changed metadata is a change, as for a file on disk


def test_a_password_protected_file_in_a_zip_is_reported_and_the_rest_ingested(
    tmp_path: Path, index: VectorIndex
) -> None:
    raw = bytearray(zip_bytes({"nvi-2.md": NVI.encode(), "geheim.md": b"versleuteld"}))
    # zipfile cannot encrypt: set the "encrypted" flag of geheim.md in its central record
    at = raw.index(b"PK\x01\x02", raw.index(b"PK\x01\x02") + 1)
    assert raw[at + 46 : at + 55] == b"geheim.md"
    raw[at + 8] |= 0x1
    path = tmp_path / "pakket.zip"
    path.write_bytes(bytes(raw))
    report = ingest(index, path)
    assert report.added == [f"{display_path(path)}/nvi-2.md"]
    assert [(p.path, p.reason) for p in report.problems] == [
        (f"{display_path(path)}/geheim.md", "encrypted")
    ]


def test_a_file_in_a_zip_names_no_file_on_disk_that_would_serve_the_whole_zip(
    tmp_path: Path, index: VectorIndex
) -> None:
    """Links open `_path`: for a member it must not be the ZIP (with every other file in it)."""
    path = write_zip(tmp_path / "pakket.zip", package())
    ingest(index, path)
    for record in index.documents():
        assert record.metadata["_archive"] == str(path.resolve())
        assert not Path(str(record.metadata["_path"])).exists()
        assert str(record.metadata["_path"]).endswith("/" + str(record.metadata["_member"]))
        member = archives.member_at(
            Path(str(record.metadata["_archive"])), str(record.metadata["_member"])
        )
        assert member.inner_path == record.metadata["_member"] and member.read_bytes()
    nested = archives.member_at(path, "Aanbesteding/nvi.zip/nvi-2.md")
    assert (
        nested.inner == ("Aanbesteding/nvi.zip", "nvi-2.md") and nested.read_bytes() == NVI.encode()
    )


def test_many_members_under_the_member_ratio_are_checked_over_the_whole_archive(
    tmp_path: Path, index: VectorIndex
) -> None:
    # Each member is just under the 1 MiB from which one member's ratio counts; before, 70 of
    # them (70 MiB from a ZIP of about 80 kB) passed, and 1,900 declared 1.9 GiB.
    member = bytes(archives.RATIO_MIN_BYTES - 1)
    members = {f"deel-{i:03}.txt": member for i in range(70)}
    path = write_zip(tmp_path / "pakket.zip", members)
    with pytest.raises(archives.UnsafeArchiveError, match="over the whole archive"):
        archives.expand(path)
    report = ingest(index, path)
    assert [p.reason for p in report.problems] == ["unsafe-archive"] and sources(index) == set()
    small = write_zip(tmp_path / "klein.zip", {f"deel-{i}.txt": member for i in range(3)})
    assert len(archives.expand(small)[0]) == 3  # 3 MiB in all: below the whole-archive check


def long_text(topic: str, sentences: int) -> bytes:
    """A plain text of many distinct sentences: about one passage per 4 sentences here."""
    lines = [f"# {topic}\n"] + [
        f"Zin {i} over {topic}: de aanbieder levert binnen {i} werkdagen het gevraagde verslag."
        for i in range(sentences)
    ]
    return "\n".join(lines).encode()


def capped(index: VectorIndex, cap: int, *paths: Path) -> IngestReport:
    return Indexer(index, EMBEDDER, SETTINGS, max_passages=cap).ingest(
        list(paths), visibility="openbaar"
    )


def test_one_ingest_adds_at_most_its_cap_of_passages(tmp_path: Path, index: VectorIndex) -> None:
    # Issue 23 (5): three members of plain text made 4,683 passages and held the writer for
    # 102 s, and nothing bounded how many one upload could add. Now the file that would pass
    # the cap is reported and not written; the files before it stay, the rest is not parsed.
    members = {name: long_text(name, 120) for name in ("a-eisen", "b-bestek", "c-tarieven")}
    path = write_zip(tmp_path / "pakket.zip", {f"{k}.txt": v for k, v in members.items()})
    whole = ingest(memory_index(EMBEDDER, SETTINGS.fingerprint()), path)
    each = whole.chunks_added // 3
    assert len(whole.added) == 3 and each > 10  # before: no cap, all three went in

    report = capped(index, each + each // 2, path)
    assert report.added == [f"{display_path(path)}/a-eisen.txt"]
    assert [(p.path.rsplit("/", 1)[-1], p.reason) for p in report.problems] == [
        ("b-bestek.txt", "too-many-passages"),
        ("c-tarieven.txt", "too-many-passages"),
    ]
    assert "would pass the cap of" in report.problems[0].message
    assert sources(index) == {f"{display_path(path)}/a-eisen.txt"}
    assert index.count() == report.chunks_added <= each + each // 2  # nothing half-written

    again = capped(index, each + each // 2, path)  # a second run adds the next one
    assert len(again.unchanged) == 1 and len(again.added) == 1 and len(again.problems) == 1


def test_the_cap_holds_for_a_whole_staff_upload(tmp_path: Path) -> None:
    from assistant.documents.writer import DocumentManager
    from assistant.service import Assistant
    from assistant.settings import Settings
    from assistant.ui.staff_documents import DocumentsPage

    given = tmp_path / "gradio-upload"
    given.mkdir()
    files = [given / f"{name}.txt" for name in ("eisen", "bestek")]
    for path in files:
        path.write_bytes(long_text(path.stem, 120))
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hashing")
    assistant = Assistant(settings)
    one = assistant.ingest([files[0]], visibility="intern").chunks_added
    assistant.close()

    # The staff page ingests an upload file by file; the cap counts the upload's files
    # together, so the second file (which alone would fit) is refused and removed again.
    capped_settings = settings.model_copy(
        update={"data_dir": tmp_path / "data2", "max_passages": one + one // 2}
    )
    assistant = Assistant(capped_settings)
    manager = DocumentManager(assistant)
    try:
        report = DocumentsPage(manager).upload([str(p) for p in files], "intern", "Anna")
        assert "too-many-passages" in report and "would pass the cap of" in report
        assert assistant.index.count() == one and len(assistant.documents()) == 1
        assert sorted(p.name for p in manager.upload_dir.iterdir()) == ["eisen.txt"]
    finally:
        manager.close()
        assistant.close()
