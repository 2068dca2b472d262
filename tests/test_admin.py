"""The admin endpoint survives clients that connect and send nothing: every read gives up
after its timeout and only a few connections are served at once (issue 23, finding 8)."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers_net import wait_for

from assistant.ui.admin import AdminServer

CAP = 4
HALF_OPEN = 50


class NoJobs:
    """The one part of a DocumentManager the endpoint reads here: no job is known."""

    def job(self, job_id: str) -> None:
        return None


def handler_threads() -> int:
    return sum(t.name.endswith("(process_request_thread)") for t in threading.enumerate())


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[AdminServer]:
    manager: Any = NoJobs()
    server = AdminServer(manager, tmp_path, timeout=1.0, max_connections=CAP).start()
    try:
        yield server
    finally:
        server.stop()


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (it reads as the end of the stream)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:  # closed with the request unread
        return True


def test_half_open_connections_are_bounded_and_released(admin: AdminServer) -> None:
    before = handler_threads()
    port = int(admin.url.rsplit(":", 1)[1])
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(HALF_OPEN)]
    try:
        for sock in socks:  # the start of a request, never finished
            sock.sendall(b"GET /jobs/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        # Before: each held a thread for good (50 connections: 20 -> 70 threads). Now those
        # past the cap are closed at once, unread, and never more than CAP are served.
        open_ = set(socks)
        threads = 0
        while open_:
            assert admin.connections <= CAP
            threads = max(threads, handler_threads() - before)
            open_ -= {s for s in open_ if closed_by_server(s)}
        assert threads <= CAP
        # ... and the CAP that were served are let go by the timeout, not by the client:
        # every socket above is still open on this side.
        wait_for(lambda: admin.connections == 0, "connections released")
        wait_for(lambda: handler_threads() <= before, "threads released")
    finally:
        for sock in socks:
            sock.close()
    token = {"Authorization": f"Bearer {admin.token}"}
    answer = httpx.get(f"{admin.url}/jobs/1", headers=token, timeout=5)
    assert answer.status_code == 404 and answer.json() == {"error": "no such job"}
