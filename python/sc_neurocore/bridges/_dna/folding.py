"""The built-in secondary-structure model (used when NUPACK is not installed).

A Nussinov-type model with a per-pair free energy (kcal/mol), the reference's constants:
a Watson-Crick pair ``(i, j)`` with ``j - i > 3`` (a loop of at least 3 nt) has

``e(i, j) = (pair + (1.2 + 0.15 * max(0, j - i - 4))) + stack``

with ``pair`` = -2.0 for G·C, -1.0 for A·T, and ``stack`` = -0.35 when ``(i + 1, j - 1)``
could also pair (``i + 1 < j - 1``), else 0 (added only then). A structure is a set of
non-crossing pairs; its energy is the sum of its pairs' energies. Both quantities below use
the same decomposition of a segment ``i..j`` (base ``i`` unpaired, or paired with some
``k``):

* MFE: ``W(i, j) = min(W(i + 1, j), min_k e(i, k) + W(i + 1, k - 1) + W(k + 1, j))``
  (empty segments 0; sums left to right; ties keep the earlier option, so base ``i``
  unpaired wins a tie, then the smallest ``k``);
* partition function ``Q`` with Boltzmann weights ``exp(-e / RT)``, ``RT = (1.987 / 1000)
  * (T + 273.15)``, and exact equilibrium pair probabilities from the outside algorithm
  (each row of the matrix sums to at most 1).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .constants import GAS_CONSTANT, MAX_FOLD_LENGTH

__all__ = ["pair_energy", "mfe", "pair_probabilities", "check_fold_length", "PAIR_DG",
           "MIN_LOOP", "LOOP_INIT_DG", "LOOP_SLOPE_DG", "STACK_BONUS_DG"]

PAIR_DG = {"AT": -1.0, "TA": -1.0, "GC": -2.0, "CG": -2.0}
"""Free energy (kcal/mol) of one Watson-Crick pair in the built-in model."""
MIN_LOOP = 3
"""Fewest unpaired bases a pair encloses."""
LOOP_INIT_DG = 1.2
"""Loop term of a pair enclosing ``MIN_LOOP`` bases (kcal/mol)."""
LOOP_SLOPE_DG = 0.15
"""Loop term per further enclosed base (kcal/mol)."""
STACK_BONUS_DG = -0.35
"""Bonus when the next pair inward could also form (kcal/mol)."""


def check_fold_length(seq: str) -> None:
    """Refuse sequences longer than ``MAX_FOLD_LENGTH``."""
    if len(seq) > MAX_FOLD_LENGTH:
        raise ValueError(f"sequence must be at most {MAX_FOLD_LENGTH} nt for the built-in "
                         f"folding model (its work grows as n**3), got {len(seq)}")


def pair_energy(seq: str, i: int, j: int) -> float | None:
    """``e(i, j)`` of the module docstring, or ``None`` when ``(i, j)`` cannot pair."""
    if j - i <= MIN_LOOP:
        return None
    pair = PAIR_DG.get(seq[i] + seq[j])
    if pair is None:
        return None
    energy = pair + (LOOP_INIT_DG + LOOP_SLOPE_DG * max(0, j - i - 1 - MIN_LOOP))
    if i + 1 < j - 1 and seq[i + 1] + seq[j - 1] in PAIR_DG:
        energy += STACK_BONUS_DG
    return energy


def _energies(seq: str) -> list[list[tuple[int, float]]]:
    """For each ``i``: the ``(k, e(i, k))`` that can pair, ``k`` ascending."""
    n = len(seq)
    out: list[list[tuple[int, float]]] = []
    for i in range(n):
        row = []
        for k in range(i + MIN_LOOP + 1, n):
            e = pair_energy(seq, i, k)
            if e is not None:
                row.append((k, e))
        out.append(row)
    return out


def mfe(seq: str) -> tuple[float, str, list[tuple[int, int]]]:
    """Minimum free energy (kcal/mol), its dot-bracket structure and pairs of checked text."""
    n = len(seq)
    pairs_of = _energies(seq)
    w = [[0.0] * (n + 1) for _ in range(n + 1)]  # w[i][j + 1]: segment i..j; empty = 0
    choice = [[-1] * (n + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(i, n):
            best = w[i + 1][j + 1]
            pick = -1
            for k, e in pairs_of[i]:
                if k > j:
                    break
                candidate = e + w[i + 1][k] + w[k + 1][j + 1]
                if candidate < best:
                    best = candidate
                    pick = k
            w[i][j + 1] = best
            choice[i][j + 1] = pick
    pairs: list[tuple[int, int]] = []
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if i > j:
            continue
        k = choice[i][j + 1]
        if k < 0:
            stack.append((i + 1, j))
        else:
            pairs.append((i, k))
            stack.append((k + 1, j))
            stack.append((i + 1, k - 1))
    pairs.sort()
    structure = ["."] * n
    for i, k in pairs:
        structure[i] = "("
        structure[k] = ")"
    return (w[0][n] if n else 0.0), "".join(structure), pairs


def pair_probabilities(seq: str, temperature_c: float) -> npt.NDArray[np.float64]:
    """Equilibrium base-pair probability matrix (symmetric, ``n x n``) of checked text."""
    n = len(seq)
    rt = (GAS_CONSTANT / 1000.0) * (temperature_c + 273.15)
    weights = [[(k, math.exp(-e / rt)) for k, e in row] for row in _energies(seq)]
    q = [[1.0] * (n + 1) for _ in range(n + 1)]  # q[i][j + 1]: segment i..j; empty = 1
    for i in range(n - 1, -1, -1):
        for j in range(i, n):
            total = q[i + 1][j + 1]
            for k, wk in weights[i]:
                if k > j:
                    break
                total += wk * q[i + 1][k] * q[k + 1][j + 1]
            q[i][j + 1] = total
    out = np.zeros((n, n), dtype=np.float64)
    if n == 0:
        return out
    outside = [[0.0] * (n + 1) for _ in range(n + 1)]
    outside[0][n] = 1.0
    z = q[0][n]
    for span in range(n, 0, -1):
        for i in range(0, n - span + 1):
            j = i + span - 1
            o = outside[i][j + 1]
            if o == 0.0:
                continue
            if i + 1 <= j:
                outside[i + 1][j + 1] += o
            for k, wk in weights[i]:
                if k > j:
                    break
                inner = q[i + 1][k]
                right = q[k + 1][j + 1]
                out[i, k] += o * wk * inner * right
                if i + 1 <= k - 1:
                    outside[i + 1][k] += o * wk * right
                if k + 1 <= j:
                    outside[k + 1][j + 1] += o * wk * inner
    out /= z
    symmetric: npt.NDArray[np.float64] = out + out.T
    return symmetric
