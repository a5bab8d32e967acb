"""Packed-bitstream vector operations for stochastic-computing kernels, on NumPy ([design: vector operations][vector-operations]).

Streams are packed 64 bits per ``uint64`` word, least-significant bit first
(bit ``t`` is bit ``t % 64`` of word ``t // 64``).  Unipolar multiply is
[`vec_and`][sc_neurocore.accel.vector_ops.vec_and], bipolar multiply
[`vec_xnor`][sc_neurocore.accel.vector_ops.vec_xnor], scaled addition
[`vec_mux`][sc_neurocore.accel.vector_ops.vec_mux], and a dot product is AND
followed by [`vec_popcount`][sc_neurocore.accel.vector_ops.vec_popcount].
A ``uint64`` operand in either byte order is accepted.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._packing import pack_rows, unpack_rows
from ._validation import InputTypeError, as_bits, as_packed, check_int, n_words_for, same_shape

__all__ = ["pack_bitstream", "unpack_bitstream", "vec_and", "vec_xnor", "vec_not",
           "vec_mux", "vec_popcount"]


def pack_bitstream(bits: ArrayLike) -> np.ndarray:
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


def unpack_bitstream(packed: np.ndarray, original_length: int,
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


def vec_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
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
    a, b = as_packed(a, "a"), as_packed(b, "b")
    same_shape("a", a, "b", b)
    out: np.ndarray = np.bitwise_and(a, b)
    return out


def vec_xnor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise XNOR of packed arrays: SC bipolar multiplication.

    With bipolar values ``v = 2p - 1``, the result encodes ``v_a * v_b``:
    ``P(a XNOR b) = P(a) P(b) + (1 - P(a)) (1 - P(b))``.  All 64 bits of each
    word are set, including the tail past a stream's length.

    Parameters
    ----------
    a : numpy.ndarray
        ``uint64`` packed streams, any shape.
    b : numpy.ndarray
        ``uint64`` packed streams, the shape of ``a``.

    Returns
    -------
    numpy.ndarray
        ``~(a ^ b)``, ``uint64``, the shape of ``a``.

    Raises
    ------
    ValueError
        If the shapes differ ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if an operand is not a ``uint64`` ``numpy.ndarray``).
    """
    a, b = as_packed(a, "a"), as_packed(b, "b")
    same_shape("a", a, "b", b)
    out: np.ndarray = np.invert(np.bitwise_xor(a, b))
    return out


def vec_not(a: np.ndarray) -> np.ndarray:
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
    out: np.ndarray = np.invert(as_packed(a, "a"))
    return out


def vec_mux(sel: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
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
    sel, a, b = as_packed(sel, "sel"), as_packed(a, "a"), as_packed(b, "b")
    same_shape("sel", sel, "a", a)
    same_shape("sel", sel, "b", b)
    out: np.ndarray = np.bitwise_or(np.bitwise_and(sel, a), np.bitwise_and(np.invert(sel), b))
    return out


def vec_popcount(a: np.ndarray) -> int:
    """Count the total set bits in a packed array, for integration/accumulation.

    Parameters
    ----------
    a : numpy.ndarray
        ``uint64`` packed streams, any shape.

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
