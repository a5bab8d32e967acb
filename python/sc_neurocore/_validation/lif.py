"""The argument contract of the LIF functions ([design: spike order][spike-order]), for every backend.

The NumPy reference and the JAX backend check their arguments by these rules
(the JAX backend applies the static ones to traced values too).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .arrays import as_real_array
from .errors import InputTypeError
from .scalars import check_int, check_real

__all__ = ["check_broadcasts_to", "check_network_shapes", "check_weight_list",
           "validate_forward_pass", "validate_lif_step"]


def check_broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...], name: str) -> None:
    """Raise ``ValueError`` unless an array of ``shape`` broadcasts to ``target`` (v's shape)."""
    try:
        fits = np.broadcast_shapes(tuple(shape), tuple(target)) == tuple(target)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} must broadcast to v's shape {tuple(target)}, "
                         f"got shape {tuple(shape)}")


def validate_lif_step(v: object, I_t: object, v_rest: object, v_reset: object,
                      v_threshold: object, alpha: object, resistance: object,
                      noise: object) -> tuple[np.ndarray, np.ndarray, float, float, float,
                                              float, float, np.ndarray]:
    """Check and normalise ``lif_step`` arguments.

    ``v``, ``I_t`` and ``noise`` must be finite real arrays that broadcast to
    ``v``'s shape; the scalars must be finite and ``alpha`` > 0.

    Raises
    ------
    InputTypeError
        Non-real values.
    ValueError
        Non-finite values, ``alpha <= 0``, or shapes that do not broadcast to ``v``.
    """
    v_arr = as_real_array(v, "v")
    current = as_real_array(I_t, "I_t")
    noise_arr = as_real_array(noise, "noise")
    check_broadcasts_to(current.shape, v_arr.shape, "I_t")
    check_broadcasts_to(noise_arr.shape, v_arr.shape, "noise")
    v_rest_f, v_reset_f, v_threshold_f = (
        check_real(x, n) for x, n in ((v_rest, "v_rest"), (v_reset, "v_reset"),
                                      (v_threshold, "v_threshold")))
    alpha_f = check_real(alpha, "alpha", positive=True)
    resistance_f = check_real(resistance, "resistance")
    return (v_arr, current, v_rest_f, v_reset_f, v_threshold_f, alpha_f, resistance_f,
            noise_arr)


def check_weight_list(weights: object) -> Sequence[object]:
    """Check that ``weights`` is a non-empty list or tuple (of per-layer matrices)."""
    if not isinstance(weights, (list, tuple)):
        raise InputTypeError("weights must be a list or tuple of 2-D (n_out, n_in) arrays, "
                             f"got {type(weights).__name__}")
    if len(weights) == 0:
        raise ValueError("weights must hold at least one 2-D (n_out, n_in) array, got none")
    return weights


def check_network_shapes(weight_shapes: Sequence[tuple[int, ...]], x_shape: tuple[int, ...],
                         n_steps: int) -> None:
    """The shape rules of a layered forward pass ([design: spike order][spike-order]), from shapes alone.

    Every matrix is non-empty 2-D ``(n_out, n_in)`` and layers chain; ``x`` is
    non-empty ``(batch, n_in)`` or ``(n_steps, batch, n_in)``.

    Raises
    ------
    ValueError
        Naming the first argument that breaks a rule.
    """
    for k, shape in enumerate(weight_shapes):
        if len(shape) != 2 or 0 in shape:
            raise ValueError(f"weights[{k}] must be a non-empty 2-D (n_out, n_in) array, "
                             f"got shape {tuple(shape)}")
    if len(x_shape) not in (2, 3) or 0 in x_shape:
        raise ValueError("x must be a non-empty 2-D (batch, n_in) or 3-D "
                         f"(n_steps, batch, n_in) array, got shape {tuple(x_shape)}")
    if len(x_shape) == 3 and x_shape[0] != n_steps:
        raise ValueError(f"x must have n_steps = {n_steps} rows along axis 0 when 3-D "
                         f"(n_steps, batch, n_in), got shape {tuple(x_shape)}")
    fan_in = x_shape[-1]
    for k, shape in enumerate(weight_shapes):
        if shape[1] != fan_in:
            source = "x" if k == 0 else f"weights[{k - 1}] (n_out)"
            raise ValueError(f"weights[{k}] must have shape (n_out, {fan_in}) to match "
                             f"{source}, got shape {tuple(shape)}")
        fan_in = shape[0]


def validate_forward_pass(weights: object, x: object, n_steps: object, v_rest: object,
                          v_reset: object, v_threshold: object, alpha: object
                          ) -> tuple[list[np.ndarray], np.ndarray, int, float, float, float,
                                     float]:
    """Check and normalise the arguments of a layered LIF forward pass ([design: spike order][spike-order]).

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
    InputTypeError
        Non-real values, ``weights`` not a list or tuple, non-int ``n_steps``.
    ValueError
        Non-finite values, empty or mismatched shapes, ``n_steps < 1``,
        ``alpha <= 0``.
    """
    mats = [as_real_array(w, f"weights[{k}]") for k, w in enumerate(check_weight_list(weights))]
    x_arr = as_real_array(x, "x")
    steps = check_int(n_steps, "n_steps", minimum=1)
    check_network_shapes([m.shape for m in mats], x_arr.shape, steps)
    v_rest_f, v_reset_f, v_threshold_f = (
        check_real(val, name) for val, name in
        ((v_rest, "v_rest"), (v_reset, "v_reset"), (v_threshold, "v_threshold")))
    return (mats, x_arr, steps, v_rest_f, v_reset_f, v_threshold_f,
            check_real(alpha, "alpha", positive=True))
