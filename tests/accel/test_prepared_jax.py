"""docs/design.md#prepared-layers on JAX: ``jax_prepared_counts`` under the caller's jit and vmap.

``sc_forward`` of a prepared layer on ``backend="jax"`` is checked against the
packed path with every other backend (tests/accel/test_prepared.py); here the
operation itself is compared with the NumPy reference eagerly, under
``jax.jit`` and under ``jax.vmap`` (over a batch of inputs and over a batch of
layers), and its checks are run on host arrays, device arrays and tracers.
"""

from __future__ import annotations

import numpy as np
import pytest
from sc_neurocore.accel import InputTypeError, prepare_layer
from sc_neurocore.accel._backends.on_numpy import prepared_counts as numpy_prepared_counts
from sc_neurocore.accel._registry import backend_class

jax = pytest.importorskip("jax")
jb = pytest.importorskip("sc_neurocore.accel.jax_backend")
checkify = pytest.importorskip("jax.experimental.checkify")
from sc_neurocore.accel._backends.on_jax.runtime import TRACE_COUNTS  # noqa: E402

# (n_out, n_in, length, batch): lengths off the word size, one word, and past 65535.
SHAPES = [(3, 4, 1, 2), (5, 7, 63, 3), (2, 3, 64, 1), (6, 5, 130, 4), (4, 9, 1000, 2),
          (3, 2, 65536, 2), (2, 3, 70001, 3), (40, 130, 2000, 5)]


def operands(rng, n_out, n_in, length, batch):
    """Random operands with k = 0 and k = length, and thresholds 0 and 65536, mixed in."""
    k = rng.integers(0, length + 1, size=(n_out, n_in)).astype(np.uint32)
    k.flat[0], k.flat[-1] = 0, length
    states = rng.integers(0, 65536, size=(n_in, length), dtype=np.uint16)
    thresholds = rng.integers(0, 65537, size=(batch, n_in), dtype=np.int64)
    thresholds.flat[0], thresholds.flat[-1] = 65536, 0
    if thresholds.size > 2:
        thresholds.flat[1] = 65535
    return k, states, thresholds


def same(got, want) -> bool:
    got = np.asarray(got)
    return got.dtype == want.dtype == np.uint64 and np.array_equal(got, want)


def test_jax_backend_has_the_prepared_path():
    assert backend_class("jax").has_prepared_path()


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_eager_jit_and_vmap_equal_the_reference(rng, shape):
    k, states, thresholds = operands(rng, *shape)
    want = numpy_prepared_counts(k, states, thresholds)
    assert same(jb.jax_prepared_counts(k, states, thresholds), want)
    assert same(jb.jax_prepared_counts(k, states, thresholds[0]), want[0])   # one row
    with jax.enable_x64(True):
        jitted = jax.jit(jb.jax_prepared_counts)(k, states, thresholds)
        per_row = jax.jit(jax.vmap(lambda t: jb.jax_prepared_counts(k, states, t)))(thresholds)
    assert same(jitted, want) and same(per_row, want)


def test_vmap_over_a_batch_of_layers(rng):
    ks, states, thresholds = [], None, None
    for _ in range(3):
        k, states, thresholds = operands(rng, 4, 6, 300, 2)
        ks.append(k)
    stacked = np.stack(ks)
    with jax.enable_x64(True):
        got = jax.vmap(lambda kk: jb.jax_prepared_counts(kk, states, thresholds))(stacked)
    want = np.stack([numpy_prepared_counts(k, states, thresholds) for k in ks])
    assert same(got, want)


def test_device_arrays_and_a_prepared_layer(rng):
    layer = prepare_layer(rng.random((5, 8)), 777, weight_seed=3)
    states = layer.input_states(12)
    thresholds = np.array([[0, 65536, 1, 65535, 30000, 7, 40000, 2]], dtype=np.int64)
    want = numpy_prepared_counts(layer.k, states, thresholds)
    with jax.enable_x64(True):
        on_device = [jax.device_put(a) for a in (layer.k, states, thresholds)]
    assert isinstance(jb.jax_prepared_counts(*on_device), jax.Array)
    assert same(jb.jax_prepared_counts(*on_device), want)
    assert same(jb.jax_prepared_counts(layer.k, on_device[1], thresholds), want)   # mixed


def test_empty_dimensions(rng):
    for n_out, n_in, batch in ((0, 3, 2), (2, 0, 2), (2, 3, 0)):
        k, states, thresholds = operands(rng, max(n_out, 1), max(n_in, 1), 70, max(batch, 1))
        k, states = k[:n_out, :n_in], states[:n_in]
        thresholds = thresholds[:batch, :n_in]
        got = jb.jax_prepared_counts(np.ascontiguousarray(k), states,
                                     np.ascontiguousarray(thresholds))
        assert same(got, np.zeros((batch, n_out), dtype=np.uint64))


def test_eager_calls_keep_their_jit_cache(rng):
    k, states, thresholds = operands(rng, 3, 5, 211, 7)   # a shape no other test uses
    before = TRACE_COUNTS["prepared_counts"]
    for _ in range(3):
        jb.jax_prepared_counts(k, states, thresholds)
    assert TRACE_COUNTS["prepared_counts"] == before + 1


VALID = (np.zeros((2, 3), dtype=np.uint32), np.zeros((3, 10), dtype=np.uint16),
         np.zeros((1, 3), dtype=np.int64))


def _bad_operands():
    k, states, x = VALID
    return {
        "k dtype": ((k.astype(np.int64), states, x), InputTypeError, "k must .*dtype uint32"),
        "states dtype": ((k, states.astype(np.uint32), x), InputTypeError,
                         "states must .*dtype uint16"),
        "thresholds dtype": ((k, states, x.astype(np.float64)), InputTypeError,
                             "thresholds must .*dtype int64"),
        "states shape": ((np.zeros((2, 2), dtype=np.uint32), states, x), ValueError,
                         "states must have shape"),
        "thresholds n_in": ((k, states, x[:, :2]), ValueError, "thresholds must have n_in = 3"),
        "k rank": ((k[0], states, x), ValueError, "2-D"),
        "thresholds rank": ((k, states, x[None]), ValueError, "thresholds must be"),
        "k above length": ((k + 11, states, x), ValueError, r"k must be in \[0, 10\]"),
        "negative threshold": ((k, states, x - 1), ValueError,
                               r"thresholds must be in \[0, 65536\]"),
        "threshold above 65536": ((k, states, x + 65537), ValueError,
                                  r"thresholds must be in \[0, 65536\]"),
    }


BAD = _bad_operands()


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("where", ["host", "device"])
def test_bad_operands_are_refused_eagerly(case, where):
    args, error, match = BAD[case]
    if where == "device":
        with jax.enable_x64(True):
            args = tuple(jax.device_put(a) for a in args)
    with pytest.raises(error, match=match):
        jb.jax_prepared_counts(*args)


def test_non_arrays_are_refused():
    k, states, x = VALID
    for args, name in (((k.tolist(), states, x), "k"), ((k, states, x.tolist()), "thresholds")):
        with pytest.raises(InputTypeError, match=f"{name} must be a numpy.ndarray or jax.Array"):
            jb.jax_prepared_counts(*args)


STATIC = ["k dtype", "states dtype", "thresholds dtype", "states shape", "thresholds n_in",
          "k rank"]


@pytest.mark.parametrize("case", STATIC)
def test_static_checks_hold_for_tracers(case):
    args, error, match = BAD[case]
    with jax.enable_x64(True), pytest.raises(error, match=match):
        jax.jit(jb.jax_prepared_counts)(*args)


@pytest.mark.parametrize("case", ["k above length", "negative threshold",
                                  "threshold above 65536"])
def test_value_checks_on_tracers_run_under_checkify(case):
    args, _, match = BAD[case]
    with jax.enable_x64(True):
        traced = jax.jit(jb.jax_prepared_counts)
        traced(*args)   # plain jit: a value check on a tracer is skipped (documented)
        checked = checkify.checkify(traced, errors=checkify.user_checks)
        err, _ = checked(*args)
        assert match.replace("\\", "") in (err.get() or "")
        err, _ = checked(*VALID)
        assert err.get() is None


def test_traced_with_x64_off_says_so(rng):
    k, states, thresholds = operands(rng, 2, 3, 100, 1)
    assert not jax.config.jax_enable_x64
    with pytest.raises(ValueError, match=r"64-bit types are disabled.*jax.enable_x64"):
        jax.jit(jb.jax_prepared_counts)(k, states, thresholds)


@pytest.mark.parametrize("where", ["host", "device"])
def test_concrete_operands_are_still_checked_inside_a_trace(where):
    (k, states, x), _, match = BAD["k above length"]
    if where == "device":
        k = jax.device_put(k)
    with jax.enable_x64(True), pytest.raises(ValueError, match=match):
        jax.jit(lambda t: jb.jax_prepared_counts(k, states, t))(x)
