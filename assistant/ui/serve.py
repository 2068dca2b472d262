"""`inkoop serve`: the provider app, and the staff page beside it in the same process.

The serving process is the index's one writer: its `DocumentManager` ingests what staff
upload (documents tab) and what `inkoop ingest` hands over through the loopback admin
endpoint (`ui.admin`), in the background, while both apps keep answering.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.documents.writer import DocumentManager
from assistant.prompts import STAFF_LOGIN
from assistant.ui.admin import AdminServer
from assistant.ui.clients import from_client
from assistant.ui.provider import build_app
from assistant.ui.render import launch_options
from assistant.ui.staff_launch import staff_auth, staff_page

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)

UPLOAD_CACHE = "gradio-tmp"  # DATA_DIR/gradio-tmp: Gradio's upload folder while serving


def own_upload_folder(data_dir: Path) -> Path | None:
    """Give Gradio an upload folder of our own (DATA_DIR/gradio-tmp), emptied now and at the
    end, so nothing anyone uploaded outlives the server; None when GRADIO_TEMP_DIR is set
    (that folder is someone else's to clean)."""
    if os.environ.get("GRADIO_TEMP_DIR"):
        return None
    folder = (data_dir / UPLOAD_CACHE).resolve()
    empty_folder(folder)
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    return folder


def empty_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """SIGTERM (a service manager's stop, `kill`) ends the server as Ctrl-C (SIGINT) does,
    through its cleanup; Python's default for SIGTERM ends the process without it. Only the
    main thread can take signals: elsewhere (a test) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        log.warning("stopping on signal %d", signum)
        raise KeyboardInterrupt

    before = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    staff_port: int | None = None,
    staff_host: str = "127.0.0.1",
    staff_password: str | None = None,
) -> None:
    """Serve the chat until interrupted; documents are served by id, to who may read them.

    With `staff_port` the staff page (NvI workbench, documents tab) runs beside it in the same
    process, on its own address, behind `staff_password` (required unless it binds to
    loopback)."""
    from assistant.nvi.store import NviStore
    from assistant.nvi.workbench import Workbench, store_path

    data_dir = assistant.settings.data_dir
    auth = staff_auth(staff_host, staff_password) if staff_port is not None else None
    cache = own_upload_folder(data_dir)
    store = NviStore(store_path(data_dir))
    manager = DocumentManager(assistant)
    admin = None if assistant.settings.chroma_url else AdminServer(manager, data_dir).start()
    app = build_app(assistant, inbox=from_client(store.add_candidate))
    options = launch_options(assistant, host=host, inbox=store.add_candidate)  # + /api/ask
    staff = None
    try:
        with stopped_by_signals():
            if staff_port is None:
                app.launch(server_name=host, server_port=port, **options)
                return
            bench = Workbench(store, lambda: assistant)
            staff, staff_options = staff_page(bench, data_dir, assistant, manager, host=staff_host)
            app.launch(server_name=host, server_port=port, prevent_thread_lock=True, **options)
            staff.launch(
                server_name=staff_host,
                server_port=staff_port,
                auth=auth,
                auth_message=STAFF_LOGIN,
                prevent_thread_lock=True,
                **staff_options,
            )
            log.warning("staff page on http://%s:%d/", staff_host, staff_port)
            staff.block_thread()
    finally:  # also after SIGTERM: no admin.json with a dead token, no upload left behind
        app.close()
        if staff is not None:
            staff.close()
        if admin is not None:
            admin.stop()
        manager.close()
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
