"""Adapter of ``parity/golden/dna_mapper.txt``: one case through the Python surface.

See :mod:`parity.safety_cases.dna_mapper` for the ops and their inputs. A gate is one
string ``"TYPE in1,in2,... out"`` with an optional ``threshold=<float>`` token (single
spaces); the Rust test parses it the same way. A truth-table entry is one string
``"A=200,B=0;C=high,D=30"`` (inputs, then expected outputs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sc_neurocore.bridges import dna_mapper as dm
from sc_neurocore.bridges._dna import (
    coding,
    compilers,
    constants,
    degradation,
    design,
    folding,
    kinetics,
    lab,
    network,
    noise,
    optimization,
    precision,
    specs,
    structure_checks,
    thermodynamics,
)
from sc_neurocore.bridges._dna._checks import check_temperature
from sc_neurocore.bridges._dna.compilers import leak_rate, strongest_complementary_delta_g
from sc_neurocore.bridges._dna.network import adjacency_specs
from sc_neurocore.bridges._dna.sequences import longest_common_substring

from ._builder import arg, f64, i64, op_of, strs, u8, u64

__all__ = ["OPS", "run_case", "parse_gate", "spec_text"]


def parse_gate(k: int, text: str) -> dict[str, object]:
    """One gate string -> the spec dict ``compile_network`` takes (``ValueError`` naming
    ``gates`` if malformed)."""
    tokens = text.split(" ")
    if len(tokens) < 3 or any(not t for t in tokens):
        raise ValueError(f"gates[{k}] must read 'TYPE in1,in2 out [threshold=x]', got {text!r}")
    spec: dict[str, object] = {"type": tokens[0], "inputs": tokens[1].split(","),
                               "output": tokens[2]}
    for token in tokens[3:]:
        key, sep, value = token.partition("=")
        if not sep or key != "threshold" or key in spec:
            raise ValueError(f"gates[{k}] has a bad option {token!r}")
        spec["threshold"] = float(value)
    return spec


def spec_text(spec: Mapping[str, Any]) -> str:
    """A spec dict as ``"TYPE in1,in2 out"`` (thresholds travel separately)."""
    return f"{spec['type']} {','.join(spec['inputs'])} {spec['output']}"


def _strs(x: dict[str, np.ndarray], name: str) -> list[str]:
    value = arg(x, name)
    if not isinstance(value, np.ndarray) or value.ndim != 1:
        raise ValueError(f"{name} must be a 1-D str array")
    return [str(v) for v in value.tolist()]


def _f64s(x: dict[str, np.ndarray], name: str) -> list[float]:
    value = arg(x, name)
    if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype != np.float64:
        raise ValueError(f"{name} must be a 1-D f64 array")
    return [float(v) for v in value.tolist()]


def _i64s(x: dict[str, np.ndarray], name: str) -> list[int]:
    value = arg(x, name)
    if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype != np.int64:
        raise ValueError(f"{name} must be a 1-D i64 array")
    return [int(v) for v in value.tolist()]


def _gates(x: dict[str, np.ndarray]) -> list[dict[str, object]]:
    return [parse_gate(k, t) for k, t in enumerate(_strs(x, "gates"))]


def _mapping(x: dict[str, np.ndarray], names: str, values: str) -> dict[str, float]:
    keys, vals = _strs(x, names), _f64s(x, values)
    if len(keys) != len(vals):
        raise ValueError(f"{values} must hold one value per name in {names}")
    return dict(zip(keys, vals))


def _network(x: dict[str, np.ndarray]) -> tuple[dm.BitstreamToDNA, dm.DNACircuitDesign]:
    compiler = dm.BitstreamToDNA(arg(x, "method"), arg(x, "seed"), arg(x, "temperature_c"))
    design = compiler.compile_network(_gates(x), _strs(x, "input_names"),
                                      _strs(x, "output_names"))
    return compiler, design


def _strand_fields(strands: list[dm.DNAStrand]) -> dict[str, object]:
    return {"strand_names": strs([s.name for s in strands]),
            "strand_sequences": strs([s.sequence for s in strands]),
            "strand_roles": strs([s.role for s in strands]),
            "strand_concentrations_nM": f64([s.concentration_nM for s in strands])}


def _strand(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    s = dm.DNAStrand(arg(x, "name"), arg(x, "sequence"), arg(x, "role"),
                     arg(x, "concentration_nM"))
    return {"sequence": s.sequence, "length": s.length, "gc_content": s.gc_content,
            "complement": s.complement, "max_homopolymer_run": s.max_homopolymer_run}


def _thermo(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    s = dm.DNAStrand("s", arg(x, "sequence"))
    tm = s.melting_temperature(arg(x, "na_conc_M"), arg(x, "strand_conc_M"),
                               salt_correction=arg(x, "salt_correction"))
    return {"delta_h": s.delta_h, "delta_s": s.delta_s, "delta_g_37": s.delta_g_37(),
            "tm": tm}


def _generate(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    gc = arg(x, "gc_target")
    d = dm.SequenceDesigner(arg(x, "seed"), gc.tolist() if isinstance(gc, np.ndarray) else gc,
                            arg(x, "max_homopolymer"), max_similarity=arg(x, "max_similarity"),
                            max_tries=arg(x, "max_tries"))
    names, lengths = _strs(x, "names"), _i64s(x, "lengths")
    if len(names) != len(lengths):
        raise ValueError("lengths must hold one length per name")
    sequences = [d.generate(n, name) for name, n in zip(names, lengths)]
    return {"sequences": strs(sequences), "shortfalls": d.shortfalls,
            "rng_state": u64(d.rng_state)}


def _compile_gates(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    kind = arg(x, "compiler")
    designer = dm.SequenceDesigner(arg(x, "seed"))
    if kind == "displacement":
        comp: Any = dm.StrandDisplacementCompiler(designer, arg(x, "temperature_c"))
    elif kind == "enzymatic":
        comp = dm.EnzymaticGateCompiler(designer)
    else:
        raise ValueError(f"compiler must be displacement or enzymatic, got {kind!r}")
    gates = []
    for k, spec in enumerate(_gates(x)):
        kind_name = str(spec["type"]).lower()
        method = getattr(comp, f"compile_{kind_name}", None)
        if method is None:
            raise ValueError(f"gates[{k}]: the {arg(x, 'compiler')} compiler has no "
                             f"{spec['type']} gate")
        ins = list(spec["inputs"])  # type: ignore[call-overload]
        extra = {"threshold": spec["threshold"]} if "threshold" in spec else {}
        gates.append(method(*ins, spec["output"], **extra))
    strands = [s for g in gates for s in g.strands]
    out = _strand_fields(strands)
    out.update({"strand_gate": i64([k for k, g in enumerate(gates) for _ in g.strands]),
                "gate_ids": i64([g.gate_id for g in gates]),
                "leak_rates": f64([g.leak_rate for g in gates]),
                "rng_state": u64(designer.rng_state)})
    return out


def _compile_network(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    compiler, design = _network(x)
    out = _strand_fields(design.all_strands)
    out.update({"gate_types": strs([g.gate_type.name for g in design.gates]),
                "leak_rates": f64([g.leak_rate for g in design.gates]),
                "warnings": strs(design.validate()),
                "rng_state": u64(compiler.designer.rng_state)})
    return out


def _validate(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    names, seqs = _strs(x, "strand_names"), _strs(x, "strand_sequences")
    if len(names) != len(seqs):
        raise ValueError("strand_sequences must hold one sequence per name")
    design = dm.DNACircuitDesign(input_strands=[dm.DNAStrand(n, q) for n, q in zip(names, seqs)])
    return {"warnings": strs(design.validate())}


def _simulator(x: dict[str, np.ndarray]) -> dm.KineticSimulator:
    return dm.KineticSimulator(arg(x, "rate_hybridization"), arg(x, "rate_displacement"),
                               arg(x, "temperature_c"), arg(x, "integrator"))


def _rates(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    sim = _simulator(x)
    rates = []
    for c in _f64s(x, "gate_concentrations_nM"):
        strand = dm.DNAStrand("t", "ACGT", "translator", c)
        rates.append(sim.gate_rate(dm.DNAGate(0, "BUFFER", ["x"], "y", [strand])))
    return {"temperature_factor": sim.temperature_factor, "rates": f64(rates)}


def _simulate(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    sim = _simulator(x)
    design = dm.BitstreamToDNA("hybrid", 42).compile_network(
        _gates(x), _strs(x, "input_names"), _strs(x, "output_names"))
    result = sim.simulate(design, _mapping(x, "concentration_names", "input_concentrations_nM"),
                          arg(x, "duration_s"), arg(x, "dt"))
    names = [g.output_name for g in design.gates]
    return {"time": result["time"],
            "traces": np.stack([result[n] for n in names], axis=1),
            "rates": f64([sim.gate_rate(g) for g in design.gates])}


def _gf4(x: dict[str, np.ndarray]) -> dm.GF4ErrorCorrection:
    return dm.GF4ErrorCorrection(arg(x, "n_parity"), arg(x, "block_size"))


def _encode(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    code = _gf4(x)
    return {"encoded": code.encode(arg(x, "sequence")),
            "parity_check_matrix": u8(code.parity_check_matrix)}


def _decode(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    data, corrections = _gf4(x).decode(arg(x, "encoded_sequence"))
    return {"data": data, "corrections": corrections}


def _mfe(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    seq = dm.DNAStrand("s", arg(x, "sequence")).sequence
    folding.check_fold_length(seq)
    energy, structure, _ = folding.mfe(seq)
    return {"energy": energy, "structure": structure}


def _pairs(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    seq = dm.DNAStrand("s", arg(x, "sequence")).sequence
    folding.check_fold_length(seq)
    temperature = check_temperature(arg(x, "temperature_c"))
    return {"probabilities": folding.pair_probabilities(seq, temperature)}


def _cross(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    _, design = _network(x)
    flags = dm.CrossHybridizationChecker(arg(x, "max_complementary_run")).check(design)
    return {"strand_a": strs([f["strand_a"] for f in flags]),
            "strand_b": strs([f["strand_b"] for f in flags]),
            "runs": i64([f["complementary_run"] for f in flags]),
            "severity": strs([f["severity"] for f in flags]),
            "same_gate": u8([f["same_gate"] for f in flags])}


def _lcs(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    a, b = dm.DNAStrand("a", arg(x, "a")).sequence, dm.DNAStrand("b", arg(x, "b")).sequence
    return {"run": longest_common_substring(a, dm.reverse_complement(b))}


def _hairpins(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    checker = dm.HairpinChecker(arg(x, "min_stem_length"), arg(x, "min_loop_length"),
                                max_loop_length=arg(x, "max_loop_length"))
    found = checker.check_strand(arg(x, "sequence"))
    keys = ("stem_start", "stem_end", "loop_start", "loop_end", "stem_length", "loop_length")
    out: dict[str, object] = {f"{k}s": i64([h[k] for h in found]) for k in keys}
    out["delta_g"] = f64([h["delta_g_estimate"] for h in found])
    return out


def _topology(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    gates = []
    for k, spec in enumerate(_gates(x)):
        gates.append(dm.DNAGate(k, spec["type"], spec["inputs"], spec["output"]))
    info = dm.TopologicalAnalyzer().analyze(dm.DNACircuitDesign(gates=gates))
    cycles = info["cycles"]
    return {"depth": info["depth"], "fan_out_names": strs(list(info["fan_out"])),
            "fan_out_counts": i64(list(info["fan_out"].values())),
            "has_feedback": u8(int(info["has_feedback"])),
            "cycle_nodes": strs([n for c in cycles for n in c]),
            "cycle_lengths": i64([len(c) for c in cycles]),
            "topological_order": strs(info["topological_order"]),
            "critical_path": strs(info["critical_path"]), "n_nodes": info["n_nodes"]}


def _optimize(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    result = dm.GateOptimizer().optimize(_gates(x), _strs(x, "output_names"))
    kept = result["optimized_gates"]
    return {"optimized": strs([spec_text(s) for s in kept]),
            "thresholds": f64([float(s.get("threshold", 0.0)) for s in kept]),
            "removed_indices": i64([r["index"] for r in result["removals"]]),
            "removal_reasons": strs([r["reason"] for r in result["removals"]])}


def _degradation(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    model = dm.DegradationModel(arg(x, "half_life_hr"), arg(x, "temperature_c"))
    lengths, initial = _i64s(x, "strand_lengths"), _f64s(x, "initial_nM")
    if len(lengths) != len(initial):
        raise ValueError("initial_nM must hold one value per strand length")
    t = arg(x, "time_hr")
    return {"remaining_nM": f64([model.predict_concentration(c, n, t)
                                 for c, n in zip(initial, lengths)])}


def _summary(outputs: Mapping[str, Mapping[str, Any]], keys: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = {"outputs": strs(list(outputs))}
    for key in keys:
        values = [v[key] for v in outputs.values()]
        out[key] = u8([int(b) for b in values]) if key == "robust" else f64(values)
    return out


def _noise(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    _, design = _network(x)
    model = dm.NoiseModel(arg(x, "concentration_cv"), arg(x, "temperature_std_c"),
                          arg(x, "n_trials"), arg(x, "noise_seed"))
    report = model.sensitivity_analysis(
        design, _mapping(x, "concentration_names", "input_concentrations_nM"),
        arg(x, "duration_s"))
    return _summary(report["outputs"], ("mean", "std", "cv", "min", "max", "robust"))


def _truth_table(x: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    table = []
    for k, text in enumerate(_strs(x, "truth_table")):
        left, sep, right = text.partition(";")
        if not sep:
            raise ValueError(f"truth_table[{k}] must read 'in=v,...;out=level,...'")
        inputs = {a: float(b) for a, _, b in (p.partition("=") for p in left.split(",") if p)}
        expected: dict[str, Any] = {}
        for part in right.split(","):
            name, _, level = part.partition("=")
            expected[name] = level if level in ("high", "low") else float(level)
        table.append({"inputs": inputs, "expected": expected})
    return table


def _optimizer(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    _, design = _network(x)
    result = dm.ConcentrationOptimizer(arg(x, "n_evaluations"), arg(x, "optimizer_seed")) \
        .optimize(design, _truth_table(x), arg(x, "duration_s"))
    return {key: result[key] for key in ("best_score", "initial_score", "improvement_pct",
                                         "n_evaluations", "best_scale")}


def _precision(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    _, design = _network(x)
    report = dm.SCPrecisionAnalyzer().analyze(
        design, _mapping(x, "concentration_names", "input_concentrations_nM"),
        arg(x, "max_conc_nM"), arg(x, "duration_s"))
    out = _summary(report["outputs"], ("final_nM", "noise_std_nM", "snr_linear", "snr_db",
                                       "effective_bits", "dynamic_range_db", "resolution_nM"))
    out["total_effective_bits"] = report["total_effective_bits"]
    return out


def _cost(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    _, design = _network(x)
    report = dm.estimate_cost(design, arg(x, "price_per_base_usd"),
                              arg(x, "fixed_per_oligo_usd"), arg(x, "purification"))
    strands = lab.unique_by_sequence(design)
    costs = lab.oligo_costs(strands, arg(x, "price_per_base_usd"), arg(x, "fixed_per_oligo_usd"),
                            lab.PURIFICATION_FACTORS[report["purification"]])
    total = 0.0
    for c in costs:
        total += c
    return {"names": strs([s.name for s in strands]), "costs_usd": f64(costs),
            "total_usd": total, "total_nucleotides": report["total_nucleotides"]}


def _plate(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    _, design = _network(x)
    report = dm.PlateLayout(arg(x, "n_wells")).layout(design)
    entries = [e for plate in report["plates"] for e in plate]
    return {"wells": strs([e["well"] for e in entries]),
            "plates": i64([e["plate"] for e in entries]),
            "names": strs([e["name"] for e in entries]),
            "utilization_pct": report["utilization_pct"]}


def _dual_rail(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    compiler, design = _network(x)
    dual = dm.DualRailEncoder().encode(design, compiler)
    return {"gates_out": strs([f"{g.gate_type.name} {','.join(g.input_names)} {g.output_name}"
                               for g in dual.gates]),
            "input_names_out": strs(dual.input_names),
            "output_names_out": strs(dual.output_names),
            "strand_sequences": strs([s.sequence for s in dual.all_strands])}


def _faults(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    result = {k: np.array([v]) for k, v in
              _mapping(x, "signal_names", "final_nM").items()}
    faults = dm.DualRailEncoder().check_faults(result, arg(x, "threshold_nM"))
    return {"signals": strs([f["signal"] for f in faults]),
            "fault_types": strs([f["fault_type"] for f in faults])}


def _adjacency(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    adjacency = arg(x, "adjacency")
    bridge = dm.SCNetworkBridge(arg(x, "method"), arg(x, "seed"))
    design = bridge.from_adjacency(adjacency, _i64s(x, "input_indices"),
                                   _i64s(x, "output_indices"))
    specs = adjacency_specs(np.asarray(adjacency, dtype=np.float64),
                            _i64s(x, "input_indices"))
    return {"gates_out": strs([spec_text(s) for s in specs]),
            "strand_sequences": strs([s.sequence for s in design.all_strands])}


def _leak(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    strand = dm.DNAStrand("s", arg(x, "sequence"))
    blocker = dm.DNAStrand("b", arg(x, "blocker"))
    t = check_temperature(arg(x, "temperature_c"))
    return {"delta_g": strongest_complementary_delta_g(strand.sequence, blocker.complement),
            "leak_rate": leak_rate(strand, blocker, t)}


def _constants(_: dict[str, np.ndarray]) -> Mapping[str, object]:
    """Every model constant, so that a changed one (on either side) fails the file."""
    c = constants
    stacks = list(c.NN_STACKS.items())
    return {
        "lengths": i64([c.TOEHOLD_LENGTH, c.RECOGNITION_LENGTH, c.MAX_HOMOPOLYMER,
                        c.MAX_SEQUENCE_LENGTH, c.MAX_FOLD_LENGTH, design.MAX_DESIGN_LENGTH,
                        design.MAX_TRIES_LIMIT, design.DEFAULT_MAX_TRIES, folding.MIN_LOOP,
                        structure_checks.HIGH_SEVERITY_RUN, degradation.LENGTH_FREE_NT,
                        noise.MAX_TRIALS, network.MAX_NODES, coding.MAX_PARITY,
                        kinetics.MAX_STEPS, kinetics.MAX_SUBSTEPS]),
        "ranges": f64([*c.GC_TARGET, *c.TEMPERATURE_RANGE_C, *c.NA_RANGE_M,
                       *optimization.SCALE_RANGE]),
        "physics": f64([c.GAS_CONSTANT, c.T37_K, *c.NN_INITIATION, *c.NN_TERMINAL_AT,
                        c.SANTALUCIA_SALT_SLOPE, c.SCHILDKRAUT_SALT_SLOPE,
                        kinetics.ACTIVATION_ENERGY, degradation.LENGTH_SLOPE,
                        degradation.TEMPERATURE_SLOPE]),
        "nn_stack_names": strs([k for k, _ in stacks]),
        "nn_stacks": f64([list(v) for _, v in stacks]),
        "hairpin_loop_dg": f64(list(thermodynamics.HAIRPIN_LOOP_DG.values())),
        "folding_dg": f64([folding.PAIR_DG["AT"], folding.PAIR_DG["GC"], folding.LOOP_INIT_DG,
                           folding.LOOP_SLOPE_DG, folding.STACK_BONUS_DG]),
        "model": f64([c.MAX_CONCENTRATION_NM, design.DEFAULT_MAX_SIMILARITY,
                      compilers.LEAK_CEILING, kinetics.AMPLIFIER_GAIN, kinetics.MAX_RATE,
                      kinetics.DEFAULT_GATE_NM, specs.DEFAULT_THRESHOLD, noise.ROBUST_CV,
                      precision.NOISE_FLOOR_NM, optimization.LEVELS_NM["high"],
                      optimization.LEVELS_NM["low"], degradation.CRITICAL_PCT,
                      optimization.VERTEX_TOLERANCE, precision.SNR_FLOOR]),
        "roles": strs(list(c.STRAND_ROLES)), "salt_corrections": strs(list(c.SALT_CORRECTIONS)),
        "gf4_mul": u8([list(row) for row in coding.GF4_MUL]),
        "gf4_inv": u8(list(coding.GF4_INV)),
    }


def _concentration(x: dict[str, np.ndarray]) -> Mapping[str, object]:
    return {"concentration_nM": dm.BitstreamToDNA.concentration_of(arg(x, "bits"))}


RUNNERS: dict[str, Callable[[dict[str, np.ndarray]], Mapping[str, object]]] = {
    "DNAStrand": _strand, "DNAStrand.thermodynamics": _thermo,
    "SequenceDesigner.generate": _generate, "compile_gates": _compile_gates,
    "BitstreamToDNA.compile_network": _compile_network, "DNACircuitDesign.validate": _validate,
    "KineticSimulator.gate_rate": _rates, "KineticSimulator.simulate": _simulate,
    "GF4ErrorCorrection.encode": _encode, "GF4ErrorCorrection.decode": _decode,
    "NUPACKInterface.compute_mfe": _mfe, "NUPACKInterface.compute_pair_probabilities": _pairs,
    "CrossHybridizationChecker.check": _cross, "complementary_run": _lcs,
    "HairpinChecker.check_strand": _hairpins, "TopologicalAnalyzer.analyze": _topology,
    "GateOptimizer.optimize": _optimize, "DegradationModel.predict_concentration": _degradation,
    "NoiseModel.sensitivity_analysis": _noise, "ConcentrationOptimizer.optimize": _optimizer,
    "SCPrecisionAnalyzer.analyze": _precision, "estimate_cost": _cost,
    "PlateLayout.layout": _plate, "DualRailEncoder.encode": _dual_rail,
    "DualRailEncoder.check_faults": _faults, "SCNetworkBridge.from_adjacency": _adjacency,
    "leak_rate": _leak, "BitstreamToDNA.concentration_of": _concentration,
    "constants": _constants,
}
OPS = tuple(RUNNERS)


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.bridges.dna_mapper`."""
    op = op_of(inputs)
    if op not in RUNNERS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")
    return RUNNERS[op](inputs)
