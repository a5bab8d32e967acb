"""Numba-compiled SC kernels and the ``numba`` backend ([design: forward pass][forward-pass], [design: vector operations][vector-operations]).

The kernels use the hardware population count (LLVM ``ctpop``, which becomes
``popcnt`` or a vector ``vpopcntq`` on the host CPU) and cache the compiled
machine code on disk (``cache=True``), so a second process loads it instead of
recompiling.

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

Threads: each kernel splits its work into small chunks (a few rows or inputs)
that threads claim one at a time with atomic counters (each thread first from
its own contiguous share, then from the others'), and runs on the
calling thread plus helper threads of ``sc_neurocore.accel._workshare``
(compiled code releases the GIL).  Helpers wait passively and the caller never
waits for a helper that has not started, so a kernel keeps most of its speed
when other processes keep every core busy, instead of stalling on a static
share held by one descheduled thread, as ``prange`` under an OpenMP layer
does.  The thread count is the process-wide setting of
``set_backend_threads`` (``sc_neurocore.accel._threads``; before any,
``NUMBA_NUM_THREADS``) capped by the CPUs in the process's affinity mask, the
same for calls from every thread; Numba's own threading layer (and its
per-thread ``numba.set_num_threads``) is not used by these kernels.

Interrupts: the calling thread returns from compiled code to Python every
few milliseconds of work (a *slice* of chunks), so a pending Ctrl-C raises
``KeyboardInterrupt`` promptly; the helpers then take no further chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from ._install import install_hint
from ._packing import pack_rows
from ._threads import numba_threads
from ._validation import ForwardArgs, InputTypeError, as_bits, as_packed
from ._warnings import warn_at_caller
from ._workshare import run_shared
from .backend import KernelBackend
from .lfsr import PERIOD, _cycle_copies, lfsr_tables, quantize, start_states
from .sc_inference import counts_to_rates, forward_counts_numpy, forward_numpy

__all__ = ["HAS_NUMBA", "NUMBA_IMPORT_ERROR", "jit_pack_bits", "jit_vec_mac", "NumbaBackend"]

try:
    from numba import njit, types
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

# Array types of the compiled kernels' arguments.  Numba itself is untyped (Any
# to mypy, so a decorated kernel is Any to its callers): these annotations
# type-check the kernel bodies and say what the kernels are called with;
# Numba compiles from the runtime types and never reads them.
_I64 = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]
_U16 = npt.NDArray[np.uint16]
_U8 = npt.NDArray[np.uint8]
# What an ``@intrinsic`` typing function returns: the signature and its code
# generator, or None when the argument types do not match.
_Intrinsic = tuple[Any, Callable[[Any, Any, Any, Any], Any]] | None
_Kernel = TypeVar("_Kernel", bound=Callable[..., Any])


def _warn_fallback_once() -> None:
    """Warn once per process, at the user's call site, that the kernels run on NumPy."""
    global _fallback_warned
    if HAS_NUMBA or _fallback_warned:
        return
    _fallback_warned = True
    warn_at_caller(
        f"numba is not installed (or failed to import: {NUMBA_IMPORT_ERROR}); "
        "sc_neurocore.accel.jit_kernels runs its kernels on NumPy. "
        f"To install Numba: {install_hint('numba')}", RuntimeWarning)


# --------------------------------------------------------------------------------------
# Compiled kernels (defined only when Numba imported)
# --------------------------------------------------------------------------------------

if HAS_NUMBA:

    def _kernel(fn: _Kernel) -> _Kernel:
        """``numba.njit(cache=True, nogil=True)``, keeping ``fn``'s signature for mypy.

        Numba is untyped (Any to mypy); the compiled dispatcher is called with
        the same arguments as ``fn``.
        """
        compiled: _Kernel = njit(cache=True, nogil=True)(fn)
        return compiled

    def _intrinsic(typing_fn: Callable[..., _Intrinsic]) -> Callable[..., Any]:
        """``numba.extending.intrinsic``, typed for mypy.

        Compiled code calls the result with the values only; Numba passes
        ``typingctx`` and the values' types to ``typing_fn``.
        """
        compiled: Callable[..., Any] = intrinsic(typing_fn)
        return compiled

    @_intrinsic
    def _popcount64(typingctx: Any, word: Any) -> _Intrinsic:
        """Hardware population count of a 64-bit integer (LLVM ``llvm.ctpop.i64``).

        Returns an ``int64`` so that sums stay in signed integer arithmetic
        (mixing ``uint64`` and ``int64`` in Numba promotes to ``float64``).
        """
        if not isinstance(word, types.Integer) or word.bitwidth != 64:
            return None
        sig = types.int64(word)

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.ctpop(args[0])

        return sig, codegen

    def _is_int64_vector(arr: Any) -> bool:
        return (isinstance(arr, types.Array) and arr.dtype == types.int64 and arr.ndim == 1
                and arr.layout == "C")

    def _slot_pointer(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        """LLVM pointer to ``args[0][args[1]]`` (an int64 vector and an index) in a codegen."""
        array = context.make_array(signature.args[0])(context, builder, args[0])
        return builder.gep(array.data, [args[1]])

    @_intrinsic
    def _fetch_add(typingctx: Any, counters: Any, index: Any) -> _Intrinsic:
        """Atomically ``counters[index] += 1`` and return the old value.

        ``counters`` is a C-contiguous 1-D ``int64`` array shared by every
        thread working on one call; LLVM's ``atomicrmw add`` gives each value
        to exactly one thread.
        """
        if not _is_int64_vector(counters) or not isinstance(index, types.Integer):
            return None
        sig = types.int64(counters, types.int64)

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            slot = _slot_pointer(context, builder, signature, args)
            one = context.get_constant(types.int64, 1)
            return builder.atomic_rmw("add", slot, one, "monotonic")

        return sig, codegen

    @_intrinsic
    def _mark_done(typingctx: Any, done: Any, index: Any) -> _Intrinsic:
        """``done[index] = 1`` as a release store: the chunk's outputs are visible first."""
        if not _is_int64_vector(done) or not isinstance(index, types.Integer):
            return None
        sig = types.void(done, types.int64)

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            slot = _slot_pointer(context, builder, signature, args)
            builder.store_atomic(context.get_constant(types.int64, 1), slot, "release", 8)
            return context.get_dummy_value()

        return sig, codegen

    @_intrinsic
    def _is_done(typingctx: Any, done: Any, index: Any) -> _Intrinsic:
        """``done[index] != 0`` as an acquire load (pairs with ``_mark_done``)."""
        if not _is_int64_vector(done) or not isinstance(index, types.Integer):
            return None
        sig = types.boolean(done, types.int64)

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            slot = _slot_pointer(context, builder, signature, args)
            value = builder.load_atomic(slot, "acquire", 8)
            return builder.icmp_signed("!=", value, context.get_constant(types.int64, 0))

        return sig, codegen

    @_kernel
    def _my_slot(claims: _I64, takeover: bool) -> int:
        """This thread's slot: 0 for the caller, 1, 2, ... for helpers as they join."""
        if takeover:
            return 0
        slot: int = (1 + _fetch_add(claims, 0)) % (claims.shape[0] - 1)
        return slot

    @_kernel
    def _next_chunk(claims: _I64, done: _I64, slot: int, takeover: bool, cursor: _I64,
                    stop: _I64) -> int:
        """The next chunk index for the thread in ``slot`` to run, or -1 when none is left.

        The chunks are split into one contiguous range per slot, each with its
        own counter ``claims[1 + s]``.  A thread first claims chunks of its own
        range (the same part of the data on every call when nobody is late,
        which keeps that part in this core's caches), then of the other ranges
        (whose threads are slow or descheduled); finally, with ``takeover``
        (the calling thread), it returns every chunk not yet marked done, which
        may be one that a descheduled helper claimed and never finished.

        ``cursor`` (``int64[2]``, zeros before the first call) keeps the
        thread's place between calls: the range it claims from, then the
        position of the take-over scan.  (A plain function with an explicit
        cursor rather than a generator: Numba cannot cache functions that call
        generators, numba/numba#8679.)

        ``stop`` (``int64[1]``): once ``stop[0]`` is set (the call was
        interrupted) no chunk is handed out any more.
        """
        if _is_done(stop, 0):
            return -1
        n_chunks = done.shape[0]
        slots = claims.shape[0] - 1
        while cursor[0] < slots:
            s = (slot + cursor[0]) % slots
            lo = s * n_chunks // slots
            hi = (s + 1) * n_chunks // slots
            c: int = lo + _fetch_add(claims, 1 + s)
            if c < hi:
                return c
            cursor[0] += 1
        if takeover:
            while cursor[1] < n_chunks:
                c = cursor[1]
                cursor[1] += 1
                if not _is_done(done, c):
                    return c
        return -1

    @_kernel
    def _and_popcount(a: _U64, b: _U64) -> int:
        """``sum_j popcount(a[j] & b[j])`` over two equally long 1-D word arrays."""
        total = 0
        for j in range(a.shape[0]):
            total += _popcount64(a[j] & b[j])
        return total

    @_kernel
    def _encode_word(states: _U16, x: int, n_bits: int) -> np.uint64:
        """One packed word: bit ``q`` is ``states[q] < x`` for ``q < n_bits``, else 0."""
        word: np.uint64 = np.uint64(0)
        for q in range(n_bits):
            if states[q] < x:
                word |= np.uint64(1) << np.uint64(q)
        return word

    # Chunked kernels.  Every thread of a call (see ``_run_region``) runs the
    # same kernel on the same ``claims`` and ``done`` arrays: chunk ``c``
    # covers items ``c * chunk ..`` and is marked done once written.  A chunk
    # may run twice (a helper and the caller taking it over), so each writes
    # every output element exactly once, from a register: both runs store the
    # same values.  Results never depend on which thread ran what.
    #
    # Each kernel runs chunks until it has done ``budget`` words of work (at
    # least one chunk) and returns whether the thread has no chunk left (True)
    # or stopped at its budget (False); called again with the same ``cursor``
    # (``int64[2, 2]``, zeros at first) it goes on where it stopped.  The
    # calling thread uses small budgets, so that it returns to Python (where a
    # Ctrl-C is raised) every few milliseconds.

    @_kernel
    def _pack_kernel(claims: _I64, done: _I64, takeover: bool, stop: _I64, cursor: _I64,
                     budget: int, bits: _U8, out: _U64, chunk: int) -> bool:
        """``out[w]`` = bits ``64w .. 64w+63`` of ``bits``, least-significant first."""
        n = out.shape[0]
        slot = _my_slot(claims, takeover)
        left = budget
        while left > 0:
            c = _next_chunk(claims, done, slot, takeover, cursor[0], stop)
            if c < 0:
                return True
            for w in range(c * chunk, min(n, (c + 1) * chunk)):
                base = w * 64
                word = np.uint64(0)
                for q in range(64):
                    word |= np.uint64(bits[base + q]) << np.uint64(q)
                out[w] = word
            _mark_done(done, c)
            left -= 8 * chunk
        return False

    @_kernel
    def _mac_rows_kernel(claims: _I64, done: _I64, takeover: bool, stop: _I64, cursor: _I64,
                         budget: int, weights2: _U64, inputs1: _U64, out: _I64,
                         chunk: int) -> bool:
        """``out[o] = sum_j popcount(weights2[o, j] & inputs1[j])``.

        The (in, word) axes are flattened into one contiguous row, so the inner
        loop is a single streaming reduction that LLVM vectorises.
        """
        n_out = weights2.shape[0]
        slot = _my_slot(claims, takeover)
        left = budget
        while left > 0:
            c = _next_chunk(claims, done, slot, takeover, cursor[0], stop)
            if c < 0:
                return True
            for o in range(c * chunk, min(n_out, (c + 1) * chunk)):
                out[o] = _and_popcount(weights2[o], inputs1)
            _mark_done(done, c)
            left -= chunk * weights2.shape[1]
        return False

    @_kernel
    def _encode_chunk(c: int, chunk: int, cycle: _U16, start: _I64, thresh: _I64, length: int,
                      enc: _U64) -> None:
        """Packed words of inputs ``c * chunk ..`` into ``enc (n_in, batch, n_words)``.

        Bit ``t`` of input ``i`` in batch row ``b`` is ``cycle[start[i] + t] <
        thresh[b, i]``; ``cycle`` is the LFSR cycle repeated so that every
        window of ``length`` states is contiguous (a threshold of 65536 is
        above every state: all ones).  The layout puts every batch row's words
        for input ``i`` next to each other, where a weight row meets them.
        """
        n_in, batch, n_words = enc.shape
        for i in range(c * chunk, min(n_in, (c + 1) * chunk)):
            for b in range(batch):
                x = thresh[b, i]
                for w in range(n_words):
                    t0 = w * 64
                    base = start[i] + t0
                    enc[i, b, w] = _encode_word(cycle[base:base + 64], x, min(64, length - t0))

    @_kernel
    def _rows_chunk(c: int, chunk: int, weights: _U64, enc: _U64, counts: _I64,
                    sums: _I64) -> None:
        """``counts[b, o] = sum_{i,w} popcount(weights[o, i, w] & enc[i, b, w])``.

        Rows ``c * chunk ..``.  One input row runs as a single streaming
        reduction over the flattened weight row; a batch reuses each weight
        segment ``weights[o, i]`` from L1 for every batch row, summing in
        ``sums`` (one slot per batch row) before storing.
        """
        n_out, n_in, n_words = weights.shape
        batch = enc.shape[1]
        for o in range(c * chunk, min(n_out, (c + 1) * chunk)):
            if batch == 1:
                # (n_in, 1, n_words) holds the same words as a flat row.
                counts[0, o] = _and_popcount(weights[o].reshape(n_in * n_words),
                                             enc.reshape(n_in * n_words))
                continue
            sums[:] = 0
            for i in range(n_in):
                for b in range(batch):
                    sums[b] += _and_popcount(weights[o, i], enc[i, b])
            for b in range(batch):
                counts[b, o] = sums[b]

    @_kernel
    def _forward_kernel(enc_claims: _I64, enc_done: _I64, row_claims: _I64, row_done: _I64,
                        takeover: bool, stop: _I64, cursor: _I64, budget: int, cycle: _U16,
                        start: _I64, thresh: _I64, length: int, enc: _U64, enc_chunk: int,
                        weights: _U64, counts: _I64, row_chunk: int) -> bool:
        """The fused forward pass: encode the inputs, then AND-popcount every row.

        Every thread first runs encoding chunks and then, because its rows need
        every input, encodes itself any chunk not yet done (so no thread ever
        waits for another), then claims row chunks; the calling thread
        (``takeover``) finally runs any row chunk not yet done.  ``cursor[0]``
        keeps the thread's place among the encoding chunks, ``cursor[1]``
        among the rows.
        """
        n_in, batch, n_words = enc.shape
        slot = _my_slot(enc_claims, takeover)
        left = budget
        while left > 0:
            c = _next_chunk(enc_claims, enc_done, slot, True, cursor[0], stop)
            if c < 0:
                break
            _encode_chunk(c, enc_chunk, cycle, start, thresh, length, enc)
            _mark_done(enc_done, c)
            left -= 8 * enc_chunk * batch * n_words
        sums = np.empty(batch, dtype=np.int64)
        while left > 0:
            c = _next_chunk(row_claims, row_done, slot, takeover, cursor[1], stop)
            if c < 0:
                return True
            _rows_chunk(c, row_chunk, weights, enc, counts, sums)
            _mark_done(row_done, c)
            left -= row_chunk * n_in * n_words * batch
        return False


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
# Threads and chunks
# --------------------------------------------------------------------------------------

_CHUNK_WORDS = 1 << 13
"""Words a chunk of work should touch: small enough that a thread descheduled in the middle
of one holds up little, large enough that claiming it costs nothing.
"""
_PARALLEL_WORDS = 1 << 16
"""Below this many words of work in total a call runs on the calling thread alone."""
_SLICE_WORDS = 1 << 22
"""Words of work the calling thread does per compiled call before it returns to Python (where a
pending Ctrl-C raises): a few milliseconds.
"""
_NO_BUDGET = int(np.iinfo(np.int64).max)
"""A helper's budget in words: every chunk it can claim, in one compiled call."""


def _num_threads() -> int:
    """Threads a kernel uses: the process-wide setting capped by the CPU affinity mask."""
    return numba_threads() or 1


def _chunk(items: int, words_per_item: int) -> int:
    """Items per chunk so that a chunk touches about ``_CHUNK_WORDS`` words (>= 1)."""
    return max(1, min(max(1, items), _CHUNK_WORDS // max(1, words_per_item)))


def _threads_for(total_words: int, n_chunks: int) -> int:
    """Threads for a call: one below ``_PARALLEL_WORDS`` words of work, else up to a chunk each."""
    return min(_num_threads(), n_chunks) if total_words >= _PARALLEL_WORDS else 1


_Slice = Callable[[bool, np.ndarray, np.ndarray, int], bool]


def _run_region(run: _Slice, threads: int) -> None:
    """Run one call's chunked kernel on ``threads`` threads (see ``_workshare``).

    ``run(takeover, stop, cursor, budget)`` runs the kernel on this call's
    shared bookkeeping for about ``budget`` words of work and returns whether
    the thread is finished.  Helpers run it once with ``takeover=False`` and
    no budget.  The calling thread
    runs it with ``takeover=True`` (it also takes over the chunks not marked
    done) in slices of about ``_SLICE_WORDS`` words, returning to Python
    between slices, so that a Ctrl-C raises ``KeyboardInterrupt`` within
    milliseconds; it then sets ``stop``, and the helpers finish the chunk
    they hold and take no other.
    """
    stop = np.zeros(1, dtype=np.int64)

    def helper() -> None:
        run(False, stop, np.zeros((2, 2), dtype=np.int64), _NO_BUDGET)

    def caller() -> None:
        cursor = np.zeros((2, 2), dtype=np.int64)
        while not run(True, stop, cursor, _SLICE_WORDS):
            pass  # back in Python: a pending signal handler (Ctrl-C) runs here

    def abort() -> None:
        # An aligned 8-byte store is a single atomic write on every target of
        # Numba; helpers read it with an acquire load (``_is_done``).
        stop[0] = 1

    run_shared(helper, caller, threads, on_abort=abort)


def _run_chunks(kernel: Callable[..., bool], items: int, chunk: int, total_words: int,
                *args: Any) -> None:
    """Run ``kernel`` over ``items`` items, ``chunk`` a chunk, on the threads that share them.

    Every thread calls ``kernel(claims, done, takeover, stop, cursor, budget, *args, chunk)``
    (see ``_run_region``).  ``claims`` holds the count of helpers that
    joined, then one claim counter per thread.
    """
    n_chunks = -(-items // chunk)
    threads = _threads_for(total_words, n_chunks)
    claims = np.zeros(1 + threads, dtype=np.int64)
    done = np.zeros(n_chunks, dtype=np.int64)

    def run(takeover: bool, stop: np.ndarray, cursor: np.ndarray, budget: int) -> bool:
        finished: bool = kernel(claims, done, takeover, stop, cursor, budget, *args, chunk)
        return finished

    _run_region(run, threads)


# --------------------------------------------------------------------------------------
# Public kernels
# --------------------------------------------------------------------------------------

def jit_pack_bits(bitstream: np.ndarray, packed_arr: np.ndarray) -> None:
    """Pack a 0/1 stream into ``uint64`` words, writing into ``packed_arr``.

    Bit ``t`` goes to word ``t // 64`` at bit position ``t % 64``
    (least-significant first), the layout of [design: packing][packing].

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
        # Kernels write a scratch array (see _run_chunks), never the caller's.
        n_words = out.shape[0]
        words = np.empty(n_words, dtype=np.uint64)
        _run_chunks(_pack_kernel, n_words, _chunk(n_words, 8), n_words * 8, bits, words)
        out[...] = words
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
    if HAS_NUMBA:
        row = n_in * n_words
        # Kernels write a scratch array (see _run_chunks), never the caller's.
        counts = np.empty(n_out, dtype=np.int64)
        _run_chunks(_mac_rows_kernel, n_out, _chunk(n_out, row), n_out * row,
                    weights.reshape(n_out, row), inputs.reshape(row), counts)
    else:
        counts = forward_counts_numpy(weights, inputs[None])[0]
    out[...] = counts


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


def _forward_counts(args: ForwardArgs) -> np.ndarray:
    """Encode the inputs, then AND-popcount them with the weights: ``int64 (batch, n_out)``.

    One parallel region (``_forward_kernel``).  Only the packed input
    words (``n_in * batch * n_words``, small) are materialised; neither
    unpacked bits nor any weight-sized product exist.
    """
    cycle, start, thresh = _encoder_operands(args)
    n_out, n_in, n_words = args.weights.shape
    batch = thresh.shape[0]
    enc = np.empty((n_in, batch, n_words), dtype=np.uint64)
    counts = np.empty((batch, n_out), dtype=np.int64)
    per_input = batch * n_words
    per_row = n_in * n_words * batch
    enc_chunk = _chunk(n_in, 8 * per_input)
    row_chunk = _chunk(n_out, per_row)
    enc_n, row_n = -(-n_in // enc_chunk), -(-n_out // row_chunk)
    threads = _threads_for(n_out * per_row + 8 * n_in * per_input, row_n)
    enc_claims, row_claims = (np.zeros(1 + threads, dtype=np.int64) for _ in range(2))
    enc_done, row_done = np.zeros(enc_n, dtype=np.int64), np.zeros(row_n, dtype=np.int64)

    def run(takeover: bool, stop: np.ndarray, cursor: np.ndarray, budget: int) -> bool:
        finished: bool = _forward_kernel(
            enc_claims, enc_done, row_claims, row_done, takeover, stop, cursor, budget, cycle,
            start, thresh, args.length, enc, enc_chunk, args.weights, counts, row_chunk)
        return finished

    _run_region(run, threads)
    return counts


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
        return counts_to_rates(_forward_counts(args), args.length)
