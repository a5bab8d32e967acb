"""Exactly specified arithmetic of the L7 layer.

Every helper uses correctly rounded IEEE-754 operations only (``+ - * /``,
``sqrt``, comparisons) in the order written, so the Rust mirror reproduces
each result bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


def seqsum(x: F64) -> float:
    """Left-to-right sum ``(((x[0] + x[1]) + x[2]) + ...)`` (``0.0`` for no term).

    ``np.cumsum`` accumulates in index order, unlike ``np.sum`` (pairwise).
    """
    return float(np.cumsum(x)[-1]) if x.size else 0.0


def mean(x: F64) -> float:
    """``seqsum(x) / len(x)`` of a non-empty array."""
    return seqsum(x) / x.size


def pop_std(x: F64) -> float:
    """Population standard deviation ``sqrt(seqsum((x - mean(x))**2) / len(x))``."""
    d = x - mean(x)
    return math.sqrt(seqsum(d * d) / x.size)


def clip01(x: F64) -> F64:
    """``0.0 if v <= 0.0 else (1.0 if v >= 1.0 else v)`` elementwise (``-0.0`` -> ``0.0``)."""
    out: F64 = np.where(x <= 0.0, 0.0, np.where(x >= 1.0, 1.0, x))
    return out


def clip_unit_ball(x: F64) -> F64:
    """``-1.0 if v < -1.0 else (1.0 if v > 1.0 else v)`` elementwise (keeps ``-0.0``)."""
    out: F64 = np.where(x < -1.0, -1.0, np.where(x > 1.0, 1.0, x))
    return out


def descending(x: F64) -> F64:
    """The values of ``x`` sorted from the largest to the smallest."""
    out: F64 = np.sort(x)[::-1]
    return out


def clip01_scalar(x: float) -> float:
    """[`clip01`][sc_neurocore.scpn.layers._l7.arith.clip01] of one value."""
    return 0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)
