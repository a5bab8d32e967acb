"""Tests of the parity package: golden format, regeneration, comparison and runner.

The fake mirrors here are tiny Python harnesses written into ``tmp_path``; they
answer from the golden file itself (honestly, or with a planted lie) so the
runner's verdicts can be checked without any real toolchain.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from parity import cli, safety_cases  # noqa: E402
from parity.bench import bench_inputs, bench_language, checksum, splitmix64  # noqa: E402
from parity.cases import Builder, RegenError, build_golden  # noqa: E402
from parity.compare import Answer, compare_case, compare_kernel  # noqa: E402
from parity.golden_format import (  # noqa: E402
    Case,
    FormatError,
    GoldenFile,
    dumps_golden,
    loads_golden,
    parse_harness_output,
)
from parity.kernels import INPUTS, KERNELS, OUTPUTS, reference_kernels  # noqa: E402
from parity.languages import NotApplicable, PythonLanguage  # noqa: E402
from parity.regen import GOLDEN_DIR, build_goldens, golden_path, regenerate_files  # noqa: E402
from parity.runner import (  # noqa: E402
    EXIT_MISMATCH,
    EXIT_MISSING,
    EXIT_OK,
    LanguageReport,
    exit_code,
    load_goldens,
    run_language,
)


@pytest.fixture(scope="module")
def goldens() -> dict[str, GoldenFile]:
    return load_goldens(KERNELS)


# ----------------------------------------------------------------- golden files and format

def test_regen_reproduces_the_committed_files_on_this_host() -> None:
    # Inputs and exact outputs bit for bit, rtol outputs within their rtol
    # (parity/golden_diff.py); `make test` runs this again with the SIMD
    # dispatch lowered (python -m parity lower-simd).
    files = regenerate_files(check=True)
    assert [f.name for f in files] == [*KERNELS, *safety_cases.names()]
    differing = {f.name: f.details[:3] for f in files if not f.ok}
    assert not differing, differing


def test_regen_check_reports_a_changed_file(tmp_path: Path) -> None:
    built = build_goldens()

    def states() -> dict[str, str]:
        return {s.name: s.state for s in regenerate_files(tmp_path, check=True, goldens=built)}

    regenerate_files(tmp_path, goldens=built)
    assert set(states().values()) == {"unchanged"}
    path = golden_path("not", tmp_path)
    path.write_bytes(path.read_bytes().replace(b"result valid", b"result invalid", 1))
    assert states()["not"] == "differs"
    golden_path("mux", tmp_path).unlink()
    assert states()["mux"] == "missing"
    assert cli.main(["regen", "--check", "--out", str(tmp_path)]) == 1


@pytest.mark.parametrize("kernel", KERNELS)
def test_committed_file_round_trips_and_is_well_formed(kernel: str) -> None:
    text = golden_path(kernel).read_text(encoding="ascii")
    golden = loads_golden(text)
    assert golden.kernel == kernel
    assert dumps_golden(golden) == text
    assert golden_path(kernel).stat().st_size < 2_000_000
    ids = [c.id for c in golden.cases]
    assert ids == list(range(1, len(ids) + 1))
    assert any(c.valid for c in golden.cases) and any(not c.valid for c in golden.cases)
    for case in golden.cases:
        assert tuple(case.inputs) == INPUTS[kernel], case.id
        if case.valid:
            assert tuple(case.outputs) == OUTPUTS[kernel], case.id
        for arr in [*case.inputs.values(), *case.outputs.values()]:
            assert arr.size > 0, case.id


def test_reader_round_trips_writer_with_edge_values() -> None:
    values = {
        "f": np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.0 / 3.0,
                       np.finfo(np.float64).max]),
        "u": np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64),
        "i": np.array([[-(2**63), -1], [0, 2**63 - 1]], dtype=np.int64),
        "b": np.array([[[0, 255]]], dtype=np.uint8),
        "s": np.array(7, dtype=np.int64),
        "e": np.zeros((2, 0), dtype=np.uint64),
    }
    golden = GoldenFile("demo", [Case(1, "edge values: NaN, -0.0, u64 max", True,
                                      dict(values), {"o": np.array(-0.0)}),
                                 Case(5, "", False, {"x": np.array([1.5])})],
                        header=["a header line"])
    text = dumps_golden(golden)
    back = loads_golden(text)
    assert back.kernel == "demo" and back.header == ["a header line"]
    assert [c.id for c in back.cases] == [1, 5]
    assert back.cases[1].valid is False and back.cases[1].outputs == {}
    for name, arr in values.items():
        got = back.cases[0].inputs[name]
        assert got.dtype == arr.dtype and got.shape == arr.shape, name
        assert got.tobytes() == arr.tobytes(), name  # bit patterns, NaN and -0.0 included
    assert np.signbit(back.cases[0].outputs["o"])
    assert dumps_golden(back) == text


def test_f64_written_as_16_hex_digits_and_u64_as_decimal() -> None:
    golden = GoldenFile("k", [Case(1, "c", True, {"p": np.array([0.5])},
                                   {"w": np.array([2**64 - 1], dtype=np.uint64)})])
    text = dumps_golden(golden)
    assert "in p f64 1 1 : 3fe0000000000000\n" in text
    assert "out w u64 1 1 : 18446744073709551615\n" in text


@pytest.mark.parametrize("text, fragment", [
    ("case 1\n", "kernel"),
    ("kernel k\ncase 1\ncomment x\nresult valid\n", "no 'end'"),
    ("kernel k\ncase 1\ncomment x\nend\n", "no 'result'"),
    ("kernel k\ncase 0\nresult valid\nend\n", "positive"),
    ("kernel k\ncase 1\nresult invalid\nend\ncase 1\nresult invalid\nend\n", "unique"),
    ("kernel k\ncase 1\nresult valid\nend\n", "lists no outputs"),
    ("kernel k\ncase 1\nresult maybe\nend\n", "valid"),
    ("kernel k\ncase 1\nresult invalid\nout o u8 1 1 : 1\nend\n", "lists outputs"),
    ("kernel k\ncase 1\nresult valid\nin a u8 1 2 : 1\nend\n", "needs 2 values"),
    ("kernel k\ncase 1\nresult valid\nin a u8 1 1 : 256\nend\n", "out of range"),
    ("kernel k\ncase 1\nresult valid\nin a f32 1 1 : 1\nend\n", "dtype"),
    ("kernel k\ncase 1\nresult valid\nin a f64 0 : 1.5\nend\n", "16 lowercase hex digits"),
    ("kernel k\ncase 1\nresult valid\nin a u64 2 1 : 1\nend\n", "needs 2 dimensions"),
    ("kernel k\ncase 1\nresult valid\nin a u64 1 1 1\nend\n", "' : '"),
    ("kernel k\ncase 1\nresult valid\nbogus\nend\n", "unknown line"),
])
def test_reader_rejects_malformed_files(text: str, fragment: str) -> None:
    with pytest.raises(FormatError, match=fragment.replace("(", r"\(")):
        loads_golden(text)


def test_harness_output_parser() -> None:
    out = ("# note\ncase 1 ok\nout out u64 1 2 : 3 4\n\ncase 2 invalid probs must be finite\n"
           "case 3 invalid\nend\n")
    answers = parse_harness_output(out)
    assert list(answers) == [1, 2, 3]
    assert answers[1].ok and answers[1].outputs["out"].tolist() == [3, 4]
    assert not answers[2].ok and answers[2].reason == "probs must be finite"
    assert not answers[3].ok and answers[3].reason == ""
    for bad in ("case 1 maybe\n", "out out u64 1 1 : 3\n", "case 1 ok\ncase 1 ok\n",
                "case 2 invalid x\nout out u64 1 1 : 3\n", "hello\n",
                "case 1 ok\nout o u8 0 : 1\nout o u8 0 : 1\n"):
        with pytest.raises(FormatError):
            parse_harness_output(bad)


# ------------------------------------------------------------- case generation and reference

def test_builder_refuses_a_case_the_reference_disagrees_with() -> None:
    b = Builder("not")
    with pytest.raises(RegenError, match="meant to be invalid"):
        b.invalid("actually fine", a=np.array([1], dtype=np.uint64))
    with pytest.raises(RegenError, match="meant to be valid"):
        b.valid("actually bad", a=np.array([1], dtype=np.int64))
    with pytest.raises(RegenError, match="inputs must be"):
        b.valid("wrong field", b=np.array([1], dtype=np.uint64))
    assert b.cases == []


def test_build_is_deterministic_and_rejects_unknown_kernels() -> None:
    assert dumps_golden(build_golden("sc_forward")) == dumps_golden(build_golden("sc_forward"))
    with pytest.raises(ValueError, match="kernel must be one of"):
        build_golden("matmul")


def test_golden_cases_cover_the_required_edges(goldens: dict[str, GoldenFile]) -> None:
    enc = goldens["encode"].cases
    probs = np.concatenate([c.inputs["probs"].ravel() for c in enc if c.valid])
    grid = probs * 65536.0
    assert {0.0, 1.0} <= set(probs.tolist())
    assert np.any(grid == np.round(grid)) and np.any(grid != np.round(grid))
    assert np.any(grid - np.floor(grid) == 0.5)  # exact half-way points
    lengths = {int(c.inputs["length"]) for c in enc if c.valid}
    assert {1, 63, 64, 65, 127, 1000} <= lengths and max(lengths) > 65535
    seeds = {int(c.inputs["seed"]) for c in enc if c.valid}
    assert {0, 1, 65535, 2**32 - 1} <= seeds
    assert any(c.inputs["probs"].ndim == 2 for c in enc if c.valid)
    fwd = goldens["sc_forward"].cases
    assert any(c.inputs["weights"].shape == (1, 1, 1) for c in fwd if c.valid)
    assert max(c.inputs["weights"].size for c in fwd) >= 2000
    lif = goldens["lif_step"].cases
    ties = [c for c in lif if c.valid and "exact ties" in c.comment]
    assert ties and all(np.any(c.outputs["spike"] == 1) for c in ties)
    for case in lif:
        if case.valid and "exact ties" not in case.comment:
            x = {k: v for k, v in case.inputs.items()}
            v_new = (x["v"] + (x["v_rest"] - x["v"]) * x["alpha"] + x["i_t"] * x["resistance"]
                     + x["noise"])
            assert np.all(np.abs(v_new - x["v_threshold"]) > 1e-9), case.id


def test_golden_encode_and_forward_agree_with_the_bit_by_bit_oracle(
        goldens: dict[str, GoldenFile]) -> None:
    import oracle

    checked = 0
    for case in goldens["encode"].cases:
        p, n, s = case.inputs["probs"], int(case.inputs["length"]), int(case.inputs["seed"])
        if case.valid and p.ndim == 1 and p.size * n <= 50_000:
            want = oracle.encode(p.tolist(), n, s)
            assert case.outputs["packed"].tolist() == want, case.id
            checked += 1
    for case in goldens["sc_forward"].cases:
        w, p = case.inputs["weights"], case.inputs["probs"]
        n, s = int(case.inputs["length"]), int(case.inputs["seed"])
        if case.valid and p.ndim == 1 and w.size * 64 <= 200_000:
            want = oracle.forward(w.tolist(), p.tolist(), n, s)
            assert case.outputs["out"].tolist() == want, case.id
            checked += 1
    assert checked >= 20


# -------------------------------------------------------------------------- comparison

def test_compare_reports_first_differing_element(goldens: dict[str, GoldenFile]) -> None:
    case = next(c for c in goldens["sc_forward"].cases if c.valid and c.outputs["out"].size > 2)
    got = case.outputs["out"].copy()
    assert compare_case("sc_forward", case, Answer("ok", {"out": got})) is None
    flat = got.reshape(-1)
    flat[2] = np.nextafter(flat[2], 2.0)
    found = compare_case("sc_forward", case, Answer("ok", {"out": got}))
    assert found is not None and found.case_id == case.id and found.output == "out"
    assert found.index == tuple(int(i) for i in np.unravel_index(2, got.shape))
    assert "expected" in found.describe() and str(case.id) in found.describe()
    wrong_dtype = compare_case("sc_forward", case,
                               Answer("ok", {"out": case.outputs["out"].astype(np.float32)}))
    assert wrong_dtype is not None and wrong_dtype.message == "wrong dtype"
    wrong_shape = compare_case("sc_forward", case,
                               Answer("ok", {"out": case.outputs["out"].reshape(1, -1)}))
    assert wrong_shape is not None and wrong_shape.message == "wrong shape"
    assert compare_case("sc_forward", case, Answer("ok", {})).message == "output missing"
    refused = compare_case("sc_forward", case, Answer("invalid", reason="x"))
    assert refused is not None and "refused valid" in refused.message


def test_compare_invalid_cases_need_a_refusal(goldens: dict[str, GoldenFile]) -> None:
    case = next(c for c in goldens["encode"].cases if not c.valid)
    assert compare_case("encode", case, Answer("invalid", reason="ValueError")) is None
    assert "accepted invalid" in compare_case("encode", case, Answer("ok", {})).message
    assert "got an error" in compare_case("encode", case,
                                          Answer("error", reason="RuntimeError")).message


def test_compare_lif_tolerance(goldens: dict[str, GoldenFile]) -> None:
    case = next(c for c in goldens["lif_step"].cases
                if c.valid and np.any(c.outputs["spike"] == 0) and c.outputs["v"].size > 3)
    v, spike = case.outputs["v"], case.outputs["spike"]
    k = int(np.flatnonzero(spike == 0)[0])
    near = v.copy()
    near[k] = np.nextafter(near[k], np.inf)
    assert compare_case("lif_step", case, Answer("ok", {"v": near, "spike": spike})) is None
    far = v.copy()
    far[k] += 1e-9 * max(abs(far[k]), 1.0)
    found = compare_case("lif_step", case, Answer("ok", {"v": far, "spike": spike}))
    assert found is not None and found.output == "v" and found.index == (k,)
    flipped = spike.copy()
    flipped[k] = 1
    found = compare_case("lif_step", case, Answer("ok", {"v": v, "spike": flipped}))
    assert found is not None and found.output == "spike"


def test_compare_kernel_counts_missing_unknown_and_na(goldens: dict[str, GoldenFile]) -> None:
    golden = goldens["not"]
    ref = reference_kernels()["not"]
    answers = {}
    for case in golden.cases:
        try:
            answers[case.id] = Answer("ok", ref(case.inputs))
        except (ValueError, TypeError) as exc:
            answers[case.id] = Answer("invalid", reason=str(exc))
    assert compare_kernel(golden, answers).status == "pass"
    dropped = dict(answers)
    del dropped[golden.cases[-1].id]
    result = compare_kernel(golden, dropped)
    assert result.status == "fail" and result.first.message == "no answer for this case"
    assert compare_kernel(golden, {**answers, 999: Answer("ok", {})}).status == "fail"
    all_na = {c.id: Answer("n/a") for c in golden.cases}
    assert compare_kernel(golden, all_na).status == "n/a"


# ------------------------------------------------------------------- Python-side languages

def test_every_golden_case_passes_the_python_reference(goldens: dict[str, GoldenFile]) -> None:
    report = run_language("python", goldens)
    assert report.status == "pass"
    assert [r.kernel for r in report.results] == list(KERNELS)
    for r in report.results:
        assert r.status == "pass" and r.passed == r.total == len(goldens[r.kernel].cases), r


def _custom_language(kernels: dict) -> PythonLanguage:
    return PythonLanguage("custom", "test language", "nothing to install", lambda: None,
                          lambda: kernels)


def test_python_language_catches_wrong_answers(goldens: dict[str, GoldenFile]) -> None:
    ref = reference_kernels()

    def off_by_one(x: dict) -> dict:
        counts = ref["popcount"](x)["counts"]
        counts.reshape(-1)[-1] += np.uint64(1)
        return {"counts": counts}

    def lenient_not(x: dict) -> dict:
        return {"out": np.invert(np.asarray(x["a"]).astype(np.uint64))}

    def crashing_mux(x: dict) -> dict:
        ref["mux"](x)
        raise RuntimeError("boom")

    def partial_pack(x: dict) -> dict:
        if x["bits"].ndim != 1:
            raise NotApplicable("1-D only")
        return ref["pack"](x)

    lang = _custom_language({"popcount": off_by_one, "not": lenient_not, "mux": crashing_mux,
                             "pack": partial_pack})
    path = GOLDEN_DIR
    pop = lang.run_kernel(goldens["popcount"], path)
    assert pop.status == "fail" and pop.first.message == "values differ"
    neg = lang.run_kernel(goldens["not"], path)
    assert neg.status == "fail" and "accepted invalid" in neg.first.message
    mux = lang.run_kernel(goldens["mux"], path)
    assert mux.status == "fail" and "RuntimeError" in mux.first.message
    pack = lang.run_kernel(goldens["pack"], path)
    assert pack.status == "pass" and pack.not_applicable > 0
    assert pack.passed == pack.total == len(goldens["pack"].cases) - pack.not_applicable
    missing = lang.run_kernel(goldens["sc_forward"], path)
    assert missing.status == "n/a" and missing.cell() == "n/a"


def test_unknown_language_is_rejected() -> None:
    from parity.languages import get_language

    with pytest.raises(ValueError, match="language must be one of"):
        get_language("cobol")
    with pytest.raises(SystemExit):
        cli.main(["run", "--lang", "cobol"])


# ----------------------------------------------------------------------------- fake mirrors

FAKE_HARNESS = '''
import sys

BEHAVIOUR = {behaviour!r}
TARGET = {target!r}
CHECKSUM = {checksum!r}


def lie(line):
    head, _, values = line.partition(" : ")
    tokens = values.split()
    last = tokens[-1]
    if len(last) == 16 and head.split()[2] == "f64":
        tokens[-1] = last[:3] + ("0" if last[3] != "0" else "8") + last[4:]
    else:
        tokens[-1] = str(int(last) ^ 1)
    return head + " : " + " ".join(tokens)


def main(argv):
    if BEHAVIOUR == "no-toolchain":
        print("no adapter found; install a driver", file=sys.stderr)
        return 2
    if BEHAVIOUR == "crash":
        print("segfault", file=sys.stderr)
        return 1
    if argv[0] == "bench":
        print("median_ns 12345")
        print("checksum %d" % (CHECKSUM if BEHAVIOUR != "lie" else (CHECKSUM + 1) % 2**64))
        return 0
    _, kernel, path = argv
    case, valid, outs = None, None, []
    with open(path) as fh:
        for raw in fh:
            line = raw.rstrip("\\n")
            word = line.split(" ", 1)[0]
            if word == "case":
                case, outs = int(line.split()[1]), []
            elif word == "result":
                valid = line.split()[1] == "valid"
            elif word == "out":
                outs.append(line)
            elif word == "end":
                if BEHAVIOUR == "drop" and case == TARGET:
                    continue
                if valid:
                    print("case %d ok" % case)
                    for i, out in enumerate(outs):
                        print(lie(out) if BEHAVIOUR == "lie" and case == TARGET and i == 0
                              else out)
                elif BEHAVIOUR == "accept" and case == TARGET:
                    print("case %d ok" % case)
                else:
                    print("case %d invalid refused by the fake harness" % case)
    return 0


sys.exit(main(sys.argv[1:]))
'''


def make_mirror(root: Path, lang: str = "go", behaviour: str = "honest", target: int = 0,
                checksum_value: int = 0, **spec: object) -> Path:
    folder = root / lang
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harness_src.py").write_text(
        FAKE_HARNESS.format(behaviour=behaviour, target=target, checksum=checksum_value))
    description = {
        "toolchain": ["python"],
        "install_hint": "install the fake toolchain",
        "build": [["python", "-c",
                   "import shutil; shutil.copy('harness_src.py', 'harness_built.py')"]],
        "run": ["python", "harness_built.py"],
    }
    description.update(spec)
    (folder / "parity.json").write_text(json.dumps(description))
    return folder


def test_fake_honest_mirror_passes(tmp_path: Path, goldens: dict[str, GoldenFile]) -> None:
    make_mirror(tmp_path)
    report = run_language("go", goldens, mirror_root=tmp_path)
    assert report.status == "pass", [(r.kernel, r.note, r.first) for r in report.results]
    assert all(r.passed == r.total == len(goldens[r.kernel].cases) for r in report.results)
    assert (tmp_path / "go" / "harness_built.py").exists()  # the build step ran


@pytest.mark.parametrize("kernel, target, behaviour, message", [
    ("sc_forward", 3, "lie", "values differ"),
    ("lif_step", 2, "lie", "values differ"),
    ("pack", 1, "lie", "values differ"),
    ("encode", None, "accept", "accepted invalid input"),
    ("mux", 4, "drop", "no answer for this case"),
])
def test_fake_lying_mirror_is_caught(tmp_path: Path, goldens: dict[str, GoldenFile],
                                     kernel: str, target: int | None, behaviour: str,
                                     message: str) -> None:
    golden = goldens[kernel]
    if target is None:
        target = next(c.id for c in golden.cases if not c.valid)
    make_mirror(tmp_path, behaviour=behaviour, target=target)
    report = run_language("go", {kernel: golden}, mirror_root=tmp_path)
    assert report.status == "fail"
    (result,) = report.results
    assert result.status == "fail" and result.failures == 1
    assert result.first.case_id == target and message in result.first.message
    if behaviour == "lie":
        assert result.first.output == OUTPUTS[kernel][0]
        assert result.first.expected != result.first.got


def test_fake_mirror_crash_and_build_failure(tmp_path: Path,
                                             goldens: dict[str, GoldenFile]) -> None:
    make_mirror(tmp_path, behaviour="crash")
    report = run_language("go", {"not": goldens["not"]}, mirror_root=tmp_path)
    assert report.status == "fail" and report.results[0].status == "error"
    assert "exited 1" in report.results[0].note and "segfault" in report.results[0].note
    make_mirror(tmp_path / "b", build=[["python", "-c", "raise SystemExit(3)"]])
    report = run_language("go", {"not": goldens["not"]}, mirror_root=tmp_path / "b")
    assert report.status == "fail" and "exited 3" in report.results[0].note


def test_fake_mirror_kernel_subset_is_na(tmp_path: Path, goldens: dict[str, GoldenFile]) -> None:
    make_mirror(tmp_path, kernels=["not"])
    report = run_language("go", {k: goldens[k] for k in ("not", "and")}, mirror_root=tmp_path)
    assert report.status == "pass"
    assert [(r.kernel, r.status) for r in report.results] == [("not", "pass"), ("and", "n/a")]


def test_missing_toolchain_exits_2_with_hint(tmp_path: Path, capsys) -> None:
    make_mirror(tmp_path, toolchain=["sc-neurocore-no-such-compiler-xyz"],
                install_hint="apt-get install the-xyz-compiler")
    code = cli.main(["run", "--lang", "go", "--kernels", "not", "--mirror-root", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == EXIT_MISSING == 2
    assert "apt-get install the-xyz-compiler" in out and "sc-neurocore-no-such-compiler-xyz" in out
    assert cli.main(["run", "--lang", "julia", "--kernels", "not", "--mirror-root",
                     str(tmp_path)]) == 2  # no julia/parity.json at all


def test_harness_reporting_missing_toolchain_exits_2(tmp_path: Path, capsys) -> None:
    make_mirror(tmp_path, behaviour="no-toolchain")
    code = cli.main(["run", "--lang", "go", "--kernels", "not", "--mirror-root", str(tmp_path),
                     "-q"])
    assert code == 2 and "no adapter found" in capsys.readouterr().out


def test_cli_run_exit_codes_for_one_mirror(tmp_path: Path, capsys) -> None:
    make_mirror(tmp_path / "ok")
    assert cli.main(["run", "--lang", "go", "--kernels", "not,and", "--mirror-root",
                     str(tmp_path / "ok"), "-q"]) == EXIT_OK
    make_mirror(tmp_path / "bad", behaviour="lie", target=2)
    capsys.readouterr()
    assert cli.main(["run", "--lang", "go", "--kernels", "not", "--mirror-root",
                     str(tmp_path / "bad"), "-q"]) == EXIT_MISMATCH
    out = capsys.readouterr().out
    assert "case 2" in out and "index" in out and "expected" in out


def test_cli_run_all_with_require(tmp_path: Path, capsys) -> None:
    make_mirror(tmp_path)
    base = ["run", "--lang", "all", "--kernels", "not", "--mirror-root", str(tmp_path), "-q"]
    assert cli.main(base + ["--require", "python,go"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "missing toolchains:" in out and "mojo" in out  # no mojo/ under tmp_path
    assert cli.main(base + ["--require", "python,go,mojo"]) == EXIT_MISSING
    assert "required but missing: mojo" in capsys.readouterr().out
    make_mirror(tmp_path, behaviour="lie", target=1)
    assert cli.main(base + ["--require", "python"]) == EXIT_MISMATCH


def test_exit_code_rules() -> None:
    ok, bad = LanguageReport("python", "pass"), LanguageReport("go", "fail")
    gone = LanguageReport("mojo", "missing", reason="mojo not found", hint="pip install mojo")
    assert exit_code([ok, gone]) == EXIT_OK
    assert exit_code([ok, gone], require=["mojo"]) == EXIT_MISSING
    assert exit_code([ok], require=["wgsl"]) == EXIT_MISSING
    assert exit_code([ok, bad, gone], require=["mojo"]) == EXIT_MISMATCH
    assert exit_code([gone], single=True) == EXIT_MISSING


def test_list_shows_languages_and_kernels(tmp_path: Path, capsys) -> None:
    make_mirror(tmp_path)
    assert cli.main(["list", "--mirror-root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for name in ("python", "rust", "numba", "jax", "cupy", "go", "mojo", "wgsl", "julia"):
        assert f"  {name} " in out
    for kernel in KERNELS:
        assert f"  {kernel} " in out


# ----------------------------------------------------------------------------------- bench

def _splitmix_scalar(count: int) -> list[int]:
    """FORMAT.md's splitmix64 recurrence, one value at a time in Python ints."""
    mask, state, out = 2**64 - 1, 0x5C0DE, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append(z ^ (z >> 31))
    return out


def test_bench_inputs_follow_format_md() -> None:
    seq = _splitmix_scalar(40)
    assert splitmix64(40).tolist() == seq
    assert splitmix64(10, start=30).tolist() == seq[30:]
    weights, probs = bench_inputs(2, 3, 100)
    assert weights.shape == (2, 3, 2) and weights.reshape(-1).tolist() == seq[:12]
    assert probs.tolist() == [(x >> 11) * 2.0**-53 for x in seq[12:15]]
    assert checksum(np.array([1.0, 0.5])) == 0x3FF0000000000000 + 0x3FE0000000000000
    assert checksum(np.array([np.inf] * 3)) == (3 * 0x7FF0000000000000) % 2**64


def test_bench_python_and_fake_mirror(tmp_path: Path, capsys) -> None:
    from sc_neurocore.accel import sc_forward_numpy

    size = (3, 5, 100)
    data = bench_language("python", [size], reps=1)
    (row,) = data["results"]
    weights, probs = bench_inputs(*size)
    want = checksum(sc_forward_numpy(weights, probs, length=100, seed=44257))
    assert row["bit_identical"] and row["checksum"] == row["reference_checksum"] == want
    make_mirror(tmp_path / "honest", checksum_value=want)
    fake = bench_language("go", [size], reps=1, mirror_root=tmp_path / "honest",
                          numpy_baseline=False)
    assert fake["results"][0]["bit_identical"] and fake["results"][0]["median_ns"] == 12345
    make_mirror(tmp_path / "liar", behaviour="lie", checksum_value=want)
    liar = bench_language("go", [size], reps=1, mirror_root=tmp_path / "liar",
                          numpy_baseline=False)
    assert not liar["results"][0]["bit_identical"]
    make_mirror(tmp_path / "none", toolchain=["sc-neurocore-no-such-compiler-xyz"])
    assert cli.main(["bench", "--lang", "go", "--mirror-root", str(tmp_path / "none"),
                     "--out", str(tmp_path / "results")]) == 2
    assert not (tmp_path / "results").exists()
