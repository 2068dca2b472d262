"""Readers on good and bad input: every bad file becomes a clear, per-file problem."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from helpers_pdf import encrypted_copy, image_only_pdf, text_pdf

from ingest.chunking import ChunkSettings
from ingest.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    IngestError,
    NoTextLayerError,
    UnsupportedFormatError,
)
from ingest.pipeline import FileProblem, ParsedFile, discover, parse_file
from ingest.readers import content_id, file_id, read_document

PAGE_1 = [
    "1 Inleiding",
    "De gemeente Weert koopt ambulante jeugdhulp in voor de periode 2026 tot en met 2029.",
    "De aanbesteding volgt de openbare procedure.",
]
PAGE_2 = ["2 Tarieven", "Het uurtarief voor begeleiding wordt jaarlijks geindexeerd."]


@pytest.fixture
def good_pdf(tmp_path: Path) -> Path:
    return text_pdf(tmp_path / "inkoop.pdf", [PAGE_1, PAGE_2])


def _bytes(seed: int, n: int = 4096) -> bytes:
    return random.Random(seed).randbytes(n)


# --- PDFs -------------------------------------------------------------------------------------


def test_a_text_pdf_reads_page_by_page_with_headings(good_pdf: Path) -> None:
    doc = read_document(good_pdf, display="docs/inkoop.pdf")
    assert doc.kind == "pdf" and doc.source == "docs/inkoop.pdf"
    assert [p.number for p in doc.pages] == [1, 2]
    assert "openbare procedure" in doc.pages[0].text and "uurtarief" in doc.pages[1].text
    assert [(h.section, h.title) for h in doc.headings] == [
        ("1", "1 Inleiding"),
        ("2", "2 Tarieven"),
    ]
    assert doc.full_text[doc.headings[1].offset :].startswith("2 Tarieven")
    assert doc.doc_id == content_id(good_pdf.read_bytes()) == file_id(good_pdf)
    assert doc.notes == ()


def test_a_usable_pdf_title_is_taken(tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "x.pdf", [PAGE_1], title="Inkoopstrategie ambulante jeugdhulp 2026")
    assert read_document(path).title == "Inkoopstrategie ambulante jeugdhulp 2026"
    generic = text_pdf(tmp_path / "zk_Inkoop-GGZ.pdf", [PAGE_1], title="Microsoft Word - x.docx")
    assert read_document(generic).title == "Inkoop-GGZ"


def test_a_password_protected_pdf_is_refused_with_advice(good_pdf: Path, tmp_path: Path) -> None:
    locked = encrypted_copy(good_pdf, tmp_path / "locked.pdf", user_password="geheim")
    with pytest.raises(EncryptedFileError, match=r"password-protected.*unprotected copy"):
        read_document(locked)
    problem = parse_file(locked, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "encrypted"
    assert problem.path == str(locked)


def test_an_owner_only_encrypted_pdf_opens_without_a_password(
    good_pdf: Path, tmp_path: Path
) -> None:
    restricted = encrypted_copy(good_pdf, tmp_path / "restricted.pdf", user_password="")
    doc = read_document(restricted)
    assert "openbare procedure" in doc.pages[0].text


def test_a_scan_without_text_layer_is_refused(tmp_path: Path) -> None:
    scan = image_only_pdf(tmp_path / "scan.pdf", pages=2)
    with pytest.raises(NoTextLayerError, match="OCR"):
        read_document(scan)
    problem = parse_file(scan, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "no-text"


def test_a_pdf_with_one_scanned_page_keeps_the_rest_and_says_so(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "gemengd.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 800, " ".join(PAGE_1))
    pdf.showPage()
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()
    doc = read_document(path)
    assert [p.number for p in doc.pages] == [1, 2] and doc.pages[1].text == ""
    assert doc.notes == ("gemengd.pdf: page(s) 2 have no text layer and were skipped",)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_a_truncated_pdf_is_corrupt_not_a_crash(
    good_pdf: Path, tmp_path: Path, fraction: float
) -> None:
    data = good_pdf.read_bytes()
    cut = tmp_path / "afgebroken.pdf"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CorruptFileError, match="damaged or incomplete"):
        read_document(cut)
    problem = parse_file(cut, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "corrupt"


@pytest.mark.parametrize(("name", "hint"), [("rommel.pdf", "PDF"), ("rommel.docx", "Word")])
def test_random_bytes_are_corrupt(tmp_path: Path, name: str, hint: str) -> None:
    path = tmp_path / name
    path.write_bytes(_bytes(7))
    with pytest.raises(CorruptFileError, match=hint):
        read_document(path)
    problem = parse_file(path, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "corrupt"


def test_binary_bytes_in_a_text_file_are_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"\x00\x01\x02" + _bytes(3))
    with pytest.raises(CorruptFileError, match="binary"):
        read_document(path)


# --- empty, unknown and odd text files ---------------------------------------------------------


@pytest.mark.parametrize("name", ["leeg.pdf", "leeg.txt", "leeg.docx", "leeg.md"])
def test_a_zero_byte_file_is_empty(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError, match="empty"):
        read_document(path)
    problem = parse_file(path, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "empty"


def test_front_matter_only_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "alleen-kop.md"
    path.write_text("---\ntitle: Niets\n---\n\n   \n", encoding="utf-8")
    with pytest.raises(EmptyFileError):
        read_document(path)


def test_an_unknown_extension_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "presentatie.pptx"
    path.write_bytes(_bytes(1))
    with pytest.raises(UnsupportedFormatError, match=r"'\.pptx' is not supported"):
        read_document(path)
    problem = parse_file(path, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "unsupported"
    assert "PDF, TXT, Markdown, DOCX, HTML, XLSX, CSV or a ZIP of these" in problem.message


def test_windows_1252_text_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    text = "Geachte raadsleden,\n\nHet café van de coöperatie krijgt € 500 subsidie.\n"
    path.write_bytes(text.encode("cp1252"))
    doc = read_document(path)
    assert doc.pages[0].text == text
    assert doc.notes == ("brief.txt: not valid UTF-8; read as Windows-1252",)


def test_utf8_with_bom_and_crlf_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_bytes("\ufeffRegel één\r\nRegel twee\r\n".encode())
    doc = read_document(path)
    assert doc.pages[0].text == "Regel één\nRegel twee\n" and doc.notes == ()


def test_markdown_front_matter_gives_metadata_and_title(tmp_path: Path) -> None:
    path = tmp_path / "weert-rib.md"
    path.write_text(
        '---\ntitle: "Inkoopstrategie Ambulante Jeugdhulp"\ngemeente: Weert\n'
        "Datum: 2024-03-19\n---\n\n# Raadsinformatiebrief\n\nDe raad wordt geïnformeerd.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.title == "Inkoopstrategie Ambulante Jeugdhulp"
    assert doc.metadata == {
        "title": "Inkoopstrategie Ambulante Jeugdhulp",
        "gemeente": "Weert",
        "datum": "2024-03-19",
        "type": "raadsinformatiebrief",  # read from the heading; front matter did not say
    }
    assert doc.full_text.startswith("\n# Raadsinformatiebrief")
    assert "gemeente:" not in doc.full_text
    assert doc.headings[0].title == "Raadsinformatiebrief"


def test_markdown_without_front_matter_takes_its_first_heading_as_title(tmp_path: Path) -> None:
    path = tmp_path / "nota.md"
    path.write_text("# Nota van inlichtingen\n\nVraag 1: wanneer?\n", encoding="utf-8")
    assert read_document(path).title == "Nota van inlichtingen"


def test_a_sidecar_overrides_front_matter_and_changes_the_id(
    tmp_path: Path, good_pdf: Path
) -> None:
    before = read_document(good_pdf)
    sidecar = good_pdf.with_name("inkoop.pdf.meta.json")
    sidecar.write_text(
        json.dumps(
            {
                "Title": "Inkoopbeleid GGZ",
                "gemeente": "Weert",
                "jaar": 2026,
                "nested": {"ignored": True},
            }
        ),
        encoding="utf-8",
    )
    doc = read_document(good_pdf)
    assert doc.title == "Inkoopbeleid GGZ"
    assert doc.metadata == {"title": "Inkoopbeleid GGZ", "gemeente": "Weert", "jaar": 2026}
    assert doc.doc_id != before.doc_id and doc.doc_id == file_id(good_pdf)

    md = tmp_path / "brief.md"
    md.write_text("---\ngemeente: Maasgouw\ntype: rib\n---\nTekst van de brief.\n", "utf-8")
    md.with_name("brief.md.meta.json").write_text('{"gemeente": "Weert"}', "utf-8")
    assert read_document(md).metadata == {"gemeente": "Weert", "type": "rib"}


def test_an_invalid_sidecar_is_a_corrupt_file(good_pdf: Path) -> None:
    good_pdf.with_name("inkoop.pdf.meta.json").write_text("[1, 2]", encoding="utf-8")
    problem = parse_file(good_pdf, ChunkSettings())
    assert isinstance(problem, FileProblem) and problem.reason == "corrupt"
    assert "sidecar" in problem.message


# --- DOCX and HTML ------------------------------------------------------------------------------


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Inkoopdocument Wmo", level=0)
    document.add_heading("1 Inleiding", level=1)
    document.add_paragraph("De gemeente Weert koopt maatwerkvoorzieningen in voor de Wmo. " * 3)
    document.add_heading("1.1 Tarieven", level=2)
    document.add_paragraph("De tarieven staan in de tabel hieronder.")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "Product",
        (0, 1): "Tarief",
        (1, 0): "Begeleiding",
        (1, 1): "€ 60,00",
    }.items():
        table.cell(r, c).text = text
    path = tmp_path / "inkoop.docx"
    document.save(str(path))

    parsed = parse_file(path, ChunkSettings())
    assert isinstance(parsed, ParsedFile)
    doc = parsed.document
    assert doc.kind == "docx" and doc.title == "Inkoopdocument Wmo"
    assert [(h.section, h.title, h.level) for h in doc.headings] == [
        ("", "Inkoopdocument Wmo", 1),
        ("1", "1 Inleiding", 1),
        ("1.1", "1.1 Tarieven", 2),
    ]
    for h in doc.headings:
        assert doc.full_text[h.offset :].startswith(h.title)
    assert "Begeleiding | € 60,00" in doc.full_text
    [table_chunk] = [c for c in parsed.chunks if "Begeleiding" in c.text]
    assert table_chunk.section == "1.1"


def test_html_text_headings_and_tables_without_scripts(tmp_path: Path) -> None:
    path = tmp_path / "nvi.html"
    path.write_text(
        "<html><head><title>NvI</title><script>var geheim = 'niet indexeren';</script>"
        "<style>p { color: red }</style></head><body><nav>Menu Home</nav>"
        "<h1>Nota van inlichtingen</h1><p>Vragen van <b>aanbieders</b> over de aanbesteding.</p>"
        "<h2>2.1 Planning</h2><p>De gunning volgt in februari 2025.</p>"
        "<table><tr><th>Vraag</th><th>Antwoord</th></tr>"
        "<tr><td>Wanneer?</td><td>In maart</td></tr></table>"
        "<footer>Voettekst</footer></body></html>",
        encoding="utf-8",
    )
    parsed = parse_file(path, ChunkSettings())
    assert isinstance(parsed, ParsedFile)
    doc = parsed.document
    text = doc.full_text
    assert doc.kind == "html" and doc.title == "Nota van inlichtingen"
    assert "Vragen van aanbieders over de aanbesteding." in text
    assert "Wanneer? | In maart" in text
    for hidden in ("geheim", "color", "Menu", "Voettekst"):
        assert hidden not in text
    assert [(h.section, h.level) for h in doc.headings] == [("", 1), ("2.1", 2)]
    [planning] = [c for c in parsed.chunks if "februari 2025" in c.text]
    assert planning.section == "2.1"


# --- the pipeline: per-file problems and discovery ----------------------------------------------


def test_parse_file_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "brief.txt"
    path.write_text("Een brief aan de raad over de inkoop van jeugdhulp.", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("reader bug")

    monkeypatch.setattr("ingest.pipeline.read_document", broken)
    problem = parse_file(path, ChunkSettings(), display="map/brief.txt")
    assert isinstance(problem, FileProblem)
    assert (problem.reason, problem.path) == ("error", "map/brief.txt")
    assert "ZeroDivisionError" in problem.message


def test_every_ingest_error_has_its_own_reason() -> None:
    reasons = {cls.reason for cls in IngestError.__subclasses__()}
    assert reasons == {"unsupported", "empty", "encrypted", "no-text", "corrupt"}


def test_discover_survives_a_symlink_loop(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a", encoding="utf-8")
    (root / "sub" / "b.md").write_text("b", encoding="utf-8")
    os.symlink(root, root / "sub" / "terug")  # sub/terug -> corpus: a cycle
    files, problems = discover([root])
    assert sorted(f.name for f in files) == ["a.txt", "b.md"]
    assert len({f.resolve() for f in files}) == len(files)
    assert [p.reason for p in problems] == ["loop"]


def test_discover_handles_spaces_unicode_sidecars_and_hidden_files(tmp_path: Path) -> None:
    root = tmp_path / "Inkoop documenten 2026"
    (root / "één map").mkdir(parents=True)
    odd = root / "één map" / "Nota van inlichtingen – café.txt"
    odd.write_text("De gunning volgt in februari 2025.", encoding="utf-8")
    (root / "één map" / "Nota van inlichtingen – café.txt.meta.json").write_text("{}", "utf-8")
    (root / ".verborgen.txt").write_text("nee", encoding="utf-8")
    (root / "README.md").write_text("nee", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("nee", encoding="utf-8")
    files, problems = discover([root, odd, tmp_path / "bestaat-niet"])
    assert files == [odd]  # once, although named twice
    assert [(p.reason, Path(p.path).name) for p in problems] == [("missing", "bestaat-niet")]
    parsed = parse_file(odd, ChunkSettings(), display="Inkoop documenten 2026/één map/x.txt")
    assert isinstance(parsed, ParsedFile)
    assert parsed.chunks[0].source == "Inkoop documenten 2026/één map/x.txt"
