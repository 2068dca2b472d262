"""The staff page's Gradio layout: the NvI workbench tab, the documents tab (`staff_documents_tab`)
and the chat and council tabs as staff; `StaffPage` does the work, `staff_launch` starts it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# At module level, not in the builder: Gradio finds gr.Request / gr.SelectData parameters
# by resolving the handlers' annotations in this module's globals.
import gradio as gr

from assistant.documents.writer import DocumentError
from assistant.nvi.models import NviError
from assistant.prompts import STAFF_ERROR, STAFF_INTRO, STAFF_PICK, STAFF_TITLE
from assistant.ui.staff import (
    CSS,
    REVIEW_STATUSES,
    TABLE_HEADERS,
    UPLOAD_TYPES,
    Row,
    StaffPage,
)
from assistant.ui.staff_documents import DocumentsPage
from assistant.ui.staff_documents_tab import add_documents_tab
from assistant.ui.widgets import add_question_tabs
from index.filters import MEDEWERKER

if TYPE_CHECKING:
    from assistant.service import Assistant


log = logging.getLogger(__name__)


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
        gr.Markdown(f"# {STAFF_TITLE}\n{STAFF_INTRO}")
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
                    with gr.Row():
                        dismiss_ids = gr.Textbox(
                            label="Id's afwijzen (onzin, geen vraag voor de nota)",
                            placeholder="5, 6, 7",
                        )
                        dismiss = gr.Button("Afwijzen")
                        dismiss_all = gr.Button("Hele inbox afwijzen", variant="stop")
                        dismiss_sure = gr.Checkbox(label="Ja, de hele inbox", value=False)

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

        def on_dismiss_all(sure: bool, w: str) -> str:
            if not sure:
                raise NviError("Vink eerst aan dat u de hele inbox afwijst.")
            return page.dismiss("", w, everything=True)

        dismiss.click(guard(page.dismiss, ""), [dismiss_ids, who], [message]).then(
            guard(on_refresh, (gr.update(), [], [])), [project], [project, table, inbox]
        )
        dismiss_all.click(guard(on_dismiss_all, ""), [dismiss_sure, who], [message]).then(
            guard(on_refresh, (gr.update(), [], [])), [project], [project, table, inbox]
        )
    app.queue(default_concurrency_limit=2, max_size=50)
    return app
