"""What an index was built with: embedder, vector size, chunking and schema."""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class IndexManifest:
    """What the index was built with; opening it with something else is an error."""

    embedder: str
    dim: int
    chunking: str
    schema: int = SCHEMA_VERSION
