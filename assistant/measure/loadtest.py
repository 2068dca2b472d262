"""`inkoop bench --load`: many chat sessions at once against a served app.

One process, one asyncio loop, one `httpx.AsyncClient`: each session is a coroutine with its
own connection that asks its questions one after another, so the load generator costs little
CPU beside the server (before, a `gradio_client.Client` and a thread per session cost about
as much as the answers). `api` picks what is loaded: `json`, the plain `POST /api/ask`, or
`gradio`, Gradio's `ask` API as its own client uses it (POST the call, then read its event
stream). Every reply is checked against the answer contract of `inkoop ask --json`; a reply
that is not well-formed counts as an error, like a failed request. Latency is measured at the
client, queueing included; beside it the server's own time (`/api/ask`'s `Server-Timing`:
waiting for a thread, answering).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assistant.measure.bench import DEFAULT_QUESTIONS
from assistant.measure.stats import percentile_or_nan
from ingest.errors import InkoopError

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

CITATION_FIELDS = {"source": str, "title": str, "page": int, "section": str, "quote": str}

Api = Literal["json", "gradio"]
APIS: tuple[Api, ...] = ("json", "gradio")
REQUEST_TIMEOUT_S = 120.0


class LoadTestError(InkoopError, RuntimeError):
    """The app to load could not be started or reached."""


@dataclass(frozen=True)
class RequestResult:
    session: int
    question: str
    seconds: float
    error: str = ""  # empty: a well-formed answer came back
    answer: dict[str, Any] | None = None
    server: float | None = None  # the server's time answering it (`Server-Timing`), if told
    waited: float | None = None  # of the client's latency, waiting for an answer thread


@dataclass(frozen=True)
class LoadReport:
    sessions: int
    results: tuple[RequestResult, ...]
    seconds: float  # wall time from the common start to the last reply
    api: Api = "json"

    @property
    def requests(self) -> int:
        return len(self.results)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error)

    def latency(self, q: float) -> float:
        """The q-th percentile (0-100) of the successful requests' latencies, in seconds."""
        return percentile_or_nan([r.seconds for r in self.results if not r.error], q)

    def server_time(self, q: float, waiting: bool = False) -> float:
        """The q-th percentile of the server's own answer time (or of the wait for an answer
        thread), in seconds; NaN when the server does not say (Gradio's API)."""
        told = [r.waited if waiting else r.server for r in self.results if not r.error]
        return percentile_or_nan([t for t in told if t is not None], q)

    @property
    def throughput(self) -> float:
        """Successful requests per second of wall time."""
        return (self.requests - self.errors) / self.seconds if self.seconds > 0 else 0.0

    def error_messages(self, limit: int = 5) -> list[str]:
        return list(dict.fromkeys(r.error for r in self.results if r.error))[:limit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "sessions": self.sessions,
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(self.latency(50) * 1000, 1),
            "p95_ms": round(self.latency(95) * 1000, 1),
            "max_ms": round(self.latency(100) * 1000, 1),
            "server_p50_ms": round(self.server_time(50) * 1000, 1),
            "server_p95_ms": round(self.server_time(95) * 1000, 1),
            "wait_p50_ms": round(self.server_time(50, waiting=True) * 1000, 1),
            "wait_p95_ms": round(self.server_time(95, waiting=True) * 1000, 1),
            "throughput_rps": round(self.throughput, 2),
            "seconds": round(self.seconds, 3),
            "error_messages": self.error_messages(),
        }

    def table(self) -> str:
        d = self.to_dict()
        rows = [
            ("api", "POST /api/ask" if self.api == "json" else "Gradio ask API"),
            ("sessions x requests", f"{self.sessions} x {self.requests // max(1, self.sessions)}"),
            ("errors", f"{d['errors']} of {d['requests']}"),
            ("latency p50", f"{d['p50_ms']:.0f} ms"),
            ("latency p95", f"{d['p95_ms']:.0f} ms"),
            ("latency max", f"{d['max_ms']:.0f} ms"),
            ("server answer p50/95", f"{d['server_p50_ms']:.0f} / {d['server_p95_ms']:.0f} ms"),
            ("server wait p50/95", f"{d['wait_p50_ms']:.0f} / {d['wait_p95_ms']:.0f} ms"),
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


def server_timing(header: str) -> dict[str, float]:
    """`Server-Timing: wait;dur=0.4, answer;dur=21.3` as seconds by name."""
    timings = {}
    for metric in header.split(","):
        name, _, params = metric.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur":
                with contextlib.suppress(ValueError):
                    timings[name.strip()] = float(value) / 1000
    return timings


async def _ask_json(
    client: httpx.AsyncClient, base: str, question: str
) -> tuple[Any, dict[str, float]]:
    response = await client.post(f"{base}api/ask", json={"question": question})
    response.raise_for_status()
    return response.json(), server_timing(response.headers.get("server-timing", ""))


async def _ask_gradio(
    client: httpx.AsyncClient, base: str, question: str
) -> tuple[Any, dict[str, float]]:
    """Gradio's `ask` API as `gradio_client` calls it: POST the call, read its event stream."""
    posted = await client.post(f"{base}gradio_api/call/ask", json={"data": [question]})
    posted.raise_for_status()
    stream = await client.get(f"{base}gradio_api/call/ask/{posted.json()['event_id']}")
    stream.raise_for_status()
    event, data = "", ""
    for line in stream.text.splitlines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
    if event != "complete":
        raise RuntimeError(f"the event stream ended with {event or 'nothing'}: {data[:200]}")
    return json.loads(data)[0], {}


async def _session(
    client: httpx.AsyncClient, base: str, api: Api, number: int, questions: Sequence[str]
) -> list[RequestResult]:
    """One chat session: its questions one after another."""
    import httpx

    ask = _ask_json if api == "json" else _ask_gradio
    results = []
    for question in questions:
        t0 = time.perf_counter()
        try:
            payload, timings = await ask(client, base, question)
        except httpx.TransportError as exc:
            error = f"could not connect: {type(exc).__name__}: {exc}"[:300]
            results.append(RequestResult(number, question, time.perf_counter() - t0, error))
            continue
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
            results.append(RequestResult(number, question, time.perf_counter() - t0, error))
            continue
        seconds = time.perf_counter() - t0
        problem = check_answer(payload)
        server, waited = timings.get("answer"), timings.get("wait")
        results.append(RequestResult(number, question, seconds, problem, payload, server, waited))
    return results


async def _load(
    urls: Sequence[str], api: Api, plans: list[list[str]], warmup: Sequence[str]
) -> tuple[list[RequestResult], float]:
    import httpx

    limits = httpx.Limits(max_connections=len(plans), max_keepalive_connections=len(plans))
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=10.0)
    bases = [url if url.endswith("/") else url + "/" for url in urls]
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        if warmup:
            for base in bases:
                await _session(client, base, api, -1, warmup)
        t0 = time.perf_counter()
        sessions = [
            _session(client, bases[s % len(bases)], api, s, plan) for s, plan in enumerate(plans)
        ]
        results = [r for done in await asyncio.gather(*sessions) for r in done]
        return results, time.perf_counter() - t0


def run_load(
    url: str | Sequence[str],
    sessions: int = 20,
    requests_per_session: int = 5,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    warmup: bool = True,
    api: Api = "json",
) -> LoadReport:
    """`sessions` clients at once, each asking `requests_per_session` questions in turn.

    Session i asks questions i*n, i*n+1, … (cycling), so the sessions ask different things.
    Several URLs (workers of one deployment) take the sessions in turn.
    With `warmup` one question is asked first, unmeasured: a model that loads on first use
    is start-up, not latency.
    """
    if sessions < 1 or requests_per_session < 1 or not questions:
        raise ValueError("need at least one session, one request and one question")
    if api not in APIS:
        raise ValueError(f"api must be one of {', '.join(APIS)}")
    plans = [
        [
            questions[(s * requests_per_session + j) % len(questions)]
            for j in range(requests_per_session)
        ]
        for s in range(sessions)
    ]
    urls = [url] if isinstance(url, str) else list(url)
    results, seconds = asyncio.run(_load(urls, api, plans, questions[:1] if warmup else ()))
    return LoadReport(sessions, tuple(results), seconds, api)


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
    URL and stops it afterwards. A child, so the load's client does not share its GIL."""
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
