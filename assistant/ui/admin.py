"""The loopback admin endpoint: `inkoop ingest` hands its work to a running `inkoop serve`.

An embedded index has one writer, the serving process. While it runs it listens on
127.0.0.1 (a free port) for ingest requests and writes where, with a fresh random token, to
`DATA_DIR/admin.json` (mode 0600: only the user who runs the server, and root, can read it).
`inkoop ingest` finds the data dir locked, reads that file, posts its paths with the token and
waits for the report, which it prints as if it had ingested itself. The server queues the work
on its `DocumentManager`, so it runs after (never beside) staff uploads, and the chat keeps
answering meanwhile.

Each connection has its own thread; a client that connects and then sends nothing (or stops
halfway) would hold it forever. So every read and write on a connection gives up after
`SOCKET_TIMEOUT` seconds, and at most `MAX_CONNECTIONS` are served at once: a connection past
that is closed at once, unread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not imported by `inkoop ingest`'s hand-off, which must be quick
    from assistant.documents.writer import DocumentManager

log = logging.getLogger(__name__)

ADMIN_FILE = "admin.json"
MAX_BODY = 1_000_000
CONNECT_TIMEOUT = 1.0  # a hand-off that cannot reach the server gives up well within 2 s
# The one client is `inkoop ingest` on this machine: its requests are a few hundred bytes, sent
# at once, and it polls one job at a time.
SOCKET_TIMEOUT = 5.0
MAX_CONNECTIONS = 8


class _BoundedServer(ThreadingHTTPServer):
    """A threading HTTP server that serves at most `max_connections` connections at once."""

    daemon_threads = True
    request_queue_size = 64  # socketserver: 5; a burst of connections waits, not retried

    def __init__(self, address: tuple[str, int], handler: Any, max_connections: int) -> None:
        super().__init__(address, handler)
        self.max_connections = max_connections
        self.connections = 0  # served now, each on its own thread
        self._count = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._count:
            full = self.connections >= self.max_connections
            if not full:
                self.connections += 1
        if full:
            log.warning("admin: %s connections open; one more is closed", self.max_connections)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done()

    def _done(self) -> None:
        with self._count:
            self.connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("admin: connection from %s failed", client_address, exc_info=True)


class AdminServer:
    """The admin endpoint of one serving process (see the module docstring)."""

    def __init__(
        self,
        manager: DocumentManager,
        data_dir: Path,
        timeout: float = SOCKET_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.manager = manager
        self.timeout = timeout
        self.max_connections = max_connections
        self.path = data_dir / ADMIN_FILE
        self.token = secrets.token_urlsafe(32)
        self._server: _BoundedServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def connections(self) -> int:
        """Connections served now (at most `max_connections`)."""
        return self._server.connections if self._server is not None else 0

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> AdminServer:
        admin = self

        class Handler(BaseHTTPRequestHandler):
            timeout = admin.timeout  # per read and write on the connection's socket

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("admin: " + format, *args)

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                given = self.headers.get("Authorization", "")
                ok = secrets.compare_digest(given.encode(), f"Bearer {admin.token}".encode())
                if not ok:
                    self._send(401, {"error": "wrong or missing token"})
                return ok

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                if self.path.startswith("/jobs/"):
                    job = admin.manager.job(self.path.removeprefix("/jobs/"))
                    if job is None:
                        self._send(404, {"error": "no such job"})
                    else:
                        self._send(200, job.to_dict())
                    return
                self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                if self.path != "/ingest":
                    self._send(404, {"error": "not found"})
                    return
                size = int(self.headers.get("Content-Length") or 0)
                if size > MAX_BODY:
                    self._send(413, {"error": "request too large"})
                    return
                from assistant.documents.writer import DocumentError

                try:
                    body = json.loads(self.rfile.read(size) or b"{}")
                    paths = [Path(str(p)) for p in body.get("paths") or []]
                    if not paths or not all(p.is_absolute() for p in paths):
                        raise DocumentError("give absolute paths")
                    job = admin.manager.submit(
                        paths,
                        body.get("visibility"),
                        str(body.get("who") or "cli"),
                        prune=bool(body.get("prune")),
                    )
                except (ValueError, DocumentError) as exc:
                    self._send(400, {"error": str(exc)})
                    return
                self._send(202, {"job": job.id})

        self._server = _BoundedServer(("127.0.0.1", 0), Handler, self.max_connections)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="inkoop-admin", daemon=True
        )
        self._thread.start()
        self._write_file()
        log.info("admin endpoint on %s", self.url)
        return self

    def _write_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{ADMIN_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"url": self.url, "token": self.token, "pid": os.getpid()}, f)
        tmp.replace(self.path)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with contextlib.suppress(OSError, ValueError):
            if json.loads(self.path.read_text(encoding="utf-8")).get("token") == self.token:
                self.path.unlink()


class HandOffError(Exception):
    """The running server took the work but did not finish it."""


def hand_off(
    data_dir: Path,
    paths: list[Path],
    visibility: str | None,
    prune: bool,
    who: str,
    progress: Any = None,
) -> dict[str, Any] | None:
    """Give an ingest to the server that holds `data_dir`; its finished job (with `report`),
    or None when no server can be reached (then the caller reports the lock as before)."""
    try:
        info = json.loads((data_dir / ADMIN_FILE).read_text(encoding="utf-8"))
        base, token = str(info["url"]), str(info["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(
        {
            "paths": [str(p.resolve()) for p in paths],
            "visibility": visibility,
            "prune": prune,
            "who": who,
        }
    ).encode("utf-8")
    try:
        request = urllib.request.Request(f"{base}/ingest", body, headers, method="POST")
        with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT) as resp:
            job_id = str(json.loads(resp.read())["job"])
    except (OSError, ValueError, KeyError) as exc:  # URLError is an OSError
        log.info("no hand-off to %s: %s", base, exc)
        return None
    while True:
        try:
            request = urllib.request.Request(f"{base}/jobs/{job_id}", headers=headers)
            with urllib.request.urlopen(request, timeout=30) as resp:
                job: dict[str, Any] = json.loads(resp.read())
        except (OSError, ValueError) as exc:
            raise HandOffError(
                f"the running server (pid {info.get('pid')}) took the ingest but stopped "
                f"answering ({exc}); check `inkoop documents` after it is back"
            ) from exc
        if progress is not None:
            progress(job)
        if job.get("state") in ("klaar", "mislukt"):
            return job
        time.sleep(0.3)
