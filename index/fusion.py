"""Fusion of several rankings, and diversity over sections (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum_i w_i / (k + rank_i(id)), rank starting at 1."""
    weights = weights or [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def zscore_fusion(
    scores: Sequence[Mapping[str, float]], weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse score lists by weighted z-scores (each list standardised over its own candidates).

    Unlike rank fusion this keeps how far ahead a strong lexical match is, so a weak second
    ranking can only nudge the order. An item missing from a list gets that list's lowest z;
    in a list of one (or of ties), where that lowest z is its own, it gets one unit less.
    """
    weights = weights or [1.0] * len(scores)
    if len(weights) != len(scores):
        raise ValueError("one weight per score list")
    fused: dict[str, float] = {}
    normalised: list[tuple[dict[str, float], float]] = []
    for mapping in scores:
        values = list(mapping.values())
        if not values:
            normalised.append(({}, 0.0))
            continue
        mean = sum(values) / len(values)
        std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        if std == 0:  # one candidate (a word in one passage only: strong evidence) or ties
            normalised.append(({item: 0.0 for item in mapping}, -1.0))
            continue
        z = {item: (v - mean) / std for item, v in mapping.items()}
        normalised.append((z, min(z.values())))
    items = {item for mapping in scores for item in mapping}
    for item in items:
        fused[item] = sum(
            w * z.get(item, floor) for (z, floor), w in zip(normalised, weights, strict=True)
        )
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def diversify(
    ranked: Sequence[tuple[str, float]], group: Callable[[str], str], per_group: int = 1
) -> list[tuple[str, float]]:
    """Reorder so the first places go to the best `per_group` items of each group (a section),
    then the rest in their original order: five passages from five candidate sections say
    more than five from one."""
    seen: dict[str, int] = {}
    first, rest = [], []
    for item, score in ranked:
        key = group(item)
        if seen.get(key, 0) < per_group:
            seen[key] = seen.get(key, 0) + 1
            first.append((item, score))
        else:
            rest.append((item, score))
    return first + rest
