"""The history of an answer group: who did what when, with the status and text it left.

Every change to a group writes one event in the same transaction as the change itself; an
answer dropped by a merge stays here, where staff can copy it back from.
"""

from __future__ import annotations

import sqlite3

from assistant.nvi.models import NIEUW
from assistant.nvi.records import Event, event_from_row
from assistant.nvi.schema import now


def log(
    db: sqlite3.Connection,
    project_id: int,
    group_id: int,
    who: str,
    action: str,
    status: str | None = None,
    answer: str | None = None,
) -> None:
    """Add an event; without `status`/`answer` the group's current ones are written."""
    if status is None or answer is None:
        row = db.execute("SELECT status, answer FROM groups WHERE id = ?", (group_id,)).fetchone()
        status = status if status is not None else (row["status"] if row else NIEUW)
        answer = answer if answer is not None else (row["answer"] if row else "")
    db.execute(
        "INSERT INTO history (project_id, group_id, at, who, action, status, answer)"
        " VALUES (?,?,?,?,?,?,?)",
        (project_id, group_id, now(), who, action, status, answer),
    )


def events(db: sqlite3.Connection, group_id: int) -> list[Event]:
    """A group's events, oldest first."""
    rows = db.execute(
        "SELECT * FROM history WHERE group_id = ? ORDER BY id", (group_id,)
    ).fetchall()
    return [event_from_row(r) for r in rows]
