"""How a golden case of ``analysis.txt`` becomes a call of :mod:`sc_neurocore.studio.analysis`.

See :mod:`parity.safety_cases.analysis` for the conventions (``model``,
``params__<name>`` and the other prefixed inputs, ``None`` as NaN or -1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sc_neurocore._validation import as_real_array, check_int, check_real
from sc_neurocore.studio import analysis as A
from sc_neurocore.studio._analysis.expressions import (
    EvaluationError,
    evaluate,
    names_of,
    parse_expression,
)
from sc_neurocore.studio._checks import index_array

from ._builder import arg, f64, i64, strs, u8

__all__ = ["MODEL_OPS", "DIRECT_OPS", "RTOL_OUTPUTS", "PREFIXES", "model_case", "direct_case",
           "config_of", "args_of", "LIBM_FUNCTIONS"]

#: Ops that run a model, with the op's own argument names.
MODEL_OPS: dict[str, tuple[str, ...]] = {
    "simulate": (),
    "fi_curve_sweep": ("i_min", "i_max", "i_steps"),
    "bifurcation_sweep": ("param_name", "param_min", "param_max", "n_values", "variable"),
    "sensitivity_analysis": ("param_names", "perturbation"),
    "heatmap_2d": ("param_x", "x_min", "x_max", "x_steps", "param_y", "y_min", "y_max",
                   "y_steps"),
    "frequency_response": ("freq_min", "freq_max", "n_freqs", "bias", "depth"),
}
#: Ops on plain values, with their argument names (a name ending in ``__`` is a prefix).
DIRECT_OPS: dict[str, tuple[str, ...]] = {
    "constants": (),
    "drive_samples": ("protocol", "current", "n_steps", "dt", "frequency_hz", "bias"),
    "attractor_sample": ("trace",),
    "spike_triggered_average": ("time", "voltage", "spikes", "dt", "window_ms"),
    "half_window": ("window_ms", "dt"),
    "rate_modulation": ("spikes", "dt", "n_steps", "freq_hz"),
    "linspace": ("lo", "hi", "n"),
    "logspace": ("lo", "hi", "n"),
    "round_decimals": ("values", "digits"),
    "whole_steps": ("duration", "dt"),
    "evaluate": ("expression", "names__"),
    "simulate_equations": ("equations", "threshold", "reset", "params__", "init__", "dt",
                           "duration", "current", "protocol", "frequency_hz", "bias",
                           "max_steps"),
    "nullclines_2d": ("equations", "params__", "var_names", "ranges__", "grid_size", "current",
                      "held__"),
    "precision_compare": ("equations", "threshold", "reset", "params__", "init__", "dt",
                          "duration", "current", "protocol", "frequency_hz", "q_format",
                          "overflow", "rounding", "max_steps"),
    "resolve_word_format": ("q_format",),
}
#: Prefixed inputs: entries of one mapping argument.
PREFIXES = ("params__", "init__", "held__", "ranges__", "names__")
#: Functions whose results come from the math library (an ``evaluate`` with one is ``value_libm``).
LIBM_FUNCTIONS = ("exp", "log", "sin", "cos", "tanh", "cosh", "sinh")
#: Outputs compared within rtol: everything that passes through the math library.
RTOL_OUTPUTS = ("driven_v", "driven_w", "driven_drive", "samples_sine", "frequencies_hz",
                "mean_rates", "modulation_hz", "gain", "phase_lag_deg", "vector_strength",
                "values_log", "value_libm")


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "T":
            return [str(v) for v in value.tolist()] if value.ndim else str(value.item())
        return value
    return value


def _get(inputs: Mapping[str, np.ndarray], name: str) -> object:
    value = arg(inputs, name)
    return _plain(value)


def _grouped(inputs: Mapping[str, np.ndarray], prefix: str) -> dict[str, object] | None:
    group = {k[len(prefix):]: _get(inputs, k) for k in inputs if k.startswith(prefix)}
    return group or None


def config_of(inputs: Mapping[str, np.ndarray], taken: tuple[str, ...]) -> dict[str, object]:
    """The case's ``base_config``: every other input, ``params.<name>`` grouped into ``params``."""
    config: dict[str, object] = {}
    for key in inputs:
        if key in taken:
            continue
        if key.startswith("params__"):
            params = config.setdefault("params", {})
            assert isinstance(params, dict)
            params[key[len("params__"):]] = _get(inputs, key)
        elif any(key.startswith(p) for p in PREFIXES):
            raise TypeError(f"{key} is not a configuration key")
        else:
            config[key] = _get(inputs, key)
    return config


def args_of(inputs: Mapping[str, np.ndarray], names: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in names:
        if name.endswith("__"):
            group = _grouped(inputs, name)
            if group is not None:
                out[name[:-2]] = group
        elif name in inputs:
            out[name] = _get(inputs, name)
    return out


def _model(inputs: Mapping[str, np.ndarray]) -> A.SimulateFn:
    name = _get(inputs, "model")
    if not isinstance(name, str) or name not in A.MODELS:
        raise ValueError(f"model must be one of {', '.join(A.MODELS)}, got {name!r}")
    return A.MODELS[name]


def _nan(values: list[Any]) -> np.ndarray:
    return f64([np.nan if v is None else v for v in values])


def _mask(values: list[Any]) -> np.ndarray:
    return u8([v is not None for v in values])


def run_outputs(result: Mapping[str, Any], driven: bool) -> dict[str, object]:
    """The outputs of one run result (states and drive ``driven_`` when a sine drove it)."""
    out: dict[str, object] = {"rate_hz": float(result["stats"]["rate_hz"]),
                              "n_steps": i64(result["n_steps"]), "dt": float(result["dt"]),
                              "spikes": i64(result["spikes"])}
    for name, trace in result["states"].items():
        out[f"{'driven' if driven else 'state'}_{name}"] = f64(trace)
    out["driven_drive" if driven else "drive"] = f64(result["current_trace"])
    return out


def model_case(op: str, inputs: Mapping[str, np.ndarray]) -> dict[str, object]:
    """A case whose ``simulate_fn`` is the input ``model``."""
    model = _model(inputs)
    names = MODEL_OPS[op]
    args = args_of(inputs, names)
    config = config_of(inputs, ("op", "model", *names))
    if op == "simulate":
        return run_outputs(model(**config), config.get("protocol") == "sine")
    if op == "fi_curve_sweep":
        fi = A.fi_curve_sweep(model, base_config=config, **args)  # type: ignore[arg-type]
        return {"currents": f64(fi["currents"]), "rates": f64(fi["rates"])}
    if op == "bifurcation_sweep":
        return _bifurcation(A.bifurcation_sweep(model, config, **args))  # type: ignore[arg-type]
    if op == "sensitivity_analysis":
        return _sensitivity(A.sensitivity_analysis(model, config, **args))  # type: ignore[arg-type]
    if op == "heatmap_2d":
        hm = A.heatmap_2d(model, config, **args)  # type: ignore[arg-type]
        return {"x_values": f64(hm["x_values"]), "y_values": f64(hm["y_values"]),
                "rates": f64(hm["rates"]), "rate_min": hm["rate_min"],
                "rate_max": hm["rate_max"], "total_points": i64(hm["total_points"]),
                "protocol": hm["protocol"]}
    return _frequency(A.frequency_response(model, config, **args))  # type: ignore[arg-type]


def _bifurcation(bif: Mapping[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {
        "param_values": f64(bif["param_values"]),
        "counts": i64([len(a) for a in bif["attractors"]]),
        "attractors": f64([x for a in bif["attractors"] for x in a]),
        "kinds": strs(bif["attractor_kinds"]), "variable": bif["variable"],
        "protocol": bif["protocol"], "domain": bif["contract"]["domain"],
        "insufficient": i64(bif["contract"]["domain_detail"]["insufficient_samples"])}
    if "frequency_hz" in bif:
        out["frequency_hz"] = bif["frequency_hz"]
    return out


def _sensitivity(result: Mapping[str, Any]) -> dict[str, object]:
    rows = result["sensitivities"]
    return {"params": strs([r["param"] for r in rows]) if rows else strs(np.array([], "U1")),
            "sensitivities": _nan([r["sensitivity"] for r in rows]),
            "defined": _mask([r["sensitivity"] for r in rows]),
            "has_rates": u8(["rate_plus" in r for r in rows]),
            "rates_minus": _nan([r.get("rate_minus") for r in rows]),
            "rates_plus": _nan([r.get("rate_plus") for r in rows]),
            "reasons": strs([r.get("reason", "") for r in rows]) if rows
            else strs(np.array([], "U1")),
            "base_rate": result["base_rate"], "domain": result["contract"]["domain"],
            "undefined": i64(result["contract"]["domain_detail"]["undefined"])}


def _frequency(fr: Mapping[str, Any]) -> dict[str, object]:
    return {"frequencies_hz": f64(fr["frequencies_hz"]), "measured": _mask(fr["rates"]),
            "mean_rates": _nan(fr["rates"]), "modulation_hz": _nan(fr["modulation_hz"]),
            "gain": _nan(fr["gain"]), "phase_lag_deg": _nan(fr["phase_lag_deg"]),
            "vector_strength": _nan(fr["vector_strength"]), "cycles": i64(fr["cycles"]),
            "amplitude": fr["amplitude"], "domain": fr["contract"]["domain"]}


def _sta(sta: Mapping[str, Any]) -> dict[str, object]:
    detail = sta["contract"]["domain_detail"]
    return {"time_ms": f64(sta["time_ms"]), "average": f64(sta["average"]),
            "n_spikes": i64(sta["n_spikes"]), "domain": sta["contract"]["domain"],
            "spikes_given": i64(detail["spikes"]), "windows_used": i64(detail["windows_used"])}


def _constants() -> dict[str, object]:
    return {"attractor_decimals": i64(A.ATTRACTOR_DECIMALS),
            "attractor_extrema_kept": i64(A.ATTRACTOR_EXTREMA_KEPT),
            "attractor_min_samples": i64(A.ATTRACTOR_MIN_SAMPLES),
            "frequency_response_depth": A.FREQUENCY_RESPONSE_DEPTH,
            "frequency_response_min_cycles": i64(A.FREQUENCY_RESPONSE_MIN_CYCLES),
            "sensitivity_perturbation": A.SENSITIVITY_PERTURBATION,
            "sensitivity_decimals": i64(A.SENSITIVITY_DECIMALS),
            "error_decimals": i64(A.ERROR_DECIMALS), "max_steps": i64(A.MAX_STEPS),
            "max_points": i64(A.MAX_POINTS), "max_grid": i64(A.MAX_GRID),
            "step_tolerance": A.STEP_TOLERANCE, "min_data_width": i64(A.MIN_DATA_WIDTH),
            "max_data_width": i64(A.MAX_DATA_WIDTH),
            "max_integer_power": i64(A.MAX_INTEGER_POWER), "tau": A.TAU, "half_pi": A.HALF_PI,
            "degrees_per_radian": A.DEGREES_PER_RADIAN,
            "default_range_0": f64(A.DEFAULT_RANGES[0]),
            "default_range_1": f64(A.DEFAULT_RANGES[1]),
            "lif_defaults": f64(list(A.LIF_DEFAULTS.values())),
            "fitzhugh_nagumo_defaults": f64(list(A.FITZHUGH_NAGUMO_DEFAULTS.values())),
            "rate_definition": A.RATE_DEFINITION}


def _evaluate(inputs: Mapping[str, np.ndarray]) -> dict[str, object]:
    text = _get(inputs, "expression")
    env = _grouped(inputs, "names__") or {}
    node = parse_expression(text)
    values = {k: check_real(v, f"names__{k}") for k, v in env.items()}
    unknown = [n for n in names_of(node) if n not in values]
    if unknown:
        raise ValueError(f"names__{unknown[0]} is missing: the expression reads it")
    libm = any(f"{f}(" in str(text) for f in LIBM_FUNCTIONS) or "**" in str(text)
    try:
        value, failed = evaluate(node, values), 0
    except EvaluationError:
        value, failed = float("nan"), 1
    return {"value_libm" if libm else "value": value, "failed": u8(failed)}


def direct_case(op: str, inputs: Mapping[str, np.ndarray]) -> dict[str, object]:
    """A case on plain values."""
    names = DIRECT_OPS[op]
    extra = [k for k in inputs if k != "op" and k not in names
             and not any(n.endswith("__") and k.startswith(n) for n in names)]
    if extra:
        raise TypeError(f"{op} takes no input called {extra[0]}")
    args = args_of(inputs, names)
    if op == "constants":
        return _constants()
    if op == "drive_samples":
        samples = A.drive_samples(**args)  # type: ignore[arg-type]
        return {"samples_sine" if args.get("protocol") == "sine" else "samples": f64(samples)}
    if op == "attractor_sample":
        values, kind = A.attractor_sample(as_real_array(args["trace"], "trace", (1,)).tolist())
        return {"values": f64(values), "kind": kind}
    if op == "spike_triggered_average":
        return _sta(A.spike_triggered_average(**args))  # type: ignore[arg-type]
    if op == "half_window":
        windows = as_real_array(args["window_ms"], "window_ms", (1,))
        dts = as_real_array(args["dt"], "dt", (1,))
        if windows.shape != dts.shape:
            raise ValueError(f"dt must have the shape of window_ms {windows.shape}, got "
                             f"{dts.shape}")
        return {"half": i64([A.half_window(float(w), float(d)) for w, d in zip(windows, dts)])}
    if op == "rate_modulation":
        return _modulation(args)
    if op in ("linspace", "logspace"):
        fn = A.linspace if op == "linspace" else A.logspace
        return {"values" if op == "linspace" else "values_log": f64(_spaced(fn, args))}
    if op == "round_decimals":
        return _rounded(args)
    if op == "whole_steps":
        return _whole_steps(args)
    if op == "evaluate":
        return _evaluate(inputs)
    if op == "simulate_equations":
        result = A.simulate_equations(**args)  # type: ignore[arg-type]
        texts = args.get("equations")
        libm = isinstance(texts, list) and any(f"{f}(" in str(t) or "**" in str(t)
                                               for t in texts for f in LIBM_FUNCTIONS)
        return run_outputs(result, args.get("protocol") == "sine" or libm)
    if op == "nullclines_2d":
        return _nullclines(args)
    if op == "precision_compare":
        return _precision(args)
    width, fraction = A.resolve_word_format(args["q_format"])  # type: ignore[arg-type]
    return {"data_width": i64(width), "fraction": i64(fraction)}


# The direct ops below check their scalar arguments as the mirror does: the exact helpers
# are internal on the Python side and take already checked values.

def _spaced(fn: Any, args: Mapping[str, object]) -> list[float]:
    lo, hi = check_real(args["lo"], "lo"), check_real(args["hi"], "hi")
    n = check_int(args["n"], "n", minimum=1, below=A.MAX_POINTS + 1)
    if fn is A.logspace and not (lo > 0.0 and hi > 0.0):
        raise ValueError(f"lo and hi must be > 0 for logspace, got {lo!r}, {hi!r}")
    values: list[float] = fn(lo, hi, n)
    return values


def _rounded(args: Mapping[str, object]) -> dict[str, object]:
    values = as_real_array(args["values"], "values")
    digits = check_int(args["digits"], "digits", minimum=0, below=16)
    return {"values": f64(np.array([A.round_decimals(float(x), digits) for x in values.ravel()],
                                   dtype=np.float64).reshape(values.shape))}


def _whole_steps(args: Mapping[str, object]) -> dict[str, object]:
    durations = as_real_array(args["duration"], "duration", (1,))
    dts = as_real_array(args["dt"], "dt", (1,))
    if durations.shape != dts.shape:
        raise ValueError(f"dt must have the shape of duration {durations.shape}, got "
                         f"{dts.shape}")
    if (durations < 0).any() or (dts <= 0).any():
        raise ValueError("duration must be >= 0 and dt > 0")
    if ((durations / dts) >= 2.0**53).any():
        raise ValueError("duration / dt must stay below 2**53")
    return {"steps": i64([A.whole_steps(float(d), float(t)) for d, t in zip(durations, dts)])}


def _modulation(args: Mapping[str, object]) -> dict[str, object]:
    n_steps = check_int(args["n_steps"], "n_steps", minimum=1, below=A.MAX_STEPS + 1)
    spikes = index_array(args["spikes"], "spikes", n_steps).tolist()
    dt = check_real(args["dt"], "dt", positive=True)
    freq = check_real(args["freq_hz"], "freq_hz", positive=True)
    point = A.rate_modulation(spikes, dt, n_steps, freq)
    return {"cycles": i64(point["cycles"]), "measured": _mask([point["rate_hz"]]),
            "rate_hz": _nan([point["rate_hz"]]), "modulation_hz": _nan([point["modulation_hz"]]),
            "phase_lag_deg": _nan([point["phase_lag_deg"]]),
            "vector_strength": _nan([point["vector_strength"]])}


def _nullclines(args: Mapping[str, object]) -> dict[str, object]:
    options = {k: args[k] for k in ("grid_size", "current", "held") if k in args}
    nc = A.nullclines_2d(args.get("equations"), args.get("params", {}),  # type: ignore[arg-type]
                         args.get("var_names"), args.get("ranges", {}),  # type: ignore[arg-type]
                         **options)  # type: ignore[arg-type]

    def points(key: str) -> np.ndarray:
        return f64(np.array(nc[key]["points"], dtype=np.float64).reshape(-1, 2))
    held = nc["held"]
    return {"x": f64(nc["grid"]["x"]), "y": f64(nc["grid"]["y"]), "points_0": points("nullcline_0"),
            "points_1": points("nullcline_1"), "validity_0": u8(nc["validity_0"]),
            "validity_1": u8(nc["validity_1"]),
            "held_names": strs(list(held)) if held else strs(np.array([], "U1")),
            "held_values": f64(list(held.values())), "domain": nc["contract"]["domain"]}


def _precision(args: Mapping[str, object]) -> dict[str, object]:
    call = {"threshold": None, "reset": None, "params": None, "init": None, **args}
    p = A.precision_compare(**call)  # type: ignore[arg-type]
    out: dict[str, object] = {}
    variables = list(p["float_result"]["states"])
    for name in variables:
        out[f"float_{name}"] = f64(p["float_result"]["states"][name])
        out[f"words_{name}"] = i64(p["fixed_result"]["words"]["state"][name])
        out[f"quant_{name}"] = f64(p["parameter_quantisation_result"]["states"][name])
    out["float_spikes"] = i64(p["float_result"]["spikes"])
    out["fixed_spikes"] = i64(p["fixed_result"]["spikes"])
    out["quant_spikes"] = i64(p["parameter_quantisation_result"]["spikes"])
    out["drive_words"] = i64(p["fixed_result"]["words"]["drive"])
    out["dt_word"] = i64(p["arithmetic"]["dt_word"])
    enc = p["encoding"]
    out["param_words"] = i64([row["word"] for row in enc["params"].values()])
    out["init_words"] = i64([row["word"] for row in enc["init"].values()])
    for kind, key in (("bit_true", "bt"), ("parameter_quantisation", "pq")):
        for name, m in p["comparison"][kind]["variables"].items():
            out[f"{key}_{name}"] = f64([m["max_abs_error"], m["mean_abs_error"], m["rms_error"],
                                        m["final_abs_error"]])
            first = m["first_divergence_step"]
            out[f"{key}_first_{name}"] = i64(-1 if first is None else first)
        ev = p["comparison"][kind]["events"]
        first_ev = ev["first_divergence"]
        out[f"{key}_events"] = i64([int(ev["identical"]), ev["reference_count"],
                                    ev["candidate_count"], ev["paired"],
                                    ev["max_paired_step_offset"],
                                    -1 if first_ev is None else first_ev["index"]])
    sat = p["comparison"]["bit_true"]["saturation"]["per_variable"]
    out["saturation"] = i64([[s["steps_at_max"], s["steps_at_min"]] for s in sat.values()])
    err = p["error"]
    out["error"] = f64([err["max_error"], err["mean_error"], err["rms_error"]])
    return out
