"""Leaky integrate-and-fire dynamics on NumPy: the reference for DESIGN §5.

The JAX backend and the research mirrors are checked against these functions;
their validation (:func:`validate_lif_step`) is shared by every backend.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import check_int

__all__ = ["lif_step", "validate_lif_step", "forward_pass_numpy", "validate_forward_pass",
           "check_positive", "check_finite_scalar", "check_finite_array"]


def check_positive(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a positive real number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def check_finite_scalar(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is a finite real number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def check_finite_array(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a ``float64`` array after checking every value is finite."""
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
    v_arr = check_finite_array(v, "v")
    arrays = {"I_t": check_finite_array(I_t, "I_t"), "noise": check_finite_array(noise, "noise")}
    for name, arr in arrays.items():
        try:
            if np.broadcast_shapes(arr.shape, v_arr.shape) != v_arr.shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"{name} must broadcast to v's shape {v_arr.shape}, "
                             f"got shape {arr.shape}") from None
    scalars = [check_finite_scalar(x, n) for x, n in ((v_rest, "v_rest"), (v_reset, "v_reset"),
                                                 (v_threshold, "v_threshold"))]
    alpha = check_positive(alpha, "alpha")
    resistance = check_finite_scalar(resistance, "resistance")
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


def validate_forward_pass(weights: object, x: object, n_steps: object, v_rest: object,
                          v_reset: object, v_threshold: object, alpha: object) -> tuple:
    """Check and normalise the arguments of a layered LIF forward pass (DESIGN §5).

    Shared by :func:`forward_pass_numpy` and the JAX backend so both reject the
    same inputs with the same messages.

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer a non-empty 2-D ``(n_out, n_in)`` matrix of finite reals;
        layer ``k``'s ``n_in`` equals layer ``k - 1``'s ``n_out``.
    x : array_like
        Finite reals, ``(batch, n_in)`` (constant over time) or
        ``(n_steps, batch, n_in)`` (time-major), non-empty.
    n_steps : int
        Number of time steps (>= 1); equals ``x.shape[0]`` for 3-D ``x``.
    v_rest, v_reset, v_threshold : float
        Finite potentials.
    alpha : float
        Leak factor (finite, > 0).

    Returns
    -------
    tuple
        ``(weights, x, n_steps, v_rest, v_reset, v_threshold, alpha)`` with
        ``weights`` a list of ``float64`` arrays and ``x`` ``float64``.

    Raises
    ------
    TypeError
        Non-real values, ``weights`` not a list or tuple, non-int ``n_steps``.
    ValueError
        Non-finite values, empty or mismatched shapes, ``n_steps < 1``,
        ``alpha <= 0``.
    """
    if not isinstance(weights, (list, tuple)):
        raise TypeError("weights must be a list or tuple of 2-D (n_out, n_in) arrays, "
                        f"got {type(weights).__name__}")
    if len(weights) == 0:
        raise ValueError("weights must hold at least one 2-D (n_out, n_in) array, got none")
    mats = []
    for k, w in enumerate(weights):
        arr = check_finite_array(w, f"weights[{k}]")
        if arr.ndim != 2 or arr.size == 0:
            raise ValueError(f"weights[{k}] must be a non-empty 2-D (n_out, n_in) array, "
                             f"got shape {arr.shape}")
        mats.append(arr)
    x_arr = check_finite_array(x, "x")
    if x_arr.ndim not in (2, 3) or x_arr.size == 0:
        raise ValueError("x must be a non-empty 2-D (batch, n_in) or 3-D "
                         f"(n_steps, batch, n_in) array, got shape {x_arr.shape}")
    n_steps = check_int(n_steps, "n_steps", minimum=1)
    if x_arr.ndim == 3 and x_arr.shape[0] != n_steps:
        raise ValueError(f"x must have n_steps = {n_steps} rows along axis 0 when 3-D "
                         f"(n_steps, batch, n_in), got shape {x_arr.shape}")
    fan_in = x_arr.shape[-1]
    for k, w in enumerate(mats):
        if w.shape[1] != fan_in:
            source = "x" if k == 0 else f"weights[{k - 1}] (n_out)"
            raise ValueError(f"weights[{k}] must have shape (n_out, {fan_in}) to match "
                             f"{source}, got shape {w.shape}")
        fan_in = w.shape[0]
    scalars = [check_finite_scalar(val, name) for val, name in
               ((v_rest, "v_rest"), (v_reset, "v_reset"), (v_threshold, "v_threshold"))]
    alpha = check_positive(alpha, "alpha")
    return (mats, x_arr, n_steps, *scalars, alpha)


def forward_pass_numpy(weights: list, x: np.ndarray, n_steps: int, v_rest: float = 0.0,
                       v_reset: float = 0.0, v_threshold: float = 1.0,
                       alpha: float = 0.9) -> tuple[list[np.ndarray], np.ndarray]:
    """Plain NumPy loop of the layered LIF forward pass of DESIGN §5.

    Per step ``t`` and layer ``k`` (layers step together; ``s_prev`` is layer
    ``k - 1``'s spikes at this step, or the input for layer 0)::

        s = H(v - v_threshold)                    # H(0) = 1
        v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + s_prev @ W.T
        spikes[k][t] = H(v - v_threshold)

    with ``v`` starting at ``v_rest``.  ``s`` is therefore the spike the layer
    emitted at the previous step, which resets the potential now.

    Parameters
    ----------
    weights : list of array_like
        Per layer, ``(n_out, n_in)``.
    x : array_like
        ``(batch, n_in)`` constant input or ``(n_steps, batch, n_in)``.
    n_steps : int
        Time steps (>= 1).
    v_rest, v_reset, v_threshold : float
        Resting, reset and threshold potentials.
    alpha : float
        Leak factor (> 0).

    Returns
    -------
    (list of ndarray, ndarray)
        Spike trains per layer, each ``(n_steps, batch, n_out)`` float64, and
        the last layer's final potentials ``(batch, n_out)``.

    Raises
    ------
    TypeError, ValueError
        See :func:`validate_forward_pass`.
    """
    weights, x, n_steps, v_rest, v_reset, v_threshold, alpha = validate_forward_pass(
        weights, x, n_steps, v_rest, v_reset, v_threshold, alpha)
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
