"""Staff manage documents while the chat runs: upload in the background, visibility, removal,
the change log, `inkoop ingest` handed to the running server, and the hardened apps (no
uploads or monitoring on the provider port, documents by id, no project names before login,
a capped inbox, the 1,000-character limit on the server, the first-run message)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import LETTERS, ROOT
from helpers_app import running_app, running_staff_page

from assistant.documents.public import public_source
from assistant.documents.writer import DocumentError, DocumentManager
from assistant.nvi.store import NviStore
from assistant.nvi.workbench import Workbench, store_path
from assistant.prompts import NO_PUBLIC_DOCUMENTS
from assistant.question import MAX_QUESTION_CHARS
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.admin import ADMIN_FILE, AdminServer
from assistant.ui.chat import ask_json, respond
from assistant.ui.staff_documents import DocumentsPage
from index.filters import MEDEWERKER

NEW_DOC = """---
title: Rectificatie bijlage 4
gemeente: Weert
---
# Rectificatie bijlage 4

## 1 Wijziging
De sluitingsdatum voor inschrijvingen op het perceel kapelbrug is verschoven naar
17 februari 2026 om 12.00 uur. Inschrijvingen na dat tijdstip worden niet beoordeeld.
"""
QUESTION = "Wanneer sluiten de inschrijvingen op het perceel kapelbrug?"


def make_assistant(data_dir: Path) -> Assistant:
    return Assistant(Settings(data_dir=data_dir, embedding_model="hashing"))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Assistant, DocumentManager]]:
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([LETTERS], visibility="openbaar")
    manager = DocumentManager(assistant)
    try:
        yield assistant, manager
    finally:
        manager.close()
        assistant.close()


def upload_file(tmp_path: Path, name: str = "rectificatie bijlage 4.md") -> Path:
    path = tmp_path / "gradio-upload" / name  # as Gradio hands an upload over
    path.parent.mkdir(exist_ok=True)
    path.write_text(NEW_DOC, encoding="utf-8")
    return path


def test_an_upload_is_answerable_at_once_then_narrowed_and_removed_with_a_log(
    served: tuple[Assistant, DocumentManager], tmp_path: Path
) -> None:
    assistant, manager = served
    page = DocumentsPage(manager)
    assert "17 februari 2026" not in assistant.ask(QUESTION).answer

    with pytest.raises(DocumentError, match="openbaar of intern"):
        page.upload([str(upload_file(tmp_path))], None, "Anna")  # no default visibility
    seen: list[int] = []
    report = page.upload(
        [str(upload_file(tmp_path)), str(tmp_path / "x.exe")],
        "openbaar",
        "Anna",
        lambda job: seen.append(job.done),
    )
    assert "**Toegevoegd** (openbaar): rectificatie bijlage 4.md" in report
    assert "x.exe: dit soort bestand kan niet worden gelezen" in report
    assert str(tmp_path) not in report  # no server folders in what staff see

    answer = assistant.ask(QUESTION)  # the provider's next question, same process
    assert not answer.refused and "17 februari 2026" in answer.answer
    rows = page.table("rectificatie")
    assert len(rows) == 1 and rows[0][4] == "openbaar" and rows[0][9].endswith(".md")
    doc_id = rows[0][-1]

    assert "nu **intern**" in page.set_visibility(doc_id, "intern", "Bram")
    assert "17 februari 2026" not in assistant.ask(QUESTION).answer
    assert "17 februari 2026" in assistant.ask(QUESTION, audience=MEDEWERKER).answer
    assert page.table("", "intern", "Titel")[0][-1] == doc_id

    with pytest.raises(DocumentError, match="Vink eerst aan"):
        page.remove(doc_id, False, "Bram")
    assert "is verwijderd" in page.remove(doc_id, True, "Bram")
    assert "17 februari 2026" not in assistant.ask(QUESTION, audience=MEDEWERKER).answer
    assert not (manager.upload_dir / "rectificatie bijlage 4.md").exists()

    log = page.log_rows()
    assert [row[2] for row in log[:3]] == ["verwijderd", "zichtbaarheid", "toegevoegd"]
    assert [row[1] for row in log[:3]] == ["Bram", "Bram", "Anna"]
    assert "was: openbaar, wordt: intern" in log[1][4]


def test_questions_are_answered_while_a_document_is_ingested(
    served: tuple[Assistant, DocumentManager], tmp_path: Path
) -> None:
    assistant, manager = served
    folder = tmp_path / "veel"
    folder.mkdir()
    for i in range(40):
        (folder / f"brief-{i}.md").write_text(NEW_DOC.replace("kapelbrug", f"perceel{i}"))
    job = manager.submit([folder], "openbaar", "Anna")
    answered = 0
    while not job.wait(0):
        assert not assistant.ask("Wanneer gaan de nieuwe contracten in?").refused
        answered += 1
    assert job.state == "klaar" and len(job.report.added) == 40
    assert answered >= 1  # the chat kept answering while the job ran


def test_public_names_never_show_server_folders(
    served: tuple[Assistant, DocumentManager], tmp_path: Path
) -> None:
    assistant, manager = served
    DocumentsPage(manager).upload([str(upload_file(tmp_path))], "openbaar", "Anna")
    by_source = {r.source: r for r in assistant.documents()}
    names = {public_source(r, manager.upload_dir) for r in by_source.values()}
    assert "rectificatie bijlage 4.md" in names
    assert all(not n.startswith("/") and str(tmp_path) not in n for n in names)


def test_the_provider_port_takes_no_uploads_no_monitoring_and_serves_by_id(
    served: tuple[Assistant, DocumentManager], tmp_path: Path
) -> None:
    assistant, manager = served
    DocumentsPage(manager).upload([str(upload_file(tmp_path))], "openbaar", "Anna")
    with running_app(assistant) as url, httpx.Client(base_url=url, timeout=20) as client:
        refused = client.post("/gradio_api/upload", files={"files": ("x.bin", b"x" * 1000)})
        assert refused.status_code == 403
        for path in ("/monitoring", "/monitoring/summary"):
            assert client.get(path).status_code in (403, 404), path

        from gradio_client import Client

        result = Client(url, verbose=False).predict(QUESTION, api_name="/ask")
        text = json.dumps(result, ensure_ascii=False)
        assert str(tmp_path) not in text and "/tmp/" not in text
        cited = result["citations"][0]
        assert cited["source"] == "rectificatie bijlage 4.md"
        assert cited["document"] == f"/dokument/{cited['doc_id']}"
        served_doc = client.get(cited["document"])
        assert served_doc.status_code == 200 and "17 februari 2026" in served_doc.text

        doc_id = cited["doc_id"]
        manager.set_visibility(doc_id, "intern", "Anna")
        assert client.get(f"/dokument/{doc_id}").status_code == 404  # at once, no restart


def test_the_staff_page_names_no_project_before_login_and_serves_documents_after(
    served: tuple[Assistant, DocumentManager], tmp_path: Path
) -> None:
    assistant, _ = served
    bench = Workbench(NviStore(store_path(tmp_path)), lambda: assistant)
    bench.new("Geheim project Kapelbrug", "", "")
    doc_id = assistant.documents()[0].doc_id
    with (
        running_staff_page(bench, tmp_path, assistant, "geheim") as url,
        httpx.Client(base_url=url, timeout=20) as client,
    ):
        login_page = client.get("/")
        assert "Geheim project Kapelbrug" not in login_page.text
        assert client.get(f"/dokument/{doc_id}").status_code == 401
        assert client.get("/monitoring/summary").status_code in (401, 403, 404)
        client.post("/login", data={"username": "Anna", "password": "geheim"})
        assert "Geheim project Kapelbrug" not in client.get("/config").text  # filled on load
        assert client.get(f"/dokument/{doc_id}").status_code == 200


def test_refused_questions_fill_the_inbox_only_up_to_its_limits(tmp_path: Path) -> None:
    from assistant.nvi.inbox import Inbox
    from assistant.nvi.projects import Projects
    from assistant.nvi.schema import Database

    db = Database(tmp_path / "nvi.sqlite3")
    limited = Inbox(db, Projects(db), per_window=3, max_waiting=5)
    assert all(limited.record(f"Vraag nummer {i} over de kapelbrug?") for i in range(3))
    assert not limited.record("Een vierde nieuwe vraag in hetzelfde kwartier?")
    assert limited.record("Vraag nummer 1 over de kapelbrug?")  # a repeat counts up
    asked = {c.question: c.asked for c in limited.candidates()}
    assert len(asked) == 3 and asked["Vraag nummer 1 over de kapelbrug?"] == 2

    total = Inbox(db, Projects(db), per_window=100, max_waiting=5)
    assert total.record("Vraag vier?? over de brug") and total.record("Vraag vijf over de brug?")
    assert not total.record("Vraag zes over de brug?")  # 5 waiting in all
    assert len(total.candidates()) == 5


def test_the_1000_character_limit_holds_on_the_server(tmp_path: Path) -> None:
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([LETTERS], visibility="openbaar")
    long = "Wat is de hoofdstad van het land waar de kapelbrug staat " * 200
    kept: list[str] = []
    result = ask_json(assistant, long, kept.append)  # the `ask` API
    assert len(result["question"]) <= MAX_QUESTION_CHARS
    assert "1.000" in result["answer"]  # the note that it was cut
    respond(assistant, {}, long, [], inbox=kept.append)  # the chat (and its API)
    store = NviStore(tmp_path / "nvi.sqlite3")
    for question in kept:
        store.add_candidate(question)
    assert all(len(c.question) <= MAX_QUESTION_CHARS for c in store.candidates())
    assistant.close()


def test_a_provider_who_can_read_nothing_is_told_why(tmp_path: Path) -> None:
    assistant = make_assistant(tmp_path / "data")
    assistant.ingest([LETTERS])  # no --visibility: intern
    answer = assistant.ask("Wanneer gaan de nieuwe contracten in?")
    assert answer.refused and answer.answer == NO_PUBLIC_DOCUMENTS
    assert "--visibility openbaar" in answer.answer and "--audience medewerker" in answer.answer
    staff = assistant.ask("Wanneer gaan de nieuwe contracten in?", audience=MEDEWERKER)
    assert not staff.refused
    assistant.close()


def _cli(*args: str, cwd: Path = ROOT, model: str = "hashing") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INKOOP_EMBEDDING_MODEL": model, "INKOOP_USER": "Cees"}
    return subprocess.run(
        [sys.executable, "-m", "assistant.ui.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def test_inkoop_ingest_hands_over_to_the_running_server_or_fails_fast(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assistant = make_assistant(data)  # holds the data dir, as `inkoop serve` does
    assistant.ingest([LETTERS], visibility="openbaar")
    doc = upload_file(tmp_path)
    try:
        # With a model that cannot load, "in use by" shows the lock is checked before any model
        # loads (the fast failure), on any machine: no clock.
        busy = _cli(
            "ingest", str(doc), "--data-dir", str(data), "--visibility", "openbaar",
            model="/nonexistent/embedding-model",
        )  # fmt: skip
        assert busy.returncode == 1 and "in use by" in busy.stderr, busy.stderr

        manager = DocumentManager(assistant)
        admin = AdminServer(manager, data).start()
        try:
            assert (data / ADMIN_FILE).stat().st_mode & 0o077 == 0  # the token is private
            done = _cli("ingest", str(doc), "--data-dir", str(data), "--visibility", "openbaar")
            assert done.returncode == 0, done.stderr
            assert "handed to the running server" in done.stdout
            assert "1 added" in done.stdout
            assert "17 februari 2026" in assistant.ask(QUESTION).answer
            assert manager.log.entries()[0]["who"] == "Cees"

            wrong = httpx.post(f"{admin.url}/ingest", json={"paths": [str(doc)]}, timeout=5)
            assert wrong.status_code == 401
        finally:
            admin.stop()
            manager.close()
        assert not (data / ADMIN_FILE).exists()
    finally:
        assistant.close()


def test_a_file_from_a_zip_is_served_alone_by_id(
    served: tuple[Assistant, DocumentManager], tmp_path: Path
) -> None:
    import zipfile

    from assistant.documents.served import document_bytes, readable

    assistant, manager = served
    package = tmp_path / "upload" / "aanbesteding.zip"
    package.parent.mkdir()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("bijlagen/rectificatie.md", NEW_DOC)
        z.writestr("intern/notitie.md", "---\nvisibility: intern\n---\n# Notitie\n\nGeheim 4242.\n")
    report = DocumentsPage(manager).upload([str(package)], "openbaar", "Anna")
    assert "aanbesteding.zip/bijlagen/rectificatie.md" in report
    records = {r.metadata.get("_member"): r for r in assistant.documents()}
    public = readable(assistant, records["bijlagen/rectificatie.md"].doc_id, "aanbieder")
    assert public is not None and document_bytes(public).decode("utf-8") == NEW_DOC
    assert readable(assistant, records["intern/notitie.md"].doc_id, "aanbieder") is None
    name = public_source(public, manager.upload_dir)
    assert name == "aanbesteding.zip/bijlagen/rectificatie.md"
