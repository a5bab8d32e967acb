"""The encoder front ([design: encoder][encoder]): the operands every backend's encoder reads.

Every backend encodes a probability the same way: bit ``t`` of input ``i`` in
batch row ``b`` is ``cycle[start[i] + t] < thresholds[b, i]``, where

* ``cycle`` is the state sequence of the stream generator, repeated so that
  every window of ``start[i] + window`` states is one contiguous slice;
* ``start[i]`` is where input ``i``'s window begins in it (its seed state);
* ``thresholds[b, i]`` is the quantised probability, in ``[0, 65536]``
  (65536 exceeds every state: the stream is all ones).

``encoder_operands`` builds
them once, on the host, for every backend (NumPy, Numba, CuPy and JAX read
the same arrays; the Rust engine and the research mirrors implement the same
rule).  This module is where a stream generator lives: today the 16-bit
Fibonacci LFSR (taps 16, 14, 13, 11), which visits all 65535 non-zero states
in one cycle, so the stream of every input is a rotation of one shared
sequence.  A new generator is a new way to fill these operands, written here
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sc_neurocore._validation import check_seed

__all__ = ["DEFAULT_SEED", "PERIOD", "WEIGHT_SEED_OFFSET", "EncoderOperands", "cycle_copies",
           "encoder_operands", "lfsr_next", "lfsr_tables", "quantize", "start_states",
           "stream_states", "weight_seed"]

PERIOD = 65535
"""Length of the LFSR cycle: every non-zero 16-bit state once."""
DEFAULT_SEED = 0xACE1
"""The default encoder seed, 44257 (``0xACE1``)."""
WEIGHT_SEED_OFFSET = 0x8000
"""How far ``weight_seed`` moves the weight registers from the input registers."""


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
def cycle_copies(copies: int) -> np.ndarray:
    """The cycle repeated ``copies`` times as ``uint16`` (read-only), so any window is a slice."""
    seq, _ = lfsr_tables()
    out = np.tile(seq.astype(np.uint16), copies)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class EncoderOperands:
    """What every backend's encoder reads (see the module docstring for the rule).

    Attributes
    ----------
    thresholds : ndarray
        ``int64`` ``(..., n_in)``, C-contiguous: quantised probabilities in ``[0, 65536]``.
    start : ndarray
        ``int64`` ``(n_in,)``, C-contiguous: where input ``i``'s window begins in ``cycle``.
    cycle : ndarray
        ``uint16``, read-only: the generator's states, ``copies`` periods long.
    copies : int
        How many periods ``cycle`` holds (a cache key for copies kept on a device).
    length : int
        Stream length in bits.
    """

    thresholds: np.ndarray
    start: np.ndarray
    cycle: np.ndarray
    copies: int
    length: int


def encoder_operands(probs: np.ndarray, length: int, seed: int,
                     window: int | None = None) -> EncoderOperands:
    """The encoder operands of already-validated arguments.

    Parameters
    ----------
    probs : ndarray
        ``float64`` ``(..., n_in)`` probabilities in ``[0, 1]``; the last axis
        is the input index ``i`` that offsets the seed.
    length : int
        Stream length in bits (positive).
    seed : int
        Encoder seed in ``[0, 2**32)``; input ``i`` uses register ``seed + i``.
    window : int, optional
        The most states a backend reads from one start (default ``length``;
        e.g. whole words, ``ceil(length / 64) * 64``, for a kernel that
        compares a word's 64 states at once).

    Returns
    -------
    EncoderOperands
        Its ``cycle`` holds every window ``[start[i], start[i] + window)``.
    """
    _, pos = lfsr_tables()
    copies = 1 + -(-(length if window is None else window) // PERIOD)
    start = np.ascontiguousarray(pos[start_states(probs.shape[-1], seed)])
    return EncoderOperands(np.ascontiguousarray(quantize(probs)), start, cycle_copies(copies),
                           copies, length)


# States gathered per step of `stream_states` (a cache-sized block of inputs).
_STATES_BLOCK = 1 << 22


def stream_states(n_inputs: int, length: int, seed: int,
                  positions: np.ndarray | None = None, *, first: int = 0) -> np.ndarray:
    """The states the streams of inputs ``first .. first + n_inputs - 1`` compare with their thresholds.

    Bit ``t`` of input ``i`` (seeded with ``seed``) is ``states[i, t] <
    threshold``; this is what a prepared layer ([design: prepared
    layers][prepared-layers]) sorts on the weight side and gathers, in its
    own order, on the input side.

    Parameters
    ----------
    n_inputs : int
        Number of inputs ``i`` (each offsets the seed).
    length : int
        Stream length in bits (positive).
    seed : int
        Encoder seed in ``[0, 2**32)``.
    positions : ndarray, optional
        Unsigned integers ``(n_inputs, m)``, each below ``length``: return the
        states at these stream positions of each input instead of at ``0 ..
        length - 1``.

    first : int, default 0
        The first input's index ``i``.

    Returns
    -------
    ndarray
        ``uint16`` ``(n_inputs, length)``, or ``(n_inputs, m)`` with
        ``positions``: ``states[r, j]`` is the state of input ``first + r``'s
        stream at position ``j`` (or ``positions[r, j]``).
    """
    _, pos = lfsr_tables()
    start = pos[start_states(first + n_inputs, seed)[first:]]
    cycle = cycle_copies(1 + -(-length // PERIOD))
    if positions is None:  # each input's states are one window of the cycle
        windows = np.lib.stride_tricks.sliding_window_view(cycle, length)
        return np.ascontiguousarray(windows[start])
    out = np.empty(positions.shape, dtype=np.uint16)
    step = max(1, _STATES_BLOCK // max(1, positions.shape[1]))
    for i0 in range(0, n_inputs, step):
        i1 = min(n_inputs, i0 + step)
        np.take(cycle, start[i0:i1, None] + positions[i0:i1].astype(np.int64), out=out[i0:i1])
    return out


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
