"""Shutdown and files (security issue 23, finding 9): SIGTERM and SIGINT run `serve()`'s
cleanup, a rejected upload does not stay in DATA_DIR/documenten, and the data dir is private
(folders 0700, files 0600)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from helpers_net import free_port, wait_for_port

from assistant.documents.writer import DocumentManager
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.admin import ADMIN_FILE
from assistant.ui.serve import UPLOAD_CACHE
from assistant.ui.staff_documents import DocumentsPage


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_through_its_cleanup(tmp_path: Path, sig: int) -> None:
    # Before: SIGTERM left admin.json (a dead token) and the uploads; the data dir was 0755.
    data = tmp_path / "data"
    env = {**os.environ, "INKOOP_EMBEDDING_MODEL": "hashing", "INKOOP_DATA_DIR": str(data)}
    env.pop("GRADIO_TEMP_DIR", None)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant.ui.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if not wait_for_port(port, 90, server):
            pytest.fail(f"serve did not start (exit code {server.poll()})")
        assert (data / ADMIN_FILE).is_file()
        upload = data / UPLOAD_CACHE / "abc" / "vragen.csv"  # as Gradio keeps an upload
        upload.parent.mkdir(parents=True)
        upload.write_text("Vraag\nMag ik inschrijven?\n", encoding="utf-8")
        assert mode(data) == 0o700
        private = [p for p in data.rglob("*") if p.is_file() and p != upload]
        assert private and all(mode(p) == 0o600 for p in private), [
            (p.name, oct(mode(p))) for p in private
        ]
        server.send_signal(sig)
        _, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert "Traceback" not in err
    assert not (data / ADMIN_FILE).exists()
    assert not (data / UPLOAD_CACHE).exists()


def test_an_existing_data_dir_is_made_private(tmp_path: Path) -> None:
    from assistant.ui.cli import private_files

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    before = os.umask(0o022)
    try:
        with private_files(data):
            (data / "x").write_text("intern")
        assert os.umask(0o022) == 0o022  # put back
    finally:
        os.umask(before)
    assert (mode(data), mode(data / "x")) == (0o700, 0o600)


def test_a_rejected_upload_does_not_stay_in_the_documents_folder(tmp_path: Path) -> None:
    assistant = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing"))
    manager = DocumentManager(assistant)
    given = tmp_path / "gradio-upload"
    given.mkdir()
    (given / "kapot.pdf").write_bytes(b"%PDF-1.4 dit is geen pdf" * 10)
    (given / "notitie.md").write_text("# Notitie\n\nHet budget is 5 euro.\n", encoding="utf-8")
    try:
        report = DocumentsPage(manager).upload(
            [str(given / "kapot.pdf"), str(given / "notitie.md")], "intern", "Anna"
        )
        assert "kapot.pdf" in report and "notitie.md" in report
        kept = sorted(p.name for p in manager.upload_dir.iterdir())
        assert kept == ["notitie.md"]  # before: kapot.pdf stayed too
    finally:
        manager.close()
        assistant.close()
