"""Multi-process and multi-node execution over MPI ([design: tiers][tiers]): the ``mpi`` backend.

The transport is MPI itself, through ``mpi4py`` (Open MPI, MPICH or any
other implementation mpi4py was built for); nothing here opens a socket.

* [`MPIDriver`][sc_neurocore.accel.mpi_driver.MPIDriver] wraps a communicator and moves NumPy
  arrays with the buffer-based collectives (``Scatterv``, ``Gatherv``,
  ``Bcast``): only small metadata (dtype descriptor, shape, error reports) is
  pickled.
* [`mpi_sc_forward`][sc_neurocore.accel.mpi_driver.mpi_sc_forward] runs
  [`sc_forward`][sc_neurocore.accel.backend.sc_forward] across the ranks and
  returns, on the root, a result bit-identical to one process.
* [`mpi_sc_forward_sharded`][sc_neurocore.accel.mpi_driver.mpi_sc_forward_sharded] is the
  same pass for the usual deployment in which every rank already holds its
  own block of weight rows (weights are loaded once, inputs stream).

Collective error handling
-------------------------
Every function here is *collective*: all ranks of the communicator call it,
with the data on the root (rank 0) only.  Before any data moves, the ranks
agree on the outcome: the root validates, every rank reports success or the
error it hit (type and message, a few bytes each), and when any rank failed
every rank raises.  The rank that failed raises its own exception; the others
raise an exception of the same built-in type with the same message (or
[`MPIRankError`][sc_neurocore.accel.mpi_driver.MPIRankError] for a non-built-in type), noting
which rank it came from.
The same agreement runs after each rank's local compute and before results are
gathered, so a failure on one rank never leaves the others waiting.

What this cannot catch is a rank that dies, or an error raised inside an MPI
call itself: launch with ``mpiexec -n N python -m mpi4py your_script.py`` so
that an uncaught exception on any rank calls ``MPI_Abort`` and ends the whole
job (see ``docs/mpi.md``).

Without mpi4py (or given ``MPI.COMM_NULL``) the driver runs single-rank:
``rank == 0``, ``size == 1``, the caller's arrays come back unchanged, and a
[`MPIFallbackWarning`][sc_neurocore.accel.mpi_driver.MPIFallbackWarning] is issued once per
process.

Threads per rank
----------------
On its first distributed forward pass a driver sets the Rust engine's and
Numba's thread count on every rank so that the ranks on one node share its
CPUs instead of each starting one thread per CPU: one thread per rank when
the ranks already fill the node (see [`MPIDriver.apply_thread_policy`][sc_neurocore.accel.mpi_driver.MPIDriver.apply_thread_policy]).
The ``threads_per_rank`` argument or the ``SC_NEUROCORE_THREADS_PER_RANK``
environment variable overrides it (a number, or ``keep``).

``mpi4py.MPI`` is imported on first use (constructing a driver, or reading
``HAS_MPI``), not when this module is imported, so that a launcher process
(the timing study, the test suite; see
[`sc_neurocore.accel.mpi_launch`][sc_neurocore.accel.mpi_launch])
never initialises MPI itself.
"""

from __future__ import annotations

__all__ = [
    "HAS_MPI", "MPIDriver", "MPIRankError", "MPIFallbackWarning", "split_counts", "block_range",
    "choose_split", "mpi_sc_forward", "mpi_sc_forward_sharded", "THREADS_ENV",
]

from typing import Any

from sc_neurocore._public import publish

from ._backends.on_mpi import (
    THREADS_ENV,
    MPIDriver,
    MPIFallbackWarning,
    MPIRankError,
    block_range,
    choose_split,
    split_counts,
)
from ._backends.on_mpi import forward as mpi_sc_forward
from ._backends.on_mpi import forward_sharded as mpi_sc_forward_sharded
from ._backends.on_mpi import runtime as _runtime

HAS_MPI: bool
"""Whether mpi4py works here; computed on first access (reading it imports MPI)."""

publish(__name__, globals(), [n for n in __all__ if n != "HAS_MPI"])


def __getattr__(name: str) -> Any:
    # HAS_MPI is computed on first access so that importing this module does not
    # initialise MPI (a launcher process must not become an MPI singleton).
    if name == "HAS_MPI":
        return _runtime.load_mpi() is not None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
