"""The staff page: the NvI workbench in Gradio, separate from the provider chat.

It is served on its own port (`inkoop serve --staff-port`), behind a password when one is
configured; see `assistant.app.serve`. The handlers are plain methods of `StaffPage`, so they
are tested without a browser; `build_staff_app` only wires them to components. All text Dutch.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# At module level, not in the builder: Gradio finds gr.Request / gr.SelectData parameters
# by resolving the handlers' annotations in this module's globals.
import gradio as gr

from assistant.app import add_question_tabs, servable_files
from assistant.nvi.importer import parse_columns
from assistant.nvi.models import STATUSES, NviError, short, vragen
from assistant.nvi.review import warnings
from assistant.nvi.store import Group
from assistant.nvi.workbench import (
    Review,
    Workbench,
    cluster_summary,
    export_name,
    source_label,
)
from index.filters import MEDEWERKER

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)

TITLE = "Inkoopassistent — medewerkers"
UPLOAD_TYPES = (".csv", ".xlsx", ".docx")
MAX_UPLOAD = "5mb"  # Gradio refuses larger uploads before they reach a handler
ERROR = "Er ging iets mis; de fout is gelogd. Probeer het opnieuw."
REVIEW_STATUSES = STATUSES  # nieuw = still to be answered
TABLE_HEADERS = ["Nr.", "Status", "Vraag", "Antwoord", "Let op"]
PICK = "Kies een NvI-project (of maak er een) en laad een vraag."
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
            f"<li>{_e(source_label(p))}<br>{_e(p.get('text'))}</li>" for p in g.passages
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


def build_staff_app(page: StaffPage, assistant: Assistant | None = None) -> gr.Blocks:
    """The workbench tab, and with `assistant` the chat and council tabs as staff: they also
    read `intern` documents."""

    def guard(fn: Callable[..., Any], fallback: Any) -> Callable[..., Any]:
        """Dutch messages for what staff can fix; a logged generic one for anything else."""

        @functools.wraps(fn)  # keeps the signature Gradio reads special parameters from
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except NviError as exc:
                gr.Warning(str(exc))
            except Exception:
                log.exception("staff page: %s failed", getattr(fn, "__name__", fn))
                gr.Warning(ERROR)
            return fallback() if callable(fallback) else fallback

        return run

    def user_name(request: gr.Request | None) -> str:
        return (getattr(request, "username", None) or "") if request else ""

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(
            f"# {TITLE}\n"
            "De NvI-werkbank: importeer de vragen van aanbieders, groepeer dubbele vragen, laat "
            "concepten met bronnen opstellen, controleer ze en exporteer de nota van "
            "inlichtingen. Concepten gebruiken alleen openbare documenten."
        )
        with gr.Tabs():
            with gr.Tab("NvI-werkbank", id="nvi"):
                with gr.Row():
                    project = gr.Dropdown(page.project_names(), label="NvI-project", scale=3)
                    who = gr.Textbox(label="Uw naam", placeholder="voor de geschiedenis", scale=2)
                    refresh = gr.Button("Vernieuwen", scale=1)
                with gr.Accordion("Nieuw project", open=False):
                    with gr.Row():
                        new_name = gr.Textbox(label="Naam")
                        new_docs = gr.Textbox(
                            label="Aanbestedingsdocumenten", placeholder="bijv. *Inkoopbeleid*GGZ*"
                        )
                        new_deadline = gr.Textbox(label="Uiterste datum", placeholder="2026-01-15")
                    create = gr.Button("Project aanmaken")
                with gr.Accordion("Vragen importeren", open=False):
                    upload = gr.File(
                        label="Vragenbestand", file_types=list(UPLOAD_TYPES), type="filepath"
                    )
                    columns = gr.Textbox(
                        label="Kolommen (optioneel)",
                        placeholder="vraag=Question; nr=No; paragraaf=Ref",
                    )
                    do_import = gr.Button("Importeren")
                with gr.Row():
                    do_cluster = gr.Button("Dubbele vragen groeperen")
                    do_draft = gr.Button("Concepten opstellen", variant="primary")
                message = gr.Markdown(elem_id="nvi-melding")
                table = gr.Dataframe(
                    headers=TABLE_HEADERS,
                    value=[],
                    interactive=False,
                    wrap=True,
                    column_widths=["7%", "11%", "34%", "30%", "18%"],
                    label="Vragen en antwoorden (klik een rij om te openen)",
                    elem_id="nvi-tabel",
                )
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        with gr.Row():
                            nr = gr.Number(label="Vraagnummer", value=None, precision=0)
                            load = gr.Button("Openen")
                        answer = gr.Textbox(label="Antwoord", lines=8, elem_id="nvi-antwoord")
                        status = gr.Radio(list(REVIEW_STATUSES), value=None, label="Status")
                        version = gr.State(None)
                        with gr.Row():
                            save = gr.Button("Opslaan", variant="primary")
                            split = gr.Button("Losmaken uit groep")
                        line = gr.Markdown()
                        with gr.Row():
                            merge_nrs = gr.Textbox(
                                label="Samenvoegen met vragen", placeholder="3, 7"
                            )
                            merge = gr.Button("Samenvoegen")
                    with gr.Column(scale=2):
                        overview = gr.HTML(
                            f"<p>{PICK}</p>", css_template=CSS, elem_id="nvi-overzicht"
                        )
                with gr.Accordion("Exporteren", open=False):
                    with gr.Row():
                        fmt = gr.Radio(["docx", "md", "csv"], value="docx", label="Formaat")
                        include_all = gr.Checkbox(
                            label="Ook antwoorden die nog niet definitief zijn"
                        )
                        do_export = gr.Button("Exporteren")
                    download = gr.File(label="Nota van inlichtingen", interactive=False)
                with gr.Accordion("Inbox: vragen uit de chat zonder antwoord", open=False):
                    inbox = gr.Dataframe(
                        headers=["Id", "Gesteld", "Laatst", "Vraag"],
                        value=page.inbox,
                        interactive=False,
                    )
                    with gr.Row():
                        take_ids = gr.Textbox(
                            label="Id's overnemen in het project", placeholder="4, 9"
                        )
                        take = gr.Button("Overnemen")

            if assistant is not None:
                add_question_tabs(assistant, MEDEWERKER, suffix=" (intern)")

        def fill_name(current: str, request: gr.Request) -> str:
            return current or user_name(request)

        def on_refresh(p: str) -> tuple[Any, list[Row], list[Row]]:
            return gr.update(choices=page.project_names()), page.table(p), page.inbox()

        def on_create(n: str, d: str, dl: str) -> tuple[str, Any]:
            text, names = page.create(n, d, dl)
            return text, gr.update(choices=names, value=n.strip())

        def on_draft(p: str, progress: gr.Progress = gr.Progress()) -> tuple[str, list[Row]]:  # noqa: B008
            text = page.draft(p, lambda i, n: progress((i, n), desc="Concepten"))
            return text, page.table(p)

        def on_select(p: str, evt: gr.SelectData) -> Any:
            # the clicked row as shown: its first cell is "3" or "3, 7" (a group)
            first = int(str(evt.row_value[0]).split(",")[0])
            return (first, *page.load(p, first)[:4])

        def on_save(
            p: str, n: Any, a: str, s: str, w: str, v: Any
        ) -> tuple[str, Any, list[Row], str]:
            text, new_version = page.save(p, n, a, s, w, v)
            return text, new_version, page.table(p), page.load(p, n)[0]

        app.load(fill_name, inputs=[who], outputs=[who], queue=False)
        # The projects as they are now, not when the page was built, and the table of the
        # preselected one (a `change` never fires for a value that is already shown).
        app.load(guard(on_refresh, (gr.update(), [], [])), [project], [project, table, inbox])
        refresh.click(guard(on_refresh, (gr.update(), [], [])), [project], [project, table, inbox])
        project.change(guard(page.table, []), [project], [table])
        create.click(
            guard(on_create, ("", gr.update())),
            [new_name, new_docs, new_deadline],
            [message, project],
        )
        do_import.click(guard(page.import_file, ""), [project, upload, columns], [message]).then(
            guard(page.table, []), [project], [table]
        )
        do_cluster.click(guard(page.cluster, ""), [project], [message]).then(
            guard(page.table, []), [project], [table]
        )
        do_draft.click(guard(on_draft, ("", gr.update())), [project], [message, table])
        editor = [overview, answer, status, version, line]
        load.click(
            guard(lambda p, n: page.load(p, n), tuple(gr.update() for _ in editor)),
            [project, nr],
            editor,
        )
        table.select(
            guard(on_select, tuple(gr.update() for _ in range(5))),
            [project],
            [nr, overview, answer, status, version],
        )
        save.click(
            guard(on_save, ("", gr.update(), gr.update(), gr.update())),
            [project, nr, answer, status, who, version],
            [line, version, table, overview],
        )
        merge.click(guard(page.merge, ""), [project, merge_nrs, who], [message]).then(
            guard(page.table, []), [project], [table]
        )
        split.click(guard(page.split, ""), [project, nr, who], [message]).then(
            guard(page.table, []), [project], [table]
        )
        do_export.click(
            guard(page.export, (None, "")), [project, fmt, include_all], [download, message]
        )
        take.click(guard(page.take, ""), [project, take_ids, who], [message]).then(
            guard(on_refresh, (gr.update(), [], [])), [project], [project, table, inbox]
        )
    app.queue(default_concurrency_limit=2, max_size=50)
    return app


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class StaffAccessError(ValueError):
    """The staff page would be reachable from the network without a password."""


def staff_auth(host: str, password: str | None) -> Callable[[str, str], bool] | None:
    """Gradio's login check for the staff page: any name (it goes into the history) with the
    configured password. Without a password the page may only listen on loopback."""
    if not password:
        if host not in LOOPBACK:
            raise StaffAccessError(
                f"the staff page would listen on {host} without a password: set "
                "INKOOP_STAFF_PASSWORD, or bind it to 127.0.0.1 (INKOOP_STAFF_HOST)"
            )
        return None
    import secrets

    def check(username: str, given: str) -> bool:
        return bool(username.strip()) and secrets.compare_digest(given.encode(), password.encode())

    return check


def staff_page(
    bench: Workbench, data_dir: Path, assistant: Assistant | None = None
) -> tuple[gr.Blocks, dict[str, Any]]:
    """The staff app and its launch options: it serves its exports and, with `assistant`,
    the indexed documents staff may read (intern ones too: the page is behind its login)."""
    export_dir = data_dir / "nvi" / "exports"
    export_dir.mkdir(parents=True, exist_ok=True)
    clean_exports(export_dir)
    app = build_staff_app(StaffPage(bench, export_dir), assistant)
    documents = (
        [str(p) for p in servable_files(assistant, MEDEWERKER).values()] if assistant else []
    )
    return app, {
        "allowed_paths": [str(export_dir.resolve()), *documents],
        "max_file_size": MAX_UPLOAD,
        "share": False,
        "show_error": False,
    }
