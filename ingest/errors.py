"""Errors raised while reading a source file. Each message says what happened and what to do."""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be ingested; the batch goes on without it."""

    reason = "error"


class UnsupportedFormatError(IngestError):
    reason = "unsupported"


class EmptyFileError(IngestError):
    reason = "empty"


class EncryptedFileError(IngestError):
    reason = "encrypted"


class NoTextLayerError(IngestError):
    reason = "no-text"


class CorruptFileError(IngestError):
    reason = "corrupt"
