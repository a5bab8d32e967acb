"""Fresh-process first calls: whether the Rust engine runs in parallel from its first call.

A call of a few hundred microseconds (W1) only gains from the engine's
helper threads if they are running by the time the call starts: a helper
that sleeps between calls and wakes too late leaves the whole call to the
calling thread. A long timing loop hides that (the helpers may be kept warm
by the loop itself), so this part of the study starts ``processes`` fresh
Python processes. Each times its first ``calls`` calls of
``sc_forward(..., backend="rust")`` on W1 with the engine's thread count
(the parent's: the default, or ``bench --threads``), then the next
``calls`` on one thread, and reports both medians and their ratio
(default / one thread; the target is at most 0.6, i.e. at least 1.7x the
single-thread speed, in every process).

Each process also reports, from the engine's pool counters, in how many of
the first series' parallel regions a helper ran a task and what share of
the tasks helpers ran. They tell the two reasons for a high ratio apart: a
helper that joined late or never (few regions helped, a small share), or
threads that both ran (about ``1 - 1/threads`` of the tasks on helpers) yet
were not faster together, which is the CPUs' doing (on a virtual machine,
vCPUs that share a busy host), not the pool's.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..._validation import check_int
from .workloads import Workload, make_inputs

__all__ = ["FirstCallsRow", "FIRST_CALLS", "FRESH_PROCESSES", "FIRST_CALLS_TARGET",
           "child_main", "first_calls_study", "time_first_calls"]

FIRST_CALLS = 60
"""Calls timed per thread setting in each fresh process."""

FRESH_PROCESSES = 5
"""Fresh processes started."""

FIRST_CALLS_TARGET = 0.6
"""The target: default-thread median / one-thread median at most this, in every process."""

# Seconds a child process may take (imports, inputs, 2 x calls of W1).
_CHILD_TIMEOUT_S = 300.0

# What each fresh process runs (argv: see ``child_main``).
_CHILD_CODE = ("import sys\n"
               "from sc_neurocore.accel.bench.first_calls import child_main\n"
               "sys.exit(child_main(sys.argv[1:]))\n")


@dataclass
class FirstCallsRow:
    """One fresh process: its first calls on the default threads against one thread.

    Attributes
    ----------
    process : int
        The process's number in the study (0, 1, ...).
    workload : str
        The workload timed (``"W1"``).
    calls : int
        Calls timed per thread setting.
    threads : int
        The engine's thread count for the first series.
    default_median_s : float
        Median of the first ``calls`` calls of the process, on ``threads`` threads.
    one_thread_median_s : float
        Median of the next ``calls`` calls, on one thread.
    ratio : float
        ``default_median_s / one_thread_median_s`` (target: at most 0.6).
    default_times_s : list of float
        Every call of the first series, in order (seconds).
    one_thread_times_s : list of float
        Every call of the second series, in order (seconds).
    bit_identical : bool
        Whether both series returned the same result bit for bit, equal to
        the NumPy backend's.
    regions : int or None
        Parallel regions the engine ran during the first series (None in
        results written before the counters existed).
    regions_helped : int or None
        Those of them in which a helper thread ran at least one task.
    helper_task_share : float or None
        The share of those regions' tasks that helper threads ran (the
        calling thread ran the rest); None when there were no parallel
        regions (one thread).
    """

    process: int
    workload: str
    calls: int
    threads: int
    default_median_s: float
    one_thread_median_s: float
    ratio: float
    default_times_s: list[float]
    one_thread_times_s: list[float]
    bit_identical: bool
    regions: int | None = None
    regions_helped: int | None = None
    helper_task_share: float | None = None


def time_first_calls(work: Workload, calls: int, threads: int) -> dict[str, object]:
    """Time this process's first calls of the Rust ``sc_forward`` on ``work``.

    Meant to run in a fresh process (``first_calls_study`` starts one per
    row): the first series is timed before the engine has run anything.

    Parameters
    ----------
    work : Workload
        The shape to time.
    calls : int
        Calls per series (>= 1).
    threads : int
        The engine's thread count for the first series (>= 1).

    Returns
    -------
    dict
        ``threads``, ``default_times_s``, ``one_thread_times_s``,
        ``bit_identical`` (both series' last results equal each other and
        the NumPy backend's) and ``pool`` (the engine's pool counters over
        the first series: ``regions``, ``regions_helped``, ``tasks``,
        ``helper_tasks``).
    """
    from sc_neurocore import _engine

    from .. import sc_forward
    from .._encoder import DEFAULT_SEED

    calls = check_int(calls, "calls", minimum=1)
    threads = check_int(threads, "threads", minimum=1)
    weights, probs = make_inputs(work)

    def series() -> tuple[list[float], np.ndarray]:
        times = []
        out = np.empty(0)
        for _ in range(calls):
            start = time.perf_counter()
            out = sc_forward(weights, probs, length=work.length, seed=DEFAULT_SEED,
                             backend="rust")
            times.append(time.perf_counter() - start)
        return times, out

    _engine.set_num_threads(threads)
    before = _engine.pool_counters()
    default_times, default_out = series()
    after = _engine.pool_counters()
    _engine.set_num_threads(1)
    one_times, one_out = series()
    _engine.set_num_threads(threads)
    want = sc_forward(weights, probs, length=work.length, seed=DEFAULT_SEED, backend="numpy")
    same = all(np.array_equal(got.view(np.uint64), want.view(np.uint64))
               for got in (default_out, one_out))
    pool = {key: after[key] - before[key] for key in after}
    return {"threads": threads, "default_times_s": default_times,
            "one_thread_times_s": one_times, "bit_identical": same, "pool": pool}


def child_main(argv: list[str]) -> int:
    """Body of one fresh process: prints ``time_first_calls``'s result as one JSON line.

    Parameters
    ----------
    argv : list of str
        The workload's name, ``n_out``, ``n_in``, ``length`` and ``batch``
        (``"-"`` for a single input), the calls per series and the thread count.

    Returns
    -------
    int
        0 (an error raises).
    """
    name, n_out, n_in, length, batch, calls, threads = argv
    work = Workload(name, int(n_out), int(n_in), int(length),
                    None if batch == "-" else int(batch))
    result = time_first_calls(work, int(calls), int(threads))
    print(json.dumps(result))
    return 0


def first_calls_study(work: Workload, threads: int, *, processes: int = FRESH_PROCESSES,
                      calls: int = FIRST_CALLS,
                      progress: Callable[[str], None] | None = None) -> list[FirstCallsRow]:
    """Time the first calls of ``processes`` fresh processes (see the module documentation).

    Parameters
    ----------
    work : Workload
        The workload (W1 in the study); each process makes its inputs with
        ``make_inputs``.
    threads : int
        The engine's thread count for each process's first series.
    processes : int, default 5
        Fresh processes to start, one after the other.
    calls : int, default 60
        Calls timed per series.
    progress : callable, optional
        Receives one line of text per process.

    Returns
    -------
    list of FirstCallsRow
        One row per process.

    Raises
    ------
    RuntimeError
        If a process fails (its standard error is quoted).
    """
    say = progress or (lambda line: None)
    processes = check_int(processes, "processes", minimum=1)
    rows = []
    for k in range(processes):
        argv = [sys.executable, "-c", _CHILD_CODE, work.name, str(work.n_out), str(work.n_in),
                str(work.length), "-" if work.batch is None else str(work.batch), str(calls),
                str(threads)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=_CHILD_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"fresh process {k} failed (status {done.returncode}): "
                               f"{done.stderr.strip()[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        default_times = [float(t) for t in result["default_times_s"]]
        one_times = [float(t) for t in result["one_thread_times_s"]]
        default_median = statistics.median(default_times)
        one_median = statistics.median(one_times)
        pool = {key: int(value) for key, value in result["pool"].items()}
        share = pool["helper_tasks"] / pool["tasks"] if pool["tasks"] else None
        row = FirstCallsRow(k, work.name, calls, int(result["threads"]), default_median,
                            one_median, default_median / one_median, default_times,
                            one_times, bool(result["bit_identical"]), pool["regions"],
                            pool["regions_helped"], share)
        rows.append(row)
        say(f"[{work.name}] fresh process {k}: first {calls} calls {default_median * 1e3:.3f} ms "
            f"on {row.threads} threads, {one_median * 1e3:.3f} ms on 1 thread: "
            f"ratio {row.ratio:.2f}"
            + ("" if share is None else f"; helpers ran tasks in {row.regions_helped} of "
               f"{row.regions} regions, {share:.0%} of the tasks"))
    return rows
