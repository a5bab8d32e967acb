"""The Rauch-Tung-Striebel smoother."""

from __future__ import annotations

import numpy as np

from ._lgssm_backends import engine_smooth, resolve_backend
from ._lgssm_model import LinearGaussianSSM, ModelBound, all_finite
from ._lgssm_results import FilterResult, SmoothResult
from ._linalg import Float, cho_solve, cholesky, matmul, matvec, symmetrize

__all__ = ["RTSSmoother", "smooth_arrays", "smooth_python"]


@np.errstate(over="ignore", invalid="ignore")
def smooth_arrays(model: LinearGaussianSSM, fr: FilterResult) -> tuple[Float, Float, Float]:
    """RTS recursion on a filter result of ``model``'s state dimension.

    ``t = T-1``: the filtered moments. For ``t = T-2`` down to ``0``:
    ``L = cholesky(P_p[t+1])`` (pivots > 0); ``J = cho_solve(L, matmul(A, P[t]))^T``
    (``J = P[t] A^T P_p[t+1]^{-1}``); ``m_s[t] = m[t] + matvec(J, m_s[t+1] - m_p[t+1])``;
    ``P_s[t] = symmetrize(P[t] + matmul(matmul(J, P_s[t+1] - P_p[t+1]), J^T))``;
    ``cross[t] = matmul(J, P_s[t+1])`` (``Cov[x_t, x_{t+1}]``).

    Raises
    ------
    numpy.linalg.LinAlgError
        If a predicted covariance is not positive definite.
    ValueError
        If the recursion overflows float64.
    """
    steps, n = fr.means.shape
    means = np.zeros((steps, n))
    covs = np.zeros((steps, n, n))
    cross = np.zeros((steps - 1, n, n))
    means[-1], covs[-1] = fr.means[-1], fr.covariances[-1]
    for t in range(steps - 2, -1, -1):
        low, _, pivot = cholesky(fr.pred_covariances[t + 1], 0.0)
        if low is None:
            raise np.linalg.LinAlgError(
                f"filter_result.pred_covariances[{t + 1}] must be positive definite for the "
                f"RTS smoother (Cholesky pivot {pivot:.3g}); a singular A with a singular Q "
                "makes it singular")
        gain = cho_solve(low, matmul(model.A, fr.covariances[t])).T
        means[t] = fr.means[t] + matvec(gain, means[t + 1] - fr.pred_means[t + 1])
        covs[t] = symmetrize(fr.covariances[t]
                             + matmul(matmul(gain, covs[t + 1] - fr.pred_covariances[t + 1]),
                                      gain.T))
        cross[t] = matmul(gain, covs[t + 1])
    if not all_finite(means, covs, cross):
        raise ValueError("filter_result: the RTS smoother overflowed float64")
    return means, covs, cross


def smooth_python(model: LinearGaussianSSM, fr: FilterResult) -> SmoothResult:
    """:func:`smooth_arrays` as a validated :class:`SmoothResult`."""
    return SmoothResult(*smooth_arrays(model, fr))


class RTSSmoother(ModelBound):
    """Rauch-Tung-Striebel smoother of a
    [`LinearGaussianSSM`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM].

    Parameters
    ----------
    model : LinearGaussianSSM
        The model the filter result was computed with (also the attribute
        ``model``, which may be replaced by another ``LinearGaussianSSM``).

    Raises
    ------
    TypeError
        If ``model`` is not a ``LinearGaussianSSM`` (as for
        [`KalmanFilter`][sc_neurocore.world_model.predictive_model.KalmanFilter]).
    """

    __slots__ = ()

    def smooth(self, filter_result: FilterResult, backend: str = "auto") -> SmoothResult:
        """Smoothed moments and lag-one cross-covariances ``Cov[x_t, x_{t+1} | y]``.

        For ``t = T-2`` down to ``0``, with ``J = P[t] A^T P_p[t+1]^{-1}`` (by
        Cholesky solves): ``m_s[t] = m[t] + J (m_s[t+1] - m_p[t+1])``,
        ``P_s[t] = symmetrize(P[t] + J (P_s[t+1] - P_p[t+1]) J^T)`` and
        ``cross[t] = J P_s[t+1]``, every product in the order of ``_linalg``.

        Parameters
        ----------
        filter_result : FilterResult
            From
            [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter]
            with the same model (validated when it was built).
        backend : {"auto", "python", "rust"}, default "auto"
            As for
            [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter]
            (bit-identical results).

        Returns
        -------
        SmoothResult

        Raises
        ------
        TypeError
            If ``filter_result`` is not a
            [`FilterResult`][sc_neurocore.world_model.predictive_model.FilterResult].
        ValueError
            If its state dimension does not match the model's, the recursion
            overflows, or ``backend`` is unknown.
        numpy.linalg.LinAlgError
            If a predicted covariance is not positive definite (a ``ValueError``).
        RuntimeError
            If the requested backend is not available.
        """
        if not isinstance(filter_result, FilterResult):
            raise TypeError("filter_result must be a FilterResult, got "
                            f"{type(filter_result).__name__}")
        n = self._model.state_dim
        if filter_result.state_dim != n:
            raise ValueError(f"filter_result state dimension {filter_result.state_dim} does "
                             f"not match model state dimension {n}")
        if resolve_backend(backend) == "rust":
            return engine_smooth(self._model, filter_result)
        return smooth_python(self._model, filter_result)
