"""The symbolic layer (L7) of the stochastic SCPN stack.

L7 holds ``n_symbols`` symbol activations in ``[0, 1]`` on a ring, driven from
outside, diffused to their ring neighbours and decaying; it condenses them
into an 8-D state vector whose alignment with the E8 root system is one of
its metrics, and it emits every activation as a stochastic bitstream made by
the project's own LFSR encoder
([`sc_neurocore.accel.encode_packed`][sc_neurocore.accel.lfsr.encode_packed]).

Everything here is exactly specified so that the Rust mirror
(``rust/mirror/src/safety/l7_symbolic.rs``) reproduces it **bit for bit**; both
are checked against ``parity/golden/l7_symbolic.txt``. Only IEEE-754 basic
operations (``+ - * /``, ``sqrt``, comparisons), all correctly rounded, are
used, in the order written below; no ``pow``, ``log`` or ``exp``.

Conventions
-----------
* ``seqsum(x)``: the left-to-right sum in index order,
  ``(((x[0] + x[1]) + x[2]) + ...)`` starting from the first term (never a
  pairwise or BLAS sum); the sum of one term is that term.
* ``mean(x) = seqsum(x) / len(x)``.
* ``clip01(x) = 0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)`` (so ``-0.0``
  becomes ``+0.0``).
* Ring indices are taken mod ``n``.
* Arcs: a ring of ``n`` symbols cut into ``p`` parts gives part ``k`` the
  symbols ``[k*n // p, (k+1)*n // p)`` (integer division; ``p <= n``, so every
  part is non-empty).

Symbol dynamics
---------------
One [`update_activations`][sc_neurocore.scpn.layers.l7_symbolic.update_activations] (and so
one [`L7_SymbolicLayer.step`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.step]),
with ``a`` the activations, ``decay = symbol_decay``, ``c = symbol_coupling``:

1. drive (only when ``symbol_input`` is given): ``a[i] = clip01(a[i] + symbol_input[i])``;
2. ring diffusion, every ``i`` from the driven ``a`` at once:
   ``m[i] = (a[i-1] + a[i+1]) * 0.5``; ``a[i] = a[i] + (c * (m[i] - a[i])) * dt``;
3. decay: ``f = 1.0 - decay * dt``; ``a[i] = a[i] * f``;
4. clip: ``a[i] = clip01(a[i])``.

``dt`` must be finite and ``> 0`` with ``decay * dt <= 1`` and ``c * dt <= 1``
(the products as doubles), which makes steps 2 and 3 convex combinations.

The 8-D state vector
--------------------
[`state_vector`][sc_neurocore.scpn.layers.l7_symbolic.state_vector] gives
``b[k] = mean(a[arc k of 8])`` for ``k = 0..7`` (needs ``n_symbols >= 8``), and
``e[k] = b[k] + l6_input[k]`` when an ``l6_input`` of shape ``(8,)`` is given,
else ``e[k] = b[k]``.

The meridian ring
-----------------
``n_meridians = M`` meridians cut the symbol ring into ``M`` arcs;
``meridian_activity[j] = mean(a[arc j of M])``.
[`L7_SymbolicLayer.stimulate_meridian`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.stimulate_meridian]
``(i, intensity)`` sets ``a[s] = clip01(a[s] + intensity)`` for every symbol ``s`` of arc ``i``, at
once (its effect shows in the metrics of the next step).

Metrics
-------
* **E8 alignment** ([`e8_alignment`][sc_neurocore.scpn.layers.l7_symbolic.e8_alignment]). The
  240 roots of E8, in this order ([`e8_roots`][sc_neurocore.scpn.layers.l7_symbolic.e8_roots]):
  the 112 roots ``±e_i ± e_j`` for ``i < j`` in lexicographic order, signs
  ``(+,+), (+,-), (-,+), (-,-)`` for each pair; then the 128 roots ``0.5 * (±1)^8`` with an even
  number of minus signs, for the masks ``0..255`` with an even popcount in increasing order, bit
  ``k`` set meaning component ``k`` is ``-0.5``. Every root has ``|r|^2 = 2``.
  For ``e``: ``mx = max_k |e[k]|``; if ``mx == 0.0`` every alignment is
  ``0.0`` (the zero vector has no direction). Otherwise ``u[k] = e[k] / mx``,
  ``s = seqsum(u[k] * u[k])``, ``den = sqrt(2.0 * s)``, and for root ``r``:
  ``d_r = seqsum_k(r[k] * u[k])``, ``align_r = min(1.0, |d_r| / den)``
  ([`e8_root_alignments`][sc_neurocore.scpn.layers.l7_symbolic.e8_root_alignments]).
  ``e8_alignment = max_r align_r``, i.e. ``max_r |r̂ · e / |e||``. Examples:
  ``e = 0.5 * (1, ..., 1)`` and ``e`` equal to any root give exactly ``1.0``.
* **Golden-ratio regularity**
  ([`golden_ratio_regularity`][sc_neurocore.scpn.layers.l7_symbolic.golden_ratio_regularity]).
  ``PHI = 1.618033988749895`` (the double nearest ``(1 + sqrt 5) / 2``). Sort the activations in
  descending order, ``s[0] >= s[1] >= ...``; for every ``i`` with ``s[i+1] > 0.0``:
  ``q[i] = s[i] / s[i+1]``, ``dev[i] = abs(q[i] - PHI) / PHI``. With no such ``i`` (fewer than two
  positive activations) the regularity is ``0.0``; otherwise
  ``D = mean(dev)`` and the regularity is ``1.0 / (1.0 + D)``, in ``[0, 1]``,
  ``1`` for a profile that falls by ``PHI`` from each value to the next (a
  ratio that overflows to ``inf``, e.g. ``1 / 1e-310``, makes it ``0.0``).
* **Fibonacci correlation**
  ([`fibonacci_correlation`][sc_neurocore.scpn.layers.l7_symbolic.fibonacci_correlation]). The
  lags are the distinct Fibonacci numbers ``1, 2, 3, 5, 8, 13, ...`` below ``n``
  ([`fibonacci_lags`][sc_neurocore.scpn.layers.l7_symbolic.fibonacci_lags]). It is ``0.0`` when
  there is no lag or when every activation is equal (``max == min``). Otherwise
  ``mu = mean(a)``, ``d[i] = a[i] - mu``, ``den = seqsum(d[i] * d[i])`` (``0.0`` -> the result
  is ``0.0``); per lag ``L`` in increasing order the circular autocorrelation
  ``rho[L] = seqsum_i(d[i] * d[(i+L) mod n]) / den``; the result is
  ``min(1.0, max(-1.0, mean(rho)))``, in ``[-1, 1]``.
* **Health score** ([`health_score`][sc_neurocore.scpn.layers.l7_symbolic.health_score]), the
  layer's global metric. With ``A`` the alignment, ``G`` the regularity, ``C`` the correlation
  and the weights ``w_e8, w_golden, w_fibonacci``: ``p = C if C > 0.0 else 0.0``;
  ``t = ((w_e8 * A) + (w_golden * G)) + (w_fibonacci * p)``;
  ``W = (w_e8 + w_golden) + w_fibonacci``; ``health = min(1.0, t / W)``.

Bitstreams and randomness
-------------------------
* Initial activations: ``SplitMix64(rng_seed).uniforms(n_symbols)`` — one
  generator per layer, seeded with ``rng_seed``, drawn once at construction
  (``n_symbols`` words, one per symbol in index order) and then dropped. No
  other call draws from SplitMix64.
* Step ``t`` (``t = 0`` for the first step) emits the bitstreams of the
  activations after the update, ``encode_packed(a, bitstream_length, seed_t)``
  unpacked to ``(n_symbols, bitstream_length)`` ``uint8``, with
  ``seed_t = (rng_seed + t * n_symbols) mod 2**32``. The encoder seeds the
  register of symbol ``i`` with ``(seed_t + i) mod 65536`` (0 -> 1), so for the
  first ``65536 // n_symbols`` steps no two streams start in the same state.

Examples
--------
>>> from sc_neurocore.scpn.layers.l7_symbolic import L7_SymbolicLayer, e8_alignment
>>> e8_alignment([0.5] * 8)
1.0
>>> layer = L7_SymbolicLayer()
>>> out = layer.step(0.1)
>>> out["bitstreams"].shape, out["bitstreams"].dtype
((128, 1024), dtype('uint8'))
>>> 0.0 <= layer.get_global_metric() <= 1.0
True
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Final, TypedDict

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore.accel._packing import unpack_rows
from sc_neurocore.accel._validation import (SEED_LIMIT, as_probabilities, as_real_array,
                                            check_int, check_real)
from sc_neurocore.accel.lfsr import encode_packed
from sc_neurocore.splitmix import SplitMix64

__all__ = [
    "E8_DIM", "N_E8_ROOTS", "PHI", "L7_StochasticParameters", "L7_SymbolicLayer",
    "L7StepResult", "arc_bounds", "bitstream_seed", "e8_alignment", "e8_root_alignments",
    "e8_roots", "fibonacci_correlation", "fibonacci_lags", "golden_ratio_regularity",
    "health_score", "state_vector", "update_activations",
]

E8_DIM: Final = 8
"""Dimension of the state vector (the rank of E8)."""
N_E8_ROOTS: Final = 240
"""Number of roots of E8."""
PHI: Final = 1.618033988749895
"""The golden ratio as a double: the one nearest ``(1 + sqrt(5)) / 2``."""


# --------------------------------------------------------------------------- validation

def _activations(values: object, name: str = "activations") -> npt.NDArray[np.float64]:
    """A non-empty 1-D array of activations, each finite and in ``[0, 1]``."""
    arr: npt.NDArray[np.float64] = as_probabilities(values, name, ndims=(1,))
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one value, got shape {arr.shape}")
    return arr


def _check_dt(dt: object, symbol_decay: float, symbol_coupling: float) -> float:
    """``dt`` finite, ``> 0``, with ``symbol_decay * dt <= 1`` and ``symbol_coupling * dt <= 1``."""
    step = check_real(dt, "dt", positive=True)
    if symbol_decay * step > 1.0:
        raise ValueError(f"dt must satisfy symbol_decay * dt <= 1 (decay factor >= 0), got "
                         f"dt = {step} with symbol_decay = {symbol_decay}")
    if symbol_coupling * step > 1.0:
        raise ValueError(f"dt must satisfy symbol_coupling * dt <= 1 (stable diffusion), got "
                         f"dt = {step} with symbol_coupling = {symbol_coupling}")
    return step


# --------------------------------------------------------------------------- exact arithmetic

def _seqsum(x: npt.NDArray[np.float64]) -> float:
    """Left-to-right sum in index order (``np.cumsum`` is sequential, unlike ``np.sum``)."""
    return float(np.cumsum(x)[-1])


def _clip01(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)``, elementwise (``-0.0`` -> ``0.0``)."""
    out: npt.NDArray[np.float64] = np.where(x <= 0.0, 0.0, np.where(x >= 1.0, 1.0, x))
    return out


def arc_bounds(n: int, parts: int) -> list[tuple[int, int]]:
    """The arcs of a ring of ``n`` symbols cut into ``parts`` parts.

    Part ``k`` is ``[k * n // parts, (k + 1) * n // parts)``.

    Parameters
    ----------
    n : int
        Number of symbols (``>= 1``).
    parts : int
        Number of arcs, in ``[1, n]`` (so that none is empty).

    Returns
    -------
    list of (int, int)
        ``(start, stop)`` of each arc, in order.

    Raises
    ------
    TypeError, ValueError
        If ``n < 1`` or ``parts`` is outside ``[1, n]``.
    """
    n = check_int(n, "n", minimum=1)
    parts = check_int(parts, "parts", minimum=1, below=n + 1)
    return [(k * n // parts, (k + 1) * n // parts) for k in range(parts)]


def _arc_means(a: npt.NDArray[np.float64], parts: int) -> npt.NDArray[np.float64]:
    """``mean`` of each arc of ``a`` (already validated, ``parts <= a.size``)."""
    n = a.size
    means = []
    for k in range(parts):
        lo, hi = k * n // parts, (k + 1) * n // parts
        means.append(_seqsum(a[lo:hi]) / (hi - lo))
    return np.array(means, dtype=np.float64)


# --------------------------------------------------------------------------- E8

def _build_roots() -> npt.NDArray[np.float64]:
    roots: list[list[float]] = []
    for i in range(E8_DIM):
        for j in range(i + 1, E8_DIM):
            for si, sj in ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)):
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
    """The 240 roots of E8 as a ``(240, 8)`` ``float64`` array, in the module's order.

    Returns
    -------
    ndarray
        A fresh copy: the 112 roots ``±e_i ± e_j`` (pairs ``i < j`` in
        lexicographic order, signs ``(+,+), (+,-), (-,+), (-,-)``), then the
        128 roots ``0.5 * (±1)^8`` with an even number of minus signs (masks
        with even popcount in increasing order; bit ``k`` -> component ``k``
        negative).
    """
    return np.copy(_ROOTS)


def _root_alignments(e: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """[`e8_root_alignments`][sc_neurocore.scpn.layers.l7_symbolic.e8_root_alignments] of a
    validated ``(8,)`` vector.
    """
    mx = float(np.max(np.abs(e)))
    if mx == 0.0:
        return np.zeros(N_E8_ROOTS, dtype=np.float64)
    u = e / mx
    den = math.sqrt(2.0 * _seqsum(u * u))
    d = _ROOTS[:, 0] * u[0]
    for k in range(1, E8_DIM):
        d = d + _ROOTS[:, k] * u[k]
    out: npt.NDArray[np.float64] = np.minimum(1.0, np.abs(d) / den)
    return out


def e8_root_alignments(e: ArrayLike) -> npt.NDArray[np.float64]:
    """``|r̂ · e / |e||`` for each of the 240 roots ``r``, in
    [`e8_roots`][sc_neurocore.scpn.layers.l7_symbolic.e8_roots] order.

    Computed as the module docstring states: ``u = e / max|e|``,
    ``den = sqrt(2.0 * seqsum(u * u))``, ``min(1.0, |seqsum_k(r[k] * u[k])| / den)``;
    all ``0.0`` for the zero vector.

    Parameters
    ----------
    e : array_like
        Finite real vector of shape ``(8,)``.

    Returns
    -------
    ndarray
        ``float64`` of shape ``(240,)``, each in ``[0, 1]``.

    Raises
    ------
    TypeError
        If ``e`` does not hold real numbers.
    ValueError
        If ``e`` is not of shape ``(8,)`` or holds NaN/inf.
    """
    return _root_alignments(as_real_array(e, "e", shape=(E8_DIM,)))


def e8_alignment(e: ArrayLike) -> float:
    """The E8 alignment ``max_r |r̂ · e / |e||`` of an 8-D vector (``0.0`` for ``e = 0``).

    Parameters
    ----------
    e : array_like
        Finite real vector of shape ``(8,)``.

    Returns
    -------
    float
        In ``[0, 1]``; exactly ``1.0`` for ``0.5 * (1, ..., 1)`` and for every root.

    Raises
    ------
    TypeError, ValueError
        As [`e8_root_alignments`][sc_neurocore.scpn.layers.l7_symbolic.e8_root_alignments].
    """
    return float(np.max(e8_root_alignments(e)))


# --------------------------------------------------------------------------- other metrics

def _golden_regularity(a: npt.NDArray[np.float64]) -> float:
    s = np.sort(a)[::-1]
    positive = int(np.count_nonzero(s[1:] > 0.0))  # the pairs with s[i+1] > 0 are a prefix
    if positive == 0:
        return 0.0
    with np.errstate(over="ignore"):  # 1 / subnormal -> inf: deviation inf, regularity 0
        q = s[:positive] / s[1:positive + 1]
    dev = np.abs(q - PHI) / PHI
    return 1.0 / (1.0 + _seqsum(dev) / positive)


def golden_ratio_regularity(activations: ArrayLike) -> float:
    """How closely consecutive sorted activations fall by the golden ratio.

    Descending sort ``s``; for each ``i`` with ``s[i+1] > 0``:
    ``dev[i] = abs(s[i] / s[i+1] - PHI) / PHI``; result ``1.0 / (1.0 + mean(dev))``,
    or ``0.0`` with fewer than two positive activations.

    Parameters
    ----------
    activations : array_like
        Non-empty 1-D array, each value finite and in ``[0, 1]``.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError, ValueError
        On non-real values, another rank, an empty array or a value outside ``[0, 1]``.
    """
    return _golden_regularity(_activations(activations))


def fibonacci_lags(n: int) -> list[int]:
    """The distinct Fibonacci numbers ``1, 2, 3, 5, 8, ...`` below ``n``.

    Parameters
    ----------
    n : int
        Ring size (``>= 0``).

    Returns
    -------
    list of int
        In increasing order; empty for ``n <= 1``.

    Raises
    ------
    TypeError, ValueError
        If ``n`` is not an int ``>= 0``.
    """
    n = check_int(n, "n", minimum=0)
    lags: list[int] = []
    f, g = 1, 2
    while f < n:
        lags.append(f)
        f, g = g, f + g
    return lags


def _fibonacci_correlation(a: npt.NDArray[np.float64]) -> float:
    n = a.size
    lags = fibonacci_lags(n)
    if not lags or float(np.max(a)) == float(np.min(a)):
        return 0.0
    d = a - _seqsum(a) / n
    den = _seqsum(d * d)
    if den == 0.0:
        return 0.0
    rho = np.array([_seqsum(d * np.roll(d, -lag)) / den for lag in lags], dtype=np.float64)
    return min(1.0, max(-1.0, _seqsum(rho) / len(lags)))


def fibonacci_correlation(activations: ArrayLike) -> float:
    """Mean circular autocorrelation of the activations at the Fibonacci lags below ``n``.

    ``d = a - mean(a)``, ``rho[L] = seqsum(d[i] * d[(i+L) mod n]) / seqsum(d * d)``,
    result ``min(1, max(-1, mean(rho)))``; ``0.0`` with no lag (``n <= 1``), equal
    activations or a zero denominator.

    Parameters
    ----------
    activations : array_like
        Non-empty 1-D array, each value finite and in ``[0, 1]``.

    Returns
    -------
    float
        In ``[-1, 1]``.

    Raises
    ------
    TypeError, ValueError
        As [`golden_ratio_regularity`][sc_neurocore.scpn.layers.l7_symbolic.golden_ratio_regularity].
    """
    return _fibonacci_correlation(_activations(activations))


def _check_weights(weight_e8: object, weight_golden: object,
                   weight_fibonacci: object) -> tuple[float, float, float]:
    w = (check_real(weight_e8, "weight_e8", minimum=0.0),
         check_real(weight_golden, "weight_golden", minimum=0.0),
         check_real(weight_fibonacci, "weight_fibonacci", minimum=0.0))
    total = (w[0] + w[1]) + w[2]
    if not (total > 0.0 and math.isfinite(total)):
        raise ValueError("weight_e8, weight_golden and weight_fibonacci must have a finite "
                         f"sum > 0, got {w[0]}, {w[1]}, {w[2]} (sum {total})")
    return w


def _health(alignment: float, regularity: float, correlation: float,
            weights: tuple[float, float, float]) -> float:
    p = correlation if correlation > 0.0 else 0.0
    t = ((weights[0] * alignment) + (weights[1] * regularity)) + (weights[2] * p)
    return min(1.0, t / ((weights[0] + weights[1]) + weights[2]))


def health_score(alignment: float, regularity: float, correlation: float, *,
                 weight_e8: float = 0.4, weight_golden: float = 0.3,
                 weight_fibonacci: float = 0.3) -> float:
    """The weighted health score: ``min(1, (w_e8 A + w_golden G + w_fibonacci max(C, 0)) / W)``.

    Exactly ``t = ((w_e8 * A) + (w_golden * G)) + (w_fibonacci * p)`` with
    ``p = C if C > 0.0 else 0.0``, ``W = (w_e8 + w_golden) + w_fibonacci``.

    Parameters
    ----------
    alignment : float
        E8 alignment ``A`` in ``[0, 1]``.
    regularity : float
        Golden-ratio regularity ``G`` in ``[0, 1]``.
    correlation : float
        Fibonacci correlation ``C`` in ``[-1, 1]`` (only its positive part counts).
    weight_e8, weight_golden, weight_fibonacci : float
        Finite weights ``>= 0`` with a finite sum ``> 0``.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If one is NaN/inf or out of range, or the weights sum to 0.
    """
    a = check_real(alignment, "alignment", minimum=0.0, maximum=1.0)
    g = check_real(regularity, "regularity", minimum=0.0, maximum=1.0)
    c = check_real(correlation, "correlation", minimum=-1.0, maximum=1.0)
    return _health(a, g, c, _check_weights(weight_e8, weight_golden, weight_fibonacci))


# --------------------------------------------------------------------------- state

def _state_vector(a: npt.NDArray[np.float64], l6_input: npt.NDArray[np.float64] | None) -> npt.NDArray[np.float64]:
    b = _arc_means(a, E8_DIM)
    return b if l6_input is None else b + l6_input


def state_vector(activations: ArrayLike,
                 l6_input: ArrayLike | None = None) -> npt.NDArray[np.float64]:
    """The 8-D state vector: the means of 8 arcs of the activations, plus ``l6_input``.

    ``e[k] = mean(a[k*n//8 : (k+1)*n//8]) (+ l6_input[k])``.

    Parameters
    ----------
    activations : array_like
        1-D, at least 8 values, each finite and in ``[0, 1]``.
    l6_input : array_like, optional
        Finite real vector of shape ``(8,)`` from layer 6, added component-wise.

    Returns
    -------
    ndarray
        ``float64`` of shape ``(8,)``.

    Raises
    ------
    TypeError, ValueError
        On bad activations (fewer than 8 too) or a bad ``l6_input``.
    """
    a = _activations(activations)
    if a.size < E8_DIM:
        raise ValueError(f"activations must hold at least {E8_DIM} values, got {a.size}")
    l6 = None if l6_input is None else as_real_array(l6_input, "l6_input", shape=(E8_DIM,))
    return _state_vector(a, l6)


def _update(a: npt.NDArray[np.float64], dt: float, decay: float, coupling: float, drive: npt.NDArray[np.float64] | None) -> npt.NDArray[np.float64]:
    if drive is not None:
        a = _clip01(a + drive)
    m = (np.roll(a, 1) + np.roll(a, -1)) * 0.5
    a = a + (coupling * (m - a)) * dt
    a = a * (1.0 - decay * dt)
    return _clip01(a)


def update_activations(activations: ArrayLike, dt: float, *, symbol_decay: float,
                       symbol_coupling: float,
                       symbol_input: ArrayLike | None = None) -> npt.NDArray[np.float64]:
    """One update of the symbol ring: drive and clip, diffusion, decay, clip.

    Exactly (module docstring): ``a = clip01(a + symbol_input)`` if given;
    ``a[i] += (symbol_coupling * ((a[i-1] + a[i+1]) * 0.5 - a[i])) * dt``;
    ``a *= 1.0 - symbol_decay * dt``; ``a = clip01(a)``.

    Parameters
    ----------
    activations : array_like
        Non-empty 1-D array, each value finite and in ``[0, 1]``.
    dt : float
        Time step: finite, ``> 0``, ``symbol_decay * dt <= 1``, ``symbol_coupling * dt <= 1``.
    symbol_decay, symbol_coupling : float
        Finite and ``>= 0``.
    symbol_input : array_like, optional
        External drive, finite reals of the activations' shape.

    Returns
    -------
    ndarray
        The new activations (``float64``, same shape), each in ``[0, 1]``.

    Raises
    ------
    TypeError, ValueError
        On any argument outside the above (naming it).
    """
    a = _activations(activations)
    decay = check_real(symbol_decay, "symbol_decay", minimum=0.0)
    coupling = check_real(symbol_coupling, "symbol_coupling", minimum=0.0)
    step = _check_dt(dt, decay, coupling)
    drive = (None if symbol_input is None
             else as_real_array(symbol_input, "symbol_input", shape=(a.size,)))
    return _update(a, step, decay, coupling, drive)


def bitstream_seed(rng_seed: int, step: int, n_symbols: int) -> int:
    """The encoder seed of step ``step``: ``(rng_seed + step * n_symbols) mod 2**32``.

    Parameters
    ----------
    rng_seed : int
        In ``[0, 2**32)``.
    step : int
        The number of steps taken before this one (``>= 0``).
    n_symbols : int
        ``>= 1``.

    Returns
    -------
    int
        In ``[0, 2**32)``.

    Raises
    ------
    TypeError, ValueError
        If an argument is out of range.
    """
    rng_seed = check_int(rng_seed, "rng_seed", minimum=0, below=SEED_LIMIT)
    step = check_int(step, "step", minimum=0)
    n_symbols = check_int(n_symbols, "n_symbols", minimum=1)
    return (rng_seed + step * n_symbols) % SEED_LIMIT


# --------------------------------------------------------------------------- the layer

@dataclass
class L7_StochasticParameters:
    """Parameters of
    [`L7_SymbolicLayer`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer], checked when
    made and when a layer is built.

    Attributes
    ----------
    n_symbols : int, default 128
        Symbols on the ring (``>= 8``: the state vector averages 8 arcs).
    bitstream_length : int, default 1024
        Bits per output stream (``>= 1``).
    n_meridians : int, default 12
        Meridian arcs, in ``[1, n_symbols]``.
    weight_e8 : float, default 0.4
        Health-score weight of the E8 alignment; the three weights are finite,
        ``>= 0``, with a finite sum ``> 0``.
    weight_golden : float, default 0.3
        Health-score weight of the golden-ratio regularity.
    weight_fibonacci : float, default 0.3
        Health-score weight of the Fibonacci correlation.
    symbol_decay : float, default 0.05
        Decay rate (per unit time), finite, ``>= 0``.
    symbol_coupling : float, default 0.1
        Ring diffusion rate (per unit time), finite, ``>= 0``.
    rng_seed : int, default 42
        In ``[0, 2**32)``: seeds the initial activations and the bitstreams.

    Raises
    ------
    TypeError
        If a field has the wrong type (an int field given a float, a ``bool``...).
    ValueError
        If a field is NaN/inf or out of range (the message names it).
    """

    n_symbols: int = 128
    bitstream_length: int = 1024
    n_meridians: int = 12
    weight_e8: float = 0.4
    weight_golden: float = 0.3
    weight_fibonacci: float = 0.3
    symbol_decay: float = 0.05
    symbol_coupling: float = 0.1
    rng_seed: int = 42

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check every field (again, e.g. after one was reassigned) and normalise its type.

        Raises
        ------
        TypeError, ValueError
            As the class documents.
        """
        self.n_symbols = check_int(self.n_symbols, "n_symbols", minimum=E8_DIM)
        self.bitstream_length = check_int(self.bitstream_length, "bitstream_length", minimum=1)
        self.n_meridians = check_int(self.n_meridians, "n_meridians", minimum=1,
                                     below=self.n_symbols + 1)
        self.weight_e8, self.weight_golden, self.weight_fibonacci = _check_weights(
            self.weight_e8, self.weight_golden, self.weight_fibonacci)
        self.symbol_decay = check_real(self.symbol_decay, "symbol_decay", minimum=0.0)
        self.symbol_coupling = check_real(self.symbol_coupling, "symbol_coupling", minimum=0.0)
        self.rng_seed = check_int(self.rng_seed, "rng_seed", minimum=0, below=SEED_LIMIT)

    @property
    def weights(self) -> tuple[float, float, float]:
        """``(weight_e8, weight_golden, weight_fibonacci)``."""
        return (self.weight_e8, self.weight_golden, self.weight_fibonacci)


class L7StepResult(TypedDict):
    """What
    [`L7_SymbolicLayer.step`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.step]
    returns (fresh arrays, in this key order).
    """

    step: int
    bitstream_seed: int
    activations: npt.NDArray[np.float64]
    state_vector: npt.NDArray[np.float64]
    meridian_activity: npt.NDArray[np.float64]
    e8_alignment: float
    golden_regularity: float
    fibonacci_correlation: float
    health_score: float
    bitstreams: npt.NDArray[np.uint8]


class L7_SymbolicLayer:
    """The symbolic layer: a ring of symbol activations, its metrics and its bitstreams.

    Exact rules: the module docstring. Construction draws the initial
    activations from ``SplitMix64(rng_seed)`` and evaluates the metrics once,
    so [`get_global_metric`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.get_global_metric]
    is defined before the first step.

    Parameters
    ----------
    params : L7_StochasticParameters, optional
        Defaults to ``L7_StochasticParameters()``; validated again and copied,
        so later changes to the caller's object do not reach the layer.

    Raises
    ------
    TypeError
        If ``params`` is not an
        [`L7_StochasticParameters`][sc_neurocore.scpn.layers.l7_symbolic.L7_StochasticParameters].
    ValueError
        If one of its fields is out of range.
    """

    def __init__(self, params: L7_StochasticParameters | None = None) -> None:
        if params is None:
            params = L7_StochasticParameters()
        if not isinstance(params, L7_StochasticParameters):
            raise TypeError("params must be an L7_StochasticParameters or None, got "
                            f"{type(params).__name__}")
        self.params = dataclasses.replace(params)  # validates via __post_init__
        p = self.params
        self._a: npt.NDArray[np.float64] = SplitMix64(p.rng_seed).uniforms(p.n_symbols)
        self._steps = 0
        self._e: npt.NDArray[np.float64] = _state_vector(self._a, None)
        self._metrics = self._evaluate()

    # ------------------------------------------------------------------ state access

    @property
    def activations(self) -> npt.NDArray[np.float64]:
        """A copy of the current symbol activations, ``(n_symbols,)`` in ``[0, 1]``."""
        return np.copy(self._a)

    @property
    def state_vector(self) -> npt.NDArray[np.float64]:
        """A copy of the 8-D state vector of the last step (or of construction)."""
        return np.copy(self._e)

    @property
    def step_count(self) -> int:
        """The number of steps taken."""
        return self._steps

    def meridian_activity(self) -> npt.NDArray[np.float64]:
        """The mean activation of each meridian arc, ``(n_meridians,)``."""
        return _arc_means(self._a, self.params.n_meridians)

    # ------------------------------------------------------------------ dynamics

    def _evaluate(self) -> tuple[float, float, float, float]:
        align = float(np.max(_root_alignments(self._e)))
        regularity = _golden_regularity(self._a)
        correlation = _fibonacci_correlation(self._a)
        health = _health(align, regularity, correlation, self.params.weights)
        return align, regularity, correlation, health

    def step(self, dt: float, l6_input: ArrayLike | None = None,
             symbol_input: ArrayLike | None = None) -> L7StepResult:
        """Advance the layer by ``dt`` and return its metrics and bitstreams.

        Order: validate everything (nothing changes on an error); update the
        activations
        ([`update_activations`][sc_neurocore.scpn.layers.l7_symbolic.update_activations]); state
        vector from the new activations and ``l6_input``; metrics; bitstreams of the new
        activations with seed ``(rng_seed + t * n_symbols) mod 2**32``, ``t`` the number of
        earlier steps.

        Parameters
        ----------
        dt : float
            Finite, ``> 0``, with ``symbol_decay * dt <= 1`` and ``symbol_coupling * dt <= 1``.
        l6_input : array_like, optional
            Finite reals of shape ``(8,)``, added to the state vector.
        symbol_input : array_like, optional
            Finite reals of shape ``(n_symbols,)``, added to the activations
            (then clipped to ``[0, 1]``).

        Returns
        -------
        L7StepResult
            ``step`` (steps taken, this one included), ``bitstream_seed``,
            ``activations``, ``state_vector``, ``meridian_activity``,
            ``e8_alignment``, ``golden_regularity``, ``fibonacci_correlation``,
            ``health_score`` and ``bitstreams`` (``uint8``
            ``(n_symbols, bitstream_length)``).

        Raises
        ------
        TypeError, ValueError
            On a bad argument (naming it).
        """
        p = self.params
        step = _check_dt(dt, p.symbol_decay, p.symbol_coupling)
        l6 = None if l6_input is None else as_real_array(l6_input, "l6_input", shape=(E8_DIM,))
        drive = (None if symbol_input is None
                 else as_real_array(symbol_input, "symbol_input", shape=(p.n_symbols,)))
        seed = bitstream_seed(p.rng_seed, self._steps, p.n_symbols)
        self._a = _update(self._a, step, p.symbol_decay, p.symbol_coupling, drive)
        self._steps += 1
        self._e = _state_vector(self._a, l6)
        self._metrics = self._evaluate()
        bits = unpack_rows(encode_packed(self._a, p.bitstream_length, seed), p.bitstream_length)
        align, regularity, correlation, health = self._metrics
        return L7StepResult(
            step=self._steps, bitstream_seed=seed, activations=self._a.copy(),
            state_vector=self._e.copy(), meridian_activity=self.meridian_activity(),
            e8_alignment=align, golden_regularity=regularity,
            fibonacci_correlation=correlation, health_score=health, bitstreams=bits)

    def stimulate_meridian(self, i: int, intensity: float) -> None:
        """Add ``intensity`` to every symbol of meridian arc ``i``, clipped to ``[0, 1]``.

        Parameters
        ----------
        i : int
            Meridian index in ``[0, n_meridians)``.
        intensity : float
            Finite, in ``[-1, 1]`` (negative values inhibit).

        Raises
        ------
        TypeError
            If ``i`` is not an int or ``intensity`` not a real number.
        ValueError
            If ``i`` or ``intensity`` is out of range.
        """
        p = self.params
        i = check_int(i, "i", minimum=0, below=p.n_meridians)
        x = check_real(intensity, "intensity", minimum=-1.0, maximum=1.0)
        lo, hi = arc_bounds(p.n_symbols, p.n_meridians)[i]
        self._a[lo:hi] = _clip01(self._a[lo:hi] + x)

    # ------------------------------------------------------------------ metrics

    def get_global_metric(self) -> float:
        """The health score of the last step (or of the initial state), in ``[0, 1]``."""
        return self._metrics[3]

    def get_metrics(self) -> dict[str, float]:
        """The four metrics of the last step (or of the initial state), by name."""
        align, regularity, correlation, health = self._metrics
        return {"e8_alignment": align, "golden_regularity": regularity,
                "fibonacci_correlation": correlation, "health_score": health}

    def get_glyph_vector_normalized(self) -> npt.NDArray[np.float64]:
        """The state vector scaled to unit Euclidean length (zeros for the zero vector).

        Exactly: ``u = e / max|e|``, ``glyph = u / sqrt(seqsum(u * u))``.

        Returns
        -------
        ndarray
            ``float64`` of shape ``(8,)``.
        """
        mx = float(np.max(np.abs(self._e)))
        if mx == 0.0:
            return np.zeros(E8_DIM, dtype=np.float64)
        u = self._e / mx
        out: npt.NDArray[np.float64] = u / math.sqrt(_seqsum(u * u))
        return out
