"""`inkoop bench`: ingest and query speed, and memory, measured on real and synthetic indexes.

Targets (checked here, never in tests): ingest <= 1.3x pure embedding; re-ingest <= 0.05x
full ingest; warm ask p50 <= 100 ms and p95 <= 250 ms at 100,000 chunks; peak RSS <= 1.5 GB.
"""

from __future__ import annotations

import json
import logging
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index_setup import manifest_for
from assistant.measure.stats import percentile_or_nan
from assistant.service import Assistant
from assistant.settings import Settings
from index.chroma import ChromaIndex
from index.embedders import Embedder
from index.store import CHROMA_MAX_BATCH, DocumentRecord
from ingest.models import OPENBAAR, Chunk, Page

log = logging.getLogger(__name__)

DEFAULT_QUESTIONS = (
    "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?",
    "Wanneer is de gunning van de aanbesteding?",
    "Wat is het richttariefpercentage voor GGZ zorg?",
    "Tot wanneer kunnen vragen over het inkoopbeleid worden gesteld?",
    "Welke documenten levert een nieuwe zorgaanbieder aan bij de inschrijving?",
    "Wat is de vervaltermijn na publicatie van de nota van inlichtingen?",
    "Hoe werkt de hardheidsclausule voor tariefpercentages?",
    "Wat zijn de uitgangspunten voor de aanbesteding van ambulante jeugdhulp?",
    "Welke eisen gelden voor gecertificeerde instellingen?",
    "Hoe wordt de contracteerruimte verdeeld over zorgaanbieders?",
)


@dataclass
class BenchResult:
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # metric, value, target
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, key: str, label: str, value: float, unit: str = "", target: str = "") -> None:
        self.data[key] = round(value, 4)
        self.rows.append((label, f"{value:.3f}{unit}" if unit != "x" else f"{value:.3f}x", target))

    def table(self) -> str:
        width = max(len(r[0]) for r in self.rows) + 2
        lines = [f"{'metric':<{width}}{'value':>14}  target", "-" * (width + 30)]
        lines += [f"{m:<{width}}{v:>14}  {t}" for m, v, t in self.rows]
        return "\n".join(lines)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[str], object], queries: Sequence[str], rounds: int) -> list[float]:
    for q in queries[:3]:
        fn(q)  # warm-up: model, caches, HNSW pages
    out = []
    for _ in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - t0)
    return out


def bench_ingest(settings: Settings, corpus: Path, result: BenchResult) -> Assistant:
    """Full ingest vs pure embedding of the same chunks, then an unchanged re-ingest."""
    assistant = Assistant(settings)
    assistant.embedder.embed_query("opwarmen")  # model load is not ingest time
    report = assistant.ingest([corpus], visibility=OPENBAAR)  # timed as providers see it
    contexts = [c.context for c in assistant.index.all_chunks()]
    t0 = time.perf_counter()
    for i in range(0, len(contexts), 64):
        assistant.embedder.embed_documents(contexts[i : i + 64])
    pure = time.perf_counter() - t0
    again = assistant.ingest([corpus], visibility=OPENBAAR)
    result.add("chunks", "chunks", len(contexts))
    result.add("ingest_s", "ingest (s)", report.seconds, " s")
    result.add("pure_embed_s", "pure embedding (s)", pure, " s")
    result.add("ingest_ratio", "ingest / pure embedding", report.seconds / pure, "x", "<= 1.3x")
    result.add("reingest_s", "re-ingest unchanged (s)", again.seconds, " s")
    result.add(
        "reingest_ratio", "re-ingest / full ingest", again.seconds / report.seconds, "x", "<= 0.05x"
    )
    result.data["ingest_problems"] = [p.message for p in report.problems]
    return assistant


def bench_queries(
    assistant: Assistant, queries: Sequence[str], label: str, result: BenchResult, rounds: int = 3
) -> None:
    """p50/p95 of search and ask, and the floor: query embedding plus a bare Chroma query."""
    embedder, index = assistant.embedder, assistant.index
    floor = _timed(lambda q: index.query(embedder.embed_query(q), 10), queries, rounds)
    search = _timed(lambda q: assistant.search(q), queries, rounds)
    ask = _timed(lambda q: assistant.ask(q), queries, rounds)
    ms = 1000.0
    result.add(
        f"{label}_floor_p50_ms",
        f"{label}: floor p50 (embed + Chroma)",
        statistics.median(floor) * ms,
        " ms",
    )
    result.add(
        f"{label}_search_p50_ms", f"{label}: search p50", statistics.median(search) * ms, " ms"
    )
    result.add(
        f"{label}_search_p95_ms", f"{label}: search p95", percentile_or_nan(search, 95) * ms, " ms"
    )
    result.add(
        f"{label}_ask_p50_ms",
        f"{label}: ask p50",
        statistics.median(ask) * ms,
        " ms",
        "<= 100 ms at 100k",
    )
    result.add(
        f"{label}_ask_p95_ms",
        f"{label}: ask p95",
        percentile_or_nan(ask, 95) * ms,
        " ms",
        "<= 250 ms at 100k",
    )
    result.add(
        f"{label}_ask_floor_ratio",
        f"{label}: ask p50 / floor p50",
        statistics.median(ask) / statistics.median(floor),
        "x",
    )


def synthetic_index(source: Assistant, size: int, cache: Path, settings: Settings) -> Assistant:
    """An index of `size` chunks made from the corpus: each real chunk repeated with its words
    rotated, its vector the real one plus small noise. Built once, cached under `cache`."""
    embedder: Embedder = source.embedder
    manifest = manifest_for(settings, embedder)
    target = cache / f"synthetic-{size}"
    marker = target / "complete-2.json"  # 2: passages carry a visibility
    if not marker.is_file():
        shutil.rmtree(target, ignore_errors=True)
        base = list(source.index.all_chunks())
        vectors = embedder.embed_documents([c.context for c in base])
        index = ChromaIndex.persistent(target / "chroma", manifest)
        rng = np.random.default_rng(7)
        per_doc = max(1, CHROMA_MAX_BATCH // 2)
        made = 0
        while made < size:
            n = min(per_doc, size - made)
            chunks, pages, vecs = [], [], []
            doc_id = f"synthetic{made:07d}"
            for i in range(n):
                j = (made + i) % len(base)
                words = base[j].text.split()
                shift = ((made + i) // len(base)) % max(1, len(words))
                text = " ".join(words[shift:] + words[:shift])
                chunks.append(
                    Chunk(
                        f"{doc_id}-{i}",
                        doc_id,
                        f"synthetic/{doc_id}.txt",
                        base[j].title,
                        text,
                        i + 1,
                        i + 1,
                        base[j].section,
                        base[j].heading,
                        0,
                        len(text),
                        i,
                        metadata={"visibility": OPENBAAR},  # measured as providers query
                    )
                )
                pages.append(Page(i + 1, text))
                noisy = vectors[j] + rng.normal(0, 0.03, vectors.shape[1])
                vecs.append(noisy / np.linalg.norm(noisy))
            record = DocumentRecord(
                doc_id,
                f"synthetic/{doc_id}.txt",
                "synthetisch",
                "txt",
                n,
                n,
                "bench",
                {"visibility": OPENBAAR},
            )
            index.add_document(record, pages, chunks, np.asarray(vecs, dtype=np.float32))
            made += n
        marker.write_text(json.dumps({"chunks": size}))
    synthetic_settings = settings.model_copy(update={"data_dir": target, "chroma_url": None})
    return Assistant(synthetic_settings, embedder=embedder)


def run_bench(
    settings: Settings,
    corpus: Path,
    queries: Sequence[str] = DEFAULT_QUESTIONS,
    synthetic: int = 100_000,
    cache: Path | None = None,
) -> BenchResult:
    result = BenchResult()
    with tempfile.TemporaryDirectory(prefix="inkoop-bench-") as tmp:
        fresh = settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None})
        assistant = bench_ingest(fresh, corpus, result)
        bench_queries(assistant, queries, "real", result)
        if synthetic > 0:
            cache = cache or settings.data_dir / "bench"
            t0 = time.perf_counter()
            big = synthetic_index(assistant, synthetic, cache, settings)
            result.add(
                "synthetic_build_s", "synthetic index ready (s)", time.perf_counter() - t0, " s"
            )
            result.add("synthetic_chunks", "synthetic chunks", big.index.count())
            big.search("opwarmen")  # BM25 build/load is start-up, not query time
            bench_queries(big, queries, f"{synthetic // 1000}k", result)
    result.add("peak_rss_mb", "peak RSS (MB)", peak_rss_mb(), " MB", "<= 1536 MB")
    return result
