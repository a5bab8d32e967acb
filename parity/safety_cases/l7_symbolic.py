"""Golden cases of the geometric-symbolic layer (:mod:`sc_neurocore.scpn.layers.l7_symbolic`).

``parity/golden/l7_symbolic.txt`` holds these cases (made in
:mod:`parity.safety_cases._l7_symbolic_cases`); the Rust mirror
``rust/mirror/src/safety/l7_symbolic/`` answers every one of them. Outputs
match bit for bit, except those computed through ``exp`` (the Phi alignment)
or the normals of the E8 random walk, which carry ``rtol 1e-12``:
``phi_alignment``, ``e8_alignment``, ``symbolic_health``,
``cosmic_phase_drive``, ``glyph_vector``, ``glyph_normalized``, ``e8_state``
and ``global_metric``. Every input is an exact literal, a SplitMix64 uniform
or made by correctly rounded operations (no ``pow``).

Ops (the ``op`` input) and their other inputs -> outputs:

* ``e8_roots`` -> ``roots`` ``(240, 8)``; ``e8_root_alignments`` /
  ``e8_alignment`` (``e8_state``) -> ``alignments`` ``(240,)`` / ``alignment``;
* ``phi_alignment``, ``fibonacci_alignment``, ``platonic_coherence``
  (``activations``) and ``metatron_flow`` (``activations``, ``noise``) -> the
  metric under its own name;
* ``symbolic_health`` (the five metrics, optional weights) -> ``health``;
  ``normalize_glyph`` (``glyph_vector``) -> ``normalized``;
* ``acupoint_map`` (``acupoint_activations``) -> ``names`` (``str``), ``values``;
* ``l6_symbolic_effect`` (any of ``symbolic_drive``, ``schumann_field``,
  ``unrelated_channel``, put in one mapping) -> ``effect``;
* ``drive_symbols`` (``symbol_activations``, ``symbol_input``) and
  ``diffuse_symbols`` (``symbol_activations``, ``dt``, ``symbol_decay``,
  ``symbol_coupling``) -> ``symbol_activations``;
  ``update_meridian_qi`` (``meridian_qi``, ``dt``, ``symbol_coupling``,
  ``l6_effect``, ``ecological_coupling``) -> ``meridian_qi``;
  ``update_acupoints`` (``acupoint_activations``, ``dt``, ``symbol_decay``,
  optional ``acupoint_stimulus`` ``i64`` ids with ``acupoint_intensity``) ->
  ``acupoint_activations``;
* layer ops take any :class:`L7_StochasticParameters` field (absent ones take
  their defaults; valid cases always give ``rng_seed``) and optional state
  overrides (``symbol_activations``, ``meridian_qi``, ``acupoint_activations``,
  ``e8_state``, ``glyph_vector``, ``time``), assigned after construction:

  * ``L7_SymbolicLayer`` -> the state (``symbol_activations``, ``e8_state``,
    ``meridian_qi``, ``acupoint_activations``, ``glyph_vector``, ``time``),
    ``global_metric``, ``glyph_normalized``;
  * ``L7_SymbolicLayer.step``: ``dt``, optional ``symbol_input``, L6 keys as
    above and the acupoint stimulus -> the step's twelve keys, then
    ``symbol_activations``, ``time``, ``global_metric``, ``glyph_normalized``,
    ``acupoint_names``, ``acupoint_values``;
  * ``L7_SymbolicLayer.steps``: ``dt`` ``(T,)``; per-step inputs stacked on
    a first axis of length ``T`` with a ``u8`` mask saying which steps get
    them (``symbol_input``/``symbol_given``, ``symbolic_drive``/``drive_given``,
    ``schumann_field``/``schumann_given``; no mask = every step); acupoint
    stimuli ``acupoint_step``, ``acupoint_stimulus``, ``acupoint_intensity``
    (``(k,)`` each, grouped per step in listed order); meridian stimulations
    ``stimulate_before``, ``meridian_id``, ``intensity`` applied in listed
    order just before their step. Outputs stack the step outputs over ``T``;
  * ``L7_SymbolicLayer.stimulate_meridian`` (``meridian_id``, ``intensity``)
    -> ``meridian_qi``; ``L7_SymbolicLayer.get_glyph_vector_normalized`` ->
    ``glyph_normalized``; ``L7_SymbolicLayer.get_acupoint_map`` ->
    ``acupoint_names``, ``acupoint_values``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from sc_neurocore.scpn.layers import l7_symbolic as l7
from sc_neurocore.scpn.layers.l7_symbolic import L7_StochasticParameters, L7_SymbolicLayer

from ..golden_format import GoldenFile
from ._builder import arg, f64, op_of, strs

__all__ = ["OPS", "PARAMS", "RTOL", "run_case", "build"]

#: The fields of L7_StochasticParameters, in declaration order.
PARAMS = ("n_symbols", "n_meridians", "n_acupoints", "bitstream_length", "phi_alignment_weight",
          "fibonacci_weight", "metatron_weight", "platonic_weight", "e8_weight", "symbol_decay",
          "symbol_coupling", "glyph_dimensions", "ecological_coupling", "cosmic_coupling",
          "rng_seed")
WEIGHTS = PARAMS[4:9]
METRICS = ("phi_alignment", "fibonacci_alignment", "metatron_flow", "platonic_coherence",
           "e8_alignment")
#: Layer state attributes a case may override after construction.
STATE = ("symbol_activations", "meridian_qi", "acupoint_activations", "e8_state", "glyph_vector",
         "time")
L6_KEYS = ("symbolic_drive", "schumann_field", "unrelated_channel")
#: Outputs computed through exp or the normals (log, cos): compared within rtol.
RTOL = {name: 1e-12 for name in ("phi_alignment", "e8_alignment", "symbolic_health",
                                 "cosmic_phase_drive", "glyph_vector", "glyph_normalized",
                                 "e8_state", "global_metric")}
STEP_KEYS = ("glyph_vector", "phi_alignment", "fibonacci_alignment", "metatron_flow",
             "platonic_coherence", "e8_alignment", "symbolic_health", "cosmic_phase_drive",
             "meridian_qi", "acupoint_activations", "e8_state", "output_bitstreams")
OPS = ("e8_roots", "e8_root_alignments", "e8_alignment", "phi_alignment", "fibonacci_alignment",
       "metatron_flow", "platonic_coherence", "symbolic_health", "normalize_glyph",
       "acupoint_map", "l6_symbolic_effect", "drive_symbols", "diffuse_symbols",
       "update_meridian_qi", "update_acupoints", "L7_SymbolicLayer", "L7_SymbolicLayer.step",
       "L7_SymbolicLayer.steps", "L7_SymbolicLayer.stimulate_meridian",
       "L7_SymbolicLayer.get_glyph_vector_normalized", "L7_SymbolicLayer.get_acupoint_map")

Inputs = Mapping[str, np.ndarray]


def _optional(inputs: Inputs, name: str) -> object:
    """Input ``name`` as :func:`arg` gives it, or ``None`` when the case has none."""
    return arg(inputs, name) if name in inputs else None


def _layer(inputs: Inputs) -> L7_SymbolicLayer:
    fields = {name: arg(inputs, name) for name in PARAMS if name in inputs}
    layer = L7_SymbolicLayer(L7_StochasticParameters(**fields))  # type: ignore[arg-type]
    for name in STATE:
        if name in inputs:
            setattr(layer, name, arg(inputs, name))
    return layer


def _l6(values: Mapping[str, object]) -> dict[str, object] | None:
    """The L6 mapping of the keys present (``None`` when there are none)."""
    present = {k: v for k, v in values.items() if v is not None}
    return present or None


def _stimulus(ids: object, intensities: object) -> dict[int, float] | None:
    if ids is None:
        return None
    keys, values = np.asarray(ids), np.asarray(intensities)
    if keys.ndim != 1 or values.shape != keys.shape:
        raise ValueError("acupoint_stimulus and acupoint_intensity must be 1-D of one length")
    stimulus: dict[int, float] = {k.item(): v.item() for k, v in zip(keys, values)}
    if len(stimulus) != keys.size:
        raise ValueError("acupoint_stimulus must not repeat a point id")
    return stimulus


def _map_fields(prefix: str, mapping: Mapping[str, float]) -> dict[str, object]:
    return {f"{prefix}names": strs(list(mapping)), f"{prefix}values": f64(list(mapping.values()))}


def _tail(layer: L7_SymbolicLayer) -> dict[str, object]:
    """What a layer case reports after its op: state and accessors."""
    return {"symbol_activations": layer.symbol_activations, "time": float(layer.time),
            "global_metric": layer.get_global_metric(),
            "glyph_normalized": layer.get_glyph_vector_normalized(),
            **_map_fields("acupoint_", layer.get_acupoint_map())}


def _rows(inputs: Inputs, name: str, mask_name: str, steps: int) -> list[object]:
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


def _per_step(inputs: Inputs, names: tuple[str, ...], steps: int) -> list[list[tuple]]:
    """Events ``(when, *values)`` grouped by step from ``(k,)`` inputs ``names`` (``when`` first)."""
    events: list[list[tuple]] = [[] for _ in range(steps)]
    if names[0] not in inputs:
        return events
    cols = [np.asarray(arg(inputs, n)) for n in names]
    if cols[0].ndim != 1 or any(c.shape != cols[0].shape for c in cols):
        raise ValueError(f"{', '.join(names)} must be 1-D of one length")
    for k in range(cols[0].shape[0]):
        when = int(cols[0][k])
        if not 0 <= when < steps:
            raise ValueError(f"{names[0]} must index a step in [0, {steps}), got {when}")
        events[when].append(tuple(c[k].item() for c in cols[1:]))
    return events


def _steps(inputs: Inputs) -> dict[str, object]:
    layer = _layer(inputs)
    dts = np.asarray(arg(inputs, "dt"))
    if dts.dtype != np.float64 or dts.ndim != 1:
        raise ValueError(f"dt must be a 1-D f64 array (one per step), got {dts.dtype} "
                         f"{dts.shape}")
    steps = dts.shape[0]
    drive = _rows(inputs, "symbol_input", "symbol_given", steps)
    sym = _rows(inputs, "symbolic_drive", "drive_given", steps)
    sch = _rows(inputs, "schumann_field", "schumann_given", steps)
    acu = _per_step(inputs, ("acupoint_step", "acupoint_stimulus", "acupoint_intensity"), steps)
    stim = _per_step(inputs, ("stimulate_before", "meridian_id", "intensity"), steps)
    results: list[dict[str, object]] = []
    for t in range(steps):
        for meridian, intensity in stim[t]:
            layer.stimulate_meridian(meridian, intensity)
        stimulus = dict(acu[t]) or None
        out = layer.step(float(dts[t]), _l6({"symbolic_drive": sym[t], "schumann_field": sch[t]}),
                         drive[t], stimulus)
        results.append({**out, "symbol_activations": layer.symbol_activations,
                        "time": float(layer.time)})
    stacked: dict[str, object] = {}
    for key in results[0] if results else ():
        column = [r[key] for r in results]
        stacked[key] = (np.stack([np.asarray(c) for c in column])
                        if isinstance(column[0], np.ndarray) else f64(column))
    tail = _tail(layer)
    stacked.update({k: v for k, v in tail.items() if k not in stacked})
    return stacked


def _layer_op(op: str, inputs: Inputs) -> dict[str, object]:
    if op == "L7_SymbolicLayer.steps":
        return _steps(inputs)
    layer = _layer(inputs)
    if op == "L7_SymbolicLayer":
        return {"e8_state": layer.e8_state, "meridian_qi": layer.meridian_qi,
                "acupoint_activations": layer.acupoint_activations,
                "glyph_vector": layer.glyph_vector, **_tail(layer)}
    if op == "L7_SymbolicLayer.step":
        out = layer.step(arg(inputs, "dt"),  # type: ignore[arg-type]
                         _l6({k: _optional(inputs, k) for k in L6_KEYS}),
                         _optional(inputs, "symbol_input"),  # type: ignore[arg-type]
                         _stimulus(_optional(inputs, "acupoint_stimulus"),  # type: ignore[arg-type]
                                   _optional(inputs, "acupoint_intensity")))
        return {**{k: out[k] for k in STEP_KEYS}, **_tail(layer)}  # type: ignore[literal-required]
    if op == "L7_SymbolicLayer.stimulate_meridian":
        layer.stimulate_meridian(arg(inputs, "meridian_id"),  # type: ignore[arg-type]
                                 arg(inputs, "intensity"))  # type: ignore[arg-type]
        return {"meridian_qi": layer.meridian_qi}
    if op == "L7_SymbolicLayer.get_glyph_vector_normalized":
        return {"glyph_normalized": layer.get_glyph_vector_normalized()}
    if op == "L7_SymbolicLayer.get_acupoint_map":
        return _map_fields("acupoint_", layer.get_acupoint_map())
    raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")


#: Function ops: (function, positional inputs, keyword inputs passed when present, output).
_FUNCTIONS: dict[str, tuple[Callable[..., object], tuple[str, ...], tuple[str, ...], str]] = {
    "e8_root_alignments": (l7.e8_root_alignments, ("e8_state",), (), "alignments"),
    "e8_alignment": (l7.e8_alignment, ("e8_state",), (), "alignment"),
    "phi_alignment": (l7.phi_alignment, ("activations",), (), "phi_alignment"),
    "fibonacci_alignment": (l7.fibonacci_alignment, ("activations",), (),
                            "fibonacci_alignment"),
    "platonic_coherence": (l7.platonic_coherence, ("activations",), (), "platonic_coherence"),
    "metatron_flow": (l7.metatron_flow, ("activations", "noise"), (), "metatron_flow"),
    "symbolic_health": (l7.symbolic_health, METRICS, WEIGHTS, "health"),
    "normalize_glyph": (l7.normalize_glyph, ("glyph_vector",), (), "normalized"),
    "drive_symbols": (l7.drive_symbols, ("symbol_activations", "symbol_input"), (),
                      "symbol_activations"),
    "diffuse_symbols": (l7.diffuse_symbols, ("symbol_activations", "dt"),
                        ("symbol_decay", "symbol_coupling"), "symbol_activations"),
    "update_meridian_qi": (l7.update_meridian_qi, ("meridian_qi", "dt"),
                           ("symbol_coupling", "l6_effect", "ecological_coupling"),
                           "meridian_qi"),
}


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.scpn.layers.l7_symbolic` (see the module docstring)."""
    op = op_of(inputs)
    if op.startswith("L7_SymbolicLayer"):
        return _layer_op(op, inputs)
    if op in _FUNCTIONS:
        function, positional, keywords, output = _FUNCTIONS[op]
        return {output: function(*(arg(inputs, n) for n in positional),
                                 **{n: arg(inputs, n) for n in keywords if n in inputs})}
    if op == "e8_roots":
        return {"roots": l7.e8_roots()}
    if op == "acupoint_map":
        return _map_fields("", l7.acupoint_map(arg(inputs, "acupoint_activations")))
    if op == "l6_symbolic_effect":
        return {"effect": l7.l6_symbolic_effect({k: arg(inputs, k) for k in L6_KEYS
                                                 if k in inputs})}
    if op == "update_acupoints":
        return {"acupoint_activations": l7.update_acupoints(
            arg(inputs, "acupoint_activations"), arg(inputs, "dt"),  # type: ignore[arg-type]
            symbol_decay=arg(inputs, "symbol_decay"),  # type: ignore[arg-type]
            acupoint_stimulus=_stimulus(_optional(inputs, "acupoint_stimulus"),
                                        _optional(inputs, "acupoint_intensity")))}
    raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")


def build() -> GoldenFile:
    """The cases of ``parity/golden/l7_symbolic.txt``."""
    from ._builder import SafetyBuilder
    from ._l7_symbolic_cases import add_cases

    b = SafetyBuilder("l7_symbolic", "sc_neurocore.scpn.layers.l7_symbolic", run_case,
                      rtol=RTOL)
    add_cases(b)
    return b.golden()
