"""How the Numba kernels share a call's work between threads, and return to Python for Ctrl-C.

Each kernel splits its work into small chunks (a few rows or inputs) that
threads claim one at a time with atomic counters (each thread first from its
own contiguous share, then from the others'), and runs on the calling thread
plus helper threads of ``sc_neurocore.accel._workshare`` (compiled code
releases the GIL).  Helpers wait passively and the caller never waits for a
helper that has not started, so a kernel keeps most of its speed when other
processes keep every core busy, instead of stalling on a static share held by
one descheduled thread, as ``prange`` under an OpenMP layer does.  The thread
count is the process-wide setting of ``set_backend_threads``
(``sc_neurocore.accel._threads``; before any, ``NUMBA_NUM_THREADS``) capped by
the CPUs in the process's affinity mask, the same for calls from every
thread; Numba's own threading layer (and its per-thread
``numba.set_num_threads``) is not used by these kernels.

Interrupts: the calling thread returns from compiled code to Python every
few milliseconds of work (a *slice* of chunks), so a pending Ctrl-C raises
``KeyboardInterrupt`` promptly; the helpers then take no further chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..._threads import numba_threads
from ..._workshare import run_shared

__all__ = ["CHUNK_WORDS", "NO_BUDGET", "PARALLEL_WORDS", "SLICE_WORDS", "chunk_size",
           "num_threads", "run_chunks", "run_region", "threads_for"]

CHUNK_WORDS = 1 << 13
"""Words a chunk of work should touch: small enough that a thread descheduled in the middle
of one holds up little, large enough that claiming it costs nothing.
"""
PARALLEL_WORDS = 1 << 16
"""Below this many words of work in total a call runs on the calling thread alone."""
SLICE_WORDS = 1 << 22
"""Words of work the calling thread does per compiled call before it returns to Python (where a
pending Ctrl-C raises): a few milliseconds.
"""
NO_BUDGET = int(np.iinfo(np.int64).max)
"""A helper's budget in words: every chunk it can claim, in one compiled call."""


def num_threads() -> int:
    """Threads a kernel uses: the process-wide setting capped by the CPU affinity mask."""
    return numba_threads() or 1


def chunk_size(items: int, words_per_item: int) -> int:
    """Items per chunk so that a chunk touches about ``CHUNK_WORDS`` words (>= 1)."""
    return max(1, min(max(1, items), CHUNK_WORDS // max(1, words_per_item)))


def threads_for(total_words: int, n_chunks: int) -> int:
    """Threads for a call: one below ``PARALLEL_WORDS`` words of work, else up to a chunk each."""
    return min(num_threads(), n_chunks) if total_words >= PARALLEL_WORDS else 1


_Slice = Callable[[bool, np.ndarray, np.ndarray, int], bool]


def run_region(run: _Slice, threads: int) -> None:
    """Run one call's chunked kernel on ``threads`` threads (see ``_workshare``).

    ``run(takeover, stop, cursor, budget)`` runs the kernel on this call's
    shared bookkeeping for about ``budget`` words of work and returns whether
    the thread is finished.  Helpers run it once with ``takeover=False`` and
    no budget.  The calling thread
    runs it with ``takeover=True`` (it also takes over the chunks not marked
    done) in slices of about ``SLICE_WORDS`` words, returning to Python
    between slices, so that a Ctrl-C raises ``KeyboardInterrupt`` within
    milliseconds; it then sets ``stop``, and the helpers finish the chunk
    they hold and take no other.
    """
    stop = np.zeros(1, dtype=np.int64)

    def helper() -> None:
        run(False, stop, np.zeros((2, 2), dtype=np.int64), NO_BUDGET)

    def caller() -> None:
        cursor = np.zeros((2, 2), dtype=np.int64)
        while not run(True, stop, cursor, SLICE_WORDS):
            pass  # back in Python: a pending signal handler (Ctrl-C) runs here

    def abort() -> None:
        # An aligned 8-byte store is a single atomic write on every target of
        # Numba; helpers read it with an acquire load (``_is_done``).
        stop[0] = 1

    run_shared(helper, caller, threads, on_abort=abort)


def run_chunks(kernel: Callable[..., bool], items: int, chunk: int, total_words: int,
               *args: Any) -> None:
    """Run ``kernel`` over ``items`` items, ``chunk`` a chunk, on the threads that share them.

    Every thread calls ``kernel(claims, done, takeover, stop, cursor, budget, *args, chunk)``
    (see ``run_region``).  ``claims`` holds the count of helpers that
    joined, then one claim counter per thread.
    """
    n_chunks = -(-items // chunk)
    threads = threads_for(total_words, n_chunks)
    claims = np.zeros(1 + threads, dtype=np.int64)
    done = np.zeros(n_chunks, dtype=np.int64)

    def run(takeover: bool, stop: np.ndarray, cursor: np.ndarray, budget: int) -> bool:
        finished: bool = kernel(claims, done, takeover, stop, cursor, budget, *args, chunk)
        return finished

    run_region(run, threads)
