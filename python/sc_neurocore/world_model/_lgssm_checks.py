"""Argument checks of the linear-Gaussian state-space surface, and their tolerances.

Every rule here is exact, written in terms of the ordered operations of
``_linalg`` so that the Rust mirror (``rust/mirror/src/safety/predictive_model/checks.rs``)
accepts and refuses exactly the same inputs:

* symmetric: ``|M[i,j] - M[j,i]| <= SYM_RTOL * max|M|`` for every ``i, j``; the
  value used is ``symmetrize(M)``, which must be finite;
* positive definite: every pivot of ``cholesky`` exceeds ``PD_RTOL * max_i |M[i,i]|``;
* positive semidefinite: with ``tau = PSD_RTOL * max_i |M[i,i]|``, every Cholesky
  pivot of ``M + tau I`` is ``> 0``; when ``max_i |M[i,i]| = 0``, ``M`` must be zero.

Masked observations are missing values (see :func:`as_observations`); a mask on
any other argument is refused, never dropped.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import as_real_array, check_real_dtype, check_unmasked

from ._linalg import Float, cholesky, ordered_sum, symmetrize
from ._linalg import semidefinite_factor as _semidefinite_columns

__all__ = ["SYM_RTOL", "PD_RTOL", "PSD_RTOL", "Mask", "real_array", "matrix", "vector",
           "symmetric", "positive_definite", "positive_semidefinite", "semidefinite_factor",
           "factor_pd", "shift_diagonal", "covariance_stack", "as_observations",
           "as_controls"]

SYM_RTOL = 1e-10
"""Relative tolerance of the symmetry check (against ``max|M|``)."""
PD_RTOL = 1e-12
"""Every Cholesky pivot of ``R`` and ``Sigma_0`` must exceed ``PD_RTOL * max_i |M[i,i]|``."""
PSD_RTOL = 1e-10
"""``Q + PSD_RTOL * max_i |Q[i,i]| * I`` must have a Cholesky factor (pivots > 0)."""

Mask = npt.NDArray[np.bool_]
"""A bool array; in a missing-value mask ``True`` marks a missing observation."""


def real_array(value: object, name: str) -> Float:
    """``value`` as a finite float64 C-contiguous copy (a masked entry is refused)."""
    check_unmasked(value, name)
    return np.array(as_real_array(value, name), dtype=np.float64, order="C")


def matrix(value: object, name: str, rows: int | None, cols: int | None, form: str) -> Float:
    """``value`` as a finite float64 2-D array of shape ``(rows, cols)`` (``None``: any)."""
    arr = real_array(value, name)
    if (arr.ndim != 2 or (rows is not None and arr.shape[0] != rows)
            or (cols is not None and arr.shape[1] != cols)):
        want = f"({'?' if rows is None else rows}, {'?' if cols is None else cols})"
        raise ValueError(f"{name} must have shape {form} = {want} (a 2-D array), "
                         f"got shape {arr.shape}")
    return arr


def vector(value: object, name: str, size: int, form: str, *,
           allow_scalar: bool = False) -> Float:
    """``value`` as a finite float64 1-D array of ``size`` values.

    With ``allow_scalar``, one number is accepted as ``(1,)`` when ``size`` is 1.
    """
    arr = real_array(value, name)
    if allow_scalar and arr.ndim == 0 and size == 1:
        arr = arr.reshape(1)
    if arr.shape != (size,):
        scalar = " (or one number, as it is 1)" if allow_scalar and size == 1 else ""
        raise ValueError(f"{name} must have shape ({form},) = ({size},){scalar}, "
                         f"got shape {arr.shape}")
    return arr


def symmetric(mat: Float, name: str) -> Float:
    """Check symmetry within ``SYM_RTOL * max|mat|`` and return ``symmetrize(mat)``."""
    tol = SYM_RTOL * float(np.max(np.abs(mat))) if mat.size else 0.0
    gap = np.abs(mat - mat.T)
    if np.any(gap > tol):
        i, j = (int(k) for k in np.argwhere(gap > tol)[0])
        raise ValueError(f"{name} must be symmetric: |{name}[{i},{j}] - {name}[{j},{i}]| = "
                         f"{gap[i, j]:.3g} exceeds {SYM_RTOL:g} * max|{name}| = {tol:.3g}")
    with np.errstate(over="ignore"):
        out = symmetrize(mat)
    if not np.isfinite(out).all():
        raise ValueError(f"{name} is too large: ({name} + {name}^T) * 0.5 overflows float64")
    return out


def max_abs_diag(mat: Float) -> float:
    """``max_i |mat[i,i]|``."""
    return float(np.max(np.abs(np.diag(mat))))


def positive_definite(mat: Float, name: str) -> None:
    """Every Cholesky pivot of ``mat`` must exceed ``PD_RTOL * max_i |mat[i,i]|``."""
    threshold = PD_RTOL * max_abs_diag(mat)
    low, j, pivot = cholesky(mat, threshold)
    if low is None:
        raise ValueError(f"{name} must be positive definite: its Cholesky pivot {j} is "
                         f"{pivot:.3g}, not above {PD_RTOL:g} * max|diag {name}| = "
                         f"{threshold:.3g}")


def shift_diagonal(mat: Float, tau: float) -> Float:
    """``mat`` with ``tau`` added to each diagonal element (off-diagonals untouched)."""
    out: Float = mat.copy()  # ndarray.copy() is typed Any by NumPy's stubs
    idx = np.arange(mat.shape[0])
    out[idx, idx] = mat[idx, idx] + tau
    return out


def positive_semidefinite(mat: Float, name: str) -> None:
    """``mat + tau I`` (``tau = PSD_RTOL * max_i |mat[i,i]|``) must have a Cholesky factor."""
    scale = max_abs_diag(mat)
    if scale == 0.0:
        if np.any(mat != 0.0):
            raise ValueError(f"{name} must be positive semidefinite: its diagonal is zero but "
                             "an off-diagonal entry is not (a PSD matrix with a zero diagonal "
                             "is zero)")
        return
    tau = PSD_RTOL * scale
    low, j, pivot = cholesky(shift_diagonal(mat, tau), 0.0)
    if low is None:
        raise ValueError(f"{name} must be positive semidefinite: {name} + {tau:.3g} I has "
                         f"Cholesky pivot {j} = {pivot:.3g} <= 0 (an eigenvalue below "
                         f"-{PSD_RTOL:g} * max|diag {name}|)")


def semidefinite_factor(mat: Float) -> Float:
    """A factor ``L`` with ``L L^T ~= mat`` for a validated PSD ``mat`` (used to sample noise).

    The column Cholesky of ``cholesky``, except that a pivot
    ``s <= tau`` (``tau = PSD_RTOL * max_i |mat[i,i]|``) makes column ``j`` of
    ``L`` zero instead of failing; exact for matrices such as ``diag(1, 0)``
    or ``v v^T``.
    """
    return _semidefinite_columns(mat, PSD_RTOL * max_abs_diag(mat))


def factor_pd(mat: Float) -> Float:
    """The Cholesky factor of a validated positive-definite matrix."""
    low, _, _ = cholesky(mat, 0.0)
    assert low is not None  # validated PD: the pivots exceed a threshold >= 0
    return low


def covariance_stack(stack: Float, name: str) -> None:
    """Every matrix ``stack[t]`` symmetric and positive semidefinite (rules above).

    The same decisions as :func:`symmetric` and :func:`positive_semidefinite`
    applied to each ``stack[t]`` in turn (the first failing ``t`` is named),
    computed for all ``t`` at once.

    Raises
    ------
    ValueError
        Naming ``name`` and the first failing index ``t``.
    """
    steps, n = stack.shape[0], stack.shape[1]
    if steps == 0:
        return
    flat = np.abs(stack).reshape(steps, -1)
    tol = SYM_RTOL * np.max(flat, axis=1)
    gap = np.abs(stack - np.swapaxes(stack, 1, 2))
    bad_sym = np.any(gap > tol[:, None, None], axis=(1, 2))
    with np.errstate(over="ignore"):
        sym = symmetrize(stack)
    bad_big = ~np.all(np.isfinite(sym.reshape(steps, -1)), axis=1)
    idx = np.arange(n)
    scale = np.max(np.abs(stack[:, idx, idx]), axis=1)
    zero_diag = scale == 0.0
    bad_zero = zero_diag & np.any(sym.reshape(steps, -1) != 0.0, axis=1)
    shifted = sym.copy()
    shifted[:, idx, idx] = sym[:, idx, idx] + (PSD_RTOL * scale)[:, None]
    failed, column, pivots = _batched_pivot_failures(np.where(bad_big[:, None, None], 0.0,
                                                              shifted))
    bad_psd = ~zero_diag & failed
    for t in range(steps):
        where = f"{name}[{t}]"
        if bad_sym[t]:
            i, j = (int(k) for k in np.argwhere(gap[t] > tol[t])[0])
            raise ValueError(f"{name} must be symmetric: |{where}[{i},{j}] - {where}[{j},{i}]|"
                             f" = {gap[t, i, j]:.3g} exceeds {SYM_RTOL:g} * max|{where}| = "
                             f"{tol[t]:.3g}")
        if bad_big[t]:
            raise ValueError(f"{name} is too large: ({where} + {where}^T) * 0.5 overflows "
                             "float64")
        if bad_zero[t]:
            raise ValueError(f"{name} must be positive semidefinite: {where} has a zero "
                             "diagonal but a non-zero off-diagonal entry")
        if bad_psd[t]:
            raise ValueError(f"{name} must be positive semidefinite: {where} + "
                             f"{PSD_RTOL * scale[t]:.3g} I has Cholesky pivot {column[t]} = "
                             f"{pivots[t]:.3g} <= 0 (an eigenvalue below -{PSD_RTOL:g} * "
                             f"max|diag {where}|)")


def _batched_pivot_failures(stack: Float) -> tuple[Mask, npt.NDArray[np.int64], Float]:
    """``cholesky(stack[t], 0.0)`` for every ``t`` at once (the same operations).

    Returns
    -------
    (ndarray, ndarray, ndarray)
        Per ``t``: whether a pivot failed (``not > 0``), the first failing column
        and its pivot.
    """
    steps, n = stack.shape[0], stack.shape[1]
    low = np.zeros_like(stack)
    failed = np.zeros(steps, dtype=bool)
    column = np.full(steps, -1, dtype=np.int64)
    pivots = np.full(steps, np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for j in range(n):
            row = low[:, j, :j]
            s = ordered_sum(stack[:, j, j], -(row * row).T)
            newly = ~failed & ~(s > 0.0)
            column[newly], pivots[newly] = j, s[newly]
            failed |= newly
            d = np.sqrt(np.where(failed, 1.0, s))
            low[:, j, j] = d
            col = ordered_sum(stack[:, j + 1:, j],
                              -np.moveaxis(low[:, j + 1:, :j] * row[:, None, :], 2, 0))
            low[:, j + 1:, j] = col / d[:, None]
    return failed, column, pivots


def as_observations(observations: object, p: int, min_steps: int = 1,
                    name: str = "observations") -> tuple[Float, Mask | None]:
    """Observations as ``(T, p)`` float64 and their missing-value mask.

    A NumPy masked array's masked entries are missing observations: their
    values (any, NaN included) are replaced by ``0.0`` and never read, and the
    mask is returned (``True`` = missing); ``None`` when nothing is missing.
    ``(T,)`` is accepted when ``p = 1``.

    Raises
    ------
    InputTypeError
        If the values are not real numbers.
    ValueError
        Naming ``observations`` (or ``name``): a non-finite observed value, a
        wrong shape, fewer than ``min_steps`` steps.
    """
    missing: Mask | None = None
    values: object = observations
    if isinstance(observations, np.ma.MaskedArray):
        data = np.ma.getdata(observations)
        check_real_dtype(data.dtype, name)
        mask = np.ma.getmaskarray(observations)
        filled = np.array(data, dtype=np.float64)
        filled[mask] = 0.0
        values = filled
        if mask.any():
            missing = np.array(mask, dtype=bool)
    arr = as_real_array(values, name)
    if arr.ndim == 1 and p == 1:
        arr = arr[:, None]
        missing = None if missing is None else missing[:, None]
    if arr.ndim != 2 or arr.shape[1] != p:
        one_d = " (or (T,) when obs_dim is 1)" if p == 1 else ""
        raise ValueError(f"{name} must have shape (T, obs_dim) = (T, {p}){one_d}, "
                         f"got shape {arr.shape}")
    if arr.shape[0] < min_steps:
        raise ValueError(f"{name} must hold at least {min_steps} time step(s), "
                         f"got {arr.shape[0]}")
    return np.array(arr, dtype=np.float64, order="C"), missing


def as_controls(controls: object, steps: int, m: int, name: str = "controls") -> Float:
    """Controls as ``(T, m)`` float64; ``None`` only when ``m = 0``; ``(T,)`` when ``m = 1``."""
    if controls is None:
        if m == 0:
            return np.zeros((steps, 0), dtype=np.float64)
        raise ValueError(f"{name} must have shape (T, control_dim) = ({steps}, {m}): the "
                         f"model has control_dim = {m}, so {name} must be given")
    arr = real_array(controls, name)
    if arr.ndim == 1 and m == 1:
        arr = arr[:, None]
    if arr.shape != (steps, m):
        raise ValueError(f"{name} must have shape (T, control_dim) = ({steps}, {m}), "
                         f"got shape {arr.shape}")
    return np.array(arr, dtype=np.float64, order="C")
