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

KERNEL_NAMES = ("sc_vec_mac", "sc_encode", "sc_pack_bits", "sc_popcount64", "sc_prepared_table",
                "sc_prepared_lookup")
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

// Exclusive prefix sum of v over the block; *total gets the block's sum in every
// thread.  Every thread of the block must call it; it ends with a barrier, so it may
// be called again at once.
__device__ __forceinline__ unsigned sc_block_exclusive_scan(unsigned v, unsigned* total) {
    __shared__ unsigned warp_totals[32];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned warp = threadIdx.x >> 5;
    const unsigned n_warps = blockDim.x >> 5;
    unsigned inclusive = v;
    for (int offset = 1; offset < 32; offset <<= 1) {
        const unsigned up = __shfl_up_sync(0xffffffffu, inclusive, offset);
        if (lane >= (unsigned)offset) {
            inclusive += up;
        }
    }
    if (lane == 31u) {
        warp_totals[warp] = inclusive;
    }
    __syncthreads();
    if (warp == 0) {
        unsigned sum = (lane < n_warps) ? warp_totals[lane] : 0u;
        for (int offset = 1; offset < 32; offset <<= 1) {
            const unsigned up = __shfl_up_sync(0xffffffffu, sum, offset);
            if (lane >= (unsigned)offset) {
                sum += up;
            }
        }
        if (lane < n_warps) {
            warp_totals[lane] = sum;  // warps 0 .. lane together
        }
    }
    __syncthreads();
    *total = warp_totals[n_warps - 1];
    const unsigned ahead = inclusive - v + (warp ? warp_totals[warp - 1] : 0u);
    __syncthreads();
    return ahead;
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

// Prepared layers, step 1: input i's bits in the layer's order, packed, and the set
// bits before every word.  Table row r = b * n_in + i has stride = n_words + 1 words
// (the last one 0, so that k = length reads a word that exists): bit q of
// words[r * stride + w] is states[i * length + 64w + q] < thresh[r] (thresh in
// [0, 65536]; bits past length are 0), and before[r * stride + w] counts the set bits
// of words 0 .. w-1 (at most length, below 2**32).
// Grid: x = table rows (strided); a block walks its row blockDim.x words at a time,
// a block-wide scan carrying the count from one step to the next.
extern "C" __global__ void sc_prepared_table(const unsigned short* __restrict__ states,
                                             const long long* __restrict__ thresh,
                                             u64* __restrict__ words,
                                             unsigned* __restrict__ before,
                                             const long long rows,
                                             const long long n_in,
                                             const long long length,
                                             const long long stride) {
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        const unsigned short* row = states + (r % n_in) * length;
        const long long x = thresh[r];
        unsigned carried = 0u;
        for (long long w0 = 0; w0 < stride; w0 += blockDim.x) {
            const long long w = w0 + threadIdx.x;
            const long long remaining = length - w * 64;
            const int n_bits = remaining <= 0 ? 0 : (remaining < 64 ? (int)remaining : 64);
            u64 word = 0ull;
            for (int q = 0; q < n_bits; ++q) {
                word |= (u64)((long long)row[w * 64 + q] < x) << q;
            }
            unsigned total;
            const unsigned ahead = sc_block_exclusive_scan((unsigned)__popcll(word), &total);
            if (w < stride) {
                words[r * stride + w] = word;
                before[r * stride + w] = carried + ahead;
            }
            carried += total;
        }
    }
}

// Prepared layers, step 2: counts[b * n_out + o] = sum_i before[at] +
// popcount(words[at] & ((1 << k % 64) - 1)) with k = k_oi[o * n_in + i] and
// at = (b * n_in + i) * stride + k / 64: the set bits among input i's first k ordered
// bits.  Grid: x = outputs, y = batch rows (both strided); the threads share the inputs.
extern "C" __global__ void sc_prepared_lookup(const unsigned* __restrict__ k_oi,
                                              const u64* __restrict__ words,
                                              const unsigned* __restrict__ before,
                                              u64* __restrict__ counts,
                                              const long long n_out,
                                              const long long n_in,
                                              const long long batch,
                                              const long long stride) {
    for (long long o = blockIdx.x; o < n_out; o += gridDim.x) {
        const unsigned* k_row = k_oi + o * n_in;
        for (long long b = blockIdx.y; b < batch; b += gridDim.y) {
            const long long table = b * n_in * stride;
            u64 acc = 0ull;
            for (long long i = threadIdx.x; i < n_in; i += blockDim.x) {
                const unsigned k = k_row[i];
                const long long at = table + i * stride + (k >> 6);
                const u64 mask = (1ull << (k & 63u)) - 1ull;
                acc += (u64)before[at] + (u64)__popcll(words[at] & mask);
            }
            acc = sc_block_sum(acc);
            if (threadIdx.x == 0) {
                counts[b * n_out + o] = acc;
            }
            __syncthreads();
        }
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
