"""sc_neurocore.bridges.dna_mapper against independent checks.

The golden file parity/golden/dna_mapper.txt is produced by this module, so
its correctness is established here independently: the thermodynamic table
re-typed per dinucleotide and summed in exact rational arithmetic, the
melting-temperature formula evaluated separately, a brute-force similarity,
the designer's draw order replayed from the raw SplitMix64 stream, strand
templates checked by hybridisation (bottom strands are reverse complements of
the top strands they bind), the kinetics against the closed-form solution of
a first-order relaxation, truth tables of every gate type, and property tests
(hypothesis) for involutions, invariants and the clamp.
"""

from __future__ import annotations

import doctest
import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_neurocore.bridges import dna_mapper
from sc_neurocore.bridges.dna_mapper import (BitstreamToDNA, DNACircuitDesign, DNAGate, DNAStrand,
                                             KineticSimulator, SequenceDesigner, complement,
                                             gc_count, max_homopolymer_run, reverse_complement,
                                             sequence_similarity)
from sc_neurocore.splitmix import GAMMA, SplitMix64

DNA = st.text(alphabet="ACGTacgt", min_size=1, max_size=60)
DNA2 = st.text(alphabet="ACGT", min_size=2, max_size=60)

# The unified nearest-neighbour parameters, typed again per 5'->3'
# dinucleotide (16 entries: each stack under both of its names), as decimal
# strings for exact arithmetic.
NN_BY_DINUCLEOTIDE = {
    "AA": ("-7.9", "-22.2"), "TT": ("-7.9", "-22.2"),
    "AT": ("-7.2", "-20.4"), "TA": ("-7.2", "-21.3"),
    "CA": ("-8.5", "-22.7"), "TG": ("-8.5", "-22.7"),
    "GT": ("-8.4", "-22.4"), "AC": ("-8.4", "-22.4"),
    "CT": ("-7.8", "-21.0"), "AG": ("-7.8", "-21.0"),
    "GA": ("-8.2", "-22.2"), "TC": ("-8.2", "-22.2"),
    "CG": ("-10.6", "-27.2"), "GC": ("-9.8", "-24.4"),
    "GG": ("-8.0", "-19.9"), "CC": ("-8.0", "-19.9"),
}


def exact_nn(seq: str) -> tuple[Fraction, Fraction]:
    dh, ds = Fraction("0.2"), Fraction("-5.7")
    for k in range(len(seq) - 1):
        h, s = NN_BY_DINUCLEOTIDE[seq[k:k + 2]]
        dh, ds = dh + Fraction(h), ds + Fraction(s)
    for end in (seq[0], seq[-1]):
        if end in "AT":
            dh, ds = dh + Fraction("2.2"), ds + Fraction("6.9")
    return dh, ds


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(abs(b), 1.0)


# --------------------------------------------------------------------------- strands

def test_table_is_the_contract() -> None:
    assert dict(dna_mapper.NN_STACKS) == {
        "AA/TT": (-7.9, -22.2), "AT/TA": (-7.2, -20.4), "TA/AT": (-7.2, -21.3),
        "CA/GT": (-8.5, -22.7), "GT/CA": (-8.4, -22.4), "CT/GA": (-7.8, -21.0),
        "GA/CT": (-8.2, -22.2), "CG/GC": (-10.6, -27.2), "GC/CG": (-9.8, -24.4),
        "GG/CC": (-8.0, -19.9)}
    assert dna_mapper.NN_INITIATION == (0.2, -5.7)
    assert dna_mapper.NN_TERMINAL_AT == (2.2, 6.9)
    assert dna_mapper.GAS_CONSTANT == 1.987


@pytest.mark.parametrize("pair", sorted(NN_BY_DINUCLEOTIDE))
def test_every_dinucleotide_uses_its_stack(pair: str) -> None:
    s = DNAStrand("s", pair)
    dh, ds = exact_nn(pair)
    assert close(s.delta_h, float(dh)) and close(s.delta_s, float(ds))


@given(DNA2)
def test_nearest_neighbour_sums_match_exact_arithmetic(seq: str) -> None:
    s = DNAStrand("s", seq)
    dh, ds = exact_nn(seq)
    assert close(s.delta_h, float(dh), 1e-13) and close(s.delta_s, float(ds), 1e-13)
    dg = dh - Fraction("310.15") * ds / 1000
    assert close(s.delta_g_37(), float(dg), 1e-12)


@given(DNA2)
def test_duplex_energy_is_the_same_from_either_strand(seq: str) -> None:
    a, b = DNAStrand("a", seq), DNAStrand("b", reverse_complement(seq))
    assert exact_nn(seq) == exact_nn(b.sequence)
    assert close(a.delta_h, b.delta_h, 1e-12) and close(a.delta_s, b.delta_s, 1e-12)


def test_terminal_penalties_both_ends() -> None:
    # CG (no A.T end), AC (5' A), CA (3' A), AA (both ends): ΔH differences
    # against the stack alone are 0, 1 and 2 penalties.
    for seq, ends in (("CG", 0), ("GC", 0), ("AC", 1), ("CA", 1), ("TA", 2), ("AA", 2)):
        h, s = NN_BY_DINUCLEOTIDE[seq]
        assert DNAStrand("s", seq).delta_h == pytest.approx(0.2 + float(h) + 2.2 * ends)
        assert DNAStrand("s", seq).delta_s == pytest.approx(-5.7 + float(s) + 6.9 * ends)


@pytest.mark.parametrize("seq", ["GCTAGCATGACCGTA", "ACGTACGTACGTACGTACGT", "GGCC"])
@pytest.mark.parametrize(("na", "ct"), [(1.0, 2.5e-7), (0.05, 1e-6), (0.5, 1e-9)])
def test_melting_temperature_formula(seq: str, na: float, ct: float) -> None:
    dh, ds = (float(x) for x in exact_nn(seq))
    expected = 1000 * dh / (ds + 1.987 * math.log(ct / 4)) - 273.15 + 16.6 * math.log10(na)
    got = DNAStrand("s", seq).melting_temperature(na, ct)
    assert close(got, expected, 1e-12)
    # the salt correction alone
    base = DNAStrand("s", seq).melting_temperature(1.0, ct)
    assert got - base == pytest.approx(16.6 * math.log10(na), abs=1e-9)


def test_melting_temperature_is_plausible_and_grows_with_length_and_gc() -> None:
    tm15 = DNAStrand("s", "GCTAGCATGACCGTA").melting_temperature()
    assert 40 < tm15 < 75
    assert DNAStrand("s", "GCTAGCATGACCGTAGCTAG").melting_temperature() > tm15
    assert (DNAStrand("s", "GCGCGCGCGC").melting_temperature()
            > DNAStrand("s", "ATATATATAT").melting_temperature())


@pytest.mark.parametrize("seq", ["A", "g"])
def test_one_nucleotide_has_no_thermodynamics(seq: str) -> None:
    s = DNAStrand("s", seq)
    for call in (lambda: s.delta_h, lambda: s.delta_s, s.delta_g_37, s.melting_temperature):
        with pytest.raises(ValueError, match="at least 2 nucleotides"):
            call()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"na_conc_M": 0.0}, "na_conc_M"), ({"na_conc_M": float("nan")}, "na_conc_M"),
    ({"na_conc_M": -1.0}, "na_conc_M"), ({"strand_conc_M": 0.0}, "strand_conc_M"),
    ({"strand_conc_M": 2.0}, "strand_conc_M"), ({"strand_conc_M": float("inf")}, "strand_conc_M"),
])
def test_melting_temperature_validation(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DNAStrand("s", "ACGTACGT").melting_temperature(**kwargs)


def test_strand_properties_and_upper_casing() -> None:
    s = DNAStrand("x", "acgTTaGGgc", role="input", concentration_nM=5)
    assert s.sequence == "ACGTTAGGGC" and len(s) == 10
    assert s.gc_content == 6 / 10
    assert s.complement == "TGCAATCCCG"
    assert s.reverse_complement == "GCCCTAACGT"
    assert s.max_homopolymer == 3
    assert s.concentration_nM == 5.0 and isinstance(s.concentration_nM, float)
    assert s == DNAStrand("x", "ACGTTAGGGC", "input", 5.0)
    assert complement("aCgt") == "TGCA" and reverse_complement("aacg") == "CGTT"
    assert gc_count("GgCa") == 3 and max_homopolymer_run("ACCCCGT") == 4


@pytest.mark.parametrize(("seq", "char", "position"), [
    ("ACXT", "X", 2), ("acgu", "u", 3), ("N", "N", 0), ("AC GT", " ", 2),
    ("ACG\u00e9T", "\u00e9", 3), ("ACGT\n", "\n", 4), ("\u00dfACGT", "\u00df", 0),
])
def test_bad_character_names_its_position(seq: str, char: str, position: int) -> None:
    with pytest.raises(ValueError, match=f"{char!r} at position {position}".replace("\\", "\\\\")):
        DNAStrand("s", seq)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"sequence": ""}, ValueError, "sequence"),
    ({"sequence": b"ACGT"}, TypeError, "sequence"),
    ({"name": ""}, ValueError, "name"),
    ({"name": 3}, TypeError, "name"),
    ({"role": "catalyst"}, ValueError, "role"),
    ({"role": None}, TypeError, "role"),
    ({"concentration_nM": 0.0}, ValueError, "concentration_nM"),
    ({"concentration_nM": -2.0}, ValueError, "concentration_nM"),
    ({"concentration_nM": float("nan")}, ValueError, "concentration_nM"),
    ({"concentration_nM": float("inf")}, ValueError, "concentration_nM"),
    ({"concentration_nM": True}, TypeError, "concentration_nM"),
    ({"concentration_nM": "1"}, TypeError, "concentration_nM"),
])
def test_strand_validation(kwargs: dict[str, object], error: type, match: str) -> None:
    args: dict[str, object] = {"name": "s", "sequence": "ACGT", "role": "signal",
                               "concentration_nM": 100.0} | kwargs
    with pytest.raises(error, match=match):
        DNAStrand(**args)  # type: ignore[arg-type]


def test_every_documented_role_is_accepted() -> None:
    for role in dna_mapper.ROLES:
        assert DNAStrand("s", "AC", role).role == role


@given(DNA)
def test_reverse_complement_is_an_involution(seq: str) -> None:
    up = seq.upper()
    assert reverse_complement(reverse_complement(seq)) == up
    assert complement(complement(seq)) == up
    s = DNAStrand("s", seq)
    assert DNAStrand("r", s.reverse_complement).reverse_complement == up
    assert reverse_complement(seq) == complement(seq)[::-1]
    # invariants of the other strand
    r = DNAStrand("r", s.reverse_complement)
    assert r.gc_content == s.gc_content and r.max_homopolymer == s.max_homopolymer
    assert 0.0 <= s.gc_content <= 1.0 and 1 <= s.max_homopolymer <= len(up)


# --------------------------------------------------------------------------- similarity

def brute_similarity(a: str, b: str) -> Fraction:
    a, b = a.upper(), b.upper()
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    best = max(sum(x == y for x, y in zip(short, long_[o:]))
               for o in range(len(long_) - len(short) + 1))
    return Fraction(best, len(short))


@given(DNA, DNA)
def test_similarity_matches_brute_force(a: str, b: str) -> None:
    got = sequence_similarity(a, b)
    assert got == float(brute_similarity(a, b))
    assert 0.0 <= got <= 1.0
    if len(a) == len(b):
        assert got == sequence_similarity(b, a)


def test_similarity_examples_and_errors() -> None:
    assert sequence_similarity("GATTACA", "TACAGATTACAGG") == 1.0
    assert sequence_similarity("ACGTAC", "TGCATG") == 0.0
    assert sequence_similarity("AAAAAAA", "AAATAAA") == 6 / 7
    with pytest.raises(ValueError, match="a must"):
        sequence_similarity("", "A")
    with pytest.raises(ValueError, match="b must"):
        sequence_similarity("A", "AZ")


# --------------------------------------------------------------------------- design

def independent_accepts(seq: str, earlier: list[str], gc: tuple[float, float], run: int,
                        bound: float) -> bool:
    g = sum(c in "GC" for c in seq)
    if not gc[0] <= g / len(seq) <= gc[1]:
        return False
    if max(len(m) for m in _runs(seq)) > run:
        return False
    if brute_similarity(seq, reverse_complement(seq)) > Fraction(bound):
        return False
    return all(brute_similarity(seq, e) <= Fraction(bound)
               and brute_similarity(seq, reverse_complement(e)) <= Fraction(bound)
               for e in earlier)


def _runs(seq: str) -> list[str]:
    out, cur = [], seq[0]
    for c in seq[1:]:
        if c == cur[-1]:
            cur += c
        else:
            out.append(cur)
            cur = c
    return out + [cur]


def replay(seed: int, plan: list[int], gc: tuple[float, float] = (0.4, 0.6), run: int = 3,
           bound: float = 0.75) -> tuple[list[str], int]:
    """Designs from the raw generator: each candidate is `length` words, x % 4 -> ACGT."""
    g = SplitMix64(seed)
    designed: list[str] = []
    words = 0
    for length in plan:
        while True:
            cand = "".join("ACGT"[int(x) % 4] for x in g.u64s(length))
            words += length
            if independent_accepts(cand, designed, gc, run, Fraction(bound)):
                designed.append(cand)
                break
    return designed, words


@pytest.mark.parametrize("seed", [0, 42, 7, 2**64 - 1])
def test_design_reproduces_the_documented_draw_order(seed: int) -> None:
    plan = [6, 15] * 6
    d = SequenceDesigner(seed)
    got = [d.design_domain(f"d{k}", n) for k, n in enumerate(plan)]
    expected, words = replay(seed, plan)
    assert got == expected
    assert d.rng_state == (seed + words * GAMMA) % 2**64
    assert list(d.domains) == [f"d{k}" for k in range(len(plan))]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**64 - 1), st.lists(st.integers(4, 30), min_size=1, max_size=6),
       st.sampled_from([(0.4, 0.6), (0.3, 0.7), (0.5, 0.5), (0.0, 1.0)]),
       st.integers(1, 4))
def test_designed_sequences_hold_their_constraints(seed: int, lengths: list[int],
                                                   gc: tuple[float, float], run: int) -> None:
    d = SequenceDesigner(seed, gc, run, max_similarity=0.8)
    made: list[str] = []
    for k, n in enumerate(lengths):
        try:
            seq = d.design_domain(f"x{k}", n)
        except ValueError as exc:  # an infeasible GC target or exhausted tries, never a hang
            assert "gc_target" in str(exc) or "max_tries" in str(exc)
            return
        assert len(seq) == n and set(seq) <= set("ACGT")
        assert independent_accepts(seq, made, gc, run, 0.8)
        made.append(seq)
    again = SequenceDesigner(seed, gc, run, max_similarity=0.8)
    assert [again.design_domain(f"x{k}", n) for k, n in enumerate(lengths)] == made


def test_design_errors_draw_nothing_and_never_loop() -> None:
    d = SequenceDesigner(5)
    state = d.rng_state
    with pytest.raises(ValueError, match="gc_target"):
        d.design_domain("x", 1)  # no GC count of 1 nt is in [0.4, 0.6]
    with pytest.raises(ValueError, match="length"):
        d.design_domain("x", 0)
    with pytest.raises(ValueError, match="length"):
        d.design_domain("x", 1001)
    with pytest.raises(TypeError, match="length"):
        d.design_domain("x", 6.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="name"):
        d.design_domain("", 6)
    assert d.rng_state == state
    d.design_domain("x", 6)
    with pytest.raises(ValueError, match="already designed"):
        d.design_domain("x", 6)
    # After a 1-nt domain x, every 6-nt candidate without runs either holds x or
    # its complement (similarity 1) or alternates the other two bases and is
    # its own reverse complement: no candidate can pass.
    tight = SequenceDesigner(1, (0.0, 1.0), 1, max_similarity=0.9, max_tries=50)
    tight.design_domain("x", 1)
    before = tight.rng_state
    with pytest.raises(ValueError, match="max_tries"):
        tight.design_domain("y", 6)
    assert tight.rng_state == (before + 50 * 6 * GAMMA) % 2**64  # exactly 50 candidates


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"seed": -1}, ValueError, "seed"), ({"seed": 2**64}, ValueError, "seed"),
    ({"seed": 1.0}, TypeError, "seed"), ({"gc_target": (0.6, 0.4)}, ValueError, "gc_target"),
    ({"gc_target": (0.4,)}, ValueError, "gc_target"), ({"gc_target": 0.5}, TypeError, "gc_target"),
    ({"gc_target": (float("nan"), 0.5)}, ValueError, "gc_target"),
    ({"max_homopolymer": 0}, ValueError, "max_homopolymer"),
    ({"max_similarity": 0.0}, ValueError, "max_similarity"),
    ({"max_similarity": 1.01}, ValueError, "max_similarity"),
    ({"max_tries": 0}, ValueError, "max_tries"),
])
def test_designer_validation(kwargs: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SequenceDesigner(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- compile

def compile_one(spec: dict[str, object], inputs: list[str], seed: int = 42) -> DNACircuitDesign:
    return BitstreamToDNA(seed).compile_network([spec], inputs, [str(spec["output"])])


def test_compile_designs_domains_in_the_documented_order() -> None:
    design = BitstreamToDNA(42).compile_network(
        [{"type": "NOT", "inputs": ["c"], "output": "nc", "name": "inv"},
         {"type": "MUX", "inputs": ["s", "c", "nc"], "output": "y"},
         {"type": "THRESHOLD", "inputs": ["s", "c"], "output": "z", "threshold": 1.5}],
        ["s", "c"], ["y", "z"])
    assert list(design.domains) == [
        "s.t", "s.d", "c.t", "c.d", "inv.fuel.t", "inv.fuel.d", "nc.t", "nc.d",
        "g1.fuel.t", "g1.fuel.d", "g1.sbar.t", "g1.sbar.d", "y.t", "y.d",
        "g2.sum.t", "g2.sum.d", "z.t", "z.d"]
    lengths = [len(v) for v in design.domains.values()]
    assert lengths == [6, 15] * 9
    designer = SequenceDesigner(42)
    assert list(design.domains.values()) == [designer.design_domain(n, k) for n, k in
                                             zip(design.domains, lengths)]
    assert design.validate() == [w for w in design.validate() if w.startswith("strand ")]


def seq_of(design: DNACircuitDesign, *domains: str) -> str:
    return "".join(design.domains[d] for d in domains)


def test_and_gate_strands_hybridise_as_documented() -> None:
    d = compile_one({"type": "and", "inputs": ["a", "b", "c"], "output": "y"}, ["a", "b", "c"])
    names = [s.name for s in d.strands]
    assert names == ["a", "b", "c", "g0:gate", "g0:block1", "g0:block2", "g0:out"]
    assert d.gates[0].gate_type == "AND"
    a, b, c = (d.strand(x).sequence for x in "abc")
    assert d.strand("g0:gate").sequence == reverse_complement(a + b + c)
    # blocker k covers x_k.d and toehold k+1; the output carries c.d then y
    assert d.strand("g0:block1").sequence == seq_of(d, "a.d", "b.t")
    assert d.strand("g0:block2").sequence == seq_of(d, "b.d", "c.t")
    assert d.strand("g0:out").sequence == seq_of(d, "c.d", "y.t", "y.d")
    assert reverse_complement(d.strand("g0:gate").sequence).endswith(seq_of(d, "c.d"))
    assert [s.role for s in d.strands] == ["input"] * 3 + ["gate", "blocker", "blocker",
                                                           "output"]
    assert d.gates[0].strands == tuple(d.strands[3:])


def test_or_not_mux_threshold_templates() -> None:
    d = compile_one({"type": "OR", "inputs": ["a", "b"], "output": "y"}, ["a", "b"])
    for k, x in ((1, "a"), (2, "b")):
        assert d.strand(f"g0:gate{k}").sequence == reverse_complement(d.strand(x).sequence)
        assert d.strand(f"g0:out{k}").sequence == seq_of(d, f"{x}.d", "y.t", "y.d")
    d = compile_one({"type": "NOT", "inputs": ["a"], "output": "y"}, ["a"])
    fuel = d.strand("g0:fuel")
    assert (fuel.role, fuel.concentration_nM) == ("fuel", 200.0)
    assert d.strand("g0:gate").sequence == reverse_complement(fuel.sequence)
    assert d.strand("g0:annihilator").sequence == reverse_complement(
        d.strand("a").sequence + fuel.sequence)
    assert d.strand("g0:out").sequence == seq_of(d, "g0.fuel.d", "y.t", "y.d")
    d = compile_one({"type": "MUX", "inputs": ["s", "a", "b"], "output": "y"}, ["s", "a", "b"])
    assert [s.name for s in d.gates[0].strands] == [
        "g0:fuel", "g0:notgate", "g0:notout", "g0:annihilator", "g0:gate1", "g0:block1",
        "g0:out1", "g0:gate2", "g0:block2", "g0:out2"]
    assert d.strand("g0:gate2").sequence == reverse_complement(
        seq_of(d, "g0.sbar.t", "g0.sbar.d", "b.t", "b.d"))
    d = compile_one({"type": "THRESHOLD", "inputs": ["a", "b", "c"], "output": "y",
                     "threshold": 1.25}, ["a", "b", "c"])
    sink = d.strand("g0:threshold")
    assert (sink.role, sink.concentration_nM) == ("threshold", 250.0)
    assert sink.sequence == reverse_complement(seq_of(d, "g0.sum.t", "g0.sum.d"))
    assert d.strand("g0:out3").sequence == seq_of(d, "c.d", "g0.sum.t", "g0.sum.d")
    assert d.gates[0].threshold == 1.25


def test_same_seed_same_circuit_other_seed_other_sequences() -> None:
    spec = {"type": "MUX", "inputs": ["s", "a", "b"], "output": "y"}
    one, two = compile_one(spec, ["s", "a", "b"]), compile_one(spec, ["s", "a", "b"])
    assert one == two
    other = compile_one(spec, ["s", "a", "b"], seed=43)
    assert [s.name for s in other.strands] == [s.name for s in one.strands]
    assert [s.sequence for s in other.strands] != [s.sequence for s in one.strands]


@pytest.mark.parametrize(("gates", "inputs", "outputs", "error", "match"), [
    ([{"type": "XOR", "inputs": ["a", "b"], "output": "y"}], ["a", "b"], ["y"], ValueError,
     r"gates\[0\]\.gate_type"),
    ([{"type": "AND", "inputs": ["a", "q"], "output": "y"}], ["a"], ["y"], ValueError,
     "dangling wire"),
    ([{"type": "NOT", "inputs": ["m"], "output": "y"},
      {"type": "NOT", "inputs": ["a"], "output": "m"}], ["a"], ["y"], ValueError,
     "dangling wire"),
    ([{"type": "NOT", "inputs": ["a"], "output": "y"}], ["a"], ["z"], ValueError,
     r"output_names\[0\] 'z' is a dangling wire"),
    ([{"type": "NOT", "inputs": ["a"], "output": "y"},
      {"type": "NOT", "inputs": ["a"], "output": "y"}], ["a"], ["y"], ValueError,
     "already driven"),
    ([{"type": "AND", "inputs": ["a"], "output": "y"}], ["a"], ["y"], ValueError,
     "at least 2"),
    ([{"type": "MUX", "inputs": ["a", "b"], "output": "y"}], ["a", "b"], ["y"], ValueError,
     "exactly 3"),
    ([{"type": "THRESHOLD", "inputs": ["a", "b"], "output": "y"}], ["a", "b"], ["y"],
     ValueError, "threshold is required"),
    ([{"type": "THRESHOLD", "inputs": ["a", "b"], "output": "y", "threshold": 2}], ["a", "b"],
     ["y"], ValueError, r"\(0, 2\)"),
    ([{"type": "THRESHOLD", "inputs": ["a", "b"], "output": "y", "threshold": math.inf}],
     ["a", "b"], ["y"], ValueError, "finite"),
    ([{"type": "OR", "inputs": ["a", "b"], "output": "y", "threshold": 1}], ["a", "b"], ["y"],
     ValueError, "only for THRESHOLD"),
    ([{"type": "OR", "inputs": ["a", "b"], "output": "y", "colour": 1}], ["a", "b"], ["y"],
     ValueError, "unknown keys"),
    ([{"type": "OR", "inputs": ["a", "b"]}], ["a", "b"], ["y"], ValueError, "lacks the key"),
    (["OR a,b y"], ["a", "b"], ["y"], TypeError, "mapping"),
    ({"type": "NOT"}, ["a"], ["y"], TypeError, "sequence of gate"),
    ([{"type": "NOT", "inputs": "a", "output": "y"}], ["a"], ["y"], TypeError, "sequence of str"),
    ([{"type": "NOT", "inputs": ["a"], "output": "y-1"}], ["a"], ["y-1"], ValueError,
     "identifier"),
    ([{"type": "NOT", "inputs": ["a"], "output": "y"}], [], ["y"], ValueError, "input_names"),
    ([{"type": "NOT", "inputs": ["a"], "output": "y"}], ["a", "a"], ["y"], ValueError,
     "input_names must be distinct"),
    ([{"type": "NOT", "inputs": ["a"], "output": "y"}], ["a"], [], ValueError, "output_names"),
    ([], ["a"], ["a"], ValueError, "at least one gate"),
])
def test_compile_validation(gates: object, inputs: list[str], outputs: list[str], error: type,
                            match: str) -> None:
    with pytest.raises(error, match=match):
        BitstreamToDNA().compile_network(gates, inputs, outputs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"seed": -1}, ValueError, "seed"), ({"temperature_c": 101}, ValueError, "temperature_c"),
    ({"temperature_c": float("nan")}, ValueError, "temperature_c"),
    ({"max_homopolymer": 0}, ValueError, "max_homopolymer"),
])
def test_compiler_validation(kwargs: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        BitstreamToDNA(**kwargs)  # type: ignore[arg-type]


def test_validate_warns_on_each_rule() -> None:
    design = DNACircuitDesign(
        (DNAStrand("s1", "ACGGGGGT"), DNAStrand("ok", "ACGT")),
        {"low": "ATATTTATAT", "high": "GCGCGGCCGC", "run": "ACGTTTTTGCAG", "fine": "ACGTAC"},
        temperature_c=37.0)
    assert design.validate() == [
        "domain low: GC content 0/10 is outside the target range",
        "domain low: melting temperature is below the operating temperature",
        "domain high: GC content 10/10 is outside the target range",
        "domain run: homopolymer run of 5 exceeds the limit of 3",
        "strand s1: homopolymer run of 5 exceeds the limit of 3",
    ]
    # a 15-nt recognition domain melts above 37 C but below 99 C
    hot = DNACircuitDesign((), {"d": "ACCTTTCGCGCTCCA"}, temperature_c=99.0)
    assert hot.validate() == ["domain d: melting temperature is below the operating temperature"]
    assert DNACircuitDesign((), {"d": "ACCTTTCGCGCTCCA"}).validate() == []
    with pytest.raises(ValueError, match="used twice"):
        DNACircuitDesign((DNAStrand("x", "A"), DNAStrand("x", "C")))
    with pytest.raises(ValueError, match="domains"):
        DNACircuitDesign((), {"x": "ACGU"})
    with pytest.raises(TypeError, match="strands"):
        DNACircuitDesign(("ACGT",))  # type: ignore[arg-type]


def test_designed_domains_pass_validation() -> None:
    design = BitstreamToDNA(3).compile_network(
        [{"type": "AND", "inputs": ["a", "b"], "output": "ab"},
         {"type": "OR", "inputs": ["ab", "c"], "output": "y"}], ["a", "b", "c"], ["y"])
    assert not [w for w in design.validate() if w.startswith("domain ")]


# --------------------------------------------------------------------------- kinetics

def final(design: DNACircuitDesign, values: dict[str, float], method: str,
          signal: str = "y", **kw: float) -> float:
    return KineticSimulator(method=method, **kw).simulate(design, values, 1800.0, 1.0).final(signal)


TRUTH: dict[str, tuple[dict[str, object], list[str], object]] = {
    "AND": ({"type": "AND", "inputs": ["a", "b"], "output": "y"}, ["a", "b"],
            lambda a, b: a and b),
    "AND3": ({"type": "AND", "inputs": ["a", "b", "c"], "output": "y"}, ["a", "b", "c"],
             lambda a, b, c: a and b and c),
    "OR": ({"type": "OR", "inputs": ["a", "b"], "output": "y"}, ["a", "b"],
           lambda a, b: a or b),
    "NOT": ({"type": "NOT", "inputs": ["a"], "output": "y"}, ["a"], lambda a: not a),
    "MUX": ({"type": "MUX", "inputs": ["s", "a", "b"], "output": "y"}, ["s", "a", "b"],
            lambda s, a, b: a if s else b),
    "THRESHOLD 2 of 2": ({"type": "THRESHOLD", "inputs": ["a", "b"], "output": "y",
                          "threshold": 1.5}, ["a", "b"], lambda a, b: a and b),
    "THRESHOLD 2 of 3": ({"type": "THRESHOLD", "inputs": ["a", "b", "c"], "output": "y",
                          "threshold": 1}, ["a", "b", "c"], lambda a, b, c: a + b + c >= 2),
}


@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("gate", sorted(TRUTH))
def test_truth_tables_at_1800_s(gate: str, method: str) -> None:
    spec, inputs, logic = TRUTH[gate]
    design = compile_one(spec, inputs)
    for bits in np.ndindex(*(2,) * len(inputs)):
        values = {x: 200.0 * b for x, b in zip(inputs, bits)}
        y = final(design, values, method)
        assert (y > 50.0) == bool(logic(*bits)), (gate, method, bits, y)  # type: ignore[operator]
        # settled far from the boundary: 0, or 200 (100 for THRESHOLD 2 of 2, which
        # passes sum - 1.5 = 0.5 of the signal)
        assert y < 1e-6 or abs(y - 200.0) < 1e-6 or (gate.startswith("THRESHOLD")
                                                    and abs(y - 100.0) < 1e-6), y


def test_cascade_truth_table() -> None:
    design = BitstreamToDNA(11).compile_network(
        [{"type": "AND", "inputs": ["a", "b"], "output": "ab"},
         {"type": "NOT", "inputs": ["c"], "output": "nc"},
         {"type": "OR", "inputs": ["ab", "nc"], "output": "y"}], ["a", "b", "c"], ["y"])
    for a, b, c in np.ndindex(2, 2, 2):
        y = final(design, {"a": 200.0 * a, "b": 200.0 * b, "c": 200.0 * c}, "rk4")
        assert (y > 50.0) == bool((a and b) or not c)


@pytest.mark.parametrize("temperature", [10.0, 25.0, 37.0, 55.0])
def test_and_gate_holds_its_truth_table_across_temperatures(temperature: float) -> None:
    design = compile_one(TRUTH["AND"][0], ["a", "b"])
    assert final(design, {"a": 200.0, "b": 200.0}, "euler", temperature_c=temperature) > 50.0
    assert final(design, {"a": 200.0, "b": 0.0}, "euler", temperature_c=temperature) < 50.0


def test_relaxation_matches_the_closed_form() -> None:
    design = compile_one({"type": "NOT", "inputs": ["a"], "output": "y"}, ["a"])
    sim = KineticSimulator(method="rk4")
    k = 3e5 * 100.0 / 101.0 * 100e-9
    assert sim.gate_rate(design.gates[0]) == pytest.approx(k, rel=1e-15)
    trace = sim.simulate(design, {"a": 0.0}, 300.0, 1.0)
    exact = 200.0 * (1.0 - np.exp(-k * trace.time_s))
    np.testing.assert_allclose(trace["y"], exact, rtol=1e-8, atol=1e-9)
    euler = KineticSimulator().simulate(design, {"a": 0.0}, 300.0, 1.0)
    np.testing.assert_allclose(euler["y"], 200.0 * (1.0 - (1.0 - k) ** np.arange(301)),
                               rtol=1e-12)
    # an SC value in between: AND of 0.5 and 0.75 settles at 200 * 0.375
    and_design = compile_one(TRUTH["AND"][0], ["a", "b"])
    assert final(and_design, {"a": 100.0, "b": 150.0}, "rk4") == pytest.approx(75.0, rel=1e-9)


def test_arrhenius_factor() -> None:
    assert KineticSimulator(temperature_c=37).temperature_factor == 1.0
    for t in (0.0, 25.0, 60.0, 100.0):
        expected = math.exp(-10000.0 / 1.987 * (1 / (t + 273.15) - 1 / 310.15))
        assert KineticSimulator(temperature_c=t).temperature_factor == pytest.approx(
            expected, rel=1e-12)
    factors = [KineticSimulator(temperature_c=t).temperature_factor for t in range(0, 101, 10)]
    assert factors == sorted(factors)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 200.0), min_size=3, max_size=3), st.sampled_from(["euler", "rk4"]),
       st.floats(0.5, 400.0), st.floats(1e3, 1e8))
def test_concentrations_stay_clamped(values: list[float], method: str, dt: float,
                                     k_hyb: float) -> None:
    design = BitstreamToDNA(1).compile_network(
        [{"type": "MUX", "inputs": ["s", "a", "b"], "output": "m"},
         {"type": "NOT", "inputs": ["m"], "output": "y"}], ["s", "a", "b"], ["y"])
    trace = KineticSimulator(k_hyb, method=method).simulate(design, dict(zip("sab", values)),
                                                           600.0, dt)
    assert trace.concentrations_nM.min() >= 0.0 and trace.concentrations_nM.max() <= 200.0
    assert trace.time_s[-1] == 600.0 and np.all(np.diff(trace.time_s) >= 0)
    np.testing.assert_array_equal(trace.concentrations_nM[:, :3],
                                  np.tile(values, (len(trace.time_s), 1)))


def test_time_grid_ends_at_t_end() -> None:
    design = compile_one({"type": "NOT", "inputs": ["a"], "output": "y"}, ["a"])
    trace = KineticSimulator().simulate(design, {"a": 0.0}, 100.0, 30.0)
    assert trace.time_s.tolist() == [0.0, 30.0, 60.0, 90.0, 100.0]
    assert trace.signals == ("a", "y") and trace.concentrations_nM.shape == (5, 2)
    trace = KineticSimulator().simulate(design, {"a": 0.0}, 0.0, 30.0)
    assert trace.time_s.tolist() == [0.0] and trace.final("y") == 0.0
    with pytest.raises(KeyError):
        trace["nope"]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"k_hybridisation": 0.0}, ValueError, "k_hybridisation"),
    ({"k_hybridisation": float("nan")}, ValueError, "k_hybridisation"),
    ({"k_dissociation": -1.0}, ValueError, "k_dissociation"),
    ({"temperature_c": -1.0}, ValueError, "temperature_c"),
    ({"temperature_c": float("inf")}, ValueError, "temperature_c"),
    ({"method": "midpoint"}, ValueError, "method"),
    ({"method": 4}, TypeError, "method"),
    ({"k_branch_migration": 0.0}, ValueError, "k_branch_migration"),
])
def test_simulator_validation(kwargs: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        KineticSimulator(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("values", "t_end", "dt", "error", "match"), [
    ({"a": 0.0}, 10.0, 0.0, ValueError, "dt"),
    ({"a": 0.0}, 10.0, -1.0, ValueError, "dt"),
    ({"a": 0.0}, 10.0, float("nan"), ValueError, "dt"),
    ({"a": 0.0}, 1800.0, 1e-4, ValueError, "dt"),
    ({"a": 0.0}, -1.0, 1.0, ValueError, "t_end"),
    ({"a": 0.0}, float("inf"), 1.0, ValueError, "t_end"),
    ({"a": 201.0}, 10.0, 1.0, ValueError, "input_concentrations_nM"),
    ({"a": float("nan")}, 10.0, 1.0, ValueError, "input_concentrations_nM"),
    ({}, 10.0, 1.0, ValueError, "lacks"),
    ({"a": 1.0, "y": 1.0}, 10.0, 1.0, ValueError, "not primary"),
    ([1.0], 10.0, 1.0, TypeError, "mapping"),
])
def test_simulate_validation(values: object, t_end: float, dt: float, error: type,
                             match: str) -> None:
    design = compile_one({"type": "NOT", "inputs": ["a"], "output": "y"}, ["a"])
    with pytest.raises(error, match=match):
        KineticSimulator().simulate(design, values, t_end, dt)  # type: ignore[arg-type]


def test_simulate_needs_gates_and_a_design() -> None:
    with pytest.raises(ValueError, match="no gates"):
        KineticSimulator().simulate(DNACircuitDesign(()), {})
    with pytest.raises(TypeError, match="design"):
        KineticSimulator().simulate("circuit", {})  # type: ignore[arg-type]


def test_gate_activation_and_validation() -> None:
    gate = DNAGate("g", "threshold", ("a", "b", "c"), "y", threshold=1.5)
    assert gate.gate_type == "THRESHOLD" and gate.inputs == ("a", "b", "c")
    assert gate.activation([1.0, 1.0, 0.0]) == 0.5
    assert gate.activation([1.0, 1.0, 1.0]) == 1.0
    assert DNAGate("g", "MUX", ["s", "a", "b"], "y").activation([0.25, 0.8, 0.4]) == (
        0.25 * 0.8 + 0.75 * 0.4)
    assert DNAGate("g", "OR", ["a", "b"], "y").activation([0.5, 0.5]) == 0.75
    with pytest.raises(ValueError, match="probabilities"):
        gate.activation([0.5, 0.5])
    with pytest.raises(ValueError, match="probabilities"):
        gate.activation([0.5, 0.5, 1.5])
    with pytest.raises(ValueError, match="concentration_nM"):
        DNAGate("g", "NOT", ["a"], "y", concentration_nM=0.0)
    with pytest.raises(TypeError, match="strands"):
        DNAGate("g", "NOT", ["a"], "y", strands=("ACGT",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must not be one of"):
        DNAGate("g", "NOT", ["a"], "a")


# --------------------------------------------------------------------------- bitstreams

@given(st.lists(st.integers(0, 1), min_size=1, max_size=300))
def test_concentration_of_a_bitstream(bits: list[int]) -> None:
    got = BitstreamToDNA.concentration_of(np.array(bits, dtype=np.uint8))
    assert got == 200.0 * sum(bits) / len(bits)


@pytest.mark.parametrize(("bits", "error"), [
    (np.array([0, 2], dtype=np.uint8), ValueError), (np.array([], dtype=np.uint8), ValueError),
    (np.zeros((2, 2), dtype=np.uint8), ValueError), (np.array([0.0, 1.0]), TypeError),
])
def test_concentration_of_validation(bits: np.ndarray, error: type) -> None:
    with pytest.raises(error, match="bits"):
        BitstreamToDNA.concentration_of(bits)


# --------------------------------------------------------------------------- packaging

def test_docstring_examples() -> None:
    result = doctest.testmod(dna_mapper, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0


def test_import_needs_numpy_only() -> None:
    code = ("import sys; import sc_neurocore.bridges.dna_mapper; "
            "bad = [m for m in ('jax', 'numba', 'cupy', 'mpi4py', 'scipy', 'sc_neurocore._engine') "
            "if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
