"""The Gradio app: the `ask` API over HTTP with gradio_client, and the chat turn handler."""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import LETTERS, ROOT
from helpers_app import running_app
from helpers_grounding import BreaksOff, ReplayChat
from helpers_llm import StubServer

from assistant.answer.timeline.statement import DatedStatement
from assistant.llm.backends import ChatModel, LLMError, OpenAIChatModel
from assistant.models import Answer, Citation
from assistant.prompts import (
    ALL,
    CHECKING_SOURCES,
    DRAFT_HINT,
    EMPTY_HINT,
    ERROR_MESSAGE,
    NO_SOURCES,
    NO_STEPS,
    NO_SUBJECT,
    REFUSAL,
    REFUSED_SOURCES,
)
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.chat import ask_json, council, respond, respond_stream
from assistant.ui.filters import FilterError, chat_filter
from assistant.ui.render import render_sources, render_timeline, servable_files
from assistant.verify.citations import normalize_ws

QUESTION = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    data_dir = tmp_path_factory.mktemp("app-data")
    a = Assistant(Settings(data_dir=data_dir, embedding_model="hashing"))
    report = a.ingest([LETTERS], visibility="openbaar")  # raadsinformatiebrieven are public
    assert report.indexed == 2, report.to_dict()
    return a


@pytest.fixture(scope="module")
def letters_dir(assistant: Assistant) -> Path:
    """The data folder of the `assistant` fixture, for assistants with a language model."""
    return assistant.settings.data_dir


@pytest.fixture(scope="module")
def url(assistant: Assistant) -> Iterator[str]:
    with running_app(assistant) as base:
        yield base


def letter_text(source: str) -> str:
    path = ROOT / source
    assert path.parent == LETTERS, source
    return normalize_ws(path.read_text(encoding="utf-8"))


def test_ask_endpoint_answers_with_a_real_quote(url: str) -> None:
    from gradio_client import Client

    result: Any = Client(url, verbose=False).predict(QUESTION, api_name="/ask")

    assert result["refused"] is False
    assert "1 januari 2026" in result["answer"]
    assert "[1]" in result["answer"]
    assert result["citations"]
    for citation in result["citations"]:
        assert normalize_ws(citation["quote"]) in letter_text(citation["source"])
    assert any("1 januari 2026" in c["quote"] for c in result["citations"])


def test_ask_is_the_only_documented_endpoint(url: str) -> None:
    from gradio_client import Client

    api = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"]


def test_only_ingested_documents_are_served(assistant: Assistant, url: str) -> None:
    files = servable_files(assistant)
    assert sorted(files) == sorted(p.relative_to(ROOT).as_posix() for p in LETTERS.glob("*.txt"))
    ids = {d.doc_id for d in assistant.documents()}
    assert {link.removeprefix("/dokument/") for link in files.values()} == ids

    letter = next(iter(files.values()))  # by id: no folder of the server in the link
    with urllib.request.urlopen(f"{url.rstrip('/')}{letter}") as resp:
        assert resp.status == 200
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "1 januari 2026" in resp.read().decode("utf-8")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{url}dokument/{'0' * 16}")
    assert err.value.code == 404
    for path in LETTERS.glob("*.txt"):  # no longer by path, not even an ingested file
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{url}gradio_api/file={quote(str(path.resolve()))}")
        assert err.value.code == 403
    for other in (ROOT / "pyproject.toml", ROOT / "corpus" / "README.md"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{url}gradio_api/file={quote(str(other))}")
        assert err.value.code == 403


def test_chat_turn_shows_answer_and_sources(assistant: Assistant) -> None:
    files = servable_files(assistant)
    text, history, sources = respond(assistant, files, QUESTION, [])

    assert text == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[0]["content"] == QUESTION
    assert "1 januari 2026" in history[1]["content"]
    assert 'data-testid="bron"' in sources
    assert "Raadsinformatiebrief" in sources
    assert 'href="/dokument/' in sources


def test_unanswerable_question_is_refused_without_sources(assistant: Assistant) -> None:
    previous = [{"role": "user", "content": "Eerder"}, {"role": "assistant", "content": "Ja."}]
    _, history, sources = respond(assistant, {}, "Wat is de hoofdstad van Frankrijk?", previous)

    assert history[:2] == previous
    assert history[-1]["role"] == "assistant"
    assert history[-1]["content"].startswith(REFUSAL)
    assert sources == REFUSED_SOURCES
    assert "bron-kop" not in sources


class Exploding:
    """An assistant whose every question fails; `calls` shows whether it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def ask(self, question: str, k: int | None = None, where: Any = None) -> Answer:
        self.calls += 1
        raise RuntimeError("chroma is weg")

    def ask_stream(
        self, question: str, k: int | None = None, where: Any = None, audience: str = "aanbieder"
    ) -> Iterator[Answer]:
        yield self.ask(question, k, where)


@pytest.mark.parametrize("message", ["", "   \n"])
def test_empty_input_gives_a_hint_without_asking(message: str) -> None:
    fake = Exploding()
    text, history, sources = respond(fake, {}, message, [])  # type: ignore[arg-type]

    assert fake.calls == 0
    assert text == ""
    assert history == [{"role": "assistant", "content": EMPTY_HINT}]
    assert sources == NO_SOURCES


def test_error_is_logged_and_shown_briefly(caplog: pytest.LogCaptureFixture) -> None:
    fake = Exploding()
    with caplog.at_level(logging.ERROR, logger="assistant.ui.chat"):
        _, history, sources = respond(fake, {}, "Wanneer is de gunning?", [])  # type: ignore[arg-type]

    assert fake.calls == 1
    assert history[-1] == {"role": "assistant", "content": ERROR_MESSAGE}
    assert "Traceback" not in str(history) and "chroma is weg" not in str(history)
    assert sources == NO_SOURCES
    assert "chroma is weg" in caplog.text


def test_sources_are_escaped_and_pdfs_open_at_the_page() -> None:
    citation = Citation(
        key=1,
        source="docs/bestek & bijlagen.pdf",
        title='<script>alert("x")</script> Bestek',
        page=7,
        section="2.7",
        heading="2.7 Tarieven <b>",
        quote="De tarieven zijn > 0 & vast.",
        score=0.9,
    )
    html_out = render_sources((citation,), {citation.source: "/dokument/abc123"})

    assert "<script>" not in html_out and "<b>" not in html_out
    assert "&lt;script&gt;" in html_out
    assert "De tarieven zijn &gt; 0 &amp; vast." in html_out
    assert "pagina 7" in html_out and "2.7 Tarieven" in html_out
    assert 'href="/dokument/abc123#page=7"' in html_out
    assert "Open document op pagina 7" in html_out
    assert render_sources((), {}) == NO_SOURCES


def test_api_error_is_a_short_dutch_message() -> None:
    import gradio as gr

    with pytest.raises(gr.Error) as err:
        ask_json(Exploding(), "Wanneer is de gunning?")  # type: ignore[arg-type]
    assert err.value.message == ERROR_MESSAGE


class Recording:
    """An assistant that records the filters it was asked with."""

    def __init__(self) -> None:
        self.where: list[dict[str, Any] | None] = []
        self.audiences: list[str] = []

    def ask(self, question: str, k: int | None = None, where: Any = None) -> Answer:
        self.where.append(where)
        return Answer(question, REFUSAL, True)

    def ask_stream(
        self, question: str, k: int | None = None, where: Any = None, audience: str = "aanbieder"
    ) -> Iterator[Answer]:
        yield self.ask(question, k, where)

    def decisions(
        self, subject: str, k: int | None = None, where: Any = None, audience: str = "?"
    ) -> list[Any]:
        self.where.append(where)
        self.audiences.append(audience)
        return []


def test_chat_filters_become_the_where_of_the_question() -> None:
    fake = Recording()
    respond(fake, {}, "Wanneer is de gunning?", [], chat_filter("Weert", ALL, "2024-01-01", ""))  # type: ignore[arg-type]
    respond(fake, {}, "Wanneer is de gunning?", [], chat_filter(ALL, ALL, "", ""))  # type: ignore[arg-type]

    assert fake.where == [
        {"$and": [{"meta_gemeente": {"$eq": "Weert"}}, {"datum_int": {"$gte": 20240101}}]},
        None,
    ]
    assert chat_filter(None, "raadsinformatiebrief", None, "2 april 2024") == {
        "$and": [{"meta_type": {"$eq": "raadsinformatiebrief"}}, {"datum_int": {"$lte": 20240402}}]
    }
    with pytest.raises(FilterError, match="Vanaf"):
        chat_filter(ALL, ALL, "19-13-2024", "")
    with pytest.raises(FilterError, match="na"):
        chat_filter(ALL, ALL, "2024-05-01", "2024-04-01")


def test_chat_filter_on_a_real_index_cites_only_that_gemeente(assistant: Assistant) -> None:
    where = chat_filter("Maasgouw", ALL, "", "")
    _, history, sources = respond(assistant, servable_files(assistant), QUESTION, [], where)

    assert "1 januari 2026" in history[-1]["content"]
    assert "maasgouw-rib" in sources and "weert-rib" not in sources


def test_council_tab_shows_a_dated_cited_timeline(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INKOOP_TODAY", "2025-06-01")  # after October 2024, before 2026
    out = council(assistant, servable_files(assistant), "inkoopstrategie ambulante jeugdhulp", ALL)

    assert out.count('data-testid="stap"') >= 4
    dates = re.findall(r"<time>([^<]+)</time>", out)
    assert dates == sorted(dates)  # oldest first
    assert "Weert" in out and "Maasgouw" in out
    # the college decision is done; the contracts of 2026 are planned and look it
    assert re.search(r'data-status="besloten"[^>]*>.{0,200}2024-04-02', out)
    planned = re.search(r'data-status="gepland"[^>]*>.{0,80}<time>2026-01-01</time>', out)
    assert planned and "gepland volgens brief van 19 maart 2024" in out
    # October 2024 has passed and no later document reports it
    assert re.search(r'data-status="verstreken"[^>]*>.{0,80}<time>2024-10</time>', out)
    assert "datum verstreken — geen latere bron in de documenten" in out
    assert "kenmerk Z/24/126291" in out and "kenmerk 2371022/2372380" in out
    assert 'href="/dokument/' in out
    assert 'data-dossier="inkoopstrategie ambulante jeugdhulp midden limburg"' in out

    only = council(assistant, {}, "inkoopstrategie ambulante jeugdhulp", "Weert")
    assert "Weert" in only and "Maasgouw" not in only


def test_council_tab_empty_and_escaped() -> None:
    fake = Recording()
    assert council(fake, {}, "   ", ALL) == NO_SUBJECT  # type: ignore[arg-type]
    assert council(fake, {}, "zwembad", "Weert") == NO_STEPS  # type: ignore[arg-type]
    assert fake.where == [{"meta_gemeente": {"$eq": "Weert"}}]
    assert fake.audiences == ["aanbieder"]  # the council tab of the provider app

    step = DatedStatement(
        date="2025-02",
        gemeente="<b>Weert</b>",
        actor="college",
        status="gepland",
        statement="De gunning is <script>x</script>.",
        source="brief & co.pdf",
        title="Brief",
        page=3,
        kenmerk="A&B",
        quote="De gunning is <script>x</script>.",
    )
    out = render_timeline([step], {step.source: Path("/tmp/brief & co.pdf")})
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "kenmerk A&amp;B" in out
    assert "pagina 3" in out and "#page=3" in out
    assert 'class="status status-gepland"' in out


# --- a generative answer, streamed --------------------------------------------------------------

GOOD = "De nieuwe contracten voor ambulante jeugdhulp gaan in op 1 januari 2026 [1]."


def turns(data_dir: Path, model: ChatModel) -> list[tuple[str, list[dict[str, Any]], str]]:
    """Every update of one chat turn with a generative assistant over the letters."""
    assistant = Assistant(Settings(data_dir=data_dir, embedding_model="hashing"), chat_model=model)
    return list(respond_stream(assistant, servable_files(assistant), QUESTION, []))


def assert_final(update: tuple[str, list[dict[str, Any]], str]) -> str:
    """The last update: question and checked answer, no draft left, sources shown; its text."""
    text, history, sources = update
    assert text == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert DRAFT_HINT not in history[-1]["content"]
    assert 'data-testid="bron"' in sources and sources != CHECKING_SOURCES
    return str(history[-1]["content"])


def test_a_generative_answer_streams_as_a_draft_then_the_checked_answer(letters_dir: Path) -> None:
    *drafts, final = turns(letters_dir, ReplayChat(GOOD))
    assert len(drafts) > 5
    for _, history, sources in drafts:
        assert history[-1]["content"].startswith(DRAFT_HINT)
        assert sources == CHECKING_SOURCES  # no sources before they are checked
    assert drafts[0][1][-1]["content"] == f"{DRAFT_HINT}\n\nDe "
    assert drafts[-1][1][-1]["content"] == f"{DRAFT_HINT}\n\n{GOOD}"
    assert assert_final(final) == GOOD
    assert "1 januari 2026" in final[2]


def test_a_streamed_invented_number_does_not_stay_on_screen(letters_dir: Path) -> None:
    *drafts, final = turns(letters_dir, ReplayChat(f"{GOOD} Er zijn 14 percelen [1]."))
    assert "14 percelen" in drafts[-1][1][-1]["content"]
    shown = assert_final(final)
    assert shown.startswith(GOOD) and "14" not in shown
    assert "(Let op: 1 zin" in shown


def test_a_stream_cut_off_by_a_timeout_ends_with_the_extractive_answer(letters_dir: Path) -> None:
    timeout = LLMError("Het taalmodel (http://x) antwoordde niet binnen 5 seconden")
    *drafts, final = turns(letters_dir, ReplayChat(BreaksOff("De nieuwe contracten", timeout)))
    assert drafts[-1][1][-1]["content"].endswith("De nieuwe contracten")
    shown = assert_final(final)
    assert shown.startswith("Het taalmodel (http://x) antwoordde niet binnen 5 seconden; ")
    assert "Volgens de documenten" in shown  # the extractive answer, with its checked sources


def test_a_stream_from_an_openai_compatible_server(letters_dir: Path) -> None:
    with StubServer(GOOD) as stub:
        updates = turns(letters_dir, OpenAIChatModel(stub.url, "m", timeout=5))
    assert stub.requests[0][1]["stream"] is True
    *drafts, final = updates
    assert len(drafts) > 5 and all(DRAFT_HINT in d[1][-1]["content"] for d in drafts)
    assert assert_final(final) == GOOD


def test_an_extractive_answer_is_a_single_update(assistant: Assistant) -> None:
    (update,) = respond_stream(assistant, {}, QUESTION, [])
    assert update == respond(assistant, {}, QUESTION, [])
    assert "1 januari 2026" in update[1][-1]["content"]


def test_the_wired_chat_streams_over_http(letters_dir: Path) -> None:
    from gradio_client import Client

    model = ReplayChat(f"{GOOD} Er zijn 14 percelen [1].")
    generative = Assistant(
        Settings(data_dir=letters_dir, embedding_model="hashing"), chat_model=model
    )
    with running_app(generative) as base:
        job = Client(base, verbose=False).submit(QUESTION, [], ALL, ALL, "", "", api_name="/chat")
        job.result()
        outputs = job.outputs()

    def shown(output: Any) -> str:
        return str(output[1][-1]["content"][0]["text"])

    assert len(outputs) > 5
    assert all(shown(o).startswith(DRAFT_HINT) for o in outputs[:-1])
    assert "14 percelen" in shown(outputs[-2])
    final = shown(outputs[-1])
    assert final.startswith(GOOD) and "14" not in final and DRAFT_HINT not in final
    assert 'data-testid="bron"' in outputs[-1][2]


def test_a_long_question_is_cut_in_a_stream_as_in_ask(letters_dir: Path) -> None:
    from assistant.question import MAX_QUESTION_CHARS

    model = ReplayChat(GOOD)
    generative = Assistant(
        Settings(data_dir=letters_dir, embedding_model="hashing"), chat_model=model
    )
    question = QUESTION + " aanvulling" * 300
    *_, (_, history, _) = respond_stream(generative, {}, question, [])
    assert history[-1]["content"].startswith(GOOD)
    assert "(Let op: uw vraag telde" in history[-1]["content"]
    asked = model.prompts[0][1].content.rpartition("Vraag: ")[2].partition("\n")[0]
    assert QUESTION in asked and len(asked) <= MAX_QUESTION_CHARS


def test_api_ask_answers_as_ask_json_with_public_sources(url: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        reply = client.post("/api/ask", json={"question": QUESTION})
        refused = client.post("/api/ask", json={"question": "Wat is de hoofdstad van Peru?"})
        long = client.post("/api/ask", json={"question": QUESTION + " aanvulling" * 300})
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    assert "answer;dur=" in reply.headers["server-timing"]
    data = reply.json()
    assert set(data) == {"question", "answer", "refused", "outcome", "citations", "passages"}
    assert data["refused"] is False and data["outcome"] == "answer"
    assert "1 januari 2026" in data["answer"] and data["citations"]
    for citation in data["citations"]:  # a real quote, by public name and id, no folder
        assert normalize_ws(citation["quote"]) in letter_text(citation["source"])
        assert not citation["source"].startswith("/") and str(ROOT) not in reply.text
        assert citation["document"].startswith(f"/dokument/{citation['doc_id']}")
    assert refused.json()["refused"] is True and refused.json()["citations"] == []
    cut = long.json()
    assert len(cut["question"]) <= 1000 and "(Let op: uw vraag telde" in cut["answer"]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"geen json", {}, 400),
        (b'{"vraag": "x"}', {}, 400),
        (b'["x"]', {}, 400),
        (b'{"question": 5}', {}, 400),
        (b'{"question": "x"}', {"host": "evil.example"}, 400),
        (b'{"question": "x"}', {"origin": "https://evil.example"}, 403),
        (b'{"question": "' + b"x" * 200_000 + b'"}', {}, 413),
    ],
)
def test_api_ask_refuses_what_is_not_a_question_from_here(
    url: str, body: bytes, headers: dict[str, str], status: int
) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        reply = client.post("/api/ask", content=body, headers=headers)
    assert reply.status_code == status, reply.text
    assert str(ROOT) not in reply.text


def test_api_ask_failure_is_a_short_dutch_message(caplog: pytest.LogCaptureFixture) -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from assistant.ui.api import ask_route

    app = Starlette(routes=[ask_route(Exploding(), threads=1)])  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="assistant.ui.api"), TestClient(app) as client:
        reply = client.post("/api/ask", json={"question": "Wanneer is de gunning?"})
    assert reply.status_code == 500 and reply.json() == {"error": ERROR_MESSAGE}
    assert "chroma is weg" in caplog.text and "chroma" not in reply.text
