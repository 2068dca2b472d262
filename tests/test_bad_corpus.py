"""One folder of everything that goes wrong in real document dumps, ingested in one CLI run.

Each bad file gets its own line with its reason; the good ones — a 2,000-page PDF, a file with
a 1 MB line, a Windows-1252 text and a file with spaces and accents in its path among them —
are stored and searchable; and a second run is a no-op. Hashing embedder, real Chroma.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers_pdf import encrypted_copy, image_only_pdf, text_pdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from test_cli import isolate_env, run

from assistant.index_setup import chunk_settings
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.cli_args import EXIT_OK
from ingest.chunking import MAX_WORD_CHARS

WORDS = [
    "aanbieder", "gemeente", "jeugdhulp", "perceel", "levering", "contract", "tarief",
    "rapportage", "termijn", "kwaliteit", "zorg", "cliënt", "begeleiding", "indicatie", "budget",
    "verantwoording", "uitvoering", "planning", "overleg", "regio", "wensen", "criteria",
]  # fmt: skip
BIG_PAGES = 2000
MARKED_PAGE = 1234
MARKER = "Referentie ZEBRAPAD: de boete bedraagt 750 euro per dag vertraging."
NVI_DIR = Path("map met spaties") / "ü"
NVI_NAME = "Nota van inlichtingen – ë 2025.txt"

# file (relative to the folder) -> the reason code it must be reported with (ingest/errors.py,
# ingest/pipeline.py); None: it must be ingested
EXPECTED: dict[str, str | None] = {
    "bestek.pdf": None,
    "brief.md": None,
    "groot-2000-paginas.pdf": None,
    "lange-regel.txt": None,
    "blob-zonder-spaties.txt": None,
    "windows-1252.txt": None,
    f"{NVI_DIR}/{NVI_NAME}": None,
    "versleuteld.pdf": "encrypted",
    "scan.pdf": "no-text",
    "leeg.pdf": "empty",
    "afgebroken.pdf": "corrupt",
    "willekeurig.pdf": "corrupt",
    "willekeurig.docx": "corrupt",
    "onleesbaar.txt": "corrupt",
    f"{NVI_DIR}/lus": "loop",
}


def big_pdf(path: Path) -> Path:
    """2,000 pages of distinct text (identical pages would be dropped as running headers)."""
    rng = random.Random(2000)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in range(1, BIG_PAGES + 1):
        y = 800.0
        lines = [" ".join(rng.choice(WORDS) for _ in range(10)) + "." for _ in range(4)]
        for line in [*lines, MARKER] if number == MARKED_PAGE else lines:
            pdf.drawString(72, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return path


def long_line(n_chars: int) -> str:
    rng = random.Random(1)
    words: list[str] = []
    size = 0
    while size < n_chars:
        words.append(rng.choice(WORDS))
        size += len(words[-1]) + 1
    return " ".join(words)[:n_chars]


def make_folder(root: Path) -> Path:
    root.mkdir()
    good = text_pdf(
        root / "bestek.pdf",
        [[
            "1 Planning",
            "De gemeente Weert koopt ambulante jeugdhulp in voor 2026 tot en met 2029.",
            "De inschrijving sluit op 14 maart 2025 om 12.00 uur.",
        ]],
    )  # fmt: skip
    (root / "brief.md").write_text(
        "# Brief aan de raad\n\nDe nieuwe contracten voor ambulante jeugdhulp gaan in op "
        "1 januari 2026. De raad wordt over de voortgang van de inkoop geïnformeerd.\n",
        encoding="utf-8",
    )
    big_pdf(root / "groot-2000-paginas.pdf")
    (root / "lange-regel.txt").write_text(long_line(1_000_000), encoding="utf-8")  # no newline
    (root / "blob-zonder-spaties.txt").write_text("x" * 1_000_000, encoding="utf-8")
    (root / "windows-1252.txt").write_bytes(
        "Café De Ooievaar: offerte voor één jaar, prijs € 1.250 per maand.".encode("cp1252")
    )
    encrypted_copy(good, root / "versleuteld.pdf", user_password="geheim")
    image_only_pdf(root / "scan.pdf")
    (root / "leeg.pdf").write_bytes(b"")
    data = good.read_bytes()
    (root / "afgebroken.pdf").write_bytes(data[: len(data) // 2])
    noise = random.Random(7).randbytes(8192)
    (root / "willekeurig.pdf").write_bytes(noise)
    (root / "willekeurig.docx").write_bytes(noise)
    # no NUL byte, so it does not look binary at first sight; yet neither UTF-8 nor cp1252
    (root / "onleesbaar.txt").write_bytes(bytes(b for b in random.Random(8).randbytes(8192) if b))
    nvi = root / NVI_DIR
    nvi.mkdir(parents=True)
    (nvi / NVI_NAME).write_text(
        "Vraag 1: Wanneer is de gunning van perceel 2 voorzien?\n"
        "Antwoord: de voorlopige gunning van perceel 2 is voorzien in februari 2025.\n",
        encoding="utf-8",
    )
    os.symlink(nvi.parent, nvi / "lus")  # ü/lus -> its parent folder: a loop
    return root


@dataclass(frozen=True)
class Ingested:
    root: Path
    data: Path
    first: dict[str, Any]
    second: dict[str, Any]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    base = tmp_path_factory.mktemp("bad-corpus")
    root = make_folder(base / "dump").resolve()  # the report names files by their real path
    data = base / "data"
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        reports = []
        for _ in range(2):
            code, out = run(
                "ingest", root, "--data-dir", data, "--json", "--visibility", "openbaar"
            )
            assert code == EXIT_OK, out
            reports.append(json.loads(out))
    return Ingested(root, data, *reports)


@pytest.fixture(scope="module")
def assistant(ingested: Ingested) -> Assistant:
    return Assistant(Settings(data_dir=ingested.data, embedding_model="hashing"))


def relative(ingested: Ingested, source: str) -> str:
    """A reported path relative to the folder (reports name files relative to the cwd)."""
    return (Path.cwd() / source).relative_to(ingested.root).as_posix()


def outcomes(ingested: Ingested, report: dict[str, Any]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for problem in report["problems"]:
        name = relative(ingested, problem["path"])
        assert name not in found, f"{name} reported twice"
        found[name] = problem["reason"]
    for source in report["added"] + report["unchanged"]:
        found[relative(ingested, source)] = None
    return found


def test_every_bad_file_has_its_own_reason_and_the_rest_is_ingested(ingested: Ingested) -> None:
    report = ingested.first
    for name, reason in sorted(outcomes(ingested, report).items()):
        print(f"{name:45} {reason or 'ingested'}")
    assert outcomes(ingested, report) == EXPECTED
    assert sorted(relative(ingested, s) for s in report["added"]) == sorted(
        name for name, reason in EXPECTED.items() if reason is None
    )
    for problem in report["problems"]:  # each line says which file and what to do
        assert Path(problem["path"]).name in problem["message"]
    assert report["notes"] == ["windows-1252.txt: not valid UTF-8; read as Windows-1252"]


def test_a_second_ingest_is_a_no_op(ingested: Ingested, assistant: Assistant) -> None:
    again = ingested.second
    assert again["added"] == again["replaced"] == again["removed"] == []
    assert again["chunks_added"] == again["chunks_removed"] == again["repaired"] == 0
    assert sorted(again["unchanged"]) == sorted(ingested.first["added"])
    assert outcomes(ingested, again) == EXPECTED  # the bad files are reported again
    assert assistant.index.count() == ingested.first["chunks_added"]


def test_the_2000_page_pdf_is_stored_page_by_page_and_searchable(assistant: Assistant) -> None:
    (record,) = [d for d in assistant.documents() if d.source.endswith("groot-2000-paginas.pdf")]
    assert record.pages == BIG_PAGES
    assert record.chunks > BIG_PAGES * 40 // chunk_settings(assistant.settings).max_words
    assert assistant.index.page_text(record.doc_id, BIG_PAGES)
    (top, *_) = assistant.search("ZEBRAPAD boete vertraging", k=3)
    assert top.chunk.doc_id == record.doc_id
    assert top.chunk.page <= MARKED_PAGE <= top.chunk.page_end
    assert "750 euro per dag" in (assistant.index.page_text(record.doc_id, MARKED_PAGE) or "")


def test_passages_stay_bounded_for_a_1_mb_line(assistant: Assistant) -> None:
    cfg = chunk_settings(assistant.settings)
    most_words = cfg.max_words + cfg.min_words
    for name, expected in (("lange-regel.txt", 1_000_000 // 12), ("blob-zonder-spaties.txt", 40)):
        chunks = [c for c in assistant.index.all_chunks() if c.source.endswith(name)]
        assert len(chunks) > expected * 0.9 // cfg.target_words, name  # all of it, in pieces
        for chunk in chunks:
            assert len(chunk.text.split()) <= most_words
            assert len(chunk.text) <= most_words * (MAX_WORD_CHARS + 1)


def test_the_good_files_answer_questions(assistant: Assistant) -> None:
    answer = assistant.ask("Wanneer sluit de inschrijving?")
    assert not answer.refused and "14 maart 2025" in answer.answer
    assert answer.citations[0].source.endswith("bestek.pdf")

    answer = assistant.ask("Wanneer is de gunning van perceel 2 voorzien?")
    assert not answer.refused and "februari 2025" in answer.answer
    assert answer.citations[0].source.endswith(f"{NVI_DIR.as_posix()}/{NVI_NAME}")

    answer = assistant.ask("Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?")
    assert "1 januari 2026" in answer.answer


def test_the_windows_1252_file_is_decoded(assistant: Assistant) -> None:
    (top, *_) = assistant.search("offerte Ooievaar prijs per maand", k=1)
    assert top.chunk.source.endswith("windows-1252.txt")
    assert "Café De Ooievaar" in top.chunk.text and "€ 1.250" in top.chunk.text
