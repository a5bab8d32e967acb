"""A run leaves the checkout as it was: where the timing studies write, and
where the auto backend order looks for this host's results.

``python -m sc_neurocore.accel bench`` and ``python -m parity bench`` write to
``benchmarks/runs/`` (git-ignored) unless ``--out`` says otherwise; the
committed results in ``benchmarks/results/`` are written only on request
(``make bench-results``). ``auto`` reads both folders.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sc_neurocore.accel import backend as backend_mod
from sc_neurocore.accel.__main__ import build_parser

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from parity import cli as parity_cli  # noqa: E402
from parity.bench import RUNS_DIR, results_path  # noqa: E402


def test_accel_bench_writes_to_the_ignored_runs_folder_by_default() -> None:
    args = build_parser().parse_args(["bench"])
    assert Path(args.out) == backend_mod.RUNS_DIR == Path("benchmarks") / "runs"
    assert Path(build_parser().parse_args(["bench", "--out", "x"]).out) == Path("x")


def test_parity_bench_writes_to_the_ignored_runs_folder_by_default(tmp_path: Path) -> None:
    assert RUNS_DIR == REPO / "benchmarks" / "runs"
    assert results_path("go") == REPO / "benchmarks" / "runs" / "parity-bench-go.json"
    assert results_path("go", tmp_path) == tmp_path / "parity-bench-go.json"
    assert parity_cli.build_parser().parse_args(["bench", "--lang", "go"]).out is None


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(),
                    reason="needs git and a checkout")
def test_the_runs_folder_is_ignored_and_the_committed_results_are_not() -> None:
    def ignored(path: str) -> bool:
        run = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False)
        return run.returncode == 0

    assert ignored("benchmarks/runs/bench-some-host.json")
    assert ignored("benchmarks/runs/parity-bench-rust.json")
    assert not ignored("benchmarks/results/parity-bench-rust.json")


def test_results_dirs_cover_runs_and_committed_results(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SC_NEUROCORE_RESULTS", str(tmp_path / "env"))
    dirs = backend_mod.results_dirs()
    assert dirs[0] == tmp_path / "env"
    assert dirs[1:3] == [tmp_path / "benchmarks" / "runs", tmp_path / "benchmarks" / "results"]
    assert dirs[3:] == [REPO / "benchmarks" / "runs", REPO / "benchmarks" / "results"]
    monkeypatch.delenv("SC_NEUROCORE_RESULTS")
    assert backend_mod.results_dirs()[0] == tmp_path / "benchmarks" / "runs"


def _study(folder: Path, name: str, ranking: list[str], stamp: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"host": {"key": backend_mod.host_key()}, "ranking": ranking}))
    os.utime(path, (stamp, stamp))


def test_auto_reads_a_study_in_the_runs_folder(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SC_NEUROCORE_RESULTS", raising=False)
    monkeypatch.setattr(backend_mod, "results_dirs",
                        lambda: [tmp_path / "benchmarks" / "runs",
                                 tmp_path / "benchmarks" / "results"])
    _study(tmp_path / "benchmarks" / "results", "bench-here.json", ["jax", "rust"], 1e9)
    assert backend_mod.measured_order() == ["jax", "rust"]
    _study(tmp_path / "benchmarks" / "runs", "bench-here.json", ["numba", "jax"], 2e9)
    assert backend_mod.measured_order() == ["numba", "jax"]  # the newest wins
    _study(tmp_path / "benchmarks" / "results", "bench-here.json", ["rust", "numba"], 3e9)
    assert backend_mod.measured_order() == ["rust", "numba"]
