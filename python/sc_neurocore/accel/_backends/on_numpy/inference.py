"""The NumPy reference of stochastic-computing inference ([design: forward pass][forward-pass]).

``sc_forward_numpy`` is the bit-true floor every other backend is checked
against: it encodes the inputs with the stream generator's comparator
(``encode``), ANDs them with the caller's packed weight streams and counts the
surviving bits (``bitops.mac``).  The encoder operands
(``sc_neurocore.accel._encoder``) make each input's stream one window of a
repeated sequence, so encoding is a gather (an XOR where the generator masks)
and a compare, with no Python loop over the stream length.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    DEFAULT_GENERATOR,
    ForwardArgs,
    as_probabilities,
    check_generator,
    check_length,
    check_role,
    check_seed,
    n_words_for,
    validate_forward,
)

from ..._encoder import DEFAULT_SEED, EncoderOperands, encoder_operands
from ..base import KernelBackend, counts_to_rates
from .bitops import mac
from .prepared import prepared_counts

__all__ = ["NumpyBackend", "encode", "encode_packed", "forward", "sc_forward_numpy"]

# LFSR states compared per step of `encode` (uint16): a cache-sized block.
_ENCODE_BLOCK_STATES = 1 << 20


def encode(operands: EncoderOperands) -> np.ndarray:
    """Packed streams of the operands (the layout of [design: packing][packing]).

    Input ``i`` of row ``b`` reads the window ``cycle[start[i] : start[i] +
    length]`` (a strided view, gathered once per block of inputs), XORs it
    with ``mask[i]`` and compares it with its threshold.  The streams are built a block of inputs
    at a time: each block's windows are gathered once, compared with every
    row's thresholds and packed straight into the output bytes, so only
    block-sized temporaries (about ``_ENCODE_BLOCK_STATES`` states) exist, and
    the all-ones fix-up runs only where a threshold needs it.

    Parameters
    ----------
    operands : EncoderOperands
        Thresholds ``(..., n)``; the last axis is the input index ``i``.

    Returns
    -------
    ndarray
        ``uint64`` of shape ``thresholds.shape + (ceil(length / 64),)``.
    """
    length = operands.length
    shape = operands.thresholds.shape
    n = shape[-1]
    n_words = n_words_for(length)
    rows = int(np.prod(shape[:-1], dtype=np.int64))
    x = operands.thresholds.reshape(rows, n)
    n_bytes = -(-length // 8)
    step = max(1, min(n, _ENCODE_BLOCK_STATES // max(1, length * rows)))
    # One block whose bytes fill whole words is packed straight into the result.
    direct = rows > 0 and n > 0 and step >= n and n_bytes == n_words * 8
    out = None if direct else np.zeros((rows, n, n_words * 8), dtype=np.uint8)
    if rows and n:
        windows = np.lib.stride_tricks.sliding_window_view(operands.cycle, length)
        # Compare in uint16: values never exceed 65535, so x == 65536 means "always 1".
        thresholds = np.minimum(x, 65535).astype(np.uint16)[..., None]
        always = x == 65536
        masked = operands.masked
        for i0 in range(0, n, step):
            i1 = min(n, i0 + step)
            states = windows[operands.start[i0:i1]]        # (i1 - i0, length) uint16
            if masked:
                states ^= operands.mask[i0:i1, None]
            bits = states < thresholds[:, i0:i1]           # (rows, i1 - i0, length)
            if always[:, i0:i1].any():
                bits[always[:, i0:i1]] = True
            packed = np.packbits(bits, axis=-1, bitorder="little")
            if out is None:
                out = packed
            else:
                out[:, i0:i1, :n_bytes] = packed  # bytes past the stream stay 0
    assert out is not None  # packed by the single block when `direct`
    words = out.view("<u8").astype(np.uint64, copy=False)
    return words.reshape(shape + (n_words,))


def encode_packed(probs: ArrayLike, length: int, seed: int = DEFAULT_SEED, *,
                  generator: str = DEFAULT_GENERATOR, role: str = "input") -> np.ndarray:
    """Encode probabilities as packed bitstreams ([design: encoder][encoder]).

    Use it to build ``weights_packed`` from a probability matrix with the same
    encoder the inputs use.  With the default LFSR generator input ``i`` is
    seeded with ``seed + i``, so encode weights with a seed far from the
    input seed — e.g. ``encode_packed(W, length, seed=weight_seed(input_seed))``,
    see [`weight_seed`][sc_neurocore.accel.lfsr.weight_seed] — otherwise
    weight row ``o`` and the inputs start at the same register states, their
    streams are correlated and ``AND`` no longer estimates the product.

    Another stream generator ([design: stream generators][stream-generators])
    encodes the two sides of a product differently: encode weights with
    ``role="weight"`` and the same ``generator`` that ``sc_forward`` encodes
    the inputs with, e.g. ``encode_packed(W, length, weight_seed(seed),
    generator="sobol", role="weight")`` for
    ``sc_forward(..., seed=seed, generator="sobol")``.

    Parameters
    ----------
    probs : array_like
        Probabilities in ``[0, 1]``, shape ``(n,)``, ``(rows, n)`` or any
        ``(..., n)``; the last axis is the input index that offsets the seed.
    length : int
        Stream length in bits (positive).
    seed : int, default 44257
        Base register seed in ``[0, 2**32)`` (44257 is ``0xACE1``).
    generator : str, default "lfsr"
        The stream generator: ``"lfsr"`` (the reference), ``"sobol"`` or
        ``"lfsr_pair"``.
    role : str, default "input"
        The side of the AND product the streams are for, ``"input"`` or
        ``"weight"`` (the same streams either way for ``"lfsr"``).

    Returns
    -------
    numpy.ndarray
        ``uint64`` of shape ``probs.shape + (ceil(length / 64),)``.

    Raises
    ------
    ValueError
        On out-of-range or non-finite probabilities, bad ``length`` or ``seed``,
        an unknown ``generator`` or ``role``
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] for non-real
        probabilities, a non-int ``length`` or ``seed`` or a non-str
        ``generator`` or ``role``).
    """
    length = check_length(length)
    seed = check_seed(seed)
    generator = check_generator(generator)
    role = check_role(role)
    arr = as_probabilities(probs, "probs", ndims=tuple(range(1, 33)))
    return encode(encoder_operands(arr, length, seed, generator=generator, role=role))


def forward(args: ForwardArgs) -> np.ndarray:
    """The reference kernel on validated arguments: ``float64`` ``(batch, n_out)``."""
    inputs = encode(encoder_operands(args.probs, args.length, args.seed,
                                     generator=args.generator))
    return counts_to_rates(mac(args.weights, inputs), args.length)


def sc_forward_numpy(weights_packed: np.ndarray, input_probs: ArrayLike, length: int,
                     seed: int = DEFAULT_SEED, *,
                     generator: str = DEFAULT_GENERATOR) -> np.ndarray:
    """SC forward pass on NumPy: the bit-true reference.

    ``length`` and ``seed`` may be passed by position or by keyword.

    Parameters
    ----------
    weights_packed : numpy.ndarray
        ``uint64`` ``(n_out, n_in, n_words)``, ``n_words = ceil(length / 64)``.
    input_probs : array_like
        ``float64`` ``(n_in,)``, or ``(batch, n_in)``; finite values in [0, 1].
    length : int
        Stream length in bits (positive).
    seed : int, default 44257
        Encoder seed in ``[0, 2**32)``; input ``i`` uses register ``seed + i``.
    generator : str, default "lfsr"
        The stream generator that encodes the inputs (their input side; see
        [`encode_packed`][sc_neurocore.accel.lfsr.encode_packed]).

    Returns
    -------
    numpy.ndarray
        ``float64`` ``(n_out,)`` or ``(batch, n_out)``: AND-popcount totals
        divided by ``length``.

    Raises
    ------
    ValueError
        On any input that breaks [design: errors][errors]
        ([`InputTypeError`][sc_neurocore.accel.InputTypeError] when a type is wrong).
    """
    args = validate_forward(weights_packed, input_probs, length, seed, generator)
    return args.shape_result(forward(args))


class NumpyBackend(KernelBackend):
    """NumPy fallback backend (always available, the bit-true floor)."""

    name = "numpy"

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        return forward(args)

    def prepared_counts(self, k: np.ndarray, states: np.ndarray,
                        thresholds: np.ndarray) -> np.ndarray:
        return prepared_counts(k, states, thresholds)
