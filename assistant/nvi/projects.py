"""NvI projects and their questions: a project per tender, questions numbered in it.

A new question gets the next number and a group of its own (`groups` joins them later); a
question the project already holds (same text, same provider) is skipped, so a re-import is
safe.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from assistant.nvi import history
from assistant.nvi.models import CONCEPT, NIEUW, ImportedQuestion, NviError, normalise
from assistant.nvi.records import (
    Added,
    Project,
    Question,
    project_from_row,
    question_from_row,
)
from assistant.nvi.schema import Database, now


class Projects:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create_project(self, name: str, documents: str = "", deadline: str = "") -> Project:
        name = " ".join((name or "").split())  # one line: it is a title in the export
        if not name:
            raise NviError("Geef het NvI-project een naam.")
        with self.db.write() as db:
            if db.execute("SELECT 1 FROM projects WHERE name_key = ?", (_key(name),)).fetchone():
                raise NviError(f"Er bestaat al een NvI-project '{name}'.")
            db.execute(
                "INSERT INTO projects (name, name_key, documents, deadline, created_at)"
                " VALUES (?,?,?,?,?)",
                (name, _key(name), (documents or "").strip(), (deadline or "").strip(), now()),
            )
        return self.project(name)

    def projects(self) -> list[Project]:
        with self.db.connect() as db:
            rows = db.execute("SELECT * FROM projects ORDER BY created_at, id").fetchall()
        return [project_from_row(r) for r in rows]

    def project(self, name: str) -> Project:
        with self.db.connect() as db:
            row = db.execute(
                "SELECT * FROM projects WHERE name_key = ?", (_key(name or ""),)
            ).fetchone()
        if row is None:
            known = ", ".join(p.name for p in self.projects()) or "nog geen"
            raise NviError(
                f"Onbekend NvI-project '{name}'. Bestaande projecten: {known}. "
                "Maak er een met `inkoop nvi new NAAM`."
            )
        return project_from_row(row)

    def add_questions(
        self, project: Project, questions: Sequence[ImportedQuestion], origin: str
    ) -> Added:
        """Number new questions after the last one, each in its own group. A question the
        project held before (same text, same provider) is skipped, so a re-import is safe."""
        added: list[int] = []
        duplicates: list[int] = []
        stamp = now()
        with self.db.write() as db:
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
                history.log(
                    db, project.id, int(cur.lastrowid or 0), origin, f"vraag {last} toegevoegd"
                )
                added.append(last)
        return Added(tuple(added), tuple(duplicates))

    def questions(self, project: Project) -> list[Question]:
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT * FROM questions WHERE project_id = ? ORDER BY nr", (project.id,)
            ).fetchall()
        return [question_from_row(r) for r in rows]


def _key(name: str) -> str:
    """Project names compare without case or spacing, also for "Één" and "één"."""
    return " ".join(name.split()).casefold()
