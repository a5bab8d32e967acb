"""Thread counts chosen in Python: usable CPUs and the compiled backends' thread settings.

The Rust engine and Numba each run their own worker threads.  Where this
package chooses how many (the MPI driver's per-rank default, the timing
study), it counts the CPUs this process may run on (its CPU affinity mask:
``taskset``, cgroup cpusets, an MPI launcher's binding), not every CPU of the
machine.

Both settings are process-wide: set from any thread, they apply to the later
calls of every thread (Numba's own ``numba.set_num_threads`` is per thread,
so the Numba kernels read this module's setting instead).
"""

from __future__ import annotations

import importlib
import os
import sys

from sc_neurocore._validation import check_int

__all__ = ["usable_cpus", "usable_cpu_set", "backend_threads", "set_backend_threads",
           "numba_threads", "threads_per_rank"]

_numba_setting: int | None = None
"""The Numba kernels' thread count from ``set_backend_threads`` (``None``: not set yet).

A module global, so the same for every thread (and inherited by a forked child).
"""


def usable_cpu_set() -> frozenset[int]:
    """The ids of the CPUs this process may run on (its affinity mask).

    Where the platform cannot tell (no ``os.sched_getaffinity``), every CPU
    ``os.cpu_count()`` reports is assumed usable.
    """
    getaffinity = getattr(os, "sched_getaffinity", None)
    if getaffinity is not None:
        try:
            cpus = frozenset(getaffinity(0))
        except OSError:
            cpus = frozenset()
        if cpus:
            return cpus
    return frozenset(range(max(1, os.cpu_count() or 1)))


def usable_cpus() -> int:
    """Number of CPUs this process may run on (its affinity mask), at least 1.

    Returns
    -------
    int
        ``len(os.sched_getaffinity(0))`` where the platform has it (Linux),
        else ``os.cpu_count()`` (1 when even that is unknown).
    """
    return len(usable_cpu_set())


def threads_per_rank(ranks_on_node: int, node_cpus: int, own_cpus: int) -> int:
    """Threads each rank should run so that the ranks on a node share its CPUs.

    Parameters
    ----------
    ranks_on_node : int
        Ranks of the job on this node (>= 1).
    node_cpus : int
        CPUs those ranks may use together (the union of their affinity masks).
    own_cpus : int
        CPUs this rank may use (its own affinity mask).

    Returns
    -------
    int
        ``max(1, min(own_cpus, node_cpus // ranks_on_node))``: one thread per
        rank when the ranks already fill the node's CPUs, an equal share of
        them otherwise, never more than this rank's own mask allows.

    Raises
    ------
    ValueError
        If any argument is below 1.
    """
    for name, value in (("ranks_on_node", ranks_on_node), ("node_cpus", node_cpus),
                        ("own_cpus", own_cpus)):
        if value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value}")
    return max(1, min(own_cpus, node_cpus // ranks_on_node))


def numba_threads() -> int | None:
    """Threads a Numba kernel call uses now, from any thread (``None``: Numba not imported).

    Returns
    -------
    int or None
        The setting of :func:`set_backend_threads` (before any,
        ``numba.config.NUMBA_NUM_THREADS``, i.e. the ``NUMBA_NUM_THREADS``
        environment variable or the CPU count) capped by :func:`usable_cpus`,
        at least 1; ``None`` when Numba is not imported (importing it just to
        ask would cost every caller its start-up time) or is broken.
    """
    numba = sys.modules.get("numba")
    if numba is None:
        return None
    setting = _numba_setting
    if setting is None:
        try:
            setting = int(numba.config.NUMBA_NUM_THREADS)
        except Exception:  # a broken numba install: report it as absent
            return None
    return max(1, min(setting, usable_cpus()))


def backend_threads() -> dict[str, int | None]:
    """The thread counts a Rust engine and a Numba call would use now (``None``: absent).

    The same from every thread.  Numba is reported only when it is already
    imported (see :func:`numba_threads`).
    """
    counts: dict[str, int | None] = {"rust": None, "numba": None}
    try:
        engine = importlib.import_module("sc_neurocore._engine")
        counts["rust"] = int(engine.get_num_threads())
    except ImportError:
        pass
    counts["numba"] = numba_threads()
    return counts


def set_backend_threads(n: int) -> dict[str, int | None]:
    """Run the Rust engine's and Numba's parallel kernels on ``n`` threads, process-wide.

    Called from any thread, it applies to the later calls of every thread,
    for both backends.  The engine's count is set directly.  The Numba
    kernels of this package use ``n`` capped by the CPUs of the affinity mask
    (see :func:`numba_threads`).  For Numba's own parallel code (``prange``)
    the calling thread's ``numba.set_num_threads`` is also set (capped at
    Numba's pool size) when Numba is already imported; otherwise
    ``NUMBA_NUM_THREADS`` is set for its first import, unless the environment
    already sets it.

    Parameters
    ----------
    n : int
        Threads per process (>= 1).

    Returns
    -------
    dict
        The counts in effect afterwards, as ``backend_threads`` reports them.

    Raises
    ------
    ValueError
        If ``n`` is not an int >= 1.
    """
    global _numba_setting
    n = check_int(n, "n", minimum=1)
    _numba_setting = n
    try:
        engine = importlib.import_module("sc_neurocore._engine")
    except ImportError:
        engine = None
    if engine is not None:
        engine.set_num_threads(n)
    numba = sys.modules.get("numba")
    if numba is not None:
        try:
            numba.set_num_threads(min(n, int(numba.config.NUMBA_NUM_THREADS)))
        except Exception:  # a broken numba install must not break the caller
            pass
    else:
        os.environ.setdefault("NUMBA_NUM_THREADS", str(n))
    return backend_threads()
