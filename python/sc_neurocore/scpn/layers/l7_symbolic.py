"""SCPN L7: the geometric-symbolic layer (stochastic implementation).

Layer 7 of the SCPN stack holds geometric and symbolic representations: a
ring of symbol activations whose sacred-geometry metrics (golden-ratio (Phi)
alignment, Fibonacci alignment, Metatron's-Cube flow, Platonic coherence) and
an 8-D state's alignment with the E8 root system make up a symbolic health; a
ring of TCM meridians carrying Qi, driven by the ecological layer (L6); the
classical acupoints; a glyph vector for the layers above; and a stochastic
bitstream per symbol.

The public names of the reference project's module (``PHI``,
``L7_StochasticParameters``, ``L7_SymbolicLayer`` with its class constants,
state attributes, ``step`` and accessors, ``logger``) behave as it documents.
On top, every rule is exactly specified below, so that the Rust mirror
(``rust/mirror/src/safety/l7_symbolic/``) reproduces it: bit for bit where
only correctly rounded operations are involved, within ``rtol 1e-12`` for
what goes through ``exp`` (the Phi alignment) or the normals of the E8 random
walk (``log``, ``cos``). Both are checked against
``parity/golden/l7_symbolic.txt``. The documentation page
(docs/safety/l7_symbolic.md) lists where this module departs from the
reference's code, and why.

Conventions
-----------
* ``seqsum(x)``: the left-to-right sum ``(((x[0] + x[1]) + x[2]) + ...)``;
  ``mean(x) = seqsum(x) / len(x)``; ``std(x) = sqrt(mean((x - mean(x))**2))``
  (population).
* ``clip01(x) = 0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)``.
* Ring indices are taken mod the ring's length. ``s`` is the activations
  sorted in descending order.
* The neutral value of a metric the activations cannot define is ``0.5``.

Metrics
-------
[`phi_alignment`][sc_neurocore.scpn.layers.l7_symbolic.phi_alignment],
[`fibonacci_alignment`][sc_neurocore.scpn.layers.l7_symbolic.fibonacci_alignment],
[`metatron_flow`][sc_neurocore.scpn.layers.l7_symbolic.metatron_flow],
[`platonic_coherence`][sc_neurocore.scpn.layers.l7_symbolic.platonic_coherence],
[`e8_alignment`][sc_neurocore.scpn.layers.l7_symbolic.e8_alignment] and
[`symbolic_health`][sc_neurocore.scpn.layers.l7_symbolic.symbolic_health]:

* Phi: if ``s[1] > 0.01``, ``exp(-mean(|s[i] / (s[i+1] + 1e-8) - PHI|))`` over
  the consecutive pairs, else neutral.
* Fibonacci: neutral with fewer than 8 symbols; ``t = s[:8]``; neutral if
  ``t[0] <= 0.01`` or all eight are equal; else ``(r + 1) / 2`` with ``r``
  the Pearson correlation of ``t`` with ``(21, 13, 8, 5, 3, 2, 1, 1)``:
  ``dt = t - mean(t)``, ``df = profile - 6.75``,
  ``r = seqsum(dt * df) / sqrt(seqsum(dt * dt) * 349.5)`` clipped to ``[-1, 1]``.
* Metatron: ``k = min(13, n)``, ``m`` = how many of ``a[:k]`` exceed ``0.5``,
  ``0.9 * (m / k) + 0.1 * u`` with ``u`` one uniform draw.
* Platonic: ``seqsum(1.0 - std(a[:min(v, n)]) for v in (4, 8, 6, 20, 12)) / 5``.
* E8: neutral for the zero state, else ``max_r |r . e| / (|r| |e|)`` over the
  240 roots, computed as ``mx = max|e|``, ``u = e / mx``,
  ``den = sqrt(2.0 * seqsum(u * u))``, ``min(1.0, |seqsum_k(r[k] * u[k])| / den)``.
* Health: ``min(1.0, t / W)`` with ``t = seqsum(w_k * m_k)`` and
  ``W = seqsum(w_k)`` over (Phi, Fibonacci, Metatron, Platonic, E8).

One step
--------
One [`L7_SymbolicLayer.step`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.step].
Everything is checked first (a refused step changes nothing). With ``a`` the
symbol activations, ``c = symbol_coupling``, ``decay = symbol_decay``:

1. ``time = time + dt``;
2. drive ([`drive_symbols`][sc_neurocore.scpn.layers.l7_symbolic.drive_symbols]):
   ``a = clip01(a + 0.2 * x)`` with ``x`` the first ``n_symbols`` values of
   ``symbol_input``;
3. the Phi, Fibonacci, Metatron (draws one uniform), Platonic and E8 metrics
   of ``a`` and of ``e8_state``;
4. E8 random walk: ``e8_state = clip(e8_state + (0.1 * z) * dt, -1, 1)`` with
   ``z`` eight normals;
5. ``symbolic_health`` from the five metrics and the weights;
6. Qi ([`update_meridian_qi`][sc_neurocore.scpn.layers.l7_symbolic.update_meridian_qi]):
   ``q[i] = qi[i] + ((qi[i-1] - qi[i]) * c) * dt``, times
   ``1.0 + ecological_coupling * effect`` when the L6 effect
   ([`l6_symbolic_effect`][sc_neurocore.scpn.layers.l7_symbolic.l6_symbolic_effect]) is not
   zero, then ``clip01``;
7. acupoints ([`update_acupoints`][sc_neurocore.scpn.layers.l7_symbolic.update_acupoints]):
   each stimulus ``p[id] = clip01(p[id] + intensity)``, then every
   ``p[i] = p[i] * (1.0 - decay * dt)``;
8. ``glyph_vector = (Phi, Fibonacci, Metatron, Platonic, E8, health)``;
9. ring ([`diffuse_symbols`][sc_neurocore.scpn.layers.l7_symbolic.diffuse_symbols]):
   ``a[i] = clip01((a[i] + (c * ((a[i-1] + a[i+1]) / 2 - a[i])) * dt) * (1.0 - decay * dt))``;
10. bitstreams: bit ``t`` of symbol ``i`` is ``1`` when the ``(i * L + t)``-th
    of the next ``n_symbols * L`` uniforms is ``< a[i]`` (``L = bitstream_length``).

``dt`` must be finite and ``> 0`` with ``decay * dt <= 1`` and ``c * dt <= 1``,
which makes every update a convex combination (stable).

Randomness
----------
Each layer owns one ``SplitMix64(seed)`` (``seed = rng_seed``, or 64 bits
from the operating system when it is ``None``;
[`L7_SymbolicLayer.seed`][sc_neurocore.scpn.layers.l7_symbolic.L7_SymbolicLayer.seed]).
Construction draws ``n_symbols`` uniforms (initial activations, times 0.3)
then 8 (initial ``e8_state``, times 0.5); each step draws 1 uniform
(Metatron), 8 normals (two words each) and ``n_symbols * bitstream_length``
uniforms (bitstreams), in that order. Nothing else draws.

Examples
--------
>>> from sc_neurocore.scpn.layers.l7_symbolic import (L7_StochasticParameters,
...                                                    L7_SymbolicLayer, e8_alignment)
>>> e8_alignment([0.5] * 8)
1.0
>>> layer = L7_SymbolicLayer(L7_StochasticParameters(n_symbols=16, bitstream_length=64,
...                                                  rng_seed=7))
>>> out = layer.step(0.01, acupoint_stimulus={4: 0.5})
>>> out["output_bitstreams"].shape, out["output_bitstreams"].dtype
((16, 64), dtype('uint8'))
>>> round(layer.get_acupoint_map()["LI4_Hegu"], 6)
0.49975
>>> 0.0 <= layer.get_global_metric() <= 1.0
True
"""

from __future__ import annotations

import logging

from ._l7.e8 import E8_DIM, N_E8_ROOTS, e8_alignment, e8_root_alignments, e8_roots
from ._l7.geometry import (
                           FIBONACCI,
                           PHI,
                           PLATONIC_VERTICES,
                           fibonacci_alignment,
                           metatron_flow,
                           phi_alignment,
                           platonic_coherence,
)
from ._l7.glyph import GLYPH_DIMENSIONS, normalize_glyph, symbolic_health
from ._l7.layer import L7_SymbolicLayer, L7StepResult
from ._l7.meridians import (
                           ACUPOINT_INDICES,
                           acupoint_map,
                           l6_symbolic_effect,
                           update_acupoints,
                           update_meridian_qi,
)
from ._l7.params import MAX_SIZE, MAX_STEP_BITS, L7_StochasticParameters
from ._l7.symbols import diffuse_symbols, drive_symbols

__all__ = [
    "PHI", "FIBONACCI", "PLATONIC_VERTICES", "ACUPOINT_INDICES", "E8_DIM", "N_E8_ROOTS",
    "GLYPH_DIMENSIONS", "MAX_SIZE", "MAX_STEP_BITS", "L7_StochasticParameters",
    "L7_SymbolicLayer", "L7StepResult", "phi_alignment", "fibonacci_alignment",
    "metatron_flow", "platonic_coherence", "e8_roots", "e8_root_alignments", "e8_alignment",
    "symbolic_health", "normalize_glyph", "l6_symbolic_effect", "update_meridian_qi",
    "update_acupoints", "acupoint_map", "drive_symbols", "diffuse_symbols",
]

logger = logging.getLogger(__name__)
"""The module's logger (the reference defines it; nothing here logs)."""
