"""Errors of the index: it cannot be opened, was built otherwise, or another process has it."""

from __future__ import annotations

from index.manifest import IndexManifest
from ingest.errors import InkoopError


class IndexError_(InkoopError):
    """The index cannot be opened or written."""


class IndexMismatchError(IndexError_):
    """The index was built with another embedder or chunking than configured."""

    def __init__(self, message: str, found: IndexManifest | None = None) -> None:
        super().__init__(message)
        self.found = found  # what the index was built with: lets `--rebuild` open and empty it


class DataDirBusyError(IndexError_):
    """Another process is using the embedded data dir."""
