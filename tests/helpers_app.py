"""Run the Gradio apps (provider chat, staff page) on a free loopback port for a test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers_net import free_port

from assistant.service import Assistant
from assistant.ui.provider import build_app
from assistant.ui.render import launch_options

if TYPE_CHECKING:
    from assistant.nvi.workbench import Workbench

HOST = "127.0.0.1"  # where test apps listen, and the host they are bound to


@contextlib.contextmanager
def serving(app: Any, **options: Any) -> Iterator[str]:
    """A Gradio app launched in the background on a free loopback port; yields its base URL
    and closes it afterwards."""
    port = free_port()
    app.launch(server_name=HOST, server_port=port, prevent_thread_lock=True, quiet=True, **options)
    try:
        yield f"http://{HOST}:{port}/"
    finally:
        app.close()


def running_app(assistant: Assistant) -> contextlib.AbstractContextManager[str]:
    """The provider app served in the background."""
    return serving(build_app(assistant), **launch_options(assistant, host=HOST))


def running_staff_page(
    bench: Workbench, data_dir: Path, assistant: Assistant | None, password: str
) -> contextlib.AbstractContextManager[str]:
    """The staff page served in the background behind Gradio's login (any name, `password`),
    as `inkoop serve --staff-port` serves it."""
    from assistant.ui.staff_launch import staff_auth, staff_page  # imports gradio

    app, options = staff_page(bench, data_dir, assistant, host=HOST)
    return serving(app, auth=staff_auth(HOST, password), **options)
