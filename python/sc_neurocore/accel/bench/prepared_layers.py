"""Prepared layers against packed weights ([design: prepared layers][prepared-layers]).

The packed path streams ``n_out · n_in · length / 8`` bytes of weights per
call; a prepared layer reads ``4 · n_out · n_in`` bytes of counts and the
``2 · n_in · length`` bytes of its input states. This part of the study
measures what that buys, on one backend (the fastest that has the prepared
path, Rust where it is built) with the same threads for both paths, timed
in alternating rounds (``PAIR_BLOCK`` back-to-back calls of each per round)
so that a drift of a shared machine lands on both alike:

* **time per call against stream length** (``sweep``): the W1 and W2 layer
  shapes with one input, ``length`` 64 ... 65536, both paths where the packed
  weights fit ``packed_budget`` bytes (the prepared path everywhere), with
  every packed result checked bit for bit against the prepared one;
* **the standard workloads** (``workloads``): W1, W2 and W3 (batch 32) at
  their own lengths, with the one-time costs: ``prepare_layer`` from
  probabilities, the first call's gathering of the input states for a new
  seed, and ``encode_packed`` (what the packed path pays once); the per-call
  saving, the calls that repay the preparation, and the memory of each
  representation;
* **the scale row** (``scale``): a 4096 × 4096 layer at 32768 bits, whose
  packed weights would take 64 GiB, run through the prepared path; its
  result is checked bit for bit against the packed path computed one slice of
  output rows at a time (every slice, or ``scale_slices`` of them spread over
  the layer).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..backend import sc_forward
from ..lfsr import DEFAULT_SEED, weight_seed
from ..prepared import PreparedLayer, prepare_layer
from .accuracy import encode_weights
from .timing import interleaved_medians, median_time, same_bits
from .workloads import Workload

__all__ = ["PREPARED_LENGTHS", "PACKED_BUDGET_BYTES", "PAIR_BLOCK", "SCALE_SHAPE", "SCALE_LENGTH",
           "SCALE_SLICE_ROWS", "PREPARED_TARGETS", "SweepRow", "WorkloadCost", "ScaleRow",
           "prepared_study", "sweep_row", "workload_cost", "scale_row"]

PREPARED_LENGTHS = tuple(2**k for k in range(6, 17))
"""Stream lengths of the sweep: 64, 128, ..., 65536 bits."""

PACKED_BUDGET_BYTES = 2 << 30
"""Packed weights larger than this (2 GiB) are not built: the sweep times the prepared path only."""

PAIR_BLOCK = 8
"""Back-to-back calls of each path per round when packed and prepared are timed in
alternating rounds: a layer called again finds its counts and input states in cache (one
path's calls alone would), and only the first call of each block sees the other path's
data go through the caches."""

SCALE_SHAPE = (4096, 4096)
"""``(n_out, n_in)`` of the scale row."""

SCALE_LENGTH = 32768
"""Stream length of the scale row: its packed weights would take 64 GiB."""

SCALE_SLICE_ROWS = 16
"""Output rows per packed slice of the scale row's check (256 MiB of packed weights)."""

PREPARED_TARGETS = {"W1": 2.0, "W2": 10.0, "W3": 1.5}
"""The targets: prepared over packed speed (packed median / prepared median) per workload."""

Progress = Callable[[str], None]


@dataclass
class SweepRow:
    """One layer shape and stream length: both paths' time per call.

    Attributes
    ----------
    workload : str
        The layer shape's workload (``"W1"``, ``"W2"``).
    n_out, n_in, length : int
        The layer and the stream length.
    prepared_s : float
        Median seconds per call of the prepared path.
    packed_s : float
        Median seconds per call of the packed path (NaN: not run, see
        ``packed_bytes``).
    ratio : float
        ``packed_s / prepared_s`` (NaN when the packed path did not run).
    packed_bytes : int
        Bytes of the packed weights.
    prepared_bytes : int
        Bytes of the layer (``k`` and ``order``) and of one seed's input states.
    bit_identical : bool or None
        Whether both paths gave the same result (``None``: the packed path did
        not run).
    """

    workload: str
    n_out: int
    n_in: int
    length: int
    prepared_s: float
    packed_s: float
    ratio: float
    packed_bytes: int
    prepared_bytes: int
    bit_identical: bool | None


@dataclass
class WorkloadCost:
    """One standard workload: the two paths, their one-time costs and their memory.

    Attributes
    ----------
    workload : str
        ``"W1"``, ``"W2"`` or ``"W3"``.
    n_out, n_in, length, batch : int
        The workload (``batch`` 1 for a single input).
    packed_s, prepared_s : float
        Median seconds per call of each path.
    ratio : float
        ``packed_s / prepared_s``; the target is ``PREPARED_TARGETS``.
    prepare_s : float
        ``prepare_layer`` from the probabilities.
    states_s : float
        The input states of a new seed (the first call with that seed pays it).
    encode_s : float
        ``encode_packed`` of the weights: what the packed path pays once.
    calls_to_repay : float
        ``(prepare_s + states_s) / (packed_s - prepared_s)``: the calls after
        which preparing the layer has paid for itself, against packed weights
        that already exist (infinite when the prepared path is not faster).
    packed_bytes, layer_bytes, states_bytes : int
        Bytes of the packed weights, of the layer (``k`` and ``order``) and of
        one seed's input states.
    bit_identical : bool
        Whether both paths gave the same result.
    """

    workload: str
    n_out: int
    n_in: int
    length: int
    batch: int
    packed_s: float
    prepared_s: float
    ratio: float
    prepare_s: float
    states_s: float
    encode_s: float
    calls_to_repay: float
    packed_bytes: int
    layer_bytes: int
    states_bytes: int
    bit_identical: bool


@dataclass
class ScaleRow:
    """A layer too large for packed weights, through the prepared path.

    Attributes
    ----------
    n_out, n_in, length : int
        The layer (4096 x 4096 at 32768 bits in the study).
    packed_bytes : int
        What its packed weights would take.
    layer_bytes, states_bytes : int
        What the layer and one seed's input states take.
    prepare_s : float
        ``prepare_layer`` from the probabilities.
    first_call_s : float
        The first forward call (it gathers the input states for the seed).
    prepared_s : float
        Median seconds per later call.
    slice_rows : int
        Output rows per packed slice of the check.
    rows_checked : int
        Output rows checked against the packed path.
    check_s : float
        Seconds the check took (encoding the slices and running them).
    bit_identical : bool
        Whether every checked row equals the packed path's, bit for bit.
    """

    n_out: int
    n_in: int
    length: int
    packed_bytes: int
    layer_bytes: int
    states_bytes: int
    prepare_s: float
    first_call_s: float
    prepared_s: float
    slice_rows: int
    rows_checked: int
    check_s: float
    bit_identical: bool


def _layer_inputs(n_out: int, n_in: int, batch: int | None,
                  data_seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic weight probabilities ``(n_out, n_in)`` and inputs, uniform in ``[0, 1)``."""
    rng = np.random.default_rng(data_seed)
    weights = rng.random((n_out, n_in))
    probs = rng.random(n_in if batch is None else (batch, n_in))
    return weights, probs


def _packed_bytes(n_out: int, n_in: int, length: int) -> int:
    return n_out * n_in * -(-length // 64) * 8


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sweep_row(name: str, n_out: int, n_in: int, length: int, backend: str, *,
              repeats: int = 3, packed_budget: int = PACKED_BUDGET_BYTES) -> SweepRow:
    """Both paths on one layer shape and stream length (one input), see the module docstring.

    Returns
    -------
    SweepRow
    """
    weights, probs = _layer_inputs(n_out, n_in, None)
    wseed = weight_seed(DEFAULT_SEED)
    layer = prepare_layer(weights, length, weight_seed=wseed)
    call = functools.partial(sc_forward, layer, probs, length=length, seed=DEFAULT_SEED,
                             backend=backend)
    got = call()
    prepared_bytes = layer.nbytes + layer.input_states(DEFAULT_SEED).nbytes
    packed_bytes = _packed_bytes(n_out, n_in, length)
    packed_s, identical = math.nan, None
    if packed_bytes <= packed_budget:
        packed = encode_weights(weights, length, wseed)
        packed_call = functools.partial(sc_forward, packed, probs, length=length,
                                        seed=DEFAULT_SEED, backend=backend)
        identical = same_bits(packed_call(), got)
        times = interleaved_medians({"prepared": call, "packed": packed_call}, repeats,
                                    min_total_s=0.1, block=PAIR_BLOCK)
        prepared_s, packed_s = times["prepared"], times["packed"]
        del packed
    else:
        prepared_s, _ = median_time(call, repeats, min_total_s=0.1)
    return SweepRow(name, n_out, n_in, length, prepared_s, packed_s, packed_s / prepared_s,
                    packed_bytes, prepared_bytes, identical)


def workload_cost(work: Workload, backend: str, *, repeats: int = 3) -> WorkloadCost:
    """Both paths on a standard workload, with the one-time costs (module docstring).

    Returns
    -------
    WorkloadCost
    """
    weights, probs = _layer_inputs(work.n_out, work.n_in, work.batch)
    wseed = weight_seed(DEFAULT_SEED)
    holder: list[PreparedLayer] = []
    prepare_s = _timed(lambda: holder.append(prepare_layer(weights, work.length,
                                                           weight_seed=wseed)))
    layer = holder[0]
    states_s = _timed(lambda: layer.input_states(DEFAULT_SEED))
    packed_holder: list[np.ndarray] = []
    encode_s = _timed(lambda: packed_holder.append(encode_weights(weights, work.length,
                                                                  wseed)))
    packed = packed_holder[0]
    prepared_call = functools.partial(sc_forward, layer, probs, length=work.length,
                                      seed=DEFAULT_SEED, backend=backend)
    packed_call = functools.partial(sc_forward, packed, probs, length=work.length,
                                    seed=DEFAULT_SEED, backend=backend)
    identical = same_bits(prepared_call(), packed_call())
    times = interleaved_medians({"packed": packed_call, "prepared": prepared_call}, repeats,
                                block=PAIR_BLOCK)
    packed_s, prepared_s = times["packed"], times["prepared"]
    saving = packed_s - prepared_s
    repay = (prepare_s + states_s) / saving if saving > 0 else math.inf
    return WorkloadCost(work.name, work.n_out, work.n_in, work.length, work.batch or 1,
                        packed_s, prepared_s, packed_s / prepared_s, prepare_s, states_s,
                        encode_s, repay, int(packed.nbytes), layer.nbytes,
                        int(layer.input_states(DEFAULT_SEED).nbytes), identical)


def _checked_slices(n_out: int, slice_rows: int, slices: int | None) -> list[int]:
    """First rows of the slices to check: all, or ``slices`` spread evenly (first and last in)."""
    starts = list(range(0, n_out, slice_rows))
    if slices is None or slices >= len(starts):
        return starts
    picks = np.linspace(0, len(starts) - 1, max(1, slices)).round().astype(int)
    return [starts[k] for k in dict.fromkeys(picks.tolist())]


def scale_row(backend: str, *, n_out: int = SCALE_SHAPE[0], n_in: int = SCALE_SHAPE[1],
              length: int = SCALE_LENGTH, slice_rows: int = SCALE_SLICE_ROWS,
              slices: int | None = None, repeats: int = 3,
              progress: Progress | None = None) -> ScaleRow:
    """The scale row (module docstring): prepare, run, check against packed slices.

    Parameters
    ----------
    backend : str
        The backend both paths run on.
    n_out, n_in, length : int
        The layer (default 4096 x 4096 at 32768 bits).
    slice_rows : int, default 16
        Output rows per packed slice.
    slices : int, optional
        Check only this many slices, spread over the layer (default: every one).
    repeats : int, default 3
        Minimum timed calls of the prepared path.
    progress : callable, optional
        Receives one line of text per step.

    Returns
    -------
    ScaleRow
    """
    say = progress or (lambda line: None)
    weights, probs = _layer_inputs(n_out, n_in, None, data_seed=4096)
    wseed = weight_seed(DEFAULT_SEED)
    holder: list[PreparedLayer] = []
    prepare_s = _timed(lambda: holder.append(prepare_layer(weights, length,
                                                           weight_seed=wseed)))
    layer = holder[0]
    say(f"[scale] {n_out} x {n_in} at {length} bits prepared in {prepare_s:.2f} s "
        f"({layer.nbytes / 2**20:.0f} MiB; packed would be "
        f"{_packed_bytes(n_out, n_in, length) / 2**30:.0f} GiB)")
    call = functools.partial(sc_forward, layer, probs, length=length, seed=DEFAULT_SEED,
                             backend=backend)
    result: list[np.ndarray] = []
    first_call_s = _timed(lambda: result.append(call()))
    got = result[0]
    prepared_s, _ = median_time(call, repeats, min_total_s=0.5, max_repeats=20)
    say(f"[scale] first call {first_call_s:.3f} s, then {prepared_s * 1e3:.1f} ms per call")
    starts = _checked_slices(n_out, slice_rows, slices)
    identical, rows, check_start = True, 0, time.perf_counter()
    for k, o0 in enumerate(starts):
        o1 = min(n_out, o0 + slice_rows)
        packed = encode_weights(weights[o0:o1], length, wseed)
        part = sc_forward(packed, probs, length=length, seed=DEFAULT_SEED, backend=backend)
        identical = identical and same_bits(part, got[o0:o1])
        rows += o1 - o0
        if k % 32 == 31 or k == len(starts) - 1:
            say(f"[scale] packed slices checked: {k + 1} of {len(starts)}, "
                f"{'bit-identical' if identical else 'MISMATCH'} so far")
    check_s = time.perf_counter() - check_start
    return ScaleRow(n_out, n_in, length, _packed_bytes(n_out, n_in, length), layer.nbytes,
                    int(layer.input_states(DEFAULT_SEED).nbytes), prepare_s, first_call_s,
                    prepared_s, slice_rows, rows, check_s, identical)


def prepared_study(backend: str, workloads: Sequence[Workload], *,
                   lengths: Sequence[int] = PREPARED_LENGTHS, repeats: int = 3,
                   packed_budget: int = PACKED_BUDGET_BYTES, scale: bool = True,
                   scale_shape: tuple[int, int, int] | None = None,
                   scale_slices: int | None = None,
                   progress: Progress | None = None) -> dict[str, Any]:
    """This part of the study (module docstring), as a JSON-ready dict.

    Parameters
    ----------
    backend : str
        The backend both paths run on (one that has the prepared path).
    workloads : sequence of Workload
        The standard workloads; the sweep uses the layer shapes of those with
        one input.
    lengths : sequence of int
        The sweep's stream lengths (default 64 ... 65536).
    repeats : int, default 3
        Minimum timed calls per measurement.
    packed_budget : int
        Largest packed weights, in bytes, the sweep builds (default 2 GiB).
    scale : bool, default True
        Run the scale row.
    scale_shape : tuple of int, optional
        ``(n_out, n_in, length)`` of the scale row (default 4096 x 4096 x 32768).
    scale_slices : int, optional
        Packed slices the scale row checks (default: every one).
    progress : callable, optional
        Receives one line of text per step.

    Returns
    -------
    dict
        ``backend``, ``packed_budget``, ``targets``, ``sweep`` (``SweepRow``
        dicts), ``workloads`` (``WorkloadCost`` dicts) and ``scale`` (a
        ``ScaleRow`` dict, or ``None``).
    """
    say = progress or (lambda line: None)
    sweep = []
    for work in (w for w in workloads if w.batch is None):
        for length in lengths:
            row = sweep_row(work.name, work.n_out, work.n_in, length, backend,
                            repeats=repeats, packed_budget=packed_budget)
            sweep.append(row)
            packed = ("packed not built" if math.isnan(row.packed_s) else
                      f"packed {row.packed_s * 1e3:.3f} ms ({row.ratio:.1f}x, "
                      f"{'bit-identical' if row.bit_identical else 'MISMATCH'})")
            say(f"[prepared] {work.name} shape, length {length}: prepared "
                f"{row.prepared_s * 1e3:.3f} ms, {packed}")
    costs = []
    for work in workloads:
        cost = workload_cost(work, backend, repeats=repeats)
        costs.append(cost)
        say(f"[prepared] {work.name}: packed {cost.packed_s * 1e3:.3f} ms, prepared "
            f"{cost.prepared_s * 1e3:.3f} ms ({cost.ratio:.1f}x); prepare "
            f"{(cost.prepare_s + cost.states_s) * 1e3:.1f} ms, repaid after "
            f"{cost.calls_to_repay:.1f} calls")
    big = None
    if scale:
        n_out, n_in, length = scale_shape or (*SCALE_SHAPE, SCALE_LENGTH)
        big = asdict(scale_row(backend, n_out=n_out, n_in=n_in, length=length,
                               slices=scale_slices, repeats=repeats, progress=say))
    return {"backend": backend, "packed_budget": packed_budget,
            "targets": dict(PREPARED_TARGETS), "sweep": [asdict(r) for r in sweep],
            "workloads": [asdict(c) for c in costs], "scale": big}
