"""The prepared path on JAX/XLA ([design: prepared layers][prepared-layers]): jit-able, ``vmap``-able.

``prepared_counts`` compares each input's states in the layer's order with
its threshold, packs the bits (``pack_words``), counts the set bits before
every word, then answers every ``(o, i)`` with one gathered word and prefix
and a masked popcount, a block of output rows at a time (``blocked_rows``).
Every shape is static; a batch of thresholds is ``jax.vmap`` of one row, so
``vmap`` over a caller's batch works the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    PREPARED_OPERAND_DTYPES,
    InputTypeError,
    as_prepared_operands,
    check_prepared_operand_shapes,
    check_rank,
)

from .bitops import blocked_rows, count_dtype, pack_words
from .checks import packed_scope, traced_check
from .runtime import (
    HAS_JAX,
    TRACE_COUNTS,
    WORD_BITS,
    JaxArray,
    device_put_readonly,
    is_jax_value,
    is_tracer,
    jax,
    jnp,
    lax,
    require_jax,
)

__all__ = ["PREPARED_BLOCK_BYTES", "prepared_counts"]

PREPARED_BLOCK_BYTES = 1 << 23
"""Bytes of gathered words per step of the lookups (per batch row): a layer of up to a
million weights is looked up in one step (a loop costs more than it saves on XLA:CPU), a
larger one a block of output rows at a time, so temporaries stay bounded.
"""


def _ordered_table(states: Any, x: Any) -> tuple[Any, Any]:
    """``(words, before)``, each ``(n_in, n_words + 1)``: input ``i``'s bits in the layer's
    order (``states[i] < x[i]``) packed, a 0 word appended, and the set bits before each word."""
    n_in, length = states.shape
    # Compared in 16 bits (twice as fast as in 32 on XLA:CPU); 65536 sets every bit.
    below = states < jnp.minimum(x, 65535).astype(jnp.uint16)[:, None]
    bits = below | (x > 65535)[:, None]
    pad = -length % WORD_BITS   # the last word's tail
    words = pack_words(jnp.pad(bits, ((0, 0), (0, pad))) if pad else bits)
    words = jnp.concatenate([words, jnp.zeros((n_in, 1), dtype=words.dtype)], axis=1)
    ones = lax.population_count(words).astype(jnp.uint32)
    return words, jnp.cumsum(ones, axis=1, dtype=jnp.uint32) - ones


def _row_counts(k: Any, states: Any, x: Any, block_rows: int) -> Any:
    """``counts[o] = sum_i #{ j < k[o, i] : states[i, j] < x[i] }`` for one threshold row."""
    n_out, n_in = k.shape
    words, before = _ordered_table(states, x)
    stride = words.shape[1]
    flat_words, flat_before = words.reshape(-1), before.reshape(-1)
    acc = count_dtype(n_in * states.shape[1] + 1)
    index = jnp.int32 if n_in * stride < 2**31 else jnp.int64
    first = jnp.arange(n_in, dtype=index) * stride

    def counts_of(row: Any, size: int) -> Any:
        kk = lax.dynamic_slice_in_dim(k, row, size).astype(index)
        at = first[None, :] + (kk >> 6)
        mask = (jnp.uint64(1) << (kk & 63).astype(jnp.uint64)) - jnp.uint64(1)
        # In bounds (k <= length): "clip" only spares XLA the out-of-bounds fill.
        ones = lax.population_count(jnp.take(flat_words, at, mode="clip") & mask).astype(acc)
        before_word = jnp.take(flat_before, at, mode="clip").astype(acc)
        return jnp.sum(before_word + ones, axis=1, dtype=acc)

    return blocked_rows(n_out, block_rows, (), acc, counts_of).astype(jnp.uint64)


if HAS_JAX:
    @partial(jax.jit, static_argnames=("block_rows",))
    def _prepared_jit(k: Any, states: Any, thresholds: Any, *, block_rows: int) -> Any:
        """Counts ``(batch, n_out)`` ``uint64``: ``_row_counts`` mapped over the batch."""
        TRACE_COUNTS["prepared_counts"] += 1
        return jax.vmap(lambda x: _row_counts(k, states, x, block_rows))(thresholds)


def _check_traced(k: Any, states: Any, thresholds: Any) -> None:
    """The static checks on device arrays or tracers, and the value checks (under checkify
    for tracers, at once for concrete arrays)."""
    for name, value in (("k", k), ("states", states), ("thresholds", thresholds)):
        want = PREPARED_OPERAND_DTYPES[name]
        if np.dtype(value.dtype) != want:
            raise InputTypeError(f"{name} must have dtype {want}, got {value.dtype}")
    check_prepared_operand_shapes(k.shape, states.shape, thresholds.shape)
    length = states.shape[1]
    checks: tuple[tuple[Any, Callable[[Any], Any], str], ...] = (
        (k, lambda v: v <= length, f"k must be in [0, {length}] (the stream length)"),
        (thresholds, lambda v: (v >= 0) & (v <= 65536), "thresholds must be in [0, 65536]"))
    for value, predicate, message in checks:
        if is_tracer(value):
            traced_check(partial(predicate, value), message)
        elif not np.all(predicate(np.asarray(value))):
            # Concrete (even inside the caller's trace): checked on the host at once.
            raise ValueError(message)


def prepared_counts(k: ArrayLike, states: ArrayLike, thresholds: ArrayLike) -> JaxArray:
    """``counts[..., o] = sum_i #{ j < k[o, i] : states[i, j] < thresholds[..., i] }`` on the device.

    The operation every backend package exposes for prepared layers
    ([`Backend.prepared_counts`][sc_neurocore.accel.backend.Backend.prepared_counts]);
    it composes with ``jax.jit`` and ``jax.vmap`` (traced, it needs
    ``jax.enable_x64(True)``, as the ``uint64`` kernels do).

    Parameters
    ----------
    k : numpy.ndarray or jax.Array
        ``uint32`` ``(n_out, n_in)``, each in ``[0, length]``.
    states : numpy.ndarray or jax.Array
        ``uint16`` ``(n_in, length)``: input ``i``'s states in the layer's order.
    thresholds : numpy.ndarray or jax.Array
        ``int64`` ``(n_in,)`` or ``(batch, n_in)``, each in ``[0, 65536]``.

    Returns
    -------
    jax.Array
        ``uint64`` ``(n_out,)`` or ``(batch, n_out)``, equal to the NumPy
        reference's.

    Raises
    ------
    ValueError
        If the operands do not match or lie out of range (for traced
        operands the ranges are checked under ``checkify`` only);
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] for a wrong
        type or dtype, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    given: tuple[Any, ...] = (k, states, thresholds)
    on_device = any(is_jax_value(v) for v in given)
    for name, value in zip(PREPARED_OPERAND_DTYPES, given):
        if not (on_device or isinstance(value, np.ndarray)) or not hasattr(value, "dtype"):
            raise InputTypeError(f"{name} must be a numpy.ndarray or jax.Array of dtype "
                                 f"{PREPARED_OPERAND_DTYPES[name]}, got {type(value).__name__}")
    check_rank(tuple(given[2].shape), "thresholds", (1, 2))
    batched = given[2].ndim == 2
    operands = given if batched else (k, states, given[2][None])
    with packed_scope("prepared_counts", *operands):
        if on_device:
            _check_traced(*operands)
            dk, ds, dt = operands
        else:
            dk, ds, dt = (device_put_readonly(a) for a in as_prepared_operands(*operands))
        n_out, n_in = dk.shape
        if n_out == 0 or n_in == 0 or dt.shape[0] == 0:
            counts = jnp.zeros((dt.shape[0], n_out), dtype=jnp.uint64)
        else:
            block = max(1, PREPARED_BLOCK_BYTES // (8 * n_in))
            counts = _prepared_jit(dk, ds, dt, block_rows=block)
        return counts if batched else counts[0]
