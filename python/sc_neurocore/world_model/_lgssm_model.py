"""The validated parameters of a linear-Gaussian state-space model, random models, sampling."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore._readonly import read_only
from sc_neurocore._validation import check_int
from sc_neurocore.splitmix import SplitMix64

from ._lgssm_checks import (
    as_controls,
    factor_pd,
    matrix,
    positive_definite,
    positive_semidefinite,
    real_array,
    semidefinite_factor,
    shift_diagonal,
    symmetric,
    vector,
)
from ._linalg import Float, matmul, matvec, ordered_sum

__all__ = ["LinearGaussianSSM", "ModelBound", "check_model", "all_finite", "RANDOM_RADIUS",
           "RANDOM_COUPLING_SCALE", "RANDOM_NOISE_SCALE", "RANDOM_SIGMA0_SCALE"]

RANDOM_RADIUS = 0.95
"""[`LinearGaussianSSM.random`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM.random]
gives ``A`` this spectral radius (the largest modulus of its eigenvalues).
"""
RANDOM_COUPLING_SCALE = 0.5
"""Scale of the random couplings above the eigenvalue blocks of the random ``A``."""
RANDOM_NOISE_SCALE = 0.1
"""Scale ``s`` of the random ``Q`` and ``R`` (``M M^T * (s / d) + s I``)."""
RANDOM_SIGMA0_SCALE = 1.0
"""Scale ``s`` of the random ``Sigma_0``."""

_NAMES = ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0")


def all_finite(*arrays: Float) -> bool:
    """Whether every value of every array is finite."""
    return all(bool(np.isfinite(a).all()) for a in arrays)


class LinearGaussianSSM:
    """A linear-Gaussian state-space model (see the module docstring for the equations).

    Every value must be a finite real number. ``Q``, ``R`` and ``Sigma_0`` are
    checked and stored as the module docstring says (symmetry within
    [`SYM_RTOL`][sc_neurocore.world_model.predictive_model.SYM_RTOL], then symmetrised; ``Q``
    PSD within [`PSD_RTOL`][sc_neurocore.world_model.predictive_model.PSD_RTOL]; ``R`` and
    ``Sigma_0`` PD beyond [`PD_RTOL`][sc_neurocore.world_model.predictive_model.PD_RTOL]).
    Arguments are checked in the order ``A, B, C, D, Q, R, mu_0, Sigma_0`` (values and shapes),
    then symmetry and definiteness of ``Q``, ``R``, ``Sigma_0``. The stored arrays are read-only
    copies (use [`replace`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM.replace]
    for a changed model).

    Parameters
    ----------
    A : array_like
        ``(n, n)`` state transition, ``n >= 1``.
    B : array_like or None
        ``(n, m)`` control input matrix (``m >= 0``; ``(n, 0)`` without
        controls); ``None`` means ``m = 0``.
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
        Naming the argument: a NaN or infinite value, a masked entry, a wrong
        rank or shape, an asymmetric covariance, ``Q`` not PSD, ``R`` or
        ``Sigma_0`` not PD.

    Attributes
    ----------
    A : ndarray
        ``(n, n)`` state transition (read-only, as every attribute here).
    B : ndarray
        ``(n, m)`` control input matrix.
    C : ndarray
        ``(p, n)`` observation matrix.
    D : ndarray
        ``(p, m)`` control feed-through.
    Q : ndarray
        ``(n, n)`` process-noise covariance, symmetrised.
    R : ndarray
        ``(p, p)`` observation-noise covariance, symmetrised.
    mu_0 : ndarray
        ``(n,)`` mean of ``x_0``.
    Sigma_0 : ndarray
        ``(n, n)`` covariance of ``x_0``, symmetrised.
    state_dim : int
        ``n``.
    obs_dim : int
        ``p``.
    control_dim : int
        ``m``.
    """

    __slots__ = ("_A", "_B", "_C", "_D", "_Q", "_R", "_mu_0", "_Sigma_0", "_n", "_p", "_m")

    def __init__(self, A: ArrayLike, B: ArrayLike | None, C: ArrayLike, D: ArrayLike | None,
                 Q: ArrayLike, R: ArrayLike, mu_0: ArrayLike, Sigma_0: ArrayLike) -> None:
        a = real_array(A, "A")
        if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
            raise ValueError(f"A must be a non-empty square matrix of shape (n, n) with "
                             f"n >= 1, got shape {a.shape}")
        n = a.shape[0]
        b = (np.zeros((n, 0)) if B is None else matrix(B, "B", n, None, "(n, m)"))
        m = b.shape[1]
        c = real_array(C, "C")
        if c.ndim != 2 or c.shape[1] != n or c.shape[0] < 1:
            raise ValueError(f"C must have shape (p, n) = (p, {n}) with p >= 1, "
                             f"got shape {c.shape}")
        p = c.shape[0]
        d = (np.zeros((p, m)) if D is None else matrix(D, "D", p, m, "(p, m)"))
        q = matrix(Q, "Q", n, n, "(n, n)")
        r = matrix(R, "R", p, p, "(p, p)")
        mu = vector(mu_0, "mu_0", n, "n")
        s0 = matrix(Sigma_0, "Sigma_0", n, n, "(n, n)")
        q = symmetric(q, "Q")
        r = symmetric(r, "R")
        s0 = symmetric(s0, "Sigma_0")
        positive_semidefinite(q, "Q")
        positive_definite(r, "R")
        positive_definite(s0, "Sigma_0")
        for arr in (a, b, c, d, q, r, mu, s0):
            arr.flags.writeable = False
        self._A, self._B, self._C, self._D = a, b, c, d
        self._Q, self._R, self._mu_0, self._Sigma_0 = q, r, mu, s0
        self._n, self._p, self._m = n, p, m

    A: npt.NDArray[np.float64] = read_only("_A")
    B: npt.NDArray[np.float64] = read_only("_B")
    C: npt.NDArray[np.float64] = read_only("_C")
    D: npt.NDArray[np.float64] = read_only("_D")
    Q: npt.NDArray[np.float64] = read_only("_Q")
    R: npt.NDArray[np.float64] = read_only("_R")
    mu_0: npt.NDArray[np.float64] = read_only("_mu_0")
    Sigma_0: npt.NDArray[np.float64] = read_only("_Sigma_0")
    state_dim: int = read_only("_n")
    obs_dim: int = read_only("_p")
    control_dim: int = read_only("_m")

    def __repr__(self) -> str:
        return (f"LinearGaussianSSM(state_dim={self.state_dim}, obs_dim={self.obs_dim}, "
                f"control_dim={self.control_dim})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinearGaussianSSM):
            return NotImplemented
        return all(np.array_equal(getattr(self, k), getattr(other, k)) for k in _NAMES)

    __hash__ = None  # type: ignore[assignment]  # equal models need not hash alike

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
        unknown = sorted(set(params) - set(_NAMES))
        if unknown:
            raise TypeError(f"replace() takes only {', '.join(_NAMES)}; got {unknown}")
        current: dict[str, Any] = {k: getattr(self, k) for k in _NAMES}  # checked below
        current.update(params)
        return LinearGaussianSSM(*(current[k] for k in _NAMES))

    # -------------------------------------------------------------- random models

    @classmethod
    def random(cls, state_dim: int, obs_dim: int, control_dim: int = 0,
               seed: int = 42) -> LinearGaussianSSM:
        """A random stable model whose ``A`` has spectral radius ``RANDOM_RADIUS`` (0.95).

        ``A = V T V`` with ``V`` a Householder reflection (symmetric, orthogonal,
        its own inverse) and ``T`` quasi-upper-triangular (a real Schur form), so
        the eigenvalues of ``A`` are those of the diagonal blocks of ``T``, fixed
        by construction; one of them has modulus exactly 0.95 (up to rounding)
        and none more. Everything is drawn from ``SplitMix64(seed)``;
        ``normals(k)`` = ``k`` Box-Muller normals (two words each), every block
        row-major. Draw order:

        1. ``v = normals(n)``; ``f = 2.0 / sum_i v_i*v_i`` (sum from ``0.0``,
           increasing ``i``); ``V[i,j] = [i = j] - (f * v_i) * v_j``.
        2. The blocks of ``T``: ``n // 2`` blocks of size 2 on the diagonal
           (rows ``2k, 2k+1``), then one of size 1 when ``n`` is odd.
           ``w = normals(number of blocks)``; block ``k``'s radius is
           ``r_k = 0.95 * (|w_k| / max_j |w_j|)``.
        3. Each 2-block in order: ``(x, y, z) = normals(3)``,
           ``h = sqrt(x*x + y*y)``, ``c = r * (x / h)``, ``s = r * (y / h)``;
           ``z >= 0``: the rotation block ``[[c, -s], [s, c]]`` (eigenvalues
           ``c +- i s``, modulus ``r``); ``z < 0``: ``diag(sign(x) r, s)``
           (real eigenvalues ``+-r`` and ``s``, ``|s| <= r``). The 1-block:
           ``x = normals(1)``, ``[r]`` when ``x >= 0``, else ``[-r]``.
        4. ``U = normals(u)`` for the ``u`` entries of ``T`` above its blocks
           (row-major): ``T[i,j] = U * RANDOM_COUPLING_SCALE``.
        5. ``A = matmul(matmul(V, T), V)``.
        6. ``B = normals(n*m)`` as ``(n, m)``; ``C = normals(p*n)`` as ``(p, n)``;
           ``D`` is zero (no draws).
        7. ``Q``: ``M = normals(n*n)``; ``Q = matmul(M, M^T) * (s / n)`` with
           ``s = RANDOM_NOISE_SCALE = 0.1`` (``s / n`` one division), then ``s``
           added to each diagonal element; ``R``: the same with ``p``;
           ``mu_0 = normals(n)``; ``Sigma_0``: as ``Q`` with ``s = 1.0``.

        Parameters
        ----------
        state_dim : int
            ``n >= 1``.
        obs_dim : int
            ``p >= 1``.
        control_dim : int, default 0
            ``m >= 0``.
        seed : int, default 42
            In ``[0, 2**64)``: the seed of the SplitMix64 generator.

        Returns
        -------
        LinearGaussianSSM

        Raises
        ------
        ValueError
            If a dimension or the seed is not an int (an ``InputTypeError``, also
            a ``TypeError``) or is out of range.
        """
        n = check_int(state_dim, "state_dim", minimum=1)
        p = check_int(obs_dim, "obs_dim", minimum=1)
        m = check_int(control_dim, "control_dim", minimum=0)
        gen = SplitMix64(seed)
        a = _random_transition(gen, n)
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
        seed : int, default 0
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
        u = as_controls(controls, steps, self.control_dim)
        gen = SplitMix64(seed)
        n, p = self.state_dim, self.obs_dim
        l0 = factor_pd(self._Sigma_0)
        lr = factor_pd(self._R)
        lq = semidefinite_factor(self._Q)
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
        if not all_finite(states, obs):
            raise ValueError("n_steps: the simulation overflowed float64 (the model's values "
                             "grow too large over this many steps)")
        return states, obs


def _random_transition(gen: SplitMix64, n: int) -> Float:
    """``A = V T V`` of ``LinearGaussianSSM.random`` (steps 1 to 5 of its draw order).

    ``x`` and ``y`` of a block are both zero with probability below ``2**-100``
    (a SplitMix64 normal is zero only when its first word is below ``2**11``); ``A``
    would then hold NaN, which the constructor refuses.
    """
    v = gen.normals(n)
    norm2 = float(ordered_sum(np.zeros(()), v * v))
    factor = 2.0 / norm2
    reflect = np.eye(n) - (factor * v)[:, None] * v[None, :]
    pairs, single = n // 2, n % 2
    weights = np.abs(gen.normals(pairs + single))
    radii = RANDOM_RADIUS * (weights / float(np.max(weights)))
    schur = np.zeros((n, n), dtype=np.float64)
    for k in range(pairs):
        x, y, z = (float(w) for w in gen.normals(3))
        h = math.sqrt(x * x + y * y)
        c, s = radii[k] * (x / h), radii[k] * (y / h)
        i = 2 * k
        if z >= 0.0:
            schur[i:i + 2, i:i + 2] = [[c, -s], [s, c]]
        else:
            schur[i, i], schur[i + 1, i + 1] = radii[k] if x >= 0.0 else -radii[k], s
    if single:
        x = float(gen.normals(1)[0])
        schur[n - 1, n - 1] = radii[pairs] if x >= 0.0 else -radii[pairs]
    above = np.triu(np.ones((n, n), dtype=bool), 1)
    for k in range(pairs):
        above[2 * k, 2 * k + 1] = False
    count = int(above.sum())
    schur[above] = gen.normals(count) * RANDOM_COUPLING_SCALE
    return matmul(matmul(reflect, schur), reflect)


def _random_covariance(gen: SplitMix64, dim: int, scale: float) -> Float:
    """``matmul(M, M^T) * (scale / dim)``, then ``+ scale`` on the diagonal.

    ``M = normals(dim * dim)``, row-major.
    """
    mat = gen.normals(dim * dim).reshape(dim, dim)
    cov = matmul(mat, mat.T) * (scale / dim)
    return shift_diagonal(cov, scale)


def check_model(model: object, name: str = "model") -> LinearGaussianSSM:
    """``model`` itself after checking it is a ``LinearGaussianSSM`` (``TypeError`` otherwise)."""
    if not isinstance(model, LinearGaussianSSM):
        raise TypeError(f"{name} must be a LinearGaussianSSM, got {type(model).__name__}")
    return model


class ModelBound:
    """Base of the classes that compute with one model: a checked ``model`` attribute.

    Parameters
    ----------
    model : LinearGaussianSSM
        The model.

    Raises
    ------
    TypeError
        If ``model`` is not a ``LinearGaussianSSM``.
    """

    __slots__ = ("_model",)

    def __init__(self, model: LinearGaussianSSM) -> None:
        self._model = check_model(model)

    @property
    def model(self) -> LinearGaussianSSM:
        """The model; assign another ``LinearGaussianSSM`` to replace it."""
        return self._model

    @model.setter
    def model(self, value: LinearGaussianSSM) -> None:
        self._model = check_model(value)

