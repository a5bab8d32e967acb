"""The stream generators ([design: stream generators][stream-generators]): what each side of a product reads.

Every generator is a comparator generator: bit ``t`` of input ``i``'s stream is

    (sequence[(start[i] + t) mod period] ^ mask[i]) < threshold

where ``sequence`` is a table of 16-bit values read cyclically, ``start[i]``
where input ``i``'s window begins in it and ``mask[i]`` a 16-bit XOR applied
to every value the input reads.  A generator fixes, for each *role* (the
input side and the weight side of an AND product), which sequence is read and
how ``start`` and ``mask`` follow from the seed:

``"lfsr"`` (the default, the reference encoder)
    Both sides read the 16-bit Fibonacci LFSR (taps 16, 14, 13, 11) from
    register ``(seed + i) mod 65536`` (0 becomes 1); no mask.
``"lfsr_pair"``
    The input side is ``"lfsr"`` bit for bit; the weight side reads a second
    maximal-length register with another feedback polynomial (taps 16, 15,
    13, 4), started by the same rule, so no weight stream is a window of the
    inputs' cycle.
``"sobol"``
    The weight side reads coordinate 1 and the input side coordinate 2 of the
    2-D Sobol sequence as 16-bit integers, every input from the first point
    (``start = 0``), decorrelated from its neighbours by a digital shift:
    ``mask[i]`` is the top 16 bits of draw ``2 i + c`` (counted from 1) of
    SplitMix64 seeded with ``seed`` (``sc_neurocore.splitmix``), ``c`` the
    coordinate.  Values repeat with period 65536.

The tables are built once per process; everything is integer arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sc_neurocore._validation import GENERATORS, ROLES
from sc_neurocore.splitmix import SplitMix64

__all__ = ["LFSR_TAPS", "PAIR_TAPS", "PERIOD", "SEQUENCE_PERIODS", "SOBOL_BITS",
           "StreamLayout", "digital_shifts", "lfsr_next", "lfsr_tables", "register_step",
           "sequence_of", "sequence_values", "sobol_directions", "start_states",
           "stream_layout"]

PERIOD = 65535
"""Length of an LFSR cycle: every non-zero 16-bit state once."""
SOBOL_BITS = 16
"""Bits of a Sobol value: the sequence repeats after ``2**16`` points."""
LFSR_TAPS: tuple[int, ...] = (16, 14, 13, 11)
"""Feedback taps of the reference register (``x^16 + x^14 + x^13 + x^11 + 1``)."""
PAIR_TAPS: tuple[int, ...] = (16, 15, 13, 4)
"""Feedback taps of ``"lfsr_pair"``'s weight-side register (``x^16 + x^15 + x^13 + x^4 + 1``)."""

SEQUENCE_PERIODS: dict[str, int] = {
    "lfsr": PERIOD, "lfsr_pair": PERIOD, "sobol_1": 1 << SOBOL_BITS, "sobol_2": 1 << SOBOL_BITS}
"""Every sequence a generator reads, with its period."""

# (generator, role) -> the sequence that side reads.
_SEQUENCE_OF: dict[tuple[str, str], str] = {
    ("lfsr", "input"): "lfsr", ("lfsr", "weight"): "lfsr",
    ("lfsr_pair", "input"): "lfsr", ("lfsr_pair", "weight"): "lfsr_pair",
    ("sobol", "input"): "sobol_2", ("sobol", "weight"): "sobol_1",
}
assert {g for g, _ in _SEQUENCE_OF} == set(GENERATORS)
assert {r for _, r in _SEQUENCE_OF} == set(ROLES)

_REGISTER_TAPS = {"lfsr": LFSR_TAPS, "lfsr_pair": PAIR_TAPS}
_SOBOL_COORDINATE = {"sobol_1": 1, "sobol_2": 2}


def register_step(r: int, taps: tuple[int, ...]) -> int:
    """One step of a 16-bit Fibonacci register: shift left, feed back the XOR of the taps.

    Tap ``k`` reads bit ``k - 1`` of ``r`` (plain Python integers).
    """
    fb = 0
    for tap in taps:
        fb ^= r >> (tap - 1)
    return ((r << 1) | (fb & 1)) & 0xFFFF


def lfsr_next(r: int) -> int:
    """One step of the reference register: the next state after ``r`` (plain Python)."""
    fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1
    return ((r << 1) | fb) & 0xFFFF


@lru_cache(maxsize=2)
def _register_tables(taps: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``(states, position)`` of the register with ``taps``, from state 1 (read-only ``int64``)."""
    seq = np.empty(PERIOD, dtype=np.int64)
    # 65535 scalar steps, once per process and register.
    r = 1
    for k in range(PERIOD):
        seq[k] = r
        r = register_step(r, taps)
    if r != 1 or len(np.unique(seq)) != PERIOD:
        raise AssertionError(f"taps {taps} do not give a maximal-length register")
    pos = np.zeros(65536, dtype=np.int64)
    pos[seq] = np.arange(PERIOD, dtype=np.int64)
    seq.setflags(write=False)
    pos.setflags(write=False)
    return seq, pos


def lfsr_tables() -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sequence, position)`` of the reference LFSR cycle, computed once.

    ``sequence[k]`` is the state ``k`` steps after state 1 (``k < 65535``);
    ``position[s]`` is the ``k`` with ``sequence[k] == s`` (``position[0]`` unused).
    """
    return _register_tables(LFSR_TAPS)


def sobol_directions(coordinate: int) -> tuple[int, ...]:
    """The 16-bit direction numbers ``V_1 .. V_16`` of Sobol coordinate 1 or 2.

    Sobol's construction (as Joe and Kuo tabulate it): coordinate ``c`` has a
    primitive polynomial of degree ``s`` and odd initial numbers ``m_1 ..
    m_s``; the other ``m_k`` follow from the recurrence the polynomial gives,
    and ``V_k = m_k * 2**(16 - k)``.  Coordinate 1 is the identity (every
    ``m_k = 1``: the van der Corput sequence, a bit reversal); coordinate 2
    has the polynomial ``x + 1`` (``s = 1``, ``m_1 = 1``), whose recurrence is
    ``m_k = 2 m_(k-1) XOR m_(k-1)``.
    """
    if coordinate == 1:
        m = [1] * SOBOL_BITS
    elif coordinate == 2:
        m = [1]
        while len(m) < SOBOL_BITS:
            m.append((m[-1] << 1) ^ m[-1])
    else:
        raise ValueError(f"coordinate must be 1 or 2, got {coordinate!r}")
    return tuple(mk << (SOBOL_BITS - k) for k, mk in enumerate(m, start=1))


def _sobol_values(coordinate: int) -> np.ndarray:
    """Point ``n`` of the coordinate for ``n < 2**16``: the XOR of ``V_k`` over the set bits
    ``k - 1`` of ``n`` (Sobol's definition, not the Gray-code order)."""
    n = np.arange(1 << SOBOL_BITS, dtype=np.int64)
    out = np.zeros_like(n)
    for k, v in enumerate(sobol_directions(coordinate)):
        out ^= ((n >> k) & 1) * v
    return out


@lru_cache(maxsize=4)
def sequence_values(sequence: str) -> np.ndarray:
    """The values of ``sequence`` over one period, ``uint16``, read-only (built once).

    Raises
    ------
    KeyError
        If ``sequence`` is not one of ``SEQUENCE_PERIODS``.
    """
    period = SEQUENCE_PERIODS[sequence]
    if sequence in _REGISTER_TAPS:
        values = _register_tables(_REGISTER_TAPS[sequence])[0]
    else:
        values = _sobol_values(_SOBOL_COORDINATE[sequence])
    out = values.astype(np.uint16)
    assert out.shape == (period,)
    out.setflags(write=False)
    return out


def sequence_of(generator: str, role: str) -> str:
    """The sequence the ``role`` side of ``generator`` reads (checked names)."""
    return _SEQUENCE_OF[generator, role]


def start_states(n_inputs: int, seed: int) -> np.ndarray:
    """Register seeds ``r_i = (seed + i) mod 65536`` with 0 replaced by 1."""
    r = (seed + np.arange(n_inputs, dtype=np.int64)) % 65536
    r[r == 0] = 1
    return r


def digital_shifts(n_inputs: int, seed: int, coordinate: int) -> np.ndarray:
    """``uint16`` XOR masks of Sobol ``coordinate`` (1 or 2) for inputs ``0 .. n_inputs - 1``.

    Input ``i``'s mask is the top 16 bits of draw ``2 i + coordinate``
    (counted from 1) of ``SplitMix64(seed)``.
    """
    draws = SplitMix64(seed).u64s(2 * n_inputs)
    out: np.ndarray = (draws[coordinate - 1::2] >> np.uint64(48)).astype(np.uint16)
    return out


@dataclass(frozen=True)
class StreamLayout:
    """Where each input's stream reads its sequence.

    Attributes
    ----------
    sequence : str
        The sequence read (a key of ``SEQUENCE_PERIODS``).
    start : ndarray
        ``int64`` ``(n,)``: input ``i``'s first position, in ``[0, period)``.
    mask : ndarray
        ``uint16`` ``(n,)``: what input ``i`` XORs every value with.
    """

    sequence: str
    start: np.ndarray
    mask: np.ndarray


def stream_layout(generator: str, role: str, n_inputs: int, seed: int) -> StreamLayout:
    """The layout of ``n_inputs`` streams of one side of ``generator`` (checked arguments)."""
    sequence = sequence_of(generator, role)
    if sequence in _REGISTER_TAPS:
        _, pos = _register_tables(_REGISTER_TAPS[sequence])
        start = np.ascontiguousarray(pos[start_states(n_inputs, seed)])
        return StreamLayout(sequence, start, np.zeros(n_inputs, dtype=np.uint16))
    return StreamLayout(sequence, np.zeros(n_inputs, dtype=np.int64),
                        digital_shifts(n_inputs, seed, _SOBOL_COORDINATE[sequence]))
