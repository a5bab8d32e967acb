"""Numba-compiled SC kernels and the ``numba`` backend ([design: forward pass][forward-pass], [design: vector operations][vector-operations]).

The kernels use the hardware population count (LLVM ``ctpop``, which becomes
``popcnt`` or a vector ``vpopcntq`` on the host CPU) and cache the compiled
machine code on disk (``cache=True``), so a second process loads it instead of
recompiling.

Public functions validate their arguments once, in Python, with the shared
helpers of ``sc_neurocore._validation``, before any compiled code
runs; compiled code never sees an unchecked shape or dtype.

When Numba is not installed the module still imports and the same public
functions run NumPy implementations with identical results; the first direct
call of [`jit_pack_bits`][sc_neurocore.accel.jit_kernels.jit_pack_bits] or
[`jit_vec_mac`][sc_neurocore.accel.jit_kernels.jit_vec_mac] warns once
(``RuntimeWarning``, pointing at the caller's line), and
[`NumbaBackend`][sc_neurocore.accel.jit_kernels.NumbaBackend] reports itself
unavailable (probing never warns).

Threads: each kernel splits its work into small chunks (a few rows or inputs)
that threads claim one at a time with atomic counters (each thread first from
its own contiguous share, then from the others'), and runs on the
calling thread plus helper threads of ``sc_neurocore.accel._workshare``
(compiled code releases the GIL).  Helpers wait passively and the caller never
waits for a helper that has not started, so a kernel keeps most of its speed
when other processes keep every core busy, instead of stalling on a static
share held by one descheduled thread, as ``prange`` under an OpenMP layer
does.  The thread count is the process-wide setting of
``set_backend_threads`` (``sc_neurocore.accel._threads``; before any,
``NUMBA_NUM_THREADS``) capped by the CPUs in the process's affinity mask, the
same for calls from every thread; Numba's own threading layer (and its
per-thread ``numba.set_num_threads``) is not used by these kernels.

Interrupts: the calling thread returns from compiled code to Python every
few milliseconds of work (a *slice* of chunks), so a pending Ctrl-C raises
``KeyboardInterrupt`` promptly; the helpers then take no further chunk.
"""

from __future__ import annotations

from sc_neurocore._public import publish

from ._backends.on_numba import HAS_NUMBA, NUMBA_IMPORT_ERROR, NumbaBackend
from ._backends.on_numba import mac as jit_vec_mac
from ._backends.on_numba import pack as jit_pack_bits

__all__ = ["HAS_NUMBA", "NUMBA_IMPORT_ERROR", "jit_pack_bits", "jit_vec_mac", "NumbaBackend"]

publish(__name__, globals(), __all__)
