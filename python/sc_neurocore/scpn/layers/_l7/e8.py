"""The E8 root system and the alignment of the layer's 8-D E8 state with it."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore._validation import as_real_array

from .arith import F64, seqsum
from .geometry import NEUTRAL

E8_DIM: Final = 8
"""Dimension of the E8 state (the rank of E8)."""
N_E8_ROOTS: Final = 240
"""Number of roots of E8."""


def _build_roots() -> F64:
    roots: list[list[float]] = []
    for i in range(E8_DIM):
        for j in range(i + 1, E8_DIM):
            for si in (-1.0, 1.0):
                for sj in (-1.0, 1.0):
                    r = [0.0] * E8_DIM
                    r[i], r[j] = si, sj
                    roots.append(r)
    for mask in range(256):
        if bin(mask).count("1") % 2 == 0:
            roots.append([-0.5 if (mask >> k) & 1 else 0.5 for k in range(E8_DIM)])
    table = np.array(roots, dtype=np.float64)
    table.setflags(write=False)
    return table


_ROOTS: Final = _build_roots()


def e8_roots() -> npt.NDArray[np.float64]:
    """The 240 roots of E8 as a ``(240, 8)`` ``float64`` array.

    Returns
    -------
    ndarray
        A fresh copy, in this order: the 112 roots ``±e_i ± e_j`` (pairs
        ``i < j`` in lexicographic order, signs ``(-,-), (-,+), (+,-), (+,+)``
        for each pair), then the 128 roots ``0.5 * (±1, ..., ±1)`` with an even
        number of minus signs (masks ``0..255`` of even popcount in increasing
        order, bit ``k`` set meaning component ``k`` is ``-0.5``). Every root
        has squared length 2.
    """
    return np.copy(_ROOTS)


def _root_alignments(e: F64) -> F64:
    """[`e8_root_alignments`][sc_neurocore.scpn.layers.l7_symbolic.e8_root_alignments] of a
    checked ``(8,)`` vector.
    """
    mx = float(np.max(np.abs(e)))
    if mx == 0.0:
        return np.zeros(N_E8_ROOTS, dtype=np.float64)
    u = e / mx
    den = math.sqrt(2.0 * seqsum(u * u))
    d = _ROOTS[:, 0] * u[0]
    for k in range(1, E8_DIM):
        d = d + _ROOTS[:, k] * u[k]
    out: F64 = np.minimum(1.0, np.abs(d) / den)
    return out


def e8_root_alignments(e8_state: ArrayLike) -> npt.NDArray[np.float64]:
    """``|r · e| / (|r| |e|)`` for each of the 240 roots ``r``, in
    [`e8_roots`][sc_neurocore.scpn.layers.l7_symbolic.e8_roots] order.

    Exactly: ``mx = max_k |e[k]|`` (all ``0.0`` when ``mx == 0``: the zero
    vector has no direction), ``u = e / mx``, ``den = sqrt(2.0 * seqsum(u * u))``,
    and for root ``r``: ``min(1.0, |seqsum_k(r[k] * u[k])| / den)``. Scaling by
    ``mx`` first keeps huge and subnormal states exact to the last bits.

    Parameters
    ----------
    e8_state : array_like
        The state ``e``: a finite real vector of shape ``(8,)``.

    Returns
    -------
    ndarray
        ``float64`` of shape ``(240,)``, each in ``[0, 1]``.

    Raises
    ------
    InputTypeError
        If ``e8_state`` does not hold real numbers.
    ValueError
        If it is not of shape ``(8,)`` or holds NaN/inf.
    """
    return _root_alignments(as_real_array(e8_state, "e8_state", shape=(E8_DIM,)))


def e8_alignment(e8_state: ArrayLike) -> float:
    """The E8 alignment: the largest ``|r̂ · ê|`` over the 240 roots, ``0.5`` for the zero state.

    Parameters
    ----------
    e8_state : array_like
        The state ``e`` to align, as for ``e8_root_alignments``.

    Returns
    -------
    float
        In ``[0, 1]``: exactly ``1.0`` for ``0.5 * (1, ..., 1)`` and for every
        root, ``1 / sqrt(2)`` (rounded) for a state along an axis; the neutral
        ``0.5`` when every component is zero (no direction to align).

    Raises
    ------
    InputTypeError, ValueError
        As [`e8_root_alignments`][sc_neurocore.scpn.layers.l7_symbolic.e8_root_alignments].
    """
    return alignment_of(as_real_array(e8_state, "e8_state", shape=(E8_DIM,)))


def alignment_of(e: F64) -> float:
    """[`e8_alignment`][sc_neurocore.scpn.layers.l7_symbolic.e8_alignment] of a checked state."""
    if not np.any(e != 0.0):
        return NEUTRAL
    return float(np.max(_root_alignments(e)))
