"""Golden cases of the symbolic layer (:mod:`sc_neurocore.scpn.layers.l7_symbolic`).

``parity/golden/l7_symbolic.txt`` holds these cases; the Rust mirror
``rust/mirror/src/safety/l7_symbolic.rs`` answers every one of them. Every
output matches bit for bit (the surface uses only correctly rounded IEEE-754
operations in a fixed order), so the file declares no ``rtol``.

Ops (the ``op`` input) and their other inputs:

* ``e8_roots`` (none) -> ``roots`` ``(240, 8)``;
* ``e8_root_alignments`` / ``e8_alignment`` (``e``) -> ``alignments`` ``(240,)`` / ``alignment``;
* ``golden_ratio_regularity`` / ``fibonacci_correlation`` (``activations``) ->
  ``regularity`` / ``correlation``; ``fibonacci_lags`` (``n``) -> ``lags``;
* ``health_score`` (``alignment``, ``regularity``, ``correlation``, optional
  weights) -> ``health_score``;
* ``state_vector`` (``activations``, optional ``l6_input``) -> ``state_vector``;
* ``update_activations`` (``activations``, ``dt``, ``symbol_decay``,
  ``symbol_coupling``, optional ``symbol_input``) -> ``activations``;
* ``bitstream_seed`` (``rng_seed``, ``step``, ``n_symbols``) -> ``bitstream_seed``;
* ``arc_bounds`` (``n``, ``parts``) -> ``starts``, ``stops``;
* ``L7_SymbolicLayer`` (any :class:`L7_StochasticParameters` fields; absent
  ones take their defaults) -> the initial state and metrics;
* ``L7_SymbolicLayer.step``: parameters, ``dt``, optional ``l6_input`` and
  ``symbol_input`` (absent = ``None``) -> one step's result, then
  ``global_metric`` and ``glyph_vector``;
* ``L7_SymbolicLayer.steps``: a trajectory. Parameters; ``dt`` ``(T,)``;
  optional ``l6_input`` ``(T, 8)`` with optional mask ``l6_given`` ``(T,)``
  (``u8``; absent = every step), the same for ``symbol_input``
  ``(T, n_symbols)`` / ``symbol_given``; optional stimulations
  ``stimulate_before`` ``(k,)`` (``i64`` step index), ``i`` ``(k,)``,
  ``intensity`` ``(k,)``, applied in listed order just before their step.
  Outputs stack the step results over ``T`` (``bitstreams`` ``(T, n, L)``
  ``u8``), then ``global_metric`` and ``glyph_vector`` after the last step;
* ``L7_SymbolicLayer.stimulate_meridian``: parameters, ``i``, ``intensity`` ->
  ``activations``, ``meridian_activity``.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from sc_neurocore.scpn.layers import l7_symbolic as l7
from sc_neurocore.scpn.layers.l7_symbolic import L7_StochasticParameters, L7_SymbolicLayer
from sc_neurocore.splitmix import SplitMix64

from ._builder import SafetyBuilder, arg, f64, i64, op_of, strs, u8
from ..golden_format import GoldenFile

__all__ = ["OPS", "PARAMS", "run_case", "build"]

#: The fields of L7_StochasticParameters, in declaration order.
PARAMS = ("n_symbols", "bitstream_length", "n_meridians", "weight_e8", "weight_golden",
          "weight_fibonacci", "symbol_decay", "symbol_coupling", "rng_seed")
WEIGHTS = ("weight_e8", "weight_golden", "weight_fibonacci")
OPS = ("e8_roots", "e8_root_alignments", "e8_alignment", "golden_ratio_regularity",
       "fibonacci_correlation", "fibonacci_lags", "health_score", "state_vector",
       "update_activations", "bitstream_seed", "arc_bounds", "L7_SymbolicLayer",
       "L7_SymbolicLayer.step", "L7_SymbolicLayer.steps",
       "L7_SymbolicLayer.stimulate_meridian")


def _optional(inputs: Mapping[str, np.ndarray], name: str) -> object:
    """Input ``name`` as :func:`arg` gives it, or ``None`` when the case has none."""
    return arg(inputs, name) if name in inputs else None


def _layer(inputs: Mapping[str, np.ndarray]) -> L7_SymbolicLayer:
    fields = {name: arg(inputs, name) for name in PARAMS if name in inputs}
    return L7_SymbolicLayer(L7_StochasticParameters(**fields))  # type: ignore[arg-type]


def _rows(inputs: Mapping[str, np.ndarray], name: str, mask_name: str,
          steps: int) -> list[object]:
    """Per step: row ``t`` of ``inputs[name]`` or ``None`` (absent, or masked off)."""
    if name not in inputs:
        return [None] * steps
    values = np.asarray(arg(inputs, name))
    if values.ndim < 1 or values.shape[0] != steps:
        raise ValueError(f"{name} must have one row per step ({steps}), got shape "
                         f"{values.shape}")
    given = [1] * steps
    if mask_name in inputs:
        mask = np.asarray(arg(inputs, mask_name))
        if mask.dtype != np.uint8 or mask.shape != (steps,):
            raise ValueError(f"{mask_name} must be u8 of shape ({steps},), got {mask.dtype} "
                             f"{mask.shape}")
        given = [int(g) for g in mask]
    return [values[t] if given[t] else None for t in range(steps)]


def _step_result(out: l7.L7StepResult) -> dict[str, object]:
    return {"step": out["step"], "bitstream_seed": out["bitstream_seed"],
            "activations": out["activations"], "state_vector": out["state_vector"],
            "meridian_activity": out["meridian_activity"],
            "e8_alignment": out["e8_alignment"], "golden_regularity": out["golden_regularity"],
            "fibonacci_correlation": out["fibonacci_correlation"],
            "health_score": out["health_score"], "bitstreams": out["bitstreams"]}


def _steps(inputs: Mapping[str, np.ndarray]) -> dict[str, object]:
    layer = _layer(inputs)
    dts = np.asarray(arg(inputs, "dt"))
    if dts.dtype != np.float64 or dts.ndim != 1:
        raise ValueError(f"dt must be a 1-D f64 array (one per step), got {dts.dtype} "
                         f"{dts.shape}")
    steps = dts.shape[0]
    l6 = _rows(inputs, "l6_input", "l6_given", steps)
    drive = _rows(inputs, "symbol_input", "symbol_given", steps)
    stim: list[tuple[int, object, object]] = []
    if "stimulate_before" in inputs:
        before = np.asarray(arg(inputs, "stimulate_before"))
        which = np.asarray(arg(inputs, "i"))
        amount = np.asarray(arg(inputs, "intensity"))
        if before.ndim != 1 or which.shape != before.shape or amount.shape != before.shape:
            raise ValueError("stimulate_before, i and intensity must be 1-D of one length")
        stim = [(int(before[k]), which[k], amount[k]) for k in range(before.shape[0])]
    results = []
    for t in range(steps):
        for when, i, intensity in stim:
            if when == t:
                layer.stimulate_meridian(i, intensity)  # type: ignore[arg-type]
        results.append(_step_result(layer.step(float(dts[t]), l6[t], drive[t])))
    out: dict[str, object] = {}
    for key in results[0] if results else ():
        column = [r[key] for r in results]
        if isinstance(column[0], np.ndarray):
            # keeps the dtype (f64, or u8 for bitstreams)
            out[key] = np.stack([np.asarray(c) for c in column])
        elif isinstance(column[0], int):
            out[key] = i64(column)
        else:
            out[key] = f64(column)
    out["global_metric"] = layer.get_global_metric()
    out["glyph_vector"] = layer.get_glyph_vector_normalized()
    return out


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.scpn.layers.l7_symbolic` (see the module docstring)."""
    op = op_of(inputs)
    if op == "e8_roots":
        return {"roots": l7.e8_roots()}
    if op == "e8_root_alignments":
        return {"alignments": l7.e8_root_alignments(arg(inputs, "e"))}
    if op == "e8_alignment":
        return {"alignment": l7.e8_alignment(arg(inputs, "e"))}
    if op == "golden_ratio_regularity":
        return {"regularity": l7.golden_ratio_regularity(arg(inputs, "activations"))}
    if op == "fibonacci_correlation":
        return {"correlation": l7.fibonacci_correlation(arg(inputs, "activations"))}
    if op == "fibonacci_lags":
        return {"lags": i64(l7.fibonacci_lags(arg(inputs, "n")))}  # type: ignore[arg-type]
    if op == "health_score":
        weights = {name: arg(inputs, name) for name in WEIGHTS if name in inputs}
        return {"health_score": l7.health_score(
            arg(inputs, "alignment"), arg(inputs, "regularity"),  # type: ignore[arg-type]
            arg(inputs, "correlation"), **weights)}  # type: ignore[arg-type]
    if op == "state_vector":
        return {"state_vector": l7.state_vector(arg(inputs, "activations"),
                                                _optional(inputs, "l6_input"))}
    if op == "update_activations":
        return {"activations": l7.update_activations(
            arg(inputs, "activations"), arg(inputs, "dt"),  # type: ignore[arg-type]
            symbol_decay=arg(inputs, "symbol_decay"),  # type: ignore[arg-type]
            symbol_coupling=arg(inputs, "symbol_coupling"),  # type: ignore[arg-type]
            symbol_input=_optional(inputs, "symbol_input"))}
    if op == "bitstream_seed":
        return {"bitstream_seed": l7.bitstream_seed(
            arg(inputs, "rng_seed"), arg(inputs, "step"),  # type: ignore[arg-type]
            arg(inputs, "n_symbols"))}  # type: ignore[arg-type]
    if op == "arc_bounds":
        bounds = l7.arc_bounds(arg(inputs, "n"), arg(inputs, "parts"))  # type: ignore[arg-type]
        return {"starts": i64([b[0] for b in bounds]), "stops": i64([b[1] for b in bounds])}
    if op == "L7_SymbolicLayer":
        layer = _layer(inputs)
        return {"activations": layer.activations, "state_vector": layer.state_vector,
                "meridian_activity": layer.meridian_activity(), **layer.get_metrics(),
                "global_metric": layer.get_global_metric(),
                "glyph_vector": layer.get_glyph_vector_normalized()}
    if op == "L7_SymbolicLayer.step":
        layer = _layer(inputs)
        out = _step_result(layer.step(arg(inputs, "dt"),  # type: ignore[arg-type]
                                      _optional(inputs, "l6_input"),
                                      _optional(inputs, "symbol_input")))
        out["global_metric"] = layer.get_global_metric()
        out["glyph_vector"] = layer.get_glyph_vector_normalized()
        return out
    if op == "L7_SymbolicLayer.steps":
        return _steps(inputs)
    if op == "L7_SymbolicLayer.stimulate_meridian":
        layer = _layer(inputs)
        layer.stimulate_meridian(arg(inputs, "i"), arg(inputs, "intensity"))  # type: ignore[arg-type]
        return {"activations": layer.activations,
                "meridian_activity": layer.meridian_activity()}
    raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")


# ------------------------------------------------------------------------------ cases

def _probe(seed: int, n: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """``n`` exactly reproducible doubles in ``[lo, hi)`` (SplitMix64 uniforms)."""
    return f64(lo + (hi - lo) * SplitMix64(seed).uniforms(n))


def _small(**extra: object) -> dict[str, object]:
    """A small layer's parameters (the golden files stay readable), overridable."""
    params: dict[str, object] = {"n_symbols": i64(16), "bitstream_length": i64(100),
                                 "n_meridians": i64(4), "rng_seed": i64(7)}
    params.update(extra)
    return params


def _e8_cases(b: SafetyBuilder) -> None:
    roots = l7.e8_roots()
    b.valid("the 240 E8 roots in the documented order", "e8_roots")
    for seed in (1, 2, 3):
        b.valid(f"alignment with every root of a generic probe (SplitMix64 seed {seed})",
                "e8_root_alignments", e=_probe(seed, 8, -1.0, 1.0))
    b.valid("alignment with every root of 0.5*(1,...,1)", "e8_root_alignments",
            e=f64([0.5] * 8))
    b.valid("alignment with every root of a probe with one dominant axis",
            "e8_root_alignments", e=f64([3.0, -0.25, 0.125, 0.0, 1e-3, -2.0, 0.7, 0.1]))
    b.valid("e = 0.5*(1,...,1) has alignment exactly 1", "e8_alignment", e=f64([0.5] * 8))
    b.valid("e = 0: alignment defined as 0", "e8_alignment", e=f64([0.0] * 8))
    b.valid("e = -0.0 everywhere is the zero vector", "e8_alignment", e=f64([-0.0] * 8))
    for k in (0, 1, 2, 3, 27, 55, 111, 112, 113, 200, 239):
        b.valid(f"e equal to root {k}", "e8_alignment", e=roots[k].copy())
    b.valid("e = 3.7 * root 40 (scaling does not matter)", "e8_alignment",
            e=f64(3.7 * roots[40]))
    b.valid("e along one axis: 1/sqrt(2)", "e8_alignment",
            e=f64([0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0]))
    b.valid("e = (1, 2, ..., 8)", "e8_alignment", e=f64(np.arange(1.0, 9.0)))
    b.valid("huge components (scaled before squaring)", "e8_alignment",
            e=f64([1e300, -1e300, 5e299, 0.0, 0.0, 0.0, 1e299, -3e299]))
    b.valid("subnormal components (scaled before squaring)", "e8_alignment",
            e=f64([5e-324, 1e-320, 0.0, -2e-322, 0.0, 0.0, 0.0, 7e-323]))
    b.valid("one tiny component, the rest zero", "e8_alignment",
            e=f64([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1e-300]))
    b.invalid("e with 7 components", "e8_alignment", e=f64([0.5] * 7))
    b.invalid("e with 9 components", "e8_root_alignments", e=f64([0.5] * 9))
    b.invalid("e as a 2-D (2, 4) array", "e8_alignment", e=f64(np.full((2, 4), 0.5)))
    b.invalid("e holding NaN", "e8_alignment", e=f64([0.5] * 7 + [np.nan]))
    b.invalid("e holding inf", "e8_root_alignments", e=f64([np.inf] + [0.5] * 7))
    b.invalid("e as strings", "e8_alignment", e=strs(["a"] * 8))


def _golden_profile(n: int) -> np.ndarray:
    """``1, 1/PHI, 1/PHI/PHI, ...``: each value the previous one divided by PHI.

    Divisions are correctly rounded, so the profile is the same on every CPU
    (``PHI ** -k`` goes through ``pow``, which is not: its last bit differs
    between NumPy's AVX2 and AVX-512 loops).
    """
    values = [1.0]
    for _ in range(n - 1):
        values.append(values[-1] / l7.PHI)
    return f64(values)


def _metric_cases(b: SafetyBuilder) -> None:
    b.valid("regularity of a golden profile (each value PHI times the next)",
            "golden_ratio_regularity", activations=_golden_profile(12))
    b.valid("regularity of a shuffled golden profile (sorting first)",
            "golden_ratio_regularity",
            activations=_golden_profile(10)[[5, 0, 9, 2, 7, 1, 3, 8]])
    b.valid("regularity of equal activations (every ratio 1)", "golden_ratio_regularity",
            activations=f64([0.3] * 10))
    b.valid("regularity of all zeros: no pair, 0", "golden_ratio_regularity",
            activations=f64([0.0] * 6))
    b.valid("regularity with one positive activation: no pair, 0",
            "golden_ratio_regularity", activations=f64([0.0, 0.4, 0.0, 0.0]))
    b.valid("regularity with zeros in the tail (only positive denominators)",
            "golden_ratio_regularity", activations=f64([0.0, 0.5, 1.0, 0.0, 0.25, 0.2]))
    b.valid("regularity of one activation", "golden_ratio_regularity", activations=f64([0.9]))
    b.valid("regularity of 128 SplitMix64 activations", "golden_ratio_regularity",
            activations=_probe(11, 128))
    b.valid("regularity with subnormal activations", "golden_ratio_regularity",
            activations=f64([5e-324, 1e-323, 1.0, 1e-310]))
    b.valid("Fibonacci correlation of 128 SplitMix64 activations", "fibonacci_correlation",
            activations=_probe(12, 128))
    b.valid("Fibonacci correlation of a period-2 pattern", "fibonacci_correlation",
            activations=f64([0.0, 1.0] * 8))
    b.valid("Fibonacci correlation of a smooth ring (one sine period, exact grid)",
            "fibonacci_correlation",
            activations=f64([0.5, 0.75, 1.0, 0.75, 0.5, 0.25, 0.0, 0.25] * 2))
    b.valid("Fibonacci correlation of equal activations: 0 (no rounding noise)",
            "fibonacci_correlation", activations=f64([0.1] * 128))
    b.valid("Fibonacci correlation of one activation: no lag, 0", "fibonacci_correlation",
            activations=f64([0.6]))
    b.valid("Fibonacci correlation of two activations: lag 1 only", "fibonacci_correlation",
            activations=f64([0.2, 0.9]))
    b.valid("Fibonacci correlation with deviations that underflow to a zero denominator",
            "fibonacci_correlation", activations=f64([0.0, 5e-324, 0.0, 0.0]))
    b.valid("Fibonacci correlation of a single spike", "fibonacci_correlation",
            activations=f64([0.0] * 20 + [1.0] + [0.0] * 9))
    for n in (0, 1, 2, 3, 4, 9, 128, 1000):
        b.valid(f"Fibonacci lags below {n}", "fibonacci_lags", n=i64(n))
    b.valid("health with the default weights", "health_score", alignment=0.9,
            regularity=0.7, correlation=0.2)
    b.valid("health: a negative correlation counts as 0", "health_score", alignment=0.9,
            regularity=0.7, correlation=-0.6)
    b.valid("health: all metrics 1 gives 1", "health_score", alignment=1.0, regularity=1.0,
            correlation=1.0)
    b.valid("health: all metrics 0 gives 0", "health_score", alignment=0.0, regularity=0.0,
            correlation=-0.0)
    b.valid("health with custom weights", "health_score", alignment=0.3, regularity=0.8,
            correlation=0.5, weight_e8=2.0, weight_golden=0.0, weight_fibonacci=1.0)
    b.valid("health with one non-zero weight", "health_score", alignment=0.3,
            regularity=0.8, correlation=0.5, weight_e8=0.0, weight_golden=0.0,
            weight_fibonacci=1e-300)
    b.valid("health with huge weights", "health_score", alignment=0.999, regularity=1.0,
            correlation=1.0, weight_e8=5e307, weight_golden=5e307, weight_fibonacci=5e307)
    acts = _probe(13, 16)
    b.valid("state vector: means of 8 arcs of 16", "state_vector", activations=acts)
    b.valid("state vector with l6_input added", "state_vector", activations=acts,
            l6_input=f64([0.5, -0.5, 0.25, -1.0, 2.0, 0.0, -0.0, 1e-9]))
    b.valid("state vector of 8 activations (one per arc)", "state_vector",
            activations=_probe(14, 8))
    b.valid("state vector of 13 activations (uneven arcs)", "state_vector",
            activations=_probe(15, 13))
    b.valid("state vector of 0.5 everywhere is exactly 0.5*(1,...,1)", "state_vector",
            activations=f64([0.5] * 128))

    b.invalid("regularity of an empty array", "golden_ratio_regularity", activations=f64([]))
    b.invalid("regularity of an activation above 1", "golden_ratio_regularity",
              activations=f64([0.5, 1.5]))
    b.invalid("regularity of a negative activation", "golden_ratio_regularity",
              activations=f64([0.5, -0.1]))
    b.invalid("Fibonacci correlation of a NaN", "fibonacci_correlation",
              activations=f64([0.5, np.nan, 0.1]))
    b.invalid("Fibonacci correlation of a 2-D array", "fibonacci_correlation",
              activations=f64(np.full((4, 4), 0.5)))
    b.invalid("Fibonacci lags below -1", "fibonacci_lags", n=i64(-1))
    b.invalid("Fibonacci lags of a float n", "fibonacci_lags", n=f64(5.0))
    b.invalid("health: alignment above 1", "health_score", alignment=1.5, regularity=0.5,
              correlation=0.0)
    b.invalid("health: regularity NaN", "health_score", alignment=0.5, regularity=np.nan,
              correlation=0.0)
    b.invalid("health: correlation below -1", "health_score", alignment=0.5, regularity=0.5,
              correlation=-1.5)
    b.invalid("health: a negative weight", "health_score", alignment=0.5, regularity=0.5,
              correlation=0.0, weight_golden=-0.1)
    b.invalid("health: weights summing to 0", "health_score", alignment=0.5, regularity=0.5,
              correlation=0.0, weight_e8=0.0, weight_golden=0.0, weight_fibonacci=0.0)
    b.invalid("health: weights whose sum overflows", "health_score", alignment=0.5,
              regularity=0.5, correlation=0.0, weight_e8=1e308, weight_golden=1e308,
              weight_fibonacci=1.0)
    b.invalid("health: infinite weight", "health_score", alignment=0.5, regularity=0.5,
              correlation=0.0, weight_fibonacci=np.inf)
    b.invalid("state vector of 7 activations (fewer than 8 arcs)", "state_vector",
              activations=_probe(16, 7))
    b.invalid("state vector with an l6_input of 7", "state_vector", activations=acts,
              l6_input=f64([0.0] * 7))
    b.invalid("state vector with a NaN l6_input", "state_vector", activations=acts,
              l6_input=f64([0.0] * 7 + [np.nan]))


def _update_cases(b: SafetyBuilder) -> None:
    rule = {"symbol_decay": 0.05, "symbol_coupling": 0.1}
    acts = _probe(21, 12)
    b.valid("update: diffusion and decay only", "update_activations", activations=acts,
            dt=0.1, **rule)
    b.valid("update: drive then clip at both ends", "update_activations", activations=acts,
            dt=0.1, symbol_input=f64([2.0, -2.0, 0.5, -0.5, 1e-17, -1e-17, 0.0, -0.0,
                                      1.0, -1.0, 0.25, 0.75]), **rule)
    b.valid("update: alternating 0/1 ring, full neighbour averaging (coupling*dt = 1)",
            "update_activations", activations=f64([0.0, 1.0] * 5), dt=0.5,
            symbol_decay=0.0, symbol_coupling=2.0)
    b.valid("update: decay*dt = 1 empties the ring", "update_activations", activations=acts,
            dt=2.0, symbol_decay=0.5, symbol_coupling=0.0)
    b.valid("update: no coupling and no decay is the identity", "update_activations",
            activations=acts, dt=1.0, symbol_decay=0.0, symbol_coupling=0.0)
    b.valid("update: a single spike spreads to its ring neighbours (wrapping)",
            "update_activations", activations=f64([1.0] + [0.0] * 9), dt=0.25,
            symbol_decay=0.1, symbol_coupling=0.8)
    b.valid("update: one symbol (its own neighbours)", "update_activations",
            activations=f64([0.4]), dt=0.1, **rule)
    b.valid("update: two symbols (each the other's two neighbours)", "update_activations",
            activations=f64([0.2, 0.9]), dt=0.3, **rule)
    b.valid("update: a tiny dt", "update_activations", activations=acts, dt=1e-300, **rule)
    b.valid("update: activations at 1 driven up stay 1 (clip before diffusion)",
            "update_activations", activations=f64([1.0] * 8), dt=0.1,
            symbol_input=f64([5.0] * 8), symbol_decay=0.0, symbol_coupling=0.5)
    b.invalid("update: dt = 0", "update_activations", activations=acts, dt=0.0, **rule)
    b.invalid("update: negative dt", "update_activations", activations=acts, dt=-0.1, **rule)
    b.invalid("update: NaN dt", "update_activations", activations=acts, dt=np.nan, **rule)
    b.invalid("update: infinite dt", "update_activations", activations=acts, dt=np.inf,
              **rule)
    b.invalid("update: decay*dt > 1", "update_activations", activations=acts, dt=2.5,
              symbol_decay=0.5, symbol_coupling=0.0)
    b.invalid("update: coupling*dt > 1", "update_activations", activations=acts, dt=0.6,
              symbol_decay=0.0, symbol_coupling=2.0)
    b.invalid("update: negative decay", "update_activations", activations=acts, dt=0.1,
              symbol_decay=-0.01, symbol_coupling=0.1)
    b.invalid("update: NaN coupling", "update_activations", activations=acts, dt=0.1,
              symbol_decay=0.01, symbol_coupling=np.nan)
    b.invalid("update: symbol_input of the wrong length", "update_activations",
              activations=acts, dt=0.1, symbol_input=f64([0.1] * 11), **rule)
    b.invalid("update: symbol_input with inf", "update_activations", activations=acts,
              dt=0.1, symbol_input=f64([0.1] * 11 + [np.inf]), **rule)
    b.invalid("update: activations above 1", "update_activations",
              activations=f64([0.5, 1.25]), dt=0.1, **rule)
    b.invalid("update: dt as a string", "update_activations", activations=acts, dt="0.1",
              **rule)


def _layer_cases(b: SafetyBuilder) -> None:
    for n in (0, 1, 2, 3, 65535, 65536, 2**32 - 1):
        b.valid(f"bitstream seed at step {n}", "bitstream_seed", rng_seed=i64(4_000_000_000),
                step=i64(n), n_symbols=i64(128))
    b.invalid("bitstream seed of a negative step", "bitstream_seed", rng_seed=i64(1),
              step=i64(-1), n_symbols=i64(128))
    b.invalid("bitstream seed of rng_seed 2**32", "bitstream_seed", rng_seed=i64(2**32),
              step=i64(0), n_symbols=i64(128))
    for n, parts in ((128, 12), (128, 8), (13, 8), (12, 12), (7, 1)):
        b.valid(f"arcs of {n} symbols in {parts}", "arc_bounds", n=i64(n), parts=i64(parts))
    b.invalid("more arcs than symbols", "arc_bounds", n=i64(5), parts=i64(6))
    b.invalid("zero arcs", "arc_bounds", n=i64(5), parts=i64(0))

    b.valid("layer with the default parameters: initial state and metrics",
            "L7_SymbolicLayer")
    b.valid("layer of 8 symbols, 8 meridians, seed 0", "L7_SymbolicLayer",
            n_symbols=i64(8), n_meridians=i64(8), rng_seed=i64(0))
    b.valid("layer of 13 symbols, 1 meridian, largest seed", "L7_SymbolicLayer",
            n_symbols=i64(13), n_meridians=i64(1), rng_seed=i64(2**32 - 1))
    bad_params: list[tuple[str, dict[str, object]]] = [
        ("n_symbols 7 (fewer than 8)", {"n_symbols": i64(7)}),
        ("n_symbols 0", {"n_symbols": i64(0)}),
        ("n_symbols as a float", {"n_symbols": f64(128.0)}),
        ("bitstream_length 0", {"bitstream_length": i64(0)}),
        ("negative bitstream_length", {"bitstream_length": i64(-64)}),
        ("n_meridians 0", {"n_meridians": i64(0)}),
        ("n_meridians above n_symbols", {"n_symbols": i64(16), "n_meridians": i64(17)}),
        ("negative weight_e8", {"weight_e8": -0.4}),
        ("NaN weight_golden", {"weight_golden": np.nan}),
        ("all weights 0", {"weight_e8": 0.0, "weight_golden": 0.0, "weight_fibonacci": 0.0}),
        ("negative symbol_decay", {"symbol_decay": -0.05}),
        ("infinite symbol_decay", {"symbol_decay": np.inf}),
        ("NaN symbol_coupling", {"symbol_coupling": np.nan}),
        ("negative rng_seed", {"rng_seed": i64(-1)}),
        ("rng_seed 2**32", {"rng_seed": i64(2**32)}),
        ("rng_seed as a float", {"rng_seed": f64(42.0)}),
        ("symbol_decay as a string", {"symbol_decay": "0.05"}),
    ]
    for comment, fields in bad_params:
        b.invalid(f"parameters: {comment}", "L7_SymbolicLayer", **fields)

    b.valid("one step, default parameters but 64-bit streams", "L7_SymbolicLayer.step",
            bitstream_length=i64(64), dt=0.1)
    b.valid("one step of a small layer, no inputs", "L7_SymbolicLayer.step", **_small(),
            dt=0.1)
    b.valid("one step with l6_input and symbol_input", "L7_SymbolicLayer.step", **_small(),
            dt=0.1, l6_input=f64([0.5, -0.25, 0.0, 1.0, -1.0, 0.125, 2.0, -0.0]),
            symbol_input=_probe(31, 16, -0.5, 0.5))
    arc_means = L7_SymbolicLayer(L7_StochasticParameters(
        n_symbols=16, bitstream_length=100, n_meridians=4, rng_seed=7)).step(0.5)["state_vector"]
    b.valid("one step: l6_input cancelling the arc means exactly gives e = 0",
            "L7_SymbolicLayer.step", **_small(), dt=0.5, l6_input=f64(-arc_means))
    b.valid("one step: drive to 0 everywhere and no l6_input gives e = 0",
            "L7_SymbolicLayer.step", **_small(), dt=0.5, symbol_input=f64([-1.0] * 16))
    b.valid("one step: streams of 1 bit", "L7_SymbolicLayer.step",
            **_small(bitstream_length=i64(1)), dt=0.1)
    b.valid("one step: streams of 65 bits (one bit into the second word)",
            "L7_SymbolicLayer.step", **_small(bitstream_length=i64(65)), dt=0.1)
    b.valid("one step: register seed wraps to 0 and becomes 1 (rng_seed 65533, symbol 3)",
            "L7_SymbolicLayer.step", **_small(rng_seed=i64(65533)), dt=0.1)
    b.valid("one step: dt at both stability limits (decay*dt = coupling*dt = 1)",
            "L7_SymbolicLayer.step", **_small(symbol_decay=0.5, symbol_coupling=0.5), dt=2.0)
    b.valid("one step: saturating drive then decay", "L7_SymbolicLayer.step", **_small(),
            dt=0.1, symbol_input=f64([3.0] * 16))
    b.invalid("step: dt = 0", "L7_SymbolicLayer.step", **_small(), dt=0.0)
    b.invalid("step: negative dt", "L7_SymbolicLayer.step", **_small(), dt=-1.0)
    b.invalid("step: NaN dt", "L7_SymbolicLayer.step", **_small(), dt=np.nan)
    b.invalid("step: infinite dt", "L7_SymbolicLayer.step", **_small(), dt=-np.inf)
    b.invalid("step: dt too large for symbol_decay", "L7_SymbolicLayer.step",
              **_small(symbol_decay=0.5), dt=2.5)
    b.invalid("step: dt too large for symbol_coupling", "L7_SymbolicLayer.step",
              **_small(symbol_coupling=1.0), dt=1.5)
    b.invalid("step: l6_input of 7", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              l6_input=f64([0.0] * 7))
    b.invalid("step: l6_input of 16 (the symbol count, not 8)", "L7_SymbolicLayer.step",
              **_small(), dt=0.1, l6_input=f64([0.0] * 16))
    b.invalid("step: l6_input as a (2, 4) array", "L7_SymbolicLayer.step", **_small(),
              dt=0.1, l6_input=f64(np.zeros((2, 4))))
    b.invalid("step: l6_input as a 0-D scalar", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              l6_input=f64(0.5))
    b.invalid("step: l6_input with NaN", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              l6_input=f64([0.0] * 3 + [np.nan] + [0.0] * 4))
    b.invalid("step: l6_input with inf", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              l6_input=f64([np.inf] + [0.0] * 7))
    b.invalid("step: symbol_input of 15", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              symbol_input=f64([0.0] * 15))
    b.invalid("step: symbol_input as a (16, 1) column", "L7_SymbolicLayer.step", **_small(),
              dt=0.1, symbol_input=f64(np.zeros((16, 1))))
    b.invalid("step: symbol_input with NaN", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              symbol_input=f64([0.0] * 15 + [np.nan]))
    b.invalid("step: symbol_input as strings", "L7_SymbolicLayer.step", **_small(), dt=0.1,
              symbol_input=strs(["x"] * 16))

    b.valid("stimulate meridian 0 of 4", "L7_SymbolicLayer.stimulate_meridian", **_small(),
            i=i64(0), intensity=0.25)
    b.valid("stimulate the last meridian to saturation", "L7_SymbolicLayer.stimulate_meridian",
            **_small(), i=i64(3), intensity=1.0)
    b.valid("inhibit a meridian to 0 (intensity -1)", "L7_SymbolicLayer.stimulate_meridian",
            **_small(), i=i64(1), intensity=-1.0)
    b.valid("stimulate one meridian of 12 over 128 symbols (uneven arcs)",
            "L7_SymbolicLayer.stimulate_meridian", i=i64(5), intensity=0.5)
    b.valid("stimulate with intensity 0 (no change)", "L7_SymbolicLayer.stimulate_meridian",
            **_small(), i=i64(2), intensity=0.0)
    b.invalid("stimulate meridian -1", "L7_SymbolicLayer.stimulate_meridian", **_small(),
              i=i64(-1), intensity=0.5)
    b.invalid("stimulate meridian n_meridians", "L7_SymbolicLayer.stimulate_meridian",
              **_small(), i=i64(4), intensity=0.5)
    b.invalid("stimulate meridian given as a float", "L7_SymbolicLayer.stimulate_meridian",
              **_small(), i=f64(1.0), intensity=0.5)
    b.invalid("stimulate with intensity above 1", "L7_SymbolicLayer.stimulate_meridian",
              **_small(), i=i64(1), intensity=1.5)
    b.invalid("stimulate with intensity below -1", "L7_SymbolicLayer.stimulate_meridian",
              **_small(), i=i64(1), intensity=-1.0000000000000002)
    b.invalid("stimulate with NaN intensity", "L7_SymbolicLayer.stimulate_meridian",
              **_small(), i=i64(1), intensity=np.nan)


def _trajectory_cases(b: SafetyBuilder) -> None:
    b.valid("8 free steps of a small layer", "L7_SymbolicLayer.steps", **_small(),
            dt=f64([0.1] * 8))
    b.valid("varying dt, l6_input on some steps, drive on others", "L7_SymbolicLayer.steps",
            **_small(), dt=f64([0.05, 0.2, 1.0, 0.01, 0.5, 0.3]),
            l6_input=_probe(41, 48, -1.0, 1.0).reshape(6, 8), l6_given=u8([1, 0, 1, 1, 0, 1]),
            symbol_input=_probe(42, 96, -0.6, 0.6).reshape(6, 16),
            symbol_given=u8([0, 1, 1, 0, 1, 0]))
    b.valid("saturate, hold at 1, then decay back (drive/clip/decay edges)",
            "L7_SymbolicLayer.steps", **_small(symbol_decay=0.25), dt=f64([0.5] * 5),
            symbol_input=f64([[5.0] * 16, [0.1] * 16, [0.0] * 16, [0.0] * 16, [-0.05] * 16]))
    b.valid("drive to 0 everywhere: every metric 0, streams all 0", "L7_SymbolicLayer.steps",
            **_small(), dt=f64([0.1, 0.1, 0.1]), symbol_input=f64(np.full((3, 16), -1.0)))
    b.valid("decay*dt = 1 and coupling*dt = 1 every step", "L7_SymbolicLayer.steps",
            **_small(symbol_decay=0.5, symbol_coupling=0.5), dt=f64([2.0, 2.0]),
            symbol_input=f64([[1.0] + [0.0] * 15, [0.0] * 8 + [1.0] * 8]))
    b.valid("pure diffusion (no decay) of a drive pulse around the ring",
            "L7_SymbolicLayer.steps", **_small(symbol_decay=0.0, symbol_coupling=1.0),
            dt=f64([0.5] * 6), symbol_input=f64([[1.0] * 2 + [-1.0] * 14] + [[0.0] * 16] * 5))
    b.valid("meridian stimulation between steps", "L7_SymbolicLayer.steps", **_small(),
            dt=f64([0.1] * 4), stimulate_before=i64([0, 0, 2, 3]), i=i64([1, 3, 0, 1]),
            intensity=f64([0.5, -1.0, 1.0, -0.25]))
    b.valid("streams of 130 bits (three words), 8 symbols and 8 meridians",
            "L7_SymbolicLayer.steps", n_symbols=i64(8), n_meridians=i64(8),
            bitstream_length=i64(130), rng_seed=i64(123456789), dt=f64([0.2] * 3),
            l6_input=f64(np.full((3, 8), 0.25)))
    b.valid("bitstream seeds wrap past 2**32", "L7_SymbolicLayer.steps",
            **_small(rng_seed=i64(2**32 - 20), bitstream_length=i64(16)), dt=f64([0.1] * 3))
    b.valid("40 steps with 8-bit streams and mixed inputs", "L7_SymbolicLayer.steps",
            **_small(bitstream_length=i64(8), n_meridians=i64(16), symbol_coupling=0.3),
            dt=f64(0.05 + 0.2 * SplitMix64(43).uniforms(40)),
            symbol_input=_probe(44, 640, -0.2, 0.2).reshape(40, 16),
            symbol_given=u8(SplitMix64(45).integers_below(40, 2)),
            stimulate_before=i64([3, 10, 10, 25]), i=i64([0, 15, 7, 4]),
            intensity=f64([0.9, -0.5, 0.3, 1.0]))
    b.valid("no steps: the initial state only", "L7_SymbolicLayer.steps", **_small(),
            dt=f64([]))
    b.invalid("trajectory with dt = 0 at step 2", "L7_SymbolicLayer.steps", **_small(),
              dt=f64([0.1, 0.1, 0.0]))
    b.invalid("trajectory with a NaN l6_input at step 1", "L7_SymbolicLayer.steps",
              **_small(), dt=f64([0.1, 0.1]),
              l6_input=f64([[0.0] * 8, [0.0] * 7 + [np.nan]]))
    b.invalid("trajectory with l6_input rows of 7", "L7_SymbolicLayer.steps", **_small(),
              dt=f64([0.1, 0.1]), l6_input=f64(np.zeros((2, 7))))
    b.invalid("trajectory with symbol_input rows of 17", "L7_SymbolicLayer.steps",
              **_small(), dt=f64([0.1]), symbol_input=f64(np.zeros((1, 17))))
    b.invalid("trajectory with a meridian index out of range", "L7_SymbolicLayer.steps",
              **_small(), dt=f64([0.1, 0.1]), stimulate_before=i64([1]), i=i64([4]),
              intensity=f64([0.5]))
    b.invalid("trajectory with an intensity out of range", "L7_SymbolicLayer.steps",
              **_small(), dt=f64([0.1, 0.1]), stimulate_before=i64([0]), i=i64([0]),
              intensity=f64([2.0]))
    b.invalid("unknown op", "L7_SymbolicLayer.reset", **_small())


def build() -> GoldenFile:
    """The cases of ``parity/golden/l7_symbolic.txt`` (every output bit for bit)."""
    b = SafetyBuilder("l7_symbolic", "sc_neurocore.scpn.layers.l7_symbolic", run_case)
    _e8_cases(b)
    _metric_cases(b)
    _update_cases(b)
    _layer_cases(b)
    _trajectory_cases(b)
    return b.golden()
