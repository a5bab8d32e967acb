"""The timing study's parts on tiny workloads: correctness and output keys, never timings.

* the reference release's NumPy path, modelled as a baseline, is bit-identical
  to ours (W1 included);
* the accuracy table's RMSE equals an independent computation (the pure-Python
  oracle's bits, plain-Python arithmetic);
* the CPU hogs of the contended rows start, spin and end (also when their
  parent dies without stopping them);
* the fresh-process first calls run in fresh processes, time both thread
  settings and check their results against NumPy;
* the study and the CLI write every key they wrote before plus the new ones;
* the per-backend extras and the MPI study produce their documented rows.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import oracle
import pytest
from conftest import AVAILABLE, random_weights
from sc_neurocore.accel import __main__ as cli
from sc_neurocore.accel import sc_forward_numpy, weight_seed
from sc_neurocore.accel.bench import (
    StudyOptions,
    accuracy,
    contention,
    first_calls,
    mpi_bench,
    prepared_layers,
    reference_numpy,
    report,
    run_study,
    write_results,
)
from sc_neurocore.accel.bench import results as results_mod
from sc_neurocore.accel.bench.workloads import SMOKE_WORKLOADS, WORKLOADS, make_inputs, workload
from sc_neurocore.accel.mpi_launch import find_mpiexec

# Keys the study's JSON had before issue 10 (they must stay) and the keys it added.
OLD_KEYS = {"host", "versions", "quick", "repeats", "rows", "sum_baseline", "extras",
            "unavailable", "ranking", "written", "workloads"}
NEW_KEYS = {"smoke", "contended", "reference_numpy", "accuracy", "mpi", "headline",
            "first_calls", "prepared"}
ROW_KEYS = {"workload", "backend", "median_s", "times_s", "bandwidth_gbs", "vs_numpy",
            "vs_sum_bandwidth", "bit_identical", "per_input_s"}
CONTENDED_KEYS = {"workload", "backend", "hogs", "quiet_median_s", "contended_median_s",
                  "ratio", "times_s", "threads", "bit_identical"}
FIRST_CALLS_KEYS = {"process", "workload", "calls", "threads", "default_median_s",
                    "one_thread_median_s", "ratio", "default_times_s", "one_thread_times_s",
                    "bit_identical", "regions", "regions_helped", "helper_task_share"}
REFERENCE_KEYS = {"median_s", "times_s", "bit_identical", "numpy_backend_median_s",
                  "numpy_vs_reference", "numpy_vs_sum_bandwidth", "source"}
ACCURACY_KEYS = {"n_out", "n_in", "seed", "weight_seed", "data_seed", "quantity", "backends",
                 "rows"}
ACCURACY_ROW_KEYS = {"length", "rmse", "rmse_dot", "max_abs_error", "bernoulli_rmse",
                     "times_s", "bit_identical", "packed_times_s"}
GENERATOR_KEYS = {"n_out", "n_in", "seed", "weight_seed", "data_seed", "quantity", "generators",
                  "backends", "independent", "rows"}
GENERATOR_ROW_KEYS = {"generator", "length", "rmse", "bias", "max_abs_error", "times_s",
                      "bit_identical", "packed_times_s"}
PREPARED_KEYS = {"backend", "packed_budget", "targets", "sweep", "workloads", "scale"}
SWEEP_KEYS = {"workload", "n_out", "n_in", "length", "prepared_s", "packed_s", "ratio",
              "packed_bytes", "prepared_bytes", "bit_identical"}
COST_KEYS = {"workload", "n_out", "n_in", "length", "batch", "packed_s", "prepared_s", "ratio",
             "prepare_s", "states_s", "encode_s", "calls_to_repay", "packed_bytes",
             "layer_bytes", "states_bytes", "bit_identical"}
SCALE_KEYS = {"n_out", "n_in", "length", "packed_bytes", "layer_bytes", "states_bytes",
              "prepare_s", "first_call_s", "prepared_s", "slice_rows", "rows_checked",
              "check_s", "bit_identical"}
HEADLINE_KEYS = {"contended_over_quiet", "numpy_vs_sum_bandwidth", "numpy_vs_reference_numpy",
                 "jax_vs_numpy"}
EXTRA_KEYS = {"name", "median_s", "baseline_name", "baseline_median_s", "ratio", "note"}
PARALLEL_HERE = [n for n in ("rust", "numba", "jax") if n in AVAILABLE]


def quiet(_line: str) -> None:
    """A progress callback that prints nothing."""


# ----------------------------------------------------------------- reference NumPy path

@pytest.mark.parametrize("n_out,n_in,length,seed", [
    (3, 5, 64, 44257), (4, 7, 100, 0), (2, 9, 1, 65535), (5, 3, 200, 2**32 - 1),
    (1, 70000 // 1000, 130, 65530),  # seeds wrap past 65535 and hit 0 (replaced by 1)
])
def test_reference_numpy_is_bit_identical_to_ours(rng, n_out, n_in, length, seed):
    weights = random_weights(rng, n_out, n_in, length)
    probs = rng.random(n_in)
    probs[0], probs[-1] = 0.0, 1.0
    got = reference_numpy.reference_numpy_sc_forward(weights, probs, length=length, seed=seed)
    want = sc_forward_numpy(weights, probs, length=length, seed=seed)
    assert got.dtype == np.float64 and np.array_equal(got.view(np.uint64), want.view(np.uint64))


def test_reference_numpy_is_bit_identical_on_w1():
    weights, probs = make_inputs(workload("W1"))
    got = reference_numpy.reference_numpy_sc_forward(weights, probs, length=1024)
    want = sc_forward_numpy(weights, probs, length=1024)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))


def test_reference_numpy_rejects_what_it_does_not_model(rng):
    weights = random_weights(rng, 2, 3, 64)
    with pytest.raises(ValueError, match="1-D"):
        reference_numpy.reference_numpy_sc_forward(weights, rng.random((2, 3)), length=64)
    with pytest.raises(ValueError, match="input_probs"):
        reference_numpy.reference_numpy_sc_forward(weights, [0.5, 2.0, 0.1], length=64)
    assert "anulum/sc-neurocore" in reference_numpy.REFERENCE_SOURCE


# ----------------------------------------------------------------- accuracy

def test_accuracy_rmse_matches_an_independent_computation():
    rng = np.random.default_rng(11)
    n_out, n_in, lengths, seed = 3, 5, (64, 100), 44257
    w_real, probs = rng.random((n_out, n_in)), rng.random(n_in)
    rows = accuracy.measure_accuracy(w_real, probs, lengths, ("numpy",), seed=seed,
                                     repeats=1, min_total_s=0.0)
    for row, length in zip(rows, lengths):
        # The oracle encodes bit by bit from docs/design.md#encoder; everything else is plain Python.
        packed_rows = [oracle.encode(list(w_real[o]), length, weight_seed(seed))
                       for o in range(n_out)]
        estimate = oracle.forward(packed_rows, list(probs), length, seed)
        exact = [sum(w_real[o][i] * probs[i] for i in range(n_in)) for o in range(n_out)]
        errors = [(estimate[o] - exact[o]) / n_in for o in range(n_out)]
        rmse = math.sqrt(sum(e * e for e in errors) / n_out)
        model = math.sqrt(sum(sum(q * (1 - q) for q in (w_real[o][i] * probs[i]
                                                        for i in range(n_in)))
                              for o in range(n_out)) / n_out / length) / n_in
        assert row.length == length and row.bit_identical
        assert row.rmse == pytest.approx(rmse, rel=1e-12)
        assert row.rmse_dot == pytest.approx(rmse * n_in, rel=1e-12)
        assert row.max_abs_error == pytest.approx(max(abs(e) for e in errors), rel=1e-12)
        assert row.bernoulli_rmse == pytest.approx(model, rel=1e-12)
        assert set(row.times_s) == {"numpy"} and row.times_s["numpy"] > 0
        assert set(row.packed_times_s) == {"numpy"} and row.packed_times_s["numpy"] > 0


@pytest.mark.parametrize("engine", [False, True])
@pytest.mark.parametrize("generator", ["lfsr", "sobol", "lfsr_pair"])
def test_encode_weights_in_blocks_equals_one_call(monkeypatch, rng, engine, generator):
    from sc_neurocore.accel import encode_packed

    w_real = rng.random((7, 5))
    monkeypatch.setattr(accuracy, "_ENCODE_BLOCK_BITS", 5 * 100 * 2)  # 2 rows per block
    assert np.array_equal(accuracy.encode_weights(w_real, 100, 9, generator, engine=engine),
                          encode_packed(w_real, 100, seed=9, generator=generator,
                                        role="weight"))


def assert_both_paths_timed(row: dict, timed: list[str]) -> None:
    """Every backend timed through packed weights, and through the prepared path where it
    has one; every result bit-identical."""
    from sc_neurocore.accel._registry import backend_class

    assert set(row["times_s"]) == set(timed) and set(row["packed_times_s"]) == set(timed)
    for name in timed:
        assert (row["times_s"][name] is not None) == backend_class(name).has_prepared_path()
    assert row["bit_identical"] is True


def test_accuracy_times_every_backend_and_checks_they_agree():
    timed = [n for n in AVAILABLE if n != "cupy"][:2]
    study = accuracy.accuracy_study(4, 6, (64, 128), timed, repeats=1)
    assert set(study) == ACCURACY_KEYS and study["backends"] == timed
    for row in study["rows"]:
        assert set(row) == ACCURACY_ROW_KEYS
        assert_both_paths_timed(row, timed)


def test_generator_study_measures_every_generator_and_length():
    from sc_neurocore.accel import encode_packed, sc_forward_numpy, weight_seed

    timed = [n for n in AVAILABLE if n != "cupy"][:2]
    study = accuracy.generator_study(4, 6, (64, 128), timed, repeats=1, data_seed=3)
    assert set(study) == GENERATOR_KEYS and study["backends"] == timed
    assert study["generators"] == ["lfsr", "sobol", "lfsr_pair"]
    assert [(r["generator"], r["length"]) for r in study["rows"]] == [
        (g, n) for n in (64, 128) for g in study["generators"]]
    rng = np.random.default_rng(3)
    w, p = rng.random((4, 6)), rng.random(6)
    for row in study["rows"]:
        assert set(row) == GENERATOR_ROW_KEYS
        assert_both_paths_timed(row, timed)
        g, n = row["generator"], row["length"]
        packed = encode_packed(w, n, weight_seed(44257), generator=g, role="weight")
        scaled = (sc_forward_numpy(packed, p, n, generator=g) - w @ p) / 6
        assert row["rmse"] == float(np.sqrt(np.mean(scaled ** 2)))
        assert row["bias"] == float(np.mean(scaled))
    for line in study["independent"]:
        assert line["rmse"] == accuracy.independent_rmse(w, p, line["length"])


def test_generators_leave_out_packed_weights_over_the_budget():
    rows = accuracy.measure_generators(np.full((2, 3), 0.5), np.full(3, 0.25), (64, 65536),
                                       ("sobol",), ("numpy",), repeats=1, min_total_s=0.0,
                                       packed_budget=2 * 3 * 8)
    assert [set(r.packed_times_s) for r in rows] == [{"numpy"}, set()]
    assert rows[1].times_s["numpy"] > 0 and rows[1].bit_identical
    # 65536 Sobol bits of 0.5 x 0.25: one whole period, so the count is exact
    assert rows[1].rmse < 1e-6


def test_generator_time_ratios_take_the_largest_per_column():
    gen = {"backends": ["rust", "numpy"], "generators": ["lfsr", "sobol"], "rows": [
        {"generator": g, "length": n, "times_s": {"rust": t, "numpy": None},
         "packed_times_s": {"rust": 2 * t, "numpy": 3 * t} if n == 64 else {"rust": 2 * t}}
        for g, n, t in (("lfsr", 64, 1.0), ("sobol", 64, 1.2), ("lfsr", 128, 2.0),
                        ("sobol", 128, 2.8))]}
    assert report.generator_time_ratios(gen, "sobol") == [
        ("rust prepared", pytest.approx(1.4), 128), ("rust packed", pytest.approx(1.4), 128),
        ("numpy packed", pytest.approx(1.2), 64)]
    assert report.generator_time_ratios(gen, "lfsr_pair") == []


def test_falls_every_doubling():
    rows = [{"generator": "a", "length": n, "rmse": r}
            for n, r in ((64, 0.4), (128, 0.2), (256, 0.1))]
    rows += [{"generator": "b", "length": n, "rmse": r}
             for n, r in ((64, 0.4), (128, 0.5), (256, 0.1))]
    assert accuracy.falls_every_doubling(rows, "a")
    assert not accuracy.falls_every_doubling(rows, "b")
    assert not accuracy.falls_every_doubling(rows[:1], "a")  # no doubling to judge


def test_accuracy_leaves_out_packed_weights_over_the_budget():
    rows = accuracy.measure_accuracy(np.full((2, 3), 0.5), np.full(3, 0.25), (64, 65536),
                                     ("numpy",), repeats=1, min_total_s=0.0,
                                     packed_budget=2 * 3 * 8)
    assert [set(r.packed_times_s) for r in rows] == [{"numpy"}, set()]
    assert rows[1].times_s["numpy"] > 0 and rows[1].bit_identical
    # 65536 bits of 0.5 x 0.25: the estimate is exact to the quantised streams
    assert rows[1].rmse < 1e-3


def test_rmse_per_doubling():
    rows = [{"length": 64, "rmse": 0.4}, {"length": 128, "rmse": 0.2},
            {"length": 256, "rmse": 0.05}]
    assert accuracy.rmse_per_doubling(rows) == pytest.approx(math.sqrt(0.5 * 0.25))
    assert math.isnan(accuracy.rmse_per_doubling(rows[:1]))


# ----------------------------------------------------------------- CPU hogs

def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_cpu_hogs_spin_while_the_block_runs_and_stop_after():
    with contention.cpu_hogs(2) as procs:
        assert len(procs) == 2 and all(p.poll() is None for p in procs)
        deadline = time.monotonic() + 20
        while not all(_cpu_ticks(p.pid) > 0 for p in procs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_cpu_ticks(p.pid) > 0 for p in procs), "a hog never ran"
    assert all(p.poll() is not None for p in procs)
    with contention.cpu_hogs(0) as none:
        assert none == []
    with pytest.raises(ValueError, match="count"):
        with contention.cpu_hogs(-1):
            pass


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_cpu_hogs_end_when_their_parent_dies_without_stopping_them():
    code = ("import os\nfrom sc_neurocore.accel.bench.contention import cpu_hogs\n"
            "hogs = cpu_hogs(1)\nprocs = hogs.__enter__()\nprint(procs[0].pid, flush=True)\n"
            "os._exit(0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while not _ended(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _ended(pid), f"hog {pid} outlived its parent"


# ----------------------------------------------------------------- the study and its JSON

@pytest.fixture(scope="module")
def smoke_study():
    """One smoke study with every part but the extras and MPI (one hog)."""
    return run_study(StudyOptions(smoke=True, extras=False, hogs=1), progress=quiet)


def test_smoke_study_has_every_part(smoke_study):
    study = smoke_study
    assert study.smoke and [w.name for w in study.workloads] == ["W1", "W2", "W3"]
    assert all(r.bit_identical for r in study.rows)
    measured = {(c.workload, c.backend) for c in study.contended}
    assert measured == {("W1", n) for n in PARALLEL_HERE}  # quick: W1 only
    for c in study.contended:
        assert c.hogs == 1 and c.bit_identical and c.contended_median_s > 0
        assert c.ratio == pytest.approx(c.contended_median_s / c.quiet_median_s)
        quiet_row = next(r for r in study.rows
                         if r.workload == c.workload and r.backend == c.backend)
        assert c.quiet_median_s == quiet_row.median_s
    ref = study.reference_numpy["W1"]
    numpy_w1 = next(r for r in study.rows if r.workload == "W1" and r.backend == "numpy")
    assert ref["bit_identical"] and ref["numpy_backend_median_s"] == numpy_w1.median_s
    assert ref["numpy_vs_reference"] == pytest.approx(ref["median_s"] / numpy_w1.median_s)
    assert [r["length"] for r in study.accuracy["rows"]] == [64, 128]
    head = study.headline
    assert set(head) >= HEADLINE_KEYS
    assert set(head["contended_over_quiet"]) == set(PARALLEL_HERE)
    assert head["numpy_vs_reference_numpy"] == {"W1": ref["numpy_vs_reference"]}
    assert head["numpy_vs_sum_bandwidth"]["W1"] == numpy_w1.vs_sum_bandwidth
    table = report.format_table(study)
    for heading in ("contended:", "NumPy baseline on W1", "accuracy against stream length",
                    "headline ratios", "SMOKE"):
        assert heading in table
    if "rust" in AVAILABLE:
        assert "fresh-process first calls: rust on W1, 2 fresh processes" in table
        assert head["first_calls_over_one_thread"] == {
            "W1": max(f.ratio for f in study.first_calls)}
    else:
        assert study.first_calls == [] and "first_calls_over_one_thread" not in head


@pytest.mark.skipif("rust" not in AVAILABLE, reason="the Rust engine is not built")
def test_first_calls_rows_come_from_fresh_processes(smoke_study):
    from sc_neurocore import _engine

    rows = smoke_study.first_calls
    assert [f.process for f in rows] == [0, 1]
    for f in rows:
        assert f.workload == "W1" and f.calls == 5 and f.bit_identical
        assert f.threads == _engine.get_num_threads()
        assert len(f.default_times_s) == len(f.one_thread_times_s) == 5
        assert f.default_median_s == statistics.median(f.default_times_s)
        assert f.one_thread_median_s == statistics.median(f.one_thread_times_s)
        assert f.ratio == f.default_median_s / f.one_thread_median_s
        # The pool's counters over the first series (the smoke W1 is small
        # enough that the engine may run it without a parallel region).
        assert f.regions is not None and f.regions_helped is not None
        assert 0 <= f.regions_helped <= f.regions
        if f.regions:
            assert f.helper_task_share is not None and 0.0 <= f.helper_task_share < 1.0
            assert (f.regions_helped == 0) == (f.helper_task_share == 0.0)
        else:
            assert f.helper_task_share is None


@pytest.mark.skipif("rust" not in AVAILABLE, reason="the Rust engine is not built")
def test_first_calls_in_this_process_match_numpy_on_any_thread_count():
    from sc_neurocore import _engine

    before = _engine.get_num_threads()
    try:
        got = first_calls.time_first_calls(workload("W1", SMOKE_WORKLOADS), 3, 3)
        assert got["threads"] == 3 and got["bit_identical"] is True
        assert len(got["default_times_s"]) == len(got["one_thread_times_s"]) == 3
        assert _engine.get_num_threads() == 3  # the setting it was given is back
        pool = got["pool"]
        assert set(pool) == {"regions", "regions_helped", "tasks", "helper_tasks"}
        # Counts over the first series (test_rust_engine checks that parallel
        # calls are counted; the smoke W1 may run without a parallel region).
        assert pool["tasks"] >= 2 * pool["regions"] >= 0
        assert 0 <= pool["regions_helped"] <= pool["regions"]
        assert 0 <= pool["helper_tasks"] <= pool["tasks"]
    finally:
        _engine.set_num_threads(before)
    with pytest.raises(ValueError, match="calls"):
        first_calls.time_first_calls(workload("W1", SMOKE_WORKLOADS), 0, 1)


def test_a_failing_fresh_process_is_reported(monkeypatch):
    monkeypatch.setattr(first_calls, "_CHILD_CODE", "import sys\nsys.exit('no engine here')\n")
    with pytest.raises(RuntimeError, match="fresh process 0 failed.*no engine here"):
        first_calls.first_calls_study(workload("W1", SMOKE_WORKLOADS), 1, processes=1,
                                      calls=1)


def test_study_json_keeps_old_keys_and_adds_new_ones(smoke_study, tmp_path):
    json_path, png_path = write_results(smoke_study, tmp_path)
    assert json_path.name.startswith("smoke-bench-") and png_path is not None
    assert png_path.stat().st_size > 0
    data = json.loads(json_path.read_text())
    assert set(data) == OLD_KEYS | NEW_KEYS
    assert all(set(r) == ROW_KEYS for r in data["rows"])
    assert all(set(c) == CONTENDED_KEYS for c in data["contended"])
    assert all(set(f) == FIRST_CALLS_KEYS for f in data["first_calls"])
    assert len(data["first_calls"]) == (2 if "rust" in AVAILABLE else 0)
    back, _ = report.read_results(json_path)
    assert back.first_calls == smoke_study.first_calls
    assert set(data["reference_numpy"]["W1"]) == REFERENCE_KEYS
    assert set(data["accuracy"]) == ACCURACY_KEYS | {"generators"}
    assert all(set(r) == ACCURACY_ROW_KEYS for r in data["accuracy"]["rows"])
    assert set(data["accuracy"]["generators"]) == GENERATOR_KEYS
    assert all(set(r) == GENERATOR_ROW_KEYS for r in data["accuracy"]["generators"]["rows"])
    assert set(data["prepared"]) == PREPARED_KEYS
    assert all(set(r) == SWEEP_KEYS for r in data["prepared"]["sweep"])
    assert all(set(c) == COST_KEYS for c in data["prepared"]["workloads"])
    assert set(data["prepared"]["scale"]) == SCALE_KEYS
    assert back.prepared == json.loads(json.dumps(smoke_study.prepared))
    assert set(data["host"]) >= {"key", "cpu", "cpus", "usable_cpus", "simd_tier", "threads"}
    assert data["host"]["usable_cpus"] == len(os.sched_getaffinity(0))


def test_smoke_study_compares_prepared_layers_with_packed_weights(smoke_study):
    prepared = smoke_study.prepared
    assert set(prepared) == PREPARED_KEYS
    assert prepared["backend"] == ("rust" if "rust" in AVAILABLE else "numpy")
    assert [(r["workload"], r["length"]) for r in prepared["sweep"]] == [
        (w, n) for w in ("W1", "W2") for n in (64, 128, 1000)]
    for r in prepared["sweep"]:
        assert r["bit_identical"] is True and r["ratio"] == r["packed_s"] / r["prepared_s"]
        assert r["packed_bytes"] == r["n_out"] * r["n_in"] * -(-r["length"] // 64) * 8
    costs = {c["workload"]: c for c in prepared["workloads"]}
    assert set(costs) == {"W1", "W2", "W3"} and costs["W3"]["batch"] == 4
    for c in costs.values():
        assert c["bit_identical"] and c["prepare_s"] > 0 and c["encode_s"] > 0
        saving = c["packed_s"] - c["prepared_s"]
        want = (c["prepare_s"] + c["states_s"]) / saving if saving > 0 else math.inf
        assert c["calls_to_repay"] == pytest.approx(want)
        assert c["states_bytes"] == c["n_in"] * c["length"] * 2
    scale = prepared["scale"]
    assert (scale["n_out"], scale["n_in"], scale["length"]) == (64, 48, 4096)
    assert scale["rows_checked"] == 48 and scale["bit_identical"]  # 3 slices of 16 rows (quick)
    assert smoke_study.headline["prepared_over_packed"] == {
        w: c["ratio"] for w, c in costs.items()}
    assert smoke_study.headline["prepared_scale_bit_identical"] is True
    table = report.format_table(smoke_study)
    for heading in ("time per call against stream length", "one-time costs", "scale row"):
        assert heading in table


def test_prepared_sweep_leaves_out_packed_weights_over_the_budget():
    row = prepared_layers.sweep_row("W1", 3, 5, 200, "numpy", repeats=1, packed_budget=0)
    assert math.isnan(row.packed_s) and math.isnan(row.ratio) and row.bit_identical is None
    assert row.prepared_s > 0 and row.packed_bytes == 3 * 5 * 4 * 8
    assert row.prepared_bytes == 3 * 5 * 4 + 5 * 200 * 2 * 2  # k, order and the input states
    cells = report.prepared_tables({"backend": "numpy", "packed_budget": 0, "targets": {},
                                    "sweep": [asdict(row)], "workloads": [], "scale": None})
    assert cells[0][2][0][2] == "-" and cells[0][2][0][-1] == "-"


def test_scale_row_checks_every_slice_or_some_spread_over_the_layer():
    assert prepared_layers._checked_slices(64, 16, None) == [0, 16, 32, 48]
    assert prepared_layers._checked_slices(64, 16, 2) == [0, 48]
    assert prepared_layers._checked_slices(70, 16, 3) == [0, 32, 64]
    row = prepared_layers.scale_row("numpy", n_out=20, n_in=7, length=300, slice_rows=8,
                                    repeats=1)
    assert row.rows_checked == 20 and row.bit_identical and row.packed_bytes == 20 * 7 * 5 * 8


def test_cli_smoke_run_never_steers_auto_selection(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(results_mod, "results_dirs", lambda: [tmp_path])
    assert cli.main(["bench", "--smoke", "--no-extras", "--no-contended", "--backends", "numpy",
                     "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy against stream length" in out and "contended:" not in out
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["smoke", "smoke"]
    assert results_mod.measured_order() == []  # no bench-*.json was written


def test_study_honours_backends_and_skips_parts(monkeypatch):
    study = run_study(StudyOptions(smoke=True, backends=["numpy"], extras=False,
                                   contended=False, reference=False, accuracy=False,
                                   prepared=False),
                      progress=quiet)
    assert {r.backend for r in study.rows} == {"numpy"}
    assert study.contended == [] and study.reference_numpy == {} and study.accuracy == {}
    assert study.prepared == {} and "prepared_over_packed" not in study.headline
    assert study.first_calls == []  # the Rust engine was not chosen
    assert WORKLOADS[0].name == "W1"


# ----------------------------------------------------------------- per-backend extras

@pytest.mark.skipif("numba" not in AVAILABLE, reason="numba not installed")
def test_numba_extras_rows():
    from sc_neurocore.accel.bench import numba_extras

    messages: list[str] = []
    rows = numba_extras.bench_extras(True, messages.append, smoke=True)
    assert messages and len(rows) == 3
    from sc_neurocore.accel._backends.on_numba import scheduling

    # the notes state the threads the kernels themselves use (not Numba's prange/OpenMP layer)
    threads = f"up to {scheduling.num_threads()} threads (chunked work sharing"
    for row in rows:
        assert set(row) == EXTRA_KEYS and "MISMATCH" not in row["note"]
        assert threads in row["note"] and "prange" not in row["note"]


@pytest.mark.skipif("jax" not in AVAILABLE, reason="jax not installed")
def test_jax_extras_rows():
    from sc_neurocore.accel.bench import jax_extras

    rows = jax_extras.bench_extras(True, quiet, smoke=True)
    names = [r["name"] for r in rows]
    assert names == ["jax_forward_pass compile (lax.scan)", "jax_forward_pass kernel (lax.scan)",
                     "jax_forward_pass public call",
                     "jax_surrogate_gradient_step compile (lax.scan)",
                     "jax_surrogate_gradient_step kernel (lax.scan)",
                     "jax_surrogate_gradient_step public call (custom_vjp)"]
    for row in rows:
        assert set(row) == EXTRA_KEYS and row["median_s"] > 0 and row["ratio"] > 0


def test_jax_extras_without_jax(monkeypatch):
    from sc_neurocore.accel._backends.on_jax import runtime
    from sc_neurocore.accel.bench import jax_extras

    monkeypatch.setattr(runtime, "HAS_JAX", False)
    messages: list[str] = []
    assert jax_extras.bench_extras(True, messages.append) == []
    assert "not installed" in messages[0]


# ----------------------------------------------------------------- MPI study

def test_mpi_ratios_from_job_summaries():
    def job(scatter, resident):
        return {"scatter": {"median_s": scatter}, "resident": {"median_s": resident},
                "backend": "rust", "threads_per_rank": 1, "bit_identical": True}

    jobs = {"W2 1x1": job(20.0, 20.0), "W2 2x1": job(60.0, 10.0), "W2 1x2": job(16.0, 16.0),
            "W3 1x1": job(8.0, 8.0), "W3 2x1": job(5.0, 4.0)}
    ratios = mpi_bench._ratios(jobs)
    assert ratios == {"w2_speedup_2ranks": 2.0, "w2_speedup_2threads": 1.25,
                      "w2_2ranks_vs_2threads": 1.6, "w3_speedup_2ranks": 2.0,
                      "w2_efficiency_2ranks": 1.0, "w2_efficiency_2threads": 0.625,
                      "w3_efficiency_2ranks": 1.0}
    rows = mpi_bench._w2_rows(jobs) + mpi_bench._w3_rows(jobs)
    by_name = {r["name"]: r for r in rows}
    assert by_name["mpi W2 2 ranks x1 thread vs 1 rank x2 threads"]["ratio"] == 1.6
    assert by_name["mpi W3 2 ranks, weights resident"]["ratio"] == 2.0
    assert set(by_name) >= {"mpi W2 1 rank x1 thread", "mpi W2 2 ranks, weights resident",
                            "mpi W2 2 ranks, weights scattered", "mpi W2 1 rank x2 threads",
                            "mpi W3 1 rank x1 thread", "mpi W3 2 ranks, weights scattered"}
    assert mpi_bench._ratios({"W2 1x1": job(1.0, 1.0)}) == {}


def test_mpi_study_runs_every_job():
    if find_mpiexec() is None:
        pytest.fail("mpiexec not found: `make test` installs it (mpich wheel)", pytrace=False)
    study = mpi_bench.run_mpi_study(True, quiet, ["--shape", "9", "5", "100", "--repeats", "1"])
    assert set(study.summary["jobs"]) == {"W2 1x1", "W2 2x1", "W2 1x2", "W3 1x1", "W3 2x1"}
    for label, summary in study.summary["jobs"].items():
        ranks, threads = (int(x) for x in label.split()[1].split("x"))
        assert summary["ranks"] == ranks and summary["bit_identical"] is True
        if summary["backend"] in ("rust", "numba"):
            assert summary["threads_per_rank"] == threads
    assert not any(r["note"].startswith("failed") for r in study.rows)
    assert {"w2_2ranks_vs_2threads", "w3_speedup_2ranks"} <= set(study.summary)
