"""The MPI backend: ``sc_forward`` across the ranks of a communicator, over mpi4py.

``inference``: ``forward`` and ``forward_sharded`` (public as
``mpi_sc_forward`` and ``mpi_sc_forward_sharded``) and ``prepared_counts`` (a
prepared layer's counts split over output rows); ``driver``: ``MPIDriver``;
``runtime``: mpi4py imported on first use, the single-rank notice, the thread
request; ``errors``: every rank agrees, then raises the same error; ``split``:
rows per rank; ``transport``: arrays as raw bytes.  The public names are
``sc_neurocore.accel.mpi_driver``'s.
"""

from __future__ import annotations

from .driver import MPIDriver
from .errors import MPIFallbackWarning, MPIRankError
from .inference import forward, forward_sharded, prepared_counts
from .runtime import THREADS_ENV, load_mpi
from .split import block_range, choose_split, split_counts

__all__ = ["MPIDriver", "MPIFallbackWarning", "MPIRankError", "THREADS_ENV", "block_range",
           "choose_split", "forward", "forward_sharded", "load_mpi", "prepared_counts",
           "split_counts"]
