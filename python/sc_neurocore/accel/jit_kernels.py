"""Numba-compiled SC kernels and the ``numba`` backend (DESIGN §3, §4, §7).

The kernels use the hardware population count (LLVM ``ctpop``, which becomes
``popcnt`` or a vector ``vpopcntq`` on the host CPU), run their outer loops in
parallel (``prange``) and cache the compiled machine code on disk
(``cache=True``), so a second process loads it instead of recompiling.

Public functions validate their arguments once, in Python, with the shared
helpers of ``sc_neurocore.accel._validation``, before any compiled code
runs; compiled code never sees an unchecked shape or dtype.

When Numba is not installed the module still imports and the same public
functions run NumPy implementations with identical results; the first direct
call of [`jit_pack_bits`][sc_neurocore.accel.jit_kernels.jit_pack_bits] or
[`jit_vec_mac`][sc_neurocore.accel.jit_kernels.jit_vec_mac] warns once
(``RuntimeWarning``, pointing at the caller's line), and
[`NumbaBackend`][sc_neurocore.accel.jit_kernels.NumbaBackend] reports itself
unavailable (probing never warns).

Threads: Numba picks its threading layer itself (``tbb``, ``omp`` or
``workqueue``).  With the OpenMP layer on a machine whose cores are already
busy (more runnable threads than cores), OpenMP's default spin-waiting makes
these short kernels many times slower; set ``OMP_WAIT_POLICY=passive`` or
``NUMBA_THREADING_LAYER=workqueue`` (or ``NUMBA_NUM_THREADS``) there.  This
module does not change either setting: both are process-wide.
"""

from __future__ import annotations


import numpy as np

from ._packing import pack_rows
from ._validation import ForwardArgs, InputTypeError, as_bits, as_packed
from ._warnings import warn_at_caller
from .backend import KernelBackend
from .lfsr import PERIOD, _cycle_copies, lfsr_tables, quantize, start_states
from .sc_inference import counts_to_rates, forward_counts_numpy, forward_numpy

__all__ = ["HAS_NUMBA", "NUMBA_IMPORT_ERROR", "jit_pack_bits", "jit_vec_mac", "NumbaBackend"]

try:
    import numba
    from numba import njit, prange, types
    from numba.extending import intrinsic
except Exception as _exc:  # ImportError, or a broken install that fails on import
    _numba_error: str | None = f"{type(_exc).__name__}: {_exc}"
else:
    _numba_error = None

HAS_NUMBA: bool = _numba_error is None
"""Whether Numba imported (without it the kernels run on NumPy, with the same results)."""
NUMBA_IMPORT_ERROR: str | None = _numba_error
"""Why Numba failed to import (``"ImportError: ..."``), or ``None``."""

_fallback_warned = False


def _warn_fallback_once() -> None:
    """Warn once per process, at the user's call site, that the kernels run on NumPy."""
    global _fallback_warned
    if HAS_NUMBA or _fallback_warned:
        return
    _fallback_warned = True
    warn_at_caller(
        f"numba is not installed (or failed to import: {NUMBA_IMPORT_ERROR}); "
        "sc_neurocore.accel.jit_kernels runs its kernels on NumPy. "
        "Install it with: pip install 'sc-neurocore[numba]'", RuntimeWarning)


# --------------------------------------------------------------------------------------
# Compiled kernels (defined only when Numba imported)
# --------------------------------------------------------------------------------------

if HAS_NUMBA:

    @intrinsic
    def _popcount64(typingctx, word):
        """Hardware population count of a 64-bit integer (LLVM ``llvm.ctpop.i64``).

        Returns an ``int64`` so that sums stay in signed integer arithmetic
        (mixing ``uint64`` and ``int64`` in Numba promotes to ``float64``).
        """
        if not isinstance(word, types.Integer) or word.bitwidth != 64:
            return None
        sig = types.int64(word)

        def codegen(context, builder, signature, args):
            return builder.ctpop(args[0])

        return sig, codegen

    @njit(parallel=True, cache=True, nogil=True)
    def _pack_kernel(bits, out):
        """``out[w]`` = bits ``64w .. 64w+63`` of ``bits``, least-significant first."""
        for w in prange(out.shape[0]):
            base = w * 64
            word = np.uint64(0)
            for q in range(64):
                word |= np.uint64(bits[base + q]) << np.uint64(q)
            out[w] = word

    # Serial helpers, called from inside the parallel loops below.  Parallel
    # kernels are only ever called from Python: a cached non-parallel function
    # that calls a parallel one can crash when loaded from the cache
    # (numba issue #8578).

    @njit(cache=True, nogil=True)
    def _and_popcount(a, b):
        """``sum_j popcount(a[j] & b[j])`` over two equally long 1-D word arrays."""
        total = 0
        for j in range(a.shape[0]):
            total += _popcount64(a[j] & b[j])
        return total

    @njit(cache=True, nogil=True)
    def _encode_word(states, x, n_bits):
        """One packed word: bit ``q`` is ``states[q] < x`` for ``q < n_bits``, else 0."""
        word = np.uint64(0)
        for q in range(n_bits):
            if states[q] < x:
                word |= np.uint64(1) << np.uint64(q)
        return word

    @njit(parallel=True, cache=True, nogil=True)
    def _mac_rows_kernel(weights2, inputs1, out):
        """``out[o] = sum_j popcount(weights2[o, j] & inputs1[j])``.

        The (in, word) axes are flattened into one contiguous row, so the inner
        loop is a single streaming reduction that LLVM vectorises.
        """
        for o in prange(weights2.shape[0]):
            out[o] = _and_popcount(weights2[o], inputs1)

    @njit(parallel=True, cache=True, nogil=True)
    def _sc_forward_kernel(weights, cycle, start, thresh, length):
        """Fused SC forward pass: encode the inputs packed, then AND + popcount.

        Bit ``t`` of input ``i`` in batch row ``b`` is ``cycle[start[i] + t] <
        thresh[b, i]``; ``cycle`` is the LFSR cycle repeated so that every
        window of ``length`` states is contiguous (a threshold of 65536 is
        above every state: all ones).  Returns ``int64`` counts
        ``(batch, n_out)``.  Only the packed input words
        (``n_in * batch * n_words``, small) are materialised, laid out
        ``(n_in, batch, n_words)`` so that a weight row ``weights[o, i]`` meets
        every batch row's words for input ``i`` contiguously; neither unpacked
        bits nor any weight-sized product array ever exist.
        """
        n_out, n_in, n_words = weights.shape
        batch = thresh.shape[0]
        enc = np.empty((n_in, batch, n_words), dtype=np.uint64)
        for i in prange(n_in):
            for b in range(batch):
                for w in range(n_words):
                    t0 = w * 64
                    base = start[i] + t0
                    enc[i, b, w] = _encode_word(cycle[base:base + 64], thresh[b, i],
                                                min(64, length - t0))
        counts = np.empty((batch, n_out), dtype=np.int64)
        if batch == 1:
            # (n_in, 1, n_words) holds the same words as a flat (n_in * n_words,) row.
            row = n_in * n_words
            w2 = weights.reshape(n_out, row)
            x1 = enc.reshape(row)
            for o in prange(n_out):
                counts[0, o] = _and_popcount(w2[o], x1)
        else:
            for o in prange(n_out):
                for b in range(batch):
                    counts[b, o] = 0
                for i in range(n_in):
                    for b in range(batch):
                        counts[b, o] += _and_popcount(weights[o, i], enc[i, b])
        return counts


# --------------------------------------------------------------------------------------
# Argument checks specific to the in-place (output-argument) API
# --------------------------------------------------------------------------------------

def _check_output(arr: object, name: str, shape: tuple[int, ...],
                  dtypes: tuple[type, ...] | None, dtype_text: str | None = None) -> np.ndarray:
    """Check a caller-owned output array that the kernel fills in place.

    It must be a writeable, C-contiguous ``numpy.ndarray`` of the given shape
    and one of ``dtypes`` (a copy would be filled instead of the caller's
    array); ``dtypes=None`` leaves the dtype to the caller, ``dtype_text``
    describes it in messages.
    """
    names = dtype_text or " or ".join(np.dtype(d).name for d in dtypes or ())
    if not isinstance(arr, np.ndarray):
        raise InputTypeError(f"{name} must be a numpy.ndarray of dtype {names} and shape "
                             f"{shape}, got {type(arr).__name__}")
    if dtypes is not None and arr.dtype not in [np.dtype(d) for d in dtypes]:
        raise InputTypeError(f"{name} must have dtype {names}, got {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not arr.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (it is filled in place)")
    if not arr.flags.writeable:
        raise ValueError(f"{name} must be writeable (it is filled in place)")
    return arr


# --------------------------------------------------------------------------------------
# Public kernels
# --------------------------------------------------------------------------------------

def jit_pack_bits(bitstream: np.ndarray, packed_arr: np.ndarray) -> None:
    """Pack a 0/1 stream into ``uint64`` words, writing into ``packed_arr``.

    Bit ``t`` goes to word ``t // 64`` at bit position ``t % 64``
    (least-significant first), the layout of DESIGN §3.

    Parameters
    ----------
    bitstream : ndarray
        1-D ``(N,)`` stream of 0/1 values (``uint8``; other integer dtypes and
        ``bool`` are accepted and converted), ``N`` a multiple of 64.
    packed_arr : ndarray
        Output: writeable, C-contiguous ``uint64`` array of shape ``(N // 64,)``.

    Raises
    ------
    ValueError
        If ``bitstream`` is not 1-D, its length is not a multiple of 64, a value
        is not 0 or 1, or ``packed_arr`` has the wrong shape or is not a
        writeable C-contiguous array;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if
        ``bitstream`` does not hold integers or booleans, or ``packed_arr`` is
        not a ``uint64`` ndarray.
    """
    _warn_fallback_once()
    bits = as_bits(bitstream, "bitstream")
    if bits.ndim != 1:
        raise ValueError(f"bitstream must be 1-D (N,), got shape {bits.shape}")
    n_bits = bits.shape[0]
    if n_bits % 64:
        raise ValueError(f"bitstream length must be a multiple of 64, got {n_bits}")
    out = _check_output(packed_arr, "packed_arr", (n_bits // 64,), (np.uint64,))
    if HAS_NUMBA:
        _pack_kernel(bits, out)
    else:
        out[...] = pack_rows(bits)


def _exact_count_limit(dtype: np.dtype) -> int | None:
    """The largest count ``dtype`` holds exactly (and every smaller one), or None."""
    if dtype.kind in "iu":
        return int(np.iinfo(dtype).max)
    if dtype.kind == "f":
        return 1 << (int(np.finfo(dtype).nmant) + 1)
    return None


def jit_vec_mac(packed_weights: np.ndarray, packed_inputs: np.ndarray,
                outputs: np.ndarray) -> None:
    """Fused AND + popcount + sum, writing into ``outputs``.

    ``outputs[i] = sum over j, k of popcount(packed_weights[i, j, k] & packed_inputs[j, k])``.

    Parameters
    ----------
    packed_weights : numpy.ndarray
        ``uint64`` ``(n_out, n_in, n_words)``.
    packed_inputs : numpy.ndarray
        ``uint64`` ``(n_in, n_words)``.
    outputs : numpy.ndarray
        Output: writeable, C-contiguous array of shape ``(n_out,)`` of any
        integer or floating dtype that holds every possible count
        (up to ``n_in * n_words * 64``) exactly: ``int64``/``uint64`` always,
        ``float64`` up to ``2**53``, ``float32`` up to ``2**24``, ``int32``
        up to ``2**31 - 1``.

    Raises
    ------
    ValueError
        If the ranks or shapes do not match, ``outputs`` is not a writeable
        C-contiguous array, or its dtype cannot hold the counts exactly;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an argument
        is not an ndarray or has a dtype of the wrong kind.
    """
    _warn_fallback_once()
    weights = as_packed(packed_weights, "packed_weights", ndims=(3,))
    inputs = as_packed(packed_inputs, "packed_inputs", ndims=(2,))
    n_out, n_in, n_words = weights.shape
    if inputs.shape != (n_in, n_words):
        raise ValueError(f"packed_inputs must have shape (n_in, n_words) = {(n_in, n_words)} "
                         f"to match packed_weights {weights.shape}, got {inputs.shape}")
    kinds = "an integer or floating dtype"
    out = _check_output(outputs, "outputs", (n_out,), None, kinds)
    limit = _exact_count_limit(out.dtype)
    if limit is None:
        raise InputTypeError(f"outputs must have {kinds}, got {out.dtype}")
    most = n_in * n_words * 64
    if most > limit:
        raise ValueError(f"outputs of dtype {out.dtype} cannot hold every count of these "
                         f"operands exactly (up to {most}; it is exact only up to {limit}): "
                         "use int64, uint64 or float64")
    direct = out.dtype in (np.dtype(np.int64), np.dtype(np.uint64))
    target = out if direct else np.empty(n_out, dtype=np.int64)
    if HAS_NUMBA:
        row = n_in * n_words
        _mac_rows_kernel(weights.reshape(n_out, row), inputs.reshape(row), target)
    else:
        target[...] = forward_counts_numpy(weights, inputs[None])[0]
    if not direct:
        out[...] = target


def _encoder_operands(args: ForwardArgs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(cycle, start, thresh)`` for the compiled encoder.

    ``cycle``: the LFSR cycle repeated (``uint16``) so every window is a slice;
    ``start[i]``: position of input ``i``'s seed state in that cycle;
    ``thresh[b, i]``: quantised probability ``x`` in ``[0, 65536]``.
    """
    _, pos = lfsr_tables()
    n_in = args.probs.shape[1]
    start = np.ascontiguousarray(pos[start_states(n_in, args.seed)])
    cycle = _cycle_copies(1 + -(-args.length // PERIOD))
    thresh = np.ascontiguousarray(quantize(args.probs))
    return cycle, start, thresh


class NumbaBackend(KernelBackend):
    """SC forward pass compiled by Numba: encode, AND and popcount in one kernel.

    Bit-identical to [`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy].
    """

    name = "numba"
    extra = "numba"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if not HAS_NUMBA:
            return f"numba is not installed ({NUMBA_IMPORT_ERROR})"
        return None

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        if not HAS_NUMBA:
            return forward_numpy(args)
        cycle, start, thresh = _encoder_operands(args)
        counts = _sc_forward_kernel(args.weights, cycle, start, thresh, args.length)
        return counts_to_rates(counts, args.length)
