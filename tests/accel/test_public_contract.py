"""Code written against the documented public contract runs unchanged (issue 8).

The reference documents ``available_backends()`` as a mapping of name to
availability, ``Backend.sc_forward`` as the abstract method of a backend,
``ValueError`` for bad input, and leaves ``jit_vec_mac``'s output dtype open.
Each test here is one of those promises, exercised the way a user's code
would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sc_neurocore.accel as accel
from conftest import random_weights
from sc_neurocore.accel import (
    PRIORITY,
    Backend,
    BackendStatus,
    InputTypeError,
    _registry,
    available_backends,
    backend_status,
    encode_packed,
    get_backend,
    mpi_driver,
    register_backend,
    sc_forward,
    sc_forward_numpy,
    weight_seed,
)
from sc_neurocore.accel import backend as backend_mod
from sc_neurocore.accel import gpu_backend as gb
from sc_neurocore.accel import jit_kernels as jk
from sc_neurocore.accel.lif import forward_pass_numpy, lif_step

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------- selector contract

def test_available_backends_is_a_mapping_of_name_to_bool():
    status = available_backends()
    assert isinstance(status, dict)
    assert all(type(works) is bool for works in status.values())
    assert status["numpy"] is True
    # the documented order: PRIORITY first (fastest first), numpy last of those
    assert list(status)[:len(PRIORITY)] == list(PRIORITY)
    # `if available_backends()["cupy"]:` means what it says
    assert status["cupy"] is gb.gpu_available()
    assert status["numba"] is jk.HAS_NUMBA


def test_backend_status_carries_the_reasons():
    status = backend_status()
    assert list(status) == list(available_backends())
    for name, record in status.items():
        assert isinstance(record, BackendStatus) and record.name == name
        assert record.available is available_backends()[name]
        if record.available:
            assert record.reason == "ok"
        else:
            # an empty hint only where nothing installable is missing (CuPy, no GPU)
            assert record.reason and (record.install_hint or "no usable CUDA GPU" in record.reason)


def test_get_backend_returns_a_handle_as_is(rng):
    weights = random_weights(rng, 3, 5, 100)
    probs = rng.random((2, 5))
    want = sc_forward_numpy(weights, probs, length=100)
    for name, works in available_backends().items():
        if not works:
            continue
        handle = get_backend(name)
        assert get_backend(handle) is handle
        got = sc_forward(weights, probs, length=100, backend=handle)
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    fresh = backend_mod.NumpyBackend()  # an instance no registry knows
    assert get_backend(fresh) is fresh
    assert np.array_equal(sc_forward(weights, probs, length=100, backend=fresh), want)


def test_mpi_forward_accepts_a_handle_single_rank(rng):
    weights = random_weights(rng, 3, 5, 70)
    probs = rng.random(5)
    driver = mpi_driver.MPIDriver.__new__(mpi_driver.MPIDriver)  # single-rank, no MPI init
    driver._mpi, driver.comm, driver.rank, driver.size = None, None, 0, 1
    got = mpi_driver.mpi_sc_forward(weights, probs, length=70, backend=get_backend("numpy"),
                                    driver=driver)
    assert np.array_equal(got, sc_forward_numpy(weights, probs, length=70))


@pytest.mark.parametrize("mirror", ["julia", "go", "mojo", "wgsl"])
def test_research_mirror_names_say_how_to_run_them(mirror):
    with pytest.raises(ValueError, match=rf"research mirror.*python -m parity run --lang {mirror}"):
        get_backend(mirror)
    with pytest.raises(ValueError, match="research mirror"):
        sc_forward(np.zeros((1, 1, 1), np.uint64), [0.5], length=8, backend=mirror)


# --------------------------------------------------------- a user's own Backend subclass

class PopcountBackend(Backend):
    """A backend as a user writes it: only the documented abstract method."""

    name = "user-popcount"
    calls: list[tuple[str, tuple[int, ...], str, tuple[int, ...], type, type]] = []

    def sc_forward(self, weights_packed, input_probs, *, length, seed=44257):
        type(self).calls.append((weights_packed.dtype.str, weights_packed.shape,
                                 input_probs.dtype.str, input_probs.shape, type(length),
                                 type(seed)))
        rows = np.atleast_2d(input_probs)
        inputs = encode_packed(rows, length, seed=seed)         # (batch, n_in, n_words)
        counts = np.bitwise_count(weights_packed[None] & inputs[:, None]).sum(axis=(2, 3))
        out = counts / length
        return out if input_probs.ndim == 2 else out[0]


@pytest.fixture
def user_registry(monkeypatch):
    """A registry copy, so the user's registrations do not leak into other tests."""
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))
    _registry._probe.cache_clear()
    PopcountBackend.calls.clear()
    yield
    _registry._probe.cache_clear()


def test_user_subclass_implementing_only_sc_forward_runs(user_registry, rng):
    weights = random_weights(rng, 4, 6, 130)
    probs = rng.random((3, 6))
    mine = PopcountBackend()
    want = sc_forward_numpy(weights, probs, length=130, seed=9)
    assert np.array_equal(mine.sc_forward(weights, probs, length=130, seed=9), want)
    assert np.array_equal(sc_forward(weights, probs[1].tolist(), length=130, seed=9,
                                     backend=mine), want[1])
    # what reached the user's code had been normalised by our validation
    assert PopcountBackend.calls[-1] == ("<u8", (4, 6, 3), "<f8", (6,), int, int)

    register_backend("mine", PopcountBackend)           # a class ...
    assert available_backends()["mine"] is True         # ... probed like ours
    assert backend_status()["mine"].reason == "ok"
    assert isinstance(get_backend("mine"), PopcountBackend)
    assert np.array_equal(sc_forward(weights, probs, length=130, seed=9, backend="mine"), want)
    register_backend("mine-lazy", f"{__name__}:PopcountBackend")  # ... or "module:Class"
    assert isinstance(get_backend("mine-lazy"), PopcountBackend)


def test_user_subclass_still_gets_our_validation(rng):
    mine = PopcountBackend()
    PopcountBackend.calls.clear()
    weights = random_weights(rng, 2, 3, 64)
    bad = [
        (weights.astype(np.int64), np.full(3, 0.5), 64, 0),
        (weights, np.array([0.5, np.nan, 0.5]), 64, 0),
        (weights, np.full(3, 0.5), 65, 0),
        (weights, np.full(3, 0.5), 64, 2**32),
        (weights, np.full(4, 0.5), 64, 0),
    ]
    for w, p, length, seed in bad:
        with pytest.raises(ValueError):
            mine.sc_forward(w, p, length=length, seed=seed)
    assert PopcountBackend.calls == []  # rejected before the user's code ran
    # big-endian words are valid uint64: converted before the user's code sees them
    got = mine.sc_forward(weights.astype(">u8"), np.full(3, 0.5), length=64)
    assert PopcountBackend.calls[-1][0] == "<u8"
    assert np.array_equal(got, sc_forward_numpy(weights, np.full(3, 0.5), length=64))


def test_user_subclass_result_shape_is_checked():
    class Wrong(Backend):
        name = "wrong"

        def sc_forward(self, weights_packed, input_probs, *, length, seed=44257):
            return np.zeros(7)

    with pytest.raises(RuntimeError, match=r"'wrong'.*shape \(7,\).*expected.*\(2,\)"):
        Wrong().sc_forward(np.zeros((2, 3, 1), np.uint64), np.full(3, 0.5), length=8)


def test_subclass_without_sc_forward_is_abstract():
    class Incomplete(Backend):
        name = "incomplete"

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()


# ------------------------------------------------------------------------- signatures

def test_sc_forward_numpy_takes_length_by_position(rng):
    weights = random_weights(rng, 3, 4, 100)
    probs = rng.random(4)
    want = sc_forward_numpy(weights, probs, length=100, seed=7)
    assert np.array_equal(sc_forward_numpy(weights, probs, 100, seed=7), want)
    assert np.array_equal(sc_forward_numpy(weights, probs, 100, 7), want)
    assert np.array_equal(sc_forward_numpy(weights, probs, 100),
                          sc_forward_numpy(weights, probs, length=100))


def _counts(weights, inputs):
    return np.bitwise_count(weights & inputs[None]).sum(axis=(1, 2), dtype=np.int64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.uint32, np.int16,
                                   np.uint16, np.float16, ">f8", ">i8", np.int64, np.uint64])
def test_jit_vec_mac_fills_any_numeric_buffer_that_holds_the_counts(rng, dtype):
    weights = rng.integers(0, 2**64, size=(5, 3, 4), dtype=np.uint64)  # counts <= 768
    inputs = rng.integers(0, 2**64, size=(3, 4), dtype=np.uint64)
    out = np.full(5, -1, dtype=dtype) if np.dtype(dtype).kind != "u" else np.zeros(5, dtype)
    jk.jit_vec_mac(weights, inputs, out)
    assert out.dtype == np.dtype(dtype)
    assert np.array_equal(out.astype(np.int64), _counts(weights, inputs))


def test_jit_vec_mac_refuses_buffers_that_would_round():
    weights = np.full((1, 3, 1), np.uint64(2**64 - 1))  # up to 192 set bits
    inputs = np.full((3, 1), np.uint64(2**64 - 1))
    with pytest.raises(ValueError, match=r"int8 cannot hold every count.*192.*127"):
        jk.jit_vec_mac(weights, inputs, np.zeros(1, np.int8))
    out = np.zeros(1, np.uint8)
    jk.jit_vec_mac(weights, inputs, out)  # 192 fits in uint8
    assert out.tolist() == [192]


# ------------------------------------------------------------- ValueError everywhere

W = np.zeros((2, 3, 1), dtype=np.uint64)
P = np.full(3, 0.5)
I64 = np.zeros(3, dtype=np.int64)

# One rejection per public function family: (call, wrong *type*?)
REJECTIONS = {
    "sc_forward: float weights": (lambda: sc_forward(W.astype(float), P, length=64), True),
    "sc_forward: bad length": (lambda: sc_forward(W, P, length=65), False),
    "sc_forward_numpy: float length": (lambda: sc_forward_numpy(W, P, 64.0), True),
    "backend method: list weights": (lambda: get_backend("numpy").sc_forward(
        W.tolist(), P, length=64), True),
    "get_backend: not a name": (lambda: get_backend(3), True),
    "register_backend: not a class": (lambda: register_backend("x", 42), True),
    "vec_and: int64": (lambda: accel.vec_and(I64, I64), True),
    "vec_xnor: shapes": (lambda: accel.vec_xnor(I64.astype(np.uint64), W), False),
    "vec_not: list": (lambda: accel.vec_not([1, 2]), True),
    "vec_mux: int64": (lambda: accel.vec_mux(I64, I64, I64), True),
    "vec_popcount: float": (lambda: accel.vec_popcount(P), True),
    "pack_bitstream: floats": (lambda: accel.pack_bitstream(P), True),
    "unpack_bitstream: shape type": (lambda: accel.unpack_bitstream(
        np.zeros(1, np.uint64), 8, original_shape=8), True),
    "encode_packed: strings": (lambda: encode_packed(["a"], 8), True),
    "encode_packed: float length": (lambda: encode_packed(P, 8.0), True),
    "weight_seed: str": (lambda: weight_seed("1"), True),
    "lif_step: strings": (lambda: lif_step(np.array(["a"]), 0.0), True),
    "lif_step: str alpha": (lambda: lif_step(P, P, alpha="0.5"), True),
    "forward_pass_numpy: dict weights": (lambda: forward_pass_numpy({}, P[None], 2), True),
    "jit_pack_bits: float bits": (lambda: jk.jit_pack_bits(np.zeros(64), np.zeros(1, np.uint64)),
                                  True),
    "jit_vec_mac: complex outputs": (lambda: jk.jit_vec_mac(W, np.zeros((3, 1), np.uint64),
                                                            np.zeros(2, complex)), True),
    "gpu_vec_and: int64": (lambda: gb.gpu_vec_and(I64, I64), True),
    "gpu_vec_mac: float": (lambda: gb.gpu_vec_mac(W.astype(float), W[0]), True),
    "gpu_pack_bitstream: floats": (lambda: gb.gpu_pack_bitstream(P), True),
    "mpi_sc_forward: driver": (lambda: mpi_driver.mpi_sc_forward(W, P, length=64,
                                                                 driver="world"), True),
}


@pytest.mark.parametrize("case", sorted(REJECTIONS))
def test_every_rejection_is_a_value_error(case):
    call, wrong_type = REJECTIONS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the one-time fallback notes
        with pytest.raises(ValueError) as caught:
            call()
    if wrong_type:
        assert isinstance(caught.value, InputTypeError) and isinstance(caught.value, TypeError)


def test_input_type_error_is_both_and_exported():
    assert issubclass(InputTypeError, TypeError) and issubclass(InputTypeError, ValueError)
    assert accel.InputTypeError is InputTypeError and "InputTypeError" in accel.__all__
    with pytest.raises(TypeError, match="weights_packed must have dtype uint64, got int64"):
        sc_forward(W.astype(np.int64), P, length=64)


# --------------------------------------------------------------- big-endian uint64

def test_big_endian_words_are_valid_uint64(rng, backend_name):
    weights = random_weights(rng, 3, 4, 100)
    probs = rng.random(4)
    big = weights.astype(">u8")
    assert big.dtype.byteorder == ">" and np.array_equal(big, weights)
    want = sc_forward_numpy(weights, probs, length=100)
    assert np.array_equal(sc_forward(big, probs, length=100, backend=backend_name), want)
    a, b = weights[0], weights[1]
    assert np.array_equal(accel.vec_and(a.astype(">u8"), b), accel.vec_and(a, b))
    assert np.array_equal(accel.vec_mux(a.astype(">u8"), b, a.astype(">u8")),
                          accel.vec_mux(a, b, a))
    assert accel.vec_popcount(a.astype(">u8")) == accel.vec_popcount(a)
    assert np.array_equal(accel.unpack_bitstream(a.astype(">u8"), 64 * a.size),
                          accel.unpack_bitstream(a, 64 * a.size))
    out = np.empty(3, np.int64)
    jk.jit_vec_mac(big, encode_packed(probs, 100).astype(">u8"), out)
    assert np.array_equal(out, _counts(weights, encode_packed(probs, 100)))


# -------------------------------------------------------------------- quiet probing

def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-W", "error", *args], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


def test_probing_backends_never_warns():
    code = ("from sc_neurocore.accel import available_backends, backend_status, get_backend\n"
            "print(available_backends()); backend_status(); get_backend('auto')")
    done = _run(["-c", code])
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_info_never_warns(extra):
    done = _run(["-m", "sc_neurocore.accel", "info", *extra])
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    if extra:
        assert json.loads(done.stdout)["backends"]["numpy"]["available"] is True
    else:
        assert "numpy" in done.stdout


def test_probing_in_process_records_no_warning():
    _registry._probe.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        available_backends()
        backend_status()
    assert [str(w.message) for w in caught] == []


def test_missing_dependency_warnings_point_at_the_callers_line():
    # In a fresh interpreter without numba, CuPy and mpi4py: importing and
    # probing is silent; each module's first direct call warns once, located
    # at the line of the caller's code (here "<string>", lines 9, 10 and 11),
    # however deep inside the package the warning is issued.
    code = "\n".join([
        "import json, sys, warnings",
        "for name in ('numba', 'cupy', 'mpi4py'):",
        "    sys.modules[name] = None",
        "import numpy as np",
        "from sc_neurocore.accel import available_backends, jit_kernels, gpu_backend, mpi_driver",
        "w, x = np.zeros((2, 3, 1), np.uint64), np.zeros((3, 1), np.uint64)",
        "with warnings.catch_warnings(record=True) as caught:",
        "    warnings.simplefilter('always'); available_backends()",
        "    jit_kernels.jit_vec_mac(w, x, np.zeros(2, np.int64))",
        "    gpu_backend.gpu_vec_mac(w, x)",
        "    mpi_driver.mpi_sc_forward(w, np.full(3, 0.5), length=64, backend='numpy')",
        "    jit_kernels.jit_vec_mac(w, x, np.zeros(2, np.int64)); gpu_backend.gpu_vec_mac(w, x)",
        "print(json.dumps([[w.category.__name__, w.filename, w.lineno] for w in caught]))",
    ])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    caught = json.loads(done.stdout.strip().splitlines()[-1])
    assert caught == [["RuntimeWarning", "<string>", 9], ["RuntimeWarning", "<string>", 10],
                      ["MPIFallbackWarning", "<string>", 11]]
