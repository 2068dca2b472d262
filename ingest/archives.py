"""Tender packages: a ZIP is ingested as the files in it, after checks against zip bombs and
path traversal. Nothing is extracted to disk; members are read into memory one at a time.

A member's source is `package.zip/inner/path.pdf`; a ZIP inside the package is opened one
level deep (`package.zip/bijlagen.zip/prijzen.xlsx`). An archive that fails a check is
rejected as a whole, before any of its files is read: nothing of it is indexed.
"""

from __future__ import annotations

import functools
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ingest.models import MetadataValue

ARCHIVE_SUFFIXES = (".zip",)
SIDECAR_SUFFIX = ".meta.json"

# Limits against zip bombs. A real tender package is a few hundred files and at most a few
# hundred MB; these leave ample room for that and stop an archive that expands to fill memory
# or disk. Sizes are those the archive declares: zipfile never yields more than that per
# member, and checks the CRC, so a lying header cannot slip more data through.
MAX_MEMBERS = 5_000  # files in the package, nested ZIPs' files included
MAX_TOTAL_BYTES = 2 * 1024**3  # uncompressed, all members together
MAX_MEMBER_BYTES = 512 * 1024**2  # uncompressed, one member
MAX_RATIO = 200  # uncompressed / compressed of one member; zip bombs reach 1000 and more ...
RATIO_MIN_BYTES = 1024**2  # ... checked from 1 MiB, since tiny repetitive files do reach 200
NESTED_DEPTH = 1  # a ZIP inside the package is opened; a ZIP inside that one is not
# Over the whole archive, too: members just under RATIO_MIN_BYTES each pass the member check,
# and 1,900 of them in a 7 MB ZIP declared 1.9 GiB. Tender packages are mostly PDF, DOCX and
# XLSX (already compressed, about 1 to 1) with some text (3 to 5 to 1); past 64 MiB in all a
# package may expand at most 20 to 1 over its size on disk.
MAX_TOTAL_RATIO = 20
TOTAL_RATIO_MIN_BYTES = 64 * 1024**2

_SKIPPED_PARTS = ("__MACOSX",)
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeArchiveError(Exception):
    """The archive fails a safety check; the message says which. Nothing of it is ingested."""


@dataclass(frozen=True)
class ArchiveMember:
    """One file inside a ZIP on disk (`inner` has two parts for a file in a nested ZIP).

    Offers what readers need from a `Path`: `name`, `suffix`, `stem`, `read_bytes()`.
    """

    archive: Path
    inner: tuple[str, ...]
    size: int = 0
    sidecar_names: tuple[tuple[str, ...], ...] = field(default=(), compare=False)

    @property
    def inner_path(self) -> str:
        return "/".join(self.inner)

    @property
    def name(self) -> str:
        return PurePosixPath(self.inner[-1]).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.inner[-1]).suffix

    @property
    def stem(self) -> str:
        return PurePosixPath(self.inner[-1]).stem

    def __str__(self) -> str:
        return f"{self.archive}/{self.inner_path}"

    def read_bytes(self) -> bytes:
        return _read(self.archive, self.inner)

    def sidecars(self) -> list[tuple[str, bytes]]:
        """(where, bytes) of the metadata that applies, weakest first: the package's own
        `package.zip.meta.json` on disk, then `inner/name.meta.json` next to it in the ZIP."""
        found = []
        outer = self.archive.with_name(self.archive.name + SIDECAR_SUFFIX)
        if outer.is_file():
            found.append((str(outer), outer.read_bytes()))
        for inner in self.sidecar_names:
            found.append((f"{self.archive}/{'/'.join(inner)}", _read(self.archive, inner)))
        return found


def is_archive(path: Path) -> bool:
    return path.suffix.lower() in ARCHIVE_SUFFIXES


def expand(archive: Path) -> tuple[list[ArchiveMember], list[tuple[str, str, str]]]:
    """The files in a ZIP on disk, and (inner path, reason, message) for members left out
    (an encrypted member, a ZIP nested too deep).

    Raises `UnsafeArchiveError` when the archive fails a safety check and
    `zipfile.BadZipFile`/`OSError` when it cannot be read; then nothing of it may be ingested.
    """
    size = archive.stat().st_size
    with zipfile.ZipFile(archive) as zf:
        budget = _Budget()
        members, skipped = _scan(zf, size, (), budget, archive)
    ratio = budget.total / max(size, 1)
    if budget.total >= TOTAL_RATIO_MIN_BYTES and ratio > MAX_TOTAL_RATIO:
        raise UnsafeArchiveError(
            f"its files expand to {budget.total // 1024**2} MB, {ratio:.0f} times its "
            f"{size // 1024} kB; more than {MAX_TOTAL_RATIO} to 1 over the whole archive "
            "(compressed like a zip bomb?)"
        )
    return members, skipped


@dataclass
class _Budget:
    members: int = 0
    total: int = 0

    def take(self, size: int, where: str) -> None:
        self.members += 1
        self.total += size
        if self.members > MAX_MEMBERS:
            raise UnsafeArchiveError(f"more than {MAX_MEMBERS} files (a zip bomb?)")
        if self.total > MAX_TOTAL_BYTES:
            raise UnsafeArchiveError(
                f"more than {MAX_TOTAL_BYTES // 1024**2} MB uncompressed (a zip bomb?); "
                f"reached at {where}"
            )


def _scan(
    zf: zipfile.ZipFile,
    archive_size: int,
    prefix: tuple[str, ...],
    budget: _Budget,
    archive: Path,
) -> tuple[list[ArchiveMember], list[tuple[str, str, str]]]:
    infos = zf.infolist()
    names: set[str] = set()
    compressed = 0
    for info in infos:
        where = "/".join((*prefix, info.filename))
        _check_name(info.filename, where)
        if info.filename in names:
            raise UnsafeArchiveError(f"'{where}' occurs twice in the archive")
        names.add(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchiveError(f"'{where}' is a symbolic link")
        if info.is_dir():
            continue
        compressed += info.compress_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnsafeArchiveError(
                f"'{where}' expands to {info.file_size // 1024**2} MB, more than "
                f"{MAX_MEMBER_BYTES // 1024**2} MB per file (a zip bomb?)"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise UnsafeArchiveError(
                f"'{where}' is compressed {ratio:.0f} to 1, more than {MAX_RATIO} to 1 "
                "(a zip bomb?)"
            )
        budget.take(info.file_size, where)
    # Members whose compressed data overlap (one stream listed many times) are a zip bomb.
    if compressed > archive_size:
        raise UnsafeArchiveError("its files share compressed data (a zip bomb)")
    members: list[ArchiveMember] = []
    skipped: list[tuple[str, str, str]] = []
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if info.is_dir() or _ignored(parts) or name.endswith(SIDECAR_SUFFIX):
            continue
        inner = (*prefix, name)
        if info.flag_bits & 0x1:
            skipped.append(
                ("/".join(inner), "encrypted", f"{name}: password-protected inside the ZIP")
            )
            continue
        if PurePosixPath(name).suffix.lower() in ARCHIVE_SUFFIXES:
            if len(prefix) >= NESTED_DEPTH:
                skipped.append(
                    (
                        "/".join(inner),
                        "unsupported",
                        f"{name}: a ZIP nested more than {NESTED_DEPTH} level deep is not "
                        "opened; unpack it and ingest its files",
                    )
                )
                continue
            data = zf.read(info)
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as nested:
                    found, left = _scan(nested, len(data), inner, budget, archive)
            except zipfile.BadZipFile as exc:
                skipped.append(("/".join(inner), "corrupt", f"{name}: not a valid ZIP ({exc})"))
                continue
            members.extend(found)
            skipped.extend(left)
            continue
        sidecar = name + SIDECAR_SUFFIX
        sidecars = ((*prefix, sidecar),) if sidecar in names else ()
        members.append(ArchiveMember(archive, inner, info.file_size, sidecars))
    return members, skipped


def _check_name(name: str, where: str) -> None:
    """Reject names that would leave the folder they are unpacked into."""
    normal = name.replace("\\", "/")
    if "\x00" in name:
        raise UnsafeArchiveError(f"a file name contains a NUL byte ('{where}')")
    if normal.startswith("/") or _DRIVE.match(normal):
        raise UnsafeArchiveError(f"'{where}' is an absolute path")
    if ".." in normal.split("/"):
        raise UnsafeArchiveError(f"'{where}' points outside the archive ('..')")


def _ignored(parts: tuple[str, ...]) -> bool:
    return any(p in _SKIPPED_PARTS or p.startswith(".") for p in parts)


def _read(archive: Path, inner: tuple[str, ...]) -> bytes:
    if len(inner) == 1:
        with zipfile.ZipFile(archive) as zf:
            return zf.read(inner[0])
    st = archive.stat()
    data = _nested_bytes(str(archive), st.st_mtime_ns, st.st_size, inner[0])
    with zipfile.ZipFile(io.BytesIO(data)) as nested:
        return nested.read(inner[1])


@functools.lru_cache(maxsize=1)
def _nested_bytes(archive: str, _mtime: int, _size: int, name: str) -> bytes:
    """A nested ZIP's bytes, kept while its members are read one after another."""
    with zipfile.ZipFile(archive) as zf:
        return zf.read(name)


def member_at(archive: Path, inner_path: str) -> ArchiveMember:
    """The member a record names (`_archive`, `_member`), to read its bytes again, e.g. to
    serve that one file: the path is split after a nested ZIP (`bijlagen.zip/x.pdf`)."""
    parts = inner_path.split("/")
    for i, part in enumerate(parts[:-1]):
        if PurePosixPath(part).suffix.lower() in ARCHIVE_SUFFIXES:
            return ArchiveMember(archive, ("/".join(parts[: i + 1]), "/".join(parts[i + 1 :])))
    return ArchiveMember(archive, (inner_path,))


def listing(archive: Path) -> set[str]:
    """Inner paths of every file a ZIP on disk would yield; empty when it cannot be read."""
    try:
        members, _ = expand(archive)
    except (UnsafeArchiveError, zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return set()
    return {m.inner_path for m in members}


def sidecar_metadata_of(sidecars: list[tuple[str, bytes]]) -> dict[str, MetadataValue]:
    """Merged metadata of sidecar files, later ones winning (see `ArchiveMember.sidecars`)."""
    from ingest.metadata import parse_sidecar

    meta: dict[str, MetadataValue] = {}
    for where, data in sidecars:
        meta.update(parse_sidecar(data, where))
    return meta
