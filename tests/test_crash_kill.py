"""Crash safety with real processes: `inkoop ingest` killed with SIGKILL mid-run and then run to
the end gives exactly the index a clean ingest builds — same registry, same chunk ids, no
orphans — for a first ingest and for a re-ingest of changed files. Right after the kill, every
registered document is whole: the index is never half-written.

The child kills itself right after its nth write to Chroma (tests/helpers_crash.py), so each
kill lands at the same point on every machine: inside a document (its pages or chunks written,
not yet registered), between documents, or between a new version and the removal of the old.
Hashing embedder, real Chroma.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from helpers_crash import KILLED
from helpers_pdf import text_pdf

from assistant.index_setup import open_index
from assistant.service import Assistant
from assistant.settings import Settings
from index.embedders import make_embedder
from index.indexer import IngestReport
from ingest.models import OPENBAAR
from ingest.readers import file_id

FILES = 30
PDFS = 5  # multi-page files: their pages are stored apart from their chunks
WORDS = [
    "aanbieder", "gemeente", "jeugdhulp", "perceel", "levering", "contract", "tarief",
    "rapportage", "termijn", "kwaliteit", "zorg", "cliënt", "begeleiding", "indicatie", "budget",
    "verantwoording", "uitvoering", "planning", "overleg", "regio", "inschrijving", "gunning",
    "eisen", "wensen", "criteria", "bewijs", "verklaring", "toezicht",
]  # fmt: skip
CRASH = ROOT / "tests" / "helpers_crash.py"
# Where a first ingest is killed, as Chroma writes done: each document is written as its pages,
# its chunks, then its registry entry (3 writes; the PDFs doc00-doc04 come first).
FIRST_KILLS = {
    "inside-a-pdf": 8,  # doc02.pdf: pages and chunks written, not registered
    "after-pages": 16,  # doc05.md: its page written, no chunks yet
    "between-documents": 45,  # doc14.md registered, doc15.md not begun
}
# A changed file is re-ingested as its new version (3 writes), then the old one's removal
# (registry, chunks, pages): 6 writes each; doc00, doc03, ... change.
REINGEST_KILLS = {
    "both-versions-registered": 21,  # doc09's new version registered, its old one too
    "old-version-half-removed": 34,  # doc15's old registry entry gone, its chunks still there
}


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_doc(folder: Path, i: int, version: int = 0) -> Path:
    """Document `i` of the corpus; another `version` is another text under the same name."""
    rng = random.Random(1000 * version + i)
    if i < PDFS:
        pages = [[sentence(rng, 12) for _ in range(8)] for _ in range(3)]
        return text_pdf(folder / f"doc{i:02d}.pdf", pages)
    parts = [f"# Document {i} versie {version}"]
    for s in range(1, 6):
        parts += [f"## {s} Paragraaf {s}", " ".join(sentence(rng, 15) for _ in range(8))]
    path = folder / f"doc{i:02d}.md"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i in range(FILES):
        write_doc(folder, i)
    return folder


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INKOOP_")}
    return {**clean, "INKOOP_EMBEDDING_MODEL": "hashing", "TOKENIZERS_PARALLELISM": "false"}


def ingest_args(folder: Path, data: Path) -> list[str]:
    return ["ingest", str(folder), "--data-dir", str(data), "--visibility", OPENBAAR]


def ingest_and_kill(folder: Path, data: Path, writes: int) -> str:
    """`inkoop ingest` in a child that SIGKILLs itself right after its nth Chroma write; the
    write it died after, as the child named it."""
    done = subprocess.run(
        [sys.executable, str(CRASH), str(writes), *ingest_args(folder, data)],
        cwd=ROOT, env=env(), capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    if done.returncode != -signal.SIGKILL:
        pytest.fail(
            f"ingest ended (exit {done.returncode}) before its Chroma write {writes}: "
            f"{done.stderr[-2000:]}"
        )
    return done.stderr.rsplit(KILLED, 1)[1].strip()


def assert_registered_documents_are_whole(data: Path) -> None:
    """What a reader of the killed index sees, before any repair: each registered document
    with all its chunks and pages (unregistered rows are orphans no reader is shown)."""
    settings = Settings(data_dir=data, embedding_model="hashing")
    with open_index(settings, make_embedder("hashing")) as index:
        chunks = [c.doc_id for c in index.all_chunks()]
        for record in index.documents():
            assert chunks.count(record.doc_id) == record.chunks, record.source
            for page in range(1, record.pages + 1):
                assert index.page_text(record.doc_id, page), (record.source, page)


def cli_ingest(folder: Path, data: Path) -> None:
    """A whole `inkoop ingest` in a child process (this one must not hold the data dir yet)."""
    argv = [sys.executable, "-m", "assistant.ui.cli", *ingest_args(folder, data)]
    done = subprocess.run(argv, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr


def ingest_here(folder: Path, data: Path) -> IngestReport:
    """An uninterrupted ingest in this process, with the children's working directory (the
    source names, and so the chunk ids, are paths relative to it where they can be). From
    here on this process holds the data dir."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        assistant = Assistant(Settings(data_dir=data, embedding_model="hashing"))
        report = assistant.ingest([folder], visibility=OPENBAAR)
    assert not report.problems, report.problems
    return report


@dataclass(frozen=True)
class Snapshot:
    registry: dict[str, tuple[object, ...]]  # source -> the record, all but its timestamp
    chunk_ids: list[str]


def snapshot(data: Path) -> Snapshot:
    """What the index holds, checked for duplicates and orphans on the way."""
    index = open_index(Settings(data_dir=data, embedding_model="hashing"), make_embedder("hashing"))
    records = index.documents()
    chunks = list(index.all_chunks())
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    assert index.count() == len(ids), "chunks of unregistered documents (orphans)"
    assert index.repair() == 0, "orphan chunks or pages left behind"
    sources = [r.source for r in records]
    assert len(sources) == len(set(sources)), "a source registered twice"
    for record in records:
        own = [c for c in chunks if c.doc_id == record.doc_id]
        assert len(own) == record.chunks, record.source
        for page in range(1, record.pages + 1):
            assert index.page_text(record.doc_id, page), (record.source, page)
    registry = {
        r.source: (r.doc_id, r.title, r.kind, r.pages, r.chunks, sorted(r.metadata.items()))
        for r in records
    }
    return Snapshot(registry, sorted(ids))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("crash") / "docs")


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    data = tmp_path_factory.mktemp("clean-data")
    assert len(ingest_here(corpus, data).added) == FILES
    return snapshot(data)


@pytest.mark.parametrize("writes", FIRST_KILLS.values(), ids=FIRST_KILLS.keys())
def test_a_killed_ingest_run_again_equals_a_clean_ingest(
    writes: int, corpus: Path, clean: Snapshot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    killed_after = ingest_and_kill(corpus, data, writes)
    assert_registered_documents_are_whole(data)
    report = ingest_here(corpus, data)
    print(
        f"killed after write {killed_after}; the rerun repaired {report.repaired}, "
        f"added {len(report.added)}"
    )
    assert len(report.added) + len(report.unchanged) == FILES
    assert snapshot(data) == clean


@pytest.mark.parametrize("writes", REINGEST_KILLS.values(), ids=REINGEST_KILLS.keys())
def test_a_killed_reingest_of_changed_files_equals_a_clean_ingest(
    writes: int, tmp_path: Path
) -> None:
    folder = make_corpus(tmp_path / "docs")
    data = tmp_path / "data"
    cli_ingest(folder, data)
    changed = list(range(0, FILES, 3))  # PDFs and Markdown files, spread over the run
    for i in changed:
        write_doc(folder, i, version=1)
    killed_after = ingest_and_kill(folder, data, writes)
    assert_registered_documents_are_whole(data)
    report = ingest_here(folder, data)
    print(
        f"re-ingest killed after write {killed_after}; the rerun repaired {report.repaired}, "
        f"replaced {len(report.replaced)}"
    )
    assert len(report.replaced) + len(report.unchanged) == FILES and not report.added
    again = ingest_here(folder, data)  # settled: a third run is a no-op
    assert again.replaced == again.added == [] and again.repaired == 0

    reference = tmp_path / "clean"
    ingest_here(folder, reference)
    got = snapshot(data)
    assert got == snapshot(reference)
    # every registered document is the file as it is now: no old version lingers
    assert {doc_id for doc_id, *_ in got.registry.values()} == {
        file_id(path) for path in folder.iterdir()
    }
