"""``sc_forward`` on JAX/XLA ([design: forward pass][forward-pass]), bit-identical to the NumPy reference.

Each batch row is encoded on the device from the shared encoder operands
(``sc_neurocore.accel._encoder``), then AND-popcounted with the weights a block
of rows at a time; on CPU the weights are read in place, not copied.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from sc_neurocore._validation import ForwardArgs

from ..._encoder import EncoderOperands, encoder_operands
from ..base import KernelBackend, counts_to_rates
from .bitops import blocked_rows, count_dtype, pack_words
from .prepared import prepared_counts
from .runtime import (
    HAS_JAX,
    JAX,
    TRACE_COUNTS,
    WORD_BITS,
    ZERO_COPY_ALIGN,
    device_put_readonly,
    jax,
    jnp,
    lax,
    require_jax,
    x64,
)

__all__ = ["SC_BLOCK_BYTES", "JaxBackend", "encode", "forward"]


_CYCLE_ON_DEVICE: dict[Any, Any] = {}

SC_BLOCK_BYTES = 1 << 18
"""Weight bytes reduced per step of the blocked AND-popcount: a block stays in cache while
every batch row meets it, and no weight-sized temporary exists.
"""
_SC_EDGE_WORDS = ZERO_COPY_ALIGN // 8
"""Words left out at the end of the weights' aligned body (see ``_sc_weight_operands``)."""


def _cycle_on_device(operands: EncoderOperands) -> Any:
    """The operands' repeated cycle (``uint16``) on the default device, put there once per
    sequence and size."""
    device = jax.config.jax_default_device or jax.devices()[0]
    key = (device, operands.sequence, operands.copies)
    if key not in _CYCLE_ON_DEVICE:
        _CYCLE_ON_DEVICE[key] = jax.device_put(operands.cycle)
    return _CYCLE_ON_DEVICE[key]


def _sc_block_rows(n_rows: int, k: int) -> int:
    """Weight rows per block: about ``_SC_BLOCK_BYTES`` of ``k``-word rows (1..n_rows)."""
    return max(1, min(n_rows, SC_BLOCK_BYTES // max(1, 8 * k)))


def encode(thresholds: Any, offsets: Any, masks: Any, cycle: Any, length: int) -> Any:
    """Packed input streams ``(batch, n_in * n_words)`` (traceable, x64 on).

    Bit ``t`` of input ``i`` in batch row ``b`` is ``(cycle[offsets[i] + t] ^
    masks[i]) < thresholds[b, i]`` (a threshold of 65536 exceeds every value:
    always 1); bits past ``length`` are 0.  Each input's values are one
    contiguous slice of the repeated cycle.
    """
    batch, n_in = thresholds.shape
    n_words = -(-length // WORD_BITS)
    padded = n_words * WORD_BITS
    states = jax.vmap(lambda start: lax.dynamic_slice_in_dim(cycle, start, padded))(offsets)
    states = states.astype(jnp.int32) ^ masks.astype(jnp.int32)[:, None]   # (n_in, padded)
    if padded != length:
        # Past the stream's end no state is below any threshold: those bits are 0.
        states = jnp.where(jnp.arange(padded) < length, states, 65536)
    words = pack_words(states[None, :, :] < thresholds[:, :, None])
    return words.reshape(batch, n_in * n_words)


def _sc_row_counts(rows: Any, x: Any, acc: Any) -> Any:
    """``counts[b, r] = sum_j popcount(rows[r, j] & x[b, j])`` in ``acc``."""
    ones = lax.population_count(jnp.bitwise_and(rows[None, :, :], x[:, None, :]))
    return jnp.sum(ones.astype(acc), axis=2, dtype=acc)


def _sc_blocked_counts(body: Any, shift: Any, k: int, first: int, stop: int, x: Any,
                       acc: Any, block_rows: int) -> Any:
    """Counts of weight rows ``first .. stop-1`` against ``x``: ``(batch, stop - first)``.

    Row ``o`` is the ``k`` words at ``body[o * k - shift:]``, read a block
    at a time (``blocked_rows``) with dynamic slices that XLA reads in place,
    so the AND array is never held for more than one block.
    """
    def counts_of(row: Any, size: int) -> Any:
        start = (row + first).astype(jnp.int64) * k - shift
        rows = lax.dynamic_slice_in_dim(body, start, size * k).reshape(size, k)
        return _sc_row_counts(rows, x, acc)

    return blocked_rows(stop - first, block_rows, (x.shape[0],), acc, counts_of)


if HAS_JAX:
    @partial(jax.jit, static_argnames=("length", "n_out", "block_rows"))
    def _sc_counts_jit(body: Any, edges: Any, shift: Any, thresholds: Any, offsets: Any,
                       masks: Any, cycle: Any, *, length: int, n_out: int,
                       block_rows: int) -> Any:
        """Encode every batch row on the device, then AND-popcount it with the weights.

        The weights come as in ``_sc_weight_operands``: ``body`` holds
        weight word ``j`` at ``body[j - shift]`` for ``shift <= j < n_out * k -
        8 + shift``; ``edges[0, 8 - shift:]`` are the words before that and
        ``edges[1, :8 - shift]`` those after it.  With no edges (``edges`` of
        shape ``(0, 8)``) ``body`` holds every word and ``shift`` is 0.
        ``offsets[i]`` is the position of input ``i``'s first value in
        ``cycle`` and ``masks[i]`` the XOR it reads its values through;
        ``block_rows`` weight rows are reduced per loop step.
        Returns counts ``(batch, n_out)`` (``uint32`` or ``uint64``).
        """
        TRACE_COUNTS["sc_forward"] += 1
        k = offsets.shape[0] * (-(-length // WORD_BITS))
        acc = count_dtype(k * WORD_BITS)
        x = encode(thresholds, offsets, masks, cycle, length)
        if edges.shape[0] == 0:
            return _sc_blocked_counts(body, shift, k, 0, n_out, x, acc, block_rows)
        # The first and last `ends` rows are rebuilt from the body and the edge
        # words (a copy of a few rows); every other row is read from the body.
        ends = -(-_SC_EDGE_WORDS // k)
        head = jnp.concatenate([edges[0], body[:ends * k]])
        tail = jnp.concatenate([body[body.shape[0] - ends * k:], edges[1]])
        skip = _SC_EDGE_WORDS - shift
        first = lax.dynamic_slice_in_dim(head, skip, ends * k).reshape(ends, k)
        last = lax.dynamic_slice_in_dim(tail, skip, ends * k).reshape(ends, k)
        middle = _sc_blocked_counts(body, shift, k, ends, n_out - ends, x, acc, block_rows)
        return jnp.concatenate([_sc_row_counts(first, x, acc), middle,
                                _sc_row_counts(last, x, acc)], axis=1)


def _sc_weight_operands(weights: np.ndarray) -> tuple[Any, np.ndarray, np.int64]:
    """``(body, edges, shift)`` of ``weights`` for ``_sc_counts_jit``.

    On CPU, XLA reads a host buffer in place only if it starts on a 64-byte
    boundary, and NumPy's large arrays usually start 16 bytes past one, so
    handing XLA the array itself would copy every weight (for a large layer,
    longer than the whole forward pass).  Instead ``body`` is a view of the
    flat words from the first 64-byte boundary on, ``shift`` (0..7) words in,
    and 8 words shorter than the weights, so its shape does not depend on the
    alignment and one compiled kernel serves every array; the at most 8 words
    it leaves out travel in ``edges`` (2, 8).  Layers too small for that
    (under two edge rows at each end) are copied whole, with no edges.
    """
    n_out, n_in, n_words = weights.shape
    k = n_in * n_words
    flat = weights.reshape(-1)
    address = flat.ctypes.data
    ends = -(-_SC_EDGE_WORDS // max(1, k))
    if n_out < 2 * ends + 1 or address % 8:
        return (device_put_readonly(flat), np.zeros((0, _SC_EDGE_WORDS), dtype=np.uint64),
                np.int64(0))
    shift = (-address % ZERO_COPY_ALIGN) // 8
    body = flat[shift:shift + flat.size - _SC_EDGE_WORDS]
    edges = np.zeros((2, _SC_EDGE_WORDS), dtype=np.uint64)
    edges[0, _SC_EDGE_WORDS - shift:] = flat[:shift]
    edges[1, :_SC_EDGE_WORDS - shift] = flat[flat.size - _SC_EDGE_WORDS + shift:]
    return body, edges, np.int64(shift)


def forward(args: ForwardArgs) -> np.ndarray:
    """``sc_forward`` kernel on validated arguments: ``float64`` ``(batch, n_out)``."""
    require_jax()
    n_out, n_in, n_words = args.weights.shape
    batch = args.probs.shape[0]
    if n_out == 0 or n_in == 0 or batch == 0:
        return counts_to_rates(np.zeros((batch, n_out), dtype=np.uint64), args.length)
    # Every window is read a whole number of words long (the padded tail compares as 0).
    operands = encoder_operands(args.probs, args.length, args.seed, window=n_words * WORD_BITS,
                                generator=args.generator)
    thresholds = operands.thresholds.astype(np.int32)           # (batch, n_in), <= 65536
    offsets = operands.start.astype(np.int32)
    masks = operands.mask.astype(np.int32)
    with x64():
        # NumPy operands go to the kernel as they are: on CPU, jit reads an
        # aligned host array in place, faster than an explicit device_put.
        body, edges, shift = _sc_weight_operands(args.weights)
        counts = _sc_counts_jit(body, edges, shift, thresholds, offsets, masks,
                                _cycle_on_device(operands), length=args.length, n_out=n_out,
                                block_rows=_sc_block_rows(n_out, n_in * n_words))
        counts = np.asarray(jax.device_get(counts))
    return counts_to_rates(counts, args.length)


class JaxBackend(KernelBackend):
    """The ``jax`` backend: ``sc_forward`` on JAX/XLA, bit-identical to the NumPy reference."""

    name = "jax"
    extra = "jax"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """``None`` when JAX imports, else why not (``install_hint`` says how to install it)."""
        return None if HAS_JAX else JAX.reason()

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        return forward(args)

    def prepared_counts(self, k: np.ndarray, states: np.ndarray,
                        thresholds: np.ndarray) -> np.ndarray:
        return np.asarray(jax.device_get(prepared_counts(k, states, thresholds)))


