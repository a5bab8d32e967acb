"""Which implementation runs the filter, the smoother and EM: Python or the Rust mirror.

``"python"`` is NumPy in the written-down order of operations of ``_linalg``;
``"rust"`` is the safety mirror (``rust/mirror/src/safety/predictive_model/``) run
through the compiled engine ``sc_neurocore._engine`` (its ``lgssm_*`` functions
are thin bindings over the mirror: one implementation of the algorithm in Rust).
Both perform the same IEEE-754 operations in the same order, so their results
are bit-identical; ``"auto"`` picks ``"rust"`` when the engine is built.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np

from sc_neurocore._validation import InputTypeError

from ._lgssm_checks import Mask
from ._lgssm_model import LinearGaussianSSM
from ._lgssm_results import FilterResult, SmoothResult
from ._linalg import Float

__all__ = ["BACKENDS", "NOT_PROVIDED", "resolve_backend", "rust_available", "lgssm_engine",
           "engine_filter", "engine_smooth", "engine_em_fit", "EngineFailure"]

BACKENDS = ("auto", "python", "rust")
"""The backend names the filter, the smoother and EM accept."""
NOT_PROVIDED = ("mojo", "go", "julia")
"""Native filters of the reference project that sc_neurocore does not provide."""
_ENGINE_FUNCTIONS = ("lgssm_filter", "lgssm_smooth", "lgssm_em_fit")

EngineFailure = tuple[str, str]
"""``(kind, message)`` of an error the engine's EM returns with its partial history:
``kind`` is ``"value"``, ``"type"``, ``"memory"``, ``"linalg"`` or ``"runtime"``."""


def _load_engine() -> tuple[ModuleType | None, str]:
    """The engine module if it has the LGSSM bindings, else ``None`` and why not."""
    try:
        engine = importlib.import_module("sc_neurocore._engine")
    except ImportError as exc:
        return None, (f"the compiled engine sc_neurocore._engine is not importable ({exc}); "
                      "build it with `make install` (maturin develop --release)")
    missing = [f for f in _ENGINE_FUNCTIONS if not hasattr(engine, f)]
    if missing:
        return None, (f"the compiled engine sc_neurocore._engine lacks {', '.join(missing)} "
                      "(an older build); rebuild it with `make install`")
    return engine, ""


_ENGINE, _WHY_NOT = _load_engine()


def rust_available() -> bool:
    """Whether ``backend="rust"`` can run (the engine is built with its LGSSM bindings)."""
    return _ENGINE is not None


def lgssm_engine() -> Any:
    """The engine module (``RuntimeError`` saying why when it is not available)."""
    if _ENGINE is None:
        raise RuntimeError(f"backend 'rust' is not available: {_WHY_NOT}")
    return _ENGINE


def resolve_backend(backend: object) -> str:
    """``"python"`` or ``"rust"``: the implementation ``backend`` selects.

    Parameters
    ----------
    backend : str
        ``"auto"`` (``"rust"`` when the engine is built, else ``"python"``),
        ``"python"`` or ``"rust"``.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``backend`` is not a known name (the message lists the choices; a
        non-``str`` is an ``InputTypeError``, also a ``TypeError``).
    RuntimeError
        If ``"rust"`` is asked for without the engine, or a native backend of the
        reference project that sc_neurocore does not provide (``"mojo"``,
        ``"go"``, ``"julia"``).
    """
    choices = ", ".join(repr(b) for b in BACKENDS)
    if not isinstance(backend, str):
        raise InputTypeError(f"backend must be a str, one of {choices}; "
                             f"got {type(backend).__name__}")
    if backend in NOT_PROVIDED:
        raise RuntimeError(f"backend {backend!r} is not available: sc_neurocore provides the "
                           f"LGSSM backends {choices} only")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {choices}; got {backend!r}")
    if backend == "auto":
        return "rust" if rust_available() else "python"
    if backend == "rust":
        lgssm_engine()
    return backend


def _model_arrays(model: LinearGaussianSSM) -> tuple[Float, ...]:
    """``A, B, C, D, Q, R, mu_0, Sigma_0`` as C-contiguous float64 arrays."""
    return tuple(np.ascontiguousarray(getattr(model, k), dtype=np.float64)
                 for k in ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0"))


def _missing_u8(missing: Mask | None) -> np.ndarray | None:
    """The missing-value mask as ``uint8`` (1 = missing), or ``None``."""
    return None if missing is None else np.ascontiguousarray(missing, dtype=np.uint8)


def engine_filter(model: LinearGaussianSSM, y: Float, u: Float,
                  missing: Mask | None) -> FilterResult:
    """The filter of ``KalmanFilter.filter`` run by the Rust mirror, on validated inputs."""
    means, covs, pred_means, pred_covs, loglik = lgssm_engine().lgssm_filter(
        _model_arrays(model), y, u, _missing_u8(missing))
    return FilterResult(means, covs, pred_means, pred_covs, loglik)


def engine_smooth(model: LinearGaussianSSM, fr: FilterResult) -> SmoothResult:
    """The RTS recursion of ``RTSSmoother.smooth`` run by the Rust mirror."""
    means, covs, cross = lgssm_engine().lgssm_smooth(
        _model_arrays(model), fr.means, fr.covariances, fr.pred_means, fr.pred_covariances,
        fr.log_likelihood)
    return SmoothResult(means, covs, cross)


def engine_em_fit(model: LinearGaussianSSM, y: Float, u: Float, missing: Mask | None,
                  max_iter: int, tol: float
                  ) -> tuple[LinearGaussianSSM, list[float], EngineFailure | None]:
    """The EM loop of ``EMLearner.fit`` run by the Rust mirror.

    Returns
    -------
    (LinearGaussianSSM, list of float, (str, str) or None)
        The last accepted model (the initial one when none was), the
        log-likelihood history, and the error that stopped the loop (``None``
        when it ran to convergence or ``max_iter``).
    """
    a, c, q, r, mu, s0, history, failure = lgssm_engine().lgssm_em_fit(
        _model_arrays(model), y, u, _missing_u8(missing), max_iter, tol)
    fitted = LinearGaussianSSM(a, model.B, c, model.D, q, r, mu, s0)
    return fitted, [float(v) for v in history], failure
