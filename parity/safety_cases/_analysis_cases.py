"""Cases of ``analysis.txt`` that run the reference models, and the exact helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
from sc_neurocore.studio import analysis as A

from ..cases import RegenError
from ._analysis_adapter import MODEL_OPS, config_of
from ._builder import SafetyBuilder, as_array, f64, i64, strs

__all__ = ["add_model_cases", "check_drive_margin"]

EPS = 1e-12
#: Configuration keys of a sine drive that a ``sin`` a few ulps off could move.
_DRIVE_KEYS = ("current", "bias", "frequency_hz")


def check_drive_margin(comment: str, run: Callable[[A.SimulateFn], object],
                       model: A.SimulateFn) -> None:
    """Refuse a driven case whose spikes move when the drive changes by 1e-12 relative.

    ``run(sim)`` runs the case with ``sim`` as its simulator. It is run with
    the model itself and with each drive key scaled by ``1 +- EPS``; every run
    must give the same spike trains, so a ``sin`` or ``pow`` a few ulps off
    (~1e-16) cannot change them.
    """
    def trains(key: str | None, factor: float) -> list[list[int]]:
        seen: list[list[int]] = []

        def sim(**config: Any) -> Mapping[str, Any]:
            if key is not None and key in config:
                config[key] = float(config[key]) * factor
            result = model(**config)
            seen.append(list(result["spikes"]))
            return result
        run(sim)
        return seen

    reference = trains(None, 1.0)
    for key in _DRIVE_KEYS:
        for factor in (1.0 + EPS, 1.0 - EPS):
            if trains(key, factor) != reference:
                raise RegenError(f"analysis case {comment!r}: a spike moves when {key} is "
                                 f"scaled by {factor!r}; choose a case with more margin")


class _Cases:
    """The builder plus the margin check of driven cases."""

    def __init__(self, b: SafetyBuilder) -> None:
        self.b = b
        self.valid = b.valid
        self.invalid = b.invalid

    def driven(self, comment: str, op: str, **inputs: object) -> None:
        """A valid model case whose drive calls ``sin``: checked for margin first."""
        arrays = {k: as_array(v, k) for k, v in inputs.items()}
        model = A.MODELS[str(inputs["model"])]
        config = config_of(arrays, ("model", *MODEL_OPS[op]))
        args = {k: (v.item() if v.ndim == 0 else v) for k, v in arrays.items()
                if k in MODEL_OPS[op]}

        def run(sim: A.SimulateFn) -> object:
            if op == "simulate":
                return sim(**config)
            return A.frequency_response(sim, config, **args)  # type: ignore[arg-type]
        check_drive_margin(comment, run, model)
        self.b.valid(comment, op, **inputs)


def add_model_cases(b: SafetyBuilder) -> None:
    """Every case of the model ops and the exact helpers."""
    c = _Cases(b)
    _constants(c)
    _simulate(c)
    _drive(c)
    _fi(c)
    _bifurcation(c)
    _attractor(c)
    _sensitivity(c)
    _heatmap(c)
    _sta(c)
    _half_window(c)
    _modulation(c)
    _frequency(c)
    _helpers(c)


def _constants(c: _Cases) -> None:
    c.valid("every constant of the module (a changed constant fails here first)", "constants")
    c.invalid("constants takes no input", "Unknown", "constants", digits=i64(2))


def _simulate(c: _Cases) -> None:
    c.valid("lif constant drive", "simulate", model="lif", current=20.0, duration=30.0)
    c.valid("lif below rheobase: no spikes, the potential creeps up", "simulate", model="lif",
            current=5.0, duration=20.0)
    c.valid("lif exact ties: v reaches v_threshold exactly (1.0) every step and spikes",
            "simulate", model="lif", current=2.0, dt=1.0, duration=6.0,
            **{"params__tau_ms": 2.0, "params__v_rest": 0.0, "params__v_reset": 0.0,
               "params__v_threshold": 1.0, "params__resistance": 1.0})
    c.valid("lif just below the tie: never spikes", "simulate", model="lif",
            current=1.9999999999999998, dt=1.0, duration=6.0,
            **{"params__tau_ms": 2.0, "params__v_rest": 0.0, "params__v_reset": -0.5,
               "params__v_threshold": 1.0, "params__resistance": 1.0})
    c.valid("lif dt == tau_ms (a = 1: v jumps to v_rest + R I each step)", "simulate",
            model="lif", current=8.0, dt=0.5, duration=2.5, **{"params__tau_ms": 0.5})
    c.valid("lif, every default (200 ms at dt 0.1)", "simulate", model="lif")
    c.valid("lif with integer-valued arguments given as ints", "simulate", model="lif",
            current=i64(20), dt=i64(1), duration=i64(40), **{"params__tau_ms": i64(8)})
    for protocol in ("step", "ramp", "pulse"):
        c.valid(f"lif, {protocol} protocol", "simulate", model="lif", current=25.0,
                protocol=protocol, duration=50.0)
    c.valid("lif with a bias: constant drive bias + current", "simulate", model="lif",
            current=5.0, bias=15.0, duration=30.0)
    c.driven("lif, 40 Hz sine about a bias (sin: traces within rtol)", "simulate", model="lif",
             current=4.5, bias=9.0, protocol="sine", frequency_hz=40.0, duration=50.0)
    c.valid("duration / dt = 2.9999999999999996 is 3 steps", "simulate", model="lif",
            current=20.0, dt=0.1, duration=0.3)
    c.valid("duration 0.35 at dt 0.1 is 3 whole steps", "simulate", model="lif", current=20.0,
            dt=0.1, duration=0.35)
    c.valid("fitzhugh_nagumo, spiking", "simulate", model="fitzhugh_nagumo", duration=80.0)
    c.valid("fitzhugh_nagumo at rest (current 0): no spikes", "simulate",
            model="fitzhugh_nagumo", current=0.0, duration=30.0)
    c.valid("fitzhugh_nagumo exact tie: v goes 0 -> 1.0 == v_threshold and spikes",
            "simulate", model="fitzhugh_nagumo", current=1.0, dt=1.0, duration=3.0,
            **{"params__v0": 0.0, "params__w0": 0.0, "params__v_threshold": 1.0})
    c.valid("fitzhugh_nagumo with every parameter set", "simulate", model="fitzhugh_nagumo",
            current=0.9, dt=0.25, duration=100.0,
            **{"params__a": 0.6, "params__b": 0.9, "params__tau": 10.0,
               "params__v_threshold": 0.5, "params__v0": 0.25, "params__w0": 0.5})
    c.driven("fitzhugh_nagumo, 25 Hz sine about a bias", "simulate", model="fitzhugh_nagumo",
             current=0.3, bias=0.4, protocol="sine", frequency_hz=25.0, duration=60.0)
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("unknown model", "Unknown", {"model": "hodgkin_huxley", "current": 1.0}),
        ("unknown configuration key", "Unknown", {"model": "lif", "gain": 2.0}),
        ("dt = 0", "OutOfRange", {"model": "lif", "dt": 0.0}),
        ("dt < 0", "OutOfRange", {"model": "fitzhugh_nagumo", "dt": -0.1}),
        ("dt NaN", "NonFinite", {"model": "lif", "dt": np.nan}),
        ("lif dt > tau_ms", "Inconsistent", {"model": "lif", "dt": 2.0, "params__tau_ms": 1.5}),
        ("duration = 0", "OutOfRange", {"model": "lif", "duration": 0.0}),
        ("duration below one step", "OutOfRange Boundary", {"model": "lif", "duration": 0.05}),
        ("duration above MAX_STEPS steps", "TooLarge", {"model": "lif", "duration": 1e9}),
        ("duration inf", "NonFinite", {"model": "lif", "duration": np.inf}),
        ("params__tau_ms = 0", "OutOfRange", {"model": "lif", "params__tau_ms": 0.0}),
        ("negative resistance", "OutOfRange", {"model": "lif", "params__resistance": -2.0}),
        ("zero resistance", "OutOfRange", {"model": "lif", "params__resistance": 0.0}),
        ("v_reset = v_threshold", "Inconsistent", {"model": "lif", "params__v_reset": -50.0}),
        ("current NaN", "NonFinite", {"model": "lif", "current": np.nan}),
        ("bias inf", "NonFinite", {"model": "fitzhugh_nagumo", "bias": np.inf}),
        ("frequency_hz < 0", "OutOfRange", {"model": "lif", "frequency_hz": -1.0}),
        ("unknown protocol", "Unknown", {"model": "lif", "protocol": "square"}),
        ("protocol as a float", "WrongType", {"model": "lif", "protocol": 1.0}),
        ("unknown parameter", "Unknown", {"model": "lif", "params__gain": 2.0}),
        ("a parameter as a str", "WrongType", {"model": "lif", "params__v_rest": "low"}),
        ("a parameter as an array", "WrongType",
         {"model": "lif", "params__v_rest": f64([1.0, 2.0])}),
        ("fitzhugh_nagumo tau = 0", "OutOfRange", {"model": "fitzhugh_nagumo", "params__tau": 0.0}),
        ("fitzhugh_nagumo v0 NaN", "NonFinite", {"model": "fitzhugh_nagumo", "params__v0": np.nan}),
        ("fitzhugh_nagumo Euler diverges (large dt)", "Overflow",
         {"model": "fitzhugh_nagumo", "dt": 50.0, "current": 2.0, "duration": 20000.0}),
        ("lif potential overflows (current * resistance)", "Overflow",
         {"model": "lif", "current": 1e300, "params__resistance": 1e300, "duration": 0.3}),
        ("model as a float", "WrongType", {"model": 1.0}),
    ]
    for comment, flags, inputs in bad:
        c.invalid(comment, flags, "simulate", **inputs)


def _drive(c: _Cases) -> None:
    for protocol in ("constant", "step", "ramp", "pulse"):
        c.valid(f"{protocol} drive, 23 steps", "drive_samples", protocol=protocol, current=3.5,
                n_steps=i64(23), dt=0.1, frequency_hz=10.0, bias=-1.0)
    c.valid("pulse drive, period 10 below 50 steps", "drive_samples", protocol="pulse",
            current=2.0, n_steps=i64(49), dt=1.0, frequency_hz=0.0, bias=0.0)
    c.valid("ramp of one step is [0]", "drive_samples", protocol="ramp", current=2.0,
            n_steps=i64(1), dt=1.0, frequency_hz=0.0, bias=0.0)
    c.valid("sine drive (sin: within rtol)", "drive_samples", protocol="sine", current=2.0,
            n_steps=i64(40), dt=0.5, frequency_hz=50.0, bias=1.0)
    c.invalid("unknown protocol", "Unknown", "drive_samples", protocol="noise", current=1.0,
              n_steps=i64(3), dt=1.0, frequency_hz=0.0, bias=0.0)
    c.invalid("n_steps = 0", "OutOfRange",
              "drive_samples", protocol="constant", current=1.0, n_steps=i64(0),
              dt=1.0, frequency_hz=0.0, bias=0.0)
    c.invalid("dt = 0", "OutOfRange",
              "drive_samples", protocol="constant", current=1.0, n_steps=i64(3),
              dt=0.0, frequency_hz=0.0, bias=0.0)
    c.invalid("frequency_hz < 0", "OutOfRange", "drive_samples", protocol="sine", current=1.0,
              n_steps=i64(3), dt=1.0, frequency_hz=-2.0, bias=0.0)
    c.invalid("current NaN", "NonFinite", "drive_samples", protocol="constant", current=np.nan,
              n_steps=i64(3), dt=1.0, frequency_hz=0.0, bias=0.0)


def _fi(c: _Cases) -> None:
    c.valid("f-I curve of the lif", "fi_curve_sweep", model="lif", i_min=0.0, i_max=40.0,
            i_steps=i64(21), duration=100.0)
    c.valid("f-I curve, one current", "fi_curve_sweep", model="lif", i_min=12.5, i_max=30.0,
            i_steps=i64(1), duration=50.0)
    c.valid("f-I curve, i_min == i_max", "fi_curve_sweep", model="lif", i_min=17.0,
            i_max=17.0, i_steps=i64(3), duration=50.0)
    c.valid("f-I curve swept downwards (i_max < i_min)", "fi_curve_sweep", model="lif",
            i_min=30.0, i_max=10.0, i_steps=i64(5), duration=50.0)
    c.valid("f-I curve, negative currents: all silent", "fi_curve_sweep", model="lif",
            i_min=-10.0, i_max=0.0, i_steps=i64(4), duration=10.0)
    c.valid("f-I curve, a current in base_config is overridden", "fi_curve_sweep", model="lif",
            i_min=10.0, i_max=30.0, i_steps=i64(7), current=1000.0, duration=60.0,
            **{"params__tau_ms": 5.0})
    c.valid("f-I curve of fitzhugh_nagumo across the Hopf onset", "fi_curve_sweep",
            model="fitzhugh_nagumo", i_min=0.0, i_max=1.6, i_steps=i64(9), duration=300.0)
    c.invalid("i_min NaN", "NonFinite", "fi_curve_sweep", model="lif", i_min=np.nan, i_max=1.0,
              i_steps=i64(3))
    c.invalid("i_max inf", "NonFinite", "fi_curve_sweep", model="lif", i_min=0.0, i_max=np.inf,
              i_steps=i64(3))
    c.invalid("i_max - i_min overflows", "Overflow", "fi_curve_sweep", model="lif", i_min=-1e308,
              i_max=1e308, i_steps=i64(3))
    c.invalid("i_steps = 0", "OutOfRange", "fi_curve_sweep", model="lif", i_min=0.0, i_max=1.0,
              i_steps=i64(0))
    c.invalid("i_steps as a float", "WrongType",
              "fi_curve_sweep", model="lif", i_min=0.0, i_max=1.0,
              i_steps=3.0)
    c.invalid("i_steps above MAX_POINTS", "TooLarge Boundary",
              "fi_curve_sweep", model="lif", i_min=0.0,
              i_max=1.0, i_steps=i64(A.MAX_POINTS + 1))
    c.invalid("a bad base_config value reaches the model", "OutOfRange",
              "fi_curve_sweep", model="lif",
              i_min=0.0, i_max=1.0, i_steps=i64(2), **{"params__tau_ms": -1.0})
    c.invalid("a huge current overflows the model", "Overflow",
              "fi_curve_sweep", model="lif", i_min=0.0,
              i_max=1e300, i_steps=i64(2), duration=0.3, **{"params__resistance": 1e300})


def _bifurcation(c: _Cases) -> None:
    c.valid("fitzhugh_nagumo over a: limit cycle, damped, fixed point", "bifurcation_sweep",
            model="fitzhugh_nagumo", param_name="a", param_min=0.2, param_max=1.4,
            n_values=i64(7), current=0.5, duration=300.0)
    c.valid("fitzhugh_nagumo, variable w", "bifurcation_sweep", model="fitzhugh_nagumo",
            param_name="b", param_min=0.6, param_max=1.0, n_values=i64(3), duration=200.0,
            variable="w")
    c.valid("lif over tau_ms: reset minima and threshold maxima", "bifurcation_sweep",
            model="lif", param_name="tau_ms", param_min=5.0, param_max=20.0, n_values=i64(4),
            current=20.0, duration=60.0)
    c.valid("lif, default n_values (30)", "bifurcation_sweep", model="lif",
            param_name="resistance", param_min=0.5, param_max=3.0, current=15.0,
            duration=40.0)
    c.valid("lif monotone approach: no extremum, the rounded mean", "bifurcation_sweep",
            model="lif", param_name="tau_ms", param_min=5.0, param_max=20.0, n_values=i64(2),
            current=5.0, duration=10.0)
    c.valid("late half of exactly 10 samples (20 steps)", "bifurcation_sweep",
            model="fitzhugh_nagumo", param_name="a", param_min=0.7, param_max=0.7,
            n_values=i64(1), duration=2.0)
    c.valid("late half of 9 samples (18 steps): insufficient, domain empty",
            "bifurcation_sweep", model="fitzhugh_nagumo", param_name="a", param_min=0.7,
            param_max=0.7, n_values=i64(2), duration=1.8)
    c.valid("late half of 10 samples from an odd step count (19)", "bifurcation_sweep",
            model="lif", param_name="tau_ms", param_min=1.0, param_max=1.0, n_values=i64(1),
            current=30.0, dt=0.5, duration=9.5)
    c.valid("a step protocol is reported", "bifurcation_sweep", model="lif",
            param_name="tau_ms", param_min=8.0, param_max=12.0, n_values=i64(2),
            current=25.0, protocol="step", duration=50.0)
    c.valid("swept downwards", "bifurcation_sweep", model="lif", param_name="v_threshold",
            param_min=-45.0, param_max=-55.0, n_values=i64(3), current=20.0, duration=30.0)
    c.invalid("n_values = 0", "OutOfRange", "bifurcation_sweep", model="lif", param_name="tau_ms",
              param_min=1.0, param_max=2.0, n_values=i64(0))
    c.invalid("param_name empty", "Empty", "bifurcation_sweep", model="lif", param_name="",
              param_min=1.0, param_max=2.0)
    c.invalid("param_name as a float", "WrongType",
              "bifurcation_sweep", model="lif", param_name=1.0,
              param_min=1.0, param_max=2.0)
    c.invalid("variable not a state of the run", "Unknown", "bifurcation_sweep", model="lif",
              param_name="tau_ms", param_min=5.0, param_max=6.0, n_values=i64(2),
              variable="w", duration=5.0)
    c.invalid("param_min NaN", "NonFinite", "bifurcation_sweep", model="lif", param_name="tau_ms",
              param_min=np.nan, param_max=2.0)
    c.invalid("a swept value the model refuses (resistance -1)", "OutOfRange", "bifurcation_sweep",
              model="lif", param_name="resistance", param_min=-1.0, param_max=1.0,
              n_values=i64(3), duration=5.0)
    c.invalid("a swept name the model does not have", "Unknown", "bifurcation_sweep", model="lif",
              param_name="gain", param_min=1.0, param_max=2.0, n_values=i64(2), duration=5.0)


def _attractor(c: _Cases) -> None:
    t = np.arange(200)
    # A 7-sample wave under a decaying envelope (only + - * and exact literals,
    # so every CPU builds the same trace): 28 maxima and 28 minima.
    wave = np.array([0.0, 4.0, 5.0, 2.0, -2.0, -5.0, -4.0])
    decaying = f64(np.round(wave[t % 7] * (5.0 - t * 0.02), 6))
    c.valid("a decaying oscillation with over 20 maxima and minima: only the last 20 of each",
            "attractor_sample", trace=decaying)
    c.valid("a plateau maximum counts once; a flat step in a rise is no extremum",
            "attractor_sample", trace=f64([0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 1, 2, 2, 3, 5, 5, 5, 4, 3, 3, 2, 1, 1, 4, 6]))
    c.valid("19 samples: the late half is 10", "attractor_sample",
            trace=f64(np.arange(19) % 3))
    c.valid("18 samples: the late half is 9, insufficient", "attractor_sample",
            trace=f64(np.arange(18) % 3))
    c.valid("no extremum: the rounded mean (summed left to right)", "attractor_sample",
            trace=f64(np.linspace(0.0, 1.0, 24) ** 2))
    c.valid("rounding ties to even on the exact decimal (0.125 -> 0.12, 2.675 -> 2.67)",
            "attractor_sample", trace=f64([0.0] * 10 + [0.0, 0.125, 0.0, 2.675, 0.0, 0.375,
                                                       -0.005, 0.0, -1.005, 0.0]))
    c.valid("a constant trace: its value", "attractor_sample", trace=f64([-65.0] * 30))
    c.valid("-0.0 and 0.0 after rounding are one value (the first kept)", "attractor_sample",
            trace=f64([0.0] * 10 + [0.001, -0.001, 0.001, -0.001, 0.001, -0.001]))
    c.invalid("a NaN in the trace", "NonFinite",
              "attractor_sample", trace=f64([0.0] * 19 + [np.nan]))
    c.invalid("a 2-D trace", "WrongRank", "attractor_sample", trace=f64(np.zeros((4, 5))))


def _sensitivity(c: _Cases) -> None:
    lif = {"current": 20.0, "duration": 100.0, "params__tau_ms": 10.0, "params__resistance": 2.0,
           "params__v_rest": 0.0, "params__v_reset": -10.0, "params__v_threshold": 15.0}
    c.valid("lif: defined elasticities sorted, the zero v_rest undefined and last",
            "sensitivity_analysis", model="lif",
            param_names=strs(["v_rest", "tau_ms", "resistance", "v_threshold"]), **lif)
    c.valid("lif at perturbation 0.05", "sensitivity_analysis", model="lif",
            param_names=strs(["tau_ms", "resistance"]), perturbation=0.05, **lif)
    c.valid("no spikes at the base: undefined, perturbed rates still reported",
            "sensitivity_analysis", model="lif", param_names=strs(["tau_ms", "resistance"]),
            current=1.0, duration=20.0, **{"params__tau_ms": 10.0, "params__resistance": 2.0})
    c.valid("a perturbation below the resolution of the value: undefined",
            "sensitivity_analysis", model="lif", param_names=strs(["tau_ms"]),
            perturbation=1e-17, current=20.0, duration=20.0, **{"params__tau_ms": 10.0})
    c.valid("no parameters: the base rate only, domain complete", "sensitivity_analysis",
            model="lif", param_names=strs([]), current=20.0, duration=20.0,
            **{"params__tau_ms": 10.0})
    c.valid("fitzhugh_nagumo: equal elasticities keep param_names order",
            "sensitivity_analysis", model="fitzhugh_nagumo",
            param_names=strs(["a", "b", "tau", "v_threshold"]), duration=200.0,
            **{"params__a": 0.7, "params__b": 0.8, "params__tau": 12.5, "params__v_threshold": 1.0})
    c.invalid("a name not in params", "Unknown", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms", "gain"]), **lif)
    c.invalid("a repeated name", "Duplicate", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms", "tau_ms"]), **lif)
    c.invalid("perturbation 0", "OutOfRange", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms"]), perturbation=0.0, **lif)
    c.invalid("perturbation 1", "OutOfRange", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms"]), perturbation=1.0, **lif)
    c.invalid("perturbation NaN", "NonFinite", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms"]), perturbation=np.nan, **lif)
    c.invalid("param_names as one str", "WrongType", "sensitivity_analysis", model="lif",
              param_names="tau_ms", **lif)
    c.invalid("a parameter value NaN", "NonFinite", "sensitivity_analysis", model="lif",
              param_names=strs(["tau_ms"]), **{**lif, "params__tau_ms": np.nan})
    c.invalid("a perturbed value the model refuses (tau_ms below dt)", "Inconsistent",
              "sensitivity_analysis",
              model="lif", param_names=strs(["tau_ms"]), current=20.0, duration=5.0,
              **{"params__tau_ms": 0.105})


def _heatmap(c: _Cases) -> None:
    c.valid("lif tau_ms x resistance", "heatmap_2d", model="lif", param_x="tau_ms", x_min=5.0,
            x_max=15.0, x_steps=i64(3), param_y="resistance", y_min=1.0, y_max=2.0,
            y_steps=i64(2), current=20.0, duration=50.0)
    c.valid("fitzhugh_nagumo a x b", "heatmap_2d", model="fitzhugh_nagumo", param_x="a",
            x_min=0.3, x_max=1.2, x_steps=i64(4), param_y="b", y_min=0.5, y_max=0.9,
            y_steps=i64(3), duration=150.0)
    c.valid("one point", "heatmap_2d", model="lif", param_x="tau_ms", x_min=8.0, x_max=9.0,
            x_steps=i64(1), param_y="v_threshold", y_min=-52.0, y_max=-48.0, y_steps=i64(1),
            current=20.0, duration=30.0)
    c.valid("a pulse protocol is reported", "heatmap_2d", model="lif", param_x="tau_ms",
            x_min=8.0, x_max=12.0, x_steps=i64(2), param_y="resistance", y_min=1.5,
            y_max=2.5, y_steps=i64(2), current=22.0, protocol="pulse", duration=40.0)
    common = {"model": "lif", "param_x": "tau_ms", "x_min": 5.0, "x_max": 10.0,
              "x_steps": i64(2), "y_min": 1.0, "y_max": 2.0, "y_steps": i64(2)}
    c.invalid("param_x == param_y", "Duplicate", "heatmap_2d", **{**common, "param_y": "tau_ms"})
    c.invalid("param_y empty", "Empty", "heatmap_2d", **{**common, "param_y": ""})
    c.invalid("x_max inf", "NonFinite", "heatmap_2d", **{**common, "param_y": "resistance",
                                             "x_max": np.inf})
    c.invalid("y_steps as a float", "WrongType", "heatmap_2d", **{**common, "param_y": "resistance",
                                                      "y_steps": 2.0})
    c.invalid("x_steps * y_steps above MAX_POINTS", "TooLarge Boundary", "heatmap_2d",
              **{**common, "param_y": "resistance", "x_steps": i64(1000),
                 "y_steps": i64(1001)})
    c.invalid("grid points the model refuses fail the whole map (tau_ms below dt)", "Inconsistent",
              "heatmap_2d", **{**common, "param_y": "resistance", "x_min": 0.05,
                               "duration": 5.0})
    c.invalid("grid points the model refuses fail the whole map (negative resistance)",
              "OutOfRange", "heatmap_2d", **{**common, "param_y": "resistance", "y_min": -1.0,
                               "duration": 5.0})


def _sta(c: _Cases) -> None:
    ramp = f64(np.arange(10.0))
    c.valid("the worked example: v = 0..9, spikes 3 and 6, dt 1, window 4",
            "spike_triggered_average", time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1.0,
            window_ms=4.0)
    c.valid("windows at both edges fit (k = hw and k + hw = len)", "spike_triggered_average",
            time=ramp, voltage=f64(np.arange(10.0) ** 2), spikes=i64([2, 8]), dt=1.0,
            window_ms=4.0)
    c.valid("windows one step past each edge are dropped: partial", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([1, 9, 4, 5]), dt=1.0, window_ms=4.0)
    c.valid("one usable spike of three: its snippet", "spike_triggered_average", time=ramp,
            voltage=ramp, spikes=i64([0, 5, 9]), dt=1.0, window_ms=4.0)
    c.valid("one spike: fewer than two, empty, n_spikes 1", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([5]), dt=1.0, window_ms=4.0)
    c.valid("no spikes as an empty float array", "spike_triggered_average", time=ramp,
            voltage=ramp, spikes=f64([]), dt=1.0, window_ms=4.0)
    c.valid("no usable window: empty, n_spikes 0", "spike_triggered_average", time=ramp,
            voltage=ramp, spikes=i64([0, 1, 9]), dt=1.0, window_ms=4.0)
    c.valid("window / dt / 2 = 2.5 rounds half to even: hw = 2", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1.0, window_ms=5.0)
    c.valid("window 0.6 at dt 0.1: hw = 3 (5.999999999999999 / 2 rounds to 3)",
            "spike_triggered_average", time=f64([]), voltage=f64(np.arange(20.0)),
            spikes=i64([5, 9, 14]), dt=0.1, window_ms=0.6)
    c.valid("window below two samples: hw = max(1, 0) = 1", "spike_triggered_average",
            time=ramp, voltage=ramp, spikes=i64([3, 6]), dt=1.0, window_ms=1.0)
    c.valid("window longer than the trace: empty", "spike_triggered_average", time=ramp,
            voltage=ramp, spikes=i64([3, 6]), dt=1e-300, window_ms=1e300)
    c.valid("summation in spike order (1e16 + 1 - 1e16 is not 1)", "spike_triggered_average",
            time=f64(np.arange(9.0)), voltage=f64([0, 1e16, 0, 1.0, 0, -1e16, 0, 3.0, 0]),
            spikes=i64([1, 3, 5]), dt=1.0, window_ms=2.0)
    c.valid("repeated spikes count twice", "spike_triggered_average", time=ramp,
            voltage=f64(np.arange(10.0) * 0.1), spikes=i64([4, 4, 6]), dt=1.0, window_ms=4.0)
    c.valid("default window (20 ms) at dt 0.1: hw 100", "spike_triggered_average",
            time=f64([]), voltage=f64(np.arange(400.0) * (400.0 - np.arange(400.0)) / 40000.0),
            spikes=i64([100, 150, 250, 300, 399]), dt=0.1)
    sim = A.lif_neuron(current=20.0, duration=120.0)
    c.valid("STA of a simulated lif trace", "spike_triggered_average",
            time=f64(sim["time"]), voltage=f64(sim["states"]["v"]), spikes=i64(sim["spikes"]),
            dt=0.1, window_ms=6.0)
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("voltage 2-D", "WrongRank", {"voltage": f64(np.zeros((2, 5))), "spikes": i64([1, 2])}),
        ("time shorter than voltage", "WrongShape", {"time": f64(np.arange(9.0))}),
        ("a spike index = len(voltage)", "OutOfRange Boundary", {"spikes": i64([3, 10])}),
        ("a negative spike index", "OutOfRange", {"spikes": i64([-1, 3])}),
        ("spikes as floats", "WrongType", {"spikes": f64([3.0, 6.0])}),
        ("spikes 2-D", "WrongRank", {"spikes": i64([[3, 6]])}),
        ("dt = 0", "OutOfRange", {"dt": 0.0}),
        ("dt < 0", "OutOfRange", {"dt": -1.0}),
        ("dt NaN", "NonFinite", {"dt": np.nan}),
        ("window_ms = 0", "OutOfRange", {"window_ms": 0.0}),
        ("window_ms inf", "NonFinite", {"window_ms": np.inf}),
        ("voltage with a NaN", "NonFinite", {"voltage": f64([0, 1, 2, np.nan, 4, 5, 6, 7, 8, 9])}),
        ("time with an inf", "NonFinite", {"time": f64([0, 1, 2, 3, 4, 5, 6, 7, 8, np.inf])}),
        ("voltage as str", "WrongType", {"voltage": strs(["0"] * 10)}),
        ("an input the function does not take", "Unknown", {"threshold": 0.5}),
    ]
    for comment, flags, change in bad:
        c.invalid(comment, flags, "spike_triggered_average",
                  **{"time": ramp, "voltage": ramp, "spikes": i64([3, 6]), "dt": 1.0, **change})


def _half_window(c: _Cases) -> None:
    windows: list[float] = []
    dts: list[float] = []
    for dt in ("0.1", "0.01", "0.025", "0.05", "0.2", "0.3", "0.7", "0.001", "0.125", "0.02"):
        for k in range(1, 41):
            windows.append(float(Decimal(2 * k) * Decimal(dt)))
            dts.append(float(dt))
    c.valid("window = 2 k dt in decimal for 10 steps and k = 1..40: hw = k every time",
            "half_window", window_ms=f64(windows), dt=f64(dts))
    c.valid("odd windows: half of 5, 1, 3, 7 and 0.1 steps rounded down, at least 1 (2, 1, 1, 3, 1)",
            "half_window", window_ms=f64([5.0, 1.0, 3.0, 7.0, 0.1]), dt=f64([1.0] * 5))
    c.invalid("dt = 0", "OutOfRange", "half_window", window_ms=f64([1.0]), dt=f64([0.0]))
    c.invalid("window and dt of different lengths", "WrongShape",
              "half_window", window_ms=f64([1.0, 2.0]),
              dt=f64([0.1, 0.1, 0.1]))


def _modulation(c: _Cases) -> None:
    c.valid("spikes on both sides of the window end (t = W counts, t = W + dt not)",
            "rate_modulation", spikes=i64([9, 49, 99, 149, 199, 200, 230]), dt=1.0,
            n_steps=i64(250), freq_hz=10.0)
    c.valid("run / period within 1e-9 below 3: three whole cycles", "rate_modulation",
            spikes=i64([10, 110, 210]), dt=0.1, n_steps=i64(3000), freq_hz=9.99999999999)
    c.valid("no spike in the window: rate and modulation 0, phase undefined",
            "rate_modulation", spikes=i64([260]), dt=1.0, n_steps=i64(300), freq_hz=4.0)
    c.valid("less than one cycle: not measured", "rate_modulation", spikes=i64([1, 2]),
            dt=1.0, n_steps=i64(100), freq_hz=5.0)
    c.valid("spikes just after the drive's trough: lag near -180 wraps into [-180, 180)",
            "rate_modulation", spikes=i64([74, 174, 274]), dt=1.0, n_steps=i64(300),
            freq_hz=10.0)
    c.valid("phase locked at the drive's peak: lag 0, vector strength 1", "rate_modulation",
            spikes=i64([24, 124, 224, 324]), dt=1.0, n_steps=i64(400), freq_hz=10.0)
    c.invalid("a spike index = n_steps", "OutOfRange Boundary",
              "rate_modulation", spikes=i64([5, 100]), dt=1.0,
              n_steps=i64(100), freq_hz=10.0)
    c.invalid("freq_hz = 0", "OutOfRange",
              "rate_modulation", spikes=i64([5]), dt=1.0, n_steps=i64(100),
              freq_hz=0.0)
    c.invalid("dt NaN", "NonFinite",
              "rate_modulation", spikes=i64([5]), dt=np.nan, n_steps=i64(100),
              freq_hz=10.0)


def _frequency(c: _Cases) -> None:
    c.driven("lif 1..100 Hz, default bias and depth (10, 0.5), 1 s runs", "frequency_response",
             model="lif", freq_min=1.0, freq_max=100.0, n_freqs=i64(5), duration=1000.0)
    c.driven("one frequency", "frequency_response", model="lif", freq_min=7.0, freq_max=50.0,
             n_freqs=i64(1), duration=500.0, bias=12.0, depth=0.25)
    c.driven("freq_min == freq_max", "frequency_response", model="lif", freq_min=20.0,
             freq_max=20.0, n_freqs=i64(2), duration=300.0, bias=9.0, depth=0.75)
    c.driven("0.5 Hz has no whole cycle in 1 s (not measured), 2 Hz has: partial",
             "frequency_response", model="lif", freq_min=0.5, freq_max=2.0, n_freqs=i64(2),
             duration=1000.0)
    c.driven("no frequency has a whole cycle: empty", "frequency_response", model="lif",
             freq_min=0.2, freq_max=0.5, n_freqs=i64(2), duration=1000.0)
    c.driven("too weak to spike: rate and gain 0, phase undefined", "frequency_response",
             model="lif", freq_min=5.0, freq_max=50.0, n_freqs=i64(3), duration=400.0,
             bias=1.0, depth=0.5)
    c.driven("a negative bias: amplitude depth * |bias|", "frequency_response", model="lif",
             freq_min=5.0, freq_max=50.0, n_freqs=i64(2), duration=400.0, bias=-10.0)
    c.driven("fitzhugh_nagumo 2..40 Hz", "frequency_response", model="fitzhugh_nagumo",
             freq_min=2.0, freq_max=40.0, n_freqs=i64(4), bias=0.5, depth=0.4,
             duration=1000.0)
    c.driven("default frequencies (1..100 Hz, 20 of them)", "frequency_response",
             model="lif", duration=1000.0)
    common = {"model": "lif", "duration": 100.0}
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("freq_min = 0", "OutOfRange", {"freq_min": 0.0, "freq_max": 10.0}),
        ("freq_min < 0", "OutOfRange", {"freq_min": -1.0, "freq_max": 10.0}),
        ("freq_max < freq_min", "Inconsistent", {"freq_min": 10.0, "freq_max": 5.0}),
        ("n_freqs = 0", "OutOfRange", {"n_freqs": i64(0)}),
        ("n_freqs as a float", "WrongType", {"n_freqs": 4.0}),
        ("bias = 0", "OutOfRange", {"bias": 0.0}),
        ("bias NaN", "NonFinite", {"bias": np.nan}),
        ("depth = 0", "OutOfRange", {"depth": 0.0}),
        ("depth = 1 (the interval is open)", "OutOfRange Boundary", {"depth": 1.0}),
        ("depth > 1", "OutOfRange", {"depth": 1.5}),
        ("a bad base_config value reaches the model", "OutOfRange", {"n_freqs": i64(2), "dt": 0.0}),
    ]
    for comment, flags, change in bad:
        c.invalid(comment, flags, "frequency_response", **{**common, **change})


def _helpers(c: _Cases) -> None:
    c.valid("linspace 0..1 in 11 (0.30000000000000004 and friends)", "linspace", lo=0.0,
            hi=1.0, n=i64(11))
    c.valid("linspace with n = 1", "linspace", lo=-3.5, hi=7.0, n=i64(1))
    c.valid("linspace lo == hi", "linspace", lo=2.5, hi=2.5, n=i64(4))
    c.valid("linspace whose last point differs from lo + (n-1) * step", "linspace", lo=0.1,
            hi=0.7, n=i64(7))
    c.valid("linspace downwards", "linspace", lo=3.0, hi=-1e5, n=i64(6))
    c.invalid("linspace n = 0", "OutOfRange", "linspace", lo=0.0, hi=1.0, n=i64(0))
    c.invalid("linspace hi NaN", "NonFinite", "linspace", lo=0.0, hi=np.nan, n=i64(3))
    c.valid("logspace 1..100 in 5 (log10 and pow: within rtol)", "logspace", lo=1.0,
            hi=100.0, n=i64(5))
    c.valid("logspace of one value", "logspace", lo=3.0, hi=30.0, n=i64(1))
    c.invalid("logspace lo = 0", "OutOfRange", "logspace", lo=0.0, hi=10.0, n=i64(3))
    c.valid("round_decimals to 2: ties to even on the exact decimal value", "round_decimals",
            values=f64([0.125, 0.375, 0.625, -0.125, 0.005, 0.015, 2.675, 1.005, -0.004, -0.0,
                        1e300, -1.234, 12345.678, 0.5, 1.5, 2.5]), digits=i64(2))
    c.valid("round_decimals to 4 and 6 (the elasticity and error decimals)", "round_decimals",
            values=f64([0.00005, 0.00015, 1.00005, 0.123456789, 2.5e-7, 7.0000005, -3.14159265]),
            digits=i64(4))
    c.valid("round_decimals to 6", "round_decimals",
            values=f64([0.0000005, 0.0000015, 1.2345675, 0.1234565, 1e-7]), digits=i64(6))
    c.valid("round_decimals to 0", "round_decimals", values=f64([0.5, 1.5, 2.5, -0.5, 3.7]),
            digits=i64(0))
    c.invalid("round_decimals of NaN", "NonFinite",
              "round_decimals", values=f64([np.nan]), digits=i64(2))
    c.invalid("round_decimals to -1 decimals", "OutOfRange", "round_decimals", values=f64([1.0]),
              digits=i64(-1))
    c.valid("whole steps: ratios just below an integer count it", "whole_steps",
            duration=f64([0.3, 0.35, 1.0, 0.7, 100.0, 0.0, 5.0, 2.9999999]),
            dt=f64([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 2.0, 1.0]))
    c.invalid("whole steps with dt = 0", "OutOfRange",
              "whole_steps", duration=f64([1.0]), dt=f64([0.0]))
