"""What a workbench step reports: an import, a drafting run, one group under review, a
regrouping — for the CLI (`--json`) and the staff page alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.nvi.models import ImportResult, vragen
from assistant.nvi.records import Added, Event, Group


@dataclass(frozen=True)
class Imported:
    result: ImportResult
    added: Added

    def lines(self, file_name: str) -> list[str]:
        """What the import did, a line each (each problem names its row)."""
        nrs = self.added.nrs
        first = f"{vragen(len(nrs))} geïmporteerd uit {file_name}"
        if len(nrs) == 1:
            first += f" (nummer {nrs[0]})"
        elif nrs:
            first += f" (nummers {nrs[0]}–{nrs[-1]})"
        lines = [first + "."]
        if self.added.duplicates:
            rows = ", ".join(map(str, self.added.duplicates))
            lines.append(f"{len(self.added.duplicates)} stonden er al in (rijen {rows}).")
        if self.result.empty_rows:
            lines.append(f"{self.result.empty_rows} lege rijen overgeslagen.")
        return lines + [p.message for p in self.result.problems] + list(self.result.notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": list(self.added.nrs),
            "already_present_rows": list(self.added.duplicates),
            "problems": [{"row": p.row, "message": p.message} for p in self.result.problems],
            "empty_rows": self.result.empty_rows,
            "columns": self.result.columns,
            "notes": list(self.result.notes),
        }


@dataclass(frozen=True)
class Drafted:
    answered: tuple[int, ...] = ()  # group numbers with a cited draft
    policy: tuple[int, ...] = ()  # beleidsvragen: no answer in the documents
    kept: tuple[int, ...] = ()  # reviewed or hand-written answers left alone

    def summary(self) -> str:
        return (
            f"{len(self.answered)} met een concept met bronnen, {len(self.policy)} zonder "
            f"antwoord in de stukken (beleidsvraag — handmatig beantwoorden), {len(self.kept)} "
            "met een bestaand antwoord ongemoeid gelaten."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "answered": list(self.answered),
            "beleidsvragen": list(self.policy),
            "kept": list(self.kept),
        }


@dataclass(frozen=True)
class Review:
    group: Group
    warnings: tuple[str, ...]
    history: tuple[Event, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.group.to_dict(),
            "warnings": list(self.warnings),
            "history": [e.to_dict() for e in self.history],
        }


def cluster_summary(moved: int, groups: int, reset: Sequence[int]) -> str:
    """What `cluster` did, in one sentence (plus which reviewed answers it reopened)."""
    text = f"{vragen(moved)} bij een gelijke vraag gezet; {groups} te beantwoorden groepen."
    if reset:
        listed = ", ".join(map(str, reset))
        text += f" Let op: het antwoord op vraag {listed} is terug naar concept."
    return text
