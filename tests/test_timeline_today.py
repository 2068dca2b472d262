"""The council timeline knows what day it is: planned steps with the letter that announced
them, passed dates without a later source, later documents that report a step, and one row
for the same statement in several letters (pure, then through `inkoop decisions`)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import LETTERS
from test_cli import MAASGOUW, WEERT, hashing_env, ingest, isolate_env, run  # noqa: F401

from assistant.answer.timeline import merge
from assistant.answer.timeline.letters import page_statements
from assistant.answer.timeline.merge import TODAY_ENV, timeline, today
from assistant.answer.timeline.statement import DatedStatement, DocumentFacts
from assistant.prompts import PASSED_NOTE
from assistant.ui.cli_args import EXIT_OK
from assistant.ui.render import render_timeline
from ingest.readers import read_document

SUBJECT = "inkoopstrategie ambulante jeugdhulp"
PLANNED_BY_WEERT = "gepland volgens brief van 19 maart 2024"
DOSSIER = "inkoopstrategie ambulante jeugdhulp midden limburg"
OCTOBER = "2024-10"  # colleges vaststellen productbeschrijvingen en inkoopdocumenten
FEBRUARY = "2025-02"  # gunning omstreeks februari 2025
JANUARY = "2026-01-01"  # de nieuwe contracten gaan in


def letter_statements() -> list[DatedStatement]:
    """The dated steps of both seed letters, as ingested (front matter and all)."""
    found = []
    for name in (WEERT, MAASGOUW):
        doc = read_document(LETTERS / name)
        facts = DocumentFacts.from_metadata(name, doc.title, dict(doc.metadata))
        found += page_statements(doc.pages[0].text, 1, facts)
    return found


def later_letter(text: str, datum: str, name: str = "weert-rib-2024-10-15.txt") -> list:
    facts = DocumentFacts(
        name, "Raadsinformatiebrief Weert — vervolg", "Weert", "R/24/9", datum, DOSSIER,
        "raadsinformatiebrief",
    )  # fmt: skip
    return page_statements(text, 1, facts)


def rows_on(rows: list[DatedStatement], date: str) -> list[DatedStatement]:
    return [r for r in rows if r.date == date]


class ClockAt(date):
    """The clock `today` falls back to, stopped at 3 March 2025: no test reads the real one."""

    @classmethod
    def today(cls) -> ClockAt:
        return cls(2025, 3, 3)


def test_today_comes_from_the_environment_or_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge, "date", ClockAt)
    monkeypatch.setenv(TODAY_ENV, "15 januari 2025")
    assert today() == "2025-01-15"
    monkeypatch.setenv(TODAY_ENV, "2026-12-01")
    assert today() == "2026-12-01"
    monkeypatch.setenv(TODAY_ENV, "morgen")  # not a date: the clock, with a warning
    assert today() == "2025-03-03"
    monkeypatch.delenv(TODAY_ENV)
    assert today() == "2025-03-03"


def test_before_the_planned_dates_every_step_is_planned_per_the_letter() -> None:
    rows = timeline(letter_statements(), "2024-06-01")
    planned = [r for r in rows if r.status == "gepland"]
    assert {r.date for r in planned} >= {OCTOBER, FEBRUARY, JANUARY}
    assert all(r.note == PLANNED_BY_WEERT for r in planned)  # Weert's letter is the earliest
    assert not [r for r in rows if r.status == "verstreken"]
    decided = [r for r in rows if r.status == "besloten"]
    assert [(r.date, r.gemeente) for r in decided] == [("2024-04-02", "Maasgouw")]


def test_between_the_planned_dates_only_the_passed_one_says_so() -> None:
    rows = timeline(letter_statements(), "2025-01-15")
    (october,) = rows_on(rows, OCTOBER)
    assert october.status == "verstreken"
    assert october.note.startswith(PASSED_NOTE) and PLANNED_BY_WEERT in october.note
    (february,) = rows_on(rows, FEBRUARY)
    assert (february.status, february.note) == ("gepland", PLANNED_BY_WEERT)
    assert {r.status for r in rows_on(rows, JANUARY)} == {"gepland"}


def test_after_the_planned_dates_nothing_is_still_planned() -> None:
    rows = timeline(letter_statements(), "2026-12-01")
    assert not [r for r in rows if r.status == "gepland"]
    passed = [r for r in rows if r.status == "verstreken"]
    assert {r.date for r in passed} >= {OCTOBER, FEBRUARY, JANUARY}
    assert all(
        r.note.startswith("datum verstreken — geen latere bron in de documenten") for r in passed
    )


def test_a_planned_month_is_not_passed_during_that_month() -> None:
    rows = timeline(letter_statements(), "2024-10-31")
    assert rows_on(rows, OCTOBER)[0].status == "gepland"
    rows = timeline(letter_statements(), "2024-11-01")
    assert rows_on(rows, OCTOBER)[0].status == "verstreken"


def test_the_same_statement_in_two_letters_is_one_row_naming_both() -> None:
    statements = letter_statements()
    assert len([s for s in statements if s.date == OCTOBER]) == 2  # Weert and Maasgouw
    rows = timeline(statements, "2024-06-01")
    (october,) = rows_on(rows, OCTOBER)
    assert october.gemeente == "Weert, Maasgouw"
    assert [(r.gemeente, r.source) for r in october.sources] == [
        ("Weert", WEERT),
        ("Maasgouw", MAASGOUW),
    ]
    assert {r.kenmerk for r in october.sources} == {"2371022/2372380", "Z/24/126291"}
    # "regio's" and "regio’s": the same sentence, one row
    contracts = [r for r in rows_on(rows, JANUARY) if "niet verlengen" in r.statement]
    assert len(contracts) == 1 and len(contracts[0].sources) == 2
    data = october.to_dict()
    assert [s["gemeente"] for s in data["sources"]] == ["Weert", "Maasgouw"]
    assert json.loads(json.dumps(data))["note"] == PLANNED_BY_WEERT


def test_a_later_letter_reporting_the_step_makes_it_decided_with_that_source() -> None:
    report = later_letter(
        "Op 8 oktober 2024 hebben de colleges van Midden-Limburg de productbeschrijvingen en "
        "de inkoopdocumenten voor ambulante jeugdhulp vastgesteld.",
        "2024-10-15",
    )
    rows = timeline(letter_statements() + report, "2026-12-01")
    (october,) = rows_on(rows, OCTOBER)
    assert october.status == "besloten"
    assert october.reported_by is not None
    assert october.reported_by.source == "weert-rib-2024-10-15.txt"
    assert october.note == "besloten volgens Raadsinformatiebrief Weert — vervolg, 8 oktober 2024"
    assert not rows_on(rows, "2024-10-08")  # the report is part of the row, not a row of its own
    # the other planned steps are not reported by it
    assert rows_on(rows, FEBRUARY)[0].status == "verstreken"
    html = render_timeline(rows, {})
    assert "weert-rib-2024-10-15.txt" in html and "stap-later" in html


def test_a_moved_step_reported_later_is_done_at_its_real_date() -> None:
    report = later_letter(
        "De gunning van de aanbesteding ambulante jeugdhulp is op 14 maart 2025 gegund aan "
        "twaalf aanbieders.",
        "2025-04-01",
    )
    assert report and report[0].status == "besloten"
    rows = timeline(letter_statements() + report, "2025-06-01")
    (february,) = rows_on(rows, FEBRUARY)
    assert february.status == "gebeurd" and "14 maart 2025" in february.note
    # a report dated after "today" does not count yet
    rows = timeline(letter_statements() + report, "2025-03-01")
    assert rows_on(rows, FEBRUARY)[0].status == "verstreken"


def test_an_earlier_or_unrelated_document_does_not_report_a_step() -> None:
    unrelated = later_letter(
        "Op 8 oktober 2024 heeft het college de verordening parkeren vastgesteld.", "2024-10-15"
    )
    rows = timeline(letter_statements() + unrelated, "2026-12-01")
    assert rows_on(rows, OCTOBER)[0].status == "verstreken"
    assert rows_on(rows, "2024-10-08")  # a row of its own


def test_timeline_html_shows_the_note_and_every_letter() -> None:
    html = render_timeline(timeline(letter_statements(), "2025-01-15"), {})
    assert PLANNED_BY_WEERT in html
    assert "datum verstreken — geen latere bron in de documenten" in html
    assert 'data-status="verstreken"' in html
    assert "kenmerk 2371022/2372380" in html and "kenmerk Z/24/126291" in html


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("timeline")
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, _ = ingest(path, LETTERS)
    assert code == EXIT_OK
    return path


@pytest.mark.parametrize(
    ("day", "october", "february"),
    [("2024-06-01", "gepland", "gepland"), ("2025-01-15", "verstreken", "gepland"),
     ("2026-12-01", "verstreken", "verstreken")],
)  # fmt: skip
def test_cli_decisions_as_of_inkoop_today(
    data: Path, monkeypatch: pytest.MonkeyPatch, day: str, october: str, february: str
) -> None:
    monkeypatch.setenv(TODAY_ENV, day)
    code, out = run("decisions", SUBJECT, "--json", "--data-dir", data)
    assert code == EXIT_OK
    steps = json.loads(out)
    by_date = {s["date"]: s for s in steps}
    assert by_date[OCTOBER]["status"] == october
    assert by_date[FEBRUARY]["status"] == february
    assert by_date[OCTOBER]["gemeente"] == "Weert, Maasgouw"
    assert {s["kenmerk"] for s in by_date[OCTOBER]["sources"]} == {"2371022/2372380", "Z/24/126291"}
    code, text = run("decisions", SUBJECT, "--data-dir", data)
    assert PLANNED_BY_WEERT in text
    assert ("datum verstreken — geen latere bron" in text) == (october == "verstreken")
