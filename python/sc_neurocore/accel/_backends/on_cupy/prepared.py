"""The prepared path on the GPU ([design: prepared layers][prepared-layers]): two CUDA kernels.

``prepared_counts`` builds, for a block of batch rows at a time, each input's
bits in the layer's order with the set bits before every word (kernel
``sc_prepared_table``: a word per thread, a block-wide scan carrying the count
along the row), then answers every ``(o, i)`` with one lookup and one masked
popcount, summed over the inputs in registers (``sc_prepared_lookup``).  A
CUDA error during a call switches the backend to NumPy (``runtime``) and the
call still returns the correct result.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore._validation import as_prepared_operands, n_words_for

from .. import on_numpy as numpy_backend
from . import kernels
from . import runtime as rt

__all__ = ["TABLE_BYTES", "prepared_counts"]

TABLE_BYTES = 1 << 28
"""Device bytes of one step's table (12 per word: the word and its prefix count): a batch
is taken as many rows at a time as fit, at least one."""


def _gpu_prepared(k: np.ndarray, states: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Counts ``(batch, n_out)`` computed on the device from checked host operands."""
    n_out, n_in = k.shape
    batch, length = thresholds.shape[0], states.shape[1]
    stride = n_words_for(length) + 1
    counts = rt.cupy.zeros((batch, n_out), dtype=np.uint64)
    if counts.size == 0 or n_in == 0:
        return np.asarray(rt.cupy.asnumpy(counts))
    device_k, device_states = rt.cupy.asarray(k), rt.cupy.asarray(states)
    compiled = kernels.compiled()
    step = max(1, TABLE_BYTES // (12 * n_in * stride))
    for first in range(0, batch, step):
        rows = min(step, batch - first)
        words = rt.cupy.empty(rows * n_in * stride, dtype=np.uint64)
        before = rt.cupy.empty(rows * n_in * stride, dtype=np.uint32)
        compiled["sc_prepared_table"](
            (min(rows * n_in, 65535),), (kernels.THREADS,),
            (device_states, rt.cupy.asarray(thresholds[first:first + rows]), words, before,
             np.int64(rows * n_in), np.int64(n_in), np.int64(length), np.int64(stride)))
        compiled["sc_prepared_lookup"](
            (min(n_out, 65535), min(rows, 65535)), (kernels.THREADS,),
            (device_k, words, before, counts[first:first + rows], np.int64(n_out),
             np.int64(n_in), np.int64(rows), np.int64(stride)))
    return np.asarray(rt.cupy.asnumpy(counts))


def prepared_counts(k: np.ndarray, states: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``counts[b, o] = sum_i #{ j < k[o, i] : states[i, j] < thresholds[b, i] }`` on the GPU.

    The operation every backend package exposes for prepared layers, with the
    operands and result of
    [`Backend.prepared_counts`][sc_neurocore.accel.backend.Backend.prepared_counts]
    (a host array); on NumPy while no GPU works.  The operands are checked
    first (``as_prepared_operands``): a ``ValueError`` if they do not match or
    lie out of range, an [`InputTypeError`][sc_neurocore.accel.InputTypeError]
    for a wrong type or dtype.
    """
    k, states, thresholds = as_prepared_operands(k, states, thresholds)
    return rt.dispatch(lambda: _gpu_prepared(k, states, thresholds),
                       lambda: numpy_backend.prepared_counts(k, states, thresholds))
