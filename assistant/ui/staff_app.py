"""The staff page's Gradio layout, its launch options and its login (`StaffPage` does the work)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

# At module level, not in the builder: Gradio finds gr.Request / gr.SelectData parameters
# by resolving the handlers' annotations in this module's globals.
import gradio as gr

from assistant.documents import DocumentError, DocumentManager
from assistant.nvi.models import NviError
from assistant.nvi.workbench import (
    Workbench,
)
from assistant.prompts import DOCUMENTS_INTRO, STAFF_ERROR, STAFF_PICK, STAFF_TITLE
from assistant.ui.staff import (
    CSS,
    REVIEW_STATUSES,
    TABLE_HEADERS,
    UPLOAD_TYPES,
    Row,
    StaffPage,
    clean_exports,
)
from assistant.ui.staff_documents import (
    ALL_VISIBILITIES,
    DOCUMENT_HEADERS,
    LOG_HEADERS,
    SORTS,
    DocumentsPage,
)
from assistant.ui.widgets import add_question_tabs
from index.filters import MEDEWERKER
from ingest.errors import InkoopError

if TYPE_CHECKING:
    from assistant.service import Assistant


log = logging.getLogger(__name__)


# Documents staff upload (a 50-page scan, a tender ZIP) are larger than a questions file,
# whose 5 MB limit `StaffPage.import_file` checks.
MAX_UPLOAD = "200mb"


def build_staff_app(
    page: StaffPage, assistant: Assistant | None = None, documents: DocumentsPage | None = None
) -> gr.Blocks:
    """The workbench tab, with `assistant` the chat and council tabs as staff (they also read
    `intern` documents), and with `documents` the documents tab."""

    def guard(fn: Callable[..., Any], fallback: Any) -> Callable[..., Any]:
        """Dutch messages for what staff can fix; a logged generic one for anything else."""

        @functools.wraps(fn)  # keeps the signature Gradio reads special parameters from
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except (NviError, DocumentError) as exc:
                gr.Warning(str(exc))
            except Exception:
                log.exception("staff page: %s failed", getattr(fn, "__name__", fn))
                gr.Warning(STAFF_ERROR)
            return fallback() if callable(fallback) else fallback

        return run

    def user_name(request: gr.Request | None) -> str:
        return (getattr(request, "username", None) or "") if request else ""

    # delete_cache: uploads and exports leave Gradio's upload folder within the day
    with gr.Blocks(title=STAFF_TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as app:
        gr.Markdown(
            f"# {STAFF_TITLE}\n"
            "De NvI-werkbank: importeer de vragen van aanbieders, groepeer dubbele vragen, laat "
            "concepten met bronnen opstellen, controleer ze en exporteer de nota van "
            "inlichtingen. Concepten gebruiken alleen openbare documenten."
        )
        with gr.Tabs():
            with gr.Tab("NvI-werkbank", id="nvi"):
                with gr.Row():
                    # choices after the login (app.load below): the login page names none
                    project = gr.Dropdown([], label="NvI-project", scale=3)
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
                            f"<p>{STAFF_PICK}</p>", css_template=CSS, elem_id="nvi-overzicht"
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
                        value=[],
                        interactive=False,
                    )
                    with gr.Row():
                        take_ids = gr.Textbox(
                            label="Id's overnemen in het project", placeholder="4, 9"
                        )
                        take = gr.Button("Overnemen")

            if documents is not None:
                add_documents_tab(app, documents, guard, user_name)
            if assistant is not None:
                add_question_tabs(assistant, MEDEWERKER, suffix=" (intern)")

        def fill_name(current: str, request: gr.Request) -> str:
            return current or user_name(request)

        def on_refresh(p: str) -> tuple[Any, list[Row], list[Row]]:
            # the first project is preselected, as a dropdown built with its choices would
            names = page.project_names()
            p = p if p in names else (names[0] if names else "")
            return gr.update(choices=names, value=p or None), page.table(p), page.inbox()

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


def add_documents_tab(
    app: gr.Blocks,
    docs: DocumentsPage,
    guard: Callable[[Callable[..., Any], Any], Callable[..., Any]],
    user_name: Callable[[gr.Request | None], str],
) -> None:
    """The "Documenten" tab, inside the open `gr.Tabs` of the staff page."""
    with gr.Tab("Documenten", id="documenten"):
        gr.Markdown(DOCUMENTS_INTRO)
        with gr.Row(equal_height=False):
            files = gr.File(
                label="Bestanden",
                file_count="multiple",
                file_types=[".pdf", ".docx", ".md", ".txt", ".html", ".zip", ".xlsx", ".csv"],
                type="filepath",
                scale=3,
                elem_id="documenten-bestanden",
            )
            with gr.Column(scale=2):
                visibility = gr.Radio(
                    ["openbaar", "intern"],
                    value=None,
                    label="Wie mag ze lezen?",
                    elem_id="documenten-zichtbaarheid",
                )
                add = gr.Button("Toevoegen", variant="primary")
        report = gr.Markdown(elem_id="documenten-verslag")
        with gr.Row():
            needle = gr.Textbox(label="Zoeken", placeholder="titel, bestand, gemeente", scale=3)
            only = gr.Dropdown(
                [ALL_VISIBILITIES, "openbaar", "intern"], value=ALL_VISIBILITIES, label="Zichtbaar"
            )
            order = gr.Dropdown(list(SORTS), value="Titel", label="Sorteren")
            reload = gr.Button("Vernieuwen")
        table = gr.Dataframe(
            headers=DOCUMENT_HEADERS,
            value=[],
            interactive=False,
            wrap=True,
            label="Documenten in de index (klik een rij om te kiezen)",
            elem_id="documenten-tabel",
        )
        chosen = gr.Textbox(label="Gekozen document (id)", elem_id="documenten-id")
        chosen_line = gr.Markdown()
        with gr.Row():
            new_visibility = gr.Radio(["openbaar", "intern"], value=None, label="Zichtbaarheid")
            change = gr.Button("Zichtbaarheid wijzigen")
            sure = gr.Checkbox(label="Ja, dit document verwijderen")
            remove = gr.Button("Verwijderen", variant="stop")
        action = gr.Markdown(elem_id="documenten-melding")
        with gr.Accordion("Logboek", open=False):
            log_table = gr.Dataframe(headers=LOG_HEADERS, value=[], interactive=False, wrap=True)

    view = [needle, only, order]

    def who_of(request: gr.Request | None) -> str:
        return user_name(request) or "medewerker"

    def on_add(
        given: Any,
        vis: str | None,
        n: str,
        o: str,
        s: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[str, list[Any], Any, list[Any]]:
        def step(job: Any) -> None:
            progress((job.done, max(job.total, 1)), desc="Documenten opnemen")

        text = docs.upload(given, vis, who_of(request), step)
        return text, docs.table(n, o, s), None, docs.log_rows()

    def on_select(n: str, o: str, s: str, evt: gr.SelectData) -> tuple[str, str]:
        doc_id = str(evt.row_value[-1])
        return doc_id, docs.selected(doc_id)

    def on_change(
        doc_id: str, vis: str | None, n: str, o: str, s: str, request: gr.Request
    ) -> tuple[str, list[Any], list[Any], str]:
        text = docs.set_visibility(doc_id, vis, who_of(request))
        return text, docs.table(n, o, s), docs.log_rows(), docs.selected(doc_id)

    def on_remove(
        doc_id: str, ok: bool, n: str, o: str, s: str, request: gr.Request
    ) -> tuple[str, list[Any], list[Any], str, bool, str]:
        text = docs.remove(doc_id, ok, who_of(request))
        return text, docs.table(n, o, s), docs.log_rows(), "", False, ""

    def on_view(n: str, o: str, s: str) -> tuple[list[Any], list[Any]]:
        return docs.table(n, o, s), docs.log_rows()

    keep = gr.update()
    add.click(
        guard(on_add, ("", keep, keep, keep)),
        [files, visibility, *view],
        [report, table, files, log_table],
        concurrency_id="documenten",
        concurrency_limit=1,
    )
    app.load(guard(on_view, (keep, keep)), view, [table, log_table])
    for trigger in (reload.click, needle.submit, only.change, order.change):
        trigger(guard(on_view, (keep, keep)), view, [table, log_table])
    table.select(guard(on_select, (keep, keep)), view, [chosen, chosen_line])
    chosen.submit(guard(docs.selected, ""), [chosen], [chosen_line])
    change.click(
        guard(on_change, ("", keep, keep, keep)),
        [chosen, new_visibility, *view],
        [action, table, log_table, chosen_line],
    )
    remove.click(
        guard(on_remove, ("", keep, keep, keep, keep, keep)),
        [chosen, sure, *view],
        [action, table, log_table, chosen, sure, chosen_line],
    )


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class StaffAccessError(InkoopError, ValueError):
    """The staff page would be reachable from the network without a password."""

    exit_code = 2


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
    bench: Workbench,
    data_dir: Path,
    assistant: Assistant | None = None,
    manager: DocumentManager | None = None,
) -> tuple[gr.Blocks, dict[str, Any]]:
    """The staff app and its launch options: it serves its exports and, with `assistant`,
    the documents tab and the indexed documents by id (intern ones too: the page is behind its
    login). `manager` is the serving process's one index writer (made here when not given)."""
    from assistant.ui.routes import staff_app_kwargs

    export_dir = data_dir / "nvi" / "exports"
    export_dir.mkdir(parents=True, exist_ok=True)
    clean_exports(export_dir)
    if assistant is not None and manager is None:
        manager = DocumentManager(assistant)
    documents = DocumentsPage(manager) if manager is not None else None
    app = build_staff_app(StaffPage(bench, export_dir), assistant, documents)
    return app, {
        "allowed_paths": [str(export_dir.resolve())],
        "max_file_size": MAX_UPLOAD,
        "share": False,
        "show_error": False,
        "enable_monitoring": False,
        "app_kwargs": staff_app_kwargs(assistant, MEDEWERKER),
    }
