"""LIF dynamics on JAX ([design: spike order][spike-order]): one step, and the layered forward pass.

Public as ``jax_lif_step`` and ``jax_forward_pass``.  Time runs in one
``lax.scan`` (``run_layers``), so compile time does not grow with
``n_steps``; the surrogate-gradient training of ``training`` runs the same
dynamics with a differentiable spike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    check_broadcasts_to,
    validate_forward_pass,
    validate_lif_step,
)

from .checks import (
    check_float_potentials,
    device_network,
    float_dtype,
    on_device,
    traced_array,
    traced_dtype,
    traced_network,
    traced_operands,
    traced_scalar,
)
from .runtime import (
    HAS_JAX,
    TRACE_COUNTS,
    JaxArray,
    any_traced,
    jax,
    jit,
    jnp,
    lax,
    require_jax,
    x64,
)

__all__ = ["forward_pass", "forward_pass_jit", "lif_step", "run_layers", "spike_hard"]


if HAS_JAX:
    @jit
    def _lif_step_jit(v: Any, I_t: Any, noise: Any, v_rest: Any, v_reset: Any,
                      v_threshold: Any, alpha: Any, resistance: Any) -> tuple[Any, Any]:
        TRACE_COUNTS["lif_step"] += 1
        v_new = v + (v_rest - v) * alpha + I_t * resistance + noise
        spike = v_new >= v_threshold
        return jnp.where(spike, v_reset, v_new), spike.astype(jnp.uint8)


def lif_step(v: ArrayLike, I_t: ArrayLike, v_rest: float = 0.0, v_reset: float = 0.0,
             v_threshold: float = 1.0, alpha: float = 0.1, resistance: float = 1.0,
             noise: ArrayLike = 0.0) -> tuple[JaxArray, JaxArray]:
    """One LIF step on the device ([design: spike order][spike-order]).

    ``v' = v + (v_rest - v) * alpha + I_t * resistance + noise``; neurons with
    ``v' >= v_threshold`` spike and are reset to ``v_reset``.  Works eagerly
    and under ``jax.jit``, ``jax.vmap`` and ``jax.grad`` (any argument may be
    traced).

    Parameters
    ----------
    v : array_like or jax.Array
        Membrane potentials, floating point (an integer or boolean ``v`` is
        refused, as the reference project refuses it).
    I_t : array_like or jax.Array
        Input currents (broadcast to ``v``).
    v_rest : float
        Resting potential.
    v_reset : float
        Potential a neuron is reset to after a spike.
    v_threshold : float
        Firing threshold.
    alpha : float
        Leak factor (> 0).
    resistance : float
        Membrane resistance.
    noise : array_like or jax.Array
        Additive noise (broadcast to ``v``).

    Returns
    -------
    tuple of jax.Array
        New potentials (float32 when every floating input is float32, else
        float64; in a traced call, what the caller's x64 mode allows) and
        spikes (``uint8`` 0/1), shaped like ``v``.

    Raises
    ------
    ValueError
        Non-finite values, ``alpha <= 0``, shapes that do not broadcast to
        ``v`` ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for
        non-real values, and for a ``v`` that is not floating point).
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    check_float_potentials(v)
    if any_traced(v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise):
        return _lif_step_traced(v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    dtype = float_dtype(v, I_t, noise)
    v_c, I_c, v_rest, v_reset, v_threshold, alpha, resistance, noise_c = validate_lif_step(
        v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    with x64():
        scalars = [jnp.asarray(s, dtype) for s in (v_rest, v_reset, v_threshold, alpha,
                                                   resistance)]
        out: tuple[Any, Any] = _lif_step_jit(
            on_device(v, v_c, dtype), on_device(I_t, I_c, dtype),
            on_device(noise, noise_c, dtype), *scalars)
        return out


def _lif_step_traced(v: object, I_t: object, v_rest: object, v_reset: object,
                     v_threshold: object, alpha: object, resistance: object,
                     noise: object) -> tuple[Any, Any]:
    """``jax_lif_step`` inside a transformation: the same rules, values checked where concrete."""
    dtype = traced_dtype(v, I_t, noise)
    v_d, I_d, noise_d = (traced_array(val, name) for val, name in
                         ((v, "v"), (I_t, "I_t"), (noise, "noise")))
    check_broadcasts_to(I_d.shape, v_d.shape, "I_t")
    check_broadcasts_to(noise_d.shape, v_d.shape, "noise")
    scalars = [traced_scalar(val, name) for val, name in
               ((v_rest, "v_rest"), (v_reset, "v_reset"), (v_threshold, "v_threshold"))]
    scalars.append(traced_scalar(alpha, "alpha", positive=True))
    scalars.append(traced_scalar(resistance, "resistance"))
    out: tuple[Any, Any] = _lif_step_jit(*traced_operands([v_d, I_d, noise_d, *scalars], dtype))
    return out


def spike_hard(d: Any) -> Any:
    """Heaviside ``H(d)`` with ``H(0) = 1``, in ``d``'s dtype."""
    return (d >= 0).astype(d.dtype)


def run_layers(weights: Sequence[Any], x: Any, n_steps: int, v_rest: Any, v_reset: Any,
               v_threshold: Any, alpha: Any, spike: Callable[[Any], Any],
               unroll: bool = False) -> tuple[list[Any], Any]:
    """The layered LIF dynamics of [design: spike order][spike-order], traceable.

    ``spike(d)`` maps ``v - v_threshold`` to spikes (hard Heaviside, or one
    carrying a surrogate gradient).  Time runs in one ``lax.scan`` (body traced
    and compiled once) or, with ``unroll=True``, in a Python loop (the
    benchmark's baseline: the same math, traced ``n_steps`` times).
    """
    dtype = x.dtype
    batch = x.shape[-2]
    v0 = [jnp.full((batch, w.shape[0]), v_rest, dtype=dtype) for w in weights]
    highest = lax.Precision.HIGHEST
    # Layer 0's input current does not depend on the state, so it is computed
    # before the time loop: once for constant input, or for every step in one
    # batched product for time-major input.  Its gradient then needs a single
    # product too, instead of one per step.
    drive = jnp.matmul(x, weights[0].T, precision=highest)

    def step(vs: list[Any], drive_t: Any) -> tuple[list[Any], list[Any]]:
        current = drive if drive_t is None else drive_t
        new_vs: list[Any] = []
        spikes: list[Any] = []
        for k, (v, w) in enumerate(zip(vs, weights)):
            if k:
                current = jnp.matmul(spikes[-1], w.T, precision=highest)
            s = spike(v - v_threshold)
            v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + current
            new_vs.append(v)
            spikes.append(spike(v - v_threshold))
        return new_vs, spikes

    if unroll:
        vs, per_step = v0, []
        for t in range(n_steps):
            vs, spikes = step(vs, None if x.ndim == 2 else drive[t])
            per_step.append(spikes)
        trains = [jnp.stack([s[k] for s in per_step]) for k in range(len(weights))]
        return trains, vs[-1]
    vs, trains = lax.scan(step, v0, None if x.ndim == 2 else drive, length=n_steps)
    return list(trains), vs[-1]


if HAS_JAX:
    @partial(jax.jit, static_argnames=("n_steps",))
    def forward_pass_jit(weights: list[Any], x: Any, v_rest: Any, v_reset: Any,
                         v_threshold: Any, alpha: Any, *, n_steps: int) -> tuple[list[Any], Any]:
        TRACE_COUNTS["forward_pass"] += 1
        return run_layers(weights, x, n_steps, v_rest, v_reset, v_threshold, alpha,
                          spike_hard)


def forward_pass(weights: Sequence[ArrayLike], x: ArrayLike, n_steps: int,
                 v_rest: float = 0.0, v_reset: float = 0.0, v_threshold: float = 1.0,
                 alpha: float = 0.9) -> tuple[list[JaxArray], JaxArray]:
    """Multi-layer SNN forward pass with LIF neurons, on the device ([design: spike order][spike-order]).

    Per step ``t`` and layer ``k`` (``s_prev``: layer ``k - 1``'s spikes at
    this step, or the input for layer 0)::

        s = H(v - v_threshold)                    # the spike emitted last step
        v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + s_prev @ W.T
        spikes[k][t] = H(v - v_threshold)

    with ``v`` starting at ``v_rest`` and ``H(0) = 1``; with
    ``v_rest = v_reset = 0`` this is ``v = alpha * v * (1 - s) + W @ s_prev``.
    Time runs in one ``lax.scan``, compiled once per shape, dtype and
    ``n_steps``.  Works eagerly and inside ``jax.jit`` / ``jax.vmap`` /
    ``jax.grad`` (``n_steps`` must stay a concrete int).

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; consecutive layers must chain.
    x : array_like or jax.Array
        ``(batch, n_in)`` (the same input every step) or time-major
        ``(n_steps, batch, n_in)``.
    n_steps : int
        Time steps (>= 1): a concrete int (static under ``jax.jit``), as it
        sets the length of the scan.
    v_rest : float, default 0.0
        Resting potential (and the initial potential).
    v_reset : float, default 0.0
        Potential a neuron is reset to after a spike.
    v_threshold : float, default 1.0
        Firing threshold (it may be traced, like the other potentials).
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    tuple of (list of jax.Array, jax.Array)
        Spike trains per layer, each ``(n_steps, batch, n_out)`` (0.0/1.0), and
        the last layer's final potentials ``(batch, n_out)``; float32 when
        every floating input is float32, else float64 (in a traced call, what
        the caller's x64 mode allows).

    Raises
    ------
    ValueError
        Non-finite values, empty or mismatched shapes, ``n_steps < 1``,
        ``alpha <= 0`` ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
        for non-real values, ``weights`` not a list or tuple, a non-int or
        traced ``n_steps``).
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    if any_traced(weights, x, n_steps, v_rest, v_reset, v_threshold, alpha):
        w_d, x_d, steps, dtype = traced_network(weights, x, n_steps)
        scalars = [traced_scalar(val, name) for val, name in
                   ((v_rest, "v_rest"), (v_reset, "v_reset"), (v_threshold, "v_threshold"))]
        scalars.append(traced_scalar(alpha, "alpha", positive=True))
        traced: tuple[list[Any], Any] = forward_pass_jit(
            w_d, x_d, *traced_operands(scalars, dtype), n_steps=steps)
        return traced
    dtype = float_dtype(x, *(weights if isinstance(weights, (list, tuple)) else ()))
    w_c, x_c, n_steps, v_rest, v_reset, v_threshold, alpha = validate_forward_pass(
        weights, x, n_steps, v_rest, v_reset, v_threshold, alpha)
    with x64():
        w_d, x_d = device_network(weights, x, w_c, x_c, dtype)
        scalars = [jnp.asarray(s, dtype) for s in (v_rest, v_reset, v_threshold, alpha)]
        eager: tuple[list[Any], Any] = forward_pass_jit(w_d, x_d, *scalars, n_steps=n_steps)
        return eager


