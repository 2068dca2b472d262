"""The inbox: provider questions the chat refused, counted, for staff to take into an NvI."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.nvi.models import ImportedQuestion, NviError, normalise
from assistant.nvi.projects import Projects
from assistant.nvi.records import Added, Candidate, Project, candidate_from_row
from assistant.nvi.schema import Database, now

_WS = re.compile(r"\s+")


class Inbox:
    def __init__(self, db: Database, projects: Projects) -> None:
        self.db = db
        self._projects = projects  # where taken questions go

    def add_candidate(self, question: str) -> None:
        """Record a question the chat refused; the same question again only counts up."""
        text = _WS.sub(" ", question).strip()[:2000]
        if len(text) < 8:
            return
        stamp = now()
        with self.db.write() as db:
            db.execute(
                "INSERT INTO inbox (question, norm, first_at, last_at) VALUES (?,?,?,?)"
                " ON CONFLICT(norm) DO UPDATE SET asked = asked + 1, last_at = excluded.last_at",
                (text, normalise(text), stamp, stamp),
            )

    def candidates(self, include_taken: bool = False) -> list[Candidate]:
        sql = "SELECT * FROM inbox" + ("" if include_taken else " WHERE taken_into = ''")
        with self.db.connect() as db:
            rows = db.execute(sql + " ORDER BY asked DESC, last_at DESC").fetchall()
        return [candidate_from_row(r) for r in rows]

    def take_candidates(self, project: Project, ids: Sequence[int], who: str) -> Added:
        """Move inbox questions into a project as questions asked through the chat."""
        chosen = [c for c in self.candidates(include_taken=True) if c.id in set(ids)]
        missing = sorted(set(ids) - {c.id for c in chosen})
        if missing:
            raise NviError(f"Onbekend in de inbox: {', '.join(map(str, missing))}.")
        added = self._projects.add_questions(
            project,
            [ImportedQuestion(row=c.id, text=c.question) for c in chosen],
            origin="chat",
        )
        with self.db.write() as db:
            db.executemany(
                "UPDATE inbox SET taken_into = ? WHERE id = ?",
                [(project.name, c.id) for c in chosen],
            )
        return added
