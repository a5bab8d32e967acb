"""The packed vector operations on the GPU ([design: vector operations][vector-operations]).

Public as ``gpu_pack_bitstream``, ``gpu_vec_and``, ``gpu_popcount`` and
``gpu_vec_mac`` (``sc_neurocore.accel.gpu_backend``).  Each takes NumPy or
CuPy arrays, checks them (device arrays by dtype and rank, host arrays by the
shared rules), and returns its result in the active namespace; without a
usable GPU it runs on NumPy (``runtime.dispatch``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from sc_neurocore._validation import InputTypeError, as_bits, as_packed, check_rank, same_shape

from .. import on_numpy as numpy_backend
from . import kernels
from . import runtime as rt
from .runtime import GpuArray

__all__ = ["and_", "device_packed", "launch_mac", "mac", "pack", "popcount"]


def _device_meta_check(a: Any, name: str, ndims: tuple[int, ...], kinds: str,
                       expected: str) -> None:
    """Dtype and rank checks for an operand that already lives on the GPU."""
    if a.dtype.kind not in kinds or (kinds == "u" and a.dtype != np.uint64):
        raise InputTypeError(f"{name} must have dtype {expected}, got {a.dtype}")
    check_rank(tuple(a.shape), name, ndims)


def device_packed(a: object, name: str, ndims: tuple[int, ...]) -> Any:
    """A validated, C-contiguous ``uint64`` operand on the GPU."""
    if rt.is_device_array(a):
        _device_meta_check(a, name, ndims, "u", "uint64")
        return rt.cupy.ascontiguousarray(a)
    return rt.cupy.asarray(as_packed(a, name, ndims))


def _host_packed(a: object, name: str, ndims: tuple[int, ...] | None = None) -> np.ndarray:
    """A validated ``uint64`` operand on the host."""
    return as_packed(rt.to_host(a) if rt.is_device_array(a) else a, name, ndims)

# --------------------------------------------------------------------------------------
# Packed vector operations
# --------------------------------------------------------------------------------------

def _gpu_pack(bits: Any) -> Any:
    if rt.is_device_array(bits):
        _device_meta_check(bits, "bits", (1, 2), "biu", "integers 0/1 (or bool)")
        if bits.dtype.kind != "b" and bits.size and not bool(((bits == 0) | (bits == 1)).all()):
            raise ValueError("bits must contain only 0 and 1")
        dev = rt.cupy.ascontiguousarray(bits, dtype=np.uint8)
    else:
        dev = rt.cupy.asarray(as_bits(bits, "bits"))
    rows = 1 if dev.ndim == 1 else dev.shape[0]
    n_bits = dev.shape[-1]
    n_words = (n_bits + 63) // 64
    out = rt.cupy.empty(dev.shape[:-1] + (n_words,), dtype=np.uint64)
    if out.size:
        kernels.compiled()["sc_pack_bits"](
            (kernels.grid(out.size),), (kernels.THREADS,),
            (dev, out, np.int64(rows), np.int64(n_bits), np.int64(n_words)))
    return out


def pack(bits: ArrayLike | GpuArray) -> GpuArray:
    """Pack a 0/1 stream into ``uint64`` words on the GPU ([design: packing][packing]).

    Parameters
    ----------
    bits : array_like or GpuArray
        1-D ``(N,)`` or 2-D ``(B, N)`` of 0/1 integers or booleans.

    Returns
    -------
    GpuArray
        ``uint64`` ``(ceil(N/64),)`` or ``(B, ceil(N/64))`` in the active namespace.

    Raises
    ------
    ValueError
        As [`pack_bitstream`][sc_neurocore.accel.vector_ops.pack_bitstream].
    """
    rt.warn_fallback_once()
    return rt.dispatch(lambda: _gpu_pack(bits), lambda: numpy_backend.pack(rt.to_host(bits)))


def _gpu_and(a: object, b: object) -> Any:
    da = device_packed(a, "a", tuple(range(0, 33)))
    db = device_packed(b, "b", tuple(range(0, 33)))
    same_shape("a", da, "b", db)
    return rt.cupy.bitwise_and(da, db)


def and_(a: GpuArray, b: GpuArray) -> GpuArray:
    """Bitwise AND of packed streams (SC unipolar multiply) on the GPU.

    Parameters
    ----------
    a : GpuArray
        ``uint64`` packed streams, any shape (a NumPy or a CuPy array).
    b : GpuArray
        ``uint64`` packed streams, the shape of ``a``.

    Returns
    -------
    GpuArray
        ``a & b`` in the active namespace.

    Raises
    ------
    ValueError
        If the shapes differ ([`InputTypeError`][sc_neurocore.accel.InputTypeError]
        if an operand is not ``uint64``).
    """
    rt.warn_fallback_once()
    return rt.dispatch(lambda: _gpu_and(a, b),
                       lambda: numpy_backend.and_(rt.to_host(a), rt.to_host(b)))


def _gpu_popcount(a: object) -> Any:
    dev = device_packed(a, "a", tuple(range(0, 33)))
    out = rt.cupy.empty(dev.shape, dtype=np.uint8)
    if dev.size:
        kernels.compiled()["sc_popcount64"](
            (kernels.grid(dev.size),), (kernels.THREADS,), (dev, out, np.int64(dev.size)))
    return out


def popcount(a: GpuArray) -> GpuArray:
    """Per-element population count of packed words (stays on the device).

    Parameters
    ----------
    a : GpuArray
        ``uint64`` array of any shape (a NumPy or a CuPy array).

    Returns
    -------
    GpuArray
        ``uint8`` array of ``a``'s shape: the number of set bits of each word.

    Raises
    ------
    InputTypeError
        If ``a`` is not a ``uint64`` array (a ``ValueError``).
    """
    rt.warn_fallback_once()
    return rt.dispatch(lambda: _gpu_popcount(a),
                     lambda: np.bitwise_count(_host_packed(a, "a")))


def _mac_shapes(weights_shape: tuple[int, ...], inputs_shape: tuple[int, ...]) -> bool:
    """Check ``packed_inputs`` against ``packed_weights``; return whether it is batched."""
    n_out, n_in, n_words = weights_shape
    if tuple(inputs_shape[-2:]) != (n_in, n_words):
        raise ValueError("packed_inputs must have shape (n_in, n_words) or (batch, n_in, n_words) "
                         f"with (n_in, n_words) = {(n_in, n_words)} to match packed_weights "
                         f"{tuple(weights_shape)}, got {tuple(inputs_shape)}")
    return len(inputs_shape) == 3


def launch_mac(weights: Any, inputs: Any) -> Any:
    """Counts ``(batch, n_out)`` on the device from device operands (inputs 3-D)."""
    n_out, n_in, n_words = weights.shape
    batch = inputs.shape[0]
    counts = rt.cupy.zeros((batch, n_out), dtype=np.uint64)
    if n_out and batch and n_in * n_words:
        kernels.compiled()["sc_vec_mac"](
            (n_out, min(batch, 65535)), (kernels.THREADS,),
            (weights, inputs, counts, np.int64(n_out), np.int64(batch), np.int64(n_in * n_words)))
    return counts


def _gpu_mac(packed_weights: object, packed_inputs: object) -> Any:
    weights = device_packed(packed_weights, "packed_weights", (3,))
    inputs = device_packed(packed_inputs, "packed_inputs", (2, 3))
    batched = _mac_shapes(weights.shape, inputs.shape)
    counts = launch_mac(weights, inputs if batched else inputs[None])
    return counts if batched else counts[0]


def _numpy_mac(packed_weights: object, packed_inputs: object) -> np.ndarray:
    weights = _host_packed(packed_weights, "packed_weights", (3,))
    inputs = _host_packed(packed_inputs, "packed_inputs", (2, 3))
    batched = _mac_shapes(weights.shape, inputs.shape)
    counts = numpy_backend.mac(weights, inputs if batched else inputs[None])
    return counts if batched else counts[0]


def mac(packed_weights: GpuArray, packed_inputs: GpuArray) -> GpuArray:
    """Fused AND + popcount + sum: ``sum_i,w popcount(W[o, i, w] & X[i, w])`` per output.

    One CUDA kernel does the AND, ``__popcll`` and the reduction; the
    ``(n_out, n_in, n_words)`` product is never stored.

    Parameters
    ----------
    packed_weights : GpuArray
        ``uint64`` ``(n_out, n_in, n_words)`` (a NumPy or a CuPy array).
    packed_inputs : GpuArray
        ``uint64`` ``(n_in, n_words)``, or ``(batch, n_in, n_words)``.

    Returns
    -------
    GpuArray
        ``uint64`` counts ``(n_out,)`` or ``(batch, n_out)`` in the active namespace.

    Raises
    ------
    TypeError
        If an operand is not a ``uint64`` array.
    ValueError
        If the ranks or shapes do not match.
    """
    rt.warn_fallback_once()
    return rt.dispatch(lambda: _gpu_mac(packed_weights, packed_inputs),
                     lambda: _numpy_mac(packed_weights, packed_inputs))


