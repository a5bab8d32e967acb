"""Wall-clock timing, and the bit-identity check, shared by every harness of the study ([design: measurement][measurement])."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["median_time", "interleaved_medians", "median_of", "extra_row", "same_bits"]


def same_bits(got: object, want: np.ndarray) -> bool:
    """Whether ``got`` is ``want`` bit for bit: same dtype, same shape, same bit patterns.

    Parameters
    ----------
    got : array_like
        A result to check.
    want : numpy.ndarray
        The reference result (``float64`` for ``sc_forward``).

    Returns
    -------
    bool
    """
    got = np.asarray(got)
    return got.dtype == want.dtype and got.shape == want.shape and bool(
        np.array_equal(got.view(np.uint64), want.view(np.uint64)))


def median_time(fn: Callable[[], object], repeats: int,
                min_total_s: float = 0.25, max_repeats: int = 200) -> tuple[float, list[float]]:
    """Median wall time of ``fn()`` after one warm-up call.

    Runs at least ``repeats`` times, and more for fast calls (up to
    ``max_repeats``) so that the timed runs add up to about ``min_total_s``:
    sub-millisecond medians on a shared machine need many samples.

    Parameters
    ----------
    fn : callable
        The call to time; it must block until its work is done.
    repeats : int
        Minimum number of timed calls.
    min_total_s : float, default 0.25
        Target total of the timed calls, in seconds.
    max_repeats : int, default 200
        Upper bound on the timed calls.

    Returns
    -------
    tuple of (float, list of float)
        The median and every timed call's duration, in seconds.
    """
    start = time.perf_counter()
    fn()
    warm = time.perf_counter() - start
    runs = max(repeats, min(max_repeats, math.ceil(min_total_s / max(warm, 1e-9))))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def interleaved_medians(calls: Mapping[str, Callable[[], object]], repeats: int,
                        min_total_s: float = 0.25, max_repeats: int = 200,
                        block: int = 1) -> dict[str, float]:
    """Median wall time of each call, timed in alternating rounds after one warm-up call each.

    Every round times ``block`` back-to-back calls of each call, in order, so
    that a slow drift of the machine (memory bandwidth shared with other
    guests, frequency) lands on every call alike and their ratios stay fair;
    with ``block > 1`` most timed calls also find the caches as a run of
    repeated calls leaves them (the first call of a block, after another
    call's data went through the caches, is one sample of ``block``).
    ``median_time``'s rule sets the number of timed calls from the slowest
    warm-up.

    Parameters
    ----------
    calls : mapping of str to callable
        The calls to time, by name; each must block until its work is done.
    repeats, min_total_s, max_repeats
        As in `median_time` (timed calls of each call).
    block : int, default 1
        Back-to-back calls of each call per round.

    Returns
    -------
    dict of str to float
        The median of each call, in seconds, by name.
    """
    warm = 0.0
    for fn in calls.values():
        start = time.perf_counter()
        fn()
        warm = max(warm, time.perf_counter() - start)
    runs = max(repeats, min(max_repeats, math.ceil(min_total_s / max(warm, 1e-9))))
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(-(-runs // block)):
        for name, fn in calls.items():
            for _ in range(block):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def median_of(fn: Callable[[], object], repeats: int, warmup: bool = False) -> float:
    """Median wall time of exactly ``repeats`` calls of ``fn()`` (optionally one warm-up first).

    For calls that are slow or must not be repeated more than asked (compiles,
    whole-network steps).

    Parameters
    ----------
    fn : callable
        The call to time; it must block until its work is done.
    repeats : int
        Number of timed calls (>= 1).
    warmup : bool, default False
        Make one untimed call first.

    Returns
    -------
    float
        Median duration in seconds.
    """
    if warmup:
        fn()
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def extra_row(name: str, median_s: float | None, baseline_name: str | None,
              baseline_median_s: float | None, note: str) -> dict[str, Any]:
    """One row of the study's extra tables (Numba, JAX, MPI), with its speed-up ratio.

    Parameters
    ----------
    name : str
        What was measured.
    median_s : float or None
        Its median wall time in seconds (``None``: not measured).
    baseline_name : str or None
        What it is compared with.
    baseline_median_s : float or None
        The baseline's median wall time in seconds.
    note : str
        Shapes, caveats, bit-identity.

    Returns
    -------
    dict
        The arguments under the same keys, plus ``ratio``:
        ``baseline_median_s / median_s`` (above 1: faster than the baseline),
        ``None`` when either median is missing or zero.
    """
    ratio = baseline_median_s / median_s if (median_s and baseline_median_s) else None
    return {"name": name, "median_s": median_s, "baseline_name": baseline_name,
            "baseline_median_s": baseline_median_s, "ratio": ratio, "note": note}
