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

import builtins
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ._install import install_hint
from ._threads import set_backend_threads, threads_per_rank, usable_cpu_set
from ._validation import (
    ForwardArgs,
    InputTypeError,
    as_packed,
    as_probabilities,
    c_contiguous,
    check_int,
    check_length,
    check_seed,
    n_words_for,
    validate_forward,
)
from ._warnings import warn_at_caller
from .lfsr import DEFAULT_SEED

if TYPE_CHECKING:
    from .backend import Backend

__all__ = ["HAS_MPI", "MPIDriver", "MPIRankError", "MPIFallbackWarning", "split_counts",
           "block_range", "choose_split", "mpi_sc_forward", "mpi_sc_forward_sharded",
           "THREADS_ENV"]

ROOT = 0
# Rank-local result arrays of the forward pass.
_RESULT_DTYPE = np.float64
THREADS_ENV = "SC_NEUROCORE_THREADS_PER_RANK"
"""Environment variable overriding the per-rank thread count (``auto``, ``keep`` or a number)."""


class MPIFallbackWarning(RuntimeWarning):
    """Issued (once per process) when the driver falls back to a single rank."""


class MPIRankError(RuntimeError):
    """Raised on every rank when another rank failed with a non-built-in exception.

    Attributes
    ----------
    rank : int
        The rank whose exception is being re-raised here.
    error_type : str
        The name of that exception's class.
    message : str
        ``str()`` of that exception.
    phase : str
        What the ranks were doing (e.g. ``"local compute"``).
    """

    def __init__(self, rank: int, error_type: str, message: str, phase: str) -> None:
        super().__init__(f"rank {rank} failed during {phase}: {error_type}: {message}")
        self.rank = rank
        self.error_type = error_type
        self.message = message
        self.phase = phase


# --------------------------------------------------------------------------- mpi4py loading

_UNSET = object()
_mpi_module: Any = _UNSET
_mpi_import_error: str | None = None
_warned = False


def _load_mpi() -> Any:
    """``mpi4py.MPI`` (imported once, on first call), or ``None`` when unusable."""
    global _mpi_module, _mpi_import_error
    if _mpi_module is _UNSET:
        try:
            from mpi4py import MPI
        except Exception as exc:  # ImportError, or a missing/broken libmpi (RuntimeError)
            _mpi_module = None
            _mpi_import_error = f"{type(exc).__name__}: {exc}"
        else:
            _mpi_module = MPI
    return _mpi_module


def __getattr__(name: str) -> Any:
    # HAS_MPI is computed on first access so that importing this module does not
    # initialise MPI (a launcher process must not become an MPI singleton).
    if name == "HAS_MPI":
        return _load_mpi() is not None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _warn_fallback(reason: str) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    warn_at_caller(
        f"sc_neurocore.accel.mpi_driver: {reason}; running single-rank (rank 0 of 1). "
        "To run on many ranks, launch with mpiexec -n N python -m mpi4py your_script.py, "
        f"after installing MPI support: {install_hint('mpi')}", MPIFallbackWarning)


def _thread_request(value: object) -> int | str:
    """``threads_per_rank`` (or ``THREADS_ENV`` when ``None``): an int >= 1, auto or keep."""
    source = "threads_per_rank"
    if value is None:
        value = os.environ.get(THREADS_ENV, "").strip() or "auto"
        source = f"the environment variable {THREADS_ENV}"
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("auto", "keep"):
            return text
        if text.isdigit() and int(text) >= 1:
            return int(text)
    elif isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 1:
        return int(value)
    raise ValueError(f"{source} must be a positive int, 'auto' or 'keep', got {value!r}")


# --------------------------------------------------------------------------- work splitting

def split_counts(n: int, size: int) -> list[int]:
    """Rows per rank when ``n`` rows are split across ``size`` ranks.

    Counts differ by at most one and the low ranks get the extra rows:
    ``split_counts(7, 3) == [3, 2, 2]``.

    Parameters
    ----------
    n : int
        Number of rows (>= 0).
    size : int
        Number of ranks (>= 1).

    Returns
    -------
    list of int
        ``size`` counts summing to ``n``.

    Raises
    ------
    ValueError
        If ``n < 0`` or ``size < 1``.
    """
    n = check_int(n, "n", minimum=0)
    size = check_int(size, "size", minimum=1)
    base, extra = divmod(n, size)
    return [base + (1 if r < extra else 0) for r in range(size)]


def block_range(n: int, size: int, rank: int) -> tuple[int, int]:
    """The rows rank ``rank`` owns when ``n`` rows are split across ``size`` ranks.

    The split of [`split_counts`][sc_neurocore.accel.mpi_driver.split_counts];
    use it to load each rank's own block of weight rows for
    [`mpi_sc_forward_sharded`][sc_neurocore.accel.mpi_driver.mpi_sc_forward_sharded].

    Parameters
    ----------
    n : int
        Number of rows (>= 0).
    size : int
        Number of ranks (>= 1).
    rank : int
        This rank, in ``[0, size)``.

    Returns
    -------
    tuple of int
        ``(start, stop)``: rows ``start`` to ``stop - 1``.

    Raises
    ------
    ValueError
        If ``rank`` is not in ``[0, size)`` (or ``n``/``size`` are invalid).
    """
    counts = split_counts(n, size)
    rank = check_int(rank, "rank", minimum=0, below=size)
    start = sum(counts[:rank])
    return start, start + counts[rank]


def _displacements(counts: Sequence[int]) -> list[int]:
    out, total = [], 0
    for c in counts:
        out.append(total)
        total += c
    return out


def choose_split(n_out: int, batch: int, size: int) -> str:
    """Which axis ``mpi_sc_forward`` splits across ``size`` ranks.

    ``"rows"`` splits the weight rows (every rank gets all inputs); ``"batch"``
    splits the batch (every rank gets all weights).  The batch is chosen only
    when it gives a strictly smaller largest per-rank share of
    ``rows x inputs`` work, e.g. few outputs and a large batch.  Note the cost
    difference in communication: a row split sends each rank ``1/size`` of the
    weights, a batch split broadcasts all of them.

    Parameters
    ----------
    n_out : int
        Rows of the weights (outputs).
    batch : int
        Rows of the input.
    size : int
        Number of ranks.

    Returns
    -------
    str
        ``"rows"`` or ``"batch"``.
    """
    rows_load = math.ceil(n_out / size) * batch
    batch_load = math.ceil(batch / size) * n_out
    return "batch" if batch > 1 and batch_load < rows_load else "rows"


# --------------------------------------------------------------------------- error agreement

def _error_report(error: BaseException | None) -> tuple[str, str] | None:
    return None if error is None else (type(error).__name__, str(error))


def _rebuild_error(rank: int, name: str, message: str, phase: str) -> Exception:
    """An exception like the one rank ``rank`` raised: same built-in type and message."""
    cls = InputTypeError if name == InputTypeError.__name__ else getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            exc = cls(message)
        except Exception:  # a built-in whose constructor wants other arguments
            return MPIRankError(rank, name, message, phase)
        if str(exc) == message:
            if hasattr(exc, "add_note"):
                exc.add_note(f"(raised on MPI rank {rank} during {phase}; re-raised on every "
                             "rank so that none is left waiting)")
            return exc
    return MPIRankError(rank, name, message, phase)


def _agree(comm: Any, error: Exception | None, phase: str) -> None:
    """Collective: raise on every rank if any rank reports an error.

    Every rank passes the exception it hit in ``phase`` (or ``None``).  When all
    are ``None`` this returns; otherwise every rank raises the error of the
    lowest failing rank: that rank its own exception object, the others a
    rebuilt one of the same type and message (chained to their own error, if
    they had one).
    """
    reports = comm.allgather(_error_report(error))
    failed = [(r, rep) for r, rep in enumerate(reports) if rep is not None]
    if not failed:
        return
    first, (name, message) = failed[0]
    if error is not None and first == comm.Get_rank():
        raise error
    raise _rebuild_error(first, name, message, phase) from error


# --------------------------------------------------------------------------- array transport

def _as_bytes(arr: np.ndarray) -> np.ndarray:
    """The raw bytes of a C-contiguous array as a flat ``uint8`` view (any dtype)."""
    return arr.reshape(-1).view(np.uint8)


def _describe(arr: np.ndarray) -> tuple[Any, tuple[int, ...]]:
    """Picklable dtype descriptor and shape (plain Python data, no NumPy objects)."""
    return np.lib.format.dtype_to_descr(arr.dtype), tuple(int(s) for s in arr.shape)


def _dtype_from(descr: Any) -> np.dtype:
    return np.lib.format.descr_to_dtype(descr)


def _check_sendable(arr: np.ndarray, name: str) -> None:
    if arr.dtype.hasobject:
        raise InputTypeError(f"{name} must have a fixed-size dtype whose values are plain "
                             "bytes (numbers, bool, fixed-width strings, records), got dtype "
                             f"{arr.dtype}")
    if arr.ndim < 1:
        raise ValueError(f"{name} must have at least one dimension (axis 0 is split across "
                         f"ranks), got a 0-D array")


def _as_sendable(value: object, name: str, where: str = f"on the root rank (rank {ROOT})"
                 ) -> np.ndarray:
    """``value`` as a C-contiguous array with at least one axis and a byte-copyable dtype."""
    if value is None:
        raise ValueError(f"{name} must be an array {where}, got None")
    arr = np.asarray(value)
    _check_sendable(arr, name)
    return c_contiguous(arr)


def _allocate(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A receive buffer (one place, so a test can make one rank's allocation fail)."""
    return np.empty(shape, dtype=dtype)


class _RowType:
    """A committed MPI datatype of ``row_bytes`` contiguous bytes (one array row)."""

    def __init__(self, mpi: Any, row_bytes: int) -> None:
        self.datatype = mpi.BYTE.Create_contiguous(row_bytes)
        self.datatype.Commit()

    def __enter__(self) -> Any:
        return self.datatype

    def __exit__(self, *exc: object) -> None:
        self.datatype.Free()


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
        self._thread_request = _thread_request(threads_per_rank)
        self._threads_applied = False
        self.threads: int | None = None
        mpi = _load_mpi()
        self._mpi = mpi
        if mpi is None:
            _warn_fallback(f"mpi4py is not usable ({_mpi_import_error})")
            self.comm: Any = None
        else:
            if comm is None:
                comm = mpi.COMM_WORLD
            if comm == mpi.COMM_NULL:
                _warn_fallback("no communicator (MPI.COMM_NULL)")
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
        _agree(self.comm, error, phase)

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
                arr = _as_sendable(value, name)
                meta = _describe(arr)
            except Exception as exc:
                error = exc
        _agree(self.comm, error, phase)
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
            arr = _as_sendable(global_inputs, "global_inputs")
            return global_inputs if isinstance(global_inputs, np.ndarray) else arr
        comm, mpi = self.comm, self._mpi
        arr, descr, shape = self._root_array_meta(
            global_inputs, "global_inputs",
            "scatter_workload (checking global_inputs on the root)")
        dtype = _dtype_from(descr)
        counts = split_counts(shape[0], self.size)
        local_shape = (counts[self.rank],) + tuple(shape[1:])
        row_bytes = dtype.itemsize * math.prod(shape[1:])
        if self.is_root:
            assert arr is not None
            return self._scatter_root(arr, counts, row_bytes)
        local = None
        error: Exception | None = None
        try:
            local = _allocate(local_shape, dtype)
        except Exception as exc:
            error = exc
        _agree(comm, error, "scatter_workload (allocating receive buffers)")
        assert local is not None
        if row_bytes and shape[0]:
            with _RowType(mpi, row_bytes) as row:
                comm.Scatterv(None, [_as_bytes(local), counts[self.rank], row], root=ROOT)
        return local

    def _scatter_root(self, arr: np.ndarray, counts: list[int], row_bytes: int) -> np.ndarray:
        comm, mpi = self.comm, self._mpi
        # The root allocates nothing (its block is a view), but it takes part in
        # the allocation agreement of the other ranks.
        _agree(comm, None, "scatter_workload (allocating receive buffers)")
        if row_bytes and arr.shape[0]:
            with _RowType(mpi, row_bytes) as row:
                comm.Scatterv([_as_bytes(arr), counts, _displacements(counts), row],
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
            arr = _as_sendable(local_results, "local_results", "on every rank")
            return local_results if isinstance(local_results, np.ndarray) else arr
        comm, mpi = self.comm, self._mpi
        error: Exception | None = None
        arr = None
        meta = None
        try:
            arr = _as_sendable(local_results, "local_results", "on every rank")
            meta = _describe(arr)
        except Exception as exc:
            error = exc
        _agree(comm, error, "gather_results (checking local_results)")
        metas = comm.allgather(meta)
        assert arr is not None
        descr0, shape0 = metas[ROOT]
        for r, (descr, shape) in enumerate(metas):
            if descr != descr0 or tuple(shape[1:]) != tuple(shape0[1:]):
                # Every rank sees the same metadata, so every rank raises this same error.
                raise ValueError(
                    "local_results must have the same dtype and trailing shape on every rank: "
                    f"rank {ROOT} has dtype {_dtype_from(descr0)} and rows of shape "
                    f"{tuple(shape0[1:])}, rank {r} has dtype {_dtype_from(descr)} and rows "
                    f"of shape {tuple(shape[1:])}")
        counts = [int(shape[0]) for _, shape in metas]
        row_bytes = arr.dtype.itemsize * math.prod(arr.shape[1:])
        out = None
        if self.is_root:
            try:
                out = _allocate((sum(counts),) + arr.shape[1:], arr.dtype)
            except Exception as exc:
                error = exc
        _agree(comm, error, "gather_results (allocating the result on the root)")
        if row_bytes and sum(counts):
            with _RowType(mpi, row_bytes) as row:
                send = [_as_bytes(arr), counts[self.rank], row]
                if self.is_root:
                    assert out is not None
                    comm.Gatherv(send, [_as_bytes(out), counts, _displacements(counts), row],
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
            arr = _as_sendable(array, "array")
            return array if isinstance(array, np.ndarray) else arr
        comm, mpi = self.comm, self._mpi
        arr, descr, shape = self._root_array_meta(
            array, "array", "broadcast_array (checking the array on the root)")
        error: Exception | None = None
        if not self.is_root:
            try:
                arr = _allocate(tuple(shape), _dtype_from(descr))
            except Exception as exc:
                error = exc
        _agree(comm, error, "broadcast_array (allocating receive buffers)")
        assert arr is not None
        row_bytes = arr.dtype.itemsize * math.prod(shape[1:])
        if row_bytes and shape[0]:
            with _RowType(mpi, row_bytes) as row:
                comm.Bcast([_as_bytes(arr), shape[0], row], root=ROOT)
        return arr


# --------------------------------------------------------------------------- SC forward

_default_driver: MPIDriver | None = None


def _resolve_driver(driver: object) -> MPIDriver:
    global _default_driver
    if driver is None:
        if _default_driver is None:
            _default_driver = MPIDriver()
        return _default_driver
    if not isinstance(driver, MPIDriver):
        raise InputTypeError(f"driver must be an MPIDriver or None, got {type(driver).__name__}")
    return driver


def _local_forward(engine: Any, weights: np.ndarray, probs: np.ndarray, length: int,
                   seed: int) -> np.ndarray:
    """This rank's share: ``(batch, rows)`` float64 (zero-size shares skip the backend)."""
    if weights.shape[0] == 0 or probs.shape[0] == 0:
        return np.zeros((probs.shape[0], weights.shape[0]), dtype=_RESULT_DTYPE)
    out: np.ndarray = engine.sc_forward(weights, probs, length=length, seed=seed)
    return out


@dataclass(frozen=True)
class _Plan:
    """What the root decided, broadcast to every rank before data moves."""

    n_out: int
    n_in: int
    batch: int
    batched: bool
    length: int
    seed: int
    split: str


def _compute_and_gather(driver: MPIDriver, engine: Any, weights: np.ndarray,
                        probs: np.ndarray, plan: _Plan) -> np.ndarray:
    """Local compute, agreement, gather; the full result on the root."""
    error: Exception | None = None
    out = None
    try:
        out = _local_forward(engine, weights, probs, plan.length, plan.seed)
    except Exception as exc:
        error = exc
    driver.agree(error, "local compute")
    assert out is not None
    if plan.split == "rows":
        # (batch, rows) -> rows first, so the gather concatenates along axis 0.
        gathered = driver.gather_results(np.ascontiguousarray(out.T))
        full = np.ascontiguousarray(gathered.T) if driver.is_root else None
    else:
        gathered = driver.gather_results(out)
        full = gathered if driver.is_root else None
    if not driver.is_root:
        return np.empty((0, plan.n_out) if plan.batched else (0,), dtype=_RESULT_DTYPE)
    assert full is not None
    return full if plan.batched else full[0]


def _forward_in_one_process(weights_packed: object, input_probs: object, length: object,
                            seed: object, backend: str | Backend) -> np.ndarray:
    """What ``sc_forward`` does: resolve the backend, validate, run (no MPI involved)."""
    from .backend import get_backend

    engine = get_backend(backend)
    a = validate_forward(weights_packed, input_probs, length, seed)
    return engine.sc_forward(a.weights, a.probs if a.batched else a.probs[0], length=a.length,
                             seed=a.seed)


def _start(driver: MPIDriver, backend: str | Backend, root_check: Callable[[], _Plan]
           ) -> tuple[Any, _Plan]:
    """Collective first phase: every rank resolves its backend, the root validates.

    Returns this rank's backend and the root's plan, or raises the same error
    on every rank.
    """
    from .backend import get_backend

    error: Exception | None = None
    plan = None
    engine = None
    if driver.is_root:
        try:
            plan = root_check()
        except Exception as exc:
            error = exc
    try:
        engine = get_backend(backend)
    except Exception as exc:
        error = error or exc
    driver.agree(error, "argument checks")
    if driver.distributed:
        driver.apply_thread_policy()
    plan = driver.comm.bcast(plan, root=ROOT) if driver.distributed else plan
    assert plan is not None and engine is not None
    return engine, plan


def mpi_sc_forward(weights_packed: np.ndarray | None, input_probs: ArrayLike | None, *,
                   length: int, seed: int = DEFAULT_SEED, backend: str | Backend = "auto",
                   driver: MPIDriver | None = None) -> np.ndarray:
    """SC forward pass ([design: forward pass][forward-pass]) split across MPI ranks (collective).

    Every rank calls it; the inputs are needed on the root only.  The root
    validates them, splits the work (rows of ``weights_packed``, or the batch
    of a 2-D input when that balances better, see
    [`choose_split`][sc_neurocore.accel.mpi_driver.choose_split]), each rank runs the best local
    backend on its share, and the root gathers the
    result.

    Parameters
    ----------
    weights_packed : ndarray or None
        On the root: ``uint64`` ``(n_out, n_in, n_words)``,
        ``n_words = ceil(length / 64)``.  Ignored elsewhere (pass ``None``).
    input_probs : array_like or None
        On the root: ``float64`` ``(n_in,)`` or ``(batch, n_in)``, values in
        [0, 1].  Ignored elsewhere.
    length : int
        Stream length in bits (the root's value is used on every rank).
    seed : int, default 44257
        Encoder seed in ``[0, 2**32)`` (the root's value is used).
    backend : str or Backend, default "auto"
        Backend each rank runs locally: a name, ``"auto"`` or a ``Backend``
        instance (see [`get_backend`][sc_neurocore.accel.backend.get_backend]).
    driver : MPIDriver, optional
        Default: a driver on ``MPI.COMM_WORLD`` (single-rank without MPI).

    Returns
    -------
    ndarray
        On the root: ``float64`` ``(n_out,)`` or ``(batch, n_out)``,
        bit-identical to [`sc_forward`][sc_neurocore.accel.backend.sc_forward] in one process.
        On the other ranks: an empty ``float64`` array, ``(0,)`` or
        ``(0, n_out)``.

    Raises
    ------
    TypeError, ValueError
        On every rank, when the root's arguments break [design: errors][errors], or
        ``backend`` is unknown on any rank.
    RuntimeError
        On every rank, when a backend is unavailable on some rank.
    Exception
        On every rank, when any rank fails in its local compute: that rank
        raises its own exception, the others the same type and message
        ([`MPIRankError`][sc_neurocore.accel.mpi_driver.MPIRankError] when the type is not a
        built-in).
    """
    driver = _resolve_driver(driver)
    if not driver.distributed or driver.size == 1:
        return _forward_in_one_process(weights_packed, input_probs, length, seed, backend)
    args: list[ForwardArgs] = []

    def root_check() -> _Plan:
        a = validate_forward(weights_packed, input_probs, length, seed)
        args.append(a)
        n_out, n_in, _ = a.weights.shape
        batch = a.probs.shape[0]
        return _Plan(n_out, n_in, batch, a.batched, a.length, a.seed,
                     choose_split(n_out, batch, driver.size))

    engine, plan = _start(driver, backend, root_check)
    root_weights = args[0].weights if driver.is_root else None
    root_probs = args[0].probs if driver.is_root else None
    if plan.split == "rows":
        probs = driver.broadcast_array(root_probs)
        weights = driver.scatter_workload(root_weights)
    else:
        weights = driver.broadcast_array(root_weights)
        probs = driver.scatter_workload(root_probs)
    return _compute_and_gather(driver, engine, weights, probs, plan)


def mpi_sc_forward_sharded(local_weights: np.ndarray, input_probs: ArrayLike | None, *,
                           length: int, seed: int = DEFAULT_SEED, backend: str | Backend = "auto",
                           driver: MPIDriver | None = None) -> np.ndarray:
    """SC forward pass when every rank already holds its own weight rows (collective).

    The usual deployment: weights are loaded once (rank ``r`` loads rows
    [`block_range`][sc_neurocore.accel.mpi_driver.block_range]
    ``(n_out, size, r)``, or any consecutive block, in rank order), inputs
    stream from the root.  Per call only the inputs (broadcast) and the
    results (gathered) move.

    Parameters
    ----------
    local_weights : ndarray
        On every rank: ``uint64`` ``(rows_r, n_in, n_words)``, this rank's
        consecutive block of the full weight matrix (``rows_r`` may be 0).
    input_probs : array_like or None
        On the root: ``(n_in,)`` or ``(batch, n_in)`` probabilities.  Ignored
        elsewhere.
    length : int
        Stream length in bits (the root's value is used on every rank).
    seed : int, default 44257
        Encoder seed in ``[0, 2**32)`` (the root's value is used).
    backend : str or Backend, default "auto"
        Backend each rank runs locally, as in
        [`mpi_sc_forward`][sc_neurocore.accel.mpi_driver.mpi_sc_forward].
    driver : MPIDriver, optional
        Default: a driver on ``MPI.COMM_WORLD`` (single-rank without MPI).

    Returns
    -------
    ndarray
        On the root: ``(n_out,)`` or ``(batch, n_out)`` with ``n_out`` the sum of
        the ranks' rows, bit-identical to one process on the concatenated
        weights.  Elsewhere: an empty ``float64`` array (``(0,)`` or
        ``(0, n_out)``).

    Raises
    ------
    TypeError, ValueError
        On every rank, when the root's inputs are invalid or any rank's
        ``local_weights`` does not match them (dtype, rank, ``n_in``,
        ``n_words``).
    Exception
        On every rank, when any rank fails in its local compute.
    """
    driver = _resolve_driver(driver)
    if not driver.distributed:
        return _forward_in_one_process(local_weights, input_probs, length, seed, backend)
    probs_holder: list[np.ndarray] = []

    def root_check() -> _Plan:
        length_ok = check_length(length)
        seed_ok = check_seed(seed)
        probs = as_probabilities(input_probs, "input_probs")
        probs_holder.append(probs if probs.ndim == 2 else probs[None, :])
        return _Plan(-1, probs.shape[-1], probs_holder[0].shape[0], probs.ndim == 2,
                     length_ok, seed_ok, "rows")

    engine, plan = _start(driver, backend, root_check)
    error: Exception | None = None
    weights = None
    try:
        weights = as_packed(local_weights, "local_weights", ndims=(3,))
        want = (plan.n_in, n_words_for(plan.length))
        if tuple(weights.shape[1:]) != want:
            raise ValueError(
                f"local_weights on rank {driver.rank} must have shape (rows, n_in, n_words) = "
                f"(rows, {want[0]}, {want[1]}) to match input_probs (n_in = {want[0]}) and "
                f"length {plan.length} (n_words = ceil(length / 64)), got {weights.shape}")
    except Exception as exc:
        error = exc
    driver.agree(error, "checking local_weights")
    assert weights is not None
    n_out = int(driver.comm.allreduce(weights.shape[0]))
    plan = _Plan(n_out, plan.n_in, plan.batch, plan.batched, plan.length, plan.seed, "rows")
    probs = driver.broadcast_array(probs_holder[0] if driver.is_root else None)
    return _compute_and_gather(driver, engine, weights, probs, plan)
