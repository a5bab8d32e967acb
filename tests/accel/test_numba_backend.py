"""Numba kernels and backend (issue 3): correctness, validation, caching, fallback.

The compiled paths run where Numba is installed; the NumPy fallback is always
exercised in a child process in which ``import numba`` fails.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from conftest import random_weights, run_child, run_without
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_neurocore._validation import validate_forward
from sc_neurocore.accel import get_backend, pack_bitstream, sc_forward_numpy
from sc_neurocore.accel import jit_kernels as jk
from sc_neurocore.accel._backends.on_numba import scheduling
from sc_neurocore.accel._encoder import encoder_operands

needs_numba = pytest.mark.skipif(not jk.HAS_NUMBA, reason="numba is not installed")


# ---------------------------------------------------------------- jit_pack_bits

@needs_numba
@pytest.mark.parametrize("n_words", [0, 1, 2, 7, 33])
def test_pack_bits_matches_reference(rng, n_words):
    bits = rng.integers(0, 2, size=64 * n_words, dtype=np.uint8)
    out = np.empty(n_words, dtype=np.uint64)
    assert jk.jit_pack_bits(bits, out) is None
    assert np.array_equal(out, pack_bitstream(bits))


@needs_numba
def test_pack_bits_layout_lsb_first():
    bits = np.zeros(128, dtype=np.uint8)
    bits[[0, 5, 63, 64, 127]] = 1
    out = np.zeros(2, dtype=np.uint64)
    jk.jit_pack_bits(bits, out)
    assert out.tolist() == [(1 << 0) | (1 << 5) | (1 << 63), (1 << 0) | (1 << 63)]
    assert out.tolist() == oracle.pack(bits.tolist())


@needs_numba
def test_pack_bits_accepts_bool():
    bits = np.tile(np.array([True, False]), 64)
    out = np.empty(2, dtype=np.uint64)
    jk.jit_pack_bits(bits, out)
    assert out.tolist() == [0x5555555555555555] * 2


@pytest.mark.parametrize("bits, packed, exc, match", [
    (np.zeros(65, np.uint8), np.zeros(1, np.uint64), ValueError, "multiple of 64"),
    (np.zeros((2, 64), np.uint8), np.zeros(2, np.uint64), ValueError, "1-D"),
    (np.full(64, 2, np.uint8), np.zeros(1, np.uint64), ValueError, "only 0 and 1"),
    (np.zeros(64, np.float64), np.zeros(1, np.uint64), TypeError, "integers 0/1"),
    (np.zeros(64, np.uint8), np.zeros(1, np.int64), TypeError, "packed_arr must have dtype uint64"),
    (np.zeros(64, np.uint8), [0], TypeError, "packed_arr must be a numpy.ndarray"),
    (np.zeros(128, np.uint8), np.zeros(1, np.uint64), ValueError, r"shape \(2,\)"),
    (np.zeros(128, np.uint8), np.zeros(4, np.uint64)[::2], ValueError, "C-contiguous"),
])
def test_pack_bits_rejects_bad_arguments(bits, packed, exc, match):
    with pytest.raises(exc, match=match):
        jk.jit_pack_bits(bits, packed)


def test_pack_bits_rejects_read_only_output():
    out = np.zeros(1, np.uint64)
    out.setflags(write=False)
    with pytest.raises(ValueError, match="writeable"):
        jk.jit_pack_bits(np.zeros(64, np.uint8), out)


# ---------------------------------------------------------------- jit_vec_mac

def reference_mac(weights: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    return np.bitwise_count(weights & inputs[None]).sum(axis=(1, 2), dtype=np.int64)


@needs_numba
@given(n_out=st.integers(0, 6), n_in=st.integers(0, 9), n_words=st.integers(0, 5),
       seed=st.integers(0, 2**31))
@settings(max_examples=30, deadline=None)
def test_vec_mac_matches_reference(n_out, n_in, n_words, seed):
    rng = np.random.default_rng(seed)
    weights = rng.integers(0, 2**64, size=(n_out, n_in, n_words), dtype=np.uint64)
    inputs = rng.integers(0, 2**64, size=(n_in, n_words), dtype=np.uint64)
    out = np.full(n_out, -1, dtype=np.int64)
    jk.jit_vec_mac(weights, inputs, out)
    assert np.array_equal(out, reference_mac(weights, inputs))


@needs_numba
def test_vec_mac_w1_shape_and_uint64_output(rng):
    weights = rng.integers(0, 2**64, size=(128, 784, 16), dtype=np.uint64)
    inputs = rng.integers(0, 2**64, size=(784, 16), dtype=np.uint64)
    out = np.zeros(128, dtype=np.uint64)
    jk.jit_vec_mac(weights, inputs, out)
    assert np.array_equal(out, reference_mac(weights, inputs).astype(np.uint64))


@needs_numba
def test_vec_mac_all_ones_and_non_contiguous_inputs():
    weights = np.full((2, 3, 4), np.uint64(2**64 - 1))
    inputs = np.full((3, 8), np.uint64(2**64 - 1))[:, ::2]  # a strided view is copied
    out = np.zeros(2, dtype=np.int64)
    jk.jit_vec_mac(weights, inputs, out)
    assert out.tolist() == [3 * 4 * 64] * 2


@pytest.mark.parametrize("weights, inputs, out, exc, match", [
    (np.zeros((2, 3), np.uint64), np.zeros((3,), np.uint64), np.zeros(2, np.int64),
     ValueError, "packed_weights must be 3-D"),
    (np.zeros((2, 3, 4), np.int64), np.zeros((3, 4), np.uint64), np.zeros(2, np.int64),
     TypeError, "packed_weights must have dtype uint64"),
    (np.zeros((2, 3, 4), np.uint64), np.zeros((3, 5), np.uint64), np.zeros(2, np.int64),
     ValueError, r"packed_inputs must have shape \(n_in, n_words\) = \(3, 4\)"),
    (np.zeros((2, 3, 4), np.uint64), np.zeros((3, 4), np.uint64), np.zeros(3, np.int64),
     ValueError, r"outputs must have shape \(2,\)"),
    (np.zeros((2, 3, 4), np.uint64), np.zeros((3, 4), np.uint64), np.zeros(2, np.complex128),
     TypeError, "outputs must have an integer or floating dtype"),
    (np.zeros((2, 3, 4), np.uint64), np.zeros((3, 4), np.uint64), np.zeros(2, bool),
     TypeError, "outputs must have an integer or floating dtype"),
    (np.zeros((2, 3, 4), np.uint64), np.zeros((3, 4), np.uint64), np.zeros(2, np.int8),
     ValueError, r"outputs of dtype int8 cannot hold every count.*up to 768.*127"),
    (np.zeros((2, 40, 1), np.uint64), np.zeros((40, 1), np.uint64), np.zeros(2, np.float16),
     ValueError, r"outputs of dtype float16 cannot hold.*up to 2560.*2048"),
    (np.zeros((2, 3, 4), np.uint64), [[0] * 4] * 3, np.zeros(2, np.int64),
     TypeError, "packed_inputs must be a numpy.ndarray"),
])
def test_vec_mac_rejects_bad_arguments(weights, inputs, out, exc, match):
    with pytest.raises(exc, match=match):
        jk.jit_vec_mac(weights, inputs, out)


# ---------------------------------------------------------------- NumbaBackend

EDGE_PROBS = [0.0, 1.0, 1 / 65536, 0.5, 0.3, 15 / 131072, 17 / 131072, 65535.5 / 65536, 1e-12]


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and a.shape == b.shape and np.array_equal(
        a.view(np.uint64), b.view(np.uint64))


@needs_numba
def test_backend_is_registered_and_available():
    backend = get_backend("numba")
    assert isinstance(backend, jk.NumbaBackend)
    assert jk.NumbaBackend.unavailable_reason() is None
    assert backend.extra == "numba"


@needs_numba
@pytest.mark.parametrize("length", [1, 63, 64, 65, 200, 1024, 70_000])
@pytest.mark.parametrize("seed", [0, 44257, 65535, 3 * 65536 - 2, 2**32 - 1])
def test_backend_bit_identical_to_numpy(rng, length, seed):
    weights = random_weights(rng, 4, len(EDGE_PROBS), length)
    probs = np.array(EDGE_PROBS)
    got = jk.NumbaBackend().sc_forward(weights, probs, length=length, seed=seed)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=length, seed=seed))


@needs_numba
@pytest.mark.parametrize("batch", [1, 2, 5])
def test_backend_batched_rows_match_one_d_calls(rng, batch):
    weights = random_weights(rng, 9, 31, 300)
    probs = rng.random((batch, 31))
    probs[0, :3] = [0.0, 1.0, 0.5]
    backend = jk.NumbaBackend()
    got = backend.sc_forward(weights, probs, length=300, seed=99)
    assert got.shape == (batch, 9)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=300, seed=99))
    for b in range(batch):
        assert bits_equal(got[b], backend.sc_forward(weights, probs[b], length=300, seed=99))


@needs_numba
def test_backend_matches_oracle_small(rng):
    weights = random_weights(rng, 3, 4, 130)
    probs = [0.1, 0.9, 0.5, 1.0]
    got = jk.NumbaBackend().sc_forward(weights, np.array(probs), length=130, seed=65534)
    assert bits_equal(got, np.array(oracle.forward(weights.tolist(), probs, 130, 65534)))


@needs_numba
def test_backend_w1_matches_numpy(rng):
    weights = random_weights(rng, 128, 784, 1024)
    probs = rng.random(784)
    got = jk.NumbaBackend().sc_forward(weights, probs, length=1024)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=1024))


@needs_numba
def test_backend_rejects_invalid_input():
    backend = jk.NumbaBackend()
    weights = np.zeros((2, 3, 2), np.uint64)
    with pytest.raises(ValueError, match="n_words"):
        backend.sc_forward(weights, np.zeros(3), length=200)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        backend.sc_forward(weights, np.array([0.1, 1.5, 0.2]), length=100)
    with pytest.raises(TypeError, match="uint64"):
        backend.sc_forward(weights.astype(np.int64), np.zeros(3), length=100)


# ---------------------------------------------------------------- threads and chunks

@pytest.fixture
def forced_threads(monkeypatch):
    """Set the kernels' thread count and make every call, however small, use them."""
    def force(n: int, chunk_words: int = 64) -> None:
        monkeypatch.setattr(scheduling, "num_threads", lambda: n)
        monkeypatch.setattr(scheduling, "PARALLEL_WORDS", 0)
        monkeypatch.setattr(scheduling, "CHUNK_WORDS", chunk_words)
    return force


@needs_numba
@pytest.mark.parametrize("threads", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("n_out, n_in, length, batch", [
    (1, 1, 1, 1), (7, 13, 65, 1), (13, 5, 700, 3), (31, 9, 64, 2), (4, 40, 129, 5)])
def test_every_thread_count_and_odd_chunking_is_bit_identical(
        forced_threads, rng, threads, n_out, n_in, length, batch):
    # Chunks of a few words, so every call splits into many uneven chunks.
    forced_threads(threads)
    weights = random_weights(rng, n_out, n_in, length)
    probs = rng.random((batch, n_in))
    probs[0, :2] = [0.0, 1.0][:n_in]
    got = jk.NumbaBackend().sc_forward(weights, probs, length=length, seed=65530)
    assert bits_equal(got, sc_forward_numpy(weights, probs, length=length, seed=65530))
    inputs = rng.integers(0, 2**64, size=(n_in, weights.shape[2]), dtype=np.uint64)
    out = np.full(n_out, -1, dtype=np.int64)
    jk.jit_vec_mac(weights, inputs, out)
    assert np.array_equal(out, reference_mac(weights, inputs))
    bits = rng.integers(0, 2, size=64 * (n_out + 2), dtype=np.uint8)
    packed = np.empty(n_out + 2, dtype=np.uint64)
    jk.jit_pack_bits(bits, packed)
    assert np.array_equal(packed, pack_bitstream(bits))


@needs_numba
def test_caller_takes_over_chunks_a_helper_claimed_but_never_finished(rng):
    from sc_neurocore.accel._backends.on_numba import kernels  # compiled: Numba only

    # Two threads' worth of bookkeeping: slot 1 (a helper) has claimed its
    # first two chunks and then stalled, so they are claimed but not done.
    weights = rng.integers(0, 2**64, size=(9, 12), dtype=np.uint64)
    inputs = rng.integers(0, 2**64, size=12, dtype=np.uint64)
    want = np.bitwise_count(weights & inputs).sum(axis=1, dtype=np.int64)
    claims = np.array([1, 0, 2], dtype=np.int64)   # joined, slot 0, slot 1
    done = np.zeros(9, dtype=np.int64)             # one row per chunk
    out = np.full(9, -1, dtype=np.int64)
    stop, everything = np.zeros(1, np.int64), scheduling.NO_BUDGET
    assert kernels.mac_rows_kernel(claims, done, True, stop, np.zeros((2, 2), np.int64),
                                   everything, weights, inputs, out, 1)
    assert np.array_equal(out, want)
    assert done.tolist() == [1] * 9
    # Once every chunk is claimed, the caller runs only those not marked done:
    # chunk 4 (done) keeps whatever it holds.
    done[:] = 0
    done[4] = 1
    claims[:] = [1, 4, 5]                          # both ranges fully claimed
    out[:] = -1
    kernels.mac_rows_kernel(claims, done, True, stop, np.zeros((2, 2), np.int64), everything,
                            weights, inputs, out, 1)
    assert out[4] == -1 and np.array_equal(np.delete(out, 4), np.delete(want, 4))


def forward_kernel_case(rng, n_out):
    """Packed weights ``(n_out, 11, 5)``, the encoder operands (cycle, start, mask,
    thresholds) of a ``(2, 11)`` batch at length 300, seed 7, and NumPy's result."""
    args = validate_forward(random_weights(rng, n_out, 11, 300), rng.random((2, 11)), 300, 7)
    operands = encoder_operands(args.probs, args.length, args.seed)
    encoder = (operands.cycle, operands.start, operands.mask, operands.thresholds)
    return args.weights, encoder, sc_forward_numpy(args.weights, args.probs, length=300, seed=7)


@needs_numba
def test_forward_kernel_every_thread_encodes_what_it_needs(rng):
    from sc_neurocore.accel._backends.on_numba import kernels  # compiled: Numba only

    # A helper (takeover False) that joins first and runs alone must leave
    # every row it claimed right, having encoded every input chunk itself.
    weights, encoder, want = forward_kernel_case(rng, 6)
    enc = np.zeros((11, 2, 5), dtype=np.uint64)
    counts = np.full((2, 6), -1, dtype=np.int64)
    enc_claims, row_claims = np.zeros(3, np.int64), np.zeros(3, np.int64)
    enc_done, row_done = np.zeros(4, np.int64), np.zeros(6, np.int64)
    assert kernels.forward_kernel(enc_claims, enc_done, row_claims, row_done, False,
                                  np.zeros(1, np.int64), np.zeros((2, 2), np.int64),
                                  scheduling.NO_BUDGET, *encoder, 300, enc,
                                  3, weights, counts, 1)
    assert enc_done.tolist() == [1] * 4 and row_done.tolist() == [1] * 6
    assert bits_equal(counts / np.float64(300), want)


@needs_numba
def test_forward_kernel_in_slices_and_with_stop_set(rng):
    from sc_neurocore.accel._backends.on_numba import kernels  # compiled: Numba only

    # The calling thread runs the kernel in slices of a few words' budget: it
    # returns False until done, then True, and the result is complete. With
    # ``stop`` set (an interrupted call) a thread takes no chunk at all.
    weights, encoder, want = forward_kernel_case(rng, 20)

    def bookkeeping():
        return (np.zeros(3, np.int64), np.zeros(4, np.int64), np.zeros(3, np.int64),
                np.zeros(20, np.int64), np.zeros((11, 2, 5), np.uint64),
                np.full((2, 20), -1, np.int64))

    enc_claims, enc_done, row_claims, row_done, enc, counts = bookkeeping()
    cursor, stop, slices = np.zeros((2, 2), np.int64), np.zeros(1, np.int64), 1
    while not kernels.forward_kernel(enc_claims, enc_done, row_claims, row_done, True, stop,
                                     cursor, 1, *encoder, 300, enc, 3,
                                     weights, counts, 1):
        slices += 1
    assert slices == 4 + 20 + 1  # one chunk per slice (budget 1 word), then "finished"
    assert bits_equal(counts / np.float64(300), want)
    enc_claims, enc_done, row_claims, row_done, enc, counts = bookkeeping()
    stop[0] = 1
    assert kernels.forward_kernel(enc_claims, enc_done, row_claims, row_done, False, stop,
                                  np.zeros((2, 2), np.int64), scheduling.NO_BUDGET, *encoder,
                                  300, enc, 3, weights, counts, 1)
    assert not enc_done.any() and not row_done.any() and (counts == -1).all()


# ---------------------------------------------------------------- on-disk cache

@needs_numba
def test_compiled_code_is_cached_for_the_next_process(tmp_path):
    code = """
        import json
        import numpy as np
        from sc_neurocore.accel import jit_kernels as jk
        w = np.ones((2, 3, 4), np.uint64)
        out = np.zeros(2, np.int64)
        jk.jit_vec_mac(w, np.ones((3, 4), np.uint64), out)
        from sc_neurocore.accel._backends.on_numba import kernels
        stats = kernels.mac_rows_kernel.stats
        print(json.dumps({"hits": sum(stats.cache_hits.values()),
                          "misses": sum(stats.cache_misses.values()),
                          "out": out.tolist()}))
    """
    first = run_child(code, NUMBA_CACHE_DIR=str(tmp_path))
    second = run_child(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert first["out"] == second["out"] == [12, 12]
    assert first["misses"] >= 1 and first["hits"] == 0
    assert second["hits"] >= 1 and second["misses"] == 0
    assert any(tmp_path.rglob("*.nbi"))


@needs_numba
def test_kernels_compile_beside_cached_ones(tmp_path):
    # The second process loads the MAC kernel (and what it calls) from the
    # on-disk cache, then compiles the kernels the first process never ran
    # (pack, the fused forward pass, 1-D and batched) next to them.  Numba
    # cannot do that when a cached kernel calls a generator (numba/numba#8679):
    # every new kernel then failed with a KeyError in get_generator_impl.
    mac_only = """
        import numpy as np
        from sc_neurocore.accel import jit_kernels as jk
        out = np.empty(2, np.int64)
        jk.jit_vec_mac(np.ones((2, 3, 4), np.uint64), np.ones((3, 4), np.uint64), out)
        print(out.tolist())
    """
    everything = """
        import json
        import numpy as np
        from sc_neurocore.accel import jit_kernels as jk
        from sc_neurocore.accel import get_backend, pack_bitstream, sc_forward_numpy
        from sc_neurocore.accel._backends.on_numba import kernels
        rng = np.random.default_rng(3)
        w = rng.integers(0, 2**63, size=(9, 7, 5), dtype=np.uint64)
        x = rng.integers(0, 2**63, size=(7, 5), dtype=np.uint64)
        out = np.empty(9, np.int64)
        jk.jit_vec_mac(w, x, out)
        bits = (rng.random(640) < 0.5).astype(np.uint8)
        packed = np.empty(10, np.uint64)
        jk.jit_pack_bits(bits, packed)
        numba = jk.NumbaBackend()
        probs = rng.random((3, 7))
        ok = {"mac": out.tolist() == [sum(bin(int(a) & int(b)).count("1")
                                          for a, b in zip(w[o].ravel(), x.ravel()))
                                      for o in range(9)],
              "pack": bool(np.array_equal(packed, pack_bitstream(bits))),
              "forward": bool(np.array_equal(numba.sc_forward(w, probs[0], length=300),
                                             sc_forward_numpy(w, probs[0], length=300))),
              "batch": bool(np.array_equal(numba.sc_forward(w, probs, length=300),
                                           sc_forward_numpy(w, probs, length=300)))}
        print(json.dumps({"ok": ok, "hits": sum(kernels.mac_rows_kernel.stats.cache_hits.values())}))
    """
    assert run_child(mac_only, NUMBA_CACHE_DIR=str(tmp_path)) == [12, 12]
    second = run_child(everything, NUMBA_CACHE_DIR=str(tmp_path))
    assert second["hits"] >= 1
    assert second["ok"] == {"mac": True, "pack": True, "forward": True, "batch": True}


# ---------------------------------------------------------------- fallback without numba

def test_fallback_without_numba_runs_on_numpy_with_one_warning():
    # Importing (and probing) is silent; the first direct call warns once, at
    # the caller's line (the child's code is "<string>").
    report = run_without("numba", "jit_kernels as jk", """
        from sc_neurocore.accel import get_backend, pack_bitstream, sc_forward_numpy
        from conftest import random_weights
        rng = np.random.default_rng(5)
        report = {"has_numba": jk.HAS_NUMBA, "import_warnings": import_warnings}
        with warnings.catch_warnings(record=True) as at_call:
            warnings.simplefilter("always")
            bits = rng.integers(0, 2, 192, dtype=np.uint8)
            packed = np.empty(3, np.uint64)
            jk.jit_pack_bits(bits, packed)
            report["pack_ok"] = bool(np.array_equal(packed, pack_bitstream(bits)))
            w = rng.integers(0, 2**64, size=(5, 7, 3), dtype=np.uint64)
            x = rng.integers(0, 2**64, size=(7, 3), dtype=np.uint64)
            out = np.empty(5, np.int64)
            jk.jit_vec_mac(w, x, out)
            want = np.bitwise_count(w & x).sum(axis=(1, 2))
            report["mac_ok"] = bool(np.array_equal(out, want))
            jk.jit_vec_mac(w, x, out)
            weights = random_weights(rng, 3, 6, 100)
            probs = rng.random(6)
            got = jk.NumbaBackend().sc_forward(weights, probs, length=100)
            report["forward_ok"] = bool(np.array_equal(
                got, sc_forward_numpy(weights, probs, length=100)))
            try:
                jk.jit_pack_bits(np.zeros(10, np.uint8), np.empty(0, np.uint64))
            except ValueError as exc:
                report["validation"] = str(exc)
        report["call_warnings"] = [[str(w.message), w.filename] for w in at_call]
        report["reason"] = jk.NumbaBackend.unavailable_reason()
        try:
            get_backend("numba")
        except RuntimeError as exc:
            report["get_backend"] = str(exc)
        from sc_neurocore.accel.bench import numba_extras
        report["bench"] = numba_extras.bench_extras(True, lambda s: None)[0]["note"]
        print(json.dumps(report))
    """)
    assert report["has_numba"] is False
    assert [m for m in report["import_warnings"] if "numba" in m] == []
    assert report["pack_ok"] and report["mac_ok"] and report["forward_ok"]
    assert "multiple of 64" in report["validation"]
    assert len(report["call_warnings"]) == 1
    message, filename = report["call_warnings"][0]
    assert "pip install -e '.[numba]'" in message and filename == "<string>"
    assert report["reason"].startswith("numba is not installed")
    assert "not available" in report["get_backend"] and "[numba]" in report["get_backend"]
    assert report["bench"].startswith("skipped")
