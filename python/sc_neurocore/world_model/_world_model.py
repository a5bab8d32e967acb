"""A predictive world model: a linear-Gaussian state-space model with a belief state."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore._readonly import read_only
from sc_neurocore._validation import check_int

from ._lgssm_checks import (
    as_controls,
    as_observations,
    matrix,
    positive_semidefinite,
    symmetric,
    vector,
)
from ._lgssm_em import EMLearner
from ._lgssm_filter import predict, update
from ._lgssm_model import LinearGaussianSSM, all_finite, check_model
from ._linalg import Float

__all__ = ["PredictiveWorldModel", "predict_with_cov", "state_covariance"]


def state_covariance(value: object, name: str, n: int) -> Float:
    """A ``(n, n)`` covariance checked as ``Q`` is (symmetric, PSD) and symmetrised."""
    cov = symmetric(matrix(value, name, n, n, "(state_dim, state_dim)"), name)
    positive_semidefinite(cov, name)
    return cov


def predict_with_cov(model: LinearGaussianSSM, mean: Float, cov: Float, action: Float,
                     name: str) -> tuple[Float, Float]:
    """One prediction step (``A m + B u``, ``symmetrize(A P A^T + Q)``), refusing overflow."""
    mean, cov = predict(model, mean, cov, action)
    if not all_finite(mean, cov):
        raise ValueError(f"{name}: the prediction overflowed float64 (values too large for "
                         "this model)")
    return mean, cov


class PredictiveWorldModel:
    """A predictive world model: a random stable linear-Gaussian model plus a belief state.

    The model is ``LinearGaussianSSM.random(state_dim, obs_dim, action_dim,
    seed)`` (actions are its controls; ``obs_dim`` defaults to ``state_dim``);
    the attribute ``model`` may be replaced by another model of the same
    dimensions (e.g. one learned by
    [`EMLearner`][sc_neurocore.world_model.predictive_model.EMLearner]). The
    prediction methods (``predict_next_state*``, ``forecast*``) are pure
    functions of their arguments and the model. The belief is the Gaussian
    ``N(state_mean, state_cov)`` over the current state, ``(mu_0, Sigma_0)``
    after [`reset`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.reset];
    [`observe`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.observe]
    conditions it on an observation and
    [`advance`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.advance] moves it
    one step forward.

    Parameters
    ----------
    state_dim : int
        Positive latent-state dimension.
    action_dim : int
        Non-negative action dimension.
    seed : int, default 42
        Seed of
        [`LinearGaussianSSM.random`][sc_neurocore.world_model.predictive_model.LinearGaussianSSM.random],
        in ``[0, 2**64)``.
    obs_dim : int, optional
        Positive observation dimension; ``state_dim`` when omitted.

    Attributes
    ----------
    seed : int
        The seed the initial model was drawn with (read-only).
    state_dim : int
        ``n`` (read-only).
    action_dim : int
        ``m`` (read-only).
    obs_dim : int
        ``p`` (read-only).

    Raises
    ------
    ValueError
        If a dimension or the seed is not an int (an ``InputTypeError``, also a
        ``TypeError``) or is out of range.
    """

    __slots__ = ("_seed", "_model", "_mean", "_cov")

    def __init__(self, state_dim: int, action_dim: int, seed: int = 42, *,
                 obs_dim: int | None = None) -> None:
        n = check_int(state_dim, "state_dim", minimum=1)
        m = check_int(action_dim, "action_dim", minimum=0)
        p = n if obs_dim is None else check_int(obs_dim, "obs_dim", minimum=1)
        self._model = LinearGaussianSSM.random(n, p, m, seed)
        self._seed = int(seed)
        self._mean: Float = self._model.mu_0.copy()
        self._cov: Float = self._model.Sigma_0.copy()

    def __repr__(self) -> str:
        return (f"PredictiveWorldModel(state_dim={self.state_dim}, "
                f"action_dim={self.action_dim}, seed={self._seed})")

    @property
    def model(self) -> LinearGaussianSSM:
        """The model; assign a ``LinearGaussianSSM`` of the same dimensions to replace it."""
        return self._model

    @model.setter
    def model(self, value: LinearGaussianSSM) -> None:
        new = check_model(value)
        old = self._model
        if (new.state_dim, new.control_dim, new.obs_dim) != (old.state_dim, old.control_dim,
                                                             old.obs_dim):
            raise ValueError("model must have this world model's dimensions (state_dim, "
                             f"action_dim, obs_dim) = ({old.state_dim}, {old.control_dim}, "
                             f"{old.obs_dim}), got ({new.state_dim}, {new.control_dim}, "
                             f"{new.obs_dim})")
        self._model = new

    seed: int = read_only("_seed")
    state_dim: int = read_only("_model.state_dim")
    action_dim: int = read_only("_model.control_dim")
    obs_dim: int = read_only("_model.obs_dim")

    @property
    def state_mean(self) -> npt.NDArray[np.float64]:
        """The belief's mean (a copy)."""
        return np.copy(self._mean)

    @property
    def state_cov(self) -> npt.NDArray[np.float64]:
        """The belief's covariance (a copy)."""
        return np.copy(self._cov)

    # -------------------------------------------------------------- arguments

    def _state(self, value: object, name: str) -> Float:
        return vector(value, name, self.state_dim, "state_dim")

    def _action(self, value: object, name: str = "action") -> Float:
        if value is None:
            return np.zeros(self.action_dim, dtype=np.float64)
        return vector(value, name, self.action_dim, "action_dim", allow_scalar=True)

    def _actions(self, actions: object) -> list[Float]:
        if not isinstance(actions, Iterable) or isinstance(actions, (str, bytes)):
            raise TypeError("actions must be a sequence of actions (each of shape "
                            f"(action_dim,) = ({self.action_dim},)), got "
                            f"{type(actions).__name__}")
        return [self._action(a, f"actions[{k}]") for k, a in enumerate(actions)]

    # -------------------------------------------------------------- belief

    def reset(self) -> None:
        """Set the belief back to ``(mu_0, Sigma_0)`` (independent copies)."""
        self._mean = self._model.mu_0.copy()
        self._cov = self._model.Sigma_0.copy()

    def observe(self, observation: ArrayLike,
                action: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """Condition the belief on ``y = C x + D action + v`` (one Kalman update).

        Parameters
        ----------
        observation : array_like or numpy.ma.MaskedArray
            ``(obs_dim,)``; masked entries are missing (the update uses the
            others; all masked: no change).
        action : array_like, optional
            ``(action_dim,)`` (one number when ``action_dim`` is 1); zeros when omitted.

        Returns
        -------
        ndarray
            The updated mean.

        Raises
        ------
        TypeError, ValueError
            Naming ``observation`` or ``action``.
        """
        arr = np.asanyarray(observation)
        if arr.shape != (self.obs_dim,):
            raise ValueError(f"observation must have shape (obs_dim,) = ({self.obs_dim},), "
                             f"got shape {arr.shape}")
        y, missing = as_observations(arr[None, :], self.obs_dim, name="observation")
        u = self._action(action)
        observed = None if missing is None else ~missing[0]
        try:
            mean, cov, _ = update(self._model, self._mean, self._cov, y[0], u, observed, 0)
        except ValueError as exc:
            raise type(exc)(f"observation: {exc}") from exc
        if not all_finite(mean, cov):
            raise ValueError("observation: the update overflowed float64 (values too large "
                             "for this model)")
        self._mean, self._cov = mean, cov
        return self.state_mean

    def advance(self, action: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """Move the belief one step: ``(A m + B action, A P A^T + Q)``; returns the mean.

        Parameters
        ----------
        action : array_like, optional
            ``(action_dim,)`` (one number when ``action_dim`` is 1); zeros when omitted.

        Returns
        -------
        ndarray
            ``(state_dim,)``: the new belief's mean.

        Raises
        ------
        TypeError, ValueError
            Naming ``action``.
        """
        self._mean, self._cov = predict_with_cov(self._model, self._mean, self._cov,
                                                 self._action(action), "action")
        return self.state_mean

    # -------------------------------------------------------------- predictions

    def predict_next_state(self, current_state: ArrayLike,
                           action: ArrayLike | None = None) -> npt.NDArray[np.float64]:
        """``A current_state + B action`` (``matvec`` order).

        Parameters
        ----------
        current_state : array_like
            ``(state_dim,)``.
        action : array_like, optional
            ``(action_dim,)``; one number is accepted when ``action_dim`` is 1;
            zeros when omitted.

        Returns
        -------
        ndarray
            ``(state_dim,)``.

        Raises
        ------
        ValueError
            Naming ``current_state`` or ``action`` (a wrong shape, a non-finite
            value; a non-number is an ``InputTypeError``, also a ``TypeError``).
        """
        n = self.state_dim
        return predict_with_cov(self._model, self._state(current_state, "current_state"),
                                np.zeros((n, n)), self._action(action), "current_state")[0]

    def predict_next_state_with_cov(self, current_state: ArrayLike, current_cov: ArrayLike,
                                    action: ArrayLike | None = None
                                    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Mean and covariance of the next state from ``N(current_state, current_cov)``.

        Parameters
        ----------
        current_state : array_like
            ``(state_dim,)``.
        current_cov : array_like
            ``(state_dim, state_dim)``, symmetric positive semidefinite (checked
            as ``Q`` is, then symmetrised).
        action : array_like, optional
            ``(action_dim,)`` (one number when ``action_dim`` is 1); zeros when omitted.

        Returns
        -------
        (ndarray, ndarray)
            ``A x + B u`` and ``symmetrize(A P A^T + Q)``.

        Raises
        ------
        ValueError
            Naming ``current_state``, ``current_cov`` or ``action``.
        """
        state = self._state(current_state, "current_state")
        cov = state_covariance(current_cov, "current_cov", self.state_dim)
        return predict_with_cov(self._model, state, cov, self._action(action), "current_state")

    def forecast(self, initial_state: ArrayLike,
                 actions: Iterable[ArrayLike]) -> list[npt.NDArray[np.float64]]:
        """The mean trajectory: one state per action, each ``A x + B u`` of the previous.

        Parameters
        ----------
        initial_state : array_like
            ``(state_dim,)``: the state before the first action.
        actions : sequence of array_like
            The actions in order (each ``(action_dim,)``, or one number when
            ``action_dim`` is 1); an empty sequence gives an empty list.

        Returns
        -------
        list of ndarray
            Independent ``(state_dim,)`` arrays, the state after each action.

        Raises
        ------
        TypeError
            If ``actions`` is not a sequence.
        ValueError
            Naming ``initial_state`` or ``actions[k]``.
        """
        return [mean for mean, _ in self._rollout(initial_state, None, actions)]

    def forecast_with_cov(self, initial_state: ArrayLike, initial_cov: ArrayLike,
                          actions: Iterable[ArrayLike]
                          ) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
        """The mean and covariance trajectory (repeated ``predict_next_state_with_cov``).

        Parameters
        ----------
        initial_state : array_like
            ``(state_dim,)``.
        initial_cov : array_like
            ``(state_dim, state_dim)``, symmetric positive semidefinite.
        actions : sequence of array_like
            As for [`forecast`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.forecast].

        Returns
        -------
        list of (ndarray, ndarray)
            Independent ``(mean, covariance)`` pairs after each action.

        Raises
        ------
        TypeError
            If ``actions`` is not a sequence.
        ValueError
            Naming ``initial_state``, ``initial_cov`` or ``actions[k]``.
        """
        return self._rollout(initial_state, initial_cov, actions)

    def _rollout(self, initial_state: object, initial_cov: object,
                 actions: Iterable[object]) -> list[tuple[Float, Float]]:
        n = self.state_dim
        mean = self._state(initial_state, "initial_state")
        cov = (np.zeros((n, n)) if initial_cov is None
               else state_covariance(initial_cov, "initial_cov", n))
        out = []
        for k, action in enumerate(self._actions(actions)):
            mean, cov = predict_with_cov(self._model, mean, cov, action, f"actions[{k}]")
            out.append((mean.copy(), cov.copy()))
        return out

    # -------------------------------------------------------------- learning

    def fit(self, observations: ArrayLike, actions: ArrayLike | None = None, *,
            max_iter: int = 50, tol: float = 1e-4,
            backend: str = "python") -> npt.NDArray[np.float64]:
        """Re-estimate the model by EM from the current one, then
        [`reset`][sc_neurocore.world_model.predictive_model.PredictiveWorldModel.reset].

        Parameters
        ----------
        observations : array_like or numpy.ma.MaskedArray
            ``(T, obs_dim)`` with ``T >= 2``.
        actions : array_like, optional
            ``(T, action_dim)``; zeros when omitted.
        max_iter : int, default 50
            As for [`EMLearner`][sc_neurocore.world_model.predictive_model.EMLearner].
        tol : float, default 1e-4
            As for [`EMLearner`][sc_neurocore.world_model.predictive_model.EMLearner].
        backend : {"python", "auto", "rust"}, default "python"
            As for [`EMLearner.fit`][sc_neurocore.world_model.predictive_model.EMLearner.fit].

        Returns
        -------
        ndarray
            The log-likelihood history of
            [`EMLearner.fit`][sc_neurocore.world_model.predictive_model.EMLearner.fit].

        Raises
        ------
        TypeError, ValueError, RuntimeError
            As [`EMLearner.fit`][sc_neurocore.world_model.predictive_model.EMLearner.fit].
        """
        learner = EMLearner(max_iter, tol)
        y, _ = as_observations(observations, self.obs_dim, min_steps=2)
        if actions is None:
            actions = np.zeros((y.shape[0], self.action_dim))
        u = as_controls(actions, y.shape[0], self.action_dim, "actions")
        self._model = learner.fit(observations, self._model, u, backend)
        self.reset()
        return np.array(learner.log_likelihood_history, dtype=np.float64)
