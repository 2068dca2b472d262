"""End to end with the real parts: the bundled all-MiniLM-L6-v2 model, a real on-disk Chroma
and the repo's `corpus/`, ingested once for the module. Every citation is checked against the
page text the index stores."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from conftest import CORPUS, LETTERS, ROOT
from helpers_pdf import page_texts

from assistant.models import Answer
from assistant.prompts import REFUSAL
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.cli import main
from assistant.ui.cli_args import EXIT_OK
from assistant.verify.citations import normalize_ws, quote_on_page
from index.embedders import BUNDLED
from index.indexer import IngestReport
from ingest.models import Chunk

SEED_LETTERS = {p.name: p for p in LETTERS.glob("*.txt")}


def clean_env(mp: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INKOOP_"):
            mp.delenv(name)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    data = tmp_path_factory.mktemp("e2e-data")
    with pytest.MonkeyPatch.context() as mp:
        clean_env(mp)
        settings = Settings(data_dir=data, embedding_model="bundled")
    bot = Assistant(settings)
    report = bot.ingest([CORPUS], visibility="openbaar")
    assert report.problems == []
    assert len(report.added) == len([p for p in CORPUS.rglob("*") if p.is_file()]) - 1  # README
    yield bot


def assert_citations_verify(bot: Assistant, answer: Answer) -> None:
    assert [c.key for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        page = bot.index.page_text(c.doc_id, c.page)
        assert page is not None, f"{c.source} p. {c.page} is not in the index"
        assert quote_on_page(c.quote, page), f"[{c.key}] not on {c.source} p. {c.page}"
        assert f"[{c.key}]" in answer.answer


def test_the_index_uses_the_bundled_model(assistant: Assistant) -> None:
    assert assistant.index.manifest.embedder == BUNDLED
    assert assistant.index.manifest.dim == 384
    vector = assistant.embedder.embed_query("ambulante jeugdhulp")
    assert vector.shape == (384,)
    assert abs(float((vector**2).sum()) - 1.0) < 1e-4


def test_contracts_start_date(assistant: Assistant) -> None:
    answer = assistant.ask("Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?")
    assert not answer.refused, answer.notes
    assert "1 januari 2026" in answer.answer
    assert_citations_verify(assistant, answer)
    from_letters = [c for c in answer.citations if Path(c.source).name in SEED_LETTERS]
    assert from_letters, [c.source for c in answer.citations]
    letter = SEED_LETTERS[Path(from_letters[0].source).name].read_text(encoding="utf-8")
    assert normalize_ws(from_letters[0].quote) in normalize_ws(letter)
    assert any("1 januari 2026" in c.quote for c in from_letters)


def test_award_date(assistant: Assistant) -> None:
    answer = assistant.ask("Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?")
    assert not answer.refused, answer.notes
    assert "februari 2025" in answer.answer
    assert_citations_verify(assistant, answer)
    assert any(
        "februari 2025" in c.quote and Path(c.source).name in SEED_LETTERS for c in answer.citations
    )


@pytest.mark.parametrize(
    "question",
    [
        "Wat is de hoofdstad van Frankrijk?",
        "Hoeveel parkeerplaatsen heeft het gemeentehuis van Weert?",
    ],
)
def test_unanswerable_questions_are_refused(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.refused, answer.answer
    assert REFUSAL in answer.answer
    assert answer.citations == ()


def test_search_finds_the_letters_first(assistant: Assistant) -> None:
    hits = assistant.search("inkoopstrategie ambulante jeugdhulp Midden-Limburg", k=5)
    assert hits and Path(hits[0].chunk.source).name in SEED_LETTERS
    assert hits[0].dense_rank is not None  # the dense (model) side took part
    letters = {Path(h.chunk.source).name for h in hits} & set(SEED_LETTERS)
    assert letters == set(SEED_LETTERS)


def test_cli_ask_json_on_the_same_index(assistant: Assistant) -> None:
    with pytest.MonkeyPatch.context() as mp:
        clean_env(mp)
        mp.setenv("INKOOP_EMBEDDING_MODEL", assistant.settings.embedding_model)  # as built
        out = StringIO()
        question = "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?"
        data = str(assistant.settings.data_dir)
        code = main(["ask", "--json", question, "--data-dir", data], out=out)
    assert code == EXIT_OK
    answer = json.loads(out.getvalue())
    assert not answer["refused"] and "februari 2025" in answer["answer"]
    for c in answer["citations"]:
        assert {"source", "title", "page", "section", "quote", "score"} <= set(c)


# --- the whole shared corpus (37 PDFs, 20 Markdown files): slow, one ingest ---------------------

SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
GGZ = "zk_Inkoopbeleid-GGZ-2024-2026.pdf"
# Where the GGZ richttariefpercentage is stated: the summary (p. 4) and § 2.1-2.6 (pp. 21-24).
GGZ_TARIFF_PAGES = {4, 21, 22, 23, 24}
WHOLE_PDF_SKIPPED = {"no-text", "encrypted"}  # scanned or locked: reported, not indexed


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, IngestReport]]:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    data = tmp_path_factory.mktemp("shared-data")
    with pytest.MonkeyPatch.context() as mp:
        clean_env(mp)
        settings = Settings(data_dir=data, embedding_model="bundled")
    bot = Assistant(settings)
    yield bot, bot.ingest([SHARED_CORPUS], visibility="openbaar")


def chunk_pieces(chunk: Chunk) -> list[tuple[int, str]]:
    """(page, text) for each page a chunk spans."""
    bounds = [0, *chunk.page_breaks, len(chunk.text)]
    return [
        (chunk.page + i, chunk.text[a:b]) for i, (a, b) in enumerate(itertools.pairwise(bounds))
    ]


@pytest.mark.slow
def test_shared_corpus_indexes_every_readable_pdf(shared: tuple[Assistant, IngestReport]) -> None:
    bot, report = shared
    problems = {Path(p.path).name: p for p in report.problems}
    indexed = {Path(d.source).name for d in bot.documents()}
    for path in sorted(SHARED_CORPUS.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix.lower() == ".pdf":
            if path.name in problems:
                assert problems[path.name].reason in WHOLE_PDF_SKIPPED, problems[path.name]
            else:
                assert path.name in indexed, f"{path.name} was neither indexed nor reported"
        elif path.suffix.lower() == ".md":
            assert path.name in indexed, problems.get(path.name)
        else:  # sources.tsv and the like: not a document, reported as such
            assert problems[path.name].reason == "unsupported"
    assert {d.kind for d in bot.documents()} == {"pdf", "md"}


@pytest.mark.slow
def test_shared_corpus_ggz_tariff_on_the_right_page(shared: tuple[Assistant, IngestReport]) -> None:
    bot, _ = shared
    question = "Wat is het richttariefpercentage voor GGZ zorg?"
    hits = bot.search(question, k=5)
    ggz = [h for h in hits if Path(h.chunk.source).name == GGZ]
    assert ggz, [h.chunk.source for h in hits]
    pdf_pages = page_texts(SHARED_CORPUS / "pdf" / GGZ)
    on_page = [
        (page, text)
        for h in ggz
        for page, text in chunk_pieces(h.chunk)
        if page in GGZ_TARIFF_PAGES and "richttariefpercentage" in text
    ]
    assert on_page, [(h.chunk.page, h.chunk.page_end) for h in ggz]
    for page, text in on_page:  # the page we report is the page pypdf finds the text on
        assert normalize_ws(text) in normalize_ws(pdf_pages[page - 1])

    answer = bot.ask(question)
    assert not answer.refused, answer.notes
    assert "95,9%" in answer.answer
    assert_citations_verify(bot, answer)
    first = answer.citations[0]
    assert "95,9%" in first.quote
    assert Path(first.source).name in {GGZ, "zk_NvI-GGZ-2024-2026.pdf"}


@pytest.mark.slow
def test_shared_corpus_refuses_what_only_the_letters_say(
    shared: tuple[Assistant, IngestReport],
) -> None:
    bot, _ = shared
    answer = bot.ask("Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?")
    assert answer.refused, answer.answer
