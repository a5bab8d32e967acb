"""sc_neurocore.studio.analysis: the reference API, its sweeps and responses, checked
independently.

parity/golden/analysis.txt is produced by the surface itself, so its numbers are
established here another way: closed forms (Euler LIF spike times, a linear rate,
spikes placed at known phases), NumPy re-computations of the reference formulas
(complex exponentials instead of the reduced phases), naive re-implementations of
the extremum rules, and the reference project's own documented behaviour (names,
signatures, defaults, return keys, contract kinds and domains). Every validation
class raises ``ValueError``/``TypeError`` naming its argument.
"""

from __future__ import annotations

import inspect
import json
import math
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sc_neurocore.studio import analysis as A  # noqa: E402

from parity.cases import RegenError  # noqa: E402
from parity.golden_format import read_golden  # noqa: E402
from parity.regen import golden_path  # noqa: E402
from parity.safety_cases import _analysis_cases as model_cases  # noqa: E402
from parity.safety_cases._analysis_adapter import DIRECT_OPS, MODEL_OPS  # noqa: E402

# --------------------------------------------------------------------------- the reference API

#: The reference module's exports (anulum/sc-neurocore src/sc_neurocore/studio/analysis.py).
REFERENCE_EXPORTS = [
    "ATTRACTOR_DECIMALS", "ATTRACTOR_EXTREMA_KEPT", "ATTRACTOR_MIN_SAMPLES",
    "FREQUENCY_RESPONSE_DEPTH", "FREQUENCY_RESPONSE_MIN_CYCLES", "RATE_DEFINITION",
    "SENSITIVITY_PERTURBATION", "bifurcation_sweep", "fi_curve_sweep", "frequency_response",
    "heatmap_2d", "nullclines_2d", "precision_compare", "sensitivity_analysis",
    "spike_triggered_average"]
#: Names the reference module imports for its public behaviour (contract, trace projection).
REFERENCE_USED = ["MODEL_DEFINED_UNIT", "DomainStatus", "MetricContract", "attach_contract",
                  "full_state_traces", "METRIC_CONTRACT_SCHEMA_VERSION", "contract_summary",
                  "NULLCLINE_SCHEMA_VERSION", "DEFAULT_RANGES",
                  "PRECISION_COMPARE_SCHEMA_VERSION", "SUPPORTED_OVERFLOW", "SUPPORTED_ROUNDING",
                  "MIN_DATA_WIDTH", "MAX_DATA_WIDTH", "OverflowMode", "RoundingMode",
                  "resolve_word_format", "ModelInputError", "ModelSimulationFailure"]
#: ``(parameter names, defaults)`` of the reference signatures (defaults of keyword
#: parameters by name; ``...`` marks "no default").
REFERENCE_SIGNATURES: dict[str, list[tuple[str, object]]] = {
    "fi_curve_sweep": [("simulate_fn", ...), ("i_min", ...), ("i_max", ...), ("i_steps", ...)],
    "bifurcation_sweep": [("simulate_fn", ...), ("base_config", ...), ("param_name", ...),
                          ("param_min", ...), ("param_max", ...), ("n_values", 30),
                          ("variable", None)],
    "sensitivity_analysis": [("simulate_fn", ...), ("base_config", ...), ("param_names", ...),
                             ("perturbation", 0.1)],
    "heatmap_2d": [("simulate_fn", ...), ("base_config", ...), ("param_x", ...), ("x_min", ...),
                   ("x_max", ...), ("x_steps", ...), ("param_y", ...), ("y_min", ...),
                   ("y_max", ...), ("y_steps", ...)],
    "spike_triggered_average": [("time", ...), ("voltage", ...), ("spikes", ...), ("dt", ...),
                                ("window_ms", 20.0)],
    "frequency_response": [("simulate_fn", ...), ("base_config", ...), ("freq_min", 1.0),
                           ("freq_max", 100.0), ("n_freqs", 20), ("bias", 10.0),
                           ("depth", 0.5)],
    "nullclines_2d": [("equations", ...), ("params", ...), ("var_names", ...), ("ranges", ...),
                      ("grid_size", 80), ("current", 0.0), ("held", None)],
    "precision_compare": [("equations", ...), ("threshold", ...), ("reset", ...),
                          ("params", ...), ("init", ...), ("dt", ...), ("duration", ...),
                          ("current", ...), ("protocol", "constant"), ("frequency_hz", 10.0),
                          ("q_format", "Q8.8"), ("overflow", "saturate"),
                          ("rounding", "truncate"), ("max_steps", 100_000)],
}


def test_every_reference_name_imports_from_the_module() -> None:
    for name in REFERENCE_EXPORTS + REFERENCE_USED:
        assert hasattr(A, name), name
        assert name in A.__all__, name


def test_reference_constants_have_the_reference_values() -> None:
    assert (A.SENSITIVITY_PERTURBATION, A.ATTRACTOR_MIN_SAMPLES, A.ATTRACTOR_EXTREMA_KEPT,
            A.ATTRACTOR_DECIMALS) == (0.1, 10, 20, 2)
    assert (A.FREQUENCY_RESPONSE_DEPTH, A.FREQUENCY_RESPONSE_MIN_CYCLES) == (0.5, 1)
    assert "transient from the initial state is included" in A.RATE_DEFINITION
    assert A.MODEL_DEFINED_UNIT == "model-defined"
    assert A.METRIC_CONTRACT_SCHEMA_VERSION == "studio.metric-contract.v1"
    assert A.DEFAULT_RANGES == {0: (-80.0, 40.0), 1: (-1.0, 1.0)}
    assert (A.MIN_DATA_WIDTH, A.MAX_DATA_WIDTH) == (8, 32)
    assert A.SUPPORTED_OVERFLOW == ("saturate", "wrap")
    assert A.SUPPORTED_ROUNDING == ("truncate", "nearest")


@pytest.mark.parametrize("name", sorted(REFERENCE_SIGNATURES))
def test_signatures_are_the_reference_ones(name: str) -> None:
    params = list(inspect.signature(getattr(A, name)).parameters.values())
    reference = REFERENCE_SIGNATURES[name]
    # fi_curve_sweep adds a keyword-only base_config after the reference parameters
    extra = [p.name for p in params[len(reference):]]
    assert extra == (["base_config"] if name == "fi_curve_sweep" else []), extra
    for p, (want, default) in zip(params, reference):
        assert p.name == want
        assert p.default is inspect.Parameter.empty if default is ... else p.default == default


def test_the_exceptions_are_the_reference_classes() -> None:
    err = A.ModelInputError(model="ode", field="dt", reason="must be > 0")
    assert isinstance(err, ValueError) and str(err) == "dt: must be > 0"
    assert err.to_public_detail() == {"error": "invalid_model_input", "model": "ode",
                                      "field": "dt", "reason": "must be > 0"}
    fail = A.ModelSimulationFailure(model="ode", backend="python", step=3, time_ms=0.3,
                                    diagnostic="x")
    assert isinstance(fail, RuntimeError) and not isinstance(fail, ValueError)
    assert fail.to_public_detail()["step"] == 3


def test_metric_contract_validates_serialises_and_summarises() -> None:
    contract = A.MetricContract(kind="fi-curve", definition="rate", units={"rates": "Hz"},
                                applicability=("constant current",), domain="partial",
                                domain_detail={"undefined": 1})
    public = contract.to_public_dict()
    assert public["schema_version"] == A.METRIC_CONTRACT_SCHEMA_VERSION
    assert public["applicability"] == ["constant current"] and public["limitations"] == []
    payload = A.attach_contract({"rates": [1.0]}, contract)
    assert A.contract_summary(payload) == ("fi-curve", "partial")
    assert A.contract_summary({"rates": [1.0]}) == (None, None)
    with pytest.raises(ValueError, match="kind"):
        A.MetricContract(kind="", definition="x", units={}, applicability=())
    with pytest.raises(ValueError, match="domain"):
        A.MetricContract(kind="k", definition="x", units={}, applicability=(),
                         domain="void")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown domain"):
        A.contract_summary({"contract": {"kind": "k", "domain": "void"}})


# --------------------------------------------------------------------------- fakes

def rate_fn(rate_of: Callable[[dict[str, Any]], float]) -> Callable[..., dict[str, Any]]:
    """A simulator returning only ``stats.rate_hz`` (what the rate sweeps read)."""
    def fake(**cfg: Any) -> dict[str, Any]:
        return {"stats": {"rate_hz": float(rate_of(cfg))}}
    return fake


def spike_fn(spikes: list[int], n_steps: int, dt: float) -> Callable[..., dict[str, Any]]:
    """A simulator returning a fixed spike train (what the frequency response reads)."""
    def fake(**cfg: Any) -> dict[str, Any]:
        return {"spikes": spikes, "n_steps": n_steps, "observation": {"dt": dt}}
    return fake


# --------------------------------------------------------------------------- the fixes

def test_sta_half_window_rounds_down_without_losing_a_sample() -> None:
    """0.6 ms at dt 0.1 is 3 samples a side; int() of 5.999999999999999 / 2 gave 2.

    Half an odd number of samples rounds down, as the reference documents.
    """
    v = list(np.arange(20.0))
    sta = A.spike_triggered_average([], v, [5, 9, 14], 0.1, window_ms=0.6)
    assert len(sta["average"]) == 6 and sta["time_ms"][0] == pytest.approx(-0.3)
    assert sta["average"] == [(2 + 6 + 11 + 3 * j) / 3 for j in range(6)]
    lost = 0
    for dt in ("0.1", "0.01", "0.025", "0.05", "0.2", "0.3", "0.7", "0.001", "0.125", "0.02",
               "0.04", "0.06"):
        for k in range(1, 150):
            window = float(Decimal(2 * k) * Decimal(dt))
            assert A.half_window(window, float(dt)) == k, (window, dt)
            lost += int((window / float(dt)) / 2) != k
            odd = float(Decimal(2 * k + 1) * Decimal(dt))
            assert A.half_window(odd, float(dt)) == k, (odd, dt)
    assert lost > 100  # truncation would have lost a sample this often
    assert [A.half_window(w, 1.0) for w in (1.0, 3.0, 5.0, 7.0)] == [1, 1, 2, 3]


def test_lif_refuses_a_non_positive_resistance_naming_it() -> None:
    for r in (-2.0, 0.0):
        with pytest.raises(ValueError, match=r"^params\.resistance"):
            A.lif_neuron(current=10.0, params={"resistance": r})
    assert A.lif_neuron(current=10.0, params={"resistance": 0.5}, duration=5.0)["n_steps"] == 50


def test_whole_steps_count_a_ratio_just_below_an_integer() -> None:
    assert (0.3 / 0.1, int(0.3 / 0.1)) == (2.9999999999999996, 2)
    assert A.lif_neuron(duration=0.3, dt=0.1)["n_steps"] == 3
    assert A.whole_steps(0.35, 0.1) == 3 and A.whole_steps(2.9999999, 1.0) == 2


# --------------------------------------------------------------------------- models

def test_lif_spike_times_match_the_euler_closed_form() -> None:
    # v_k = v_inf + (v_0 - v_inf)(1 - a)^k with v_inf = v_rest + R I; the first spike is
    # the first k with v_k >= v_threshold.
    current, a = 20.0, 0.1 / 10.0
    v_inf = -65.0 + 2.0 * current
    k = math.ceil(math.log((-50.0 - v_inf) / (-65.0 - v_inf)) / math.log(1 - a))
    run = A.lif_neuron(current=current, duration=100.0)
    assert run["spikes"][0] in (k - 1, k)       # exact arithmetic vs rounding at the crossing
    isi = np.diff(run["spikes"])
    assert len(set(isi.tolist())) == 1          # reset to rest: a periodic train
    assert run["stats"]["rate_hz"] == len(run["spikes"]) / 0.1


def test_lif_fi_curve_is_non_decreasing_and_silent_below_rheobase() -> None:
    fi = A.fi_curve_sweep(A.lif_neuron, 0.0, 40.0, 21, base_config={"duration": 100.0})
    assert fi["currents"] == A.linspace(0.0, 40.0, 21)
    assert all(b >= a for a, b in zip(fi["rates"], fi["rates"][1:]))
    rheobase = 15.0 / 2.0                        # (v_threshold - v_rest) / R
    assert all(r == 0.0 for c, r in zip(fi["currents"], fi["rates"]) if c <= rheobase)
    assert fi["contract"]["kind"] == "fi-curve" and fi["contract"]["units"]["rates"] == "Hz"


def test_fitzhugh_nagumo_follows_the_hopf_picture() -> None:
    rest = A.fitzhugh_nagumo(current=0.0, duration=300.0)
    assert rest["spikes"] == []
    firing = A.fitzhugh_nagumo(current=0.5, duration=300.0)
    assert len(firing["spikes"]) >= 5
    v = np.array(firing["states"]["v"])
    assert all(v[k - 1] < 1.0 <= v[k] for k in firing["spikes"] if k > 0)


def test_drive_protocols_give_their_documented_samples() -> None:
    assert A.drive_samples("constant", 2.0, 3, 1.0, bias=1.0) == [3.0, 3.0, 3.0]
    assert A.drive_samples("step", 1.0, 10, 1.0) == [0.0, 0.0] + [1.0] * 6 + [0.0, 0.0]
    assert A.drive_samples("ramp", 3.0, 4, 1.0) == [0.0, 1.0, 2.0, 3.0]
    assert A.drive_samples("pulse", 1.0, 12, 1.0) == [1.0, 1.0] + [0.0] * 8 + [1.0, 1.0]
    sine = A.drive_samples("sine", 2.0, 40, 0.5, frequency_hz=50.0, bias=10.0)
    expected = 10.0 + 2.0 * np.sin(2 * np.pi * 50.0 * np.arange(40) * 0.5 / 1000.0)
    np.testing.assert_allclose(sine, expected, rtol=1e-13)
    with pytest.raises(ValueError, match="protocol"):
        A.drive_samples("noise", 1.0, 3, 1.0)


def test_full_state_traces_prefers_the_raw_block() -> None:
    assert A.full_state_traces({"raw": {"included": True, "states": {"v": [1, 2]}},
                                "states": {"v": [9]}}) == {"v": [1, 2]}
    assert A.full_state_traces({"raw": {"included": False}, "states": {"v": [9]}}) == {"v": [9]}
    assert A.full_state_traces({}) == {}


# --------------------------------------------------------------------------- sweeps

def test_sensitivity_reports_undefined_points_with_reasons() -> None:
    silent = A.sensitivity_analysis(rate_fn(lambda cfg: 0.0), {"params": {"a": 1.0}}, ["a"])
    row = silent["sensitivities"][0]
    assert silent["base_rate"] == 0.0 and row["sensitivity"] is None
    assert row["reason"] == A.REASON_ZERO_RATE and "rate_minus" in row
    assert silent["contract"]["domain"] == "empty"
    mixed = A.sensitivity_analysis(
        rate_fn(lambda cfg: 10.0 * cfg["params"]["a"] + 5.0),
        {"params": {"a": 2.0, "z": 0.0}}, ["z", "a"])
    rows = {r["param"]: r for r in mixed["sensitivities"]}
    assert rows["z"]["sensitivity"] is None and "zero parameter" in rows["z"]["reason"]
    assert "rate_minus" not in rows["z"]
    assert rows["a"]["sensitivity"] == 0.8       # |10| * 2 / 25
    assert [r["param"] for r in mixed["sensitivities"]] == ["a", "z"]
    assert mixed["contract"]["domain_detail"] == {"undefined": 1, "total": 2}
    tiny = A.sensitivity_analysis(rate_fn(lambda cfg: 5.0), {"params": {"a": 1.0}}, ["a"],
                                  perturbation=1e-17)
    assert tiny["sensitivities"][0]["reason"] == A.REASON_NO_CHANGE


def test_sensitivity_elasticity_is_the_documented_formula_rounded_to_4() -> None:
    def rate(cfg: dict[str, Any]) -> float:
        p = cfg["params"]
        return p["x"] ** 2 + 3.0 * p["y"]
    out = A.sensitivity_analysis(rate_fn(rate), {"params": {"x": 3.0, "y": 1.0}}, ["x", "y"],
                                 perturbation=0.05)
    r0 = rate({"params": {"x": 3.0, "y": 1.0}})
    for row in out["sensitivities"]:
        p = {"x": 3.0, "y": 1.0}[row["param"]]
        d = abs(p) * 0.05
        plus = rate({"params": {"x": 3.0, "y": 1.0, row["param"]: p + d}})
        minus = rate({"params": {"x": 3.0, "y": 1.0, row["param"]: p - d}})
        assert row["sensitivity"] == round(abs((plus - minus) / (2 * d)) * abs(p) / r0, 4)
    assert [r["param"] for r in out["sensitivities"]] == ["x", "y"]


def naive_attractor(trace: list[float]) -> tuple[list[float], str]:
    """The documented rule by plateau compression, then strict extrema."""
    late = trace[len(trace) // 2:]
    if len(late) < 10:
        return [], "insufficient_samples"
    runs = [x for k, x in enumerate(late) if k == 0 or x != late[k - 1]]
    maxima = [runs[i] for i in range(1, len(runs) - 1) if runs[i - 1] < runs[i] > runs[i + 1]]
    minima = [runs[i] for i in range(1, len(runs) - 1) if runs[i - 1] > runs[i] < runs[i + 1]]
    values = {round(x, 2) for x in maxima[-20:] + minima[-20:]}
    if values:
        return sorted(values), "extrema"
    return [round(math.fsum(late) / len(late), 2)], "fixed_point"


def test_attractor_sample_matches_a_naive_plateau_rule() -> None:
    rng = np.random.default_rng(11)
    for _ in range(300):
        trace = np.round(rng.normal(size=int(rng.integers(8, 60))), 1).tolist()
        got = A.attractor_sample(trace)
        assert got == naive_attractor(trace), trace
    # a plateau maximum counts once; a flat step inside a rise is no extremum
    assert A.attractor_sample([0.0] * 10 + [0, 1, 1, 2, 3, 3, 3, 1, 0, 0, 2]) == (
        [0.0, 3.0], "extrema")


def test_bifurcation_sweep_labels_kinds_variable_and_protocol() -> None:
    def simulate(**cfg: Any) -> dict[str, Any]:
        gain = float(cfg["params"]["g"])
        trace = [gain * (1.0 if k % 2 else -1.0) for k in range(40)]
        return {"raw": {"included": True, "states": {"v": trace, "w": [0.0] * 40}}}
    sweep = A.bifurcation_sweep(simulate, {"params": {}, "protocol": "sine"}, "g", 0.0, 1.0, 3)
    assert sweep["contract"]["kind"] == "numerical-extrema-sweep"
    assert any("not a bifurcation continuation" in s for s in sweep["contract"]["limitations"])
    assert (sweep["variable"], sweep["protocol"], sweep["frequency_hz"]) == ("v", "sine", 10.0)
    assert sweep["attractor_kinds"] == ["fixed_point", "extrema", "extrema"]
    assert sweep["attractors"][0] == [0.0] and sweep["attractors"][2] == [-1.0, 1.0]
    other = A.bifurcation_sweep(simulate, {"params": {}}, "g", 0.0, 1.0, 2, variable="w")
    assert other["variable"] == "w" and other["attractor_kinds"] == ["fixed_point"] * 2

    def short(**cfg: Any) -> dict[str, Any]:
        return {"states": {"v": [0.0, 1.0, 0.0]}}
    empty = A.bifurcation_sweep(short, {"params": {}}, "g", 0.0, 1.0, 2)
    assert empty["attractor_kinds"] == ["insufficient_samples"] * 2
    assert empty["contract"]["domain"] == "empty"
    with pytest.raises(ValueError, match="not a state trace"):
        A.bifurcation_sweep(simulate, {"params": {}}, "g", 0.0, 1.0, 2, variable="missing")


def test_heatmap_indexes_rates_y_x_and_fails_closed() -> None:
    heat = A.heatmap_2d(rate_fn(lambda cfg: cfg["params"]["x"] + 10 * cfg["params"]["y"]),
                        {"params": {}}, "x", 0.0, 2.0, 3, "y", 0.0, 1.0, 2)
    assert heat["rates"] == [[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]]
    assert (heat["rate_min"], heat["rate_max"], heat["total_points"]) == (0.0, 12.0, 6)
    assert heat["contract"]["kind"] == "rate-map" and heat["failed_points"] == 0

    def partial(**cfg: Any) -> dict[str, Any]:
        if cfg["params"]["x"] > 1.0:
            raise RuntimeError("diverged")
        return {"stats": {"rate_hz": 1.0}}
    with pytest.raises(ValueError, match="failed for 2/6 points") as info:
        A.heatmap_2d(partial, {"params": {}}, "x", 0.0, 2.0, 3, "y", 0.0, 1.0, 2)
    detail = info.value.args[1]
    assert detail["failed_points"] == 2 and detail["failures"][0]["grid_index"] == [0, 2]
    assert detail["failures"][0]["error_type"] == "RuntimeError"


def test_sta_contract_and_reference_edge_cases() -> None:
    sta = A.spike_triggered_average([], [0.0] * 100, [10, 50, 98], 0.1, window_ms=2.0)
    assert sta["n_spikes"] == 2 and sta["contract"]["domain"] == "partial"
    assert sta["contract"]["domain_detail"] == {"spikes": 3, "windows_used": 2}
    one = A.spike_triggered_average([], [0.0] * 10, [1], 0.1)
    assert one["average"] == [] and one["n_spikes"] == 1
    assert one["contract"]["domain"] == "empty"
    assert one["contract"]["domain_detail"] == {"spikes": 1, "windows_used": 0}
    v = list(np.arange(10.0) ** 2)           # a window ending exactly at the trace end is used
    edge = A.spike_triggered_average([], v, [2, 8], 1.0, 4.0)
    assert edge["n_spikes"] == 2 and edge["average"] == [(a + b) / 2 for a, b in
                                                         zip(v[0:4], v[6:10])]


def reference_response(spikes: list[int], dt: float, n_steps: int, f: float
                       ) -> tuple[float, float, float]:
    """The reference formulas with complex exponentials: (modulation, lag_deg, strength)."""
    period = 1000.0 / f
    cycles = math.floor(n_steps * dt / period + 1e-9)
    window = cycles * period
    t = np.array([(k + 1) * dt for k in spikes])
    t = t[t <= window]
    z = complex(np.sum(np.exp(-2j * np.pi * f * t / 1000.0)))
    lag = (np.degrees(-np.angle(z) - np.pi / 2) + 180.0) % 360.0 - 180.0
    return 1000.0 * 2.0 * abs(z) / window, float(lag), abs(z) / t.size


def test_rate_modulation_equals_the_reference_complex_formula() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        n_steps, dt = int(rng.integers(200, 3000)), float(rng.choice([0.1, 0.25, 1.0]))
        f = float(rng.uniform(1.0, 80.0))
        spikes = sorted(rng.choice(n_steps, size=int(rng.integers(1, 30)), replace=False))
        got = A.rate_modulation([int(k) for k in spikes], dt, n_steps, f)
        if got["rate_hz"] is None or got["phase_lag_deg"] is None:
            continue
        mod, lag, strength = reference_response([int(k) for k in spikes], dt, n_steps, f)
        assert got["modulation_hz"] == pytest.approx(mod, rel=1e-9)
        assert got["vector_strength"] == pytest.approx(strength, rel=1e-9, abs=1e-12)
        gap = (got["phase_lag_deg"] - lag + 180.0) % 360.0 - 180.0
        assert abs(gap) < 1e-6 * max(1.0, 1.0 / max(strength, 1e-3))


def test_frequency_response_of_spikes_at_the_drive_peak() -> None:
    # 10 Hz, dt 1 ms: the drive sin(2 pi f t) peaks at t = 25 + 100 m ms; a spike at step
    # k is at (k + 1) ms, so steps 24, 124, ... lock to the peak.
    fake = spike_fn([24, 124, 224, 324], 400, 1.0)
    out = A.frequency_response(fake, {}, 10.0, 10.0, 1, bias=4.0)
    assert out["cycles"] == [4] and out["rates"] == [10.0]
    assert out["phase_lag_deg"][0] == pytest.approx(0.0, abs=1e-9)
    assert out["vector_strength"][0] == pytest.approx(1.0)
    assert out["modulation_hz"][0] == pytest.approx(20.0)       # 2 * rate when locked
    assert out["gain"][0] == pytest.approx(20.0 / (0.5 * 4.0)) and out["amplitude"] == 2.0
    trough = A.frequency_response(spike_fn([74, 174, 274], 300, 1.0), {}, 10.0, 10.0, 1)
    assert trough["phase_lag_deg"][0] == pytest.approx(-180.0)  # in [-180, 180)


def test_frequency_response_passes_the_sine_drive_and_reports_unmeasured_points() -> None:
    calls: list[dict[str, Any]] = []

    def fake(**cfg: Any) -> dict[str, Any]:
        calls.append(cfg)
        return {"spikes": [], "n_steps": 1000, "observation": {"dt": 1.0}}
    out = A.frequency_response(fake, {"dt": 1.0}, 0.5, 2.0, 2, bias=-8.0, depth=0.25)
    assert all(c["protocol"] == "sine" and c["bias"] == -8.0 and c["current"] == -2.0
               for c in calls)
    assert out["frequencies_hz"] == pytest.approx([0.5, 2.0])
    assert out["rates"] == [None, 0.0] and out["gain"] == [None, 0.0]
    assert out["phase_lag_deg"] == [None, None] and out["cycles"] == [0, 2]
    assert out["contract"]["domain"] == "partial" and out["amplitude"] == 2.0
    none = A.frequency_response(fake, {}, 0.2, 0.5, 2)
    assert none["contract"]["domain"] == "empty"
    json.dumps(out)                                # a plain, JSON-ready payload


def test_lif_frequency_response_is_measured_and_in_range() -> None:
    out = A.frequency_response(A.lif_neuron, {"duration": 1000.0}, 1.0, 100.0, 4)
    assert out["contract"]["domain"] == "complete"
    assert all(0.0 <= s <= 1.0 for s in out["vector_strength"])
    assert all(-180.0 <= p < 180.0 for p in out["phase_lag_deg"])
    assert all(g > 0.0 for g in out["gain"])


# --------------------------------------------------------------------------- validation

BAD: list[tuple[str, Callable[[], object], str]] = [
    ("fi i_steps 0", lambda: A.fi_curve_sweep(A.lif_neuron, 0, 1, 0), "i_steps"),
    ("fi i_max inf", lambda: A.fi_curve_sweep(A.lif_neuron, 0, math.inf, 3), "i_max"),
    ("fi not callable", lambda: A.fi_curve_sweep(3, 0, 1, 3), "simulate_fn"),  # type: ignore
    ("fi no stats", lambda: A.fi_curve_sweep(lambda **c: {}, 0, 1, 2), "simulate_fn"),
    ("fi negative rate", lambda: A.fi_curve_sweep(rate_fn(lambda c: -1.0), 0, 1, 2),
     "simulate_fn"),
    ("bif name", lambda: A.bifurcation_sweep(A.lif_neuron, {}, "", 0, 1), "param_name"),
    ("bif params", lambda: A.bifurcation_sweep(A.lif_neuron, {"params": 3}, "tau_ms", 1, 2),
     "base_config"),
    ("sens names", lambda: A.sensitivity_analysis(A.lif_neuron, {"params": {}}, ["x"]),
     "param_names"),
    ("sens one str", lambda: A.sensitivity_analysis(A.lif_neuron, {"params": {}}, "x"),
     "param_names"),
    ("sens perturbation", lambda: A.sensitivity_analysis(
        A.lif_neuron, {"params": {"tau_ms": 5.0}}, ["tau_ms"], 1.5), "perturbation"),
    ("sens NaN", lambda: A.sensitivity_analysis(
        A.lif_neuron, {"params": {"tau_ms": math.nan}}, ["tau_ms"]), "base_config"),
    ("heat same", lambda: A.heatmap_2d(A.lif_neuron, {}, "a", 0, 1, 2, "a", 0, 1, 2),
     "param_y"),
    ("heat too big", lambda: A.heatmap_2d(A.lif_neuron, {}, "a", 0, 1, 1001, "b", 0, 1, 1000),
     "y_steps"),
    ("sta dt", lambda: A.spike_triggered_average([], [0.0] * 5, [1, 2], 0.0), "dt"),
    ("sta time", lambda: A.spike_triggered_average([0.0] * 4, [0.0] * 5, [1, 2], 1.0),
     "time"),
    ("sta spikes", lambda: A.spike_triggered_average([], [0.0] * 5, [1, 5], 1.0), "spikes"),
    ("sta float spikes", lambda: A.spike_triggered_average([], [0.0] * 5, [1.0], 1.0),
     "spikes"),
    ("fr bias", lambda: A.frequency_response(A.lif_neuron, {}, bias=0.0), "bias"),
    ("fr depth 1", lambda: A.frequency_response(A.lif_neuron, {}, depth=1.0), "depth"),
    ("fr fmax", lambda: A.frequency_response(A.lif_neuron, {}, 10.0, 5.0), "freq_max"),
    ("fr no spikes key", lambda: A.frequency_response(lambda **c: {"n_steps": 1}, {},
                                                      n_freqs=1), "simulate_fn"),
    ("lif unknown param", lambda: A.lif_neuron(params={"gain": 1.0}), "params.gain"),
    ("lif dt", lambda: A.lif_neuron(dt=2.0, params={"tau_ms": 1.0}), "dt"),
    ("lif protocol", lambda: A.lif_neuron(protocol="chirp"), "protocol"),
    ("lif duration", lambda: A.lif_neuron(duration=1e9), "duration"),
    ("fhn tau", lambda: A.fitzhugh_nagumo(params={"tau": 0.0}), "params.tau"),
    ("half window", lambda: A.half_window(1.0, -1.0), "dt"),
]


@pytest.mark.parametrize("what, call, name", BAD, ids=[b[0] for b in BAD])
def test_invalid_input_raises_naming_the_argument(what: str, call: Callable[[], object],
                                                  name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=name.replace(".", r"\.")):
        call()


# --------------------------------------------------------------------------- the golden file

def test_golden_file_covers_every_op_with_valid_and_invalid_cases() -> None:
    golden = read_golden(golden_path("analysis"))
    ops: dict[str, set[bool]] = {}
    for case in golden.cases:
        ops.setdefault(str(case.inputs["op"].item()), set()).add(case.valid)
    every = set(MODEL_OPS) | set(DIRECT_OPS)
    assert set(ops) == every
    assert all(kinds == {True, False} for kinds in ops.values()), ops


def test_the_drive_margin_check_can_refuse_a_case() -> None:
    def knife_edge(**cfg: Any) -> dict[str, Any]:
        return {"spikes": [1] if cfg.get("current", 0.0) > 1.0 else []}
    with pytest.raises(RegenError, match="spike moves"):
        model_cases.check_drive_margin("edge", lambda sim: sim(current=1.0), knife_edge)
