"""The staff page's "Documenten" tab: upload, the list of indexed documents, visibility,
removal and the change log. Plain methods over `DocumentManager`, tested without a browser;
`staff_documents_tab` wires them to components."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.documents.jobs import Job
from assistant.documents.listing import DocumentRow
from assistant.documents.public import public_source
from assistant.documents.writer import DocumentError, DocumentManager
from assistant.prompts import (
    DOCUMENTS_CHOOSE_VISIBILITY,
    DOCUMENTS_CHOSEN,
    DOCUMENTS_CONFIRM,
    DOCUMENTS_NOT_RELATED,
    DOCUMENTS_NOTHING_ADDED,
    DOCUMENTS_PICK_FILES,
    DOCUMENTS_PICK_ROW,
    DOCUMENTS_PICK_VISIBILITY,
    DOCUMENTS_RELATE_TARGET,
    DOCUMENTS_RELATED,
    DOCUMENTS_REMOVED,
    DOCUMENTS_REPORT_FAILED,
    DOCUMENTS_REPORT_LABELS,
    DOCUMENTS_REPORT_LINE,
    DOCUMENTS_REPORT_OCR,
    DOCUMENTS_REPORT_OVERRULED,
    DOCUMENTS_REPORT_PROBLEM,
    DOCUMENTS_REPORT_REFUSED,
    DOCUMENTS_REPORT_TOTALS,
    DOCUMENTS_UNRELATED,
    DOCUMENTS_VISIBILITY_CHANGED,
)
from ingest.models import VISIBILITIES

Row = list[Any]

DOCUMENT_HEADERS = [
    "Titel",
    "Soort",
    "Gemeente",
    "Datum",
    "Zichtbaarheid",
    "Pagina's",
    "Passages",
    "Versies",
    "OCR",
    "Bestand",
    "Id",
]
ALL_VISIBILITIES = "alle"
SORTS: dict[str, Callable[[DocumentRow], Any]] = {
    "Titel": lambda r: r.title.casefold(),
    "Datum (nieuwste eerst)": lambda r: r.datum,
    "Toegevoegd (nieuwste eerst)": lambda r: r.ingested_at,
    "Gemeente": lambda r: (r.gemeente.casefold(), r.title.casefold()),
    "Soort": lambda r: (r.type.casefold(), r.title.casefold()),
    "Bestand": lambda r: r.source.casefold(),
}
NEWEST_FIRST = ("Datum (nieuwste eerst)", "Toegevoegd (nieuwste eerst)")
LOG_HEADERS = ["Wanneer", "Wie", "Wat", "Document", "Toelichting"]


def _e(text: object) -> str:
    return html.escape(str(text), quote=False)


class DocumentsPage:
    """The handlers of the documents tab; each returns plain values for the components."""

    def __init__(self, manager: DocumentManager) -> None:
        self.manager = manager

    def name(self, source: str) -> str:
        """A source as staff know it: an upload by its file name, never the data dir."""
        for record in self.manager.assistant.documents():
            if record.source == source:
                return public_source(record, self.manager.upload_dir)
        upload = self.manager.upload_dir.resolve()
        path = Path(source).resolve()
        return path.relative_to(upload).as_posix() if path.is_relative_to(upload) else source

    def upload(
        self,
        files: Sequence[str] | str | None,
        visibility: str | None,
        who: str,
        progress: Callable[[Job], None] | None = None,
    ) -> str:
        """Store the uploaded files and ingest them (in the background, one job at a time);
        the per-file report in Markdown."""
        given = [files] if isinstance(files, str) else list(files or [])
        if not given:
            raise DocumentError(DOCUMENTS_PICK_FILES)
        if visibility not in VISIBILITIES:
            raise DocumentError(DOCUMENTS_PICK_VISIBILITY)
        kept, refused = self.manager.keep_uploads(given)
        lines = [DOCUMENTS_REPORT_REFUSED.format(line=_e(r)) for r in refused]
        if kept:
            job = self.manager.ingest(kept, visibility, who, progress)
            lines = self.report_lines(job) + lines
        return "\n".join(lines) or DOCUMENTS_NOTHING_ADDED

    def report_lines(self, job: Job) -> list[str]:
        r = job.report
        lines = []
        for kind, sources in (
            ("added", r.added),
            ("replaced", r.replaced),
            ("unchanged", r.unchanged),
        ):
            for source in sources:
                ocr = DOCUMENTS_REPORT_OCR.format(pages=r.ocr[source]) if source in r.ocr else ""
                real = r.visibility.get(source) or job.visibility  # what providers now see
                if source in r.overruled:
                    ocr += DOCUMENTS_REPORT_OVERRULED.format(
                        own=_e(r.overruled[source]), visibility=real
                    )
                line = DOCUMENTS_REPORT_LINE.format(
                    label=DOCUMENTS_REPORT_LABELS[kind],
                    visibility=real,
                    name=_e(self.name(source)),
                    ocr=ocr,
                )
                lines.append(line)
        for p in r.problems:
            lines.append(
                DOCUMENTS_REPORT_PROBLEM.format(
                    name=_e(self.name(p.path)), reason=_e(p.reason), message=_e(p.message)
                )
            )
        if job.state != "klaar":
            lines.append(DOCUMENTS_REPORT_FAILED.format(error=_e(job.error)))
        took = f"{r.seconds:.1f}".replace(".", ",")
        lines.append(
            DOCUMENTS_REPORT_TOTALS.format(
                added=len(r.added),
                replaced=len(r.replaced),
                unchanged=len(r.unchanged),
                problems=len(r.problems),
                chunks=r.chunks_added,
                seconds=took,
            )
        )
        return lines

    def table(
        self, text: str = "", visibility: str = ALL_VISIBILITIES, sort: str = "Titel"
    ) -> list[Row]:
        """The indexed documents, filtered on a word (title, file, gemeente, type) and a
        visibility, sorted; the last column is the id a click selects."""
        needle = (text or "").strip().casefold()
        rows = [
            r
            for r in self.manager.rows()
            if (visibility in (ALL_VISIBILITIES, "", None) or r.visibility == visibility)
            and (
                not needle
                or needle in " ".join((r.title, r.source, r.gemeente, r.type, r.datum)).casefold()
            )
        ]
        key = SORTS.get(sort or "Titel", SORTS["Titel"])
        rows.sort(key=key, reverse=sort in NEWEST_FIRST)
        upload = self.manager.upload_dir.resolve()
        out = []
        for r in rows:
            path = Path(r.source).resolve()
            shown = path.relative_to(upload).as_posix() if path.is_relative_to(upload) else r.source
            out.append(
                [
                    r.title,
                    r.type,
                    r.gemeente,
                    r.datum,
                    r.visibility,
                    r.pages,
                    r.chunks,
                    r.versions,
                    r.ocr_pages,
                    shown,
                    r.doc_id,
                ]
            )
        return out

    def selected(self, doc_id: str) -> str:
        """A line naming the selected document."""
        if not doc_id:
            return ""
        record = self.manager.find(doc_id)
        state = record.metadata.get("visibility") or "intern"
        return DOCUMENTS_CHOSEN.format(
            title=_e(record.title), name=_e(self.name(record.source)), visibility=state
        )

    def set_visibility(self, doc_id: str, visibility: str | None, who: str) -> str:
        if not doc_id:
            raise DocumentError(DOCUMENTS_PICK_ROW)
        if visibility not in VISIBILITIES:
            raise DocumentError(DOCUMENTS_CHOOSE_VISIBILITY)
        record = self.manager.set_visibility(doc_id, visibility, who)
        return DOCUMENTS_VISIBILITY_CHANGED.format(title=_e(record.title), visibility=visibility)

    def relate(
        self, doc_id: str, target: str | None, paragraphs: str, amends: bool, who: str
    ) -> str:
        """Relate the chosen nota van inlichtingen or rectificatie by hand to the document it
        belongs to (`target`: a file name or source; None removes the hand relation), as
        `inkoop relate` does; what it now replaces and clarifies, in Markdown."""
        from assistant.answer.hand_relations import RelateError, relate
        from assistant.answer.relation_report import ingest_lines

        if not doc_id:
            raise DocumentError(DOCUMENTS_PICK_ROW)
        if target is not None and not target.strip():
            raise DocumentError(DOCUMENTS_RELATE_TARGET)
        note = self.manager.find(doc_id)
        name = _e(self.name(note.source))
        given = tuple(re.findall(r"\d+(?:\.\d+)*", paragraphs or ""))
        try:
            with self.manager.lock:  # one writer of the relations file, as of the index
                source, changed = relate(
                    self.manager.data_dir,
                    self.manager.assistant.index.documents(),
                    note.source,
                    target.strip() if target is not None else None,
                    given,
                    amends,
                    who,
                )
        except RelateError as exc:
            raise DocumentError(str(exc)) from exc
        if target is None:
            if changed:
                self.manager.log.write(who, "ontkoppeld", source)
            return (DOCUMENTS_UNRELATED if changed else DOCUMENTS_NOT_RELATED).format(name=name)
        self.manager.log.write(who, "gekoppeld", source, aan=target, paragrafen=list(given))
        lines = ingest_lines(self.manager.assistant.documents(), [source])
        return "\n".join([DOCUMENTS_RELATED.format(name=name), *(f"- {_e(x)}" for x in lines)])

    def remove(self, doc_id: str, confirmed: bool, who: str) -> str:
        if not doc_id:
            raise DocumentError(DOCUMENTS_PICK_ROW)
        if not confirmed:
            raise DocumentError(DOCUMENTS_CONFIRM)
        record = self.manager.remove(doc_id, who)
        return DOCUMENTS_REMOVED.format(title=_e(record.title), name=_e(self.name(record.source)))

    def log_rows(self, limit: int = 200) -> list[Row]:
        rows = []
        for e in self.manager.log.entries(limit):
            extra = ", ".join(
                f"{k}: {v}"
                for k, v in e.items()
                if k not in ("at", "who", "action", "document") and v not in ("", None)
            )
            rows.append(
                [
                    str(e.get("at", ""))[:19].replace("T", " "),
                    e.get("who", ""),
                    e.get("action", ""),
                    self._short(str(e.get("document", ""))),
                    extra,
                ]
            )
        return rows

    def _short(self, source: str) -> str:
        upload = self.manager.upload_dir.resolve()
        path = Path(source).resolve()
        return path.relative_to(upload).as_posix() if path.is_relative_to(upload) else source
