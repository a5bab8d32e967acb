"""Small dense linear algebra in one written-down order of operations.

The Kalman filter, the RTS smoother and the EM step of
[`sc_neurocore.world_model.predictive_model`][sc_neurocore.world_model.predictive_model] compute
every contract quantity with these functions, never with ``@``/``np.dot``/``np.linalg``
(whose order of summation depends on the BLAS build and the CPU). Each function below
says exactly which IEEE-754 double operations it performs and in which order; the Rust
mirror (``rust/mirror/src/safety/predictive_model/linalg.rs``) performs the same ones as
plain scalar loops, so both sides agree bit for bit on every CPU (only the math
library's ``log`` in the log-likelihood is not exactly specified).

Every sum starts from its first operand (``0.0`` for a product sum) and adds its terms
in increasing index order, one rounding per addition; each product is one
multiplication; nothing is fused (no FMA: NumPy's elementwise ufuncs and Rust's
``*``/``+`` both round every operation). ``a - b`` is computed as ``a + (-b)``, which
IEEE-754 defines to be the same operation. The work is vectorised with
``np.add.accumulate``, whose definition (``out[k] = out[k-1] + x[k]``) is a sequential
left-to-right sum for every element, never a pairwise or reordered one.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["Float", "ordered_sum", "matmul", "matvec", "outer", "symmetrize", "cholesky",
           "semidefinite_factor", "solve_lower", "solve_lower_t", "cho_solve"]

Float = npt.NDArray[np.float64]
"""A float64 array (every array these functions take and return)."""


def ordered_sum(start: Float, terms: Float) -> Float:
    """``((start + terms[0]) + terms[1]) + ...`` elementwise, left to right.

    Parameters
    ----------
    start : ndarray
        The first operand, of the shape of one term.
    terms : ndarray
        ``(k, ...)``: the terms in the order they are added (``k`` may be 0).

    Returns
    -------
    ndarray
        A new array of the shape of ``start``.
    """
    if terms.shape[0] == 0:
        out: Float = np.array(start, dtype=np.float64)
        return out
    stacked = np.concatenate((np.asarray(start, dtype=np.float64)[None], terms), axis=0)
    total: Float = np.add.accumulate(stacked, axis=0)[-1]
    return total


def matmul(a: Float, b: Float) -> Float:
    """``a @ b`` with ``out[i, j] = ((0.0 + a[i,0]*b[0,j]) + a[i,1]*b[1,j]) + ...``.

    Parameters
    ----------
    a, b : ndarray
        ``(r, k)`` and ``(k, c)`` float64 (``k`` may be 0: the result is zeros).

    Returns
    -------
    ndarray
        ``(r, c)``.
    """
    terms = a.T[:, :, None] * b[:, None, :]
    return ordered_sum(np.zeros((a.shape[0], b.shape[1]), dtype=np.float64), terms)


def matvec(a: Float, v: Float) -> Float:
    """``a @ v`` with ``out[i] = ((0.0 + a[i,0]*v[0]) + a[i,1]*v[1]) + ...``.

    Parameters
    ----------
    a : ndarray
        ``(r, k)`` float64.
    v : ndarray
        ``(k,)`` float64.

    Returns
    -------
    ndarray
        ``(r,)``.
    """
    terms = (a * v[None, :]).T
    return ordered_sum(np.zeros(a.shape[0], dtype=np.float64), terms)


def outer(a: Float, b: Float) -> Float:
    """``out[i, j] = a[i] * b[j]`` (one multiplication each)."""
    out: Float = a[:, None] * b[None, :]
    return out


def symmetrize(m: Float) -> Float:
    """``out[i, j] = (m[i, j] + m[j, i]) * 0.5``: exactly symmetric (addition commutes).

    ``m`` may be a stack ``(..., n, n)``; each matrix is symmetrised.
    """
    out: Float = (m + np.swapaxes(m, -1, -2)) * 0.5
    return out


def cholesky(m: Float, threshold: float) -> tuple[Float | None, int, float]:
    """Lower Cholesky factor ``L`` (``m = L L^T``) by columns, without pivoting.

    For ``j = 0, 1, ...``: the pivot ``s = m[j,j]``, then ``s = s - L[j,k]*L[j,k]``
    for ``k = 0 .. j-1``; ``s`` must be ``> threshold`` (a NaN pivot fails too);
    ``L[j,j] = sqrt(s)`` (correctly rounded); for each ``i > j``:
    ``t = m[i,j]``, ``t = t - L[i,k]*L[j,k]`` for ``k = 0 .. j-1``,
    ``L[i,j] = t / L[j,j]``. Only the lower triangle of ``m`` is read.

    Parameters
    ----------
    m : ndarray
        ``(n, n)`` float64.
    threshold : float
        Every pivot must exceed it (``0.0`` for a plain positive-definite test).

    Returns
    -------
    (ndarray or None, int, float)
        ``(L, -1, nan)`` on success; ``(None, j, s)`` with the first failing
        column and its pivot otherwise.
    """
    low, j, s = _column_cholesky(m, threshold, stop=True)
    return (None, j, s) if j >= 0 else (low, j, s)


def semidefinite_factor(m: Float, threshold: float) -> Float:
    """A factor ``L`` with ``L L^T ~= m`` for a positive semidefinite ``m``.

    The column Cholesky of :func:`cholesky`, except that a pivot
    ``s <= threshold`` makes column ``j`` of ``L`` zero instead of failing.
    """
    return _column_cholesky(m, threshold, stop=False)[0]


def _column_cholesky(m: Float, threshold: float, stop: bool) -> tuple[Float, int, float]:
    """The column loop of :func:`cholesky` and :func:`semidefinite_factor`.

    A pivot ``s`` that is not ``> threshold`` ends the loop with ``(L, j, s)``
    when ``stop``, else leaves column ``j`` zero; ``(L, -1, nan)`` otherwise.
    """
    n = m.shape[0]
    low: Float = np.zeros((n, n), dtype=np.float64)
    for j in range(n):
        row = low[j, :j]
        s = float(ordered_sum(np.asarray(m[j, j], dtype=np.float64), -(row * row)))
        if not s > threshold:
            if stop:
                return low, j, s
            continue
        d = math.sqrt(s)
        low[j, j] = d
        col = ordered_sum(m[j + 1:, j], -(low[j + 1:, :j] * row[None, :]).T)
        low[j + 1:, j] = col / d
    return low, -1, math.nan


def solve_lower(low: Float, g: Float) -> Float:
    """``Z`` with ``L Z = G`` by forward substitution.

    Row ``i`` of ``Z``: ``r = G[i]``, ``r = r - L[i,k]*Z[k]`` for ``k = 0 .. i-1``,
    ``Z[i] = r / L[i,i]``.

    Parameters
    ----------
    low : ndarray
        ``(p, p)`` lower-triangular with a non-zero diagonal.
    g : ndarray
        ``(p, c)``: the right-hand sides ``G``.

    Returns
    -------
    ndarray
        ``Z``, ``(p, c)``.
    """
    z: Float = np.empty_like(g)
    for i in range(low.shape[0]):
        z[i] = ordered_sum(g[i], -(low[i, :i, None] * z[:i])) / low[i, i]
    return z


def solve_lower_t(low: Float, z: Float) -> Float:
    """``W`` with ``L^T W = Z`` by back substitution.

    Rows ``i = p-1`` down to ``0``: ``r = Z[i]``, ``r = r - L[k,i]*W[k]`` for
    ``k = i+1 .. p-1`` (increasing), ``W[i] = r / L[i,i]``.

    Parameters
    ----------
    low : ndarray
        ``(p, p)`` lower-triangular with a non-zero diagonal.
    z : ndarray
        ``(p, c)``: the right-hand sides ``Z`` (``solve_lower``'s result in ``cho_solve``).

    Returns
    -------
    ndarray
        ``W``, ``(p, c)``.
    """
    w: Float = np.empty_like(z)
    for i in range(low.shape[0] - 1, -1, -1):
        w[i] = ordered_sum(z[i], -(low[i + 1:, i, None] * w[i + 1:])) / low[i, i]
    return w


def cho_solve(low: Float, g: Float) -> Float:
    """``(L L^T)^{-1} G`` as ``solve_lower_t(L, solve_lower(L, G))``."""
    return solve_lower_t(low, solve_lower(low, g))
