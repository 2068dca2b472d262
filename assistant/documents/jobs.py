"""One ingest run in the serving process: what was handed in, how far it is, and its report;
the report again from its JSON (a job handed to the running server)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from index.indexer import IngestReport


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


def merge_reports(into: IngestReport, part: IngestReport) -> None:
    """Add `part` (one path's ingest) to a job's report."""
    for name in ("added", "replaced", "unchanged", "removed", "problems", "notes"):
        getattr(into, name).extend(getattr(part, name))
    into.ocr.update(part.ocr)
    into.visibility.update(part.visibility)
    into.overruled.update(part.overruled)
    into.chunks_added += part.chunks_added
    into.chunks_removed += part.chunks_removed
    into.repaired += part.repaired
    into.seconds += part.seconds
    into.embed_seconds += part.embed_seconds


def report_from_dict(data: dict[str, Any]) -> IngestReport:
    """An `IngestReport` again from its `to_dict` (a job handed to the running server)."""
    from ingest.pipeline import FileProblem

    report = IngestReport()
    for name in ("added", "replaced", "unchanged", "removed", "notes"):
        getattr(report, name).extend(str(x) for x in data.get(name) or [])
    report.problems = [FileProblem(**p) for p in data.get("problems") or []]
    for name in ("ocr", "visibility", "overruled"):
        setattr(report, name, {str(k): str(v) for k, v in (data.get(name) or {}).items()})
    for name in ("chunks_added", "chunks_removed", "repaired"):
        setattr(report, name, int(data.get(name) or 0))
    for name in ("seconds", "embed_seconds"):
        setattr(report, name, float(data.get(name) or 0.0))
    return report
