"""Cases of ``parity/golden/dna_mapper.txt`` (see :mod:`parity.safety_cases.dna_mapper`)."""

from __future__ import annotations

from sc_neurocore.bridges import dna_mapper as dm

from ._builder import SafetyBuilder, add_case, f64, i64, strs, u8, u64

__all__ = ["add_cases", "NETWORKS"]

NAN = float("nan")
INF = float("inf")

NETWORKS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "AND": (["AND A,B C"], ["A", "B"], ["C"]),
    "OR": (["OR A,B C"], ["A", "B"], ["C"]),
    "NOT": (["NOT A B"], ["A"], ["B"]),
    "MUX": (["MUX S,A,B Y"], ["S", "A", "B"], ["Y"]),
    "THRESHOLD": (["THRESHOLD A Y threshold=0.25"], ["A"], ["Y"]),
    "AMPLIFIER": (["AMPLIFIER A Y"], ["A"], ["Y"]),
    "BUFFER": (["BUFFER A Y"], ["A"], ["Y"]),
    "NAND": (["NAND A,B C"], ["A", "B"], ["C"]),
    "XOR": (["XOR A,B C"], ["A", "B"], ["C"]),
    "cascade": (["AND A,B C", "NOT C D", "MUX A,C,D E"], ["A", "B"], ["E"]),
    "mixed": (["AND A,B C", "XOR C,A D", "NAND B,D E", "BUFFER E F"], ["A", "B"], ["F"]),
}
DISPLACEMENT = ("AND", "OR", "NOT", "MUX", "THRESHOLD", "AMPLIFIER", "BUFFER", "cascade")


def _net(name: str, method: str = "hybrid", seed: int = 42,
         temperature_c: float = 37.0) -> dict[str, object]:
    gates, ins, outs = NETWORKS[name]
    return {"method": method, "seed": u64(seed), "temperature_c": temperature_c,
            "gates": strs(gates), "input_names": strs(ins), "output_names": strs(outs)}


def _strands(b: SafetyBuilder) -> None:
    op = "DNAStrand"
    for name, seq, role, c in (("x", "ACGTTA", "signal", 100.0),
                               ("mixed", "acgTTaGGgc", "fuel", 0.5), ("one", "g", "output", 0.0),
                               ("run", "ACGTCCCCC", "translator", 200.0),
                               ("g0:out#1", "TTTTAAAAGGGGCCCC", "threshold", 1e6),
                               ("w", "GATTACA", "waste", 7.25), ("t", "CAGT", "toehold", 1e-3)):
        b.valid(f"strand {seq!r}, role {role}", op, name=name, sequence=seq, role=role,
                concentration_nM=c)
    for comment, flags, kw in (
            ("bad character X at 2", "Malformed", {"sequence": "ACXT"}),
            ("RNA base U", "Malformed", {"sequence": "acgu"}),
            ("a space in the sequence", "Malformed", {"sequence": "AC GT"}),
            ("non-ASCII base", "Malformed", {"sequence": "ACG\u00e9"}),
            ("empty sequence", "Empty", {"sequence": ""}),
            ("empty name", "Empty", {"name": ""}),
            ("a space in the name", "Malformed", {"name": "a b"}),
            ("unknown role", "Unknown", {"role": "catalyst"}),
            ("role is case-sensitive", "Unknown", {"role": "Signal"}),
            ("negative concentration", "OutOfRange", {"concentration_nM": -1.0}),
            ("NaN concentration", "NonFinite", {"concentration_nM": NAN}),
            ("infinite concentration", "NonFinite", {"concentration_nM": INF}),
            ("concentration as an int array", "WrongType", {"concentration_nM": i64([1, 2])})):
        kwargs: dict[str, object] = {"name": "s", "sequence": "ACGT", "role": "signal",
                                     "concentration_nM": 100.0}
        kwargs.update(kw)
        b.invalid(f"strand with {comment}", flags, op, **kwargs)


def _thermo(b: SafetyBuilder) -> None:
    op = "DNAStrand.thermodynamics"
    for x in "ACGT":
        for y in "ACGT":
            b.valid(f"dinucleotide {x}{y}", op, sequence=x + y, na_conc_M=1.0,
                    strand_conc_M=2.5e-7, salt_correction="santalucia")
    for seq in ("ACGTTGCAAGGCTTAC", "CGTTGA", "GGGGCCCCGGGGCCCC", "ATATATATATATATAT",
                "TTTTTTTTTTTTTTTTTTTT", "AGCTAGCTAGCTAGCTAGCTAGCTAGCTAGCTAG", "acgtacgtacgt"):
        b.valid(f"{seq} at 1 M", op, sequence=seq, na_conc_M=1.0, strand_conc_M=2.5e-7,
                salt_correction="santalucia")
    for salt in ("santalucia", "schildkraut"):
        for na, ct in ((0.05, 2.5e-7), (0.1, 1e-6), (0.15, 2.5e-7), (0.5, 1e-9), (1.0, 1.0)):
            b.valid(f"GCTAGCATGACCGTA, {salt}, Na+ {na} M, Ct {ct} M", op,
                    sequence="GCTAGCATGACCGTA", na_conc_M=na, strand_conc_M=ct,
                    salt_correction=salt)
    for comment, flags, na, ct, salt in (
            ("Na+ below 0.05 M", "OutOfRange", 0.04, 2.5e-7, "santalucia"),
            ("Na+ above 1 M", "OutOfRange", 1.5, 2.5e-7, "santalucia"),
            ("Na+ 1e-300 M", "OutOfRange", 1e-300, 2.5e-7, "schildkraut"),
            ("Na+ zero", "OutOfRange", 0.0, 2.5e-7, "santalucia"),
            ("Na+ NaN", "NonFinite", NAN, 2.5e-7, "santalucia"),
            ("Ct zero", "OutOfRange", 1.0, 0.0, "santalucia"),
            ("Ct above 1 M", "OutOfRange", 1.0, 1.5, "santalucia"),
            ("Ct NaN", "NonFinite", 1.0, NAN, "santalucia"),
            ("unknown salt correction", "Unknown", 1.0, 2.5e-7, "owczarzy")):
        b.invalid(f"Tm with {comment}", flags, op, sequence="ACGTACGT", na_conc_M=na,
                  strand_conc_M=ct, salt_correction=salt)
    b.invalid("one nucleotide has no stack", "WrongShape", op, sequence="A", na_conc_M=1.0,
              strand_conc_M=2.5e-7, salt_correction="santalucia")
    b.invalid("bad base in a thermodynamics sequence", "Malformed",
              op, sequence="ACGN", na_conc_M=1.0,
              strand_conc_M=2.5e-7, salt_correction="santalucia")


def _designer(b: SafetyBuilder, comment: str, *, flags: str | None = None,
              seed: object = u64(42), gc_target: object = None, max_homopolymer: object = 3,
              max_similarity: object = 0.75, max_tries: object = 200,
              names: list[str] | None = None, lengths: object = None) -> None:
    """A ``SequenceDesigner.generate`` case: valid, or invalid for the reasons ``flags``."""
    names = ["t", "r"] if names is None else names
    inputs: dict[str, object] = dict(
        seed=seed, gc_target=f64([0.4, 0.6]) if gc_target is None else gc_target,
        max_homopolymer=max_homopolymer, max_similarity=max_similarity, max_tries=max_tries,
        names=strs(names), lengths=i64([6, 15]) if lengths is None else lengths)
    add_case(b, comment, flags, "SequenceDesigner.generate", **inputs)


def _designs(b: SafetyBuilder) -> None:
    many = [f"s{k}" for k in range(16)]
    for seed in (0, 42, 7, 137, 2**63, 2**64 - 1):
        _designer(b, f"eight toehold/recognition pairs, seed {seed}", seed=u64(seed),
                  names=many, lengths=i64([6, 15] * 8))
    _designer(b, "lengths 1 to 40 with any GC", gc_target=f64([0.0, 1.0]),
              names=[f"n{k}" for k in range(1, 41)], lengths=i64(list(range(1, 41))))
    _designer(b, "no runs (max_homopolymer 1), GC exactly 0.5", gc_target=f64([0.5, 0.5]),
              max_homopolymer=1, names=["p", "q", "r", "s"], lengths=i64([8, 8, 20, 20]))
    _designer(b, "GC 0.9-1 forces G/C", gc_target=f64([0.9, 1.0]), max_homopolymer=2,
              names=["g", "h"], lengths=i64([10, 30]))
    _designer(b, "GC 0-0.1 forces A/T", gc_target=f64([0.0, 0.1]), names=["a", "b"],
              lengths=i64([10, 12]))
    _designer(b, "max_similarity 1 accepts the first candidate", max_similarity=1.0,
              names=[f"t{k}" for k in range(12)], lengths=i64([6] * 12))
    _designer(b, "strict similarity: best-effort shortfalls", max_similarity=0.34,
              max_tries=20, names=[f"d{k}" for k in range(10)], lengths=i64([6] * 10))
    _designer(b, "a long sequence", names=["long"], lengths=i64([300]))
    _designer(b, "no sequence at all", names=[], lengths=i64([]))
    _designer(b, "repeated names are fine", names=["seq", "seq", "seq"], lengths=i64([8, 8, 8]))
    for comment, flags, kw in (
            ("length 1 cannot meet GC 0.4-0.6", "Inconsistent",
             {"names": ["x"], "lengths": i64([1])}),
            ("length 0", "OutOfRange", {"names": ["x"], "lengths": i64([0])}),
            ("length over 1000", "TooLarge Boundary", {"names": ["x"], "lengths": i64([1001])}),
            ("an empty name", "Empty", {"names": [""], "lengths": i64([6])}),
            ("negative seed", "OutOfRange BadSeed", {"seed": i64(-1)}),
            ("seed as a float", "WrongType BadSeed", {"seed": f64(1.0)}),
            ("gc_target low above high", "Inconsistent", {"gc_target": f64([0.6, 0.4])}),
            ("gc_target with one value", "WrongShape", {"gc_target": f64([0.5])}),
            ("gc_target NaN", "NonFinite", {"gc_target": f64([NAN, 0.6])}),
            ("gc_target above 1", "OutOfRange", {"gc_target": f64([0.4, 1.5])}),
            ("max_homopolymer 0", "OutOfRange", {"max_homopolymer": 0}),
            ("max_similarity 0", "OutOfRange", {"max_similarity": 0.0}),
            ("max_similarity above 1", "OutOfRange", {"max_similarity": 1.5}),
            ("max_tries 0", "OutOfRange", {"max_tries": 0}),
            ("max_tries over 100000", "TooLarge Boundary", {"max_tries": 100_001})):
        _designer(b, f"designer with {comment}", flags=flags, **kw)  # type: ignore[arg-type]


def _compile_gates(b: SafetyBuilder) -> None:
    op = "compile_gates"
    one = {"AND": "AND a,b y", "OR": "OR a,b y", "NOT": "NOT a y", "MUX": "MUX s,a,b y",
           "THRESHOLD": "THRESHOLD a y threshold=0.3", "AMPLIFIER": "AMPLIFIER a y",
           "BUFFER": "BUFFER a y"}
    for kind, text in one.items():
        b.valid(f"displacement {kind}", op, compiler="displacement", seed=u64(42),
                temperature_c=37.0, gates=strs([text]))
    b.valid("all seven displacement gates on one compiler (ids 0..6)", op,
            compiler="displacement", seed=u64(11), temperature_c=37.0,
            gates=strs(list(one.values())))
    for t in (4.0, 25.0, 60.0, 95.0):
        b.valid(f"AND leak estimate at {t} C", op, compiler="displacement", seed=u64(3),
                temperature_c=t, gates=strs(["AND a,b y"]))
    b.valid("threshold 2 (never fires) as in the reference's tests", op, compiler="displacement",
            seed=u64(42), temperature_c=37.0, gates=strs(["THRESHOLD in out threshold=2.0"]))
    b.valid("enzymatic NAND then XOR", op, compiler="enzymatic", seed=u64(137),
            temperature_c=37.0, gates=strs(["NAND a,b y", "XOR y,c z"]))
    for comment, flags, kw in (
            ("a signal used twice", "Duplicate", {"gates": strs(["AND a,a y"])}),
            ("output equal to an input", "Duplicate", {"gates": strs(["NOT a a"])}),
            ("a signal that is not an identifier", "Malformed", {"gates": strs(["AND 1a,b y"])}),
            ("a negative threshold", "OutOfRange",
             {"gates": strs(["THRESHOLD a y threshold=-0.1"])}),
            ("a NaN threshold", "NonFinite", {"gates": strs(["THRESHOLD a y threshold=nan"])}),
            ("a NAND on the displacement compiler", "Unsupported", {"gates": strs(["NAND a,b y"])}),
            ("an AND on the enzymatic compiler", "Unsupported", {"compiler": "enzymatic",
             "gates": strs(["AND a,b y"])}),
            ("an unknown compiler", "Unknown", {"compiler": "photonic"}),
            ("temperature above 100 C", "OutOfRange", {"temperature_c": 101.0})):
        kwargs: dict[str, object] = {"compiler": "displacement", "seed": u64(42),
                                     "temperature_c": 37.0, "gates": strs(["AND a,b y"])}
        kwargs.update(kw)
        b.invalid(f"compile with {comment}", flags, op, **kwargs)


def _compile_network(b: SafetyBuilder) -> None:
    op = "BitstreamToDNA.compile_network"
    for name in DISPLACEMENT:
        b.valid(f"{name} network, displacement", op, **_net(name, "displacement"))
    for name in ("NAND", "XOR"):
        b.valid(f"{name} network, enzymatic", op, **_net(name, "enzymatic", seed=9))
    b.valid("mixed network, hybrid", op, **_net("mixed", "hybrid", seed=5))
    b.valid("cascade at 20 C, seed 2**64-1", op, **_net("cascade", "displacement", 2**64 - 1, 20.0))
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("NAND on displacement", "Unsupported",
         {"method": "displacement", "gates": strs(["NAND A,B C"])}),
        ("AND on enzymatic", "Unsupported", {"method": "enzymatic"}),
        ("an unknown method", "Unknown", {"method": "optical"}),
        ("an undriven gate input", "Missing", {"gates": strs(["AND A,Q C"])}),
        ("a signal driven twice", "Duplicate", {"gates": strs(["AND A,B C", "OR A,B C"])}),
        ("a gate driving a primary input", "Inconsistent", {"gates": strs(["NOT B A"]),
                                            "output_names": strs(["A"])}),
        ("an output nothing drives", "Missing", {"output_names": strs(["Z"])}),
        ("AND with one input", "WrongShape", {"gates": strs(["AND A C"])}),
        ("MUX with two inputs", "WrongShape", {"gates": strs(["MUX A,B C"])}),
        ("an unknown gate type", "Unknown", {"gates": strs(["NOR A,B C"])}),
        ("a CATALYTIC gate", "Unsupported", {"gates": strs(["CATALYTIC A C"])}),
        ("repeated input names", "Duplicate", {"input_names": strs(["A", "A"])}),
        ("an input name that is not an identifier", "Malformed",
         {"input_names": strs(["A", "B-1"])}),
        ("a temperature below 0 C", "OutOfRange", {"temperature_c": -1.0}),
    ]
    for comment, flags, kw in bad:
        kwargs = _net("AND", "displacement")
        kwargs.update(kw)
        b.invalid(f"network with {comment}", flags, op, **kwargs)


def _validate(b: SafetyBuilder) -> None:
    op = "DNACircuitDesign.validate"
    b.valid("every rule met", op, strand_names=strs(["a", "b"]),
            strand_sequences=strs(["ACGTACGTAC", "GGCATTACGA"]))
    b.valid("GC too low and high, runs of 4 and 5", op, strand_names=strs(["lo", "hi", "r4", "r5"]),
            strand_sequences=strs(["ATATATATGC", "GCGCGCGCAT", "ACGGGGTACA", "TTTTTGCAGC"]))
    b.valid("GC exactly at the bounds (2/5, 3/5) and 1/8 rounding", op,
            strand_names=strs(["p", "q", "r"]),
            strand_sequences=strs(["ACGTA", "GCAGT", "ACATATAT"]))
    b.valid("no strands", op, strand_names=strs([]), strand_sequences=strs([]))
    b.invalid("an empty strand sequence", "Empty", op, strand_names=strs(["e"]),
              strand_sequences=strs([""]))


SIM = {"rate_hybridization": 3e5, "rate_displacement": 1.0, "temperature_c": 37.0}


def _rates(b: SafetyBuilder) -> None:
    op = "KineticSimulator.gate_rate"
    conc = f64([200.0, 100.0, 0.0, 1e-3, 5e5])
    for t in (0.0, 25.0, 37.0, 60.0, 100.0):
        b.valid(f"gate rates at {t} C", op, **(SIM | {"temperature_c": t}), integrator="euler",
                gate_concentrations_nM=conc)
    b.valid("fast hybridisation, slow migration", op, rate_hybridization=1e9,
            rate_displacement=0.01, temperature_c=37.0, integrator="rk4",
            gate_concentrations_nM=conc)
    b.valid("the largest rates", op, rate_hybridization=1e15, rate_displacement=1e15,
            temperature_c=37.0, integrator="rk4", gate_concentrations_nM=conc)
    for key, bad, flags in (("rate_hybridization", 0.0, "OutOfRange"),
                            ("rate_hybridization", -3e5, "OutOfRange"),
                            ("rate_hybridization", 2e15, "OutOfRange"),
                            ("rate_hybridization", INF, "NonFinite"),
                            ("rate_displacement", 0.0, "OutOfRange"),
                            ("rate_displacement", NAN, "NonFinite"),
                            ("temperature_c", -0.5, "OutOfRange Boundary"),
                            ("temperature_c", 100.5, "OutOfRange Boundary")):
        b.invalid(f"{key} = {bad}", flags, op, **(SIM | {key: bad}), integrator="euler",
                  gate_concentrations_nM=conc)
    b.invalid("unknown integrator", "Unknown",
              op, **SIM, integrator="midpoint", gate_concentrations_nM=conc)
    b.invalid("integrator is case-sensitive", "Unknown", op, **SIM, integrator="RK4",
              gate_concentrations_nM=conc)
    b.invalid("a negative gate concentration", "OutOfRange", op, **SIM, integrator="euler",
              gate_concentrations_nM=f64([100.0, -1.0]))


def _simulate(b: SafetyBuilder, comment: str, network: str, values: list[float], *,
              flags: str | None = None, names: list[str] | None = None,
              integrator: str = "euler", duration_s: object = 600.0, dt: object = 10.0,
              **over: object) -> None:
    """A ``KineticSimulator.simulate`` case: valid, or invalid for the reasons ``flags``."""
    gates, ins, outs = NETWORKS[network]
    inputs: dict[str, object] = dict(
        SIM | over, integrator=integrator, gates=strs(gates), input_names=strs(ins),
        output_names=strs(outs), concentration_names=strs(ins if names is None else names),
        input_concentrations_nM=f64(values), duration_s=duration_s, dt=dt)
    add_case(b, comment, flags, "KineticSimulator.simulate", **inputs)


def _simulations(b: SafetyBuilder) -> None:
    truth = {"AND": [[200.0, 200.0], [200.0, 0.0], [100.0, 150.0]],
             "OR": [[0.0, 0.0], [200.0, 0.0], [50.0, 100.0]], "NOT": [[0.0], [200.0], [60.0]],
             "MUX": [[200.0, 200.0, 0.0], [0.0, 200.0, 0.0], [50.0, 120.0, 30.0]],
             "THRESHOLD": [[200.0], [30.0], [120.0]], "AMPLIFIER": [[10.0], [100.0]],
             "BUFFER": [[70.0]], "NAND": [[200.0, 200.0], [100.0, 0.0]],
             "XOR": [[200.0, 0.0], [120.0, 80.0]], "cascade": [[200.0, 200.0], [100.0, 150.0]],
             "mixed": [[200.0, 0.0], [90.0, 170.0]]}
    for network, rows in truth.items():
        for k, row in enumerate(rows):
            integrator = "rk4" if k % 2 else "euler"
            _simulate(b, f"{network} {row}, {integrator}", network, row, integrator=integrator)
    _simulate(b, "stiff: k_hyb 1e9, k_disp 1e4 (sub-steps), euler", "cascade", [100.0, 150.0],
              rate_hybridization=1e9, rate_displacement=1e4, duration_s=5.0, dt=1.0)
    _simulate(b, "stiff: k_hyb 1e9, k_disp 1e4 (sub-steps), rk4", "cascade", [100.0, 150.0],
              integrator="rk4", rate_hybridization=1e9, rate_displacement=1e4, duration_s=5.0,
              dt=1.0)
    _simulate(b, "the issue's case: k_hyb 1e12, dt 1, AND(100, 100), euler", "AND",
              [100.0, 100.0], rate_hybridization=1e12, duration_s=30.0, dt=1.0)
    _simulate(b, "the issue's case: k_hyb 1e12, dt 1, AND(100, 100), rk4", "AND",
              [100.0, 100.0], integrator="rk4", rate_hybridization=1e12, duration_s=30.0, dt=1.0)
    _simulate(b, "duration not a multiple of dt (last step 5 s)", "OR", [50.0, 20.0],
              duration_s=95.0, dt=30.0)
    _simulate(b, "duration 0: the initial state only", "NOT", [0.0], duration_s=0.0)
    _simulate(b, "inputs above 200 nM saturate", "AND", [400.0, 250.0])
    _simulate(b, "at 25 C (Arrhenius factor)", "cascade", [200.0, 100.0], temperature_c=25.0)
    _simulate(b, "concentration names in another order", "MUX", [0.0, 200.0, 200.0],
              names=["B", "A", "S"])
    for comment, flags, values, names, extra in (
            ("dt 0", "OutOfRange", [0.0], None, {"dt": 0.0}),
            ("dt negative", "OutOfRange", [0.0], None, {"dt": -1.0}),
            ("dt NaN", "NonFinite", [0.0], None, {"dt": NAN}),
            ("more than 1e6 steps", "TooLarge", [0.0], None, {"dt": 1e-4, "duration_s": 101.0}),
            ("duration negative", "OutOfRange", [0.0], None, {"duration_s": -1.0}),
            ("duration infinite", "NonFinite", [0.0], None, {"duration_s": INF}),
            ("a negative input", "OutOfRange", [-1.0], None, {}),
            ("a NaN input", "NonFinite", [NAN], None, {}),
            ("an input without a concentration", "Missing", [], [], {}),
            ("a concentration for an unknown signal", "Unknown", [10.0, 10.0], ["A", "Q"], {}),
            ("a concentration for a gate output", "Unknown", [10.0, 10.0], ["A", "B"], {}),
            ("sub-steps beyond the stability budget (dt over 1/k_max)", "TooLarge", [0.0], None,
             {"rate_hybridization": 1e15, "rate_displacement": 1e15, "dt": 1.0,
             "duration_s": 10.0})):
        _simulate(b, f"simulate with {comment}", "NOT", values, flags=flags, names=names,
                  **extra)
    _simulate(b, "simulate with an unknown integrator", "NOT", [0.0], flags="Unknown",
              integrator="midpoint")


def _gf4(b: SafetyBuilder) -> None:
    for r, m in ((4, 12), (2, 3), (3, 18), (4, 81), (8, 5), (2, 1)):
        for seq in ("", "A", "ACGTACGTAC", "ATCGATCGATCG", "GGGGCCCCAAAATTTTACGTG" * 5):
            b.valid(f"encode {len(seq)} nt with n_parity {r}, block {m}",
                    "GF4ErrorCorrection.encode", n_parity=r, block_size=m, sequence=seq)
    b.valid("encode lower case", "GF4ErrorCorrection.encode", n_parity=4, block_size=12,
            sequence="acgtnacgt".replace("n", "g"))
    for comment, flags, r, m in (
            ("n_parity 1", "OutOfRange", 1, 1),
            ("n_parity 9", "OutOfRange", 9, 4),
            ("block_size 0", "OutOfRange", 4, 0),
            ("block_size 82 with 4 parity", "OutOfRange Boundary", 4, 82),
            ("block_size 4 with 2 parity", "OutOfRange Boundary", 2, 4)):
        b.invalid(f"code with {comment}", flags, "GF4ErrorCorrection.encode", n_parity=r,
                  block_size=m,
                  sequence="ACGT")
    b.invalid("encode a bad base", "Malformed",
              "GF4ErrorCorrection.encode", n_parity=4, block_size=12,
              sequence="ACGU")
    code = dm.GF4ErrorCorrection()
    data = "ATCGATCGATCGGATTACACCAT"
    word = code.encode(data)
    b.valid("decode a clean word", "GF4ErrorCorrection.decode", n_parity=4, block_size=12,
            encoded_sequence=word)
    for pos in (0, 5, 11, 12, 15, 16, 24, 27, 30):
        for sub in "ACGT":
            if word[pos] != sub:
                bad = word[:pos] + sub + word[pos + 1:]
                b.valid(f"decode with {word[pos]}->{sub} at {pos}", "GF4ErrorCorrection.decode",
                        n_parity=4, block_size=12, encoded_sequence=bad)
                break
    b.valid("two blocks each with one substitution", "GF4ErrorCorrection.decode", n_parity=4,
            block_size=12, encoded_sequence=_flip(_flip(word, 3), 20))
    double = _uncorrectable(code, word)
    b.invalid("decode a double substitution no single error explains", "Malformed",
              "GF4ErrorCorrection.decode", n_parity=4, block_size=12, encoded_sequence=double)
    b.invalid("decode a truncated last block", "Malformed", "GF4ErrorCorrection.decode", n_parity=4,
              block_size=12, encoded_sequence=word + "ACGT")
    b.invalid("decode a bad base", "Malformed",
              "GF4ErrorCorrection.decode", n_parity=4, block_size=12,
              encoded_sequence="ACGN" + word)


def _flip(word: str, pos: int) -> str:
    return word[:pos] + ("C" if word[pos] == "A" else "A") + word[pos + 1:]


def _uncorrectable(code: dm.GF4ErrorCorrection, word: str) -> str:
    for i in range(16):
        for j in range(i + 1, 16):
            bad = _flip(_flip(word, i), j)
            try:
                code.decode(bad)
            except ValueError:
                return bad
    raise AssertionError("every double error decodes")


FOLD = ("GGGGAAAACCCC", "ACGTACGTACGTACGTACGT", "GCGCTTTTGCGCAAAAGCGCTTTTGCGC", "AAAAAAAAAA",
        "ACGT", "G", "CCGGTACTAGTCCGGATTACGGACTAGTACCGG", "TTAGGCCTAATTAGGCCTAA")


def _folding(b: SafetyBuilder) -> None:
    for seq in FOLD:
        b.valid(f"MFE of {seq}", "NUPACKInterface.compute_mfe", sequence=seq)
        for t in (25.0, 37.0, 60.0):
            b.valid(f"pair probabilities of {seq} at {t} C",
                    "NUPACKInterface.compute_pair_probabilities", sequence=seq, temperature_c=t)
    b.invalid("MFE of 301 nt", "TooLarge",
              "NUPACKInterface.compute_mfe", sequence="ACGT" * 75 + "A")
    b.invalid("MFE of an empty sequence", "Empty", "NUPACKInterface.compute_mfe", sequence="")
    b.invalid("MFE with a bad base", "Malformed", "NUPACKInterface.compute_mfe", sequence="ACGX")
    b.invalid("pair probabilities at -1 C", "OutOfRange",
              "NUPACKInterface.compute_pair_probabilities",
              sequence="ACGTACGT", temperature_c=-1.0)


def _structure(b: SafetyBuilder) -> None:
    op = "CrossHybridizationChecker.check"
    for name, run in (("AND", 8), ("cascade", 6), ("mixed", 12), ("OR", 4)):
        b.valid(f"cross-hybridisation of {name}, runs >= {run}", op, **_net(name, seed=3),
                max_complementary_run=run)
    b.invalid("max_complementary_run 0", "OutOfRange", op, **_net("AND"), max_complementary_run=0)
    for a, c in (("ACGTAC", "GTACGT"), ("AAAA", "AAAA"), ("GATTACA", "TGTAATC"),
                 ("ACGGTCA", "TTTTT"), ("A", "T")):
        b.valid(f"complementary run of {a} and {c}", "complementary_run", a=a, b=c)
    b.invalid("complementary run with a bad base", "Malformed",
              "complementary_run", a="ACGT", b="AXGT")
    op = "HairpinChecker.check_strand"
    for seq in ("GGGGAAAACCCC", "ACGCGTTTTTTTTTTTTTTTACGCGT", "GCGCAAAGCGCTTTGCGCAAAGCGC",
                "AAAAAAAAAA", "GGATCCAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGGATCC", "CCCCGGGG"):
        b.valid(f"hairpins of {seq}", op, sequence=seq, min_stem_length=4, min_loop_length=3,
                max_loop_length=30)
    b.valid("short stems allowed (2), loops up to 5", op, sequence="GCAAAGCTTTGCAAAGC",
            min_stem_length=2, min_loop_length=3, max_loop_length=5)
    for comment, flags, kw in (
            ("min_stem_length 1", "OutOfRange", {"min_stem_length": 1}),
            ("min_loop_length 2", "OutOfRange", {"min_loop_length": 2}),
            ("max_loop_length below min", "OutOfRange", {"max_loop_length": 2}),
            ("a bad base", "Malformed", {"sequence": "ACGTN"})):
        kwargs: dict[str, object] = {"sequence": "GGGGAAAACCCC", "min_stem_length": 4,
                                     "min_loop_length": 3, "max_loop_length": 30}
        kwargs.update(kw)
        b.invalid(f"hairpins with {comment}", flags, op, **kwargs)


def _topology(b: SafetyBuilder) -> None:
    op = "TopologicalAnalyzer.analyze"
    for comment, gates in (
            ("a chain", ["AND A,B C", "NOT C D", "BUFFER D E"]),
            ("fan-out and a diamond", ["BUFFER A B", "NOT A C", "AND B,C D", "OR B,D E"]),
            ("a feedback loop", ["AND A,D B", "NOT B C", "BUFFER C D", "BUFFER D2 E"]),
            ("two loops and a tail", ["NOT X Y", "NOT Y X", "AND X,Q R", "NOT R S", "NOT S R"]),
            ("a MUX tree", ["MUX S,A,B C", "MUX S,C,B D", "XOR C,D E"]),
            ("no gates", [])):
        b.valid(f"topology of {comment}", op, gates=strs(gates))
    b.invalid("topology with a 1-input AND", "WrongShape", op, gates=strs(["AND A C"]))
    b.invalid("topology with a gate reading its output", "Inconsistent",
              op, gates=strs(["OR A,C C"]))


def _optimizer_cases(b: SafetyBuilder) -> None:
    op = "GateOptimizer.optimize"
    for comment, gates, outs in (
            ("identity buffers are bypassed", ["BUFFER A B", "AND B,C D", "BUFFER D E"], ["E"]),
            ("a required buffer stays", ["BUFFER A B", "NOT B C"], ["B", "C"]),
            ("duplicates merge (commutative inputs)", ["AND A,B C", "AND B,A D", "OR C,D E"],
             ["E"]),
            ("MUX inputs are ordered", ["MUX S,A,B C", "MUX S,B,A D", "XOR C,D E"], ["E"]),
            ("dead gates go, transitively", ["AND A,B C", "NOT C D", "NOT A E"], ["E"]),
            ("a buffer kept when removal would repeat an input", ["BUFFER A B", "AND A,B C"],
             ["C"]),
            ("thresholds differ: no duplicate", ["THRESHOLD A B threshold=0.2",
                                                 "THRESHOLD A C threshold=0.3", "OR B,C D"],
             ["D"]),
            ("nothing to do", ["AND A,B C"], ["C"])):
        b.valid(f"optimizer: {comment}", op, gates=strs(gates), output_names=strs(outs))
    b.invalid("optimizer with a signal driven twice", "Duplicate",
              op, gates=strs(["NOT A B", "NOT C B"]),
              output_names=strs(["B"]))
    b.invalid("optimizer with repeated output names", "Duplicate", op, gates=strs(["NOT A B"]),
              output_names=strs(["B", "B"]))


def _degradation(b: SafetyBuilder) -> None:
    op = "DegradationModel.predict_concentration"
    lengths, conc = i64([1, 20, 21, 45, 120]), f64([100.0, 200.0, 0.0, 50.0, 1e6])
    for half, t, hours in ((24.0, 37.0, 4.0), (2.0, 37.0, 2.0), (24.0, 50.0, 10.0),
                           (0.5, 4.0, 0.0), (100.0, 95.0, 72.0)):
        b.valid(f"decay, half-life {half} h, {t} C, {hours} h", op, half_life_hr=half,
                temperature_c=t, time_hr=hours, strand_lengths=lengths, initial_nM=conc)
    for comment, flags, kw in (
            ("half-life 0", "OutOfRange", {"half_life_hr": 0.0}),
            ("negative time", "OutOfRange", {"time_hr": -1.0}),
            ("length 0", "WrongShape", {"strand_lengths": i64([0])}),
            ("negative concentration", "OutOfRange",
             {"initial_nM": f64([-1.0]), "strand_lengths": i64([10])})):
        kwargs: dict[str, object] = {"half_life_hr": 24.0, "temperature_c": 37.0,
                                     "time_hr": 4.0, "strand_lengths": lengths,
                                     "initial_nM": conc}
        kwargs.update(kw)
        b.invalid(f"decay with {comment}", flags, op, **kwargs)


def _robustness(b: SafetyBuilder) -> None:
    op = "NoiseModel.sensitivity_analysis"
    for name, values, seed in (("AND", [200.0, 200.0], 42), ("cascade", [100.0, 150.0], 7)):
        b.valid(f"noise on {name}", op, **_net(name), concentration_cv=0.1, temperature_std_c=2.0,
                n_trials=4, noise_seed=u64(seed), concentration_names=strs(NETWORKS[name][1]),
                input_concentrations_nM=f64(values), duration_s=120.0)
    b.valid("no noise at all", op, **_net("NOT"), concentration_cv=0.0, temperature_std_c=0.0,
            n_trials=3, noise_seed=u64(1), concentration_names=strs(["A"]),
            input_concentrations_nM=f64([50.0]), duration_s=60.0)
    for comment, flags, kw in (
            ("n_trials 0", "OutOfRange", {"n_trials": 0}),
            ("negative cv", "OutOfRange", {"concentration_cv": -0.1}),
            ("a missing input", "Missing",
             {"concentration_names": strs(["A"]), "input_concentrations_nM": f64([1.0])})):
        kwargs: dict[str, object] = dict(_net("AND"), concentration_cv=0.1, temperature_std_c=1.0,
                                         n_trials=2, noise_seed=u64(1),
                                         concentration_names=strs(["A", "B"]),
                                         input_concentrations_nM=f64([1.0, 2.0]),
                                         duration_s=10.0)
        kwargs.update(kw)
        b.invalid(f"noise with {comment}", flags, op, **kwargs)
    op = "ConcentrationOptimizer.optimize"
    table = ["A=200,B=200;C=high", "A=200,B=0;C=low", "A=0,B=200;C=low"]
    for n in (1, 2, 5, 12):
        b.valid(f"optimizer on AND, {n} evaluations", op, **_net("AND"), n_evaluations=n,
                optimizer_seed=u64(42), truth_table=strs(table), duration_s=300.0)
    b.valid("optimizer with numeric targets on the cascade", op, **_net("cascade"),
            n_evaluations=8, optimizer_seed=u64(3),
            truth_table=strs(["A=150,B=150;E=120", "A=50,B=200;E=low,C=10"]), duration_s=200.0)
    for comment, flags, rows in (
            ("an unknown output", "Unknown", ["A=200,B=200;Z=high"]),
            ("level medium", "WrongType", ["A=200,B=200;C=medium"]),
            ("an empty table", "Empty", [])):
        b.invalid(f"optimizer with {comment}", flags, op, **_net("AND"), n_evaluations=3,
                  optimizer_seed=u64(1), truth_table=strs(rows), duration_s=60.0)
    op = "SCPrecisionAnalyzer.analyze"
    for name, values in (("AND", [200.0, 100.0]), ("cascade", [100.0, 150.0]), ("NOT", [200.0])):
        b.valid(f"precision of {name}", op, **_net(name),
                concentration_names=strs(NETWORKS[name][1]),
                input_concentrations_nM=f64(values), max_conc_nM=200.0, duration_s=300.0)
    b.valid("precision of a short run (1 tail sample)", op, **_net("AND"),
            concentration_names=strs(["A", "B"]), input_concentrations_nM=f64([200.0, 200.0]),
            max_conc_nM=100.0, duration_s=5.0)
    b.invalid("precision with max_conc_nM 0", "OutOfRange", op, **_net("AND"),
              concentration_names=strs(["A", "B"]), input_concentrations_nM=f64([1.0, 1.0]),
              max_conc_nM=0.0, duration_s=10.0)


def _lab(b: SafetyBuilder) -> None:
    op = "estimate_cost"
    for name, grade, price, fixed in (("AND", "standard", 0.10, 5.0),
                                      ("cascade", "hplc", 0.25, 3.5),
                                      ("mixed", "page", 0.07, 0.0)):
        b.valid(f"cost of {name}, {grade}", op, **_net(name), price_per_base_usd=price,
                fixed_per_oligo_usd=fixed, purification=grade)
    for comment, flags, kw in (
            ("purification gold", "Unknown", {"purification": "gold"}),
            ("a negative price", "OutOfRange", {"price_per_base_usd": -0.1})):
        kwargs: dict[str, object] = dict(_net("AND"), price_per_base_usd=0.1,
                                         fixed_per_oligo_usd=5.0, purification="standard")
        kwargs.update(kw)
        b.invalid(f"cost with {comment}", flags, op, **kwargs)
    op = "PlateLayout.layout"
    big = [f"NOT n{k} n{k + 1}" for k in range(34)]
    for wells in (96, 384):
        b.valid(f"plate layout of the cascade, {wells} wells", op, **_net("cascade"), n_wells=wells)
        b.valid(f"plate layout over two plates, {wells} wells", op, method="displacement",
                seed=u64(42), temperature_c=37.0, gates=strs(big), input_names=strs(["n0"]),
                output_names=strs(["n34"]), n_wells=wells)
    b.invalid("plate layout with 100 wells", "Unknown", op, **_net("AND"), n_wells=100)


def _bridges(b: SafetyBuilder) -> None:
    op = "DualRailEncoder.encode"
    for name in ("AND", "OR", "NOT", "MUX", "BUFFER", "NAND", "XOR", "cascade", "mixed"):
        b.valid(f"dual rail of {name}", op, **_net(name, seed=8))
    for name in ("THRESHOLD", "AMPLIFIER"):
        b.invalid(f"dual rail of {name} (no complement rail)", "Unsupported", op,
                  **_net(name, seed=8))
    b.invalid("dual rail of NAND compiled by displacement only", "Unsupported", op,
              **(_net("NAND", "displacement") | {"gates": strs(["AND A,B C", "NAND C,A D"]),
                                                 "output_names": strs(["D"])}))
    op = "DualRailEncoder.check_faults"
    b.valid("faults: stuck high, stuck low and two good pairs", op,
            signal_names=strs(["x_T", "x_C", "y_T", "y_C", "z_T", "z_C", "w_T", "w_C", "u_T"]),
            final_nM=f64([180.0, 190.0, 10.0, 20.0, 150.0, 10.0, 5.0, 199.0, 100.0]),
            threshold_nM=50.0)
    b.valid("a value equal to the threshold is low", op, signal_names=strs(["q_T", "q_C"]),
            final_nM=f64([50.0, 50.0]), threshold_nM=50.0)
    b.invalid("faults with a negative threshold", "OutOfRange",
              op, signal_names=strs(["q_T", "q_C"]),
              final_nM=f64([1.0, 2.0]), threshold_nM=-1.0)
    b.invalid("faults with a NaN trace", "NonFinite", op, signal_names=strs(["q_T", "q_C"]),
              final_nM=f64([NAN, 2.0]), threshold_nM=50.0)
    op = "SCNetworkBridge.from_adjacency"
    for comment, adj, ins, outs in (
            ("the reference's example", [[0, 1, 0.5], [0, 0, 1], [0, 0, 0]], [0], [2]),
            ("an inhibitory single source", [[0, -1.0], [0, 0]], [0], [1]),
            ("mixed signs and three sources", [[0, 0, 0, 1.0], [0, 0, 0, -2.0],
                                               [0, 0, 0, 0.3], [0, 0, 0, 0]], [0, 1, 2], [3]),
            ("two inhibitory sources", [[0, 0, -1.0], [0, 0, -1.0], [0, 0, 0]], [0, 1], [2])):
        b.valid(f"adjacency: {comment}", op, method="displacement", seed=u64(42),
                adjacency=f64(adj), input_indices=i64(ins), output_indices=i64(outs))
    for comment, flags, kw in (
            ("a non-square matrix", "WrongShape", {"adjacency": f64([[0, 1, 0]])}),
            ("a NaN weight", "NonFinite", {"adjacency": f64([[0, NAN], [0, 0]])}),
            ("an index out of range", "OutOfRange", {"input_indices": i64([2])}),
            ("repeated output indices", "Duplicate", {"output_indices": i64([1, 1])}),
            ("an undriven output", "Missing", {"adjacency": f64([[0, 0], [0, 0]])})):
        kwargs: dict[str, object] = {"method": "displacement", "seed": u64(42),
                                     "adjacency": f64([[0, 1.0], [0, 0]]),
                                     "input_indices": i64([0]), "output_indices": i64([1])}
        kwargs.update(kw)
        b.invalid(f"adjacency with {comment}", flags, op, **kwargs)
    op = "leak_rate"
    for seq, blocker, t in (("ACGTACGTACGTAAGG", "CCTTACGTACG", 37.0),
                            ("GGGGCCCC", "GGGGCCCC", 25.0), ("ATATATAT", "CCCCCCCC", 37.0),
                            ("ACGT", "ACGT", 90.0)):
        b.valid(f"leak of {seq} against {blocker} at {t} C", op, sequence=seq, blocker=blocker,
                temperature_c=t)
    b.invalid("leak at 101 C", "OutOfRange",
              op, sequence="ACGT", blocker="ACGT", temperature_c=101.0)
    op = "BitstreamToDNA.concentration_of"
    b.valid("5 ones in 8", op, bits=u8([1, 0, 1, 1, 0, 1, 0, 1]))
    b.valid("all zeros", op, bits=u8([0] * 7))
    b.valid("one in three as int64", op, bits=i64([0, 1, 0]))
    b.invalid("a bit value 2", "NotBinary", op, bits=u8([0, 2, 1]))
    b.invalid("an empty stream", "Empty", op, bits=u8([]))
    b.invalid("a 2-D stream", "WrongRank", op, bits=u8([[0, 1], [1, 1]]))
    b.invalid("float bits", "WrongType", op, bits=f64([0.0, 1.0]))


def _limits(b: SafetyBuilder) -> None:
    """Every model constant, and the length limits at their edges."""
    b.valid("every model constant", "constants")
    b.valid("complementary run at the longest sequence (100000 nt)", "complementary_run",
            a="A" * 100_000, b="T")
    b.invalid("complementary run one nucleotide beyond the longest sequence", "TooLarge Boundary",
              "complementary_run", a="A" * 100_001, b="T")
    b.valid("MFE at the built-in model's longest sequence (300 nt)",
            "NUPACKInterface.compute_mfe", sequence="ACGGTCATTG" * 30)
    _designer(b, "a sequence of the longest designable length (1000 nt)", names=["max"],
              lengths=i64([1000]))
    _designer(b, "max_tries at its limit (100000)", max_tries=100_000, max_similarity=1.0,
              names=["x"], lengths=i64([6]))


def add_cases(b: SafetyBuilder) -> None:
    """Every case, in file order."""
    for part in (_limits, _strands, _thermo, _designs, _compile_gates, _compile_network, _validate,
                 _rates, _simulations, _gf4, _folding, _structure, _topology, _optimizer_cases,
                 _degradation, _robustness, _lab, _bridges):
        part(b)

