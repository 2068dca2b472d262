"""The inbox: provider questions the chat refused, counted, for staff to take into an NvI.

Anonymous clients must not be able to crowd it out. The inbox stores text and times only; who
asked is known only in memory while the server runs (the client's address, `ui.clients`), and
used for fairness: one client adds at most `NEW_PER_CLIENT` of the `NEW_PER_WINDOW` new
questions a window allows, and raises a question's `asked` count at most `ASKS_PER_CLIENT`
times. Repeats are recognised by `question_key`, so case, spacing and punctuation variants are
one question. Staff dismiss junk (one by one or all at once); a dismissed question asked again
stays dismissed.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from assistant.nvi.models import ImportedQuestion, NviError, question_key
from assistant.nvi.projects import Projects
from assistant.nvi.records import Added, Candidate, Project, candidate_from_row
from assistant.nvi.schema import Database, now
from assistant.question import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")

# An anonymous client must not be able to fill the staff's inbox: at most this many new
# questions per window, and this many waiting in all. A question already there only counts
# up, whatever the limits (once per client).
NEW_PER_WINDOW = 30
WINDOW_SECONDS = 600
MAX_WAITING = 500
NEW_PER_CLIENT = 5  # of NEW_PER_WINDOW: a flood from one client leaves room for 5 others
ASKS_PER_CLIENT = 1  # how often one client may raise a question's `asked` count
_REMEMBERED_ASKS = 50_000  # (client, question) pairs kept in memory, oldest forgotten first


class Inbox:
    def __init__(
        self,
        db: Database,
        projects: Projects,
        per_window: int = NEW_PER_WINDOW,
        window_seconds: int = WINDOW_SECONDS,
        max_waiting: int = MAX_WAITING,
        per_client: int = NEW_PER_CLIENT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self._projects = projects  # where taken questions go
        self.per_window = per_window
        self.window_seconds = window_seconds
        self.max_waiting = max_waiting
        self.per_client = per_client
        self._clock = clock
        self._new_by_client: dict[str, deque[float]] = {}  # when each client added a question
        self._asks: OrderedDict[tuple[str, str], int] = OrderedDict()

    def add_candidate(self, question: str, client: str = "") -> None:
        """Record a question the chat refused (`record`)."""
        self.record(question, client)

    def record(self, question: str, client: str = "") -> bool:
        """Record a question the chat refused; the same question again only counts up. A new
        question over the limits (per window, per client, waiting in all) is left out: False.
        `client` (an address, never stored) makes it fair; "" is a caller without one (the
        CLI, a test), limited by the totals alone."""
        text = _WS.sub(" ", question).strip()[:MAX_QUESTION_CHARS]
        if len(text) < 8:
            return False
        stamp = now()
        norm = question_key(text)
        since = (datetime.now().astimezone() - timedelta(seconds=self.window_seconds)).isoformat(
            timespec="seconds"
        )
        with self.db.write() as db:
            known = db.execute("SELECT dismissed_at FROM inbox WHERE norm = ?", (norm,)).fetchone()
            if known:
                if known["dismissed_at"] or not self._may_count(client, norm):
                    return False
                db.execute(
                    "UPDATE inbox SET asked = asked + 1, last_at = ? WHERE norm = ?", (stamp, norm)
                )
                return True
            if not self._may_add(client):
                log.warning("NvI inbox: one client sent too many new questions; one is not kept")
                return False
            recent = db.execute(
                "SELECT COUNT(*) FROM inbox WHERE first_at >= ?", (since,)
            ).fetchone()[0]
            waiting = db.execute(
                "SELECT COUNT(*) FROM inbox WHERE taken_into = '' AND dismissed_at = ''"
            ).fetchone()[0]
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
        self._count_new(client, norm)
        return True

    def _may_add(self, client: str) -> bool:
        """Whether `client` has added fewer than `per_client` new questions this window."""
        if not client:
            return True
        times = self._new_by_client.get(client)
        if times is None:
            return True
        cutoff = self._clock() - self.window_seconds
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._new_by_client[client]
        return len(times) < self.per_client

    def _count_new(self, client: str, norm: str) -> None:
        if client:
            self._new_by_client.setdefault(client, deque()).append(self._clock())
            self._may_count(client, norm)  # adding it was this client's first ask

    def _may_count(self, client: str, norm: str) -> bool:
        """Count one ask of `norm` by `client`; False once it has asked `ASKS_PER_CLIENT`
        times (remembered for the last `_REMEMBERED_ASKS` pairs)."""
        if not client:
            return True
        key = (client, norm)
        asked = self._asks.pop(key, 0)
        self._asks[key] = min(asked + 1, ASKS_PER_CLIENT)
        while len(self._asks) > _REMEMBERED_ASKS:
            self._asks.popitem(last=False)
        return asked < ASKS_PER_CLIENT

    def dismiss(self, ids: Sequence[int] | None, who: str) -> int:
        """Dismiss waiting inbox questions: those in `ids`, or all waiting with None. Returns
        how many; a dismissed question asked again stays dismissed."""
        waiting = {c.id for c in self.candidates()}
        if ids is not None:
            missing = sorted(set(ids) - waiting)
            if missing:
                raise NviError(f"Niet (meer) in de inbox: {', '.join(map(str, missing))}.")
            waiting = set(ids)
        with self.db.write() as db:
            db.executemany(
                "UPDATE inbox SET dismissed_at = ?, dismissed_by = ? WHERE id = ?",
                [(now(), who, i) for i in sorted(waiting)],
            )
        log.info("NvI inbox: %s dismissed %d questions", who or "?", len(waiting))
        return len(waiting)

    def candidates(self, include_taken: bool = False) -> list[Candidate]:
        """The questions waiting for staff; with `include_taken` also those taken or dismissed."""
        sql = "SELECT * FROM inbox" + (
            "" if include_taken else " WHERE taken_into = '' AND dismissed_at = ''"
        )
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
