"""The 16-bit Fibonacci LFSR comparator encoder (docs/design.md#encoder), and the encoder
every stream generator shares (docs/design.md#stream-generators, ``generators.mojo``).

Register taps 16, 14, 13, 11: ``fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1``,
``r = ((r << 1) | fb) & 0xFFFF``.  It visits all 65535 non-zero states in one
cycle, so input ``i``'s stream is a window of that one cycle starting at the
position of its seed state.  :class:`LfsrTables` holds the cycle (twice, so a
64-bit window never wraps) and the position of every state; encoding a word is
then 64 table reads and compares.
"""

from std.memory import pack_bits

from .generators import (SOBOL_PERIOD, check_generator, check_role, digital_shift, pair_next,
                         sobol_point)
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
    ``pair2``/``pair_pos`` are the same for ``"lfsr_pair"``'s weight-side
    register, ``sobol1``/``sobol2`` Sobol coordinates 1 and 2 (point
    ``k mod 65536``, ``k < 2 * 65536``).

    The doubled sequences let a 64-value window starting anywhere in the
    first copy be read with one contiguous load.
    """

    var seq2: List[UInt16]
    var pos: List[Int]
    var pair2: List[UInt16]
    var pair_pos: List[Int]
    var sobol1: List[UInt16]
    var sobol2: List[UInt16]

    def __init__(out self):
        self.seq2 = List[UInt16](length=2 * PERIOD, fill=0)
        self.pos = List[Int](length=65536, fill=0)
        self.pair2 = List[UInt16](length=2 * PERIOD, fill=0)
        self.pair_pos = List[Int](length=65536, fill=0)
        var r = 1
        var q = 1
        for k in range(PERIOD):
            self.seq2[k] = UInt16(r)
            self.seq2[k + PERIOD] = UInt16(r)
            self.pos[r] = k
            r = lfsr_next(r)
            self.pair2[k] = UInt16(q)
            self.pair2[k + PERIOD] = UInt16(q)
            self.pair_pos[q] = k
            q = pair_next(q)
        self.sobol1 = List[UInt16](length=2 * SOBOL_PERIOD, fill=0)
        self.sobol2 = List[UInt16](length=2 * SOBOL_PERIOD, fill=0)
        for n in range(SOBOL_PERIOD):
            self.sobol1[n] = UInt16(sobol_point(n, 1))
            self.sobol1[n + SOBOL_PERIOD] = self.sobol1[n]
            self.sobol2[n] = UInt16(sobol_point(n, 2))
            self.sobol2[n + SOBOL_PERIOD] = self.sobol2[n]


def compare_words(values: List[UInt16], period: Int, start: Int, mask: Int, x: Int,
                  n_words: Int, mut out: List[UInt64], offset: Int):
    """``out[offset + w]``: bit ``k`` is ``(values[idx + k] ^ mask) < x``, the window of
    word ``w`` starting at ``idx = (start + 64 w) mod period``.  ``values`` holds the
    sequence twice, so ``idx + 64`` stays inside it."""
    var xv = SIMD[DType.uint16, 64](UInt16(x))
    var mv = SIMD[DType.uint16, 64](UInt16(mask))
    var seq = values.unsafe_ptr()
    var idx = start
    for w in range(n_words):
        var states = seq.unsafe_load[width=64](idx) ^ mv
        out[offset + w] = pack_bits[DType.uint64](states.lt(xv))
        idx += 64
        if idx >= period:
            idx -= period


def encode_row_into(tables: LfsrTables, p: Float64, stream_index: Int, length: Int,
                    seed: Int, mut out: List[UInt64], offset: Int, generator: String = "lfsr",
                    role: String = "input"):
    """Write the packed stream of one (checked) probability to ``out[offset:offset+W]``.

    ``stream_index`` is the input index ``i`` that offsets the seed; the
    ``role`` side of ``generator`` (checked names) gives the sequence, start
    and mask.  Word ``w`` holds bits ``t = 64w .. 64w+63``: lane ``k`` of a
    64-lane compare of the values with ``x`` becomes bit ``k``.
    """
    var x = quantize(p)
    var n_words = n_words_for(length)
    if x == 0 or x == 65536:
        # Every value is in [0, 65535]: x == 0 gives no 1s, x == 65536 all 1s.
        var fill: UInt64 = 0 if x == 0 else ~UInt64(0)
        for w in range(n_words):
            out[offset + w] = fill
    elif generator == "sobol" and role == "weight":
        compare_words(tables.sobol1, SOBOL_PERIOD, 0, digital_shift(seed, stream_index, 1), x,
                      n_words, out, offset)
    elif generator == "sobol":
        compare_words(tables.sobol2, SOBOL_PERIOD, 0, digital_shift(seed, stream_index, 2), x,
                      n_words, out, offset)
    elif generator == "lfsr_pair" and role == "weight":
        compare_words(tables.pair2, PERIOD, tables.pair_pos[start_state(seed, stream_index)], 0,
                      x, n_words, out, offset)
    else:
        compare_words(tables.seq2, PERIOD, tables.pos[start_state(seed, stream_index)], 0, x,
                      n_words, out, offset)
    var tail = length % 64
    if tail != 0 and n_words > 0:
        out[offset + n_words - 1] &= (UInt64(1) << UInt64(tail)) - 1


def encode_checked(tables: LfsrTables, probs: NDArray[DType.float64], length: Int,
                   seed: Int, generator: String = "lfsr",
                   role: String = "input") raises -> NDArray[DType.uint64]:
    """Encode already-validated probabilities: ``probs.shape + (W,)``."""
    var n_words = n_words_for(length)
    var n = probs.shape[probs.ndim() - 1]
    var shape = probs.shape.copy()
    shape.append(n_words)
    var out = NDArray[DType.uint64](shape^)
    for k in range(probs.size()):
        encode_row_into(tables, probs.data[k], k % n, length, seed, out.data, k * n_words,
                        generator, role)
    return out^


def encode_with(tables: LfsrTables, probs: NDArray[DType.float64], length: Int,
                seed: Int, generator: String = "lfsr",
                role: String = "input") raises -> NDArray[DType.uint64]:
    """:func:`encode` with caller-held tables (build them once, reuse them), with the
    ``role`` side of ``generator``."""
    check_length(length)
    check_seed(seed)
    check_generator(generator)
    check_role(role)
    check_rank(probs, "probs", 1, MAX_PROB_RANK)
    check_probabilities(probs, "probs")
    return encode_checked(tables, probs, length, seed, generator, role)


def encode(probs: NDArray[DType.float64], length: Int, seed: Int = DEFAULT_SEED) raises -> NDArray[DType.uint64]:
    """Packed LFSR streams of ``probs`` (``(..., n) -> (..., n, ceil(length/64))``).

    The last axis is the input index ``i`` that offsets the seed.  Raises on
    rank 0, probabilities that are non-finite or outside [0, 1],
    ``length <= 0`` and ``seed`` outside ``[0, 2**32)``.
    """
    var tables = LfsrTables()
    return encode_with(tables, probs, length, seed)
