"""`inkoop bench --load`: many chat sessions at once against the app's `ask` API.

Each session is its own `gradio_client.Client` in its own thread, as separate browsers would
be; all start together and ask their questions one after another. Every reply is checked
against the answer contract of `inkoop ask --json`; a reply that is not well-formed counts as
an error, like a failed request. Latency is measured at the client, queueing included.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.measure.bench import DEFAULT_QUESTIONS
from assistant.measure.stats import percentile_or_nan
from ingest.errors import InkoopError

log = logging.getLogger(__name__)

CITATION_FIELDS = {"source": str, "title": str, "page": int, "section": str, "quote": str}


class LoadTestError(InkoopError, RuntimeError):
    """The app to load could not be started or reached."""


@dataclass(frozen=True)
class RequestResult:
    session: int
    question: str
    seconds: float
    error: str = ""  # empty: a well-formed answer came back
    answer: dict[str, Any] | None = None


@dataclass(frozen=True)
class LoadReport:
    sessions: int
    results: tuple[RequestResult, ...]
    seconds: float  # wall time from the common start to the last reply

    @property
    def requests(self) -> int:
        return len(self.results)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error)

    def latency(self, q: float) -> float:
        """The q-th percentile (0-100) of the successful requests' latencies, in seconds."""
        return percentile_or_nan([r.seconds for r in self.results if not r.error], q)

    @property
    def throughput(self) -> float:
        """Successful requests per second of wall time."""
        return (self.requests - self.errors) / self.seconds if self.seconds > 0 else 0.0

    def error_messages(self, limit: int = 5) -> list[str]:
        return list(dict.fromkeys(r.error for r in self.results if r.error))[:limit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(self.latency(50) * 1000, 1),
            "p95_ms": round(self.latency(95) * 1000, 1),
            "max_ms": round(self.latency(100) * 1000, 1),
            "throughput_rps": round(self.throughput, 2),
            "seconds": round(self.seconds, 3),
            "error_messages": self.error_messages(),
        }

    def table(self) -> str:
        d = self.to_dict()
        rows = [
            ("sessions x requests", f"{self.sessions} x {self.requests // max(1, self.sessions)}"),
            ("errors", f"{d['errors']} of {d['requests']}"),
            ("latency p50", f"{d['p50_ms']:.0f} ms"),
            ("latency p95", f"{d['p95_ms']:.0f} ms"),
            ("latency max", f"{d['max_ms']:.0f} ms"),
            ("throughput", f"{d['throughput_rps']:.2f} requests/s"),
            ("wall time", f"{d['seconds']:.1f} s"),
        ]
        lines = [f"{label:<22}{value}" for label, value in rows]
        lines += [f"  error: {message}" for message in d["error_messages"]]
        return "\n".join(lines)


def check_answer(payload: object) -> str:
    """What is wrong with a reply of the `ask` API ('' when it keeps the answer contract)."""
    if not isinstance(payload, dict):
        return f"not a JSON object: {type(payload).__name__}"
    if not isinstance(payload.get("question"), str):
        return "no question"
    if not isinstance(payload.get("answer"), str) or not payload["answer"].strip():
        return "no answer text"
    if not isinstance(payload.get("refused"), bool):
        return "no refused flag"
    citations = payload.get("citations")
    if not isinstance(citations, list) or (payload["refused"] and citations):
        return "citations missing, or given with a refusal"
    for c in citations:
        if not isinstance(c, dict):
            return "a citation is not an object"
        for name, kind in CITATION_FIELDS.items():
            if not isinstance(c.get(name), kind):
                return f"a citation has no {name}"
        if not c["quote"].strip():
            return "a citation has an empty quote"
    return ""


def _client(url: str) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


def _session(
    url: str, number: int, questions: Sequence[str], start: threading.Barrier
) -> list[RequestResult]:
    """One chat session: its own client, its questions one after another."""
    try:
        client = _client(url)
    except Exception as exc:
        start.wait()
        error = f"could not connect: {type(exc).__name__}: {exc}"[:300]
        return [RequestResult(number, q, 0.0, error) for q in questions]
    results = []
    try:
        start.wait()
        for question in questions:
            t0 = time.perf_counter()
            try:
                payload = client.predict(question, api_name="/ask")
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
                results.append(RequestResult(number, question, time.perf_counter() - t0, error))
                continue
            seconds = time.perf_counter() - t0
            problem = check_answer(payload)
            results.append(RequestResult(number, question, seconds, problem, payload))
    finally:
        with contextlib.suppress(Exception):
            client.close()
    return results


def run_load(
    url: str,
    sessions: int = 20,
    requests_per_session: int = 5,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    warmup: bool = True,
) -> LoadReport:
    """`sessions` clients at once, each asking `requests_per_session` questions in turn.

    Session i asks questions i*n, i*n+1, … (cycling), so the sessions ask different things.
    With `warmup` one question is asked first, unmeasured: a model that loads on first use
    is start-up, not latency.
    """
    if sessions < 1 or requests_per_session < 1 or not questions:
        raise ValueError("need at least one session, one request and one question")
    if warmup:
        _session(url, -1, questions[:1], threading.Barrier(1))
    plans = [
        [
            questions[(s * requests_per_session + j) % len(questions)]
            for j in range(requests_per_session)
        ]
        for s in range(sessions)
    ]
    start = threading.Barrier(sessions + 1, timeout=300)  # a session that cannot start
    with ThreadPoolExecutor(max_workers=sessions, thread_name_prefix="session") as pool:
        futures = [pool.submit(_session, url, s, plan, start) for s, plan in enumerate(plans)]
        start.wait()
        t0 = time.perf_counter()
        results = [r for f in futures for r in f.result()]
    return LoadReport(sessions, tuple(results), time.perf_counter() - t0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, seconds: float, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def local_server(data_dir: Path, startup_seconds: float = 300) -> Iterator[str]:
    """`inkoop serve` on the data dir, in a child process on a free loopback port; yields its
    URL and stops it afterwards. A child, so the load's client threads do not share its GIL."""
    port = free_port()
    command = [sys.executable, "-m", "assistant.ui.cli", "serve", "--data-dir", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            if not _wait_for_port(port, startup_seconds, proc):
                errors.seek(0)
                tail = errors.read()[-1500:].decode("utf-8", errors="replace").strip()
                raise LoadTestError(
                    f"`inkoop serve` did not start on port {port} (exit code {proc.poll()}): "
                    f"{tail or 'no output'}"
                )
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
