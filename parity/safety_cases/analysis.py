"""Golden cases of :mod:`sc_neurocore.studio.analysis` (``parity/golden/analysis.txt``).

The Rust mirror ``rust/mirror/src/safety/analysis.rs`` answers the same
cases. Callables cannot live in a golden file, so:

* ``simulate_fn`` is named by the input ``model`` (a key of
  :data:`sc_neurocore.studio.analysis.MODELS`: ``lif`` or
  ``fitzhugh_nagumo``), and its ``base_config`` is every input that is
  neither ``op``, ``model`` nor an argument of the op (so a configuration key
  is an input of its own name: an error about ``tau_ms`` names an input);
* the fields of ``nullclines_2d`` are named by the inputs ``f`` and ``g``
  (:data:`FIELDS`); the other inputs of such a case are the parameters of
  :func:`~sc_neurocore.studio.analysis.fitzhugh_nagumo_fields`.

Ops and outputs (``None`` and lists of arrays flattened):

* ``simulate``: the model's ``rate_hz``, ``dt_ms``, ``n_steps``, ``spikes``
  and one ``state_<name>`` per state; a run with a sinusoidal drive calls
  ``sin``, so its traces are ``driven_<name>`` instead, within ``rtol``;
* ``fi_curve_sweep``: ``currents``, ``rates``;
* ``bifurcation_sweep``: ``param_values``, ``counts`` (values per
  parameter) and ``extrema`` (all of them, concatenated);
* ``sensitivity_analysis``: per entry in result order ``params``, ``values``,
  ``defined`` (1 where the sensitivity exists), ``sensitivities``,
  ``rates_minus``, ``rates_plus`` (0.0 where undefined), ``reasons`` (``""``
  where defined), then ``base_rate``;
* ``heatmap_2d``, ``spike_triggered_average``, ``frequency_response``,
  ``nullclines_2d``, ``precision_compare``: their dict's arrays and numbers;
* ``grid``, ``round2``: the exact helpers.

``rtol`` 1e-12 only for what the math library computes (``pow``, ``sin``,
``cos``, ``atan2``): the frequency response and driven traces. Everything else
is ``+ - * /``, ``sqrt``, ``floor`` and round-half-even in a specified order
and matches bit for bit. Driven cases are checked at build time to keep every
spike decision away from a rounding tie (:func:`_check_drive_margin`), so a
math library that differs in the last bit cannot move a spike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from sc_neurocore.studio import analysis as A

from ..cases import RegenError
from ..golden_format import GoldenFile
from ._builder import SafetyBuilder, arg, f64, i64, op_of, strs

__all__ = ["MODEL_OPS", "DIRECT_OPS", "FIELDS", "run_case", "build"]

RTOL = 1e-12
#: Ops that run a model, with the names of the op's own arguments.
MODEL_OPS: dict[str, tuple[str, ...]] = {
    "simulate": (),
    "fi_curve_sweep": ("i_min", "i_max", "i_steps"),
    "bifurcation_sweep": ("param_name", "param_min", "param_max", "n_values", "variable"),
    "sensitivity_analysis": ("param_names", "perturbation"),
    "heatmap_2d": ("param_x", "x_min", "x_max", "x_steps", "param_y", "y_min", "y_max",
                   "y_steps"),
    "frequency_response": ("freq_min", "freq_max", "n_freqs", "bias", "depth"),
}
#: Ops on plain arrays, with their arguments.
DIRECT_OPS: dict[str, tuple[str, ...]] = {
    "spike_triggered_average": ("time", "voltage", "spikes", "dt", "window_ms"),
    "nullclines_2d": ("f", "g", "x_range", "y_range", "grid_size"),
    "precision_compare": ("values",),
    "grid": ("lo", "hi", "n"),
    "round2": ("values",),
}
_FieldMaker = Callable[[Mapping[str, object]], A.Field]


def _fhn(index: int) -> _FieldMaker:
    def make(params: Mapping[str, object]) -> A.Field:
        return A.fitzhugh_nagumo_fields(**params)[index]  # type: ignore[arg-type]
    return make


def _fixed(field: A.Field) -> _FieldMaker:
    def make(params: Mapping[str, object]) -> A.Field:
        A.fitzhugh_nagumo_fields(**params)  # type: ignore[arg-type]  # the same checks
        return field
    return make


#: Field names of ``nullclines_2d`` cases (the Rust test defines the same).
FIELDS: dict[str, _FieldMaker] = {
    "fhn_dv": _fhn(0),                                   # ((v - v*v*v/3) - w) + current
    "fhn_dw": _fhn(1),                                   # ((v + a) - b*w) / tau
    "x_minus_y": _fixed(lambda x, y: x - y),
    "circle": _fixed(lambda x, y: (x * x + y * y) - 1.0),
    "zero": _fixed(lambda x, y: 0.0),
}


def _args(inputs: dict[str, np.ndarray], names: tuple[str, ...]) -> dict[str, object]:
    """The op's arguments present in the case (absent ones keep their defaults)."""
    out: dict[str, object] = {}
    for name in names:
        if name in inputs:
            value = arg(inputs, name)
            out[name] = value.tolist() if name == "param_names" and isinstance(
                value, np.ndarray) else value
    return out


def _rest(inputs: dict[str, np.ndarray], taken: tuple[str, ...]) -> dict[str, object]:
    return {k: arg(inputs, k) for k in inputs if k not in taken}


def _model(inputs: dict[str, np.ndarray]) -> A.SimulateFn:
    name = arg(inputs, "model")
    if not isinstance(name, str) or name not in A.MODELS:
        raise ValueError(f"model must be one of {', '.join(A.MODELS)}, got {name!r}")
    return A.MODELS[name]


def _simulate_outputs(model: A.SimulateFn, config: dict[str, object]) -> dict[str, object]:
    sim = A.check_simulation(model(**config))
    driven = config.get("drive_depth", 0.0) != 0.0 and config.get("drive_freq_hz", 0.0) != 0.0
    out: dict[str, object] = {"rate_hz": sim.rate_hz, "dt_ms": sim.dt_ms,
                              "n_steps": sim.n_steps, "spikes": sim.spikes}
    for name, trace in sim.states.items():
        out[f"{'driven' if driven else 'state'}_{name}"] = trace
    return out


def _model_case(op: str, inputs: dict[str, np.ndarray]) -> dict[str, object]:
    model = _model(inputs)
    args = _args(inputs, MODEL_OPS[op])
    config = _rest(inputs, ("op", "model", *MODEL_OPS[op]))
    if op == "simulate":
        return _simulate_outputs(model, config)
    if op == "fi_curve_sweep":
        fi = A.fi_curve_sweep(model, base_config=config, **args)  # type: ignore[arg-type]
        return {"currents": fi["currents"], "rates": fi["rates"]}
    if op == "bifurcation_sweep":
        bif = A.bifurcation_sweep(model, config, **args)  # type: ignore[arg-type]
        return {"param_values": bif["param_values"],
                "counts": i64([len(e) for e in bif["extrema"]]),
                "extrema": f64(np.concatenate([np.zeros(0), *bif["extrema"]]))}
    if op == "sensitivity_analysis":
        entries = A.sensitivity_analysis(model, config, **args)  # type: ignore[arg-type]
        return {"params": strs([e["param"] for e in entries]),
                "values": f64([e["value"] for e in entries]),
                "defined": np.array([e["sensitivity"] is not None for e in entries], np.uint8),
                "sensitivities": f64([e["sensitivity"] or 0.0 for e in entries]),
                "rates_minus": f64([e["rate_minus"] or 0.0 for e in entries]),
                "rates_plus": f64([e["rate_plus"] or 0.0 for e in entries]),
                "reasons": strs([e["reason"] or "" for e in entries]),
                "base_rate": entries[0]["base_rate"]}
    if op == "heatmap_2d":
        hm = A.heatmap_2d(model, config, **args)  # type: ignore[arg-type]
        return {"x_values": hm["x_values"], "y_values": hm["y_values"], "rates": hm["rates"]}
    fr = A.frequency_response(model, config, **args)  # type: ignore[arg-type]
    return dict(fr)


def _nullcline_case(inputs: dict[str, np.ndarray]) -> dict[str, object]:
    params = _rest(inputs, ("op", *DIRECT_OPS["nullclines_2d"]))
    fields = []
    for name in ("f", "g"):
        key = arg(inputs, name)
        if not isinstance(key, str) or key not in FIELDS:
            raise ValueError(f"{name} must be one of {', '.join(FIELDS)}, got {key!r}")
        fields.append(FIELDS[key](params))
    args = _args(inputs, ("x_range", "y_range", "grid_size"))
    nc = A.nullclines_2d(fields[0], fields[1], **args)  # type: ignore[arg-type]
    return dict(nc)


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.studio.analysis`."""
    op = op_of(inputs)
    if op in MODEL_OPS:
        return _model_case(op, inputs)
    if op not in DIRECT_OPS:
        raise ValueError(f"op must be one of {', '.join([*MODEL_OPS, *DIRECT_OPS])}, "
                         f"got {op!r}")
    extra = _rest(inputs, ("op", *DIRECT_OPS[op]))
    if op == "nullclines_2d":
        return _nullcline_case(inputs)
    if extra:
        raise TypeError(f"{op} takes no input called {next(iter(extra))}")
    args = _args(inputs, DIRECT_OPS[op])
    if op == "spike_triggered_average":
        return dict(A.spike_triggered_average(**args))  # type: ignore[arg-type]
    if op == "precision_compare":
        return dict(A.precision_compare(args["values"]))  # type: ignore[call-overload]
    if op == "grid":
        return {"values": A.grid(**args)}  # type: ignore[arg-type]
    return {"values": A.round2(args["values"])}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- build-time checks

EPS = 1e-12


def _check_drive_margin(comment: str, model: A.SimulateFn, run: Callable[[A.SimulateFn], None]
                        ) -> None:
    """Refuse a driven case whose spikes move when the drive changes by 1e-12 relative.

    ``run(sim)`` runs the case with ``sim`` as its simulator. It is run with the
    model itself and with the bias (``current``) and the drive frequency each
    scaled by ``1 +- EPS``; every run must give the same spike trains, so a
    ``sin`` or ``pow`` a few ulps off (~1e-16) cannot change them.
    """
    def trains(scale: Callable[[dict[str, object]], dict[str, object]]) -> list[list[int]]:
        seen: list[list[int]] = []

        def sim(**config: object) -> Mapping[str, object]:
            result = model(**scale(dict(config)))
            seen.append(A.check_simulation(result).spikes.tolist())
            return result
        run(sim)
        return seen

    def scaled(key: str, factor: float) -> Callable[[dict[str, object]], dict[str, object]]:
        def scale(config: dict[str, object]) -> dict[str, object]:
            config[key] = float(config[key]) * factor  # type: ignore[arg-type]
            return config
        return scale

    reference = trains(lambda c: c)
    for key in ("current", "drive_freq_hz"):
        for factor in (1.0 + EPS, 1.0 - EPS):
            if trains(scaled(key, factor)) != reference:
                raise RegenError(f"analysis case {comment!r}: a spike moves when {key} is "
                                 f"scaled by {factor!r}; choose a case with more margin")


class _Builder:
    """:class:`SafetyBuilder` plus the drive-margin check for driven cases."""

    def __init__(self) -> None:
        self.b = SafetyBuilder(
            "analysis", "sc_neurocore.studio.analysis", run_case,
            rtol={name: RTOL for name in ("frequencies", "gain", "phase_lag", "vector_strength",
                                          "driven_v", "driven_w")})

    def valid(self, comment: str, op: str, **inputs: object) -> None:
        self.b.valid(comment, op, **inputs)

    def invalid(self, comment: str, op: str, **inputs: object) -> None:
        self.b.invalid(comment, op, **inputs)

    def driven(self, comment: str, op: str, **inputs: object) -> None:
        """A valid case that calls ``sin``: checked for margin first."""
        model = A.MODELS[str(inputs["model"])]
        config = {k: _plain(v) for k, v in inputs.items()
                  if k not in ("model", *MODEL_OPS[op])}
        args = {k: _plain(v) for k, v in inputs.items() if k in MODEL_OPS[op]}

        def run(sim: A.SimulateFn) -> None:
            if op == "simulate":
                sim(**config)
            else:
                A.frequency_response(sim, config, **args)  # type: ignore[arg-type]
        _check_drive_margin(comment, model, run)
        self.b.valid(comment, op, **inputs)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value


def _q(code: float) -> float:
    """A Q8.8 code as its value."""
    return code / 256.0


def build() -> GoldenFile:
    """The cases of ``parity/golden/analysis.txt``."""
    c = _Builder()
    _model_cases(c)
    _sweep_cases(c)
    _trace_cases(c)
    _frequency_cases(c)
    _nullcline_cases(c)
    _precision_cases(c)
    _helper_cases(c)
    return c.b.golden()


def _model_cases(c: _Builder) -> None:
    c.valid("lif, defaults but current and n_steps", "simulate", model="lif", current=20.0,
            n_steps=i64(300))
    c.valid("lif below rheobase: no spikes, potential creeps up", "simulate", model="lif",
            current=5.0, n_steps=i64(200))
    c.valid("lif exact ties: v hits v_threshold exactly (1.0) every step and spikes", "simulate",
            model="lif", current=2.0, tau_ms=2.0, dt_ms=1.0, v_rest=0.0, v_reset=0.0,
            v_threshold=1.0, resistance=1.0, n_steps=i64(6))
    c.valid("lif just below the tie: never spikes", "simulate", model="lif",
            current=1.9999999999999998, tau_ms=2.0, dt_ms=1.0, v_rest=0.0, v_reset=-0.5,
            v_threshold=1.0, resistance=1.0, n_steps=i64(6))
    c.valid("lif dt_ms == tau_ms (a = 1: v jumps to v_rest + R I each step)", "simulate",
            model="lif", current=8.0, tau_ms=0.5, dt_ms=0.5, n_steps=i64(5))
    c.valid("lif one spike only", "simulate", model="lif", current=16.0, v_reset=-80.0,
            n_steps=i64(400))
    c.valid("lif with integer-valued parameters given as ints", "simulate", model="lif",
            current=i64(20), tau_ms=i64(8), dt_ms=i64(1), n_steps=i64(40))
    c.valid("lif, every default (n_steps 2000, no drive)", "simulate", model="lif")
    c.driven("lif with a 40 Hz sinusoidal drive (sin: traces within rtol)", "simulate",
             model="lif", current=9.0, drive_freq_hz=40.0, drive_depth=0.5, n_steps=i64(500))
    c.valid("lif, drive depth 0: no sin, exact", "simulate", model="lif", current=9.0,
            drive_freq_hz=40.0, drive_depth=0.0, n_steps=i64(300))
    c.valid("fitzhugh_nagumo, defaults but n_steps: spiking", "simulate",
            model="fitzhugh_nagumo", n_steps=i64(800))
    c.valid("fitzhugh_nagumo at rest (current 0): no spikes", "simulate",
            model="fitzhugh_nagumo", current=0.0, n_steps=i64(300))
    c.valid("fitzhugh_nagumo exact tie: v goes 0 -> 1.0 == v_threshold and spikes",
            "simulate", model="fitzhugh_nagumo", current=1.0, v0=0.0, w0=0.0, dt_ms=1.0,
            v_threshold=1.0, n_steps=i64(3))
    c.valid("fitzhugh_nagumo with every parameter set", "simulate", model="fitzhugh_nagumo",
            current=0.9, a=0.6, b=0.9, tau=10.0, v_threshold=0.5, v0=0.25, w0=0.5,
            dt_ms=0.25, n_steps=i64(400))
    c.driven("fitzhugh_nagumo with a 25 Hz drive (sin)", "simulate", model="fitzhugh_nagumo",
             current=0.4, drive_freq_hz=25.0, drive_depth=0.75, n_steps=i64(600))

    c.invalid("unknown model", "simulate", model="hodgkin_huxley", current=1.0)
    c.invalid("unknown configuration key", "simulate", model="lif", gain=2.0)
    c.invalid("dt_ms = 0", "simulate", model="lif", dt_ms=0.0)
    c.invalid("dt_ms < 0", "simulate", model="fitzhugh_nagumo", dt_ms=-0.1)
    c.invalid("dt_ms NaN", "simulate", model="lif", dt_ms=np.nan)
    c.invalid("dt_ms inf", "simulate", model="fitzhugh_nagumo", dt_ms=np.inf)
    c.invalid("lif dt_ms > tau_ms", "simulate", model="lif", dt_ms=2.0, tau_ms=1.5)
    c.invalid("n_steps = 0", "simulate", model="lif", n_steps=i64(0))
    c.invalid("n_steps < 0", "simulate", model="fitzhugh_nagumo", n_steps=i64(-5))
    c.invalid("n_steps as a float", "simulate", model="lif", n_steps=100.0)
    c.invalid("n_steps above MAX_STEPS", "simulate", model="lif", n_steps=i64(A.MAX_STEPS + 1))
    c.invalid("tau_ms = 0", "simulate", model="lif", tau_ms=0.0)
    c.invalid("tau_ms < 0", "simulate", model="lif", tau_ms=-10.0)
    c.invalid("v_reset = v_threshold", "simulate", model="lif", v_reset=-50.0)
    c.invalid("current NaN", "simulate", model="lif", current=np.nan)
    c.invalid("current -inf", "simulate", model="fitzhugh_nagumo", current=-np.inf)
    c.invalid("drive_depth > 1", "simulate", model="lif", drive_depth=1.5)
    c.invalid("drive_depth < 0", "simulate", model="fitzhugh_nagumo", drive_depth=-0.25)
    c.invalid("drive_freq_hz < 0", "simulate", model="lif", drive_freq_hz=-1.0)
    c.invalid("a configuration value as a str", "simulate", model="lif", current="ten")
    c.invalid("a configuration value as an array", "simulate", model="lif",
              current=f64([1.0, 2.0]))
    c.invalid("fitzhugh_nagumo tau = 0", "simulate", model="fitzhugh_nagumo", tau=0.0)
    c.invalid("fitzhugh_nagumo v0 NaN", "simulate", model="fitzhugh_nagumo", v0=np.nan)
    c.invalid("fitzhugh_nagumo Euler diverges (large dt_ms)", "simulate",
              model="fitzhugh_nagumo", dt_ms=50.0, current=2.0, n_steps=i64(400))
    c.invalid("lif potential overflows (current * resistance)", "simulate", model="lif",
              current=1e300, resistance=1e300, n_steps=i64(3))
    c.invalid("model as a float", "simulate", model=1.0)


def _sweep_cases(c: _Builder) -> None:
    # fi_curve_sweep
    c.valid("f-I curve of the default lif (n_steps 2000)", "fi_curve_sweep", model="lif",
            i_min=0.0, i_max=40.0, i_steps=i64(21))
    c.valid("f-I curve, one current", "fi_curve_sweep", model="lif", i_min=12.5, i_max=30.0,
            i_steps=i64(1), n_steps=i64(500))
    c.valid("f-I curve, i_min == i_max", "fi_curve_sweep", model="lif", i_min=17.0,
            i_max=17.0, i_steps=i64(3), n_steps=i64(500))
    c.valid("f-I curve, negative currents: all silent", "fi_curve_sweep", model="lif",
            i_min=-10.0, i_max=0.0, i_steps=i64(4), n_steps=i64(100))
    c.valid("f-I curve, current in base_config is overridden", "fi_curve_sweep", model="lif",
            i_min=10.0, i_max=30.0, i_steps=i64(7), current=1000.0, tau_ms=5.0,
            n_steps=i64(600))
    c.valid("f-I curve of fitzhugh_nagumo across the Hopf onset", "fi_curve_sweep",
            model="fitzhugh_nagumo", i_min=0.0, i_max=1.6, i_steps=i64(9), n_steps=i64(3000))
    c.valid("f-I curve at n_steps = MAX_STEPS", "fi_curve_sweep", model="lif", i_min=20.0,
            i_max=20.0, i_steps=i64(1), n_steps=i64(A.MAX_STEPS))
    c.invalid("i_min > i_max", "fi_curve_sweep", model="lif", i_min=5.0, i_max=1.0,
              i_steps=i64(3))
    c.invalid("i_min NaN", "fi_curve_sweep", model="lif", i_min=np.nan, i_max=1.0,
              i_steps=i64(3))
    c.invalid("i_max inf", "fi_curve_sweep", model="lif", i_min=0.0, i_max=np.inf,
              i_steps=i64(3))
    c.invalid("i_max - i_min overflows", "fi_curve_sweep", model="lif", i_min=-1e308,
              i_max=1e308, i_steps=i64(3))
    c.invalid("i_steps = 0", "fi_curve_sweep", model="lif", i_min=0.0, i_max=1.0,
              i_steps=i64(0))
    c.invalid("i_steps as a float", "fi_curve_sweep", model="lif", i_min=0.0, i_max=1.0,
              i_steps=3.0)
    c.invalid("i_steps above MAX_POINTS", "fi_curve_sweep", model="lif", i_min=0.0,
              i_max=1.0, i_steps=i64(A.MAX_POINTS + 1))
    c.invalid("a bad base_config value reaches the model", "fi_curve_sweep", model="lif",
              i_min=0.0, i_max=1.0, i_steps=i64(2), tau_ms=-1.0)
    c.invalid("a huge current overflows the model", "fi_curve_sweep", model="lif",
              i_min=0.0, i_max=1e300, i_steps=i64(2), resistance=1e300, n_steps=i64(3))

    # bifurcation_sweep
    c.valid("fitzhugh_nagumo: fixed point, Hopf cycle, fixed point", "bifurcation_sweep",
            model="fitzhugh_nagumo", param_name="current", param_min=0.0, param_max=1.6,
            n_values=i64(9), n_steps=i64(3000))
    c.valid("fitzhugh_nagumo, variable w", "bifurcation_sweep", model="fitzhugh_nagumo",
            param_name="current", param_min=0.2, param_max=1.0, n_values=i64(5),
            n_steps=i64(2000), variable="w")
    c.valid("fitzhugh_nagumo at dt 0.5: over 20 maxima and minima, earlier ones differ "
            "(only the last 20 count)", "bifurcation_sweep", model="fitzhugh_nagumo",
            param_name="current", param_min=0.32, param_max=0.36, n_values=i64(2), dt_ms=0.5,
            n_steps=i64(6000), v0=-0.5)
    c.valid("lif, default n_values (30): sawtooth maxima and reset minima", "bifurcation_sweep",
            model="lif", param_name="current", param_min=0.0, param_max=60.0,
            n_steps=i64(400))
    c.valid("lif sweep of tau_ms", "bifurcation_sweep", model="lif", param_name="tau_ms",
            param_min=5.0, param_max=20.0, n_values=i64(4), current=20.0, n_steps=i64(600))
    c.valid("lif monotone approach: no extremum, the rounded mean", "bifurcation_sweep",
            model="lif", param_name="current", param_min=1.0, param_max=5.0,
            n_values=i64(3), n_steps=i64(100))
    c.valid("late half of exactly 10 samples (n_steps 20)", "bifurcation_sweep",
            model="fitzhugh_nagumo", param_name="current", param_min=0.5, param_max=0.5,
            n_values=i64(1), n_steps=i64(20))
    c.valid("late half of 9 samples (n_steps 18): no values", "bifurcation_sweep",
            model="fitzhugh_nagumo", param_name="current", param_min=0.5, param_max=0.5,
            n_values=i64(1), n_steps=i64(18))
    c.valid("late half of 10 samples from an odd n_steps (19)", "bifurcation_sweep",
            model="lif", param_name="current", param_min=30.0, param_max=30.0,
            n_values=i64(1), n_steps=i64(19), tau_ms=1.0, dt_ms=0.5)
    c.invalid("param_min > param_max", "bifurcation_sweep", model="lif", param_name="current",
              param_min=2.0, param_max=1.0, n_values=i64(3))
    c.invalid("n_values = 0", "bifurcation_sweep", model="lif", param_name="current",
              param_min=0.0, param_max=1.0, n_values=i64(0))
    c.invalid("param_max NaN", "bifurcation_sweep", model="lif", param_name="current",
              param_min=0.0, param_max=np.nan)
    c.invalid("variable is not a state", "bifurcation_sweep", model="lif",
              param_name="current", param_min=0.0, param_max=1.0, n_values=i64(2),
              n_steps=i64(50), variable="w")
    c.invalid("variable empty", "bifurcation_sweep", model="lif", param_name="current",
              param_min=0.0, param_max=1.0, n_values=i64(2), variable="")
    c.invalid("param_name empty", "bifurcation_sweep", model="lif", param_name="",
              param_min=0.0, param_max=1.0, n_values=i64(2))
    c.invalid("param_name as a float", "bifurcation_sweep", model="lif", param_name=1.0,
              param_min=0.0, param_max=1.0, n_values=i64(2))
    c.invalid("sweep of a key the model does not take", "bifurcation_sweep", model="lif",
              param_name="gain", param_min=0.0, param_max=1.0, n_values=i64(2))
    c.invalid("sweep into invalid values (tau_ms <= 0)", "bifurcation_sweep", model="lif",
              param_name="tau_ms", param_min=-1.0, param_max=1.0, n_values=i64(3),
              tau_ms=10.0, dt_ms=0.1)
    c.invalid("sweep of an int parameter (n_steps gets floats)", "bifurcation_sweep",
              model="lif", param_name="n_steps", param_min=10.0, param_max=20.0,
              n_values=i64(2), n_steps=i64(10))

    # sensitivity_analysis
    c.valid("lif: six parameters, ties keep their order, a zero parameter last",
            "sensitivity_analysis", model="lif",
            param_names=strs(["current", "tau_ms", "drive_depth", "v_rest", "resistance",
                              "v_reset"]),
            perturbation=0.1, current=10.0, tau_ms=10.0, drive_depth=0.0, v_rest=-65.0,
            resistance=2.0, v_reset=-70.0, n_steps=i64(1000))
    c.valid("lif, default perturbation (0.1)", "sensitivity_analysis", model="lif",
            param_names=strs(["v_threshold", "current"]), v_threshold=-52.0, current=12.0,
            n_steps=i64(1000))
    c.valid("lif silent at base: every sensitivity undefined, zero parameter first",
            "sensitivity_analysis", model="lif", param_names=strs(["current", "v_rest"]),
            perturbation=0.25, current=5.0, v_rest=0.0, v_threshold=15.0, v_reset=-1.0,
            n_steps=i64(300))
    c.valid("perturbation too small to change the parameter", "sensitivity_analysis",
            model="lif", param_names=strs(["resistance", "current"]), perturbation=1e-17,
            resistance=2.0, current=20.0, n_steps=i64(300))
    c.valid("fitzhugh_nagumo with every default (n_steps 5000): base_rate and a",
            "sensitivity_analysis", model="fitzhugh_nagumo", param_names=strs(["a"]), a=0.7)
    c.valid("fitzhugh_nagumo parameters", "sensitivity_analysis", model="fitzhugh_nagumo",
            param_names=strs(["current", "a", "b", "tau"]), perturbation=0.05, current=0.6,
            a=0.7, b=0.8, tau=12.5, n_steps=i64(3000))
    c.valid("a zero sensitivity (rate unchanged) sorts before undefined ones",
            "sensitivity_analysis", model="lif", param_names=strs(["v_reset", "current",
                                                                  "drive_freq_hz"]),
            perturbation=0.01, v_reset=-70.0, current=10.0, drive_freq_hz=0.0,
            n_steps=i64(200))
    c.invalid("a name that is not in base_config", "sensitivity_analysis", model="lif",
              param_names=strs(["current", "tau_ms"]), current=10.0)
    c.invalid("a repeated name", "sensitivity_analysis", model="lif",
              param_names=strs(["current", "current"]), current=10.0)
    c.invalid("no names", "sensitivity_analysis", model="lif", param_names=strs([]),
              current=10.0)
    c.invalid("param_names as one str", "sensitivity_analysis", model="lif",
              param_names="current", current=10.0)
    c.invalid("perturbation = 0", "sensitivity_analysis", model="lif",
              param_names=strs(["current"]), perturbation=0.0, current=10.0)
    c.invalid("perturbation = 1", "sensitivity_analysis", model="lif",
              param_names=strs(["current"]), perturbation=1.0, current=10.0)
    c.invalid("perturbation NaN", "sensitivity_analysis", model="lif",
              param_names=strs(["current"]), perturbation=np.nan, current=10.0)
    c.invalid("a parameter NaN", "sensitivity_analysis", model="lif",
              param_names=strs(["current"]), current=np.nan)
    c.invalid("perturbing an int parameter (n_steps)", "sensitivity_analysis", model="lif",
              param_names=strs(["n_steps"]), current=20.0, n_steps=i64(100))
    c.invalid("the perturbation makes tau_ms < dt_ms", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms"]), perturbation=0.5, tau_ms=0.15, dt_ms=0.1,
              current=20.0, n_steps=i64(100))

    # heatmap_2d
    c.valid("lif current x tau_ms, 4 x 3", "heatmap_2d", model="lif", param_x="current",
            x_min=10.0, x_max=40.0, x_steps=i64(4), param_y="tau_ms", y_min=5.0, y_max=20.0,
            y_steps=i64(3), n_steps=i64(500))
    c.valid("fitzhugh_nagumo current x a, 3 x 3", "heatmap_2d", model="fitzhugh_nagumo",
            param_x="current", x_min=0.2, x_max=1.0, x_steps=i64(3), param_y="a", y_min=0.5,
            y_max=0.9, y_steps=i64(3), n_steps=i64(2000))
    c.valid("1 x 1", "heatmap_2d", model="lif", param_x="v_threshold", x_min=-55.0,
            x_max=-55.0, x_steps=i64(1), param_y="current", y_min=25.0, y_max=25.0,
            y_steps=i64(1), n_steps=i64(300))
    c.invalid("param_x == param_y", "heatmap_2d", model="lif", param_x="current", x_min=0.0,
              x_max=1.0, x_steps=i64(2), param_y="current", y_min=0.0, y_max=1.0,
              y_steps=i64(2))
    c.invalid("x_steps = 0", "heatmap_2d", model="lif", param_x="current", x_min=0.0,
              x_max=1.0, x_steps=i64(0), param_y="tau_ms", y_min=5.0, y_max=10.0,
              y_steps=i64(2))
    c.invalid("y_min > y_max", "heatmap_2d", model="lif", param_x="current", x_min=0.0,
              x_max=1.0, x_steps=i64(2), param_y="tau_ms", y_min=10.0, y_max=5.0,
              y_steps=i64(2))
    c.invalid("y_steps as a float", "heatmap_2d", model="lif", param_x="current", x_min=0.0,
              x_max=1.0, x_steps=i64(2), param_y="tau_ms", y_min=5.0, y_max=10.0,
              y_steps=2.0)
    c.invalid("x_max inf", "heatmap_2d", model="lif", param_x="current", x_min=0.0,
              x_max=np.inf, x_steps=i64(2), param_y="tau_ms", y_min=5.0, y_max=10.0,
              y_steps=i64(2))
    c.invalid("x_steps * y_steps above MAX_POINTS", "heatmap_2d", model="lif",
              param_x="current", x_min=0.0, x_max=1.0, x_steps=i64(1000), param_y="tau_ms",
              y_min=5.0, y_max=10.0, y_steps=i64(1001))
    c.invalid("param_y empty", "heatmap_2d", model="lif", param_x="current", x_min=0.0,
              x_max=1.0, x_steps=i64(2), param_y="", y_min=5.0, y_max=10.0, y_steps=i64(2))
    c.invalid("the grid reaches invalid values (tau_ms < dt_ms)", "heatmap_2d", model="lif",
              param_x="current", x_min=0.0, x_max=1.0, x_steps=i64(2), param_y="tau_ms",
              y_min=0.05, y_max=10.0, y_steps=i64(2), dt_ms=0.1)


def _wave(n: int) -> np.ndarray:
    """A smooth periodic trace in ``[-1, 1]`` (period 126 samples) made with
    ``+ - * /`` only, so it is the same on every CPU (``np.sin`` is not)."""
    u = (np.arange(float(n)) % 126.0) / 63.0 - 1.0
    return f64(1.0 - 2.0 * (u * u))


def _trace_cases(c: _Builder) -> None:
    ramp = f64(np.arange(10.0))
    c.valid("the worked example: v = 0..9, spikes 3 and 6, dt 1, window 4",
            "spike_triggered_average", time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1.0,
            window_ms=4.0)
    c.valid("windows at both edges fit (k = hw and k + hw = len)", "spike_triggered_average",
            time=ramp, voltage=ramp * ramp, spikes=i64([2, 8]), dt=1.0,
            window_ms=4.0)
    c.valid("windows one step past each edge are dropped", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([1, 9, 4, 5]), dt=1.0, window_ms=4.0)
    c.valid("one usable spike: empty result", "spike_triggered_average", time=ramp,
            voltage=ramp, spikes=i64([0, 5, 9]), dt=1.0, window_ms=4.0)
    c.valid("no spikes: empty result", "spike_triggered_average", time=ramp, voltage=ramp,
            spikes=i64([]), dt=1.0, window_ms=4.0)
    c.valid("no spikes as an empty float array: empty result", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=f64([]), dt=1.0, window_ms=4.0)
    c.valid("window_ms / dt / 2 = 2.5 truncates to hw = 2", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1.0, window_ms=5.0)
    c.valid("window below two samples: hw = max(1, 0) = 1", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1.0, window_ms=1.0)
    c.valid("window longer than the trace: empty result", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1e-300, window_ms=1e300)
    c.valid("summation in spike order (1e16 + 1 - 1e16 is not 1)", "spike_triggered_average",
            time=f64(np.arange(9.0)), voltage=f64([0, 1e16, 0, 1.0, 0, -1e16, 0, 3.0, 0]),
            spikes=i64([1, 3, 5]), dt=1.0, window_ms=2.0)
    c.valid("repeated spikes count twice", "spike_triggered_average", time=ramp,
            voltage=f64(np.arange(10.0) * 0.1), spikes=i64([4, 4, 6]), dt=1.0, window_ms=4.0)
    c.valid("default window (20 ms) at dt 0.1: hw 100", "spike_triggered_average",
            time=f64(np.arange(400) * 0.1), voltage=_wave(400),
            spikes=i64([100, 150, 250, 300, 399]), dt=0.1)
    sim = A.lif_neuron(current=20.0, n_steps=1200)
    trace = sim["states"]["v"]  # type: ignore[index]
    c.valid("STA of a simulated lif trace", "spike_triggered_average",
            time=f64(np.arange(1200) * 0.1), voltage=f64(trace),
            spikes=i64(sim["spikes"]), dt=0.1, window_ms=6.0)
    c.invalid("voltage 2-D", "spike_triggered_average", time=ramp,
              voltage=f64(np.zeros((2, 5))), spikes=i64([1]), dt=1.0)
    c.invalid("time shorter than voltage", "spike_triggered_average", time=f64(np.arange(9.0)),
              voltage=ramp, spikes=i64([3, 6]), dt=1.0)
    c.invalid("a spike index = len(voltage)", "spike_triggered_average", time=ramp,
              voltage=ramp, spikes=i64([3, 10]), dt=1.0)
    c.invalid("a negative spike index", "spike_triggered_average", time=ramp, voltage=ramp,
              spikes=i64([-1, 3]), dt=1.0)
    c.invalid("spikes as floats", "spike_triggered_average", time=ramp, voltage=ramp,
              spikes=f64([3.0, 6.0]), dt=1.0)
    c.invalid("spikes 2-D", "spike_triggered_average", time=ramp, voltage=ramp,
              spikes=i64([[3, 6]]), dt=1.0)
    c.invalid("dt = 0", "spike_triggered_average", time=ramp, voltage=ramp, spikes=i64([3, 6]),
              dt=0.0)
    c.invalid("dt < 0", "spike_triggered_average", time=ramp, voltage=ramp, spikes=i64([3, 6]),
              dt=-1.0)
    c.invalid("dt NaN", "spike_triggered_average", time=ramp, voltage=ramp, spikes=i64([3, 6]),
              dt=np.nan)
    c.invalid("window_ms = 0", "spike_triggered_average", time=ramp, voltage=ramp,
              spikes=i64([3, 6]), dt=1.0, window_ms=0.0)
    c.invalid("window_ms inf", "spike_triggered_average", time=ramp, voltage=ramp,
              spikes=i64([3, 6]), dt=1.0, window_ms=np.inf)
    c.invalid("voltage with a NaN", "spike_triggered_average", time=ramp,
              voltage=f64([0, 1, 2, np.nan, 4, 5, 6, 7, 8, 9]), spikes=i64([3, 6]), dt=1.0)
    c.invalid("time with an inf", "spike_triggered_average",
              time=f64([0, 1, 2, 3, 4, 5, 6, 7, 8, np.inf]), voltage=ramp, spikes=i64([3, 6]),
              dt=1.0)
    c.invalid("voltage as str", "spike_triggered_average", time=ramp,
              voltage=strs(["0"] * 10), spikes=i64([3, 6]), dt=1.0)
    c.invalid("an input the function does not take", "spike_triggered_average", time=ramp,
              voltage=ramp, spikes=i64([3, 6]), dt=1.0, threshold=0.5)


def _frequency_cases(c: _Builder) -> None:
    c.driven("lif 1..100 Hz, default bias and depth (10, 0.5), 1 s runs", "frequency_response",
             model="lif", freq_min=1.0, freq_max=100.0, n_freqs=i64(5), n_steps=i64(10000))
    c.driven("one frequency", "frequency_response", model="lif", freq_min=7.0, freq_max=50.0,
             n_freqs=i64(1), n_steps=i64(5000), bias=12.0, depth=0.25)
    c.driven("freq_min == freq_max", "frequency_response", model="lif", freq_min=20.0,
             freq_max=20.0, n_freqs=i64(2), n_steps=i64(3000), bias=9.0, depth=1.0)
    c.driven("below one whole cycle at 0.5 Hz: NaN; 2 Hz: cycles", "frequency_response",
             model="lif", freq_min=0.5, freq_max=2.0, n_freqs=i64(2), n_steps=i64(10000))
    c.driven("fitzhugh_nagumo at 120 Hz: the phase lag wraps past -pi", "frequency_response",
             model="fitzhugh_nagumo", freq_min=120.0, freq_max=120.0, n_freqs=i64(1),
             bias=0.5, depth=0.4, n_steps=i64(10000))
    c.valid("too weak to spike: gain 0, phase and vector strength NaN", "frequency_response",
            model="lif", freq_min=5.0, freq_max=50.0, n_freqs=i64(3), n_steps=i64(4000),
            bias=1.0, depth=0.5)
    c.driven("fitzhugh_nagumo 2..40 Hz", "frequency_response", model="fitzhugh_nagumo",
             freq_min=2.0, freq_max=40.0, n_freqs=i64(4), bias=0.5, depth=0.4,
             n_steps=i64(10000))
    c.driven("default frequencies (1..100 Hz, 20 of them)", "frequency_response",
             model="lif", n_steps=i64(10000), dt_ms=0.1)
    c.invalid("freq_min = 0", "frequency_response", model="lif", freq_min=0.0, freq_max=10.0)
    c.invalid("freq_min < 0", "frequency_response", model="lif", freq_min=-1.0, freq_max=10.0)
    c.invalid("freq_max < freq_min", "frequency_response", model="lif", freq_min=10.0,
              freq_max=5.0)
    c.invalid("freq_max / freq_min overflows", "frequency_response", model="lif",
              freq_min=1e-300, freq_max=1e300, n_freqs=i64(3))
    c.invalid("n_freqs = 0", "frequency_response", model="lif", n_freqs=i64(0))
    c.invalid("n_freqs as a float", "frequency_response", model="lif", n_freqs=4.0)
    c.invalid("bias = 0", "frequency_response", model="lif", bias=0.0)
    c.invalid("bias NaN", "frequency_response", model="lif", bias=np.nan)
    c.invalid("depth = 0", "frequency_response", model="lif", depth=0.0)
    c.invalid("depth > 1", "frequency_response", model="lif", depth=1.5)
    c.invalid("a bad base_config value reaches the model", "frequency_response", model="lif",
              n_freqs=i64(2), n_steps=i64(0))
    c.invalid("2**53 cycles or more cannot be counted exactly", "frequency_response",
              model="lif", freq_min=1.0, freq_max=1.0, n_freqs=i64(1), tau_ms=1e300,
              dt_ms=1e300, n_steps=i64(10))


def _nullcline_cases(c: _Builder) -> None:
    c.valid("fitzhugh_nagumo, default parameters and grid_size (80)", "nullclines_2d",
            f="fhn_dv", g="fhn_dw", x_range=f64([-2.5, 2.5]), y_range=f64([-1.0, 2.0]))
    c.valid("fitzhugh_nagumo, every parameter set, 25 x 25", "nullclines_2d", f="fhn_dv",
            g="fhn_dw", x_range=f64([-3.0, 3.0]), y_range=f64([-2.0, 3.0]), grid_size=i64(25),
            current=0.9, a=0.6, b=0.9, tau=10.0)
    c.valid("x - y: exact zeros on the diagonal corners count for every cell around them",
            "nullclines_2d", f="x_minus_y", g="circle", x_range=f64([-1.0, 1.0]),
            y_range=f64([-1.0, 1.0]), grid_size=i64(5))
    c.valid("a zero field: every cell", "nullclines_2d", f="zero", g="x_minus_y",
            x_range=f64([0.0, 3.0]), y_range=f64([10.0, 13.0]), grid_size=i64(4))
    c.valid("grid_size 2: one cell; ranges as ints", "nullclines_2d", f="circle",
            g="x_minus_y", x_range=i64([0, 2]), y_range=i64([0, 1]), grid_size=i64(2))
    c.valid("no sign change anywhere: empty point lists", "nullclines_2d", f="circle",
            g="fhn_dw", x_range=f64([5.0, 6.0]), y_range=f64([5.0, 6.0]), grid_size=i64(6))
    c.valid("grid_size = MAX_GRID", "nullclines_2d", f="x_minus_y", g="fhn_dw",
            x_range=f64([-0.3, 0.7]), y_range=f64([0.1, 0.4]), grid_size=i64(A.MAX_GRID))
    c.invalid("x_range with 3 values", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([0.0, 1.0, 2.0]), y_range=f64([0.0, 1.0]))
    c.invalid("x_range reversed", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([1.0, 0.0]), y_range=f64([0.0, 1.0]))
    c.invalid("y_range empty (min == max)", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([0.0, 1.0]), y_range=f64([1.0, 1.0]))
    c.invalid("y_range NaN", "nullclines_2d", f="fhn_dv", g="fhn_dw", x_range=f64([0.0, 1.0]),
              y_range=f64([np.nan, 1.0]))
    c.invalid("x_range width overflows", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([-1e308, 1e308]), y_range=f64([0.0, 1.0]))
    c.invalid("x_range as a scalar", "nullclines_2d", f="fhn_dv", g="fhn_dw", x_range=1.0,
              y_range=f64([0.0, 1.0]))
    c.invalid("grid_size = 1", "nullclines_2d", f="fhn_dv", g="fhn_dw", x_range=f64([0.0, 1.0]),
              y_range=f64([0.0, 1.0]), grid_size=i64(1))
    c.invalid("grid_size above MAX_GRID", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([0.0, 1.0]), y_range=f64([0.0, 1.0]), grid_size=i64(A.MAX_GRID + 1))
    c.invalid("grid_size as a float", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([0.0, 1.0]), y_range=f64([0.0, 1.0]), grid_size=10.0)
    c.invalid("unknown field name", "nullclines_2d", f="van_der_pol", g="fhn_dw",
              x_range=f64([0.0, 1.0]), y_range=f64([0.0, 1.0]))
    c.invalid("f not finite on the grid (v*v*v overflows)", "nullclines_2d", f="fhn_dv",
              g="fhn_dw", x_range=f64([-1e150, 1e150]), y_range=f64([0.0, 1.0]),
              grid_size=i64(3))
    c.invalid("g not finite on the grid (b*w overflows)", "nullclines_2d", f="x_minus_y",
              g="fhn_dw", x_range=f64([0.0, 1.0]), y_range=f64([-1e308, 1e308]),
              grid_size=i64(3), b=1e10)
    c.invalid("fitzhugh_nagumo tau = 0", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([0.0, 1.0]), y_range=f64([0.0, 1.0]), tau=0.0)
    c.invalid("a field parameter NaN", "nullclines_2d", f="x_minus_y", g="circle",
              x_range=f64([0.0, 1.0]), y_range=f64([0.0, 1.0]), current=np.nan)
    c.invalid("an unknown field parameter", "nullclines_2d", f="fhn_dv", g="fhn_dw",
              x_range=f64([0.0, 1.0]), y_range=f64([0.0, 1.0]), epsilon=0.08)


def _precision_cases(c: _Builder) -> None:
    ties = [_q(k + 0.5) for k in range(-4, 4)]
    c.valid("ties round half to even: codes -4 -2 -2 0 0 2 2 4", "precision_compare",
            values=f64(ties))
    c.valid("saturation at both bounds, and the ties at the bounds", "precision_compare",
            values=f64([_q(32767), _q(32767.5), _q(32767.25), 128.0, 1e308, -128.0,
                        _q(-32768.5), _q(-32768.75), _q(-32769), -1e308]))
    c.valid("values on the Q8.8 grid are exact (error 0)", "precision_compare",
            values=f64([_q(k) for k in (-32768, -257, -1, 0, 1, 255, 256, 32767)]))
    c.valid("a 2-D array keeps its shape", "precision_compare",
            values=f64([[0.1, -0.2, 0.3], [1.0 / 3.0, -2.0 / 3.0, 100.7]]))
    c.valid("a 0-D value", "precision_compare", values=f64(-0.001))
    c.valid("ints", "precision_compare", values=i64([-200, -3, 0, 7, 127, 128]))
    sim = A.lif_neuron(current=20.0, n_steps=500)
    c.valid("a simulated lif membrane trace", "precision_compare",
            values=f64(sim["states"]["v"]))  # type: ignore[index]
    c.invalid("NaN", "precision_compare", values=f64([0.0, np.nan]))
    c.invalid("inf", "precision_compare", values=f64([np.inf]))
    c.invalid("no values", "precision_compare", values=f64([]))
    c.invalid("str values", "precision_compare", values=strs(["1.0"]))


def _helper_cases(c: _Builder) -> None:
    c.valid("grid 0..1 in 11 (0.30000000000000004 and friends)", "grid", lo=0.0, hi=1.0,
            n=i64(11))
    c.valid("grid with n = 1", "grid", lo=-3.5, hi=7.0, n=i64(1))
    c.valid("grid lo == hi", "grid", lo=2.5, hi=2.5, n=i64(4))
    c.valid("grid whose last point differs from lo + (n-1) * step", "grid", lo=0.1, hi=0.7,
            n=i64(7))
    c.valid("grid over negatives", "grid", lo=-1e5, hi=-3.0, n=i64(6))
    c.invalid("grid lo > hi", "grid", lo=1.0, hi=0.0, n=i64(3))
    c.invalid("grid n = 0", "grid", lo=0.0, hi=1.0, n=i64(0))
    c.invalid("grid n above MAX_POINTS", "grid", lo=0.0, hi=1.0, n=i64(A.MAX_POINTS + 1))
    c.invalid("grid hi NaN", "grid", lo=0.0, hi=np.nan, n=i64(3))
    c.valid("round2 ties to even on x * 100 (0.125 -> 0.12, 0.375 -> 0.38, 0.005 -> 0)",
            "round2", values=f64([0.125, 0.375, 0.625, -0.125, 0.005, 0.015, 2.675, 1.005,
                                  -0.004, -0.0, 1e300, -1.234, 12345.678]))
    c.valid("round2 of a 0-D value", "round2", values=f64(-0.5))
