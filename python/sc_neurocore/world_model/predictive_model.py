"""Linear-Gaussian state-space models: Kalman filter, RTS smoother, EM learner, world model.

The model (all matrices float64; ``n = state_dim``, ``p = obs_dim``,
``m = control_dim``, time steps ``t = 0 .. T-1``)::

    x_0     ~ N(mu_0, Sigma_0)
    x_{t+1} = A x_t + B u_t + w_t,    w_t ~ N(0, Q)
    y_t     = C x_t + D u_t + v_t,    v_t ~ N(0, R)

with ``u_t`` the control (action) applied at step ``t``: it enters the
observation of step ``t`` and the transition from ``t`` to ``t + 1``.

Numerics (the contract; the Rust mirror ``rust/mirror/src/safety/predictive_model.rs``
repeats it operation for operation and ``parity/golden/predictive_model.txt``
checks both): every matrix product, solve and factorization is one of
``sc_neurocore.world_model._linalg``, whose order of operations is written
down (sums from ``0.0`` in increasing index order, no fused multiply-add).
The filter, smoother and EM outputs are therefore exactly specified and match
bit for bit; only the log-likelihood (the math library's ``log``) and anything
drawn from normals (the math library's ``log``/``cos``) are compared within a
relative tolerance of ``1e-12``.

Validation tolerances (exact rules, both sides):

* symmetric: ``|M[i,j] - M[j,i]| <= SYM_RTOL * max|M|`` for every ``i, j``
  (``SYM_RTOL = 1e-10``); the stored matrix is ``symmetrize(M)``
  (``(M[i,j] + M[j,i]) * 0.5``), exactly symmetric, and must be finite (entries
  near the largest double overflow the sum and are refused);
* positive definite (``R``, ``Sigma_0``): every pivot of ``cholesky``
  of the symmetrised matrix exceeds ``PD_RTOL * max_i |M[i,i]|``
  (``PD_RTOL = 1e-12``, roughly a condition-number bound of ``1e12``);
* positive semidefinite (``Q``): with ``tau = PSD_RTOL * max_i |Q[i,i]|``
  (``PSD_RTOL = 1e-10``), every Cholesky pivot of ``Q + tau I`` is ``> 0``
  (in exact arithmetic: every eigenvalue of ``Q`` exceeds ``-tau``); when
  ``max_i |Q[i,i]| = 0``, ``Q`` must be exactly zero.

Randomness comes from the shared
[`sc_neurocore.splitmix.SplitMix64`][sc_neurocore.splitmix.SplitMix64] (docs/safety-mirrors.md,
"Shared randomness"); each method that draws owns a fresh generator seeded with its ``seed``
argument and documents its order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore.accel._validation import as_real_array, check_int, check_real
from sc_neurocore.splitmix import SplitMix64

from ._linalg import (cho_solve, cholesky, matmul, matvec, outer, semidefinite_factor,
                      solve_lower, symmetrize)

__all__ = ["LinearGaussianSSM", "FilterResult", "KalmanFilter", "SmoothResult", "RTSSmoother",
           "EMLearner", "LikelihoodDecreaseError", "PredictiveWorldModel", "SYM_RTOL",
           "PD_RTOL", "PSD_RTOL", "LOG_2PI", "LL_ROUNDING_RTOL", "RANDOM_RADIUS",
           "RANDOM_NOISE_SCALE", "RANDOM_SIGMA0_SCALE"]

SYM_RTOL = 1e-10
"""Relative tolerance of the symmetry check (against ``max|M|``)."""
PD_RTOL = 1e-12
"""Every Cholesky pivot of ``R`` and ``Sigma_0`` must exceed ``PD_RTOL * max_i |M[i,i]|``."""
PSD_RTOL = 1e-10
"""``Q + PSD_RTOL * max_i |Q[i,i]| * I`` must have a Cholesky factor (pivots > 0)."""
LOG_2PI = 1.8378770664093453
"""``log(2 pi)`` as a double (the constant of the Gaussian log-density)."""
LL_ROUNDING_RTOL = 1e-9
"""EM refuses a log-likelihood decrease larger than ``LL_ROUNDING_RTOL * max(1, |previous|)``."""
RANDOM_RADIUS = 0.9
"""[`LinearGaussianSSM.random`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM.random]
scales ``A`` to this maximum absolute row sum.
"""
RANDOM_NOISE_SCALE = 0.1
"""Scale ``s`` of the random ``Q`` and ``R`` (``M M^T * (s / d) + s I``)."""
RANDOM_SIGMA0_SCALE = 1.0
"""Scale ``s`` of the random ``Sigma_0``."""


class LikelihoodDecreaseError(ArithmeticError):
    """EM's log-likelihood decreased by more than rounding
    ([`LL_ROUNDING_RTOL`][sc_neurocore.world_model.predictive_model.LL_ROUNDING_RTOL]).

    EM never decreases the likelihood in exact arithmetic, so this signals a
    numerically broken problem (e.g. a near-singular covariance), not bad input.
    """


# ------------------------------------------------------------------ validation helpers

def _matrix(value: object, name: str, rows: int | None, cols: int | None,
            form: str) -> npt.NDArray[np.float64]:
    """``value`` as a finite float64 2-D array of shape ``(rows, cols)`` (``None``: any)."""
    arr: npt.NDArray[np.float64] = as_real_array(value, name)
    if (arr.ndim != 2 or (rows is not None and arr.shape[0] != rows)
            or (cols is not None and arr.shape[1] != cols)):
        want = f"({'?' if rows is None else rows}, {'?' if cols is None else cols})"
        raise ValueError(f"{name} must be a 2-D array of shape {form} = {want}, "
                         f"got shape {arr.shape}")
    return np.array(arr, dtype=np.float64, order="C")


def _vector(value: object, name: str, size: int, form: str) -> npt.NDArray[np.float64]:
    """``value`` as a finite float64 1-D array of ``size`` values."""
    arr: npt.NDArray[np.float64] = as_real_array(value, name)
    if arr.shape != (size,):
        raise ValueError(f"{name} must be a 1-D array of shape ({form},) = ({size},), "
                         f"got shape {arr.shape}")
    return np.array(arr, dtype=np.float64)


def _symmetric(mat: npt.NDArray[np.float64], name: str) -> npt.NDArray[np.float64]:
    """Check symmetry within [`SYM_RTOL`][sc_neurocore.world_model.predictive_model.SYM_RTOL]
    and return ``symmetrize(mat)``.
    """
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


def _max_abs_diag(mat: npt.NDArray[np.float64]) -> float:
    return float(np.max(np.abs(np.diag(mat))))


def _positive_definite(mat: npt.NDArray[np.float64], name: str) -> None:
    """Every Cholesky pivot of ``mat`` must exceed ``PD_RTOL * max_i |mat[i,i]|``."""
    threshold = PD_RTOL * _max_abs_diag(mat)
    low, j, pivot = cholesky(mat, threshold)
    if low is None:
        raise ValueError(f"{name} must be positive definite: its Cholesky pivot {j} is "
                         f"{pivot:.3g}, not above {PD_RTOL:g} * max|diag {name}| = "
                         f"{threshold:.3g}")


def _shift_diagonal(mat: npt.NDArray[np.float64], tau: float) -> npt.NDArray[np.float64]:
    """``mat`` with ``tau`` added to each diagonal element (off-diagonals untouched)."""
    out: npt.NDArray[np.float64] = mat.copy()  # ndarray.copy() is typed Any by NumPy's stubs
    idx = np.arange(mat.shape[0])
    out[idx, idx] = mat[idx, idx] + tau
    return out


def _positive_semidefinite(mat: npt.NDArray[np.float64], name: str) -> None:
    """``mat + tau I`` (``tau = PSD_RTOL * max_i |mat[i,i]|``) must have a Cholesky factor."""
    scale = _max_abs_diag(mat)
    if scale == 0.0:
        if np.any(mat != 0.0):
            raise ValueError(f"{name} must be positive semidefinite: its diagonal is zero but "
                             "an off-diagonal entry is not (a PSD matrix with a zero diagonal "
                             "is zero)")
        return
    tau = PSD_RTOL * scale
    low, j, pivot = cholesky(_shift_diagonal(mat, tau), 0.0)
    if low is None:
        raise ValueError(f"{name} must be positive semidefinite: {name} + {tau:.3g} I has "
                         f"Cholesky pivot {j} = {pivot:.3g} <= 0 (an eigenvalue below "
                         f"-{PSD_RTOL:g} * max|diag {name}|)")


def _semidefinite_factor(mat: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A factor ``L`` with ``L L^T ~= mat`` for a validated PSD ``mat`` (used to sample noise).

    The column Cholesky of ``cholesky``, except that a pivot
    ``s <= tau`` (``tau = PSD_RTOL * max_i |mat[i,i]|``) makes column ``j`` of
    ``L`` zero instead of failing; exact for matrices such as ``diag(1, 0)``
    or ``v v^T``.
    """
    return semidefinite_factor(mat, PSD_RTOL * _max_abs_diag(mat))


def _factor_pd(mat: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The Cholesky factor of a validated positive-definite matrix."""
    low, _, _ = cholesky(mat, 0.0)
    assert low is not None  # validated PD: the pivots exceed a threshold >= 0
    return low


# ------------------------------------------------------------------ the model

class LinearGaussianSSM:
    """A linear-Gaussian state-space model (see the module docstring for the equations).

    Every value must be a finite real number. ``Q``, ``R`` and ``Sigma_0`` are
    checked and stored as the module docstring says (symmetry within
    [`SYM_RTOL`][sc_neurocore.world_model.predictive_model.SYM_RTOL], then symmetrised; ``Q``
    PSD within [`PSD_RTOL`][sc_neurocore.world_model.predictive_model.PSD_RTOL]; ``R`` and
    ``Sigma_0`` PD beyond [`PD_RTOL`][sc_neurocore.world_model.predictive_model.PD_RTOL]).
    Arguments are checked in the order ``A, B, C, D, Q, R, mu_0, Sigma_0`` (values and shapes),
    then symmetry and definiteness of ``Q``, ``R``, ``Sigma_0``. The stored arrays are read-only
    copies.

    Parameters
    ----------
    A : array_like
        ``(n, n)`` state transition, ``n >= 1``.
    B : array_like or None
        ``(n, m)`` control input matrix (``m >= 0``); ``None`` means ``m = 0``.
    C : array_like
        ``(p, n)`` observation matrix, ``p >= 1``.
    D : array_like or None
        ``(p, m)`` control feed-through; ``None`` means zeros.
    Q : array_like
        ``(n, n)`` process-noise covariance, symmetric positive semidefinite.
    R : array_like
        ``(p, p)`` observation-noise covariance, symmetric positive definite.
    mu_0 : array_like
        ``(n,)`` mean of the first state ``x_0``.
    Sigma_0 : array_like
        ``(n, n)`` covariance of ``x_0``, symmetric positive definite.

    Raises
    ------
    TypeError
        If an argument does not hold real numbers.
    ValueError
        Naming the argument: a NaN or infinite value, a wrong rank or shape,
        an asymmetric covariance, ``Q`` not PSD, ``R`` or ``Sigma_0`` not PD.
    """

    __slots__ = ("_A", "_B", "_C", "_D", "_Q", "_R", "_mu_0", "_Sigma_0")

    def __init__(self, A: ArrayLike, B: ArrayLike | None, C: ArrayLike, D: ArrayLike | None,
                 Q: ArrayLike, R: ArrayLike, mu_0: ArrayLike, Sigma_0: ArrayLike) -> None:
        a = as_real_array(A, "A")
        if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
            raise ValueError(f"A must be a square 2-D array (n, n) with n >= 1, "
                             f"got shape {a.shape}")
        n = a.shape[0]
        a = np.array(a, dtype=np.float64)
        b = (np.zeros((n, 0)) if B is None else _matrix(B, "B", n, None, "(n, m)"))
        m = b.shape[1]
        c = as_real_array(C, "C")
        if c.ndim != 2 or c.shape[1] != n or c.shape[0] < 1:
            raise ValueError(f"C must be a 2-D array (p, n) = (p, {n}) with p >= 1, "
                             f"got shape {c.shape}")
        p = c.shape[0]
        c = np.array(c, dtype=np.float64)
        d = (np.zeros((p, m)) if D is None else _matrix(D, "D", p, m, "(p, m)"))
        q = _matrix(Q, "Q", n, n, "(n, n)")
        r = _matrix(R, "R", p, p, "(p, p)")
        mu = _vector(mu_0, "mu_0", n, "n")
        s0 = _matrix(Sigma_0, "Sigma_0", n, n, "(n, n)")
        q = _symmetric(q, "Q")
        r = _symmetric(r, "R")
        s0 = _symmetric(s0, "Sigma_0")
        _positive_semidefinite(q, "Q")
        _positive_definite(r, "R")
        _positive_definite(s0, "Sigma_0")
        for arr in (a, b, c, d, q, r, mu, s0):
            arr.flags.writeable = False
        self._A, self._B, self._C, self._D = a, b, c, d
        self._Q, self._R, self._mu_0, self._Sigma_0 = q, r, mu, s0

    # -------------------------------------------------------------- accessors

    @property
    def A(self) -> npt.NDArray[np.float64]:
        """``(n, n)`` state transition (read-only)."""
        return self._A

    @property
    def B(self) -> npt.NDArray[np.float64]:
        """``(n, m)`` control input matrix (read-only)."""
        return self._B

    @property
    def C(self) -> npt.NDArray[np.float64]:
        """``(p, n)`` observation matrix (read-only)."""
        return self._C

    @property
    def D(self) -> npt.NDArray[np.float64]:
        """``(p, m)`` control feed-through (read-only)."""
        return self._D

    @property
    def Q(self) -> npt.NDArray[np.float64]:
        """``(n, n)`` process-noise covariance, symmetrised (read-only)."""
        return self._Q

    @property
    def R(self) -> npt.NDArray[np.float64]:
        """``(p, p)`` observation-noise covariance, symmetrised (read-only)."""
        return self._R

    @property
    def mu_0(self) -> npt.NDArray[np.float64]:
        """``(n,)`` mean of ``x_0`` (read-only)."""
        return self._mu_0

    @property
    def Sigma_0(self) -> npt.NDArray[np.float64]:
        """``(n, n)`` covariance of ``x_0``, symmetrised (read-only)."""
        return self._Sigma_0

    @property
    def state_dim(self) -> int:
        """``n``."""
        return int(self._A.shape[0])

    @property
    def obs_dim(self) -> int:
        """``p``."""
        return int(self._C.shape[0])

    @property
    def control_dim(self) -> int:
        """``m``."""
        return int(self._B.shape[1])

    def __repr__(self) -> str:
        return (f"LinearGaussianSSM(state_dim={self.state_dim}, obs_dim={self.obs_dim}, "
                f"control_dim={self.control_dim})")

    def replace(self, **params: ArrayLike | None) -> LinearGaussianSSM:
        """A new, validated model with some of ``A, B, C, D, Q, R, mu_0, Sigma_0`` replaced.

        Parameters
        ----------
        **params : array_like or None
            New values by constructor parameter name (``A=...``, ``Q=...``); the
            others are this model's.

        Returns
        -------
        LinearGaussianSSM

        Raises
        ------
        TypeError
            If a keyword is not a parameter name (or as the constructor).
        ValueError
            As the constructor.
        """
        names = ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0")
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise TypeError(f"replace() takes only {', '.join(names)}; got {unknown}")
        values = (self._A, self._B, self._C, self._D, self._Q, self._R, self._mu_0,
                  self._Sigma_0)
        current: dict[str, Any] = dict(zip(names, values))  # the constructor checks each
        current.update(params)
        return LinearGaussianSSM(*(current[k] for k in names))

    # -------------------------------------------------------------- random models

    @classmethod
    def random(cls, state_dim: int, obs_dim: int, control_dim: int = 0,
               seed: int = 42) -> LinearGaussianSSM:
        """A random stable model drawn from ``SplitMix64(seed)``.

        Draw order (each block row-major, ``normals(k)`` = ``k`` Box-Muller
        normals, two words each):

        1. ``G = normals(n*n)``; ``A = G * (RANDOM_RADIUS / r)`` with
           ``r = max_i sum_j |G[i,j]|`` (each row sum from ``0.0`` in
           increasing ``j``; the factor is one division, then one
           multiplication per element). ``max_i sum_j |A[i,j]|`` (the
           infinity norm, which bounds every eigenvalue's modulus) is then
           0.9, so ``A`` is stable; no eigen-decomposition is needed.
           (``r = 0`` would leave ``A = G``; it cannot happen with finite normals
           that are not all zero.)
        2. ``B = normals(n*m)`` as ``(n, m)``.
        3. ``C = normals(p*n)`` as ``(p, n)``.
        4. ``D`` is zero (no draws).
        5. ``Q``: ``M = normals(n*n)``; ``Q = matmul(M, M^T) * (s / n)`` with
           ``s = RANDOM_NOISE_SCALE = 0.1`` (``s / n`` one division), then
           ``s`` added to each diagonal element.
        6. ``R``: the same with ``p`` and ``s = 0.1``.
        7. ``mu_0 = normals(n)``.
        8. ``Sigma_0``: the same as ``Q`` with ``n`` and ``s = RANDOM_SIGMA0_SCALE = 1.0``.

        Parameters
        ----------
        state_dim : int
            ``n >= 1``.
        obs_dim : int
            ``p >= 1``.
        control_dim : int
            ``m >= 0``.
        seed : int
            In ``[0, 2**64)``.

        Returns
        -------
        LinearGaussianSSM

        Raises
        ------
        TypeError
            If a dimension or the seed is not an int.
        ValueError
            If a dimension or the seed is out of range.
        """
        n = check_int(state_dim, "state_dim", minimum=1)
        p = check_int(obs_dim, "obs_dim", minimum=1)
        m = check_int(control_dim, "control_dim", minimum=0)
        gen = SplitMix64(seed)
        g = gen.normals(n * n).reshape(n, n)
        rows = np.zeros(n, dtype=np.float64)
        for j in range(n):
            rows = rows + np.abs(g[:, j])
        radius = float(np.max(rows))
        a = g * (RANDOM_RADIUS / radius) if radius > 0.0 else g
        b = gen.normals(n * m).reshape(n, m)
        c = gen.normals(p * n).reshape(p, n)
        d = np.zeros((p, m), dtype=np.float64)
        q = _random_covariance(gen, n, RANDOM_NOISE_SCALE)
        r = _random_covariance(gen, p, RANDOM_NOISE_SCALE)
        mu = gen.normals(n)
        s0 = _random_covariance(gen, n, RANDOM_SIGMA0_SCALE)
        return cls(a, b, c, d, q, r, mu, s0)

    # -------------------------------------------------------------- simulation

    def sample(self, n_steps: int, controls: ArrayLike | None = None,
               seed: int = 0) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Simulate states and observations, drawing from ``SplitMix64(seed)``.

        Noise factors: ``L_0`` and ``L_R`` are the Cholesky factors of
        ``Sigma_0`` and ``R``; ``L_Q`` is the semidefinite factor of ``Q``
        (the column Cholesky where a pivot ``<= PSD_RTOL * max_i |Q[i,i]|``
        gives a zero column). Draw order: ``z = normals(n)``,
        ``x_0 = mu_0 + matvec(L_0, z)``; then for ``t = 0 .. T-1``:
        ``v = normals(p)``, ``y_t = (matvec(C, x_t) + matvec(D, u_t)) +
        matvec(L_R, v)``; and if ``t < T-1``: ``w = normals(n)``,
        ``x_{t+1} = (matvec(A, x_t) + matvec(B, u_t)) + matvec(L_Q, w)``.

        Parameters
        ----------
        n_steps : int
            ``T >= 1``.
        controls : array_like, optional
            ``(T, m)`` controls; required when ``m > 0`` (``(T,)`` is accepted
            when ``m = 1``); ``None`` or ``(T, 0)`` when ``m = 0``.
        seed : int
            In ``[0, 2**64)``.

        Returns
        -------
        (ndarray, ndarray)
            ``states`` ``(T, n)`` and ``observations`` ``(T, p)``.

        Raises
        ------
        TypeError, ValueError
            Naming ``n_steps`` (also when the simulation overflows float64),
            ``controls`` or ``seed``.
        """
        steps = check_int(n_steps, "n_steps", minimum=1)
        u = _as_controls(controls, steps, self.control_dim)
        gen = SplitMix64(seed)
        n, p = self.state_dim, self.obs_dim
        l0 = _factor_pd(self._Sigma_0)
        lr = _factor_pd(self._R)
        lq = _semidefinite_factor(self._Q)
        states = np.zeros((steps, n), dtype=np.float64)
        obs = np.zeros((steps, p), dtype=np.float64)
        x = self._mu_0 + matvec(l0, gen.normals(n))
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(steps):
                states[t] = x
                obs[t] = ((matvec(self._C, x) + matvec(self._D, u[t]))
                          + matvec(lr, gen.normals(p)))
                if t + 1 < steps:
                    x = ((matvec(self._A, x) + matvec(self._B, u[t]))
                         + matvec(lq, gen.normals(n)))
        if not _all_finite(states, obs):
            raise ValueError("n_steps: the simulation overflowed float64 (the model's values "
                             "grow too large over this many steps)")
        return states, obs


def _random_covariance(gen: SplitMix64, dim: int, scale: float) -> npt.NDArray[np.float64]:
    """``matmul(M, M^T) * (scale / dim)``, then ``+ scale`` on the diagonal.

    ``M = normals(dim * dim)``, row-major.
    """
    mat = gen.normals(dim * dim).reshape(dim, dim)
    cov = matmul(mat, mat.T) * (scale / dim)
    return _shift_diagonal(cov, scale)


def _check_model(model: object) -> LinearGaussianSSM:
    if not isinstance(model, LinearGaussianSSM):
        raise TypeError(f"model must be a LinearGaussianSSM, got {type(model).__name__}")
    return model


def _as_observations(observations: object, p: int, min_steps: int = 1) -> npt.NDArray[np.float64]:
    """Observations as ``(T, p)`` float64 (``(T,)`` accepted when ``p = 1``), ``T >= min_steps``."""
    arr = as_real_array(observations, "observations")
    if arr.ndim == 1 and p == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != p:
        one_d = " (or 1-D (T,) when obs_dim is 1)" if p == 1 else ""
        raise ValueError(f"observations must be a 2-D array (T, obs_dim) = (T, {p}){one_d}, "
                         f"got shape {arr.shape}")
    if arr.shape[0] < min_steps:
        raise ValueError(f"observations must hold at least {min_steps} time step(s), "
                         f"got {arr.shape[0]}")
    return np.array(arr, dtype=np.float64)


def _as_controls(controls: object, steps: int, m: int, name: str = "controls") -> npt.NDArray[np.float64]:
    """Controls as ``(T, m)`` float64; ``None`` only when ``m = 0``; ``(T,)`` when ``m = 1``."""
    if controls is None:
        if m == 0:
            return np.zeros((steps, 0), dtype=np.float64)
        raise ValueError(f"{name} must be given: the model has control_dim = {m}; pass an "
                         f"array of shape (T, m) = ({steps}, {m})")
    arr = as_real_array(controls, name)
    if arr.ndim == 1 and m == 1:
        arr = arr[:, None]
    if arr.shape != (steps, m):
        raise ValueError(f"{name} must be a 2-D array (T, control_dim) = ({steps}, {m}), "
                         f"got shape {arr.shape}")
    return np.array(arr, dtype=np.float64)


# ------------------------------------------------------------------ Kalman filter

@dataclass(frozen=True)
class FilterResult:
    """Output of
    [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter]
    (``T`` steps, state dimension ``n``).

    Attributes
    ----------
    means : ndarray
        ``(T, n)``: ``E[x_t | y_0 .. y_t]``.
    covariances : ndarray
        ``(T, n, n)``: ``Cov[x_t | y_0 .. y_t]``.
    pred_means : ndarray
        ``(T, n)``: ``E[x_t | y_0 .. y_{t-1}]`` (``mu_0`` at ``t = 0``).
    pred_covariances : ndarray
        ``(T, n, n)``: ``Cov[x_t | y_0 .. y_{t-1}]`` (``Sigma_0`` at ``t = 0``).
    log_likelihood : float
        ``log p(y_0 .. y_{T-1})``, exact (prediction-error decomposition).
    """

    means: npt.NDArray[np.float64]
    covariances: npt.NDArray[np.float64]
    pred_means: npt.NDArray[np.float64]
    pred_covariances: npt.NDArray[np.float64]
    log_likelihood: float


def _all_finite(*arrays: npt.NDArray[np.float64]) -> bool:
    return all(bool(np.isfinite(a).all()) for a in arrays)


def _overflow(step: int) -> ValueError:
    return ValueError(f"observations: the Kalman filter overflowed float64 at step {step} "
                      "(values too large for this model); rescale the observations or the "
                      "model")


_QUIET = np.errstate(over="ignore", invalid="ignore")
"""Overflow is detected and refused explicitly (``_overflow``), so NumPy's warnings are muted."""


@_QUIET
def _predict(model: LinearGaussianSSM, mean: npt.NDArray[np.float64], cov: npt.NDArray[np.float64],
             u: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(matvec(A, m) + matvec(B, u), symmetrize(matmul(matmul(A, P), A^T) + Q))``."""
    pred_mean = matvec(model.A, mean) + matvec(model.B, u)
    pred_cov = symmetrize(matmul(matmul(model.A, cov), model.A.T) + model.Q)
    return pred_mean, pred_cov


@_QUIET
def _update(model: LinearGaussianSSM, pred_mean: npt.NDArray[np.float64], pred_cov: npt.NDArray[np.float64], y: npt.NDArray[np.float64], u: npt.NDArray[np.float64],
            step: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """One measurement update; returns the filtered mean, covariance and ``log p(y_t | ...)``.

    Operations, in order: ``e = y - (matvec(C, m_p) + matvec(D, u))``;
    ``G = matmul(P_p, C^T)``; ``S = symmetrize(matmul(C, G) + R)``;
    ``L = cholesky(S)`` (pivots > 0; a non-finite ``S`` is an overflow);
    ``K = cho_solve(L, G^T)^T``;
    ``m = m_p + matvec(K, e)``; ``F = I - matmul(K, C)`` (``1.0 - x`` on the
    diagonal, ``0.0 - x`` elsewhere); Joseph form
    ``P = symmetrize(matmul(matmul(F, P_p), F^T) + matmul(matmul(K, R), K^T))``;
    ``z = solve_lower(L, e)``; ``q = sum_i z_i*z_i`` and ``h = sum_i log(L[i,i])``
    (each from ``0.0``, increasing ``i``);
    ``log p = -0.5 * ((p * LOG_2PI + 2.0 * h) + q)``.
    """
    c, r = model.C, model.R
    err = y - (matvec(c, pred_mean) + matvec(model.D, u))
    gain_t = matmul(pred_cov, c.T)
    innov = symmetrize(matmul(c, gain_t) + r)
    if not _all_finite(innov):
        raise _overflow(step)
    low, _, pivot = cholesky(innov, 0.0)
    if low is None:
        raise ValueError(f"R: the innovation covariance C P C^T + R at step {step} is not "
                         f"positive definite (Cholesky pivot {pivot:.3g})")
    gain = cho_solve(low, gain_t.T).T
    mean = pred_mean + matvec(gain, err)
    n = pred_mean.shape[0]
    joseph = np.eye(n) - matmul(gain, c)
    cov = symmetrize(matmul(matmul(joseph, pred_cov), joseph.T)
                     + matmul(matmul(gain, r), gain.T))
    z = solve_lower(low, err[:, None])[:, 0]
    quad = 0.0
    for value in z.tolist():
        quad = quad + value * value
    half_logdet = 0.0
    for i in range(low.shape[0]):
        half_logdet = half_logdet + math.log(float(low[i, i]))
    loglik = -0.5 * ((float(c.shape[0]) * LOG_2PI + 2.0 * half_logdet) + quad)
    return mean, cov, loglik




def _filter(model: LinearGaussianSSM, y: npt.NDArray[np.float64], u: npt.NDArray[np.float64]) -> FilterResult:
    """The filter on validated ``(T, p)`` observations and ``(T, m)`` controls."""
    steps, n = y.shape[0], model.state_dim
    means = np.zeros((steps, n))
    covs = np.zeros((steps, n, n))
    pred_means = np.zeros((steps, n))
    pred_covs = np.zeros((steps, n, n))
    total = 0.0
    mean_p: npt.NDArray[np.float64] = model.mu_0.copy()
    cov_p: npt.NDArray[np.float64] = model.Sigma_0.copy()
    for t in range(steps):
        if t > 0:
            mean_p, cov_p = _predict(model, means[t - 1], covs[t - 1], u[t - 1])
            if not _all_finite(mean_p, cov_p):
                raise _overflow(t)
        pred_means[t], pred_covs[t] = mean_p, cov_p
        means[t], covs[t], loglik = _update(model, mean_p, cov_p, y[t], u[t], t)
        total = total + loglik
        if not (math.isfinite(total) and _all_finite(means[t], covs[t])):
            raise _overflow(t)
    return FilterResult(means, covs, pred_means, pred_covs, total)


class KalmanFilter:
    """Kalman filter of a
    [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM]
    (Joseph-form update, Cholesky solves).

    Parameters
    ----------
    model : LinearGaussianSSM

    Raises
    ------
    TypeError
        If ``model`` is not a
        [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM].
    """

    __slots__ = ("model",)

    def __init__(self, model: LinearGaussianSSM) -> None:
        self.model = _check_model(model)

    def filter(self, observations: ArrayLike,
               controls: ArrayLike | None = None) -> FilterResult:
        """Filter ``T`` observations.

        Step ``t``: the prediction is ``(mu_0, Sigma_0)`` at ``t = 0``, else
        ``m_p = matvec(A, m_{t-1}) + matvec(B, u_{t-1})``,
        ``P_p = symmetrize(matmul(matmul(A, P_{t-1}), A^T) + Q)``; then the
        update of ``_update`` (innovation covariance factored by Cholesky,
        Joseph form, symmetrised covariance, exact Gaussian log-density).
        The log-likelihood is the sum of the ``T`` log-densities from ``0.0``
        in time order.

        Parameters
        ----------
        observations : array_like
            ``(T, p)``, ``T >= 1`` (``(T,)`` when ``p = 1``).
        controls : array_like, optional
            ``(T, m)``; required when ``m > 0``.

        Returns
        -------
        FilterResult

        Raises
        ------
        TypeError
            If an argument does not hold real numbers.
        ValueError
            Naming ``observations`` or ``controls`` (non-finite values, wrong
            shapes, ``T = 0``, a filter overflow), or ``R`` (an innovation
            covariance that is not positive definite).
        """
        y = _as_observations(observations, self.model.obs_dim)
        u = _as_controls(controls, y.shape[0], self.model.control_dim)
        return _filter(self.model, y, u)


# ------------------------------------------------------------------ RTS smoother

@dataclass(frozen=True)
class SmoothResult:
    """Output of
    [`RTSSmoother.smooth`][sc_neurocore.world_model.predictive_model.RTSSmoother.smooth].

    Attributes
    ----------
    means : ndarray
        ``(T, n)``: ``E[x_t | y_0 .. y_{T-1}]``.
    covariances : ndarray
        ``(T, n, n)``: ``Cov[x_t | y_0 .. y_{T-1}]``.
    cross_covariances : ndarray
        ``(T-1, n, n)``: entry ``t`` is ``Cov[x_{t+1}, x_t | y_0 .. y_{T-1}]``.
    """

    means: npt.NDArray[np.float64]
    covariances: npt.NDArray[np.float64]
    cross_covariances: npt.NDArray[np.float64]


@_QUIET
def _smooth(model: LinearGaussianSSM, fr: FilterResult) -> SmoothResult:
    """RTS recursion on a checked filter result.

    ``t = T-1``: the filtered moments. For ``t = T-2`` down to ``0``:
    ``L = cholesky(P_p[t+1])`` (pivots > 0); ``J = cho_solve(L, matmul(A, P[t]))^T``
    (``J = P[t] A^T P_p[t+1]^{-1}``); ``m_s[t] = m[t] + matvec(J, m_s[t+1] - m_p[t+1])``;
    ``P_s[t] = symmetrize(P[t] + matmul(matmul(J, P_s[t+1] - P_p[t+1]), J^T))``;
    ``cross[t] = matmul(P_s[t+1], J^T)``.
    """
    steps, n = fr.means.shape
    means = np.zeros((steps, n))
    covs = np.zeros((steps, n, n))
    cross = np.zeros((max(steps - 1, 0), n, n))
    means[-1], covs[-1] = fr.means[-1], fr.covariances[-1]
    for t in range(steps - 2, -1, -1):
        low, _, pivot = cholesky(fr.pred_covariances[t + 1], 0.0)
        if low is None:
            raise ValueError(f"filter_result: the predicted covariance at step {t + 1} is not "
                             f"positive definite (Cholesky pivot {pivot:.3g}); the RTS smoother "
                             "needs it invertible (A singular with a singular Q?)")
        gain = cho_solve(low, matmul(model.A, fr.covariances[t])).T
        means[t] = fr.means[t] + matvec(gain, means[t + 1] - fr.pred_means[t + 1])
        covs[t] = symmetrize(fr.covariances[t]
                             + matmul(matmul(gain, covs[t + 1] - fr.pred_covariances[t + 1]),
                                      gain.T))
        cross[t] = matmul(covs[t + 1], gain.T)
    if not _all_finite(means, covs, cross):
        raise ValueError("filter_result: the RTS smoother overflowed float64")
    return SmoothResult(means, covs, cross)


class RTSSmoother:
    """Rauch-Tung-Striebel smoother of a
    [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM].

    Parameters
    ----------
    model : LinearGaussianSSM
        The model the filter result was computed with.

    Raises
    ------
    TypeError
        If ``model`` is not a
        [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM].
    """

    __slots__ = ("model",)

    def __init__(self, model: LinearGaussianSSM) -> None:
        self.model = _check_model(model)

    def smooth(self, filter_result: FilterResult) -> SmoothResult:
        """Smoothed moments and lag-one cross-covariances (see ``_smooth`` for the steps).

        Parameters
        ----------
        filter_result : FilterResult
            From
            [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter]
            with the same model.

        Returns
        -------
        SmoothResult

        Raises
        ------
        TypeError
            If ``filter_result`` is not a
            [`FilterResult`][sc_neurocore.world_model.predictive_model.FilterResult].
        ValueError
            Naming ``filter_result``: arrays that are non-finite or whose
            shapes do not fit the model, or a predicted covariance that is
            not positive definite.
        """
        if not isinstance(filter_result, FilterResult):
            raise TypeError("filter_result must be a FilterResult, got "
                            f"{type(filter_result).__name__}")
        n = self.model.state_dim
        parts: dict[str, npt.NDArray[np.float64]] = {}
        for field, ndim in (("means", 2), ("covariances", 3), ("pred_means", 2),
                            ("pred_covariances", 3)):
            arr = as_real_array(getattr(filter_result, field), f"filter_result.{field}")
            steps = arr.shape[0] if arr.ndim else 0
            want = (steps, n) if ndim == 2 else (steps, n, n)
            if arr.ndim != ndim or arr.shape != want or steps < 1:
                raise ValueError(f"filter_result.{field} must have shape {want} with T >= 1 "
                                 f"for a model with state_dim {n}, got {arr.shape}")
            parts[field] = arr
        if len({a.shape[0] for a in parts.values()}) != 1:
            raise ValueError("filter_result arrays must all have the same number of steps T, "
                             f"got {[a.shape[0] for a in parts.values()]}")
        checked = FilterResult(parts["means"], parts["covariances"], parts["pred_means"],
                               parts["pred_covariances"], filter_result.log_likelihood)
        return _smooth(self.model, checked)


# ------------------------------------------------------------------ EM

def _em_step(model: LinearGaussianSSM, y: npt.NDArray[np.float64],
             u: npt.NDArray[np.float64]) -> tuple[LinearGaussianSSM, float]:
    """One Shumway-Stoffer EM iteration (``B`` and ``D`` fixed); see
    [`EMLearner.step`][sc_neurocore.world_model.predictive_model.EMLearner.step].
    """
    fr = _filter(model, y, u)
    return _m_step(model, fr, y, u), fr.log_likelihood


@_QUIET
def _m_step(model: LinearGaussianSSM, fr: FilterResult, y: npt.NDArray[np.float64],
            u: npt.NDArray[np.float64]) -> LinearGaussianSSM:
    """Smoother on ``fr`` (the filter of ``model``), then the M-step of
    [`EMLearner.step`][sc_neurocore.world_model.predictive_model.EMLearner.step].
    """
    sr = _smooth(model, fr)
    steps, n = sr.means.shape
    p = model.obs_dim
    ms, ps = sr.means, sr.covariances
    s00 = np.zeros((n, n))
    s10 = np.zeros((n, n))
    s11 = np.zeros((n, n))
    for t in range(steps - 1):
        b = matvec(model.B, u[t])
        now = ps[t] + outer(ms[t], ms[t])
        nxt = ps[t + 1] + outer(ms[t + 1], ms[t + 1])
        s00 = s00 + now
        s10 = s10 + ((sr.cross_covariances[t] + outer(ms[t + 1], ms[t])) - outer(b, ms[t]))
        s11 = s11 + (((nxt - outer(ms[t + 1], b)) - outer(b, ms[t + 1])) + outer(b, b))
    sxx = np.zeros((n, n))
    syx = np.zeros((p, n))
    syy = np.zeros((p, p))
    for t in range(steps):
        e = y[t] - matvec(model.D, u[t])
        sxx = sxx + (ps[t] + outer(ms[t], ms[t]))
        syx = syx + outer(e, ms[t])
        syy = syy + outer(e, e)
    low00, _, _ = cholesky(s00, 0.0)
    lowxx, _, _ = cholesky(sxx, 0.0)
    if low00 is None or lowxx is None:
        raise ValueError("observations: the EM statistics sum_t E[x_t x_t^T] are not positive "
                         "definite; the smoothed states are degenerate")
    a_new = cho_solve(low00, s10.T).T
    q_new = symmetrize((s11 - matmul(a_new, s10.T)) / float(steps - 1))
    c_new = cho_solve(lowxx, syx.T).T
    r_new = symmetrize((syy - matmul(c_new, syx.T)) / float(steps))
    try:
        new = LinearGaussianSSM(a_new, model.B, c_new, model.D, q_new, r_new, ms[0], ps[0])
    except ValueError as exc:
        raise ValueError(f"observations: the EM update gives an invalid model ({exc})") from exc
    return new


class EMLearner:
    """Shumway-Stoffer expectation-maximisation for ``A, C, Q, R, mu_0, Sigma_0``.

    ``B`` and ``D`` stay as in the initial model (the maximisation is exact
    for the others given them).

    Parameters
    ----------
    max_iter : int
        Most EM iterations (M-steps), ``>= 1``.
    tol : float
        Stop when an iteration gains ``<= tol`` in log-likelihood; finite, ``>= 0``.

    Raises
    ------
    TypeError
        If ``max_iter`` is not an int or ``tol`` not a real number.
    ValueError
        If ``max_iter < 1`` or ``tol`` is negative or not finite.
    """

    __slots__ = ("max_iter", "tol")

    def __init__(self, max_iter: int = 50, tol: float = 1e-4) -> None:
        self.max_iter = check_int(max_iter, "max_iter", minimum=1)
        self.tol = check_real(tol, "tol", minimum=0.0)

    def step(self, observations: ArrayLike, model: LinearGaussianSSM,
             controls: ArrayLike | None = None) -> tuple[LinearGaussianSSM, float]:
        """One EM iteration: E-step (filter, RTS smoother) and M-step.

        With smoothed ``m_t, P_t``, cross-covariances ``V_t`` (of ``x_{t+1}, x_t``),
        ``b_t = matvec(B, u_t)`` and ``e_t = y_t - matvec(D, u_t)``, each sum from
        zeros in increasing ``t``:

        * for ``t = 0 .. T-2``: ``S00 += P_t + outer(m_t, m_t)``;
          ``S10 += (V_t + outer(m_{t+1}, m_t)) - outer(b_t, m_t)``;
          ``S11 += ((P_{t+1} + outer(m_{t+1}, m_{t+1}) - outer(m_{t+1}, b_t))
          - outer(b_t, m_{t+1})) + outer(b_t, b_t)``;
        * for ``t = 0 .. T-1``: ``Sxx += P_t + outer(m_t, m_t)``;
          ``Syx += outer(e_t, m_t)``; ``Syy += outer(e_t, e_t)``;
        * ``A' = cho_solve(cholesky(S00), S10^T)^T``;
          ``Q' = symmetrize((S11 - matmul(A', S10^T)) / (T-1))``;
          ``C' = cho_solve(cholesky(Sxx), Syx^T)^T``;
          ``R' = symmetrize((Syy - matmul(C', Syx^T)) / T)``;
          ``mu_0' = m_0``; ``Sigma_0' = P_0``.

        Parameters
        ----------
        observations : array_like
            ``(T, p)`` with ``T >= 2``.
        model : LinearGaussianSSM
            The current parameters.
        controls : array_like, optional
            ``(T, m)``; required when ``m > 0``.

        Returns
        -------
        (LinearGaussianSSM, float)
            The updated model and the log-likelihood of ``model`` (the one
            passed in) on the observations.

        Raises
        ------
        TypeError, ValueError
            As [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter];
            ``T < 2``; an update that is not a valid model (naming ``observations``).
        """
        model = _check_model(model)
        y = _as_observations(observations, model.obs_dim, min_steps=2)
        u = _as_controls(controls, y.shape[0], model.control_dim)
        return _em_step(model, y, u)

    def fit(self, observations: ArrayLike, initial_model: LinearGaussianSSM,
            controls: ArrayLike | None = None) -> tuple[LinearGaussianSSM, npt.NDArray[np.float64]]:
        """Run EM from ``initial_model``.

        ``log_likelihoods[0]`` is the initial model's; each iteration ``k``
        computes the next model and its log-likelihood ``l_k``; with gain
        ``g = l_k - l_{k-1}``: ``g < -LL_ROUNDING_RTOL * max(1, |l_{k-1}|)``
        raises
        [`LikelihoodDecreaseError`][sc_neurocore.world_model.predictive_model.LikelihoodDecreaseError];
        otherwise the new model is kept, ``l_k`` appended, and the loop stops when ``g <= tol``
        or after ``max_iter`` iterations.

        Parameters
        ----------
        observations : array_like
            ``(T, p)`` with ``T >= 2``.
        initial_model : LinearGaussianSSM
        controls : array_like, optional
            ``(T, m)``; required when ``m > 0``.

        Returns
        -------
        (LinearGaussianSSM, ndarray)
            The last model and the log-likelihoods (``float64``, one more
            than the number of iterations run), the last being the returned
            model's.

        Raises
        ------
        TypeError, ValueError
            As [`step`][sc_neurocore.world_model.predictive_model.EMLearner.step]
            (``initial_model`` for a non-model).
        LikelihoodDecreaseError
            If an iteration decreases the log-likelihood beyond rounding.
        """
        if not isinstance(initial_model, LinearGaussianSSM):
            raise TypeError("initial_model must be a LinearGaussianSSM, got "
                            f"{type(initial_model).__name__}")
        model = initial_model
        y = _as_observations(observations, model.obs_dim, min_steps=2)
        u = _as_controls(controls, y.shape[0], model.control_dim)
        fr = _filter(model, y, u)
        lls = [fr.log_likelihood]
        for k in range(self.max_iter):
            new = _m_step(model, fr, y, u)
            fr_new = _filter(new, y, u)
            previous, current = fr.log_likelihood, fr_new.log_likelihood
            gain = current - previous
            if gain < -LL_ROUNDING_RTOL * max(1.0, abs(previous)):
                raise LikelihoodDecreaseError(
                    f"EM iteration {k + 1} decreased the log-likelihood from {previous!r} to "
                    f"{current!r}, by more than rounding ({LL_ROUNDING_RTOL:g} relative)")
            model, fr = new, fr_new
            lls.append(current)
            if gain <= self.tol:
                break
        return model, np.array(lls, dtype=np.float64)


# ------------------------------------------------------------------ world model

class PredictiveWorldModel:
    """A predictive world model: a random stable linear-Gaussian model plus a belief state.

    The model is ``LinearGaussianSSM.random(state_dim, obs_dim, action_dim,
    seed)`` (actions are its controls; ``obs_dim`` defaults to
    ``state_dim``). The belief is the Gaussian ``N(state_mean, state_cov)``
    over the current state, ``(mu_0, Sigma_0)`` after
    [`reset`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.reset];
    [`observe`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.observe]
    conditions it on an observation,
    [`advance`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.advance] moves it
    one step forward,
    [`forecast`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.forecast] looks
    ahead without changing it, and
    [`fit`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.fit] re-estimates the
    model by EM.

    Parameters
    ----------
    state_dim : int
        ``>= 1``.
    action_dim : int
        ``>= 0``.
    seed : int
        Seed of
        [`LinearGaussianSSM.random`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM.random],
        in ``[0, 2**64)``.
    obs_dim : int, optional
        ``>= 1``; ``state_dim`` when omitted.

    Raises
    ------
    TypeError, ValueError
        As [`LinearGaussianSSM.random`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM.random].
    """

    def __init__(self, state_dim: int, action_dim: int, seed: int = 42, *,
                 obs_dim: int | None = None) -> None:
        n = check_int(state_dim, "state_dim", minimum=1)
        p = n if obs_dim is None else check_int(obs_dim, "obs_dim", minimum=1)
        self._model = LinearGaussianSSM.random(n, p, action_dim, seed)
        self._mean: npt.NDArray[np.float64] = self._model.mu_0.copy()
        self._cov: npt.NDArray[np.float64] = self._model.Sigma_0.copy()

    @property
    def model(self) -> LinearGaussianSSM:
        """The current model."""
        return self._model

    @property
    def state_dim(self) -> int:
        """``n``."""
        return self._model.state_dim

    @property
    def action_dim(self) -> int:
        """``m``."""
        return self._model.control_dim

    @property
    def obs_dim(self) -> int:
        """``p``."""
        return self._model.obs_dim

    @property
    def state_mean(self) -> npt.NDArray[np.float64]:
        """The belief's mean (a copy)."""
        return np.copy(self._mean)

    @property
    def state_cov(self) -> npt.NDArray[np.float64]:
        """The belief's covariance (a copy)."""
        return np.copy(self._cov)

    def _action(self, action: object, name: str = "action") -> npt.NDArray[np.float64]:
        m = self.action_dim
        if action is None:
            return np.zeros(m, dtype=np.float64)
        return _vector(action, name, m, "action_dim")

    def _actions(self, actions: object, steps: int) -> npt.NDArray[np.float64]:
        if actions is None:
            return np.zeros((steps, self.action_dim), dtype=np.float64)
        return _as_controls(actions, steps, self.action_dim, "actions")

    @staticmethod
    def _finite(name: str, *arrays: npt.NDArray[np.float64]) -> None:
        if not _all_finite(*arrays):
            raise ValueError(f"{name}: the prediction overflowed float64 (values too large "
                             "for this model)")

    def reset(self) -> npt.NDArray[np.float64]:
        """Set the belief back to ``(mu_0, Sigma_0)``; returns the mean."""
        self._mean = self._model.mu_0.copy()
        self._cov = self._model.Sigma_0.copy()
        return self.state_mean

    def observe(self, observation: ArrayLike, action: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """Condition the belief on ``y = C x + D action + v`` (one Kalman update).

        Parameters
        ----------
        observation : array_like
            ``(obs_dim,)``.
        action : array_like, optional
            ``(action_dim,)``; zeros when omitted.

        Returns
        -------
        ndarray
            The updated mean.

        Raises
        ------
        TypeError, ValueError
            Naming ``observation`` or ``action``.
        """
        y = _vector(observation, "observation", self.obs_dim, "obs_dim")
        u = self._action(action)
        try:
            mean, cov, _ = _update(self._model, self._mean, self._cov, y, u, 0)
        except ValueError as exc:
            raise ValueError(f"observation: {exc}") from exc
        self._finite("observation", mean, cov)
        self._mean, self._cov = mean, cov
        return self.state_mean

    def advance(self, action: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """Move the belief one step: ``(A m + B action, A P A^T + Q)``; returns the mean.

        Parameters
        ----------
        action : array_like, optional
            ``(action_dim,)``; zeros when omitted.

        Returns
        -------
        ndarray
            ``(state_dim,)``: the new belief's mean.

        Raises
        ------
        TypeError, ValueError
            Naming ``action``.
        """
        mean, cov = _predict(self._model, self._mean, self._cov, self._action(action))
        self._finite("action", mean, cov)
        self._mean, self._cov = mean, cov
        return self.state_mean

    def predict_next_state(self, state: ArrayLike,
                           action: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """``A state + B action`` (``matvec`` order; zero action when omitted).

        Parameters
        ----------
        state : array_like
            ``(state_dim,)``.
        action : array_like, optional
            ``(action_dim,)``.

        Returns
        -------
        ndarray
            ``(state_dim,)``.

        Raises
        ------
        TypeError, ValueError
            Naming ``state`` or ``action``.
        """
        return self.predict_next_state_with_cov(state, action)[0]

    def predict_next_state_with_cov(self, state: ArrayLike, action: ArrayLike | None = None,
                                    state_cov: ArrayLike | None = None
                                    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Mean and covariance of the next state from ``N(state, state_cov)``.

        Parameters
        ----------
        state : array_like
            ``(state_dim,)``.
        action : array_like, optional
            ``(action_dim,)``.
        state_cov : array_like, optional
            ``(state_dim, state_dim)`` symmetric PSD (checked as ``Q`` is);
            zeros (a known state) when omitted, giving covariance ``Q``.

        Returns
        -------
        (ndarray, ndarray)
            ``A state + B action`` and ``symmetrize(A state_cov A^T + Q)``.

        Raises
        ------
        TypeError, ValueError
            Naming ``state``, ``action`` or ``state_cov``.
        """
        x = _vector(state, "state", self.state_dim, "state_dim")
        u = self._action(action)
        n = self.state_dim
        if state_cov is None:
            cov = np.zeros((n, n), dtype=np.float64)
        else:
            cov = _symmetric(_matrix(state_cov, "state_cov", n, n, "(n, n)"), "state_cov")
            _positive_semidefinite(cov, "state_cov")
        mean, cov = _predict(self._model, x, cov, u)
        self._finite("state", mean, cov)
        return mean, cov

    def forecast(self, n_steps: int, actions: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """Means of the next ``n_steps`` states from the belief (which is not changed).

        Parameters
        ----------
        n_steps : int
            ``>= 1``.
        actions : array_like, optional
            ``(n_steps, action_dim)``; zeros when omitted.

        Returns
        -------
        ndarray
            ``(n_steps, state_dim)``: row ``k`` is the mean ``k + 1`` steps ahead.

        Raises
        ------
        TypeError, ValueError
            Naming ``n_steps`` or ``actions``.
        """
        return self.forecast_with_cov(n_steps, actions)[0]

    def forecast_with_cov(self, n_steps: int, actions: ArrayLike | None = None
                          ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Means and covariances of the next ``n_steps`` states (repeated prediction).

        Parameters
        ----------
        n_steps : int
            ``>= 1``.
        actions : array_like, optional
            ``(n_steps, action_dim)``; zeros when omitted.

        Returns
        -------
        (ndarray, ndarray)
            ``(n_steps, state_dim)`` means and ``(n_steps, state_dim, state_dim)``
            covariances (each symmetrised, positive semidefinite).

        Raises
        ------
        TypeError, ValueError
            Naming ``n_steps`` or ``actions``.
        """
        steps = check_int(n_steps, "n_steps", minimum=1)
        u = self._actions(actions, steps)
        n = self.state_dim
        means = np.zeros((steps, n))
        covs = np.zeros((steps, n, n))
        mean, cov = self._mean, self._cov
        for k in range(steps):
            mean, cov = _predict(self._model, mean, cov, u[k])
            self._finite("n_steps", mean, cov)
            means[k], covs[k] = mean, cov
        return means, covs

    def fit(self, observations: ArrayLike, actions: ArrayLike | None = None, *,
            max_iter: int = 50,
            tol: float = 1e-4) -> npt.NDArray[np.float64]:
        """Re-estimate the model by EM from the current one, then
        [`reset`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.reset].

        Parameters
        ----------
        observations : array_like
            ``(T, obs_dim)`` with ``T >= 2``.
        actions : array_like, optional
            ``(T, action_dim)``; zeros when omitted.
        max_iter, tol
            As [`EMLearner`][sc_neurocore.world_model.predictive_model.EMLearner].

        Returns
        -------
        ndarray
            The log-likelihoods of
            [`EMLearner.fit`][sc_neurocore.world_model.predictive_model.EMLearner.fit].

        Raises
        ------
        TypeError, ValueError, LikelihoodDecreaseError
            As [`EMLearner.fit`][sc_neurocore.world_model.predictive_model.EMLearner.fit].
        """
        learner = EMLearner(max_iter, tol)
        y = _as_observations(observations, self.obs_dim, min_steps=2)
        u = self._actions(actions, y.shape[0])
        self._model, lls = learner.fit(y, self._model, u)
        self.reset()
        return lls
