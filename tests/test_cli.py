"""`inkoop` through `main(argv)`: exit codes, messages and the JSON contracts, on a real Chroma
index with the hashing embedder (fast, deterministic, no model)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from conftest import LETTERS

from assistant.prompts import REFUSAL
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.cli import main
from assistant.ui.cli_args import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from assistant.verify.citations import quote_on_page

WEERT = "weert-rib-2024-03-19-inkoopstrategie-ambulante-jeugdhulp.txt"
MAASGOUW = "maasgouw-rib-Z-24-126291-inkoopstrategie-ambulante-jeugdhulp.txt"

WHEN_CONTRACTS = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"
WHEN_AWARD = "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?"
UNANSWERABLE = "Wat is de hoofdstad van Frankrijk?"

CITATION_KEYS = {"source", "title", "page", "section", "quote", "score"}
RESULT_KEYS = {"source", "title", "page", "section", "heading", "text", "score"}


def isolate_env(mp: pytest.MonkeyPatch) -> None:
    """Only the hashing embedder from the environment; no stray INKOOP_* setting."""
    for name in list(os.environ):
        if name.startswith("INKOOP_"):
            mp.delenv(name)
    mp.setenv("INKOOP_EMBEDDING_MODEL", "hashing")


@pytest.fixture(autouse=True)
def hashing_env(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_env(monkeypatch)


def run(*argv: str | Path) -> tuple[int, str]:
    out = StringIO()
    code = main([str(a) for a in argv], out=out)
    return code, out.getvalue()


def ingest(data: Path, *paths: str | Path, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    # The seed letters are published documents: openbaar, so the default audience sees them.
    public = ("--visibility", "openbaar")
    return run("ingest", *paths, "--data-dir", data, "--no-progress", *public, *extra)


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def letters_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir holding the two seed letters, shared by the read-only tests."""
    data = tmp_path_factory.mktemp("letters-data")
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        code, _ = ingest(data, LETTERS)
    assert code == EXIT_OK
    yield data


# --- ingest -----------------------------------------------------------------------------------


def test_ingest_reports_added_then_unchanged(tmp_path: Path) -> None:
    code, text = ingest(tmp_path, LETTERS)
    assert code == EXIT_OK
    added = [line for line in text.splitlines() if line.strip().startswith("added")]
    assert len(added) == 2
    assert any(line.endswith(WEERT) for line in added)
    assert any(line.endswith(MAASGOUW) for line in added)
    assert "2 added, 0 replaced, 0 unchanged, 0 removed, 0 skipped" in text

    code, text = ingest(tmp_path, LETTERS)
    assert code == EXIT_OK
    assert "0 added, 0 replaced, 2 unchanged, 0 removed, 0 skipped; 0 chunks added" in text


def test_ingest_json_report(tmp_path: Path) -> None:
    code, text = ingest(tmp_path, LETTERS / WEERT, extra=("--json",))
    assert code == EXIT_OK
    report = json.loads(text)
    assert [Path(s).name for s in report["added"]] == [WEERT]
    assert report["problems"] == [] and report["chunks_added"] > 0


def test_ingest_missing_path_fails_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "bestaat-niet"
    code, text = ingest(tmp_path / "data", missing)
    assert code == EXIT_FAIL
    err = capsys.readouterr().err
    assert "no such file or folder" in err
    assert str(missing) in err
    assert text == ""


def test_one_corrupt_pdf_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "x.pdf").write_bytes(os.urandom(4096))
    (docs / "goed.txt").write_text(
        "De gemeente koopt jeugdhulp in bij meerdere aanbieders in de regio.\n", encoding="utf-8"
    )
    code, text = ingest(tmp_path / "data", docs)
    assert code == EXIT_OK
    skipped = [line for line in text.splitlines() if "x.pdf" in line]
    assert len(skipped) == 1
    assert "SKIPPED" in skipped[0] and "[corrupt]" in skipped[0]
    assert "damaged" in skipped[0]  # the reason, in words
    assert any(
        line.strip().startswith("added") and "goed.txt" in line for line in text.splitlines()
    )
    assert "1 added" in text and "1 skipped" in text

    code, text = run("documents", "--json", "--data-dir", tmp_path / "data")
    assert [Path(d["source"]).name for d in json.loads(text)] == ["goed.txt"]


def test_a_folder_of_only_bad_files_fails(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "x.pdf").write_bytes(os.urandom(4096))
    (docs / "leeg.txt").write_text("", encoding="utf-8")
    (docs / "plaatje.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    code, text = ingest(tmp_path / "data", docs)
    assert code != EXIT_OK
    assert "0 added" in text
    for name in ("x.pdf", "leeg.txt"):
        assert any(name in line and "SKIPPED" in line for line in text.splitlines())

    code, text = run("documents", "--json", "--data-dir", tmp_path / "data")
    assert json.loads(text) == []


def test_ingest_prune_removes_a_deleted_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(LETTERS, docs)
    data = tmp_path / "data"
    assert ingest(data, docs)[0] == EXIT_OK
    (docs / MAASGOUW).unlink()

    code, text = ingest(data, docs)  # without --prune the gone file stays
    assert code == EXIT_OK and "0 removed" in text
    assert len(json.loads(run("documents", "--json", "--data-dir", data)[1])) == 2

    code, text = ingest(data, docs, extra=("--prune",))
    assert code == EXIT_OK
    removed = [line for line in text.splitlines() if line.strip().startswith("removed")]
    assert len(removed) == 1 and removed[0].endswith(MAASGOUW)
    assert "1 unchanged, 1 removed" in text
    rows = json.loads(run("documents", "--json", "--data-dir", data)[1])
    assert [Path(r["source"]).name for r in rows] == [WEERT]

    # and its passages are gone from search, BM25 side included
    code, text = run("search", "--json", "Maasgouw", "--data-dir", data, "--top-k", "50")
    assert all(Path(r["source"]).name == WEERT for r in json.loads(text)["results"])


def test_ingest_replaces_a_changed_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    note = docs / "notitie.txt"
    note.write_text("De gunning van de aanbesteding is in februari 2025 gepland.\n", "utf-8")
    data = tmp_path / "data"
    assert ingest(data, docs)[0] == EXIT_OK
    note.write_text("De gunning van de aanbesteding is uitgesteld tot mei 2025.\n", "utf-8")
    code, text = ingest(data, docs)
    assert code == EXIT_OK and "1 replaced" in text
    code, text = run("search", "--json", "gunning", "--data-dir", data)
    results = json.loads(text)["results"]
    assert len(results) == 1
    assert "mei 2025" in str(results[0]["text"])


def test_other_embedding_model_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ingest(tmp_path, LETTERS)[0] == EXIT_OK
    capsys.readouterr()
    monkeypatch.setenv("INKOOP_EMBEDDING_MODEL", "hashing-64")
    for argv in (
        ("documents", "--data-dir", tmp_path),
        ("ask", WHEN_CONTRACTS, "--data-dir", tmp_path),
        ("ingest", LETTERS, "--data-dir", tmp_path, "--no-progress"),
    ):
        code, text = run(*argv)
        assert code == EXIT_FAIL
        err = capsys.readouterr().err
        assert "hashing-256" in err and "hashing-64" in err
        assert "rebuild" in err
        assert text == ""


def test_rebuild_as_the_mismatch_message_advises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ingest(tmp_path, LETTERS)[0] == EXIT_OK
    monkeypatch.setenv("INKOOP_EMBEDDING_MODEL", "hashing-64")
    code, text = ingest(tmp_path, LETTERS, extra=("--rebuild",))
    assert code == EXIT_OK, capsys.readouterr().err
    assert "2 added" in text
    code, text = run("ask", "--json", WHEN_CONTRACTS, "--data-dir", tmp_path)
    assert code == EXIT_OK and not json.loads(text)["refused"]


# --- ask --------------------------------------------------------------------------------------


def test_ask_json_contract(letters_data: Path) -> None:
    code, text = run("ask", "--json", WHEN_CONTRACTS, "--data-dir", letters_data)
    assert code == EXIT_OK
    answer = json.loads(text)
    assert set(answer) == {"question", "answer", "refused", "outcome", "citations", "passages"}
    assert answer["question"] == WHEN_CONTRACTS
    assert answer["refused"] is False and answer["outcome"] == "answer"
    assert answer["passages"] == []
    assert "1 januari 2026" in answer["answer"]
    assert answer["citations"]
    for c in answer["citations"]:
        assert set(c) >= CITATION_KEYS
        assert isinstance(c["page"], int) and c["page"] >= 1
        assert isinstance(c["score"], float)
        assert Path(c["source"]).name in {WEERT, MAASGOUW}
        body = (LETTERS / Path(c["source"]).name).read_text(encoding="utf-8")
        assert quote_on_page(c["quote"], body)
        assert f"[{c['key']}]" in answer["answer"]


def test_ask_json_refusal(letters_data: Path) -> None:
    code, text = run("ask", "--json", UNANSWERABLE, "--data-dir", letters_data)
    assert code == EXIT_OK
    answer = json.loads(text)
    assert answer["refused"] is True and answer["outcome"] == "none"  # nothing about it
    assert answer["citations"] == [] and answer["passages"] == []
    assert REFUSAL in answer["answer"]


# Nothing in the letters says how many providers applied; the passages on the tender are shown
# as where to read, never as an answer.
ON_TOPIC_UNANSWERED = "Hoeveel zorgaanbieders hebben zich ingeschreven voor ambulante jeugdhulp?"


def test_ask_json_passages_outcome(letters_data: Path) -> None:
    code, text = run("ask", "--json", ON_TOPIC_UNANSWERED, "--data-dir", letters_data)
    assert code == EXIT_OK
    answer = json.loads(text)
    assert answer["refused"] is True and answer["outcome"] == "passages"
    assert answer["citations"] == [] and 1 <= len(answer["passages"]) <= 3
    assert answer["answer"].startswith("Ik kan dit niet met zekerheid beantwoorden")
    places = set()
    for p in answer["passages"]:
        assert set(p) >= {"source", "title", "page", "section", "text", "highlight"}
        body = (LETTERS / Path(p["source"]).name).read_text(encoding="utf-8")
        assert quote_on_page(p["highlight"], body)  # the marked sentence is on the page
        assert p["highlight"] in p["text"] or quote_on_page(p["highlight"], p["text"])
        assert p["highlight"] in answer["answer"] or p["highlight"][:40] in answer["answer"]
        places.add((p["source"], p["section"] or p["text"][:40]))
    assert len(places) == len(answer["passages"])  # from different sections
    code, text = run("ask", ON_TOPIC_UNANSWERED, "--data-dir", letters_data)
    assert "Hier staat het waarschijnlijk (geen antwoord):" in text and "Bronnen:" not in text


def test_ask_plain_text_lists_sources(letters_data: Path) -> None:
    code, text = run("ask", WHEN_AWARD, "--data-dir", letters_data)
    assert code == EXIT_OK
    assert "februari 2025" in text
    assert "Bronnen:" in text and "[1]" in text
    code, text = run("ask", UNANSWERABLE, "--data-dir", letters_data)
    assert code == EXIT_OK
    assert "Dit staat niet in de documenten" in text and "Bronnen:" not in text


def test_ask_jsonl_answers_each_question_in_order(letters_data: Path, tmp_path: Path) -> None:
    questions = tmp_path / "vragen.jsonl"
    questions.write_text(
        f"{WHEN_CONTRACTS}\n\n"
        + json.dumps({"question": UNANSWERABLE}, ensure_ascii=False)
        + "\n"
        + json.dumps({"vraag": WHEN_AWARD}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    code, text = run("ask", "--jsonl", questions, "--data-dir", letters_data)
    assert code == EXIT_OK
    rows = json_lines(text)
    assert [r["question"] for r in rows] == [WHEN_CONTRACTS, UNANSWERABLE, WHEN_AWARD]
    assert [r["refused"] for r in rows] == [False, True, False]
    assert "1 januari 2026" in str(rows[0]["answer"])
    assert "februari 2025" in str(rows[2]["answer"])
    assert len(text.strip().splitlines()) == 3  # one line each, no pretty-printing


def test_ask_on_an_empty_index_refuses(tmp_path: Path) -> None:
    code, text = run("ask", "--json", WHEN_CONTRACTS, "--data-dir", tmp_path)
    assert code == EXIT_OK
    assert json.loads(text)["refused"] is True


# --- search -----------------------------------------------------------------------------------


def test_search_json_contract(letters_data: Path) -> None:
    code, text = run(
        "search", "--json", "gunning februari", "--top-k", "3", "--data-dir", letters_data
    )
    assert code == EXIT_OK
    payload = json.loads(text)
    assert set(payload) == {"query", "results"}
    assert payload["query"] == "gunning februari"
    results = payload["results"]
    assert 1 <= len(results) <= 3
    for r in results:
        assert set(r) == RESULT_KEYS
        assert isinstance(r["page"], int)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert "gunning" in str(results[0]["text"]).lower()


def test_search_jsonl_one_line_per_query(letters_data: Path, tmp_path: Path) -> None:
    queries = tmp_path / "zoek.jsonl"
    queries.write_text('gunning\n{"query": "kostprijsonderzoek"}\nparkeerplaatsen\n', "utf-8")
    code, text = run("search", "--jsonl", queries, "--data-dir", letters_data)
    assert code == EXIT_OK
    rows = json_lines(text)
    assert [r["query"] for r in rows] == ["gunning", "kostprijsonderzoek", "parkeerplaatsen"]
    assert "kostprijsonderzoek" in str(rows[1]["results"][0]["text"])  # type: ignore[index]


def test_search_plain_text(letters_data: Path) -> None:
    code, text = run("search", "kostprijsonderzoek", "--data-dir", letters_data)
    assert code == EXIT_OK
    assert text.startswith("1. Raadsinformatiebrief")
    assert "kostprijsonderzoek" in text


# --- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("ask",), "give a question"),
        (("search",), "give a question"),
        (("ask", "vraag", "--top-k", "0"), "--top-k"),
        (("search", "vraag", "--top-k", "51"), "--top-k"),
        (("ask", "--jsonl", "bestaat-niet.jsonl"), "no such file"),
    ],
)
def test_usage_errors_exit_2(
    argv: tuple[str, ...], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(*argv, "--data-dir", tmp_path)
    assert code == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert text == ""


def test_invalid_setting_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INKOOP_TOP_K", "0")
    code, _ = run("documents", "--data-dir", tmp_path)
    assert code == EXIT_USAGE
    assert "invalid setting" in capsys.readouterr().err


def test_argparse_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["vraag-iets"])
    assert exc.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as exc:
        main(["ask", "vraag", "--top-k", "veel"])
    assert exc.value.code == EXIT_USAGE


# --- documents --------------------------------------------------------------------------------


def test_documents_json(letters_data: Path) -> None:
    code, text = run("documents", "--json", "--data-dir", letters_data)
    assert code == EXIT_OK
    rows = json.loads(text)
    assert sorted(Path(r["source"]).name for r in rows) == sorted([WEERT, MAASGOUW])
    for r in rows:
        assert set(r) == {
            *("doc_id", "source", "title", "kind", "pages", "chunks", "ingested_at", "dossier"),
            "visibility",
        }
        assert r["visibility"] == "openbaar"  # ingested with --visibility openbaar
        assert r["dossier"] == "inkoopstrategie ambulante jeugdhulp midden limburg"
        assert r["kind"] == "txt" and r["pages"] == 1 and r["chunks"] >= 1
        assert r["title"].startswith("Raadsinformatiebrief")

    code, text = run("documents", "--data-dir", letters_data)
    assert code == EXIT_OK and text.strip().endswith("2 documents")


# --- the Assistant the CLI wraps ---------------------------------------------------------------


def test_assistant_search_where_filter(letters_data: Path) -> None:
    assistant = Assistant(Settings(data_dir=letters_data, embedding_model="hashing"))
    sources = {Path(d.source).name: d.source for d in assistant.documents()}
    query = "gunning ambulante jeugdhulp februari 2025"

    unfiltered = assistant.search(query, k=10)
    assert {Path(h.chunk.source).name for h in unfiltered} == {WEERT, MAASGOUW}

    for name in (WEERT, MAASGOUW):
        hits = assistant.search(query, k=10, where={"source": sources[name]})
        assert hits
        assert {h.chunk.source for h in hits} == {sources[name]}
        assert "februari 2025" in " ".join(h.chunk.text for h in hits)

    gemeente = assistant.search(query, k=10, where={"meta_gemeente": "Weert"})
    assert gemeente and {Path(h.chunk.source).name for h in gemeente} == {WEERT}

    assert assistant.search(query, k=10, where={"source": "bestaat-niet.txt"}) == []
    either = assistant.search(query, k=10, where={"source": {"$in": list(sources.values())}})
    assert {Path(h.chunk.source).name for h in either} == {WEERT, MAASGOUW}


def test_assistant_ask_cites_checked_quotes(letters_data: Path) -> None:
    assistant = Assistant(Settings(data_dir=letters_data, embedding_model="hashing"))
    answer = assistant.ask(f"  {WHEN_CONTRACTS}  ")
    assert answer.question == WHEN_CONTRACTS
    assert not answer.refused and "1 januari 2026" in answer.answer
    for c in answer.citations:
        assert quote_on_page(c.quote, assistant.index.page_text(c.doc_id, c.page))
        assert assistant.source_file(c.source) == LETTERS / Path(c.source).name
    assert assistant.ask("   ").refused
