"""The accel names the reference project documents behave as it documents them (issue 13, item 9).

* ``from sc_neurocore.accel import xp, HAS_CUPY, to_device, to_host`` works
  (the gpu_backend helpers, loaded on first access: importing the package
  neither imports CuPy nor touches a GPU);
* ``from sc_neurocore.accel.sc_inference import sc_forward`` works (the same
  function as ``backend.sc_forward``);
* ``to_jax(arr)`` without JAX returns its input unchanged (``to_host``
  converts with NumPy);
* ``jax_pack_bitstream`` refuses a boolean and an empty array, and
  ``jax_lif_step`` an integer voltage, with a ``ValueError`` naming the argument.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import random_weights, run_child, run_without
from sc_neurocore.accel import backend, gpu_backend, sc_forward_numpy

# ------------------------------------------------------------------ package-level names

def test_package_exports_the_gpu_backend_helpers():
    from sc_neurocore.accel import HAS_CUPY, to_device, to_host, xp

    assert HAS_CUPY is gpu_backend.HAS_CUPY and isinstance(HAS_CUPY, bool)
    assert xp is gpu_backend.active_namespace()
    assert to_device is gpu_backend.to_device and to_host is gpu_backend.to_host
    data = np.arange(5, dtype=np.uint64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the NumPy fallback's notice
        back = to_host(to_device(data))
    assert isinstance(back, np.ndarray) and np.array_equal(back, data)
    import sc_neurocore.accel as accel

    assert {"xp", "HAS_CUPY", "to_device", "to_host"} <= set(accel.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'not_a_name'"):
        accel.not_a_name  # noqa: B018


def test_xp_follows_a_switch_to_numpy(monkeypatch):
    import sc_neurocore.accel as accel
    from sc_neurocore.accel._backends.on_cupy import runtime

    monkeypatch.setattr(runtime, "xp", np)  # what a switch to NumPy does
    assert accel.xp is np and gpu_backend.xp is np  # read afresh on each access
    sentinel = object()
    monkeypatch.setattr(runtime, "xp", sentinel)
    assert accel.xp is sentinel and gpu_backend.xp is sentinel


def test_importing_the_package_leaves_cupy_alone():
    report = run_child("""
        import json, sys
        import sc_neurocore.accel
        before = "cupy" in sys.modules or "sc_neurocore.accel.gpu_backend" in sys.modules
        from sc_neurocore.accel import HAS_CUPY, to_device, to_host, xp
        after = "sc_neurocore.accel.gpu_backend" in sys.modules
        print(json.dumps({"before": before, "after": after, "xp": xp.__name__,
                          "has_cupy": HAS_CUPY}))
    """)
    assert report["before"] is False and report["after"] is True
    assert report["xp"] in ("numpy", "cupy") and isinstance(report["has_cupy"], bool)


# ------------------------------------------------------------------ sc_inference.sc_forward

def test_sc_inference_exports_sc_forward(rng):
    from sc_neurocore.accel.sc_inference import sc_forward

    assert sc_forward is backend.sc_forward
    weights = random_weights(rng, 3, 4, 100)
    probs = rng.random(4)
    assert np.array_equal(sc_forward(weights, probs, length=100, backend="numpy"),
                          sc_forward_numpy(weights, probs, 100))


@pytest.mark.parametrize("first", ["sc_neurocore.accel.sc_inference",
                                   "sc_neurocore.accel.backend"])
def test_sc_forward_imports_whatever_is_imported_first(first):
    report = run_child(f"""
        import importlib, json
        importlib.import_module({first!r})
        from sc_neurocore.accel.sc_inference import sc_forward
        from sc_neurocore.accel.backend import sc_forward as defined
        print(json.dumps({{"same": sc_forward is defined}}))
    """)
    assert report["same"] is True


# ------------------------------------------------------------------------ JAX absent

def test_to_jax_without_jax_returns_the_input_unchanged():
    report = run_without("jax", "jax_backend as jb", """
        arr = np.arange(3.0)
        items = [1.0, 2.0]
        host = jb.to_host(items)
        typed = jb.to_jax([1, 2], dtype=np.float32)
        print(json.dumps({
            "has_jax": jb.HAS_JAX,
            "same_array": jb.to_jax(arr) is arr,
            "same_list": jb.to_jax(items) is items,
            "typed": [type(typed).__name__, str(typed.dtype)],
            "host": [type(host).__name__, host.tolist()],
            "host_of_array": jb.to_host(arr) is arr,
        }))
    """)
    assert report["has_jax"] is False
    assert report["same_array"] and report["same_list"]
    assert report["typed"] == ["ndarray", "float32"]
    assert report["host"] == ["ndarray", [1.0, 2.0]] and report["host_of_array"]


# ---------------------------------------------------------------- the JAX input checks

jax = pytest.importorskip("jax")
from sc_neurocore.accel import jax_backend as jb  # noqa: E402


@pytest.mark.parametrize("bits", [np.array([True, False, True]),
                                  np.zeros((2, 70), dtype=bool)])
def test_jax_pack_bitstream_refuses_booleans(bits):
    with pytest.raises(ValueError, match=r"bits must hold the integers 0 and 1.*dtype bool"):
        jb.jax_pack_bitstream(bits)
    with pytest.raises(TypeError, match="bits"):  # InputTypeError: a TypeError too
        jb.jax_pack_bitstream(jb.to_jax(bits))
    with jax.enable_x64(True), pytest.raises(ValueError, match="dtype bool"):
        jax.jit(jb.jax_pack_bitstream)(bits)


@pytest.mark.parametrize("shape", [(0,), (0, 5), (3, 0)])
def test_jax_pack_bitstream_refuses_empty_arrays(shape):
    empty = np.zeros(shape, dtype=np.uint8)
    with pytest.raises(ValueError, match=r"bits must be non-empty, got shape"):
        jb.jax_pack_bitstream(empty)
    with jax.enable_x64(True), pytest.raises(ValueError, match="bits must be non-empty"):
        jax.jit(jb.jax_pack_bitstream)(empty)


def test_jax_pack_bitstream_still_packs_integer_bits(rng):
    from sc_neurocore.accel import pack_bitstream

    bits = rng.integers(0, 2, size=(3, 70))
    for dtype in (np.uint8, np.int8, np.int64):
        got = jb.to_host(jb.jax_pack_bitstream(bits.astype(dtype)))
        assert np.array_equal(got, pack_bitstream(bits))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_jax_lif_step_refuses_a_non_float_voltage(dtype):
    v = np.zeros(4, dtype=dtype)
    with pytest.raises(ValueError, match=rf"v must hold floating-point potentials, got dtype "
                                         rf"{np.dtype(dtype)}"):
        jb.jax_lif_step(v, np.zeros(4))
    with pytest.raises(ValueError, match="v must hold floating-point"):
        jax.vmap(lambda row: jb.jax_lif_step(row, 0.1))(np.zeros((2, 3), dtype=dtype))
    with pytest.raises(ValueError, match="v must hold floating-point"):
        jb.jax_lif_step([0, 1, 2], 0.5)  # a list of Python ints is int64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_jax_lif_step_accepts_float_voltages(dtype):
    v = np.array([0.2, 0.95], dtype=dtype)
    new_v, spikes = jb.jax_lif_step(v, np.array([0.0, 0.5], dtype=dtype))
    assert new_v.dtype == dtype and jb.to_host(spikes).tolist() == [0, 1]
    assert jb.jax_lif_step(0.5, 0.0)[0].dtype == np.float64  # a Python float is float64
