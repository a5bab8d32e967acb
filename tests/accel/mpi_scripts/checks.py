"""Checks run inside one ``mpiexec -n N`` job by tests/accel/test_mpi_driver.py.

Usage: ``mpiexec -n N python -m mpi4py checks.py OUT_DIR``.

Every rank runs every check and appends one JSON line per check to
``OUT_DIR/rank<R>.jsonl``: ``{"check": name, "rank": R, "ok": bool, "detail": ...}``
(files, not stdout: mpiexec may interleave the ranks' output mid-line).  One
launch covers many checks (each launch costs seconds).  A check that raises is
reported as failed with its exception and the job goes on; error checks record
the exception each rank raised (type and message) as the detail, and the test
compares those details across ranks.  The last line of each file is
``{"check": "DONE", ...}``.
"""

from __future__ import annotations

import faulthandler

# Watchdog: if the launching test dies (or is killed) the ranks must not spin
# in MPI forever on a shared machine; each rank ends itself after 300 s.
faulthandler.dump_traceback_later(300, exit=True)
import json
import os
import sys
import traceback
import warnings

import numpy as np
from mpi4py import MPI
from sc_neurocore.accel import encode_packed, mpi_driver, prepare_layer, sc_forward
from sc_neurocore.accel._backends import on_mpi, on_numpy
from sc_neurocore.accel._backends.on_mpi import inference as mpi_inference
from sc_neurocore.accel._backends.on_mpi import runtime as mpi_runtime
from sc_neurocore.accel._backends.on_mpi import transport as mpi_transport
from sc_neurocore.accel.bench import mpi_bench
from sc_neurocore.accel.mpi_driver import (
    MPIDriver,
    MPIFallbackWarning,
    block_range,
    mpi_sc_forward,
    mpi_sc_forward_sharded,
)

driver = MPIDriver()
RANK, SIZE = driver.rank, driver.size
ROOT = RANK == 0


OUT = open(os.path.join(sys.argv[1], f"rank{RANK}.jsonl"), "w", encoding="utf-8")


def report(name: str, ok: bool, detail: object = "") -> None:
    OUT.write(json.dumps({"check": name, "rank": RANK, "ok": ok, "detail": detail}) + "\n")
    OUT.flush()
    print(f"{name} rank {RANK}: {'OK' if ok else 'FAIL'}", flush=True)


def check(name: str):
    """Decorator: run the check now, report OK, or FAIL with the exception."""
    def run(fn):
        try:
            detail = fn()
            report(name, True, detail if detail is not None else "")
        except Exception as exc:  # report and go on: one failing check must not hide others
            report(name, False, f"{type(exc).__name__}: {exc} | "
                                f"{traceback.format_exc(limit=3)}")
        return fn
    return run


def raised(fn) -> str:
    """``"Type: message"`` of what ``fn()`` raised on this rank (AssertionError if nothing)."""
    try:
        fn()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    raise AssertionError("expected an exception on this rank, none was raised")


def root_only(value):
    return value if ROOT else None


def random_weights(rng, n_out, n_in, length):
    n_words = (length + 63) // 64
    w = rng.integers(0, 2**64, size=(n_out, n_in, n_words), dtype=np.uint64)
    if length % 64:
        w[..., -1] &= np.uint64((1 << (length % 64)) - 1)
    return w


# ----------------------------------------------------------------- scatter/gather round trips

def roundtrip(data: np.ndarray) -> str:
    """Scatter ``data`` from the root, check this rank's block, gather it back."""
    counts = mpi_driver.split_counts(data.shape[0], SIZE)
    assert max(counts) - min(counts) <= 1
    local = driver.scatter_workload(root_only(data))
    start, stop = block_range(data.shape[0], SIZE, RANK)
    assert local.dtype == data.dtype, (local.dtype, data.dtype)
    assert local.shape == (stop - start,) + data.shape[1:], (local.shape, data.shape)
    assert np.array_equal(local, data[start:stop])
    back = driver.gather_results(local)
    if ROOT:
        assert back.dtype == data.dtype and back.shape == data.shape
        assert np.array_equal(back, data)
    else:
        assert back.dtype == data.dtype and back.shape == (0,) + data.shape[1:], back.shape
    return f"rows {stop - start}"


rng = np.random.default_rng(7)
# Row counts chosen so that neither 2 nor 3 divides them (uneven splits everywhere).
CASES = {
    "uint64": rng.integers(0, 2**64, size=(7, 5), dtype=np.uint64),
    "float64": rng.standard_normal(11),
    "int32": rng.integers(-2**31, 2**31, size=(5, 4), dtype=np.int32),
    "bool": rng.random((7, 3)) < 0.5,
    "uint8": rng.integers(0, 256, size=(13, 2), dtype=np.uint8),
    "3d": rng.integers(0, 2**64, size=(5, 3, 4), dtype=np.uint64),
    "4d_float32": rng.standard_normal((7, 2, 3, 2)).astype(np.float32),
    "fewer_rows_than_ranks": np.arange(1, dtype=np.int64).reshape(1, 1),
    "zero_rows": np.empty((0, 3), dtype=np.float64),
    "datetime": np.arange(5).astype("M8[s]"),
    "record": np.array([(1, 2.5), (3, 4.5), (5, 6.5), (7, 8.5), (9, 0.5)],
                       dtype=[("a", "<i4"), ("b", "<f8")]),
}
for _name, _data in CASES.items():
    check(f"roundtrip:{_name}")(lambda data=_data: roundtrip(data))


@check("roundtrip:noncontiguous_root_input")
def _():
    data = np.arange(40, dtype=np.int16).reshape(5, 8)[:, ::2]
    return roundtrip(data)


@check("roundtrip:broadcast_array")
def _():
    data = np.arange(15, dtype=np.float32).reshape(5, 3)
    got = driver.broadcast_array(root_only(data))
    assert got.dtype == data.dtype and np.array_equal(got, data)


# ----------------------------------------------------------------- mpi_sc_forward

def forward_case(n_out, n_in, length, batch, seed):
    """Compare mpi_sc_forward with one-process sc_forward on the root."""
    case_rng = np.random.default_rng(n_out * 1000 + n_in + length)
    w = random_weights(case_rng, n_out, n_in, length)
    p = case_rng.random(n_in if batch is None else (batch, n_in))
    p.flat[0] = 0.0
    p.flat[-1] = 1.0
    got = mpi_sc_forward(root_only(w), root_only(p), length=length, seed=seed)
    if ROOT:
        for backend in ("numpy", "auto"):
            want = sc_forward(w, p, length=length, seed=seed, backend=backend)
            assert got.dtype == np.float64 and got.shape == want.shape, (got.shape, want.shape)
            assert np.array_equal(got, want), f"differs from sc_forward(backend={backend!r})"
        split = "rows" if batch is None else mpi_driver.choose_split(n_out, batch, SIZE)
        return f"split {split}"
    want_shape = (0,) if batch is None else (0, n_out)
    assert got.dtype == np.float64 and got.shape == want_shape, (got.dtype, got.shape)
    return "empty on non-root"


FORWARD = {
    "1d": (7, 5, 100, None, 65530),         # length not a multiple of 64, seed wraps to 0
    "1d_fewer_rows_than_ranks": (1, 3, 64, None, 44257),
    "batched_rows_split": (12, 4, 130, 5, 1),
    "batched_batch_split": (5, 6, 70, 20, 2**32 - 1),
    "batched_mixed": (7, 5, 100, 4, 44257),
    "batched_one_row": (5, 3, 64, 1, 0),
}
for _name, _case in FORWARD.items():
    check(f"forward:{_name}")(lambda case=_case: forward_case(*case))


def prepared_case(n_out, n_in, length, batch, seed, generator="lfsr"):
    """Compare mpi_sc_forward of a prepared layer with the packed path on the root."""
    case_rng = np.random.default_rng(n_out * 1000 + n_in + length + 1)
    w = case_rng.random((n_out, n_in))
    w.flat[0], w.flat[-1] = 0.0, 1.0
    p = case_rng.random(n_in if batch is None else (batch, n_in))
    layer = prepare_layer(w, length, weight_seed=77, generator=generator) if ROOT else None
    got = mpi_sc_forward(layer, root_only(p), length=length, seed=seed)
    if ROOT:
        want = sc_forward(encode_packed(w, length, 77, generator=generator, role="weight"), p,
                          length=length, seed=seed, backend="numpy", generator=generator)
        assert got.dtype == np.float64 and got.shape == want.shape, (got.shape, want.shape)
        assert np.array_equal(got, want), "differs from the packed path"
        return "split rows"
    want_shape = (0,) if batch is None else (0, n_out)
    assert got.dtype == np.float64 and got.shape == want_shape, (got.dtype, got.shape)
    return "empty on non-root"


PREPARED = {
    "prepared_1d": (7, 5, 100, None, 65530),
    "prepared_batched": (12, 4, 130, 5, 1),
    "prepared_fewer_rows_than_ranks": (1, 3, 65600, None, 44257),
    "prepared_sobol": (9, 4, 300, 3, 7, "sobol"),
    "prepared_lfsr_pair": (5, 6, 65, None, 65535, "lfsr_pair"),
}
for _name, _case in PREPARED.items():
    check(f"forward:{_name}")(lambda case=_case: prepared_case(*case))


@check("forward:prepared_counts_operation")
def _():
    rng_ = np.random.default_rng(8)
    k = rng_.integers(0, 201, size=(9, 4)).astype(np.uint32)
    states = rng_.integers(0, 65536, size=(4, 200)).astype(np.uint16)
    x = rng_.integers(0, 65537, size=(3, 4))
    got = on_mpi.prepared_counts(root_only(k), root_only(states), root_only(x))
    if ROOT:
        assert np.array_equal(got, on_numpy.prepared_counts(k, states, x))
    else:
        assert got.shape == (0, 9) and got.dtype == np.uint64, (got.shape, got.dtype)


@check("forward:sharded_resident_weights")
def _():
    w = random_weights(np.random.default_rng(3), 8, 6, 200)
    p = np.random.default_rng(4).random((3, 6))
    start, stop = block_range(8, SIZE, RANK)
    got = mpi_sc_forward_sharded(w[start:stop], root_only(p), length=200)
    if ROOT:
        assert np.array_equal(got, sc_forward(w, p, length=200, backend="numpy"))
    else:
        assert got.shape == (0, 8) and got.dtype == np.float64


# ----------------------------------------------------------------- errors: every rank raises

W_OK = random_weights(np.random.default_rng(5), 4, 3, 64)
P_OK = np.array([0.1, 0.5, 0.9])


@check("error:bad_probs")
def _():
    bad = np.array([0.1, 1.5, 0.2])
    return raised(lambda: mpi_sc_forward(root_only(W_OK), root_only(bad), length=64))


@check("error:bad_length")
def _():
    # Only the root's length counts; other ranks pass a valid one.
    return raised(lambda: mpi_sc_forward(root_only(W_OK), root_only(P_OK),
                                         length=0 if ROOT else 64))


@check("error:bad_n_words")
def _():
    return raised(lambda: mpi_sc_forward(root_only(W_OK), root_only(P_OK), length=65))


@check("error:bad_weights_dtype")
def _():
    return raised(lambda: mpi_sc_forward(root_only(W_OK.astype(np.int64)), root_only(P_OK),
                                         length=64))


@check("error:unknown_backend")
def _():
    return raised(lambda: mpi_sc_forward(root_only(W_OK), root_only(P_OK), length=64,
                                         backend="no-such-backend"))


@check("error:prepared_length_mismatch")
def _():
    layer = prepare_layer(np.full((4, 3), 0.5), 64, weight_seed=1) if ROOT else None
    return raised(lambda: mpi_sc_forward(layer, root_only(P_OK), length=128))


@check("error:scatter_none_on_root")
def _():
    return raised(lambda: driver.scatter_workload(None))


@check("error:scatter_object_dtype")
def _():
    return raised(lambda: driver.scatter_workload(
        root_only(np.array([object(), object()], dtype=object))))


@check("error:gather_dtype_mismatch")
def _():
    local = np.zeros((2, 3), dtype=np.float32 if RANK == SIZE - 1 else np.float64)
    return raised(lambda: driver.gather_results(local))


@check("error:sharded_wrong_n_in")
def _():
    local = np.zeros((2, 3 if RANK != SIZE - 1 else 4, 1), dtype=np.uint64)
    return raised(lambda: mpi_sc_forward_sharded(local, root_only(P_OK), length=64))


@check("error:local_compute_failure")
def _():
    original = mpi_inference._local_forward

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure in the local compute of rank 1")

    if RANK == 1:
        mpi_inference._local_forward = broken
    try:
        return raised(lambda: mpi_sc_forward(root_only(W_OK), root_only(P_OK), length=64))
    finally:
        mpi_inference._local_forward = original


@check("error:local_compute_failure_custom_type")
def _():
    class EngineBroke(Exception):
        pass

    original = mpi_inference._local_forward

    def broken(*args, **kwargs):
        raise EngineBroke("custom failure on the last rank")

    if RANK == SIZE - 1:
        mpi_inference._local_forward = broken
    try:
        got = raised(lambda: mpi_sc_forward(root_only(W_OK), root_only(P_OK), length=64))
    finally:
        mpi_inference._local_forward = original
    # The failing rank raises its own type; the others MPIRankError naming it.
    want = "EngineBroke" if RANK == SIZE - 1 else "MPIRankError"
    assert got.startswith(want), got
    assert "custom failure on the last rank" in got, got
    return "custom failure on the last rank"


@check("error:allocation_failure_in_scatter")
def _():
    original = mpi_transport.allocate

    def no_memory(shape, dtype):
        raise MemoryError(f"injected: cannot allocate {shape} on the last rank")

    if RANK == SIZE - 1:
        mpi_transport.allocate = no_memory
    try:
        return raised(lambda: driver.scatter_workload(root_only(np.zeros((6, 2)))))
    finally:
        mpi_transport.allocate = original


@check("forward:after_errors_comm_still_clean")
def _():
    return forward_case(7, 5, 100, 4, 44257)


# ----------------------------------------------------------------- threads per rank

@check("threads:auto_policy")
def _():
    # The forward checks above ran on the default driver (no driver= argument),
    # so its default ("auto") policy applied on the first of them.
    default = mpi_inference._default_driver
    assert default is not None and default._thread_request == "auto"
    node = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED)
    masks = node.allgather(sorted(os.sched_getaffinity(0)))
    node.Free()
    ranks_on_node, node_cpus = len(masks), len(set().union(*map(set, masks)))
    threads = default.threads
    assert isinstance(threads, int) and threads >= 1, f"threads {threads!r}"
    # Never more threads in all than CPUs, except the floor of one per rank.
    assert threads * ranks_on_node <= max(node_cpus, ranks_on_node), (
        f"{threads} threads x {ranks_on_node} ranks on {node_cpus} CPUs")
    if ranks_on_node >= node_cpus:
        assert threads == 1, f"ranks fill the node, yet {threads} threads per rank"
    try:
        from sc_neurocore import _engine
    except ImportError:
        return f"threads {threads}"
    assert _engine.get_num_threads() == threads, (_engine.get_num_threads(), threads)
    return f"threads {threads}"


@check("threads:explicit_override")
def _():
    explicit = MPIDriver(threads_per_rank=1)
    assert explicit.threads is None  # nothing set before its first forward pass
    rng = np.random.default_rng(3)
    weights = root_only(random_weights(rng, 6, 4, 64))
    mpi_sc_forward(weights, root_only(rng.random(4)), length=64, driver=explicit)
    assert explicit.threads == 1
    kept = MPIDriver(threads_per_rank="keep")
    mpi_sc_forward(weights, root_only(rng.random(4)), length=64, driver=kept)
    assert kept.threads is None
    return "ok"


# ----------------------------------------------------------------- benchmark job (tiny shape)

@check("bench:job_small")
def _():
    summary = mpi_bench.bench_job(["--shape", "9", "5", "100", "--repeats", "1"])
    if not ROOT:
        assert summary is None
        return "non-root"
    assert summary["ranks"] == SIZE and summary["shape"] == [9, 5, 100]
    assert summary["bit_identical"] is True
    assert len(summary["scatter"]["times_s"]) == 1 and len(summary["resident"]["times_s"]) == 1
    return "bit-identical"


# ----------------------------------------------------------------- no communicator

@check("fallback:comm_null")
def _():
    mpi_runtime.FALLBACK.issued = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        single = MPIDriver(MPI.COMM_NULL)
        again = MPIDriver(MPI.COMM_NULL)
    fallbacks = [w for w in caught if issubclass(w.category, MPIFallbackWarning)]
    assert len(fallbacks) == 1, f"expected one warning, got {len(fallbacks)}"
    assert (single.rank, single.size, single.comm) == (0, 1, None)
    assert (again.rank, again.size) == (0, 1)
    data = np.arange(6).reshape(3, 2)
    assert single.scatter_workload(data) is data
    assert single.gather_results(data) is data
    single.barrier()


driver.barrier()
report("DONE", True, SIZE)
OUT.close()
