"""dna_mapper structure: folding, NUPACK interface, GF(4) coding, cross-hybridisation,
hairpins, topology and gate optimisation, each against an independent computation.

* Pair probabilities and the MFE against brute-force enumeration of every structure.
* The GF(4) code: field axioms of the multiplication table, codewords in the kernel of
  the parity-check matrix, every single substitution corrected, distance 3.
* Complementary runs and hairpins against brute force; topology on known graphs; the
  optimised gate list computes the same SC function as the original.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import types
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_neurocore.bridges._dna import coding, folding
from sc_neurocore.bridges.dna_mapper import (
    BitstreamToDNA,
    CrossHybridizationChecker,
    DNACircuitDesign,
    DNAGate,
    DNAStrand,
    GateOptimizer,
    GF4ErrorCorrection,
    HairpinChecker,
    NUPACKInterface,
    TopologicalAnalyzer,
)

RT37 = 1.987e-3 * 310.15


def revcomp(seq: str) -> str:
    return seq[::-1].translate(str.maketrans("ACGT", "TGCA"))


# ------------------------------------------------------------------ folding


def enumerate_structures(seq: str) -> list[tuple[tuple[int, int], ...]]:
    @lru_cache(None)
    def inside(i: int, j: int) -> list[tuple[tuple[int, int], ...]]:
        if i > j:
            return [()]
        out = list(inside(i + 1, j))
        for k in range(i + 1, j + 1):
            if folding.pair_energy(seq, i, k) is None:
                continue
            for a in inside(i + 1, k - 1):
                for b in inside(k + 1, j):
                    out.append(((i, k),) + a + b)
        return out

    return inside(0, len(seq) - 1)


@pytest.mark.parametrize("seq", ["GGGAAACCCTTGGGAAAC", "GCGCTTTTGCGCAAAAGC", "ACGTACGTACGTAC",
                                 "AAAAAAAAAA"])
def test_fallback_model_equals_enumeration(seq: str) -> None:
    structures = enumerate_structures(seq)
    energies = [sum(folding.pair_energy(seq, i, j) for i, j in s) for s in structures]  # type: ignore[misc]
    weights = np.exp(-np.array(energies) / RT37)
    z = weights.sum()
    probs = np.zeros((len(seq), len(seq)))
    for s, w in zip(structures, weights):
        for i, j in s:
            probs[i, j] += w / z
            probs[j, i] += w / z
    nupack = NUPACKInterface()
    np.testing.assert_allclose(nupack.compute_pair_probabilities(seq), probs, atol=1e-13)
    energy, structure = nupack.compute_mfe(seq)
    assert energy == pytest.approx(min(energies), abs=1e-12)
    assert structure.count("(") == structure.count(")")
    assert np.all(probs.sum(axis=1) <= 1.0 + 1e-12)


def test_nupack_interface_says_when_nupack_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: os.PathLike[str]) -> None:
    monkeypatch.setitem(sys.modules, "nupack", None)
    nupack = NUPACKInterface()
    assert not nupack.has_nupack and "NUPACK is not installed" in nupack.backend
    with pytest.raises(RuntimeError, match="NUPACK is not installed"):
        NUPACKInterface(require_nupack=True)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert NUPACKInterface.executable() is None
    with pytest.raises(RuntimeError, match="`complexes` executable is not on PATH"):
        nupack.run_complexes(os.path.join(tmp_path, "circuit"))


def test_nupack_input_is_the_complexes_format(tmp_path: os.PathLike[str]) -> None:
    design = BitstreamToDNA(seed=1).compile_network(
        [{"type": "NOT", "inputs": ["a"], "output": "b"}], ["a"], ["b"])
    path = NUPACKInterface().write_input(design, os.path.join(tmp_path, "circuit"))
    assert path.endswith("circuit.in")
    lines = [ln for ln in open(path, encoding="ascii").read().splitlines()
             if not ln.startswith("%")]
    n = int(lines[0])
    assert n == design.total_strands and lines[1:1 + n] == [s.sequence for s in design.all_strands]
    assert lines[-1] == "2" and len(lines) == n + 2


def test_nupack_package_is_used_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    """The glue to NUPACK 4's documented calls, against a stand-in module (NUPACK itself
    is not installed here)."""
    calls = []

    class Model:
        def __init__(self, **kw: object) -> None:
            calls.append(("Model", kw))

    def mfe(strands: list[object], model: object) -> list[object]:
        calls.append(("mfe", strands))
        return [types.SimpleNamespace(energy=-3.5, structure="((....))")]

    fake = types.SimpleNamespace(Model=Model, Strand=lambda seq, name: (seq, name), mfe=mfe)
    monkeypatch.setitem(sys.modules, "nupack", fake)
    nupack = NUPACKInterface(temperature_c=25.0, na_concentration_M=0.5)
    assert nupack.has_nupack and nupack.backend == "nupack"
    assert nupack.compute_mfe("ggggaaaacccc") == (-3.5, "((....))")
    assert calls[0] == ("Model", {"material": "dna", "celsius": 25.0, "sodium": 0.5})
    assert calls[1] == ("mfe", [("GGGGAAAACCCC", "query")])


def test_validate_design_flags_folding_single_strands() -> None:
    design = DNACircuitDesign(input_strands=[DNAStrand("fold", "GGGCAAAGCCCGGGCAAAGCCC"),
                                             DNAStrand("flat", "ACATACATACAT", "translator")])
    report = NUPACKInterface().validate_design(design)
    assert report["strand_results"]["fold"]["has_unwanted_structure"]
    assert not report["strand_results"]["flat"]["has_unwanted_structure"]
    assert not report["valid"] and report["backend"]


# ------------------------------------------------------------------ GF(4)


def gf4_mul(a: int, b: int) -> int:
    """Multiplication in GF(2)[w]/(w^2 + w + 1), bits (w, 1)."""
    product = 0
    for i in range(2):
        if b >> i & 1:
            product ^= a << i
    if product & 4:
        product ^= 0b111
    return product


def test_the_multiplication_table_is_the_field() -> None:
    for a, b in itertools.product(range(4), repeat=2):
        assert coding.GF4_MUL[a][b] == gf4_mul(a, b)
    for a in range(1, 4):
        assert gf4_mul(a, coding.GF4_INV[a]) == 1


def test_reference_round_trip_and_error_detection() -> None:
    ecc = GF4ErrorCorrection(n_parity=4)
    data = "ATCGATCG"
    encoded = ecc.encode(data)
    assert len(encoded) > len(data)
    assert ecc.decode(encoded) == (data, 0)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ACGT", max_size=50), st.sampled_from([(2, 3), (3, 18), (4, 12), (4, 81)]))
def test_codewords_lie_in_the_kernel_and_single_errors_are_corrected(data: str,
                                                                    code: tuple[int, int]) -> None:
    ecc = GF4ErrorCorrection(*code)
    word = ecc.encode(data)
    h = ecc.parity_check_matrix
    r, m = code
    for start in range(0, len(word), m + r):
        block = [ecc.NUC_TO_GF4[c] for c in word[start:start + m + r]]
        data_len = len(block) - r
        columns = list(range(data_len)) + list(range(m, m + r))
        for row in h:
            acc = 0
            for value, col in zip(block, columns):
                acc ^= gf4_mul(int(row[col]), value)
            assert acc == 0
    assert ecc.decode(word) == (data, 0)
    for pos in range(0, len(word), 3):
        for base in "ACGT":
            if base != word[pos]:
                bad = word[:pos] + base + word[pos + 1:]
                assert ecc.decode(bad) == (data, 1)


def test_parity_check_columns_are_pairwise_independent() -> None:
    h = GF4ErrorCorrection(4, 81).parity_check_matrix
    cols = [tuple(int(v) for v in h[:, j]) for j in range(h.shape[1])]
    seen = set()
    for c in cols:
        assert any(c)
        for scale in range(1, 4):
            multiple = tuple(gf4_mul(scale, v) for v in c)
            assert multiple not in seen  # no column is a multiple of another: distance 3
        seen.add(c)


def test_double_errors_are_refused_or_miscorrected_and_bad_shapes_refused() -> None:
    ecc = GF4ErrorCorrection()
    word = ecc.encode("ACGTACGTACGT")
    refused = 0
    for i, j in itertools.combinations(range(16), 2):
        bad = list(word)
        bad[i] = "C" if bad[i] == "A" else "A"
        bad[j] = "C" if bad[j] == "A" else "A"
        try:
            data, n = ecc.decode("".join(bad))
            assert n == 1  # a distance-3 code may miscorrect two substitutions
        except ValueError as exc:
            refused += 1
            assert "no single substitution explains" in str(exc)
    assert refused > 0
    with pytest.raises(ValueError, match="truncated"):
        ecc.decode(word + "ACG")
    with pytest.raises(ValueError, match="block_size"):
        GF4ErrorCorrection(4, 82)
    assert GF4ErrorCorrection.max_block_size(4) == 81


# ------------------------------------------------------------------ strand checks


def brute_run(a: str, b: str) -> int:
    target = revcomp(b)
    return max((n for n in range(1, len(a) + 1) for i in range(len(a) - n + 1)
                if a[i:i + n] in target), default=0)


def test_cross_hybridization_runs_are_the_longest_complementary_stretch() -> None:
    design = BitstreamToDNA(seed=3).compile_network(
        [{"type": "AND", "inputs": ["a", "b"], "output": "c"}], ["a", "b"], ["c"])
    flags = CrossHybridizationChecker(max_complementary_run=6).check(design)
    strands = {s.name: s.sequence for s in design.all_strands}
    names = list(strands)
    expected = [(x, y) for i, x in enumerate(names) for y in names[i + 1:]
                if brute_run(strands[x], strands[y]) >= 6]
    assert [(f["strand_a"], f["strand_b"]) for f in flags] == expected
    for f in flags:
        assert f["complementary_run"] == brute_run(strands[f["strand_a"]], strands[f["strand_b"]])
        assert f["severity"] == ("high" if f["complementary_run"] >= 12 else "medium")
    assert any(f["same_gate"] for f in flags)  # translator top and bottom, by design


def test_hairpins_are_maximal_stems_with_loop_energies() -> None:
    found = HairpinChecker().check_strand("GGGGAAAACCCC")
    assert found == [{"stem_start": 0, "stem_end": 4, "loop_start": 4, "loop_end": 8,
                      "stem_length": 4, "loop_length": 4,
                      "delta_g_estimate": pytest.approx(
                          DNAStrand("s", "GGGG").delta_g_37() - (0.2 - 310.15 * -5.7 / 1000)
                          + 3.5)}]
    assert HairpinChecker().check_strand("GCGATCGC") == []  # a 3-nt loop needs 2*4+3 nt
    assert HairpinChecker().check_strand("AAAAAAAAAA") == []
    long_loop = HairpinChecker().check_strand("GGATCC" + "A" * 20 + "GGATCC")
    assert long_loop[0]["loop_length"] == 20
    assert long_loop[0]["delta_g_estimate"] == pytest.approx(
        DNAStrand("s", "GGATCC").delta_g_37() - (0.2 - 310.15 * -5.7 / 1000) + 4.5
        + 2.44 * 1.987e-3 * 310.15 * math.log(20 / 9))


# ------------------------------------------------------------------ topology and optimisation


def gates(*specs: str) -> list[DNAGate]:
    out = []
    for k, text in enumerate(specs):
        kind, ins, outp = text.split(" ")
        out.append(DNAGate(k, kind, ins.split(","), outp))
    return out


def test_topology_of_a_diamond_and_of_a_loop() -> None:
    info = TopologicalAnalyzer().analyze(DNACircuitDesign(gates=gates(
        "BUFFER A B", "NOT A C", "AND B,C D", "OR B,D E")))
    assert info["depth"] == 3 and not info["has_feedback"] and info["cycles"] == []
    assert info["critical_path"] == ["A", "B", "D", "E"]
    assert info["fan_out"] == {"A": 2, "B": 2, "C": 1, "D": 1}
    assert info["topological_order"][0] == "A" and info["n_nodes"] == 5
    loop = TopologicalAnalyzer().analyze(DNACircuitDesign(gates=gates(
        "AND A,D B", "NOT B C", "BUFFER C D", "NOT X Y", "NOT Y X")))
    assert loop["has_feedback"] and loop["cycles"] == [["D", "B", "C"], ["X", "Y"]]


def evaluate(specs: list[dict[str, object]], p: dict[str, float]) -> dict[str, float]:
    values = dict(p)
    fns = {"AND": lambda q: q[0] * q[1], "OR": lambda q: q[0] + q[1] - q[0] * q[1],
           "NOT": lambda q: 1 - q[0], "BUFFER": lambda q: q[0], "XOR": lambda q: q[0] + q[1]
           - 2 * q[0] * q[1], "MUX": lambda q: q[0] * q[1] + (1 - q[0]) * q[2]}
    pending = list(specs)
    while pending:
        for spec in list(pending):
            if all(x in values for x in spec["inputs"]):  # type: ignore[attr-defined]
                values[spec["output"]] = fns[str(spec["type"]).upper()](  # type: ignore[index]
                    [values[x] for x in spec["inputs"]])  # type: ignore[attr-defined]
                pending.remove(spec)
    return values


@pytest.mark.parametrize("specs, outputs", [
    (["BUFFER A B", "AND B,C D", "BUFFER D E"], ["E"]),
    (["AND A,B C", "AND B,A D", "OR C,D E", "NOT A F"], ["E"]),
    (["MUX S,A,B C", "MUX S,B,A D", "XOR C,D E"], ["E"]),
    (["BUFFER A B", "AND A,B C"], ["C"]),
])
def test_optimised_networks_compute_the_same_outputs(specs: list[str],
                                                     outputs: list[str]) -> None:
    dicts = [{"type": t, "inputs": i.split(","), "output": o}
             for t, i, o in (s.split(" ") for s in specs)]
    result = GateOptimizer().optimize(dicts, outputs)
    assert result["original_count"] == len(specs)
    assert result["removed_count"] == len(result["removals"]) == len(specs) - len(
        result["optimized_gates"])
    rng = np.random.default_rng(len(specs))
    for _ in range(5):
        p = {x: float(rng.uniform()) for x in "ABCS"}
        before, after = evaluate(dicts, p), evaluate(result["optimized_gates"], p)
        for y in outputs:
            assert after[y] == pytest.approx(before[y])


def test_optimizer_removes_buffers_duplicates_and_dead_gates() -> None:
    dicts = [{"type": "BUFFER", "inputs": ["A"], "output": "B"},
             {"type": "AND", "inputs": ["B", "C"], "output": "D"},
             {"type": "AND", "inputs": ["C", "A"], "output": "E"},
             {"type": "OR", "inputs": ["D", "X"], "output": "F"},
             {"type": "NOT", "inputs": ["E"], "output": "G"},
             {"type": "NOT", "inputs": ["A"], "output": "H"}]
    result = GateOptimizer().optimize(dicts, ["F", "G"])
    assert [(r["index"], r["reason"]) for r in result["removals"]] == [
        (0, "identity_buffer"), (2, "duplicate"), (5, "dead_output")]
    assert result["optimized_gates"] == [{"type": "AND", "inputs": ["A", "C"], "output": "D"},
                                         {"type": "OR", "inputs": ["D", "X"], "output": "F"},
                                         {"type": "NOT", "inputs": ["D"], "output": "G"}]
    # A merge that would make a gate read one signal twice is not made.
    twice = [{"type": "AND", "inputs": ["A", "B"], "output": "D"},
             {"type": "AND", "inputs": ["B", "A"], "output": "E"},
             {"type": "OR", "inputs": ["D", "E"], "output": "F"}]
    kept = GateOptimizer().optimize(twice, ["F"])
    assert kept["removed_count"] == 0 and len(kept["optimized_gates"]) == 3
