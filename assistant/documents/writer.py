"""The one writer of the index in a serving process (`DocumentManager`): keeps uploads, runs
ingest jobs one at a time on its worker thread, changes a document's visibility, removes one,
and writes each change to the change log; every index write takes its one lock."""

from __future__ import annotations

import itertools
import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.documents.changelog import LOG_NAME, ChangeLog
from assistant.documents.jobs import Job, merge_reports
from assistant.documents.listing import DocumentRow, document_rows
from assistant.documents.public import UPLOAD_FOLDER, is_under
from assistant.prompts import (
    DOCUMENTS_CHOOSE_VISIBILITY,
    DOCUMENTS_NOT_FOUND,
    DOCUMENTS_UNREADABLE,
)
from index.store import DocumentRecord
from ingest.errors import InkoopError
from ingest.models import INTERN, VISIBILITIES

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)

# What staff may upload on the documents tab: what `inkoop ingest` reads.
UPLOAD_SUFFIXES = (
    ".pdf",
    ".docx",
    ".md",
    ".txt",
    ".html",
    ".htm",
    ".zip",
    ".xlsx",
    ".csv",
)


class DocumentError(InkoopError, ValueError):
    """A document action staff can correct (unknown document, no visibility chosen, …)."""

    exit_code = 2


class DocumentManager:
    """The one writer of the index in a serving process: background ingest, visibility,
    removal, the change log, and the list staff see."""

    def __init__(self, assistant: Assistant, data_dir: Path | None = None) -> None:
        self.assistant = assistant
        self.data_dir = data_dir or assistant.settings.data_dir
        self.upload_dir = self.data_dir / UPLOAD_FOLDER
        self.log = ChangeLog(self.data_dir / LOG_NAME)
        self.lock = threading.Lock()  # around every index write
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inkoop-ingest")
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)

    # --- ingest -------------------------------------------------------------------------

    def keep_uploads(self, files: Sequence[str | Path]) -> tuple[list[Path], list[str]]:
        """Copy uploaded files (Gradio's temporary copies) to DATA_DIR/documenten under their
        own name, so the index can link to them and `--prune` finds them; a file with the same
        name replaces the earlier upload (a new version). Returns the kept files and a Dutch
        line per file of a type that cannot be read."""
        kept: list[Path] = []
        refused: list[str] = []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for given in files:
            path = Path(given)
            name = path.name.strip() or "document"
            if path.suffix.lower() not in UPLOAD_SUFFIXES:
                refused.append(DOCUMENTS_UNREADABLE.format(name=name))
                continue
            target = self.upload_dir / name
            tmp = target.with_name(f".{name}.upload")
            shutil.copyfile(path, tmp)
            tmp.replace(target)
            kept.append(target)
        return kept, refused

    def submit(
        self,
        paths: Sequence[Path],
        visibility: str | None,
        who: str,
        prune: bool = False,
        per_path: bool = True,
    ) -> Job:
        """Queue an ingest of `paths`; it runs on the worker thread, one job at a time."""
        if visibility is not None and visibility not in VISIBILITIES:
            raise DocumentError(DOCUMENTS_CHOOSE_VISIBILITY)
        job = Job(
            id=str(next(self._ids)),
            who=who,
            names=[str(p) for p in paths],
            visibility=visibility,
            total=len(paths) if per_path and not prune else 1,
        )
        self._jobs[job.id] = job
        self._worker.submit(self._run, job, list(paths), prune, per_path and not prune)
        return job

    def job(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def ingest(
        self,
        paths: Sequence[Path],
        visibility: str | None,
        who: str,
        progress: Callable[[Job], None] | None = None,
    ) -> Job:
        """`submit` and wait; `progress` is called while it runs."""
        job = self.submit(paths, visibility, who)
        while not job.wait(0.25):
            if progress is not None:
                progress(job)
        return job

    def _run(self, job: Job, paths: list[Path], prune: bool, per_path: bool) -> None:
        job.state = "bezig"
        try:
            with self.lock:
                groups = [[p] for p in paths] if per_path else [paths]
                for group in groups:
                    # the cap on new passages holds for the whole job, not per path
                    room = max(self.assistant.settings.max_passages - job.report.chunks_added, 0)
                    part = self.assistant.ingest(
                        group, prune=prune, visibility=job.visibility, max_passages=room
                    )
                    merge_reports(job.report, part)
                    job.done += 1
                self._drop_unindexed_uploads(paths)
            job.state = "klaar"
        except Exception as exc:
            log.exception("ingest job %s failed", job.id)
            with self.lock:
                self._drop_unindexed_uploads(paths)
            job.state = "mislukt"
            job.error = str(exc) if isinstance(exc, InkoopError) else type(exc).__name__
        finally:
            job.finished = time.time()
            self._log_job(job)
            job._event.set()

    def _drop_unindexed_uploads(self, paths: Sequence[Path]) -> None:
        """An upload the ingest skipped (unreadable, refused, failed) does not stay in
        DATA_DIR/documenten; one an indexed document (or ZIP member) comes from does."""
        uploads = [p for p in paths if is_under(p.resolve(), self.upload_dir)]
        if not uploads:
            return
        indexed = {
            Path(str(raw)).resolve()
            for d in self.assistant.documents()
            for raw in (d.metadata.get("_archive"), d.metadata.get("_path"))
            if raw
        }
        for path in uploads:
            if path.resolve() not in indexed:
                log.info("removing %s: the ingest did not index it", path.name)
                path.unlink(missing_ok=True)

    def _log_job(self, job: Job) -> None:
        r = job.report
        records = {d.source: d for d in self.assistant.documents()}

        def state(source: str) -> str:
            found = records.get(source)
            return str(found.metadata.get("visibility", "")) if found else ""

        for action, sources in (
            ("toegevoegd", r.added),
            ("vervangen", r.replaced),
            ("verwijderd", r.removed),
        ):
            for source in sources:
                self.log.write(
                    job.who, action, source, visibility=state(source), ocr=r.ocr.get(source)
                )
        for p in r.problems:
            self.log.write(job.who, "overgeslagen", p.path, reason=p.reason, message=p.message)
        if job.state == "mislukt":
            self.log.write(job.who, "mislukt", ", ".join(job.names), message=job.error)

    # --- visibility and removal ---------------------------------------------------------

    def find(self, doc_id: str) -> DocumentRecord:
        for record in self.assistant.documents():
            if record.doc_id == doc_id:
                return record
        raise DocumentError(DOCUMENTS_NOT_FOUND)

    def set_visibility(self, doc_id: str, visibility: str, who: str) -> DocumentRecord:
        """Make one document openbaar or intern: its record and every passage, without reading
        the file again. Narrowing writes the record first, widening last, so a crash halfway
        never shows a provider more than before."""
        if visibility not in VISIBILITIES:
            raise DocumentError(DOCUMENTS_CHOOSE_VISIBILITY)
        with self.lock:
            record = self.find(doc_id)
            old = str(record.metadata.get("visibility") or INTERN)
            if old == visibility:
                return record
            index = self.assistant.index
            new = replace(record, metadata={**record.metadata, "visibility": visibility})
            chunks = [c for c in index.all_chunks() if c.doc_id == doc_id]
            changed = [
                replace(c, metadata={**c.metadata, "visibility": visibility}) for c in chunks
            ]
            vectors = index.vectors([c.chunk_id for c in chunks])
            if visibility == INTERN:  # the record first: providers lose it at once
                index.add_document(new, [], [], vectors[:0])
            index.add_document(new, [], changed, vectors)
            self.assistant.retriever.refresh()
        self.log.write(who, "zichtbaarheid", record.source, was=old, wordt=visibility)
        return new

    def remove(self, doc_id: str, who: str) -> DocumentRecord:
        """Take one document out of the index; an uploaded file is deleted too (unless other
        documents of the same ZIP are still indexed)."""
        with self.lock:
            record = self.find(doc_id)
            self.assistant.index.remove_document(doc_id)
            self.assistant.retriever.refresh()
            self._delete_upload(record)
        self.log.write(
            who, "verwijderd", record.source, visibility=str(record.metadata.get("visibility"))
        )
        return record

    def _delete_upload(self, record: DocumentRecord) -> None:
        raw = record.metadata.get("_archive") or record.metadata.get("_path")
        if not raw:
            return
        path = Path(str(raw))
        if not is_under(path.resolve(), self.upload_dir):
            return  # a file staff ingested from disk stays where it is
        for other in self.assistant.documents():
            if (other.metadata.get("_archive") or other.metadata.get("_path")) == raw:
                return
        path.unlink(missing_ok=True)

    # --- the list -----------------------------------------------------------------------

    def rows(self) -> list[DocumentRow]:
        return document_rows(self.assistant)

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)
