"""Reciprocal rank fusion and Dutch BM25: hand-computed values, stemming, filters, the cache."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from index.fusion import reciprocal_rank_fusion, zscore_fusion
from index.lexical import BM25Index, fingerprint, load_or_build
from index.tokens import tokenize
from ingest.models import Chunk

# --- reciprocal rank fusion -------------------------------------------------------------------


def test_rrf_matches_a_hand_computed_example() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)
    assert [item for item, _ in fused] == ["b", "a", "d", "c"]
    scores = dict(fused)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["d"] == pytest.approx(1 / 62)
    assert scores["c"] == pytest.approx(1 / 63)


def test_rrf_weights_scale_each_ranking() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b", "a"]], weights=[1.0, 0.5], k=10))
    assert fused["a"] == pytest.approx(1 / 11 + 0.5 / 12)
    assert fused["b"] == pytest.approx(1 / 12 + 0.5 / 11)
    assert fused["a"] > fused["b"]  # the heavier ranking's winner wins
    zero = reciprocal_rank_fusion([["a"], ["b"]], weights=[0.0, 1.0], k=1)
    assert zero == [("b", pytest.approx(0.5)), ("a", 0.0)]


def test_rrf_breaks_ties_by_id_and_is_deterministic() -> None:
    fused = reciprocal_rank_fusion([["y", "x"], ["x", "y"]])
    assert [item for item, _ in fused] == ["x", "y"]
    assert fused[0][1] == fused[1][1]
    assert reciprocal_rank_fusion([["z"], ["a"]]) == [("a", 1 / 61), ("z", 1 / 61)]


def test_rrf_edge_cases() -> None:
    assert reciprocal_rank_fusion([]) == []
    assert reciprocal_rank_fusion([[], []]) == []
    assert reciprocal_rank_fusion([["a", "b"]], k=0) == [("a", 1.0), ("b", 0.5)]
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


def test_zscore_a_single_lexical_hit_beats_what_only_the_dense_side_found() -> None:
    # A word in one passage only: its lone BM25 score has no spread, yet it must count.
    dense = {"x": 0.9, "y": 0.5, "z": 0.1}
    fused = zscore_fusion([{"hit": 7.3}, dense], weights=[1.0, 0.3])
    assert fused[0][0] == "hit"
    tied = zscore_fusion([{"a": 2.0, "b": 2.0}, {"c": 0.4, "d": 0.2}], weights=[1.0, 0.3])
    assert [item for item, _ in tied][:2] == ["a", "b"]


# --- Dutch tokenizer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("contracten", "contract"),
        ("tarieven", "tarief"),
        ("aanbieders", "aanbieder"),
        ("aanbestedingen", "aanbesteding"),
        ("prijzen", "prijs"),
        ("voorwaarden", "voorwaarde"),
    ],
)
def test_inflections_share_a_stem(a: str, b: str) -> None:
    assert tokenize(a) == tokenize(b) and len(tokenize(a)) == 1


@pytest.mark.parametrize(("a", "b"), [("gemeente", "mening"), ("gemeente", "menen")])
def test_unrelated_words_keep_apart(a: str, b: str) -> None:
    # Snowball's plain "dutch" stemmer strips "ge-" and makes all of these "meen".
    assert tokenize(a) != tokenize(b)


def test_tokenize_drops_stopwords_and_keeps_numbers() -> None:
    tokens = tokenize("De gemeente en het Contract van 2026 in artikel 2.7 kost 12,50 euro; a 7")
    for stop in ("de", "en", "het", "van", "in", "a"):
        assert stop not in tokens
    for number in ("2026", "2.7", "12,50", "7"):
        assert number in tokens
    assert tokenize("Contract") == tokenize("contract")
    assert tokenize("de het een van") == []
    assert tokenize("") == []


def test_tokenize_indexes_the_parts_of_hyphenated_words() -> None:
    tokens = tokenize("het geld-volgt-klant model")
    for part in ("geld", "klant"):
        assert tokenize(part)[0] in tokens
    assert tokenize("zorgaanbieder’s") == tokenize("zorgaanbieder's")


# --- BM25 -------------------------------------------------------------------------------------


def chunk(cid: str, text: str, doc_id: str = "d1") -> Chunk:
    return Chunk(
        cid, doc_id, f"{doc_id}.txt", f"Titel {doc_id}", text, 1, 1, "", "", 0, len(text), 0
    )


PASSAGES = [
    chunk("c1", "De gemeente koopt ambulante jeugdhulp in voor de regio.", "jeugd"),
    chunk("c2", "Het tarief voor jeugdhulp wordt jaarlijks geïndexeerd.", "jeugd"),
    chunk("c3", "Zorgaanbieders doen een beroep op de hardheidsclausule.", "ggz"),
    chunk("c4", "De gemeente publiceert het tarief voor de Wmo.", "wmo"),
    chunk("c5", "De gemeente stelt de contracten voor de Wmo vast.", "wmo"),
]


@pytest.fixture(scope="module")
def bm25() -> BM25Index:
    return BM25Index(PASSAGES)


def test_bm25_ranks_the_passage_with_the_rare_word_first(bm25: BM25Index) -> None:
    hits = bm25.search("gemeente hardheidsclausule", 5)
    assert hits[0][0].chunk_id == "c3"
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert all(s > 0 for _, s in hits)
    assert {c.chunk_id for c, _ in hits} == {"c1", "c3", "c4", "c5"}  # no zero-score padding


def test_bm25_matches_inflected_forms(bm25: BM25Index) -> None:
    assert bm25.search("contract", 1)[0][0].chunk_id == "c5"
    assert bm25.search("tarieven jeugdhulp", 1)[0][0].chunk_id == "c2"


def test_bm25_allowed_restricts_to_documents(bm25: BM25Index) -> None:
    hits = bm25.search("gemeente tarief hardheidsclausule", 5, allowed={"wmo"})
    assert {c.doc_id for c, _ in hits} == {"wmo"}
    assert bm25.search("hardheidsclausule", 5, allowed={"jeugd"}) == []
    assert bm25.search("hardheidsclausule", 5, allowed=set()) == []
    assert bm25.search("hardheidsclausule", 5, allowed={"onbekend", "ggz"})[0][0].chunk_id == "c3"


def test_bm25_returns_nothing_for_unknown_or_stop_words(bm25: BM25Index) -> None:
    assert bm25.search("parkeervergunning", 5) == []
    assert bm25.search("de het een", 5) == []
    assert BM25Index([]).search("gemeente", 5) == []


def test_idf_of_an_unknown_word_is_the_highest(bm25: BM25Index) -> None:
    vocab = {t for c in PASSAGES for t in tokenize(c.context)}
    unknown = bm25.idf("parkeervergunning")
    assert bm25.doc_freq("parkeervergunning") == 0
    assert all(unknown > bm25.idf(t) for t in vocab)
    gemeente, rare = tokenize("gemeente")[0], tokenize("hardheidsclausule")[0]
    assert bm25.doc_freq(gemeente) == 3 and bm25.doc_freq(rare) == 1
    assert bm25.idf(rare) > bm25.idf(gemeente)


def test_bm25_indexes_title_and_heading_context() -> None:
    titled = Chunk(
        "t1",
        "d9",
        "d9.txt",
        "Inkoopbeleid GGZ",
        "De procedure staat hieronder.",
        1,
        1,
        "6",
        "6 Inkoopprocedure",
        0,
        10,
        0,
    )
    index = BM25Index([titled, *PASSAGES])
    assert index.search("inkoopbeleid", 1)[0][0].chunk_id == "t1"
    assert index.search("inkoopprocedure", 1)[0][0].chunk_id == "t1"


# --- the on-disk cache ------------------------------------------------------------------------


def _never() -> list[Chunk]:
    raise AssertionError("the cache should have been used")


def test_load_or_build_caches_and_reuses(tmp_path: Path) -> None:
    key = fingerprint(["jeugd", "wmo", "ggz"], "hashing|w90|1")
    assert key == fingerprint(["ggz", "wmo", "jeugd"], "hashing|w90|1")  # order-free
    assert key != fingerprint(["jeugd", "wmo"], "hashing|w90|1")
    assert key != fingerprint(["jeugd", "wmo", "ggz"], "bundled|w90|1")

    built = load_or_build(tmp_path, key, PASSAGES)
    assert [p.name for p in tmp_path.iterdir()] == [f"bm25-{key}.pkl"]
    cached = load_or_build(tmp_path, key, loader=_never)
    assert [c.chunk_id for c in cached.chunks] == [c.chunk_id for c in built.chunks]
    assert cached.search("hardheidsclausule", 1)[0][0].chunk_id == "c3"

    other = fingerprint(["jeugd"], "hashing|w90|1")
    rebuilt = load_or_build(tmp_path, other, loader=lambda: PASSAGES[:2])
    assert len(rebuilt.chunks) == 2
    assert [p.name for p in tmp_path.iterdir()] == [f"bm25-{other}.pkl"]  # the stale one is gone


def test_a_broken_cache_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "bm25-k.pkl").write_bytes(b"geen pickle")
    with caplog.at_level(logging.WARNING, logger="index.lexical"):
        index = load_or_build(tmp_path, "k", loader=lambda: PASSAGES)
    assert len(index.chunks) == len(PASSAGES) and "rebuilding" in caplog.text
    with (tmp_path / "bm25-k.pkl").open("rb") as fh:
        assert isinstance(pickle.load(fh), BM25Index)
    (tmp_path / "bm25-k.pkl").write_bytes(pickle.dumps({"not": "an index"}))
    assert len(load_or_build(tmp_path, "k", PASSAGES[:1]).chunks) == 1


def test_without_a_cache_dir_nothing_is_written(tmp_path: Path) -> None:
    index = load_or_build(None, "k", PASSAGES)
    assert len(index.chunks) == len(PASSAGES)
    assert list(tmp_path.iterdir()) == []
