"""The packed vector operations on NumPy ([design: vector operations][vector-operations]).

The public names are those of ``sc_neurocore.accel.vector_ops`` (``pack`` is
``pack_bitstream``, ``and_`` is ``vec_and``, ...).  ``pack_rows`` and
``unpack_rows`` are the packing itself ([design: packing][packing]) on
already-validated arrays: bit ``t`` of a stream goes to word ``t // 64`` at
bit position ``t % 64`` (least-significant first); bits past the stream
length in the last word are 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import (
    InputTypeError,
    as_bits,
    as_packed,
    check_int,
    n_words_for,
    same_shape,
)

__all__ = ["and_", "mac", "mux", "not_", "pack", "pack_rows", "popcount", "unpack",
           "unpack_rows", "xnor"]


def pack_rows(bits: np.ndarray) -> np.ndarray:
    """Pack the last axis of a 0/1 (bool or uint8) array into ``uint64`` words.

    Parameters
    ----------
    bits : ndarray
        Shape ``(..., N)``, values 0/1 (already validated).

    Returns
    -------
    ndarray
        ``uint64`` of shape ``(..., ceil(N / 64))``.
    """
    n_bits = bits.shape[-1]
    n_words = n_words_for(n_bits)
    as_bytes = np.packbits(bits, axis=-1, bitorder="little")
    pad = n_words * 8 - as_bytes.shape[-1]
    if pad:
        widths = [(0, 0)] * (as_bytes.ndim - 1) + [(0, pad)]
        as_bytes = np.pad(as_bytes, widths)
    as_bytes = np.ascontiguousarray(as_bytes)
    return as_bytes.view("<u8").astype(np.uint64, copy=False).reshape(bits.shape[:-1] + (n_words,))


def unpack_rows(packed: np.ndarray, n_bits: int) -> np.ndarray:
    """Inverse of ``pack_rows``: the first ``n_bits`` bits of each row as ``uint8``."""
    little = np.ascontiguousarray(packed.astype("<u8", copy=False))
    as_bytes = little.view(np.uint8).reshape(packed.shape[:-1] + (packed.shape[-1] * 8,))
    return np.unpackbits(as_bytes, axis=-1, count=n_bits, bitorder="little")


def pack(bits: ArrayLike) -> np.ndarray:
    """Pack a 0/1 stream into ``uint64`` words.

    Parameters
    ----------
    bits : array_like
        1-D ``(N,)`` or 2-D ``(B, N)`` of 0/1 integers or booleans.

    Returns
    -------
    numpy.ndarray
        ``uint64`` of shape ``(ceil(N/64),)`` or ``(B, ceil(N/64))``; bits past
        ``N`` in the last word are 0.

    Raises
    ------
    ValueError
        If its rank is not 1 or 2 or a value is not 0 or 1;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if ``bits``
        does not hold integers or booleans.
    """
    return pack_rows(as_bits(bits))


def unpack(packed: np.ndarray, original_length: int,
           original_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Unpack ``uint64`` words back to a 0/1 stream.

    The inverse of [`pack_bitstream`][sc_neurocore.accel.vector_ops.pack_bitstream].

    Parameters
    ----------
    packed : numpy.ndarray
        ``uint64``, 1-D ``(n_words,)`` or 2-D ``(B, n_words)``.
    original_length : int
        Total number of bits.  For 2-D input without ``original_shape`` each
        row yields ``original_length // B`` bits.
    original_shape : tuple of int, optional
        Shape of the result; its size must equal ``original_length``.

    Returns
    -------
    numpy.ndarray
        ``uint8`` 0/1 array of shape ``(original_length,)``, ``(B,
        original_length // B)`` or ``original_shape``.

    Raises
    ------
    ValueError
        If the lengths do not fit the packed words or the shape;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if ``packed`` is
        not a ``uint64`` array or ``original_shape`` not a tuple of ints.
    """
    packed = as_packed(packed, "packed", ndims=(1, 2))
    total = check_int(original_length, "original_length", minimum=0)
    rows = 1 if packed.ndim == 1 else packed.shape[0]
    if original_shape is not None:
        if not isinstance(original_shape, (tuple, list)):
            raise InputTypeError("original_shape must be a tuple of ints, "
                                 f"got {type(original_shape).__name__}")
        shape = tuple(check_int(d, "original_shape", minimum=0) for d in original_shape)
        if int(np.prod(shape, dtype=np.int64)) != total:
            raise ValueError(f"original_shape {shape} must hold original_length = {total} bits")
    if packed.ndim == 2 and rows and total % rows:
        raise ValueError(f"original_length = {total} must be a multiple of the "
                         f"{rows} rows of packed")
    per_row = total if packed.ndim == 1 else (total // rows if rows else 0)
    if n_words_for(per_row) > packed.shape[-1]:
        raise ValueError(f"original_length needs {n_words_for(per_row)} words per row, "
                         f"packed has {packed.shape[-1]}")
    bits = unpack_rows(packed, per_row)
    return bits.reshape(original_shape) if original_shape is not None else bits


def _bitwise(op: Callable[..., np.ndarray], **operands: object) -> np.ndarray:
    """``op`` on checked packed ``uint64`` operands, which must all have the first one's shape."""
    arrays = {name: as_packed(value, name) for name, value in operands.items()}
    (first, ref), *others = arrays.items()
    for name, arr in others:
        same_shape(first, ref, name, arr)
    out: np.ndarray = op(*arrays.values())
    return out


def and_(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise-AND two packed arrays, realising stochastic (unipolar) multiplication.

    For independent streams of probabilities ``p`` and ``q`` the result is a
    stream of probability ``p * q``.

    Parameters
    ----------
    a : numpy.ndarray
        ``uint64`` packed streams, any shape.
    b : numpy.ndarray
        ``uint64`` packed streams, the shape of ``a``.

    Returns
    -------
    numpy.ndarray
        ``a & b``, ``uint64``, the shape of ``a``.

    Raises
    ------
    ValueError
        If the shapes differ ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if an operand is not a ``uint64`` ``numpy.ndarray``).
    """
    return _bitwise(np.bitwise_and, a=a, b=b)


def xnor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise XNOR of packed arrays: SC bipolar multiplication.

    With bipolar values ``v = 2p - 1``, the result encodes ``v_a * v_b``:
    ``P(a XNOR b) = P(a) P(b) + (1 - P(a)) (1 - P(b))``.  All 64 bits of each
    word are set, including the tail past a stream's length.

    Parameters
    ----------
    a : numpy.ndarray
        ``uint64`` bipolar streams (value ``2p - 1``), any shape.
    b : numpy.ndarray
        ``uint64`` bipolar streams, the shape of ``a``.

    Returns
    -------
    numpy.ndarray
        ``~(a ^ b)``, ``uint64``, the shape of ``a``.

    Raises
    ------
    ValueError
        As [`vec_and`][sc_neurocore.accel.vector_ops.vec_and].
    """
    return _bitwise(lambda x, y: np.invert(np.bitwise_xor(x, y)), a=a, b=b)


def not_(a: np.ndarray) -> np.ndarray:
    """Bitwise NOT of packed arrays: SC complement, ``P(NOT a) = 1 - P(a)``.

    All 64 bits of each word flip, including the tail past a stream's length.

    Parameters
    ----------
    a : numpy.ndarray
        ``uint64`` packed streams, any shape.

    Returns
    -------
    numpy.ndarray
        ``~a``, ``uint64``, the shape of ``a``.

    Raises
    ------
    InputTypeError
        If ``a`` is not a ``uint64`` ``numpy.ndarray`` (a ``ValueError``).
    """
    return _bitwise(np.invert, a=a)


def mux(sel: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise MUX of packed arrays: SC scaled addition.

    ``(sel & a) | (~sel & b)`` encodes ``P(sel) P(a) + (1 - P(sel)) P(b)``;
    with a select stream of probability 0.5 that is the average ``(a + b) / 2``.

    Parameters
    ----------
    sel : numpy.ndarray
        ``uint64`` select streams, any shape.
    a : numpy.ndarray
        ``uint64`` streams taken where ``sel`` is 1, the shape of ``sel``.
    b : numpy.ndarray
        ``uint64`` streams taken where ``sel`` is 0, the shape of ``sel``.

    Returns
    -------
    numpy.ndarray
        ``uint64``, the shape of ``sel``.

    Raises
    ------
    ValueError
        If the shapes differ ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if an operand is not a ``uint64`` ``numpy.ndarray``).
    """
    return _bitwise(lambda s, x, y: np.bitwise_or(np.bitwise_and(s, x),
                                               np.bitwise_and(np.invert(s), y)),
                    sel=sel, a=a, b=b)


def popcount(a: np.ndarray) -> int:
    """Count the total set bits in a packed array, for integration/accumulation.

    Parameters
    ----------
    a : numpy.ndarray
        ``uint64`` packed streams, any shape (the tail bits past a stream's
        length count too: they are 0 in packed streams).

    Returns
    -------
    int
        The number of 1 bits in all of ``a`` (a Python int, exact).

    Raises
    ------
    InputTypeError
        If ``a`` is not a ``uint64`` ``numpy.ndarray`` (a ``ValueError``).
    """
    return int(np.bitwise_count(as_packed(a, "a")).sum(dtype=np.uint64))


# Rows of weights processed per step: keeps the AND/popcount temporaries in L2.
_CHUNK_BYTES = 1 << 22


def mac(weights: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """``counts[b, o] = sum_i,w popcount(weights[o, i, w] & inputs[b, i, w])`` (validated operands).

    Works through ``weights`` a block of rows at a time so the temporaries stay
    in cache, and reuses each block for the whole batch before moving on.
    Per-row totals are accumulated in ``uint32`` when they cannot overflow it
    (faster reduction), else in ``uint64``.

    Parameters
    ----------
    weights : ndarray
        ``uint64`` ``(n_out, n_in, n_words)``.
    inputs : ndarray
        ``uint64`` ``(batch, n_in, n_words)``.

    Returns
    -------
    ndarray
        ``uint64`` counts ``(batch, n_out)``.
    """
    n_out, n_in, n_words = weights.shape
    batch = inputs.shape[0]
    counts = np.zeros((batch, n_out), dtype=np.uint64)
    per_row = n_in * n_words
    acc = np.uint32 if per_row * 64 < 2**32 else np.uint64
    step = max(1, _CHUNK_BYTES // max(1, per_row * 8))
    and_buf = np.empty((min(step, n_out), n_in, n_words), dtype=np.uint64)
    count_buf = np.empty((min(step, n_out), per_row), dtype=np.uint8)
    for start in range(0, n_out, step):
        block = weights[start:start + step]
        rows = block.shape[0]
        for b in range(batch):
            anded = np.bitwise_and(block, inputs[b], out=and_buf[:rows])
            bits = np.bitwise_count(anded.reshape(rows, per_row), out=count_buf[:rows])
            counts[b, start:start + rows] = bits.sum(axis=1, dtype=acc)
    return counts
