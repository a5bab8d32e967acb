"""Low-level bit packing used by the encoder and by ``vector_ops`` ([design: packing][packing]).

Bit ``t`` of a stream goes to word ``t // 64`` at bit position ``t % 64``
(least-significant first); bits past the stream length in the last word are 0.
"""

from __future__ import annotations

import numpy as np

from ._validation import n_words_for


def pack_rows(bits: np.ndarray) -> np.ndarray:
    """Pack the last axis of a 0/1 (bool or uint8) array into ``uint64`` words.

    Parameters
    ----------
    bits : ndarray
        Shape ``(..., N)``, values 0/1 (already validated).

    Returns
    -------
    ndarray
        ``uint64`` of shape ``(..., ceil(N / 64))``.
    """
    n_bits = bits.shape[-1]
    n_words = n_words_for(n_bits)
    as_bytes = np.packbits(bits, axis=-1, bitorder="little")
    pad = n_words * 8 - as_bytes.shape[-1]
    if pad:
        widths = [(0, 0)] * (as_bytes.ndim - 1) + [(0, pad)]
        as_bytes = np.pad(as_bytes, widths)
    as_bytes = np.ascontiguousarray(as_bytes)
    return as_bytes.view("<u8").astype(np.uint64, copy=False).reshape(bits.shape[:-1] + (n_words,))


def unpack_rows(packed: np.ndarray, n_bits: int) -> np.ndarray:
    """Inverse of ``pack_rows``: the first ``n_bits`` bits of each row as ``uint8``."""
    little = np.ascontiguousarray(packed.astype("<u8", copy=False))
    as_bytes = little.view(np.uint8).reshape(packed.shape[:-1] + (packed.shape[-1] * 8,))
    return np.unpackbits(as_bytes, axis=-1, count=n_bits, bitorder="little")
