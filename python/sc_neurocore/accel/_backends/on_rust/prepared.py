"""The prepared path on the Rust engine ([design: prepared layers][prepared-layers]).

The engine compares each input's ordered states with its thresholds and
packs them (SIMD compare-and-pack), keeps prefix counts next to the words
(16-bit words in 32-bit cells for one input row of at most 65536 bits, 64-bit
words otherwise), and answers every ``(o, i)`` with one lookup and one masked
popcount, threaded over blocks of inputs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["prepared_counts"]


def prepared_counts(k: np.ndarray, states: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``counts[b, o] = sum_i #{ j < k[o, i] : states[i, j] < thresholds[b, i] }`` on the engine.

    Parameters
    ----------
    k : ndarray
        ``uint32`` ``(n_out, n_in)``, each in ``[0, length]``.
    states : ndarray
        ``uint16`` ``(n_in, length)``: the input states in the layer's order.
    thresholds : ndarray
        ``int64`` ``(batch, n_in)``, each in ``[0, 65536]``.

    Returns
    -------
    ndarray
        ``uint64`` ``(batch, n_out)``.
    """
    from sc_neurocore import _engine

    counts: np.ndarray = _engine.prepared_counts(k, states, thresholds)
    return counts
