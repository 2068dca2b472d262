"""Metadata filters (--gemeente, --type, --from, --to) on a real Chroma index, through `main`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import LETTERS, ROOT
from test_cli import MAASGOUW, WEERT, hashing_env, ingest, isolate_env, run  # noqa: F401

from assistant.ui.cli_args import EXIT_OK, EXIT_USAGE
from index.filters import known_spelling, matches, metadata_filter

JEUGDWET = ROOT / "corpus" / "wetten" / "Jeugdwet.md"
QUERY = "aanbesteding ambulante jeugdhulp"


def test_filter_shapes() -> None:
    assert metadata_filter() is None
    assert metadata_filter(gemeente="Weert") == {"meta_gemeente": {"$eq": "Weert"}}
    assert metadata_filter("Weert", "raadsinformatiebrief", date(2024, 1, 1), None) == {
        "$and": [
            {"meta_gemeente": {"$eq": "Weert"}},
            {"meta_type": {"$eq": "raadsinformatiebrief"}},
            {"datum_int": {"$gte": 20240101}},
        ]
    }
    where = metadata_filter(date_from=date(2024, 3, 20), date_to=date(2024, 4, 30))
    assert matches({"datum_int": 20240402}, where)
    assert not matches({"datum_int": 20240319}, where)
    assert not matches({}, where)  # undated documents fall outside any date range
    assert known_spelling("weert", ["Maasgouw", "Weert"]) == "Weert"
    assert known_spelling("Roermond", ["Weert"]) == "Roermond"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    isolate_env(mp)
    path = tmp_path_factory.mktemp("filters")
    code, _ = ingest(path, LETTERS, JEUGDWET)
    mp.undo()
    assert code == EXIT_OK
    return path


def sources(data: Path, *flags: str) -> set[str]:
    code, out = run("search", QUERY, "--json", "--top-k", "20", "--data-dir", data, *flags)
    assert code == EXIT_OK, out
    return {Path(r["source"]).name for r in json.loads(out)["results"]}


def test_without_filters_all_documents_compete(data: Path) -> None:
    assert {WEERT, MAASGOUW} <= sources(data)


def test_gemeente_filter_in_any_case(data: Path) -> None:
    assert sources(data, "--gemeente", "weert") == {WEERT}
    assert sources(data, "--gemeente", "Maasgouw") == {MAASGOUW}
    assert sources(data, "--gemeente", "Roermond") == set()


def test_type_filter(data: Path) -> None:
    assert sources(data, "--type", "wet") == {"Jeugdwet.md"}
    assert sources(data, "--type", "Raadsinformatiebrief") == {WEERT, MAASGOUW}


def test_date_range_uses_the_letter_date_or_the_decision_date(data: Path) -> None:
    assert sources(data, "--from", "2024-03-20") == {MAASGOUW}  # decided 2 april 2024
    assert sources(data, "--to", "2024-03-31") == {WEERT}  # dated 19 maart 2024
    assert sources(data, "--from", "2024-03-01", "--to", "2024-04-30") == {WEERT, MAASGOUW}
    code, out = run("search", QUERY, "--data-dir", data, "--from", "2025-01-01")
    assert code == EXIT_OK and "Geen passages gevonden." in out


def test_ask_cites_only_the_filtered_gemeente(data: Path) -> None:
    question = "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?"
    code, out = run("ask", question, "--json", "--data-dir", data, "--gemeente", "Maasgouw")
    assert code == EXIT_OK
    answer = json.loads(out)
    assert not answer["refused"] and answer["citations"]
    assert {Path(c["source"]).name for c in answer["citations"]} == {MAASGOUW}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--from", "19-13-2024"), "--from: “19-13-2024” is geen datum"),
        (("--from", "2024-05-01", "--to", "2024-04-01"), "“--from” ligt na “--to”"),
    ],
)
def test_bad_dates_are_usage_errors(
    data: Path, flags: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("ask", "gunning?", "--data-dir", data, *flags)
    assert code == EXIT_USAGE
    assert message in capsys.readouterr().err
