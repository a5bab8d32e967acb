"""Leaky integrate-and-fire dynamics on NumPy: the reference for [design: spike order][spike-order].

The public names are those of ``sc_neurocore.accel.lif`` (``forward_pass`` is
``forward_pass_numpy``).  The JAX backend and the research mirrors are checked
against them; their argument rules are ``sc_neurocore._validation.lif``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import validate_forward_pass, validate_lif_step

__all__ = ["forward_pass", "lif_step"]


def lif_step(v: ArrayLike, I_t: ArrayLike, v_rest: float = 0.0, v_reset: float = 0.0,
             v_threshold: float = 1.0, alpha: float = 0.1, resistance: float = 1.0,
             noise: ArrayLike = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """One LIF step ([design: spike order][spike-order]), float64.

    ``v' = v + (v_rest - v) * alpha + I_t * resistance + noise``; neurons with
    ``v' >= v_threshold`` spike and are reset to ``v_reset``.

    Parameters
    ----------
    v : array_like
        Membrane potentials.
    I_t : array_like
        Input currents (broadcast to ``v``).
    v_rest : float, default 0.0
        Resting potential.
    v_reset : float, default 0.0
        Potential a neuron is reset to after a spike.
    v_threshold : float, default 1.0
        Firing threshold.
    alpha : float, default 0.1
        Leak factor (> 0).
    resistance : float, default 1.0
        Membrane resistance.
    noise : array_like, default 0.0
        Additive noise (broadcast to ``v``).

    Returns
    -------
    tuple of numpy.ndarray
        New potentials (``float64``) and spikes (``uint8`` 0/1), shaped like ``v``.

    Raises
    ------
    ValueError
        Non-finite values, ``alpha <= 0``, shapes that do not broadcast to
        ``v``; [`InputTypeError`][sc_neurocore.accel.InputTypeError] for
        non-real values.
    """
    v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise = validate_lif_step(
        v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    v_new = v + (v_rest - v) * alpha + I_t * resistance + noise
    spike = v_new >= v_threshold
    v_new = np.where(spike, v_reset, v_new)
    return v_new, spike.astype(np.uint8)


def forward_pass(weights: Sequence[ArrayLike], x: ArrayLike, n_steps: int,
                 v_rest: float = 0.0,
                 v_reset: float = 0.0, v_threshold: float = 1.0,
                 alpha: float = 0.9) -> tuple[list[np.ndarray], np.ndarray]:
    """Plain NumPy loop of the layered LIF forward pass of [design: spike order][spike-order].

    Per step ``t`` and layer ``k`` (layers step together; ``s_prev`` is layer
    ``k - 1``'s spikes at this step, or the input for layer 0)::

        s = H(v - v_threshold)                    # H(0) = 1
        v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + s_prev @ W.T
        spikes[k][t] = H(v - v_threshold)

    with ``v`` starting at ``v_rest``.  ``s`` is therefore the spike the layer
    emitted at the previous step, which resets the potential now.

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer, ``(n_out, n_in)``; consecutive layers must chain.
    x : array_like
        ``(batch, n_in)`` constant input or ``(n_steps, batch, n_in)``.
    n_steps : int
        Time steps (>= 1).
    v_rest : float, default 0.0
        Resting potential (and the initial potential).
    v_reset : float, default 0.0
        Potential a neuron is reset to after a spike.
    v_threshold : float, default 1.0
        Firing threshold.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    tuple of (list of numpy.ndarray, numpy.ndarray)
        Spike trains per layer, each ``(n_steps, batch, n_out)`` float64, and
        the last layer's final potentials ``(batch, n_out)``.

    Raises
    ------
    ValueError
        Non-finite values, empty or mismatched shapes, ``n_steps < 1``,
        ``alpha <= 0``; [`InputTypeError`][sc_neurocore.accel.InputTypeError]
        for non-real values, ``weights`` not a list or tuple, non-int ``n_steps``.
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
