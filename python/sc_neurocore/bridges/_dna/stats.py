"""Summary statistics in one fixed order of operations (shared by the analyses)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["mean", "population_std"]


def mean(values: Sequence[float]) -> float:
    """``(((v0 + v1) + v2) + ...) / n`` (left to right, then one division)."""
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


def population_std(values: Sequence[float]) -> float:
    """``sqrt(sum((v - mean) * (v - mean)) / n)``, sums left to right (``ddof = 0``)."""
    m = mean(values)
    total = 0.0
    for v in values:
        total += (v - m) * (v - m)
    return math.sqrt(total / len(values))
