"""sc_neurocore.studio.analysis on equation systems: expressions, runs, nullclines and the
float-versus-fixed-point comparison, checked independently.

The expression parser is checked against Python's own evaluator on random expressions;
equation runs against hand-written Euler loops; nullclines against the analytic
FitzHugh–Nagumo nullclines and a NumPy evaluation of the field; the bit-true run against
an independent integer implementation of the documented arithmetic and exact rational
encoding.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from sc_neurocore.studio import analysis as A
from sc_neurocore.studio._analysis.expressions import (
    EvaluationError,
    ExpressionError,
    evaluate,
    holds,
    parse_condition,
    parse_expression,
)

LIF: dict[str, Any] = {"equations": ["dv/dt = -(v - E_L) / tau_m + I / C"],
                       "threshold": "v > -50", "reset": "v = -65",
                       "params": {"E_L": -65.0, "tau_m": 10.0, "C": 1.0}, "init": {"v": -65.0}}
FHN = ["dv/dt = v - v*v*v/3 - w + I", "dw/dt = (v + a - b*w)/tau"]


# --------------------------------------------------------------------------- expressions

def _random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["x", "y", "z", "2", "0.5", "3.25", "1e-1", ".75"])
    kind = rng.random()
    a, b = _random_expression(rng, depth - 1), _random_expression(rng, depth - 1)
    if kind < 0.55:
        return f"{a} {rng.choice(['+', '-', '*', '/'])} {b}"
    if kind < 0.65:
        return f"-{a}"
    if kind < 0.8:
        return f"({a})"
    if kind < 0.9:
        return f"{rng.choice(['min', 'max'])}({a}, {b})"
    return f"abs({a})"


def test_the_parser_agrees_with_pythons_evaluator() -> None:
    rng = random.Random(2024)
    env = {"x": 1.75, "y": -0.5, "z": 3.0}
    checked = 0
    for _ in range(3000):
        text = _random_expression(rng, 5)
        try:
            want = eval(text, {"__builtins__": {}, "min": min, "max": max, "abs": abs}, env)
        except ZeroDivisionError:
            with pytest.raises(EvaluationError):
                evaluate(parse_expression(text), env)
            continue
        got = evaluate(parse_expression(text), env)
        assert got == want or (math.isnan(want) and math.isnan(got)), text
        checked += 1
    assert checked > 2500


@pytest.mark.parametrize("text, value", [
    ("-x**2", -9.0), ("2 ** 3 ** 2", 512.0), ("2 ** -1", 0.5), ("- - x", 3.0),
    ("clip(x, 0, 1) + clip(-x, -1, 1)", 0.0), ("min(x, 1, x)", 1.0), ("pi - pi", 0.0),
    ("sqrt(4) * exp(0) + log(1)", 2.0), ("(x + 1) / 2", 2.0)])
def test_expression_semantics_follow_python(text: str, value: float) -> None:
    assert evaluate(parse_expression(text), {"x": 3.0}) == value


@pytest.mark.parametrize("text", ["1 / 0", "log(0)", "sqrt(-1)", "exp(1000)", "1e308 * 10",
                                  "(-8) ** 0.5", "0 ** -1", "cosh(1000)"])
def test_evaluation_leaving_the_finite_doubles_fails(text: str) -> None:
    with pytest.raises(EvaluationError):
        evaluate(parse_expression(text), {})


@pytest.mark.parametrize("text", ["", "1 +", "x y", "2x", "1..2", "1e", "foo(1)", "min(1)",
                                  "clip(1, 2)", "x < y", "x $ y", "(1", "1)", "x + and",
                                  "1e400", "x // y", "x = 1"])
def test_malformed_expressions_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_conditions_short_circuit_and_refuse_chains() -> None:
    cond = parse_condition("v > 0 and log(v) > 1 or not (v > -1)")
    assert holds(cond, {"v": -5.0}) is True          # log(-5) is never evaluated
    assert holds(cond, {"v": 10.0}) is True
    with pytest.raises(ExpressionError, match="chained"):
        parse_condition("0 < v < 1")
    with pytest.raises(ExpressionError):
        parse_condition("v + 1")


# --------------------------------------------------------------------------- equation runs

def test_the_lif_equations_match_a_hand_written_euler_loop() -> None:
    run = A.simulate_equations(**LIF, dt=0.1, duration=50.0, current=30.0)
    v, trace, spikes = -65.0, [], []
    for k in range(500):
        v = v + (-(v - -65.0) / 10.0 + 30.0 / 1.0) * 0.1
        if v > -50:
            spikes.append(k)
            v = -65.0
        trace.append(v)
    assert run["states"]["v"] == trace and run["spikes"] == spikes
    assert run["n_steps"] == 500 and run["time"][0] == 0.1
    assert run["stats"]["rate_hz"] == len(spikes) / 0.05


def test_resets_read_the_state_before_any_assignment() -> None:
    run = A.simulate_equations(["dv/dt = 1", "du/dt = 0"], threshold="v >= 2",
                               reset="v = u; u = v + 10", init={"v": 0.0, "u": 5.0}, dt=1.0,
                               duration=3.0)
    # step 1: v = 2 spikes: v = u (5), u = v + 10 with the old v (2): 12;
    # step 2: v = 6 spikes: v = u (12), u = 6 + 10
    assert run["states"]["v"] == [1.0, 5.0, 12.0] and run["states"]["u"] == [5.0, 12.0, 16.0]


def test_a_diverging_run_is_a_model_simulation_failure() -> None:
    with pytest.raises(A.ModelSimulationFailure) as info:
        A.simulate_equations(["dv/dt = v * v"], init={"v": 1.0}, dt=1.0, duration=50.0)
    assert info.value.step > 0 and info.value.time_ms == info.value.step * 1.0
    assert not isinstance(info.value, ValueError)


@pytest.mark.parametrize("change, field", [
    ({"equations": []}, "equations"), ({"equations": ["v = 1"]}, "equations"),
    ({"equations": ["dv/dt = 1", "dv/dt = 2"]}, "equations"),
    ({"equations": ["dv/dt = g"]}, "equations"), ({"equations": ["dv/dt = xi"]}, "equations"),
    ({"threshold": "v + 1"}, "threshold"), ({"reset": "u = 1"}, "reset"),
    ({"params": {"v": 1.0}}, "params.v"), ({"params": {"I": 1.0}}, "params.I"),
    ({"init": {"u": 1.0}}, "init.u"), ({"init": {"v": math.nan}}, "init.v"),
    ({"dt": 0.0}, "dt"), ({"duration": 1e9}, "duration"), ({"max_steps": 0}, "max_steps"),
    ({"protocol": "chirp"}, "protocol")])
def test_equation_runs_name_the_refused_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(A.ModelInputError) as info:
        A.simulate_equations(**{**LIF, "dt": 0.1, "duration": 5.0, "current": 1.0, **change})
    assert info.value.field == field


def test_equation_runs_serve_as_simulate_fn_for_the_sweeps() -> None:
    def sim(**cfg: Any) -> dict[str, Any]:
        return A.simulate_equations(**{**LIF, "dt": 0.1, "duration": 100.0, **cfg})
    fi = A.fi_curve_sweep(sim, 0.0, 40.0, 5)
    assert fi["rates"][0] == 0.0 and fi["rates"][-1] > 0.0
    sens = A.sensitivity_analysis(sim, {"current": 30.0, "params": LIF["params"]},
                                  ["tau_m", "C", "E_L"])
    assert {r["param"] for r in sens["sensitivities"]} == {"tau_m", "C", "E_L"}


# --------------------------------------------------------------------------- nullclines

def test_fitzhugh_nagumo_nullclines_straddle_the_analytic_curves() -> None:
    a, b, tau, current = 0.7, 0.8, 12.5, 0.5
    out = A.nullclines_2d(FHN, {"a": a, "b": b, "tau": tau}, ["v", "w"],
                          {"v": (-2.5, 2.5), "w": (-1.0, 2.0)}, 41, current=current)
    x, y = np.array(out["grid"]["x"]), np.array(out["grid"]["y"])
    dx, dy = x[1] - x[0], y[1] - y[0]
    for vx, wy in out["nullcline_0"]["points"]:      # w = v - v^3/3 + I crosses the cell
        ws = [v - v ** 3 / 3 + current for v in np.linspace(vx, vx + dx, 50)]
        assert min(ws) <= wy + dy + 1e-12 and max(ws) >= wy - 1e-12
    for vx, wy in out["nullcline_1"]["points"]:      # w = (v + a) / b
        assert (vx + a) / b <= wy + dy + (dx / b) + 1e-12 and (vx + dx + a) / b >= wy - 1e-12
    # the same cells as a NumPy evaluation of the field on the meshgrid
    X, Y = np.meshgrid(x, y)
    F = ((X - (X * X * X) / 3) - Y) + current
    corners = np.stack([F[:-1, :-1], F[1:, :-1], F[:-1, 1:], F[1:, 1:]])
    rows, cols = np.nonzero((corners.min(axis=0) <= 0) & (corners.max(axis=0) >= 0))
    assert out["nullcline_0"]["points"] == [[x[j], y[i]] for i, j in zip(rows, cols)]
    assert out["contract"]["domain"] == "complete" and out["contract"]["kind"] == "nullclines"


def test_invalid_samples_carry_no_contour_and_set_the_domain() -> None:
    out = A.nullclines_2d(["dv/dt = 1 / v - w", "dw/dt = sqrt(v) - w"], {}, ["v", "w"],
                          {"v": (-1.0, 1.0), "w": (-1.0, 1.0)}, 5)
    assert out["validity_0"][0] == [1, 1, 0, 1, 1]        # 1/0 at v = 0 is invalid, not 0
    assert out["validity_1"][0] == [0, 0, 1, 1, 1]        # sqrt of a negative
    assert all(p[0] >= 0.0 for p in out["nullcline_1"]["points"])
    assert out["domain"]["status"] == "partial"
    assert out["domain"]["invalid_fraction"] == {"v": 1 - 20 / 25, "w": 1 - 15 / 25}
    none = A.nullclines_2d(["dv/dt = sqrt(v - 10)", "dw/dt = -w"], {}, ["v", "w"],
                           {"v": (0.0, 1.0)}, 3)
    assert none["contract"]["domain"] == "empty" and none["grid"]["y"] == [-1.0, 0.0, 1.0]


def test_nullclines_hold_other_variables_and_default_ranges() -> None:
    out = A.nullclines_2d(["dv/dt = v - w + u", "dw/dt = -w + s", "du/dt = 0", "ds/dt = 0"],
                          {}, ["v", "w"], {}, 4, held={"u": 0.25})
    assert out["held"] == {"u": 0.25, "s": 0.0}
    assert out["grid"]["x"] == A.linspace(-80.0, 40.0, 4)


@pytest.mark.parametrize("kwargs, field", [
    ({"var_names": ["v"]}, "var_names"), ({"var_names": ["v", "v"]}, "var_names"),
    ({"var_names": ["v", "q"]}, "var_names"), ({"held": {"v": 1.0}}, "held"),
    ({"ranges": {"v": (1.0, 0.0)}}, "ranges"), ({"grid_size": 1}, "grid_size"),
    ({"grid_size": 2000}, "grid_size"), ({"equations": ["dv/dt = q", "dw/dt = 1"]},
                                         "equations")])
def test_nullclines_name_the_refused_field(kwargs: dict[str, Any], field: str) -> None:
    call: dict[str, Any] = {"equations": FHN, "params": {"a": 0.7, "b": 0.8, "tau": 12.5},
                            "var_names": ["v", "w"], "ranges": {}, **kwargs}
    with pytest.raises(A.ModelInputError) as info:
        A.nullclines_2d(**call)
    assert info.value.field == field


# --------------------------------------------------------------------------- fixed point

def fixed_lif(dt: float, n: int, current: float, fraction: int, width: int,
              nearest: bool = False) -> tuple[list[int], list[int]]:
    """The LIF example in Q-format words, written from the documented arithmetic."""
    def enc(x: float) -> int:
        return round(Fraction(x) * 2 ** fraction)  # exact rational, ties to even

    lo, hi = -(2 ** (width - 1)), 2 ** (width - 1) - 1

    def fit(w: int) -> int:
        return min(max(w, lo), hi)

    def mul(a: int, b: int) -> int:
        p = a * b + ((1 << (fraction - 1)) if nearest else 0)
        return fit(p >> fraction)
    e_l, inv_tau, inv_c = enc(-65.0), enc(1 / 10.0), enc(1 / 1.0)
    v, i_word, dt_word, threshold, reset = enc(-65.0), enc(current), enc(dt), enc(-50.0), \
        enc(-65.0)
    words, spikes = [], []
    for k in range(n):
        rate = fit(mul(fit(-fit(v - e_l)), inv_tau) + mul(i_word, inv_c))
        v = fit(v + mul(rate, dt_word))
        if v > fit(-enc(50.0)):
            spikes.append(k)
            v = fit(-enc(65.0))
        words.append(v)
    assert threshold == fit(-enc(50.0)) and reset == fit(-enc(65.0))
    return words, spikes


@pytest.mark.parametrize("q_format, width, fraction, rounding", [
    ("Q8.8", 16, 8, "truncate"), ("Q16.16", 32, 16, "nearest"), ("Q10.6", 16, 6, "truncate")])
def test_the_bit_true_run_matches_an_independent_integer_loop(q_format: str, width: int,
                                                             fraction: int,
                                                             rounding: str) -> None:
    out = A.precision_compare(**LIF, dt=0.125, duration=20.0, current=30.0, q_format=q_format,
                              rounding=rounding)
    words, spikes = fixed_lif(0.125, 160, 30.0, fraction, width, rounding == "nearest")
    assert out["fixed_result"]["words"]["state"]["v"] == words
    assert out["fixed_result"]["spikes"] == spikes
    assert out["fixed_result"]["states"]["v"] == [w / 2 ** fraction for w in words]
    assert out["arithmetic"]["dt_word"] == 0.125 * 2 ** fraction
    assert out["encoding"]["q_format"] == q_format


def test_the_float_and_quantised_runs_and_the_comparisons() -> None:
    out = A.precision_compare(**{**LIF, "params": {"E_L": -65.0, "tau_m": 10.3, "C": 1.0}},
                              dt=0.1, duration=20.0, current=30.0)
    reference = A.simulate_equations(**{**LIF, "params": {"E_L": -65.0, "tau_m": 10.3,
                                                          "C": 1.0}},
                                     dt=0.1, duration=20.0, current=30.0)
    assert out["float_result"]["states"] == reference["states"]
    assert out["quantized_params"]["tau_m"] == round(10.3 * 256) / 256
    enc = out["encoding"]["dt"]
    assert (enc["word"], enc["quantised"]) == (26, 26 / 256)
    fixed = np.array(out["fixed_result"]["states"]["v"])
    error = np.abs(np.array(reference["states"]["v"]) - fixed)
    metrics = out["comparison"]["bit_true"]["variables"]["v"]
    assert metrics["max_abs_error"] == error.max() and metrics["trace"] == error.tolist()
    assert metrics["rms_error"] == pytest.approx(math.sqrt(np.mean(error ** 2)), rel=1e-12)
    beyond = np.flatnonzero(error > 1 / 512)
    assert metrics["first_divergence_step"] == (int(beyond[0]) if beyond.size else None)
    assert out["error"]["max_error"] == round(metrics["max_abs_error"], 6)
    assert out["contract"]["kind"] == "precision-compare"


def test_overflow_policies_saturate_or_wrap() -> None:
    common: dict[str, Any] = {"equations": ["dv/dt = 4 * v"], "threshold": None,
                              "reset": None, "params": None, "init": {"v": 1.0}, "dt": 0.5,
                              "duration": 6.0, "current": 0.0}
    sat = A.precision_compare(**common)["fixed_result"]["words"]["state"]["v"]
    assert sat[:6] == [768, 2304, 6912, 20736, 32767, 32767]     # x3 per step, then clamped
    wrap = A.precision_compare(**common, overflow="wrap")["fixed_result"]["words"]["state"]["v"]

    def fit(w: int) -> int:  # every operation wraps: 4 * v, then * dt, then the sum
        return ((w + 32768) % 65536) - 32768
    v, expected = 256, []
    for _ in range(12):
        v = fit(v + fit((fit(4 * v) * 128) >> 8))
        expected.append(v)
    assert wrap == expected and wrap[4] == 29440
    counts = A.precision_compare(**common)["comparison"]["bit_true"]["saturation"]
    assert counts["per_variable"]["v"]["steps_at_max"] == 8


@pytest.mark.parametrize("change, field", [
    ({"q_format": "Q8"}, "q_format"), ({"q_format": "Q0.8"}, "q_format"),
    ({"q_format": "Q24.16"}, "q_format"), ({"overflow": "clamp"}, "overflow"),
    ({"rounding": "floor"}, "rounding"), ({"params": {"E_L": -200.0, "tau_m": 10.0, "C": 1.0}},
                                          "params.E_L"),
    ({"init": {"v": 130.0}}, "init.v"), ({"dt": 0.001, "duration": 0.01}, "dt"),
    ({"equations": ["dv/dt = -v / 1000 + I"]}, "equations"),
    ({"equations": ["dv/dt = 1 / v"]}, "equations"),
    ({"equations": ["dv/dt = exp(v)"]}, "equations"),
    ({"equations": ["dv/dt = v ** 0.5"]}, "equations"),
    ({"threshold": "v > 500"}, "threshold"), ({"current": 300.0}, "current"),
    ({"max_steps": 5}, "duration")])
def test_values_the_words_cannot_hold_are_refused_naming_the_field(change: dict[str, Any],
                                                                   field: str) -> None:
    with pytest.raises(A.ModelInputError) as info:
        A.precision_compare(**{**LIF, "dt": 0.125, "duration": 20.0, "current": 30.0,
                               **change})
    assert info.value.field == field


def test_word_format_labels() -> None:
    assert A.resolve_word_format("Q8.8") == (16, 8)
    assert A.resolve_word_format("Q1.7") == (8, 7)
    assert A.resolve_word_format("Q2.30") == (32, 30)
    for bad in ("Q0.8", "Q8", "q8.8", "Q3.4", "Q24.16", "Q8.8 "):
        with pytest.raises(A.ModelInputError):
            A.resolve_word_format(bad)


def test_a_sine_drive_reaches_all_three_runs() -> None:
    out = A.precision_compare(**LIF, dt=0.125, duration=40.0, current=20.0, protocol="sine",
                              frequency_hz=25.0)
    drive = out["float_result"]["current_trace"]
    assert drive == A.drive_samples("sine", 20.0, 320, 0.125, frequency_hz=25.0)
    assert out["fixed_result"]["words"]["drive"] == [round(x * 256) for x in drive]
    assert out["parameter_quantisation_result"]["current_trace"] == drive
