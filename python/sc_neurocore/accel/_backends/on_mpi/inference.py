"""``sc_forward`` across MPI ranks: split, compute on each rank, gather on the root.

Public as ``mpi_sc_forward`` (``forward``: the root holds the weights, or a
prepared layer, and the inputs) and ``mpi_sc_forward_sharded``
(``forward_sharded``: every rank holds its own block of weight rows);
``prepared_counts`` is a prepared layer's counts split over output rows.
Every function is collective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    ForwardArgs,
    InputTypeError,
    as_packed,
    as_probabilities,
    check_length,
    check_seed,
    n_words_for,
    validate_forward,
    validate_prepared_forward,
)

from ..._encoder import DEFAULT_SEED, quantize
from ..._prepared import PreparedLayer, run_prepared
from ..base import counts_to_rates
from .driver import MPIDriver
from .runtime import ROOT
from .split import choose_split

if TYPE_CHECKING:
    from ..base import Backend

__all__ = ["forward", "forward_sharded", "prepared_counts"]

# Rank-local result arrays of the forward pass.
_RESULT_DTYPE = np.float64

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


def _local_prepared(backend: str | Backend, k: np.ndarray, states: np.ndarray,
                    thresholds: np.ndarray) -> np.ndarray:
    """This rank's share of a prepared layer's counts: ``(batch, rows)`` uint64.

    The backend that runs it is resolved here (``prepared_backend``), so that
    a backend without the prepared path fails in the local compute, where
    every rank agrees on the outcome.
    """
    from ..._registry import prepared_backend

    engine = prepared_backend(backend)
    if k.shape[0] == 0 or k.shape[1] == 0 or thresholds.shape[0] == 0:
        return np.zeros((thresholds.shape[0], k.shape[0]), dtype=np.uint64)
    counts = np.asarray(engine.prepared_counts(k, states, thresholds))
    return np.ascontiguousarray(counts, dtype=np.uint64)


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
    prepared: bool = False


def _compute_and_gather(driver: MPIDriver, local: Callable[[], np.ndarray],
                        plan: _Plan) -> np.ndarray:
    """Local compute (``local()``: ``(batch, rows)``), agreement, gather; the full result
    on the root."""
    error: Exception | None = None
    out = None
    try:
        out = local()
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
        return np.empty((0, plan.n_out) if plan.batched else (0,), dtype=out.dtype)
    assert full is not None
    return full if plan.batched else full[0]


def _forward_in_one_process(weights_packed: object, input_probs: object, length: object,
                            seed: object, backend: str | Backend) -> np.ndarray:
    """What ``sc_forward`` does: resolve the backend, validate, run (no MPI involved)."""
    from ..._registry import get_backend, prepared_backend

    if isinstance(weights_packed, PreparedLayer):
        return run_prepared(prepared_backend(backend), weights_packed, input_probs, length, seed)
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
    from ..._registry import get_backend

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


def forward(weights_packed: np.ndarray | None, input_probs: ArrayLike | None, *,
            length: int, seed: int = DEFAULT_SEED, backend: str | Backend = "auto",
            driver: MPIDriver | None = None) -> np.ndarray:
    """SC forward pass ([design: forward pass][forward-pass]) split across MPI ranks (collective).

    Every rank calls it; the inputs are needed on the root only.  The root
    validates them, splits the work (rows of ``weights_packed``, or the batch
    of a 2-D input when that balances better, see
    [`choose_split`][sc_neurocore.accel.mpi_driver.choose_split]), each rank runs the best local
    backend on its share, and the root gathers the
    result.  With a [`PreparedLayer`][sc_neurocore.accel.prepared.PreparedLayer]
    on the root ([design: prepared layers][prepared-layers]) the output rows
    are split: the root sends each rank its rows of ``k``, and every rank the
    input states and thresholds, and each rank counts on the best local
    backend that has the prepared path.

    Parameters
    ----------
    weights_packed : ndarray, PreparedLayer or None
        On the root: ``uint64`` ``(n_out, n_in, n_words)``,
        ``n_words = ceil(length / 64)``, or a prepared layer whose ``length``
        is ``length``.  Ignored elsewhere (pass ``None``).
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
    operands: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def root_check() -> _Plan:
        if isinstance(weights_packed, PreparedLayer):
            k, states, thresholds, p = _prepared_operands(weights_packed, input_probs, length,
                                                          seed)
            operands.append((k, states, thresholds))
            return _Plan(k.shape[0], k.shape[1], thresholds.shape[0], p.batched,
                         weights_packed.length, p.seed, "rows", prepared=True)
        a = validate_forward(weights_packed, input_probs, length, seed)
        args.append(a)
        n_out, n_in, _ = a.weights.shape
        batch = a.probs.shape[0]
        return _Plan(n_out, n_in, batch, a.batched, a.length, a.seed,
                     choose_split(n_out, batch, driver.size))

    engine, plan = _start(driver, backend, root_check)
    if plan.prepared:
        counts = _split_prepared(driver, backend, operands[0] if driver.is_root else None, plan)
        return counts_to_rates(counts, plan.length) if driver.is_root else counts.astype(
            _RESULT_DTYPE)
    root_weights = args[0].weights if driver.is_root else None
    root_probs = args[0].probs if driver.is_root else None
    if plan.split == "rows":
        probs = driver.broadcast_array(root_probs)
        weights = driver.scatter_workload(root_weights)
    else:
        weights = driver.broadcast_array(root_weights)
        probs = driver.scatter_workload(root_probs)
    return _compute_and_gather(
        driver, lambda: _local_forward(engine, weights, probs, plan.length, plan.seed), plan)


def _prepared_operands(layer: PreparedLayer, input_probs: object, length: object,
                       seed: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """On the root: the checked arguments of a prepared forward pass, as the operands of
    ``prepared_counts`` ``(k, states, thresholds)`` and the checked arguments."""
    n_out, n_in = layer.shape
    p = validate_prepared_forward(n_in, layer.length, input_probs, length, seed)
    thresholds = np.ascontiguousarray(quantize(p.probs))
    return layer.k, layer.input_states(p.seed), thresholds, p


def _split_prepared(driver: MPIDriver, backend: str | Backend,
                    root: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
                    plan: _Plan) -> np.ndarray:
    """Collective: the root's prepared operands split over output rows; the counts on the
    root (``(n_out,)`` or ``(batch, n_out)`` uint64), an empty array elsewhere."""
    k, states, thresholds = root if root is not None else (None, None, None)
    states = driver.broadcast_array(states)
    thresholds = driver.broadcast_array(thresholds)
    local_k = driver.scatter_workload(k)
    return _compute_and_gather(
        driver, lambda: _local_prepared(backend, local_k, states, thresholds), plan)


def prepared_counts(k: np.ndarray | None, states: np.ndarray | None,
                    thresholds: np.ndarray | None, *, backend: str | Backend = "auto",
                    driver: MPIDriver | None = None) -> np.ndarray:
    """A prepared layer's counts split over output rows across MPI ranks (collective).

    The operation [`Backend.prepared_counts`][sc_neurocore.accel.backend.Backend.prepared_counts]
    computes, with the root's operands: each rank counts its block of rows
    of ``k`` on its best local backend that has the prepared path, and the
    root gathers the counts.

    Parameters
    ----------
    k, states, thresholds : ndarray or None
        On the root: ``uint32`` ``(n_out, n_in)`` (each in ``[0, length]``),
        ``uint16`` ``(n_in, length)`` and ``int64`` ``(batch, n_in)`` (each in
        ``[0, 65536]``).  Ignored elsewhere (pass ``None``).
    backend : str or Backend, default "auto"
        Backend each rank runs locally.
    driver : MPIDriver, optional
        Default: a driver on ``MPI.COMM_WORLD`` (single-rank without MPI).

    Returns
    -------
    ndarray
        On the root: ``uint64`` ``(batch, n_out)``; elsewhere an empty
        ``uint64`` array ``(0, n_out)``.

    Raises
    ------
    TypeError, ValueError
        On every rank, when the root's operands have the wrong dtype or
        inconsistent shapes.
    Exception
        On every rank, when any rank fails in its local compute.
    """
    driver = _resolve_driver(driver)
    if not driver.distributed or driver.size == 1:
        from ..._registry import prepared_backend

        checked = _checked_operands(k, states, thresholds)
        return np.asarray(prepared_backend(backend).prepared_counts(*checked))
    operands: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def root_check() -> _Plan:
        checked = _checked_operands(k, states, thresholds)
        operands.append(checked)
        n_out, n_in = checked[0].shape
        return _Plan(n_out, n_in, checked[2].shape[0], True, checked[1].shape[1], 0, "rows",
                     prepared=True)

    _, plan = _start(driver, backend, root_check)
    return _split_prepared(driver, backend, operands[0] if driver.is_root else None, plan)


def _checked_operands(k: object, states: object, thresholds: object
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The operands of ``prepared_counts`` after checking their dtypes and shapes."""
    arrays = []
    for name, value, dtype in (("k", k, np.uint32), ("states", states, np.uint16),
                               ("thresholds", thresholds, np.int64)):
        if not isinstance(value, np.ndarray) or value.dtype != dtype or value.ndim != 2:
            raise InputTypeError(f"{name} must be a 2-D numpy.ndarray of dtype "
                                 f"{np.dtype(dtype)}, got {type(value).__name__} "
                                 f"{getattr(value, 'dtype', '')}")
        arrays.append(np.ascontiguousarray(value))
    kk, st, th = arrays
    if st.shape[0] != kk.shape[1] or th.shape[1] != kk.shape[1]:
        raise ValueError(f"k {kk.shape}, states {st.shape} and thresholds {th.shape} must "
                         "be (n_out, n_in), (n_in, length) and (batch, n_in)")
    return kk, st, th


def forward_sharded(local_weights: np.ndarray, input_probs: ArrayLike | None, *,
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
    return _compute_and_gather(
        driver, lambda: _local_forward(engine, weights, probs, plan.length, plan.seed), plan)
