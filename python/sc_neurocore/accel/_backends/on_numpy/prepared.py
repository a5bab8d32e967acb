"""The prepared path on NumPy ([design: prepared layers][prepared-layers]): the bit-true reference.

``prepared_counts`` answers a prepared layer's forward pass from the input
states in the layer's order: compare them with each input's threshold, pack
the bits ([design: packing][packing]), count the set bits before every word
(per-word prefix counts), then read each ``(o, i)``'s prefix count of its
first ``k[o, i]`` bits with one lookup and one masked popcount.
"""

from __future__ import annotations

import numpy as np

from sc_neurocore._validation import WORD_BITS, n_words_for

from .bitops import pack_rows

__all__ = ["prepared_counts"]

# Elements of the (rows, n_in) lookup temporaries per step.
_LOOKUP_BLOCK = 1 << 20


def _ordered_bits(states: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``states[i, j] < thresholds[i]`` packed per input: ``uint64`` ``(n_in, n_words + 1)``.

    The extra last word is 0, so a prefix of all ``length`` bits (``k =
    length``, a multiple of 64) reads a word that exists.
    """
    # Compare in uint16: states never exceed 65535, so 65536 means "always 1".
    below = states < np.minimum(thresholds, 65535).astype(np.uint16)[:, None]
    below[thresholds == 65536] = True
    words = pack_rows(below)
    return np.concatenate([words, np.zeros((words.shape[0], 1), dtype=np.uint64)], axis=1)


def prepared_counts(k: np.ndarray, states: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``counts[b, o] = sum_i #{ j < k[o, i] : states[i, j] < thresholds[b, i] }``.

    The operation every backend package exposes for prepared layers; its
    arguments are already checked and consistent.

    Parameters
    ----------
    k : ndarray
        ``uint32`` ``(n_out, n_in)``, each in ``[0, length]``: how many of
        input ``i``'s ordered bits weight ``(o, i)`` keeps.
    states : ndarray
        ``uint16`` ``(n_in, length)``, C-contiguous: input ``i``'s input-side
        states in the layer's order.
    thresholds : ndarray
        ``int64`` ``(batch, n_in)``, each in ``[0, 65536]``: the quantised
        inputs (65536: every bit set).

    Returns
    -------
    ndarray
        ``uint64`` ``(batch, n_out)``.
    """
    n_out, n_in = k.shape
    batch = thresholds.shape[0]
    stride = n_words_for(states.shape[1]) + 1
    # Word of each (o, i)'s last partial word, flat in a (n_in, stride) table, and its mask.
    kk = k.astype(np.int64)
    at = np.arange(n_in, dtype=np.int64)[None, :] * stride + kk // WORD_BITS
    mask = (np.uint64(1) << (kk % WORD_BITS).astype(np.uint64)) - np.uint64(1)
    counts = np.zeros((batch, n_out), dtype=np.uint64)
    step = max(1, _LOOKUP_BLOCK // max(1, n_in))
    for b in range(batch):
        words = _ordered_bits(states, thresholds[b])
        prefix = np.zeros(words.shape, dtype=np.uint64)
        np.cumsum(np.bitwise_count(words[:, :-1]), axis=1, dtype=np.uint64, out=prefix[:, 1:])
        flat_words, flat_prefix = words.ravel(), prefix.ravel()
        for o0 in range(0, n_out, step):
            rows = slice(o0, min(n_out, o0 + step))
            partial = np.bitwise_count(flat_words[at[rows]] & mask[rows])
            counts[b, rows] = (flat_prefix[at[rows]] + partial).sum(axis=1, dtype=np.uint64)
    return counts
