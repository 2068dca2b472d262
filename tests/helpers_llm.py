"""A stub chat server on loopback: OpenAI-compatible /v1/chat/completions and Ollama /api/chat,
whole or streamed (server-sent events, NDJSON), and able to stall or break off mid-stream."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CANNED = "De nieuwe contracten voor ambulante jeugdhulp gaan in op 1 januari 2026 [1]."

Reply = str | Callable[[dict[str, Any]], str]  # a fixed reply, or one made from the request


def pieces(text: str) -> list[str]:
    """A reply in the pieces a model streams: words with their following space."""
    return re.findall(r"\S+\s*", text)


class StubServer:
    """Replies with `reply` after `delay` seconds; streamed replies come in `pieces`.

    `stall_after=n`: a stream stops for `stall` seconds after n pieces (a timeout mid-stream);
    `cut_after=n`: it closes the connection after n pieces without finishing.
    """

    def __init__(
        self,
        reply: Reply = CANNED,
        delay: float = 0.0,
        stall_after: int | None = None,
        stall: float = 2.0,
        cut_after: int | None = None,
    ) -> None:
        self.reply = reply
        self.delay = delay
        self.stall_after = stall_after
        self.stall = stall
        self.cut_after = cut_after
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append((self.path, body, dict(self.headers)))
                if stub.delay:
                    threading.Event().wait(stub.delay)
                if self.path not in ("/v1/chat/completions", "/api/chat"):
                    self.send_error(404)
                    return
                text = stub.reply(body) if callable(stub.reply) else stub.reply
                try:
                    if body.get("stream"):
                        self._stream(text)
                    else:
                        self._whole(text)
                except OSError:  # the client gave up (timeout tests)
                    pass

            def _whole(self, text: str) -> None:
                message = {"role": "assistant", "content": text}
                payload: dict[str, Any] = (
                    {"message": message}
                    if self.path == "/api/chat"
                    else {
                        "id": "stub",
                        "object": "chat.completion",
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    }
                )
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                ollama = self.path == "/api/chat"
                self.send_response(200)
                kind = "application/x-ndjson" if ollama else "text/event-stream"
                self.send_header("Content-Type", kind)
                self.end_headers()  # no length: the body ends when the connection closes
                for n, piece in enumerate(pieces(text)):
                    if n == stub.cut_after:
                        return
                    if n == stub.stall_after:
                        threading.Event().wait(stub.stall)
                    self._event(ollama, {"role": "assistant", "content": piece}, done=False)
                self._event(ollama, {"role": "assistant", "content": ""}, done=True)
                if not ollama:
                    self.wfile.write(b"data: [DONE]\n\n")

            def _event(self, ollama: bool, message: dict[str, str], done: bool) -> None:
                if ollama:
                    line = json.dumps({"message": message, "done": done}) + "\n"
                else:
                    choice = {
                        "index": 0,
                        "delta": {"content": message["content"]},
                        "finish_reason": "stop" if done else None,
                    }
                    line = f"data: {json.dumps({'choices': [choice]})}\n\n"
                self.wfile.write(line.encode())
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
