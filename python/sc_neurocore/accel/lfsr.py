"""The 16-bit Fibonacci LFSR comparator encoder ([design: encoder][encoder]).

The register (taps 16, 14, 13, 11) visits all 65535 non-zero states in one
cycle, so the stream of every input is a rotation of one shared sequence.  The
reference therefore precomputes that sequence once and encodes by gather and
compare, with no Python loop over the stream length.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_probabilities, check_length, check_seed, n_words_for

__all__ = ["DEFAULT_SEED", "encode_packed", "weight_seed"]

PERIOD = 65535
# LFSR states compared per step of `encode_words` (uint16): a cache-sized block.
_ENCODE_BLOCK_STATES = 1 << 20
DEFAULT_SEED = 0xACE1
"""The default encoder seed, 44257 (``0xACE1``)."""
WEIGHT_SEED_OFFSET = 0x8000


def lfsr_next(r: int) -> int:
    """One step of the register: the next state after ``r`` (plain Python)."""
    fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1
    return ((r << 1) | fb) & 0xFFFF


@lru_cache(maxsize=1)
def lfsr_tables() -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sequence, position)`` of the LFSR cycle, computed once.

    ``sequence[k]`` is the state ``k`` steps after state 1 (``k < 65535``);
    ``position[s]`` is the ``k`` with ``sequence[k] == s`` (``position[0]`` unused).
    """
    seq = np.empty(PERIOD, dtype=np.int64)
    # Vectorised doubling would be obscure; 65535 scalar steps run once per process.
    r = 1
    for k in range(PERIOD):
        seq[k] = r
        r = lfsr_next(r)
    pos = np.zeros(65536, dtype=np.int64)
    pos[seq] = np.arange(PERIOD, dtype=np.int64)
    seq.setflags(write=False)
    pos.setflags(write=False)
    return seq, pos


def quantize(probs: np.ndarray) -> np.ndarray:
    """``x = clip(round_half_even(p * 65536), 0, 65536)`` as ``int64``."""
    return np.clip(np.rint(probs * 65536.0), 0, 65536).astype(np.int64)


def start_states(n_inputs: int, seed: int) -> np.ndarray:
    """Register seeds ``r_i = (seed + i) mod 65536`` with 0 replaced by 1."""
    r = (seed + np.arange(n_inputs, dtype=np.int64)) % 65536
    r[r == 0] = 1
    return r


@lru_cache(maxsize=4)
def _cycle_copies(copies: int) -> np.ndarray:
    """The cycle repeated ``copies`` times as ``uint16``, so any window is a slice."""
    seq, _ = lfsr_tables()
    out = np.tile(seq.astype(np.uint16), copies)
    out.setflags(write=False)
    return out


def encode_bits(probs: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Unpacked streams of already-validated probabilities.

    Input ``i`` reads the window ``cycle[pos[r_i] : pos[r_i] + length]`` of the
    repeated LFSR cycle (a strided view, gathered once) and compares it with
    its threshold ``x_i``.

    Parameters
    ----------
    probs : ndarray
        ``float64`` ``(..., n)``; the last axis is the input index ``i``.

    Returns
    -------
    ndarray
        ``bool`` of shape ``(..., n, length)``.
    """
    _, pos = lfsr_tables()
    n = probs.shape[-1]
    start = pos[start_states(n, seed)]
    cycle = _cycle_copies(1 + -(-length // PERIOD))
    windows = np.lib.stride_tricks.sliding_window_view(cycle, length)
    states = windows[start]  # (n, length) uint16
    x = quantize(probs)
    # Compare in uint16: states never exceed 65535, so x == 65536 means "always 1".
    bits: np.ndarray = states < np.minimum(x, 65535).astype(np.uint16)[..., None]
    bits |= (x == 65536)[..., None]
    return bits


def encode_words(probs: np.ndarray, length: int, seed: int) -> np.ndarray:
    """Packed streams of already-validated probabilities (the layout of [design: packing][packing]).

    The same bits as ``pack_rows(encode_bits(probs, length, seed))``, built a
    block of inputs at a time: each block's LFSR windows are gathered once,
    compared with every row's thresholds and packed straight into the output
    bytes, so only block-sized temporaries (about ``_ENCODE_BLOCK_STATES``
    states) exist, and the all-ones fix-up runs only where a threshold needs it.

    Parameters
    ----------
    probs : ndarray
        ``float64`` ``(..., n)``; the last axis is the input index ``i``.

    Returns
    -------
    ndarray
        ``uint64`` of shape ``(..., n, ceil(length / 64))``.
    """
    _, pos = lfsr_tables()
    n = probs.shape[-1]
    n_words = n_words_for(length)
    rows = int(np.prod(probs.shape[:-1], dtype=np.int64))
    x = quantize(probs).reshape(rows, n)
    n_bytes = -(-length // 8)
    step = max(1, min(n, _ENCODE_BLOCK_STATES // max(1, length * rows)))
    # One block whose bytes fill whole words is packed straight into the result.
    direct = rows > 0 and n > 0 and step >= n and n_bytes == n_words * 8
    out = None if direct else np.zeros((rows, n, n_words * 8), dtype=np.uint8)
    if rows and n:
        start = pos[start_states(n, seed)]
        windows = np.lib.stride_tricks.sliding_window_view(
            _cycle_copies(1 + -(-length // PERIOD)), length)
        # Compare in uint16: states never exceed 65535, so x == 65536 means "always 1".
        thresholds = np.minimum(x, 65535).astype(np.uint16)[..., None]
        always = x == 65536
        for i0 in range(0, n, step):
            i1 = min(n, i0 + step)
            states = windows[start[i0:i1]]                 # (i1 - i0, length) uint16
            bits = states < thresholds[:, i0:i1]           # (rows, i1 - i0, length)
            if always[:, i0:i1].any():
                bits[always[:, i0:i1]] = True
            packed = np.packbits(bits, axis=-1, bitorder="little")
            if out is None:
                out = packed
            else:
                out[:, i0:i1, :n_bytes] = packed  # bytes past the stream stay 0
    assert out is not None  # packed by the single block when `direct`
    words = out.view("<u8").astype(np.uint64, copy=False)
    return words.reshape(probs.shape + (n_words,))


def encode_packed(probs: ArrayLike, length: int, seed: int = DEFAULT_SEED) -> np.ndarray:
    """Encode probabilities as packed LFSR bitstreams ([design: encoder][encoder]).

    Use it to build ``weights_packed`` from a probability matrix with the same
    encoder the inputs use.  Input ``i`` is seeded with ``seed + i``, so encode
    weights with a seed far from the input seed — e.g.
    ``encode_packed(W, length, seed=weight_seed(input_seed))``, see
    [`weight_seed`][sc_neurocore.accel.lfsr.weight_seed] — otherwise weight
    row ``o`` and the inputs start at the same register states, their streams
    are correlated and ``AND`` no longer estimates the product.

    Parameters
    ----------
    probs : array_like
        Probabilities in ``[0, 1]``, shape ``(n,)``, ``(rows, n)`` or any
        ``(..., n)``; the last axis is the input index that offsets the seed.
    length : int
        Stream length in bits (positive).
    seed : int, default 44257
        Base register seed in ``[0, 2**32)`` (44257 is ``0xACE1``).

    Returns
    -------
    numpy.ndarray
        ``uint64`` of shape ``probs.shape + (ceil(length / 64),)``.

    Raises
    ------
    ValueError
        On out-of-range or non-finite probabilities, bad ``length`` or ``seed``
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for non-real
        probabilities or a non-int ``length`` or ``seed``).
    """
    length = check_length(length)
    seed = check_seed(seed)
    arr = as_probabilities(probs, "probs", ndims=tuple(range(1, 33)))
    return encode_words(arr, length, seed)


def weight_seed(input_seed: int = DEFAULT_SEED) -> int:
    """A seed for weight streams that is decorrelated from ``input_seed``.

    It starts the weight registers half a state space (0x8000) away from the
    input registers, so for layers with fewer than 32768 inputs no weight
    stream starts at the same state as any input stream.

    Parameters
    ----------
    input_seed : int, default 44257
        The seed the inputs are encoded with, in ``[0, 2**32)``.

    Returns
    -------
    int
        ``(input_seed + 0x8000) % 2**32``.

    Raises
    ------
    ValueError
        If ``input_seed`` is outside ``[0, 2**32)``
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] if not an int).
    """
    return (check_seed(input_seed) + WEIGHT_SEED_OFFSET) % 2**32
