"""The Numba-compiled kernels: hardware popcount, atomic chunk claiming, encode and AND-popcount.

Imported only when Numba is (``runtime.HAS_NUMBA``).  The kernels use the
hardware population count (LLVM ``ctpop``, which becomes ``popcnt`` or a
vector ``vpopcntq`` on the host CPU) and cache the compiled machine code on
disk (``cache=True``), so a second process loads it instead of recompiling.
Compiled code never sees an unchecked shape or dtype: ``ops`` validates first.
How the chunks are shared between threads is ``scheduling``'s part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["forward_kernel", "mac_rows_kernel", "pack_kernel", "prepared_kernel"]

# Array types of the compiled kernels' arguments.  Numba itself is untyped (Any
# to mypy, so a decorated kernel is Any to its callers): these annotations
# type-check the kernel bodies and say what the kernels are called with;
# Numba compiles from the runtime types and never reads them.
_I64 = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]
_U32 = npt.NDArray[np.uint32]
_U16 = npt.NDArray[np.uint16]
_U8 = npt.NDArray[np.uint8]
# What an ``@intrinsic`` typing function returns: the signature and its code
# generator, or None when the argument types do not match.
_Intrinsic = tuple[Any, Callable[[Any, Any, Any, Any], Any]] | None
_Kernel = TypeVar("_Kernel", bound=Callable[..., Any])


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


def _slot_intrinsic(name: str, result: Any, emit: Callable[[Any, Any, Any], Any]
                    ) -> Callable[..., Any]:
    """An intrinsic on the slot ``array[index]`` of a C-contiguous 1-D ``int64`` array.

    Compiled code calls it as ``name(array, index)``; ``emit(context, builder,
    slot)`` generates the access through the slot's LLVM pointer, and
    ``result`` is the Numba type of what it returns.
    """

    def typing(typingctx: Any, array: Any, index: Any) -> _Intrinsic:
        if not _is_int64_vector(array) or not isinstance(index, types.Integer):
            return None

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            data = context.make_array(signature.args[0])(context, builder, args[0]).data
            return emit(context, builder, builder.gep(data, [args[1]]))

        return result(array, types.int64), codegen

    typing.__name__ = typing.__qualname__ = name
    return _intrinsic(typing)


# Atomically ``counters[index] += 1`` and return the old value.  ``counters`` is
# shared by every thread working on one call; LLVM's ``atomicrmw add`` gives
# each value to exactly one thread.
_fetch_add = _slot_intrinsic(
    "_fetch_add", types.int64,
    lambda context, builder, slot: builder.atomic_rmw(
        "add", slot, context.get_constant(types.int64, 1), "monotonic"))


def _store_one(context: Any, builder: Any, slot: Any) -> Any:
    builder.store_atomic(context.get_constant(types.int64, 1), slot, "release", 8)
    return context.get_dummy_value()


# ``done[index] = 1`` as a release store: the chunk's outputs are visible first.
_mark_done = _slot_intrinsic("_mark_done", types.void, _store_one)

# ``done[index] != 0`` as an acquire load (pairs with ``_mark_done``).
_is_done = _slot_intrinsic(
    "_is_done", types.boolean,
    lambda context, builder, slot: builder.icmp_signed(
        "!=", builder.load_atomic(slot, "acquire", 8), context.get_constant(types.int64, 0)))


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
def _encode_word(states: _U16, mask: int, x: int, n_bits: int) -> np.uint64:
    """One packed word: bit ``q`` is ``(states[q] ^ mask) < x`` for ``q < n_bits``, else 0."""
    word: np.uint64 = np.uint64(0)
    for q in range(n_bits):
        if (states[q] ^ mask) < x:
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
def pack_kernel(claims: _I64, done: _I64, takeover: bool, stop: _I64, cursor: _I64,
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
def mac_rows_kernel(claims: _I64, done: _I64, takeover: bool, stop: _I64, cursor: _I64,
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
def _encode_chunk(c: int, chunk: int, cycle: _U16, start: _I64, mask: _U16, thresh: _I64,
                  length: int, enc: _U64) -> None:
    """Packed words of inputs ``c * chunk ..`` into ``enc (n_in, batch, n_words)``.

    Bit ``t`` of input ``i`` in batch row ``b`` is ``(cycle[start[i] + t] ^
    mask[i]) < thresh[b, i]``; ``cycle`` is the generator's sequence repeated
    so that every window of ``length`` values is contiguous (a threshold of
    65536 is above every value: all ones).  The layout puts every batch
    row's words for input ``i`` next to each other, where a weight row meets
    them.
    """
    n_in, batch, n_words = enc.shape
    for i in range(c * chunk, min(n_in, (c + 1) * chunk)):
        m = mask[i]
        for b in range(batch):
            x = thresh[b, i]
            for w in range(n_words):
                t0 = w * 64
                base = start[i] + t0
                enc[i, b, w] = _encode_word(cycle[base:base + 64], m, x,
                                            min(64, length - t0))


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
def forward_kernel(enc_claims: _I64, enc_done: _I64, row_claims: _I64, row_done: _I64,
                   takeover: bool, stop: _I64, cursor: _I64, budget: int, cycle: _U16,
                   start: _I64, mask: _U16, thresh: _I64, length: int, enc: _U64,
                   enc_chunk: int, weights: _U64, counts: _I64, row_chunk: int) -> bool:
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
        _encode_chunk(c, enc_chunk, cycle, start, mask, thresh, length, enc)
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


# The prepared path ([design: prepared layers][prepared-layers]).  Word ``w``
# of input ``i``'s bits in the layer's order, for batch row ``b``, is
# ``table[at + b]`` with ``at = 2 * batch * (i * stride + w)`` (the last word,
# ``w = stride - 1``, is 0), and the count of set bits before it is
# ``table[at + batch + b]``: one (o, i) lookup reads both from one 16-byte
# slot, and a batch's words and counts are each contiguous (the batch loop
# vectorises).  ``table`` is flat (``int64``): a lookup is one multiply-add.
@_kernel
def _below_word(states: _U16, x: np.uint16) -> np.uint64:
    """Bit ``q`` is ``states[q] < x`` for the 64 states (compared in 16 bits: vectorised)."""
    word: np.uint64 = np.uint64(0)
    for q in range(64):
        word |= np.uint64(states[q] < x) << np.uint64(q)
    return word


@_kernel
def _ordered_words_chunk(c: int, chunk: int, states: _U16, thresh: _I64, table: _I64) -> None:
    """Words and per-word prefix counts of inputs ``c * chunk ..`` into ``table``.

    Bit ``j`` of input ``i`` in batch row ``b`` is ``states[i, j] <
    thresh[b, i]`` (a threshold of 65536 is above every state: all ones).
    """
    n_in, length = states.shape
    batch = thresh.shape[0]
    stride = table.shape[0] // (2 * n_in * batch)
    full = length // 64
    for i in range(c * chunk, min(n_in, (c + 1) * chunk)):
        for b in range(batch):
            x = thresh[b, i]
            # 65536 (every bit set) compares as 65535 and sets the missing bits below.
            x16 = np.uint16(min(x, 65535))
            ones = np.uint64(0) if x < 65536 else ~np.uint64(0)
            at = 2 * batch * i * stride + b
            before = 0
            for w in range(full):
                word = _below_word(states[i, w * 64:w * 64 + 64], x16) | ones
                table[at] = word
                table[at + batch] = before
                before += _popcount64(word)
                at += 2 * batch
            if full < stride - 1:   # the last, partial word
                word = _encode_word(states[i, full * 64:], 0, x, length - full * 64)
                table[at] = word
                table[at + batch] = before
                before += _popcount64(word)
                at += 2 * batch
            table[at] = 0
            table[at + batch] = before


@_kernel
def _prepared_rows_chunk(c: int, chunk: int, k: _U32, table: _I64, batch: int,
                         counts: _I64) -> None:
    """``counts[b, o] = sum_i prefix + popcount(word & low k[o, i] % 64 bits)``.

    Rows ``c * chunk ..``; the word and prefix are input ``i``'s at word
    ``k[o, i] // 64``, for every batch row at once.
    """
    n_out, n_in = k.shape
    stride = table.shape[0] // (2 * n_in * batch)
    sums = np.zeros(batch, dtype=np.int64)   # local: no alias of table, the loop vectorises
    for o in range(c * chunk, min(n_out, (c + 1) * chunk)):
        if batch == 1:   # one running sum in a register
            total = 0
            row = 0
            for i in range(n_in):
                kk = np.int64(k[o, i])
                at = 2 * (row + (kk >> 6))
                total += table[at + 1] + _popcount64(table[at] & ((np.int64(1) << (kk & 63)) - 1))
                row += stride
            counts[0, o] = total
            continue
        sums[:] = 0
        row = 0
        for i in range(n_in):
            kk = np.int64(k[o, i])
            mask = (np.int64(1) << (kk & 63)) - 1
            at = 2 * batch * (row + (kk >> 6))
            words, before = table[at:at + batch], table[at + batch:at + 2 * batch]
            for b in range(batch):
                sums[b] += before[b] + _popcount64(words[b] & mask)
            row += stride
        for b in range(batch):
            counts[b, o] = sums[b]


@_kernel
def prepared_kernel(in_claims: _I64, in_done: _I64, row_claims: _I64, row_done: _I64,
                    takeover: bool, stop: _I64, cursor: _I64, budget: int, states: _U16,
                    thresh: _I64, table: _I64, in_chunk: int, k: _U32, counts: _I64,
                    row_chunk: int) -> bool:
    """A prepared layer's counts: order and prefix-count the inputs' bits, then every row.

    Shared between threads as ``forward_kernel`` is: input chunks first
    (every thread finishes any not yet done, since every row needs every
    input), then row chunks (the calling thread, ``takeover``, runs any not
    yet done).
    """
    n_in, length = states.shape
    batch = thresh.shape[0]
    slot = _my_slot(in_claims, takeover)
    left = budget
    while left > 0:
        c = _next_chunk(in_claims, in_done, slot, True, cursor[0], stop)
        if c < 0:
            break
        _ordered_words_chunk(c, in_chunk, states, thresh, table)
        _mark_done(in_done, c)
        left -= in_chunk * batch * length // 8
    while left > 0:
        c = _next_chunk(row_claims, row_done, slot, takeover, cursor[1], stop)
        if c < 0:
            return True
        _prepared_rows_chunk(c, row_chunk, k, table, batch, counts)
        _mark_done(row_done, c)
        left -= 2 * row_chunk * n_in * batch
    return False
