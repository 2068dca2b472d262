"""Questions that compare municipalities, and letters grouped into one dossier."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LETTERS

from assistant.answer.compare import combine
from assistant.answer.compose import direct_answer
from assistant.models import Answer, Citation
from assistant.question import named_gemeenten, read_question
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.extract import dossier_key, with_dossier


def cite(key: int, source: str) -> Citation:
    return Citation(key, source, "Brief", 1, "", "", f"zin {key}", 0.5)


def test_named_gemeenten_in_question_order_any_case() -> None:
    known = ["Maasgouw", "Weert", "Roermond"]
    q = "Wat verschilt tussen de brief van weert en die van Maasgouw?"
    assert named_gemeenten(q, known) == ["Weert", "Maasgouw"]
    assert named_gemeenten("Weertse zaken in Maasgouw", known) == ["Maasgouw"]
    assert read_question(q, known).per_gemeente() == "Wat de brief van ?"


def test_combine_groups_per_gemeente_and_renumbers() -> None:
    weert = direct_answer("q", [cite(1, "w.txt")], ["A [1]"], short="1 januari 2026")
    maasgouw = direct_answer("q", [cite(1, "m.txt"), cite(2, "m.txt")], ["B [1]", "C [2]"])
    assert maasgouw.answer == "Volgens de documenten:\n- B [1]\n- C [2]"
    # the composer's lines are regrouped (a short answer in front is left out), not parsed
    got = combine("q", [("Weert", weert), ("Maasgouw", maasgouw)])
    assert got.answer == "Weert: A [1]\nMaasgouw:\n- B [2]\n- C [3]"
    assert [(c.key, c.source) for c in got.citations] == [(1, "w.txt"), (2, "m.txt"), (3, "m.txt")]

    refused = Answer("q", "Dit staat niet ...", True)
    half = combine("q", [("Weert", weert), ("Maasgouw", refused)])
    assert not half.refused and half.answer.startswith("Weert: A [1]\nMaasgouw: hierover")
    assert combine("q", [("Weert", refused)]).refused


def test_dossier_key_groups_spellings() -> None:
    key = "inkoopstrategie ambulante jeugdhulp midden limburg"
    assert dossier_key("Inkoopstrategie Ambulante Jeugdhulp Midden-Limburg") == key
    assert dossier_key("  inkoopstrategie ambulante jeugdhulp, Midden Limburg.") == key
    assert with_dossier({"gemeente": "Weert"}) == {"gemeente": "Weert"}  # no onderwerp: none
    given = {"dossier": "eigen"}  # a sidecar that names the dossier wins
    assert with_dossier({"onderwerp": "X", **given}, given)["dossier"] == "eigen"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    a = Assistant(Settings(data_dir=tmp_path_factory.mktemp("compare"), embedding_model="hashing"))
    report = a.ingest([LETTERS], visibility="openbaar")
    assert report.indexed == 2, report.to_dict()
    return a


def test_weert_and_maasgouw_letters_share_a_dossier(assistant: Assistant) -> None:
    dossiers = {Path(d.source).name[:5]: d.metadata.get("dossier") for d in assistant.documents()}
    assert dossiers == {
        "maasg": "inkoopstrategie ambulante jeugdhulp midden limburg",
        "weert": "inkoopstrategie ambulante jeugdhulp midden limburg",
    }


@pytest.mark.parametrize(
    "question",
    [
        "Wat verschilt tussen de brief van Weert en die van Maasgouw?",
        "Wanneer is de gunning in Maasgouw en in Weert?",
    ],
)
def test_comparison_cites_each_gemeente(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)

    assert not answer.refused
    cited = {Path(c.source).name.split("-")[0] for c in answer.citations}
    assert cited == {"weert", "maasgouw"}
    lines = [line for line in answer.answer.splitlines() if not line.startswith(("-", " "))]
    assert [line.split(":")[0] for line in lines] == named_gemeenten(
        question, ["Weert", "Maasgouw"]
    )
    assert [c.key for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_single_gemeente_question_is_unchanged(assistant: Assistant) -> None:
    question = "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp in Weert?"
    answer = assistant.ask(question)
    assert "Volgens de documenten" in answer.answer and ":" not in answer.answer.split()[0]
    assert answer == assistant.answerer.answer(question, assistant.search(question))
