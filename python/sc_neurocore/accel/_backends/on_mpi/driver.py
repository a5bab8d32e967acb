"""``MPIDriver``: moves NumPy arrays between the ranks of a communicator (collectively)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import InputTypeError

from ..._threads import set_backend_threads, threads_per_rank, usable_cpu_set
from . import runtime, transport
from .errors import agree
from .runtime import ROOT
from .split import displacements, split_counts

__all__ = ["MPIDriver"]


class MPIDriver:
    """Moves NumPy arrays between the ranks of an MPI communicator.

    Parameters
    ----------
    comm : mpi4py.MPI.Intracomm, optional
        The communicator; ``None`` means ``MPI.COMM_WORLD``.  Without mpi4py,
        or with ``MPI.COMM_NULL``, the driver runs single-rank and warns once
        per process ([`MPIFallbackWarning`][sc_neurocore.accel.mpi_driver.MPIFallbackWarning]).
    threads_per_rank : int or {"auto", "keep"}, optional
        Worker threads of the Rust engine and Numba in each rank, set on the
        first distributed forward pass (see
        [`apply_thread_policy`][sc_neurocore.accel.mpi_driver.MPIDriver.apply_thread_policy]):
        ``"auto"`` shares each node's CPUs among its ranks (one thread per
        rank when the ranks fill the node), a number sets exactly that many,
        ``"keep"`` leaves the backends' own settings alone.  Default: the
        ``SC_NEUROCORE_THREADS_PER_RANK`` environment variable, else ``"auto"``.

    Attributes
    ----------
    comm : mpi4py.MPI.Intracomm or None
        The communicator (``None`` when single-rank without MPI).
    rank, size : int
        This process's rank and the number of ranks (0 and 1 when single-rank).
    threads : int or None
        The per-rank thread count this driver set, once it has set one.

    Raises
    ------
    TypeError
        If ``comm`` is not an intracommunicator, ``MPI.COMM_NULL`` or ``None``.
    ValueError
        If ``threads_per_rank`` (or the environment variable) is not a
        positive int, ``"auto"`` or ``"keep"``.

    Notes
    -----
    Every method is collective: all ranks call it, in the same order.  The
    communicator is used as given (not duplicated); interleave your own
    collectives on it in the same order on every rank.
    """

    def __init__(self, comm: Any = None, *, threads_per_rank: int | str | None = None) -> None:
        self._thread_request = runtime.thread_request(threads_per_rank)
        self._threads_applied = False
        self.threads: int | None = None
        mpi = runtime.load_mpi()
        self._mpi = mpi
        if mpi is None:
            runtime.warn_fallback(f"mpi4py is not usable ({runtime.import_error()})")
            self.comm: Any = None
        else:
            if comm is None:
                comm = mpi.COMM_WORLD
            if comm == mpi.COMM_NULL:
                runtime.warn_fallback("no communicator (MPI.COMM_NULL)")
                self.comm = None
            elif not isinstance(comm, mpi.Intracomm):
                raise InputTypeError("comm must be an mpi4py.MPI.Intracomm (e.g. "
                                     "MPI.COMM_WORLD), MPI.COMM_NULL or None, got "
                                     f"{type(comm).__name__}")
            else:
                self.comm = comm
        self.rank = 0 if self.comm is None else int(self.comm.Get_rank())
        self.size = 1 if self.comm is None else int(self.comm.Get_size())

    @property
    def is_root(self) -> bool:
        """Whether this is the root rank (rank 0), which holds inputs and results."""
        return self.rank == ROOT

    @property
    def distributed(self) -> bool:
        """Whether a real communicator is in use (False in the single-rank fallback)."""
        return self.comm is not None

    def __repr__(self) -> str:
        mode = "mpi" if self.distributed else "single-rank fallback"
        return f"<MPIDriver rank={self.rank} size={self.size} ({mode})>"

    def barrier(self) -> None:
        """Block until every rank has called it (no-op when single-rank)."""
        if self.comm is not None:
            self.comm.Barrier()

    def apply_thread_policy(self) -> int | None:
        """Set the backends' threads per rank from this driver's request (collective).

        With ``"auto"`` the ranks on each node (``MPI.COMM_TYPE_SHARED``)
        exchange their CPU affinity masks; each rank then runs
        ``max(1, min(own CPUs, node CPUs // ranks on the node))`` threads: one
        per rank when the ranks already fill the node's CPUs, so that ranks x
        threads never exceeds the cores.  A number is applied as given;
        ``"keep"`` changes nothing.  The first distributed forward pass calls
        this; later calls do nothing.  Single-rank, nothing is changed.

        Returns
        -------
        int or None
            The threads per rank now set, or ``None`` when nothing was set.
        """
        if self._threads_applied or self.comm is None:
            return self.threads
        self._threads_applied = True
        request = self._thread_request
        if request == "keep":
            return None
        if request == "auto":
            node = self.comm.Split_type(self._mpi.COMM_TYPE_SHARED)
            try:
                masks = node.allgather(sorted(usable_cpu_set()))
            finally:
                node.Free()
            own = len(usable_cpu_set())
            union = len(set().union(*map(set, masks)))
            n = threads_per_rank(len(masks), max(1, union), own)
        else:
            n = int(request)
        set_backend_threads(n)
        self.threads = n
        return n

    def agree(self, error: Exception | None, phase: str = "a collective operation") -> None:
        """Collective: raise on every rank if any rank passes an exception.

        Use it around your own rank-local work to keep every rank's outcome the
        same: ``err = None; try: ... except Exception as e: err = e;
        driver.agree(err, "my step")``.

        Parameters
        ----------
        error : Exception or None
            What this rank hit, or ``None``.
        phase : str
            Named in the message the other ranks raise.
        """
        if self.comm is None:
            if error is not None:
                raise error
            return
        agree(self.comm, error, phase)

    def _root_array_meta(self, value: object, name: str, phase: str
                         ) -> tuple[np.ndarray | None, Any, tuple[int, ...]]:
        """Check ``value`` on the root, agree on the outcome, broadcast dtype and shape.

        Returns the root's sendable array (``None`` elsewhere) and the
        broadcast ``(dtype descr, shape)``; raises the root's error on every rank.
        """
        error: Exception | None = None
        arr = None
        meta = None
        if self.is_root:
            try:
                arr = transport.as_sendable(value, name)
                meta = transport.describe(arr)
            except Exception as exc:
                error = exc
        agree(self.comm, error, phase)
        descr, shape = self.comm.bcast(meta, root=ROOT)
        return arr, descr, shape

    def scatter_workload(self, global_inputs: ArrayLike | None) -> np.ndarray:
        """Split an array along axis 0 across the ranks (collective).

        Parameters
        ----------
        global_inputs : array_like or None
            On the root: the whole array, any fixed-size dtype, any number of
            trailing dimensions.  Ignored on the other ranks (pass ``None``).

        Returns
        -------
        ndarray
            This rank's block of rows: rank ``r`` gets ``split_counts(n, size)[r]``
            consecutive rows (low ranks first; counts differ by at most one),
            with the root's dtype and trailing shape.  On the root the block is
            a view of the (contiguous) input, not a copy.  Single-rank: the
            caller's array itself.

        Raises
        ------
        ValueError
            On every rank, if the root passes ``None`` or a 0-D array.
        TypeError
            On every rank, if the root's dtype cannot travel as raw bytes
            (``object``).
        MemoryError
            On every rank, if any rank cannot allocate its block.
        """
        arr: np.ndarray | None
        if self.comm is None:
            return transport.single_rank(global_inputs, "global_inputs")
        comm, mpi = self.comm, self._mpi
        arr, descr, shape = self._root_array_meta(
            global_inputs, "global_inputs",
            "scatter_workload (checking global_inputs on the root)")
        dtype = transport.dtype_from(descr)
        counts = split_counts(shape[0], self.size)
        local_shape = (counts[self.rank],) + tuple(shape[1:])
        row_bytes = dtype.itemsize * math.prod(shape[1:])
        if self.is_root:
            assert arr is not None
            return self._scatter_root(arr, counts, row_bytes)
        local = None
        error: Exception | None = None
        try:
            local = transport.allocate(local_shape, dtype)
        except Exception as exc:
            error = exc
        agree(comm, error, "scatter_workload (allocating receive buffers)")
        assert local is not None
        if row_bytes and shape[0]:
            with transport.RowType(mpi, row_bytes) as row:
                comm.Scatterv(None, [transport.as_bytes(local), counts[self.rank], row], root=ROOT)
        return local

    def _scatter_root(self, arr: np.ndarray, counts: list[int], row_bytes: int) -> np.ndarray:
        comm, mpi = self.comm, self._mpi
        # The root allocates nothing (its block is a view), but it takes part in
        # the allocation agreement of the other ranks.
        agree(comm, None, "scatter_workload (allocating receive buffers)")
        if row_bytes and arr.shape[0]:
            with transport.RowType(mpi, row_bytes) as row:
                comm.Scatterv([transport.as_bytes(arr), counts, displacements(counts), row],
                              mpi.IN_PLACE, root=ROOT)
        return arr[:counts[ROOT]]  # the root's block comes first (ROOT == 0)

    def gather_results(self, local_results: np.ndarray) -> np.ndarray:
        """Concatenate every rank's rows on the root (collective).

        Parameters
        ----------
        local_results : ndarray
            This rank's rows: at least 1-D, with the same dtype and trailing
            shape on every rank; any number of rows (zero included).  Rows
            travel as one MPI datatype each, so a single row is limited to
            2 GiB.

        Returns
        -------
        ndarray
            On the root: the blocks of ranks ``0, 1, ...`` concatenated along
            axis 0.  On the other ranks: an empty array ``(0, *trailing)`` of
            the local dtype.  Single-rank: the caller's array itself.

        Raises
        ------
        ValueError
            On every rank, if any rank passes a 0-D array or None, or the
            ranks disagree on dtype or trailing shape.
        TypeError
            On every rank, if a rank's dtype cannot travel as raw bytes.
        MemoryError
            On every rank, if the root cannot allocate the result.
        """
        arr: np.ndarray | None
        if self.comm is None:
            return transport.single_rank(local_results, "local_results", "on every rank")
        comm, mpi = self.comm, self._mpi
        error: Exception | None = None
        arr = None
        meta = None
        try:
            arr = transport.as_sendable(local_results, "local_results", "on every rank")
            meta = transport.describe(arr)
        except Exception as exc:
            error = exc
        agree(comm, error, "gather_results (checking local_results)")
        metas = comm.allgather(meta)
        assert arr is not None
        descr0, shape0 = metas[ROOT]
        for r, (descr, shape) in enumerate(metas):
            if descr != descr0 or tuple(shape[1:]) != tuple(shape0[1:]):
                # Every rank sees the same metadata, so every rank raises this same error.
                raise ValueError(
                    "local_results must have the same dtype and trailing shape on every rank: "
                    f"rank {ROOT} has dtype {transport.dtype_from(descr0)} and rows of shape "
                    f"{tuple(shape0[1:])}, rank {r} has dtype {transport.dtype_from(descr)} and rows "
                    f"of shape {tuple(shape[1:])}")
        counts = [int(shape[0]) for _, shape in metas]
        row_bytes = arr.dtype.itemsize * math.prod(arr.shape[1:])
        out = None
        if self.is_root:
            try:
                out = transport.allocate((sum(counts),) + arr.shape[1:], arr.dtype)
            except Exception as exc:
                error = exc
        agree(comm, error, "gather_results (allocating the result on the root)")
        if row_bytes and sum(counts):
            with transport.RowType(mpi, row_bytes) as row:
                send = [transport.as_bytes(arr), counts[self.rank], row]
                if self.is_root:
                    assert out is not None
                    comm.Gatherv(send, [transport.as_bytes(out), counts, displacements(counts), row],
                                 root=ROOT)
                else:
                    comm.Gatherv(send, None, root=ROOT)
        if self.is_root:
            assert out is not None
            return out
        return np.empty((0,) + arr.shape[1:], dtype=arr.dtype)

    def broadcast_array(self, array: ArrayLike | None) -> np.ndarray:
        """Send the root's whole array to every rank (collective, ``Bcast``).

        Parameters
        ----------
        array : array_like or None
            On the root: the array (any fixed-size dtype, at least 1-D).
            Ignored elsewhere.

        Returns
        -------
        ndarray
            The root's array (on the root, its contiguous form; elsewhere a copy).

        Raises
        ------
        ValueError, TypeError, MemoryError
            On every rank, as for
            [`scatter_workload`][sc_neurocore.accel.mpi_driver.MPIDriver.scatter_workload].
        """
        arr: np.ndarray | None
        if self.comm is None:
            return transport.single_rank(array, "array")
        comm, mpi = self.comm, self._mpi
        arr, descr, shape = self._root_array_meta(
            array, "array", "broadcast_array (checking the array on the root)")
        error: Exception | None = None
        if not self.is_root:
            try:
                arr = transport.allocate(tuple(shape), transport.dtype_from(descr))
            except Exception as exc:
                error = exc
        agree(comm, error, "broadcast_array (allocating receive buffers)")
        assert arr is not None
        row_bytes = arr.dtype.itemsize * math.prod(shape[1:])
        if row_bytes and shape[0]:
            with transport.RowType(mpi, row_bytes) as row:
                comm.Bcast([transport.as_bytes(arr), shape[0], row], root=ROOT)
        return arr
