"""`inkoop serve`: the provider app, and the staff page beside it in the same process."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.prompts import STAFF_LOGIN
from assistant.ui.provider import build_app
from assistant.ui.render import launch_options
from assistant.ui.staff_app import staff_auth, staff_page

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    staff_port: int | None = None,
    staff_host: str = "127.0.0.1",
    staff_password: str | None = None,
) -> None:
    """Serve the chat until interrupted; only the ingested documents are served as files.

    With `staff_port` the staff page (NvI workbench) runs beside it in the same process, on
    its own address, behind `staff_password` (required unless it binds to loopback)."""
    from assistant.nvi.store import NviStore
    from assistant.nvi.workbench import Workbench, store_path

    store = NviStore(store_path(assistant.settings.data_dir))
    app = build_app(assistant, inbox=store.add_candidate)
    if staff_port is None:
        app.launch(server_name=host, server_port=port, **launch_options(assistant))
        return
    auth = staff_auth(staff_host, staff_password)  # before anything listens
    bench = Workbench(store, lambda: assistant)
    staff, options = staff_page(bench, assistant.settings.data_dir, assistant)
    app.launch(
        server_name=host, server_port=port, prevent_thread_lock=True, **launch_options(assistant)
    )
    staff.launch(
        server_name=staff_host,
        server_port=staff_port,
        auth=auth,
        auth_message=STAFF_LOGIN,
        prevent_thread_lock=True,
        **options,
    )
    log.warning("staff page on http://%s:%d/", staff_host, staff_port)
    try:
        staff.block_thread()
    finally:
        app.close()
        staff.close()
