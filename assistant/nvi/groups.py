"""Answer groups: the questions answered together. Reading them, and regrouping by staff
(merge, split) or by the clustering.

A question staff grouped or split by hand is pinned: the clustering leaves it where it is.
Regrouping a reviewed answer sends it back to concept, since it was not written for the new
questions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from assistant.nvi import history
from assistant.nvi.models import CONCEPT, DEFINITIEF, GECONTROLEERD, NIEUW, STATUSES, NviError
from assistant.nvi.records import Group, Project, Question, group_from_row, question_from_row
from assistant.nvi.schema import Database, now


class Groups:
    def __init__(self, db: Database) -> None:
        self.db = db

    def groups(self, project: Project, status: str | None = None) -> list[Group]:
        """Every answer group in question order; `status` narrows to one status."""
        with self.db.connect() as db:
            return groups_of(db, project, status)

    def group(self, project: Project, nr: int) -> Group:
        """The group that question `nr` belongs to."""
        with self.db.connect() as db:
            return group_of(db, project, nr)

    def merge(self, project: Project, nrs: Sequence[int], who: str) -> Group:
        """Put the questions' groups together. The answer kept is the most advanced one
        (definitief over gecontroleerd over concept), ties to the lowest number; a reviewed
        answer that gains questions goes back to concept, since it was not written for them."""
        who = need_name(who)
        if len(set(nrs)) < 2:
            raise NviError("Noem ten minste twee vraagnummers om samen te voegen.")
        with self.db.write() as db:
            groups = {g.id: g for g in (group_of(db, project, nr) for nr in nrs)}
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
                        history.log(
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
            touch(db, keep.id, who, status)
            history.log(db, project.id, keep.id, who, f"vragen {nrs_text} samengevoegd")
            return group_of(db, project, min(nrs))

    def split(self, project: Project, nr: int, who: str) -> Group:
        """Take question `nr` out of its group into a group of its own (no answer yet); the
        clustering will not put it back."""
        who = need_name(who)
        with self.db.write() as db:
            old = group_of(db, project, nr)
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
            history.log(db, project.id, new_id, who, f"vraag {nr} losgemaakt van vraag {old.nr}")
            history.log(db, project.id, old.id, who, f"vraag {nr} losgemaakt")
            return group_of(db, project, nr)

    def apply_clusters(
        self, project: Project, clusters: Sequence[Sequence[int]]
    ) -> tuple[int, tuple[int, ...]]:
        """Join groups the clustering found to ask the same thing; returns how many questions
        moved, and the groups whose reviewed answer went back to concept because a question
        joined them. Questions staff grouped or split by hand stay where they are, and two
        groups that both have an answer are left for staff to merge."""
        moved = 0
        reset: list[int] = []
        with self.db.write() as db:
            for cluster in clusters:
                groups: dict[int, Group] = {}
                for nr in cluster:
                    g = group_of(db, project, nr)
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
                    touch(db, keep.id, "clustering", status)
                    history.log(db, project.id, keep.id, "clustering", f"vraag {nrs} toegevoegd")
        return moved, tuple(reset)


def groups_of(db: sqlite3.Connection, project: Project, status: str | None = None) -> list[Group]:
    members: dict[int, list[Question]] = {}
    for r in db.execute("SELECT * FROM questions WHERE project_id = ? ORDER BY nr", (project.id,)):
        members.setdefault(r["group_id"], []).append(question_from_row(r))
    rows = db.execute("SELECT * FROM groups WHERE project_id = ?", (project.id,)).fetchall()
    groups = [group_from_row(r, members[r["id"]]) for r in rows if r["id"] in members]
    if status is not None:
        groups = [g for g in groups if g.status == check_status(status)]
    return sorted(groups, key=lambda g: g.nr)


def group_of(db: sqlite3.Connection, project: Project, nr: int) -> Group:
    """The group of question `nr`, read by itself (not the whole project)."""
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
    return group_from_row(found, [question_from_row(r) for r in members])


def touch(db: sqlite3.Connection, group_id: int, who: str, status: str | None) -> None:
    """Mark a group changed by `who` (a new version), optionally with a new status."""
    db.execute(
        "UPDATE groups SET status = COALESCE(?, status), updated_by = ?, updated_at = ?,"
        " version = version + 1 WHERE id = ?",
        (status, who, now(), group_id),
    )


def need_name(who: str | None) -> str:
    who = (who or "").strip()
    if not who:
        raise NviError("Vul uw naam in: bij elk antwoord staat wie het wanneer wijzigde.")
    return who


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise NviError(f"Onbekende status '{status}'; kies uit {', '.join(STATUSES)}.")
    return status
