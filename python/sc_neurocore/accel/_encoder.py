"""The encoder front ([design: encoder][encoder]): the operands every backend's encoder reads.

Every backend encodes a probability the same way: bit ``t`` of input ``i`` in
batch row ``b`` is ``(cycle[start[i] + t] ^ mask[i]) < thresholds[b, i]``, where

* ``cycle`` is the sequence of the stream generator's side being encoded,
  repeated so that every window of ``start[i] + window`` values is one
  contiguous slice;
* ``start[i]`` is where input ``i``'s window begins in it;
* ``mask[i]`` is a 16-bit XOR applied to every value input ``i`` reads (0 for
  the LFSR generators);
* ``thresholds[b, i]`` is the quantised probability, in ``[0, 65536]``
  (65536 exceeds every value: the stream is all ones).

``encoder_operands`` builds them once, on the host, for every backend (NumPy,
Numba, CuPy and JAX read the same arrays; the Rust engine and the research
mirrors implement the same rule).  This module is where a stream generator
plugs in: ``sc_neurocore.accel._generators`` says, per generator and side
(``role``), which sequence is read and where each input starts and with which
mask ([design: stream generators][stream-generators]); the default, the 16-bit
Fibonacci LFSR (taps 16, 14, 13, 11), visits all 65535 non-zero states in one
cycle, so the stream of every input is a rotation of one shared sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sc_neurocore._validation import DEFAULT_GENERATOR, check_seed

from ._generators import (
    PERIOD,
    SEQUENCE_PERIODS,
    lfsr_next,
    lfsr_tables,
    sequence_values,
    start_states,
    stream_layout,
)

__all__ = ["DEFAULT_SEED", "PERIOD", "WEIGHT_SEED_OFFSET", "EncoderOperands", "cycle_copies",
           "encoder_operands", "lfsr_next", "lfsr_tables", "quantize", "start_states",
           "stream_states", "weight_seed"]

DEFAULT_SEED = 0xACE1
"""The default encoder seed, 44257 (``0xACE1``)."""
WEIGHT_SEED_OFFSET = 0x8000
"""How far ``weight_seed`` moves the weight registers from the input registers."""


def quantize(probs: np.ndarray) -> np.ndarray:
    """``x = clip(round_half_even(p * 65536), 0, 65536)`` as ``int64``."""
    scaled = np.asarray(np.multiply(probs, 65536.0))
    np.rint(scaled, out=scaled)
    # The clip as two ufuncs in place (numpy.clip's wrapper costs more than
    # the work on a layer's inputs).
    np.minimum(scaled, 65536.0, out=scaled)
    np.maximum(scaled, 0.0, out=scaled)
    return scaled.astype(np.int64)


@lru_cache(maxsize=8)
def cycle_copies(copies: int, sequence: str = "lfsr") -> np.ndarray:
    """``sequence`` repeated ``copies`` times as ``uint16`` (read-only), so any window is a slice."""
    out = np.tile(sequence_values(sequence), copies)
    out.setflags(write=False)
    return out


def copies_for(window: int, sequence: str) -> int:
    """Copies of ``sequence`` that hold every window of ``window`` values from any start."""
    return 1 + -(-window // SEQUENCE_PERIODS[sequence])


@dataclass(frozen=True)
class EncoderOperands:
    """What every backend's encoder reads (see the module docstring for the rule).

    Attributes
    ----------
    thresholds : ndarray
        ``int64`` ``(..., n_in)``, C-contiguous: quantised probabilities in ``[0, 65536]``.
    start : ndarray
        ``int64`` ``(n_in,)``, C-contiguous: where input ``i``'s window begins in ``cycle``.
    mask : ndarray
        ``uint16`` ``(n_in,)``, C-contiguous: the XOR input ``i`` applies to its values.
    cycle : ndarray
        ``uint16``, read-only: the sequence's values, ``copies`` periods long.
    copies : int
        How many periods ``cycle`` holds.
    length : int
        Stream length in bits.
    sequence : str
        The sequence ``cycle`` repeats (with ``copies``, a cache key for copies
        kept on a device).
    """

    thresholds: np.ndarray
    start: np.ndarray
    mask: np.ndarray
    cycle: np.ndarray
    copies: int
    length: int
    sequence: str = "lfsr"

    @property
    def masked(self) -> bool:
        """Whether any input XORs its values (an encoder may skip the XOR when not)."""
        return bool(self.mask.any())


def encoder_operands(probs: np.ndarray, length: int, seed: int, window: int | None = None, *,
                     generator: str = DEFAULT_GENERATOR, role: str = "input") -> EncoderOperands:
    """The encoder operands of already-validated arguments.

    Parameters
    ----------
    probs : ndarray
        ``float64`` ``(..., n_in)`` probabilities in ``[0, 1]``; the last axis
        is the input index ``i`` that offsets the seed.
    length : int
        Stream length in bits (positive).
    seed : int
        Encoder seed in ``[0, 2**32)``.
    window : int, optional
        The most values a backend reads from one start (default ``length``;
        e.g. whole words, ``ceil(length / 64) * 64``, for a kernel that
        compares a word's 64 values at once).
    generator : str, default "lfsr"
        The stream generator (a checked name).
    role : str, default "input"
        Which side of the generator: ``"input"`` or ``"weight"`` (checked).

    Returns
    -------
    EncoderOperands
        Its ``cycle`` holds every window ``[start[i], start[i] + window)``.
    """
    layout = stream_layout(generator, role, probs.shape[-1], seed)
    copies = copies_for(length if window is None else window, layout.sequence)
    return EncoderOperands(np.ascontiguousarray(quantize(probs)), layout.start, layout.mask,
                           cycle_copies(copies, layout.sequence), copies, length,
                           layout.sequence)


# States gathered per step of `stream_states` (a cache-sized block of inputs).
_STATES_BLOCK = 1 << 22


def stream_states(n_inputs: int, length: int, seed: int,
                  positions: np.ndarray | None = None, *, first: int = 0,
                  generator: str = DEFAULT_GENERATOR, role: str = "input") -> np.ndarray:
    """The states the streams of inputs ``first .. first + n_inputs - 1`` compare with their thresholds.

    Bit ``t`` of input ``i`` (seeded with ``seed``) is ``states[i, t] <
    threshold``, with ``states[i, t] = cycle[start[i] + t] ^ mask[i]`` of
    ``generator``'s ``role`` side (the module docstring); this is what a
    prepared layer ([design: prepared layers][prepared-layers]) sorts on the
    weight side and gathers, in its own order, on the input side.

    Parameters
    ----------
    n_inputs : int
        Number of inputs ``i`` (each offsets the seed).
    positions : ndarray, optional
        Unsigned integers ``(n_inputs, m)``, each below ``length``: return the
        states at these stream positions of each input instead of at ``0 ..
        length - 1``.
    first : int, default 0
        The first input's index ``i``.
    length, seed, generator, role
        As in ``encoder_operands``.

    Returns
    -------
    ndarray
        ``uint16`` ``(n_inputs, length)``, or ``(n_inputs, m)`` with
        ``positions``: ``states[r, j]`` is the state of input ``first + r``'s
        stream at position ``j`` (or ``positions[r, j]``).
    """
    layout = stream_layout(generator, role, first + n_inputs, seed)
    start, mask = layout.start[first:], layout.mask[first:, None]
    cycle = cycle_copies(copies_for(length, layout.sequence), layout.sequence)
    masked = bool(mask.any())
    if positions is None:  # each input's states are one window of the cycle
        windows = np.lib.stride_tricks.sliding_window_view(cycle, length)
        states = np.ascontiguousarray(windows[start])
        if masked:
            states ^= mask
        return states
    out = np.empty(positions.shape, dtype=np.uint16)
    step = max(1, _STATES_BLOCK // max(1, positions.shape[1]))
    for i0 in range(0, n_inputs, step):
        i1 = min(n_inputs, i0 + step)
        np.take(cycle, start[i0:i1, None] + positions[i0:i1].astype(np.int64), out=out[i0:i1])
        if masked:
            out[i0:i1] ^= mask[i0:i1]
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
