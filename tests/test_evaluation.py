"""`inkoop eval`: every metric can pass and fail on hand-made cases; both input formats load."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from conftest import ROOT
from helpers_grounding import ReplayChat
from helpers_llm import StubServer

from assistant.measure.evaluation import (
    EvalInputError,
    load_cases,
    run_answerers,
    source_filter,
)
from assistant.measure.report import format_comparison, format_table
from assistant.measure.scoring import (
    CaseResult,
    EvalCase,
    Expected,
    Passage,
    answer_contains_rate,
    answer_metrics,
    citation_verification_rate,
    contains_all,
    dominant_section,
    first_hit_rank,
    macro_recall,
    mean_reciprocal_rank,
    page_hit_rate,
    recall_at,
    refusal_scores,
    section_contains,
    source_matches,
    summarize,
    without_section,
)
from assistant.measure.stats import percentile
from assistant.models import Answer, Citation, with_note
from assistant.prompts import FALLBACK, REFUSAL
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.cli import main
from assistant.verify.citations import normalize_ws

GGZ = "zk_Inkoopbeleid-GGZ-2024-2026.pdf"


def passage(section: str, source: str = f"/corpus/pdf/{GGZ}", page: int = 1, end: int = 1):
    return Passage(source=source, section=section, page=page, page_end=end)


def case(section: str | None = "2.7", source: str = GGZ, page: int | None = None) -> EvalCase:
    return EvalCase("vraag?", (Expected(source, section, page),))


def ranked_hit(rank: int | None, section: str = "2.7", depth: int = 10) -> CaseResult:
    """A result whose only passage in `section` sits at `rank` (None: nowhere)."""
    passages = [passage("9.9") for _ in range(depth)]
    if rank is not None:
        passages[rank - 1] = passage(section + ".1")
    return CaseResult(case(section), tuple(passages))


def answer(refused: bool, text: str = "", citations: tuple[Citation, ...] = ()) -> Answer:
    return Answer("vraag?", text or ("weet ik niet" if refused else "antwoord"), refused, citations)


# --- relevance ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "hit"),
    [
        ("2.7", True),
        ("2.7.3", True),
        ("2.7.3.1", True),
        ("2.7.", True),
        ("2.70", False),
        ("2", False),
        ("2.6", False),
        ("12.7", False),
        ("", False),
    ],
)
def test_section_containment(actual: str, hit: bool) -> None:
    assert section_contains("2.7", actual) is hit


def test_empty_expected_section_matches_nothing() -> None:
    assert not section_contains("", "2.7")


@pytest.mark.parametrize(
    ("pattern", "source", "hit"),
    [
        (GGZ, f"/work/shared/corpus/pdf/{GGZ}", True),
        ("zk_Inkoopbeleid-GGZ*", f"corpus/{GGZ}", True),
        ("zk_Inkoopbeleid-GGZ*", "corpus/zk_Inkoopbeleid-GZ-2024-2026.pdf", False),
        ("zk_NvI*", f"corpus/{GGZ}", False),
        ("*/pdf/*.pdf", f"/work/shared/corpus/pdf/{GGZ}", True),
    ],
)
def test_source_glob_matches_the_base_name(pattern: str, source: str, hit: bool) -> None:
    assert source_matches(pattern, source) is hit


def test_a_hit_needs_the_right_source_too() -> None:
    other_doc = CaseResult(case("2.7"), (passage("2.7", source="/x/zk_NvI-GGZ-2024-2026.pdf"),))
    assert first_hit_rank(other_doc) is None
    assert first_hit_rank(CaseResult(case("2.7"), (passage("2.7"),))) == 1


# --- ranking metrics -----------------------------------------------------------------------


def test_recall_at_k_counts_the_first_hit_within_k() -> None:
    results = [ranked_hit(1), ranked_hit(3), ranked_hit(7), ranked_hit(None)]
    assert [first_hit_rank(r) for r in results] == [1, 3, 7, None]
    assert recall_at(results, 1) == 0.25
    assert recall_at(results, 5) == 0.5
    assert recall_at(results, 10) == 0.75


def test_cases_without_a_section_are_not_scored() -> None:
    unscored = CaseResult(EvalCase("vraag?"), (passage("2.7"),))
    assert recall_at([unscored], 5) is None
    assert recall_at([unscored, ranked_hit(None)], 5) == 0.0


def test_mrr_averages_reciprocal_first_ranks() -> None:
    results = [ranked_hit(1), ranked_hit(4), ranked_hit(None)]
    assert mean_reciprocal_rank(results) == pytest.approx((1 + 1 / 4 + 0) / 3)
    assert mean_reciprocal_rank([ranked_hit(1)]) == 1.0
    assert mean_reciprocal_rank([ranked_hit(None)]) == 0.0
    assert mean_reciprocal_rank([ranked_hit(4)], depth=3) == 0.0


def test_macro_recall_weighs_each_section_once() -> None:
    results = [
        ranked_hit(1, "2.7"),
        ranked_hit(2, "2.7"),
        ranked_hit(None, "2.7"),
        ranked_hit(None, "6.1"),
    ]
    assert recall_at(results, 5) == 0.5
    assert macro_recall(results, 5) == pytest.approx((2 / 3 + 0) / 2)
    assert macro_recall([ranked_hit(1, "2.7"), ranked_hit(1, "6.1")], 5) == 1.0


def test_recall_without_the_dominant_section() -> None:
    results = [ranked_hit(1, "2.7"), ranked_hit(1, "2.7"), ranked_hit(None, "6.1")]
    assert dominant_section(r.case for r in results) == ("2.7", 2)
    rest = without_section(results, "2.7")
    assert len(rest) == 1
    assert recall_at(rest, 5) == 0.0
    assert summarize(results).recall_at_5_without_dominant == 0.0
    results[-1] = ranked_hit(2, "6.1")
    assert summarize(results).recall_at_5_without_dominant == 1.0


def test_page_hit_uses_the_page_span_and_the_source() -> None:
    expected = case(section=None, page=12)
    spanning = CaseResult(expected, (passage("", page=11, end=12),))
    elsewhere = CaseResult(expected, (passage("", page=13, end=14),))
    wrong_doc = CaseResult(expected, (passage("", source="/x/other.pdf", page=12, end=12),))
    too_deep = CaseResult(expected, (*[passage("", page=1)] * 5, passage("", page=12, end=12)))
    assert page_hit_rate([spanning]) == 1.0
    assert page_hit_rate([elsewhere, wrong_doc, too_deep]) == 0.0
    assert page_hit_rate([ranked_hit(1)]) is None  # no page given


# --- answer metrics ------------------------------------------------------------------------


def test_refusal_precision_and_recall() -> None:
    unanswerable = EvalCase("vraag?", answerable=False)
    answerable = EvalCase("vraag?")
    results = [
        CaseResult(unanswerable, (), answer(refused=True)),  # true positive
        CaseResult(unanswerable, (), answer(refused=False)),  # missed refusal
        CaseResult(answerable, (), answer(refused=True)),  # false refusal
        CaseResult(answerable, (), answer(refused=False)),
    ]
    assert refusal_scores(results) == (0.5, 0.5)
    assert refusal_scores(results[:1]) == (1.0, 1.0)
    assert refusal_scores(results[2:]) == (0.0, None)
    assert refusal_scores([CaseResult(unanswerable, ())]) == (None, None)  # not asked


def test_answer_contains_is_case_and_whitespace_insensitive() -> None:
    assert contains_all("Op 1  januari\n2026 gaan de contracten in.", ["1 Januari 2026", "IN"])
    assert not contains_all("Op 1 januari 2026 gaan de contracten in.", ["2026", "2027"])
    wanted = EvalCase("vraag?", answer_contains=("1 januari 2026",))
    results = [
        CaseResult(wanted, (), answer(False, "Per 1 januari 2026.")),
        CaseResult(wanted, (), answer(True)),
        CaseResult(EvalCase("vraag?"), (), answer(False)),  # nothing to check
    ]
    assert answer_contains_rate(results) == 0.5
    assert answer_contains_rate(results[2:]) is None


def test_citation_rate_checks_each_quote_on_its_page() -> None:
    pages = {("d1", 3): "De tarieven worden\njaarlijks geïndexeerd. Meer tekst."}

    def cite(key: int, quote: str, page: int = 3) -> Citation:
        return Citation(key, "x.pdf", "X", page, "2.7", "", quote, 1.0, doc_id="d1")

    good = answer(False, citations=(cite(1, "tarieven worden jaarlijks geïndexeerd"),))
    bad = answer(False, citations=(cite(1, "niet op de pagina"), cite(2, "Meer tekst.", page=4)))
    page_text = lambda doc_id, page: pages.get((doc_id, page))  # noqa: E731
    assert citation_verification_rate([good], page_text) == 1.0
    assert citation_verification_rate([bad], page_text) == 0.0
    assert citation_verification_rate([good, bad], page_text) == pytest.approx(1 / 3)
    assert citation_verification_rate([answer(True)], page_text) is None


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([300.0, 100.0, 1000.0, 200.0], 50) == 250.0
    assert percentile([100.0, 200.0, 300.0, 1000.0], 95) == pytest.approx(895.0)


def test_answer_metrics_count_refusals_fallbacks_and_latency() -> None:
    pages = {("d1", 3): "Op 1 januari 2026 gaan de contracten in."}
    cite = Citation(1, "x.pdf", "X", 3, "", "", "Op 1 januari 2026 gaan", 1.0, doc_id="d1")
    wanted = EvalCase("vraag?", answer_contains=("1 januari 2026",))
    fallback = replace(
        with_note(answer(False, "Op 1 januari 2026.", (cite,)), f"weg; {FALLBACK}", first=True),
        mode="fallback",
    )
    results = [
        CaseResult(wanted, (), answer(False, "Per 1 januari 2026 [1].", (cite,)), 0.0, 0.1),
        CaseResult(wanted, (), fallback, 0.0, 0.2),
        CaseResult(wanted, (), answer(True), 0.0, 0.3),
        CaseResult(EvalCase("vraag?", answerable=False), (), answer(True), 0.0, 1.0),
        CaseResult(wanted, ()),  # not asked: not counted
    ]
    m = answer_metrics(results, lambda d, p: pages.get((d, p)))
    assert (m.asked, m.contains_cases, m.refused, m.fallbacks, m.citations) == (4, 3, 2, 1, 2)
    assert m.answer_contains == pytest.approx(2 / 3)
    assert (m.refusal_rate, m.fallback_rate, m.citation_verified) == (0.5, 0.25, 1.0)
    assert (m.mean_ms, m.p50_ms) == (pytest.approx(400.0), pytest.approx(250.0))
    assert m.p95_ms == pytest.approx(895.0)
    empty = answer_metrics([CaseResult(wanted, ())], lambda d, p: None)
    assert empty.asked == 0 and empty.refusal_rate is empty.p95_ms is None

    table = format_comparison({"extractive": empty, "generative": m}).splitlines()
    assert table[0].split() == ["extractive", "generative"]
    assert table[2].split() == ["answer", "contains", "-", "0.667", "(2/3)"]
    assert table[3].split() == ["refused", "-", "0.500", "(2/4)"]
    assert table[5].split() == ["fell", "back", "to", "extractive", "-", "0.250", "(1/4)"]
    assert table[-1].split() == ["answer", "ms,", "p95", "-", "895"]


def test_summary_skips_what_was_not_measured() -> None:
    m = summarize([ranked_hit(1), ranked_hit(3), ranked_hit(7), ranked_hit(None)], k=5)
    assert (m.recall_at_1, m.recall_at_5, m.recall_at_10) == (0.25, 0.5, None)
    assert m.asked == 0
    assert m.refusal_precision is m.answer_contains is m.citation_verified is None
    table = format_table(m)
    assert "R@5" in table and "0.500" in table and "0.250" in table
    assert json.loads(json.dumps(m.to_dict()))["recall_at_10"] is None


# --- input ---------------------------------------------------------------------------------


OURS = [
    {
        "question": "Welke opslag krijgen kleine aanbieders?",
        "expected": [{"source": "tarieven.md", "section": "2.7", "page": None}],
        "answer_contains": ["vijf procent"],
    },
    {"question": "Wat kost een parkeervergunning?", "answerable": False},
]


def test_load_our_format_from_json_and_jsonl(tmp_path: Path) -> None:
    as_json = tmp_path / "cases.json"
    as_json.write_text(json.dumps(OURS), encoding="utf-8")
    as_jsonl = tmp_path / "cases.jsonl"
    as_jsonl.write_text("\n".join(json.dumps(c) for c in OURS) + "\n\n", encoding="utf-8")
    for path in (as_json, as_jsonl):
        first, second = load_cases(path)
        assert first == EvalCase(
            "Welke opslag krijgen kleine aanbieders?",
            (Expected("tarieven.md", "2.7", None),),
            True,
            ("vijf procent",),
        )
        assert second == EvalCase("Wat kost een parkeervergunning?", (), False, ())


def test_load_nvi_list_with_its_source(tmp_path: Path) -> None:
    path = tmp_path / "nvi.json"
    nvi = [
        {"section": "2.7", "question": "Hoe is het tarief bepaald?", "answer": "Zie 2.7."},
        {"section": "", "question": "Kan het format anders?", "answer": "Nee."},
    ]
    path.write_text(json.dumps(nvi), encoding="utf-8")
    tariff, general = load_cases(path, source=GGZ)
    assert tariff.expected == (Expected(GGZ, "2.7"),)
    assert general.expected == () and general.answerable
    with pytest.raises(EvalInputError, match="--source"):
        load_cases(path)


def test_the_real_nvi_list_loads() -> None:
    path = ROOT.parent / "shared" / "eval" / "zk_NvI-GGZ-2024-2026.json"
    if not path.is_file():
        pytest.skip("../shared/eval is not present")
    cases = load_cases(path, source=GGZ)
    assert len(cases) == 202
    assert dominant_section(cases) == ("2.7", 95)


def test_the_corpus_case_file_loads() -> None:
    cases = load_cases(ROOT / "tests" / "golden" / "eval-corpus.jsonl")
    assert len(cases) == 10
    assert all(c.answerable and c.answer_contains and c.expected for c in cases)
    for c in cases:  # every case names a document of corpus/
        (pattern,) = {e.source for e in c.expected}
        assert any(source_matches(pattern, p.name) for p in (ROOT / "corpus").rglob("*.*"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "cannot read"),
        ("[]", "no cases"),
        ('[{"question": ""}]', "question"),
        ('[{"question": "q", "answerable": "nee"}]', "answerable"),
        ('[{"question": "q", "expected": [{"section": "2.7"}]}]', "source"),
        ('[{"question": "q", "expected": [{"source": "a.pdf", "section": 2.1}]}]', "string"),
        ('[{"question": "q", "expected": [{"source": "a.pdf", "page": "3"}]}]', "page"),
    ],
)
def test_bad_input_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvalInputError, match=message):
        load_cases(path)


def test_source_filter_restricts_and_excludes() -> None:
    sources = [f"/c/{GGZ}", "/c/zk_NvI-GGZ-2024-2026.pdf", "/c/wet.md"]
    assert source_filter(sources) is None
    assert source_filter(sources, exclude=["zk_NvI*"]) == {
        "source": {"$nin": ["/c/zk_NvI-GGZ-2024-2026.pdf"]}
    }
    assert source_filter(sources, restrict=["zk_*"], exclude=["zk_NvI*"]) == {
        "source": {"$in": [f"/c/{GGZ}"]}
    }
    with pytest.raises(EvalInputError, match="no indexed document"):
        source_filter(sources, restrict=["nothing*"])


# --- end to end ----------------------------------------------------------------------------

SECTIONED = """# Inkoopbeleid proef

## 1 Inleiding

Dit beleid beschrijft hoe de gemeente ambulante jeugdhulp inkoopt bij zorgaanbieders.

## 2 Bekostiging

### 2.7 Tarieven

De tarieven worden jaarlijks geïndexeerd met de OVA-index.

### 2.7.3 Opslag voor kleine aanbieders

Kleine aanbieders met minder dan tien cliënten ontvangen een opslag van vijf procent.
"""

E2E_CASES = [
    {
        "question": "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?",
        "expected": [{"source": "*-rib-*", "section": None, "page": 1}],
        "answer_contains": ["1 januari 2026"],
    },
    OURS[0],
    {"question": "Wat kost een parkeervergunning in Weert?", "answerable": False},
]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INKOOP_EMBEDDING_MODEL", "hashing")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tarieven.md").write_text(SECTIONED, encoding="utf-8")
    data = tmp_path / "data"
    argv = ["ingest", str(ROOT / "corpus" / "raadsinformatiebrieven"), str(docs)]
    argv += ["--visibility", "openbaar"]
    assert main([*argv, "--data-dir", str(data), "--no-progress"], out=StringIO()) == 0
    return data


def _eval(data: Path, cases: Path, *extra: str) -> tuple[int, str]:
    out = StringIO()
    code = main(["eval", str(cases), "--data-dir", str(data), "--no-progress", *extra], out=out)
    return code, out.getvalue()


def test_eval_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(E2E_CASES), encoding="utf-8")
    metrics_path = tmp_path / "out" / "metrics.json"
    code, printed = _eval(data_dir, cases, "--ask", "--json", str(metrics_path))
    assert code == 0
    assert "R@5" in printed and "refusal recall" in printed
    m = json.loads(metrics_path.read_text(encoding="utf-8"))
    assert m["cases"] == 3 and m["section_cases"] == 1
    assert m["recall_at_1"] == 1.0 and m["mrr_at_10"] == 1.0
    assert m["page_hit_at_5"] == 1.0
    assert m["refusal_precision"] == 1.0 and m["refusal_recall"] == 1.0
    assert m["answer_contains"] == 1.0
    assert m["citations"] >= 2 and m["citation_verified"] == 1.0

    rows = [json.loads(line) for line in (tmp_path / "out" / "metrics-cases.jsonl").open()]
    assert [r["question"] for r in rows] == [c["question"] for c in E2E_CASES]
    assert rows[1]["hit_rank"] == 1
    assert rows[1]["passages"][0]["source"] == "tarieven.md"
    assert rows[1]["passages"][0]["section"] == "2.7.3"
    assert rows[2]["refused"] is True and rows[2]["citations"] == []
    assert all(c["verified"] for c in rows[0]["citations"])
    assert len(rows[0]["passages"]) <= 5 and len(rows[0]["passages"][0]["text"]) <= 200


def test_eval_filters_sources_and_skips_answers_without_ask(data_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in E2E_CASES), encoding="utf-8")
    per_case = tmp_path / "cases-out.jsonl"
    code, _ = _eval(data_dir, cases, "--exclude", "tarieven.md", "--out", str(per_case))
    assert code == 0
    rows = [json.loads(line) for line in per_case.open()]
    assert rows[1]["hit_rank"] is None
    assert all(p["source"] != "tarieven.md" for r in rows for p in r["passages"])
    assert "answer" not in rows[0]

    code, _ = _eval(data_dir, cases, "--restrict-source", "weert-*", "--limit", "1")
    assert code == 0
    rows = [json.loads(line) for line in (data_dir / "eval-cases.jsonl").open()]
    assert len(rows) == 1
    assert {p["source"] for p in rows[0]["passages"]} == {
        "weert-rib-2024-03-19-inkoopstrategie-ambulante-jeugdhulp.txt"
    }


def test_eval_bad_input_is_a_usage_error(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nvi = tmp_path / "nvi.json"
    nvi.write_text(json.dumps([{"section": "2.7", "question": "q?", "answer": "a"}]))
    assert _eval(data_dir, nvi)[0] == 2
    assert "--source" in capsys.readouterr().err
    assert _eval(data_dir, tmp_path / "missing.json")[0] == 2
    assert _eval(data_dir, nvi, "--source", "x.pdf", "--restrict-source", "nothing*")[0] == 2
    assert "no indexed document" in capsys.readouterr().err
    assert _eval(data_dir, nvi, "--source", "x.pdf", "--k", "0")[0] == 2


# --- extractive and generative side by side ---------------------------------------------------

OPSLAG = "Kleine aanbieders met minder dan tien cliënten ontvangen een opslag van vijf procent [1]."


def test_both_answerers_answer_from_the_same_passages(data_dir: Path, tmp_path: Path) -> None:
    chat = ReplayChat(
        "De contracten gaan op 1 januari 2026 in.",  # no citation: the extractive answer instead
        OPSLAG,
        REFUSAL,
    )
    settings = Settings(data_dir=data_dir, embedding_model="hashing")
    assistant = Assistant(settings, chat_model=chat)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(E2E_CASES), encoding="utf-8")
    cases = load_cases(path)
    answerers = {"extractive": assistant.extractive, "generative": assistant.answerer}
    runs = run_answerers(assistant, cases, answerers, progress=False)

    for extractive, generative, prompt in zip(
        runs["extractive"], runs["generative"], chat.prompts, strict=True
    ):
        assert extractive.passages == generative.passages
        for p in generative.passages[: settings.top_k]:  # the model saw the answerer's passages
            assert normalize_ws(p.text)[:80] in normalize_ws(prompt[1].content)
    page_text = assistant.index.page_text
    ext, gen = (answer_metrics(runs[name], page_text) for name in ("extractive", "generative"))
    assert (ext.refused, ext.fallbacks, ext.answer_contains) == (1, 0, 1.0)
    assert (gen.refused, gen.fallbacks, gen.answer_contains) == (1, 1, 1.0)
    assert gen.citation_verified == ext.citation_verified == 1.0
    assert runs["generative"][1].answer is not None
    assert runs["generative"][1].answer.answer == OPSLAG


def stub_reply(body: dict[str, object]) -> str:
    """What a good model says to the three end-to-end questions."""
    prompt = str(body["messages"][-1]["content"])  # type: ignore[index]
    if "parkeervergunning" in prompt:
        return REFUSAL
    if "opslag" in prompt.rpartition("Vraag:")[2]:
        return OPSLAG
    return "De nieuwe contracten gaan in op 1 januari 2026 [1]."


def test_eval_compare_with_an_openai_compatible_backend(data_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(E2E_CASES), encoding="utf-8")
    metrics_path = tmp_path / "out" / "compare.json"
    with StubServer(stub_reply) as stub:
        code, printed = _eval(
            data_dir,
            cases,
            "--compare",
            "--llm-backend",
            "openai",
            "--llm-base-url",
            stub.url,
            "--llm-model",
            "stub",
            "--json",
            str(metrics_path),
        )
    assert code == 0 and len(stub.requests) == 3
    assert "R@5" in printed and "refusal recall" not in printed  # answers only side by side
    header = next(line for line in printed.splitlines() if "extractive" in line.split())
    assert header.split() == ["extractive", "generative"]
    assert "answers from the same passages (generative: openai:stub)" in printed
    m = json.loads(metrics_path.read_text(encoding="utf-8"))
    assert m["recall_at_1"] == 1.0 and m["answer_contains"] is None
    assert m["model"] == "openai:stub"
    for name in ("extractive", "generative"):
        answers = m["answerers"][name]
        assert answers["asked"] == 3 and answers["refused"] == 1
        assert answers["answer_contains"] == 1.0 and answers["citation_verified"] == 1.0
        assert answers["fallbacks"] == 0 and answers["p95_ms"] >= answers["p50_ms"]

    rows = [json.loads(line) for line in (tmp_path / "out" / "compare-cases.jsonl").open()]
    assert "answer" not in rows[0]
    generative = rows[1]["answers"]["generative"]
    assert generative["answer"] == OPSLAG and generative["fell_back"] is False
    assert all(c["verified"] for c in generative["citations"])
    assert rows[2]["answers"]["extractive"]["refused"] is True


def test_eval_compare_without_a_model_is_a_usage_error(
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INKOOP_LLM_BACKEND", raising=False)
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(E2E_CASES), encoding="utf-8")
    assert _eval(data_dir, cases, "--compare")[0] == 2
    assert "--compare needs a language model" in capsys.readouterr().err
