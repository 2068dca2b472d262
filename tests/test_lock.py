"""One process owns an embedded data dir; a second one fails fast with a clear message."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LETTERS, ROOT
from helpers_net import free_port, wait_for_port

from assistant.ui.cli import main
from index.errors import DataDirBusyError
from index.lock import DataDirLock

# holds the lock until the test kills it (it waits on its stdin, which the test never closes)
HOLD = (
    "import sys; from pathlib import Path; from index.lock import DataDirLock; "
    "lock = DataDirLock(Path(sys.argv[1])).acquire(); print('locked', flush=True); "
    "sys.stdin.read()"
)


def _holder(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_process_is_refused_and_told_what_to_do(tmp_path: Path) -> None:
    holder = _holder(tmp_path)
    try:
        with pytest.raises(DataDirBusyError) as excinfo:
            DataDirLock(tmp_path).acquire()
        message = str(excinfo.value)
        assert f"pid {holder.pid}" in message
        assert "INKOOP_CHROMA_URL" in message and "stop that process" in message
    finally:
        holder.kill()
        holder.communicate()  # reaped, its pipes closed
    # The kernel dropped the dead holder's lock: no stale lock file blocks us.
    with DataDirLock(tmp_path) as lock:
        assert lock.held


def test_the_same_process_may_open_its_data_dir_twice(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path).acquire()
    second = DataDirLock(tmp_path).acquire()
    assert first.path == second.path and first.held and second.held
    second.release()
    first.release()
    assert not first.held


def test_closing_the_index_gives_the_data_dir_back(tmp_path: Path) -> None:
    """The lock lives with the open index, not with the process."""
    from index.chroma import ChromaIndex
    from index.store import IndexManifest

    manifest = IndexManifest("hashing", 8, "test")
    with ChromaIndex.persistent(tmp_path, manifest):
        holder_script = (
            "import sys; from pathlib import Path; from index.lock import DataDirLock; "
            "from index.errors import DataDirBusyError\n"
            "try:\n DataDirLock(Path(sys.argv[1])).acquire(); print('free')\n"
            "except DataDirBusyError: print('busy')"
        )
        run = [sys.executable, "-c", holder_script, str(tmp_path)]
        busy = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True)
        assert busy.stdout.strip() == "busy"
    free = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True)
    assert free.stdout.strip() == "free"


def test_cli_fails_before_opening_the_store_while_another_process_holds_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import chromadb

    def no_store(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was opened although another process holds it")

    monkeypatch.setenv("INKOOP_EMBEDDING_MODEL", "hashing")
    # fails before Chroma's SQLite is opened, so never after SQLite's minutes-long busy wait
    monkeypatch.setattr(chromadb, "PersistentClient", no_store)
    holder = _holder(tmp_path / "chroma")
    try:
        code = main(["ingest", str(LETTERS), "--data-dir", str(tmp_path)], out=io.StringIO())
        assert code == 1
        assert "in use by pid" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.communicate()  # reaped, its pipes closed


def test_ingest_and_ask_next_to_a_running_server(tmp_path: Path) -> None:
    """`inkoop serve` owns the dir: `ingest` beside it hands its work to the server (its
    loopback admin endpoint), `ask` stops with a clear message."""
    env = {**os.environ, "INKOOP_EMBEDDING_MODEL": "hashing", "INKOOP_DATA_DIR": str(tmp_path)}
    inkoop = [sys.executable, "-m", "assistant.ui.cli"]
    port = free_port()
    server = subprocess.Popen(
        [
            *inkoop,
            "serve",
            "--port",
            str(port),
            "--ingest",
            str(LETTERS),
            "--visibility",
            "openbaar",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_for_port(port, 90, server):
            pytest.fail(f"serve did not start (exit code {server.poll()})")

        def inkoop_run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*inkoop, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
            )

        handed = inkoop_run("ingest", str(LETTERS))
        assert handed.returncode == 0, handed.stdout + handed.stderr
        assert "handed to the running server" in handed.stdout
        assert "2 unchanged" in handed.stdout
        done = inkoop_run("ask", "Wanneer is de gunning?")
        assert done.returncode == 1, done.stdout + done.stderr
        assert "is in use by pid" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        server.terminate()
        server.wait(timeout=30)
    # After the server stops, the index is intact and usable.
    done = subprocess.run(
        [
            *inkoop,
            "ask",
            "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "februari 2025" in done.stdout
