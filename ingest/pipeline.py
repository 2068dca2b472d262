"""Find files and turn each into a document and its chunks; bad files become report lines."""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.archives import ArchiveMember, UnsafeArchiveError, expand, is_archive
from ingest.chunking import ChunkSettings, chunk_document
from ingest.errors import IngestError
from ingest.metadata import declared_visibility, resolve_visibility
from ingest.models import INTERN, Chunk, SourceDocument
from ingest.readers import SUPPORTED, read_document

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.json"

# What can be ingested: a file on disk or a file inside a ZIP on disk.
Input = Path | ArchiveMember


@dataclass(frozen=True)
class FileProblem:
    """One file that could not be ingested, and why (shown per file in the report)."""

    path: str
    # short code: encrypted, no-text, empty, corrupt, unsupported, unreadable, unsafe-archive,
    # too-many-passages (index.indexer: past the cap on passages per ingest)
    reason: str
    message: str


@dataclass(frozen=True)
class ParsedFile:
    document: SourceDocument
    chunks: list[Chunk]
    # the file's own visibility setting (front matter, sidecar) when it differs from the one
    # the document got: staff's choice is a ceiling, the report warns about the difference
    overruled: str | None = None


def discover(
    paths: list[Path], display: Callable[[Path], str] = str
) -> tuple[list[Input], list[FileProblem]]:
    """All candidate files under the given paths (recursive), plus problems with the paths.

    A ZIP stands for the files in it (see `ingest.archives`); an unsafe or unreadable ZIP is
    one problem and contributes no file. `display` names a path in problem lines.
    """
    files: list[Input] = []
    problems: list[FileProblem] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            problems.append(FileProblem(str(root), "missing", f"{root}: no such file or folder"))
            continue
        if root.is_file():
            candidates: list[Path] = [root]
        else:
            candidates = sorted(_walk(root, problems))
        for path in candidates:
            try:
                real = path.resolve()
            except (OSError, RuntimeError) as exc:
                problems.append(FileProblem(str(path), "unreadable", f"{path}: {exc}"))
                continue
            if real in seen or path.name.endswith(SIDECAR_SUFFIX):
                continue
            seen.add(real)
            if is_archive(path):
                files.extend(_members(path, display(path), problems))
            else:
                files.append(path)
    return files, problems


def _members(path: Path, shown: str, problems: list[FileProblem]) -> list[ArchiveMember]:
    """The files of one ZIP; none, and a problem line, when it is unsafe or unreadable."""
    try:
        members, skipped = expand(path)
    except UnsafeArchiveError as exc:
        problems.append(
            FileProblem(shown, "unsafe-archive", f"{path.name}: rejected, nothing ingested: {exc}")
        )
        return []
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        problems.append(FileProblem(shown, "corrupt", f"{path.name}: not a valid ZIP ({exc})"))
        return []
    for inner, reason, message in skipped:
        problems.append(FileProblem(f"{shown}/{inner}", reason, message))
    if not members and not skipped:
        problems.append(FileProblem(shown, "empty", f"{path.name}: the ZIP holds no files"))
    return members


def _walk(root: Path, problems: list[FileProblem]) -> Iterator[Path]:
    visited: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=None):
        try:
            st = os.stat(dirpath)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:  # a symlink loop: do not walk the same folder twice
            problems.append(
                FileProblem(dirpath, "loop", f"{dirpath}: folder visited before (symlink loop)")
            )
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or name.lower() in {"readme.md", "license", "license.md"}:
                continue
            yield Path(dirpath) / name


def parse_file(
    path: Input,
    settings: ChunkSettings,
    display: str | None = None,
    visibility: str = INTERN,
    ceiling: str | None = None,
) -> ParsedFile | FileProblem:
    """Read and chunk one file; any failure becomes a `FileProblem`, never an exception.

    `visibility` applies unless the file's own metadata sets one; `ceiling` (the visibility
    staff chose) bounds it: a file may make itself more private, never more public. It lands
    on the document's metadata and so on every chunk.
    """
    try:
        doc = read_document(path, display)
        try:
            own = declared_visibility(doc.metadata.get("visibility"))
            seen = resolve_visibility(own, visibility, ceiling)
        except ValueError as exc:
            return FileProblem(display or str(path), "visibility", f"{path.name}: {exc}")
        doc = replace(doc, metadata={**doc.metadata, "visibility": seen})
        chunks = chunk_document(doc, settings)
    except IngestError as exc:
        return FileProblem(display or str(path), exc.reason, str(exc))
    except RecursionError as exc:
        return FileProblem(
            display or str(path), "corrupt", f"{path.name}: too deeply nested ({exc})"
        )
    except Exception as exc:  # a reader bug must not stop the batch
        log.exception("unexpected error reading %s", path)
        return FileProblem(
            display or str(path),
            "error",
            f"{path.name}: could not be read ({type(exc).__name__}: {exc})",
        )
    if not chunks:
        return FileProblem(display or str(path), "empty", f"{path.name}: no text to index")
    return ParsedFile(doc, chunks, overruled=own if own not in (None, seen) else None)


def supported(path: Input) -> bool:
    return path.suffix.lower() in SUPPORTED
