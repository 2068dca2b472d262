"""The staff page's "Documenten" tab: its components and how they call `DocumentsPage`
(`staff_documents`, tested without a browser)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# At module level, not in the builder: Gradio finds gr.Request / gr.SelectData parameters
# by resolving the handlers' annotations in this module's globals.
import gradio as gr

from assistant.prompts import DOCUMENTS_INTRO
from assistant.ui.staff_documents import (
    ALL_VISIBILITIES,
    DOCUMENT_HEADERS,
    LOG_HEADERS,
    SORTS,
    DocumentsPage,
)


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
        with gr.Accordion("Nota van inlichtingen koppelen", open=False):
            gr.Markdown(
                "Hoort de gekozen nota van inlichtingen of rectificatie bij een document dat "
                "de tekst niet zelf noemt? Koppel haar hier (zoals `inkoop relate`)."
            )
            with gr.Row():
                relate_to = gr.Textbox(
                    label="Hoort bij document", placeholder="bestandsnaam, bijv. Inkoopdocument.md"
                )
                relate_paragraphs = gr.Textbox(label="Paragrafen (leeg: wat de nota noemt)")
                relate_amends = gr.Checkbox(label="Wijzigt de tekst (vervangt)")
            with gr.Row():
                relate = gr.Button("Koppelen")
                unrelate = gr.Button("Koppeling verwijderen")
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

    def on_relate(
        doc_id: str, to: str, paras: str, amends: bool, n: str, o: str, s: str, request: gr.Request
    ) -> tuple[str, list[Any], list[Any]]:
        text = docs.relate(doc_id, to or "", paras, amends, who_of(request))
        return text, docs.table(n, o, s), docs.log_rows()

    def on_unrelate(
        doc_id: str, n: str, o: str, s: str, request: gr.Request
    ) -> tuple[str, list[Any], list[Any]]:
        text = docs.relate(doc_id, None, "", False, who_of(request))
        return text, docs.table(n, o, s), docs.log_rows()

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
    relate.click(
        guard(on_relate, ("", keep, keep)),
        [chosen, relate_to, relate_paragraphs, relate_amends, *view],
        [action, table, log_table],
        concurrency_id="documenten",
    )
    unrelate.click(
        guard(on_unrelate, ("", keep, keep)),
        [chosen, *view],
        [action, table, log_table],
        concurrency_id="documenten",
    )
