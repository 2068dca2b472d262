"""Access tiers: an `intern` canary next to the openbaar seed letters never reaches a provider.

Real Chroma in a temp dir with the hashing embedder; every provider-side surface (CLI ask,
search, decisions, eval; `Assistant`; the app's API, chat, council and served files) is checked
for the canary's secret, also for questions that target it word for word.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import LETTERS
from test_cli import hashing_env, isolate_env, run  # noqa: F401

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.cli import main
from assistant.ui.cli_args import EXIT_OK
from index.embedders import HashingEmbedder
from index.filters import AANBIEDER, MEDEWERKER, audience_filter, may_read
from index.memory import InMemoryIndex
from index.retriever import HybridRetriever
from index.store import DocumentRecord, IndexManifest
from ingest.models import INTERN, OPENBAAR, Chunk, Page

CANARY = "KANARIE-7f3a9 vertrouwelijk budget 1234567 euro"
SECRETS = ("1234567", "KANARIE-7f3a9", "kanarie-notitie")  # the amount, the tag, the file name
CANARY_DOC = f"""# Vertrouwelijke notitie inkoop ambulante jeugdhulp

Het college heeft op 3 maart 2025 besloten tot het {CANARY} voor de gunning van de
aanbesteding ambulante jeugdhulp Midden-Limburg. Dit bedrag is niet openbaar. De contracten
voor ambulante jeugdhulp gaan op 1 januari 2026 in; de gunning is in februari 2025.
"""
QUESTIONS = (
    CANARY,
    "KANARIE-7f3a9",
    "Wat is het vertrouwelijk budget voor de gunning van ambulante jeugdhulp?",
    "Hoeveel euro is het budget 1234567?",
    "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?",
)


def leaks(text: str, question: str = "") -> list[str]:
    """The secrets in `text`, once the echoed question is taken out."""
    rest = text.replace(question, "") if question else text
    return [s for s in SECRETS if s.casefold() in rest.casefold()]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mp = pytest.MonkeyPatch()
    isolate_env(mp)
    root = tmp_path_factory.mktemp("access")
    intern = root / "intern"
    intern.mkdir()
    (intern / "kanarie-notitie.md").write_text(CANARY_DOC, encoding="utf-8")
    data = root / "data"
    for path, tier in ((LETTERS, OPENBAAR), (intern, INTERN)):
        argv = ["ingest", str(path), "--data-dir", str(data), "--no-progress"]
        assert main([*argv, "--visibility", tier], out=StringIO()) == EXIT_OK
    mp.undo()
    return data


def test_cli_ask_and_search_never_show_the_canary_to_providers(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for question in QUESTIONS:
        for audience in ((), ("--audience", "aanbieder")):
            for command, flags in (("ask", ("--json",)), ("ask", ()), ("search", ("--json",))):
                code, out = run(command, question, "--data-dir", data, *flags, *audience)
                err = capsys.readouterr().err
                assert code == EXIT_OK, err
                assert not leaks(out, question), (command, question, out)
                assert not leaks(err, question)
        code, out = run("search", question, "--data-dir", data, "--json", "--top-k", "50")
        sources = {r["source"] for r in json.loads(out)["results"]}
        assert sources and all("raadsinformatiebrieven" in s for s in sources)


def test_staff_find_the_canary(data: Path) -> None:
    code, out = run("search", CANARY, "--data-dir", data, "--json", "--audience", "medewerker")
    assert code == EXIT_OK
    top = json.loads(out)["results"][0]
    assert top["source"].endswith("kanarie-notitie.md") and "1234567" in top["text"]
    code, out = run(
        "ask", "Wat is het vertrouwelijk budget KANARIE-7f3a9?", "--data-dir", data, "--json",
        "--audience", "medewerker",
    )  # fmt: skip
    assert code == EXIT_OK and "1234567" in out


def test_cli_decisions_and_eval_stay_openbaar(data: Path, tmp_path: Path) -> None:
    for subject in (CANARY, "gunning aanbesteding ambulante jeugdhulp"):
        code, out = run("decisions", subject, "--data-dir", data, "--json")
        assert code == EXIT_OK and not leaks(out, subject)
        assert json.loads(out) or subject == CANARY  # the public letters still have a timeline
    code, out = run(
        "decisions", "vertrouwelijk budget gunning", "--data-dir", data, "--json",
        "--audience", "medewerker",
    )  # fmt: skip
    assert "1234567" in out
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(json.dumps({"question": q, "answerable": True}) for q in QUESTIONS),
        encoding="utf-8",
    )
    per_case = tmp_path / "per-case.jsonl"
    code, out = run(
        "eval", cases, "--data-dir", data, "--ask", "--out", per_case, "--no-progress",
        "--audience", "aanbieder",
    )  # fmt: skip
    assert code == EXIT_OK
    for line in per_case.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert not leaks(json.dumps(record, ensure_ascii=False), record["question"])
    # Evaluation is a staff tool: by default it measures over everything ingested.
    staff = tmp_path / "staff.jsonl"
    code, out = run("eval", cases, "--data-dir", data, "--out", staff, "--no-progress")
    assert code == EXIT_OK and "1234567" in staff.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def assistant(data: Path) -> Assistant:
    return Assistant(Settings(data_dir=data, embedding_model="hashing"))


def test_assistant_search_ask_decisions_are_provider_safe_by_default(
    assistant: Assistant,
) -> None:
    for question in QUESTIONS:
        hits = assistant.search(question, k=50)
        assert hits and all(h.chunk.visibility == OPENBAAR for h in hits)
        answer = assistant.ask(question)
        assert not leaks(json.dumps(answer.to_dict(), ensure_ascii=False), question)
        assert all("kanarie" not in c.source for c in answer.citations)
        steps = assistant.decisions(question)
        assert not leaks(json.dumps([s.to_dict() for s in steps], ensure_ascii=False), question)
    staff = assistant.search(CANARY, k=5, audience=MEDEWERKER)
    assert staff[0].chunk.visibility == INTERN and "1234567" in staff[0].chunk.text
    assert "kanarie" not in " ".join(assistant.metadata_values("title"))
    assert assistant.source_file(staff[0].chunk.source) is None  # not for providers
    assert assistant.source_file(staff[0].chunk.source, MEDEWERKER) is not None
    with pytest.raises(ValueError, match="audience"):
        assistant.search(CANARY, audience="iedereen")


def test_the_app_serves_and_answers_providers_only(assistant: Assistant) -> None:
    from assistant.ui.chat import ask_json, council, respond
    from assistant.ui.render import servable_files

    files = servable_files(assistant)
    assert files and not any("kanarie" in str(p) for p in files.values())
    for question in QUESTIONS:
        assert not leaks(json.dumps(ask_json(assistant, question), ensure_ascii=False), question)
        _, history, sources = respond(assistant, files, question, [])
        assert not leaks(json.dumps(history, ensure_ascii=False) + sources, question)
        assert not leaks(council(assistant, files, question), question)


def test_ingest_visibility_flag_metadata_and_changes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    note = docs / "notitie.md"
    note.write_text(CANARY_DOC, encoding="utf-8")
    bot = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing"))

    def public() -> bool:
        return any("1234567" in h.chunk.text for h in bot.search(CANARY, k=20))

    report = bot.ingest([docs])  # no flag: a new file is intern
    assert report.added and not public()
    assert bot.documents()[0].metadata["visibility"] == INTERN
    report = bot.ingest([docs], visibility=OPENBAAR)  # same bytes, other flag: re-indexed
    assert len(report.replaced) == 1 and public()
    assert bot.index.count() == bot.documents()[0].chunks  # the old chunks did not linger
    assert not bot.ingest([docs]).replaced and public()  # no flag: a known file keeps its tier
    assert len(bot.ingest([docs], visibility=INTERN).replaced) == 1
    assert not public()  # also BM25's cached chunks follow the change in this same process
    # A sidecar may not publish what staff chose as intern (the choice is a ceiling, issue 23);
    # the report names the file whose own setting was overruled. An unknown value is a report
    # line, not a guess.
    sidecar = docs / "notitie.md.meta.json"
    sidecar.write_text(json.dumps({"visibility": "Openbaar"}), encoding="utf-8")
    report = bot.ingest([docs], visibility=INTERN)
    assert len(report.replaced) == 1 and not public()
    source = bot.documents()[0].source
    assert report.overruled == {source: OPENBAAR} and report.visibility == {source: INTERN}
    assert bot.documents()[0].metadata["visibility"] == INTERN
    report = bot.ingest([docs], visibility=OPENBAAR)
    assert len(report.replaced) == 1 and public() and not report.overruled
    sidecar.write_text(json.dumps({"visibility": "publiek"}), encoding="utf-8")
    report = bot.ingest([docs], visibility=OPENBAAR)
    assert [p.reason for p in report.problems] == ["visibility"]
    assert "publiek" in report.problems[0].message
    front = docs / "brief.md"
    front.write_text("---\nvisibility: intern\n---\n" + CANARY_DOC.replace("KANARIE", "MUS"))
    bot.ingest([front], visibility=OPENBAAR)
    assert not any("MUS-7f3a9" in h.chunk.text for h in bot.search("MUS-7f3a9", k=20))


def test_cli_rejects_unknown_visibility_and_audience(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", str(LETTERS), "--data-dir", str(tmp_path), "--visibility", "publiek"])
    with pytest.raises(SystemExit):
        main(["ask", "vraag", "--data-dir", str(tmp_path), "--audience", "iedereen"])
    assert "invalid choice" in capsys.readouterr().err


# -- the retrieval layer's own check, with an index that ignores the filter ----------------


class LeakyIndex(InMemoryIndex):
    """Ignores `where` (a buggy or stale store) and records what it was asked."""

    def __init__(self, manifest: IndexManifest) -> None:
        super().__init__(manifest)
        self.wheres: list[dict[str, Any] | None] = []

    def query(
        self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        self.wheres.append(where)
        return super().query(embedding, k, None)


def _leaky_index() -> tuple[LeakyIndex, HashingEmbedder]:
    embedder = HashingEmbedder()
    index = LeakyIndex(IndexManifest(embedder.name, embedder.dim, "test"))
    text = "De gunning van ambulante jeugdhulp is in februari 2025 " * 3
    docs = {  # chunk visibility, record visibility
        "pub": (OPENBAAR, OPENBAAR),
        "int": (INTERN, INTERN),
        "mixed": (OPENBAAR, INTERN),  # a chunk that claims openbaar, of an intern document
    }
    for doc_id, (chunk_tier, record_tier) in docs.items():
        chunk = Chunk(f"c-{doc_id}", doc_id, f"{doc_id}.txt", doc_id, f"{text} {CANARY}", 1, 1,
                      "", "", 0, 10, 0, metadata={"visibility": chunk_tier})  # fmt: skip
        record = DocumentRecord(doc_id, f"{doc_id}.txt", doc_id, "txt", 1, 1, "now",
                                {"visibility": record_tier})  # fmt: skip
        index.add_document(record, [Page(1, chunk.text)], [chunk],
                           embedder.embed_documents([chunk.context]))  # fmt: skip
    return index, embedder


@pytest.mark.parametrize(("dense_weight", "exact"), [(0.0, True), (1.0, True), (1.0, False)])
def test_retriever_drops_intern_chunks_the_index_returned(dense_weight: float, exact: bool) -> None:
    from index.retriever import RetrievalSettings

    index, embedder = _leaky_index()
    if not exact:  # a store that cannot hand out its vectors: its own filtered query is used
        index.vectors = None  # type: ignore[assignment,method-assign]
    settings = RetrievalSettings(dense_weight=dense_weight)
    retriever = HybridRetriever(index, embedder, settings=settings)
    retriever.refresh()
    hits = retriever.search("gunning ambulante jeugdhulp " + CANARY, k=10)
    assert [h.chunk.doc_id for h in hits] == ["pub"]
    if dense_weight and not exact:
        assert index.wheres[-1] == {"visibility": {"$eq": OPENBAAR}}  # the filter was asked for
    staff = retriever.search("gunning ambulante jeugdhulp", k=10, audience=MEDEWERKER)
    assert {h.chunk.doc_id for h in staff} == {"pub", "int", "mixed"}


def test_a_passage_window_holds_only_what_the_audience_may_read() -> None:
    """Where to read shows a passage with its neighbours (issue 20): for a provider the window
    stops at a neighbour that is not openbaar (by its own tier or its document's), and never
    joins the passages beyond it across the gap."""
    from index.retriever import RetrievalSettings

    embedder = HashingEmbedder()
    index = InMemoryIndex(IndexManifest(embedder.name, embedder.dim, "test"))
    tiers = [OPENBAAR, INTERN, OPENBAAR]
    chunks = [
        Chunk(f"w-{i}", "w", "w.md", "w", f"Passage {i} over de gunning. {CANARY * (i == 1)}",
              1, 1, "3.1", "3.1 Gunning", 10 * i, 10 * i + 9, i, metadata={"visibility": tier})
        for i, tier in enumerate(tiers)
    ]  # fmt: skip
    record = DocumentRecord("w", "w.md", "w", "md", 1, 3, "now", {"visibility": OPENBAAR})
    index.add_document(
        record, [Page(1, " ".join(c.text for c in chunks))], chunks,
        embedder.embed_documents([c.context for c in chunks]),
    )  # fmt: skip
    retriever = HybridRetriever(index, embedder, settings=RetrievalSettings(dense_weight=0.0))
    retriever.refresh()
    first = chunks[0]
    assert [c.chunk_id for c in retriever.window(first, AANBIEDER, 2)] == ["w-0"]
    assert [c.chunk_id for c in retriever.window(chunks[2], AANBIEDER, 2)] == ["w-2"]
    staff = retriever.window(first, MEDEWERKER, 2)
    assert [c.chunk_id for c in staff] == ["w-0", "w-1", "w-2"]


def test_audience_filter_shapes() -> None:
    tier = {"visibility": {"$eq": OPENBAAR}}
    assert audience_filter(AANBIEDER) == tier
    assert audience_filter(AANBIEDER, {"source": "a"}) == {"$and": [tier, {"source": "a"}]}
    assert audience_filter(MEDEWERKER, {"source": "a"}) == {"source": "a"}
    assert audience_filter(MEDEWERKER) is None
    legacy = Chunk("c", "d", "s", "t", "x", 1, 1, "", "", 0, 1, 0)  # indexed before tiers
    assert legacy.visibility == INTERN and legacy.to_metadata()["visibility"] == INTERN
    assert not may_read(AANBIEDER, legacy) and may_read(MEDEWERKER, legacy)


FRONT_OPENBAAR = "---\nvisibility: openbaar\n---\n"


def test_a_file_cannot_publish_itself_past_the_intern_choice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 23, High 1: staff choose intern, the file says openbaar — through the CLI, a ZIP
    with a sidecar and the staff upload the document stays intern, and every report says so."""
    import zipfile

    from assistant.documents.writer import DocumentManager
    from assistant.ui.staff_documents import DocumentsPage

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notitie-intern.md").write_text(FRONT_OPENBAAR + CANARY_DOC, encoding="utf-8")
    with zipfile.ZipFile(docs / "pakket.zip", "w") as z:
        z.writestr("budget.txt", CANARY_DOC.replace("KANARIE", "MUS"))
        z.writestr("budget.txt.meta.json", json.dumps({"visibility": "openbaar"}))
    data = tmp_path / "data"
    code, out = run("ingest", docs, "--data-dir", data, "--no-progress", "--visibility", "intern")
    assert code == EXIT_OK
    warning = "notitie-intern.md: the file says visibility openbaar, but it was indexed as intern"
    assert warning in out
    assert "budget.txt: the file says visibility openbaar" in out
    code, out = run("documents", "--data-dir", data, "--json")
    rows = json.loads(out)
    assert len(rows) == 2 and {r["visibility"] for r in rows} == {INTERN}
    code, out = run("documents", "--data-dir", data)
    assert out.count("(intern, ") == 2
    for question in QUESTIONS:  # a provider reads none of it
        code, out = run("ask", question, "--data-dir", data, "--json")
        assert not leaks(out, question) and "MUS-7f3a9" not in out.replace(question, "")
    capsys.readouterr()

    bot = Assistant(Settings(data_dir=tmp_path / "staff", embedding_model="hashing"))
    manager = DocumentManager(bot)
    try:
        upload = tmp_path / "gradio-upload" / "notitie-intern.md"
        upload.parent.mkdir()
        upload.write_text(FRONT_OPENBAAR + CANARY_DOC, encoding="utf-8")
        report = DocumentsPage(manager).upload([str(upload)], INTERN, "Anna")
        assert "**Toegevoegd** (intern): notitie-intern.md" in report
        assert "het bestand zelf zegt 'openbaar'; het blijft intern" in report
        assert not bot.documents_for(AANBIEDER)
        assert bot.source_file(bot.documents()[0].source) is None  # /dokument/<id> serves nothing
        for question in QUESTIONS:
            assert not leaks(json.dumps(bot.ask(question).to_dict()), question)
        # the file may make itself more private: openbaar chosen, intern in the file
        private = tmp_path / "gradio-upload" / "eigen.md"
        private.write_text("---\nvisibility: intern\n---\n" + CANARY_DOC.replace("KANARIE", "UIL"))
        report = DocumentsPage(manager).upload([str(private)], OPENBAAR, "Anna")
        assert "**Toegevoegd** (intern): eigen.md" in report
    finally:
        manager.close()
        bot.close()


def test_api_ask_answers_providers_only(assistant: Assistant) -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from assistant.ui.routes import provider_app_kwargs

    got: list[str] = []
    app = Starlette(**provider_app_kwargs(assistant, "127.0.0.1", lambda q, c: got.append(q)))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for question in QUESTIONS:
            reply = client.post("/api/ask", json={"question": question})
            assert reply.status_code == 200 and not leaks(reply.text, question)
    assert got  # the canary questions were refused and recorded
