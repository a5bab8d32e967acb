"""The 16-bit Fibonacci LFSR comparator encoder (docs/design.md#encoder).

Register taps 16, 14, 13, 11: ``fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1``,
``r = ((r << 1) | fb) & 0xFFFF``.  It visits all 65535 non-zero states in one
cycle, so input ``i``'s stream is a window of that one cycle starting at the
position of its seed state.  :class:`LfsrTables` holds the cycle (twice, so a
64-bit window never wraps) and the position of every state; encoding a word is
then 64 table reads and compares.
"""

from std.memory import pack_bits

from .ndarray import NDArray
from .validation import check_length, check_probabilities, check_rank, check_seed, n_words_for

comptime PERIOD = 65535
comptime DEFAULT_SEED = 44257  # 0xACE1
comptime MAX_PROB_RANK = 32


def lfsr_next(r: Int) -> Int:
    """The register state after ``r`` (one step)."""
    var fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1
    return ((r << 1) | fb) & 0xFFFF


def start_state(seed: Int, i: Int) -> Int:
    """``r_i = (seed + i) mod 65536``, with 0 replaced by 1."""
    var r = (seed + i) % 65536
    return 1 if r == 0 else r


def quantize(p: Float64) -> Int:
    """``x = clip(round_half_even(p * 65536), 0, 65536)`` for a checked ``p`` in [0, 1].

    ``p * 65536`` is exact (a power-of-two scale), so the rounding below sees
    the true value: ties (fraction exactly 0.5) go to the even neighbour.
    """
    var y = p * 65536.0
    if not (y > 0.0):  # 0, -0 (and, defensively, anything not positive)
        return 0
    if y >= 65536.0:
        return 65536
    var lower = Int(y)  # truncation == floor for y > 0
    var frac = y - Float64(lower)  # exact: y and lower share the exponent range
    var x = lower
    if frac > 0.5:
        x = lower + 1
    elif frac == 0.5 and (lower & 1) == 1:
        x = lower + 1
    return x


struct LfsrTables(Movable):
    """``seq2[k]`` is the state ``k mod 65535`` steps after state 1
    (``k < 2 * 65535``); ``pos[s]`` is the ``k < 65535`` with ``seq2[k] == s``.

    The doubled cycle lets a 64-state window starting anywhere in the first
    copy be read with one contiguous load.
    """

    var seq2: List[UInt16]
    var pos: List[Int]

    def __init__(out self):
        self.seq2 = List[UInt16](length=2 * PERIOD, fill=0)
        self.pos = List[Int](length=65536, fill=0)
        var r = 1
        for k in range(PERIOD):
            self.seq2[k] = UInt16(r)
            self.seq2[k + PERIOD] = UInt16(r)
            self.pos[r] = k
            r = lfsr_next(r)


def encode_row_into(tables: LfsrTables, p: Float64, stream_index: Int, length: Int,
                    seed: Int, mut out: List[UInt64], offset: Int):
    """Write the packed stream of one (checked) probability to ``out[offset:offset+W]``.

    ``stream_index`` is the input index ``i`` that offsets the seed.  Word
    ``w`` holds bits ``t = 64w .. 64w+63``: lane ``k`` of a 64-lane compare of
    the states ``seq2[idx + k]`` with ``x`` becomes bit ``k``.
    """
    var x = quantize(p)
    var n_words = n_words_for(length)
    if x == 0 or x == 65536:
        # Every state is in [1, 65535]: x == 0 gives no 1s, x == 65536 all 1s.
        var fill: UInt64 = 0 if x == 0 else ~UInt64(0)
        for w in range(n_words):
            out[offset + w] = fill
    else:
        var xv = SIMD[DType.uint16, 64](UInt16(x))
        var idx = tables.pos[start_state(seed, stream_index)]
        var seq = tables.seq2.unsafe_ptr()
        for w in range(n_words):
            # idx < 65535, so idx + 64 stays inside the doubled table.
            var states = seq.unsafe_load[width=64](idx)
            out[offset + w] = pack_bits[DType.uint64](states.lt(xv))
            idx += 64
            if idx >= PERIOD:
                idx -= PERIOD
    var tail = length % 64
    if tail != 0 and n_words > 0:
        out[offset + n_words - 1] &= (UInt64(1) << UInt64(tail)) - 1


def encode_checked(tables: LfsrTables, probs: NDArray[DType.float64], length: Int,
                   seed: Int) raises -> NDArray[DType.uint64]:
    """Encode already-validated probabilities: ``probs.shape + (W,)``."""
    var n_words = n_words_for(length)
    var n = probs.shape[probs.ndim() - 1]
    var shape = probs.shape.copy()
    shape.append(n_words)
    var out = NDArray[DType.uint64](shape^)
    for k in range(probs.size()):
        encode_row_into(tables, probs.data[k], k % n, length, seed, out.data, k * n_words)
    return out^


def encode_with(tables: LfsrTables, probs: NDArray[DType.float64], length: Int,
                seed: Int) raises -> NDArray[DType.uint64]:
    """:func:`encode` with caller-held tables (build them once, reuse them)."""
    check_length(length)
    check_seed(seed)
    check_rank(probs, "probs", 1, MAX_PROB_RANK)
    check_probabilities(probs, "probs")
    return encode_checked(tables, probs, length, seed)


def encode(probs: NDArray[DType.float64], length: Int, seed: Int = DEFAULT_SEED) raises -> NDArray[DType.uint64]:
    """Packed LFSR streams of ``probs`` (``(..., n) -> (..., n, ceil(length/64))``).

    The last axis is the input index ``i`` that offsets the seed.  Raises on
    rank 0, probabilities that are non-finite or outside [0, 1],
    ``length <= 0`` and ``seed`` outside ``[0, 2**32)``.
    """
    var tables = LfsrTables()
    return encode_with(tables, probs, length, seed)
