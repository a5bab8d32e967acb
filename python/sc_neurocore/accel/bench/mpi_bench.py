"""The MPI rows of the study: W2 and W3 on 1 and 2 ranks, ranks against threads.

Two halves:

* ``bench_job`` runs *inside* an MPI job (every rank calls it) and times
  one workload two ways: ``scatter`` (weights on the root,
  [`mpi_sc_forward`][sc_neurocore.accel.mpi_driver.mpi_sc_forward] scatters rows on every
  call) and ``resident`` (each rank already holds its rows,
  [`mpi_sc_forward_sharded`][sc_neurocore.accel.mpi_driver.mpi_sc_forward_sharded]).  Command
  line (options: ``--quick``, ``--workload W2`` or ``W3``, ``--threads T``,
  ``--json``, ``--repeats R``)::

      mpiexec -n 2 python -m mpi4py -m sc_neurocore.accel.bench.mpi_bench --workload W3

* ``run_mpi_study`` (``python -m sc_neurocore.accel bench --mpi``)
  launches such jobs with [`run_mpi`][sc_neurocore.accel.mpi_launch.run_mpi] and
  turns their summaries into rows of the study:

  - W2 (memory-bound: 512 MiB of weights, one input) on 1 rank x 1 thread,
    2 ranks x 1 thread and 1 rank x 2 threads: the efficiency of 2 ranks
    against 2 threads on the same cores;
  - W3 (compute-bound: 12 MiB of weights, a batch of 32) on 1 and 2 ranks
    x 1 thread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..mpi_launch import MPIEXEC_MISSING, find_mpiexec, run_mpi
from .timing import extra_row
from .workloads import WORKLOADS, Workload, make_inputs, workload

if TYPE_CHECKING:
    from ..mpi_driver import MPIDriver

__all__ = ["BENCH_TAG", "bench_job", "parse_bench_output", "bench_mpi", "run_mpi_study",
           "MPIStudy", "main"]

# Printed by the benchmark job in front of its JSON summary (one line, root only).
BENCH_TAG = "MPI_BENCH_JSON "
# Seconds one mpiexec job may run before it is ended.
JOB_TIMEOUT_S = 600


def _timed(driver: MPIDriver, fn: Callable[[], np.ndarray], repeats: int
           ) -> tuple[list[float], np.ndarray]:
    """Root wall times of ``fn`` (all ranks start together after a barrier; one warm-up)."""
    out = fn()
    times = []
    for _ in range(repeats):
        driver.barrier()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def _job_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sc_neurocore.accel.bench.mpi_bench",
                                     description="Time one workload under MPI (run it under "
                                                 "mpiexec; every rank runs it).")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--repeats", type=int, help="timed calls per mode")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per rank of the Rust engine / Numba (default 1; 0: "
                             "leave the backends' own defaults)")
    parser.add_argument("--backend", default="auto", help="rank-local backend")
    parser.add_argument("--json", action="store_true", help="print a JSON summary line")
    parser.add_argument("--workload", default="W2", choices=[w.name for w in WORKLOADS],
                        help="study workload to time (default W2)")
    parser.add_argument("--shape", type=int, nargs=3, metavar=("N_OUT", "N_IN", "LENGTH"),
                        help="a custom shape instead of --workload")
    parser.add_argument("--batch", type=int, help="with --shape: a batch of inputs")
    return parser


def bench_job(argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    """The benchmark run inside an MPI job (every rank calls it).

    Times one workload (W2 by default, or ``--shape``) two ways, ``scatter``
    and ``resident`` (module docstring).  Weight generation and the one-off
    distribution for ``resident`` are not timed.

    Returns
    -------
    dict or None
        On the root the summary (also printed as one JSON line after
        ``BENCH_TAG`` with ``--json``): ``ranks``, ``backend``,
        ``threads_per_rank``, ``workload``, ``shape``, ``batch``,
        ``weight_bytes``, ``repeats``, ``scatter`` and ``resident``
        (``median_s``, ``times_s``) and ``bit_identical``; ``None`` elsewhere.
    """
    from .._threads import backend_threads
    from ..backend import get_backend
    from ..mpi_driver import MPIDriver, mpi_sc_forward, mpi_sc_forward_sharded

    opts = _job_parser().parse_args(argv)
    if opts.shape:
        n_out, n_in, length = opts.shape
        work = Workload("custom", n_out, n_in, length, opts.batch)
    else:
        work = workload(opts.workload)
    repeats = opts.repeats or (5 if opts.quick else 21)
    driver = MPIDriver(threads_per_rank=opts.threads if opts.threads > 0 else "keep")
    engine = get_backend(opts.backend)
    driver.apply_thread_policy()
    threads = backend_threads().get(engine.name)
    weights: np.ndarray | None = None
    probs: np.ndarray | None = None
    reference: np.ndarray | None = None
    if driver.is_root:
        weights, probs = make_inputs(work)
        reference = engine.sc_forward(weights, probs, length=work.length)
    local_rows = driver.scatter_workload(weights)  # resident mode's one-off load, untimed
    scatter_times, scatter_out = _timed(
        driver, lambda: mpi_sc_forward(weights, probs, length=work.length, backend=engine.name,
                                       driver=driver), repeats)
    resident_times, resident_out = _timed(
        driver, lambda: mpi_sc_forward_sharded(local_rows, probs, length=work.length,
                                               backend=engine.name, driver=driver), repeats)
    if not driver.is_root:
        return None
    assert weights is not None and reference is not None
    summary: dict[str, Any] = {
        "ranks": driver.size, "backend": engine.name, "threads_per_rank": threads,
        "workload": work.name, "shape": [work.n_out, work.n_in, work.length],
        "batch": work.batch, "weight_bytes": int(weights.nbytes), "repeats": repeats,
        "scatter": {"median_s": statistics.median(scatter_times), "times_s": scatter_times},
        "resident": {"median_s": statistics.median(resident_times), "times_s": resident_times},
        "bit_identical": bool(np.array_equal(scatter_out, reference)
                              and np.array_equal(resident_out, reference)),
    }
    print(f"[mpi bench] {work.name}: {driver.size} rank(s), backend {engine.name}, "
          f"threads/rank {threads}", flush=True)
    for mode in ("scatter", "resident"):
        print(f"[mpi bench]   {mode:<8} median {summary[mode]['median_s'] * 1e3:9.2f} ms",
              flush=True)
    print(f"[mpi bench]   bit-identical to one process: {summary['bit_identical']}", flush=True)
    if opts.json:
        print(BENCH_TAG + json.dumps(summary), flush=True)
    return summary


def parse_bench_output(stdout: str) -> dict[str, Any]:
    """The JSON summary a benchmark job printed (the line after ``BENCH_TAG``).

    Raises
    ------
    ValueError
        If no summary line is present.
    """
    for line in reversed(stdout.splitlines()):
        if line.startswith(BENCH_TAG):
            summary: dict[str, Any] = json.loads(line[len(BENCH_TAG):])
            return summary
    raise ValueError("no benchmark summary line (starting with "
                     f"{BENCH_TAG.strip()!r}) in the job's output")


@dataclass
class MPIStudy:
    """What ``run_mpi_study`` measured.

    Attributes
    ----------
    rows : list of dict
        Extra rows of the study (keys ``name``, ``median_s``,
        ``baseline_name``, ``baseline_median_s``, ``ratio``, ``note``).
    summary : dict
        JSON-ready figures: per job label the job's summary (``jobs``), and
        the derived ratios (see ``run_mpi_study``).
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


# (label, workload, ranks, threads per rank)
_JOBS = (
    ("W2 1x1", "W2", 1, 1),
    ("W2 2x1", "W2", 2, 1),
    ("W2 1x2", "W2", 1, 2),
    ("W3 1x1", "W3", 1, 1),
    ("W3 2x1", "W3", 2, 1),
)


def run_mpi_study(quick: bool, progress: Callable[[str], None],
                  job_args: Sequence[str] = ()) -> MPIStudy:
    """Time W2 and W3 under ``mpiexec`` (see the module docstring).

    Each job is ``mpiexec -n R python -m mpi4py -m sc_neurocore.accel.bench.mpi_bench
    --workload W --threads T --json``.  Times are medians of the root's wall
    time per call, after a barrier, weight generation excluded.

    Parameters
    ----------
    quick : bool
        Fewer repeats per job.
    progress : callable
        Called with a short status line before each job.
    job_args : sequence of str, optional
        Extra arguments for every job (e.g. ``["--shape", "9", "5", "100"]``
        in tests).

    Returns
    -------
    MPIStudy
        ``rows`` for the study's table (the W2 rows keep their earlier names:
        ``mpi W2 1 rank x1 thread``, ``mpi W2 2 ranks, weights resident``,
        ``mpi W2 2 ranks, weights scattered``, ``mpi W2 1 rank x2 threads``);
        ``summary`` with ``jobs`` and, where measured,
        ``w2_speedup_2ranks`` (1x1 / 2x1 resident), ``w2_speedup_2threads``
        (1x1 / 1x2), ``w2_2ranks_vs_2threads`` (1x2 / 2x1 resident: above 1
        means two ranks beat two threads on the same cores),
        ``w3_speedup_2ranks`` (1x1 / 2x1 resident) and the parallel
        efficiencies (speed-up / 2).  Without mpiexec, or when a job fails:
        a row whose note says why, and no figures for that job.
    """
    study = MPIStudy(summary={"jobs": {}})
    if find_mpiexec() is None:
        study.rows.append(extra_row("mpi W2", None, None, None,
                                    "skipped: " + MPIEXEC_MISSING.format(python=sys.executable)))
        study.summary["skipped"] = study.rows[-1]["note"]
        return study
    base_args = [sys.executable, "-m", "mpi4py", "-m", "sc_neurocore.accel.bench.mpi_bench",
                 "--json"] + (["--quick"] if quick else []) + list(job_args)
    jobs: dict[str, dict[str, Any]] = study.summary["jobs"]
    for label, work, ranks, threads in _JOBS:
        progress(f"[mpi] {work} on {ranks} rank(s) x {threads} thread(s) (mpiexec -n {ranks})")
        run = run_mpi(ranks, base_args + ["--workload", work, "--threads", str(threads)],
                      timeout=JOB_TIMEOUT_S)
        try:
            if run.timed_out or run.returncode != 0:
                raise RuntimeError(f"job exited with {run.returncode}"
                                   f"{' (timed out)' if run.timed_out else ''}")
            jobs[label] = parse_bench_output(run.stdout)
        except (RuntimeError, ValueError) as exc:
            study.rows.append(extra_row(f"mpi {work} {ranks} rank(s) x{threads} thread(s)", None,
                                        None, None, f"failed: {exc}; {run.stderr.strip()[-300:]}"))
    study.rows[:0] = _w2_rows(jobs) + _w3_rows(jobs)
    study.summary.update(_ratios(jobs))
    return study


def _per(job: dict[str, Any]) -> str:
    return f"{job['backend']}, {job['threads_per_rank'] or 1} thread/rank"


def _rank_rows(jobs: dict[str, dict[str, Any]], work: str, one_note: str, resident_note: str,
               scatter_note: str) -> list[dict[str, Any]]:
    """The rows every MPI workload has: 1 rank x1 thread (the baseline), then 2 ranks
    with the weights resident and scattered (empty without the 1-rank job)."""
    one = jobs.get(f"{work} 1x1")
    if one is None:
        return []
    base_name = f"mpi {work} 1 rank x1 thread"
    base = one["scatter"]["median_s"]  # on 1 rank: plain sc_forward, no MPI traffic
    rows = [extra_row(base_name, base, None, None, f"{_per(one)}; {one_note}")]
    two = jobs.get(f"{work} 2x1")
    if two is not None:
        same = f"bit-identical {two['bit_identical']}"
        rows += [
            extra_row(f"mpi {work} 2 ranks, weights resident", two["resident"]["median_s"],
                      base_name, base, f"{_per(two)}; {resident_note}; {same}"),
            extra_row(f"mpi {work} 2 ranks, weights scattered", two["scatter"]["median_s"],
                      base_name, base, f"{_per(two)}; {scatter_note}; {same}"),
        ]
    return rows


def _w2_rows(jobs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = _rank_rows(jobs, "W2", "plain sc_forward in one process",
                      "speedup: Bcast input + compute + Gatherv",
                      "each call also Scatterv's half the weights from the root")
    wide = jobs.get("W2 1x2")
    if rows and wide is not None:
        base_name, base = rows[0]["name"], rows[0]["median_s"]
        rows.append(extra_row("mpi W2 1 rank x2 threads", wide["scatter"]["median_s"], base_name,
                              base, f"{_per(wide)}; the backend's own threads instead of ranks"))
        two = jobs.get("W2 2x1")
        if two is not None:
            rows.append(extra_row("mpi W2 2 ranks x1 thread vs 1 rank x2 threads",
                                  two["resident"]["median_s"], "mpi W2 1 rank x2 threads",
                                  wide["scatter"]["median_s"],
                                  "same 2 cores: ratio above 1 means 2 ranks (weights resident) "
                                  "beat 2 threads in one rank"))
    return rows


def _w3_rows(jobs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return _rank_rows(jobs, "W3", "batch 32, compute-bound; plain sc_forward in one process",
                      "speedup", "rows or batch split per choose_split")


def _ratios(jobs: dict[str, dict[str, Any]]) -> dict[str, float]:
    def med(label: str, mode: str) -> float | None:
        job = jobs.get(label)
        return None if job is None else float(job[mode]["median_s"])

    out: dict[str, float] = {}
    pairs = {
        "w2_speedup_2ranks": (med("W2 1x1", "scatter"), med("W2 2x1", "resident")),
        "w2_speedup_2threads": (med("W2 1x1", "scatter"), med("W2 1x2", "scatter")),
        "w2_2ranks_vs_2threads": (med("W2 1x2", "scatter"), med("W2 2x1", "resident")),
        "w3_speedup_2ranks": (med("W3 1x1", "scatter"), med("W3 2x1", "resident")),
    }
    for key, (num, den) in pairs.items():
        if num and den:
            out[key] = num / den
    for key in ("w2_speedup_2ranks", "w2_speedup_2threads", "w3_speedup_2ranks"):
        if key in out:
            out[key.replace("speedup", "efficiency")] = out[key] / 2
    return out


def bench_mpi(quick: bool, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """The rows of ``run_mpi_study`` alone (the extra rows of the study's table)."""
    return run_mpi_study(quick, progress).rows


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sc_neurocore.accel.bench.mpi_bench [options]`` (run under mpiexec)."""
    bench_job(list(sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    # Run the package's module (not this __main__ copy), so that module state
    # is the one every other import sees.
    from sc_neurocore.accel.bench.mpi_bench import main as _main

    sys.exit(_main())
