"""The CLI (``info``, ``bench``) and the timing-study machinery on tiny workloads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sc_neurocore.accel import __main__ as cli
from sc_neurocore.accel import backend as backend_mod
from sc_neurocore.accel import bench
from sc_neurocore.accel.bench import study as study_mod

TINY = (bench.Workload("W1", 4, 9, 100, None), bench.Workload("W3", 4, 9, 100, 3))
# The study's other parts, off: these tests are about the main table.
MAIN_TABLE_ONLY = {"contended": False, "reference": False, "accuracy": False}


@pytest.fixture
def tiny_workloads(monkeypatch):
    monkeypatch.setattr(study_mod, "WORKLOADS", TINY)


def test_info_lists_every_backend(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    for name in backend_mod.available_backends():
        assert name in out
    assert "mpi driver" in out and "simd tier" in out


def test_info_json(capsys):
    assert cli.main(["info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backends"]["numpy"]["available"] is True
    assert set(data["backends"]) == set(backend_mod.available_backends())


def test_study_measures_every_available_backend(tiny_workloads):
    lines = []
    study = bench.run_study(quick=True, extras=False, progress=lines.append, **MAIN_TABLE_ONLY)
    available = [n for n, works in backend_mod.available_backends().items() if works]
    for work in TINY:
        measured = {r.backend for r in study.rows if r.workload == work.name}
        assert measured == set(available)
        assert study.sum_baseline[work.name]["median_s"] > 0
    assert all(r.bit_identical for r in study.rows)
    numpy_rows = [r for r in study.rows if r.backend == "numpy"]
    assert all(r.vs_numpy == 1.0 for r in numpy_rows)
    assert study.ranking[-1] == "numpy"
    assert any("numpy.sum baseline" in line for line in lines)
    table = bench.format_table(study)
    assert "bit-identical" in table and "✗" not in table


def test_rank_drops_backends_that_mismatch(tiny_workloads):
    study = bench.run_study(quick=True, extras=False, backends=["numpy"],
                            progress=lambda _: None, **MAIN_TABLE_ONLY)
    fake = bench.Row("W1", "liar", 1e-6, [1e-6], 1.0, vs_numpy=100.0, bit_identical=False)
    study.rows.append(fake)
    assert "liar" not in bench.rank_backends(study)


def test_median_time_repeats_fast_calls():
    calls = []
    median, times = bench.median_time(lambda: calls.append(1), 3, min_total_s=0.01,
                                      max_repeats=50)
    assert len(times) == 50 and len(calls) == 51 and median >= 0


def test_bench_command_writes_json_and_chart(tiny_workloads, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backend_mod, "results_dirs", lambda: [tmp_path])
    assert cli.main(["bench", "--quick", "--no-extras", "--no-contended", "--no-accuracy",
                     "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "auto order on this host" in out
    data = json.loads((tmp_path / f"bench-{bench.host_slug()}.json").read_text())
    assert data["host"]["key"] == backend_mod.host_key()
    assert data["ranking"][-1] == "numpy"
    assert (tmp_path / f"bench-{bench.host_slug()}.png").stat().st_size > 0
    # the written study drives `auto`
    assert backend_mod.measured_order() == data["ranking"]


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "sc_neurocore.accel", "--version"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip()
