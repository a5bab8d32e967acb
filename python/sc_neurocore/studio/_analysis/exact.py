"""Arithmetic shared with the Rust mirror, specified down to the operation order.

* ``linspace(lo, hi, n)``: ``[lo]`` for ``n == 1``; otherwise ``step = (hi -
  lo) / (n - 1)``, ``x_k = lo + k * step`` for ``k < n - 1`` and ``x_(n-1) =
  hi`` exactly (NumPy's ``linspace``, written out so no NumPy version can
  change it). ``lo > hi`` gives a descending grid.
* ``logspace(lo, hi, n)``: ``10.0 ** y`` for each ``y`` of ``linspace(log10(lo),
  log10(hi), n)`` (NumPy's ``logspace``; ``log10`` and ``pow`` come from the
  math library, so its values are compared within a tolerance).
* ``round_decimals(x, d)``: Python's ``round(x, d)``, the double nearest to the
  exact decimal value of ``x`` rounded half to even at ``d`` decimals
  (``round(0.125, 2) == 0.12``, ``round(2.675, 2) == 2.67``).
* ``sequential_sum``: ``((0.0 + x_0) + x_1) + ...`` in the order given (never
  NumPy's pairwise summation).
* ``whole_steps(duration, dt)``: ``floor(duration / dt + 1e-9)``, the number of
  whole steps in a duration, with a ratio within ``1e-9`` below an integer
  counted as that integer (``0.3 / 0.1`` is ``2.9999999999999996``: 3 steps).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["STEP_TOLERANCE", "linspace", "logspace", "round_decimals", "sequential_sum",
           "whole_steps"]

STEP_TOLERANCE = 1e-9
"""A ratio this close below an integer counts as that integer (whole steps, whole cycles)."""


def linspace(lo: float, hi: float, n: int) -> list[float]:
    """``n`` evenly spaced values from ``lo`` to ``hi``, both included (NumPy's formula).

    Parameters
    ----------
    lo : float
        First value.
    hi : float
        Last value (exactly).
    n : int
        Number of values, ``>= 1``.

    Returns
    -------
    list of float
        ``[lo]`` for ``n == 1``; else ``lo + k * ((hi - lo) / (n - 1))`` for
        ``k < n - 1`` and ``hi``.
    """
    if n == 1:
        return [lo]
    step = (hi - lo) / (n - 1)
    values = [lo + k * step for k in range(n - 1)]
    values.append(hi)
    return values


def logspace(lo: float, hi: float, n: int) -> list[float]:
    """``n`` log-spaced values from ``lo`` to ``hi``, as NumPy's ``logspace``.

    Parameters
    ----------
    lo : float
        First value, ``> 0``.
    hi : float
        Last value, ``> 0``.
    n : int
        Number of values, ``>= 1``.

    Returns
    -------
    list of float
        ``10.0 ** y`` for each ``y`` of ``linspace(log10(lo), log10(hi), n)``.
    """
    return [10.0 ** y for y in linspace(math.log10(lo), math.log10(hi), n)]


def round_decimals(x: float, digits: int) -> float:
    """Python's ``round(x, digits)``: the exact decimal value rounded half to even.

    Parameters
    ----------
    x : float
        A finite value.
    digits : int
        Decimals, ``>= 0``.

    Returns
    -------
    float
        The double nearest to the rounded decimal (``round(2.675, 2) == 2.67``).
    """
    return round(x, digits)


def sequential_sum(values: Iterable[float]) -> float:
    """``((0.0 + x_0) + x_1) + ...`` in the order given (no pairwise summation).

    Parameters
    ----------
    values : iterable of float
        The terms.

    Returns
    -------
    float
        Their sum, left to right.
    """
    total = 0.0
    for x in values:
        total += x
    return total


def whole_steps(duration: float, dt: float) -> int:
    """Whole steps of ``dt`` in ``duration``: ``floor(duration / dt + STEP_TOLERANCE)``.

    Parameters
    ----------
    duration : float
        Finite, ``>= 0``.
    dt : float
        Finite, ``> 0`` (with ``duration / dt`` finite).

    Returns
    -------
    int
        The step count; a ratio within ``1e-9`` below an integer counts as it.
    """
    return math.floor(duration / dt + STEP_TOLERANCE)
