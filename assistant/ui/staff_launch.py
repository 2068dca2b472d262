"""How the staff page starts: its login (any name, the configured password; without one it
may only listen on loopback) and its launch options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.documents.writer import DocumentManager
from assistant.nvi.workbench import Workbench
from assistant.ui.hosts import LOOPBACK
from assistant.ui.staff import StaffPage, clean_exports
from assistant.ui.staff_app import build_staff_app
from assistant.ui.staff_documents import DocumentsPage
from index.filters import MEDEWERKER
from ingest.errors import InkoopError

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant
    from assistant.ui.login import LoginBackoff

# Documents staff upload (a 50-page scan, a tender ZIP) are larger than a questions file,
# whose 5 MB limit `StaffPage.import_file` checks.
MAX_UPLOAD = "200mb"


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
    *,
    host: str,
    backoff: LoginBackoff | None = None,
) -> tuple[gr.Blocks, dict[str, Any]]:
    """The staff app and its launch options, for binding to `host`: it serves its exports and,
    with `assistant`, the documents tab and the indexed documents by id (intern ones too: the
    page is behind its login). `manager` is the serving process's one index writer (made here
    when not given); `backoff` counts failed logins (`ui.login`; a fresh one when not given)."""
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
        "app_kwargs": staff_app_kwargs(assistant, MEDEWERKER, host, backoff),
    }
