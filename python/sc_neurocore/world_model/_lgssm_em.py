"""Expectation-maximisation (Shumway-Stoffer) for the parameters of a linear-Gaussian model."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import check_int, check_real

from ._lgssm_backends import EngineFailure, engine_em_fit, resolve_backend
from ._lgssm_checks import Mask, as_controls, as_observations
from ._lgssm_filter import filter_python
from ._lgssm_model import LinearGaussianSSM, check_model
from ._lgssm_results import FilterResult
from ._lgssm_smoother import smooth_arrays
from ._linalg import Float, cho_solve, cholesky, matmul, ordered_sum, symmetrize

__all__ = ["EMLearner", "LikelihoodDecreaseError", "LL_ROUNDING_RTOL", "m_step"]

LL_ROUNDING_RTOL = 1e-9
"""EM refuses a log-likelihood decrease larger than ``LL_ROUNDING_RTOL * max(1, |previous|)``."""


class LikelihoodDecreaseError(RuntimeError):
    """EM's log-likelihood decreased by more than rounding
    ([`LL_ROUNDING_RTOL`][sc_neurocore.world_model.predictive_model.LL_ROUNDING_RTOL]).

    EM never decreases the likelihood in exact arithmetic, so this signals a
    numerically broken problem (e.g. a near-singular covariance), not bad input.
    A ``RuntimeError``, as the reference project raises.
    """


def _observed_rows(missing: Mask | None) -> Mask | None:
    """The time steps whose observation is present (``None``: all), refusing partial rows."""
    if missing is None:
        return None
    partial = missing.any(axis=1) & ~missing.all(axis=1)
    if partial.any():
        t = int(np.flatnonzero(partial)[0])
        raise ValueError(f"observations: EM needs each time step fully observed or fully "
                         f"masked; step {t} is partly masked (its M-step for C and R has no "
                         "closed form); mask the whole step or fill the entries")
    present: Mask = np.logical_not(missing.all(axis=1))
    return present


def _stacked_matvec(mat: Float, vectors: Float) -> Float:
    """``matvec(mat, vectors[t])`` for every ``t`` (the same ordered sums)."""
    terms = vectors.T[:, :, None] * mat.T[:, None, :]
    return ordered_sum(np.zeros((vectors.shape[0], mat.shape[0])), terms)


def _outers(a: Float, b: Float) -> Float:
    """``outer(a[t], b[t])`` for every ``t``."""
    out: Float = a[:, :, None] * b[:, None, :]
    return out


@np.errstate(over="ignore", invalid="ignore")
def m_step(model: LinearGaussianSSM, means: Float, covs: Float, cross: Float, y: Float,
           u: Float, present: Mask | None) -> LinearGaussianSSM:
    """The M-step of [`EMLearner.step`][sc_neurocore.world_model.predictive_model.EMLearner.step]
    from smoothed moments (``B`` and ``D`` fixed).

    ``present`` (``None``: all) selects the time steps whose observation is
    present; ``C`` and ``R`` are estimated from those alone.
    """
    steps, n = means.shape
    p = model.obs_dim
    b = _stacked_matvec(model.B, u[:-1])
    second = covs + _outers(means, means)
    lag = (np.swapaxes(cross, 1, 2) + _outers(means[1:], means[:-1])) - _outers(b, means[:-1])
    nxt = (((second[1:] - _outers(means[1:], b)) - _outers(b, means[1:])) + _outers(b, b))
    s00 = ordered_sum(np.zeros((n, n)), second[:-1])
    s10 = ordered_sum(np.zeros((n, n)), lag)
    s11 = ordered_sum(np.zeros((n, n)), nxt)
    e = y - _stacked_matvec(model.D, u)
    keep = np.arange(steps) if present is None else np.flatnonzero(present)
    sxx = ordered_sum(np.zeros((n, n)), second[keep])
    syx = ordered_sum(np.zeros((p, n)), _outers(e[keep], means[keep]))
    syy = ordered_sum(np.zeros((p, p)), _outers(e[keep], e[keep]))
    low00, _, _ = cholesky(s00, 0.0)
    lowxx, _, _ = cholesky(sxx, 0.0)
    if low00 is None or lowxx is None:
        raise ValueError("observations: the EM statistics sum_t E[x_t x_t^T] are not positive "
                         "definite; the smoothed states are degenerate (or no step is "
                         "observed)")
    a_new = cho_solve(low00, s10.T).T
    q_new = symmetrize((s11 - matmul(a_new, s10.T)) / float(steps - 1))
    c_new = cho_solve(lowxx, syx.T).T
    r_new = symmetrize((syy - matmul(c_new, syx.T)) / float(keep.size))
    try:
        return LinearGaussianSSM(a_new, model.B, c_new, model.D, q_new, r_new, means[0],
                                 covs[0])
    except ValueError as exc:
        raise ValueError(f"observations: the EM update gives an invalid model ({exc})") from exc


def _m_step_after(model: LinearGaussianSSM, fr: FilterResult, y: Float, u: Float,
                  present: Mask | None) -> LinearGaussianSSM:
    """Smoother on ``fr`` (the filter of ``model``), then the M-step."""
    return m_step(model, *smooth_arrays(model, fr), y, u, present)


def _raise_engine_failure(failure: EngineFailure) -> None:
    kind, message = failure
    if kind == "runtime":
        raise LikelihoodDecreaseError(message)
    if kind == "linalg":
        raise np.linalg.LinAlgError(message)
    if kind == "type":
        raise TypeError(message)
    if kind == "memory":
        raise MemoryError(message)
    raise ValueError(message)


class EMLearner:
    """Shumway-Stoffer expectation-maximisation for ``A, C, Q, R, mu_0, Sigma_0``.

    ``B`` and ``D`` stay as in the initial model; their control terms are
    subtracted from the sufficient statistics, so the maximisation is exact for
    the others given them.

    Parameters
    ----------
    max_iter : int, default 50
        Most EM iterations (M-steps), a positive integer.
    tol : float, default 1e-4
        Stop when an iteration changes the log-likelihood by ``<= tol``;
        finite and non-negative.

    Attributes
    ----------
    log_likelihood_history : list of float
        After [`fit`][sc_neurocore.world_model.predictive_model.EMLearner.fit]: the
        log-likelihood of the initial model, then of each candidate model in turn
        (one more entry than iterations run; also when ``fit`` raised
        [`LikelihoodDecreaseError`][sc_neurocore.world_model.predictive_model.LikelihoodDecreaseError],
        whose offending value is the last entry). Empty before the first fit.

    Raises
    ------
    ValueError
        If ``max_iter`` is not a positive integer or ``tol`` is negative or not
        finite (a wrong type is an ``InputTypeError``, also a ``TypeError``).
    """

    __slots__ = ("max_iter", "tol", "log_likelihood_history")

    def __init__(self, max_iter: int = 50, tol: float = 1e-4) -> None:
        self.max_iter = check_int(max_iter, "max_iter", minimum=1)
        self.tol = check_real(tol, "tol", minimum=0.0)
        self.log_likelihood_history: list[float] = []

    def __repr__(self) -> str:
        return f"EMLearner(max_iter={self.max_iter}, tol={self.tol!r})"

    def step(self, observations: ArrayLike, model: LinearGaussianSSM,
             controls: ArrayLike | None = None) -> tuple[LinearGaussianSSM, float]:
        """One EM iteration: E-step (filter, RTS smoother) and M-step.

        With smoothed ``m_t, P_t``, cross-covariances ``V_t = Cov[x_t, x_{t+1}]``,
        ``b_t = matvec(B, u_t)`` and ``e_t = y_t - matvec(D, u_t)``, each sum from
        zeros in increasing ``t``:

        * for ``t = 0 .. T-2``: ``S00 += P_t + outer(m_t, m_t)``;
          ``S10 += (V_t^T + outer(m_{t+1}, m_t)) - outer(b_t, m_t)``;
          ``S11 += ((P_{t+1} + outer(m_{t+1}, m_{t+1}) - outer(m_{t+1}, b_t))
          - outer(b_t, m_{t+1})) + outer(b_t, b_t)``;
        * for the ``T_o`` steps ``t`` whose observation is present:
          ``Sxx += P_t + outer(m_t, m_t)``; ``Syx += outer(e_t, m_t)``;
          ``Syy += outer(e_t, e_t)``;
        * ``A' = cho_solve(cholesky(S00), S10^T)^T``;
          ``Q' = symmetrize((S11 - matmul(A', S10^T)) / (T-1))``;
          ``C' = cho_solve(cholesky(Sxx), Syx^T)^T``;
          ``R' = symmetrize((Syy - matmul(C', Syx^T)) / T_o)``;
          ``mu_0' = m_0``; ``Sigma_0' = P_0``.

        Parameters
        ----------
        observations : array_like or numpy.ma.MaskedArray
            ``(T, p)`` with ``T >= 2``; a masked time step must be masked
            entirely (it is then missing: it informs the states, not ``C``, ``R``).
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
            ``T < 2``; a partly masked step; an update that is not a valid model
            (naming ``observations``).
        """
        model = check_model(model)
        y, missing = as_observations(observations, model.obs_dim, min_steps=2)
        present = _observed_rows(missing)
        u = as_controls(controls, y.shape[0], model.control_dim)
        fr = filter_python(model, y, u, missing)
        return _m_step_after(model, fr, y, u, present), fr.log_likelihood

    def fit(self, observations: ArrayLike, initial_model: LinearGaussianSSM,
            controls: ArrayLike | None = None, backend: str = "python") -> LinearGaussianSSM:
        """Run EM from ``initial_model``; the history is kept in ``log_likelihood_history``.

        ``l_0`` is the initial model's log-likelihood; iteration ``k`` computes
        the candidate model (E-step and M-step of
        [`step`][sc_neurocore.world_model.predictive_model.EMLearner.step]) and its
        log-likelihood ``l_k``, which is appended to the history; then
        ``l_{k-1} - l_k > LL_ROUNDING_RTOL * max(1, |l_{k-1}|)`` raises
        [`LikelihoodDecreaseError`][sc_neurocore.world_model.predictive_model.LikelihoodDecreaseError];
        otherwise the candidate is accepted and the loop stops when
        ``|l_k - l_{k-1}| <= tol`` or after ``max_iter`` iterations.

        Parameters
        ----------
        observations : array_like or numpy.ma.MaskedArray
            ``(T, p)`` with ``T >= 2`` (masked steps as for ``step``).
        initial_model : LinearGaussianSSM
            Its ``B`` and ``D`` are kept exactly.
        controls : array_like, optional
            ``(T, m)``; required when ``m > 0``.
        backend : {"python", "auto", "rust"}, default "python"
            ``"rust"`` runs the whole loop (filter, smoother, M-step) in the Rust
            mirror through the engine, with bit-identical results and history;
            ``"auto"`` picks it when the engine is built.

        Returns
        -------
        LinearGaussianSSM
            The last accepted model.

        Raises
        ------
        TypeError, ValueError
            As [`step`][sc_neurocore.world_model.predictive_model.EMLearner.step]
            (``initial_model`` for a non-model); an unknown ``backend``.
        LikelihoodDecreaseError
            If an iteration decreases the log-likelihood beyond rounding (a
            ``RuntimeError``).
        RuntimeError
            If the requested backend is not available.
        """
        self.log_likelihood_history = []
        model = check_model(initial_model, "initial_model")
        y, missing = as_observations(observations, model.obs_dim, min_steps=2)
        present = _observed_rows(missing)
        u = as_controls(controls, y.shape[0], model.control_dim)
        if resolve_backend(backend) == "rust":
            fitted, history, failure = engine_em_fit(model, y, u, missing, self.max_iter,
                                                     self.tol)
            self.log_likelihood_history = history
            if failure is not None:
                _raise_engine_failure(failure)
            return fitted
        return self._fit_python(model, y, u, missing, present)

    def _fit_python(self, model: LinearGaussianSSM, y: Float, u: Float,
                    missing: Mask | None, present: Mask | None) -> LinearGaussianSSM:
        history = self.log_likelihood_history
        fr = filter_python(model, y, u, missing)
        history.append(fr.log_likelihood)
        for k in range(self.max_iter):
            candidate = _m_step_after(model, fr, y, u, present)
            fr_new = filter_python(candidate, y, u, missing)
            previous, current = fr.log_likelihood, fr_new.log_likelihood
            history.append(current)
            if previous - current > LL_ROUNDING_RTOL * max(1.0, abs(previous)):
                raise LikelihoodDecreaseError(
                    f"EM iteration {k + 1}: the log-likelihood decreased beyond float64 "
                    f"round-off ({LL_ROUNDING_RTOL:g} relative), {previous!r} -> {current!r}")
            model, fr = candidate, fr_new
            if abs(current - previous) <= self.tol:
                break
        return model
