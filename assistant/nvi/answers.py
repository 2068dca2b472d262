"""An answer group's text and status: drafts by the machine, review steps by staff, and the
version that keeps two editors from overwriting each other.

An answer carries a version: a save that names the version it started from fails with
`ConflictError` when someone else saved in between, instead of silently overwriting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from assistant.nvi import history
from assistant.nvi.groups import check_status, group_of, need_name
from assistant.nvi.models import CONCEPT, DEFINITIEF, GECONTROLEERD, NIEUW, NviError
from assistant.nvi.records import Event, Group, Project
from assistant.nvi.schema import Database, now
from assistant.verify.citations import CITATION_KEY

# Who wrote a concept when no person did; such concepts may be redrafted.
MACHINE_DRAFTERS = ("", "extractief", "generatief")



class ConflictError(NviError):
    """Someone else saved this answer after you loaded it."""


class Answers:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        with self.db.write() as db:
            g = group_of(db, project, nr)
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
            history.log(db, project.id, g.id, drafted_by, what, status, answer)
            return group_of(db, project, nr)

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
        who = need_name(who)
        if status is not None:
            check_status(status)
        with self.db.write() as db:
            g = group_of(db, project, nr)
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
                named = {int(k) for k in CITATION_KEY.findall(text)}
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
            history.log(db, project.id, g.id, who, what, new_status, text)
            return group_of(db, project, nr)

    def history(self, project: Project, nr: int) -> list[Event]:
        """What happened to the answer of question `nr`'s group, oldest first."""
        with self.db.connect() as db:
            return history.events(db, group_of(db, project, nr).id)
