"""sc_neurocore.bridges.dna_mapper: the reference's API, strands, thermodynamics, design,
compilers and networks, each checked against an independent source.

* API: the 31 public names of the reference module (anulum/sc-neurocore,
  src/sc_neurocore/bridges/dna_mapper.py), their fields and defaults.
* Thermodynamics: the nearest-neighbour sums in exact rational arithmetic from the table
  typed again per dinucleotide; the melting temperature against Biopython's ``Tm_NN``
  with the same table, both salt corrections.
* Design: the GC and homopolymer rules on random designers (hypothesis); the draw order
  replayed from the raw SplitMix64 stream.
* Compilers and networks: the reference's layouts (names, roles, concentrations, domain
  relations); refused calls draw nothing.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from Bio.SeqUtils import MeltingTemp
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_neurocore.bridges import dna_mapper as dm
from sc_neurocore.bridges.dna_mapper import (
    BitstreamToDNA,
    CompilationMethod,
    DNACircuitDesign,
    DNAGate,
    DNAStrand,
    EnzymaticGateCompiler,
    GateType,
    SCNetworkBridge,
    SequenceDesigner,
    StrandDisplacementCompiler,
)
from sc_neurocore.splitmix import SplitMix64

REFERENCE_NAMES = [
    "BitstreamToDNA", "CompilationMethod", "ConcentrationOptimizer",
    "CrossHybridizationChecker", "DNACircuitDesign", "DNAGate", "DNAStrand", "DegradationModel",
    "DualRailEncoder", "EnzymaticGateCompiler", "GF4ErrorCorrection", "GateOptimizer",
    "GateType", "HairpinChecker", "KineticSimulator", "NUPACKInterface", "NoiseModel",
    "PlateLayout", "SCNetworkBridge", "SCPrecisionAnalyzer", "SequenceDesigner",
    "StrandDisplacementCompiler", "TopologicalAnalyzer", "estimate_cost", "export_fasta",
    "export_genbank", "export_json", "export_nupack_input", "generate_protocol",
    "visualize_circuit", "visualize_kinetics",
]

DNA = st.text(alphabet="ACGT", min_size=2, max_size=60)

# The unified nearest-neighbour parameters typed again per 5'->3' dinucleotide (each stack
# under both of its names), as decimal strings for exact arithmetic.
NN = {"AA": ("-7.9", "-22.2"), "TT": ("-7.9", "-22.2"), "AT": ("-7.2", "-20.4"),
      "TA": ("-7.2", "-21.3"), "CA": ("-8.5", "-22.7"), "TG": ("-8.5", "-22.7"),
      "GT": ("-8.4", "-22.4"), "AC": ("-8.4", "-22.4"), "CT": ("-7.8", "-21.0"),
      "AG": ("-7.8", "-21.0"), "GA": ("-8.2", "-22.2"), "TC": ("-8.2", "-22.2"),
      "CG": ("-10.6", "-27.2"), "GC": ("-9.8", "-24.4"), "GG": ("-8.0", "-19.9"),
      "CC": ("-8.0", "-19.9")}

# The same table in Biopython's format (SantaLucia & Hicks 2004 terms, the 1998 stacks).
BIOPYTHON_TABLE = {
    "init": (0.2, -5.7), "init_A/T": (2.2, 6.9), "init_G/C": (0, 0), "init_oneG/C": (0, 0),
    "init_allA/T": (0, 0), "init_5T/A": (0, 0), "sym": (0, 0),
    "AA/TT": (-7.9, -22.2), "AT/TA": (-7.2, -20.4), "TA/AT": (-7.2, -21.3),
    "CA/GT": (-8.5, -22.7), "GT/CA": (-8.4, -22.4), "CT/GA": (-7.8, -21.0),
    "GA/CT": (-8.2, -22.2), "CG/GC": (-10.6, -27.2), "GC/CG": (-9.8, -24.4),
    "GG/CC": (-8.0, -19.9)}


def exact_nn(seq: str) -> tuple[Fraction, Fraction]:
    dh, ds = Fraction("0.2"), Fraction("-5.7")
    for k in range(len(seq) - 1):
        h, s = NN[seq[k:k + 2]]
        dh, ds = dh + Fraction(h), ds + Fraction(s)
    for end in (seq[0], seq[-1]):
        if end in "AT":
            dh, ds = dh + Fraction("2.2"), ds + Fraction("6.9")
    return dh, ds


def revcomp(seq: str) -> str:
    return seq[::-1].translate(str.maketrans("ACGT", "TGCA"))


# ------------------------------------------------------------------ the reference's API


def test_every_reference_name_is_public() -> None:
    assert list(dm.REFERENCE_NAMES) == REFERENCE_NAMES
    for name in REFERENCE_NAMES:
        obj = getattr(dm, name)
        assert name in dm.__all__
        assert obj.__module__ == "sc_neurocore.bridges.dna_mapper", name


def test_enums_have_the_reference_values() -> None:
    assert [t.value for t in GateType] == ["and", "or", "not", "nand", "xor", "mux",
                                           "threshold", "catalytic", "amplifier", "buffer"]
    assert [m.value for m in CompilationMethod] == ["displacement", "enzymatic", "hybrid"]


def test_dataclasses_have_the_reference_fields_and_defaults() -> None:
    fields = {f.name: f.default for f in dataclasses.fields(DNAStrand)}
    assert fields == {"name": dataclasses.MISSING, "sequence": dataclasses.MISSING,
                      "role": "signal", "concentration_nM": 100.0}
    gate = [f.name for f in dataclasses.fields(DNAGate)]
    assert gate == ["gate_id", "gate_type", "input_names", "output_name", "strands",
                    "threshold", "leak_rate"]
    g = DNAGate(0, GateType.NOT, ["a"], "b")
    assert (g.strands, g.threshold, g.leak_rate, g.strand_count) == ([], 0.0, 1e-9, 0)
    design = [f.name for f in dataclasses.fields(DNACircuitDesign)]
    assert design[:8] == ["name", "gates", "input_strands", "output_strands", "fuel_strands",
                          "method", "temperature_c", "na_concentration_M"]
    d = DNACircuitDesign()
    assert (d.name, d.method, d.temperature_c, d.na_concentration_M) == (
        "sc_dna_circuit", CompilationMethod.DISPLACEMENT, 37.0, 1.0)
    assert (d.total_strands, d.total_gates, d.total_nucleotides, d.validate()) == (0, 0, 0, [])


# ------------------------------------------------------------------ strands


def test_strand_properties_as_the_reference_documents() -> None:
    s = DNAStrand(name="s4", sequence="ATCG")
    assert (s.length, s.gc_content, s.complement) == (4, 0.5, "CGAT")  # reverse complement
    assert DNAStrand("s5", "AAAAATCG").max_homopolymer_run == 5
    assert DNAStrand("x", "acgt").sequence == "ACGT"
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]
    assert DNAStrand("o", "ACGT", "output", 0.0).concentration_nM == 0.0


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"sequence": "ACXT"}, ValueError, "'X' at position 2"),
    ({"sequence": ""}, ValueError, "non-empty"),
    ({"sequence": 5}, TypeError, "sequence must be a str"),
    ({"name": "a b"}, ValueError, "without whitespace"),
    ({"role": "catalyst"}, ValueError, "role must be one of"),
    ({"concentration_nM": -1.0}, ValueError, "concentration_nM must be >= 0"),
    ({"concentration_nM": "1"}, TypeError, "concentration_nM"),
])
def test_strand_refuses_bad_fields(kwargs: dict[str, object], exc: type, match: str) -> None:
    args: dict[str, object] = {"name": "s", "sequence": "ACGT"} | kwargs
    with pytest.raises(exc, match=match):
        DNAStrand(**args)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(DNA)
def test_nearest_neighbour_sums_are_the_exact_table_sums(seq: str) -> None:
    s = DNAStrand("s", seq)
    dh, ds = exact_nn(seq)
    assert s.delta_h == pytest.approx(float(dh), abs=1e-12)
    assert s.delta_s == pytest.approx(float(ds), abs=1e-12)
    assert s.delta_g_37() == pytest.approx(float(dh - Fraction("310.15") * ds / 1000), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(DNA, st.sampled_from([0.05, 0.1, 0.15, 0.5, 1.0]), st.sampled_from([1e-9, 2.5e-7, 1e-6]))
def test_melting_temperature_equals_biopython(seq: str, na: float, ct: float) -> None:
    s = DNAStrand("s", seq)
    for salt, code in (("santalucia", 5), ("schildkraut", 1)):
        theirs = MeltingTemp.Tm_NN(seq, nn_table=BIOPYTHON_TABLE, dnac1=ct / 2 * 1e9,
                                   dnac2=ct / 2 * 1e9, Na=na * 1000, saltcorr=code)
        assert s.melting_temperature(na, ct, salt_correction=salt) == pytest.approx(
            theirs, abs=1e-9)


def test_santalucia_is_the_default_and_differs_from_the_log10_rule_below_1_m() -> None:
    s = DNAStrand("s", "GCTAGCATGACCGTA")
    assert s.melting_temperature() == s.melting_temperature(salt_correction="schildkraut")
    for na in (0.05, 0.1, 0.15):
        entropy = s.melting_temperature(na)
        log_rule = s.melting_temperature(na, salt_correction="schildkraut")
        assert entropy == s.melting_temperature(na, salt_correction="santalucia")
        assert entropy - log_rule > 1.0  # the 16.6 log10 rule runs low for a 15-mer


@pytest.mark.parametrize("na", [1e-300, 0.0, 0.049, 1.01, 2.0, float("nan")])
def test_sodium_outside_the_fitted_range_is_refused(na: float) -> None:
    with pytest.raises(ValueError, match="na_conc_M"):
        DNAStrand("s", "ACGTACGT").melting_temperature(na)


def test_melting_temperature_refuses_bad_arguments() -> None:
    s = DNAStrand("s", "ACGTACGT")
    with pytest.raises(ValueError, match="salt_correction"):
        s.melting_temperature(salt_correction="owczarzy")
    with pytest.raises(ValueError, match="strand_conc_M"):
        s.melting_temperature(1.0, 2.0)
    with pytest.raises(ValueError, match="at least 2 nucleotides"):
        DNAStrand("one", "A").melting_temperature()


# ------------------------------------------------------------------ sequence design


def test_designer_reference_usage() -> None:
    designer = SequenceDesigner(seed=42)
    seq = designer.generate(length=20)
    assert len(seq) == 20 and set(seq) <= set("ACGT")
    assert len(designer.generate_complement(designer.generate(length=15))) == 15
    assert len(designer.generate_toehold()) == 6 and len(designer.generate_recognition()) == 15
    assert SequenceDesigner(seed=123).generate(length=30) == SequenceDesigner(seed=123).generate(
        length=30)
    assert designer.generate_complement("AACG") == "CGTT"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(1, 60), st.integers(1, 4),
       st.sampled_from([(0.4, 0.6), (0.0, 1.0), (0.5, 0.5), (0.2, 0.3), (0.9, 1.0)]))
def test_every_design_meets_the_gc_and_run_rules(seed: int, length: int, run: int,
                                                 gc: tuple[float, float]) -> None:
    designer = SequenceDesigner(seed, gc, run, max_tries=3)
    feasible = [k for k in range(length + 1) if gc[0] <= k / length <= gc[1]]
    if not feasible:
        with pytest.raises(ValueError, match="admits no GC count"):
            designer.generate(length)
        return
    for _ in range(3):
        seq = designer.generate(length)
        assert gc[0] <= (seq.count("G") + seq.count("C")) / length <= gc[1]
        assert max(len(r) for r in "".join(c if c == p else " " + c for p, c in
                                           zip(" " + seq, seq)).split()) <= run


def test_orthogonality_holds_unless_counted_as_a_shortfall() -> None:
    designer = SequenceDesigner(seed=5, max_similarity=0.7)
    seqs = [designer.generate(12) for _ in range(10)]
    assert designer.shortfalls == 0
    for k, a in enumerate(seqs):
        assert sum(x == y for x, y in zip(a, revcomp(a))) / 12 <= 0.7
        for b in seqs[:k]:
            for other in (b, revcomp(b)):
                assert sum(x == y for x, y in zip(a, other)) / 12 <= 0.7
    tight = SequenceDesigner(seed=5, max_similarity=0.2, max_tries=5)
    tight.generate(6), tight.generate(6)
    assert tight.shortfalls >= 1


def test_draw_order_replayed_from_the_raw_generator() -> None:
    # max_similarity 1 accepts the first candidate: each nucleotide is one below(m) over
    # the bases the GC and run rules allow, in ACGT order.
    designer = SequenceDesigner(seed=99, max_similarity=1.0)
    got = [designer.generate(n) for n in (6, 15, 9)]
    rng = SplitMix64(99)
    want = []
    for n in (6, 15, 9):
        fits = [k for k in range(n + 1) if 0.4 <= k / n <= 0.6]
        seq = ""
        for i in range(n):
            gc = sum(c in "GC" for c in seq)
            rest = n - i - 1
            allowed = [b for b in "ACGT"
                       if not (len(seq) >= 3 and seq[-3:] == b * 3)
                       and not (b in "GC" and gc + 1 > fits[-1])
                       and not (b in "AT" and gc + rest < fits[0])]
            seq += allowed[rng.below(len(allowed))]
        want.append(seq)
    assert got == want
    assert designer.rng_state == rng.state


def test_refused_arguments_draw_nothing() -> None:
    designer = SequenceDesigner(seed=1)
    state = designer.rng_state
    for bad in (0, 1001, 1, -3):
        with pytest.raises(ValueError):
            designer.generate(bad)
    with pytest.raises(TypeError):
        designer.generate(6.0)  # type: ignore[arg-type]
    assert designer.rng_state == state
    with pytest.raises(ValueError, match="gc_target"):
        SequenceDesigner(gc_target=(0.7, 0.2))


# ------------------------------------------------------------------ compilers


def test_displacement_compiler_reference_usage() -> None:
    compiler = StrandDisplacementCompiler()
    checks = [(compiler.compile_and("input_a", "input_b", "output"), GateType.AND, 5),
              (compiler.compile_or("a", "b", "out"), GateType.OR, 4),
              (compiler.compile_not("in", "out"), GateType.NOT, 3),
              (compiler.compile_threshold("in", "out", threshold=2.0), GateType.THRESHOLD, 3),
              (compiler.compile_mux("sel", "a", "b", "out"), GateType.MUX, 5),
              (compiler.compile_amplifier("in", "out"), GateType.AMPLIFIER, 4),
              (compiler.compile_buffer("in", "out"), GateType.BUFFER, 3)]
    for k, (gate, gate_type, n) in enumerate(checks):
        assert (gate.gate_id, gate.gate_type, gate.strand_count) == (k, gate_type, n)
        assert all(s.name.startswith(f"g{k}_") for s in gate.strands)


def test_and_layout_is_self_consistent() -> None:
    gate = StrandDisplacementCompiler(SequenceDesigner(seed=4)).compile_and("a", "b", "c")
    top, bottom, output, fuel, threshold = gate.strands
    assert [s.role for s in gate.strands] == ["translator", "translator", "output", "fuel",
                                              "threshold"]
    assert [s.concentration_nM for s in gate.strands] == [200.0, 200.0, 0.0, 500.0, 50.0]
    ta, ra, rb, tb = (top.sequence[:6], top.sequence[6:21], top.sequence[21:36],
                      top.sequence[36:])
    assert bottom.sequence == revcomp(ra + rb)  # binds the translator's middle
    assert fuel.sequence == revcomp(ra) + ta
    assert threshold.sequence == revcomp(ta + ra[:8])  # sequesters the input toehold
    assert len(output.sequence) == 21 and len(tb) == 6
    rt = 1.987e-3 * 310.15
    run = ta + ra[:8]  # the threshold's partner sits in the translator: a 14-nt run
    assert gate.leak_rate == pytest.approx(1e-6 * math.exp(DNAStrand("r", run).delta_g_37()
                                                           / rt), rel=1e-12)


def test_enzymatic_layouts_hold_their_sites() -> None:
    compiler = EnzymaticGateCompiler()
    nand = compiler.compile_nand("a", "b", "y")
    substrate, output = nand.strands
    assert "GAATTC" in substrate.sequence and "GGATCC" in substrate.sequence
    assert output.sequence in substrate.sequence
    xor = compiler.compile_xor("a", "b", "z")
    nick_a, nick_b, template, out = xor.strands
    assert revcomp(template.sequence) == nick_a.sequence + nick_b.sequence
    assert nick_a.sequence[-7:] + nick_b.sequence[:8] == out.sequence
    assert (nand.gate_id, xor.gate_id) == (0, 1)
    assert compiler.ENZYMES["EcoRI"] == "GAATTC"


def test_compilers_refuse_bad_signals() -> None:
    compiler = StrandDisplacementCompiler()
    with pytest.raises(ValueError, match="distinct"):
        compiler.compile_and("a", "a", "b")
    with pytest.raises(ValueError, match="identifier"):
        compiler.compile_not("1x", "y")
    with pytest.raises(ValueError, match="threshold"):
        compiler.compile_threshold("a", "b", -0.5)
    with pytest.raises(TypeError, match="designer"):
        StrandDisplacementCompiler(designer="seed")  # type: ignore[arg-type]


# ------------------------------------------------------------------ networks


def test_bitstream_to_dna_reference_usage() -> None:
    bridge = BitstreamToDNA(seed=42)
    design = bridge.compile_network([{"type": "AND", "inputs": ["a", "b"], "output": "c"},
                                     {"type": "OR", "inputs": ["c", "d"], "output": "e"}],
                                    input_names=["a", "b", "d"], output_names=["e"])
    assert isinstance(design, DNACircuitDesign)
    assert [s.name for s in design.input_strands] == ["signal_a", "signal_b", "signal_d"]
    assert [s.name for s in design.output_strands] == ["output_e"]
    assert design.total_gates == 2 and design.input_names == ["a", "b", "d"]
    assert design.total_strands == 3 + 1 + 5 + 4
    report = bridge.validate(design)
    assert set(report) >= {"valid", "strand_results", "cross_hybridization", "warnings"}
    trace = bridge.simulate(design, {"a": 200.0, "b": 200.0, "d": 0.0}, duration_s=600.0)
    assert set(trace) == {"time", "c", "e"}


def test_methods_route_gates_to_their_compilers() -> None:
    spec = [{"type": "AND", "inputs": ["a", "b"], "output": "c"},
            {"type": "nand", "inputs": ["c", "a"], "output": "d"}]
    hybrid = BitstreamToDNA(method="hybrid").compile_network(spec, ["a", "b"], ["d"], name="h")
    assert [g.gate_type for g in hybrid.gates] == [GateType.AND, GateType.NAND]
    assert hybrid.method is CompilationMethod.HYBRID and hybrid.name == "h"
    with pytest.raises(ValueError, match="displacement method cannot compile"):
        BitstreamToDNA().compile_network(spec, ["a", "b"], ["d"])
    with pytest.raises(ValueError, match="enzymatic method cannot compile"):
        BitstreamToDNA(method="enzymatic").compile_network(spec, ["a", "b"], ["d"])
    with pytest.raises(ValueError, match="method must be one of"):
        BitstreamToDNA(method="optical")


@pytest.mark.parametrize("gates, ins, outs, match", [
    ([{"type": "AND", "inputs": ["a", "q"], "output": "c"}], ["a"], ["c"], "neither"),
    ([{"type": "NOT", "inputs": ["a"], "output": "c"}] * 2, ["a"], ["c"], "already driven"),
    ([{"type": "NOT", "inputs": ["a"], "output": "b"}], ["a", "b"], ["b"], "primary input"),
    ([{"type": "AND", "inputs": ["a"], "output": "c"}], ["a"], ["c"], "takes 2 input"),
    ([{"type": "AND", "inputs": ["a", "b"], "output": "c", "colour": 1}], ["a", "b"], ["c"],
     "unknown keys"),
    ([{"type": "CATALYTIC", "inputs": ["a"], "output": "c"}], ["a"], ["c"], "cannot compile"),
    ([], ["a"], ["z"], "neither"),
])
def test_compile_network_refuses_miswired_networks_without_drawing(gates: list[dict[str, object]],
                                                                   ins: list[str], outs: list[str],
                                                                   match: str) -> None:
    bridge = BitstreamToDNA(seed=3)
    state = bridge.designer.rng_state
    with pytest.raises(ValueError, match=match):
        bridge.compile_network(gates, ins, outs)
    assert bridge.designer.rng_state == state


def test_successive_compilations_continue_the_draws() -> None:
    bridge = BitstreamToDNA(seed=11)
    spec = [{"type": "NOT", "inputs": ["a"], "output": "b"}]
    first = bridge.compile_network(spec, ["a"], ["b"])
    second = bridge.compile_network(spec, ["a"], ["b"])
    assert first.input_strands[0].sequence != second.input_strands[0].sequence


def test_sc_network_bridge_follows_the_sign_rule() -> None:
    adj = np.array([[0, 1, 0.5], [0, 0, 1], [0, 0, 0]], dtype=float)
    design = SCNetworkBridge(seed=42).from_adjacency(adj, input_indices=[0], output_indices=[2])
    assert [(g.gate_type, g.input_names, g.output_name) for g in design.gates] == [
        (GateType.BUFFER, ["n0"], "n1"), (GateType.AND, ["n0", "n1"], "n2")]
    mixed = np.zeros((3, 3))
    mixed[0, 2], mixed[1, 2] = 1.0, -1.0
    design = SCNetworkBridge().from_adjacency(mixed, [0, 1], [2])
    assert [(g.gate_type, g.input_names, g.output_name) for g in design.gates] == [
        (GateType.NOT, ["n1"], "n2_not1"), (GateType.AND, ["n0", "n2_not1"], "n2")]
    with pytest.raises(ValueError, match="square"):
        SCNetworkBridge().from_adjacency(np.zeros((2, 3)), [0], [1])
    with pytest.raises(ValueError, match="neither"):
        SCNetworkBridge().from_adjacency(np.zeros((2, 2)), [0], [1])


def test_concentration_of_a_bitstream() -> None:
    assert BitstreamToDNA.concentration_of([1, 0, 1, 1]) == 150.0
    with pytest.raises(ValueError):
        BitstreamToDNA.concentration_of([0, 2])


# ------------------------------------------------------------------ the golden file can fail


def test_a_changed_constant_fails_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """One nearest-neighbour stack nudged: every thermodynamics case that uses it fails."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from sc_neurocore.bridges._dna import thermodynamics

    from parity import safety_cases
    from parity.compare import compare_kernel
    from parity.golden_format import read_golden
    from parity.regen import golden_path
    from parity.safety_cases._builder import run_safety_case

    golden = read_golden(golden_path("dna_mapper"))
    cases = [c for c in golden.cases if str(c.inputs["op"]) == "DNAStrand.thermodynamics"]
    run_case = safety_cases.load("dna_mapper").run_case
    h, s = thermodynamics.STACK_OF["GC"]
    monkeypatch.setitem(thermodynamics.STACK_OF, "GC", (h + 1e-9, s))
    golden.cases = cases
    result = compare_kernel(golden, {c.id: run_safety_case(run_case, c.inputs) for c in cases})
    assert result.status == "fail"
    assert result.failures == sum(c.valid and "GC" in str(c.inputs["sequence"]).upper()
                                  for c in cases)


def test_signature_defaults_are_the_model_constants() -> None:
    """Public signatures spell their defaults out; they must stay the named constants."""
    import inspect

    from sc_neurocore.bridges._dna import constants, design

    def defaults(obj: object) -> dict[str, object]:
        return {k: p.default for k, p in inspect.signature(obj).parameters.items()}  # type: ignore[arg-type]

    d = defaults(SequenceDesigner)
    assert (d["gc_target"], d["max_homopolymer"], d["max_similarity"], d["max_tries"]) == (
        constants.GC_TARGET, constants.MAX_HOMOPOLYMER, design.DEFAULT_MAX_SIMILARITY,
        design.DEFAULT_MAX_TRIES)
    for cls in (StrandDisplacementCompiler, BitstreamToDNA, dm.KineticSimulator,
                dm.NUPACKInterface, DNACircuitDesign):
        assert defaults(cls)["temperature_c"] == constants.DEFAULT_TEMPERATURE_C, cls


# ------------------------------------------------ the reference's own behaviour at the edges

def test_a_simulator_that_omits_an_output_is_a_runtime_error(monkeypatch) -> None:
    """Noise analysis and the concentration optimizer fail closed as the reference does."""
    from sc_neurocore.bridges import dna_mapper as D

    design = D.BitstreamToDNA("hybrid", seed=42).compile_network(
        [{"type": "AND", "inputs": ["A", "B"], "output": "C"}], ["A", "B"], ["C"], name="and")
    real = D.KineticSimulator.simulate

    def without_outputs(self, design, inputs, duration_s=3600.0, dt=1.0):
        traces = real(self, design, inputs, duration_s=duration_s, dt=dt)
        return {"time": traces["time"]}

    monkeypatch.setattr(D.KineticSimulator, "simulate", without_outputs)
    inputs = {"A": 100.0, "B": 100.0}
    out = "C"
    with pytest.raises(RuntimeError, match=f"omitted output trace: {out}"):
        D.NoiseModel(n_trials=1).sensitivity_analysis(design, inputs, duration_s=10.0)
    table = [{"inputs": {"A": 200.0, "B": 200.0}, "expected": {"C": "high"}}]
    with pytest.raises(RuntimeError, match=f"omitted expected output: {out}"):
        D.ConcentrationOptimizer(n_evaluations=1).optimize(design, table, duration_s=10.0)


def test_precision_of_a_design_without_gates_is_an_empty_report() -> None:
    from sc_neurocore.bridges import dna_mapper as D

    report = D.SCPrecisionAnalyzer().analyze(D.DNACircuitDesign(name="empty"), {})
    assert report == {"outputs": {}, "max_conc_nM": 200.0, "total_effective_bits": 0.0}
    with pytest.raises(ValueError, match="duration_s"):
        D.SCPrecisionAnalyzer().analyze(D.DNACircuitDesign(name="empty"), {}, duration_s=-1.0)


def test_the_package_re_exports_the_reference_names_lazily() -> None:
    import subprocess

    code = ("import sys, sc_neurocore.bridges as b, sc_neurocore.scpn.layers as layers\n"
            "assert 'sc_neurocore.bridges.dna_mapper' not in sys.modules\n"
            "from sc_neurocore.bridges import BitstreamToDNA, export_fasta\n"
            "from sc_neurocore.bridges.dna_mapper import REFERENCE_NAMES\n"
            "assert set(REFERENCE_NAMES) <= set(b.__all__) and set(REFERENCE_NAMES) <= set(dir(b))\n"
            "assert all(getattr(b, n) is getattr(b.dna_mapper, n) for n in REFERENCE_NAMES)\n"
            "from sc_neurocore.scpn.layers import L7_SymbolicLayer, L7_StochasticParameters\n"
            "from sc_neurocore.scpn.layers.l7_symbolic import L7_SymbolicLayer as L\n"
            "assert L7_SymbolicLayer is L\n")
    subprocess.run([sys.executable, "-c", code], check=True)
