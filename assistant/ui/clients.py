"""Who sent the request a Gradio event handles, for fairness only (the NvI inbox): the
client's address, known while the event runs and never stored."""

from __future__ import annotations

from collections.abc import Callable

from assistant.ui.chat import Inbox

ClientInbox = Callable[[str, str], None]  # (question, client address)


def current_client() -> str:
    """The address of the client whose Gradio event is running on this thread; "" outside
    one. Behind a reverse proxy on loopback it is the address the proxy forwards (uvicorn
    trusts X-Forwarded-For from 127.0.0.1)."""
    from gradio.context import LocalContext

    request = LocalContext.request.get(None)
    client = getattr(request, "client", None)
    return str(getattr(client, "host", "") or "")


def from_client(inbox: ClientInbox) -> Inbox:
    """The chat's inbox callback, telling `inbox` which client asked."""

    def record(question: str) -> None:
        inbox(question, current_client())

    return record
