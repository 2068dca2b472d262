"""Run the Gradio app on a free loopback port for a test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from helpers_net import free_port

from assistant.app import build_app, launch_options
from assistant.service import Assistant


@contextlib.contextmanager
def running_app(assistant: Assistant) -> Iterator[str]:
    """The app served in the background; yields its base URL and closes it afterwards."""
    app = build_app(assistant)
    port = free_port()
    app.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(assistant),
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
