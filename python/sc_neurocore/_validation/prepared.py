"""The argument contract of prepared layers: ``prepare_layer`` and a prepared ``sc_forward``.

A prepared layer ([design: prepared layers][prepared-layers]) is built from
weight probabilities ``(n_out, n_in)`` or from encoder-made packed weights
``(n_out, n_in, n_words)``; its forward pass takes the inputs of
``sc_forward`` less the weights, and a ``length`` that must be the layer's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import as_packed, as_probabilities, n_words_for
from .generators import DEFAULT_GENERATOR, check_generator
from .scalars import SEED_LIMIT, check_int, check_seed

__all__ = ["PREPARED_LENGTH_LIMIT", "PrepareArgs", "PreparedArgs", "validate_prepare",
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
