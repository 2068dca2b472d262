"""Later binding text on notes as tenders publish them: a title line, "Inkoopprocedure: <the
tender document's title>", a sentence that the note prevails, and a table Nr. | Paragraaf |
Vraag | Antwoord whose Paragraaf cells read "5.7 Gestanddoeningstermijn" (no §) — as Markdown,
DOCX, a PDF table, XLSX and CSV. Beside the corpus's Inkoopdocument-Wmo-met-Emvi (§ 5.7: 90
kalenderdagen) and a look-alike "zonder EMVI" document, the answer that makes it 120 leads
and the 90 days are marked (CLI, JSON, chat). The real GGZ pair is measured when ../shared
is there."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS
from helpers_files import saved
from test_cli import hashing_env, ingest, isolate_env, run  # noqa: F401

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.chat import respond
from assistant.ui.cli_args import EXIT_OK
from ingest.note_blocks import note_blocks
from ingest.readers import read_document
from ingest.relations import parse_supersedes

TENDER = CORPUS / "inkoopdocumenten" / "Inkoopdocument-Wmo-met-Emvi.md"
SHARED = Path(__file__).resolve().parents[2] / "shared"
GGZ_POLICY = SHARED / "corpus" / "pdf" / "zk_Inkoopbeleid-GGZ-2024-2026.pdf"
GGZ_NVI = SHARED / "corpus" / "pdf" / "zk_NvI-GGZ-2024-2026.pdf"
GGZ_ROWS = SHARED / "eval" / "zk_NvI-GGZ-2024-2026.json"
Q_TERM = "Wat is de gestanddoeningstermijn?"

HEAD = [
    "Nota van inlichtingen",
    "Inkoopprocedure: Inkoopdocument Wmo met EMVI",
    "Datum: 1 december 2025",
    "Deze nota van inlichtingen gaat voor op het inkoopdocument waar zij daarvan afwijkt.",
]
HEADER = ["Nr.", "Paragraaf", "Vraag", "Antwoord"]
ROWS = [
    [
        "1",
        "5.7 Gestanddoeningstermijn",
        "Hoe lang moeten wij ons aan onze inschrijving houden?",
        "De gestanddoeningstermijn wordt verlengd naar 120 kalenderdagen.",
    ],
    [
        "2",
        "5.6 Vragen",
        "Mogen wij vragen stellen na de sluitingsdatum?",
        "Nee, vragen kunnen tot de in de planning genoemde datum worden gesteld.",
    ],
]
PLATFORM_HEADER = ["Nr", "Document", "Paragraaf", "Pagina", "Vraag", "Antwoord"]


def markdown(folder: Path) -> Path:
    lines = [f"# {HEAD[0]}", "", *(f"{x}\n" for x in HEAD[1:]), ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in ROWS]
    path = folder / "NvI-tabel.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def docx_file(folder: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(HEAD[0], level=1)
    for line in HEAD[1:]:
        document.add_paragraph(line)
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for i, row in enumerate([HEADER, *ROWS]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    path = folder / "NvI-tabel.docx"
    path.write_bytes(saved(document))
    return path


def pdf_table(folder: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    style = getSampleStyleSheet()["Normal"]
    path = folder / "NvI-tabel.pdf"
    pdf = SimpleDocTemplate(str(path), pagesize=A4, invariant=True)
    cells = [HEADER, *([Paragraph(c, style) for c in r] for r in ROWS)]
    story = [Paragraph(x, style) for x in HEAD]
    story.append(Table(cells, colWidths=[30, 110, 160, 170]))
    pdf.build(story)
    return path


def platform_rows() -> list[list[str]]:
    return [[r[0], "Inkoopdocument", r[1], "12", r[2], r[3]] for r in ROWS]


def xlsx_file(folder: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in HEAD:
        sheet.append([line])
    sheet.append(PLATFORM_HEADER)
    for row in platform_rows():
        sheet.append(row)
    path = folder / "NvI-tabel.xlsx"
    path.write_bytes(saved(workbook))
    return path


def csv_file(folder: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for line in HEAD:
        writer.writerow([line])
    writer.writerow(PLATFORM_HEADER)
    writer.writerows(platform_rows())
    path = folder / "NvI-tabel.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


SHAPES = {"md": markdown, "docx": docx_file, "pdf": pdf_table, "xlsx": xlsx_file, "csv": csv_file}


def tender_folder(folder: Path, look_alike: bool = False) -> Path:
    """The tender document, and with `look_alike` one for another procedure (the title match
    must choose, and a bare § 5.7 must not land on both)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(TENDER, folder / TENDER.name)
    if not look_alike:
        return folder
    other = (
        TENDER.read_text(encoding="utf-8")
        .replace("90 kalenderdagen", "60 kalenderdagen")
        .replace("# Inkoopdocument-Wmo-met-Emvi", "# Inkoopdocument-Wmo-zonder-Emvi")
    )
    (folder / "Inkoopdocument-Wmo-zonder-Emvi.md").write_text(other, encoding="utf-8")
    return folder


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_names_its_procedure_and_paragraphs(tmp_path: Path, shape: str) -> None:
    meta = read_document(SHAPES[shape](tmp_path)).metadata
    assert meta["type"] == "nota van inlichtingen"
    assert meta["procedure"] == "Inkoopdocument Wmo met EMVI"
    amended = [(s.paragraph) for s in parse_supersedes(meta["supersedes"])]
    assert amended == ["5.7"]  # the answer changes the text: it amends
    assert [s.paragraph for s in parse_supersedes(meta["clarifies"])] == ["5.6"]


@pytest.fixture(scope="module", params=sorted(SHAPES))
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp(f"notes-{request.param}")
    docs = tender_folder(root / "docs")
    SHAPES[request.param](docs)
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, _ = ingest(root / "data", docs)
    assert code == EXIT_OK
    return root / "data"


def test_the_new_term_leads_and_the_old_is_marked(data: Path) -> None:
    code, out = run("ask", Q_TERM, "--json", "--data-dir", data)
    assert code == EXIT_OK
    answer = json.loads(out)
    first = answer["answer"].splitlines()[0]
    assert first.startswith("Volgens ") and "120 kalenderdagen" in first
    lead = answer["citations"][0]
    assert lead["source"].rsplit(".", 1)[0].endswith("NvI-tabel") and "120" in lead["quote"]
    old = [c for c in answer["citations"] if "90 kalenderdagen" in c["quote"]]
    assert old and all(c.get("superseded_by") for c in old)
    code, text = run("ask", Q_TERM, "--data-dir", data)
    assert code == EXIT_OK and "120 kalenderdagen" in text.splitlines()[0]
    assert "      vervangen door " in text
    with Assistant(Settings(data_dir=data)) as assistant:
        _, history, sources = respond(assistant, {}, Q_TERM, [])
    assert "120 kalenderdagen" in history[-1]["content"].splitlines()[0]
    assert 'data-testid="vervangen"' in sources


def test_documents_lists_what_the_note_changes_and_clarifies(data: Path) -> None:
    code, out = run("documents", "--data-dir", data)
    assert code == EXIT_OK
    assert re.search(r"vervangt \S*Inkoopdocument-Wmo-met-Emvi\.md § 5\.7", out)
    assert re.search(r"verduidelijkt \S*Inkoopdocument-Wmo-met-Emvi\.md § 5\.6", out)


def test_the_title_match_picks_the_named_document(tmp_path: Path) -> None:
    docs = tender_folder(tmp_path / "docs", look_alike=True)
    xlsx_file(docs)
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        assert ingest(tmp_path / "data", docs)[0] == EXIT_OK
        code, out = run("documents", "--data-dir", tmp_path / "data")
    assert code == EXIT_OK
    assert re.search(r"vervangt \S*Inkoopdocument-Wmo-met-Emvi\.md § 5\.7", out)
    assert "zonder-Emvi.md § 5" not in out and "let op" not in out


def test_the_ingest_report_lists_the_relations_it_made(tmp_path: Path) -> None:
    docs = tender_folder(tmp_path / "docs")
    markdown(docs)
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, out = ingest(tmp_path / "data", docs)
    assert code == EXIT_OK
    assert (
        "NvI-tabel.md: vervangt Inkoopdocument-Wmo-met-Emvi.md § 5.7; "
        "verduidelijkt Inkoopdocument-Wmo-met-Emvi.md § 5.6"
    ) in out


def _undecidable(tmp_path: Path) -> Path:
    docs = tender_folder(tmp_path / "docs", look_alike=True)
    text = markdown(docs).read_text(encoding="utf-8")
    (docs / "NvI-tabel.md").write_text(
        text.replace("Inkoopdocument Wmo met EMVI", "Inkoopdocument Wmo"), encoding="utf-8"
    )
    return docs


def _ingest_and_list(tmp_path: Path, docs: Path) -> tuple[str, str]:
    """(the ingest report, `inkoop documents`) of `docs` in a fresh data dir."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, report = ingest(tmp_path / "data", docs)
        assert code == EXIT_OK
        code, out = run("documents", "--data-dir", tmp_path / "data")
    assert code == EXIT_OK
    return report, out


def test_an_undecidable_procedure_is_reported_not_guessed(tmp_path: Path) -> None:
    report, out = _ingest_and_list(tmp_path, _undecidable(tmp_path))
    for text in (out, report):
        assert "procedure 'Inkoopdocument Wmo' past op meer documenten" in text
        assert "koppel met `inkoop relate NOTA --to DOCUMENT`, of `procedure: <document>`" in text
    assert "let op: procedure" in out
    assert "vervangt" not in out and "vervangt" not in report


def _marked(data: Path) -> set[str]:
    """The documents whose passages on the term `search` marks as replaced."""
    code, out = run(
        "search", "gestanddoeningstermijn 90 kalenderdagen", "--json", "--data-dir", data
    )
    assert code == EXIT_OK
    hits = json.loads(out)["results"]
    return {Path(h["source"]).name for h in hits if h.get("superseded_by")}


def test_staff_relate_a_note_by_hand_and_it_survives_reingest(tmp_path: Path) -> None:
    docs, data = _undecidable(tmp_path), tmp_path / "data"
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        mp.setenv("INKOOP_USER", "inkoper")
        assert ingest(data, docs)[0] == EXIT_OK
        # a name that is not one document is refused, never guessed
        assert run("relate", "NvI-tabel.md", "--to", "Inkoopdocument", "--data-dir", data)[0] == 2
        code, out = run(
            "relate", "NvI-tabel.md", "--to", "Inkoopdocument-Wmo-met-Emvi.md", "--data-dir", data
        )
        assert code == EXIT_OK
        assert (
            "NvI-tabel.md (handmatig gekoppeld): vervangt Inkoopdocument-Wmo-met-Emvi.md § 5.7"
            in out
        )
        saved = json.loads((data / "relaties.json").read_text(encoding="utf-8"))
        assert saved[0]["document"].endswith("Inkoopdocument-Wmo-met-Emvi.md")
        assert saved[0]["by"] == "inkoper"
        code, listing = run("documents", "--data-dir", data)
        assert "handmatig gekoppeld aan" in listing and "let op" not in listing
        assert "zonder-Emvi.md § 5" not in listing
        assert _marked(data) == {"Inkoopdocument-Wmo-met-Emvi.md"}
        # the note changes (a new id): the hand relation still holds
        note = docs / "NvI-tabel.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nGewijzigd.\n", encoding="utf-8")
        code, report = ingest(data, docs)
        assert code == EXIT_OK and "replaced" in report
        assert "NvI-tabel.md (handmatig gekoppeld): vervangt" in report
        assert _marked(data) == {"Inkoopdocument-Wmo-met-Emvi.md"}
        # paragraphs by hand: only those, as clarified
        code, out = run(
            "relate", "NvI-tabel.md", "--to", "Inkoopdocument-Wmo-met-Emvi.md",
            "--paragraph", "5.8", "--data-dir", data,
        )  # fmt: skip
        assert (
            code == EXIT_OK and "verduidelijkt Inkoopdocument-Wmo-met-Emvi.md § 5.6, § 5.8" in out
        )
        code, out = run("relate", "NvI-tabel.md", "--remove", "--data-dir", data)
        assert code == EXIT_OK and "past op meer documenten" in out


def test_staff_relate_a_note_on_the_documenten_tab(tmp_path: Path) -> None:
    """The staff page does what `inkoop relate` does: the chosen note, the document it belongs
    to, optionally paragraphs; never a guess; logged; removable."""
    from assistant.documents.writer import DocumentError, DocumentManager
    from assistant.ui.staff_documents import DocumentsPage

    docs = _undecidable(tmp_path)
    bot = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing"))
    manager = DocumentManager(bot)
    try:
        bot.ingest([docs], visibility="openbaar")
        page = DocumentsPage(manager)
        note = next(d for d in bot.documents() if d.source.endswith("NvI-tabel.md"))
        with pytest.raises(DocumentError, match="Klik eerst een document"):
            page.relate("", "Inkoopdocument-Wmo-met-Emvi.md", "", False, "Anna")
        with pytest.raises(DocumentError, match="is geen geïndexeerd document"):
            page.relate(note.doc_id, "Inkoopdocument", "", False, "Anna")  # never a guess
        text = page.relate(note.doc_id, "Inkoopdocument-Wmo-met-Emvi.md", "", False, "Anna")
        assert "**NvI-tabel.md** is gekoppeld:" in text
        assert "vervangt Inkoopdocument-Wmo-met-Emvi.md § 5.7" in text
        answer = bot.ask("Wat is de gestanddoeningstermijn?")  # at once, no re-ingest
        assert not answer.refused and "120 kalenderdagen" in answer.answer
        assert page.log_rows()[0][2] == "gekoppeld" and page.log_rows()[0][1] == "Anna"
        assert "is verwijderd" in page.relate(note.doc_id, None, "", False, "Bram")
        assert "had geen handmatige koppeling" in page.relate(note.doc_id, None, "", False, "B")
    finally:
        manager.close()
        bot.close()


# --- the real GGZ pair ----------------------------------------------------------------------


def _locate(flat: str, row: dict[str, str]) -> int | None:
    """Where a row's question stands in the note (the eval text has some words cut short)."""

    def pattern(text: str, n: int) -> str:
        words = text.replace("\u201c", " ").split()[:n]
        return r"\s*".join(re.escape(w[:-1] if len(w) > 3 else w) + r"\S*" for w in words)

    answers = [
        m.start() for n in (8, 5) for m in re.finditer(pattern(row["answer"], n), flat)
    ] if row["answer"] else []  # fmt: skip
    for n in (10, 6, 4):
        hits = [m.start() for m in re.finditer(pattern(row["question"], n), flat)]
        if hits:
            near = [h for h in hits if any(0 < a - h < 4000 for a in answers)]
            return (near or hits)[0]
    return answers[0] if answers else None


@pytest.mark.skipif(not GGZ_ROWS.exists(), reason="../shared corpus not present")
def test_ggz_note_blocks_are_linked_to_their_policy_paragraph() -> None:
    doc = read_document(GGZ_NVI)
    meta = doc.metadata
    assert meta["procedure"] == "Inkoopbeleid Wlz Geestelijke Gezondheidszorg 2024-2026"
    # page 3, "Overzicht aanpassingen op het inkoopbeleid": § 1.4.2, § 5.11 and the planning (6)
    assert [s.paragraph for s in parse_supersedes(meta["supersedes"])] == ["1.4.2", "5.11", "6"]
    text = "\n".join(p.text for p in doc.pages)
    blocks = note_blocks(text)
    # one space for every run of whitespace, and where each flat character stands in `text`
    flat_at = [i for i, ch in enumerate(text) if not ch.isspace() or not text[i - 1].isspace()]
    flat = "".join(" " if text[i].isspace() else text[i] for i in flat_at)
    rows = json.loads(GGZ_ROWS.read_text(encoding="utf-8"))
    right = 0
    for row in rows:
        at = _locate(flat, row)
        if at is None:
            continue
        block = next((b for b in blocks if b.start <= flat_at[at] < b.end), None)
        right += (block.paragraph if block else "") == row["section"]
    assert right / len(rows) >= 0.95, f"{right}/{len(rows)}"


# --- a clarified paragraph: the note's answer beside it ---------------------------------------

Q_PUBLISH = "Mogen potentiële opdrachtnemers iets publiceren over deze inkoopprocedure?"
PUBLISH_ROW = [
    "3",
    "5.6 Vertrouwelijkheid",
    "Mogen wij op onze eigen website melden dat wij inschrijven?",
    "Nee, ook een bericht op uw eigen website geldt als publiceren over de inkoopprocedure.",
]


@pytest.fixture(scope="module")
def clarified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clarified")
    docs = tender_folder(root / "docs")
    text = markdown(docs).read_text(encoding="utf-8")
    (docs / "NvI-tabel.md").write_text(
        text + "| " + " | ".join(PUBLISH_ROW) + " |\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        assert ingest(root / "data", docs)[0] == EXIT_OK
    return root / "data"


def test_a_clarified_paragraph_shows_the_notes_answer_beside_it(clarified: Path) -> None:
    code, out = run("ask", Q_PUBLISH, "--json", "--data-dir", clarified)
    assert code == EXIT_OK
    answer = json.loads(out)
    policy = [c for c in answer["citations"] if c["source"].endswith("Emvi.md")]
    assert policy and policy[0]["clarified_by"].startswith("NvI vraag 3 (")
    assert not any(c.get("superseded_by") for c in policy)  # the paragraph's text stands
    note = [c for c in answer["citations"] if c["source"].endswith("NvI-tabel.md")]
    assert note and "eigen website geldt als publiceren" in note[0]["quote"]
    line = f"Zie ook {policy[0]['clarified_by']} over § 5.6: "
    assert f"{line}{note[0]['quote']} [{note[0]['key']}]" in answer["answer"]
    assert answer["answer"].index("Zie ook") > 0  # after the answer, never in front of it
    code, text = run("ask", Q_PUBLISH, "--data-dir", clarified)
    assert code == EXIT_OK and "      zie ook NvI vraag 3 (" in text
    with Assistant(Settings(data_dir=clarified)) as assistant:
        _, history, sources = respond(assistant, {}, Q_PUBLISH, [])
    assert "Zie ook NvI vraag 3" in history[-1]["content"]
    assert 'data-testid="verduidelijkt"' in sources and "zie ook NvI vraag 3" in sources


def test_a_paragraph_nothing_clarifies_has_no_note(clarified: Path) -> None:
    code, out = run("ask", "Wat zijn de klachten en rechtsgang?", "--json", "--data-dir", clarified)
    assert code == EXIT_OK
    answer = json.loads(out)
    assert "Zie ook" not in answer["answer"]
    assert not any(c.get("clarified_by") for c in answer["citations"])


# --- a was-wordt table ------------------------------------------------------------------------

WAS_WORDT = SHARED / "corpus" / "text" / "isd_CSW-Was-Wordt-tabel-versie-1_1-naar-1_2.md"
V11 = """# Overeenkomst Wmo versie 1.1

## Artikel 1.4 Herzieningsclausule

### Artikel 1.4.2 Weigering

De Aanbieder weigert de wijziging niet op onredelijke gronden.

## Artikel 2.1 Looptijd

De overeenkomst loopt vier jaar.
"""
TABLE = """# CSW Was-Wordt-tabel versie 1.1 naar 1.2

# Overzicht wijzigingen Overeenkomst Wmo versie 1.2 ten opzichte van de versie 1.1.

| Versie 1.1 artikelnummer | Overeenkomst Wmo versie 1.1 (WAS) | Release 1.2 artikelnummer | WORDT |
| --- | --- | --- | --- |
| Gehele document | Aanbieder | Gehele document | Aanbieder is vervangen door Opdrachtnemer |
| Artikel 1.4.2 | De Aanbieder weigert niet. | Artikel 1.4.2 | Weigeren is opzeggen. |
"""


def test_a_was_wordt_table_amends_the_articles_of_the_version_it_names(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "Overeenkomst-Wmo-versie-1_1.md").write_text(V11, encoding="utf-8")
    shutil.copy(CORPUS / "inkoopdocumenten" / "Overeenkomst-Wmo-versie-1_2.md", docs)
    (docs / "Was-wordt-tabel.md").write_text(TABLE, encoding="utf-8")
    report, out = _ingest_and_list(tmp_path, docs)
    assert "Was-wordt-tabel.md: vervangt Overeenkomst-Wmo-versie-1_1.md § 1.4.2" in report
    assert re.search(r"vervangt \S*Overeenkomst-Wmo-versie-1_1\.md § 1\.4\.2", out)
    assert "versie-1_2.md § 1.4.2" not in out  # the newer version is not what it amends


@pytest.mark.skipif(not WAS_WORDT.exists(), reason="../shared corpus not present")
def test_the_real_was_wordt_table_names_the_old_articles() -> None:
    meta = read_document(WAS_WORDT).metadata
    places = parse_supersedes(meta["supersedes"])
    assert places[0].target == "Overeenkomst Wmo versie 1.1" and places[0].paragraph == "1.4.2"
    assert {p.target for p in places} == {
        "Overeenkomst Wmo versie 1.1",
        "Toelichting op de Overeenkomst Wmo versie 1.1",
    }
    assert "version" not in meta  # "versie 1.1 naar 1.2" is no version of its own
