"""Later binding text wins: a nota van inlichtingen (as the workbench exports it), a
rectificatie and a newer version replace an earlier passage; asked as a provider, the answer
leads with the new value, cites the later document and marks the old passage — in the CLI, the
JSON contract (`superseded_by`) and the chat. Test data is made here: the corpus's
Inkoopdocument-Wmo-met-Emvi (§ 5.7: 90 kalenderdagen) with an NvI that makes it 120, a tender
whose closing date a rectificatie moves, and two versions of a contract article."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS
from test_cli import hashing_env, ingest, isolate_env, run  # noqa: F401

from assistant.answer import supersede
from assistant.models import Answer, Citation
from assistant.nvi.export import to_markdown, write_docx
from assistant.nvi.models import ExportMeta, ExportRow
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.chat import respond
from assistant.ui.cli_args import EXIT_OK
from assistant.verify.citations import quote_on_page
from index.filters import MEDEWERKER
from ingest.readers import read_document
from ingest.relations import detect_relations, parse_supersedes, version_of

TENDER = CORPUS / "inkoopdocumenten" / "Inkoopdocument-Wmo-met-Emvi.md"
NVI = "NvI-Wmo-begeleiding-2026.md"
NVI_MARK = "Nota van inlichtingen — Wmo begeleiding 2026, 1 december 2025"
RECT_MARK = "Rectificatie van de Aanbestedingsleidraad Jeugdhulp Weert 2026, 20 november 2025"
V12_MARK = "Overeenkomst Jeugdhulp Weert versie 1.2, 1 oktober 2025"

Q_TERM = "Wat is de gestanddoeningstermijn van de inschrijving?"
Q_CLOSING = "Wat is de sluitingsdatum voor het indienen van inschrijvingen?"
Q_NOTICE = "Wat is de opzegtermijn voor opdrachtnemer?"

META = ExportMeta(name="Wmo begeleiding 2026", date="2025-12-01", documents="Inkoopdocument")
ROWS = (
    ExportRow(
        nr=1,
        document="Inkoopdocument",
        location="5.7",
        question="Hoe lang moeten wij ons aan onze inschrijving houden? In § 5.2 staat iets "
        "anders dan in § 5.7.",
        answer="De gestanddoeningstermijn wordt verlengd naar 120 kalenderdagen. Deze termijn "
        "start op de sluitingsdatum voor het indienen van de inschrijving.",
    ),
    ExportRow(
        nr=2,
        document="Inkoopdocument",
        location="5.6",
        question="Mogen wij onze inschrijving met onderaannemers delen?",
        answer="Ja, voor zover dat nodig is voor de inschrijving.",
    ),
)

LEIDRAAD = """---
datum: 2025-11-01
tender: Jeugdhulp Weert 2026
---
# Aanbestedingsleidraad Jeugdhulp Weert 2026

## 4.1 Procedure

De gemeente Weert volgt een openbare procedure voor sociale en andere specifieke diensten.

## 4.2 Planning

De sluitingsdatum voor het indienen van inschrijvingen is 2 maart 2026, 12:00 uur. De
gunningsbeslissing volgt uiterlijk 15 april 2026.
"""
RECTIFICATIE = """# Rectificatie van de Aanbestedingsleidraad Jeugdhulp Weert 2026

Aanbesteding: Jeugdhulp Weert 2026

Datum: 20 november 2025

Met deze rectificatie wijzigt de gemeente Weert de planning van de aanbesteding.

## Wijziging 1 — Aanbestedingsleidraad, § 4.2 Planning

Was: De sluitingsdatum voor het indienen van inschrijvingen is 2 maart 2026, 12:00 uur.

Wordt: De sluitingsdatum voor het indienen van inschrijvingen is 16 maart 2026, 12:00 uur.
"""
OVEREENKOMST = """---
datum: {datum}
---
# Overeenkomst Jeugdhulp Weert versie {versie}

### Artikel 7.1 Duur

Deze overeenkomst geldt van 1 januari 2026 tot en met 31 december 2028.

### Artikel 7.2 Opzegging

Opdrachtnemer kan de overeenkomst schriftelijk opzeggen met een opzegtermijn van {termijn}.
"""


def make_documents(folder: Path, nvi: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(TENDER, folder / TENDER.name)
    if nvi:
        (folder / NVI).write_text(to_markdown(META, ROWS), encoding="utf-8")
    (folder / "Aanbestedingsleidraad-Jeugdhulp-Weert-2026.md").write_text(LEIDRAAD, "utf-8")
    (folder / "Rectificatie-Aanbestedingsleidraad-Jeugdhulp-Weert-2026.md").write_text(
        RECTIFICATIE, "utf-8"
    )
    for versie, datum, termijn in (("1_1", "2024-09-01", "drie maanden"),
                                   ("1_2", "2025-10-01", "zes maanden")):  # fmt: skip
        text = OVEREENKOMST.format(versie=versie.replace("_", "."), datum=datum, termijn=termijn)
        (folder / f"Overeenkomst-Jeugdhulp-Weert-versie-{versie}.md").write_text(text, "utf-8")
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("supersede")
    docs = make_documents(root / "docs")
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, _ = ingest(root / "data", docs)
    assert code == EXIT_OK
    return root / "data"


def ask_json(data: Path, question: str, *extra: str) -> dict:
    code, out = run("ask", question, "--json", "--data-dir", data, *extra)
    assert code == EXIT_OK
    return json.loads(out)


def check_leads_and_marks(answer: dict, new: str, old: str, later_title: str, mark: str) -> None:
    """The answer leads with `new` from the later document and shows `old` only marked."""
    assert not answer["refused"]
    text = answer["answer"]
    first = text.splitlines()[0]
    assert first.startswith(f"Volgens {later_title}") and new in first and first.endswith("[1]")
    lead = answer["citations"][0]
    assert lead["key"] == 1 and lead["title"] == later_title and new in lead["quote"]
    assert "superseded_by" not in lead
    marked = [c for c in answer["citations"] if old in c["quote"]]
    assert marked and all(c.get("superseded_by") == mark for c in marked)
    for c in marked:  # the old text appears only with its mark
        assert f"[{c['key']}] (vervangen door {mark})" in text
    for line in text.splitlines():  # also a short answer drawn from it ("90 kalenderdagen.")
        assert old not in line or f"(vervangen door {mark})" in line
    assert text.index(new) < text.index(old)


def check_quotes_on_pages(data: Path, answer: dict) -> None:
    with Assistant(Settings(data_dir=data)) as assistant:
        ids = {d.source: d.doc_id for d in assistant.documents()}
        for c in answer["citations"]:
            assert quote_on_page(c["quote"], assistant.index.page_text(ids[c["source"]], c["page"]))


# --- relations as metadata ---------------------------------------------------------------------


def test_relations_are_read_from_the_texts(tmp_path: Path) -> None:
    folder = make_documents(tmp_path)
    nvi = read_document(folder / NVI).metadata
    assert nvi["type"] == "nota van inlichtingen" and nvi["tender"] == "Wmo begeleiding 2026"
    assert nvi["datum"] == "2025-12-01"
    # per answer its paragraph, from the block headings; not § 5.2 mentioned in a question;
    # an answer that changes the text amends (5.7), one that only answers clarifies (5.6)
    assert [(s.target, s.paragraph) for s in parse_supersedes(nvi["supersedes"])] == [
        ("Inkoopdocument", "5.7")
    ]
    assert nvi["clarifies"] == "Inkoopdocument § 5.6"
    rect = read_document(folder / "Rectificatie-Aanbestedingsleidraad-Jeugdhulp-Weert-2026.md")
    assert rect.metadata["type"] == "rectificatie"
    assert rect.metadata["supersedes"] == "Aanbestedingsleidraad § 4.2"
    assert rect.metadata["tender"] == "Jeugdhulp Weert 2026"
    v11 = read_document(folder / "Overeenkomst-Jeugdhulp-Weert-versie-1_1.md").metadata
    assert v11["version"] == "1.1"
    assert version_of("CSW-Was-Wordt-tabel-versie-1.1-naar-1.2") == ""  # a change table
    assert version_of("Standaard administratieprotocol\nVersie 3.2.b") == "3.2.b"
    assert "supersedes" not in read_document(TENDER).metadata


def test_the_workbench_docx_export_carries_tender_and_paragraphs(tmp_path: Path) -> None:
    path = write_docx(META, ROWS, tmp_path / "nvi.docx")
    meta = read_document(path).metadata
    assert meta["type"] == "nota van inlichtingen" and meta["tender"] == "Wmo begeleiding 2026"
    assert meta["supersedes"] == "Inkoopdocument § 5.7"
    assert meta["clarifies"] == "Inkoopdocument § 5.6"


def test_front_matter_relations_win_over_detected_ones(tmp_path: Path) -> None:
    text = "---\nsupersedes: Inkoopdocument-Wmo-met-Emvi § 5.3.2\nversion: 2\n---\n" + RECTIFICATIE
    (tmp_path / "r.md").write_text(text, encoding="utf-8")
    meta = read_document(tmp_path / "r.md").metadata
    assert meta["supersedes"] == "Inkoopdocument-Wmo-met-Emvi § 5.3.2" and meta["version"] == "2"
    assert detect_relations("# Iets\n\nGeen relaties hier.", {}) == {}


def test_documents_lists_versions_and_what_replaces_what(data: Path) -> None:
    code, out = run("documents", "--json", "--data-dir", data)
    assert code == EXIT_OK
    rows = {Path(r["source"]).name: r for r in json.loads(out)}
    assert rows["Overeenkomst-Jeugdhulp-Weert-versie-1_1.md"]["version"] == "1.1"
    assert rows["Overeenkomst-Jeugdhulp-Weert-versie-1_1.md"]["superseded_by"][0].endswith(
        "Overeenkomst-Jeugdhulp-Weert-versie-1_2.md"
    )
    assert [s.rsplit("/", 1)[-1] for s in rows[NVI]["supersedes"]] == [
        "Inkoopdocument-Wmo-met-Emvi.md § 5.7"
    ]
    assert [s.rsplit("/", 1)[-1] for s in rows[NVI]["clarifies"]] == [
        "Inkoopdocument-Wmo-met-Emvi.md § 5.6"
    ]
    assert "superseded_by" not in rows[NVI]
    code, text = run("documents", "--data-dir", data)
    assert "versie 1.2" in text and "vervangen door" in text and "vervangt" in text


# --- the three kinds, asked as a provider ------------------------------------------------------


def test_nvi_answer_on_5_7_leads_and_the_90_days_are_marked(data: Path) -> None:
    answer = ask_json(data, Q_TERM)
    check_leads_and_marks(answer, "120 kalenderdagen", "90 kalenderdagen",
                          "Nota van inlichtingen — Wmo begeleiding 2026", NVI_MARK)  # fmt: skip
    check_quotes_on_pages(data, answer)
    unmarked = [c for c in answer["citations"] if "superseded_by" not in c]
    assert all(set(c) == {"key", "source", "title", "page", "section", "heading", "quote",
                          "score"} for c in unmarked)  # fmt: skip


def test_rectificatie_moves_the_closing_date(data: Path) -> None:
    answer = ask_json(data, Q_CLOSING)
    check_leads_and_marks(answer, "16 maart 2026", "2 maart 2026",
                          "Rectificatie van de Aanbestedingsleidraad Jeugdhulp Weert 2026",
                          RECT_MARK)  # fmt: skip
    check_quotes_on_pages(data, answer)


def test_newer_contract_version_leads_and_the_older_article_is_marked(data: Path) -> None:
    answer = ask_json(data, Q_NOTICE)
    check_leads_and_marks(answer, "zes maanden", "drie maanden",
                          "Overeenkomst Jeugdhulp Weert versie 1.2", V12_MARK)  # fmt: skip
    check_quotes_on_pages(data, answer)


def test_cli_text_shows_the_mark_under_the_source(data: Path) -> None:
    code, out = run("ask", Q_TERM, "--data-dir", data)
    assert code == EXIT_OK
    assert out.startswith("Volgens Nota van inlichtingen — Wmo begeleiding 2026 (1 december 2025)")
    assert f"      vervangen door {NVI_MARK}\n" in out


def test_chat_sources_panel_shows_the_mark(data: Path) -> None:
    with Assistant(Settings(data_dir=data)) as assistant:
        _, history, sources = respond(assistant, {}, Q_CLOSING, [])
    reply = history[-1]["content"]
    assert reply.startswith("Volgens Rectificatie") and "16 maart 2026" in reply
    assert f"vervangen door {RECT_MARK}" in sources
    assert 'class="bron bron-oud"' in sources and 'data-testid="vervangen"' in sources


def test_search_marks_the_older_version_for_staff_and_providers(data: Path) -> None:
    for audience in ("aanbieder", MEDEWERKER):
        code, out = run("search", "opzegtermijn opdrachtnemer drie maanden", "--json",
                        "--data-dir", data, "--audience", audience)  # fmt: skip
        assert code == EXIT_OK
        results = json.loads(out)["results"]
        old = [r for r in results if r["source"].endswith("versie-1_1.md")]
        new = [r for r in results if r["source"].endswith("versie-1_2.md")]
        assert old and all(r["superseded_by"] == V12_MARK for r in old)  # still found, marked
        assert new and all("superseded_by" not in r for r in new)


def test_unchanged_article_is_cited_from_the_newer_version(data: Path) -> None:
    with Assistant(Settings(data_dir=data)) as assistant:
        docs = {Path(d.source).name: d for d in assistant.documents()}
        old = docs["Overeenkomst-Jeugdhulp-Weert-versie-1_1.md"]
        quote = "Deze overeenkomst geldt van 1 januari 2026 tot en met 31 december 2028."
        cited = Citation(1, old.source, old.title, 1, "Artikel 7.1", "Artikel 7.1 Duur", quote,
                         0.9, old.doc_id)  # fmt: skip
        before = Answer("Hoe lang?", f"Volgens de documenten: {quote} [1]", False, (cited,))
        after = supersede.apply(before, assistant.index, "aanbieder")
    (c,) = after.citations
    assert c.source.endswith("versie-1_2.md") and c.quote == quote and not c.superseded_by
    assert after.answer == before.answer


def test_an_intern_note_does_not_change_a_providers_answer(tmp_path: Path) -> None:
    docs = make_documents(tmp_path / "docs", nvi=False)
    note = tmp_path / "intern"
    note.mkdir()
    (note / NVI).write_text(to_markdown(META, ROWS), encoding="utf-8")
    assert ingest(tmp_path / "data", docs)[0] == EXIT_OK
    assert ingest(tmp_path / "data", note, extra=("--visibility", "intern"))[0] == EXIT_OK
    provider = ask_json(tmp_path / "data", Q_TERM)
    assert "120 kalenderdagen" not in provider["answer"]
    assert all("superseded_by" not in c for c in provider["citations"])
    staff = ask_json(tmp_path / "data", Q_TERM, "--audience", MEDEWERKER)
    assert staff["answer"].startswith("Volgens Nota van inlichtingen")
    assert any(c.get("superseded_by") == NVI_MARK for c in staff["citations"])


def test_an_answer_without_replaced_passages_is_unchanged(data: Path) -> None:
    with Assistant(Settings(data_dir=data)) as assistant:
        answer = assistant.ask("Wat is de duur van de procedure voor sociale diensten?")
    assert "vervangen door" not in answer.answer
    assert all(not c.superseded_by for c in answer.citations)


# --- the NvI workbench -------------------------------------------------------------------------


def test_drafting_shows_the_earlier_answer_on_the_paragraph_and_warns(data: Path) -> None:
    from assistant.nvi.draft import Drafter
    from assistant.nvi.review import warnings

    with Assistant(Settings(data_dir=data)) as assistant:
        tender = next(d.source for d in assistant.documents() if d.source.endswith(TENDER.name))
        drafted = Drafter(assistant).draft(
            Q_TERM,
            "§ 5.7",
            [tender],
        )
    on_paragraph = [e for e in drafted.earlier if e["section"] == "5.7"]
    assert on_paragraph and on_paragraph[0]["source"].endswith(NVI)
    assert "120 kalenderdagen" in on_paragraph[0]["text"] and on_paragraph[0]["earlier"]
    assert any("90 kalenderdagen" in c["quote"] for c in drafted.citations)
    assert drafted.flags
    for flag in drafted.flags:  # one per quoted passage of § 5.7
        assert flag.startswith("Let op: [") and flag.endswith(f"is vervangen door {NVI_MARK}.")
    shown = warnings(drafted.answer, "concept", ["vraag"], drafted.citations, drafted.flags)
    assert set(drafted.flags) <= set(shown)
