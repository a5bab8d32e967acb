"""The packed vector operations on JAX ([design: vector operations][vector-operations]).

Public as ``jax_pack_bitstream``, ``jax_vec_and``, ``jax_vec_xnor``,
``jax_vec_not``, ``jax_vec_mux``, ``jax_popcount`` and ``jax_vec_mac``
(``sc_neurocore.accel.jax_backend``).  Eager calls run with 64-bit types on for
their own duration; traced calls need the caller's ``jax.enable_x64(True)``.
The traceable helpers ``pack_words`` (bits to words) and ``blocked_rows``
(counts a block of rows at a time) serve the forward and prepared paths too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import as_bits, check_bits_dtype, check_rank, same_shape

from .checks import check_packable, device_packed, packed_scope, require_x64, traced_check
from .runtime import (
    HAS_JAX,
    TRACE_COUNTS,
    WORD_BITS,
    JaxArray,
    is_tracer,
    jit,
    jnp,
    lax,
    require_jax,
    x64,
)

__all__ = ["and_", "blocked_rows", "count_dtype", "mac", "mux", "not_", "pack", "pack_words",
           "popcount", "xnor"]


def pack_words(bits: Any) -> Any:
    """Pack the last axis of a 0/1 array, ``64 * n_words`` long, into ``uint64`` words.

    Traceable, with x64 on.  Bit ``t`` goes to word ``t // 64`` at position
    ``t % 64``: the bits are packed into bytes, and eight bytes reinterpreted
    as a little-endian ``uint64`` word.
    """
    n_words = bits.shape[-1] // WORD_BITS
    grouped = bits.astype(jnp.uint8).reshape(bits.shape[:-1] + (n_words * 8, 8))
    as_bytes = jnp.sum(grouped << jnp.arange(8, dtype=jnp.uint8), axis=-1, dtype=jnp.uint8)
    return lax.bitcast_convert_type(as_bytes.reshape(bits.shape[:-1] + (n_words, 8)),
                                    jnp.uint64)


def _pack_last(bits: Any) -> Any:
    """Pack the last axis of a 0/1 array into ``uint64`` words (traceable, x64 on).

    The last word's tail (past the last bit) is zero.
    """
    pad = -bits.shape[-1] % WORD_BITS
    if pad:
        bits = jnp.pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, pad)])
    return pack_words(bits)


def count_dtype(bits_per_row: int) -> Any:
    """``uint32`` accumulators when a row's total cannot overflow them, else ``uint64``."""
    return jnp.uint32 if bits_per_row < 2**32 else jnp.uint64


def blocked_rows(n_rows: int, block_rows: int, lead: tuple[int, ...], acc: Any,
                 counts_of: Any) -> Any:
    """Counts ``(*lead, n_rows)`` of ``n_rows`` rows, computed ``block_rows`` rows at a time.

    ``counts_of(row, size)`` returns rows ``row .. row + size - 1``'s counts
    ``(*lead, size)`` (``row`` traced, ``size`` static).  A loop takes a
    block at a time, so no temporary is ever larger than one block's; the
    last block is moved back to end at ``n_rows``, and rows it shares with
    the block before it are computed twice, with identical values.
    """
    size = max(1, min(block_rows, n_rows))
    n_blocks = -(-n_rows // size)

    def block(b: Any, out: Any) -> Any:
        row = jnp.minimum(b * size, n_rows - size)
        return lax.dynamic_update_slice_in_dim(out, counts_of(row, size), row,
                                               axis=len(lead))

    zeros = jnp.zeros(lead + (n_rows,), dtype=acc)
    if n_blocks == 1:
        return block(0, zeros)
    return lax.fori_loop(0, n_blocks, block, zeros)


def _mac_counts(weights: Any, inputs: Any) -> Any:
    """``counts[o] = sum_{i,w} popcount(weights[o,i,w] & inputs[i,w])`` as ``uint64``."""
    n_out, n_in, n_words = weights.shape
    acc = count_dtype(n_in * n_words * WORD_BITS)
    # One flat axis per output row reduces much faster on XLA:CPU than two axes.
    flat_w = weights.reshape(n_out, n_in * n_words)
    ones = lax.population_count(jnp.bitwise_and(flat_w, inputs.reshape(1, n_in * n_words)))
    return jnp.sum(ones.astype(acc), axis=1, dtype=acc).astype(jnp.uint64)


if HAS_JAX:
    @jit
    def _pack_jit(bits: Any) -> Any:
        TRACE_COUNTS["pack"] += 1
        return _pack_last(bits)

    @jit
    def _mac_jit(weights: Any, inputs: Any) -> Any:
        TRACE_COUNTS["mac"] += 1
        return lax.map(lambda row: _mac_counts(weights, row), inputs)


def pack(bits: ArrayLike) -> JaxArray:
    """Pack a 0/1 stream into ``uint64`` words on the device ([design: packing][packing]).

    Parameters
    ----------
    bits : array_like or jax.Array
        Non-empty 1-D ``(N,)`` or 2-D ``(B, N)`` array of the integers 0 and 1
        (``uint8`` or any other integer dtype).  Booleans are refused, as the
        reference project refuses them: convert with ``bits.astype(np.uint8)``.

    Returns
    -------
    jax.Array
        ``uint64`` ``(ceil(N/64),)`` or ``(B, ceil(N/64))``, identical to
        [`pack_bitstream`][sc_neurocore.accel.vector_ops.pack_bitstream].

    Raises
    ------
    ValueError
        If ``bits`` is empty, its rank is not 1 or 2 or a value is not 0 or 1;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if ``bits`` does
        not hold integers (booleans included), or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    if is_tracer(bits):
        traced: Any = bits
        check_bits_dtype(traced.dtype, "bits")
        check_rank(traced.shape, "bits", (1, 2))
        check_packable(traced.dtype, traced.shape)
        traced_check(lambda: (traced == 0) | (traced == 1), "bits must contain only 0 and 1")
        require_x64("jax_pack_bitstream")
        return _pack_jit(traced)
    given = np.asarray(bits)
    checked = as_bits(given)
    check_packable(given.dtype, checked.shape)
    with x64():
        return _pack_jit(jnp.asarray(checked))


def _bitwise(func: str, op: Callable[..., Any], **operands: ArrayLike) -> JaxArray:
    """``op`` on packed ``uint64`` operands of one shape, checked, on the device.

    ``func`` is the public name (for the x64 error of a traced call); the
    operands are checked in order and must all have the first one's shape.
    """
    require_jax()
    with packed_scope(func, *operands.values()):
        arrays = {name: device_packed(value, name, non_empty=True)
                  for name, value in operands.items()}
        (first, ref), *others = arrays.items()
        for name, arr in others:
            same_shape(first, ref, name, arr)
        return op(*arrays.values())


def and_(a: ArrayLike, b: ArrayLike) -> JaxArray:
    """Bitwise AND of packed ``uint64`` streams (SC unipolar multiply), on the device.

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` streams of probability ``p``.
    b : numpy.ndarray or jax.Array
        ``uint64`` streams of probability ``q``, the shape of ``a``.

    Returns
    -------
    jax.Array
        ``a & b``, ``uint64``, same shape: streams of probability ``p * q`` for
        independent operands.

    Raises
    ------
    ValueError
        If an operand is empty or the shapes differ;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an operand
        is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    return _bitwise("jax_vec_and", lambda x, y: jnp.bitwise_and(x, y), a=a, b=b)


def xnor(a: ArrayLike, b: ArrayLike) -> JaxArray:
    """Bitwise XNOR of packed ``uint64`` streams (SC bipolar multiply), on the device.

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` bipolar streams (value ``2 p - 1``).
    b : numpy.ndarray or jax.Array
        ``uint64`` bipolar streams, the shape of ``a``.

    Returns
    -------
    jax.Array
        ``~(a ^ b)``, ``uint64``, same shape (all 64 bits of each word).

    Raises
    ------
    ValueError
        As [`jax_vec_and`][sc_neurocore.accel.jax_backend.jax_vec_and].
    RuntimeError
        If JAX is not installed.
    """
    return _bitwise("jax_vec_xnor", lambda x, y: jnp.invert(jnp.bitwise_xor(x, y)), a=a, b=b)


def not_(a: ArrayLike) -> JaxArray:
    """Bitwise complement of packed ``uint64`` streams (``1 - p``), on the device.

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` array.

    Returns
    -------
    jax.Array
        ``~a``, ``uint64``, same shape (all 64 bits of each word).

    Raises
    ------
    ValueError
        As [`jax_popcount`][sc_neurocore.accel.jax_backend.jax_popcount].
    RuntimeError
        If JAX is not installed.
    """
    return _bitwise("jax_vec_not", lambda x: jnp.invert(x), a=a)


def mux(sel: ArrayLike, a: ArrayLike, b: ArrayLike) -> JaxArray:
    """``(sel & a) | (~sel & b)``: SC scaled addition, on the device.

    Parameters
    ----------
    sel : numpy.ndarray or jax.Array
        Non-empty ``uint64`` select streams.
    a : numpy.ndarray or jax.Array
        ``uint64`` array of ``sel``'s shape, taken where ``sel`` is 1.
    b : numpy.ndarray or jax.Array
        ``uint64`` array of ``sel``'s shape, taken where ``sel`` is 0.

    Returns
    -------
    jax.Array
        ``uint64``, same shape.

    Raises
    ------
    ValueError
        As [`jax_vec_and`][sc_neurocore.accel.jax_backend.jax_vec_and], for
        any of the three operands.
    RuntimeError
        If JAX is not installed.
    """
    return _bitwise("jax_vec_mux", _select, sel=sel, a=a, b=b)


def _select(sel: Any, a: Any, b: Any) -> Any:
    return jnp.bitwise_or(jnp.bitwise_and(sel, a), jnp.bitwise_and(jnp.invert(sel), b))


def popcount(a: ArrayLike) -> JaxArray:
    """Per-element popcount of packed words, kept on the device ([design: vector operations][vector-operations]).

    Parameters
    ----------
    a : numpy.ndarray or jax.Array
        Non-empty ``uint64`` array of any shape.

    Returns
    -------
    jax.Array
        ``uint64`` of the same shape, each value in ``[0, 64]``; sum it for
        the total that [`vec_popcount`][sc_neurocore.accel.vector_ops.vec_popcount]
        returns.

    Raises
    ------
    ValueError
        If ``a`` is empty; [`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if it is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    with packed_scope("jax_popcount", a):
        return lax.population_count(device_packed(a, "a", non_empty=True))


def mac(weights_packed: ArrayLike, inputs_packed: ArrayLike) -> JaxArray:
    """SC multiply-accumulate: AND, popcount and reduce over inputs and words.

    ``counts[..., o] = sum over i, w of
    popcount(weights_packed[o, i, w] & inputs_packed[..., i, w])``.

    Parameters
    ----------
    weights_packed : numpy.ndarray or jax.Array
        ``uint64`` ``(n_out, n_in, n_words)``.
    inputs_packed : numpy.ndarray or jax.Array
        ``uint64`` ``(n_in, n_words)`` or ``(batch, n_in, n_words)``.

    Returns
    -------
    jax.Array
        ``uint64`` counts ``(n_out,)`` or ``(batch, n_out)``.

    Raises
    ------
    ValueError
        If the ranks are wrong or ``(n_in, n_words)`` differ;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an operand
        is not a ``uint64`` array, or if traced with 64-bit types off.
    RuntimeError
        If JAX is not installed.
    """
    require_jax()
    with packed_scope("jax_vec_mac", weights_packed, inputs_packed):
        weights = device_packed(weights_packed, "weights_packed", ndims=(3,))
        inputs = device_packed(inputs_packed, "inputs_packed", ndims=(2, 3))
        if inputs.shape[-2:] != weights.shape[1:]:
            raise ValueError(f"inputs_packed must end in (n_in, n_words) = {weights.shape[1:]} "
                             f"to match weights_packed {weights.shape}, got shape {inputs.shape}")
        batched = inputs.ndim == 3
        counts = _mac_jit(weights, inputs if batched else inputs[None])
        return counts if batched else counts[0]


