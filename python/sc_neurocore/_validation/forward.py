"""The argument contract of ``sc_forward``, checked once for every backend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arrays import as_packed, as_probabilities, n_words_for
from .generators import DEFAULT_GENERATOR, check_generator
from .scalars import check_length, check_seed

__all__ = ["ForwardArgs", "validate_forward"]


@dataclass(frozen=True)
class ForwardArgs:
    """Validated, normalised arguments of ``sc_forward``.

    Attributes
    ----------
    weights : ndarray
        ``uint64`` ``(n_out, n_in, n_words)``, C-contiguous.
    probs : ndarray
        ``float64`` ``(batch, n_in)``, C-contiguous (1-D input becomes batch 1).
    length, seed : int
        Checked stream length and encoder seed.
    batched : bool
        Whether the caller passed 2-D input (result keeps the batch axis).
    generator : str
        The stream generator that encodes the inputs (their input side).
    """

    weights: np.ndarray
    probs: np.ndarray
    length: int
    seed: int
    batched: bool
    generator: str = DEFAULT_GENERATOR

    def shape_result(self, out: np.ndarray) -> np.ndarray:
        """Drop the batch axis of a ``(batch, n_out)`` result for 1-D input."""
        return out if self.batched else out[0]


def validate_forward(weights_packed: object, input_probs: object, length: object,
                     seed: object, generator: object = DEFAULT_GENERATOR) -> ForwardArgs:
    """Check every rule of [design: forward pass][forward-pass] for ``sc_forward`` arguments.

    Raises
    ------
    InputTypeError
        Wrong types (non-``uint64`` weights, non-real probabilities, non-int
        length or seed, non-str generator).
    ValueError
        Wrong ranks or shapes, wrong ``n_words``, probabilities that are
        non-finite or outside [0, 1], ``length <= 0``, seed outside [0, 2**32),
        an unknown generator.
    """
    length = check_length(length)
    seed = check_seed(seed)
    generator = check_generator(generator)
    weights = as_packed(weights_packed, "weights_packed", ndims=(3,))
    probs = as_probabilities(input_probs, "input_probs")
    n_out, n_in, n_words = weights.shape
    expected_words = n_words_for(length)
    if n_words != expected_words:
        raise ValueError(
            "weights_packed must have shape (n_out, n_in, n_words) with n_words = "
            f"ceil(length / 64) = {expected_words}, got shape {weights.shape}")
    if probs.shape[-1] != n_in:
        raise ValueError(
            f"input_probs must have n_in = {n_in} values per row to match weights_packed "
            f"{weights.shape}, got shape {probs.shape}")
    batched = probs.ndim == 2
    return ForwardArgs(weights, probs if batched else probs[None, :], length, seed, batched,
                       generator)
