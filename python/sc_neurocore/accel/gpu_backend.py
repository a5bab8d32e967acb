"""CuPy (CUDA) SC kernels and the ``cupy`` backend ([design: forward pass][forward-pass], [design: vector operations][vector-operations]).

The hot kernels are raw CUDA kernels kept in ``CUDA_SOURCE``, a
module-level string, so they can be compiled to PTX with NVRTC on a machine
without a GPU (``compile_ptx``; the test-suite does this in CI):

* ``sc_vec_mac`` — AND, ``__popcll`` and the block reduction in one pass: each
  block streams one weight row against one input row and writes one count, so
  the ``(n_out, n_in, n_words)`` product array never exists;
* ``sc_encode`` — the LFSR comparator encoder, one packed word per thread;
* ``sc_pack_bits`` and ``sc_popcount64`` — packing and per-element popcount.

Transparent fallback: without CuPy, without a usable GPU, or after a CUDA
error during a call, every function here runs on NumPy (same results) and a
``RuntimeWarning`` is issued once, pointing at the caller's line — at the
first direct call of one of this module's functions, or at the moment of the
switch.  Importing the module or probing backends never warns.  The array
namespace in use is ``xp`` (``cupy`` while the GPU works, else ``numpy``);
read it as ``gpu_backend.xp`` or via
[`active_namespace`][sc_neurocore.accel.gpu_backend.active_namespace] so that
a mid-run switch is seen.
[`CupyBackend`][sc_neurocore.accel.gpu_backend.CupyBackend] counts as
unavailable for backend selection whenever no GPU works.
"""

from __future__ import annotations

import ctypes
import importlib.util
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeAlias, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ._validation import ForwardArgs, InputTypeError, as_bits, as_packed, check_rank, same_shape
from ._warnings import warn_at_caller
from .backend import KernelBackend
from .lfsr import PERIOD, _cycle_copies, lfsr_tables, quantize, start_states
from .sc_inference import counts_to_rates, forward_counts_numpy, forward_numpy
from .vector_ops import pack_bitstream, vec_and

__all__ = ["HAS_CUPY", "xp", "CUDA_SOURCE", "KERNEL_NAMES", "CudaCompileError", "CupyBackend",
           "active_namespace", "cuda_versions", "gpu_available", "gpu_unavailable_reason",
           "to_device", "to_host",
           "gpu_pack_bitstream", "gpu_vec_and", "gpu_popcount", "gpu_vec_mac", "compile_ptx",
           "nvrtc_library_path", "GpuArray"]

T = TypeVar("T")

GpuArray: TypeAlias = Any
"""An array the ``gpu_*`` functions take and return: a ``cupy.ndarray`` while a GPU
works, a ``numpy.ndarray`` once this module runs on NumPy (no CuPy, no usable GPU).
CuPy ships no type information, so type checkers see ``Any``.
"""

# --------------------------------------------------------------------------------------
# CUDA source (compiled by CuPy's RawModule on a GPU, by NVRTC alone in CI)
# --------------------------------------------------------------------------------------

THREADS = 256
"""Threads per block for every kernel: a multiple of 32 and at most 1024."""

KERNEL_NAMES = ("sc_vec_mac", "sc_encode", "sc_pack_bits", "sc_popcount64")
"""Names of the ``extern "C"`` kernels in ``CUDA_SOURCE``."""

CUDA_SOURCE = r"""
// sc_neurocore.accel CUDA kernels.  Streams are packed 64 bits per word,
// bit t in word t / 64 at position t % 64 (least-significant first).
// Every kernel expects blockDim.x to be a multiple of 32 (at most 1024).

typedef unsigned long long u64;

// Sum of v over the block; the result is valid in thread 0.  Uses one shared
// slot per warp: callers that loop must __syncthreads() before calling again.
__device__ __forceinline__ u64 sc_block_sum(u64 v) {
    __shared__ u64 warp_sums[32];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned warp = threadIdx.x >> 5;
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_down_sync(0xffffffffu, v, offset);
    }
    if (lane == 0) {
        warp_sums[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        const unsigned n_warps = (blockDim.x + 31u) >> 5;
        v = (lane < n_warps) ? warp_sums[lane] : 0ull;
        for (int offset = 16; offset > 0; offset >>= 1) {
            v += __shfl_down_sync(0xffffffffu, v, offset);
        }
    }
    return v;
}

// counts[b * n_out + o] = sum_{j < row} popcount(w[o * row + j] & x[b * row + j])
// Grid: x = n_out (one block per output), y = up to 65535 batch rows (strided).
// AND, popcount and the reduction happen in registers: nothing of size
// n_out * row is ever written.
extern "C" __global__ void sc_vec_mac(const u64* __restrict__ w,
                                      const u64* __restrict__ x,
                                      u64* __restrict__ counts,
                                      const long long n_out,
                                      const long long batch,
                                      const long long row) {
    const long long o = blockIdx.x;
    const u64* w_row = w + o * row;
    for (long long b = blockIdx.y; b < batch; b += gridDim.y) {
        const u64* x_row = x + b * row;
        u64 acc = 0ull;
        for (long long j = threadIdx.x; j < row; j += blockDim.x) {
            acc += (u64)__popcll(w_row[j] & x_row[j]);
        }
        acc = sc_block_sum(acc);
        if (threadIdx.x == 0) {
            counts[b * n_out + o] = acc;
        }
        __syncthreads();
    }
}

// LFSR comparator encoder: enc[(b * n_in + i) * n_words + w] holds bits
// 64w .. 64w+63 of input i in batch row b; bit t is cycle[start[i] + t] <
// thresh[b * n_in + i] (thresh in [0, 65536]; 65536 is above every state).
// cycle is the LFSR cycle repeated so that every window is contiguous.
extern "C" __global__ void sc_encode(const unsigned short* __restrict__ cycle,
                                     const long long* __restrict__ start,
                                     const long long* __restrict__ thresh,
                                     u64* __restrict__ enc,
                                     const long long batch,
                                     const long long n_in,
                                     const long long n_words,
                                     const long long length) {
    const long long total = batch * n_in * n_words;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < total;
         k += stride) {
        const long long w = k % n_words;
        const long long bi = k / n_words;
        const long long i = bi % n_in;
        const long long t0 = w * 64;
        const long long remaining = length - t0;
        const int n_bits = remaining < 64 ? (int)remaining : 64;
        const long long x = thresh[bi];
        const unsigned short* states = cycle + start[i] + t0;
        u64 word = 0ull;
        for (int q = 0; q < n_bits; ++q) {
            word |= (u64)((long long)states[q] < x) << q;
        }
        enc[k] = word;
    }
}

// out[r * n_words + w] = bits r*n_bits + 64w .. +63 packed (rows of n_bits 0/1 bytes).
extern "C" __global__ void sc_pack_bits(const unsigned char* __restrict__ bits,
                                        u64* __restrict__ out,
                                        const long long n_rows,
                                        const long long n_bits,
                                        const long long n_words) {
    const long long total = n_rows * n_words;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < total;
         k += stride) {
        const long long r = k / n_words;
        const long long t0 = (k % n_words) * 64;
        const long long remaining = n_bits - t0;
        const int count = remaining < 64 ? (int)remaining : 64;
        const unsigned char* src = bits + r * n_bits + t0;
        u64 word = 0ull;
        for (int q = 0; q < count; ++q) {
            word |= (u64)(src[q] != 0) << q;
        }
        out[k] = word;
    }
}

// out[k] = popcount(a[k]) for k < n.
extern "C" __global__ void sc_popcount64(const u64* __restrict__ a,
                                         unsigned char* __restrict__ out,
                                         const long long n) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n; k += stride) {
        out[k] = (unsigned char)__popcll(a[k]);
    }
}
"""
"""The CUDA C++ source of the kernels (compiled by CuPy on a GPU, by NVRTC alone anywhere)."""

NVRTC_OPTIONS: tuple[str, ...] = ("--std=c++14",)
"""NVRTC options used both on the GPU and for the GPU-less compile check."""

# --------------------------------------------------------------------------------------
# CuPy import, GPU probe, active namespace
# --------------------------------------------------------------------------------------

cupy: Any  # the cupy module, or None without CuPy (CuPy ships no type information)
try:
    import cupy as _cupy
except Exception as _exc:  # ImportError, or a broken install (e.g. missing CUDA libs)
    cupy = None
    CUPY_IMPORT_ERROR: str | None = f"{type(_exc).__name__}: {_exc}"
    _CUDA_ERRORS: tuple[type[BaseException], ...] = ()
else:
    cupy = _cupy
    CUPY_IMPORT_ERROR = None
    _CUDA_ERRORS = (cupy.cuda.runtime.CUDARuntimeError, cupy.cuda.driver.CUDADriverError,
                    cupy.cuda.memory.OutOfMemoryError, cupy.cuda.compiler.CompileException)

HAS_CUPY: bool = cupy is not None
"""Whether CuPy imported (a working GPU is a further condition: ``gpu_available()``)."""


def _cuda_version_code(getter: str) -> int | str:
    """``cupy.cuda.runtime.<getter>()`` (a version code), or why it could not be read."""
    try:
        return int(getattr(cupy.cuda.runtime, getter)())
    except Exception as exc:  # a broken install must still give a message
        return f"{type(exc).__name__}: {exc}"


def cuda_versions() -> str:
    """The CUDA driver and runtime versions CuPy reports, for messages.

    Returns
    -------
    str
        E.g. ``"CUDA driver 12.4, CUDA runtime 12.8"``.  A driver version of
        0, CUDA's answer when no NVIDIA driver is installed, reads ``"CUDA
        driver: none (version 0)"``; a version that cannot be read says why.
        Empty without CuPy.
    """
    if cupy is None:
        return ""
    parts = []
    for label, getter in (("driver", "driverGetVersion"), ("runtime", "runtimeGetVersion")):
        code = _cuda_version_code(getter)
        if isinstance(code, str):
            parts.append(f"CUDA {label} version unknown ({code})")
        elif label == "driver" and code == 0:
            parts.append("CUDA driver: none (version 0)")
        else:  # CUDA encodes a version as 1000 * major + 10 * minor
            parts.append(f"CUDA {label} {code // 1000}.{code % 1000 // 10}")
    return ", ".join(parts)


def _cuda_error_meaning(raw: str) -> str | None:
    """What a CUDA runtime error (its ``Type: cudaErrorName: text``) means, in plain words."""
    if "cudaErrorInsufficientDriver" in raw:
        if _cuda_version_code("driverGetVersion") == 0:
            return "no NVIDIA driver is installed"
        return "the NVIDIA driver is older than the CUDA runtime CuPy uses"
    meanings = {
        "cudaErrorNoDevice": "no CUDA-capable device is present",
        "cudaErrorInvalidDevice": "the selected CUDA device does not exist",
        "cudaErrorDevicesUnavailable": "every CUDA device is busy or unavailable",
        "cudaErrorSystemDriverMismatch": "the NVIDIA kernel driver and its user-space "
                                         "libraries have different versions",
    }
    return next((text for name, text in meanings.items() if name in raw), None)


def _no_gpu(what: str, exc: BaseException | None = None) -> str:
    """The reason text for a CuPy that imports but has no usable GPU (no install hint)."""
    version = getattr(cupy, "__version__", "?")
    raw = "" if exc is None else f"{type(exc).__name__}: {exc}"
    meaning = _cuda_error_meaning(raw) if raw else None
    detail = f"{meaning or what}" + (f" ({raw})" if raw else "")
    return f"no usable CUDA GPU: CuPy {version} is installed, but {detail}; {cuda_versions()}"


def _probe_gpu() -> str | None:
    """Why the GPU cannot be used, or ``None`` when a round trip works.

    Without CuPy: that CuPy is missing (the install hint is added where a
    message is shown).  With CuPy: what the CUDA runtime answered, in plain
    words, with the driver and runtime versions, and no install hint (nothing
    to install would help).
    """
    if cupy is None:
        return f"CuPy is not installed ({CUPY_IMPORT_ERROR})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        return _no_gpu("the CUDA runtime cannot list the devices", exc)
    if count < 1:
        return _no_gpu("the CUDA runtime finds no device")
    try:
        sample = np.arange(3, dtype=np.uint64)
        if not np.array_equal(cupy.asnumpy(cupy.asarray(sample)), sample):
            return _no_gpu("a host-device round trip returned wrong data")
    except Exception as exc:
        return _no_gpu("a host-device round trip failed", exc)
    return None


_gpu_reason: str | None = _probe_gpu()

xp: ModuleType = np if _gpu_reason is not None else cupy
"""The active array namespace: ``cupy`` while a GPU works, else ``numpy``."""

_fallback_warned = False


def _warn_fallback_once() -> None:
    """Warn once per process, at the user's call site, that the functions run on NumPy."""
    global _fallback_warned
    if _gpu_reason is None or _fallback_warned:
        return
    _fallback_warned = True
    hint = f". To install CuPy: {CupyBackend.install_hint()}" if cupy is None else ""
    warn_at_caller(f"sc_neurocore.accel.gpu_backend: {_gpu_reason}; its functions run on "
                   f"NumPy{hint}", RuntimeWarning)


def gpu_available() -> bool:
    """Whether the GPU path is active (CuPy imported, a device works, no CUDA error yet)."""
    return _gpu_reason is None


def gpu_unavailable_reason() -> str | None:
    """Why the functions here run on NumPy, or ``None`` while the GPU is used."""
    return _gpu_reason


def active_namespace() -> ModuleType:
    """The array module in use now (``cupy`` or ``numpy``); see ``xp``."""
    return xp


def _switch_to_numpy(exc: BaseException) -> None:
    """Leave the GPU for good after a CUDA error: warn once, use NumPy from now on."""
    global xp, _gpu_reason, _fallback_warned
    _gpu_reason = _no_gpu("a CUDA call failed", exc)
    xp = np
    _fallback_warned = True
    warn_at_caller(f"sc_neurocore.accel.gpu_backend: {_gpu_reason}; switching to NumPy",
                   RuntimeWarning)


def _dispatch(on_gpu: Callable[[], T], on_numpy: Callable[[], T]) -> T:
    """Run ``on_gpu`` while the GPU works, else (or after a CUDA error) ``on_numpy``."""
    if _gpu_reason is None:
        try:
            return on_gpu()
        except _CUDA_ERRORS as exc:
            _switch_to_numpy(exc)
    return on_numpy()


# --------------------------------------------------------------------------------------
# Host <-> device
# --------------------------------------------------------------------------------------

def _is_device_array(a: object) -> bool:
    return cupy is not None and isinstance(a, cupy.ndarray)


def to_device(array: ArrayLike | GpuArray) -> GpuArray:
    """Return ``array`` in the active namespace (a CuPy array on the GPU, else NumPy).

    Parameters
    ----------
    array : array_like or GpuArray
        Any NumPy-convertible data, or a CuPy array.

    Returns
    -------
    GpuArray
        ``array`` on the GPU, or as a NumPy array without one.
    """
    _warn_fallback_once()
    return _dispatch(lambda: cupy.asarray(array), lambda: to_host(array))


def to_host(array: ArrayLike | GpuArray) -> np.ndarray:
    """Return ``array`` as a NumPy array (copying device data back to the host).

    Parameters
    ----------
    array : array_like or GpuArray
        Host or device data.

    Returns
    -------
    numpy.ndarray
        ``array`` itself when it is already a NumPy array, else a host copy.

    Raises
    ------
    RuntimeError
        If ``array`` lives on a GPU that can no longer be read.
    """
    if _is_device_array(array):
        try:
            host: np.ndarray = cupy.asnumpy(array)
            return host
        except _CUDA_ERRORS as exc:
            raise RuntimeError("array lives on a GPU that failed and cannot be copied back: "
                               f"{type(exc).__name__}: {exc}") from exc
    return np.asarray(array)


def _device_meta_check(a: Any, name: str, ndims: tuple[int, ...], kinds: str,
                       expected: str) -> None:
    """Dtype and rank checks for an operand that already lives on the GPU."""
    if a.dtype.kind not in kinds or (kinds == "u" and a.dtype != np.uint64):
        raise InputTypeError(f"{name} must have dtype {expected}, got {a.dtype}")
    check_rank(tuple(a.shape), name, ndims)


def _device_packed(a: object, name: str, ndims: tuple[int, ...]) -> Any:
    """A validated, C-contiguous ``uint64`` operand on the GPU."""
    if _is_device_array(a):
        _device_meta_check(a, name, ndims, "u", "uint64")
        return cupy.ascontiguousarray(a)
    return cupy.asarray(as_packed(a, name, ndims))


def _host_packed(a: object, name: str, ndims: tuple[int, ...] | None = None) -> np.ndarray:
    """A validated ``uint64`` operand on the host."""
    return as_packed(to_host(a) if _is_device_array(a) else a, name, ndims)


def _grid(n_items: int) -> int:
    """Blocks for a grid-stride loop over ``n_items``."""
    return max(1, min((n_items + THREADS - 1) // THREADS, 65535))


@lru_cache(maxsize=1)
def _kernels() -> dict[str, Any]:
    """Compile ``CUDA_SOURCE`` for the current device (once) and fetch each kernel."""
    module = cupy.RawModule(code=CUDA_SOURCE, options=NVRTC_OPTIONS)
    return {name: module.get_function(name) for name in KERNEL_NAMES}


# --------------------------------------------------------------------------------------
# Packed vector operations
# --------------------------------------------------------------------------------------

def _gpu_pack(bits: Any) -> Any:
    if _is_device_array(bits):
        _device_meta_check(bits, "bits", (1, 2), "biu", "integers 0/1 (or bool)")
        if bits.dtype.kind != "b" and bits.size and not bool(((bits == 0) | (bits == 1)).all()):
            raise ValueError("bits must contain only 0 and 1")
        dev = cupy.ascontiguousarray(bits, dtype=np.uint8)
    else:
        dev = cupy.asarray(as_bits(bits, "bits"))
    rows = 1 if dev.ndim == 1 else dev.shape[0]
    n_bits = dev.shape[-1]
    n_words = (n_bits + 63) // 64
    out = cupy.empty(dev.shape[:-1] + (n_words,), dtype=np.uint64)
    if out.size:
        _kernels()["sc_pack_bits"]((_grid(out.size),), (THREADS,),
                                   (dev, out, np.int64(rows), np.int64(n_bits),
                                    np.int64(n_words)))
    return out


def gpu_pack_bitstream(bits: ArrayLike | GpuArray) -> GpuArray:
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
    _warn_fallback_once()
    return _dispatch(lambda: _gpu_pack(bits), lambda: pack_bitstream(to_host(bits)))


def _gpu_and(a: object, b: object) -> Any:
    da = _device_packed(a, "a", tuple(range(0, 33)))
    db = _device_packed(b, "b", tuple(range(0, 33)))
    same_shape("a", da, "b", db)
    return cupy.bitwise_and(da, db)


def gpu_vec_and(a: GpuArray, b: GpuArray) -> GpuArray:
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
    _warn_fallback_once()
    return _dispatch(lambda: _gpu_and(a, b), lambda: vec_and(to_host(a), to_host(b)))


def _gpu_popcount(a: object) -> Any:
    dev = _device_packed(a, "a", tuple(range(0, 33)))
    out = cupy.empty(dev.shape, dtype=np.uint8)
    if dev.size:
        _kernels()["sc_popcount64"]((_grid(dev.size),), (THREADS,),
                                    (dev, out, np.int64(dev.size)))
    return out


def gpu_popcount(a: GpuArray) -> GpuArray:
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
    _warn_fallback_once()
    return _dispatch(lambda: _gpu_popcount(a),
                     lambda: np.bitwise_count(_host_packed(a, "a")))


def _mac_shapes(weights_shape: tuple[int, ...], inputs_shape: tuple[int, ...]) -> bool:
    """Check ``packed_inputs`` against ``packed_weights``; return whether it is batched."""
    n_out, n_in, n_words = weights_shape
    if tuple(inputs_shape[-2:]) != (n_in, n_words):
        raise ValueError("packed_inputs must have shape (n_in, n_words) or (batch, n_in, n_words) "
                         f"with (n_in, n_words) = {(n_in, n_words)} to match packed_weights "
                         f"{tuple(weights_shape)}, got {tuple(inputs_shape)}")
    return len(inputs_shape) == 3


def _launch_mac(weights: Any, inputs: Any) -> Any:
    """Counts ``(batch, n_out)`` on the device from device operands (inputs 3-D)."""
    n_out, n_in, n_words = weights.shape
    batch = inputs.shape[0]
    counts = cupy.zeros((batch, n_out), dtype=np.uint64)
    if n_out and batch and n_in * n_words:
        _kernels()["sc_vec_mac"]((n_out, min(batch, 65535)), (THREADS,),
                                 (weights, inputs, counts, np.int64(n_out), np.int64(batch),
                                  np.int64(n_in * n_words)))
    return counts


def _gpu_mac(packed_weights: object, packed_inputs: object) -> Any:
    weights = _device_packed(packed_weights, "packed_weights", (3,))
    inputs = _device_packed(packed_inputs, "packed_inputs", (2, 3))
    batched = _mac_shapes(weights.shape, inputs.shape)
    counts = _launch_mac(weights, inputs if batched else inputs[None])
    return counts if batched else counts[0]


def _numpy_mac(packed_weights: object, packed_inputs: object) -> np.ndarray:
    weights = _host_packed(packed_weights, "packed_weights", (3,))
    inputs = _host_packed(packed_inputs, "packed_inputs", (2, 3))
    batched = _mac_shapes(weights.shape, inputs.shape)
    counts = forward_counts_numpy(weights, inputs if batched else inputs[None])
    return counts if batched else counts[0]


def gpu_vec_mac(packed_weights: GpuArray, packed_inputs: GpuArray) -> GpuArray:
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
    _warn_fallback_once()
    return _dispatch(lambda: _gpu_mac(packed_weights, packed_inputs),
                     lambda: _numpy_mac(packed_weights, packed_inputs))


# --------------------------------------------------------------------------------------
# sc_forward on the GPU
# --------------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _device_cycle(copies: int) -> Any:
    """The repeated LFSR cycle on the device (uploaded once per size)."""
    return cupy.asarray(_cycle_copies(copies))


def _gpu_forward(args: ForwardArgs) -> np.ndarray:
    """Encode on the device, then the fused MAC; returns host ``float64`` ``(batch, n_out)``."""
    _, pos = lfsr_tables()
    batch, n_in = args.probs.shape
    n_out, _, n_words = args.weights.shape
    start = cupy.asarray(pos[start_states(n_in, args.seed)])
    thresh = cupy.asarray(quantize(args.probs))
    cycle = _device_cycle(1 + -(-args.length // PERIOD))
    enc = cupy.empty((batch, n_in, n_words), dtype=np.uint64)
    if enc.size:
        _kernels()["sc_encode"]((_grid(enc.size),), (THREADS,),
                                (cycle, start, thresh, enc, np.int64(batch), np.int64(n_in),
                                 np.int64(n_words), np.int64(args.length)))
    counts = _launch_mac(cupy.asarray(args.weights), enc)
    return counts_to_rates(cupy.asnumpy(counts), args.length)


class CupyBackend(KernelBackend):
    """SC forward pass on an NVIDIA GPU through CuPy raw kernels.

    Bit-identical to [`sc_forward_numpy`][sc_neurocore.accel.sc_inference.sc_forward_numpy].
    A CUDA error during a call switches the module to NumPy (with a warning)
    and the call still returns the correct result.
    """

    name = "cupy"
    extra = "gpu"

    @classmethod
    def unavailable_reason(cls) -> str | None:
        return _gpu_reason

    @classmethod
    def install_hint(cls) -> str:
        """How to install CuPy; empty once it is installed (the reason then says what is missing).

        Returns
        -------
        str
            The command that installs this project's ``gpu`` extra, or ``""``.
        """
        if HAS_CUPY:
            return ""
        return super().install_hint()

    def _forward(self, args: ForwardArgs) -> np.ndarray:
        return _dispatch(lambda: _gpu_forward(args), lambda: forward_numpy(args))


# --------------------------------------------------------------------------------------
# NVRTC compile check (no GPU needed)
# --------------------------------------------------------------------------------------

class CudaCompileError(RuntimeError):
    """NVRTC rejected a CUDA source; the message carries the compiler log."""


def nvrtc_library_path() -> Path | None:
    """``libnvrtc.so*`` shipped by the ``nvidia-cuda-nvrtc-cu12`` wheel, if installed.

    The wheel installs it under ``site-packages/nvidia/cuda_nvrtc/lib/``
    (no CUDA toolkit needed).
    """
    try:
        spec = importlib.util.find_spec("nvidia.cuda_nvrtc")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        lib = Path(folder) / "lib"
        for pattern in ("libnvrtc.so.*[0-9]", "libnvrtc.so", "nvrtc64_*.dll"):
            found = sorted(p for p in lib.glob(pattern) if "alt" not in p.name)
            if found:
                return found[0]
    return None


@lru_cache(maxsize=1)
def _nvrtc() -> ModuleType:
    """CuPy's NVRTC binding, with the wheel's ``libnvrtc`` preloaded when present.

    CuPy 14 finds the wheel's library by itself (via ``cuda-pathfinder``);
    preloading it ``RTLD_GLOBAL`` first makes older CuPy find it too without a
    CUDA toolkit or ``CUDA_PATH``.

    Raises
    ------
    RuntimeError
        If CuPy (which provides the binding) or NVRTC itself cannot be loaded.
    """
    if cupy is None:
        raise RuntimeError(f"compiling CUDA needs CuPy's NVRTC binding: CuPy is not installed "
                           f"({CUPY_IMPORT_ERROR}); to install it: {CupyBackend.install_hint()}")
    lib = nvrtc_library_path()
    if lib is not None:
        try:
            ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
        except OSError:
            pass  # let CuPy try its own search below and report the failure
    from cupy_backends.cuda.libs import nvrtc

    try:
        nvrtc.getVersion()
    except Exception as exc:
        raise RuntimeError(f"NVRTC cannot be loaded ({type(exc).__name__}: {exc}); install "
                           "nvidia-cuda-nvrtc-cu12 or a CUDA toolkit") from exc
    binding: ModuleType = nvrtc
    return binding


def compile_ptx(source: str = CUDA_SOURCE, arch: str = "compute_80",
                options: tuple[str, ...] = NVRTC_OPTIONS, name: str = "sc_kernels.cu") -> str:
    """Compile CUDA C++ to PTX with NVRTC alone — no GPU or driver needed.

    Parameters
    ----------
    source : str, default ``CUDA_SOURCE``
        CUDA source text.
    arch : str, default "compute_80"
        Virtual architecture passed as ``-arch``.
    options : tuple of str
        Further NVRTC options.
    name : str
        File name used in compiler messages.

    Returns
    -------
    str
        The PTX text.

    Raises
    ------
    CudaCompileError
        If NVRTC rejects the source (the message carries its log).
    RuntimeError
        If NVRTC cannot be loaded.
    """
    nvrtc = _nvrtc()
    prog = nvrtc.createProgram(source, name, [], [])
    try:
        try:
            nvrtc.compileProgram(prog, [f"-arch={arch}", *options])
        except nvrtc.NVRTCError as exc:
            log = nvrtc.getProgramLog(prog)
            raise CudaCompileError(f"NVRTC failed to compile {name} for {arch}: {exc}\n{log}") \
                from exc
        ptx: str = nvrtc.getPTX(prog).decode().rstrip("\x00")
        return ptx
    finally:
        nvrtc.destroyProgram(prog)
