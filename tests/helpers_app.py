"""Run the Gradio app on a free loopback port for a test."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

from assistant.app import build_app, launch_options
from assistant.service import Assistant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
