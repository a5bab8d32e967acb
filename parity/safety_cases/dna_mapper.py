"""Golden cases of :mod:`sc_neurocore.bridges.dna_mapper` (``parity/golden/dna_mapper.txt``).

The Rust mirror ``rust/mirror/src/safety/dna_mapper.rs`` answers the same
cases. Ops (the first input of every case) and their other inputs:

* ``DNAStrand``: ``name``, ``sequence``, ``role``, ``concentration_nM`` ->
  the normalised sequence and its properties;
* ``DNAStrand.thermodynamics``: ``sequence``, ``na_conc_M``, ``strand_conc_M``
  -> ``delta_h``, ``delta_s``, ``delta_g_37``, ``tm`` (``tm`` within ``rtol``);
* ``sequence_similarity``: ``a``, ``b``;
* ``SequenceDesigner.design_domain``: the designer's ``seed``, ``gc_target``
  (2 values), ``max_homopolymer``, ``max_similarity``, ``max_tries``, then one
  ``design_domain(names[k], lengths[k])`` per entry -> ``sequences`` and the
  generator's ``rng_state`` afterwards (how many words were drawn);
* ``DNAGate.activation``: ``gate_type``, ``probabilities`` (and ``threshold``);
* ``BitstreamToDNA.compile_network``: ``seed``, ``temperature_c``, ``gates``,
  ``input_names``, ``output_names`` -> domains, strands, gates and
  ``validate()``'s warnings;
* ``DNACircuitDesign.validate``: a bare design (``domain_names`` /
  ``domain_sequences``, ``strand_names`` / ``strand_sequences``, ``gc_target``,
  ``max_homopolymer``, ``temperature_c``) -> ``warnings``;
* ``KineticSimulator.rates``: the simulator's constants and
  ``gate_concentrations_nM`` -> ``temperature_factor`` and ``rates`` (within
  ``rtol``: ``exp``);
* ``KineticSimulator.simulate``: a compiled network (seed 42), the
  simulator's constants at 37 °C (Arrhenius factor exactly 1, so every value
  is exact arithmetic and compared bit for bit), ``concentration_names`` /
  ``input_concentrations_nM`` (zipped into the mapping), ``t_end``, ``dt``;
* ``BitstreamToDNA.concentration_of``: ``bits``.

A gate is written as one string, ``"TYPE in1,in2,... out"`` followed by
optional ``threshold=<float>`` and ``name=<identifier>`` tokens (single
spaces); the Rust test parses it the same way.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from sc_neurocore.bridges.dna_mapper import (BitstreamToDNA, DNACircuitDesign, DNAGate, DNAStrand,
                                             KineticSimulator, SequenceDesigner,
                                             sequence_similarity)

from ._builder import SafetyBuilder, arg, f64, i64, op_of, strs, u8, u64
from ..golden_format import GoldenFile

__all__ = ["OPS", "parse_gate", "run_case", "build"]

OPS = ("DNAStrand", "DNAStrand.thermodynamics", "sequence_similarity",
       "SequenceDesigner.design_domain", "DNAGate.activation",
       "BitstreamToDNA.compile_network", "DNACircuitDesign.validate",
       "KineticSimulator.rates", "KineticSimulator.simulate",
       "BitstreamToDNA.concentration_of")
RTOL = 1e-12


def parse_gate(k: int, text: str) -> dict[str, object]:
    """One gate spec string -> the mapping ``compile_network`` takes.

    Raises
    ------
    ValueError
        If the string is malformed (naming ``gates``).
    """
    tokens = text.split(" ")
    if len(tokens) < 3 or any(not t for t in tokens):
        raise ValueError(f"gates[{k}] must read 'TYPE in1,in2 out [threshold=x] [name=n]', "
                         f"got {text!r}")
    spec: dict[str, object] = {"type": tokens[0], "inputs": tokens[1].split(","),
                               "output": tokens[2]}
    for token in tokens[3:]:
        key, sep, value = token.partition("=")
        if not sep or key not in ("threshold", "name") or key in spec:
            raise ValueError(f"gates[{k}] has a bad option {token!r}")
        spec[key] = float(value) if key == "threshold" else value
    return spec


def _in(inputs: dict[str, np.ndarray], name: str) -> Any:
    """Input ``name`` as the surface should see it (see :func:`arg`), typed for any argument."""
    return arg(inputs, name)


def _str_list(inputs: dict[str, np.ndarray], name: str) -> list[str]:
    value = _in(inputs, name)
    if not isinstance(value, np.ndarray) or value.ndim != 1:
        raise ValueError(f"{name} must be a 1-D str array")
    return [str(v) for v in value.tolist()]


def _f64_list(inputs: dict[str, np.ndarray], name: str) -> list[float]:
    value = _in(inputs, name)
    if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype != np.float64:
        raise ValueError(f"{name} must be a 1-D f64 array")
    return [float(v) for v in value.tolist()]


def _gates(inputs: dict[str, np.ndarray]) -> list[dict[str, object]]:
    return [parse_gate(k, text) for k, text in enumerate(_str_list(inputs, "gates"))]


def _pair(inputs: dict[str, np.ndarray], name: str) -> Any:
    value = _in(inputs, name)
    return value.tolist() if isinstance(value, np.ndarray) else value


def _compiled(inputs: dict[str, np.ndarray]) -> DNACircuitDesign:
    compiler = BitstreamToDNA(_in(inputs, "seed"), _in(inputs, "temperature_c"))
    return compiler.compile_network(_gates(inputs), _str_list(inputs, "input_names"),
                                    _str_list(inputs, "output_names"))


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.bridges.dna_mapper`."""
    op = op_of(inputs)
    if op == "DNAStrand":
        s = DNAStrand(_in(inputs, "name"), _in(inputs, "sequence"), _in(inputs, "role"),
                      _in(inputs, "concentration_nM"))
        return {"sequence": s.sequence, "length": len(s), "gc_content": s.gc_content,
                "complement": s.complement, "reverse_complement": s.reverse_complement,
                "max_homopolymer": s.max_homopolymer}
    if op == "DNAStrand.thermodynamics":
        s = DNAStrand("s", _in(inputs, "sequence"))
        tm = s.melting_temperature(_in(inputs, "na_conc_M"), _in(inputs, "strand_conc_M"))
        return {"delta_h": s.delta_h, "delta_s": s.delta_s, "delta_g_37": s.delta_g_37(),
                "tm": tm}
    if op == "sequence_similarity":
        return {"similarity": sequence_similarity(_in(inputs, "a"), _in(inputs, "b"))}
    if op == "SequenceDesigner.design_domain":
        designer = SequenceDesigner(_in(inputs, "seed"), _pair(inputs, "gc_target"),
                                    _in(inputs, "max_homopolymer"),
                                    max_similarity=_in(inputs, "max_similarity"),
                                    max_tries=_in(inputs, "max_tries"))
        names = _str_list(inputs, "names")
        lengths = _in(inputs, "lengths")
        if not isinstance(lengths, np.ndarray) or lengths.shape != (len(names),):
            raise ValueError("lengths must be a 1-D array with one length per name")
        sequences = [designer.design_domain(n, v) for n, v in zip(names, lengths.tolist())]
        return {"sequences": strs(sequences), "rng_state": u64(designer.rng_state)}
    if op == "DNAGate.activation":
        probabilities = _f64_list(inputs, "probabilities")
        threshold = _in(inputs, "threshold") if "threshold" in inputs else None
        gate = DNAGate("g", _in(inputs, "gate_type"),
                       tuple(f"x{k}" for k in range(len(probabilities))), "y",
                       threshold=threshold)
        return {"activation": gate.activation(probabilities)}
    if op == "BitstreamToDNA.compile_network":
        design = _compiled(inputs)
        return {"domain_names": strs(list(design.domains)),
                "domain_sequences": strs(list(design.domains.values())),
                "strand_names": strs([s.name for s in design.strands]),
                "strand_sequences": strs([s.sequence for s in design.strands]),
                "strand_roles": strs([s.role for s in design.strands]),
                "strand_concentrations_nM": f64([s.concentration_nM for s in design.strands]),
                "gate_names": strs([g.name for g in design.gates]),
                "gate_types": strs([g.gate_type for g in design.gates]),
                "warnings": strs(design.validate())}
    if op == "DNACircuitDesign.validate":
        domain_names = _str_list(inputs, "domain_names")
        domain_sequences = _str_list(inputs, "domain_sequences")
        strand_names = _str_list(inputs, "strand_names")
        strand_sequences = _str_list(inputs, "strand_sequences")
        if len(domain_names) != len(domain_sequences):
            raise ValueError("domain_sequences must hold one sequence per domain name")
        if len(strand_names) != len(strand_sequences):
            raise ValueError("strand_sequences must hold one sequence per strand name")
        if len(set(domain_names)) != len(domain_names):
            raise ValueError("domain_names must be distinct")
        strands = tuple(DNAStrand(n, q) for n, q in zip(strand_names, strand_sequences))
        design = DNACircuitDesign(strands, dict(zip(domain_names, domain_sequences)),
                                  gc_target=_pair(inputs, "gc_target"),
                                  max_homopolymer=_in(inputs, "max_homopolymer"),
                                  temperature_c=_in(inputs, "temperature_c"))
        return {"warnings": strs(design.validate())}
    if op in ("KineticSimulator.rates", "KineticSimulator.simulate"):
        sim = KineticSimulator(_in(inputs, "k_hybridisation"), _in(inputs, "k_dissociation"),
                               _in(inputs, "temperature_c"), _in(inputs, "method"),
                               k_branch_migration=_in(inputs, "k_branch_migration"))
        if op == "KineticSimulator.rates":
            rates = [sim.gate_rate(DNAGate("g", "NOT", ("x",), "y", concentration_nM=c))
                     for c in _f64_list(inputs, "gate_concentrations_nM")]
            return {"temperature_factor": sim.temperature_factor, "rates": f64(rates)}
        design = BitstreamToDNA(42).compile_network(
            _gates(inputs), _str_list(inputs, "input_names"), _str_list(inputs, "output_names"))
        names = _str_list(inputs, "concentration_names")
        values = _f64_list(inputs, "input_concentrations_nM")
        if len(names) != len(values):
            raise ValueError("input_concentrations_nM must hold one value per concentration name")
        trace = sim.simulate(design, dict(zip(names, values)), _in(inputs, "t_end"),
                             _in(inputs, "dt"))
        return {"signals": strs(list(trace.signals)), "gate_rates": trace.rates,
                "time_s": trace.time_s, "concentrations_nM": trace.concentrations_nM}
    if op == "BitstreamToDNA.concentration_of":
        return {"concentration_nM": BitstreamToDNA.concentration_of(_in(inputs, "bits"))}
    raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")


# --------------------------------------------------------------------------- cases

DINUCLEOTIDES = [x + y for x in "ACGT" for y in "ACGT"]
LONG_SEQUENCES = ("ACGTTGCAAGGCTTAC", "CGTTGA", "GGGGCCCCGGGGCCCC", "ATATATATATATATAT",
                  "TTTTTTTTTTTTTTTTTTTT", "AGCTAGCTAGCTAGCTAGCTAGCTAGCTAGCTAG",
                  "TACGCTCCGGACTTT", "acgtacgtacgt")


def _strand_cases(b: SafetyBuilder) -> None:
    b.valid("strand properties of ACGTTA", "DNAStrand", name="x", sequence="ACGTTA",
            role="signal", concentration_nM=100.0)
    b.valid("lower and mixed case become upper case", "DNAStrand", name="mixed",
            sequence="acgTTaGGgc", role="input", concentration_nM=0.5)
    b.valid("one nucleotide is a strand (no thermodynamics)", "DNAStrand", name="one",
            sequence="g", role="fuel", concentration_nM=1e-3)
    b.valid("longest run at the end", "DNAStrand", name="run", sequence="ACGTCCCCC",
            role="gate", concentration_nM=200.0)
    b.valid("a name with spaces and a colon", "DNAStrand", name="g0:out 1",
            sequence="TTTTAAAAGGGGCCCC", role="reporter", concentration_nM=1e6)
    for role in ("output", "blocker", "release", "threshold", "annihilator"):
        b.valid(f"role {role}", "DNAStrand", name="s", sequence="CAG", role=role,
                concentration_nM=7.25)
    b.invalid("bad character X at position 2", "DNAStrand", name="s", sequence="ACXT",
              role="signal", concentration_nM=100.0)
    b.invalid("RNA base U at position 3", "DNAStrand", name="s", sequence="acgu",
              role="signal", concentration_nM=100.0)
    b.invalid("a space at position 2", "DNAStrand", name="s", sequence="AC GT",
              role="signal", concentration_nM=100.0)
    b.invalid("a non-ASCII character at position 3", "DNAStrand", name="s",
              sequence="ACG\u00e9", role="signal", concentration_nM=100.0)
    b.invalid("empty sequence", "DNAStrand", name="s", sequence="", role="signal",
              concentration_nM=100.0)
    b.invalid("empty name", "DNAStrand", name="", sequence="ACGT", role="signal",
              concentration_nM=100.0)
    b.invalid("unknown role", "DNAStrand", name="s", sequence="ACGT", role="catalyst",
              concentration_nM=100.0)
    b.invalid("role is case-sensitive", "DNAStrand", name="s", sequence="ACGT", role="Signal",
              concentration_nM=100.0)
    for bad, what in ((0.0, "zero"), (-1.0, "negative"), (float("nan"), "NaN"),
                      (float("inf"), "infinite")):
        b.invalid(f"{what} concentration", "DNAStrand", name="s", sequence="ACGT",
                  role="signal", concentration_nM=bad)
    b.invalid("concentration as an int array, not a float", "DNAStrand", name="s",
              sequence="ACGT", role="signal", concentration_nM=i64([1, 2]))


def _thermo_cases(b: SafetyBuilder) -> None:
    for pair in DINUCLEOTIDES:
        ends = sum(c in "AT" for c in (pair[0], pair[1]))
        b.valid(f"dinucleotide {pair}: one stack, {ends} terminal A.T", "DNAStrand.thermodynamics",
                sequence=pair, na_conc_M=1.0, strand_conc_M=2.5e-7)
    for seq in LONG_SEQUENCES:
        b.valid(f"{seq} at 1 M Na+, 250 nM", "DNAStrand.thermodynamics", sequence=seq,
                na_conc_M=1.0, strand_conc_M=2.5e-7)
    for na, ct in ((0.05, 2.5e-7), (0.15, 1e-6), (2.0, 1e-9), (1.0, 1.0)):
        b.valid(f"GCTAGCATGACCGTA with Na+ {na} M, Ct {ct} M", "DNAStrand.thermodynamics",
                sequence="GCTAGCATGACCGTA", na_conc_M=na, strand_conc_M=ct)
    b.invalid("one nucleotide has no stacks", "DNAStrand.thermodynamics", sequence="A",
              na_conc_M=1.0, strand_conc_M=2.5e-7)
    b.invalid("bad character in a thermodynamics sequence", "DNAStrand.thermodynamics",
              sequence="ACGN", na_conc_M=1.0, strand_conc_M=2.5e-7)
    for na, ct, what in ((0.0, 2.5e-7, "Na+ zero"), (-0.1, 2.5e-7, "Na+ negative"),
                         (float("nan"), 2.5e-7, "Na+ NaN"), (float("inf"), 2.5e-7, "Na+ inf"),
                         (1.0, 0.0, "Ct zero"), (1.0, 1.5, "Ct above 1 M"),
                         (1.0, float("nan"), "Ct NaN"), (1.0, -1e-9, "Ct negative")):
        b.invalid(f"melting temperature with {what}", "DNAStrand.thermodynamics",
                  sequence="ACGTACGT", na_conc_M=na, strand_conc_M=ct)


def _similarity_cases(b: SafetyBuilder) -> None:
    for a, c, what in (("ACGTAC", "ACGTAC", "identical"), ("ACGTAC", "TGCATG", "no match"),
                       ("ACG", "TTACGTT", "shorter inside longer"),
                       ("TTACGTT", "acg", "longer first, lower case"),
                       ("AAAAAAA", "AAATAAA", "6 of 7"), ("G", "CCCC", "one vs four, none"),
                       ("GATTACA", "TACAGATTACAGG", "full match at offset 4")):
        b.valid(f"similarity, {what}", "sequence_similarity", a=a, b=c)
    b.invalid("similarity of an empty sequence", "sequence_similarity", a="", b="ACGT")
    b.invalid("similarity with a bad character in b", "sequence_similarity", a="ACGT",
              b="ACZT")


def _designer(b: SafetyBuilder, comment: str, *, valid: bool = True, seed: object = u64(42),
              gc_target: object = None, max_homopolymer: object = 3,
              max_similarity: object = 0.75, max_tries: object = 10_000,
              names: object = None, lengths: object = None) -> None:
    kwargs = dict(seed=seed, gc_target=f64([0.4, 0.6]) if gc_target is None else gc_target,
                  max_homopolymer=max_homopolymer, max_similarity=max_similarity,
                  max_tries=max_tries, names=strs(["a.t", "a.d"]) if names is None else names,
                  lengths=i64([6, 15]) if lengths is None else lengths)
    add = b.valid if valid else b.invalid
    add(comment, "SequenceDesigner.design_domain", **kwargs)


def _designer_cases(b: SafetyBuilder) -> None:
    many = [f"s{k}.{part}" for k in range(8) for part in ("t", "d")]
    many_lengths = i64([6, 15] * 8)
    for seed in (0, 42, 7, 2**63, 2**64 - 1):
        _designer(b, f"eight signals (toehold, recognition), seed {seed}", seed=u64(seed),
                  names=strs(many), lengths=many_lengths)
    _designer(b, "same seed, other names: the same sequences", seed=u64(7),
              names=strs([f"other{k}" for k in range(16)]), lengths=many_lengths)
    _designer(b, "lengths 5 to 40 with any GC", gc_target=f64([0.0, 1.0]),
              names=strs([f"n{k}" for k in range(5, 41)]), lengths=i64(list(range(5, 41))))
    _designer(b, "length 1 first: later domains avoid its base and complement",
              gc_target=f64([0.0, 1.0]), names=strs(["one", "two", "three"]),
              lengths=i64([1, 2, 3]))
    _designer(b, "no runs (max_homopolymer 1), tight GC 0.5", gc_target=f64([0.5, 0.5]),
              max_homopolymer=1, names=strs(["p", "q", "r", "s"]), lengths=i64([8, 8, 20, 20]))
    _designer(b, "max_similarity 1 disables the similarity rule", max_similarity=1.0,
              names=strs([f"t{k}" for k in range(12)]), lengths=i64([6] * 12))
    _designer(b, "strict similarity 0.5 over 15-nt domains", max_similarity=0.5,
              names=strs([f"d{k}" for k in range(6)]), lengths=i64([15] * 6))
    _designer(b, "a long domain", names=strs(["long"]), lengths=i64([200]))
    _designer(b, "no domain at all", names=strs([]), lengths=i64([]))
    _designer(b, "length 1 cannot meet GC 0.4..0.6", valid=False, names=strs(["x"]),
              lengths=i64([1]))
    _designer(b, "length 0", valid=False, names=strs(["x"]), lengths=i64([0]))
    _designer(b, "length over 1000", valid=False, names=strs(["x"]), lengths=i64([1001]))
    _designer(b, "a name designed twice", valid=False, names=strs(["x", "x"]),
              lengths=i64([6, 6]))
    _designer(b, "an empty name", valid=False, names=strs([""]), lengths=i64([6]))
    _designer(b, "max_tries exhausted (GC 0.5, no runs, similarity 0.34, 3 tries)",
              valid=False, gc_target=f64([0.5, 0.5]), max_homopolymer=1, max_similarity=0.34,
              max_tries=3, names=strs(["x"]), lengths=i64([6]))
    _designer(b, "max_tries exhausted after earlier domains fill the space", valid=False,
              gc_target=f64([0.5, 0.5]), max_similarity=0.5, max_tries=200,
              names=strs([f"t{k}" for k in range(40)]), lengths=i64([4] * 40))
    _designer(b, "negative seed", valid=False, seed=i64(-1))
    _designer(b, "seed as a float", valid=False, seed=f64(1.0))
    _designer(b, "gc_target low above high", valid=False, gc_target=f64([0.6, 0.4]))
    _designer(b, "gc_target with one value", valid=False, gc_target=f64([0.5]))
    _designer(b, "gc_target with NaN", valid=False, gc_target=f64([float("nan"), 0.6]))
    _designer(b, "gc_target above 1", valid=False, gc_target=f64([0.4, 1.5]))
    _designer(b, "max_homopolymer 0", valid=False, max_homopolymer=0)
    _designer(b, "max_similarity 0", valid=False, max_similarity=0.0)
    _designer(b, "max_similarity above 1", valid=False, max_similarity=1.5)
    _designer(b, "max_similarity NaN", valid=False, max_similarity=float("nan"))
    _designer(b, "max_tries 0", valid=False, max_tries=0)
    _designer(b, "max_tries over 1e6", valid=False, max_tries=1_000_001)


def _activation_cases(b: SafetyBuilder) -> None:
    b.valid("AND is the product", "DNAGate.activation", gate_type="AND",
            probabilities=f64([0.3, 0.7, 0.9]))
    b.valid("OR is 1 - prod(1 - p)", "DNAGate.activation", gate_type="or",
            probabilities=f64([0.3, 0.7]))
    b.valid("NOT is 1 - p", "DNAGate.activation", gate_type="NOT", probabilities=f64([0.1]))
    b.valid("MUX with select 0.25", "DNAGate.activation", gate_type="MUX",
            probabilities=f64([0.25, 0.8, 0.4]))
    b.valid("THRESHOLD clipped above", "DNAGate.activation", gate_type="THRESHOLD",
            probabilities=f64([1.0, 1.0, 1.0]), threshold=1.5)
    b.valid("THRESHOLD partial", "DNAGate.activation", gate_type="THRESHOLD",
            probabilities=f64([0.9, 0.8]), threshold=1.1)
    b.valid("THRESHOLD clipped below", "DNAGate.activation", gate_type="THRESHOLD",
            probabilities=f64([0.2, 0.3]), threshold=1.0)
    b.invalid("probability above 1", "DNAGate.activation", gate_type="AND",
              probabilities=f64([0.3, 1.5]))
    b.invalid("probability NaN", "DNAGate.activation", gate_type="OR",
              probabilities=f64([float("nan"), 0.5]))
    b.invalid("unknown gate type XOR", "DNAGate.activation", gate_type="XOR",
              probabilities=f64([0.3, 0.5]))
    b.invalid("AND with one input", "DNAGate.activation", gate_type="AND",
              probabilities=f64([0.3]))
    b.invalid("MUX with two inputs", "DNAGate.activation", gate_type="MUX",
              probabilities=f64([0.3, 0.5]))
    b.invalid("THRESHOLD without threshold", "DNAGate.activation", gate_type="THRESHOLD",
              probabilities=f64([0.3, 0.5]))
    b.invalid("threshold on an AND gate", "DNAGate.activation", gate_type="AND",
              probabilities=f64([0.3, 0.5]), threshold=1.0)
    b.invalid("threshold equal to the fan-in", "DNAGate.activation", gate_type="THRESHOLD",
              probabilities=f64([0.3, 0.5]), threshold=2.0)


NETWORKS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "AND": (["AND a,b y"], ["a", "b"], ["y"]),
    "OR": (["OR a,b y"], ["a", "b"], ["y"]),
    "NOT": (["NOT a y"], ["a"], ["y"]),
    "MUX": (["MUX s,a,b y"], ["s", "a", "b"], ["y"]),
    "THRESHOLD": (["THRESHOLD a,b y threshold=1.5"], ["a", "b"], ["y"]),
    "AND3": (["AND a,b,c y"], ["a", "b", "c"], ["y"]),
    "THRESHOLD 2 of 3": (["THRESHOLD a,b,c y threshold=1"], ["a", "b", "c"], ["y"]),
    "cascade": (["AND a,b ab name=first", "NOT c nc name=inv", "OR ab,nc y name=last"],
                ["a", "b", "c"], ["y", "ab"]),
}


def _compile(b: SafetyBuilder, comment: str, gates: list[str], input_names: list[str],
             output_names: list[str], *, valid: bool = True, seed: object = u64(42),
             temperature_c: object = 37.0) -> None:
    add = b.valid if valid else b.invalid
    add(comment, "BitstreamToDNA.compile_network", seed=seed, temperature_c=temperature_c,
        gates=strs(gates), input_names=strs(input_names), output_names=strs(output_names))


def _compile_cases(b: SafetyBuilder) -> None:
    for label, (gates, ins, outs) in NETWORKS.items():
        _compile(b, f"compile {label}", gates, ins, outs)
    _compile(b, "compile AND, seed 2**64-1, lower-case type", ["and x1,x2 out"], ["x1", "x2"],
             ["out"], seed=u64(2**64 - 1))
    _compile(b, "compile at 95 C: recognition domains melt below it", ["AND a,b y"], ["a", "b"],
             ["y"], temperature_c=95.0)
    _compile(b, "a primary input may also be an output", ["NOT a y"], ["a"], ["y", "a"])
    bad = [
        ("unknown gate type XOR", ["XOR a,b y"], ["a", "b"], ["y"]),
        ("dangling wire: gate input never driven", ["AND a,q y"], ["a", "b"], ["y"]),
        ("dangling wire: input driven only by a later gate", ["NOT m y", "NOT a m"], ["a"],
         ["y"]),
        ("dangling output name", ["AND a,b y"], ["a", "b"], ["z"]),
        ("signal driven twice", ["NOT a y", "NOT b y"], ["a", "b"], ["y"]),
        ("gate drives a primary input", ["NOT a b"], ["a", "b"], ["b"]),
        ("AND with one input", ["AND a y"], ["a"], ["y"]),
        ("NOT with two inputs", ["NOT a,b y"], ["a", "b"], ["y"]),
        ("MUX with two inputs", ["MUX a,b y"], ["a", "b"], ["y"]),
        ("THRESHOLD without threshold", ["THRESHOLD a,b y"], ["a", "b"], ["y"]),
        ("threshold on an OR gate", ["OR a,b y threshold=1"], ["a", "b"], ["y"]),
        ("threshold 0", ["THRESHOLD a,b y threshold=0"], ["a", "b"], ["y"]),
        ("threshold NaN", ["THRESHOLD a,b y threshold=nan"], ["a", "b"], ["y"]),
        ("a gate input repeated", ["AND a,a y"], ["a"], ["y"]),
        ("gate output is its own input", ["AND a,y y"], ["a", "y"], ["y"]),
        ("signal name not an identifier", ["NOT a y-1"], ["a"], ["y-1"]),
        ("input name starts with a digit", ["NOT 1a y"], ["1a"], ["y"]),
        ("gate name used twice", ["NOT a y name=g", "NOT y z name=g"], ["a"], ["z"]),
        ("no gates", [], ["a"], ["a"]),
        ("no primary inputs", ["NOT a y"], [], ["y"]),
        ("primary inputs repeated", ["NOT a y"], ["a", "a"], ["y"]),
        ("no outputs", ["NOT a y"], ["a"], []),
        ("outputs repeated", ["NOT a y"], ["a"], ["y", "y"]),
        ("malformed gate spec", ["NOT a"], ["a"], ["y"]),
    ]
    for comment, gates, ins, outs in bad:
        _compile(b, comment, gates, ins, outs, valid=False)
    _compile(b, "seed negative", ["NOT a y"], ["a"], ["y"], valid=False, seed=i64(-3))
    _compile(b, "temperature above 100 C", ["NOT a y"], ["a"], ["y"], valid=False,
             temperature_c=120.0)
    _compile(b, "temperature NaN", ["NOT a y"], ["a"], ["y"], valid=False,
             temperature_c=float("nan"))


def _validate(b: SafetyBuilder, comment: str, domains: dict[str, str],
              strands: list[tuple[str, str]],
              *, valid: bool = True, gc_target: object = None, max_homopolymer: object = 3,
              temperature_c: object = 37.0) -> None:
    add = b.valid if valid else b.invalid
    add(comment, "DNACircuitDesign.validate", domain_names=strs(list(domains)),
        domain_sequences=strs(list(domains.values())), strand_names=strs([n for n, _ in strands]),
        strand_sequences=strs([q for _, q in strands]),
        gc_target=f64([0.4, 0.6]) if gc_target is None else gc_target,
        max_homopolymer=max_homopolymer, temperature_c=temperature_c)


def _validate_cases(b: SafetyBuilder) -> None:
    clean = {"a.t": "TAACCC", "a.d": "ACCTTTCGCGCTCCA"}
    _validate(b, "a clean design has no warnings", clean, [("a", "TAACCCACCTTTCGCGCTCCA")])
    _validate(b, "GC too low, GC too high, long runs, low Tm",
              {"low": "ATATTTATAT", "high": "GCGCGGCCGC", "run": "ACGTTTTTGCAG",
               "weak": "ATATATATATATATAT", "t": "GCA"},
              [("s1", "ACGGGGGT"), ("s2", "ACGT")])
    _validate(b, "a junction run in a strand only", clean, [("j", "TAACCCCCCTTTCGCGCTCCA")])
    _validate(b, "any GC with gc_target 0..1 and runs up to 6", clean | {"x": "AAAAAAGGG"},
              [("x", "AAAAAAGGG")], gc_target=f64([0.0, 1.0]), max_homopolymer=6)
    _validate(b, "hot: every recognition domain melts below 99 C", clean, [],
              temperature_c=99.0)
    _validate(b, "lower-case domains are upper-cased first", {"lc": "acgtacgtacgtacgt"}, [])
    _validate(b, "no domains, no strands", {}, [])
    _validate(b, "a bad domain sequence", {"x": "ACGB"}, [], valid=False)
    _validate(b, "a bad strand sequence", {}, [("x", "AC-T")], valid=False)
    _validate(b, "strand names repeated", {}, [("x", "ACGT"), ("x", "ACGA")], valid=False)
    _validate(b, "gc_target low above high", {}, [], valid=False, gc_target=f64([0.6, 0.4]))
    _validate(b, "max_homopolymer 0", {}, [], valid=False, max_homopolymer=0)
    _validate(b, "temperature below 0 C", {}, [], valid=False, temperature_c=-5.0)


SIM_DEFAULTS: dict[str, object] = {"k_hybridisation": 3e5, "k_dissociation": 1.0,
                                   "temperature_c": 37.0, "k_branch_migration": 100.0}


def _rates(b: SafetyBuilder, comment: str, *, valid: bool = True,
           concentrations: object = None, **over: object) -> None:
    kw = dict(SIM_DEFAULTS, method="euler") | over
    add = b.valid if valid else b.invalid
    add(comment, "KineticSimulator.rates", **kw,
        gate_concentrations_nM=f64([100.0, 50.0, 1.0, 200.0]) if concentrations is None
        else concentrations)


def _rate_cases(b: SafetyBuilder) -> None:
    for t in (0.0, 4.5, 25.0, 37.0, 60.0, 100.0):
        _rates(b, f"rates at {t} C", temperature_c=t)
    _rates(b, "no toehold dissociation", k_dissociation=0.0)
    _rates(b, "slow branch migration, fast hybridisation", k_branch_migration=0.5,
           k_hybridisation=3e6, temperature_c=30.0)
    _rates(b, "no gates", concentrations=f64([]))
    for key, bad in (("k_hybridisation", 0.0), ("k_hybridisation", -3e5),
                     ("k_hybridisation", float("inf")), ("k_dissociation", -1.0),
                     ("k_dissociation", float("nan")), ("temperature_c", -0.5),
                     ("temperature_c", 100.5), ("k_branch_migration", 0.0),
                     ("method", "midpoint"), ("method", "RK4")):
        _rates(b, f"{key} = {bad}", valid=False, **{key: bad})
    _rates(b, "a gate concentration of zero", valid=False, concentrations=f64([100.0, 0.0]))
    _rates(b, "a gate concentration NaN", valid=False,
           concentrations=f64([float("nan")]))


def _simulate(b: SafetyBuilder, comment: str, network: str, values: list[float], *,
              valid: bool = True, names: list[str] | None = None, method: str = "euler",
              t_end: object = 1800.0, dt: object = 30.0, **over: object) -> None:
    gates, ins, outs = NETWORKS[network]
    kw = dict(SIM_DEFAULTS, method=method) | over
    add = b.valid if valid else b.invalid
    add(comment, "KineticSimulator.simulate", **kw, gates=strs(gates), input_names=strs(ins),
        output_names=strs(outs), concentration_names=strs(ins if names is None else names),
        input_concentrations_nM=f64(values), t_end=t_end, dt=dt)


def _simulate_cases(b: SafetyBuilder) -> None:
    truth = {"AND": [[200.0, 200.0], [200.0, 0.0], [0.0, 200.0]],
             "OR": [[0.0, 0.0], [200.0, 0.0]],
             "NOT": [[0.0], [200.0]],
             "MUX": [[200.0, 200.0, 0.0], [0.0, 200.0, 0.0], [0.0, 0.0, 200.0]],
             "THRESHOLD": [[200.0, 200.0], [200.0, 0.0]],
             "cascade": [[200.0, 200.0, 200.0], [0.0, 200.0, 0.0]]}
    for network, rows in truth.items():
        for k, row in enumerate(rows):
            method = "rk4" if k % 2 else "euler"
            _simulate(b, f"{network} inputs {row} for 1800 s, {method}", network, row,
                      method=method)
    _simulate(b, "AND at SC values 0.5 and 0.75, rk4", "AND", [100.0, 150.0], method="rk4")
    _simulate(b, "THRESHOLD 2 of 3 at mixed values", "THRESHOLD 2 of 3", [200.0, 130.0, 90.0],
              method="rk4")
    _simulate(b, "t_end not a multiple of dt (last step 10 s)", "OR", [50.0, 20.0],
              t_end=100.0, dt=30.0)
    _simulate(b, "t_end 0: the initial state only", "NOT", [0.0], t_end=0.0)
    _simulate(b, "large steps: Euler overshoot is clamped to 200 nM", "NOT", [0.0], dt=100.0,
              k_hybridisation=1e6)
    _simulate(b, "large steps: rk4 clamps to 0 nM", "NOT", [200.0], method="rk4",
              dt=150.0, k_hybridisation=2e6, t_end=600.0)
    _simulate(b, "slow kinetics, no dissociation", "AND", [200.0, 200.0],
              k_hybridisation=1e4, k_dissociation=0.0, dt=60.0)
    _simulate(b, "concentration names in another order", "MUX", [0.0, 200.0, 200.0],
              names=["b", "a", "s"], t_end=300.0)
    for comment, values, names, extra in (
            ("dt 0", [0.0], None, {"dt": 0.0}),
            ("dt negative", [0.0], None, {"dt": -1.0}),
            ("dt NaN", [0.0], None, {"dt": float("nan")}),
            ("more than 1e6 steps", [0.0], None, {"dt": 1e-3}),
            ("t_end negative", [0.0], None, {"t_end": -1.0}),
            ("t_end infinite", [0.0], None, {"t_end": float("inf")}),
            ("input above 200 nM", [250.0], None, {}),
            ("input negative", [-1.0], None, {}),
            ("input NaN", [float("nan")], None, {}),
            ("an input without a concentration", [], [], {}),
            ("a concentration for an unknown signal", [10.0, 10.0], ["a", "q"], {}),
            ("a concentration for a gate output", [10.0, 10.0], ["a", "y"], {}),
            ("unknown method", [0.0], None, {"method": "midpoint"})):
        _simulate(b, f"simulate with {comment}", "NOT", values, valid=False, names=names,
                  **extra)


def _bitstream_cases(b: SafetyBuilder) -> None:
    b.valid("a bitstream of 5 ones in 8", "BitstreamToDNA.concentration_of",
            bits=u8([1, 0, 1, 1, 0, 1, 0, 1]))
    b.valid("all zeros", "BitstreamToDNA.concentration_of", bits=u8([0] * 7))
    b.valid("one in three", "BitstreamToDNA.concentration_of", bits=i64([0, 1, 0]))
    b.invalid("a bit value 2", "BitstreamToDNA.concentration_of", bits=u8([0, 2, 1]))
    b.invalid("an empty stream", "BitstreamToDNA.concentration_of", bits=u8([]))
    b.invalid("a 2-D stream", "BitstreamToDNA.concentration_of", bits=u8([[0, 1], [1, 1]]))
    b.invalid("float bits", "BitstreamToDNA.concentration_of", bits=f64([0.0, 1.0]))


def build() -> GoldenFile:
    """The cases of ``parity/golden/dna_mapper.txt``."""
    b = SafetyBuilder("dna_mapper", "sc_neurocore.bridges.dna_mapper", run_case,
                      rtol={"tm": RTOL, "temperature_factor": RTOL, "rates": RTOL})
    _strand_cases(b)
    _thermo_cases(b)
    _similarity_cases(b)
    _designer_cases(b)
    _activation_cases(b)
    _compile_cases(b)
    _validate_cases(b)
    _rate_cases(b)
    _simulate_cases(b)
    _bitstream_cases(b)
    return b.golden()
