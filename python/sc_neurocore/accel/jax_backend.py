"""JAX backend: packed SC kernels, LIF dynamics and surrogate-gradient training.

Everything here runs through XLA (CPU, GPU or TPU, whichever JAX was installed
for) and keeps arrays on the device until :func:`to_host` is called.

* Packed vector operations (DESIGN §4): :func:`jax_pack_bitstream`,
  :func:`jax_vec_and` (and ``xnor``/``not``/``mux``), :func:`jax_popcount`
  (per element) and :func:`jax_vec_mac` (AND, popcount and reduce).
* :class:`JaxBackend` runs ``sc_forward`` (DESIGN §3) bit-identically to the
  NumPy reference: the LFSR encoder reads the shared cycle table of
  :mod:`sc_neurocore.accel.lfsr` on the device.
* LIF dynamics (DESIGN §5): :func:`jax_lif_step` and :func:`jax_forward_pass`
  (time runs in one ``lax.scan``, so compile time does not grow with
  ``n_steps``).
* Surrogate training: :func:`jax_surrogate_loss` and
  :func:`jax_surrogate_gradient_step` (jit-compiled once per shape).

64-bit types are needed for ``uint64`` words and for float64 results.  They are
enabled only inside this module's calls, with JAX's scoped ``enable_x64``
context manager; the user's global ``jax_enable_x64`` setting is never
changed.  Every public entry point validates its arguments on the host before
anything is traced ("fail-closed") and raises ``ValueError``/``TypeError``
naming the argument.

When JAX is not installed this module still imports: :data:`HAS_JAX` is
``False`` and every function raises ``RuntimeError`` saying how to install it.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections import Counter
from functools import partial
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ._validation import ForwardArgs, as_bits, as_packed, same_shape
from .backend import Backend
from .lfsr import PERIOD, _cycle_copies, lfsr_tables, quantize, start_states
from .lif import check_finite_scalar, check_positive, validate_forward_pass, validate_lif_step
from .sc_inference import counts_to_rates

try:
    import jax
    import jax.numpy as jnp
    from jax import lax
except ImportError as _exc:  # pragma: no cover - exercised by a test that hides jax
    jax = None
    jnp = None
    lax = None
    HAS_JAX = False
    _IMPORT_ERROR: str | None = f"{type(_exc).__name__}: {_exc}"
else:
    HAS_JAX = True
    _IMPORT_ERROR = None

__all__ = [
    "HAS_JAX", "jnp", "to_jax", "to_host", "jax_pack_bitstream", "jax_vec_and", "jax_vec_xnor",
    "jax_vec_not", "jax_vec_mux", "jax_popcount", "jax_vec_mac", "jax_lif_step",
    "jax_forward_pass", "jax_surrogate_loss", "jax_surrogate_gradient_step",
    "JAX_SURROGATE_PATHS", "JaxBackend", "bench_extras",
]

INSTALL_HINT = "pip install 'sc-neurocore[jax]'"

#: Surrogate-gradient implementations accepted by the training functions.
JAX_SURROGATE_PATHS: tuple[str, ...] = ("custom_vjp", "legacy_stop_gradient")

#: How many times each jit-compiled kernel has been traced (a Python side
#: effect that runs only while tracing); lets tests check there is no retracing.
TRACE_COUNTS: Counter = Counter()

_WORD_BITS = 64


# --------------------------------------------------------------------------- helpers

def _require_jax() -> None:
    """Raise ``RuntimeError`` with the install hint when JAX is missing."""
    if not HAS_JAX:
        raise RuntimeError(f"JAX is not installed ({_IMPORT_ERROR}); install it with "
                           f"{INSTALL_HINT}")


@contextlib.contextmanager
def _x64() -> Iterator[None]:
    """Enable 64-bit JAX types for the duration of the block only.

    Uses ``jax.enable_x64`` (a scoped, thread-local config context manager in
    current JAX) or, on older JAX, ``jax.experimental.enable_x64``.
    """
    scoped = getattr(jax, "enable_x64", None)
    if scoped is None:  # pragma: no cover - JAX < 0.8
        from jax.experimental import enable_x64 as scoped  # type: ignore[no-redef]
    with scoped(True):
        yield


def _is_jax_array(value: object) -> bool:
    return HAS_JAX and isinstance(value, jax.Array)


def _float_dtype(*values: object) -> np.dtype:
    """Compute dtype: float32 when every floating input is at most 32-bit, else float64.

    Inputs without a floating dtype (ints, Python scalars, lists) do not vote;
    with no floating input at all the result is float64.
    """
    floating = []
    for value in values:
        dtype = getattr(value, "dtype", None)
        if dtype is not None and np.issubdtype(np.dtype(dtype), np.floating):
            floating.append(np.dtype(dtype))
    if floating and all(d.itemsize <= 4 for d in floating):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _on_device(original: object, checked: np.ndarray, dtype: np.dtype) -> Any:
    """The device array for a validated argument (reusing it if already there)."""
    if _is_jax_array(original) and original.dtype == dtype and original.shape == checked.shape:
        return original
    return jnp.asarray(checked.astype(dtype, copy=False))


_ZERO_COPY_ALIGN = 64


def _device_put_readonly(arr: np.ndarray) -> Any:
    """Put a host array that is only read during this call on the default device.

    On CPU, XLA aliases a host buffer aligned to 64 bytes instead of copying
    it; NumPy's large allocations are usually only 16-byte aligned, and an
    aligned NumPy copy is several times faster than XLA's own transfer copy.
    On an accelerator the transfer is a copy whatever the alignment.
    """
    if jax.default_backend() == "cpu" and arr.ctypes.data % _ZERO_COPY_ALIGN:
        raw = np.empty(arr.nbytes + _ZERO_COPY_ALIGN, dtype=np.uint8)
        start = -raw.ctypes.data % _ZERO_COPY_ALIGN
        aligned = raw[start:start + arr.nbytes].view(arr.dtype).reshape(arr.shape)
        np.copyto(aligned, arr)
        arr = aligned
    return jax.device_put(arr)


def _device_packed(value: object, name: str, ndims: tuple[int, ...] | None = None) -> Any:
    """Validate a packed ``uint64`` operand (NumPy or JAX) and return it on the device."""
    if _is_jax_array(value):
        if value.dtype != np.uint64:
            raise TypeError(f"{name} must have dtype uint64, got {value.dtype}")
        if ndims is not None and value.ndim not in ndims:
            forms = " or ".join(f"{d}-D" for d in ndims)
            raise ValueError(f"{name} must be {forms}, got shape {value.shape}")
        return value
    return _device_put_readonly(as_packed(value, name, ndims))


def to_jax(value: object, dtype: object = None) -> Any:
    """Move an array to the default JAX device, keeping 64-bit dtypes.

    Parameters
    ----------
    value : array_like
        Host data (or a JAX array, returned converted if ``dtype`` asks).
    dtype : dtype, optional
        Target dtype; by default the NumPy dtype of ``value`` (so ``float64``
        and ``uint64`` stay 64-bit even when ``jax_enable_x64`` is off).

    Returns
    -------
    jax.Array

    Raises
    ------
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _x64():
        if _is_jax_array(value):
            return value if dtype is None else value.astype(dtype)
        arr = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
        return jnp.asarray(arr)


def to_host(value: object) -> np.ndarray:
    """Copy a JAX array (or anything array-like) back to a NumPy array."""
    _require_jax()
    if _is_jax_array(value):
        return np.asarray(jax.device_get(value))
    return np.asarray(value)


# --------------------------------------------------------------- packed vector operations

def _pack_last(bits: Any) -> Any:
    """Pack the last axis of a 0/1 array into ``uint64`` words (traceable, x64 on).

    Bit ``t`` goes to word ``t // 64`` at position ``t % 64``; the tail of the
    last word is zero.  The 64 shifted bits of a word never overlap, so their
    sum is their OR.
    """
    n_bits = bits.shape[-1]
    n_words = -(-n_bits // _WORD_BITS)
    pad = n_words * _WORD_BITS - n_bits
    if pad:
        bits = jnp.pad(bits, [(0, 0)] * (bits.ndim - 1) + [(0, pad)])
    grouped = bits.reshape(bits.shape[:-1] + (n_words, _WORD_BITS)).astype(jnp.uint64)
    shifts = jnp.arange(_WORD_BITS, dtype=jnp.uint64)
    return jnp.sum(jnp.left_shift(grouped, shifts), axis=-1, dtype=jnp.uint64)


def _count_dtype(bits_per_row: int) -> Any:
    """``uint32`` accumulators when a row's total cannot overflow them, else ``uint64``."""
    return jnp.uint32 if bits_per_row < 2**32 else jnp.uint64


def _mac_counts(weights: Any, inputs: Any) -> Any:
    """``counts[o] = sum_{i,w} popcount(weights[o,i,w] & inputs[i,w])`` as ``uint64``."""
    n_out, n_in, n_words = weights.shape
    acc = _count_dtype(n_in * n_words * _WORD_BITS)
    # One flat axis per output row reduces much faster on XLA:CPU than two axes.
    flat_w = weights.reshape(n_out, n_in * n_words)
    ones = lax.population_count(jnp.bitwise_and(flat_w, inputs.reshape(1, n_in * n_words)))
    return jnp.sum(ones.astype(acc), axis=1, dtype=acc).astype(jnp.uint64)


if HAS_JAX:
    @jax.jit
    def _pack_jit(bits: Any) -> Any:
        TRACE_COUNTS["pack"] += 1
        return _pack_last(bits)

    @jax.jit
    def _mac_jit(weights: Any, inputs: Any) -> Any:
        TRACE_COUNTS["mac"] += 1
        return lax.map(lambda row: _mac_counts(weights, row), inputs)


def jax_pack_bitstream(bits: object) -> Any:
    """Pack a 0/1 stream into ``uint64`` words on the device (DESIGN §4).

    Parameters
    ----------
    bits : array_like
        1-D ``(N,)`` or 2-D ``(B, N)`` of 0/1 integers or booleans.

    Returns
    -------
    jax.Array
        ``uint64`` ``(ceil(N/64),)`` or ``(B, ceil(N/64))``, identical to
        :func:`sc_neurocore.accel.pack_bitstream`.

    Raises
    ------
    TypeError
        If ``bits`` does not hold integers or booleans.
    ValueError
        If its rank is not 1 or 2 or a value is not 0 or 1.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    checked = as_bits(bits)
    with _x64():
        return _pack_jit(jnp.asarray(checked))


def jax_vec_and(a: object, b: object) -> Any:
    """Bitwise AND of packed ``uint64`` streams (SC unipolar multiply), on the device.

    Parameters
    ----------
    a, b : ndarray or jax.Array
        ``uint64`` arrays of the same shape.

    Returns
    -------
    jax.Array
        ``uint64``, same shape.

    Raises
    ------
    TypeError
        If an operand is not a ``uint64`` array.
    ValueError
        If the shapes differ.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _x64():
        a, b = _device_packed(a, "a"), _device_packed(b, "b")
        same_shape("a", a, "b", b)
        return jnp.bitwise_and(a, b)


def jax_vec_xnor(a: object, b: object) -> Any:
    """Bitwise XNOR of packed streams (SC bipolar multiply); see :func:`jax_vec_and`."""
    _require_jax()
    with _x64():
        a, b = _device_packed(a, "a"), _device_packed(b, "b")
        same_shape("a", a, "b", b)
        return jnp.invert(jnp.bitwise_xor(a, b))


def jax_vec_not(a: object) -> Any:
    """Bitwise complement of packed streams, all 64 bits of each word."""
    _require_jax()
    with _x64():
        return jnp.invert(_device_packed(a, "a"))


def jax_vec_mux(sel: object, a: object, b: object) -> Any:
    """``(sel & a) | (~sel & b)``: SC scaled addition, on the device."""
    _require_jax()
    with _x64():
        sel, a, b = (_device_packed(sel, "sel"), _device_packed(a, "a"),
                     _device_packed(b, "b"))
        same_shape("sel", sel, "a", a)
        same_shape("sel", sel, "b", b)
        return jnp.bitwise_or(jnp.bitwise_and(sel, a), jnp.bitwise_and(jnp.invert(sel), b))


def jax_popcount(a: object) -> Any:
    """Per-element popcount of packed words (DESIGN §4: JAX keeps them on device).

    Parameters
    ----------
    a : ndarray or jax.Array
        ``uint64`` of any shape.

    Returns
    -------
    jax.Array
        ``uint64`` of the same shape, each value in ``[0, 64]``; sum it for
        the total that :func:`sc_neurocore.accel.vec_popcount` returns.

    Raises
    ------
    TypeError
        If ``a`` is not a ``uint64`` array.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _x64():
        return lax.population_count(_device_packed(a, "a"))


def jax_vec_mac(weights_packed: object, inputs_packed: object) -> Any:
    """SC multiply-accumulate: AND, popcount and reduce over inputs and words.

    ``counts[..., o] = sum_{i, w} popcount(weights_packed[o, i, w] & inputs_packed[..., i, w])``.

    Parameters
    ----------
    weights_packed : ndarray or jax.Array
        ``uint64`` ``(n_out, n_in, n_words)``.
    inputs_packed : ndarray or jax.Array
        ``uint64`` ``(n_in, n_words)`` or ``(batch, n_in, n_words)``.

    Returns
    -------
    jax.Array
        ``uint64`` counts ``(n_out,)`` or ``(batch, n_out)``.

    Raises
    ------
    TypeError
        If an operand is not a ``uint64`` array.
    ValueError
        If the ranks are wrong or ``(n_in, n_words)`` differ.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    with _x64():
        weights = _device_packed(weights_packed, "weights_packed", ndims=(3,))
        inputs = _device_packed(inputs_packed, "inputs_packed", ndims=(2, 3))
        if inputs.shape[-2:] != weights.shape[1:]:
            raise ValueError(f"inputs_packed must end in (n_in, n_words) = {weights.shape[1:]} "
                             f"to match weights_packed {weights.shape}, got shape {inputs.shape}")
        batched = inputs.ndim == 3
        counts = _mac_jit(weights, inputs if batched else inputs[None])
        return counts if batched else counts[0]


# ------------------------------------------------------------------------ sc_forward

_CYCLE_ON_DEVICE: dict[Any, Any] = {}

#: Weight bytes reduced per step of the blocked AND-popcount: a block stays in
#: cache while every batch row meets it, and no weight-sized temporary exists.
_SC_BLOCK_BYTES = 1 << 18
#: Words left out at the end of the weights' aligned body (see :func:`_sc_weight_operands`).
_SC_EDGE_WORDS = _ZERO_COPY_ALIGN // 8


def _cycle_table(length: int = 1) -> Any:
    """The shared LFSR cycle as ``uint16`` on the default device, repeated so that
    every window of ``ceil(length / 64) * 64`` states is one contiguous slice."""
    device = jax.config.jax_default_device or jax.devices()[0]
    copies = 1 + -(-(-(-length // _WORD_BITS) * _WORD_BITS) // PERIOD)
    key = (device, copies)
    if key not in _CYCLE_ON_DEVICE:
        _CYCLE_ON_DEVICE[key] = jax.device_put(_cycle_copies(copies))
    return _CYCLE_ON_DEVICE[key]


def _sc_block_rows(n_rows: int, k: int) -> int:
    """Weight rows per block: about ``_SC_BLOCK_BYTES`` of ``k``-word rows (1..n_rows)."""
    return max(1, min(n_rows, _SC_BLOCK_BYTES // max(1, 8 * k)))


def _sc_encode(thresholds: Any, offsets: Any, cycle: Any, length: int) -> Any:
    """Packed input streams ``(batch, n_in * n_words)`` (traceable, x64 on).

    Bit ``t`` of input ``i`` in batch row ``b`` is ``cycle[offsets[i] + t] <
    thresholds[b, i]`` (a threshold of 65536 exceeds every state: always 1);
    bits past ``length`` are 0.  Each input's states are one contiguous slice
    of the repeated cycle; the bits are packed into bytes, and eight bytes
    reinterpreted as a little-endian ``uint64`` word.
    """
    batch, n_in = thresholds.shape
    n_words = -(-length // _WORD_BITS)
    padded = n_words * _WORD_BITS
    states = jax.vmap(lambda start: lax.dynamic_slice_in_dim(cycle, start, padded))(offsets)
    states = states.astype(jnp.int32)                              # (n_in, padded)
    if padded != length:
        # Past the stream's end no state is below any threshold: those bits are 0.
        states = jnp.where(jnp.arange(padded) < length, states, 65536)
    bits = (states[None, :, :] < thresholds[:, :, None]).astype(jnp.uint8)
    bits = bits.reshape(batch, n_in, n_words * 8, 8)
    as_bytes = jnp.sum(bits << jnp.arange(8, dtype=jnp.uint8), axis=-1, dtype=jnp.uint8)
    words = lax.bitcast_convert_type(as_bytes.reshape(batch, n_in, n_words, 8), jnp.uint64)
    return words.reshape(batch, n_in * n_words)


def _sc_row_counts(rows: Any, x: Any, acc: Any) -> Any:
    """``counts[b, r] = sum_j popcount(rows[r, j] & x[b, j])`` in ``acc``."""
    ones = lax.population_count(jnp.bitwise_and(rows[None, :, :], x[:, None, :]))
    return jnp.sum(ones.astype(acc), axis=2, dtype=acc)


def _sc_blocked_counts(body: Any, shift: Any, k: int, first: int, stop: int, x: Any,
                       acc: Any, block_rows: int) -> Any:
    """Counts of weight rows ``first .. stop-1`` against ``x``: ``(batch, stop - first)``.

    Row ``o`` is the ``k`` words at ``body[o * k - shift:]``.  A loop takes
    ``block_rows`` rows at a time (dynamic slices that XLA reads in place), so
    the AND array is never held for more than one block.  The last block is
    moved back to end at ``stop``; rows it shares with the block before it are
    computed twice, with identical values.
    """
    n_rows = stop - first
    size = max(1, min(block_rows, n_rows))
    n_blocks = -(-n_rows // size)

    def block(b: Any, out: Any) -> Any:
        row = jnp.minimum(b * size, n_rows - size)
        start = (row + first).astype(jnp.int64) * k - shift
        rows = lax.dynamic_slice_in_dim(body, start, size * k).reshape(size, k)
        return lax.dynamic_update_slice_in_dim(out, _sc_row_counts(rows, x, acc), row, axis=1)

    zeros = jnp.zeros((x.shape[0], n_rows), dtype=acc)
    if n_blocks == 1:
        return block(0, zeros)
    return lax.fori_loop(0, n_blocks, block, zeros)


if HAS_JAX:
    @partial(jax.jit, static_argnames=("length", "n_out", "block_rows"))
    def _sc_counts_jit(body: Any, edges: Any, shift: Any, thresholds: Any, offsets: Any,
                       cycle: Any, *, length: int, n_out: int, block_rows: int) -> Any:
        """Encode every batch row on the device, then AND-popcount it with the weights.

        The weights come as in :func:`_sc_weight_operands`: ``body`` holds
        weight word ``j`` at ``body[j - shift]`` for ``shift <= j < n_out * k -
        8 + shift``; ``edges[0, 8 - shift:]`` are the words before that and
        ``edges[1, :8 - shift]`` those after it.  With no edges (``edges`` of
        shape ``(0, 8)``) ``body`` holds every word and ``shift`` is 0.
        ``offsets[i]`` is the position of input ``i``'s start state in
        ``cycle``; ``block_rows`` weight rows are reduced per loop step.
        Returns counts ``(batch, n_out)`` (``uint32`` or ``uint64``).
        """
        TRACE_COUNTS["sc_forward"] += 1
        k = offsets.shape[0] * (-(-length // _WORD_BITS))
        acc = _count_dtype(k * _WORD_BITS)
        x = _sc_encode(thresholds, offsets, cycle, length)
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
    """``(body, edges, shift)`` of ``weights`` for :func:`_sc_counts_jit`.

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
        return (_device_put_readonly(flat), np.zeros((0, _SC_EDGE_WORDS), dtype=np.uint64),
                np.int64(0))
    shift = (-address % _ZERO_COPY_ALIGN) // 8
    body = flat[shift:shift + flat.size - _SC_EDGE_WORDS]
    edges = np.zeros((2, _SC_EDGE_WORDS), dtype=np.uint64)
    edges[0, _SC_EDGE_WORDS - shift:] = flat[:shift]
    edges[1, :_SC_EDGE_WORDS - shift] = flat[flat.size - _SC_EDGE_WORDS + shift:]
    return body, edges, np.int64(shift)


def _jax_forward(args: ForwardArgs) -> np.ndarray:
    """``sc_forward`` kernel on validated arguments: ``float64`` ``(batch, n_out)``."""
    _, position = lfsr_tables()
    n_out, n_in, n_words = args.weights.shape
    batch = args.probs.shape[0]
    if n_out == 0 or n_in == 0 or batch == 0:
        return counts_to_rates(np.zeros((batch, n_out), dtype=np.uint64), args.length)
    thresholds = quantize(args.probs).astype(np.int32)           # (batch, n_in), <= 65536
    offsets = position[start_states(n_in, args.seed)].astype(np.int32)
    with _x64():
        # NumPy operands go to the kernel as they are: on CPU, jit reads an
        # aligned host array in place, faster than an explicit device_put.
        body, edges, shift = _sc_weight_operands(args.weights)
        counts = _sc_counts_jit(body, edges, shift, thresholds, offsets,
                                _cycle_table(args.length), length=args.length, n_out=n_out,
                                block_rows=_sc_block_rows(n_out, n_in * n_words))
        counts = np.asarray(jax.device_get(counts))
    return counts_to_rates(counts, args.length)


class JaxBackend(Backend):
    """``sc_forward`` on JAX/XLA, bit-identical to the NumPy reference."""

    name = "jax"
    extra = "jax"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """``None`` when JAX imports, else why not and how to install it."""
        if HAS_JAX:
            return None
        return f"JAX is not installed ({_IMPORT_ERROR}); {INSTALL_HINT}"

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        _require_jax()
        return _jax_forward(args)


# ------------------------------------------------------------------------- LIF dynamics

if HAS_JAX:
    @jax.jit
    def _lif_step_jit(v: Any, I_t: Any, noise: Any, v_rest: Any, v_reset: Any,
                      v_threshold: Any, alpha: Any, resistance: Any) -> tuple[Any, Any]:
        TRACE_COUNTS["lif_step"] += 1
        v_new = v + (v_rest - v) * alpha + I_t * resistance + noise
        spike = v_new >= v_threshold
        return jnp.where(spike, v_reset, v_new), spike.astype(jnp.uint8)


def jax_lif_step(v: object, I_t: object, v_rest: float = 0.0, v_reset: float = 0.0,
                 v_threshold: float = 1.0, alpha: float = 0.1, resistance: float = 1.0,
                 noise: object = 0.0) -> tuple[Any, Any]:
    """One LIF step on the device (DESIGN §5).

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
    (jax.Array, jax.Array)
        New potentials (float32 when every floating input is float32, else
        float64) and spikes (``uint8`` 0/1), shaped like ``v``.

    Raises
    ------
    TypeError, ValueError
        As :func:`sc_neurocore.accel.lif.validate_lif_step`: non-real or
        non-finite values, ``alpha <= 0``, shapes that do not broadcast to ``v``.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    dtype = _float_dtype(v, I_t, noise)
    v_c, I_c, v_rest, v_reset, v_threshold, alpha, resistance, noise_c = validate_lif_step(
        v, I_t, v_rest, v_reset, v_threshold, alpha, resistance, noise)
    with _x64():
        scalars = [jnp.asarray(s, dtype) for s in (v_rest, v_reset, v_threshold, alpha,
                                                   resistance)]
        return _lif_step_jit(_on_device(v, v_c, dtype), _on_device(I_t, I_c, dtype),
                             _on_device(noise, noise_c, dtype), *scalars)


def _spike_hard(d: Any) -> Any:
    """Heaviside ``H(d)`` with ``H(0) = 1``, in ``d``'s dtype."""
    return (d >= 0).astype(d.dtype)


def _run_layers(weights: Sequence[Any], x: Any, n_steps: int, v_rest: Any, v_reset: Any,
                v_threshold: Any, alpha: Any, spike: Callable[[Any], Any],
                unroll: bool = False) -> tuple[list[Any], Any]:
    """The layered LIF dynamics of DESIGN §5, traceable.

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
        new_vs, spikes = [], []
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
    def _forward_pass_jit(weights: list[Any], x: Any, v_rest: Any, v_reset: Any,
                          v_threshold: Any, alpha: Any, *, n_steps: int) -> tuple[list[Any], Any]:
        TRACE_COUNTS["forward_pass"] += 1
        return _run_layers(weights, x, n_steps, v_rest, v_reset, v_threshold, alpha,
                           _spike_hard)


def _device_network(weights: object, x: object, checked_w: list[np.ndarray],
                    checked_x: np.ndarray, dtype: np.dtype) -> tuple[list[Any], Any]:
    """Validated weights and input on the device in the compute dtype."""
    originals = list(weights)  # type: ignore[arg-type]
    return ([_on_device(o, c, dtype) for o, c in zip(originals, checked_w)],
            _on_device(x, checked_x, dtype))


def jax_forward_pass(weights: Sequence[object], x: object, n_steps: int, v_rest: float = 0.0,
                     v_reset: float = 0.0, v_threshold: float = 1.0,
                     alpha: float = 0.9) -> tuple[list[Any], Any]:
    """Layered LIF forward pass on the device (DESIGN §5), time in one ``lax.scan``.

    Per step ``t`` and layer ``k`` (``s_prev``: layer ``k - 1``'s spikes at
    this step, or the input for layer 0)::

        s = H(v - v_threshold)                    # the spike emitted last step
        v = v_rest + alpha * ((1 - s) * v + s * v_reset - v_rest) + s_prev @ W.T
        spikes[k][t] = H(v - v_threshold)

    with ``v`` starting at ``v_rest`` and ``H(0) = 1``.  Compiled once per
    shape, dtype and ``n_steps``; compile time does not grow with ``n_steps``.

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; consecutive layers must chain.
    x : array_like
        ``(batch, n_in)`` (the same input every step) or time-major
        ``(n_steps, batch, n_in)``.
    n_steps : int
        Time steps (>= 1).
    v_rest, v_reset, v_threshold : float
        Resting, reset and threshold potentials.
    alpha : float
        Leak factor (> 0).

    Returns
    -------
    (list of jax.Array, jax.Array)
        Spike trains per layer, each ``(n_steps, batch, n_out)`` (0.0/1.0), and
        the last layer's final potentials ``(batch, n_out)``; float32 when
        every floating input is float32, else float64.

    Raises
    ------
    TypeError, ValueError
        As :func:`sc_neurocore.accel.lif.validate_forward_pass`.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    dtype = _float_dtype(x, *(weights if isinstance(weights, (list, tuple)) else ()))
    w_c, x_c, n_steps, v_rest, v_reset, v_threshold, alpha = validate_forward_pass(
        weights, x, n_steps, v_rest, v_reset, v_threshold, alpha)
    with _x64():
        w_d, x_d = _device_network(weights, x, w_c, x_c, dtype)
        scalars = [jnp.asarray(s, dtype) for s in (v_rest, v_reset, v_threshold, alpha)]
        return _forward_pass_jit(w_d, x_d, *scalars, n_steps=n_steps)


# ------------------------------------------------------------------- surrogate training

if HAS_JAX:
    @jax.custom_vjp
    def _spike_fast_sigmoid(d: Any, beta: Any) -> Any:
        """Hard spike ``H(d)`` forward; fast-sigmoid derivative backward."""
        return _spike_hard(d)

    def _spike_fast_sigmoid_fwd(d: Any, beta: Any) -> tuple[Any, tuple[Any, Any]]:
        return _spike_hard(d), (d, beta)

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
    return _spike_hard(d) + (soft - lax.stop_gradient(soft))


def _spike_for(path: str, beta: Any) -> Callable[[Any], Any]:
    if path == "custom_vjp":
        return lambda d: _spike_fast_sigmoid(d, beta)
    return lambda d: _spike_straight_through(d, beta)


def _surrogate_loss(weights: list[Any], x: Any, targets: Any, threshold: Any, alpha: Any,
                    beta: Any, n_steps: int, path: str, unroll: bool = False) -> Any:
    """Cross-entropy of the last layer's mean firing rates (used as logits)."""
    zero = jnp.zeros((), x.dtype)
    trains, _ = _run_layers(weights, x, n_steps, zero, zero, threshold, alpha,
                            _spike_for(path, beta), unroll=unroll)
    rates = jnp.mean(trains[-1], axis=0)                     # (batch, n_classes)
    log_p = jax.nn.log_softmax(rates, axis=-1)
    picked = jnp.take_along_axis(log_p, targets[:, None], axis=-1)
    return -jnp.mean(picked)


def _surrogate_step(weights: list[Any], x: Any, targets: Any, lr: Any, beta: Any,
                    threshold: Any, alpha: Any, n_steps: int, path: str,
                    unroll: bool = False) -> tuple[list[Any], Any]:
    loss, grads = jax.value_and_grad(_surrogate_loss)(weights, x, targets, threshold, alpha,
                                                      beta, n_steps, path, unroll)
    return [w - lr * g for w, g in zip(weights, grads)], loss


if HAS_JAX:
    @partial(jax.jit, static_argnames=("n_steps", "path"))
    def _surrogate_loss_jit(weights: list[Any], x: Any, targets: Any, threshold: Any,
                            alpha: Any, beta: Any, *, n_steps: int, path: str) -> Any:
        TRACE_COUNTS["surrogate_loss"] += 1
        return _surrogate_loss(weights, x, targets, threshold, alpha, beta, n_steps, path)

    @partial(jax.jit, static_argnames=("n_steps", "path"))
    def _surrogate_step_jit(weights: list[Any], x: Any, targets: Any, lr: Any, beta: Any,
                            threshold: Any, alpha: Any, *, n_steps: int,
                            path: str) -> tuple[list[Any], Any]:
        TRACE_COUNTS["surrogate_step"] += 1
        return _surrogate_step(weights, x, targets, lr, beta, threshold, alpha, n_steps, path)


def _check_path(surrogate_path: object) -> str:
    if not isinstance(surrogate_path, str) or surrogate_path not in JAX_SURROGATE_PATHS:
        raise ValueError(f"surrogate_path must be one of {JAX_SURROGATE_PATHS}, "
                         f"got {surrogate_path!r}")
    return surrogate_path


def _check_targets(targets: object, batch: int, n_classes: int) -> np.ndarray:
    """Class labels: integers ``(batch,)`` in ``[0, n_classes)``, as ``int32``."""
    arr = np.asarray(targets)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"targets must hold integer class labels, got dtype {arr.dtype}")
    if arr.shape != (batch,):
        raise ValueError(f"targets must have shape (batch,) = ({batch},) to match x, "
                         f"got shape {arr.shape}")
    outside = (arr < 0) | (arr >= n_classes)
    if outside.any():
        bad = int(np.argwhere(outside)[0][0])
        raise ValueError(f"targets must be class labels in [0, {n_classes}), "
                         f"got {arr[bad]} at index {bad}")
    return arr.astype(np.int32)


def _prepare_training(weights: object, x: object, targets: object, n_steps: object,
                      beta: object, threshold: object, alpha: object,
                      surrogate_path: object) -> tuple:
    """Validate the shared training arguments; returns host-checked values."""
    path = _check_path(surrogate_path)
    threshold = check_finite_scalar(threshold, "threshold")
    w_c, x_c, n_steps, _, _, threshold, alpha = validate_forward_pass(
        weights, x, n_steps, 0.0, 0.0, threshold, alpha)
    beta = check_positive(beta, "beta")
    y_c = _check_targets(targets, x_c.shape[-2], w_c[-1].shape[0])
    dtype = _float_dtype(x, *weights)  # type: ignore[misc]
    return w_c, x_c, y_c, n_steps, beta, threshold, alpha, path, dtype


def jax_surrogate_loss(weights: Sequence[object], x: object, targets: object, n_steps: int = 25,
                       beta: float = 10.0, threshold: float = 1.0,
                       surrogate_path: str = "custom_vjp", alpha: float = 0.9) -> Any:
    """Surrogate-training loss: cross-entropy on the last layer's mean firing rate.

    The network runs the dynamics of :func:`jax_forward_pass` with
    ``v_rest = v_reset = 0`` and ``v_threshold = threshold`` (hard spikes
    forward); the per-class mean firing rates over ``n_steps`` are the logits
    of a softmax cross-entropy, averaged over the batch.

    Parameters
    ----------
    weights : list or tuple of array_like
        Per layer ``(n_out, n_in)``; the last layer has one neuron per class.
    x : array_like
        ``(batch, n_in)`` constant input or time-major ``(n_steps, batch, n_in)``.
    targets : array_like of int
        Class labels ``(batch,)`` in ``[0, n_classes)``.
    n_steps : int, default 25
        Time steps (>= 1).
    beta : float, default 10.0
        Surrogate sharpness (> 0); used by the backward pass only.
    threshold : float, default 1.0
        Firing threshold.
    surrogate_path : str, default "custom_vjp"
        One of :data:`JAX_SURROGATE_PATHS`; the forward value is the same for both.
    alpha : float, default 0.9
        Leak factor (> 0).

    Returns
    -------
    jax.Array
        0-D loss (float32 when every floating input is float32, else float64).

    Raises
    ------
    TypeError, ValueError
        Non-finite values, empty or mismatched shapes, labels out of range,
        non-positive ``n_steps``/``beta``/``alpha``, unknown ``surrogate_path``.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    w_c, x_c, y_c, n_steps, beta, threshold, alpha, path, dtype = _prepare_training(
        weights, x, targets, n_steps, beta, threshold, alpha, surrogate_path)
    with _x64():
        w_d, x_d = _device_network(weights, x, w_c, x_c, dtype)
        return _surrogate_loss_jit(w_d, x_d, jnp.asarray(y_c), jnp.asarray(threshold, dtype),
                                   jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype),
                                   n_steps=n_steps, path=path)


def jax_surrogate_gradient_step(weights: Sequence[object], x: object, targets: object,
                                n_steps: int = 25, lr: float = 1e-3, beta: float = 10.0,
                                threshold: float = 1.0, surrogate_path: str = "custom_vjp",
                                alpha: float = 0.9) -> tuple[list[Any], Any]:
    """One plain gradient-descent step of surrogate-gradient training.

    ``new_w = w - lr * d loss / d w`` with the loss of :func:`jax_surrogate_loss`.
    Spikes are hard (Heaviside) forward.  Backward, ``"custom_vjp"`` uses the
    fast-sigmoid derivative ``1 / (1 + beta * |v - threshold|)^2`` as a
    custom VJP rule; ``"legacy_stop_gradient"`` is the straight-through variant:
    the spike is ``H(d) + (f(d) - stop_gradient(f(d)))`` with the fast sigmoid
    ``f(d) = d / (1 + beta * |d|)``, ``d = v - threshold``, so autodiff reaches
    the same derivative (up to rounding) without a custom rule.  The gradient
    flows through the membrane recurrence and the reset term.

    Jit-compiled once per shapes/dtypes, ``n_steps`` and ``surrogate_path``:
    ``lr``, ``beta``, ``threshold`` and ``alpha`` are traced values, so changing
    them never retraces.

    Parameters
    ----------
    weights, x, targets, n_steps, beta, threshold, surrogate_path, alpha
        As in :func:`jax_surrogate_loss`.
    lr : float, default 1e-3
        Learning rate (> 0).

    Returns
    -------
    (list of jax.Array, jax.Array)
        The updated weights (same dtype as computed) and the loss *before* the
        update.

    Raises
    ------
    TypeError, ValueError
        As :func:`jax_surrogate_loss`, plus ``lr <= 0``.
    RuntimeError
        If JAX is not installed.
    """
    _require_jax()
    w_c, x_c, y_c, n_steps, beta, threshold, alpha, path, dtype = _prepare_training(
        weights, x, targets, n_steps, beta, threshold, alpha, surrogate_path)
    lr = check_positive(lr, "lr")
    with _x64():
        w_d, x_d = _device_network(weights, x, w_c, x_c, dtype)
        params = [jnp.asarray(s, dtype) for s in (lr, beta, threshold, alpha)]
        return _surrogate_step_jit(w_d, x_d, jnp.asarray(y_c), *params, n_steps=n_steps,
                                   path=path)


# --------------------------------------------------------------------------- benchmarks

def _median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` (which must block until its work is done)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _row(name: str, median_s: float, baseline_name: str | None,
         baseline_median_s: float | None, note: str) -> dict:
    ratio = (baseline_median_s / median_s) if baseline_median_s and median_s > 0 else None
    return {"name": name, "median_s": median_s, "baseline_name": baseline_name,
            "baseline_median_s": baseline_median_s, "ratio": ratio, "note": note}


def bench_extras(quick: bool, progress: Callable[[str], None]) -> list[dict]:
    """JAX-specific timings for ``python -m sc_neurocore.accel bench``.

    On a 784-256-10 network, batch 128, 25 steps, float32:

    (a) :func:`jax_forward_pass`: compile time and steady-state time of the
    ``lax.scan`` kernel against a ``jit`` of the same math with time unrolled
    in a Python loop, plus the public call (validation and transfer included)
    against the NumPy reference loop :func:`~sc_neurocore.accel.lif.forward_pass_numpy`.

    (b) One :func:`jax_surrogate_gradient_step` (``custom_vjp``): compile time
    and steady-state time of the kernel against the unrolled-loop ``jit`` of
    the same step, plus the public call against the ``legacy_stop_gradient``
    path's public call.

    Compile times are ``jax.jit(fresh_function).lower(...).compile()`` (trace,
    lower and XLA compile) of a new function each repeat, so no cache is hit;
    a throw-away compile first takes one-off start-up costs out of the figures.

    Parameters
    ----------
    quick : bool
        Fewer repeats.
    progress : callable
        Receives one-line progress messages.

    Returns
    -------
    list of dict
        Rows with keys ``name``, ``median_s``, ``baseline_name``,
        ``baseline_median_s``, ``ratio`` (baseline / median: > 1 means this is
        faster) and ``note``.  Empty when JAX is not installed.
    """
    if not HAS_JAX:
        progress(f"jax extras skipped: JAX is not installed ({INSTALL_HINT})")
        return []
    from .lif import forward_pass_numpy

    compile_repeats, run_repeats = (2, 5) if quick else (5, 20)
    sizes, batch, n_steps = (784, 256, 10), 128, 25
    rng = np.random.default_rng(7)
    weights = [(rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32)
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    x = (rng.random((batch, sizes[0])) < 0.2).astype(np.float32)
    targets = rng.integers(0, sizes[-1], size=batch)
    shape = "784-256-10, batch 128, 25 steps, float32"
    rows: list[dict] = []

    def fresh_forward(unroll: bool) -> Callable[..., Any]:
        def forward(ws: list[Any], xs: Any, v_rest: Any, v_reset: Any, thr: Any,
                    alpha: Any) -> tuple[list[Any], Any]:
            return _run_layers(ws, xs, n_steps, v_rest, v_reset, thr, alpha, _spike_hard,
                               unroll=unroll)
        return jax.jit(forward)

    def fresh_step(unroll: bool) -> Callable[..., Any]:
        def step(ws: list[Any], xs: Any, ys: Any, lr: Any, beta: Any, thr: Any,
                 alpha: Any) -> tuple[list[Any], Any]:
            return _surrogate_step(ws, xs, ys, lr, beta, thr, alpha, n_steps, "custom_vjp",
                                   unroll=unroll)
        return jax.jit(step)

    def compile_time(make: Callable[[bool], Callable[..., Any]], unroll: bool,
                     args: tuple) -> tuple[float, Any]:
        compiled = None

        def once() -> None:
            nonlocal compiled
            compiled = make(unroll).lower(*args).compile()
        return _median_time(once, compile_repeats), compiled

    def steady(fn: Callable[[], Any]) -> float:
        jax.block_until_ready(fn())  # warm-up (and compile, for public calls)
        return _median_time(lambda: jax.block_until_ready(fn()), run_repeats)

    with _x64():
        w_d = [jnp.asarray(w) for w in weights]
        x_d = jnp.asarray(x)
        y_d = jnp.asarray(targets.astype(np.int32))
        fwd_args = (w_d, x_d, *[jnp.asarray(v, np.float32) for v in (0.0, 0.0, 1.0, 0.9)])
        step_args = (w_d, x_d, y_d, *[jnp.asarray(v, np.float32) for v in (1e-3, 10.0, 1.0, 0.9)])
        fresh_forward(False).lower(*fwd_args).compile()  # one-off start-up costs

        progress(f"jax extras: jax_forward_pass compile, scan vs unrolled ({shape})")
        scan_compile, scan_fn = compile_time(fresh_forward, False, fwd_args)
        unrolled_compile, unrolled_fn = compile_time(fresh_forward, True, fwd_args)
        rows.append(_row("jax_forward_pass compile (lax.scan)", scan_compile,
                         "jit of Python-unrolled time loop, compile", unrolled_compile,
                         f"{shape}; trace + lower + XLA compile"))
        progress("jax extras: jax_forward_pass steady state")
        rows.append(_row("jax_forward_pass kernel (lax.scan)",
                         steady(lambda: scan_fn(*fwd_args)),
                         "jit of Python-unrolled time loop", steady(lambda: unrolled_fn(*fwd_args)),
                         f"{shape}; compiled kernels, data already on the device"))

    rows.append(_row("jax_forward_pass public call",
                     steady(lambda: jax_forward_pass(weights, x, n_steps)),
                     "forward_pass_numpy (NumPy loop, float64)",
                     _median_time(lambda: forward_pass_numpy(weights, x, n_steps),
                                  max(2, run_repeats // 4)),
                     f"{shape}; includes validation and host-to-device transfer"))

    with _x64():
        progress("jax extras: jax_surrogate_gradient_step compile, scan vs unrolled")
        step_compile, step_fn = compile_time(fresh_step, False, step_args)
        unrolled_step_compile, unrolled_step = compile_time(fresh_step, True, step_args)
        rows.append(_row("jax_surrogate_gradient_step compile (lax.scan)", step_compile,
                         "jit of Python-unrolled time loop, compile", unrolled_step_compile,
                         f"{shape}; custom_vjp; trace + lower + XLA compile"))
        progress("jax extras: jax_surrogate_gradient_step steady state")
        rows.append(_row("jax_surrogate_gradient_step kernel (lax.scan)",
                         steady(lambda: step_fn(*step_args)),
                         "jit of Python-unrolled time loop",
                         steady(lambda: unrolled_step(*step_args)),
                         f"{shape}; custom_vjp; compiled kernels, data already on the device"))

    def public_step(path: str) -> Callable[[], Any]:
        return lambda: jax_surrogate_gradient_step(weights, x, targets, n_steps,
                                                   surrogate_path=path)

    rows.append(_row("jax_surrogate_gradient_step public call (custom_vjp)",
                     steady(public_step("custom_vjp")),
                     "jax_surrogate_gradient_step public call (legacy_stop_gradient)",
                     steady(public_step("legacy_stop_gradient")),
                     f"{shape}; includes validation and host-to-device transfer"))
    return rows
