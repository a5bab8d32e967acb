"""The CUDA kernels: their source, names and compile options, compiled once per process.

The hot kernels are raw CUDA kernels kept in ``CUDA_SOURCE``, a module-level
string, so they can be compiled to PTX with NVRTC on a machine without a GPU
(``nvrtc.compile_ptx``; the test-suite does this in CI).  ``compiled`` builds
them for the current device (through CuPy), ``grid`` sizes a grid-stride
launch of ``THREADS`` threads per block.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import runtime

__all__ = ["CUDA_SOURCE", "KERNEL_NAMES", "NVRTC_OPTIONS", "THREADS", "compiled", "grid"]

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

// Comparator encoder: enc[(b * n_in + i) * n_words + w] holds bits
// 64w .. 64w+63 of input i in batch row b; bit t is (cycle[start[i] + t] ^
// mask[i]) < thresh[b * n_in + i] (thresh in [0, 65536]; 65536 is above every
// value).  cycle is the generator's sequence repeated so that every window is
// contiguous; mask is 0 for the LFSR generators.
extern "C" __global__ void sc_encode(const unsigned short* __restrict__ cycle,
                                     const long long* __restrict__ start,
                                     const unsigned short* __restrict__ mask,
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
        const unsigned m = mask[i];
        const unsigned short* states = cycle + start[i] + t0;
        u64 word = 0ull;
        for (int q = 0; q < n_bits; ++q) {
            word |= (u64)((long long)(states[q] ^ m) < x) << q;
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



def grid(n_items: int) -> int:
    """Blocks for a grid-stride loop over ``n_items``."""
    return max(1, min((n_items + THREADS - 1) // THREADS, 65535))


@lru_cache(maxsize=1)
def compiled() -> dict[str, Any]:
    """Compile ``CUDA_SOURCE`` for the current device (once) and fetch each kernel."""
    module = runtime.cupy.RawModule(code=CUDA_SOURCE, options=NVRTC_OPTIONS)
    return {name: module.get_function(name) for name in KERNEL_NAMES}
