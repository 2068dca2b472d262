"""Group duplicate and near-duplicate NvI questions, so staff answer each distinct question once.

Pure: questions in, groups of keys out. Pairs are scored by `nvi.similarity`; complete-linkage
clustering then groups only questions that are *all* pairwise above the threshold: precision
over recall, since a wrongly merged group gives a provider the answer to another question,
while staff can still merge two groups by hand.

On a real NvI this finds copied and lightly edited questions without mistakes; rephrasings in
other words stay apart (tests/test_nvi_cluster.py has the measurements).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.nvi.similarity import ClusterItem, similarity_matrix
from assistant.settings import default

__all__ = ["DEFAULT_THRESHOLD", "ClusterItem", "cluster_questions"]

# Tuned on 202 questions of a real NvI (tests/test_nvi_cluster.py): pair precision first.
DEFAULT_THRESHOLD = float(default("cluster_threshold"))


def cluster_questions(
    items: Sequence[ClusterItem],
    threshold: float = DEFAULT_THRESHOLD,
    vectors: Sequence[Sequence[float]] | None = None,
) -> list[list[int]]:
    """Groups of keys (singletons too), each sorted, ordered by their first key."""
    ordered = _by_key(items)
    if not ordered:
        return []
    sims = similarity_matrix(ordered, _reorder(items, ordered, vectors))
    groups = _complete_linkage(sims, threshold)
    return sorted(([ordered[i].key for i in g] for g in groups), key=lambda g: g[0])


def _complete_linkage(sims: np.ndarray, threshold: float) -> list[list[int]]:
    """Agglomerate while the closest two groups are *all* pairwise >= threshold."""
    n = sims.shape[0]
    link = sims.astype(np.float64, copy=True)
    np.fill_diagonal(link, -np.inf)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        flat = int(np.argmax(link))  # the first maximum: ties go to the lowest indices
        i, j = divmod(flat, n)
        if link[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        members[i].extend(members.pop(j))
        merged = np.minimum(link[i], link[j])  # complete linkage: the weakest pair counts
        link[i, :] = merged
        link[:, i] = merged
        link[j, :] = -np.inf
        link[:, j] = -np.inf
        link[i, i] = -np.inf
    return [sorted(m) for m in members.values()]


def _by_key(items: Sequence[ClusterItem]) -> list[ClusterItem]:
    keys = [it.key for it in items]
    if len(set(keys)) != len(keys):
        dup = sorted(k for k, c in Counter(keys).items() if c > 1)
        raise ValueError(f"question keys must be unique; repeated: {dup[:5]}")
    return sorted(items, key=lambda it: it.key)


def _reorder(
    items: Sequence[ClusterItem],
    ordered: Sequence[ClusterItem],
    vectors: Sequence[Sequence[float]] | None,
) -> list[Sequence[float]] | None:
    if vectors is None:
        return None
    if len(vectors) != len(items):
        raise ValueError(
            f"{len(vectors)} vectors for {len(items)} questions; give one per question"
        )
    by_key = {it.key: v for it, v in zip(items, vectors, strict=True)}
    return [by_key[it.key] for it in ordered]
