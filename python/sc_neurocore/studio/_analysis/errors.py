"""The exceptions of the equation-based analyses (nullclines, precision comparison)."""

from __future__ import annotations

from typing import ClassVar, Literal

__all__ = ["ODE_MODEL_NAME", "ModelInputError", "ModelSimulationFailure"]

ODE_MODEL_NAME = "ode"
"""The ``model`` an equation system's errors name."""


class _PublicDetail:
    """``to_public_detail`` of the analysis errors: their code and fields as a plain dict."""

    _ERROR: ClassVar[str]
    _FIELDS: ClassVar[tuple[str, ...]]

    def to_public_detail(self) -> dict[str, object]:
        """The error as a plain dict: ``error`` (the class's error code), then each field.

        Returns
        -------
        dict
            ``{"error": <code>, <field>: <value>, ...}``.
        """
        return {"error": self._ERROR, **{name: getattr(self, name) for name in self._FIELDS}}


class ModelInputError(_PublicDetail, ValueError):
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

    Methods
    -------
    to_public_detail()
        The error as a plain dict: ``error`` (``"invalid_model_input"``), ``model``, ``field``
        and ``reason``.
    """

    _ERROR = "invalid_model_input"
    _FIELDS = ("model", "field", "reason")

    def __init__(self, *, model: str | None, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.model = model
        self.field = field
        self.reason = reason


class ModelSimulationFailure(_PublicDetail, RuntimeError):
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

    Methods
    -------
    to_public_detail()
        The error as a plain dict: ``error`` (``"model_simulation_failed"``), ``model``,
        ``backend``, ``step``, ``time_ms`` and ``diagnostic``.
    """

    _ERROR = "model_simulation_failed"
    _FIELDS = ("model", "backend", "step", "time_ms", "diagnostic")

    def __init__(self, *, model: str, backend: Literal["python", "rust"], step: int,
                 time_ms: float, diagnostic: str) -> None:
        super().__init__(f"{model} ({backend}) failed at step {step}: {diagnostic}")
        self.model = model
        self.backend = backend
        self.step = step
        self.time_ms = time_ms
        self.diagnostic = diagnostic


def input_error(field: str, reason: str) -> ModelInputError:
    """A :class:`ModelInputError` of the equation system (``model="ode"``)."""
    return ModelInputError(model=ODE_MODEL_NAME, field=field, reason=reason)
