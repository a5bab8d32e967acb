"""The NumPy reference of stochastic-computing inference ([design: forward pass][forward-pass]).

[`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy] is the
bit-true floor every other backend is checked against: it encodes the inputs
with the LFSR comparator, ANDs them with the caller's packed weight streams
and counts the surviving bits.

[`sc_forward`][sc_neurocore.accel.backend.sc_forward], which dispatches to a
backend, is defined in [`sc_neurocore.accel.backend`][sc_neurocore.accel.backend]
and is importable from here too (the same function), where the reference
project documents it: ``from sc_neurocore.accel.sc_inference import sc_forward``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import ForwardArgs, validate_forward
from .backend import sc_forward
from .lfsr import DEFAULT_SEED, encode_words

__all__ = ["sc_forward", "sc_forward_numpy"]

# Rows of weights processed per step: keeps the AND/popcount temporaries in L2.
_CHUNK_BYTES = 1 << 22


def encode_inputs(args: ForwardArgs) -> np.ndarray:
    """Packed input streams ``(batch, n_in, n_words)`` of validated arguments."""
    return encode_words(args.probs, args.length, args.seed)


def counts_to_rates(counts: np.ndarray, length: int) -> np.ndarray:
    """``count / length`` in float64: the single division every backend performs."""
    rates: np.ndarray = counts.astype(np.float64) / np.float64(length)
    return rates


def forward_counts_numpy(weights: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """``counts[b, o] = sum_i,w popcount(weights[o, i, w] & inputs[b, i, w])``.

    Works through ``weights`` a block of rows at a time so the temporaries stay
    in cache, and reuses each block for the whole batch before moving on.
    Per-row totals are accumulated in ``uint32`` when they cannot overflow it
    (faster reduction), else in ``uint64``.
    """
    n_out, n_in, n_words = weights.shape
    batch = inputs.shape[0]
    counts = np.zeros((batch, n_out), dtype=np.uint64)
    per_row = n_in * n_words
    acc = np.uint32 if per_row * 64 < 2**32 else np.uint64
    step = max(1, _CHUNK_BYTES // max(1, per_row * 8))
    and_buf = np.empty((min(step, n_out), n_in, n_words), dtype=np.uint64)
    count_buf = np.empty((min(step, n_out), per_row), dtype=np.uint8)
    for start in range(0, n_out, step):
        block = weights[start:start + step]
        rows = block.shape[0]
        for b in range(batch):
            anded = np.bitwise_and(block, inputs[b], out=and_buf[:rows])
            bits = np.bitwise_count(anded.reshape(rows, per_row), out=count_buf[:rows])
            counts[b, start:start + rows] = bits.sum(axis=1, dtype=acc)
    return counts


def sc_forward_numpy(weights_packed: np.ndarray, input_probs: ArrayLike, length: int,
                     seed: int = DEFAULT_SEED) -> np.ndarray:
    """SC forward pass on NumPy: the bit-true reference.

    ``length`` and ``seed`` may be passed by position or by keyword.

    Parameters
    ----------
    weights_packed : numpy.ndarray
        ``uint64`` ``(n_out, n_in, n_words)``, ``n_words = ceil(length / 64)``.
    input_probs : array_like
        ``float64`` ``(n_in,)``, or ``(batch, n_in)``; finite values in [0, 1].
    length : int
        Stream length in bits (positive).
    seed : int, default 44257
        Encoder seed in ``[0, 2**32)``; input ``i`` uses register ``seed + i``.

    Returns
    -------
    numpy.ndarray
        ``float64`` ``(n_out,)`` or ``(batch, n_out)``: AND-popcount totals
        divided by ``length``.

    Raises
    ------
    ValueError
        On any input that breaks [design: errors][errors]
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong).
    """
    args = validate_forward(weights_packed, input_probs, length, seed)
    return args.shape_result(forward_numpy(args))


def forward_numpy(args: ForwardArgs) -> np.ndarray:
    """Reference kernel on validated arguments; returns ``(batch, n_out)``."""
    counts = forward_counts_numpy(args.weights, encode_inputs(args))
    return counts_to_rates(counts, args.length)
