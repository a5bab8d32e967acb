"""CuPy backend (issue 3): NumPy fallback, CUDA-error switch, NVRTC compile, GPU runs.

* The fallback path is always tested (here: no usable GPU; in a child process:
  no CuPy at all).
* The CUDA source is compiled to PTX with NVRTC alone — no GPU or driver — so a
  kernel that stops compiling fails CI; a broken source must fail too.
* The kernels' logic is also run on the host under a small emulation of the
  CUDA execution model (threads, ``__syncthreads``, warp shuffles), driven by
  the module's own host code through a NumPy stand-in for CuPy.
* Tests marked ``gpu`` run the real thing where a device works and skip cleanly
  elsewhere.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import types
import warnings

import numpy as np
import pytest
from conftest import random_weights, run_child, run_without
from sc_neurocore._validation import GENERATORS
from sc_neurocore.accel import (
    encode_packed,
    get_backend,
    pack_bitstream,
    prepare_layer,
    sc_forward_numpy,
    vec_and,
)
from sc_neurocore.accel import gpu_backend as gb
from sc_neurocore.accel._backends.on_cupy import bitops as gpu_bitops
from sc_neurocore.accel._backends.on_cupy import inference as gpu_inference
from sc_neurocore.accel._backends.on_cupy import kernels as gpu_kernels
from sc_neurocore.accel._backends.on_cupy import prepared as gpu_prepared
from sc_neurocore.accel._backends.on_cupy import runtime as gpu_runtime
from sc_neurocore.accel._backends.on_numpy import prepared_counts as numpy_prepared_counts

needs_cupy = pytest.mark.skipif(not gb.HAS_CUPY, reason="CuPy is not installed")
requires_gpu = pytest.mark.skipif(not gb.gpu_available(),
                                  reason=f"no usable GPU here: {gb.gpu_unavailable_reason()}")


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and a.shape == b.shape and np.array_equal(
        a.view(np.uint64), b.view(np.uint64))


# ---------------------------------------------------------------- module state

def test_namespace_matches_gpu_state():
    assert isinstance(gb.HAS_CUPY, bool)
    if gb.gpu_available():
        assert gb.xp is gpu_runtime.cupy and gb.gpu_unavailable_reason() is None
        assert gb.CupyBackend.unavailable_reason() is None
    else:
        assert gb.xp is np and gb.active_namespace() is np
        reason = gb.CupyBackend.unavailable_reason()
        assert reason == gb.gpu_unavailable_reason()
        assert "no usable CUDA GPU" in reason or "CuPy is not installed" in reason


def test_backend_unavailable_without_gpu():
    if gb.gpu_available():
        pytest.skip("a GPU works here")
    # Without CuPy the hint is the install extra; with CuPy but no device it
    # says a CUDA GPU is what is missing, and gives no install hint.
    with pytest.raises(RuntimeError, match=r"not available") as caught:
        get_backend("cupy")
    message = str(caught.value)
    if gb.HAS_CUPY:
        assert "no usable CUDA GPU" in message and "install" not in message.replace(
            "is installed", "")
    else:
        assert "pip install -e '.[gpu]'" in message


# ---------------------------------------------------------------- functions (either path)

def test_vector_functions_match_numpy(rng):
    bits = rng.integers(0, 2, size=(3, 150), dtype=np.uint8)
    a = rng.integers(0, 2**64, size=(4, 5), dtype=np.uint64)
    b = rng.integers(0, 2**64, size=(4, 5), dtype=np.uint64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the one-time fallback warning, if not yet issued
        gb.to_device(a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no per-call warnings on the fallback path
        packed = gb.to_host(gb.gpu_pack_bitstream(bits))
        anded = gb.to_host(gb.gpu_vec_and(a, b))
        counts = gb.to_host(gb.gpu_popcount(a))
        back = gb.to_host(gb.to_device(a))
    assert np.array_equal(packed, pack_bitstream(bits))
    assert np.array_equal(anded, vec_and(a, b))
    assert counts.dtype == np.uint8 and np.array_equal(counts, np.bitwise_count(a))
    assert np.array_equal(back, a)


def test_vec_mac_one_d_and_batched(rng):
    w = rng.integers(0, 2**64, size=(6, 11, 3), dtype=np.uint64)
    x = rng.integers(0, 2**64, size=(11, 3), dtype=np.uint64)
    xb = rng.integers(0, 2**64, size=(4, 11, 3), dtype=np.uint64)
    got = gb.to_host(gb.gpu_vec_mac(w, x))
    assert got.shape == (6,)
    assert np.array_equal(got, np.bitwise_count(w & x).sum(axis=(1, 2)))
    got = gb.to_host(gb.gpu_vec_mac(w, xb))
    assert got.shape == (4, 6)
    assert np.array_equal(got, np.bitwise_count(w[None] & xb[:, None]).sum(axis=(2, 3)))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: gb.gpu_vec_mac(np.zeros((2, 3), np.uint64), np.zeros(3, np.uint64)),
     ValueError, "packed_weights must be 3-D"),
    (lambda: gb.gpu_vec_mac(np.zeros((2, 3, 4), np.uint64), np.zeros((3, 5), np.uint64)),
     ValueError, r"packed_inputs must have shape \(n_in, n_words\)"),
    (lambda: gb.gpu_vec_mac(np.zeros((2, 3, 4), np.int64), np.zeros((3, 4), np.uint64)),
     TypeError, "packed_weights must have dtype uint64"),
    (lambda: gb.gpu_vec_and(np.zeros(3, np.uint64), np.zeros(4, np.uint64)),
     ValueError, "same shape"),
    (lambda: gb.gpu_popcount([1, 2]), TypeError, "numpy.ndarray of dtype uint64"),
    (lambda: gb.gpu_pack_bitstream(np.array([0, 2])), ValueError, "only 0 and 1"),
    (lambda: gb.gpu_pack_bitstream(np.zeros(4, np.float32)), TypeError, "integers 0/1"),
])
def test_functions_reject_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_backend_bit_identical_to_numpy(rng):
    backend = gb.CupyBackend()
    for length, seed, batch in [(1, 0, None), (130, 65535, None), (1024, 44257, 3),
                                (70_000, 2**32 - 1, None)]:
        n_in = 7
        weights = random_weights(rng, 5, n_in, length)
        probs = rng.random(n_in if batch is None else (batch, n_in))
        probs.flat[:2] = [0.0, 1.0]
        got = backend.sc_forward(weights, probs, length=length, seed=seed)
        assert bits_equal(got, sc_forward_numpy(weights, probs, length=length, seed=seed))


def prepared_case(rng, n_out, n_in, length, batch, seed, weight_seed=5):
    """A prepared layer, inputs with exact 0s and 1s, and the packed path's result."""
    weights = rng.random((n_out, n_in))
    weights.flat[0], weights.flat[-1] = 1.0, 0.0   # k = length and k = 0
    probs = rng.random((batch, n_in))
    probs.flat[0], probs.flat[-1] = 1.0, 0.0       # thresholds 65536 and 0
    layer = prepare_layer(weights, length, weight_seed=weight_seed)
    want = sc_forward_numpy(encode_packed(weights, length, weight_seed), probs, length=length,
                            seed=seed)
    return layer, probs, want


def prepared_operands(rng, n_out, n_in, length, batch):
    """``prepared_counts`` operands with k = 0 and length, thresholds 0, 65535 and 65536."""
    k = rng.integers(0, length + 1, size=(n_out, n_in)).astype(np.uint32)
    k.flat[0], k.flat[-1] = length, 0
    states = rng.integers(0, 65536, size=(n_in, length), dtype=np.uint16)
    thresholds = rng.integers(0, 65537, size=(batch, n_in), dtype=np.int64)
    thresholds.flat[0], thresholds.flat[-1], thresholds.flat[1] = 65536, 0, 65535
    return k, states, thresholds


def test_backend_prepared_layer_bit_identical_to_packed_path(rng):
    backend = gb.CupyBackend()
    assert backend.has_prepared_path()
    for n_out, n_in, length, batch, seed in [(5, 7, 130, 3, 65535), (3, 4, 70_001, 2, 0)]:
        layer, probs, want = prepared_case(rng, n_out, n_in, length, batch, seed)
        assert bits_equal(layer.forward(probs, seed=seed, backend=backend), want)
    k, states, thresholds = prepared_operands(rng, 4, 6, 200, 3)
    got = backend.prepared_counts(k, states, thresholds)
    assert type(got) is np.ndarray
    assert np.array_equal(got, numpy_prepared_counts(k, states, thresholds))
    with pytest.raises(ValueError, match=r"k must be in \[0, 200\]"):
        backend.prepared_counts(k + 201, states, thresholds)


# ---------------------------------------------------------------- CUDA error mid-run

@needs_cupy
def test_cuda_error_mid_run_switches_to_numpy(monkeypatch, rng):
    monkeypatch.setattr(gpu_runtime, "gpu_reason", None)  # pretend a GPU works...
    monkeypatch.setattr(gpu_runtime, "xp", gpu_runtime.cupy)

    def failing(*_args):  # ...until a kernel fails
        raise gpu_runtime.cupy.cuda.runtime.CUDARuntimeError(700)

    monkeypatch.setattr(gpu_bitops, "_gpu_mac", failing)
    w = rng.integers(0, 2**64, size=(3, 4, 2), dtype=np.uint64)
    x = rng.integers(0, 2**64, size=(4, 2), dtype=np.uint64)
    with pytest.warns(RuntimeWarning, match="cudaErrorIllegalAddress.*switching to NumPy"):
        got = gb.gpu_vec_mac(w, x)
    assert isinstance(got, np.ndarray)
    assert np.array_equal(got, np.bitwise_count(w & x).sum(axis=(1, 2)))
    assert not gb.gpu_available() and gb.xp is np
    assert "a CUDA call failed" in gb.CupyBackend.unavailable_reason()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the switch is announced once, not per call
        gb.gpu_vec_mac(w, x)


@needs_cupy
def test_cuda_error_in_sc_forward_still_returns_exact_result(monkeypatch, rng):
    monkeypatch.setattr(gpu_runtime, "gpu_reason", None)
    monkeypatch.setattr(gpu_runtime, "xp", gpu_runtime.cupy)

    def failing(_args):
        raise gpu_runtime.cupy.cuda.memory.OutOfMemoryError(1 << 40, 0, 0)

    monkeypatch.setattr(gpu_inference, "_gpu_forward", failing)
    weights = random_weights(rng, 4, 6, 200)
    probs = rng.random(6)
    with pytest.warns(RuntimeWarning, match="OutOfMemoryError"):
        got = gb.CupyBackend().sc_forward(weights, probs, length=200)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=200))


@needs_cupy
def test_cuda_error_in_prepared_counts_still_returns_exact_result(monkeypatch, rng):
    monkeypatch.setattr(gpu_runtime, "gpu_reason", None)
    monkeypatch.setattr(gpu_runtime, "xp", gpu_runtime.cupy)

    def failing(*_args):
        raise gpu_runtime.cupy.cuda.runtime.CUDARuntimeError(700)

    monkeypatch.setattr(gpu_prepared, "_gpu_prepared", failing)
    layer, probs, want = prepared_case(rng, 3, 5, 300, 2, 44257)
    with pytest.warns(RuntimeWarning, match="cudaErrorIllegalAddress.*switching to NumPy"):
        got = layer.forward(probs, backend=gb.CupyBackend())
    assert bits_equal(got, want)
    assert not gb.gpu_available()


# ---------------------------------------------------------------- no CuPy at all

def test_without_cupy_everything_runs_on_numpy_with_one_warning():
    # Importing (and probing) is silent; the first direct call warns once, at
    # the caller's line (the child's code is "<string>").
    report = run_without("cupy", "gpu_backend as gb", """
        from sc_neurocore.accel import sc_forward_numpy
        from conftest import random_weights
        rng = np.random.default_rng(1)
        report = {"has_cupy": gb.HAS_CUPY, "xp": gb.xp.__name__,
                  "import_warnings": import_warnings}
        with warnings.catch_warnings(record=True) as at_call:
            warnings.simplefilter("always")
            w = rng.integers(0, 2**64, size=(3, 5, 2), dtype=np.uint64)
            x = rng.integers(0, 2**64, size=(5, 2), dtype=np.uint64)
            report["mac_ok"] = bool(np.array_equal(
                gb.gpu_vec_mac(w, x), np.bitwise_count(w & x).sum(axis=(1, 2))))
            bits = rng.integers(0, 2, 100, dtype=np.uint8)
            report["pack_ok"] = int(gb.gpu_pack_bitstream(bits)[0]) == int(
                sum(int(b) << t for t, b in enumerate(bits[:64])))
            report["device_is_numpy"] = type(gb.to_device([1, 2])).__name__ == "ndarray"
            weights = random_weights(rng, 2, 5, 90)
            p = rng.random(5)
            report["forward_ok"] = bool(np.array_equal(
                gb.CupyBackend().sc_forward(weights, p, length=90),
                sc_forward_numpy(weights, p, length=90)))
        report["call_warnings"] = [[str(w.message), w.filename] for w in at_call]
        report["reason"] = gb.CupyBackend.unavailable_reason()
        try:
            gb.compile_ptx()
        except RuntimeError as exc:
            report["compile"] = str(exc)
        print(json.dumps(report))
    """)
    assert report["has_cupy"] is False and report["xp"] == "numpy"
    assert [m for m in report["import_warnings"] if "gpu_backend" in m] == []
    assert report["mac_ok"] and report["pack_ok"] and report["forward_ok"]
    assert report["device_is_numpy"]
    assert len(report["call_warnings"]) == 1
    message, filename = report["call_warnings"][0]
    assert "CuPy is not installed" in message and filename == "<string>"
    assert report["reason"].startswith("CuPy is not installed")
    assert "pip install -e '.[gpu]'" in message  # the hint is in the warning, not the reason
    assert "pip install" not in report["reason"]
    assert "CuPy is not installed" in report["compile"]


# ---------------------------------------------------------------- NVRTC (no GPU needed)

@needs_cupy
@pytest.mark.parametrize("arch", ["compute_70", "compute_80", "compute_90"])
def test_cuda_source_compiles_with_nvrtc(arch):
    ptx = gb.compile_ptx(arch=arch)
    assert f".target sm_{arch.split('_')[1]}" in ptx
    for name in gb.KERNEL_NAMES:
        assert f".entry {name}(" in ptx, name
    assert "popc.b64" in ptx  # __popcll became the hardware popcount
    assert "shfl.sync.down" in ptx  # the fused reduction uses warp shuffles
    assert "shfl.sync.up" in ptx  # and so does the prepared table's prefix scan


@needs_cupy
@pytest.mark.parametrize("broken, match", [
    (gb.CUDA_SOURCE.replace("__popcll(w_row[j]", "__popcount_typo(w_row[j]"),
     "__popcount_typo"),
    (gb.CUDA_SOURCE.replace("enc[k] = word;", "enc[k] = word"), "expected a \";\""),
    ("garbage {", "error"),
])
def test_broken_cuda_source_fails_to_compile(broken, match):
    with pytest.raises(gb.CudaCompileError, match=match):
        gb.compile_ptx(broken)


@needs_cupy
def test_nvrtc_found_in_fresh_process_without_cuda_toolkit():
    code = """
        import json, re
        from sc_neurocore.accel import gpu_backend as gb
        ptx = gb.compile_ptx(arch="compute_80")
        with open("/proc/self/maps") as maps:
            loaded = sorted(set(re.findall(r"\\S*libnvrtc\\.so\\S*", maps.read())))
        print(json.dumps({"entries": ptx.count(".entry"), "loaded": loaded,
                          "wheel": str(gb.nvrtc_library_path())}))
    """
    report = run_child(code, env_drop=("CUDA_PATH", "CUDA_HOME", "LD_LIBRARY_PATH"))
    assert report["entries"] == len(gb.KERNEL_NAMES)
    assert report["loaded"], "libnvrtc was not loaded"
    if gb.nvrtc_library_path() is not None:
        # the pip wheel's library is the one in use (found without a toolkit)
        assert report["wheel"] in report["loaded"]


# ---------------------------------------------------------------- kernel logic, host-emulated

HARNESS = r"""
// Host emulation of the CUDA execution model, only for checking kernel logic:
// each block's threads are real threads, __syncthreads is a block barrier and
// __shfl_down_sync / __shfl_up_sync exchange values through a buffer between warp
// barriers.
#include <barrier>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
thread_local dim3 threadIdx, blockIdx;
dim3 blockDim, gridDim;
static std::barrier<>* block_barrier;
static std::vector<std::unique_ptr<std::barrier<>>> warp_barriers;
static unsigned long long shuffle_slots[1024];
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
inline void __syncthreads() { block_barrier->arrive_and_wait(); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline unsigned long long __shfl_down_sync(unsigned, unsigned long long v, int offset) {
    const unsigned t = threadIdx.x, lane = t & 31u, warp = t >> 5;
    shuffle_slots[t] = v;
    warp_barriers[warp]->arrive_and_wait();
    const unsigned long long got = (lane + offset < 32) ? shuffle_slots[t + offset] : v;
    warp_barriers[warp]->arrive_and_wait();
    return got;
}
inline unsigned __shfl_up_sync(unsigned, unsigned v, int offset) {
    const unsigned t = threadIdx.x, lane = t & 31u, warp = t >> 5;
    shuffle_slots[t] = v;
    warp_barriers[warp]->arrive_and_wait();
    const unsigned got = (lane >= (unsigned)offset) ? (unsigned)shuffle_slots[t - offset] : v;
    warp_barriers[warp]->arrive_and_wait();
    return got;
}
#include "kernels.cu"
template <class F> void launch(unsigned gx, unsigned gy, unsigned threads, F body) {
    gridDim = dim3{gx, gy, 1};
    blockDim = dim3{threads, 1, 1};
    for (unsigned by = 0; by < gy; ++by) {
        for (unsigned bx = 0; bx < gx; ++bx) {
            std::barrier<> barrier(threads);
            block_barrier = &barrier;
            warp_barriers.clear();
            for (unsigned w = 0; w < threads / 32; ++w) {
                warp_barriers.emplace_back(new std::barrier<>(32));
            }
            std::vector<std::thread> pool;
            for (unsigned t = 0; t < threads; ++t) {
                pool.emplace_back([=] {
                    threadIdx = dim3{t, 0, 0};
                    blockIdx = dim3{bx, by, 0};
                    body();
                });
            }
            for (auto& th : pool) th.join();
        }
    }
}
typedef long long i64;
extern "C" {
void emu_sc_vec_mac(unsigned gx, unsigned gy, unsigned nt, const u64* w, const u64* x, u64* c,
                    i64 n_out, i64 batch, i64 row) {
    launch(gx, gy, nt, [=] { sc_vec_mac(w, x, c, n_out, batch, row); });
}
void emu_sc_encode(unsigned gx, unsigned gy, unsigned nt, const unsigned short* cycle,
                   const i64* start, const unsigned short* mask, const i64* thresh, u64* enc,
                   i64 batch, i64 n_in, i64 n_words, i64 length) {
    launch(gx, gy, nt, [=] {
        sc_encode(cycle, start, mask, thresh, enc, batch, n_in, n_words, length);
    });
}
void emu_sc_pack_bits(unsigned gx, unsigned gy, unsigned nt, const unsigned char* bits, u64* out,
                      i64 rows, i64 n_bits, i64 n_words) {
    launch(gx, gy, nt, [=] { sc_pack_bits(bits, out, rows, n_bits, n_words); });
}
void emu_sc_popcount64(unsigned gx, unsigned gy, unsigned nt, const u64* a, unsigned char* out,
                       i64 n) {
    launch(gx, gy, nt, [=] { sc_popcount64(a, out, n); });
}
void emu_sc_prepared_table(unsigned gx, unsigned gy, unsigned nt, const unsigned short* states,
                           const i64* thresh, u64* words, unsigned* before, i64 rows, i64 n_in,
                           i64 length, i64 stride) {
    launch(gx, gy, nt, [=] {
        sc_prepared_table(states, thresh, words, before, rows, n_in, length, stride);
    });
}
void emu_sc_prepared_lookup(unsigned gx, unsigned gy, unsigned nt, const unsigned* k,
                            const u64* words, const unsigned* before, u64* counts, i64 n_out,
                            i64 n_in, i64 batch, i64 stride) {
    launch(gx, gy, nt, [=] {
        sc_prepared_lookup(k, words, before, counts, n_out, n_in, batch, stride);
    });
}
}
"""


@pytest.fixture(scope="module")
def emulated_kernels(tmp_path_factory):
    """The CUDA source built for the host under the emulation harness (needs g++ with C++20)."""
    compiler = shutil.which("g++")
    if compiler is None:
        pytest.skip("g++ is not installed")
    folder = tmp_path_factory.mktemp("cuda_emulation")
    (folder / "kernels.cu").write_text(gb.CUDA_SOURCE.replace('extern "C" ', ""))
    (folder / "harness.cpp").write_text(HARNESS)
    lib = folder / "libemu.so"
    proc = subprocess.run([compiler, "-std=c++20", "-O1", "-shared", "-fPIC", "-pthread",
                           "harness.cpp", "-o", str(lib)], cwd=folder, capture_output=True,
                          text=True)
    if proc.returncode and "barrier: No such file" in proc.stderr:
        pytest.skip("g++ has no C++20 <barrier>")
    assert proc.returncode == 0, proc.stderr
    return ctypes.CDLL(str(lib))


class _DeviceArray(np.ndarray):
    """Stands in for ``cupy.ndarray`` (host memory)."""


def _dev(a: object, dtype=None) -> _DeviceArray:
    return np.ascontiguousarray(np.asarray(a, dtype=dtype)).view(_DeviceArray)


@pytest.fixture
def emulated_gpu(emulated_kernels, monkeypatch):
    """Run gpu_backend's GPU code path with a NumPy stand-in for CuPy whose raw
    kernels execute the real CUDA source under the host emulation."""
    fake = types.SimpleNamespace(
        ndarray=_DeviceArray, asarray=_dev, ascontiguousarray=_dev,
        asnumpy=lambda a: np.array(a).view(np.ndarray),
        empty=lambda shape, dtype: _dev(np.empty(shape, dtype)),
        zeros=lambda shape, dtype: _dev(np.zeros(shape, dtype)),
        bitwise_and=lambda a, b: _dev(np.bitwise_and(a, b)))
    launches: list[tuple[str, tuple, tuple]] = []

    def kernel(name: str):
        entry = getattr(emulated_kernels, f"emu_{name}")

        def launch(grid, block, args):
            launches.append((name, grid, block))
            assert block[0] % 32 == 0 and block[0] <= 1024
            gx, gy = (tuple(grid) + (1,))[:2]
            raw = [ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray)
                   else ctypes.c_longlong(int(a)) for a in args]
            entry(ctypes.c_uint(gx), ctypes.c_uint(gy), ctypes.c_uint(block[0]), *raw)

        return launch

    monkeypatch.setattr(gpu_runtime, "cupy", fake)
    monkeypatch.setattr(gpu_runtime, "gpu_reason", None)
    monkeypatch.setattr(gpu_runtime, "xp", fake)
    monkeypatch.setattr(gpu_kernels, "THREADS", 64)
    monkeypatch.setattr(gpu_kernels, "compiled", lambda: {n: kernel(n) for n in gb.KERNEL_NAMES})
    gpu_inference.device_cycle.cache_clear()
    yield launches
    gpu_inference.device_cycle.cache_clear()


def test_emulated_kernels_vector_ops(emulated_gpu, rng):
    w = rng.integers(0, 2**64, size=(5, 33, 3), dtype=np.uint64)
    x = rng.integers(0, 2**64, size=(33, 3), dtype=np.uint64)
    xb = rng.integers(0, 2**64, size=(4, 33, 3), dtype=np.uint64)
    got = gb.gpu_vec_mac(w, x)
    assert isinstance(got, _DeviceArray)  # results stay "on the device"
    assert np.array_equal(got, np.bitwise_count(w & x).sum(axis=(1, 2)))
    got = gb.gpu_vec_mac(_dev(w), _dev(xb))
    assert np.array_equal(got, np.bitwise_count(w[None] & xb[:, None]).sum(axis=(2, 3)))
    bits = rng.integers(0, 2, size=(3, 150), dtype=np.uint8)
    assert np.array_equal(gb.gpu_pack_bitstream(bits), pack_bitstream(bits))
    assert np.array_equal(gb.gpu_pack_bitstream(_dev(bits[1].astype(bool))),
                          pack_bitstream(bits[1]))
    with pytest.raises(ValueError, match="only 0 and 1"):
        gb.gpu_pack_bitstream(_dev(bits * 2))
    assert np.array_equal(gb.gpu_popcount(w), np.bitwise_count(w))
    assert np.array_equal(gb.gpu_vec_and(w, _dev(w[::-1])), vec_and(w, w[::-1].copy()))
    assert {name for name, _, _ in emulated_gpu} == {"sc_vec_mac", "sc_pack_bits",
                                                     "sc_popcount64"}


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("n_out, n_in, length, batch, seed", [
    (4, 9, 130, None, 65535), (3, 5, 1024, 3, 44257), (2, 3, 70_000, 2, 0), (1, 1, 1, None, 7)])
def test_emulated_kernels_sc_forward_bit_identical(emulated_gpu, rng, n_out, n_in, length,
                                                   batch, seed, generator):
    weights = random_weights(rng, n_out, n_in, length)
    probs = rng.random(n_in if batch is None else (batch, n_in))
    probs.flat[0] = 1.0
    probs.flat[-1] = 0.0
    got = gb.CupyBackend().sc_forward(weights, probs, length=length, seed=seed,
                                      generator=generator)
    assert type(got) is np.ndarray
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=length, seed=seed,
                                            generator=generator))
    assert [name for name, _, _ in emulated_gpu] == ["sc_encode", "sc_vec_mac"]


@pytest.mark.parametrize("threads", [32, 64, 128])   # one warp, two, four
@pytest.mark.parametrize("n_out, n_in, length, batch, seed", [
    (4, 9, 130, 1, 65535), (3, 5, 1024, 3, 44257), (2, 3, 70_001, 2, 0), (1, 1, 1, 1, 7),
    (7, 33, 64 * 70, 2, 3)])
def test_emulated_kernels_prepared_layer_bit_identical(emulated_gpu, monkeypatch, rng, threads,
                                                       n_out, n_in, length, batch, seed):
    monkeypatch.setattr(gpu_kernels, "THREADS", threads)
    layer, probs, want = prepared_case(rng, n_out, n_in, length, batch, seed)
    got = layer.forward(probs, seed=seed, backend=gb.CupyBackend())
    assert type(got) is np.ndarray
    assert bits_equal(got, want)
    assert [name for name, _, _ in emulated_gpu] == ["sc_prepared_table", "sc_prepared_lookup"]


def test_emulated_kernels_prepared_counts_a_batch_row_per_step(emulated_gpu, monkeypatch, rng):
    monkeypatch.setattr(gpu_prepared, "TABLE_BYTES", 1)   # a table of one batch row per step
    k, states, thresholds = prepared_operands(rng, 6, 4, 333, 3)
    got = gb.CupyBackend().prepared_counts(k, states, thresholds)
    assert type(got) is np.ndarray and got.dtype == np.uint64
    assert np.array_equal(got, numpy_prepared_counts(k, states, thresholds))
    assert [name for name, _, _ in emulated_gpu] == ["sc_prepared_table",
                                                     "sc_prepared_lookup"] * 3
    emulated_gpu.clear()
    empty = gb.CupyBackend().prepared_counts(k[:, :0], states[:0], thresholds[:, :0])
    assert np.array_equal(empty, np.zeros((3, 6), dtype=np.uint64)) and emulated_gpu == []


# ---------------------------------------------------------------- real GPU

@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("length", [1, 64, 130, 1024, 70_000])
@pytest.mark.parametrize("seed", [0, 44257, 65535, 2**32 - 1])
def test_gpu_sc_forward_bit_identical(rng, length, seed, generator):
    weights = random_weights(rng, 6, 9, length)
    probs = rng.random(9)
    probs[:3] = [0.0, 1.0, 0.5]
    got = get_backend("cupy").sc_forward(weights, probs, length=length, seed=seed,
                                         generator=generator)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=length, seed=seed,
                                            generator=generator))



@pytest.mark.gpu
@requires_gpu
def test_gpu_w1_and_batch_match_numpy(rng):
    weights = random_weights(rng, 128, 784, 1024)
    probs = rng.random((3, 784))
    got = gb.CupyBackend().sc_forward(weights, probs, length=1024)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=1024))
    assert gb.gpu_available()  # no silent switch to NumPy happened


@pytest.mark.gpu
@requires_gpu
def test_gpu_functions_keep_arrays_on_device(rng):
    w = rng.integers(0, 2**64, size=(128, 784, 16), dtype=np.uint64)
    x = rng.integers(0, 2**64, size=(784, 16), dtype=np.uint64)
    dw, dx = gb.to_device(w), gb.to_device(x)
    assert isinstance(dw, gpu_runtime.cupy.ndarray)
    counts = gb.gpu_vec_mac(dw, dx)
    assert isinstance(counts, gpu_runtime.cupy.ndarray)
    assert np.array_equal(gb.to_host(counts), np.bitwise_count(w & x).sum(axis=(1, 2)))
    assert isinstance(gb.gpu_popcount(dw), gpu_runtime.cupy.ndarray)
    assert np.array_equal(gb.to_host(gb.gpu_popcount(dw)), np.bitwise_count(w))
    assert np.array_equal(gb.to_host(gb.gpu_vec_and(dw[0], dx)), w[0] & x)
    bits = rng.integers(0, 2, size=(5, 1000), dtype=np.uint8)
    assert np.array_equal(gb.to_host(gb.gpu_pack_bitstream(gb.to_device(bits))),
                          pack_bitstream(bits))
    assert gb.gpu_available()


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("length", [1, 64, 130, 1024, 65536, 70_001])
@pytest.mark.parametrize("seed", [0, 65535, 2**32 - 1])
def test_gpu_prepared_layer_bit_identical(rng, length, seed):
    layer, probs, want = prepared_case(rng, 6, 9, length, 3, seed)
    assert bits_equal(layer.forward(probs, seed=seed, backend="cupy"), want)
    assert bits_equal(layer.forward(probs[1], seed=seed, backend="cupy"), want[1])


@pytest.mark.gpu
@requires_gpu
def test_gpu_prepared_w1_batch_in_steps(rng, monkeypatch):
    layer, probs, want = prepared_case(rng, 128, 784, 1024, 32, 44257)
    assert bits_equal(layer.forward(probs, backend="cupy"), want)
    monkeypatch.setattr(gpu_prepared, "TABLE_BYTES", 1)   # one batch row per step
    assert bits_equal(layer.forward(probs, backend="cupy"), want)
    k, states, thresholds = prepared_operands(rng, 300, 70, 5000, 5)
    assert np.array_equal(gb.CupyBackend().prepared_counts(k, states, thresholds),
                          numpy_prepared_counts(k, states, thresholds))
    assert gb.gpu_available()  # no silent switch to NumPy happened


def test_emulated_kernels_pass_the_prepared_golden_cases(emulated_gpu):
    # What `python -m parity run --lang cupy` checks on a GPU, here on the emulated kernels.
    from parity.compare import compare_kernel
    from parity.kernels import prepared_forward_on
    from parity.languages import run_python_case
    from parity.runner import load_goldens

    golden = load_goldens(["prepared_forward"])["prepared_forward"]
    kernel = prepared_forward_on(gb.CupyBackend())
    result = compare_kernel(golden, {case.id: run_python_case(kernel, case.inputs)
                                     for case in golden.cases})
    assert result.status == "pass", result.first
    assert result.passed == result.total == len(golden.cases)
    assert "sc_prepared_lookup" in {name for name, _, _ in emulated_gpu}
