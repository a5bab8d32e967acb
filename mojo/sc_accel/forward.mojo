"""Stochastic-computing inference ``sc_forward`` (docs/design.md#forward-pass).

``out[b, o] = sum_{i, w} popcount(W[o, i, w] & X[b, i, w]) / length`` where
``X`` holds the LFSR-encoded input streams.
"""

from std.bit import pop_count

from .generators import check_generator
from .lfsr import DEFAULT_SEED, LfsrTables, encode_checked
from .ndarray import NDArray, shape_str
from .validation import check_length, check_probabilities, check_rank, check_seed, n_words_for

comptime LANES = 8


def validate_forward(weights: NDArray[DType.uint64], probs: NDArray[DType.float64],
                     length: Int, seed: Int) raises:
    """Every rule of docs/design.md#errors for ``sc_forward`` arguments."""
    check_length(length)
    check_seed(seed)
    check_rank(weights, "weights_packed", 3, 3)
    check_rank(probs, "input_probs", 1, 2)
    check_probabilities(probs, "input_probs")
    var expected = n_words_for(length)
    if weights.shape[2] != expected:
        raise Error("weights_packed must have shape (n_out, n_in, n_words) with n_words = "
                    + "ceil(length / 64) = " + String(expected) + ", got shape "
                    + shape_str(weights.shape))
    var n_in = weights.shape[1]
    if probs.shape[probs.ndim() - 1] != n_in:
        raise Error("input_probs must have n_in = " + String(n_in) + " values per row to match "
                    + "weights_packed " + shape_str(weights.shape) + ", got shape "
                    + shape_str(probs.shape))


def and_popcount(w: List[UInt64], w_off: Int, x: List[UInt64], x_off: Int, m: Int) -> UInt64:
    """``sum_k popcount(w[w_off + k] & x[x_off + k])`` over ``m`` words (in bounds)."""
    var wp = w.unsafe_ptr()
    var xp = x.unsafe_ptr()
    var acc = SIMD[DType.uint64, LANES](0)
    var k = 0
    while k + LANES <= m:
        acc += pop_count(wp.unsafe_load[width=LANES](w_off + k)
                         & xp.unsafe_load[width=LANES](x_off + k))
        k += LANES
    var total = acc.reduce_add()
    while k < m:
        total += pop_count(wp[unsafe_offset=w_off + k] & xp[unsafe_offset=x_off + k])
        k += 1
    return total


def sc_forward_with(tables: LfsrTables, weights: NDArray[DType.uint64],
                    probs: NDArray[DType.float64], length: Int,
                    seed: Int, generator: String = "lfsr") raises -> NDArray[DType.float64]:
    """:func:`sc_forward` with caller-held encoder tables, the inputs encoded by the input
    side of ``generator``."""
    validate_forward(weights, probs, length, seed)
    check_generator(generator)
    var n_out = weights.shape[0]
    var n_in = weights.shape[1]
    var batch = 1 if probs.ndim() == 1 else probs.shape[0]
    var m = n_in * weights.shape[2]  # words per (row o) and per (batch row b)
    var x = encode_checked(tables, probs, length, seed, generator)  # (batch, n_in, W) flat
    var shape = List[Int]()
    if probs.ndim() == 2:
        shape.append(batch)
    shape.append(n_out)
    var out = NDArray[DType.float64](shape^)
    var denom = Float64(length)
    for o in range(n_out):
        for b in range(batch):
            var count = and_popcount(weights.data, o * m, x.data, b * m, m)
            out.data[b * n_out + o] = Float64(count) / denom
    return out^


def sc_forward(weights: NDArray[DType.uint64], probs: NDArray[DType.float64], length: Int,
               seed: Int = DEFAULT_SEED) raises -> NDArray[DType.float64]:
    """SC inference: ``(n_out, n_in, W)`` packed weights and ``(n_in,)`` or
    ``(B, n_in)`` probabilities to ``(n_out,)`` or ``(B, n_out)`` rates.

    Raises on every invalid class of docs/design.md#errors (ranks, ``n_words``, ``n_in``,
    probabilities, ``length``, ``seed``).
    """
    var tables = LfsrTables()
    return sc_forward_with(tables, weights, probs, length, seed)
