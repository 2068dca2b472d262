"""The decision timeline: a golden file for the seed dossier (pure), and `inkoop decisions`
on a real Chroma index through `main`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import LETTERS, ROOT
from test_cli import MAASGOUW, WEERT, hashing_env, ingest, isolate_env, run  # noqa: F401

from assistant.answer.timeline.letters import classify, page_statements, statement_date
from assistant.answer.timeline.merge import timeline
from assistant.answer.timeline.statement import DocumentFacts
from assistant.ui.cli_args import EXIT_OK, EXIT_USAGE
from ingest.extract import extract_metadata

SEEDS = ROOT.parent / "shared" / "seeds"
GOLDEN = ROOT / "tests" / "golden" / "decisions_seed.json"
SUBJECT = "inkoopstrategie ambulante jeugdhulp"


def seed_timeline(day: str = "2024-06-01") -> list[dict[str, object]]:
    """The seed letters' timeline as of `day` (before any planned step by default)."""
    statements = []
    for name in (WEERT, MAASGOUW):
        path = SEEDS / name
        if not path.is_file():
            pytest.skip(f"{path} is not present")
        text = path.read_text(encoding="utf-8")
        facts = DocumentFacts.from_metadata(name, "brief", dict(extract_metadata(text)))
        statements += page_statements(text, 1, facts)
    return [s.to_dict() for s in timeline(statements, day)]


def test_seed_dossier_golden() -> None:
    got = seed_timeline()
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_seed_dossier_key_steps() -> None:
    steps = {(s["date"], s["gemeente"], s["status"]) for s in seed_timeline()}
    assert ("2024-04-02", "Maasgouw", "besloten") in steps  # the college decision
    # both letters say the same: one row each, naming both gemeenten
    assert ("2024-10", "Weert, Maasgouw", "gepland") in steps  # colleges vaststellen, okt 2024
    assert ("2025-02", "Weert, Maasgouw", "gepland") in steps  # gunning omstreeks februari 2025
    assert ("2026-01-01", "Weert, Maasgouw", "gepland") in steps  # contracts start
    assert all(s["status"] != "besloten" or s["date"] <= "2024-04-02" for s in seed_timeline())


def test_dates_and_status() -> None:
    assert statement_date("De gunning is omstreeks februari 2025.") == "2025-02"
    assert statement_date("Op 2 april 2024 heeft ons college dit vastgesteld.") == "2024-04-02"
    assert statement_date("In Q2 van dit jaar start een onderzoek.") == ""
    assert classify("Op 2 april 2024 heeft ons college dit vastgesteld.", "2024-04-02",
                    "2024-04-02") == "besloten"  # fmt: skip
    assert classify("De raad heeft op 1 maart 2023 ingestemd.", "2023-03-01", "") == "besloten"
    assert classify("De gunning is omstreeks februari 2025.", "2025-02", "2024-03-19") == "gepland"
    assert classify("Per 1 mei 2023 is de regeling gewijzigd.", "2023-05-01", "") == "aangekondigd"


def test_undated_or_stepless_sentences_are_not_statements() -> None:
    facts = DocumentFacts("x.txt", "x")
    text = "Weert, 19 maart 2024\n\nHet college heeft de strategie vastgesteld.\n"
    assert page_statements(text, 1, facts) == []


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    isolate_env(mp)
    path = tmp_path_factory.mktemp("decisions")
    code, _ = ingest(path, LETTERS)
    mp.undo()
    assert code == EXIT_OK
    return path


def test_cli_decisions_json_is_a_cited_timeline_across_both_gemeenten(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INKOOP_TODAY", "2026-12-01")
    code, out = run("decisions", SUBJECT, "--json", "--data-dir", data)
    assert code == EXIT_OK
    steps = json.loads(out)
    keys = {"date", "gemeente", "actor", "status", "statement", "source", "title", "page",
            "kenmerk", "quote", "dossier", "announced", "agenda", "vote", "note", "sources",
            "reported_by"}  # fmt: skip
    assert steps and all(set(s) == keys for s in steps)
    # one dossier across both municipalities
    assert {s["dossier"] for s in steps} == {"inkoopstrategie ambulante jeugdhulp midden limburg"}
    assert [s["date"] for s in steps] == sorted(s["date"] for s in steps)
    assert {g for s in steps for g in s["gemeente"].split(", ")} == {"Weert", "Maasgouw"}
    first = steps[0]
    assert (first["date"], first["status"], first["actor"]) == ("2024-04-02", "besloten", "college")
    assert first["kenmerk"] == "Z/24/126291"
    weert = [r for s in steps for r in s["sources"] if r["gemeente"] == "Weert"]
    assert weert and all(r["kenmerk"] == "2371022/2372380" for r in weert)
    # as of 1 December 2026 (after every planned date): no step of the letters is planned
    assert {s["status"] for s in steps} <= {"besloten", "verstreken"}


def test_cli_decisions_text_and_filters(data: Path) -> None:
    code, out = run("decisions", SUBJECT, "--data-dir", data, "--gemeente", "weert")
    assert code == EXIT_OK
    assert "Maasgouw" not in out and "gepland" in out and "kenmerk 2371022/2372380" in out
    code, out = run("decisions", SUBJECT, "--data-dir", data, "--from", "2030-01-01")
    assert code == EXIT_OK and "Geen gedateerde besluiten" in out
    code, _ = run("decisions", SUBJECT, "--data-dir", data, "--to", "maart")
    assert code == EXIT_USAGE
