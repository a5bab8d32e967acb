"""The cases of ``parity/golden/l7_symbolic.txt`` (ops and inputs: :mod:`.l7_symbolic`).

Inputs are exact: literals, SplitMix64 uniforms (exact by construction) and
values made from them by correctly rounded operations (a golden-ratio
profile by repeated division, never ``PHI ** -k``), so regenerating gives the
same file on every CPU. Cases are chosen so that changing any one constant of
the surface (``PHI``, the ``1e-8`` guards, the ``0.01`` floor, the Fibonacci
profile, the 13 Metatron nodes and the ``0.5`` threshold, the ``0.9``/``0.1``
split, each Platonic vertex count, each acupoint id, the ``0.2`` drive gain,
the initial scales, the E8 noise scale...) fails at least one case.
"""

from __future__ import annotations

import numpy as np
from sc_neurocore.scpn.layers import l7_symbolic as l7
from sc_neurocore.splitmix import SplitMix64

from ._builder import SafetyBuilder, f64, i64, strs, u8, u64

MAX = l7.MAX_SIZE


def _probe(seed: int, n: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """``n`` exactly reproducible doubles in ``[lo, hi)`` (SplitMix64 uniforms)."""
    return f64(lo + (hi - lo) * SplitMix64(seed).uniforms(n))


def _golden_profile(n: int) -> np.ndarray:
    """``1, 1/PHI, 1/PHI**2, ...`` by repeated (correctly rounded) division."""
    values = [1.0]
    for _ in range(n - 1):
        values.append(values[-1] / l7.PHI)
    return f64(values)


def _small(**extra: object) -> dict[str, object]:
    """The compact layer of the reference's contract tests (readable golden lines)."""
    params: dict[str, object] = {"n_symbols": i64(16), "n_meridians": i64(4),
                                 "n_acupoints": i64(16), "bitstream_length": i64(16),
                                 "rng_seed": u64(5)}
    params.update(extra)
    return params


# ------------------------------------------------------------------------------ E8

def _e8_cases(b: SafetyBuilder) -> None:
    roots = l7.e8_roots()
    b.valid("the 240 E8 roots in the documented order", "e8_roots")
    for seed in (1, 2, 3):
        b.valid(f"alignment with every root of a generic state (SplitMix64 seed {seed})",
                "e8_root_alignments", e8_state=_probe(seed, 8, -1.0, 1.0))
    b.valid("alignment with every root of 0.5*(1,...,1)", "e8_root_alignments",
            e8_state=f64([0.5] * 8))
    b.valid("alignment with every root of the zero state: all 0", "e8_root_alignments",
            e8_state=f64([0.0] * 8))
    b.valid("alignment with every root of a state with one dominant axis",
            "e8_root_alignments", e8_state=f64([3.0, -0.25, 0.125, 0.0, 1e-3, -2.0, 0.7, 0.1]))
    b.valid("e8_state = 0.5*(1,...,1) has alignment exactly 1", "e8_alignment",
            e8_state=f64([0.5] * 8))
    b.valid("the zero state: neutral 0.5", "e8_alignment", e8_state=f64([0.0] * 8))
    b.valid("-0.0 everywhere is the zero state: neutral 0.5", "e8_alignment",
            e8_state=f64([-0.0] * 8))
    for k in (0, 1, 2, 3, 27, 55, 111, 112, 113, 200, 239):
        b.valid(f"e8_state equal to root {k}", "e8_alignment", e8_state=roots[k].copy())
    b.valid("e8_state = 3.7 * root 40 (scaling does not matter)", "e8_alignment",
            e8_state=f64(3.7 * roots[40]))
    b.valid("e8_state along one axis: 1/sqrt(2)", "e8_alignment",
            e8_state=f64([0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0]))
    b.valid("e8_state = (1, 2, ..., 8)", "e8_alignment", e8_state=f64(np.arange(1.0, 9.0)))
    b.valid("huge components (scaled before squaring)", "e8_alignment",
            e8_state=f64([1e300, -1e300, 5e299, 0.0, 0.0, 0.0, 1e299, -3e299]))
    b.valid("subnormal components (scaled before squaring)", "e8_alignment",
            e8_state=f64([5e-324, 1e-320, 0.0, -2e-322, 0.0, 0.0, 0.0, 7e-323]))
    b.valid("one tiny component, the rest zero", "e8_alignment",
            e8_state=f64([0.0] * 7 + [-1e-300]))
    b.invalid("e8_state with 7 components", "WrongShape", "e8_alignment", e8_state=f64([0.5] * 7))
    b.invalid("e8_state with 9 components", "WrongShape",
              "e8_root_alignments", e8_state=f64([0.5] * 9))
    b.invalid("e8_state as a 2-D (2, 4) array", "WrongRank",
              "e8_alignment", e8_state=f64(np.full((2, 4), 0.5)))
    b.invalid("e8_state holding NaN", "NonFinite",
              "e8_alignment", e8_state=f64([0.5] * 7 + [np.nan]))
    b.invalid("e8_state holding inf", "NonFinite",
              "e8_root_alignments", e8_state=f64([np.inf] + [0.5] * 7))
    b.invalid("e8_state as strings", "WrongType", "e8_alignment", e8_state=strs(["a"] * 8))


# ------------------------------------------------------------------------------ geometry

def _phi_cases(b: SafetyBuilder) -> None:
    golden = _golden_profile(12)
    b.valid("Phi: a golden profile (each value PHI times the next)", "phi_alignment",
            activations=golden)
    b.valid("Phi: the golden profile shuffled (sorted first)", "phi_alignment",
            activations=f64(golden[[5, 0, 9, 2, 7, 1, 3, 8, 11, 4, 10, 6]]))
    b.valid("Phi: equal activations (every ratio about 1)", "phi_alignment",
            activations=f64([0.3] * 10))
    b.valid("Phi: all zeros, neutral", "phi_alignment", activations=f64([0.0] * 6))
    b.valid("Phi: second largest exactly 0.01, neutral", "phi_alignment",
            activations=f64([0.9, 0.01, 0.005]))
    b.valid("Phi: second largest just above 0.01", "phi_alignment",
            activations=f64([0.9, 0.010000000000000002, 0.005]))
    b.valid("Phi: zeros in the tail (ratios against the 1e-8 guard)", "phi_alignment",
            activations=f64([0.9, 0.5, 0.0, 0.0]))
    b.valid("Phi: three close values (the guard shifts each ratio)", "phi_alignment",
            activations=f64([0.8, 0.6, 0.5]))
    b.valid("Phi: two activations", "phi_alignment", activations=f64([0.25, 0.75]))
    b.valid("Phi: two activations at 1", "phi_alignment", activations=f64([1.0, 1.0]))
    b.valid("Phi: 128 SplitMix64 activations", "phi_alignment", activations=_probe(11, 128))
    b.valid("Phi: subnormal activations after two large ones", "phi_alignment",
            activations=f64([5e-324, 1e-323, 1.0, 0.5, 1e-310]))
    b.invalid("Phi: one activation (needs two)", "WrongShape",
              "phi_alignment", activations=f64([0.5]))
    b.invalid("Phi: no activation", "Empty", "phi_alignment", activations=f64([]))
    b.invalid("Phi: an activation above 1", "OutOfRange",
              "phi_alignment", activations=f64([0.5, 1.5]))
    b.invalid("Phi: a negative activation", "OutOfRange",
              "phi_alignment", activations=f64([0.5, -0.1]))
    b.invalid("Phi: a NaN activation", "NonFinite",
              "phi_alignment", activations=f64([0.5, np.nan, 0.2]))
    b.invalid("Phi: a 2-D array", "WrongRank",
              "phi_alignment", activations=f64(np.full((2, 3), 0.5)))
    b.invalid("Phi: strings", "WrongType", "phi_alignment", activations=strs(["0.5", "0.2"]))


def _fibonacci_cases(b: SafetyBuilder) -> None:
    profile = f64([21.0, 13.0, 8.0, 5.0, 3.0, 2.0, 1.0, 1.0]) / 21.0
    b.valid("Fibonacci: the Fibonacci profile itself (correlation 1)", "fibonacci_alignment",
            activations=profile)
    b.valid("Fibonacci: the profile in ascending order (sorted first)", "fibonacci_alignment",
            activations=f64(profile[::-1]))
    b.valid("Fibonacci: the profile with smaller values after it (only the top 8 count)",
            "fibonacci_alignment", activations=f64(list(profile) + [0.03, 0.02, 0.0, 0.04]))
    b.valid("Fibonacci: a linear ramp", "fibonacci_alignment",
            activations=f64([0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]))
    b.valid("Fibonacci: one spike and a flat rest", "fibonacci_alignment",
            activations=f64([0.9] + [0.2] * 7))
    b.valid("Fibonacci: seven equal and one low (negative correlation)", "fibonacci_alignment",
            activations=f64([0.6] * 7 + [0.1]))
    b.valid("Fibonacci: 128 SplitMix64 activations", "fibonacci_alignment",
            activations=_probe(12, 128))
    b.valid("Fibonacci: 7 activations, neutral", "fibonacci_alignment",
            activations=_probe(13, 7))
    b.valid("Fibonacci: exactly 8 activations", "fibonacci_alignment",
            activations=_probe(14, 8))
    b.valid("Fibonacci: saturated activations (no correlation defined), neutral",
            "fibonacci_alignment", activations=f64([1.0] * 16))
    b.valid("Fibonacci: the top 8 equal, the rest lower, neutral", "fibonacci_alignment",
            activations=f64([0.7] * 8 + [0.2] * 8))
    b.valid("Fibonacci: largest exactly 0.01, neutral", "fibonacci_alignment",
            activations=f64([0.01, 0.005] + [0.0] * 6))
    b.valid("Fibonacci: largest just above 0.01", "fibonacci_alignment",
            activations=f64([0.010000000000000002, 0.005] + [0.0] * 6))
    b.invalid("Fibonacci: no activation", "Empty", "fibonacci_alignment", activations=f64([]))
    b.invalid("Fibonacci: a NaN", "NonFinite",
              "fibonacci_alignment", activations=f64([0.5, np.nan] * 4))
    b.invalid("Fibonacci: a 2-D array", "WrongRank", "fibonacci_alignment",
              activations=f64(np.full((4, 4), 0.5)))
    b.invalid("Fibonacci: an activation above 1", "OutOfRange", "fibonacci_alignment",
              activations=f64([1.25] + [0.5] * 7))


def _metatron_platonic_cases(b: SafetyBuilder) -> None:
    # Nodes 0..12: 6 above 0.5, one exactly 0.5 (not active); node 13 onwards all 1.
    twenty = f64([0.9, 0.1, 0.6, 0.5, 0.51, 0.2, 1.0, 0.0, 0.7, 0.3, 0.55, 0.4, 0.49]
                 + [1.0] * 7)
    for noise in (0.0, 0.5, 0.9999999999999999):
        b.valid(f"Metatron: 6 of the 13 nodes active, noise {noise}", "metatron_flow",
                activations=twenty, noise=noise)
    b.valid("Metatron: 5 symbols (k = 5), 3 active", "metatron_flow",
            activations=f64([0.6, 0.2, 0.8, 0.9, 0.5]), noise=0.25)
    b.valid("Metatron: 13 active nodes and noise 1 give 1", "metatron_flow",
            activations=f64([1.0] * 13), noise=1.0)
    b.valid("Metatron: 128 SplitMix64 activations", "metatron_flow",
            activations=_probe(15, 128), noise=float(SplitMix64(16).uniform()))
    b.invalid("Metatron: negative noise", "OutOfRange",
              "metatron_flow", activations=twenty, noise=-0.1)
    b.invalid("Metatron: noise above 1", "OutOfRange",
              "metatron_flow", activations=twenty, noise=1.5)
    b.invalid("Metatron: NaN noise", "NonFinite", "metatron_flow", activations=twenty, noise=np.nan)
    b.invalid("Metatron: noise as a string", "WrongType",
              "metatron_flow", activations=twenty, noise="0.5")
    b.invalid("Metatron: no activation", "Empty", "metatron_flow", activations=f64([]), noise=0.5)
    b.invalid("Metatron: an activation above 1", "OutOfRange", "metatron_flow",
              activations=f64([0.5, 2.0]), noise=0.5)

    b.valid("Platonic: 25 SplitMix64 activations (every solid counts)", "platonic_coherence",
            activations=_probe(17, 25))
    b.valid("Platonic: 128 SplitMix64 activations", "platonic_coherence",
            activations=_probe(18, 128))
    b.valid("Platonic: 3 activations (each solid takes all)", "platonic_coherence",
            activations=f64([0.2, 0.9, 0.4]))
    b.valid("Platonic: one activation, coherence 1", "platonic_coherence",
            activations=f64([0.3]))
    b.valid("Platonic: alternating 0 and 1", "platonic_coherence",
            activations=f64([0.0, 1.0] * 12))
    b.valid("Platonic: equal activations", "platonic_coherence", activations=f64([0.4] * 30))
    b.valid("Platonic: activations changing at every vertex count (4, 6, 8, 12, 20)",
            "platonic_coherence",
            activations=f64([0.1] * 4 + [0.9] * 2 + [0.3] * 2 + [0.7] * 4 + [0.0] * 8 + [1.0] * 4))
    b.invalid("Platonic: no activation", "Empty", "platonic_coherence", activations=f64([]))
    b.invalid("Platonic: a NaN", "NonFinite", "platonic_coherence", activations=f64([0.1, np.nan]))
    b.invalid("Platonic: a negative activation", "OutOfRange", "platonic_coherence",
              activations=f64([0.1, -0.5]))


# ------------------------------------------------------------------------------ health, glyph

def _glyph_cases(b: SafetyBuilder) -> None:
    metrics = {"phi_alignment": 0.61, "fibonacci_alignment": 0.97, "metatron_flow": 0.3,
               "platonic_coherence": 0.88, "e8_alignment": 0.93}
    b.valid("health with the default weights", "symbolic_health", **metrics)
    b.valid("health: only the Phi weight (health = Phi)", "symbolic_health", **metrics,
            phi_alignment_weight=1.0, fibonacci_weight=0.0, metatron_weight=0.0,
            platonic_weight=0.0, e8_weight=0.0)
    b.valid("health: weights summing to 6 (a weighted mean)", "symbolic_health", **metrics,
            phi_alignment_weight=2.0, fibonacci_weight=1.0, metatron_weight=1.0,
            platonic_weight=1.0, e8_weight=1.0)
    b.valid("health: every metric 1 gives 1", "symbolic_health",
            **{k: 1.0 for k in metrics})
    b.valid("health: every metric 0 gives 0", "symbolic_health", **{k: 0.0 for k in metrics})
    b.valid("health: one tiny weight", "symbolic_health", **metrics, phi_alignment_weight=0.0,
            fibonacci_weight=0.0, metatron_weight=0.0, platonic_weight=1e-300, e8_weight=0.0)
    b.valid("health: huge weights with a finite sum", "symbolic_health", **metrics,
            phi_alignment_weight=3e307, fibonacci_weight=3e307, metatron_weight=3e307,
            platonic_weight=3e307, e8_weight=3e307)
    b.invalid("health: a metric above 1", "OutOfRange",
              "symbolic_health", **{**metrics, "e8_alignment": 1.5})
    b.invalid("health: a NaN metric", "NonFinite",
              "symbolic_health", **{**metrics, "metatron_flow": np.nan})
    b.invalid("health: a negative metric", "OutOfRange", "symbolic_health",
              **{**metrics, "phi_alignment": -0.1})
    b.invalid("health: a metric as a string", "WrongType", "symbolic_health",
              **{**metrics, "platonic_coherence": "0.5"})
    b.invalid("health: a negative weight", "OutOfRange",
              "symbolic_health", **metrics, fibonacci_weight=-0.1)
    b.invalid("health: every weight 0", "Inconsistent",
              "symbolic_health", **metrics, phi_alignment_weight=0.0,
              fibonacci_weight=0.0, metatron_weight=0.0, platonic_weight=0.0, e8_weight=0.0)
    b.invalid("health: an infinite weight", "NonFinite",
              "symbolic_health", **metrics, e8_weight=np.inf)
    b.invalid("health: weights whose sum overflows", "Overflow", "symbolic_health", **metrics,
              phi_alignment_weight=1e308, fibonacci_weight=1e308)

    b.valid("normalize a glyph vector", "normalize_glyph",
            glyph_vector=f64([0.61, 0.97, 0.3, 0.88, 0.93, 0.71]))
    b.valid("normalize the zero glyph vector", "normalize_glyph", glyph_vector=f64([0.0] * 6))
    b.valid("normalize one value", "normalize_glyph", glyph_vector=f64([0.25]))
    b.valid("normalize huge values", "normalize_glyph", glyph_vector=f64([1e300, 2e300, 0.0]))
    b.invalid("normalize a negative value", "OutOfRange", "normalize_glyph",
              glyph_vector=f64([0.5, -0.25, 0.1]))
    b.invalid("normalize a NaN", "NonFinite", "normalize_glyph", glyph_vector=f64([0.5, np.nan]))
    b.invalid("normalize nothing", "Empty", "normalize_glyph", glyph_vector=f64([]))
    b.invalid("normalize a 2-D array", "WrongRank",
              "normalize_glyph", glyph_vector=f64(np.ones((2, 3))))


# ------------------------------------------------------------------------------ meridians

def _meridian_cases(b: SafetyBuilder) -> None:
    acts = _probe(21, 361)
    for n in (361, 301, 300, 97, 96, 5, 4):
        b.valid(f"acupoint map of {n} acupoints", "acupoint_map",
                acupoint_activations=f64(acts[:n]))
    b.invalid("acupoint map of a 2-D array", "WrongRank", "acupoint_map",
              acupoint_activations=f64(np.zeros((19, 19))))
    b.invalid("acupoint map with an activation above 1", "OutOfRange", "acupoint_map",
              acupoint_activations=f64([0.5] * 10 + [1.5]))
    b.invalid("acupoint map of no acupoint", "Empty", "acupoint_map", acupoint_activations=f64([]))

    drive = _probe(22, 8)
    b.valid("L6 effect: symbolic_drive (its mean)", "l6_symbolic_effect", symbolic_drive=drive)
    b.valid("L6 effect: schumann_field (mean minus 1)", "l6_symbolic_effect",
            schumann_field=f64([1.5] * 8))
    b.valid("L6 effect: schumann_field with negative values", "l6_symbolic_effect",
            schumann_field=f64([-2.0, 0.5, 7.25]))
    b.valid("L6 effect: symbolic_drive wins over schumann_field (left unchecked)",
            "l6_symbolic_effect", symbolic_drive=drive, schumann_field=f64([np.nan]))
    b.valid("L6 effect: an unrelated channel only, 0", "l6_symbolic_effect",
            unrelated_channel=f64(1.0))
    b.valid("L6 effect: no key at all, 0", "l6_symbolic_effect")
    b.valid("L6 effect: a 2-D symbolic_drive (flattened)", "l6_symbolic_effect",
            symbolic_drive=f64(drive.reshape(2, 4)))
    b.valid("L6 effect: a 0-D symbolic_drive", "l6_symbolic_effect", symbolic_drive=f64(0.75))
    b.invalid("L6 effect: symbolic_drive above 1", "OutOfRange", "l6_symbolic_effect",
              symbolic_drive=f64([0.5, 1.25]))
    b.invalid("L6 effect: negative symbolic_drive", "OutOfRange", "l6_symbolic_effect",
              symbolic_drive=f64([-0.1, 0.2]))
    b.invalid("L6 effect: NaN symbolic_drive", "NonFinite", "l6_symbolic_effect",
              symbolic_drive=f64([0.5, np.nan]))
    b.invalid("L6 effect: empty symbolic_drive", "Empty",
              "l6_symbolic_effect", symbolic_drive=f64([]))
    b.invalid("L6 effect: symbolic_drive as strings", "WrongType", "l6_symbolic_effect",
              symbolic_drive=strs(["a"]))
    b.invalid("L6 effect: NaN schumann_field", "NonFinite", "l6_symbolic_effect",
              schumann_field=f64([0.5, np.nan]))
    b.invalid("L6 effect: empty schumann_field", "Empty",
              "l6_symbolic_effect", schumann_field=f64([]))
    b.invalid("L6 effect: infinite schumann_field", "NonFinite", "l6_symbolic_effect",
              schumann_field=f64([np.inf]))

    qi = _probe(23, 12)
    b.valid("Qi: flow around the ring, no L6 drive", "update_meridian_qi", meridian_qi=qi,
            dt=0.1, symbol_coupling=0.3, l6_effect=0.0, ecological_coupling=0.1)
    b.valid("Qi: flow and a positive L6 drive", "update_meridian_qi", meridian_qi=qi, dt=0.1,
            symbol_coupling=0.3, l6_effect=0.5, ecological_coupling=0.1)
    b.valid("Qi: a drive strong enough to saturate", "update_meridian_qi", meridian_qi=qi,
            dt=0.1, symbol_coupling=0.3, l6_effect=0.75, ecological_coupling=4.0)
    b.valid("Qi: a negative gain drains every meridian to 0", "update_meridian_qi",
            meridian_qi=qi, dt=0.1, symbol_coupling=0.3, l6_effect=-30.0,
            ecological_coupling=0.1)
    b.valid("Qi: coupling*dt = 1 shifts the ring by one", "update_meridian_qi", meridian_qi=qi,
            dt=2.0, symbol_coupling=0.5, l6_effect=0.0, ecological_coupling=0.1)
    b.valid("Qi: one meridian (its own neighbour)", "update_meridian_qi",
            meridian_qi=f64([0.4]), dt=0.1, symbol_coupling=0.3, l6_effect=0.2,
            ecological_coupling=0.1)
    b.valid("Qi: an L6 effect with zero coupling changes nothing", "update_meridian_qi",
            meridian_qi=qi, dt=0.1, symbol_coupling=0.3, l6_effect=0.9,
            ecological_coupling=0.0)
    qi_args = {"meridian_qi": qi, "dt": 0.1, "symbol_coupling": 0.3, "l6_effect": 0.0,
               "ecological_coupling": 0.1}
    b.invalid("Qi: dt = 0", "OutOfRange", "update_meridian_qi", **{**qi_args, "dt": 0.0})
    b.invalid("Qi: coupling*dt > 1", "Inconsistent", "update_meridian_qi", **{**qi_args, "dt": 4.0})
    b.invalid("Qi: a value above 1", "OutOfRange", "update_meridian_qi",
              **{**qi_args, "meridian_qi": f64([0.5, 1.5])})
    b.invalid("Qi: no meridian", "Empty",
              "update_meridian_qi", **{**qi_args, "meridian_qi": f64([])})
    b.invalid("Qi: NaN L6 effect", "NonFinite",
              "update_meridian_qi", **{**qi_args, "l6_effect": np.nan})
    b.invalid("Qi: negative ecological coupling", "OutOfRange", "update_meridian_qi",
              **{**qi_args, "ecological_coupling": -0.1})
    b.invalid("Qi: a gain that overflows", "Overflow", "update_meridian_qi",
              **{**qi_args, "l6_effect": 1e308, "ecological_coupling": 10.0})
    b.invalid("Qi: negative coupling", "OutOfRange", "update_meridian_qi",
              **{**qi_args, "symbol_coupling": -0.3})

    points = _probe(24, 16)
    stim = {"acupoint_stimulus": i64([0, 3, 15, 7]),
            "acupoint_intensity": f64([0.5, 0.25, -1.0, 2.0])}
    b.valid("acupoints: stimulation (clipped both ways) then decay", "update_acupoints",
            acupoint_activations=points, dt=0.1, symbol_decay=0.05, **stim)
    b.valid("acupoints: decay only", "update_acupoints", acupoint_activations=points, dt=0.1,
            symbol_decay=0.05)
    b.valid("acupoints: decay*dt = 1 empties them", "update_acupoints",
            acupoint_activations=points, dt=2.0, symbol_decay=0.5, **stim)
    b.valid("acupoints: no decay keeps the stimulated values", "update_acupoints",
            acupoint_activations=points, dt=0.1, symbol_decay=0.0, **stim)
    acu_args = {"acupoint_activations": points, "dt": 0.1, "symbol_decay": 0.05}
    b.invalid("acupoints: point id n_acupoints", "OutOfRange Boundary",
              "update_acupoints", **acu_args,
              acupoint_stimulus=i64([16]), acupoint_intensity=f64([0.5]))
    b.invalid("acupoints: point id -1", "OutOfRange", "update_acupoints", **acu_args,
              acupoint_stimulus=i64([-1]), acupoint_intensity=f64([0.5]))
    b.invalid("acupoints: NaN intensity", "NonFinite", "update_acupoints", **acu_args,
              acupoint_stimulus=i64([2]), acupoint_intensity=f64([np.nan]))
    b.invalid("acupoints: a point id given as a float", "WrongType", "update_acupoints", **acu_args,
              acupoint_stimulus=f64([2.0]), acupoint_intensity=f64([0.5]))
    b.invalid("acupoints: negative dt", "OutOfRange",
              "update_acupoints", **{**acu_args, "dt": -0.1})
    b.invalid("acupoints: decay*dt > 1", "Inconsistent", "update_acupoints",
              **{**acu_args, "dt": 3.0, "symbol_decay": 0.5})
    b.invalid("acupoints: an activation above 1", "OutOfRange Boundary", "update_acupoints",
              **{**acu_args, "acupoint_activations": f64([0.5, 1.0000000000000002])})


# ------------------------------------------------------------------------------ symbols

def _symbol_cases(b: SafetyBuilder) -> None:
    acts = _probe(31, 12)
    b.valid("drive: scaled by 0.2, clipped at both ends", "drive_symbols",
            symbol_activations=acts,
            symbol_input=f64([2.0, -2.0, 0.5, -0.5, 1e-17, -1e-17, 0.0, -0.0, 5.0, -5.0, 0.25,
                              0.75]))
    b.valid("drive: a longer input (the first n values are used)", "drive_symbols",
            symbol_activations=acts, symbol_input=_probe(32, 20, -1.0, 1.0))
    b.valid("drive: a (3, 4) input flattened in C order", "drive_symbols",
            symbol_activations=acts, symbol_input=_probe(33, 12, -1.0, 1.0).reshape(3, 4))
    b.valid("drive: a NaN past the first n values is ignored", "drive_symbols",
            symbol_activations=acts, symbol_input=f64([0.1] * 12 + [np.nan]))
    b.valid("drive: integer input", "drive_symbols", symbol_activations=acts,
            symbol_input=i64([1, -1] * 6))
    b.invalid("drive: fewer input values than symbols", "WrongShape", "drive_symbols",
              symbol_activations=acts, symbol_input=f64([0.1] * 11))
    b.invalid("drive: a NaN among the first n values", "NonFinite", "drive_symbols",
              symbol_activations=acts, symbol_input=f64([0.1] * 5 + [np.nan] + [0.1] * 6))
    b.invalid("drive: input as strings", "WrongType", "drive_symbols", symbol_activations=acts,
              symbol_input=strs(["x"] * 12))
    b.invalid("drive: 2-D activations", "WrongRank", "drive_symbols",
              symbol_activations=f64(acts.reshape(3, 4)), symbol_input=f64([0.1] * 12))

    rule = {"symbol_decay": 0.05, "symbol_coupling": 0.3}
    b.valid("ring: diffusion and decay", "diffuse_symbols", symbol_activations=acts, dt=0.1,
            **rule)
    b.valid("ring: alternating 0/1, full neighbour averaging (coupling*dt = 1)",
            "diffuse_symbols", symbol_activations=f64([0.0, 1.0] * 5), dt=0.5,
            symbol_decay=0.0, symbol_coupling=2.0)
    b.valid("ring: decay*dt = 1 empties it", "diffuse_symbols", symbol_activations=acts,
            dt=2.0, symbol_decay=0.5, symbol_coupling=0.0)
    b.valid("ring: no coupling and no decay is the identity", "diffuse_symbols",
            symbol_activations=acts, dt=1.0, symbol_decay=0.0, symbol_coupling=0.0)
    b.valid("ring: a single spike spreads to both neighbours (wrapping)", "diffuse_symbols",
            symbol_activations=f64([1.0] + [0.0] * 9), dt=0.25, symbol_decay=0.1,
            symbol_coupling=0.8)
    b.valid("ring: one symbol (its own neighbours)", "diffuse_symbols",
            symbol_activations=f64([0.4]), dt=0.1, **rule)
    b.valid("ring: two symbols (each the other's two neighbours)", "diffuse_symbols",
            symbol_activations=f64([0.2, 0.9]), dt=0.3, **rule)
    b.valid("ring: a tiny dt", "diffuse_symbols", symbol_activations=acts, dt=1e-300, **rule)
    b.invalid("ring: dt = 0", "OutOfRange",
              "diffuse_symbols", symbol_activations=acts, dt=0.0, **rule)
    b.invalid("ring: negative dt", "OutOfRange",
              "diffuse_symbols", symbol_activations=acts, dt=-0.1, **rule)
    b.invalid("ring: NaN dt", "NonFinite",
              "diffuse_symbols", symbol_activations=acts, dt=np.nan, **rule)
    b.invalid("ring: infinite dt", "NonFinite",
              "diffuse_symbols", symbol_activations=acts, dt=np.inf, **rule)
    b.invalid("ring: decay*dt > 1", "Inconsistent",
              "diffuse_symbols", symbol_activations=acts, dt=2.5,
              symbol_decay=0.5, symbol_coupling=0.0)
    b.invalid("ring: coupling*dt > 1 (the alternating mode would grow)", "Inconsistent",
              "diffuse_symbols",
              symbol_activations=acts, dt=0.6, symbol_decay=0.0, symbol_coupling=2.0)
    b.invalid("ring: negative decay", "OutOfRange",
              "diffuse_symbols", symbol_activations=acts, dt=0.1,
              symbol_decay=-0.01, symbol_coupling=0.1)
    b.invalid("ring: NaN coupling", "NonFinite", "diffuse_symbols", symbol_activations=acts, dt=0.1,
              symbol_decay=0.01, symbol_coupling=np.nan)
    b.invalid("ring: an activation above 1", "OutOfRange", "diffuse_symbols",
              symbol_activations=f64([0.5, 1.25]), dt=0.1, **rule)
    b.invalid("ring: dt as a string", "WrongType",
              "diffuse_symbols", symbol_activations=acts, dt="0.1",
              **rule)


# ------------------------------------------------------------------------------ the layer

def _construction_cases(b: SafetyBuilder) -> None:
    b.valid("layer with the default parameters (seed 42): initial state", "L7_SymbolicLayer",
            rng_seed=u64(42))
    b.valid("small layer: initial state", "L7_SymbolicLayer", **_small())
    b.valid("layer of 2 symbols, 1 meridian, 1 acupoint, seed 0", "L7_SymbolicLayer",
            n_symbols=i64(2), n_meridians=i64(1), n_acupoints=i64(1), rng_seed=u64(0))
    b.valid("layer with the largest seed 2**64 - 1", "L7_SymbolicLayer",
            **_small(rng_seed=u64(2**64 - 1)))
    b.valid("layer at the size limits (n_symbols * bitstream_length = 2**26)",
            "L7_SymbolicLayer", n_symbols=i64(64), n_meridians=i64(1), n_acupoints=i64(1),
            bitstream_length=i64(MAX), rng_seed=u64(3))
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("n_symbols 1 (fewer than 2)", "OutOfRange", {"n_symbols": i64(1)}),
        ("n_symbols 0", "OutOfRange", {"n_symbols": i64(0)}),
        ("n_symbols as a float", "WrongType", {"n_symbols": f64(16.0)}),
        ("n_symbols 2**20 + 1 (above the size limit)", "TooLarge Boundary",
         {"n_symbols": i64(MAX + 1)}),
        ("n_symbols 10**12 (would exhaust memory)", "TooLarge", {"n_symbols": i64(10**12)}),
        ("n_meridians 0", "OutOfRange", {"n_meridians": i64(0)}),
        ("n_meridians 2**20 + 1", "TooLarge Boundary", {"n_meridians": i64(MAX + 1)}),
        ("n_acupoints 0", "OutOfRange", {"n_acupoints": i64(0)}),
        ("n_acupoints 10**9", "TooLarge", {"n_acupoints": i64(10**9)}),
        ("bitstream_length 0", "OutOfRange BadLength", {"bitstream_length": i64(0)}),
        ("bitstream_length 2**20 + 1", "TooLarge BadLength Boundary",
         {"bitstream_length": i64(MAX + 1)}),
        ("n_symbols * bitstream_length above 2**26", "TooLarge BadLength",
         {"n_symbols": i64(65), "bitstream_length": i64(MAX)}),
        ("NaN phi_alignment_weight", "NonFinite", {"phi_alignment_weight": np.nan}),
        ("negative fibonacci_weight", "OutOfRange", {"fibonacci_weight": -0.2}),
        ("infinite metatron_weight", "NonFinite", {"metatron_weight": np.inf}),
        ("every weight 0", "Inconsistent", {"phi_alignment_weight": 0.0, "fibonacci_weight": 0.0,
                            "metatron_weight": 0.0, "platonic_weight": 0.0, "e8_weight": 0.0}),
        ("weights whose sum overflows", "Overflow", {"platonic_weight": 1e308, "e8_weight": 1e308}),
        ("negative symbol_decay", "OutOfRange", {"symbol_decay": -0.1}),
        ("infinite symbol_decay", "NonFinite", {"symbol_decay": np.inf}),
        ("negative symbol_coupling", "OutOfRange", {"symbol_coupling": -0.1}),
        ("NaN symbol_coupling", "NonFinite", {"symbol_coupling": np.nan}),
        ("glyph_dimensions 5", "OutOfRange", {"glyph_dimensions": i64(5)}),
        ("glyph_dimensions 7", "OutOfRange", {"glyph_dimensions": i64(7)}),
        ("glyph_dimensions as a float", "WrongType", {"glyph_dimensions": f64(6.0)}),
        ("negative ecological_coupling", "OutOfRange", {"ecological_coupling": -0.1}),
        ("negative cosmic_coupling", "OutOfRange", {"cosmic_coupling": -0.1}),
        ("NaN cosmic_coupling", "NonFinite", {"cosmic_coupling": np.nan}),
        ("negative rng_seed", "OutOfRange BadSeed", {"rng_seed": i64(-1)}),
        ("rng_seed as a float", "WrongType BadSeed", {"rng_seed": f64(1.5)}),
        ("symbol_decay as a string", "WrongType", {"symbol_decay": "0.05"}),
    ]
    for comment, flags, fields in bad:
        b.invalid(f"parameters: {comment}", flags, "L7_SymbolicLayer", **fields)


def _step_cases(b: SafetyBuilder) -> None:
    s = _small()
    b.valid("one step of the small layer, no inputs", "L7_SymbolicLayer.step", **s, dt=0.01)
    b.valid("one step with the default parameters but 64-bit streams (seed 42)",
            "L7_SymbolicLayer.step", bitstream_length=i64(64), rng_seed=u64(42), dt=0.001)
    b.valid("one step of 2 symbols (Fibonacci neutral, 2 Metatron nodes)",
            "L7_SymbolicLayer.step", **_small(n_symbols=i64(2)), dt=0.01)
    b.valid("one step of 8 symbols with 12 meridians (the reference's helper test)",
            "L7_SymbolicLayer.step", n_symbols=i64(8), bitstream_length=i64(32),
            rng_seed=u64(8), dt=0.01)
    b.valid("one step with a full-length symbol_input", "L7_SymbolicLayer.step", **s,
            dt=0.001, symbol_input=_probe(41, 16, -1.0, 1.0))
    b.valid("one step with a longer (4, 5) symbol_input", "L7_SymbolicLayer.step", **s,
            dt=0.001, symbol_input=_probe(42, 20, -1.0, 1.0).reshape(4, 5))
    b.valid("one step with symbolic_drive from L6 (raises Qi)", "L7_SymbolicLayer.step",
            **_small(ecological_coupling=0.2), dt=0.001, symbolic_drive=f64([1.0] * 8))
    b.valid("one step with schumann_field from L6 (mean 1.5)", "L7_SymbolicLayer.step",
            **_small(ecological_coupling=0.2), dt=0.001, schumann_field=f64([1.5] * 8))
    b.valid("one step with schumann_field and the default ecological_coupling",
            "L7_SymbolicLayer.step", **s, dt=0.001, schumann_field=f64([0.5, 2.25, 1.0]))
    b.valid("one step with both L6 keys: symbolic_drive wins", "L7_SymbolicLayer.step",
            **_small(ecological_coupling=0.2), dt=0.001, symbolic_drive=f64([1.0] * 8),
            schumann_field=f64([0.0] * 8))
    b.valid("one step with an unrelated L6 channel (no effect)", "L7_SymbolicLayer.step",
            **_small(ecological_coupling=0.2), dt=0.001, unrelated_channel=f64(1.0))
    b.valid("one step with an acupoint stimulus", "L7_SymbolicLayer.step", **s, dt=0.001,
            acupoint_stimulus=i64([0, 3, 15]), acupoint_intensity=f64([0.5, 0.25, 3.0]))
    b.valid("one step of the default acupoints, stimulating every named point",
            "L7_SymbolicLayer.step", **_small(n_acupoints=i64(361)), dt=0.01,
            acupoint_stimulus=i64([4, 36, 60, 96, 120, 200, 250, 300]),
            acupoint_intensity=f64([0.125 * k for k in range(1, 9)]))
    b.valid("silent state: zero activations and zero E8 state give the neutral metrics",
            "L7_SymbolicLayer.step", **s, dt=0.001, symbol_activations=f64([0.0] * 16),
            e8_state=f64([0.0] * 8))
    b.valid("E8 state 0.5*(1,...,1): alignment 1", "L7_SymbolicLayer.step",
            **_small(rng_seed=u64(7)), dt=0.001, e8_state=f64([0.5] * 8))
    b.valid("only the Phi weight: health = Phi", "L7_SymbolicLayer.step",
            **_small(phi_alignment_weight=1.0, fibonacci_weight=0.0, metatron_weight=0.0,
                     platonic_weight=0.0, e8_weight=0.0, rng_seed=u64(8)), dt=0.001)
    b.valid("cosmic_coupling 0.5: the L8 drive is half the health", "L7_SymbolicLayer.step",
            **_small(cosmic_coupling=0.5, rng_seed=u64(12)), dt=0.001)
    b.valid("dt at both stability limits (decay*dt = coupling*dt = 1)",
            "L7_SymbolicLayer.step", **_small(symbol_decay=0.5, symbol_coupling=0.5), dt=2.0)
    b.valid("a saturating drive, then decay", "L7_SymbolicLayer.step", **s, dt=0.1,
            symbol_input=f64([10.0] * 16))
    b.valid("streams of 1 bit", "L7_SymbolicLayer.step", **_small(bitstream_length=i64(1)),
            dt=0.01)
    b.valid("streams of 65 bits", "L7_SymbolicLayer.step", **_small(bitstream_length=i64(65)),
            dt=0.01)
    b.valid("state set before the step: activations, Qi, acupoints, time",
            "L7_SymbolicLayer.step", **s, dt=0.01, symbol_activations=_probe(43, 16),
            meridian_qi=f64([0.0, 1.0, 0.25, 0.75]), acupoint_activations=_probe(44, 16),
            time=f64(100.0))
    b.valid("an E8 state beyond [-1, 1] is clipped back by the walk", "L7_SymbolicLayer.step",
            **s, dt=0.01, e8_state=f64([3.0, -2.0, 0.5, 1.0, -1.0, 0.0, 1.5, -0.25]))

    bad: list[tuple[str, str, dict[str, object]]] = [
        ("dt = 0", "OutOfRange", {"dt": 0.0}),
        ("negative dt", "OutOfRange", {"dt": -1.0}),
        ("NaN dt", "NonFinite", {"dt": np.nan}),
        ("infinite dt", "NonFinite", {"dt": -np.inf}),
        ("dt too large for symbol_decay", "Inconsistent", {"symbol_decay": 0.5, "dt": 2.5}),
        ("dt too large for symbol_coupling", "Inconsistent", {"dt": 4.0}),
        ("symbol_input of 15 values", "WrongShape", {"symbol_input": f64([0.0] * 15)}),
        ("symbol_input of 2 values with a NaN", "WrongShape NonFinite",
         {"symbol_input": f64([1.0, np.nan])}),
        ("symbol_input with a NaN", "NonFinite",
         {"symbol_input": f64([0.0] * 5 + [np.nan] + [0.0] * 10)}),
        ("symbol_input as strings", "WrongType", {"symbol_input": strs(["x"] * 16)}),
        ("symbolic_drive with NaN", "NonFinite", {"symbolic_drive": f64([0.5, np.nan])}),
        ("negative symbolic_drive", "OutOfRange", {"symbolic_drive": f64([-0.1, 0.2])}),
        ("empty symbolic_drive", "Empty", {"symbolic_drive": f64([])}),
        ("schumann_field with NaN", "NonFinite", {"schumann_field": f64([0.5, np.nan])}),
        ("empty schumann_field", "Empty", {"schumann_field": f64([])}),
        ("a Schumann field whose Qi gain overflows", "Overflow",
         {"schumann_field": f64([1e308]), "ecological_coupling": 10.0}),
        ("acupoint id n_acupoints", "OutOfRange Boundary", {"acupoint_stimulus": i64([16]),
                                     "acupoint_intensity": f64([0.5])}),
        ("NaN acupoint intensity", "NonFinite", {"acupoint_stimulus": i64([0]),
                                    "acupoint_intensity": f64([np.nan])}),
        ("an acupoint id given as a float", "WrongType", {"acupoint_stimulus": f64([1.0]),
                                             "acupoint_intensity": f64([0.5])}),
        ("symbol_activations of the wrong length", "WrongShape",
         {"symbol_activations": f64([0.5] * 15)}),
        ("symbol_activations above 1", "OutOfRange",
         {"symbol_activations": f64([0.5] * 15 + [1.5])}),
        ("symbol_activations as a 2-D array", "WrongRank",
         {"symbol_activations": f64(np.full((4, 4), 0.5))}),
        ("e8_state with NaN", "NonFinite", {"e8_state": f64([0.0] * 7 + [np.nan])}),
        ("e8_state of the wrong length", "WrongShape", {"e8_state": f64([0.0] * 6)}),
        ("meridian_qi of the wrong length", "WrongShape", {"meridian_qi": f64([0.5] * 12)}),
        ("negative meridian_qi", "OutOfRange", {"meridian_qi": f64([0.5, -0.5, 0.5, 0.5])}),
        ("acupoint_activations above 1", "OutOfRange", {"acupoint_activations": f64([2.0] * 16)}),
        ("NaN time", "NonFinite", {"time": f64(np.nan)}),
    ]
    for comment, flags, fields in bad:
        merged: dict[str, object] = {**s, "dt": 0.01}
        merged.update(fields)
        b.invalid(f"step: {comment}", flags, "L7_SymbolicLayer.step", **merged)

    b.valid("stimulate meridian 0 of 4", "L7_SymbolicLayer.stimulate_meridian", **s,
            meridian_id=i64(0), intensity=0.25)
    b.valid("stimulate the last meridian to saturation", "L7_SymbolicLayer.stimulate_meridian",
            **s, meridian_id=i64(3), intensity=5.0)
    b.valid("drain a meridian to 0", "L7_SymbolicLayer.stimulate_meridian", **s,
            meridian_id=i64(1), intensity=-1.0)
    b.valid("stimulate with intensity 0", "L7_SymbolicLayer.stimulate_meridian", **s,
            meridian_id=i64(2), intensity=0.0)
    b.valid("stimulate meridian 11 of the default 12", "L7_SymbolicLayer.stimulate_meridian",
            rng_seed=u64(1), meridian_id=i64(11), intensity=0.125)
    b.invalid("stimulate meridian -1", "OutOfRange", "L7_SymbolicLayer.stimulate_meridian", **s,
              meridian_id=i64(-1), intensity=0.5)
    b.invalid("stimulate meridian n_meridians", "OutOfRange Boundary",
              "L7_SymbolicLayer.stimulate_meridian", **s,
              meridian_id=i64(4), intensity=0.5)
    b.invalid("stimulate a meridian given as a float", "WrongType",
              "L7_SymbolicLayer.stimulate_meridian",
              **s, meridian_id=f64(1.0), intensity=0.5)
    b.invalid("stimulate with NaN intensity", "NonFinite",
              "L7_SymbolicLayer.stimulate_meridian", **s,
              meridian_id=i64(1), intensity=np.nan)
    b.invalid("stimulate with infinite intensity", "NonFinite",
              "L7_SymbolicLayer.stimulate_meridian", **s,
              meridian_id=i64(1), intensity=np.inf)
    b.invalid("stimulate when meridian_qi was set above 1", "OutOfRange",
              "L7_SymbolicLayer.stimulate_meridian", **s, meridian_qi=f64([1.5] * 4),
              meridian_id=i64(1), intensity=0.1)

    b.valid("normalized glyph vector set by hand", "L7_SymbolicLayer.get_glyph_vector_normalized",
            **s, glyph_vector=f64([0.5, 0.25, 0.0, 1.0, 0.75, 0.125]))
    b.valid("normalized glyph vector before any step (zeros)",
            "L7_SymbolicLayer.get_glyph_vector_normalized", **s)
    b.invalid("normalized glyph vector set negative", "OutOfRange",
              "L7_SymbolicLayer.get_glyph_vector_normalized", **s,
              glyph_vector=f64([0.5, -0.25, 0.0, 1.0, 0.75, 0.125]))
    b.invalid("normalized glyph vector set to NaN", "NonFinite",
              "L7_SymbolicLayer.get_glyph_vector_normalized", **s, glyph_vector=f64([np.nan] * 6))
    b.valid("acupoint map of activations set by hand (361 points)",
            "L7_SymbolicLayer.get_acupoint_map", rng_seed=u64(2), acupoint_activations=_probe(45, 361))
    b.valid("acupoint map of the small layer (16 points: LI4 only)",
            "L7_SymbolicLayer.get_acupoint_map", **s, acupoint_activations=_probe(46, 16))
    b.invalid("acupoint map when acupoint_activations has the wrong length", "WrongShape",
              "L7_SymbolicLayer.get_acupoint_map", **s, acupoint_activations=f64([0.5] * 15))


def _trajectory_cases(b: SafetyBuilder) -> None:
    s = _small()
    b.valid("8 free steps of the small layer", "L7_SymbolicLayer.steps", **s, dt=f64([0.01] * 8))
    b.valid("varying dt, inputs on some steps, acupoints and meridian stimulation",
            "L7_SymbolicLayer.steps", **_small(ecological_coupling=0.3),
            dt=f64([0.05, 0.2, 1.0, 0.01, 0.5, 0.3]),
            symbol_input=_probe(51, 96, -0.6, 0.6).reshape(6, 16),
            symbol_given=u8([0, 1, 1, 0, 1, 0]),
            symbolic_drive=_probe(52, 48).reshape(6, 8), drive_given=u8([1, 0, 0, 1, 0, 0]),
            schumann_field=_probe(53, 24, 0.0, 2.0).reshape(6, 4),
            schumann_given=u8([0, 1, 1, 1, 0, 0]),
            acupoint_step=i64([0, 0, 2, 5]), acupoint_stimulus=i64([4, 9, 4, 15]),
            acupoint_intensity=f64([0.75, 0.5, -0.25, 1.0]),
            stimulate_before=i64([1, 3, 3]), meridian_id=i64([0, 3, 1]),
            intensity=f64([0.4, -0.9, 2.0]))
    b.valid("saturate, hold, then decay back", "L7_SymbolicLayer.steps",
            **_small(symbol_decay=0.25), dt=f64([0.5] * 5),
            symbol_input=f64([[10.0] * 16, [0.5] * 16, [0.0] * 16, [0.0] * 16, [-0.25] * 16]))
    b.valid("drive to 0 everywhere: streams all 0", "L7_SymbolicLayer.steps", **s,
            dt=f64([0.1, 0.1, 0.1]), symbol_input=f64(np.full((3, 16), -5.0)))
    b.valid("40 steps of 8-bit streams with mixed inputs", "L7_SymbolicLayer.steps",
            **_small(bitstream_length=i64(8), n_meridians=i64(16)),
            dt=f64(0.05 + 0.2 * SplitMix64(54).uniforms(40)),
            symbol_input=_probe(55, 640, -1.0, 1.0).reshape(40, 16),
            symbol_given=u8(SplitMix64(56).integers_below(40, 2)),
            stimulate_before=i64([3, 10, 10, 25]), meridian_id=i64([0, 15, 7, 4]),
            intensity=f64([0.9, -0.5, 0.3, 1.0]))
    b.valid("no steps: the initial state only", "L7_SymbolicLayer.steps", **s, dt=f64([]))
    b.invalid("trajectory with dt = 0 at step 2", "OutOfRange", "L7_SymbolicLayer.steps", **s,
              dt=f64([0.1, 0.1, 0.0]))
    b.invalid("trajectory with a NaN symbolic_drive at step 1", "NonFinite",
              "L7_SymbolicLayer.steps", **s,
              dt=f64([0.1, 0.1]), symbolic_drive=f64([[0.5] * 8, [0.5] * 7 + [np.nan]]))
    b.invalid("trajectory with a meridian id out of range", "OutOfRange",
              "L7_SymbolicLayer.steps", **s,
              dt=f64([0.1, 0.1]), stimulate_before=i64([1]), meridian_id=i64([4]),
              intensity=f64([0.5]))
    b.invalid("trajectory with an acupoint id out of range", "OutOfRange",
              "L7_SymbolicLayer.steps", **s,
              dt=f64([0.1, 0.1]), acupoint_step=i64([1]), acupoint_stimulus=i64([16]),
              acupoint_intensity=f64([0.5]))
    b.invalid("unknown op", "Unknown", "L7_SymbolicLayer.reset", **s)


def add_cases(b: SafetyBuilder) -> None:
    """Every case of the file, in order."""
    _e8_cases(b)
    _phi_cases(b)
    _fibonacci_cases(b)
    _metatron_platonic_cases(b)
    _glyph_cases(b)
    _meridian_cases(b)
    _symbol_cases(b)
    _construction_cases(b)
    _step_cases(b)
    _trajectory_cases(b)
