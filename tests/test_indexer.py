"""The indexer against a real Chroma: incremental, per-file problems, crash-safe per document."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.chroma import ChromaIndex
from index.embedders import HashingEmbedder
from index.errors import IndexError_
from index.indexer import Indexer, display_path
from index.store import IndexManifest
from ingest.chunking import ChunkSettings

EMBEDDER = HashingEmbedder(64)
SETTINGS = ChunkSettings(target_words=40, max_words=60, overlap_words=5, min_words=10)
MANIFEST = IndexManifest(EMBEDDER.name, EMBEDDER.dim, SETTINGS.fingerprint())

SENTENCES = {
    "a": "De gemeente Weert koopt ambulante jeugdhulp in voor de regio Midden-Limburg.",
    "b": "Huishoudelijke ondersteuning valt onder de Wmo en wordt per uur bekostigd.",
    "c": "Zorgaanbieders doen een beroep op de hardheidsclausule bij onvoorziene effecten.",
}


def write_corpus(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, sentence in SENTENCES.items():
        body = "\n\n".join(f"{i} Onderdeel {i}\n" + " ".join([sentence] * 8) for i in (1, 2, 3))
        path = root / f"{name}.md"
        path.write_text(f"# Document {name}\n\n{body}\n", encoding="utf-8")
        files[name] = path
    return files


def chroma(path: Path) -> ChromaIndex:
    return ChromaIndex.persistent(path, MANIFEST)


def chunk_ids(index: ChromaIndex, source: Path | None = None) -> set[str]:
    wanted = display_path(source) if source else None
    return {c.chunk_id for c in index.all_chunks() if wanted in (None, c.source)}


def assert_whole(index: ChromaIndex) -> None:
    """Every registered document has exactly its recorded chunks and pages; nothing else."""
    ids = [c.chunk_id for c in index.all_chunks()]
    assert len(ids) == len(set(ids)) == index.count()
    per_doc: dict[str, int] = {}
    for c in index.all_chunks():
        per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
    records = index.documents()
    assert per_doc == {r.doc_id: r.chunks for r in records}
    for r in records:
        assert all(index.page_text(r.doc_id, p) is not None for p in range(1, r.pages + 1))


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def index(tmp_path: Path) -> ChromaIndex:
    return chroma(tmp_path / "chroma")


def test_first_ingest_adds_every_file(corpus: dict[str, Path], index: ChromaIndex) -> None:
    report = Indexer(index, EMBEDDER, SETTINGS).ingest([corpus["a"].parent])
    assert sorted(report.added) == sorted(display_path(p) for p in corpus.values())
    assert report.problems == [] and report.replaced == [] and report.unchanged == []
    assert report.chunks_added == index.count() > 3
    assert {r.title for r in index.documents()} == {"Document a", "Document b", "Document c"}
    assert_whole(index)


def test_reingesting_unchanged_files_adds_nothing(
    corpus: dict[str, Path], index: ChromaIndex
) -> None:
    indexer = Indexer(index, EMBEDDER, SETTINGS)
    indexer.ingest([corpus["a"].parent])
    before = chunk_ids(index)
    report = indexer.ingest([corpus["a"].parent])
    assert sorted(report.unchanged) == sorted(display_path(p) for p in corpus.values())
    assert report.added == [] and report.replaced == [] and report.chunks_added == 0
    assert chunk_ids(index) == before
    # A new process (fresh Indexer, reopened Chroma) also sees them as unchanged.
    report = Indexer(chroma(Path(index._where)), EMBEDDER, SETTINGS).ingest([corpus["a"].parent])
    assert report.chunks_added == 0 and len(report.unchanged) == 3


def test_a_changed_file_replaces_exactly_its_own_chunks(
    corpus: dict[str, Path], index: ChromaIndex
) -> None:
    indexer = Indexer(index, EMBEDDER, SETTINGS)
    indexer.ingest([corpus["a"].parent])
    old_b = chunk_ids(index, corpus["b"])
    others = chunk_ids(index, corpus["a"]) | chunk_ids(index, corpus["c"])
    old_count = len(old_b)

    corpus["b"].write_text(
        corpus["b"].read_text(encoding="utf-8") + "\n4 Nieuw\nDe eigen bijdrage vervalt in 2026.\n",
        encoding="utf-8",
    )
    report = indexer.ingest([corpus["a"].parent])
    assert report.replaced == [display_path(corpus["b"])] and report.added == []
    assert report.chunks_removed == old_count
    new_b = chunk_ids(index, corpus["b"])
    assert new_b and old_b.isdisjoint(new_b)
    assert chunk_ids(index, corpus["a"]) | chunk_ids(index, corpus["c"]) == others
    assert len(index.documents()) == 3
    assert any("eigen bijdrage" in c.text for c in index.all_chunks())
    assert_whole(index)


def test_a_new_sidecar_counts_as_a_change(corpus: dict[str, Path], index: ChromaIndex) -> None:
    indexer = Indexer(index, EMBEDDER, SETTINGS)
    indexer.ingest([corpus["a"].parent])
    corpus["a"].with_name("a.md.meta.json").write_text('{"gemeente": "Weert"}', "utf-8")
    report = indexer.ingest([corpus["a"].parent])
    assert report.replaced == [display_path(corpus["a"])]
    metas = {
        c.metadata.get("gemeente")
        for c in index.all_chunks()
        if c.source == display_path(corpus["a"])
    }
    assert metas == {"Weert"}


def test_prune_removes_deleted_files_only_when_asked(
    corpus: dict[str, Path], index: ChromaIndex
) -> None:
    indexer = Indexer(index, EMBEDDER, SETTINGS)
    indexer.ingest([corpus["a"].parent])
    gone = chunk_ids(index, corpus["c"])
    corpus["c"].unlink()
    report = indexer.ingest([corpus["a"].parent])
    assert report.removed == [] and len(index.documents()) == 3

    report = indexer.ingest([corpus["a"].parent], prune=True)
    assert report.removed == [display_path(corpus["c"])]
    assert report.chunks_removed == len(gone)
    assert {r.source for r in index.documents()} == {display_path(corpus[n]) for n in "ab"}
    assert chunk_ids(index).isdisjoint(gone)
    assert_whole(index)


def test_a_moved_file_is_re_added_and_a_copy_is_skipped(
    corpus: dict[str, Path], index: ChromaIndex
) -> None:
    indexer = Indexer(index, EMBEDDER, SETTINGS)
    indexer.ingest([corpus["a"].parent])
    moved = corpus["c"].with_name("c-verplaatst.md")
    corpus["c"].rename(moved)
    report = indexer.ingest([corpus["a"].parent])
    assert report.added == [display_path(moved)]
    assert display_path(corpus["c"]) not in {r.source for r in index.documents()}
    assert len(index.documents()) == 3

    copy = corpus["a"].with_name("a-kopie.md")
    copy.write_bytes(corpus["a"].read_bytes())
    report = indexer.ingest([corpus["a"].parent])
    assert report.added == [] and display_path(copy) in report.unchanged
    assert any("same content as" in note for note in report.notes)
    assert len(index.documents()) == 3
    assert_whole(index)


def test_bad_files_are_reported_per_file_and_the_rest_is_ingested(
    corpus: dict[str, Path], index: ChromaIndex
) -> None:
    root = corpus["a"].parent
    (root / "leeg.txt").write_bytes(b"")
    (root / "kapot.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (root / "presentatie.pptx").write_bytes(b"PK\x03\x04")
    report = Indexer(index, EMBEDDER, SETTINGS).ingest([root, root / "ontbreekt.md"])
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert reasons == {
        "leeg.txt": "empty",
        "kapot.pdf": "corrupt",
        "presentatie.pptx": "unsupported",
        "ontbreekt.md": "missing",
    }
    assert len(report.added) == 3 and len(index.documents()) == 3
    assert_whole(index)


class FailingEmbedder:
    """The hashing embedder, failing on the n-th document it is asked to embed."""

    def __init__(self, fail_on: int) -> None:
        self.inner, self.fail_on, self.calls = HashingEmbedder(EMBEDDER.dim), fail_on, 0
        self.name, self.dim = self.inner.name, self.inner.dim

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1  # each test document fits in one embedding batch
        if self.calls == self.fail_on:
            raise RuntimeError("CUDA out of memory")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def clean_ids(tmp_path: Path, corpus: dict[str, Path]) -> set[str]:
    fresh = chroma(tmp_path / "schoon")
    Indexer(fresh, EMBEDDER, SETTINGS).ingest([corpus["a"].parent])
    return chunk_ids(fresh)


def test_an_embedder_failure_leaves_only_complete_documents(
    corpus: dict[str, Path], index: ChromaIndex, tmp_path: Path
) -> None:
    with pytest.raises(IndexError_, match=r"b\.md.*documents ingested before it are complete"):
        Indexer(index, FailingEmbedder(fail_on=2), SETTINGS).ingest([corpus["a"].parent])
    assert [r.source for r in index.documents()] == [display_path(corpus["a"])]
    assert_whole(index)

    report = Indexer(index, EMBEDDER, SETTINGS).ingest([corpus["a"].parent])
    assert report.unchanged == [display_path(corpus["a"])]
    assert sorted(report.added) == sorted(display_path(corpus[n]) for n in "bc")
    assert chunk_ids(index) == clean_ids(tmp_path, corpus)
    assert_whole(index)


def test_a_crash_while_writing_is_repaired_on_the_next_run(
    corpus: dict[str, Path], index: ChromaIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = index._docs
    real_upsert = registry.upsert
    writes = []

    def crash_on_second(**kwargs: object) -> None:
        writes.append(kwargs)
        if len(writes) == 2:  # pages and chunks of the 2nd document are written; then it dies
            raise OSError("disk full")
        real_upsert(**kwargs)

    monkeypatch.setattr(registry, "upsert", crash_on_second)
    with pytest.raises(IndexError_, match="disk full"):
        Indexer(index, EMBEDDER, SETTINGS).ingest([corpus["a"].parent])
    monkeypatch.undo()
    assert [r.source for r in index.documents()] == [display_path(corpus["a"])]
    assert chunk_ids(index) == chunk_ids(index, corpus["a"])  # readers never see the orphan
    assert index.count() > len(chunk_ids(index))  # ... which is still on disk

    reopened = chroma(Path(index._where))  # a new process after the crash
    report = Indexer(reopened, EMBEDDER, SETTINGS).ingest([corpus["a"].parent])
    assert report.repaired == 1
    assert sorted(report.added) == sorted(display_path(corpus[n]) for n in "bc")
    assert chunk_ids(reopened) == clean_ids(tmp_path, corpus)
    assert_whole(reopened)
