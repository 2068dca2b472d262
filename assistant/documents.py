"""Staff manage the indexed documents while the chat runs: ingest in the background, change a
document's visibility, remove one, and a log of every change (who, when, what).

The serving process is the index's only writer (an embedded Chroma is one process's). Every
write goes through one `DocumentManager`: ingest jobs run one at a time on its worker thread
and removals and visibility changes take the same lock, so questions keep being answered while
a document is added. `Assistant.ingest` refreshes the retriever at the end of a job, so the next
question already searches the new document.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from index.filters import AANBIEDER, MEDEWERKER
from index.indexer import IngestReport
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
UPLOAD_FOLDER = "documenten"  # DATA_DIR/documenten: the uploaded files, one per name
LOG_NAME = "documenten-log.jsonl"  # DATA_DIR/documenten-log.jsonl: every change
DOCUMENT_ROUTE = "/dokument/"  # both apps serve a document by its id here

# Served inline from the app's own origin, so HTML/SVG get no link (script in them would run
# as the app); these types are safe to open or download.
SERVED_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".csv": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class DocumentError(InkoopError, ValueError):
    """A document action staff can correct (unknown document, no visibility chosen, …)."""

    exit_code = 2


@dataclass
class Job:
    """One ingest run: what was handed in, how far it is, and its report."""

    id: str
    who: str
    names: list[str]
    visibility: str | None
    total: int
    done: int = 0
    state: str = "wachtend"  # wachtend → bezig → klaar | mislukt
    report: IngestReport = field(default_factory=IngestReport)
    error: str = ""
    submitted: float = field(default_factory=time.time)
    finished: float | None = None
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished_ok(self) -> bool:
        return self.state == "klaar"

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "who": self.who,
            "names": self.names,
            "visibility": self.visibility,
            "total": self.total,
            "done": self.done,
            "state": self.state,
            "error": self.error,
            "report": self.report.to_dict(),
        }


class ChangeLog:
    """Every change to the documents, one JSON line each: at, who, action, document, detail."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, who: str, action: str, document: str, **detail: Any) -> None:
        entry = {
            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "who": who or "onbekend",
            "action": action,
            "document": document,
            **{k: v for k, v in detail.items() if v not in (None, "", [], {})},
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)

    def entries(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first."""
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-limit:]
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash
        return out


@dataclass(frozen=True)
class DocumentRow:
    """One line of the staff's document list."""

    doc_id: str
    source: str
    title: str
    type: str
    gemeente: str
    datum: str
    visibility: str
    pages: int
    chunks: int
    versions: str
    ocr_pages: str
    ingested_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def public_source(record: DocumentRecord, upload_dir: Path | None = None) -> str:
    """The name the public API gives a document: never a server folder.

    The source as the user named it when it is relative (the ingest ran where the files are);
    an uploaded file by its own name; else the file name (a ZIP member: the ZIP's name and
    the path inside it)."""
    source = record.source
    member = record.metadata.get("_member")
    raw = record.metadata.get("_archive") or record.metadata.get("_path") or source
    origin = Path(str(raw)).resolve()
    if upload_dir is not None and _under(origin, upload_dir):
        inside = origin.relative_to(upload_dir.resolve()).as_posix()
        return f"{inside}/{member}" if member else inside
    if not PurePosixPath(source).is_absolute() and not source.startswith(".."):
        return source
    if member:
        return f"{origin.name}/{member}"
    return PurePosixPath(source).name


def _under(path: Path, folder: Path) -> bool:
    try:
        return path.is_relative_to(folder.resolve())
    except OSError:
        return False


def document_url(doc_id: str, source: str, page: int | None = None) -> str:
    """The link that opens an indexed document by id, at `page` for a PDF."""
    url = f"{DOCUMENT_ROUTE}{doc_id}"
    if page and PurePosixPath(source).suffix.lower() == ".pdf":
        return f"{url}#page={page}"
    return url


def servable(record: DocumentRecord) -> bool:
    """Whether a document is served as a file: a safe type whose bytes are still on disk."""
    if PurePosixPath(record.source).suffix.lower() not in SERVED_TYPES:
        return False
    if record.metadata.get("_member"):
        return Path(str(record.metadata.get("_archive", ""))).is_file()
    return Path(str(record.metadata.get("_path", record.source))).is_file()


def document_bytes(record: DocumentRecord) -> bytes:
    """The bytes of an indexed document: its file, or the one member of a ZIP."""
    member = record.metadata.get("_member")
    if member:
        from ingest.archives import member_at

        return member_at(Path(str(record.metadata["_archive"])), str(member)).read_bytes()
    return Path(str(record.metadata.get("_path", record.source))).read_bytes()


class Catalog(Mapping[str, str]):
    """Source → link (`/dokument/<id>`) of the documents one audience may open, kept current:
    looked up again after `ttl` seconds or on a miss, so a document published a moment ago
    has its link and a removed one loses it."""

    def __init__(self, assistant: Assistant, audience: str = AANBIEDER, ttl: float = 2.0) -> None:
        self.assistant = assistant
        self.audience = audience
        self.ttl = ttl
        self._links: dict[str, str] = {}
        self._records: dict[str, DocumentRecord] = {}
        self._at = 0.0
        self._lock = threading.Lock()

    def _load(self, force: bool = False) -> dict[str, str]:
        with self._lock:
            stale = time.monotonic() - self._at > self.ttl
            if force or stale:
                records = {r.source: r for r in self.assistant.documents_for(self.audience)}
                self._records = records
                self._links = {
                    s: document_url(r.doc_id, s) for s, r in records.items() if servable(r)
                }
                self._at = time.monotonic()
            return self._links

    def __getitem__(self, source: str) -> str:
        links = self._load()
        if source not in links and time.monotonic() - self._at > 0.2:
            links = self._load(force=True)
        return links[source]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def record(self, source: str) -> DocumentRecord | None:
        self._load()
        return self._records.get(source)


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
                refused.append(f"{name}: dit soort bestand kan niet worden gelezen")
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
            raise DocumentError("Kies openbaar of intern.")
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
                    part = self.assistant.ingest(group, prune=prune, visibility=job.visibility)
                    _merge(job.report, part)
                    job.done += 1
            job.state = "klaar"
        except Exception as exc:
            log.exception("ingest job %s failed", job.id)
            job.state = "mislukt"
            job.error = str(exc) if isinstance(exc, InkoopError) else type(exc).__name__
        finally:
            job.finished = time.time()
            self._log_job(job)
            job._event.set()

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
        raise DocumentError("Dat document staat niet (meer) in de index.")

    def set_visibility(self, doc_id: str, visibility: str, who: str) -> DocumentRecord:
        """Make one document openbaar or intern: its record and every passage, without reading
        the file again. Narrowing writes the record first, widening last, so a crash halfway
        never shows a provider more than before."""
        if visibility not in VISIBILITIES:
            raise DocumentError("Kies openbaar of intern.")
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
        if not _under(path.resolve(), self.upload_dir):
            return  # a file staff ingested from disk stays where it is
        for other in self.assistant.documents():
            if (other.metadata.get("_archive") or other.metadata.get("_path")) == raw:
                return
        path.unlink(missing_ok=True)

    # --- the list -----------------------------------------------------------------------

    def rows(self) -> list[DocumentRow]:
        from assistant.answer.later_relations import document_relations

        docs = self.assistant.documents()
        related = document_relations(docs)
        out = []
        for d in docs:
            rel = related.get(d.doc_id, {})
            versions = [f"versie {rel['version']}"] if rel.get("version") else []
            versions += [f"vervangt {s}" for s in rel.get("supersedes", [])]
            versions += [f"vervangen door {s}" for s in rel.get("superseded_by", [])]
            meta = d.metadata
            out.append(
                DocumentRow(
                    doc_id=d.doc_id,
                    source=d.source,
                    title=d.title,
                    type=str(meta.get("type") or d.kind),
                    gemeente=str(meta.get("gemeente") or ""),
                    datum=str(meta.get("datum") or ""),
                    visibility=str(meta.get("visibility") or INTERN),
                    pages=d.pages,
                    chunks=d.chunks,
                    versions="; ".join(versions),
                    ocr_pages=str(meta.get("ocr_pages") or ""),
                    ingested_at=d.ingested_at,
                )
            )
        return out

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)


def _merge(into: IngestReport, part: IngestReport) -> None:
    for name in ("added", "replaced", "unchanged", "removed", "problems", "notes"):
        getattr(into, name).extend(getattr(part, name))
    into.ocr.update(part.ocr)
    into.chunks_added += part.chunks_added
    into.chunks_removed += part.chunks_removed
    into.repaired += part.repaired
    into.seconds += part.seconds
    into.embed_seconds += part.embed_seconds


def readable(assistant: Assistant, doc_id: str, audience: str) -> DocumentRecord | None:
    """The document `audience` may open (providers: openbaar only), when it is served as a file."""
    audience = MEDEWERKER if audience == MEDEWERKER else AANBIEDER
    for record in assistant.documents_for(audience):
        if record.doc_id == doc_id:
            return record if servable(record) else None
    return None


def no_public_documents(assistant: Assistant, audience: str) -> bool:
    """A provider who can read nothing at all (everything was ingested as intern)."""
    return audience != MEDEWERKER and not assistant.documents_for(AANBIEDER)


def report_from_dict(data: dict[str, Any]) -> IngestReport:
    """An `IngestReport` again from its `to_dict` (a job handed to the running server)."""
    from ingest.pipeline import FileProblem

    report = IngestReport()
    for name in ("added", "replaced", "unchanged", "removed", "notes"):
        getattr(report, name).extend(str(x) for x in data.get(name) or [])
    report.problems = [FileProblem(**p) for p in data.get("problems") or []]
    report.ocr = {str(k): str(v) for k, v in (data.get("ocr") or {}).items()}
    for name in ("chunks_added", "chunks_removed", "repaired"):
        setattr(report, name, int(data.get(name) or 0))
    for name in ("seconds", "embed_seconds"):
        setattr(report, name, float(data.get(name) or 0.0))
    return report


def public_answer(data: dict[str, Any], assistant: Assistant) -> dict[str, Any]:
    """The `ask` API's answer for providers: each citation's `source` is the document's public
    name (`public_source`, never a folder on the server), plus `doc_id` and, for a file the app
    serves, `document`: the link that opens it (`/dokument/<id>`, at the page for a PDF)."""
    records = {r.source: r for r in assistant.documents_for(AANBIEDER)}
    upload_dir = assistant.settings.data_dir / UPLOAD_FOLDER
    citations = []
    for c in data.get("citations") or []:
        c = dict(c)
        record = records.get(str(c.get("source")))
        if record is None:
            c["source"] = PurePosixPath(str(c.get("source", ""))).name
        else:
            c["source"] = public_source(record, upload_dir)
            c["doc_id"] = record.doc_id
            if servable(record):
                c["document"] = document_url(record.doc_id, record.source, c.get("page"))
        citations.append(c)
    return {**data, "citations": citations}
