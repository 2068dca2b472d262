"""Statistics the measuring tools share."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), interpolated between the nearest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def percentile_or_nan(values: Sequence[float], q: float) -> float:
    """`percentile` for tables that show "nan" when nothing was measured."""
    found = percentile(values, q)
    return float("nan") if found is None else found
