"""What the workbench store hands out: projects, questions, answer groups, history events,
inbox candidates and import counts, each read from one SQLite row (or a few)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from assistant.nvi.models import NIEUW


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    documents: str  # glob over document sources/titles; '' = all openbaar documents
    deadline: str
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "documents": self.documents,
            "deadline": self.deadline,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class Question:
    nr: int
    text: str
    group_id: int
    document: str = ""
    location: str = ""
    provider: str = ""
    origin: str = ""
    external_nr: str = ""
    pinned: bool = False

    def to_dict(self, with_provider: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "nr": self.nr,
            "text": self.text,
            "document": self.document,
            "location": self.location,
            "origin": self.origin,
            "external_nr": self.external_nr,
        }
        if with_provider:
            out["provider"] = self.provider
        return out


@dataclass(frozen=True)
class Group:
    """The questions answered together, and their one answer."""

    id: int
    questions: tuple[Question, ...]
    answer: str = ""
    citations: tuple[dict[str, Any], ...] = ()
    passages: tuple[dict[str, Any], ...] = ()  # what the draft looked at (incl. refusals)
    earlier: tuple[dict[str, Any], ...] = ()  # similar questions answered in earlier NvIs
    flags: tuple[str, ...] = ()
    drafted_by: str = ""
    status: str = NIEUW
    updated_by: str = ""
    updated_at: str = ""
    version: int = 1

    @property
    def nr(self) -> int:
        """The group is known by its first question's number."""
        return self.questions[0].nr

    @property
    def nrs(self) -> tuple[int, ...]:
        return tuple(q.nr for q in self.questions)

    @property
    def lead(self) -> Question:
        return self.questions[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nr": self.nr,
            "nrs": list(self.nrs),
            "status": self.status,
            "answer": self.answer,
            "citations": list(self.citations),
            "passages": list(self.passages),
            "earlier": list(self.earlier),
            "flags": list(self.flags),
            "drafted_by": self.drafted_by,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at,
            "version": self.version,
            "questions": [q.to_dict() for q in self.questions],
        }


@dataclass(frozen=True)
class Event:
    at: str
    who: str
    action: str
    status: str
    answer: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "who": self.who,
            "action": self.action,
            "status": self.status,
            "answer": self.answer,
        }


@dataclass(frozen=True)
class Candidate:
    """A provider question the chat could not answer: material for the next NvI."""

    id: int
    question: str
    asked: int
    first_at: str
    last_at: str
    taken_into: str = ""
    dismissed_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "asked": self.asked,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "taken_into": self.taken_into,
            "dismissed_at": self.dismissed_at,
        }


@dataclass(frozen=True)
class Added:
    """What an import did: the numbers given, and what was already there."""

    nrs: tuple[int, ...]
    duplicates: tuple[int, ...] = ()  # rows (file row numbers) already in the project


def project_from_row(r: sqlite3.Row) -> Project:
    return Project(r["id"], r["name"], r["documents"], r["deadline"], r["created_at"])


def question_from_row(r: sqlite3.Row) -> Question:
    return Question(
        nr=r["nr"],
        text=r["text"],
        group_id=r["group_id"],
        document=r["document"],
        location=r["location"],
        provider=r["provider"],
        origin=r["origin"],
        external_nr=r["external_nr"],
        pinned=bool(r["pinned"]),
    )


def group_from_row(r: sqlite3.Row, questions: list[Question]) -> Group:
    return Group(
        id=r["id"],
        questions=tuple(questions),
        answer=r["answer"],
        citations=tuple(json.loads(r["citations"])),
        passages=tuple(json.loads(r["passages"])),
        earlier=tuple(json.loads(r["earlier"])),
        flags=tuple(json.loads(r["flags"])),
        drafted_by=r["drafted_by"],
        status=r["status"],
        updated_by=r["updated_by"],
        updated_at=r["updated_at"],
        version=r["version"],
    )


def event_from_row(r: sqlite3.Row) -> Event:
    return Event(r["at"], r["who"], r["action"], r["status"], r["answer"])


def candidate_from_row(r: sqlite3.Row) -> Candidate:
    return Candidate(
        r["id"],
        r["question"],
        r["asked"],
        r["first_at"],
        r["last_at"],
        r["taken_into"],
        r["dismissed_at"],
    )
