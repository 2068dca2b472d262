"""Shapes shared by the NvI workbench modules; no I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ingest.errors import InkoopError

# The life of an answer: nieuw (no draft yet) -> concept -> gecontroleerd -> definitief.
NIEUW = "nieuw"
CONCEPT = "concept"
GECONTROLEERD = "gecontroleerd"
DEFINITIEF = "definitief"
STATUSES = (NIEUW, CONCEPT, GECONTROLEERD, DEFINITIEF)

# Flags a draft or a review can raise; shown to staff, never exported.
BELEIDSVRAAG = "beleidsvraag — handmatig beantwoorden"


def vragen(n: int) -> str:
    """Counts in messages: "1 vraag", "3 vragen"."""
    return f"{n} vraag" if n == 1 else f"{n} vragen"


def short(text: str, n: int = 90) -> str:
    """The text on one line, cut to `n` characters with an ellipsis (lists and tables)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


_WS = re.compile(r"\s+")
_KEYS = re.compile(r"\s*\[\d{1,3}\]")


_WORD = re.compile(r"\w+")


def question_key(text: str) -> str:
    """The form a question is compared in (a refused one counted in the NvI inbox, two
    imported ones found the same): its words, case-folded; case, spacing and punctuation
    variants are one question."""
    return " ".join(_WORD.findall(text.casefold()))


def normalise(text: str) -> str:
    """The form two questions are compared in for "asked before": case, spaces, keys ignored."""
    return _WS.sub(" ", _KEYS.sub("", text)).strip().casefold()


class NviError(InkoopError, ValueError):
    """A problem a staff member can fix; the message is Dutch and says what to do.

    An `InkoopError` like every product error; still a `ValueError` for callers that catch
    bad input as such."""


@dataclass(frozen=True)
class ImportedQuestion:
    """One question row as read from a file, before it has a number in a project."""

    row: int  # 1-based row/line in the file (header included), for messages
    text: str  # the question itself (vraag)
    nr: str = ""  # the number in the file, as written ('' when none)
    document: str = ""  # which tender document it is about
    location: str = ""  # paragraaf/pagina/artikel as written
    provider: str = ""  # who asked; stored, never exported
    answer: str = ""  # an answer column already in the file (an earlier NvI)


@dataclass(frozen=True)
class ImportProblem:
    row: int  # 0 for the file as a whole
    message: str  # Dutch


@dataclass(frozen=True)
class ImportResult:
    questions: tuple[ImportedQuestion, ...]
    problems: tuple[ImportProblem, ...] = ()  # rows skipped, with why
    columns: dict[str, str] = field(default_factory=dict)  # field -> header it came from
    empty_rows: int = 0
    notes: tuple[str, ...] = ()  # e.g. "gelezen als Windows-1252"


@dataclass(frozen=True)
class ExportRow:
    """One question of the exported note; the text is already anonymised."""

    nr: int
    document: str
    location: str
    question: str
    answer: str
    sources: tuple[str, ...] = ()  # "Titel, p. 12, § 2.7" per citation key, in key order
    status: str = DEFINITIEF


@dataclass(frozen=True)
class ExportMeta:
    name: str  # the tender / project name
    date: str  # ISO date of the export
    deadline: str = ""
    documents: str = ""  # the tender documents the note is about

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "date": self.date,
            "deadline": self.deadline,
            "documents": self.documents,
        }
