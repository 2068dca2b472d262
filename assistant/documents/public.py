"""What the public API says about documents: a document's public name (never a folder on the
server), the links in a provider's answer, and whether a provider can read anything at all."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from assistant.documents.served import document_url, servable
from index.filters import AANBIEDER
from index.store import DocumentRecord

if TYPE_CHECKING:
    from assistant.service import Assistant

UPLOAD_FOLDER = "documenten"  # DATA_DIR/documenten: the uploaded files, one per name


def public_source(record: DocumentRecord, upload_dir: Path | None = None) -> str:
    """The name the public API gives a document: never a server folder.

    The source as the user named it when it is relative (the ingest ran where the files are);
    an uploaded file by its own name; else the file name (a ZIP member: the ZIP's name and
    the path inside it)."""
    source = record.source
    member = record.metadata.get("_member")
    raw = record.metadata.get("_archive") or record.metadata.get("_path") or source
    origin = Path(str(raw)).resolve()
    if upload_dir is not None and is_under(origin, upload_dir):
        inside = origin.relative_to(upload_dir.resolve()).as_posix()
        return f"{inside}/{member}" if member else inside
    if not PurePosixPath(source).is_absolute() and not source.startswith(".."):
        return source
    if member:
        return f"{origin.name}/{member}"
    return PurePosixPath(source).name


def is_under(path: Path, folder: Path) -> bool:
    """Whether `path` (resolved) lies in `folder`."""
    try:
        return path.is_relative_to(folder.resolve())
    except OSError:
        return False


def public_answer(data: dict[str, Any], assistant: Assistant) -> dict[str, Any]:
    """The `ask` API's answer for providers: each citation's and passage's `source` is the
    document's public name (`public_source`, never a folder on the server), plus `doc_id` and,
    for a file the app serves, `document`: the link that opens it (`/dokument/<id>`, at the
    page for a PDF)."""
    records = {r.source: r for r in assistant.documents_for(AANBIEDER)}
    upload_dir = assistant.settings.data_dir / UPLOAD_FOLDER

    def public(item: dict[str, Any]) -> dict[str, Any]:
        item = dict(item)
        record = records.get(str(item.get("source")))
        if record is None:
            item["source"] = PurePosixPath(str(item.get("source", ""))).name
        else:
            item["source"] = public_source(record, upload_dir)
            item["doc_id"] = record.doc_id
            if servable(record):
                item["document"] = document_url(record.doc_id, record.source, item.get("page"))
        return item

    out = {**data, "citations": [public(c) for c in data.get("citations") or []]}
    if "passages" in data:
        out["passages"] = [public(p) for p in data.get("passages") or []]
    return out
