"""The validated results of the Kalman filter and the RTS smoother."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import check_real

from ._lgssm_checks import covariance_stack, real_array
from ._linalg import Float

__all__ = ["FilterResult", "SmoothResult"]


def _moments(value: object, name: str, ndim: int) -> Float:
    """``value`` as a finite, read-only float64 ``ndim``-D copy (naming ``name``)."""
    arr = real_array(value, name)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array (a {ndim}-dimensional stack of "
                         f"moments), got shape {arr.shape}")
    return arr


def _want_shape(arr: Float, name: str, shape: tuple[int, ...]) -> None:
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")


def _time_and_state(means: Float) -> tuple[int, int]:
    steps, n = means.shape
    if steps == 0 or n == 0:
        raise ValueError("means must have non-zero time and state dimensions (T >= 1, "
                         f"n >= 1), got shape {means.shape}")
    return steps, n


def _freeze(obj: object, **arrays: Float) -> None:
    for name, arr in arrays.items():
        arr.flags.writeable = False
        object.__setattr__(obj, name, arr)


class _Moments:
    """``T`` and ``n`` of a result, read from its ``means``."""

    means: npt.NDArray[np.float64]

    @property
    def time_steps(self) -> int:
        """``T``."""
        return int(self.means.shape[0])

    @property
    def state_dim(self) -> int:
        """``n``."""
        return int(self.means.shape[1])


@dataclass(frozen=True, eq=False)
class FilterResult(_Moments):
    """Output of
    [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter]
    (``T`` steps, state dimension ``n``); validated when built.

    The arrays are stored as read-only float64 copies. Checked in this order:
    each array finite with its rank; ``T >= 1`` and ``n >= 1``; ``pred_means``
    ``(T, n)``; ``covariances`` then ``pred_covariances`` ``(T, n, n)``, each
    matrix symmetric and positive semidefinite (the rules of
    [`SYM_RTOL`][sc_neurocore.world_model.predictive_model.SYM_RTOL] and
    [`PSD_RTOL`][sc_neurocore.world_model.predictive_model.PSD_RTOL]); ``log_likelihood``
    a finite real number.

    Parameters
    ----------
    means : array_like
        ``(T, n)``: ``E[x_t | y_0 .. y_t]``.
    covariances : array_like
        ``(T, n, n)``: ``Cov[x_t | y_0 .. y_t]``.
    pred_means : array_like
        ``(T, n)``: ``E[x_t | y_0 .. y_{t-1}]`` (``mu_0`` at ``t = 0``).
    pred_covariances : array_like
        ``(T, n, n)``: ``Cov[x_t | y_0 .. y_{t-1}]`` (``Sigma_0`` at ``t = 0``).
    log_likelihood : float
        ``log p(y_0 .. y_{T-1})`` (of the observed values only, when some are missing).

    Raises
    ------
    ValueError
        Naming the field: a wrong rank or shape, an empty time or state axis,
        a non-finite value, a covariance that is not symmetric positive
        semidefinite, an infinite ``log_likelihood`` (a non-number is an
        ``InputTypeError``, also a ``TypeError``).
    """

    means: npt.NDArray[np.float64]
    covariances: npt.NDArray[np.float64]
    pred_means: npt.NDArray[np.float64]
    pred_covariances: npt.NDArray[np.float64]
    log_likelihood: float

    def __post_init__(self) -> None:
        means = _moments(self.means, "means", 2)
        covs = _moments(self.covariances, "covariances", 3)
        pred_means = _moments(self.pred_means, "pred_means", 2)
        pred_covs = _moments(self.pred_covariances, "pred_covariances", 3)
        steps, n = _time_and_state(means)
        _want_shape(pred_means, "pred_means", (steps, n))
        for name, stack in (("covariances", covs), ("pred_covariances", pred_covs)):
            _want_shape(stack, name, (steps, n, n))
            covariance_stack(stack, name)
        loglik = check_real(self.log_likelihood, "log_likelihood")
        _freeze(self, means=means, covariances=covs, pred_means=pred_means,
                pred_covariances=pred_covs)
        object.__setattr__(self, "log_likelihood", loglik)


@dataclass(frozen=True, eq=False)
class SmoothResult(_Moments):
    """Output of
    [`RTSSmoother.smooth`][sc_neurocore.world_model.predictive_model.RTSSmoother.smooth];
    validated when built.

    The arrays are stored as read-only float64 copies. Checked in this order:
    each array finite with its rank; ``T >= 1`` and ``n >= 1``;
    ``covariances`` ``(T, n, n)``, each matrix symmetric and positive
    semidefinite; ``cross_covariances`` ``(T-1, n, n)``.

    Parameters
    ----------
    means : array_like
        ``(T, n)``: ``E[x_t | y_0 .. y_{T-1}]``.
    covariances : array_like
        ``(T, n, n)``: ``Cov[x_t | y_0 .. y_{T-1}]``.
    cross_covariances : array_like
        ``(T-1, n, n)``: entry ``t`` is ``Cov[x_t, x_{t+1} | y_0 .. y_{T-1}]``
        (rows index ``x_t``, columns ``x_{t+1}``).

    Raises
    ------
    ValueError
        Naming the field: a wrong rank or shape, an empty time or state axis,
        a non-finite value, a covariance that is not symmetric positive
        semidefinite.
    """

    means: npt.NDArray[np.float64]
    covariances: npt.NDArray[np.float64]
    cross_covariances: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        means = _moments(self.means, "means", 2)
        covs = _moments(self.covariances, "covariances", 3)
        cross = _moments(self.cross_covariances, "cross_covariances", 3)
        steps, n = _time_and_state(means)
        _want_shape(covs, "covariances", (steps, n, n))
        _want_shape(cross, "cross_covariances", (steps - 1, n, n))
        covariance_stack(covs, "covariances")
        _freeze(self, means=means, covariances=covs, cross_covariances=cross)

