"""The documents the apps serve by id at /dokument/<id>: which ones (a safe type whose bytes
are still on disk, and that the reader may open), their bytes, and the links to them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from index.filters import AANBIEDER, MEDEWERKER
from index.store import DocumentRecord

if TYPE_CHECKING:
    from assistant.service import Assistant

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


def readable(assistant: Assistant, doc_id: str, audience: str) -> DocumentRecord | None:
    """The document `audience` may open (providers: openbaar only), when it is served as a file."""
    audience = MEDEWERKER if audience == MEDEWERKER else AANBIEDER
    for record in assistant.documents_for(audience):
        if record.doc_id == doc_id:
            return record if servable(record) else None
    return None


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
