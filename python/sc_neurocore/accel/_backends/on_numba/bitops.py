"""The Numba backend's packed operations: ``pack`` and ``mac`` ([design: vector operations][vector-operations]).

``pack`` and ``mac`` are public as ``jit_pack_bits`` and ``jit_vec_mac``
(``sc_neurocore.accel.jit_kernels``).  Each validates its arguments once, in
Python, with the shared checks of ``sc_neurocore._validation``, before any
compiled code runs.  Without Numba they run NumPy implementations with
identical results, after a one-time warning (``runtime``).
"""

from __future__ import annotations

import numpy as np

from sc_neurocore._validation import InputTypeError, as_bits, as_packed, check_output

from .. import on_numpy as numpy_backend
from . import runtime, scheduling

if runtime.HAS_NUMBA:
    from . import kernels

__all__ = ["mac", "pack"]


def pack(bitstream: np.ndarray, packed_arr: np.ndarray) -> None:
    """Pack a 0/1 stream into ``uint64`` words, writing into ``packed_arr``.

    Bit ``t`` goes to word ``t // 64`` at bit position ``t % 64``
    (least-significant first), the layout of [design: packing][packing].

    Parameters
    ----------
    bitstream : ndarray
        1-D ``(N,)`` stream of 0/1 values (``uint8``; other integer dtypes and
        ``bool`` are accepted and converted), ``N`` a multiple of 64.
    packed_arr : ndarray
        Output: writeable, C-contiguous ``uint64`` array of shape ``(N // 64,)``.

    Raises
    ------
    ValueError
        If ``bitstream`` is not 1-D, its length is not a multiple of 64, a value
        is not 0 or 1, or ``packed_arr`` has the wrong shape or is not a
        writeable C-contiguous array;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if
        ``bitstream`` does not hold integers or booleans, or ``packed_arr`` is
        not a ``uint64`` ndarray.
    """
    runtime.warn_fallback_once()
    bits = as_bits(bitstream, "bitstream")
    if bits.ndim != 1:
        raise ValueError(f"bitstream must be 1-D (N,), got shape {bits.shape}")
    n_bits = bits.shape[0]
    if n_bits % 64:
        raise ValueError(f"bitstream length must be a multiple of 64, got {n_bits}")
    out = check_output(packed_arr, "packed_arr", (n_bits // 64,), (np.uint64,))
    if runtime.HAS_NUMBA:
        # Kernels write a scratch array (see scheduling.run_chunks), never the caller's.
        n_words = out.shape[0]
        words = np.empty(n_words, dtype=np.uint64)
        scheduling.run_chunks(kernels.pack_kernel, n_words, scheduling.chunk_size(n_words, 8),
                              n_words * 8, bits, words)
        out[...] = words
    else:
        out[...] = numpy_backend.pack_rows(bits)


def _exact_count_limit(dtype: np.dtype) -> int | None:
    """The largest count ``dtype`` holds exactly (and every smaller one), or None."""
    if dtype.kind in "iu":
        return int(np.iinfo(dtype).max)
    if dtype.kind == "f":
        return 1 << (int(np.finfo(dtype).nmant) + 1)
    return None


def mac(packed_weights: np.ndarray, packed_inputs: np.ndarray,
        outputs: np.ndarray) -> None:
    """Fused AND + popcount + sum, writing into ``outputs``.

    ``outputs[i] = sum over j, k of popcount(packed_weights[i, j, k] & packed_inputs[j, k])``.

    Parameters
    ----------
    packed_weights : numpy.ndarray
        ``uint64`` ``(n_out, n_in, n_words)``.
    packed_inputs : numpy.ndarray
        ``uint64`` ``(n_in, n_words)``.
    outputs : numpy.ndarray
        Output: writeable, C-contiguous array of shape ``(n_out,)`` of any
        integer or floating dtype that holds every possible count
        (up to ``n_in * n_words * 64``) exactly: ``int64``/``uint64`` always,
        ``float64`` up to ``2**53``, ``float32`` up to ``2**24``, ``int32``
        up to ``2**31 - 1``.

    Raises
    ------
    ValueError
        If the ranks or shapes do not match, ``outputs`` is not a writeable
        C-contiguous array, or its dtype cannot hold the counts exactly;
        [`InputTypeError`][sc_neurocore.accel.InputTypeError] if an argument
        is not an ndarray or has a dtype of the wrong kind.
    """
    runtime.warn_fallback_once()
    weights = as_packed(packed_weights, "packed_weights", ndims=(3,))
    inputs = as_packed(packed_inputs, "packed_inputs", ndims=(2,))
    n_out, n_in, n_words = weights.shape
    if inputs.shape != (n_in, n_words):
        raise ValueError(f"packed_inputs must have shape (n_in, n_words) = {(n_in, n_words)} "
                         f"to match packed_weights {weights.shape}, got {inputs.shape}")
    kinds = "an integer or floating dtype"
    out = check_output(outputs, "outputs", (n_out,), None, kinds)
    limit = _exact_count_limit(out.dtype)
    if limit is None:
        raise InputTypeError(f"outputs must have {kinds}, got {out.dtype}")
    most = n_in * n_words * 64
    if most > limit:
        raise ValueError(f"outputs of dtype {out.dtype} cannot hold every count of these "
                         f"operands exactly (up to {most}; it is exact only up to {limit}): "
                         "use int64, uint64 or float64")
    if runtime.HAS_NUMBA:
        row = n_in * n_words
        # Kernels write a scratch array (see scheduling.run_chunks), never the caller's.
        counts = np.empty(n_out, dtype=np.int64)
        scheduling.run_chunks(kernels.mac_rows_kernel, n_out, scheduling.chunk_size(n_out, row),
                              n_out * row, weights.reshape(n_out, row), inputs.reshape(row),
                              counts)
    else:
        counts = numpy_backend.mac(weights, inputs[None])[0]
    out[...] = counts
