"""The Kalman filter (Joseph-form update, Cholesky solves), with missing observations."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ._lgssm_backends import engine_filter, resolve_backend
from ._lgssm_checks import Mask, as_controls, as_observations
from ._lgssm_model import LinearGaussianSSM, ModelBound, all_finite
from ._lgssm_results import FilterResult
from ._linalg import (
    Float,
    cho_solve,
    cholesky,
    matmul,
    matvec,
    ordered_sum,
    solve_lower,
    symmetrize,
)

__all__ = ["KalmanFilter", "LOG_2PI", "predict", "update", "filter_python", "filter_arrays",
           "overflow"]

LOG_2PI = 1.8378770664093453
"""``log(2 pi)`` as a double (the constant of the Gaussian log-density)."""

_QUIET = np.errstate(over="ignore", invalid="ignore")
"""Overflow is detected and refused explicitly (``overflow``), so NumPy's warnings are muted."""


def overflow(step: int) -> ValueError:
    """The error of a filter that overflowed float64 at ``step``."""
    return ValueError(f"observations: the Kalman filter overflowed float64 at step {step} "
                      "(values too large for this model); rescale the observations or the "
                      "model")


@_QUIET
def predict(model: LinearGaussianSSM, mean: Float, cov: Float,
            u: Float) -> tuple[Float, Float]:
    """``(matvec(A, m) + matvec(B, u), symmetrize(matmul(matmul(A, P), A^T) + Q))``."""
    pred_mean = matvec(model.A, mean) + matvec(model.B, u)
    pred_cov = symmetrize(matmul(matmul(model.A, cov), model.A.T) + model.Q)
    return pred_mean, pred_cov


@_QUIET
def update(model: LinearGaussianSSM, pred_mean: Float, pred_cov: Float, y: Float, u: Float,
           observed: Mask | None, step: int) -> tuple[Float, Float, float | None]:
    """One measurement update on the observed entries of ``y``.

    ``observed`` (``None``: all) selects the rows ``o`` of ``y``, ``C``, ``D``
    and the block ``R[o, o]`` (in increasing index order); with no observed
    entry the prediction is returned unchanged and the log-density is ``None``.
    Otherwise, in order: ``e = y_o - (matvec(C_o, m_p) + matvec(D_o, u))``;
    ``G = matmul(P_p, C_o^T)``; ``S = symmetrize(matmul(C_o, G) + R_oo)``;
    ``L = cholesky(S)`` (pivots > 0; a non-finite ``S`` is an overflow);
    ``K = cho_solve(L, G^T)^T``; ``m = m_p + matvec(K, e)``;
    ``F = I - matmul(K, C_o)`` (``1.0 - x`` on the diagonal, ``0.0 - x``
    elsewhere); Joseph form
    ``P = symmetrize(matmul(matmul(F, P_p), F^T) + matmul(matmul(K, R_oo), K^T))``;
    ``z = solve_lower(L, e)``; ``q = sum_i z_i*z_i`` and ``h = sum_i log(L[i,i])``
    (each from ``0.0``, increasing ``i``);
    ``log p = -0.5 * ((p_o * LOG_2PI + 2.0 * h) + q)`` with ``p_o`` the number of
    observed entries.

    Raises
    ------
    numpy.linalg.LinAlgError
        If the innovation covariance ``S`` is not positive definite (a
        ``ValueError``).
    ValueError
        If ``S`` overflows float64.
    """
    c, d, r = model.C, model.D, model.R
    if observed is not None and not observed.all():
        rows = np.flatnonzero(observed)
        if rows.size == 0:
            return pred_mean.copy(), pred_cov.copy(), None
        c, d, r, y = c[rows], d[rows], r[np.ix_(rows, rows)], y[rows]
    err = y - (matvec(c, pred_mean) + matvec(d, u))
    gain_t = matmul(pred_cov, c.T)
    innov = symmetrize(matmul(c, gain_t) + r)
    if not all_finite(innov):
        raise overflow(step)
    low, _, pivot = cholesky(innov, 0.0)
    if low is None:
        raise np.linalg.LinAlgError(
            f"R: the innovation covariance C P C^T + R at step {step} is not positive "
            f"definite (Cholesky pivot {pivot:.3g})")
    gain = cho_solve(low, gain_t.T).T
    mean = pred_mean + matvec(gain, err)
    joseph = np.eye(pred_mean.shape[0]) - matmul(gain, c)
    cov = symmetrize(matmul(matmul(joseph, pred_cov), joseph.T)
                     + matmul(matmul(gain, r), gain.T))
    z = solve_lower(low, err[:, None])[:, 0]
    quad = float(ordered_sum(np.zeros(()), z * z))
    half_logdet = 0.0
    for i in range(low.shape[0]):
        half_logdet = half_logdet + math.log(float(low[i, i]))
    loglik = -0.5 * ((float(c.shape[0]) * LOG_2PI + 2.0 * half_logdet) + quad)
    return mean, cov, loglik


def filter_arrays(model: LinearGaussianSSM, y: Float, u: Float,
                  missing: Mask | None) -> tuple[Float, Float, Float, Float, float]:
    """The filter on validated inputs: ``(means, covs, pred_means, pred_covs, log_likelihood)``.

    Step ``t``: the prediction is ``(mu_0, Sigma_0)`` at ``t = 0``, else
    :func:`predict` from step ``t - 1``; then :func:`update` on the entries of
    ``y_t`` not ``missing``. The log-likelihood is the sum of the log-densities
    of the steps with an observed entry, from ``0.0`` in time order.
    """
    steps, n = y.shape[0], model.state_dim
    means = np.zeros((steps, n))
    covs = np.zeros((steps, n, n))
    pred_means = np.zeros((steps, n))
    pred_covs = np.zeros((steps, n, n))
    total = 0.0
    mean_p: Float = model.mu_0.copy()
    cov_p: Float = model.Sigma_0.copy()
    for t in range(steps):
        if t > 0:
            mean_p, cov_p = predict(model, means[t - 1], covs[t - 1], u[t - 1])
            if not all_finite(mean_p, cov_p):
                raise overflow(t)
        pred_means[t], pred_covs[t] = mean_p, cov_p
        observed = None if missing is None else ~missing[t]
        means[t], covs[t], loglik = update(model, mean_p, cov_p, y[t], u[t], observed, t)
        if loglik is not None:
            total = total + loglik
        if not (math.isfinite(total) and all_finite(means[t], covs[t])):
            raise overflow(t)
    return means, covs, pred_means, pred_covs, total


def filter_python(model: LinearGaussianSSM, y: Float, u: Float,
                  missing: Mask | None) -> FilterResult:
    """:func:`filter_arrays` as a validated :class:`FilterResult`."""
    return FilterResult(*filter_arrays(model, y, u, missing))


class KalmanFilter(ModelBound):
    """Kalman filter of a
    [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM]
    (Joseph-form update, Cholesky solves), treating masked observations as missing.

    Parameters
    ----------
    model : LinearGaussianSSM
        The model (also the attribute ``model``, which may be replaced by another
        ``LinearGaussianSSM``).

    Raises
    ------
    TypeError
        If ``model`` is not a
        [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM].
    """

    __slots__ = ()

    def filter(self, observations: ArrayLike, controls: ArrayLike | None = None,
               backend: str = "auto") -> FilterResult:
        """Filter ``T`` observations.

        Step ``t``: the prediction is ``(mu_0, Sigma_0)`` at ``t = 0``, else
        ``m_p = matvec(A, m_{t-1}) + matvec(B, u_{t-1})``,
        ``P_p = symmetrize(matmul(matmul(A, P_{t-1}), A^T) + Q)``; then the
        measurement update (innovation covariance factored by Cholesky,
        Joseph form, symmetrised covariance, exact Gaussian log-density) on
        the observed entries of ``y_t``. The log-likelihood is the sum of the
        ``T`` log-densities from ``0.0`` in time order.

        **Missing observations.** The masked entries of a NumPy masked array are
        missing: step ``t`` conditions on its observed entries only (the rows of
        ``C``, ``D`` and the block of ``R`` that belong to them), a step with
        every entry masked has no update (its filtered moments are its
        predicted ones and it adds nothing to the log-likelihood), and the
        values under the mask (NaN included) are never read. The
        log-likelihood is that of the observed values.

        Parameters
        ----------
        observations : array_like or numpy.ma.MaskedArray
            ``(T, p)``, ``T >= 1`` (``(T,)`` when ``p = 1``).
        controls : array_like, optional
            ``(T, m)``; required when ``m > 0``.
        backend : {"auto", "python", "rust"}, default "auto"
            ``"python"``: NumPy in the written-down order of operations;
            ``"rust"``: the same operations in the Rust mirror, run through the
            compiled engine (bit-identical results); ``"auto"``: ``"rust"``
            when the engine is built, else ``"python"``. ``"mojo"``, ``"go"``
            and ``"julia"`` (the reference's optional native filters) are not
            provided: ``RuntimeError``.

        Returns
        -------
        FilterResult

        Raises
        ------
        TypeError
            If an argument does not hold real numbers (an ``InputTypeError``,
            also a ``ValueError``).
        ValueError
            Naming ``observations`` or ``controls`` (non-finite observed values,
            masked controls, wrong shapes, ``T = 0``, a filter overflow) or
            ``backend`` (an unknown name).
        numpy.linalg.LinAlgError
            If an innovation covariance is not positive definite (a ``ValueError``).
        RuntimeError
            If the requested backend is not available.
        """
        model = self._model
        y, missing = as_observations(observations, model.obs_dim)
        u = as_controls(controls, y.shape[0], model.control_dim)
        if resolve_backend(backend) == "rust":
            return engine_filter(model, y, u, missing)
        return filter_python(model, y, u, missing)
