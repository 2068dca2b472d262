"""Bring the index in line with files on disk: add new, replace changed, skip unchanged, prune."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders import Embedder, EmbedderError
from index.errors import IndexError_
from index.store import DocumentRecord, VectorIndex
from ingest.archives import ArchiveMember, listing
from ingest.chunking import ChunkSettings
from ingest.models import INTERN, OPENBAAR, VISIBILITIES
from ingest.pipeline import FileProblem, Input, ParsedFile, discover, parse_file
from ingest.readers import file_id

log = logging.getLogger(__name__)

EMBED_BATCH = 64


@dataclass
class IngestReport:
    """What one ingest run did, per file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ocr: dict[str, str] = field(default_factory=dict)  # source -> pages read by OCR, "3,5-7"
    # source -> the visibility the document really has after this run (added, replaced,
    # unchanged), and source -> the file's own setting where staff's choice overruled it
    visibility: dict[str, str] = field(default_factory=dict)
    overruled: dict[str, str] = field(default_factory=dict)
    chunks_added: int = 0
    chunks_removed: int = 0
    repaired: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def indexed(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.unchanged)

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "problems": [p.__dict__ for p in self.problems],
            "notes": self.notes,
            "ocr": self.ocr,
            "visibility": self.visibility,
            "overruled": self.overruled,
            "chunks_added": self.chunks_added,
            "chunks_removed": self.chunks_removed,
            "repaired": self.repaired,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
        }


def display_path(path: Path) -> str:
    """Path relative to the working directory when inside it, else absolute (POSIX style)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def source_name(item: Input) -> str:
    """A document's source: its display path, or for a file in a ZIP `package.zip/inner/x.pdf`."""
    if isinstance(item, ArchiveMember):
        return f"{display_path(item.archive)}/{item.inner_path}"
    return display_path(item)


class _Presence:
    """Whether a registered document's file is still there; a ZIP is listed once per run."""

    def __init__(self) -> None:
        self._listings: dict[Path, set[str]] = {}

    def __call__(self, record: DocumentRecord) -> bool:
        member = record.metadata.get("_member")
        if not member:
            return Path(str(record.metadata.get("_path", record.source))).exists()
        path = Path(str(record.metadata.get("_archive", "")))
        if path not in self._listings:
            self._listings[path] = listing(path) if path.is_file() else set()
        return str(member) in self._listings[path]


class Indexer:
    """Ingests files into a vector index, one document at a time, crash-safe per document."""

    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        chunk_settings: ChunkSettings | None = None,
        max_passages: int | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.chunk_settings = chunk_settings or ChunkSettings()
        # at most this many new passages per `ingest` (None: no cap); a file that would pass
        # it is reported as `too-many-passages` and not written, the files before it stay
        self.max_passages = max_passages

    def ingest(
        self,
        paths: Sequence[Path],
        prune: bool = False,
        progress: bool = False,
        visibility: str | None = None,
    ) -> IngestReport:
        """Bring the index in line with `paths`.

        `visibility` (openbaar/intern) applies to files whose own metadata sets none, and is a
        ceiling for the rest: a file may make itself more private than the choice, never more
        public (`report.overruled` names each file whose own setting was overruled). Without
        it, a file already in the index keeps its visibility and a new file is `intern`: only
        an explicit flag or the file itself can publish a document to providers.
        """
        if visibility is not None and visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
        started = time.perf_counter()
        report = IngestReport()
        report.repaired = self.index.repair() + self._drop_superseded()
        files, report.problems = discover(list(paths), display_path)
        present = _Presence()
        existing = self.index.documents()
        by_source = {r.source: r for r in existing}
        by_id = {r.doc_id: r for r in existing}
        bar = _progress(len(files), progress)
        try:
            for path in files:
                bar.set_postfix_str(path.name[:40], refresh=False)
                self._ingest_file(path, report, by_source, by_id, bar, visibility, present)
                bar.update(1)
        finally:
            bar.close()
        if prune:
            for record in self.index.documents():
                if not present(record):
                    self.index.remove_document(record.doc_id)
                    report.removed.append(record.source)
                    report.chunks_removed += record.chunks
        report.seconds = time.perf_counter() - started
        return report

    def _drop_superseded(self) -> int:
        """A crash between adding a changed file's new version and removing its old one leaves
        two versions of one source registered: keep the newest."""
        newest: dict[str, DocumentRecord] = {}
        dropped = 0
        for record in sorted(self.index.documents(), key=lambda r: r.ingested_at, reverse=True):
            if record.source in newest:
                self.index.remove_document(record.doc_id)
                dropped += 1
            else:
                newest[record.source] = record
        return dropped

    def _ingest_file(
        self,
        path: Input,
        report: IngestReport,
        by_source: dict[str, DocumentRecord],
        by_id: dict[str, DocumentRecord],
        bar: Any,
        visibility: str | None = None,
        present: _Presence | None = None,
    ) -> None:
        """Add, replace or skip one file, updating the report and the lookup tables."""
        present = present or _Presence()
        source = source_name(path)
        old = by_source.get(source)
        old_visibility = record_visibility(old) if old is not None else None
        wanted = visibility or old_visibility or INTERN
        if old is not None and old.doc_id == file_id(path) and old_visibility == wanted:
            report.unchanged.append(source)  # unchanged: not even parsed
            report.visibility[source] = wanted
            return
        if self._room(report) == 0:  # the cap is reached: the rest is not even parsed
            report.problems.append(self._over_cap(source, None))
            return
        parsed = parse_file(path, self.chunk_settings, source, wanted, ceiling=visibility)
        if isinstance(parsed, FileProblem):
            report.problems.append(parsed)
            return
        room = self._room(report)
        adds = not (
            old is not None
            and old.doc_id == parsed.document.doc_id
            and old_visibility == parsed.document.metadata.get("visibility", INTERN)
        )
        if adds and room is not None and len(parsed.chunks) > room:
            report.problems.append(self._over_cap(source, len(parsed.chunks)))
            return
        report.notes.extend(parsed.document.notes)
        report.visibility[source] = str(parsed.document.metadata.get("visibility", INTERN))
        if parsed.overruled is not None:
            report.overruled[source] = parsed.overruled
        ocr_pages = parsed.document.metadata.get("ocr_pages")
        if ocr_pages:
            report.ocr[source] = str(ocr_pages)
        doc_id = parsed.document.doc_id
        new_visibility = str(parsed.document.metadata.get("visibility", INTERN))
        # The doc id hashes bytes and sidecar, not the ingest flag: the same id with another
        # visibility is a change too, and its old chunks (same ids) must go before the new.
        same_id = old is not None and old.doc_id == doc_id
        if same_id and new_visibility == old_visibility:  # the file's own metadata decides
            report.unchanged.append(source)
            return
        if old is not None and old_visibility != new_visibility:
            was = old_visibility or "unset"
            report.notes.append(f"{source}: visibility {was} -> {new_visibility}")
        twin = by_id.get(doc_id)
        if twin is not None and twin.source != source:
            # One content, one registration. A copy published as openbaar wins over an intern
            # one: what providers may read must not vanish behind a staff-only path.
            widens = new_visibility == OPENBAAR and record_visibility(twin) != OPENBAAR
            if widens:
                report.notes.append(
                    f"{source}: same content as {twin.source} ({record_visibility(twin)}); "
                    "kept as openbaar under this name"
                )
                self.index.remove_document(doc_id)
                by_source.pop(twin.source, None)
            elif present(twin):
                report.notes.append(f"{source}: same content as {twin.source}; skipped")
                report.unchanged.append(source)
                if old is not None:  # its earlier, different version must not linger
                    self.index.remove_document(old.doc_id)
                    report.chunks_removed += old.chunks
                    del by_source[source]
                return
            self.index.remove_document(doc_id)  # the file moved: re-add under its new name
        if old is not None and same_id:
            self.index.remove_document(old.doc_id)
            report.chunks_removed += old.chunks
        try:
            self._add(parsed, path, report, bar)
        except (IndexError_, EmbedderError):
            raise
        except Exception as exc:  # Chroma/disk failures: stop with a clear message
            raise IndexError_(
                f"could not write {source} to the index ({type(exc).__name__}: {exc}); "
                "documents ingested before it are complete, this one was not stored"
            ) from exc
        by_source[source] = by_id[doc_id] = self._record(parsed, path)
        if old is not None and not same_id:
            self.index.remove_document(old.doc_id)
            report.chunks_removed += old.chunks
        if old is not None:
            report.replaced.append(source)
        else:
            report.added.append(source)

    def _room(self, report: IngestReport) -> int | None:
        """How many more passages this ingest may add; None without a cap."""
        if self.max_passages is None:
            return None
        return max(self.max_passages - report.chunks_added, 0)

    def _over_cap(self, source: str, passages: int | None) -> FileProblem:
        name = source.rsplit("/", 1)[-1]
        cap = f"{self.max_passages:,}"
        what = f"its {passages:,} passages would pass" if passages else "it would pass"
        return FileProblem(
            source,
            "too-many-passages",
            f"{name}: not ingested: {what} the cap of {cap} new passages per ingest "
            "(INKOOP_MAX_PASSAGES); the files before it are in — ingest it on its own, "
            "or raise the cap if it is meant to be this large",
        )

    def _record(self, parsed: ParsedFile, path: Input) -> DocumentRecord:
        doc = parsed.document
        if isinstance(path, ArchiveMember):  # the ZIP on disk, and the file inside it
            # `_path` names no file on disk, so nothing serves the whole ZIP for one member
            archive = str(path.archive.resolve())
            where = {
                "_path": f"{archive}/{path.inner_path}",
                "_archive": archive,
                "_member": path.inner_path,
            }
        else:
            where = {"_path": str(path.resolve())}
        return DocumentRecord(
            doc_id=doc.doc_id,
            source=doc.source,
            title=doc.title,
            kind=doc.kind,
            pages=len(doc.pages),
            chunks=len(parsed.chunks),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            metadata={**doc.metadata, **where},
        )

    def _add(self, parsed: ParsedFile, path: Input, report: IngestReport, bar: Any) -> None:
        texts = [c.context for c in parsed.chunks]
        t0 = time.perf_counter()
        vectors = []
        for i in range(0, len(texts), EMBED_BATCH):
            vectors.append(self.embedder.embed_documents(texts[i : i + EMBED_BATCH]))
        report.embed_seconds += time.perf_counter() - t0
        embeddings = np.concatenate(vectors) if vectors else np.zeros((0, self.embedder.dim))
        self.index.add_document(
            self._record(parsed, path), parsed.document.pages, parsed.chunks, embeddings
        )
        report.chunks_added += len(parsed.chunks)
        bar.set_postfix(chunks=report.chunks_added, refresh=False)


def record_visibility(record: DocumentRecord) -> str | None:
    """The visibility a document was ingested with; None for an index older than visibility."""
    value = record.metadata.get("visibility")
    return str(value) if value in VISIBILITIES else None


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="bestand", disable=not enabled, dynamic_ncols=True)
