"""Surrogate-gradient training on JAX: the loss and one gradient step, through two explicit paths.

Public as ``jax_surrogate_loss`` and ``jax_surrogate_gradient_step``.  Spikes
are hard (Heaviside) forward; backward, ``"custom_vjp"`` states the
fast-sigmoid derivative as a custom VJP rule and ``"legacy_stop_gradient"``
reaches the same derivative with the straight-through construction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from numpy.typing import ArrayLike

from sc_neurocore._validation import check_choice, check_real, validate_forward_pass

from . import checks
from .lif import run_layers, spike_hard
from .runtime import (
    HAS_JAX,
    TRACE_COUNTS,
    JaxArray,
    any_traced,
    custom_vjp,
    jax,
    jnp,
    lax,
    require_jax,
    x64,
)

__all__ = ["JAX_SURROGATE_PATHS", "surrogate_gradient_step", "surrogate_loss", "traced_loss",
           "traced_step"]

JAX_SURROGATE_PATHS: tuple[str, ...] = ("custom_vjp", "legacy_stop_gradient")
"""The surrogate-gradient implementations the training functions accept."""


if HAS_JAX:
    @custom_vjp
    def _spike_fast_sigmoid(d: Any, beta: Any) -> Any:
        """Hard spike ``H(d)`` forward; fast-sigmoid derivative backward."""
        return spike_hard(d)

    def _spike_fast_sigmoid_fwd(d: Any, beta: Any) -> tuple[Any, tuple[Any, Any]]:
        return spike_hard(d), (d, beta)

    def _spike_fast_sigmoid_bwd(residual: tuple[Any, Any], g: Any) -> tuple[Any, None]:
        d, beta = residual
        return g / jnp.square(1 + beta * jnp.abs(d)), None

    _spike_fast_sigmoid.defvjp(_spike_fast_sigmoid_fwd, _spike_fast_sigmoid_bwd)


def _spike_straight_through(d: Any, beta: Any) -> Any:
    """Hard spike forward; the fast sigmoid's gradient reached through ``stop_gradient``.

    The straight-through construction ``H(d) + (soft - stop_gradient(soft))``
    with ``soft = d / (1 + beta * |d|)``: the bracket is exactly 0 forward, so
    the value is exactly ``H(d)``, and autodiff differentiates ``soft`` alone,
    whose derivative is ``1 / (1 + beta * |d|)^2`` — the same surrogate the
    ``custom_vjp`` rule states directly (equal up to rounding).
    """
    soft = d / (1 + beta * jnp.abs(d))
    return spike_hard(d) + (soft - lax.stop_gradient(soft))


def _spike_for(path: str, beta: Any) -> Callable[[Any], Any]:
    if path == "custom_vjp":
        return lambda d: _spike_fast_sigmoid(d, beta)
    return lambda d: _spike_straight_through(d, beta)


def traced_loss(weights: list[Any], x: Any, targets: Any, threshold: Any, alpha: Any,
                beta: Any, n_steps: int, path: str, unroll: bool = False) -> Any:
    """Cross-entropy of the last layer's mean firing rates (used as logits)."""
    zero = jnp.zeros((), x.dtype)
    trains, _ = run_layers(weights, x, n_steps, zero, zero, threshold, alpha,
                            _spike_for(path, beta), unroll=unroll)
    rates = jnp.mean(trains[-1], axis=0)                     # (batch, n_classes)
    log_p = jax.nn.log_softmax(rates, axis=-1)
    if targets.ndim == 2:  # class probabilities (one-hot or soft); (batch, 1) like labels
        picked = jnp.sum(targets * log_p, axis=-1, keepdims=True)
    else:
        picked = jnp.take_along_axis(log_p, targets[:, None], axis=-1)
    return -jnp.mean(lax.optimization_barrier(picked))


def traced_step(weights: list[Any], x: Any, targets: Any, lr: Any, beta: Any,
                threshold: Any, alpha: Any, n_steps: int, path: str,
                unroll: bool = False) -> tuple[list[Any], Any]:
    loss, grads = jax.value_and_grad(traced_loss)(weights, x, targets, threshold, alpha,
                                                      beta, n_steps, path, unroll)
    return [w - lr * g for w, g in zip(weights, grads)], loss


if HAS_JAX:
    @partial(jax.jit, static_argnames=("n_steps", "path"))
    def _surrogate_loss_jit(weights: list[Any], x: Any, targets: Any, threshold: Any,
                            alpha: Any, beta: Any, *, n_steps: int, path: str) -> Any:
        TRACE_COUNTS["surrogate_loss"] += 1
        return traced_loss(weights, x, targets, threshold, alpha, beta, n_steps, path)

    @partial(jax.jit, static_argnames=("n_steps", "path"))
    def _surrogate_step_jit(weights: list[Any], x: Any, targets: Any, lr: Any, beta: Any,
                            threshold: Any, alpha: Any, *, n_steps: int,
                            path: str) -> tuple[list[Any], Any]:
        TRACE_COUNTS["surrogate_step"] += 1
        return traced_step(weights, x, targets, lr, beta, threshold, alpha, n_steps, path)


class _Training:
    """Checked arguments of the training functions, on the device in the compute dtype."""

    def __init__(self, weights: Sequence[object], x: object, targets: object, n_steps: object,
                 beta: object, threshold: object, alpha: object, surrogate_path: object,
                 extra: dict[str, object]) -> None:
        """Check every argument (``extra``: name -> further positive scalars, e.g. ``lr``).

        Eagerly (no tracer among the arguments) the checks are the host checks
        of the forward pass; traced, those of ``traced_network``.
        """
        self.path = check_choice(surrogate_path, "surrogate_path", JAX_SURROGATE_PATHS)
        self.traced = any_traced(weights, x, targets, n_steps, beta, threshold, alpha,
                                  *extra.values())
        if self.traced:
            threshold_v = checks.traced_scalar(threshold, "threshold")
            self.w, self.x, self.n_steps, self.dtype = checks.traced_network(weights, x, n_steps)
            alpha_v = checks.traced_scalar(alpha, "alpha", positive=True)
            beta_v = checks.traced_scalar(beta, "beta", positive=True)
            y = checks.check_targets(targets, self.x.shape[-2], self.w[-1].shape[0])
            extra_v = {k: checks.traced_scalar(v, k, positive=True) for k, v in extra.items()}
            self.targets = y if y.ndim == 1 else checks.traced_operands([y], self.dtype)[0]
            scalars = {"threshold": threshold_v, "alpha": alpha_v, "beta": beta_v, **extra_v}
            values = checks.traced_operands(list(scalars.values()), self.dtype)
            self.scalars = dict(zip(scalars, values))
            return
        threshold_f = check_real(threshold, "threshold")
        w_c, x_c, self.n_steps, _, _, threshold_f, alpha_f = validate_forward_pass(
            weights, x, n_steps, 0.0, 0.0, threshold_f, alpha)
        beta_f = check_real(beta, "beta", positive=True)
        y_c = checks.check_targets(targets, x_c.shape[-2], w_c[-1].shape[0])
        extra_f = {k: check_real(v, k, positive=True) for k, v in extra.items()}
        self.dtype = checks.float_dtype(x, *weights)
        with x64():
            self.w, self.x = checks.device_network(weights, x, w_c, x_c, self.dtype)
            self.targets = jnp.asarray(y_c) if y_c.ndim == 1 else jnp.asarray(y_c, self.dtype)
            scalars = {"threshold": threshold_f, "alpha": alpha_f, "beta": beta_f, **extra_f}
            self.scalars = {k: jnp.asarray(v, self.dtype) for k, v in scalars.items()}

    def scope(self) -> contextlib.AbstractContextManager[None]:
        """x64 for an eager call; the caller's settings for a traced one."""
        return contextlib.nullcontext() if self.traced else x64()


def surrogate_loss(weights: Sequence[ArrayLike], x: ArrayLike, targets: ArrayLike,
                   n_steps: int = 25,
                   beta: float = 10.0, threshold: float = 1.0,
                   surrogate_path: str = "custom_vjp", alpha: float = 0.9) -> JaxArray:
    """Cross-entropy loss for JAX SNN training with explicit surrogate paths.

    The network runs the dynamics of
    [`jax_forward_pass`][sc_neurocore.accel.jax_backend.jax_forward_pass] with
    ``v_rest = v_reset = 0`` and ``v_threshold = threshold`` (hard spikes
    forward); the per-class mean firing rates over ``n_steps`` are the logits
    of a softmax cross-entropy, averaged over the batch.  Differentiate it
    with ``jax.grad`` / ``jax.value_and_grad`` (the surrogate defines the
    backward pass), use it under ``jax.jit`` and ``jax.vmap``, and train with
    any optimiser (e.g. optax).

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; the last layer has one neuron per class.
    x : array_like or jax.Array
        ``(batch, n_in)`` constant input or time-major ``(n_steps, batch, n_in)``.
    targets : array_like or jax.Array
        Integer class labels ``(batch,)`` in ``[0, n_classes)``, or class
        probabilities ``(batch, n_classes)`` (one-hot or soft; finite, in
        ``[0, 1]``, each row summing to 1).  Labels and their one-hot rows give
        the same loss.
    n_steps : int, default 25
        Time steps (>= 1); a concrete int even under ``jax.jit``.
    beta : float, default 10.0
        Surrogate sharpness (> 0); used by the backward pass only.
    threshold : float, default 1.0
        Firing threshold.
    surrogate_path : str, default "custom_vjp"
        One of [`JAX_SURROGATE_PATHS`][sc_neurocore.accel.jax_backend.JAX_SURROGATE_PATHS]:
        ``"custom_vjp"`` (fast-sigmoid derivative as a custom VJP rule) or
        ``"legacy_stop_gradient"`` (straight-through); the forward value is
        the same for both.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    jax.Array
        0-D loss (float32 when every floating input is float32, else float64;
        in a traced call, what the caller's x64 mode allows).

    Raises
    ------
    ValueError
        Non-finite values, empty or mismatched shapes, labels out of range,
        non-positive ``n_steps``/``beta``/``alpha``, unknown ``surrogate_path``
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for wrong types).
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    t = _Training(weights, x, targets, n_steps, beta, threshold, alpha, surrogate_path, {})
    with t.scope():
        sc = t.scalars
        return _surrogate_loss_jit(t.w, t.x, t.targets, sc["threshold"], sc["alpha"],
                                   sc["beta"], n_steps=t.n_steps, path=t.path)


def surrogate_gradient_step(weights: Sequence[ArrayLike], x: ArrayLike, targets: ArrayLike,
                            n_steps: int = 25, lr: float = 1e-3, beta: float = 10.0,
                            threshold: float = 1.0, surrogate_path: str = "custom_vjp",
                            alpha: float = 0.9) -> tuple[list[JaxArray], JaxArray]:
    """One training step with surrogate gradient over an explicit JAX path.

    Plain gradient descent, ``new_w = w - lr * d loss / d w``, with the loss of
    [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss]
    (so ``jax.grad(jax_surrogate_loss)`` gives the same gradient).  Spikes
    are hard (Heaviside) forward.  Backward, ``"custom_vjp"`` uses the
    fast-sigmoid derivative ``1 / (1 + beta * |v - threshold|)^2`` as a
    custom VJP rule; ``"legacy_stop_gradient"`` is the straight-through
    variant: the spike is ``H(d) + (f(d) - stop_gradient(f(d)))`` with the
    fast sigmoid ``f(d) = d / (1 + beta * |d|)``, ``d = v - threshold``, so
    autodiff reaches the same derivative (up to rounding) without a custom
    rule.  The gradient flows through the membrane recurrence and the reset
    term.

    Jit-compiled once per shapes/dtypes, ``n_steps`` and ``surrogate_path``:
    ``lr``, ``beta``, ``threshold`` and ``alpha`` are traced values, so changing
    them never retraces.

    Parameters
    ----------
    weights : list or tuple of array_like
        The weights to update, per layer ``(n_out, n_in)``; the last layer has
        one neuron per class.
    x : array_like or jax.Array
        The training batch: ``(batch, n_in)`` constant input or time-major
        ``(n_steps, batch, n_in)``.
    targets : array_like or jax.Array
        Class labels ``(batch,)`` or class probabilities ``(batch, n_classes)``,
        as in [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss].
    n_steps : int, default 25
        Time steps (>= 1).
    lr : float, default 1e-3
        Learning rate (> 0).
    beta : float, default 10.0
        Surrogate sharpness (> 0).
    threshold : float, default 1.0
        Firing threshold.
    surrogate_path : str, default "custom_vjp"
        ``"custom_vjp"`` or ``"legacy_stop_gradient"``.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    tuple of (list of jax.Array, jax.Array)
        The updated weights (in the compute dtype) and the loss *before* the
        update.

    Raises
    ------
    ValueError
        As [`jax_surrogate_loss`][sc_neurocore.accel.jax_backend.jax_surrogate_loss],
        plus ``lr <= 0``.
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    t = _Training(weights, x, targets, n_steps, beta, threshold, alpha, surrogate_path,
                  {"lr": lr})
    with t.scope():
        sc = t.scalars
        out: tuple[list[Any], Any] = _surrogate_step_jit(
            t.w, t.x, t.targets, sc["lr"], sc["beta"], sc["threshold"], sc["alpha"],
            n_steps=t.n_steps, path=t.path)
        return out
