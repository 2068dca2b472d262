"""The NvI workbench end to end through `inkoop nvi`: a questions spreadsheet becomes an
exported, cited, anonymised note. Real Chroma in a temp dir, hashing embedder, real files."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import SHARED_CORPUS, SHARED_EVAL
from test_cli import isolate_env, run

from assistant.nvi.models import BELEIDSVRAAG
from assistant.nvi.records import Group
from assistant.nvi.store import NviStore
from assistant.nvi.workbench import _renumbered, store_path
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.verify.citations import quote_on_page

TENDER = """---
title: Inkoopdocument ambulante jeugdhulp 2026
visibility: openbaar
---
# Inkoopdocument ambulante jeugdhulp 2026

## 2.1 Planning

De inschrijving sluit op 15 januari 2026 om 12:00 uur. Inschrijvingen die later binnenkomen
nemen wij niet in behandeling.

## 3.2 Tarieven

Het uurtarief voor ambulante begeleiding bedraagt 78,50 euro in 2026. Het tarief wordt
jaarlijks geïndexeerd met de OVA-index.

## 4.1 Onderaanneming

Onderaanneming is toegestaan met voorafgaande schriftelijke toestemming van de gemeente.
"""
EARLIER = """---
title: Nota van inlichtingen jeugdhulp 2024
type: nota van inlichtingen
visibility: openbaar
---
# Nota van inlichtingen jeugdhulp 2024

Vraag 7: Is onderaanneming toegestaan bij de uitvoering van de overeenkomst jeugdhulp?
Antwoord: Ja, onderaanneming is toegestaan als de gemeente vooraf schriftelijk toestemming
geeft voor de onderaanneming.
"""
CANARY = "KANARIE-NVI-55"
INTERN_NOTE = f"""---
title: Interne notitie
visibility: intern
---
# Interne notitie

De inschrijving sluit intern gezien op 15 januari 2026; {CANARY} reservebudget 999999 euro.
"""
QUESTIONS = [
    ("1", "Zorg Noord BV", "2.1", "Wanneer sluit de inschrijving?"),
    ("2", "Jeugdhulp Zuid", "§ 2.1", "Wanneer sluit de inschrijving precies?"),
    ("3", "Zorg Noord BV", "3.2", "Hoe hoog is het uurtarief voor ambulante begeleiding in 2026?"),
    ("4", "Jeugdhulp Zuid", "4.1", "Is onderaanneming toegestaan bij de uitvoering?"),
    ("5", "Zorg Noord BV", "", "Waarom kiest de gemeente voor een bestuurlijke aanbesteding?"),
]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_env(monkeypatch)
    monkeypatch.setenv("INKOOP_USER", "Anna")
    docs = tmp_path / "stukken"
    docs.mkdir()
    (docs / "inkoopdocument.md").write_text(TENDER, encoding="utf-8")
    (docs / "nvi-2024.md").write_text(EARLIER, encoding="utf-8")
    (docs / "interne-notitie.md").write_text(INTERN_NOTE, encoding="utf-8")
    data = tmp_path / "data"
    code, out = run("ingest", docs, "--data-dir", data, "--no-progress")
    assert code == 0, out
    with (tmp_path / "vragen.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Nr.", "Aanbieder", "Paragraaf", "Vraag"])
        w.writerows(QUESTIONS)
    return data


def nvi(data: Path, *argv: str | Path) -> Any:
    code, out = run("nvi", *argv, "--data-dir", data, "--json")
    assert code == 0, out
    return json.loads(out)


def assistant_for(data: Path) -> Assistant:
    return Assistant(Settings(data_dir=data, embedding_model="hashing"))


def test_from_spreadsheet_to_a_cited_note(data: Path, tmp_path: Path) -> None:
    assert nvi(data, "new", "Jeugdhulp 2026", "--documents", "*inkoopdocument*")["name"] == (
        "Jeugdhulp 2026"
    )
    imported = nvi(data, "import", "Jeugdhulp 2026", tmp_path / "vragen.csv")
    assert imported["added"] == [1, 2, 3, 4, 5]
    assert imported["columns"]["text"] == "Vraag"

    clustered = nvi(data, "cluster", "Jeugdhulp 2026")
    assert clustered["together"] == [[1, 2]]  # the same question from two providers

    drafted = nvi(data, "draft", "Jeugdhulp 2026")
    assert drafted["answered"] == [1, 3, 4]
    assert drafted["beleidsvragen"] == [5]
    groups = {g["nr"]: g for g in nvi(data, "list", "Jeugdhulp 2026")}
    assert "15 januari 2026" in groups[1]["answer"]
    assert "78,50 euro" in groups[3]["answer"]
    # every draft cites the tender document only, and every quote is on its page
    assistant = assistant_for(data)
    for g in groups.values():
        for c in g["citations"]:
            assert c["title"] == "Inkoopdocument ambulante jeugdhulp 2026"
            assert quote_on_page(c["quote"], assistant.index.page_text(c["doc_id"], c["page"]))
    assert groups[5]["answer"] == ""
    assert groups[5]["flags"] == [BELEIDSVRAAG]
    assert groups[5]["passages"]  # what the writer can start from
    for p in groups[5]["passages"]:  # where the answer most likely stands, as in the chat
        if p.get("highlight"):
            doc = next(d for d in assistant.documents() if d.source == p["source"])
            assert quote_on_page(p["highlight"], assistant.index.page_text(doc.doc_id, p["page"]))
    # the earlier note on subcontracting is shown beside the draft, marked as earlier
    earlier = groups[4]["earlier"]
    assert [p["title"] for p in earlier] == ["Nota van inlichtingen jeugdhulp 2024"]
    assert earlier[0]["earlier"] is True
    del assistant  # release the index for the CLI

    for nr in (1, 3, 4):
        assert nvi(data, "set", "Jeugdhulp 2026", str(nr), "--status", "definitief")["status"] == (
            "definitief"
        )
    own = "De gemeente kiest hiervoor om de keuzevrijheid van jeugdigen te vergroten."
    done = nvi(
        data, "set", "Jeugdhulp 2026", "5", "--answer", own, "--status", "definitief", "--by", "B"
    )
    assert (done["answer"], done["updated_by"]) == (own, "B")

    md = tmp_path / "out" / "nvi.md"
    assert nvi(data, "export", "Jeugdhulp 2026", "--format", "md", "--out", md)["questions"] == 5
    text = md.read_text(encoding="utf-8")
    for nr in range(1, 6):
        assert f"## Vraag {nr}" in text
    assert "Inkoopdocument ambulante jeugdhulp 2026, p. 1, § 3.2" in text
    assert "Zorg Noord" not in text and "Jeugdhulp Zuid" not in text
    assert CANARY not in text

    out_docx = tmp_path / "out" / "nvi.docx"
    nvi(data, "export", "Jeugdhulp 2026", "--format", "docx", "--out", out_docx)
    table = docx.Document(str(out_docx)).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4", "5"]
    assert "15 januari 2026" in rows[2][3]  # question 2 gets the answer of its group
    assert own in rows[5][3]

    out_csv = tmp_path / "out" / "nvi.csv"
    nvi(data, "export", "Jeugdhulp 2026", "--format", "csv", "--out", out_csv)
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        records = list(csv.DictReader(f, delimiter=";"))
    assert [r["nr"] for r in records] == ["1", "2", "3", "4", "5"]
    assert records[2]["paragraaf"] == "3.2"


def test_only_definitief_answers_are_exported_unless_asked(data: Path, tmp_path: Path) -> None:
    nvi(data, "new", "P", "--documents", "*inkoopdocument*")
    nvi(data, "import", "P", tmp_path / "vragen.csv")
    nvi(data, "draft", "P")
    code, _ = run(
        "nvi", "export", "P", "--format", "md", "--out", tmp_path / "x.md", "--data-dir", data
    )
    assert code == 1
    assert not (tmp_path / "x.md").exists()
    done = nvi(data, "export", "P", "--format", "md", "--out", tmp_path / "x.md", "--all")
    assert done["questions"] == 5
    assert "(status: concept)" in (tmp_path / "x.md").read_text(encoding="utf-8")


def test_a_stale_version_is_refused_on_the_command_line(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nvi(data, "new", "P")
    nvi(data, "import", "P", tmp_path / "vragen.csv")
    version = nvi(data, "show", "P", "3")["version"]
    nvi(data, "set", "P", "3", "--answer", "Eerste versie.", "--version", str(version))
    code, _ = run(
        "nvi", "set", "P", "3", "--answer", "Tweede.", "--version", str(version), "--data-dir", data
    )
    assert code == 1
    assert "intussen gewijzigd door Anna" in capsys.readouterr().err
    assert nvi(data, "show", "P", "3")["answer"] == "Eerste versie."


def test_a_project_without_published_documents_cannot_draft(data: Path, tmp_path: Path) -> None:
    nvi(data, "new", "Intern", "--documents", "*interne-notitie*")
    nvi(data, "import", "Intern", tmp_path / "vragen.csv")
    code, out = run("nvi", "draft", "Intern", "--data-dir", data, "--json")
    assert code == 1
    assert "Geen openbaar geïndexeerd document" in json.loads(out)["error"]


def test_drafts_and_exports_never_use_internal_documents(data: Path, tmp_path: Path) -> None:
    nvi(data, "new", "Alles")  # no pattern: every openbaar document
    nvi(data, "import", "Alles", tmp_path / "vragen.csv")
    nvi(data, "draft", "Alles")
    listed = json.dumps(nvi(data, "list", "Alles"), ensure_ascii=False)
    assert CANARY not in listed and "999999" not in listed
    nvi(data, "export", "Alles", "--format", "md", "--out", tmp_path / "a.md", "--all")
    assert CANARY not in (tmp_path / "a.md").read_text(encoding="utf-8")


def test_a_citation_that_no_longer_verifies_is_left_out_and_keys_renumbered() -> None:
    cites = (
        {"key": 1, "title": "A", "page": 2, "section": "2.1", "quote": "weg"},
        {"key": 2, "title": "B", "page": 5, "section": "", "quote": "blijft"},
    )
    g = Group(id=1, questions=(), answer="Eerst [1]. Dan [2].", citations=cites)
    text, sources = _renumbered(g, lambda c: c["quote"] == "blijft")
    assert (text, sources) == ("Eerst. Dan [1].", ("B, p. 5",))


def test_export_checks_citations_against_the_index_again(data: Path, tmp_path: Path) -> None:
    nvi(data, "new", "P", "--documents", "*inkoopdocument*")
    nvi(data, "import", "P", tmp_path / "vragen.csv")
    nvi(data, "draft", "P", "--nr", "3")
    nvi(data, "set", "P", "3", "--status", "definitief")
    # the stored quote no longer matches the page (as after a changed document)
    db = sqlite3.connect(store_path(data))
    (raw,) = db.execute("SELECT citations FROM groups WHERE answer LIKE '%78,50%'").fetchone()
    cites = json.loads(raw)
    cites[0]["quote"] = "Het uurtarief bedraagt 99 euro."
    db.execute("UPDATE groups SET citations = ? WHERE answer LIKE '%78,50%'", (json.dumps(cites),))
    db.commit()
    db.close()
    shown = nvi(data, "show", "P", "3")
    assert any("komt niet meer voor" in w for w in shown["warnings"])
    nvi(data, "export", "P", "--format", "md", "--out", tmp_path / "p.md")
    block = (tmp_path / "p.md").read_text(encoding="utf-8").split("## Vraag 3")[1]
    assert "78,50 euro" in block
    assert "Bronnen" not in block and "[1]" not in block


def test_inbox_questions_join_a_project(data: Path) -> None:
    NviStore(store_path(data)).add_candidate("Mag ik als zzp'er inschrijven op deze aanbesteding?")
    nvi(data, "new", "P")
    found = nvi(data, "inbox")
    assert [c["question"] for c in found] == ["Mag ik als zzp'er inschrijven op deze aanbesteding?"]
    assert nvi(data, "inbox", "--take", "P", "--id", str(found[0]["id"]))["added"] == [1]
    assert nvi(data, "inbox") == []
    assert nvi(data, "list", "P")[0]["questions"][0]["origin"] == "chat"


@pytest.fixture
def ggz_questions(tmp_path: Path) -> Path:
    cases = SHARED_EVAL / "zk_NvI-GGZ-2024-2026.json"
    if not (cases.is_file() and SHARED_CORPUS.is_dir()):
        pytest.skip("../shared corpus/eval are not present")
    rows = json.loads(cases.read_text(encoding="utf-8"))[:20]
    path = tmp_path / "ggz-vragen.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Vraagnummer", "Organisatie", "Paragraaf", "Vraag"])
        for i, row in enumerate(rows, 1):
            w.writerow([i, f"Zorggroep {i % 4}", row["section"], row["question"]])
    return path


def test_twenty_real_ggz_questions_draft_review_export(
    ggz_questions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_env(monkeypatch)
    data = tmp_path / "data"
    pdf = SHARED_CORPUS / "pdf" / "zk_Inkoopbeleid-GGZ-2024-2026.pdf"
    code, out = run("ingest", pdf, "--data-dir", data, "--no-progress", "--visibility", "openbaar")
    assert code == 0, out
    nvi(data, "new", "GGZ", "--documents", "*Inkoopbeleid-GGZ*")
    assert len(nvi(data, "import", "GGZ", ggz_questions)["added"]) == 20
    nvi(data, "cluster", "GGZ")
    drafted = nvi(data, "draft", "GGZ")
    groups = nvi(data, "list", "GGZ")
    assert len(drafted["answered"]) + len(drafted["beleidsvragen"]) == len(groups)
    assert drafted["answered"], "some GGZ questions are answered by the policy text itself"
    assistant = assistant_for(data)
    cited = [c for g in groups for c in g["citations"]]
    assert cited
    for c in cited:
        assert quote_on_page(c["quote"], assistant.index.page_text(c["doc_id"], c["page"]))
    del assistant
    for g in groups:
        if not g["answer"]:
            nvi(data, "set", "GGZ", str(g["nr"]), "--answer", "Zie toelichting [beleid].")
        nvi(data, "set", "GGZ", str(g["nr"]), "--status", "definitief")
    out_docx = tmp_path / "ggz.docx"
    assert nvi(data, "export", "GGZ", "--format", "docx", "--out", out_docx)["questions"] == 20
    table = docx.Document(str(out_docx)).tables[0]
    assert [row.cells[0].text for row in table.rows[1:]] == [str(n) for n in range(1, 21)]
    assert not any("Zorggroep" in row.cells[2].text for row in table.rows)


def test_without_a_pattern_earlier_notes_are_shown_not_drafted_from(
    data: Path, tmp_path: Path
) -> None:
    nvi(data, "new", "Alles")
    nvi(data, "import", "Alles", tmp_path / "vragen.csv")
    nvi(data, "draft", "Alles")
    groups = {g["nr"]: g for g in nvi(data, "list", "Alles")}
    cited = {c["title"] for g in groups.values() for c in g["citations"]}
    assert cited == {"Inkoopdocument ambulante jeugdhulp 2026"}
    assert [p["title"] for p in groups[4]["earlier"]] == ["Nota van inlichtingen jeugdhulp 2024"]


def test_export_names_folders_and_formats(data: Path, tmp_path: Path) -> None:
    nvi(data, "new", "Jeugdhulp 2026", "--documents", "*inkoopdocument*")
    nvi(data, "import", "Jeugdhulp 2026", tmp_path / "vragen.csv")
    folder = tmp_path / "exports"
    folder.mkdir()
    done = nvi(data, "export", "Jeugdhulp 2026", "--format", "md", "--out", folder, "--all")
    assert done["path"] == str(folder / "NvI-Jeugdhulp-2026.md")
    code, out = run(
        "nvi",
        "export",
        "Jeugdhulp 2026",
        "--format",
        "docx",
        "--out",
        tmp_path / "nvi.csv",
        "--all",
        "--data-dir",
        data,
        "--json",
    )
    assert code == 1
    assert json.loads(out)["error"] == "De bestandsnaam nvi.csv past niet bij het formaat docx."
    blocked = tmp_path / "bestand"
    blocked.write_text("geen map", encoding="utf-8")
    code, out = run(
        "nvi",
        "export",
        "Jeugdhulp 2026",
        "--format",
        "md",
        "--out",
        blocked / "nvi.md",
        "--all",
        "--data-dir",
        data,
        "--json",
    )
    assert code == 1
    assert json.loads(out)["error"].startswith(f"Kan {blocked / 'nvi.md'} niet schrijven")


def test_unknown_numbers_deadlines_and_stray_ids_are_errors(data: Path, tmp_path: Path) -> None:
    code, out = run("nvi", "new", "P", "--deadline", "morgen", "--data-dir", data, "--json")
    assert code == 1
    assert "'morgen' is geen datum" in json.loads(out)["error"]
    made = nvi(data, "new", "P", "--deadline", "15 januari 2026 12:00")
    assert made["deadline"] == "2026-01-15T12:00"
    nvi(data, "import", "P", tmp_path / "vragen.csv")
    code, out = run("nvi", "draft", "P", "--nr", "999", "--data-dir", data, "--json")
    assert (code, json.loads(out)["error"]) == (1, "Geen vraag 999 in 'P'.")
    code, out = run("nvi", "inbox", "--id", "1", "--data-dir", data, "--json")
    assert code == 1
    assert "--take" in json.loads(out)["error"]


def test_a_busy_index_is_a_dutch_error_not_a_trace(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from io import StringIO

    from assistant.nvi.cli import run as run_nvi
    from assistant.ui.cli import build_parser
    from index.errors import DataDirBusyError

    nvi(data, "new", "P")

    def busy() -> Assistant:
        raise DataDirBusyError("the data dir is in use by pid 4242")

    args = build_parser().parse_args(["nvi", "draft", "P", "--json"])
    out = StringIO()
    assert run_nvi(args, Settings(data_dir=data), out, busy) == 1
    assert "de index is in gebruik door een ander proces" in json.loads(out.getvalue())["error"]
    assert capsys.readouterr().err.startswith("fout: de index is in gebruik")


def test_generic_provider_values_are_not_blanked_out() -> None:
    from assistant.nvi.workbench import is_name

    assert [is_name(p) for p in ("Zorgaanbieder", "n.v.t.", "GGZ", "Zorg Noord BV")] == [
        False,
        False,
        False,
        True,
    ]


def test_a_draft_that_cannot_answer_shows_where_to_read(data: Path) -> None:
    """No draft answer: the passages beside it are the chat's "hier staat het waarschijnlijk",
    each with its likeliest sentence marked and verified on its page (issue 20)."""
    from assistant.nvi.draft import Drafter

    assistant = assistant_for(data)
    try:
        drafter = Drafter(assistant)
        question = "Welk uurtarief geldt voor ambulante begeleiding van jongeren op feestdagen?"
        draft = drafter.draft(question, "3.2", drafter.sources("*inkoopdocument*"))
        assert draft.answer == "" and draft.flags == (BELEIDSVRAAG,)
        marked = [p for p in draft.passages if p.get("highlight")]
        assert marked and "uurtarief" in marked[0]["highlight"]
        for p in marked:
            doc = next(d for d in assistant.documents() if d.source == p["source"])
            assert quote_on_page(p["highlight"], assistant.index.page_text(doc.doc_id, p["page"]))
    finally:
        assistant.close()


DEFINITIONS = """---
title: Inkoopdocument Wmo begeleiding 2026
visibility: openbaar
---
# Inkoopdocument Wmo begeleiding 2026

## 1.2 Begrippen

In dit inkoopdocument wordt verstaan onder:

- Cliëntenstop: een tijdelijke stop op het aannemen van nieuwe cliënten door de opdrachtnemer,
  die de opdrachtnemer ten minste 14 kalenderdagen vooraf meldt;
- Organisatie-inrichting: het organogram en de juridische structuur van de opdrachtnemer.

## 3.1 Uitvoering

De opdrachtnemer levert begeleiding aan cliënten binnen de afgesproken termijn.
"""


def test_a_draft_walks_the_chats_fact_answerers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20 §0: NvI drafting walks the same answerers as the chat, facts first: a
    question after a term's meaning is drafted from its begripsbepaling, as the chat answers
    it; a hyphenated compound ("Organisatie-inrichting: ...") is no definition of its head."""
    from assistant.nvi.draft import Drafter

    isolate_env(monkeypatch)
    docs = tmp_path / "stukken"
    docs.mkdir()
    (docs / "inkoopdocument-wmo.md").write_text(DEFINITIONS, encoding="utf-8")
    data = tmp_path / "data"
    code, out = run("ingest", docs, "--data-dir", data, "--no-progress")
    assert code == 0, out
    assistant = assistant_for(data)
    try:
        drafter = Drafter(assistant)
        sources = drafter.sources("*inkoopdocument*")
        question = "Wat wordt in het inkoopdocument verstaan onder een cliëntenstop?"
        draft = drafter.draft(question, "1.2", sources)
        chat = assistant.ask(question)
        assert not chat.refused and "14 kalenderdagen" in chat.answer
        assert draft.answer == chat.answer
        organisatie = drafter.draft("Wat bedoelt u met de organisatie?", "", sources)
        assert "Organisatie-inrichting" not in organisatie.answer
    finally:
        assistant.close()
