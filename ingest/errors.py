"""Errors raised while reading a source file. Each message says what happened and what to do."""

from __future__ import annotations


class InkoopError(Exception):
    """The product's base error: every package's own errors derive from it, so the CLI and the
    apps map one type to an exit code and a message (`assistant.ui.cli`)."""

    exit_code = 1  # of `inkoop`: 1 a failure, 2 a usage error (what was asked cannot be done)


class IngestError(InkoopError):
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
