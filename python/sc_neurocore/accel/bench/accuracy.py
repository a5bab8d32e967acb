"""Accuracy against stream length: what a longer stream buys, next to what it costs.

Stochastic computing trades time for accuracy: ``sc_forward`` estimates the
float product ``W @ p`` from ``length``-bit streams, and the error shrinks as
``length`` grows while every call streams proportionally more weight bits.
For a W1-shaped layer (``n_out = 128``, ``n_in = 784``) and stream lengths 64
to 65536 bits, ``accuracy_study`` reports

* ``rmse``: the root-mean-square error of the estimate of the mean product,

  ``rmse = sqrt( (1 / n_out) * sum_o ((y_hat[o] - (W @ p)[o]) / n_in) ** 2 )``

  where ``y_hat = sc_forward(encode_packed(W, length, weight_seed(seed)), p,
  length=length, seed=seed)``, computed through the prepared path
  (``sc_forward(prepare_layer(W, length, weight_seed=weight_seed(seed)), p,
  ...)``, the same bits: [design: prepared layers][prepared-layers]), so that
  the long lengths need no packed weights (which estimates ``W @ p``: the sum over the
  ``n_in`` inputs of ``W[o, i] * p[i]``), ``W`` real-valued in ``[0, 1)``
  (shape ``(n_out, n_in)``) and ``p`` in ``[0, 1)`` (shape ``(n_in,)``).
  Dividing by ``n_in`` puts the error on the scale of one product in
  ``[0, 1]``, so layers of different widths compare;
* ``rmse_dot = n_in * rmse``, the same error in the units of ``W @ p``;
* ``max_abs_error``: the largest ``|y_hat[o] - (W @ p)[o]| / n_in``;
* ``bernoulli_rmse``: what independent Bernoulli streams would give,
  ``sqrt( (1 / n_out) * sum_o sum_i q[o, i] * (1 - q[o, i]) / length ) / n_in``
  with ``q[o, i] = W[o, i] * p[i]`` (the binomial variance of each AND
  stream's count): a yardstick for the LFSR streams, which are not independent;
* the median time per ``sc_forward`` call of each backend asked for, through
  the prepared path (``times_s``, where the backend has it) and through packed
  weights (``packed_times_s``, where they fit ``packed_budget`` bytes); every
  result is checked bit for bit against the first backend's prepared one.

The error includes the encoder's 16-bit quantisation of ``W`` and ``p``.

``generator_study`` compares the stream generators
([design: stream generators][stream-generators]) on the same layer: for each
generator and stream length (64 to 65536 bits by default) the ``rmse`` above,
the mean ``bias`` (the mean over the outputs of the scaled error, the part of
the error every output shares), the largest error and the time per
``sc_forward`` call through the prepared path (a layer prepared with the
generator) and through packed weights (encoded by the generator's weight
side), the inputs on its input side, every result checked bit for bit
against the first backend's prepared one, next to the independent-stream line
``bernoulli_rmse`` (computed from its formula, not simulated).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sc_neurocore._validation import DEFAULT_GENERATOR, GENERATORS

from .._registry import backend_class
from ..backend import get_backend, sc_forward
from ..lfsr import DEFAULT_SEED, encode_packed, weight_seed
from ..prepared import prepare_layer
from .timing import interleaved_medians, same_bits

__all__ = ["ACCURACY_LENGTHS", "ACCURACY_SHAPE", "ACCURACY_PACKED_BUDGET", "AccuracyRow",
           "encode_weights", "error_stats", "measure_accuracy", "accuracy_study",
           "ACCURACY_QUANTITY", "rmse_per_doubling", "GENERATOR_LENGTHS", "GENERATOR_QUANTITY",
           "GeneratorRow", "measure_generators", "generator_study", "independent_rmse",
           "falls_every_doubling"]

ACCURACY_LENGTHS = tuple(2**k for k in range(6, 17))  # 64 ... 65536
ACCURACY_PACKED_BUDGET = 1 << 30
"""Largest packed weights (bytes) the accuracy table builds to time the packed path (1 GiB)."""
GENERATOR_LENGTHS = ACCURACY_LENGTHS
GENERATOR_QUANTITY = (
    "per generator g: y_hat = sc_forward(prepare_layer(W, length, weight_seed=weight_seed(seed), "
    "generator=g), p, length=length, seed=seed), the same bits as sc_forward(encode_packed(W, "
    "length, weight_seed(seed), generator=g, role='weight'), p, length=length, seed=seed, "
    "generator=g); rmse as above, bias = mean_o((y_hat[o] - (W @ p)[o]) / n_in); independent = "
    "sqrt(mean_o(sum_i q(1 - q)) / length) / n_in with q = W[o, i] p[i], computed")
ACCURACY_SHAPE = (128, 784)  # (n_out, n_in): W1's layer
ACCURACY_QUANTITY = (
    "rmse = sqrt(mean_o(((y_hat[o] - (W @ p)[o]) / n_in)**2)), y_hat = sc_forward("
    "encode_packed(W, length, weight_seed(seed)), p, length=length, seed=seed) (computed "
    "through the prepared layer of W, the same bits), W in [0,1) (n_out, n_in) and p in "
    "[0,1) (n_in,) real-valued; rmse_dot = n_in * rmse (units of W @ p)")

# Peak size of the unpacked bits while encoding weights (encode_packed builds a
# bool array of rows x n_in x length before packing).
_ENCODE_BLOCK_BITS = 1 << 25


@dataclass
class AccuracyRow:
    """One stream length: the error of ``sc_forward`` and its time per call.

    ``times_s`` holds each backend's median through the prepared path
    (``None`` for a backend without it), ``packed_times_s`` through packed
    weights (absent where they would exceed the budget).
    """

    length: int
    rmse: float
    rmse_dot: float
    max_abs_error: float
    bernoulli_rmse: float
    times_s: dict[str, float | None] = field(default_factory=dict)
    bit_identical: bool = True
    packed_times_s: dict[str, float] = field(default_factory=dict)


def encode_weights(weights_real: np.ndarray, length: int, seed: int,
                   generator: str = DEFAULT_GENERATOR, *, engine: bool = True) -> np.ndarray:
    """``encode_packed(weights_real, length, seed, generator=generator, role="weight")``,
    on the Rust engine where it is built.

    Identical to one call of the NumPy encoder (seeding depends only on the
    input index, the last axis). Without the engine (or with ``engine``
    false) the NumPy encoder runs a block of rows at a time, keeping its
    unpacked bits to about 32 MiB.
    """
    if engine:
        try:
            from sc_neurocore import _engine
        except ImportError:
            pass
        else:
            probs = np.ascontiguousarray(weights_real, dtype=np.float64)
            words: np.ndarray = _engine.encode_packed(probs, length, seed, generator, "weight")
            return words
    n_out, n_in = weights_real.shape
    step = max(1, _ENCODE_BLOCK_BITS // max(1, n_in * length))
    blocks = [encode_packed(weights_real[start:start + step], length, seed=seed,
                            generator=generator, role="weight")
              for start in range(0, n_out, step)]
    return np.concatenate(blocks, axis=0)


def _scaled_error(estimate: np.ndarray, weights_real: np.ndarray,
                  probs: np.ndarray) -> np.ndarray:
    """``(y_hat - W @ p) / n_in`` per output."""
    exact = weights_real @ probs
    scaled: np.ndarray = (np.asarray(estimate, dtype=np.float64) - exact) / weights_real.shape[1]
    return scaled


def independent_rmse(weights_real: np.ndarray, probs: np.ndarray, length: int) -> float:
    """The RMSE independent Bernoulli streams would give (module docstring: ``bernoulli_rmse``)."""
    q = weights_real * probs[np.newaxis, :]
    return float(np.sqrt(np.mean(np.sum(q * (1.0 - q), axis=1) / length))
                 / weights_real.shape[1])


def error_stats(estimate: np.ndarray, weights_real: np.ndarray, probs: np.ndarray,
                length: int) -> tuple[float, float, float, float]:
    """``(rmse, rmse_dot, max_abs_error, bernoulli_rmse)`` of one estimate (module docstring)."""
    scaled = _scaled_error(estimate, weights_real, probs)
    rmse = float(np.sqrt(np.mean(scaled ** 2)))
    return (rmse, rmse * weights_real.shape[1], float(np.max(np.abs(scaled))),
            independent_rmse(weights_real, probs, length))


@dataclass
class _Measured:
    """One generator at one length: the reference estimate, the times of both paths and
    whether every result was bit-identical to the reference."""

    estimate: np.ndarray
    times_s: dict[str, float | None]
    packed_times_s: dict[str, float]
    bit_identical: bool


def _measure_length(weights_real: np.ndarray, probs: np.ndarray, length: int, seed: int,
                    generators: Sequence[str], backends: Sequence[str], repeats: int,
                    min_total_s: float, packed_budget: int) -> dict[str, _Measured]:
    """``sc_forward`` of one layer at one length with each generator, through the prepared
    path on every backend that has it and through packed weights (where they fit
    ``packed_budget`` bytes) on every backend.

    The estimate of a generator is its prepared path's on the first backend that has it
    (else NumPy's); every other result is compared with it bit for bit. For each backend
    and path the generators are timed in alternating rounds (``interleaved_medians``), so
    their time ratios are not skewed by a drift of the machine between them.
    """
    with_path = [n for n in backends if backend_class(n).has_prepared_path()]
    n_out, n_in = weights_real.shape
    fits = n_out * n_in * -(-length // 64) * 8 <= packed_budget
    found: dict[str, _Measured] = {}
    prepared_calls: dict[str, dict[str, Callable[[], object]]] = {n: {} for n in with_path}
    packed_calls: dict[str, dict[str, Callable[[], object]]] = {n: {} for n in backends}
    for generator in generators:
        layer = prepare_layer(weights_real, length, weight_seed=weight_seed(seed),
                              generator=generator)
        want = sc_forward(layer, probs, length=length, seed=seed,
                          backend=(with_path or ["numpy"])[0])
        m = found[generator] = _Measured(want, {n: None for n in backends}, {}, True)
        for name in with_path:
            call = functools.partial(sc_forward, layer, probs, length=length, seed=seed,
                                     backend=name)
            m.bit_identical &= same_bits(call(), want)
            prepared_calls[name][generator] = call
        if fits:
            packed = encode_weights(weights_real, length, weight_seed(seed), generator)
            for name in backends:
                call = functools.partial(get_backend(name).sc_forward, packed, probs,
                                         length=length, seed=seed, generator=generator)
                m.bit_identical &= same_bits(call(), want)
                packed_calls[name][generator] = call
    for name, calls in prepared_calls.items():
        for generator, t in interleaved_medians(calls, repeats, min_total_s).items():
            found[generator].times_s[name] = t
    for name, calls in packed_calls.items():
        for generator, t in interleaved_medians(calls, repeats, min_total_s).items():
            found[generator].packed_times_s[name] = t
    return found


def _each_measured(weights_real: np.ndarray, probs: np.ndarray, lengths: Sequence[int],
                   generators: Sequence[str], backends: Sequence[str], seed: int, repeats: int,
                   min_total_s: float, packed_budget: int
                   ) -> Iterator[tuple[int, str, _Measured]]:
    """``(length, generator, measurement)`` of each generator at each length, every
    generator at one length (``_measure_length``) before the next length.
    """
    for length in lengths:
        measured = _measure_length(weights_real, probs, length, seed, generators, backends,
                                   repeats, min_total_s, packed_budget)
        for generator in generators:
            yield length, generator, measured[generator]


def _checked(weights_real: np.ndarray, probs: np.ndarray,
             backends: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The layer as ``float64`` arrays, after checking that a backend is named."""
    if not backends:
        raise ValueError("backends must name at least one backend")
    return np.asarray(weights_real, dtype=np.float64), np.asarray(probs, dtype=np.float64)


def _timing_text(m: _Measured) -> str:
    """The times of one measurement, for a progress line."""
    return ", ".join(
        [f"{n} prepared {t * 1e3:.3f} ms" for n, t in m.times_s.items() if t is not None]
        + [f"{n} packed {t * 1e3:.3f} ms" for n, t in m.packed_times_s.items()])


def measure_accuracy(weights_real: np.ndarray, probs: np.ndarray, lengths: Sequence[int],
                     backends: Sequence[str] = ("numpy",), *, seed: int = DEFAULT_SEED,
                     repeats: int = 3, min_total_s: float = 0.1,
                     packed_budget: int = ACCURACY_PACKED_BUDGET,
                     progress: Callable[[str], None] | None = None) -> list[AccuracyRow]:
    """Error and time per call of ``sc_forward`` for each stream length.

    Parameters
    ----------
    weights_real : ndarray
        Real-valued weights in ``[0, 1]``, ``(n_out, n_in)``.
    probs : ndarray
        Input probabilities in ``[0, 1]``, ``(n_in,)``.
    lengths : sequence of int
        Stream lengths in bits.
    backends : sequence of str, default ("numpy",)
        Backends to time; the error comes from the prepared path (on the first
        of them that has it, else NumPy's), and every result is checked
        bit-identical to it.
    seed : int, default 44257
        Input encoder seed; the weights are encoded with ``weight_seed(seed)``.
    repeats : int, default 3
        Minimum timed calls per backend and length (see
        [`median_time`][sc_neurocore.accel.bench.median_time]; the generators of one length
        are timed in alternating rounds).
    min_total_s : float, default 0.1
        Target total of the timed calls per measurement.
    packed_budget : int, default 1 GiB
        Largest packed weights, in bytes, built to time the packed path.
    progress : callable, optional
        Receives one line of text per length.

    Returns
    -------
    list of AccuracyRow
    """
    weights_real, probs = _checked(weights_real, probs, backends)
    rows = []
    for length, _, m in _each_measured(weights_real, probs, lengths, [DEFAULT_GENERATOR],
                                       backends, seed, repeats, min_total_s, packed_budget):
        rmse, rmse_dot, max_err, model = error_stats(m.estimate, weights_real, probs, length)
        rows.append(AccuracyRow(length, rmse, rmse_dot, max_err, model, m.times_s,
                                m.bit_identical, m.packed_times_s))
        if progress:
            progress(f"[accuracy] length {length}: rmse {rmse:.3e} "
                     f"(independent streams {model:.3e}); {_timing_text(m)}")
    return rows


def accuracy_study(n_out: int = ACCURACY_SHAPE[0], n_in: int = ACCURACY_SHAPE[1],
                   lengths: Sequence[int] = ACCURACY_LENGTHS,
                   backends: Sequence[str] = ("numpy",), *, repeats: int = 3,
                   data_seed: int = 7, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The accuracy/length table of the study, as a JSON-ready dict.

    ``W`` and ``p`` are drawn uniformly from ``[0, 1)`` with
    ``numpy.random.default_rng(data_seed)``; see ``measure_accuracy``.

    Returns
    -------
    dict
        Keys ``n_out``, ``n_in``, ``seed``, ``weight_seed``, ``data_seed``,
        ``quantity`` (the definition of ``rmse``), ``backends`` and ``rows``
        (one dict per length: ``length``, ``rmse``, ``rmse_dot``,
        ``max_abs_error``, ``bernoulli_rmse``, ``times_s`` (backend -> median
        seconds per call through the prepared path, ``None`` for a backend
        without it), ``packed_times_s`` (the same through packed weights, for
        the lengths whose packed weights fit the budget), ``bit_identical``).
    """
    weights_real, probs = _study_layer(n_out, n_in, data_seed)
    rows = measure_accuracy(weights_real, probs, lengths, backends, repeats=repeats,
                            progress=progress)
    return {**_study_keys(n_out, n_in, data_seed),
            "quantity": ACCURACY_QUANTITY, "backends": list(backends),
            "rows": [asdict(r) for r in rows]}


def _study_layer(n_out: int, n_in: int, data_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A study's ``W`` ``(n_out, n_in)`` and ``p`` ``(n_in,)``, uniform in ``[0, 1)``."""
    rng = np.random.default_rng(data_seed)
    weights_real = rng.random((n_out, n_in))
    return weights_real, rng.random(n_in)


def _study_keys(n_out: int, n_in: int, data_seed: int) -> dict[str, Any]:
    """The keys that every study's dict starts with: the shape and the seeds."""
    return {"n_out": n_out, "n_in": n_in, "seed": DEFAULT_SEED,
            "weight_seed": weight_seed(DEFAULT_SEED), "data_seed": data_seed}


def rmse_per_doubling(rows: Sequence[dict[str, Any]]) -> float:
    """Mean factor by which ``rmse`` falls per doubling of ``length`` (1/sqrt(2) ~ 0.71 ideal)."""
    pairs = [(a, b) for a, b in zip(rows, rows[1:])
             if b["length"] == 2 * a["length"] and a["rmse"] > 0 and b["rmse"] > 0]
    if not pairs:
        return math.nan
    return float(math.exp(sum(math.log(b["rmse"] / a["rmse"]) for a, b in pairs) / len(pairs)))


@dataclass
class GeneratorRow:
    """One stream generator at one length: its error and the time per ``sc_forward`` call."""

    generator: str
    length: int
    rmse: float
    bias: float
    max_abs_error: float
    times_s: dict[str, float | None] = field(default_factory=dict)
    bit_identical: bool = True
    packed_times_s: dict[str, float] = field(default_factory=dict)


def measure_generators(weights_real: np.ndarray, probs: np.ndarray, lengths: Sequence[int],
                       generators: Sequence[str] = GENERATORS,
                       backends: Sequence[str] = ("numpy",), *, seed: int = DEFAULT_SEED,
                       repeats: int = 3, min_total_s: float = 0.1,
                       packed_budget: int = ACCURACY_PACKED_BUDGET,
                       progress: Callable[[str], None] | None = None) -> list[GeneratorRow]:
    """Error and time per call of ``sc_forward`` for each generator and stream length.

    Each generator's layer is prepared with ``weight_seed(seed)`` (and its
    packed weights encoded by its weight side with that seed), the inputs
    encoded by its input side with ``seed``; every generator is measured at
    one length before the next length, so the times compared are measured
    side by side.

    Parameters
    ----------
    generators : sequence of str, default every generator
        The stream generators to compare.
    weights_real, probs, lengths, backends, seed, repeats, min_total_s, packed_budget
        As [`measure_accuracy`][sc_neurocore.accel.bench.measure_accuracy]
        (``repeats`` and ``min_total_s`` per generator too).
    progress : callable, optional
        Receives one line of text per generator and length.

    Returns
    -------
    list of GeneratorRow
    """
    weights_real, probs = _checked(weights_real, probs, backends)
    rows = []
    for length, generator, m in _each_measured(weights_real, probs, lengths, generators,
                                               backends, seed, repeats, min_total_s,
                                               packed_budget):
        scaled = _scaled_error(m.estimate, weights_real, probs)
        row = GeneratorRow(generator, length, float(np.sqrt(np.mean(scaled ** 2))),
                           float(np.mean(scaled)), float(np.max(np.abs(scaled))),
                           m.times_s, m.bit_identical, m.packed_times_s)
        rows.append(row)
        if progress:
            progress(f"[generators] {generator} length {length}: rmse {row.rmse:.3e}, "
                     f"bias {row.bias:.2e}; {_timing_text(m)}")
    return rows


def falls_every_doubling(rows: Sequence[dict[str, Any]], generator: str) -> bool:
    """Whether ``generator``'s ``rmse`` falls at every doubling of the length in ``rows``."""
    mine = sorted((r for r in rows if r["generator"] == generator), key=lambda r: r["length"])
    pairs = [(a, b) for a, b in zip(mine, mine[1:]) if b["length"] == 2 * a["length"]]
    return bool(pairs) and all(b["rmse"] < a["rmse"] for a, b in pairs)


def generator_study(n_out: int = ACCURACY_SHAPE[0], n_in: int = ACCURACY_SHAPE[1],
                    lengths: Sequence[int] = GENERATOR_LENGTHS,
                    backends: Sequence[str] = ("numpy",), *,
                    generators: Sequence[str] = GENERATORS, repeats: int = 3,
                    data_seed: int = 7,
                    progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The generator comparison of the study, as a JSON-ready dict.

    ``W`` and ``p`` are drawn as in ``accuracy_study``; see ``measure_generators``.

    Returns
    -------
    dict
        Keys ``n_out``, ``n_in``, ``seed``, ``weight_seed``, ``data_seed``,
        ``quantity``, ``generators``, ``backends``, ``independent`` (one dict
        per length: ``length``, ``rmse``, the independent-stream line) and
        ``rows`` (one dict per generator and length: ``generator``,
        ``length``, ``rmse``, ``bias``, ``max_abs_error``, ``times_s`` (backend
        -> median seconds per call through the prepared path, ``None`` for a
        backend without it), ``packed_times_s`` (the same through packed
        weights, for the lengths whose packed weights fit the budget),
        ``bit_identical``).
    """
    weights_real, probs = _study_layer(n_out, n_in, data_seed)
    rows = measure_generators(weights_real, probs, lengths, generators, backends,
                              repeats=repeats, progress=progress)
    return {**_study_keys(n_out, n_in, data_seed),
            "quantity": GENERATOR_QUANTITY, "generators": list(generators),
            "backends": list(backends),
            "independent": [{"length": n, "rmse": independent_rmse(weights_real, probs, n)}
                            for n in lengths],
            "rows": [asdict(r) for r in rows]}
