"""The MPI driver (issue 4): collectives, mpi_sc_forward, error agreement, fallback.

Multi-rank checks run in ``mpiexec -n 2`` and ``mpiexec -n 3`` jobs (3 ranks on
a 2-core machine is oversubscribed: MPICH needs no flag, Open MPI gets
``--oversubscribe``).  Each job runs every check of tests/accel/mpi_scripts/checks.py
once, so there are only a few launches; the tests below read the per-rank
reports.  Every launch has a timeout, and a missing ``mpiexec`` is a failure
with the install hint, never a skip.  Nothing here is timed.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import random_weights
from sc_neurocore._validation import GENERATORS
from sc_neurocore.accel import encode_packed, mpi_driver, mpi_launch, prepare_layer, sc_forward
from sc_neurocore.accel._backends import on_mpi, on_numpy
from sc_neurocore.accel._backends.on_mpi import errors as mpi_errors
from sc_neurocore.accel._backends.on_mpi import inference as mpi_inference
from sc_neurocore.accel._backends.on_mpi import runtime as mpi_runtime
from sc_neurocore.accel.bench import mpi_bench
from sc_neurocore.accel.mpi_driver import (
    MPIDriver,
    MPIFallbackWarning,
    MPIRankError,
    block_range,
    choose_split,
    mpi_sc_forward,
    split_counts,
)
from sc_neurocore.accel.mpi_launch import mpi_flavour

SCRIPTS = Path(__file__).resolve().parent / "mpi_scripts"
JOB_TIMEOUT_S = 240
RANKS = (2, 3)

ROUNDTRIP = ["uint64", "float64", "int32", "bool", "uint8", "3d", "4d_float32",
             "fewer_rows_than_ranks", "zero_rows", "datetime", "record",
             "noncontiguous_root_input", "broadcast_array"]
FORWARD = ["1d", "1d_fewer_rows_than_ranks", "batched_rows_split", "batched_batch_split",
           "batched_mixed", "batched_one_row", "sharded_resident_weights",
           "after_errors_comm_still_clean", "prepared_1d", "prepared_batched",
           "prepared_fewer_rows_than_ranks", "prepared_sobol", "prepared_lfsr_pair",
           "prepared_counts_operation"]
# check name -> exception type every rank must raise (InputTypeError: a TypeError and a
# ValueError, rebuilt as itself on the ranks that did not raise it)
BAD_INPUT = {"bad_probs": "ValueError", "bad_length": "ValueError",
             "bad_n_words": "ValueError", "bad_weights_dtype": "InputTypeError",
             "unknown_backend": "ValueError", "scatter_none_on_root": "ValueError",
             "scatter_object_dtype": "InputTypeError", "gather_dtype_mismatch": "ValueError",
             "sharded_wrong_n_in": "ValueError", "prepared_length_mismatch": "ValueError",
             "allocation_failure_in_scatter": "MemoryError"}


def require_mpiexec() -> str:
    """The mpiexec to use; fails the test (not skip) with the install hint if absent."""
    found = mpi_launch.find_mpiexec()
    if found is None:
        pytest.fail(mpi_launch.MPIEXEC_MISSING.format(python=sys.executable), pytrace=False)
    return found


_jobs: dict[int, dict[str, dict[int, dict]]] = {}


def job_reports(n: int, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, dict]]:
    """Run checks.py once on ``n`` ranks (cached); ``{check: {rank: report}}``."""
    if n not in _jobs:
        require_mpiexec()
        out_dir = tmp_path_factory.mktemp(f"mpi{n}")
        run = mpi_launch.run_mpi(n, [sys.executable, "-m", "mpi4py",
                                     str(SCRIPTS / "checks.py"), str(out_dir)],
                                 timeout=JOB_TIMEOUT_S)
        if run.timed_out or run.returncode != 0:
            pytest.fail(f"mpiexec -n {n} checks.py did not finish cleanly:\n{run.tail()}",
                        pytrace=False)
        reports: dict[str, dict[int, dict]] = {}
        for rank in range(n):
            path = out_dir / f"rank{rank}.jsonl"
            assert path.exists(), f"rank {rank} wrote no report:\n{run.tail()}"
            for line in path.read_text().splitlines():
                rec = json.loads(line)
                reports.setdefault(rec["check"], {})[rec["rank"]] = rec
        assert set(reports.get("DONE", {})) == set(range(n)), run.tail()
        _jobs[n] = reports
    return _jobs[n]


def all_ok(reports: dict[str, dict[int, dict]], name: str, n: int) -> dict[int, dict]:
    """Reports of ``name`` from every rank, asserting each passed."""
    got = reports.get(name)
    assert got is not None, f"check {name} never ran"
    assert sorted(got) == list(range(n)), f"{name}: reports from ranks {sorted(got)} only"
    failed = {r: rec["detail"] for r, rec in got.items() if not rec["ok"]}
    assert not failed, f"{name} failed on ranks {sorted(failed)}: {failed}"
    return got


# ----------------------------------------------------------------- multi-rank (mpiexec)

@pytest.mark.parametrize("n", RANKS)
@pytest.mark.parametrize("case", ROUNDTRIP)
def test_scatter_gather_roundtrip(n, case, tmp_path_factory):
    got = all_ok(job_reports(n, tmp_path_factory), f"roundtrip:{case}", n)
    if case not in ("broadcast_array",):
        rows = [int(got[r]["detail"].split()[1]) for r in range(n)]
        assert max(rows) - min(rows) <= 1 and rows == sorted(rows, reverse=True)


@pytest.mark.parametrize("n", RANKS)
@pytest.mark.parametrize("case", FORWARD)
def test_mpi_sc_forward_matches_one_process(n, case, tmp_path_factory):
    all_ok(job_reports(n, tmp_path_factory), f"forward:{case}", n)


@pytest.mark.parametrize("n", RANKS)
def test_forward_uses_both_splits(n, tmp_path_factory):
    reports = job_reports(n, tmp_path_factory)
    assert reports["forward:batched_batch_split"][0]["detail"] == "split batch"
    assert reports["forward:batched_rows_split"][0]["detail"] == "split rows"


@pytest.mark.parametrize("n", RANKS)
@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_raises_same_error_on_every_rank(n, case, tmp_path_factory):
    got = all_ok(job_reports(n, tmp_path_factory), f"error:{case}", n)
    details = {got[r]["detail"] for r in range(n)}
    assert len(details) == 1, f"ranks raised different errors: {details}"
    assert details.pop().startswith(BAD_INPUT[case] + ": ")


@pytest.mark.parametrize("n", RANKS)
def test_local_compute_failure_raises_on_every_rank(n, tmp_path_factory):
    reports = job_reports(n, tmp_path_factory)
    got = all_ok(reports, "error:local_compute_failure", n)
    details = {got[r]["detail"] for r in range(n)}
    assert details == {"RuntimeError: injected failure in the local compute of rank 1"}
    all_ok(reports, "error:local_compute_failure_custom_type", n)


@pytest.mark.parametrize("n", RANKS)
def test_comm_null_falls_back_to_single_rank(n, tmp_path_factory):
    all_ok(job_reports(n, tmp_path_factory), "fallback:comm_null", n)


@pytest.mark.parametrize("n", RANKS)
@pytest.mark.parametrize("case", ["auto_policy", "explicit_override"])
def test_threads_per_rank_policy(n, case, tmp_path_factory):
    all_ok(job_reports(n, tmp_path_factory), f"threads:{case}", n)


@pytest.mark.parametrize("n", RANKS)
def test_bench_job_runs_and_is_bit_identical(n, tmp_path_factory):
    got = all_ok(job_reports(n, tmp_path_factory), "bench:job_small", n)
    assert got[0]["detail"] == "bit-identical"


def test_uncaught_exception_aborts_job_under_python_m_mpi4py():
    """The launch recipe in docs/mpi.md: one rank's uncaught error ends every rank."""
    require_mpiexec()
    run = mpi_launch.run_mpi(2, [sys.executable, "-m", "mpi4py", str(SCRIPTS / "abort.py")],
                             timeout=120)
    assert not run.timed_out, f"the job hung instead of aborting:\n{run.tail()}"
    assert run.returncode != 0, run.tail()
    assert "uncaught failure on rank 1" in run.stderr, run.tail()
    assert "was not aborted" not in run.stdout, run.tail()


# ----------------------------------------------------------------- single rank, in process

@pytest.fixture
def no_mpi(monkeypatch):
    """Pretend mpi4py is missing, with the once-per-process warning re-armed."""
    monkeypatch.setattr(mpi_runtime, "load_mpi", lambda: None)
    monkeypatch.setattr(mpi_runtime, "import_error", lambda: "ImportError: simulated")
    monkeypatch.setattr(mpi_runtime.FALLBACK, "issued", False)
    monkeypatch.setattr(mpi_inference, "_default_driver", None)


def test_single_rank_fallback_without_mpi4py(no_mpi, rng):
    with pytest.warns(MPIFallbackWarning, match="single-rank"):
        driver = MPIDriver()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second driver must not warn again
        again = MPIDriver()
    assert (driver.rank, driver.size, driver.comm) == (0, 1, None)
    assert (again.rank, again.size) == (0, 1)
    assert not mpi_driver.HAS_MPI
    data = rng.integers(0, 2**64, size=(5, 3, 2), dtype=np.uint64)
    assert driver.scatter_workload(data) is data
    assert driver.gather_results(data) is data
    assert driver.broadcast_array(data) is data
    driver.barrier()
    with pytest.raises(ValueError, match="global_inputs"):
        driver.scatter_workload(None)
    with pytest.raises(ValueError, match="local_results"):
        driver.gather_results(np.float64(1.0))


def test_single_rank_fallback_forward(no_mpi, rng):
    weights = random_weights(rng, 6, 4, 100)
    probs = rng.random((3, 4))
    with pytest.warns(MPIFallbackWarning):
        got = mpi_sc_forward(weights, probs, length=100, seed=7)
    assert np.array_equal(got, sc_forward(weights, probs, length=100, seed=7, backend="numpy"))
    got1 = mpi_sc_forward(weights, probs[0], length=100)
    assert np.array_equal(got1, sc_forward(weights, probs[0], length=100, backend="numpy"))
    with pytest.raises(ValueError, match="input_probs"):
        mpi_sc_forward(weights, probs + 1.0, length=100)
    with pytest.raises(TypeError, match="driver"):
        mpi_sc_forward(weights, probs, length=100, driver="world")


@pytest.mark.parametrize("generator", GENERATORS)
def test_single_rank_fallback_prepared_forward(no_mpi, rng, generator):
    weights, probs = rng.random((6, 4)), rng.random((3, 4))
    layer = prepare_layer(weights, 130, weight_seed=9, generator=generator)
    want = sc_forward(encode_packed(weights, 130, 9, generator=generator, role="weight"), probs,
                      length=130, seed=7, backend="numpy", generator=generator)
    with pytest.warns(MPIFallbackWarning):
        got = mpi_sc_forward(layer, probs, length=130, seed=7)
    assert np.array_equal(got, want)
    assert np.array_equal(mpi_sc_forward(layer, probs[1], length=130, seed=7), want[1])
    with pytest.raises(ValueError, match="length"):
        mpi_sc_forward(layer, probs, length=64)
    k, states = layer.k, layer.input_states(7)
    x = np.array([[0, 65536, 3, 40000]], dtype=np.int64)
    assert np.array_equal(on_mpi.prepared_counts(k, states, x),
                          on_numpy.prepared_counts(k, states, x))
    with pytest.raises(TypeError, match="thresholds"):
        on_mpi.prepared_counts(k, states, x.astype(np.float64))


def test_agree_single_rank_reraises(no_mpi):
    with pytest.warns(MPIFallbackWarning):
        driver = MPIDriver()
    driver.agree(None)
    with pytest.raises(KeyError):
        driver.agree(KeyError("x"))


# ----------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("n,size,want", [(7, 3, [3, 2, 2]), (6, 3, [2, 2, 2]),
                                         (1, 3, [1, 0, 0]), (0, 2, [0, 0]),
                                         (11, 2, [6, 5])])
def test_split_counts(n, size, want):
    assert split_counts(n, size) == want
    starts = [block_range(n, size, r) for r in range(size)]
    assert starts[0][0] == 0 and starts[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(starts, starts[1:]))


def test_split_counts_rejects_bad_arguments():
    with pytest.raises(ValueError, match="size"):
        split_counts(4, 0)
    with pytest.raises(ValueError, match="n must"):
        split_counts(-1, 2)
    with pytest.raises(ValueError, match="rank"):
        block_range(4, 2, 2)


@pytest.mark.parametrize("n_out,batch,size,want", [
    (1024, 1, 2, "rows"),   # one input: always rows
    (7, 4, 2, "batch"),     # rows: 4 x 4 = 16, batch: 2 x 7 = 14
    (7, 4, 3, "rows"),      # rows: 3 x 4 = 12, batch: 2 x 7 = 14
    (2, 9, 3, "batch"),
    (9, 2, 3, "rows"),
    (8, 8, 2, "rows"),      # a tie keeps rows (less data to move)
])
def test_choose_split(n_out, batch, size, want):
    assert choose_split(n_out, batch, size) == want


@pytest.mark.parametrize("text,want", [
    ("mpiexec (Open MPI) 4.1.6\n\nReport bugs to http://www.open-mpi.org/community/help/",
     "openmpi"),
    ("mpirun (Open MPI) 5.0.3", "openmpi"),
    ("HYDRA build details:\n    Version:                                 4.2.0", "mpich"),
    ("Intel(R) MPI Library for Linux* OS, Version 2021.10", "unknown"),
])
def test_mpi_flavour(text, want):
    assert mpi_flavour(text) == want


def test_mpiexec_command_oversubscribes_open_mpi_only(monkeypatch):
    monkeypatch.setattr(mpi_launch, "_flavour_of", lambda exe: "openmpi")
    assert mpi_launch.mpiexec_command(3, "/x/mpiexec") == [
        "/x/mpiexec", "--oversubscribe", "-n", "3"]
    monkeypatch.setattr(mpi_launch, "_flavour_of", lambda exe: "mpich")
    assert mpi_launch.mpiexec_command(3, "/x/mpiexec") == ["/x/mpiexec", "-n", "3"]


def test_find_mpiexec_prefers_the_interpreters_bin(tmp_path, monkeypatch):
    venv_bin, path_bin = tmp_path / "venv" / "bin", tmp_path / "usr" / "bin"
    for folder in (venv_bin, path_bin):
        folder.mkdir(parents=True)
        exe = folder / "mpiexec"
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python"))
    monkeypatch.setenv("PATH", str(path_bin))
    assert mpi_launch.find_mpiexec() == str(venv_bin / "mpiexec")
    (venv_bin / "mpiexec").unlink()
    assert mpi_launch.find_mpiexec() == str(path_bin / "mpiexec")


def test_missing_mpiexec_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert mpi_launch.find_mpiexec() is None
    with pytest.raises(FileNotFoundError, match="make test"):
        mpi_launch.mpiexec_command(2)
    rows = mpi_bench.bench_mpi(True, lambda line: None)
    assert len(rows) == 1 and rows[0]["median_s"] is None
    assert rows[0]["note"].startswith("skipped: mpiexec not found")


def test_subprocess_env_makes_the_package_importable():
    env = mpi_launch.subprocess_env()
    package_root = Path(mpi_launch.__file__).resolve().parents[2]
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(package_root)
    assert (package_root / "sc_neurocore" / "accel" / "mpi_driver.py").exists()


def test_rebuilt_errors_keep_type_and_message():
    exc = mpi_errors.rebuild_error(2, "ValueError", "bad thing", "argument checks")
    assert type(exc) is ValueError and str(exc) == "bad thing"
    custom = mpi_errors.rebuild_error(1, "EngineBroke", "boom", "local compute")
    assert isinstance(custom, MPIRankError) and custom.rank == 1
    assert str(custom) == "rank 1 failed during local compute: EngineBroke: boom"


def test_parse_bench_output():
    summary = {"ranks": 2, "resident": {"median_s": 0.5}}
    text = "noise\n" + mpi_bench.BENCH_TAG + json.dumps(summary) + "\nmore noise\n"
    assert mpi_bench.parse_bench_output(text) == summary
    with pytest.raises(ValueError, match="no benchmark summary"):
        mpi_bench.parse_bench_output("nothing here")


# ----------------------------------------------------------------- threads per rank

def test_threads_per_rank_shares_the_node():
    from sc_neurocore.accel._threads import threads_per_rank

    assert threads_per_rank(2, 2, 2) == 1     # the ranks fill the node: one thread each
    assert threads_per_rank(3, 2, 2) == 1     # oversubscribed: still at least one
    assert threads_per_rank(2, 16, 16) == 8   # an equal share of a bigger node
    assert threads_per_rank(4, 16, 4) == 4    # each rank bound to its own 4 cores
    assert threads_per_rank(2, 16, 3) == 3    # never more than this rank's own mask
    for bad in ((0, 2, 2), (2, 0, 2), (2, 2, 0)):
        with pytest.raises(ValueError, match="must be an int >= 1"):
            threads_per_rank(*bad)


def test_thread_request_from_argument_and_environment(no_mpi, monkeypatch):
    monkeypatch.delenv(mpi_driver.THREADS_ENV, raising=False)
    assert mpi_runtime.thread_request(None) == "auto"
    assert mpi_runtime.thread_request(3) == 3
    assert mpi_runtime.thread_request(" Keep ") == "keep"
    monkeypatch.setenv(mpi_driver.THREADS_ENV, "4")
    assert mpi_runtime.thread_request(None) == 4
    assert mpi_runtime.thread_request("auto") == "auto"  # the argument wins
    monkeypatch.setenv(mpi_driver.THREADS_ENV, "0")
    with pytest.raises(ValueError, match=mpi_driver.THREADS_ENV):
        MPIDriver()
    monkeypatch.delenv(mpi_driver.THREADS_ENV)
    for bad in (0, -1, True, 2.0, "many", ""):
        with pytest.raises(ValueError, match="threads_per_rank must be a positive int"):
            MPIDriver(threads_per_rank=bad)


def test_single_rank_driver_leaves_threads_alone(no_mpi):
    from sc_neurocore.accel._threads import backend_threads

    before = backend_threads()
    with pytest.warns(MPIFallbackWarning):
        driver = MPIDriver(threads_per_rank=1)
    assert driver.apply_thread_policy() is None and driver.threads is None
    assert backend_threads() == before
