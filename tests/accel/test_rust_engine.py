"""The Rust engine ``sc_neurocore._engine`` called directly: tiers, threads, errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import random_weights
from sc_neurocore.accel import (
    encode_packed,
    pack_bitstream,
    sc_forward_numpy,
    unpack_bitstream,
    vector_ops,
)

engine = pytest.importorskip("sc_neurocore._engine")  # required by make test (see test_backend)


@pytest.fixture
def restore_engine():
    threads = engine.get_num_threads()
    yield
    engine.force_simd_tier(None)
    engine.set_num_threads(threads)


def test_tier_names():
    tiers = engine.available_simd_tiers()
    assert "portable" in tiers
    assert engine.simd_tier() in tiers
    assert set(tiers) <= {"avx512-vpopcntdq", "avx2", "portable"}


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_every_tier_equals_portable_and_numpy(restore_engine, rng, threads):
    engine.set_num_threads(threads)
    assert engine.get_num_threads() == threads
    cases = [(5, 7, 1), (3, 9, 63), (4, 11, 700), (2, 3, 4096 + 5)]
    for n_out, n_in, length in cases:
        weights = random_weights(rng, n_out, n_in, length)
        probs = rng.random((3, n_in))
        want = sc_forward_numpy(weights, probs, length=length, seed=65533)
        for tier in engine.available_simd_tiers():
            engine.force_simd_tier(tier)
            got = engine.sc_forward(weights, probs, length, 65533)
            assert np.array_equal(got.view(np.uint64), want.view(np.uint64)), tier
            words = weights.reshape(-1)
            assert engine.popcount(words) == int(np.bitwise_count(words).sum())


def test_unknown_tier_rejected(restore_engine):
    with pytest.raises(ValueError):
        engine.force_simd_tier("sse9")


def test_kernels_match_numpy(rng):
    a, b, s = (rng.integers(0, 2**64, size=(3, 5), dtype=np.uint64, endpoint=False)
               for _ in range(3))
    for name, args in (("vec_and", (a, b)), ("vec_xnor", (a, b)), ("vec_not", (a,)),
                       ("vec_mux", (s, a, b))):
        assert np.array_equal(getattr(engine, name)(*args), getattr(vector_ops, name)(*args)), name
    assert np.array_equal(engine.popcount_per_word(a), np.bitwise_count(a).astype(np.uint64))
    bits = rng.integers(0, 2, size=(4, 130), dtype=np.uint8)
    packed = engine.pack_bitstream(bits)
    assert np.array_equal(packed, pack_bitstream(bits))
    assert np.array_equal(engine.unpack_bitstream(packed, 130), bits)
    assert np.array_equal(unpack_bitstream(packed, 4 * 130), bits)
    probs = rng.random((2, 6))
    assert np.array_equal(engine.encode_packed(probs, 100, 65535), encode_packed(probs, 100, 65535))


@pytest.mark.parametrize("call, exc", [
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros(3), 65, 0), ValueError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.float64), np.zeros(3), 64, 0), TypeError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros(4), 64, 0), ValueError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.full(3, np.nan), 64, 0),
     ValueError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros(3), 64, 2**32),
     ValueError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros(3), 0, 0), ValueError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros(3), True, 0), TypeError),
    (lambda: engine.sc_forward(np.zeros((2, 6, 1), np.uint64)[:, ::2], np.zeros(3), 64, 0),
     ValueError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), ">u8"), np.zeros(3), 64, 0), TypeError),
    (lambda: engine.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros(3), 2**80, 0), ValueError),
    (lambda: engine.pack_bitstream(np.array([0, 2], np.uint8)), ValueError),
    (lambda: engine.unpack_bitstream(np.zeros(1, np.uint64), 65), ValueError),
    (lambda: engine.vec_and(np.zeros(2, np.uint64), np.zeros(3, np.uint64)), ValueError),
    (lambda: engine.encode_packed(np.array([1.5]), 8, 0), ValueError),
    (lambda: engine.set_num_threads(0), ValueError),
])
def test_bad_input_is_a_python_exception(call, exc):
    with pytest.raises(exc):
        call()


def test_gil_released_during_forward(rng):
    # While a background thread sits inside the engine, this thread keeps
    # running Python.  Were the GIL held for the whole call, it could only run
    # between calls: a handful of iterations, not hundreds.
    weights = random_weights(rng, 256, 784, 4096)
    probs = rng.random(784)
    started = threading.Event()

    def work():
        started.set()
        for _ in range(5):
            engine.sc_forward(weights, probs, 4096, 1)

    worker = threading.Thread(target=work)
    worker.start()
    started.wait()
    iterations = 0
    while worker.is_alive():
        iterations += 1
        time.sleep(0)
    worker.join()
    assert iterations > 100


def test_pool_counters_count_parallel_calls_only(restore_engine, rng):
    keys = {"regions", "regions_helped", "tasks", "helper_tasks"}
    weights = random_weights(rng, 64, 256, 1024)
    probs = rng.random(256)
    engine.set_num_threads(1)
    before = engine.pool_counters()
    assert set(before) == keys and all(type(v) is int and v >= 0 for v in before.values())
    engine.sc_forward(weights, probs, 1024, 7)
    # One thread runs no parallel region.
    assert engine.pool_counters()["regions"] == before["regions"]
    engine.set_num_threads(2)
    for _ in range(20):
        engine.sc_forward(weights, probs, 1024, 7)
    after = engine.pool_counters()
    assert after["regions"] >= before["regions"] + 20
    assert after["tasks"] - before["tasks"] >= 2 * (after["regions"] - before["regions"])
    assert 0 <= after["regions_helped"] - before["regions_helped"] <= (
        after["regions"] - before["regions"])
    assert 0 <= after["helper_tasks"] - before["helper_tasks"] <= after["tasks"] - before["tasks"]
