"""The argument contract of prepared layers: ``prepare_layer`` and a prepared ``sc_forward``.

A prepared layer ([design: prepared layers][prepared-layers]) is built from
weight probabilities ``(n_out, n_in)`` or from encoder-made packed weights
``(n_out, n_in, n_words)``; its forward pass takes the inputs of
``sc_forward`` less the weights, and a ``length`` that must be the layer's.
The backends' ``prepared_counts`` take that pass's operands ``(k, states,
thresholds)``, checked by ``as_prepared_operands`` when called directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import (
    _first_bad,
    as_packed,
    as_probabilities,
    c_contiguous,
    check_rank,
    n_words_for,
)
from .errors import InputTypeError
from .generators import DEFAULT_GENERATOR, check_generator
from .scalars import SEED_LIMIT, check_int, check_seed

__all__ = ["PREPARED_LENGTH_LIMIT", "PREPARED_OPERAND_DTYPES", "PrepareArgs", "PreparedArgs",
           "as_prepared_operands", "check_prepared_operand_shapes", "validate_prepare",
           "validate_prepared_forward"]

PREPARED_LENGTH_LIMIT = 2**32
"""Prepared stream lengths lie below this: counts and positions are ``uint32``."""


@dataclass(frozen=True)
class PrepareArgs:
    """Validated arguments of ``prepare_layer``.

    Attributes
    ----------
    weights : ndarray
        ``float64`` probabilities ``(n_out, n_in)`` in ``[0, 1]``, or, when
        ``packed``, native ``uint64`` words ``(n_out, n_in, ceil(length / 64))``;
        C-contiguous either way.
    packed : bool
        Which of the two ``weights`` holds.
    length, weight_seed : int
        Checked stream length and the seed the weights are encoded with.
    generator : str
        Checked name of the stream generator whose weight side encodes them.
    """

    weights: np.ndarray
    packed: bool
    length: int
    weight_seed: int
    generator: str = DEFAULT_GENERATOR


@dataclass(frozen=True)
class PreparedArgs:
    """Validated arguments of a prepared layer's forward pass.

    Attributes
    ----------
    probs : ndarray
        ``float64`` ``(batch, n_in)``, C-contiguous (1-D input becomes batch 1).
    seed : int
        Checked encoder seed of the inputs.
    batched : bool
        Whether the caller passed 2-D input (the result keeps the batch axis).
    """

    probs: np.ndarray
    seed: int
    batched: bool

    def shape_result(self, out: np.ndarray) -> np.ndarray:
        """Drop the batch axis of a ``(batch, n_out)`` result for 1-D input."""
        return out if self.batched else out[0]


def _check_prepared_length(length: object) -> int:
    """A prepared stream length: an int in ``[1, 2**32)``."""
    return check_int(length, "length", minimum=1, below=PREPARED_LENGTH_LIMIT)


def validate_prepare(weights: object, length: object, weight_seed: object,
                     generator: object = DEFAULT_GENERATOR) -> PrepareArgs:
    """Check the arguments of ``prepare_layer``.

    ``weights`` is packed when it is a ``numpy.ndarray`` of dtype ``uint64``
    or of rank 3 (whose dtype must then be ``uint64``); anything else must be
    a 2-D array of probabilities.

    Raises
    ------
    InputTypeError
        Wrong types: probabilities that are not real numbers, rank-3 weights
        that are not ``uint64``, a non-int ``length`` or ``weight_seed``, a
        ``generator`` that is not a str.
    ValueError
        Wrong ranks, ``n_words`` other than ``ceil(length / 64)``,
        probabilities non-finite or outside ``[0, 1]``, ``length`` outside
        ``[1, 2**32)``, ``weight_seed`` outside ``[0, 2**32)``, an unknown
        ``generator``.
    """
    length = _check_prepared_length(length)
    weight_seed = check_int(weight_seed, "weight_seed", minimum=0, below=SEED_LIMIT)
    generator = check_generator(generator)
    packed = isinstance(weights, np.ndarray) and (
        weights.ndim == 3 or (weights.dtype.kind == "u" and weights.dtype.itemsize == 8))
    if packed:
        arr = as_packed(weights, "weights", ndims=(3,))
        expected_words = n_words_for(length)
        if arr.shape[2] != expected_words:
            raise ValueError(
                "packed weights must have shape (n_out, n_in, n_words) with n_words = "
                f"ceil(length / 64) = {expected_words}, got shape {arr.shape}")
    else:
        arr = as_probabilities(weights, "weights", ndims=(2,))
    return PrepareArgs(arr, packed, length, weight_seed, generator)


def validate_prepared_forward(n_in: int, layer_length: int, input_probs: object,
                              length: object, seed: object, *,
                              layer_generator: str = DEFAULT_GENERATOR,
                              generator: object = None) -> PreparedArgs:
    """Check the arguments of a prepared layer's forward pass.

    Parameters
    ----------
    n_in, layer_length : int
        The layer's input count and stream length.
    input_probs, length, seed : object
        As passed to ``sc_forward``.
    layer_generator : str, default "lfsr"
        The stream generator the layer was prepared with.
    generator : object, default None
        As passed to ``sc_forward``: ``None`` (the layer's), or a generator
        name that must then be the layer's.

    Raises
    ------
    InputTypeError
        Wrong types (non-real probabilities, non-int length or seed, a
        ``generator`` that is neither ``None`` nor a str).
    ValueError
        A ``length`` other than the layer's, a seed outside ``[0, 2**32)``,
        an unknown ``generator`` or one other than the layer's (the message
        names both), probabilities of the wrong rank, with a count other than
        ``n_in``, non-finite or outside ``[0, 1]``.
    """
    length = _check_prepared_length(length)
    if length != layer_length:
        raise ValueError(f"length must be the prepared layer's length {layer_length}, "
                         f"got {length}")
    seed = check_seed(seed)
    if generator is not None and check_generator(generator) != layer_generator:
        raise ValueError(f"generator {generator!r} conflicts with the prepared layer's "
                         f"generator {layer_generator!r}: the layer's weight side fixes its "
                         "input side (pass generator=None, or prepare the layer with "
                         f"generator={generator!r})")
    probs = as_probabilities(input_probs, "input_probs")
    if probs.shape[-1] != n_in:
        raise ValueError(f"input_probs must have n_in = {n_in} values per row to match the "
                         f"prepared layer, got shape {probs.shape}")
    batched = probs.ndim == 2
    return PreparedArgs(probs if batched else probs[None, :], seed, batched)


PREPARED_OPERAND_DTYPES: dict[str, np.dtype] = {
    "k": np.dtype(np.uint32), "states": np.dtype(np.uint16), "thresholds": np.dtype(np.int64)}
"""The dtypes of ``prepared_counts``' operands (``Backend.prepared_counts``)."""


def check_prepared_operand_shapes(k: tuple[int, ...], states: tuple[int, ...],
                                  thresholds: tuple[int, ...]) -> None:
    """Raise ``ValueError`` unless the shapes are ``(n_out, n_in)``, ``(n_in, length)``
    with ``length >= 1`` and ``(batch, n_in)`` (a static check: it holds for tracers too)."""
    for name, shape in (("k", k), ("states", states), ("thresholds", thresholds)):
        check_rank(tuple(shape), name, (2,))
    n_in = k[1]
    if states[0] != n_in or states[1] < 1:
        raise ValueError(f"states must have shape (n_in, length) = ({n_in}, length >= 1) to "
                         f"match k {tuple(k)}, got shape {tuple(states)}")
    if thresholds[1] != n_in:
        raise ValueError(f"thresholds must have n_in = {n_in} values per row to match k "
                         f"{tuple(k)}, got shape {tuple(thresholds)}")


def as_prepared_operands(k: object, states: object, thresholds: object
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the operands of ``prepared_counts``; return them C-contiguous, in native order.

    What ``sc_forward`` of a prepared layer passes always holds; a direct
    call of a compiled backend's ``prepared_counts`` is checked here before
    any compiled code reads the operands.

    Returns
    -------
    tuple of ndarray
        ``k`` (``uint32``), ``states`` (``uint16``), ``thresholds`` (``int64``).

    Raises
    ------
    InputTypeError
        If an operand is not a ``numpy.ndarray`` of its dtype
        (``PREPARED_OPERAND_DTYPES``; either byte order).
    ValueError
        If the shapes do not match (``check_prepared_operand_shapes``), a
        ``k`` exceeds ``length`` or a threshold lies outside ``[0, 65536]``.
    """
    arrays = []
    for name, value in (("k", k), ("states", states), ("thresholds", thresholds)):
        dtype = PREPARED_OPERAND_DTYPES[name]
        if not isinstance(value, np.ndarray) or value.dtype.newbyteorder("=") != dtype:
            got = getattr(value, "dtype", type(value).__name__)
            raise InputTypeError(f"{name} must be a numpy.ndarray of dtype {dtype}, got {got}")
        arrays.append(c_contiguous(value, dtype))
    k_arr, states_arr, thresholds_arr = arrays
    check_prepared_operand_shapes(k_arr.shape, states_arr.shape, thresholds_arr.shape)
    length = states_arr.shape[1]
    if k_arr.size and int(k_arr.max()) > length:
        at = _first_bad(k_arr > length)
        raise ValueError(f"k must be in [0, {length}] (the stream length), got "
                         f"{int(k_arr[at])} at index {at}")
    if thresholds_arr.size and (int(thresholds_arr.min()) < 0
                                or int(thresholds_arr.max()) > 65536):
        at = _first_bad((thresholds_arr < 0) | (thresholds_arr > 65536))
        raise ValueError(f"thresholds must be in [0, 65536], got {int(thresholds_arr[at])} "
                         f"at index {at}")
    return k_arr, states_arr, thresholds_arr
