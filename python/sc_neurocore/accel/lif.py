"""Leaky integrate-and-fire dynamics on NumPy: the reference for DESIGN §5.

The JAX backend and the research mirrors are checked against these functions;
their validation (:func:`validate_lif_step`) is shared by every backend.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["lif_step", "validate_lif_step", "forward_pass_numpy", "check_positive"]


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a positive real number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def _finite_scalar(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def _finite_array(value: object, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = np.asarray(arr, dtype=np.float64)
    if not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite, got {arr[bad]} at index {bad}")
    return arr


def validate_lif_step(v: object, I_t: object, v_rest: object, v_reset: object,
                      v_threshold: object, alpha: object, resistance: object,
                      noise: object) -> tuple:
    """Check and normalise :func:`lif_step` arguments.

    ``v``, ``I_t`` and ``noise`` must be finite real arrays that broadcast to
    ``v``'s shape; the scalars must be finite and ``alpha`` > 0.

    Raises
    ------
    TypeError
        Non-real values.
    ValueError
        Non-finite values, ``alpha <= 0``, or shapes that do not broadcast to ``v``.
    """
    v_arr = _finite_array(v, "v")
    arrays = {"I_t": _finite_array(I_t, "I_t"), "noise": _finite_array(noise, "noise")}
    for name, arr in arrays.items():
        try:
            if np.broadcast_shapes(arr.shape, v_arr.shape) != v_arr.shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"{name} must broadcast to v's shape {v_arr.shape}, "
                             f"got shape {arr.shape}") from None
    scalars = [_finite_scalar(x, n) for x, n in ((v_rest, "v_rest"), (v_reset, "v_reset"),
                                                 (v_threshold, "v_threshold"))]
    alpha = check_positive(alpha, "alpha")
    resistance = _finite_scalar(resistance, "resistance")
    return (v_arr, arrays["I_t"], *scalars, alpha, resistance, arrays["noise"])


def lif_step(v: object, I_t: object, v_rest: float = 0.0, v_reset: float = 0.0,
             v_threshold: float = 1.0, alpha: float = 0.1, resistance: float = 1.0,
             noise: object = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """One LIF step (DESIGN §5), float64.

    ``v' = v + (v_rest - v) * alpha + I_t * resistance + noise``; neurons with
    ``v' >= v_threshold`` spike and are reset to ``v_reset``.

    Parameters
    ----------
    v : array_like
        Membrane potentials.
    I_t : array_like
        Input currents (broadcast to ``v``).
    v_rest, v_reset, v_threshold : float
        Resting, reset and threshold potentials.
    alpha : float
        Leak factor (> 0).
    resistance : float
        Membrane resistance.
    noise : array_like
        Additive noise (broadcast to ``v``).

    Returns
    -------
    (ndarray, ndarray)
        New potentials (float64) and spikes (uint8 0/1).

    Raises
    ------
    TypeError, ValueError
        See :func:`validate_lif_step`.
    """
    v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise = validate_lif_step(
        v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    v_new = v + (v_rest - v) * alpha + I_t * resistance + noise
    spike = v_new >= v_threshold
    v_new = np.where(spike, v_reset, v_new)
    return v_new, spike.astype(np.uint8)


def forward_pass_numpy(weights: list, x: np.ndarray, n_steps: int, v_rest: float = 0.0,
                       v_reset: float = 0.0, v_threshold: float = 1.0,
                       alpha: float = 0.9) -> tuple[list[np.ndarray], np.ndarray]:
    """Plain NumPy loop of the layered LIF forward pass of DESIGN §5.

    Parameters
    ----------
    weights : list of ndarray
        Per layer, ``(n_out, n_in)``.
    x : ndarray
        ``(batch, n_in)`` constant input or ``(n_steps, batch, n_in)``.
    n_steps : int
        Time steps.

    Returns
    -------
    (list of ndarray, ndarray)
        Spike trains per layer, each ``(n_steps, batch, n_out)`` float64, and
        the last layer's final potentials.
    """
    x = np.asarray(x, dtype=np.float64)
    batch = x.shape[-2]
    v = [np.full((batch, w.shape[0]), v_rest, dtype=np.float64) for w in weights]
    trains = [np.zeros((n_steps, batch, w.shape[0])) for w in weights]
    for t in range(n_steps):
        s_prev = x if x.ndim == 2 else x[t]
        for k, w in enumerate(weights):
            s = (v[k] >= v_threshold).astype(np.float64)
            v[k] = v_rest + alpha * ((1 - s) * v[k] + s * v_reset - v_rest) + s_prev @ w.T
            s_new = (v[k] >= v_threshold).astype(np.float64)
            trains[k][t] = s_new
            s_prev = s_new
    return trains, v[-1]
