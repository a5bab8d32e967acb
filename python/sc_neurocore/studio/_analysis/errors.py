"""The exceptions of the equation-based analyses (nullclines, precision comparison)."""

from __future__ import annotations

from typing import Literal

__all__ = ["ODE_MODEL_NAME", "ModelInputError", "ModelSimulationFailure"]

ODE_MODEL_NAME = "ode"
"""The ``model`` an equation system's errors name."""


class ModelInputError(ValueError):
    """A request refused before any step runs, naming the field at fault.

    Parameters
    ----------
    model : str or None
        The model the request named (``"ode"`` for an equation system).
    field : str
        The request field that failed (``equations``, ``params.tau``,
        ``ranges``, ``dt``, ...).
    reason : str
        Why.

    Attributes
    ----------
    model : str or None
        As given.
    field : str
        As given.
    reason : str
        As given.
    """

    def __init__(self, *, model: str | None, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.model = model
        self.field = field
        self.reason = reason

    def to_public_detail(self) -> dict[str, object]:
        """The error as a plain dict.

        Returns
        -------
        dict
            ``error`` (``"invalid_model_input"``), ``model``, ``field`` and ``reason``.
        """
        return {"error": "invalid_model_input", "model": self.model, "field": self.field,
                "reason": self.reason}


class ModelSimulationFailure(RuntimeError):
    """A checked run that failed numerically at one step (never a NaN trace).

    Parameters
    ----------
    model : str
        The model.
    backend : {"python", "rust"}
        Where the step ran.
    step : int
        Zero-based step index of the failure.
    time_ms : float
        Start time of that step (``step * dt``).
    diagnostic : str
        What failed.

    Attributes
    ----------
    model : str
        As given.
    backend : str
        As given.
    step : int
        As given.
    time_ms : float
        As given.
    diagnostic : str
        As given.
    """

    def __init__(self, *, model: str, backend: Literal["python", "rust"], step: int,
                 time_ms: float, diagnostic: str) -> None:
        super().__init__(f"{model} ({backend}) failed at step {step}: {diagnostic}")
        self.model = model
        self.backend = backend
        self.step = step
        self.time_ms = time_ms
        self.diagnostic = diagnostic

    def to_public_detail(self) -> dict[str, object]:
        """The error as a plain dict.

        Returns
        -------
        dict
            ``error`` (``"model_simulation_failed"``), ``model``, ``backend``,
            ``step``, ``time_ms`` and ``diagnostic``.
        """
        return {"error": "model_simulation_failed", "model": self.model,
                "backend": self.backend, "step": self.step, "time_ms": self.time_ms,
                "diagnostic": self.diagnostic}


def input_error(field: str, reason: str) -> ModelInputError:
    """A :class:`ModelInputError` of the equation system (``model="ode"``)."""
    return ModelInputError(model=ODE_MODEL_NAME, field=field, reason=reason)
