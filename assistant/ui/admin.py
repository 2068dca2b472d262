"""The loopback admin endpoint: `inkoop ingest` hands its work to a running `inkoop serve`.

An embedded index has one writer, the serving process. While it runs it listens on
127.0.0.1 (a free port) for ingest requests and writes where, with a fresh random token, to
`DATA_DIR/admin.json` (mode 0600: only the user who runs the server, and root, can read it).
`inkoop ingest` finds the data dir locked, reads that file, posts its paths with the token and
waits for the report, which it prints as if it had ingested itself. The server queues the work
on its `DocumentManager`, so it runs after (never beside) staff uploads, and the chat keeps
answering meanwhile.
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


class AdminServer:
    """The admin endpoint of one serving process (see the module docstring)."""

    def __init__(self, manager: DocumentManager, data_dir: Path) -> None:
        self.manager = manager
        self.path = data_dir / ADMIN_FILE
        self.token = secrets.token_urlsafe(32)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> AdminServer:
        admin = self

        class Handler(BaseHTTPRequestHandler):
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

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
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
