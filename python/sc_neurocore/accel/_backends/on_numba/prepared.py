"""The prepared path on Numba ([design: prepared layers][prepared-layers]): one parallel region.

``prepared_counts`` compares each input's states in the layer's order with
its threshold, packs the bits and counts the set bits before every word
(``kernels.prepared_kernel``, a chunk of inputs at a time), then answers
every ``(o, i)`` with one lookup and one masked popcount (a chunk of output
rows at a time), on the threads of ``scheduling`` (interruptible, and never
waiting for a descheduled helper).  Without Numba it is the NumPy reference.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore._validation import as_prepared_operands, n_words_for

from .. import on_numpy as numpy_backend
from . import runtime, scheduling

if runtime.HAS_NUMBA:
    from . import kernels

__all__ = ["prepared_counts"]


def prepared_counts(k: np.ndarray, states: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``counts[b, o] = sum_i #{ j < k[o, i] : states[i, j] < thresholds[b, i] }``.

    The operation every backend package exposes for prepared layers
    ([`Backend.prepared_counts`][sc_neurocore.accel.backend.Backend.prepared_counts]).

    Parameters
    ----------
    k : ndarray
        ``uint32`` ``(n_out, n_in)``, each in ``[0, length]``.
    states : ndarray
        ``uint16`` ``(n_in, length)``: input ``i``'s states in the layer's order.
    thresholds : ndarray
        ``int64`` ``(batch, n_in)``, each in ``[0, 65536]``.

    Returns
    -------
    ndarray
        ``uint64`` ``(batch, n_out)``, equal to the NumPy reference's.

    Raises
    ------
    ValueError
        If the operands do not match or lie out of range
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for a wrong
        type or dtype).
    """
    k, states, thresholds = as_prepared_operands(k, states, thresholds)
    if not runtime.HAS_NUMBA:
        return numpy_backend.prepared_counts(k, states, thresholds)
    n_out, n_in = k.shape
    batch = thresholds.shape[0]
    counts = np.zeros((batch, n_out), dtype=np.int64)
    if counts.size == 0 or n_in == 0:
        return counts.view(np.uint64)
    # Work in words: comparing 64 states costs about 8 words' worth, a lookup about 2.
    table = np.empty(2 * n_in * (n_words_for(states.shape[1]) + 1) * batch, dtype=np.int64)
    per_input, per_row = batch * states.shape[1] // 8, 2 * n_in * batch
    in_chunk = scheduling.chunk_size(n_in, per_input)
    row_chunk = scheduling.chunk_size(n_out, per_row)
    in_n, row_n = -(-n_in // in_chunk), -(-n_out // row_chunk)
    threads = scheduling.threads_for(n_in * per_input + n_out * per_row, max(in_n, row_n))
    in_claims, row_claims = (np.zeros(1 + threads, dtype=np.int64) for _ in range(2))
    in_done, row_done = np.zeros(in_n, dtype=np.int64), np.zeros(row_n, dtype=np.int64)

    def run(takeover: bool, stop: np.ndarray, cursor: np.ndarray, budget: int) -> bool:
        finished: bool = kernels.prepared_kernel(
            in_claims, in_done, row_claims, row_done, takeover, stop, cursor, budget, states,
            thresholds, table, in_chunk, k, counts, row_chunk)
        return finished

    scheduling.run_region(run, threads)
    return counts.view(np.uint64)
