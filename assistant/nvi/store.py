"""The workbench's state in SQLite under the data dir: projects, questions, answer groups,
their history and the inbox of refused chat questions.

Every call opens its own connection (safe from Gradio's worker threads and from a CLI beside
the server), writes in one `BEGIN IMMEDIATE` transaction, and WAL keeps readers unblocked. An
answer carries a version: a save that names the version it started from fails with
`ConflictError` when someone else saved in between, instead of silently overwriting.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.nvi.models import (
    CONCEPT,
    DEFINITIEF,
    GECONTROLEERD,
    NIEUW,
    STATUSES,
    ImportedQuestion,
    NviError,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    documents TEXT NOT NULL DEFAULT '',
    deadline TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    answer TEXT NOT NULL DEFAULT '',
    citations TEXT NOT NULL DEFAULT '[]',
    passages TEXT NOT NULL DEFAULT '[]',
    earlier TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]',
    drafted_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'nieuw',
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    nr INTEGER NOT NULL,
    group_id INTEGER NOT NULL REFERENCES groups(id),
    text TEXT NOT NULL,
    document TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT '',
    external_nr TEXT NOT NULL DEFAULT '',
    pinned INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, nr)
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    norm TEXT NOT NULL UNIQUE,
    asked INTEGER NOT NULL DEFAULT 1,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    taken_into TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS questions_group ON questions(group_id);
CREATE INDEX IF NOT EXISTS history_group ON history(group_id);
"""

# Who wrote a concept when no person did; such concepts may be redrafted.
MACHINE_DRAFTERS = ("", "extractief", "generatief")

_WS = re.compile(r"\s+")
_KEYS = re.compile(r"\s*\[\d{1,3}\]")
_KEY_NR = re.compile(r"\[(\d{1,3})\]")


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def normalise(text: str) -> str:
    """The form two questions are compared in for "asked before": case, spaces, keys ignored."""
    return _WS.sub(" ", _KEYS.sub("", text)).strip().casefold()


class ConflictError(NviError):
    """Someone else saved this answer after you loaded it."""


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "asked": self.asked,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "taken_into": self.taken_into,
        }


@dataclass(frozen=True)
class Added:
    """What an import did: the numbers given, and what was already there."""

    nrs: tuple[int, ...]
    duplicates: tuple[int, ...] = ()  # rows (file row numbers) already in the project


class NviStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- projects -----------------------------------------------------------------------

    def create_project(self, name: str, documents: str = "", deadline: str = "") -> Project:
        name = " ".join((name or "").split())  # one line: it is a title in the export
        if not name:
            raise NviError("Geef het NvI-project een naam.")
        with self._write() as db:
            if db.execute("SELECT 1 FROM projects WHERE name_key = ?", (_key(name),)).fetchone():
                raise NviError(f"Er bestaat al een NvI-project '{name}'.")
            db.execute(
                "INSERT INTO projects (name, name_key, documents, deadline, created_at)"
                " VALUES (?,?,?,?,?)",
                (name, _key(name), (documents or "").strip(), (deadline or "").strip(), now()),
            )
        return self.project(name)

    def projects(self) -> list[Project]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM projects ORDER BY created_at, id").fetchall()
        return [_project(r) for r in rows]

    def project(self, name: str) -> Project:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM projects WHERE name_key = ?", (_key(name or ""),)
            ).fetchone()
        if row is None:
            known = ", ".join(p.name for p in self.projects()) or "nog geen"
            raise NviError(
                f"Onbekend NvI-project '{name}'. Bestaande projecten: {known}. "
                "Maak er een met `inkoop nvi new NAAM`."
            )
        return _project(row)

    # -- questions ----------------------------------------------------------------------

    def add_questions(
        self, project: Project, questions: Sequence[ImportedQuestion], origin: str
    ) -> Added:
        """Number new questions after the last one, each in its own group. A question the
        project held before (same text, same provider) is skipped, so a re-import is safe."""
        added: list[int] = []
        duplicates: list[int] = []
        stamp = now()
        with self._write() as db:
            before = {
                (normalise(r["text"]), r["provider"].casefold())
                for r in db.execute(
                    "SELECT text, provider FROM questions WHERE project_id = ?", (project.id,)
                )
            }
            (last,) = db.execute(
                "SELECT COALESCE(MAX(nr), 0) FROM questions WHERE project_id = ?", (project.id,)
            ).fetchone()
            for q in questions:
                # a question already imported earlier is skipped (a re-import is safe); the
                # same question twice in one file is two questions, for `cluster` to group
                if (normalise(q.text), q.provider.strip().casefold()) in before:
                    duplicates.append(q.row)
                    continue
                status, flags = NIEUW, []
                if q.answer.strip():  # an answer in the file (an earlier note): a concept
                    status, flags = CONCEPT, ["antwoord uit het importbestand"]
                cur = db.execute(
                    "INSERT INTO groups (project_id, answer, flags, drafted_by, status,"
                    " updated_by, updated_at) VALUES (?,?,?,?,?,?,?)",
                    (
                        project.id,
                        q.answer.strip(),
                        json.dumps(flags),
                        "import" if flags else "",
                        status,
                        origin,
                        stamp,
                    ),
                )
                last += 1
                db.execute(
                    "INSERT INTO questions (project_id, nr, group_id, text, document, location,"
                    " provider, origin, external_nr, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        project.id,
                        last,
                        cur.lastrowid,
                        q.text.strip(),
                        q.document.strip(),
                        q.location.strip(),
                        q.provider.strip(),
                        origin,
                        q.nr.strip(),
                        stamp,
                    ),
                )
                _log(db, project.id, int(cur.lastrowid or 0), origin, f"vraag {last} toegevoegd")
                added.append(last)
        return Added(tuple(added), tuple(duplicates))

    def questions(self, project: Project) -> list[Question]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM questions WHERE project_id = ? ORDER BY nr", (project.id,)
            ).fetchall()
        return [_question(r) for r in rows]

    def groups(self, project: Project, status: str | None = None) -> list[Group]:
        """Every answer group in question order; `status` narrows to one status."""
        with self._connect() as db:
            return self._groups(db, project, status)

    def _groups(
        self, db: sqlite3.Connection, project: Project, status: str | None = None
    ) -> list[Group]:
        members: dict[int, list[Question]] = {}
        for r in db.execute(
            "SELECT * FROM questions WHERE project_id = ? ORDER BY nr", (project.id,)
        ):
            members.setdefault(r["group_id"], []).append(_question(r))
        rows = db.execute("SELECT * FROM groups WHERE project_id = ?", (project.id,)).fetchall()
        groups = [_group(r, members[r["id"]]) for r in rows if r["id"] in members]
        if status is not None:
            groups = [g for g in groups if g.status == check_status(status)]
        return sorted(groups, key=lambda g: g.nr)

    def group(self, project: Project, nr: int) -> Group:
        """The group that question `nr` belongs to."""
        with self._connect() as db:
            return self._group_of(db, project, nr)

    def _group_of(self, db: sqlite3.Connection, project: Project, nr: int) -> Group:
        row = db.execute(
            "SELECT group_id FROM questions WHERE project_id = ? AND nr = ?", (project.id, nr)
        ).fetchone()
        if row is None:
            raise NviError(f"Vraag {nr} bestaat niet in '{project.name}'.")
        group_id = row["group_id"]  # that group only, not the whole project
        members = db.execute(
            "SELECT * FROM questions WHERE group_id = ? ORDER BY nr", (group_id,)
        ).fetchall()
        found = db.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
        return _group(found, [_question(r) for r in members])

    # -- grouping -----------------------------------------------------------------------

    def merge(self, project: Project, nrs: Sequence[int], who: str) -> Group:
        """Put the questions' groups together. The answer kept is the most advanced one
        (definitief over gecontroleerd over concept), ties to the lowest number; a reviewed
        answer that gains questions goes back to concept, since it was not written for them."""
        who = _need_name(who)
        if len(set(nrs)) < 2:
            raise NviError("Noem ten minste twee vraagnummers om samen te voegen.")
        with self._write() as db:
            groups = {g.id: g for g in (self._group_of(db, project, nr) for nr in nrs)}
            if len(groups) < 2:
                return next(iter(groups.values()))
            keep = max(
                groups.values(),
                key=lambda g: (STATUSES.index(g.status), bool(g.answer), -g.nr),
            )
            status = keep.status
            if status in (GECONTROLEERD, DEFINITIEF):
                status = CONCEPT
            for g in groups.values():
                if g.id != keep.id:
                    db.execute(
                        "UPDATE questions SET group_id = ?, pinned = 1 WHERE group_id = ?",
                        (keep.id, g.id),
                    )
                    db.execute(
                        "UPDATE history SET group_id = ? WHERE group_id = ?", (keep.id, g.id)
                    )
                    db.execute("DELETE FROM groups WHERE id = ?", (g.id,))
                    if g.answer.strip() and g.answer.strip() != keep.answer.strip():
                        # kept in the history, where it can be copied back from
                        _log(
                            db,
                            project.id,
                            keep.id,
                            who,
                            f"antwoord van vraag {g.nr} vervallen bij samenvoegen",
                            g.status,
                            g.answer,
                        )
            db.execute("UPDATE questions SET pinned = 1 WHERE group_id = ?", (keep.id,))
            nrs_text = ", ".join(str(n) for n in sorted(set(nrs)))
            self._touch(db, keep.id, who, status)
            _log(db, project.id, keep.id, who, f"vragen {nrs_text} samengevoegd")
            return self._group_of(db, project, min(nrs))

    def split(self, project: Project, nr: int, who: str) -> Group:
        """Take question `nr` out of its group into a group of its own (no answer yet); the
        clustering will not put it back."""
        who = _need_name(who)
        with self._write() as db:
            old = self._group_of(db, project, nr)
            if len(old.questions) == 1:
                db.execute(
                    "UPDATE questions SET pinned = 1 WHERE project_id = ? AND nr = ?",
                    (project.id, nr),
                )
                return old
            cur = db.execute(
                "INSERT INTO groups (project_id, status, updated_by, updated_at) VALUES (?,?,?,?)",
                (project.id, NIEUW, who, now()),
            )
            new_id = int(cur.lastrowid or 0)
            db.execute(
                "UPDATE questions SET group_id = ?, pinned = 1 WHERE project_id = ? AND nr = ?",
                (new_id, project.id, nr),
            )
            _log(db, project.id, new_id, who, f"vraag {nr} losgemaakt van vraag {old.nr}")
            _log(db, project.id, old.id, who, f"vraag {nr} losgemaakt")
            return self._group_of(db, project, nr)

    def apply_clusters(
        self, project: Project, clusters: Sequence[Sequence[int]]
    ) -> tuple[int, tuple[int, ...]]:
        """Join groups the clustering found to ask the same thing; returns how many questions
        moved, and the groups whose reviewed answer went back to concept because a question
        joined them. Questions staff grouped or split by hand stay where they are, and two
        groups that both have an answer are left for staff to merge."""
        moved = 0
        reset: list[int] = []
        with self._write() as db:
            for cluster in clusters:
                groups: dict[int, Group] = {}
                for nr in cluster:
                    g = self._group_of(db, project, nr)
                    if not any(q.pinned for q in g.questions):
                        groups[g.id] = g
                if len(groups) < 2:
                    continue
                answered = [g for g in groups.values() if g.status != NIEUW]
                if len(answered) > 1:
                    continue
                keep = answered[0] if answered else min(groups.values(), key=lambda g: g.nr)
                for g in groups.values():
                    if g.id == keep.id:
                        continue
                    db.execute(
                        "UPDATE questions SET group_id = ? WHERE group_id = ?", (keep.id, g.id)
                    )
                    db.execute("DELETE FROM groups WHERE id = ?", (g.id,))
                    moved += len(g.questions)
                    nrs = ", ".join(str(q.nr) for q in g.questions)
                    status = CONCEPT if keep.status in (GECONTROLEERD, DEFINITIEF) else None
                    if status and keep.nr not in reset:
                        reset.append(keep.nr)
                    self._touch(db, keep.id, "clustering", status)
                    _log(db, project.id, keep.id, "clustering", f"vraag {nrs} toegevoegd")
        return moved, tuple(reset)

    # -- answers ------------------------------------------------------------------------

    def save_draft(
        self,
        project: Project,
        nr: int,
        answer: str,
        citations: Sequence[dict[str, Any]],
        passages: Sequence[dict[str, Any]],
        earlier: Sequence[dict[str, Any]],
        flags: Sequence[str],
        drafted_by: str,
        redo: bool = False,
    ) -> Group:
        """Store a draft for the group of `nr`. A reviewed answer (gecontroleerd, definitief)
        or a concept a person wrote is never replaced; `redo` replaces machine concepts."""
        with self._write() as db:
            g = self._group_of(db, project, nr)
            by_machine = g.drafted_by in MACHINE_DRAFTERS
            if g.answer.strip() and (
                g.status in (GECONTROLEERD, DEFINITIEF) or not (redo and by_machine)
            ):
                return g
            status = CONCEPT if answer.strip() else NIEUW  # no text: still to be answered
            db.execute(
                "UPDATE groups SET answer = ?, citations = ?, passages = ?, earlier = ?,"
                " flags = ?, drafted_by = ?, status = ?, updated_by = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                (
                    answer,
                    json.dumps(list(citations), ensure_ascii=False),
                    json.dumps(list(passages), ensure_ascii=False),
                    json.dumps(list(earlier), ensure_ascii=False),
                    json.dumps(list(flags), ensure_ascii=False),
                    drafted_by,
                    status,
                    drafted_by,
                    now(),
                    g.id,
                ),
            )
            what = "concept opgesteld" if answer.strip() else "geen antwoord in de stukken"
            _log(db, project.id, g.id, drafted_by, what, status, answer)
            return self._group_of(db, project, nr)

    def set_answer(
        self,
        project: Project,
        nr: int,
        who: str,
        status: str | None = None,
        answer: str | None = None,
        expected_version: int | None = None,
    ) -> Group:
        """A review step on the group of `nr`: new text and/or status, by `who`.

        With `expected_version` (what the editor loaded) a save after someone else's fails.
        Changing the text of a reviewed answer without naming a status sends it back to
        concept; definitief needs an answer text."""
        who = _need_name(who)
        if status is not None:
            check_status(status)
        with self._write() as db:
            g = self._group_of(db, project, nr)
            if expected_version is not None and g.version != expected_version:
                raise ConflictError(
                    f"Vraag {g.nr} is intussen gewijzigd door {g.updated_by or 'iemand anders'} "
                    f"({g.updated_at}). Laad het antwoord opnieuw en breng uw wijziging "
                    "opnieuw aan."
                )
            text = g.answer if answer is None else answer.strip()
            changed = answer is not None and text != g.answer
            new_status = status or g.status
            if status is None and changed:
                new_status = CONCEPT
            if new_status == NIEUW and text:
                new_status = CONCEPT
            if not text:  # without a text an answer can only be still to do
                if new_status in (GECONTROLEERD, DEFINITIEF):
                    raise NviError(
                        f"Vraag {g.nr} heeft nog geen antwoord; schrijf eerst een antwoord."
                    )
                new_status = NIEUW
            if not changed and new_status == g.status:
                return g
            citations = g.citations
            if changed:  # a rewritten text keeps only the sources it still names
                named = {int(k) for k in _KEY_NR.findall(text)}
                citations = tuple(c for c in g.citations if int(c.get("key", 0)) in named)
            db.execute(
                "UPDATE groups SET answer = ?, citations = ?, status = ?, drafted_by = ?,"
                " updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                (
                    text,
                    json.dumps(list(citations), ensure_ascii=False),
                    new_status,
                    who if changed else g.drafted_by,
                    who,
                    now(),
                    g.id,
                ),
            )
            what = "antwoord gewijzigd" if changed else f"status {new_status}"
            if changed and new_status != g.status:
                what += f", status {new_status}"
            _log(db, project.id, g.id, who, what, new_status, text)
            return self._group_of(db, project, nr)

    def history(self, project: Project, nr: int) -> list[Event]:
        with self._connect() as db:
            g = self._group_of(db, project, nr)
            rows = db.execute(
                "SELECT * FROM history WHERE group_id = ? ORDER BY id", (g.id,)
            ).fetchall()
        return [Event(r["at"], r["who"], r["action"], r["status"], r["answer"]) for r in rows]

    def _touch(self, db: sqlite3.Connection, group_id: int, who: str, status: str | None) -> None:
        db.execute(
            "UPDATE groups SET status = COALESCE(?, status), updated_by = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            (status, who, now(), group_id),
        )

    # -- inbox --------------------------------------------------------------------------

    def add_candidate(self, question: str) -> None:
        """Record a question the chat refused; the same question again only counts up."""
        text = _WS.sub(" ", question).strip()[:2000]
        if len(text) < 8:
            return
        stamp = now()
        with self._write() as db:
            db.execute(
                "INSERT INTO inbox (question, norm, first_at, last_at) VALUES (?,?,?,?)"
                " ON CONFLICT(norm) DO UPDATE SET asked = asked + 1, last_at = excluded.last_at",
                (text, normalise(text), stamp, stamp),
            )

    def candidates(self, include_taken: bool = False) -> list[Candidate]:
        sql = "SELECT * FROM inbox" + ("" if include_taken else " WHERE taken_into = ''")
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY asked DESC, last_at DESC").fetchall()
        return [
            Candidate(
                r["id"], r["question"], r["asked"], r["first_at"], r["last_at"], r["taken_into"]
            )
            for r in rows
        ]

    def take_candidates(self, project: Project, ids: Sequence[int], who: str) -> Added:
        """Move inbox questions into a project as questions asked through the chat."""
        chosen = [c for c in self.candidates(include_taken=True) if c.id in set(ids)]
        missing = sorted(set(ids) - {c.id for c in chosen})
        if missing:
            raise NviError(f"Onbekend in de inbox: {', '.join(map(str, missing))}.")
        added = self.add_questions(
            project,
            [ImportedQuestion(row=c.id, text=c.question) for c in chosen],
            origin="chat",
        )
        with self._write() as db:
            db.executemany(
                "UPDATE inbox SET taken_into = ? WHERE id = ?",
                [(project.name, c.id) for c in chosen],
            )
        return added


def _key(name: str) -> str:
    """Project names compare without case or spacing, also for "Één" and "één"."""
    return " ".join(name.split()).casefold()


def _need_name(who: str | None) -> str:
    who = (who or "").strip()
    if not who:
        raise NviError("Vul uw naam in: bij elk antwoord staat wie het wanneer wijzigde.")
    return who


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise NviError(f"Onbekende status '{status}'; kies uit {', '.join(STATUSES)}.")
    return status


def _log(
    db: sqlite3.Connection,
    project_id: int,
    group_id: int,
    who: str,
    action: str,
    status: str | None = None,
    answer: str | None = None,
) -> None:
    if status is None or answer is None:
        row = db.execute("SELECT status, answer FROM groups WHERE id = ?", (group_id,)).fetchone()
        status = status if status is not None else (row["status"] if row else NIEUW)
        answer = answer if answer is not None else (row["answer"] if row else "")
    db.execute(
        "INSERT INTO history (project_id, group_id, at, who, action, status, answer)"
        " VALUES (?,?,?,?,?,?,?)",
        (project_id, group_id, now(), who, action, status, answer),
    )


def _project(r: sqlite3.Row) -> Project:
    return Project(r["id"], r["name"], r["documents"], r["deadline"], r["created_at"])


def _question(r: sqlite3.Row) -> Question:
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


def _group(r: sqlite3.Row, questions: list[Question]) -> Group:
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
