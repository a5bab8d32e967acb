"""Prepared layers ([design: prepared layers][prepared-layers]): the packed result without packed weights.

When the weights were made by the encoder, weight ``(o, i)``'s stream is
``a_t < A_oi`` where ``a_t`` (the weight-side states of input ``i``) depends on
``i`` and the weight seed only.  Sorting input ``i``'s stream positions by
``a_t`` once (``order[i]``), weight ``(o, i)`` is set exactly on the first
``k_oi = popcount(W[o, i])`` positions of that order, so

    popcount(W[o, i] & X[i]) = #{ j < k_oi : b_{order[i, j]} < x_i }

with ``b_t`` the input-side states and ``x_i`` the input's threshold: a prefix
count of input ``i``'s bits laid out in ``order[i]``.  A layer keeps ``k`` and
``order``; a forward pass gathers the input-side states in that order (once
per seed: ``PreparedLayer.input_states``), and every backend's
``prepared_counts`` compares, packs and prefix-counts them.

Everything here reads the stream generator through the encoder front
(``stream_states``): every generator ([design: stream generators][stream-generators])
is a comparator generator whose weight-side states depend only on ``i`` and
the weight seed, so a layer prepared with ``generator=g`` sorts ``g``'s weight
side and gathers ``g``'s input side, and its forward pass is the packed path
of ``encode_packed(W, length, weight_seed, generator=g, role="weight")`` with
the inputs on ``g``'s input side.  The backends' ``prepared_counts`` do not
see the generator.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    DEFAULT_GENERATOR,
    InputTypeError,
    PreparedArgs,
    check_generator,
    validate_prepare,
    validate_prepared_forward,
)

from ._backends.base import counts_to_rates
from ._backends.on_numpy import encode
from ._encoder import DEFAULT_SEED, encoder_operands, quantize, stream_states

if TYPE_CHECKING:
    from ._backends.base import Backend

__all__ = ["PreparedLayer", "prepare_layer", "run_prepared"]

# States sorted or compared per block of inputs or output rows (a cache-sized block).
_BLOCK_STATES = 1 << 22


class PreparedLayer:
    """A weight matrix prepared for bit-exact SC forward passes without packed weights.

    Build it with [`prepare_layer`][sc_neurocore.accel.prepared.prepare_layer];
    run it with its [`forward`][sc_neurocore.accel.prepared.PreparedLayer.forward]
    or with [`sc_forward`][sc_neurocore.accel.backend.sc_forward] in place of
    ``weights_packed``.  The result is bit-identical to ``sc_forward`` on
    ``encode_packed(weights, length, weight_seed, generator=generator,
    role="weight")`` with ``generator=generator``, in ``O(n_out · n_in +
    n_in · length)`` memory instead of ``O(n_out · n_in · length / 8)``.

    The constructor takes the arrays ``prepare_layer`` computes (it checks
    their dtypes, shapes and ranges, not that they come from an encoder).

    Parameters
    ----------
    k : ndarray
        ``uint32`` ``(n_out, n_in)``: set bits of each weight stream, each in
        ``[0, length]``.
    order : ndarray
        ``uint16`` (``length <= 65536``) or ``uint32`` ``(n_in, length)``:
        each input's stream positions sorted by their weight-side state.
    length : int
        Stream length in bits.
    weight_seed : int
        The seed the weight streams are encoded with.
    generator : str, default "lfsr"
        The stream generator ([design: stream generators][stream-generators])
        whose weight side encodes the weights; the forward pass encodes the
        inputs on its input side.

    Raises
    ------
    InputTypeError
        If ``k`` or ``order`` is not a ``numpy.ndarray`` of the dtype above,
        or ``generator`` is not a str.
    ValueError
        If a shape disagrees with ``length`` or with the other array, a
        value is out of range, or ``generator`` names no stream generator.
    """

    __slots__ = ("_k", "_order", "_length", "_weight_seed", "_generator", "_states")

    def __init__(self, k: np.ndarray, order: np.ndarray, length: int, weight_seed: int,
                 generator: str = DEFAULT_GENERATOR) -> None:
        want_order = order_dtype(length)
        for name, arr, dtype in (("k", k, np.dtype(np.uint32)), ("order", order, want_order)):
            if not isinstance(arr, np.ndarray) or arr.dtype != dtype:
                raise InputTypeError(f"{name} must be a numpy.ndarray of dtype {dtype}, got "
                                     f"{getattr(arr, 'dtype', type(arr).__name__)}")
            if arr.ndim != 2:
                raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
        if order.shape[1] != length or order.shape[0] != k.shape[1]:
            raise ValueError(f"order must have shape (n_in, length) = ({k.shape[1]}, {length}), "
                             f"got {order.shape}")
        if k.size and int(k.max()) > length:
            raise ValueError(f"k must be in [0, length = {length}], got {int(k.max())}")
        if order.size and int(order.max()) >= length:
            raise ValueError(f"order must hold positions below length = {length}")
        self._k = _read_only(k)
        self._order = _read_only(order)
        self._length = int(length)
        self._weight_seed = int(weight_seed)
        self._generator = check_generator(generator)
        self._states: tuple[int, np.ndarray] | None = None

    @property
    def k(self) -> np.ndarray:
        """``uint32`` ``(n_out, n_in)``, read-only: the set bits of each weight stream."""
        return self._k

    @property
    def order(self) -> np.ndarray:
        """``uint16`` or ``uint32`` ``(n_in, length)``, read-only: positions by weight-side state."""
        return self._order

    @property
    def length(self) -> int:
        """Stream length in bits."""
        return self._length

    @property
    def weight_seed(self) -> int:
        """The seed the weight streams are encoded with."""
        return self._weight_seed

    @property
    def generator(self) -> str:
        """The stream generator the layer was prepared with (its weight side; inputs on its
        input side)."""
        return self._generator

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_out, n_in)``."""
        n_out, n_in = self._k.shape
        return int(n_out), int(n_in)

    @property
    def nbytes(self) -> int:
        """Bytes of ``k`` and ``order`` (the cached input states not counted)."""
        return int(self._k.nbytes + self._order.nbytes)

    def input_states(self, seed: int) -> np.ndarray:
        """The input-side states in this layer's order, for inputs encoded with ``seed``.

        ``states[i, j]`` is the state that bit ``order[i, j]`` of input ``i``'s
        stream (on the input side of the layer's generator) compares with the
        input's threshold.  Computed once per seed:
        the layer keeps the latest one.

        Parameters
        ----------
        seed : int
            The inputs' encoder seed, already checked (in ``[0, 2**32)``).

        Returns
        -------
        ndarray
            ``uint16`` ``(n_in, length)``, read-only.
        """
        cached = self._states
        if cached is not None and cached[0] == seed:
            return cached[1]
        states = _read_only(stream_states(self.shape[1], self._length, seed, self._order,
                                          generator=self._generator))
        self._states = (seed, states)
        return states

    def forward(self, input_probs: ArrayLike, *, seed: int = DEFAULT_SEED,
                backend: str | Backend = "auto") -> np.ndarray:
        """Run the SC forward pass of this layer ([design: prepared layers][prepared-layers]).

        The same as ``sc_forward(self, input_probs, length=self.length,
        seed=seed, backend=backend)``.

        Parameters
        ----------
        input_probs : array_like
            ``(n_in,)`` or ``(batch, n_in)`` probabilities, finite, in ``[0, 1]``.
        seed : int, default 44257
            Encoder seed of the inputs, in ``[0, 2**32)``.
        backend : str or Backend, default "auto"
            A backend name, ``"auto"`` (the fastest working backend that has
            the prepared path) or a [`Backend`][sc_neurocore.accel.backend.Backend]
            instance.

        Returns
        -------
        numpy.ndarray
            ``float64`` ``(n_out,)`` or ``(batch, n_out)``, bit-identical to
            ``sc_forward`` on ``encode_packed(weights, length, weight_seed,
            generator=self.generator, role="weight")`` with the same generator.

        Raises
        ------
        ValueError
            On invalid inputs ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
            when a type is wrong) or an unknown backend name.
        RuntimeError
            If the named backend is not available here.
        NotImplementedError
            If the named backend has no prepared path.
        """
        from ._registry import sc_forward  # the registry imports this module

        return sc_forward(self, input_probs, length=self._length, seed=seed, backend=backend)

    def __reduce__(self) -> tuple[type[PreparedLayer],
                                  tuple[np.ndarray, np.ndarray, int, int, str]]:
        return PreparedLayer, (self._k, self._order, self._length, self._weight_seed,
                               self._generator)

    def __repr__(self) -> str:
        n_out, n_in = self.shape
        return (f"<PreparedLayer n_out={n_out} n_in={n_in} length={self._length} "
                f"weight_seed={self._weight_seed} generator={self._generator!r}>")


def _read_only(arr: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(arr)
    if out is arr and arr.flags.writeable:
        out = arr.view()
    out.setflags(write=False)
    return out


def order_dtype(length: int) -> np.dtype:
    """The dtype of a layer's ``order``: ``uint16`` when ``length <= 65536``, else ``uint32``."""
    return np.dtype(np.uint16 if length <= 65536 else np.uint32)


def _sorted_weight_states(n_in: int, length: int, weight_seed: int, generator: str
                          ) -> tuple[np.ndarray, np.ndarray]:
    """``(order, sorted_states)``: each input's positions by weight-side state, and those states.

    The sort is stable, so equal states (``length > 65535``) keep their
    positions' order; any order would do.
    """
    order = np.empty((n_in, length), dtype=order_dtype(length))
    ordered = np.empty((n_in, length), dtype=np.uint16)
    step = max(1, _BLOCK_STATES // length)
    for i0 in range(0, n_in, step):
        i1 = min(n_in, i0 + step)
        states = stream_states(i1 - i0, length, weight_seed, first=i0, generator=generator,
                               role="weight")
        block = np.argsort(states, axis=1, kind="stable")
        order[i0:i1] = block
        ordered[i0:i1] = np.take_along_axis(states, block, axis=1)
    return order, ordered


def _counts_below(ordered: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``k[o, i] = #{t : state_i,t < thresholds[o, i]}`` from each input's sorted states."""
    by_input = np.ascontiguousarray(thresholds.T)  # each input's thresholds contiguous
    k = np.empty(by_input.shape, dtype=np.uint32)
    for i in range(ordered.shape[0]):
        k[i] = np.searchsorted(ordered[i], by_input[i], side="left")
    return np.ascontiguousarray(k.T)


def _check_encoder_made(weights: np.ndarray, k: np.ndarray, ordered: np.ndarray,
                        length: int, weight_seed: int, generator: str) -> None:
    """Raise ``ValueError`` unless ``weights`` is exactly the encoder's output (the weight
    side of ``generator``).

    Stream ``(o, i)`` with ``k`` set bits can only be the encoder's stream of
    threshold ``ordered[i, k - 1] + 1`` (0 when ``k == 0``): encode those
    thresholds, a block of rows at a time, and compare word for word.
    """
    n_out, n_in, _ = weights.shape
    base = encoder_operands(np.zeros((0, n_in)), length, weight_seed, generator=generator,
                            role="weight")
    inputs = np.arange(n_in)[None, :]
    step = max(1, _BLOCK_STATES // max(1, n_in * length))
    for o0 in range(0, n_out, step):
        o1 = min(n_out, o0 + step)
        kk = k[o0:o1].astype(np.int64)
        last = ordered[inputs, np.maximum(kk - 1, 0)].astype(np.int64) + 1
        thresholds = np.ascontiguousarray(np.where(kk == 0, 0, last))
        expected = encode(dataclasses.replace(base, thresholds=thresholds))
        differs = (expected != weights[o0:o1]).any(axis=2)
        if differs.any():
            o, i = (int(v) for v in np.argwhere(differs)[0])
            raise ValueError(
                "packed weights must be the encoder's output encode_packed(W, length, "
                f"weight_seed, generator={generator!r}, role='weight') for weight_seed = "
                f"{weight_seed} and length = {length}; the first mismatching stream is "
                f"(o, i) = ({o0 + o}, {i})")


def prepare_layer(weights: ArrayLike, length: int, *, weight_seed: int,
                  generator: str = DEFAULT_GENERATOR) -> PreparedLayer:
    """Prepare a weight matrix for bit-exact forward passes without packed weights.

    The layer's forward pass ([design: prepared layers][prepared-layers]) is
    bit-identical to ``sc_forward(encode_packed(W, length, weight_seed,
    generator=generator, role="weight"), input_probs, length=length, seed=seed,
    generator=generator)`` for every input and seed (with the default
    generator: ``sc_forward(encode_packed(W, length, weight_seed), ...)``), and
    needs ``4 · n_out · n_in + 2 · n_in · length`` bytes (``4 · n_in ·
    length`` above 65536 bits) instead of ``n_out · n_in · length / 8``.

    Parameters
    ----------
    weights : array_like
        Weight probabilities ``(n_out, n_in)`` in ``[0, 1]`` (no packed bits
        are made), or packed weights ``uint64`` ``(n_out, n_in,
        ceil(length / 64))`` that ``encode_packed(W, length, weight_seed,
        generator=generator, role="weight")`` made (checked once, word for
        word).
    length : int
        Stream length in bits, in ``[1, 2**32)``.
    weight_seed : int
        The weight streams' encoder seed, in ``[0, 2**32)``; weight ``(o, i)``
        uses register ``weight_seed + i`` (e.g. ``weight_seed(seed)``, see
        [`weight_seed`][sc_neurocore.accel.lfsr.weight_seed]).
    generator : str, default "lfsr"
        The stream generator ([design: stream generators][stream-generators]):
        its weight side orders the layer, and the layer's forward pass
        encodes the inputs on its input side.

    Returns
    -------
    PreparedLayer
        Its ``k`` and ``order``, ready for ``sc_forward``.

    Raises
    ------
    ValueError
        On probabilities that are non-finite or outside ``[0, 1]``, a wrong
        rank, packed words other than ``ceil(length / 64)``, a bad ``length``
        or ``weight_seed``, an unknown ``generator``, or packed weights that
        are not the encoder's output (naming the first mismatching ``(o, i)``);
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong.
    """
    args = validate_prepare(weights, length, weight_seed, generator)
    n_in = args.weights.shape[1]
    order, ordered = _sorted_weight_states(n_in, args.length, args.weight_seed, args.generator)
    if args.packed:
        counts = np.bitwise_count(args.weights).sum(axis=2, dtype=np.uint64)
        k = counts.astype(np.uint32)
        _check_encoder_made(args.weights, k, ordered, args.length, args.weight_seed,
                            args.generator)
    else:
        k = _counts_below(ordered, quantize(args.weights))
    return PreparedLayer(k, order, args.length, args.weight_seed, args.generator)


def run_prepared(engine: Backend, layer: PreparedLayer, input_probs: object, length: object,
                 seed: object, generator: object = None) -> np.ndarray:
    """``sc_forward`` of a prepared layer on ``engine`` (its ``prepared_counts``).

    Validates the arguments (a ``generator`` other than ``None`` must be the
    layer's), gathers the input states for the seed, quantises the inputs,
    counts on the backend and divides by ``length``.

    Returns
    -------
    ndarray
        ``float64`` ``(n_out,)`` or ``(batch, n_out)``.
    """
    n_out, n_in = layer.shape
    args: PreparedArgs = validate_prepared_forward(n_in, layer.length, input_probs, length, seed,
                                                   layer_generator=layer.generator,
                                                   generator=generator)
    batch = args.probs.shape[0]
    if batch == 0 or n_out == 0 or n_in == 0:
        return args.shape_result(np.zeros((batch, n_out), dtype=np.float64))
    thresholds = np.ascontiguousarray(quantize(args.probs))
    counts = np.asarray(engine.prepared_counts(layer.k, layer.input_states(args.seed),
                                               thresholds))
    if counts.shape != (batch, n_out) or counts.dtype.kind not in "iu":
        raise RuntimeError(f"backend {engine.name!r} ({type(engine).__name__}) returned "
                           f"{counts.dtype} of shape {counts.shape} from prepared_counts; "
                           f"expected uint64 of shape {(batch, n_out)}")
    return args.shape_result(counts_to_rates(counts, layer.length))
