"""Golden files that are the same on every CPU: the comparison ``regen --check``
uses (parity/golden_diff.py), what ``regen`` writes, and ``lower-simd``
(parity/simd_levels.py), which ``make test`` uses to run the golden checks as on
an AVX2-only host and on one without AVX2.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from parity import cli  # noqa: E402
from parity.golden_diff import diff_golden  # noqa: E402
from parity.golden_format import Case, GoldenFile, dumps_golden, read_golden  # noqa: E402
from parity.regen import build_goldens, golden_path, regenerate_files  # noqa: E402
from parity.simd_levels import (  # noqa: E402
    GLIBC_MASK,
    LEVELS,
    OPENBLAS_CORES,
    dispatch_targets,
    enabled_in_child,
    lowered_env,
    targets_to_disable,
)


def _file(x: float = 0.5, exact: float = 2.0, soft: float = 1.0 / 3.0) -> GoldenFile:
    case = Case(1, "a case", True, {"x": np.array([x, 1.0])},
                {"exact": np.array(exact), "soft": np.array([soft, 7.0])})
    bad = Case(2, "refused", False, {"x": np.array([np.nan])})
    return GoldenFile("demo", [case, bad], header=["demo file"], rtol={"soft": 1e-12})


def _next_up(value: float) -> float:
    return float(np.nextafter(value, np.inf))


# ------------------------------------------------------------------ the comparison

def test_identical_files_have_no_difference() -> None:
    diff = diff_golden(_file(), _file())
    assert diff.same and not diff.differences and not diff.within_rtol


def test_an_rtol_output_may_move_within_its_rtol() -> None:
    diff = diff_golden(_file(), _file(soft=_next_up(1.0 / 3.0)))
    assert diff.same
    assert len(diff.within_rtol) == 1
    assert "case 1 (a case), output 'soft': 1 value(s) differ within rtol 1e-12" in \
        diff.within_rtol[0]


def test_an_rtol_output_beyond_its_rtol_differs() -> None:
    diff = diff_golden(_file(), _file(soft=1.0 / 3.0 + 1e-9))
    assert not diff.same
    assert "output 'soft', index (0,): values differ (beyond relative tolerance 1e-12)" in \
        diff.differences[0]


def test_an_input_must_match_bit_for_bit() -> None:
    diff = diff_golden(_file(), _file(x=_next_up(0.5)))
    assert not diff.same
    line = diff.differences[0]
    assert line.startswith("case 1 (a case), input 'x', index (0,): values differ")
    assert "3fe0000000000000" in line and "3fe0000000000001" in line


def test_an_output_without_rtol_must_match_bit_for_bit() -> None:
    diff = diff_golden(_file(), _file(exact=_next_up(2.0)))
    assert not diff.same
    assert "output 'exact'" in diff.differences[0] and "index ()" in diff.differences[0]


def test_structure_changes_are_differences() -> None:
    base = _file()
    renamed = _file()
    renamed.cases[0].comment = "another comment"
    flipped = _file()
    flipped.cases[1].valid = True
    fewer = _file()
    fewer.cases.pop()
    loose = _file()
    loose.rtol = {"soft": 1e-9}
    assert "comment 'a case' is now 'another comment'" in diff_golden(base, renamed).differences[0]
    assert "result invalid is now valid" in diff_golden(base, flipped).differences[0]
    assert "case ids differ" in diff_golden(base, fewer).differences[0]
    assert "rtol directives" in diff_golden(base, loose).differences[0]


# ------------------------------------------------------------------ regen

@pytest.fixture(scope="module")
def built() -> dict[str, GoldenFile]:
    return build_goldens()


def _states(folder: Path, built: dict[str, GoldenFile], check: bool = True) -> dict[str, object]:
    return {s.name: s for s in regenerate_files(folder, check=check, goldens=built)}


def _tamper(path: Path, change) -> None:
    golden = read_golden(path)
    change(golden)
    path.write_text(dumps_golden(golden), encoding="ascii")


def _first_rtol_case(golden: GoldenFile, output: str) -> Case:
    return next(c for c in golden.cases if output in c.outputs)


def test_regen_keeps_a_file_that_moved_within_rtol_and_rewrites_a_real_change(
        tmp_path: Path, built: dict[str, GoldenFile]) -> None:
    _states(tmp_path, built, check=False)
    path = golden_path("splitmix", tmp_path)

    def nudge_normal(golden: GoldenFile) -> None:
        out = _first_rtol_case(golden, "normals").outputs["normals"]
        out[0] = np.nextafter(out[0], np.inf)

    _tamper(path, nudge_normal)
    nudged = path.read_bytes()
    status = _states(tmp_path, built)["splitmix"]
    assert status.state == "within rtol" and status.ok
    assert "output 'normals': 1 value(s) differ within rtol" in status.details[0]
    assert _states(tmp_path, built, check=False)["splitmix"].state == "within rtol"
    assert path.read_bytes() == nudged  # kept: it agrees within tolerance

    def nudge_seed_input(golden: GoldenFile) -> None:
        case = golden.cases[0]
        case.inputs["seed"] = np.array(case.inputs["seed"] + np.uint64(1), dtype=np.uint64)

    _tamper(path, nudge_seed_input)
    status = _states(tmp_path, built)["splitmix"]
    assert status.state == "differs" and not status.ok
    assert "input 'seed'" in status.details[0]
    assert _states(tmp_path, built, check=False)["splitmix"].state == "written"
    assert _states(tmp_path, built)["splitmix"].state == "unchanged"


def test_regen_check_prints_what_differs(tmp_path: Path, built: dict[str, GoldenFile],
                                         capsys: pytest.CaptureFixture) -> None:
    _states(tmp_path, built, check=False)

    def nudge_input(golden: GoldenFile) -> None:
        case = next(c for c in golden.cases if c.valid)
        probs = case.inputs["probs"]
        probs.reshape(-1)[0] = np.nextafter(probs.reshape(-1)[0], np.inf)

    _tamper(golden_path("encode", tmp_path), nudge_input)
    assert cli.main(["regen", "--check", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "NumPy SIMD dispatch targets in use:" in out
    assert "encode           differs" in out
    assert "case 1 (" in out and "input 'probs'" in out
    assert "1 golden file(s) differ from this host's build: encode" in out


def test_an_unreadable_committed_file_differs(tmp_path: Path,
                                              built: dict[str, GoldenFile]) -> None:
    _states(tmp_path, built, check=False)
    golden_path("not", tmp_path).write_text("kernel not\ncase 0\n", encoding="ascii")
    status = _states(tmp_path, built)["not"]
    assert status.state == "differs"
    assert "cannot be read" in status.details[0]


# ------------------------------------------------------------------ lowering the SIMD level

NUMPY_24 = {"X86_V3": True, "X86_V4": True, "AVX512_ICL": True, "AVX512_SPR": False}
NUMPY_20 = {"SSSE3": True, "SSE41": True, "POPCNT": True, "SSE42": True, "AVX": True,
            "F16C": True, "FMA3": True, "AVX2": True, "AVX512F": True, "AVX512CD": True,
            "AVX512_KNL": False, "AVX512_SKX": True, "AVX512_ICL": False}
AMD_AVX2 = {"X86_V3": True, "X86_V4": False, "AVX512_ICL": False, "AVX512_SPR": False}


@pytest.mark.parametrize("targets, level, expected", [
    (NUMPY_24, "avx2", ["X86_V4", "AVX512_ICL"]),
    (NUMPY_24, "baseline", ["X86_V3", "X86_V4", "AVX512_ICL"]),
    (NUMPY_20, "avx2", ["AVX512F", "AVX512CD", "AVX512_SKX"]),
    (NUMPY_20, "baseline", ["FMA3", "AVX2", "AVX512F", "AVX512CD", "AVX512_SKX"]),
    (AMD_AVX2, "avx2", []),
    (AMD_AVX2, "baseline", ["X86_V3"]),
])
def test_targets_to_disable_follow_the_cpu_and_the_numpy_version(
        targets: dict[str, bool], level: str, expected: list[str]) -> None:
    assert targets_to_disable(level, targets) == expected


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="level must be one of avx2, baseline"):
        targets_to_disable("sse2", NUMPY_24)


@pytest.mark.parametrize("level", list(LEVELS))
def test_the_lowered_environment_really_turns_numpy_targets_off(level: str) -> None:
    env, off = lowered_env(level, {"PATH": "/usr/bin:/bin", "NPY_DISABLE_CPU_FEATURES": "X"})
    assert off == targets_to_disable(level, enabled_in_child({"PATH": "/usr/bin:/bin"}))
    assert env.get("NPY_DISABLE_CPU_FEATURES", "") == ",".join(off)
    child = enabled_in_child(env)
    assert not any(child[name] for name in off)
    assert (GLIBC_MASK in env.get("GLIBC_TUNABLES", "")) == (level == "baseline")
    if off and platform.machine().lower() in ("x86_64", "amd64"):
        assert env["OPENBLAS_CORETYPE"] == OPENBLAS_CORES[level]
    else:
        assert "OPENBLAS_CORETYPE" not in env
    if level == "baseline":  # only the baseline targets are left
        assert not any(on and LEVELS["baseline"].match(name) for name, on in child.items())


def test_this_process_sees_the_targets_of_its_environment() -> None:
    targets = dispatch_targets()
    assert targets and all(isinstance(v, bool) for v in targets.values())


def test_lower_simd_runs_the_command_lowered() -> None:
    probe = ("import os; print('NPY=' + os.environ.get('NPY_DISABLE_CPU_FEATURES', '')); "
             "print('GLIBC=' + os.environ.get('GLIBC_TUNABLES', ''))")
    run = subprocess.run([sys.executable, "-m", "parity", "lower-simd", "--level", "baseline",
                          "--", sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("lower-simd baseline: ")
    _, off = lowered_env("baseline")
    assert f"NPY={','.join(off)}" in lines
    assert any(line.startswith("GLIBC=") and GLIBC_MASK in line for line in lines)


def test_lower_simd_passes_on_the_exit_status_and_needs_a_command() -> None:
    fail = subprocess.run([sys.executable, "-m", "parity", "lower-simd", "--level", "avx2",
                           "--", sys.executable, "-c", "raise SystemExit(3)"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert fail.returncode == 3
    assert cli.main(["lower-simd", "--level", "avx2"]) == 2


def test_run_simd_tier_checks_its_arguments(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["run", "--lang", "python", "--simd-tier", "all", "-q"]) == 2
    assert "--simd-tier only applies to --lang rust" in capsys.readouterr().err
    engine = pytest.importorskip("sc_neurocore._engine")
    assert cli.main(["run", "--lang", "rust", "--simd-tier", "sse9", "-q"]) == 2
    err = capsys.readouterr().err
    assert "--simd-tier must be 'all' or a tier this CPU supports" in err
    assert engine.simd_tier() in err


def test_rust_golden_cases_pass_on_every_simd_tier(capsys: pytest.CaptureFixture) -> None:
    engine = pytest.importorskip("sc_neurocore._engine")
    assert cli.main(["run", "--lang", "rust", "--simd-tier", "all", "-q",
                     "--kernels", "popcount,and,sc_forward"]) == 0
    out = capsys.readouterr().out
    for tier in engine.available_simd_tiers():
        assert f"SIMD tier {tier} (forced {tier}):" in out
    assert out.count("rust: all pass") == len(engine.available_simd_tiers())
    assert engine.simd_tier() == engine.available_simd_tiers()[0]  # automatic again
