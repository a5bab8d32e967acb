"""The timing study: every available backend on the standard workloads ([design: measurement][measurement]).

For each workload and backend it reports the median time over repeated runs,
the effective bandwidth (bytes of ``weights_packed`` streamed per second), the
speed-up against the NumPy reference measured in the same run, the fraction of
the bandwidth of a plain ``numpy.sum`` over the weights (a stand-in for the
memory-bandwidth limit) and whether the result is bit-identical to NumPy.

Around that main table, in the same run:

* **contended rows**: each parallel backend (Rust, Numba, JAX) on W1 (and W2
  outside ``--quick``) again while one CPU-bound process per usable core runs
  (``contention``), with the ratio contended /
  quiet;
* **fresh-process first calls**: the Rust engine's first calls on W1 in fresh
  processes, default threads against one thread (``first_calls``);
* **the NumPy baseline**: the reference release's NumPy path on W1
  (``reference_numpy``) against the NumPy
  backend, and the NumPy backend's fraction of the ``numpy.sum`` bandwidth;
* **accuracy against stream length** (``accuracy``), to 65536 bits through
  the prepared path, and the **stream generators** compared on the same layer
  (``accuracy["generators"]``): error and time per call of both paths for
  each generator;
* **prepared layers against packed weights** (``prepared_layers``): time per
  call against stream length, the one-time costs and their repayment, memory,
  W3, and the scale row;
* the per-backend **extra benchmarks** (Numba, JAX) and, on request, the
  **MPI** rows (``mpi_bench``);
* a **headline** of the ratios above.
"""

from __future__ import annotations

import functools
import importlib
import math
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._encoder import DEFAULT_SEED
from .._registry import backend_class, backend_status, engine_info, get_backend
from .._threads import backend_threads, usable_cpus
from .accuracy import (
    ACCURACY_LENGTHS,
    ACCURACY_SHAPE,
    GENERATOR_LENGTHS,
    accuracy_study,
    generator_study,
)
from .contention import cpu_hogs
from .first_calls import FIRST_CALLS, FRESH_PROCESSES, FirstCallsRow, first_calls_study
from .prepared_layers import PACKED_BUDGET_BYTES, prepared_study
from .reference_numpy import REFERENCE_SOURCE, reference_numpy_sc_forward
from .results import host_key
from .timing import median_time, same_bits
from .workloads import SMOKE_WORKLOADS, WORKLOADS, Workload, make_inputs

__all__ = ["Row", "ContendedRow", "FirstCallsRow", "Study", "StudyOptions", "run_study", "rank_backends",
           "host_info", "library_versions", "EXTRA_PROVIDERS", "PARALLEL_BACKENDS", "median_time",
           "make_inputs", "Workload", "WORKLOADS", "SMOKE_WORKLOADS"]

Progress = Callable[[str], None]

# (name, module, function) of optional benchmark providers: each is
# ``f(quick: bool, progress, *, smoke: bool) -> list[dict[str, Any]]`` with keys name,
# median_s, baseline_name, baseline_median_s, ratio, note.
EXTRA_PROVIDERS = (
    ("numba", "sc_neurocore.accel.bench.numba_extras", "bench_extras"),
    ("jax", "sc_neurocore.accel.bench.jax_extras", "bench_extras"),
    # The LGSSM filter and EM of world_model.predictive_model on the Rust backend.
    ("rust", "sc_neurocore.accel.bench.lgssm_extras", "bench_extras"),
)

# Backends whose kernels run several threads on the CPU: the contended rows.
PARALLEL_BACKENDS = ("rust", "numba", "jax")


@dataclass
class Row:
    """One backend on one workload.

    Attributes
    ----------
    workload : str
        The workload's name (``"W1"``, ...).
    backend : str
        The backend's name.
    median_s : float
        Median seconds per ``sc_forward`` call.
    times_s : list of float
        Every timed call (seconds).
    bandwidth_gbs : float
        Bytes of ``weights_packed`` streamed per second, in GB/s.
    vs_numpy : float
        Speed-up over the NumPy backend in the same run (NaN until set).
    vs_sum_bandwidth : float
        Fraction of the bandwidth of ``numpy.sum`` over the same weights.
    bit_identical : bool
        Whether the result equals the NumPy backend's bit for bit.
    per_input_s : float
        ``median_s`` per input row (the batch size divides it).
    """

    workload: str
    backend: str
    median_s: float
    times_s: list[float]
    bandwidth_gbs: float
    vs_numpy: float = math.nan
    vs_sum_bandwidth: float = math.nan
    bit_identical: bool = False
    per_input_s: float = math.nan


@dataclass
class ContendedRow:
    """One parallel backend on one workload, with every core kept busy by other processes.

    ``ratio`` is ``contended_median_s / quiet_median_s``: how many times
    slower the backend ran while ``hogs`` CPU-bound processes competed for the
    cores (1 means unaffected).  The quiet median is the main table's row of
    the same run.

    Attributes
    ----------
    workload : str
        The workload's name.
    backend : str
        The parallel backend's name.
    hogs : int
        CPU-bound processes that ran during the measurement.
    quiet_median_s : float
        The backend's median on the quiet machine (the main table's row).
    contended_median_s : float
        Its median while the hogs ran.
    ratio : float
        ``contended_median_s / quiet_median_s``.
    times_s : list of float
        Every contended timed call (seconds).
    threads : int or None
        Worker threads the backend ran on, where this package can tell.
    bit_identical : bool
        Whether the contended result equals the NumPy backend's bit for bit.
    """

    workload: str
    backend: str
    hogs: int
    quiet_median_s: float
    contended_median_s: float
    ratio: float
    times_s: list[float]
    threads: int | None
    bit_identical: bool


@dataclass
class Study:
    """Everything one ``bench`` run measured.

    Attributes
    ----------
    host : dict
        CPU, core counts, platform, SIMD tier and threads (``host_info()``).
    versions : dict
        Library versions (``library_versions()``).
    quick : bool
        Whether this was a ``--quick`` run.
    repeats : int
        Minimum timed runs per measurement.
    rows : list of Row
        The main table: every backend on every workload.
    sum_baseline : dict
        Per workload, the ``numpy.sum`` bandwidth baseline.
    extras : list of dict
        The per-backend extra rows and the MPI rows.
    unavailable : dict
        Backend name -> why it was not measured.
    ranking : list of str
        Backends fastest first (``rank_backends``).
    smoke : bool
        Whether this was a smoke run (tiny shapes; figures mean nothing).
    workloads : list of Workload
        The workloads measured.
    contended : list of ContendedRow
        The contended rows.
    reference_numpy : dict
        Per workload, the reference release's NumPy path against the NumPy backend.
    accuracy : dict
        RMSE and time per call against stream length.
    mpi : dict
        The MPI rows' summary and ratios (empty without ``mpi``).
    headline : dict
        The ratios the study exists to report, gathered from its parts.
    first_calls : list of FirstCallsRow
        The fresh-process first calls of the Rust engine on W1, one row per process.
    prepared : dict
        Prepared layers against packed weights (``prepared_layers.prepared_study``).
    """

    host: dict[str, Any]
    versions: dict[str, Any]
    quick: bool
    repeats: int
    rows: list[Row] = field(default_factory=list)
    sum_baseline: dict[str, Any] = field(default_factory=dict)
    extras: list[dict[str, Any]] = field(default_factory=list)
    unavailable: dict[str, Any] = field(default_factory=dict)
    ranking: list[str] = field(default_factory=list)
    smoke: bool = False
    workloads: list[Workload] = field(default_factory=list)
    contended: list[ContendedRow] = field(default_factory=list)
    reference_numpy: dict[str, Any] = field(default_factory=dict)
    accuracy: dict[str, Any] = field(default_factory=dict)
    mpi: dict[str, Any] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)
    first_calls: list[FirstCallsRow] = field(default_factory=list)
    prepared: dict[str, Any] = field(default_factory=dict)


def host_info() -> dict[str, Any]:
    """CPU, core counts and platform of this host, with the engine's SIMD tier and threads."""
    return {"key": host_key(), "cpu": host_key().rsplit(" x", 1)[0],
            "cpus": os.cpu_count(), "usable_cpus": usable_cpus(),
            "platform": platform.platform(), "python": platform.python_version(),
            **engine_info()}


def library_versions() -> dict[str, Any]:
    """Versions of the libraries the backends use (None where absent)."""
    versions = {}
    for name in ("numpy", "numba", "jax", "jaxlib", "cupy", "mpi4py"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except Exception:  # absent or broken: reported as missing
            versions[name] = None
    from .. import __version__

    versions["sc_neurocore"] = __version__
    return versions


def _threads_of(name: str) -> int | None:
    """Worker threads the named backend runs on the CPU, where this package can tell."""
    return backend_threads().get(name)


@dataclass(frozen=True)
class StudyOptions:
    """What a timing study runs, and how many times.

    Attributes
    ----------
    quick : bool
        Fewer repeats, smaller extra benchmarks, contended rows on W1 only.
    backends : sequence of str, optional
        Restrict to these backend names (NumPy is always measured: it is the
        reference every ratio is taken against).
    repeats : int, optional
        Minimum timed runs per measurement (default 7, quick 3); fast calls
        are repeated more (see [`median_time`][sc_neurocore.accel.bench.median_time]).
    extras : bool
        Also run the per-backend extra benchmarks (Numba, JAX).
    workloads : sequence of Workload, optional
        Default [`WORKLOADS`][sc_neurocore.accel.bench.WORKLOADS]
        ([`SMOKE_WORKLOADS`][sc_neurocore.accel.bench.SMOKE_WORKLOADS] with ``smoke``).
    smoke : bool
        Tiny shapes everywhere, to check the whole study quickly; its figures
        mean nothing ([`write_results`][sc_neurocore.accel.bench.write_results]
        writes it under a name ``auto`` selection never reads).
    contended : bool
        Measure the contended rows ([`ContendedRow`][sc_neurocore.accel.bench.ContendedRow]).
    hogs : int, optional
        CPU-bound processes for the contended rows (default: one per usable
        CPU of this process's affinity mask).
    reference : bool
        Time the reference release's NumPy path on W1.
    accuracy : bool
        Measure accuracy against stream length (W1's layer shape), and compare
        the stream generators on the same layer (64 ... 65536 bits).
    accuracy_lengths : sequence of int, optional
        Stream lengths of the accuracy table (default 64 ... 65536).
    mpi : bool
        Also run the MPI rows (needs ``mpiexec``).
    first_calls : bool
        Time the Rust engine's first calls on W1 in fresh processes
        ([`FirstCallsRow`][sc_neurocore.accel.bench.FirstCallsRow]; 2 processes of
        5 calls with ``smoke``).
    prepared : bool
        Compare prepared layers with packed weights (time against length,
        one-time costs, memory, W3).
    scale : bool
        With ``prepared``, also the scale row: 4096 x 4096 at 32768 bits
        (a 64 x 48 layer at 4096 bits with ``smoke``).
    scale_slices : int, optional
        Packed slices of 16 output rows the scale row checks (default: every
        one; 3 with ``quick``).
    packed_budget : int, optional
        Largest packed weights (bytes) the length sweep builds (default
        2 GiB, 256 MiB with ``quick``).
    """

    quick: bool = False
    backends: Sequence[str] | None = None
    repeats: int | None = None
    extras: bool = True
    workloads: Sequence[Workload] | None = None
    smoke: bool = False
    contended: bool = True
    hogs: int | None = None
    reference: bool = True
    accuracy: bool = True
    accuracy_lengths: Sequence[int] | None = None
    mpi: bool = False
    first_calls: bool = True
    prepared: bool = True
    scale: bool = True
    scale_slices: int | None = None
    packed_budget: int | None = None


@dataclass(frozen=True)
class _Plan:
    """The options resolved: the run's repeats and workloads, and what it measures where."""

    options: StudyOptions
    repeats: int
    quick: bool
    works: tuple[Workload, ...]
    contended_works: frozenset[str]
    backends: tuple[str, ...]
    say: Progress

    @classmethod
    def of(cls, options: StudyOptions, chosen: list[str], say: Progress) -> _Plan:
        smoke = options.smoke
        repeats = options.repeats or (1 if smoke else 3 if options.quick else 7)
        quick = options.quick or smoke
        works = tuple(options.workloads) if options.workloads else (
            SMOKE_WORKLOADS if smoke else WORKLOADS)
        contended = ({works[0].name} if quick else
                     {w.name for w in works if w.batch is None})
        return cls(options, repeats, quick, works, frozenset(contended), tuple(chosen), say)


def _print_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_study(options: StudyOptions | None = None,
              progress: Callable[[str], None] | None = None) -> Study:
    """Time every available backend on W1–W3 and run the study's other parts.

    Parameters
    ----------
    options : StudyOptions, optional
        What to run (default: the whole study, see
        [`StudyOptions`][sc_neurocore.accel.bench.StudyOptions]).
    progress : callable, optional
        Receives one line of text per step (default: print to stderr).

    Returns
    -------
    Study
    """
    options = options or StudyOptions()
    say = progress or _print_progress
    status = backend_status()
    chosen = [n for n, s in status.items()
              if s.available and (options.backends is None or n in options.backends)]
    if "numpy" not in chosen:
        chosen.insert(0, "numpy")
    plan = _Plan.of(options, chosen, say)
    study = Study(host_info(), library_versions(), plan.quick, plan.repeats,
                  smoke=options.smoke, workloads=list(plan.works))
    study.unavailable = {n: s.reason for n, s in status.items() if not s.available}
    for name, reason in study.unavailable.items():
        say(f"skip {name}: {reason}")
    for work in plan.works:
        _time_workload(study, work, plan)
    study.ranking = rank_backends(study)
    if options.accuracy:
        study.accuracy = _accuracy_part(study, plan)
    if options.prepared:
        study.prepared = _prepared_part(study, plan)
    if options.extras:
        study.extras.extend(_extra_rows(plan))
    if options.mpi:
        from .mpi_bench import run_mpi_study

        job_args = ["--repeats", "1"] if options.smoke else []
        mpi_study = run_mpi_study(plan.quick, say, job_args)
        study.extras.extend(mpi_study.rows)
        study.mpi = mpi_study.summary
    study.headline = headline(study)
    return study


def _time_backend(work: Workload, name: str, weights: np.ndarray, probs: np.ndarray,
                  repeats: int) -> tuple[np.ndarray, float, list[float]]:
    """One backend's result on ``work``, then its median time and every timed call."""
    call = functools.partial(get_backend(name).sc_forward, weights, probs, length=work.length,
                             seed=DEFAULT_SEED)
    got = call()
    median, times = median_time(call, repeats)
    return got, median, times


def _time_workload(study: Study, work: Workload, plan: _Plan) -> None:
    """The main-table rows of ``work`` (every backend), then its contended and reference rows."""
    say, repeats, options = plan.say, plan.repeats, plan.options
    say(f"[{work.name}] generating inputs ({work.describe()})")
    weights, probs = make_inputs(work)
    sum_median, sum_times = median_time(functools.partial(np.sum, weights), repeats)
    sum_bw = work.weight_bytes / sum_median
    study.sum_baseline[work.name] = {"median_s": sum_median, "times_s": sum_times,
                                     "bandwidth_gbs": sum_bw / 1e9}
    say(f"[{work.name}] numpy.sum baseline: {sum_median * 1e3:.3f} ms, {sum_bw / 1e9:.2f} GB/s")
    reference_out = get_backend("numpy").sc_forward(weights, probs, length=work.length,
                                                    seed=DEFAULT_SEED)
    rows = []
    for name in plan.backends:
        say(f"[{work.name}] {name}: timing (at least {repeats} runs)")
        got, median, times = _time_backend(work, name, weights, probs, repeats)
        row = Row(work.name, name, median, times, work.weight_bytes / median / 1e9,
                  vs_sum_bandwidth=(work.weight_bytes / median) / sum_bw,
                  bit_identical=same_bits(got, reference_out),
                  per_input_s=median / (work.batch or 1))
        rows.append(row)
        say(f"[{work.name}] {name}: {median * 1e3:.3f} ms, {row.bandwidth_gbs:.2f} GB/s, "
            f"{'bit-identical' if row.bit_identical else 'MISMATCH'}")
    numpy_median = next(r.median_s for r in rows if r.backend == "numpy")
    for row in rows:
        row.vs_numpy = numpy_median / row.median_s
    study.rows.extend(rows)
    if options.contended and work.name in plan.contended_works:
        for row in rows:
            if row.backend in PARALLEL_BACKENDS:
                study.contended.append(_contended_row(work, row, weights, probs,
                                                      reference_out, repeats, options.hogs,
                                                      say))
    if (options.first_calls and "rust" in plan.backends and work.name == "W1"
            and work.batch is None):
        say(f"[{work.name}] rust: first calls in fresh processes")
        study.first_calls = first_calls_study(
            work, _threads_of("rust") or 1,
            processes=2 if options.smoke else FRESH_PROCESSES,
            calls=5 if options.smoke else FIRST_CALLS, progress=say)
    if options.reference and work.name == "W1" and work.batch is None:
        study.reference_numpy[work.name] = _reference_numpy(work, weights, probs,
                                                            reference_out, rows, repeats, say)


def _accuracy_part(study: Study, plan: _Plan) -> dict[str, Any]:
    """Accuracy against stream length, timing the fastest backend and NumPy."""
    smoke = plan.options.smoke
    fastest = next((n for n in study.ranking if n != "numpy"), None)
    timed = [n for n in (fastest, "numpy") if n is not None]
    n_out, n_in = (8, 16) if smoke else ACCURACY_SHAPE
    lengths = plan.options.accuracy_lengths or ((64, 128) if smoke else ACCURACY_LENGTHS)
    plan.say(f"[accuracy] {n_out} x {n_in} layer, lengths {', '.join(map(str, lengths))}; "
             f"timing {', '.join(timed)}")
    result = accuracy_study(n_out, n_in, lengths, timed, repeats=plan.repeats,
                            progress=plan.say)
    generator_lengths = (64, 128) if smoke else GENERATOR_LENGTHS
    plan.say(f"[generators] every stream generator, lengths "
             f"{', '.join(map(str, generator_lengths))}")
    result["generators"] = generator_study(n_out, n_in, generator_lengths, timed,
                                           repeats=plan.repeats, progress=plan.say)
    return result


def _prepared_part(study: Study, plan: _Plan) -> dict[str, Any]:
    """Prepared layers against packed weights on one backend (Rust where it is measured)."""
    options = plan.options
    candidates = ["rust"] + [n for n in study.ranking if n != "rust"]
    backend = next(n for n in candidates
                   if n in plan.backends and backend_class(n).has_prepared_path())
    lengths = (64, 128, 1000) if options.smoke else None
    budget = options.packed_budget or (
        PACKED_BUDGET_BYTES // 8 if plan.quick else PACKED_BUDGET_BYTES)
    slices = options.scale_slices or (3 if plan.quick else None)
    plan.say(f"[prepared] {backend}: packed weights against prepared layers")
    kwargs: dict[str, Any] = {} if lengths is None else {"lengths": lengths}
    return prepared_study(backend, plan.works, repeats=plan.repeats, packed_budget=budget,
                          scale=options.scale,
                          scale_shape=(64, 48, 4096) if options.smoke else None,
                          scale_slices=slices, progress=plan.say, **kwargs)


def _extra_rows(plan: _Plan) -> list[dict[str, Any]]:
    """The extra benchmarks of the measured backends that have some."""
    rows: list[dict[str, Any]] = []
    for backend_name, module, func in EXTRA_PROVIDERS:
        if backend_name not in plan.backends:
            continue
        plan.say(f"[extras] {backend_name}")
        try:
            provider = getattr(importlib.import_module(module), func)
            rows.extend(provider(plan.quick, plan.say, smoke=plan.options.smoke))
        except Exception as exc:  # an extra benchmark must not sink the study
            plan.say(f"[extras] {backend_name} failed: {type(exc).__name__}: {exc}")
            rows.append({"name": f"{backend_name} extras", "note": f"failed: {exc}"})
    return rows


def _contended_row(work: Workload, quiet: Row, weights: np.ndarray, probs: np.ndarray,
                   reference_out: np.ndarray, repeats: int, hogs: int | None,
                   say: Progress) -> ContendedRow:
    """Time ``quiet.backend`` on ``work`` again while CPU-bound processes fill every core."""
    backend = get_backend(quiet.backend)
    with cpu_hogs(hogs) as procs:
        running = len(procs)
        say(f"[{work.name}] {quiet.backend}: contended, {running} CPU-bound processes running")
        got = backend.sc_forward(weights, probs, length=work.length, seed=DEFAULT_SEED)
        median, times = median_time(
            lambda: backend.sc_forward(weights, probs, length=work.length, seed=DEFAULT_SEED),
            repeats)
    row = ContendedRow(work.name, quiet.backend, running, quiet.median_s, median,
                       median / quiet.median_s, times, _threads_of(quiet.backend),
                       same_bits(got, reference_out))
    say(f"[{work.name}] {quiet.backend}: contended {median * 1e3:.3f} ms, "
        f"{row.ratio:.2f}x its quiet time")
    return row


def _reference_numpy(work: Workload, weights: np.ndarray, probs: np.ndarray,
                     reference_out: np.ndarray, rows: list[Row], repeats: int,
                     say: Progress) -> dict[str, Any]:
    """The reference release's NumPy path on ``work`` against the NumPy backend's row."""
    say(f"[{work.name}] reference release's NumPy path: timing")
    got = reference_numpy_sc_forward(weights, probs, length=work.length, seed=DEFAULT_SEED)
    median, times = median_time(
        lambda: reference_numpy_sc_forward(weights, probs, length=work.length,
                                           seed=DEFAULT_SEED), repeats)
    numpy_row = next(r for r in rows if r.backend == "numpy")
    result = {"median_s": median, "times_s": times,
              "bit_identical": same_bits(got, reference_out),
              "numpy_backend_median_s": numpy_row.median_s,
              "numpy_vs_reference": median / numpy_row.median_s,
              "numpy_vs_sum_bandwidth": numpy_row.vs_sum_bandwidth,
              "source": REFERENCE_SOURCE}
    say(f"[{work.name}] reference NumPy path {median * 1e3:.3f} ms: the NumPy backend is "
        f"{result['numpy_vs_reference']:.1f}x faster")
    return result


def rank_backends(study: Study) -> list[str]:
    """Backends fastest first by geometric-mean speed-up over NumPy, NumPy last.

    Backends that were not bit-identical on every workload are left out.

    Parameters
    ----------
    study : Study
        A study with its main-table rows.

    Returns
    -------
    list of str
        Backend names, NumPy last.
    """
    scores: dict[str, list[float]] = {}
    broken = {r.backend for r in study.rows if not r.bit_identical}
    for row in study.rows:
        if row.backend != "numpy" and row.backend not in broken:
            scores.setdefault(row.backend, []).append(math.log(row.vs_numpy))
    order = sorted(scores, key=lambda n: -statistics.fmean(scores[n]))
    return order + ["numpy"]


def headline(study: Study) -> dict[str, Any]:
    """The ratios the study exists to report, gathered from its parts.

    Returns
    -------
    dict
        ``contended_over_quiet`` (backend -> workload -> ratio, at most 2 is
        the target), ``numpy_vs_sum_bandwidth`` (workload -> fraction),
        ``numpy_vs_reference_numpy`` (workload -> speed-up of the NumPy backend
        over the reference release's NumPy path), ``jax_vs_numpy`` (workload ->
        speed-up of JAX over the NumPy backend, where JAX ran), the MPI
        ratios where measured (``mpi_*``) and, where measured,
        ``first_calls_over_one_thread`` (workload -> the largest ratio of a
        fresh process's first-calls median to its one-thread median, at most
        0.6 is the target), ``prepared_over_packed`` (workload -> packed median
        over prepared median on the same backend; the targets are in
        ``prepared_layers.PREPARED_TARGETS``) and ``prepared_scale_bit_identical``.
    """
    out: dict[str, Any] = {"contended_over_quiet": {}, "numpy_vs_sum_bandwidth": {},
                 "numpy_vs_reference_numpy": {}, "jax_vs_numpy": {}}
    for c in study.contended:
        out["contended_over_quiet"].setdefault(c.backend, {})[c.workload] = c.ratio
    for row in study.rows:
        if row.backend == "numpy":
            out["numpy_vs_sum_bandwidth"][row.workload] = row.vs_sum_bandwidth
        elif row.backend == "jax":
            out["jax_vs_numpy"][row.workload] = row.vs_numpy
    for name, ref in study.reference_numpy.items():
        out["numpy_vs_reference_numpy"][name] = ref["numpy_vs_reference"]
    for key in ("w2_2ranks_vs_2threads", "w2_speedup_2ranks", "w3_speedup_2ranks"):
        if key in study.mpi:
            out[f"mpi_{key}"] = study.mpi[key]
    if study.first_calls:
        out["first_calls_over_one_thread"] = {
            row.workload: max(r.ratio for r in study.first_calls if r.workload == row.workload)
            for row in study.first_calls}
    if study.prepared.get("workloads"):
        out["prepared_over_packed"] = {c["workload"]: c["ratio"]
                                       for c in study.prepared["workloads"]}
    if study.prepared.get("scale"):
        out["prepared_scale_bit_identical"] = study.prepared["scale"]["bit_identical"]
    return out
