"""The sacred-geometry metrics of the symbol activations: golden-ratio (Phi)
alignment, Fibonacci alignment, Metatron's-Cube flow and Platonic coherence.

Each is a function of the activations alone (plus one uniform draw for the
Metatron flow), exactly specified (only ``math.exp`` in the Phi alignment is
not correctly rounded).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import check_real

from .arith import F64, descending, mean, pop_std, seqsum
from .checks import unit_values

PHI: Final = 1.618033988749895
"""The golden ratio ``(1 + sqrt(5)) / 2`` as a double (the one nearest it)."""
FIBONACCI: Final = (1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144)
"""The first twelve Fibonacci numbers; the Fibonacci alignment uses the first eight."""
PLATONIC_VERTICES: Final[Mapping[str, int]] = MappingProxyType(
    {"tetrahedron": 4, "cube": 8, "octahedron": 6, "dodecahedron": 20, "icosahedron": 12})
"""Vertex count of each Platonic solid, in the order the Platonic coherence averages them."""

NEUTRAL: Final = 0.5
"""The value a metric takes when the activations cannot define it."""
ACTIVITY_FLOOR: Final = 0.01
"""Phi and Fibonacci alignments need an activation above this (else they are neutral)."""
RATIO_GUARD: Final = 1e-8
"""Added to every denominator of the Phi ratios."""
METATRON_NODES: Final = 13
"""The spheres of Metatron's Cube: the first 13 symbols."""
METATRON_THRESHOLD: Final = 0.5
"""A Metatron node is active when its activation exceeds this."""

# The eight-term Fibonacci profile in the order of a descending sort, and its
# deviations from its mean 54 / 8 = 6.75 (every value exact).
_FIB_PROFILE = np.array(FIBONACCI[:8][::-1], dtype=np.float64)
_FIB_DEV: Final = _FIB_PROFILE - 6.75
_FIB_SS: Final = seqsum(_FIB_DEV * _FIB_DEV)  # 349.5, exact
_FIB_TERMS: Final = 8


def phi_alignment(activations: ArrayLike) -> float:
    """How closely consecutive sorted activations fall by the golden ratio.

    With ``s`` the activations sorted in descending order: when
    ``s[1] > 0.01``, ``d[i] = |s[i] / (s[i+1] + 1e-8) - PHI|`` for every
    consecutive pair and the alignment is ``exp(-mean(d))``; otherwise it is
    the neutral ``0.5``.

    Parameters
    ----------
    activations : array_like
        The values whose consecutive ratios are compared with ``PHI``: 1-D, at least
        2 of them, each finite and in ``[0, 1]``.

    Returns
    -------
    float
        In ``(0, 1]``; ``1`` for a profile that falls by ``PHI`` from each
        value to the next (up to the ``1e-8`` guard).

    Raises
    ------
    InputTypeError
        If the activations are not real numbers.
    ValueError
        If they are not 1-D, hold fewer than 2 values or a value outside ``[0, 1]``.
    """
    return phi_of(unit_values(activations, "activations", 2))


def phi_of(a: F64) -> float:
    """[`phi_alignment`][sc_neurocore.scpn.layers.l7_symbolic.phi_alignment] of checked values."""
    s = descending(a)
    if not s[1] > ACTIVITY_FLOOR:
        return NEUTRAL
    d = np.abs(s[:-1] / (s[1:] + RATIO_GUARD) - PHI)
    return math.exp(-mean(d))


def fibonacci_alignment(activations: ArrayLike) -> float:
    """How closely the eight largest activations follow the Fibonacci profile.

    ``t``: the 8 largest activations in descending order. The alignment is
    ``(r + 1) / 2`` for ``r`` the Pearson correlation of ``t`` with the
    profile ``(21, 13, 8, 5, 3, 2, 1, 1)`` (the first eight Fibonacci numbers
    in the same, descending, order): ``dt = t - mean(t)``,
    ``df = profile - 6.75``, ``r = seqsum(dt * df) / sqrt(seqsum(dt * dt) * 349.5)``,
    clipped to ``[-1, 1]``. It is the neutral ``0.5`` when there are fewer
    than 8 activations, when ``t[0] <= 0.01``, or when the eight are all equal
    (no correlation is defined).

    Parameters
    ----------
    activations : array_like
        The profile to correlate (its eight largest values): 1-D, non-empty, each
        finite and in ``[0, 1]``.

    Returns
    -------
    float
        In ``[0, 1]``; ``1`` for a profile proportional to ``(21, 13, 8, 5, 3, 2, 1, 1)``.

    Raises
    ------
    InputTypeError, ValueError
        If the activations are not real numbers, not 1-D, empty or outside ``[0, 1]``.
    """
    return fibonacci_of(unit_values(activations, "activations"))


def fibonacci_of(a: F64) -> float:
    """[`fibonacci_alignment`][sc_neurocore.scpn.layers.l7_symbolic.fibonacci_alignment] of
    checked values."""
    if a.size < _FIB_TERMS:
        return NEUTRAL
    t = descending(a)[:_FIB_TERMS]
    if not t[0] > ACTIVITY_FLOOR:
        return NEUTRAL
    dt = t - mean(t)
    sxx = seqsum(dt * dt)
    if sxx == 0.0:
        return NEUTRAL
    r = seqsum(dt * _FIB_DEV) / math.sqrt(sxx * _FIB_SS)
    r = min(1.0, max(-1.0, r))
    return (r + 1.0) / 2.0


def metatron_flow(activations: ArrayLike, noise: ArrayLike) -> float:
    """The Metatron's-Cube flow: the active share of the 13 Metatron nodes, plus noise.

    ``k = min(13, n)`` nodes (the first ``k`` symbols); ``m`` of them have an
    activation ``> 0.5``; the flow is ``0.9 * (m / k) + 0.1 * noise``.

    Parameters
    ----------
    activations : array_like
        The node activations (the first 13 are the nodes): 1-D, non-empty, each
        finite and in ``[0, 1]``.
    noise : float
        In ``[0, 1]``: the layer draws it uniformly from ``[0, 1)``.

    Returns
    -------
    float
        The flow, in ``[0, 1]``.

    Raises
    ------
    InputTypeError
        If an argument does not hold real numbers.
    ValueError
        If the activations are not 1-D, are empty or out of range, or ``noise``
        is outside ``[0, 1]``.
    """
    a = unit_values(activations, "activations")
    return metatron_of(a, check_real(noise, "noise", minimum=0.0, maximum=1.0))


def metatron_of(a: F64, u: float) -> float:
    """[`metatron_flow`][sc_neurocore.scpn.layers.l7_symbolic.metatron_flow] of checked values."""
    k = min(METATRON_NODES, a.size)
    active = int(np.count_nonzero(a[:k] > METATRON_THRESHOLD))
    return 0.9 * (active / k) + 0.1 * u


def platonic_coherence(activations: ArrayLike) -> float:
    """The Platonic coherence: how evenly the vertices of each Platonic solid are activated.

    For each solid of ``v`` vertices, in the order of ``PLATONIC_VERTICES``
    (4, 8, 6, 20, 12): ``c = 1 - std(a[:min(v, n)])`` with the population
    standard deviation ``sqrt(seqsum((x - mean(x))**2) / len(x))``; the
    coherence is ``seqsum(c) / 5``.

    Parameters
    ----------
    activations : array_like
        The vertex activations (solid by solid, from the first): 1-D, non-empty,
        each finite and in ``[0, 1]``.

    Returns
    -------
    float
        In ``[0.5, 1]``; ``1`` when the first 20 activations are all equal.

    Raises
    ------
    InputTypeError
        If the activations are not real numbers.
    ValueError
        If they are not 1-D, are empty or hold a value outside ``[0, 1]``.
    """
    return platonic_of(unit_values(activations, "activations"))


def platonic_of(a: F64) -> float:
    """[`platonic_coherence`][sc_neurocore.scpn.layers.l7_symbolic.platonic_coherence] of
    checked values."""
    terms = np.array([1.0 - pop_std(a[:min(v, a.size)]) for v in PLATONIC_VERTICES.values()])
    return mean(terms)
