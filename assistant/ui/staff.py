"""The staff page: the NvI workbench in Gradio, separate from the provider chat.

It is served on its own port (`inkoop serve --staff-port`), behind a password when one is
configured (`assistant.ui.serve`). The handlers are plain methods of `StaffPage`, so they
are tested without a browser; `staff_app.build_staff_app` only wires them to components.
All text Dutch.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# At module level, not in the builder: Gradio finds gr.Request / gr.SelectData parameters
# by resolving the handlers' annotations in this module's globals.
from assistant.nvi.importer import parse_columns
from assistant.nvi.models import STATUSES, NviError, short, vragen
from assistant.nvi.records import Group
from assistant.nvi.results import Review, cluster_summary
from assistant.nvi.review import warnings
from assistant.nvi.workbench import Workbench, export_name, source_label

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

UPLOAD_TYPES = (".csv", ".xlsx", ".docx")
MAX_QUESTIONS_BYTES = 5 * 1024 * 1024  # a questions file; documents may be larger
REVIEW_STATUSES = STATUSES  # nieuw = still to be answered
TABLE_HEADERS = ["Nr.", "Status", "Vraag", "Antwoord", "Let op"]
CSS = """
.nvi-blok { border-left: 3px solid var(--border-color-primary); padding: 0.3em 0.8em; }
.nvi-blok { margin: 0 0 0.8em 0; }
.nvi-eerder { border-left-color: #b26a00; }
.nvi-let-op { border-left-color: #c62828; }
.nvi-klein { color: var(--body-text-color-subdued); font-size: 0.9em; }
"""

Row = list[Any]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def parse_numbers(text: str) -> list[int]:
    """ "3, 7 en 12" -> [3, 7, 12]; anything else than numbers is an error."""
    found = [int(n) for n in re.findall(r"\d+", text or "")]
    rest = re.sub(r"[\d\s,;]|en|and", "", text or "")
    if rest or not found:
        raise NviError("Typ vraagnummers, bijvoorbeeld: 3, 7, 12.")
    return found


def question_number(value: object) -> int:
    """The question number a field holds (Gradio gives floats, or None when empty)."""
    if value is None or value == "":
        raise NviError("Typ het nummer van een vraag (of klik een rij in de tabel).")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise NviError(f"'{value}' is geen vraagnummer.") from None
    if number != number or number < 1 or number != int(number):  # NaN, 0, 3.7
        raise NviError(f"'{value}' is geen vraagnummer; typ een heel getal, zoals 3.")
    return int(number)


def render_review(review: Review) -> str:
    """The questions, sources, passages, earlier answers, warnings and history of one group."""
    g = review.group
    parts = ['<div class="nvi-blok"><b>Vragen</b><ol>']
    for q in g.questions:
        where = " · ".join(x for x in (q.document, q.location) if x)
        origin = "chat" if q.origin == "chat" else "import"
        parts.append(
            f'<li value="{q.nr}">{_e(q.text)}'
            f'<div class="nvi-klein">{_e(where or "geen vindplaats")} · {origin}</div></li>'
        )
    parts.append("</ol></div>")
    if review.warnings:
        items = "".join(f"<li>{_e(w)}</li>" for w in review.warnings)
        parts.append(f'<div class="nvi-blok nvi-let-op"><b>Let op</b><ul>{items}</ul></div>')
    if g.citations:
        items = "".join(
            f"<li>[{_e(c.get('key'))}] {_e(source_label(c))}<br><i>“{_e(c.get('quote'))}”</i></li>"
            for c in g.citations
        )
        parts.append(f'<div class="nvi-blok"><b>Bronnen van het concept</b><ul>{items}</ul></div>')
    if g.passages:
        items = "".join(
            f"<li>{_e(source_label(p))}<br>{_passage_html(p)}</li>" for p in g.passages
        )
        parts.append(f'<div class="nvi-blok"><b>Gevonden passages</b><ul>{items}</ul></div>')
    if g.earlier:
        items = "".join(f"<li>{_e(source_label(p))}<br>{_e(p.get('text'))}</li>" for p in g.earlier)
        parts.append(
            '<div class="nvi-blok nvi-eerder"><b>Eerder beantwoord (eerdere nota van '
            f"inlichtingen)</b><ul>{items}</ul></div>"
        )
    if review.history:
        items = "".join(
            f"<li>{_e(e.at[:16].replace('T', ' '))} · {_e(e.who)} · {_e(e.action)}</li>"
            for e in review.history[-8:]
        )
        parts.append(f'<div class="nvi-blok nvi-klein"><b>Geschiedenis</b><ul>{items}</ul></div>')
    return "".join(parts)


class StaffPage:
    """The handlers of the staff page. Each returns plain values for the components."""

    def __init__(self, bench: Workbench, export_dir: Path) -> None:
        self.bench = bench
        self.export_dir = export_dir

    def project_names(self) -> list[str]:
        return [p.name for p in self.bench.store.projects()]

    def create(self, name: str, documents: str, deadline: str) -> tuple[str, list[str]]:
        project = self.bench.new(name or "", documents or "", deadline or "")
        return f"Project '{project.name}' aangemaakt.", self.project_names()

    def import_file(self, project: str, upload: str | None, columns: str) -> str:
        if not project:
            raise NviError("Kies eerst een NvI-project.")
        if not upload:
            raise NviError("Kies een bestand met vragen (CSV, XLSX of DOCX).")
        path = Path(upload)
        if path.suffix.lower() not in UPLOAD_TYPES:
            raise NviError("Alleen CSV-, XLSX- en DOCX-bestanden kunnen worden geïmporteerd.")
        if path.stat().st_size > MAX_QUESTIONS_BYTES:
            raise NviError("Een vragenbestand mag hoogstens 5 MB zijn.")
        specs = [part for part in re.split(r"[;\n]", columns or "") if part.strip()]
        done = self.bench.import_file(project, path, parse_columns(specs) or None)
        return "\n\n".join(_e(line) for line in done.lines(path.name))

    def cluster(self, project: str) -> str:
        return cluster_summary(*self.bench.cluster(self._need(project)))

    def draft(self, project: str, progress: Callable[[int, int], None] | None = None) -> str:
        return self.bench.draft(self._need(project), progress=progress).summary()

    def table(self, project: str) -> list[Row]:
        """One row per group: numbers, status, first question, answer, and warnings (without
        re-checking citations against the index, which `load` does for the open answer)."""
        if not project:
            return []
        rows = []
        for g in self.bench.groups(project):
            found = warnings(
                g.answer, g.status, [q.text for q in g.questions], g.citations, g.flags
            )
            rows.append(
                [
                    ", ".join(map(str, g.nrs)),
                    g.status,
                    short(g.lead.text),
                    short(g.answer) or "—",
                    "; ".join(short(w, 40) for w in found),
                ]
            )
        return rows

    def load(self, project: str, nr: int | float | None) -> tuple[str, str, str, int, str]:
        """The editor for the group of question `nr`: overview, answer, status, version."""
        review = self.bench.review(self._need(project), question_number(nr))
        g = review.group
        return render_review(review), g.answer, g.status, g.version, self._line(g)

    def save(
        self,
        project: str,
        nr: int | float | None,
        answer: str,
        status: str,
        who: str,
        version: int | None,
    ) -> tuple[str, int]:
        number = question_number(nr)
        g = self.bench.set(self._need(project), number, who or "", status, answer or "", version)
        return f"Opgeslagen: {self._line(g)}", g.version

    def merge(self, project: str, numbers: str, who: str) -> str:
        g = self.bench.merge(self._need(project), parse_numbers(numbers), who or "")
        return f"Samen beantwoord: vragen {', '.join(map(str, g.nrs))}."

    def split(self, project: str, nr: int | float | None, who: str) -> str:
        number = question_number(nr)
        self.bench.split(self._need(project), number, who or "")
        return f"Vraag {number} wordt apart beantwoord."

    def export(self, project: str, fmt: str, include_all: bool) -> tuple[str, str]:
        """Write the note to a fresh file under the export folder; (download path, message)."""
        name = self._need(project)
        if not fmt:
            raise NviError("Kies een formaat: docx, md of csv.")
        folder = self.export_dir / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path, count = self.bench.export(name, fmt, folder / export_name(name, fmt), include_all)
        return str(path), f"{vragen(count)} geëxporteerd ({fmt})."

    def inbox(self) -> list[Row]:
        return [[c.id, c.asked, c.last_at[:10], c.question] for c in self.bench.store.candidates()]

    def take(self, project: str, ids: str, who: str) -> str:
        store = self.bench.store
        added = store.take_candidates(store.project(self._need(project)), parse_numbers(ids), who)
        return f"{vragen(len(added.nrs))} uit de inbox toegevoegd aan het project."

    def dismiss(self, ids: str, who: str, everything: bool = False) -> str:
        """Dismiss inbox questions as junk: the ids typed, or with `everything` all waiting."""
        chosen = None if everything else parse_numbers(ids)
        count = self.bench.store.dismiss_candidates(chosen, who)
        return f"{vragen(count)} uit de inbox afgewezen."

    def _need(self, project: str) -> str:
        if not project:
            raise NviError("Kies eerst een NvI-project.")
        return project

    @staticmethod
    def _line(g: Group) -> str:
        who = f", {g.updated_by} {g.updated_at[:16].replace('T', ' ')}" if g.updated_by else ""
        return f"vraag {', '.join(map(str, g.nrs))}: {g.status} (versie {g.version}{who})"


def clean_exports(folder: Path, keep: int = 20) -> None:
    """Keep the export folder small: only the newest `keep` exports stay."""
    if not folder.is_dir():
        return
    runs = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name)
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _passage_html(p: Mapping[str, Any]) -> str:
    """A passage beside a draft: its marked sentence when it has one (where the answer most
    likely stands), else its first words."""
    if p.get("highlight"):
        return f"<mark>{_e(p.get('highlight'))}</mark>"
    return _e(p.get("text"))
