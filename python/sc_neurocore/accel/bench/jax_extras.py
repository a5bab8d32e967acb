"""JAX-specific rows of the study: the LIF forward pass and one surrogate training step.

On a 784-256-10 network, batch 128, 25 steps, float32:

(a) [`jax_forward_pass`][sc_neurocore.accel.jax_backend.jax_forward_pass]: compile time and
steady-state time of the ``lax.scan`` kernel against a ``jit`` of the same
math with time unrolled in a Python loop, plus the public call (validation and
transfer included) against the NumPy reference loop
[`forward_pass_numpy`][sc_neurocore.accel.lif.forward_pass_numpy].

(b) One [`jax_surrogate_gradient_step`][sc_neurocore.accel.jax_backend.jax_surrogate_gradient_step]
(``custom_vjp``): compile time and steady-state time of the kernel against the
unrolled-loop ``jit`` of the same step, plus the public call against the
``legacy_stop_gradient`` path's public call.

Compile times are ``jax.jit(fresh_function).lower(...).compile()`` (trace,
lower and XLA compile) of a new function each repeat, so no cache is hit; a
throw-away compile first takes one-off start-up costs out of the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import extra_row, median_of

__all__ = ["bench_extras"]


def bench_extras(quick: bool, progress: Callable[[str], None], *, smoke: bool = False
                 ) -> list[dict[str, Any]]:
    """JAX rows of the study (module docstring), on the device JAX runs on.

    Parameters
    ----------
    quick : bool
        Fewer repeats.
    progress : callable
        Receives one-line progress messages.
    smoke : bool, default False
        A 16-8-4 network, batch 4, 5 steps, one repeat: checks the harness,
        the figures mean nothing.

    Returns
    -------
    list of dict
        Rows with keys ``name``, ``median_s``, ``baseline_name``,
        ``baseline_median_s``, ``ratio`` (baseline / median: > 1 means this is
        faster) and ``note``.  Empty when JAX is not installed.
    """
    from .._backends.on_jax import lif, runtime, training

    if not runtime.HAS_JAX:
        progress(f"jax extras skipped: {runtime.JAX.reason()}; install: "
                 f"{runtime.JAX.install_hint()}")
        return []
    from ..lif import forward_pass_numpy

    jax: Any = runtime.jax
    jnp: Any = runtime.jnp
    _x64, _run_layers, _spike_hard, _surrogate_step = (runtime.x64, lif.run_layers,
                                                       lif.spike_hard, training.traced_step)
    jax_forward_pass, jax_surrogate_gradient_step = (lif.forward_pass,
                                                     training.surrogate_gradient_step)
    compile_repeats, run_repeats = (1, 1) if smoke else (2, 5) if quick else (5, 20)
    sizes, batch, n_steps = ((16, 8, 4), 4, 5) if smoke else ((784, 256, 10), 128, 25)
    rng = np.random.default_rng(7)
    weights = [(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32)
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    x = (rng.random((batch, sizes[0])) < 0.2).astype(np.float32)
    targets = rng.integers(0, sizes[-1], size=batch)
    shape = (f"{'-'.join(map(str, sizes))}, batch {batch}, {n_steps} steps, float32"
             + (" (smoke sizes)" if smoke else ""))
    rows: list[dict[str, Any]] = []

    def fresh_forward(unroll: bool) -> Any:
        def forward(ws: list[Any], xs: Any, v_rest: Any, v_reset: Any, thr: Any,
                    alpha: Any) -> tuple[list[Any], Any]:
            return _run_layers(ws, xs, n_steps, v_rest, v_reset, thr, alpha, _spike_hard,
                               unroll=unroll)
        return jax.jit(forward)

    def fresh_step(unroll: bool) -> Any:
        def step(ws: list[Any], xs: Any, ys: Any, lr: Any, beta: Any, thr: Any,
                 alpha: Any) -> tuple[list[Any], Any]:
            return _surrogate_step(ws, xs, ys, lr, beta, thr, alpha, n_steps, "custom_vjp",
                                   unroll=unroll)
        return jax.jit(step)

    def compile_time(make: Callable[[bool], Any], unroll: bool,
                     args: tuple[Any, ...]) -> tuple[float, Any]:
        compiled = None

        def once() -> None:
            nonlocal compiled
            compiled = make(unroll).lower(*args).compile()
        return median_of(once, compile_repeats), compiled

    def steady(fn: Callable[[], Any]) -> float:
        jax.block_until_ready(fn())  # warm-up (and compile, for public calls)
        return median_of(lambda: jax.block_until_ready(fn()), run_repeats)

    def scan_vs_unrolled(what: str, make: Callable[[bool], Any], args: tuple[Any, ...],
                         note: str) -> None:
        """Compile and steady-state rows of ``what``: ``lax.scan`` against the unrolled loop."""
        progress(f"jax extras: {what} compile, scan vs unrolled ({shape})")
        scan_compile, scan_fn = compile_time(make, False, args)
        unrolled_compile, unrolled_fn = compile_time(make, True, args)
        rows.append(extra_row(f"{what} compile (lax.scan)", scan_compile,
                              "jit of Python-unrolled time loop, compile", unrolled_compile,
                              f"{shape}; {note}trace + lower + XLA compile"))
        progress(f"jax extras: {what} steady state")
        rows.append(extra_row(f"{what} kernel (lax.scan)", steady(lambda: scan_fn(*args)),
                              "jit of Python-unrolled time loop",
                              steady(lambda: unrolled_fn(*args)),
                              f"{shape}; {note}compiled kernels, data already on the device"))

    with _x64():
        w_d = [jnp.asarray(w) for w in weights]
        x_d = jnp.asarray(x)
        y_d = jnp.asarray(targets.astype(np.int32))
        fwd_args = (w_d, x_d, *[jnp.asarray(v, np.float32) for v in (0.0, 0.0, 1.0, 0.9)])
        step_args = (w_d, x_d, y_d, *[jnp.asarray(v, np.float32) for v in (1e-3, 10.0, 1.0, 0.9)])
        fresh_forward(False).lower(*fwd_args).compile()  # one-off start-up costs
        scan_vs_unrolled("jax_forward_pass", fresh_forward, fwd_args, "")

    rows.append(extra_row("jax_forward_pass public call",
                          steady(lambda: jax_forward_pass(weights, x, n_steps)),
                          "forward_pass_numpy (NumPy loop, float64)",
                          median_of(lambda: forward_pass_numpy(weights, x, n_steps),
                                    max(2, run_repeats // 4)),
                          f"{shape}; includes validation and host-to-device transfer"))

    with _x64():
        scan_vs_unrolled("jax_surrogate_gradient_step", fresh_step, step_args, "custom_vjp; ")

    def public_step(path: str) -> Callable[[], Any]:
        return lambda: jax_surrogate_gradient_step(weights, x, targets, n_steps,
                                                   surrogate_path=path)

    rows.append(extra_row("jax_surrogate_gradient_step public call (custom_vjp)",
                          steady(public_step("custom_vjp")),
                          "jax_surrogate_gradient_step public call (legacy_stop_gradient)",
                          steady(public_step("legacy_stop_gradient")),
                          f"{shape}; includes validation and host-to-device transfer"))
    return rows
