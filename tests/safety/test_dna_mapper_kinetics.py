"""dna_mapper kinetics and the analyses built on it, against independent solutions.

* The stability guard: the issue's case (k_hyb 1e12, dt 1, AND(100 nM, 100 nM)) gives
  the SC value 50 nM with both integrators (the old simulator returned 200 / 0 nM); stiff
  circuits agree with ``scipy.integrate.solve_ivp`` (Radau) within 1e-6 relative; a run
  the guard cannot fit is a ValueError naming ``dt`` and the bound.
* Each gate settles to the SC function of its inputs, computed here from the formulas.
* A single gate's trace equals the closed-form relaxation.
* Noise, concentration optimisation, precision, degradation and dual rail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sc_neurocore.bridges.dna_mapper import (
    BitstreamToDNA,
    ConcentrationOptimizer,
    DegradationModel,
    DNACircuitDesign,
    DNAGate,
    DualRailEncoder,
    GateType,
    KineticSimulator,
    NoiseModel,
    SCPrecisionAnalyzer,
)
from scipy.integrate import solve_ivp

SC = {  # the SC function of each gate type, written from its definition
    "AND": lambda p: p[0] * p[1], "OR": lambda p: p[0] + p[1] - p[0] * p[1],
    "NAND": lambda p: 1 - p[0] * p[1], "XOR": lambda p: p[0] + p[1] - 2 * p[0] * p[1],
    "NOT": lambda p: 1 - p[0], "MUX": lambda p: p[0] * p[1] + (1 - p[0]) * p[2],
    "THRESHOLD": lambda p: max(p[0] - 0.3, 0.0), "AMPLIFIER": lambda p: min(1.0, 5 * p[0]),
    "BUFFER": lambda p: p[0]}
ARITY = {"AND": 2, "OR": 2, "NAND": 2, "XOR": 2, "NOT": 1, "MUX": 3, "THRESHOLD": 1,
         "AMPLIFIER": 1, "BUFFER": 1}


def network(gates: list[dict[str, object]], ins: list[str], outs: list[str]) -> DNACircuitDesign:
    return BitstreamToDNA("hybrid", seed=42).compile_network(gates, ins, outs)


def and_gate() -> DNACircuitDesign:
    return network([{"type": "AND", "inputs": ["A", "B"], "output": "C"}], ["A", "B"], ["C"])


def cascade() -> DNACircuitDesign:
    return network([{"type": "AND", "inputs": ["A", "B"], "output": "C"},
                    {"type": "NOT", "inputs": ["C"], "output": "D"},
                    {"type": "MUX", "inputs": ["A", "C", "D"], "output": "E"},
                    {"type": "XOR", "inputs": ["E", "B"], "output": "F"}], ["A", "B"], ["F"])


def reference_solution(sim: KineticSimulator, design: DNACircuitDesign, inputs: dict[str, float],
                       times: np.ndarray) -> dict[str, np.ndarray]:
    """solve_ivp on the model written out here (rates from the public gate_rate)."""
    gates = design.gates
    names = [g.output_name for g in gates]
    rates = [sim.gate_rate(g) for g in gates]

    def prob(x: float) -> float:
        return min(max(x, 0.0), 200.0) / 200.0

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        state = dict(inputs) | dict(zip(names, y))
        out = []
        for g, k, yj in zip(gates, rates, y):
            p = [prob(state[x]) for x in g.input_names]
            fn = SC[g.gate_type.name] if g.gate_type is not GateType.THRESHOLD else (
                lambda q, t=g.threshold: max(q[0] - t, 0.0))
            out.append(k * (200.0 * fn(p) - yj) + g.leak_rate * (200.0 - yj))
        return out

    sol = solve_ivp(rhs, (0.0, float(times[-1])), np.zeros(len(gates)), method="Radau",
                    t_eval=times, rtol=1e-12, atol=1e-12)
    return dict(zip(names, sol.y))


# ------------------------------------------------------------------ the reference's API


def test_simulator_takes_the_reference_arguments_and_returns_its_dict() -> None:
    sim = KineticSimulator(rate_hybridization=3e5, rate_displacement=1.0, temperature_c=37.0,
                           integrator="rk4")
    result = sim.simulate(and_gate(), {"A": 200.0, "B": 200.0}, duration_s=100.0, dt=1.0)
    assert set(result) == {"time", "C"}
    assert result["time"].shape == result["C"].shape == (101,)
    assert result["time"][-1] == 100.0 and result["C"][0] == 0.0


# ------------------------------------------------------------------ the scientific defect


@pytest.mark.parametrize("integrator", ["euler", "rk4"])
def test_the_issue_case_settles_to_the_sc_value(integrator: str) -> None:
    sim = KineticSimulator(rate_hybridization=1e12, integrator=integrator)
    c = sim.simulate(and_gate(), {"A": 100.0, "B": 100.0}, duration_s=60.0, dt=1.0)["C"]
    assert c[-1] == pytest.approx(50.0, rel=1e-6)
    assert np.all((c >= 0.0) & (c <= 200.0))


@pytest.mark.parametrize("integrator", ["euler", "rk4"])
@pytest.mark.parametrize("rates", [(1e9, 1e4), (1e11, 3e3), (1e9, 1e3)])
def test_stiff_circuits_match_solve_ivp(integrator: str, rates: tuple[float, float]) -> None:
    sim = KineticSimulator(*rates, integrator=integrator)
    design = cascade()
    inputs = {"A": 120.0, "B": 70.0}
    result = sim.simulate(design, inputs, duration_s=4.0, dt=1.0)
    assert 1.0 / sim.stability_bound(design) > 100.0  # k_max dt >> 1: stiff
    exact = reference_solution(sim, design, inputs, result["time"])
    for name, trace in exact.items():
        np.testing.assert_allclose(result[name][1:], trace[1:], rtol=1e-6)


def test_a_run_the_guard_cannot_fit_names_dt_and_the_bound() -> None:
    sim = KineticSimulator(rate_hybridization=1e15, rate_displacement=1e15)
    with pytest.raises(ValueError, match=r"dt = 1.0 s exceeds the stability bound 1/k_max"):
        sim.simulate(and_gate(), {"A": 1.0, "B": 1.0}, duration_s=3600.0, dt=1.0)


def test_sub_steps_make_a_coarse_dt_agree_with_a_fine_one() -> None:
    sim = KineticSimulator(rate_hybridization=1e8, rate_displacement=50.0)
    coarse = sim.simulate(cascade(), {"A": 200.0, "B": 100.0}, duration_s=10.0, dt=2.0)
    fine = sim.simulate(cascade(), {"A": 200.0, "B": 100.0}, duration_s=10.0, dt=0.001)
    for key in ("C", "D", "E", "F"):
        assert coarse[key][-1] == pytest.approx(fine[key][-1], rel=1e-6)


# ------------------------------------------------------------------ the model


@pytest.mark.parametrize("gate_type", sorted(ARITY))
def test_each_gate_settles_to_its_sc_function(gate_type: str) -> None:
    ins = ["x", "y", "z"][:ARITY[gate_type]]
    spec: dict[str, object] = {"type": gate_type, "inputs": ins, "output": "out"}
    if gate_type == "THRESHOLD":
        spec["threshold"] = 0.3
    design = network([spec], ins, ["out"])
    rng = np.random.default_rng(len(gate_type))
    sim = KineticSimulator(rate_hybridization=3e8, rate_displacement=100.0)
    for _ in range(4):
        conc = rng.uniform(0.0, 200.0, len(ins))
        out = sim.simulate(design, dict(zip(ins, conc)), duration_s=30.0, dt=1.0)["out"][-1]
        leak = design.gates[0].leak_rate / sim.gate_rate(design.gates[0])
        want = 200.0 * SC[gate_type](list(conc / 200.0))
        assert out == pytest.approx((want + leak * 200.0) / (1.0 + leak), rel=1e-9, abs=1e-9)


def test_a_single_gate_follows_the_closed_form_relaxation() -> None:
    design = network([{"type": "NOT", "inputs": ["a"], "output": "b"}], ["a"], ["b"])
    sim = KineticSimulator(integrator="rk4")
    result = sim.simulate(design, {"a": 60.0}, duration_s=120.0, dt=0.05)
    k = sim.gate_rate(design.gates[0]) + design.gates[0].leak_rate
    target = (sim.gate_rate(design.gates[0]) * 140.0 + design.gates[0].leak_rate * 200.0) / k
    exact = target * (1.0 - np.exp(-k * result["time"]))
    np.testing.assert_allclose(result["b"], exact, rtol=1e-9, atol=1e-9)


def test_gate_rate_is_binding_then_migration_in_series() -> None:
    gate = and_gate().gates[0]
    sim = KineticSimulator(rate_hybridization=3e5, rate_displacement=1.0)
    k_on, k_bm = 3e5 * 200e-9, 1.0
    assert sim.gate_rate(gate) == pytest.approx(1.0 / (1.0 / k_on + 1.0 / k_bm), rel=1e-14)
    warm = KineticSimulator(temperature_c=47.0)
    f = math.exp(-(15000.0 / 1.987) * (1 / 320.15 - 1 / 310.15))
    assert warm.temperature_factor == pytest.approx(f, rel=1e-14)
    assert KineticSimulator().temperature_factor == 1.0


def test_inputs_are_checked() -> None:
    sim = KineticSimulator()
    with pytest.raises(ValueError, match="lacks the inputs"):
        sim.simulate(and_gate(), {"A": 1.0})
    with pytest.raises(ValueError, match="not a primary input"):
        sim.simulate(and_gate(), {"A": 1.0, "B": 1.0, "Q": 1.0})
    with pytest.raises(ValueError, match="must be >= 0"):
        sim.simulate(and_gate(), {"A": -1.0, "B": 1.0})
    with pytest.raises(ValueError, match="no gates"):
        sim.simulate(DNACircuitDesign(), {})
    loop = DNACircuitDesign(gates=[DNAGate(0, "NOT", ["a"], "b"), DNAGate(1, "NOT", ["b"], "a")])
    with pytest.raises(ValueError, match="feedback loop"):
        sim.simulate(loop, {})
    with pytest.raises(ValueError, match="integrator"):
        KineticSimulator(integrator="midpoint")
    with pytest.raises(ValueError, match="rate_hybridization"):
        KineticSimulator(rate_hybridization=0.0)


# ------------------------------------------------------------------ analyses


def test_noise_model_is_reproducible_and_zero_noise_is_exact() -> None:
    design = and_gate()
    quiet = NoiseModel(concentration_cv=0.0, temperature_std_c=0.0, n_trials=3)
    report = quiet.sensitivity_analysis(design, {"A": 200.0, "B": 100.0}, duration_s=300.0)
    out = report["outputs"]["C"]
    assert report["n_trials"] == 3 and out["min"] == out["max"] and out["robust"]
    assert out["std"] <= 1e-12 * out["mean"]  # the mean of equal values rounds once
    one = NoiseModel(n_trials=5, seed=9).sensitivity_analysis(design, {"A": 150.0, "B": 150.0},
                                                              duration_s=200.0)
    two = NoiseModel(n_trials=5, seed=9).sensitivity_analysis(design, {"A": 150.0, "B": 150.0},
                                                              duration_s=200.0)
    assert one == two and one["outputs"]["C"]["std"] > 0.0
    assert one["outputs"]["C"]["min"] <= one["outputs"]["C"]["mean"] <= one["outputs"]["C"]["max"]


def test_concentration_optimizer_never_worsens_the_score() -> None:
    table = [{"inputs": {"A": 200.0, "B": 200.0}, "expected": {"C": "high"}},
             {"inputs": {"A": 200.0, "B": 0.0}, "expected": {"C": "low"}}]
    result = ConcentrationOptimizer(n_evaluations=10).optimize(and_gate(), table, duration_s=300.0)
    assert set(result) == {"best_score", "initial_score", "improvement_pct", "n_evaluations",
                           "best_scale", "best_concentrations"}
    assert result["best_score"] <= result["initial_score"]
    assert result["improvement_pct"] > 0.0 and result["n_evaluations"] <= 10
    assert 0.5 <= result["best_scale"] <= 2.0
    # The high target (150 nM) is met by AND(s*200, s*200) = 200 s^2, s = sqrt(0.75).
    assert result["best_concentrations"][0]["A"] == pytest.approx(200.0 * result["best_scale"])
    with pytest.raises(ValueError, match="no gate drives"):
        ConcentrationOptimizer().optimize(and_gate(), [{"inputs": {"A": 1.0, "B": 1.0},
                                                        "expected": {"Z": "low"}}])


def test_precision_figures_follow_their_definitions() -> None:
    report = SCPrecisionAnalyzer().analyze(and_gate(), {"A": 200.0, "B": 100.0},
                                           duration_s=200.0)
    out = report["outputs"]["C"]
    assert out["resolution_nM"] == 2 * out["noise_std_nM"]
    assert out["effective_bits"] == pytest.approx(math.log2(200.0 / out["noise_std_nM"]))
    assert report["total_effective_bits"] == out["effective_bits"]
    trace = KineticSimulator().simulate(and_gate(), {"A": 200.0, "B": 100.0}, 200.0)["C"]
    assert out["noise_std_nM"] == pytest.approx(max(np.std(trace[(9 * trace.size) // 10:]), 1e-6))


def test_degradation_half_life_and_reference_usage() -> None:
    model = DegradationModel(half_life_hr=2.0)
    assert model.predict_concentration(100.0, strand_length=20, time_hr=2.0) == pytest.approx(50.0)
    assert model.predict_concentration(100.0, strand_length=20, time_hr=0.0) == 100.0
    longer = model.predict_concentration(100.0, strand_length=70, time_hr=2.0)
    assert longer == pytest.approx(100.0 * 0.5 ** 2.0)  # 1 + 0.02 * 50 = twice the rate
    report = DegradationModel().analyze_design(and_gate(), time_hr=4.0)
    assert report["min_remaining_pct"] < 100.0 and report["n_critical_strands"] == 0
    with pytest.raises(ValueError, match="half_life_hr"):
        DegradationModel(half_life_hr=0.0)


@pytest.mark.parametrize("gates", [
    [{"type": "AND", "inputs": ["a", "b"], "output": "y"}],
    [{"type": "OR", "inputs": ["a", "b"], "output": "y"}],
    [{"type": "NAND", "inputs": ["a", "b"], "output": "y"}],
    [{"type": "XOR", "inputs": ["a", "b"], "output": "y"}],
    [{"type": "MUX", "inputs": ["a", "b", "c"], "output": "y"}],
    [{"type": "AND", "inputs": ["a", "b"], "output": "m"},
     {"type": "NOT", "inputs": ["m"], "output": "n"},
     {"type": "BUFFER", "inputs": ["n"], "output": "y"}],
])
def test_complement_rails_carry_one_minus_the_true_rail(gates: list[dict[str, object]]) -> None:
    ins = sorted({x for g in gates for x in g["inputs"]} - {g["output"] for g in gates})  # type: ignore[arg-type]
    compiler = BitstreamToDNA("hybrid", seed=2)
    dual = DualRailEncoder().encode(compiler.compile_network(gates, ins, ["y"]), compiler)
    assert dual.total_gates == 2 * len(gates) and dual.output_names == ["y_T", "y_C"]
    sim = KineticSimulator(rate_hybridization=3e8, rate_displacement=100.0)
    rng = np.random.default_rng(len(gates))
    for _ in range(3):
        conc = rng.uniform(0.0, 200.0, len(ins))
        given = {f"{x}_T": c for x, c in zip(ins, conc)} | {f"{x}_C": 200.0 - c
                                                               for x, c in zip(ins, conc)}
        result = sim.simulate(dual, given, duration_s=60.0, dt=1.0)
        assert result["y_T"][-1] + result["y_C"][-1] == pytest.approx(200.0, abs=1e-4)
        assert DualRailEncoder().check_faults(result, threshold_nM=100.0) == [] or (
            abs(result["y_T"][-1] - 100.0) < 1e-3)


def test_dual_rail_refuses_gates_without_a_complement_and_reports_faults() -> None:
    compiler = BitstreamToDNA(seed=2)
    design = compiler.compile_network([{"type": "THRESHOLD", "inputs": ["a"], "output": "y"}],
                                      ["a"], ["y"])
    with pytest.raises(ValueError, match="no complement-rail gate"):
        DualRailEncoder().encode(design, compiler)
    faults = DualRailEncoder().check_faults({"time": np.zeros(1), "x_T": np.array([180.0]),
                                             "x_C": np.array([190.0]), "z_T": np.array([1.0]),
                                             "z_C": np.array([2.0]), "w_T": np.array([150.0]),
                                             "w_C": np.array([3.0])})
    assert [(f["signal"], f["fault_type"]) for f in faults] == [("x", "stuck_high"),
                                                                 ("z", "stuck_low")]
