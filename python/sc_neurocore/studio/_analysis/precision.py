"""Float64 against bit-true fixed point: three runs of one equation experiment, compared."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .contract import MODEL_DEFINED_UNIT, MetricContract, attach_contract
from .equations import build_system, experiment, run_system
from .errors import input_error
from .exact import round_decimals, sequential_sum
from .fixed_point import (
    SUPPORTED_OVERFLOW,
    SUPPORTED_ROUNDING,
    WordFormat,
    compile_fixed,
    resolve_word_format,
    run_fixed,
)
from .runs import MAX_STEPS, run_payload

__all__ = ["PRECISION_COMPARE_SCHEMA_VERSION", "ERROR_DECIMALS", "OverflowMode", "RoundingMode",
           "precision_compare"]

PRECISION_COMPARE_SCHEMA_VERSION = "studio.precision-compare.v2"
"""The ``schema_version`` of a precision-comparison payload."""
ERROR_DECIMALS = 6
"""Decimals of the ``error`` summary (Python's ``round``)."""
OverflowMode = Literal["saturate", "wrap"]
"""An overflow policy."""
RoundingMode = Literal["truncate", "nearest"]
"""A product rounding policy."""


def _encoding_rows(fmt: WordFormat, values: Mapping[str, float]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        word = fmt.encode(value)
        rows[name] = {"requested": value, "word": word, "quantised": fmt.decode(word),
                      "abs_error": abs(value - fmt.decode(word))}
    return rows


def _variable_comparison(reference: Sequence[float], candidate: Sequence[float],
                         resolution: float) -> dict[str, Any]:
    error = [abs(a - b) for a, b in zip(reference, candidate)]
    tolerance = resolution / 2.0
    beyond = next((k for k, e in enumerate(error) if e > tolerance), None)
    n = len(error)
    return {"max_abs_error": max(error), "mean_abs_error": sequential_sum(error) / n,
            "rms_error": math.sqrt(sequential_sum(e * e for e in error) / n),
            "final_abs_error": error[-1], "first_divergence_step": beyond,
            "divergence_tolerance": tolerance, "trace": error}


def _event_comparison(reference: Sequence[int], candidate: Sequence[int]) -> dict[str, Any]:
    ref, cand = list(reference), list(candidate)
    paired = min(len(ref), len(cand))
    offsets = [abs(ref[k] - cand[k]) for k in range(paired)]
    first: dict[str, Any] | None = None
    for k in range(max(len(ref), len(cand))):
        a = ref[k] if k < len(ref) else None
        b = cand[k] if k < len(cand) else None
        if a != b:
            first = {"index": k, "reference_step": a, "candidate_step": b}
            break
    return {"identical": ref == cand, "reference_count": len(ref),
            "candidate_count": len(cand), "paired": paired,
            "max_paired_step_offset": max(offsets) if offsets else 0, "first_divergence": first}


def _choice(value: object, field: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise input_error(field, f"{value!r} is not one of {', '.join(choices)}")
    return value


def precision_compare(equations: Sequence[str], threshold: str | None, reset: str | None,
                      params: Mapping[str, float] | None, init: Mapping[str, float] | None,
                      dt: float, duration: float, current: float, *,
                      protocol: str = "constant", frequency_hz: float = 10.0,
                      q_format: str = "Q8.8", overflow: str = "saturate",
                      rounding: str = "truncate", max_steps: int = MAX_STEPS) -> dict[str, Any]:
    """Run one equation experiment three ways and compare them step by step.

    * ``float_result``: the float64 forward-Euler run
      ([`simulate_equations`][sc_neurocore.studio.analysis.simulate_equations]);
    * ``fixed_result``: the bit-true fixed-point run of the same system in
      ``q_format`` (every operation on integer words; the rules are in the
      ``arithmetic`` block and on the docs page), fed the drive's words;
    * ``parameter_quantisation_result``: float64 with the parameters and
      initial state rounded to the word resolution (literals, ``dt`` and the
      drive as requested), separating parameter rounding from the effect of
      fixed-point operations.

    A value the word cannot hold (a parameter, a literal or reciprocal, the
    initial state, ``dt`` or a drive sample) is refused with its field named,
    never clamped. Errors are ``|float - candidate|`` per step; means and
    root-mean-squares sum left to right; ``first_divergence_step`` is the
    first step whose error exceeds half a word resolution.

    Parameters
    ----------
    equations : sequence of str
        ``"d<var>/dt = <expression>"`` lines.
    threshold : str or None
        Spike condition.
    reset : str or None
        Reset assignments.
    params : mapping or None
        Parameter values.
    init : mapping or None
        Initial state.
    dt : float
        Step (ms), ``> 0``.
    duration : float
        Run length (ms); ``floor(duration / dt + 1e-9)`` steps, at most ``max_steps``.
    current : float
        Drive amplitude.
    protocol : str
        Drive protocol.
    frequency_hz : float
        Sine frequency (Hz).
    q_format : str
        Word format ``Q<m>.<f>`` (``Q8.8``: 16 bits, 8 fractional).
    overflow : str
        ``"saturate"`` or ``"wrap"``.
    rounding : str
        Product rounding, ``"truncate"`` or ``"nearest"``.
    max_steps : int
        Step ceiling, ``>= 1``.

    Returns
    -------
    dict
        ``schema_version``, ``float_result``, ``fixed_result`` (with its
        ``words``), ``parameter_quantisation_result``, ``arithmetic``,
        ``encoding`` (every parameter, initial value, ``dt`` and the drive),
        ``comparison`` (``bit_true`` and ``parameter_quantisation``: per
        variable, events, and for the bit-true run the saturation counts),
        ``error`` (the bit-true error of the first variable, rounded to
        ``ERROR_DECIMALS``), ``quantized_params``, ``quantized_init`` and
        ``contract`` (kind ``"precision-compare"``).

    Raises
    ------
    ModelInputError
        A refused field (naming it), including values the format cannot hold
        and operations without fixed-point arithmetic.
    ModelSimulationFailure
        When a float run leaves the finite doubles.
    """
    n_steps, step, drive = experiment(dt, duration, current, protocol, frequency_hz, 0.0,
                                      max_steps)
    over = _choice(overflow, "overflow", SUPPORTED_OVERFLOW)
    rnd = _choice(rounding, "rounding", SUPPORTED_ROUNDING)
    width, fraction = resolve_word_format(q_format)
    fmt = WordFormat(width, fraction, over, rnd)
    system = build_system(equations, threshold, reset, params, init)
    program = compile_fixed(system, fmt, step, threshold, reset)
    low, high = min(drive), max(drive)
    if not (fmt.representable(low) and fmt.representable(high)):
        raise input_error("current", f"drive samples in [{low!r}, {high!r}] are not "
                                     f"representable in {fmt.label} {fmt.span}")
    drive_words = [fmt.encode(x) for x in drive]
    quantised_drive = [fmt.decode(w) for w in drive_words]

    traces, spikes, final = run_system(system, drive, step)
    float_result = run_payload(dt=step, n_steps=n_steps, states=traces, drive=drive,
                               spikes=spikes, initial_state=system.init, final_state=final)
    words, fixed_spikes = run_fixed(program, drive_words)
    decoded = {name: [fmt.decode(w) for w in ws] for name, ws in words.items()}
    quantised_init = {name: fmt.decode(w) for name, w in program.init.items()}
    fixed_result = run_payload(dt=step, n_steps=n_steps, states=decoded, drive=quantised_drive,
                               spikes=fixed_spikes, initial_state=quantised_init,
                               final_state={name: trace[-1] for name, trace in decoded.items()})
    fixed_result["backend"] = "bit-true-interpreter"
    fixed_result["words"] = {"schema_version": "studio.bit-true-words.v1", "fraction": fraction,
                             "state": words, "drive": drive_words}
    quantised_params = {name: fmt.decode(fmt.encode(v)) for name, v in system.params.items()}
    q_system = build_system(equations, threshold, reset, quantised_params, quantised_init)
    q_traces, q_spikes, q_final = run_system(q_system, drive, step)
    parameter_result = run_payload(dt=step, n_steps=n_steps, states=q_traces, drive=drive,
                                   spikes=q_spikes, initial_state=quantised_init,
                                   final_state=q_final)

    def variables(candidate: Mapping[str, list[float]]) -> dict[str, Any]:
        return {name: _variable_comparison(traces[name], candidate[name], fmt.resolution)
                for name in system.variables}

    bit_true = variables(decoded)
    comparison = {
        "bit_true": {"candidate": "fixed_result", "variables": bit_true,
                     "events": _event_comparison(spikes, fixed_spikes),
                     "saturation": {"max_word": fmt.max_word, "min_word": fmt.min_word,
                                    "per_variable": {
                                        name: {"steps_at_max": ws.count(fmt.max_word),
                                               "steps_at_min": ws.count(fmt.min_word)}
                                        for name, ws in words.items()}}},
        "parameter_quantisation": {"candidate": "parameter_quantisation_result",
                                   "variables": variables(q_traces),
                                   "events": _event_comparison(spikes, q_spikes)}}
    primary = system.variables[0]
    metrics = bit_true[primary]
    drive_array = np.asarray(drive, dtype="<f8")
    payload: dict[str, Any] = {
        "schema_version": PRECISION_COMPARE_SCHEMA_VERSION, "float_result": float_result,
        "fixed_result": fixed_result, "parameter_quantisation_result": parameter_result,
        "arithmetic": {"schema_version": "studio.fixed-arithmetic.v1", "data_width": width,
                       "fraction": fraction, "overflow": over, "rounding": rnd,
                       "method": "euler", "dt_word": program.dt_word,
                       "multiply": ("exact product, then >> fraction (truncate: floor; nearest: "
                                    "+2^(fraction-1) first), then the overflow policy"),
                       "add": "exact sum, then the overflow policy",
                       "divide": "by a constant only: times the word of its reciprocal"},
        "encoding": {"q_format": fmt.label, "data_width": width, "fraction": fraction,
                     "resolution": fmt.resolution,
                     "params": _encoding_rows(fmt, system.params),
                     "init": _encoding_rows(fmt, system.init),
                     "dt": _encoding_rows(fmt, {"dt": step})["dt"],
                     "drive": {"protocol": protocol, "frequency_hz": frequency_hz,
                               "n_steps": n_steps,
                               "sha256_requested": hashlib.sha256(drive_array.tobytes()).hexdigest(),
                               "sha256_words": hashlib.sha256(json.dumps(
                                   drive_words, separators=(",", ":")).encode()).hexdigest(),
                               "max_abs_error": max(abs(a - b) for a, b in
                                                    zip(drive, quantised_drive)),
                               "min": low, "max": high}},
        "comparison": comparison,
        "error": {"kind": "bit-true-vs-float64", "variable": primary,
                  "max_error": round_decimals(metrics["max_abs_error"], ERROR_DECIMALS),
                  "mean_error": round_decimals(metrics["mean_abs_error"], ERROR_DECIMALS),
                  "rms_error": round_decimals(metrics["rms_error"], ERROR_DECIMALS),
                  "first_divergence_step": metrics["first_divergence_step"],
                  "trace": metrics["trace"]},
        "quantized_params": quantised_params, "quantized_init": quantised_init}
    contract = MetricContract(
        kind="precision-compare",
        definition=("absolute difference per step between the float64 forward-Euler run and (a) "
                    "the bit-true fixed-point run and (b) a float64 run with parameters and "
                    "initial state rounded to the word resolution; spike steps compared in "
                    "order"),
        units={**{name: MODEL_DEFINED_UNIT for name in system.variables}, "time": "ms",
               "current": MODEL_DEFINED_UNIT, "rate_hz": "Hz"},
        applicability=("forward-Euler equation systems without diffusion noise",
                       f"values representable in {fmt.label} {fmt.span}",
                       "identical drive: the float runs receive the requested samples, the "
                       "fixed-point run their words (encoding.drive)"),
        limitations=("the parameter-quantisation run isolates value rounding only; the effects "
                     "of the operations (truncating products, saturation) appear in the "
                     "bit-true run alone",
                     "the time-step word (arithmetic.dt_word) is used by the fixed-point run "
                     "only",
                     "first_divergence_step is the first step whose error exceeds half a word "
                     "resolution"),
        domain="complete")
    return attach_contract(payload, contract)
