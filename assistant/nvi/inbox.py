"""The inbox: provider questions the chat refused, counted, for staff to take into an NvI."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from assistant.nvi.models import ImportedQuestion, NviError, normalise
from assistant.nvi.projects import Projects
from assistant.nvi.records import Added, Candidate, Project, candidate_from_row
from assistant.nvi.schema import Database, now
from assistant.question import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")

# An anonymous client must not be able to fill the staff's inbox: at most this many new
# questions per window, and this many waiting in all. A question already there only counts
# up (as before), whatever the limits.
NEW_PER_WINDOW = 30
WINDOW_SECONDS = 600
MAX_WAITING = 500


class Inbox:
    def __init__(
        self,
        db: Database,
        projects: Projects,
        per_window: int = NEW_PER_WINDOW,
        window_seconds: int = WINDOW_SECONDS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self.db = db
        self._projects = projects  # where taken questions go
        self.per_window = per_window
        self.window_seconds = window_seconds
        self.max_waiting = max_waiting

    def add_candidate(self, question: str) -> None:
        """Record a question the chat refused (`record`)."""
        self.record(question)

    def record(self, question: str) -> bool:
        """Record a question the chat refused; the same question again only counts up. A new
        question over the limits (per window, waiting in all) is left out: False."""
        text = _WS.sub(" ", question).strip()[:MAX_QUESTION_CHARS]
        if len(text) < 8:
            return False
        stamp = now()
        norm = normalise(text)
        since = (datetime.now().astimezone() - timedelta(seconds=self.window_seconds)).isoformat(
            timespec="seconds"
        )
        with self.db.write() as db:
            if db.execute("SELECT 1 FROM inbox WHERE norm = ?", (norm,)).fetchone():
                db.execute(
                    "UPDATE inbox SET asked = asked + 1, last_at = ? WHERE norm = ?", (stamp, norm)
                )
                return True
            recent = db.execute(
                "SELECT COUNT(*) FROM inbox WHERE first_at >= ?", (since,)
            ).fetchone()[0]
            waiting = db.execute("SELECT COUNT(*) FROM inbox WHERE taken_into = ''").fetchone()[0]
            if recent >= self.per_window or waiting >= self.max_waiting:
                log.warning(
                    "NvI inbox full (%d new in %d s, %d waiting): a refused question is not kept",
                    recent,
                    self.window_seconds,
                    waiting,
                )
                return False
            db.execute(
                "INSERT INTO inbox (question, norm, first_at, last_at) VALUES (?,?,?,?)",
                (text, norm, stamp, stamp),
            )
        return True

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
