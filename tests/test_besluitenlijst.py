"""Real council documents: a besluitenlijst's "De raad besluit …" are decisions of the meeting
date, with agenda item and vote; a question about a meeting lists them with citations; a stale
PDF title loses to the first page's heading. With the Den Helder besluitenlijst of 29 June
2015 (../shared/corpus) and a besluitenlijst in another layout that the tests generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import LETTERS, SHARED_CORPUS
from test_cli import hashing_env, ingest, isolate_env, run  # noqa: F401

from assistant.answer.timeline.meeting_answer import meeting_asked
from assistant.answer.timeline.meetings import meeting_statements
from assistant.answer.timeline.merge import timeline
from assistant.answer.timeline.statement import DocumentFacts
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.cli_args import EXIT_OK
from assistant.verify.citations import quote_on_page
from ingest.metadata import first_page_heading, usable_pdf_title
from ingest.readers import read_document

DEN_HELDER = SHARED_CORPUS / "pdf" / "ori_Besluitenlijst-raadsvergadering-29-juni-2015.pdf"
MEETING_QUESTION = "Wat is er besloten in de raadsvergadering van 29 juni 2015?"


def den_helder() -> Path:
    if not DEN_HELDER.is_file():
        pytest.skip(f"{DEN_HELDER} is not present")
    return DEN_HELDER


def generated_besluitenlijst(path: Path) -> Path:
    """A besluitenlijst laid out as "Agendapunt N: …", "Besluit: …", "Stemming: …", with
    a stale PDF title and a decision that reports the step the seed letters planned."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    lines = [
        "Besluitenlijst van de openbare vergadering van de gemeenteraad van Weert",
        "Datum vergadering: 12 november 2024",
        "",
        "Agendapunt 1: Opening en mededelingen",
        "De voorzitter opent de vergadering. Er zijn geen mededelingen.",
        "",
        "Agendapunt 2: Inkoopdocumenten ambulante jeugdhulp Midden-Limburg",
        "Besluit: De raad besluit unaniem: de productbeschrijvingen en de inkoopdocumenten",
        "ambulante jeugdhulp Midden-Limburg vast te stellen, met ingang van 1 januari 2026.",
        "Stemming: aangenomen met algemene stemmen.",
        "",
        "Agendapunt 3: Verordening parkeren Weert 2025",
        "Besluit: De raad besluit in meerderheid de Verordening parkeren Weert 2025",
        "vast te stellen.",
        "Tegen stemden de fracties van Weert Lokaal en de SP.",
    ]
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Agenda raadsvergadering 3 maart 2020")  # stale metadata
    y = 800
    for line in lines:
        if line:
            pdf.drawString(60, y, line)
        y -= 24 if not line else 16
    pdf.save()
    return path


# --- pure ------------------------------------------------------------------------------------


def test_den_helder_decisions_are_dated_with_the_meeting_and_carry_agenda_and_vote() -> None:
    doc = read_document(den_helder())
    assert doc.title == "Besluitenlijst raadsvergadering 29 juni 2015"  # not the stale /Title
    assert doc.metadata["type"] == "besluitenlijst" and doc.metadata["datum"] == "2015-06-29"
    facts = DocumentFacts.from_metadata(doc.source, doc.title, dict(doc.metadata))
    pages = [(p.number, p.text) for p in doc.pages]
    decisions = meeting_statements(pages, facts)
    assert len(decisions) == 12  # every "De raad besluit" of the list
    assert {(d.date, d.status, d.actor) for d in decisions} == {("2015-06-29", "besloten", "raad")}
    by_page = dict(pages)
    assert all(quote_on_page(d.quote, by_page[d.page]) for d in decisions)
    (kamer,) = [d for d in decisions if "kamerverhuurpanden" in d.statement]
    assert kamer.agenda.startswith("7. Voorstel tot het vaststellen van de Verordening")
    assert kamer.vote == "unaniem" and kamer.page == 2
    assert kamer.quote.startswith("De raad besluit unaniem: vast te stellen de “Verordening")
    # a date inside the decision ("versie 1 mei 2015") is not its date
    (meerwerf,) = [d for d in decisions if "statutenwijziging" in d.statement]
    assert meerwerf.date == "2015-06-29" and "1 mei 2015" in meerwerf.statement
    assert meerwerf.vote.startswith("in meerderheid; Tegen het voorstel stemden")
    assert [d.vote for d in decisions if d.agenda.startswith("6.")] == ["bij acclamatie"]
    (motie,) = [d for d in decisions if d.agenda.startswith("16.")]
    assert motie.vote == "in meerderheid (16 stemmen voor en 14 stemmen tegen)"
    # the agenda item of a decision on the next page (10. on page 2, its decision on page 3)
    assert [d.page for d in decisions if d.agenda.startswith("10.")] == [3]
    assert len([d for d in decisions if d.agenda.startswith("8.")]) == 2  # amendment + besluit


def test_pdf_title_disagreeing_with_the_first_heading_loses() -> None:
    page = "Besluitenlijst raadsvergadering 29 juni 2015 aanvang 17.00 uur \n \n1. Opening.\n"
    assert first_page_heading(page) == "Besluitenlijst raadsvergadering 29 juni 2015"
    stale = "Aandachtspuntenlijst raadsvergadering 3 november 2008"
    assert usable_pdf_title(stale, page) == "Besluitenlijst raadsvergadering 29 juni 2015"
    # a title that agrees with a shorter heading stays
    title = "Inkoopbeleid Wlz Gehandicaptenzorg 2024-2026"
    assert usable_pdf_title(title, "Inkoopbeleid Wlz  \nGehandicaptenzorg \n2024-2026") == title
    assert usable_pdf_title(title, "Pagina 1 van 12\n\nTekst") == title
    assert usable_pdf_title(title) == title


def test_generated_besluitenlijst_in_another_layout(tmp_path: Path) -> None:
    doc = read_document(generated_besluitenlijst(tmp_path / "besluitenlijst-weert.pdf"))
    assert doc.title.startswith("Besluitenlijst van de openbare vergadering")
    facts = DocumentFacts.from_metadata(doc.source, doc.title, dict(doc.metadata))
    assert facts.kind == "besluitenlijst" and facts.gemeente == "Weert"
    decisions = meeting_statements([(p.number, p.text) for p in doc.pages], facts)
    assert [(d.date, d.agenda, d.vote) for d in decisions] == [
        (
            "2024-11-12",
            "Agendapunt 2: Inkoopdocumenten ambulante jeugdhulp Midden-Limburg",
            "unaniem; Stemming: aangenomen met algemene stemmen.",
        ),
        (
            "2024-11-12",
            "Agendapunt 3: Verordening parkeren Weert 2025",
            "in meerderheid; Tegen stemden de fracties van Weert Lokaal en de SP.",
        ),
    ]
    # "met ingang van 1 januari 2026" is in the decision, not its date
    assert "1 januari 2026" in decisions[0].statement
    assert decisions[1].statement == "de Verordening parkeren Weert 2025 vast te stellen."


def test_meeting_questions() -> None:
    assert meeting_asked(MEETING_QUESTION) == "2015-06-29"
    assert meeting_asked("Welke besluiten nam de raad op 12-11-2024?") == "2024-11-12"
    assert meeting_asked("Wat staat er in de besluitenlijst?") == ""
    assert meeting_asked("Wanneer is de gunning van 1 februari 2025?") == ""


# --- through the index and the CLI -----------------------------------------------------------


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf = den_helder()
    path = tmp_path_factory.mktemp("besluiten")
    extra = generated_besluitenlijst(path / "besluitenlijst-weert.pdf")
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, _ = ingest(path / "data", pdf, extra, LETTERS)
    assert code == EXIT_OK
    return path / "data"


def test_cli_decisions_finds_the_kamerverhuur_decision(data: Path) -> None:
    code, out = run("decisions", "kamerverhuurpanden", "--json", "--data-dir", data)
    assert code == EXIT_OK
    steps = json.loads(out)
    assert len(steps) == 1
    (step,) = steps
    assert (step["date"], step["status"], step["actor"], step["vote"]) == (
        "2015-06-29",
        "besloten",
        "raad",
        "unaniem",
    )
    assert step["title"] == "Besluitenlijst raadsvergadering 29 juni 2015"
    assert "kamerverhuurpanden" in step["agenda"] and step["page"] == 2
    code, out = run("decisions", "Meerwerf", "--json", "--data-dir", data)
    assert {s["date"] for s in json.loads(out)} == {"2015-06-29"}  # never "2015-05-01"
    assert all(s["status"] == "besloten" for s in json.loads(out))


def test_ask_what_was_decided_at_the_meeting_lists_the_decisions_cited(data: Path) -> None:
    code, out = run("ask", MEETING_QUESTION, "--json", "--data-dir", data)
    assert code == EXIT_OK
    answer = json.loads(out)
    assert not answer["refused"]
    assert len(answer["citations"]) == 12
    assert "kamerverhuurpanden" in answer["answer"] and "bij acclamatie" in answer["answer"]
    assert answer["answer"].count("\n- ") == 12
    assert {c["title"] for c in answer["citations"]} == {
        "Besluitenlijst raadsvergadering 29 juni 2015"
    }
    with Assistant(Settings(data_dir=data)) as assistant:
        docs = {d.source: d.doc_id for d in assistant.documents()}
        for c in answer["citations"]:
            text = assistant.index.page_text(docs[c["source"]], c["page"])
            assert quote_on_page(c["quote"], text)
    # a meeting without a besluitenlijst is answered the ordinary way
    code, out = run("ask", "Wat is er besloten in de raadsvergadering van 30 juni 2015?",
                    "--json", "--data-dir", data)  # fmt: skip
    ordinary = json.loads(out)  # not answered with another meeting's decisions: at most
    # shown as where to read, labelled as no answer
    assert ordinary["outcome"] != "answer" or "kamerverhuurpanden" not in ordinary["answer"]
    assert not any("kamerverhuurpanden" in c["quote"] for c in ordinary["citations"])


def test_a_besluitenlijst_reports_the_planned_step_of_the_letters(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INKOOP_TODAY", "2026-12-01")
    code, out = run(
        "decisions", "inkoopdocumenten ambulante jeugdhulp", "--json", "--data-dir", data
    )
    assert code == EXIT_OK
    steps = json.loads(out)
    (october,) = [s for s in steps if s["date"] == "2024-10"]
    assert october["status"] == "besloten"
    assert october["reported_by"]["source"].endswith("besluitenlijst-weert.pdf")
    assert october["note"].startswith("besloten volgens Besluitenlijst van de openbare")
    assert not [s for s in steps if s["date"] == "2024-11-12" and "productbeschr" in s["quote"]]


def test_timeline_of_meeting_decisions_is_not_merged_across_agenda_items() -> None:
    doc = read_document(den_helder())
    facts = DocumentFacts.from_metadata(doc.source, doc.title, dict(doc.metadata))
    rows = timeline(
        meeting_statements([(p.number, p.text) for p in doc.pages], facts), "2026-12-01"
    )
    assert len(rows) == 12 and all(r.status == "besloten" for r in rows)
