"""The JAX backend: packed ops, sc_forward bit-identity, LIF dynamics (docs/design.md#spike-order),
surrogate training, fail-closed validation and x64 scoping."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import random_weights, separable_data
from sc_neurocore.accel import (
    get_backend,
    pack_bitstream,
    sc_forward,
    sc_forward_numpy,
    vec_and,
    vec_mux,
    vec_not,
    vec_xnor,
)
from sc_neurocore.accel._install import install_hint
from sc_neurocore.accel.lif import forward_pass_numpy

jax = pytest.importorskip("jax")
jb = pytest.importorskip("sc_neurocore.accel.jax_backend")

MODULE_PATH = Path(jb.__file__)


# ----------------------------------------------------------------------------- helpers

@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


def reference_forward(weights, x, n_steps, v_rest=0.0, v_reset=0.0, v_threshold=1.0, alpha=0.9):
    """docs/design.md#spike-order written out independently: carries each layer's last emitted spikes."""
    batch = x.shape[-2]
    v = [np.full((batch, w.shape[0]), v_rest) for w in weights]
    last = [np.full((batch, w.shape[0]), 1.0 if v_rest >= v_threshold else 0.0) for w in weights]
    trains = [[] for _ in weights]
    for t in range(n_steps):
        inp = x[t] if x.ndim == 3 else x
        for k, w in enumerate(weights):
            s = last[k]
            current = np.einsum("bi,oi->bo", inp, w)
            v[k] = v_rest + alpha * ((1.0 - s) * v[k] + s * v_reset - v_rest) + current
            last[k] = np.where(v[k] >= v_threshold, 1.0, 0.0)
            trains[k].append(last[k])
            inp = last[k]
    return [np.stack(tr) for tr in trains], v[-1]


def assert_spikes_match(got, want):
    got = np.asarray(got)
    assert got.shape == want.shape
    assert np.array_equal(got, want)


def fresh_module(name):
    """Execute jax_backend.py again as a new module (the real one stays untouched)."""
    spec = importlib.util.spec_from_file_location(f"sc_neurocore.accel.{name}", MODULE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=[False, True], ids=["x64-off", "x64-on"])
def global_x64(request):
    """Run a test with the user's global jax_enable_x64 set each way, then restore it."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", request.param)
    try:
        yield request.param
    finally:
        jax.config.update("jax_enable_x64", before)


# ------------------------------------------------------------------ packed vector ops

@pytest.mark.parametrize("shape", [(1,), (63,), (64,), (65,), (200,), (3, 130), (2, 64), (4, 1)])
def test_pack_bitstream_matches_numpy(rng, shape):
    bits = rng.integers(0, 2, size=shape)
    got = jb.jax_pack_bitstream(bits)
    assert got.dtype == np.uint64
    assert np.array_equal(jb.to_host(got), pack_bitstream(bits))
    as_uint8 = jb.jax_pack_bitstream(bits.astype(np.uint8))
    assert np.array_equal(jb.to_host(as_uint8), pack_bitstream(bits))


def test_bitwise_ops_and_popcount_match_numpy(rng):
    a, b, sel = (rng.integers(0, 2**64, size=(3, 5), dtype=np.uint64) for _ in range(3))
    assert np.array_equal(jb.to_host(jb.jax_vec_and(a, b)), vec_and(a, b))
    assert np.array_equal(jb.to_host(jb.jax_vec_xnor(a, b)), vec_xnor(a, b))
    assert np.array_equal(jb.to_host(jb.jax_vec_not(a)), vec_not(a))
    assert np.array_equal(jb.to_host(jb.jax_vec_mux(sel, a, b)), vec_mux(sel, a, b))
    counts = jb.jax_popcount(a)
    assert counts.shape == a.shape and counts.dtype == np.uint64
    assert np.array_equal(jb.to_host(counts), np.bitwise_count(a).astype(np.uint64))
    # device arrays are accepted and stay on the device
    a_dev, b_dev = jb.to_jax(a), jb.to_jax(b)
    assert a_dev.dtype == np.uint64
    out = jb.jax_vec_and(a_dev, b_dev)
    assert isinstance(out, jax.Array) and np.array_equal(jb.to_host(out), a & b)


def test_popcount_extremes():
    words = np.array([0, 1, 2**63, 2**64 - 1, 0x5555555555555555], dtype=np.uint64)
    assert jb.to_host(jb.jax_popcount(words)).tolist() == [0, 1, 1, 64, 32]


@pytest.mark.parametrize("batched", [False, True])
def test_vec_mac_matches_numpy(rng, batched):
    weights = rng.integers(0, 2**64, size=(6, 5, 3), dtype=np.uint64)
    inputs = rng.integers(0, 2**64, size=((4, 5, 3) if batched else (5, 3)), dtype=np.uint64)
    rows = inputs if batched else inputs[None]
    want = np.array([[int(np.bitwise_count(weights[o] & r).sum()) for o in range(6)]
                     for r in rows], dtype=np.uint64)
    got = jb.jax_vec_mac(weights, inputs)
    assert got.dtype == np.uint64
    assert np.array_equal(jb.to_host(got), want if batched else want[0])


# -------------------------------------------------------------------------- sc_forward

@pytest.mark.parametrize("length", [1, 63, 64, 65, 100, 129, 1000])
@pytest.mark.parametrize("seed", [0, 1, 44257, 65534, 65535, 65536, 2**32 - 2, 2**32 - 1])
def test_sc_forward_bit_identical(rng, length, seed):
    n_in = 9
    weights = random_weights(rng, 4, n_in, length)
    probs = rng.random((3, n_in))
    probs[0, :5] = [0.0, 1.0, 0.5, 7.5 / 65536, 8.5 / 65536]  # edges and half-way ties
    got = jb.JaxBackend().sc_forward(weights, probs, length=length, seed=seed)
    want = sc_forward_numpy(weights, probs, length=length, seed=seed)
    assert got.dtype == np.float64 and got.shape == (3, 4)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    single = jb.JaxBackend().sc_forward(weights, probs[2], length=length, seed=seed)
    assert single.shape == (4,) and np.array_equal(single, want[2])


def test_sc_forward_through_the_registry(rng):
    weights = random_weights(rng, 3, 70, 300)
    probs = rng.random((5, 70))  # inputs whose seeds run past 65535 from seed 65500
    want = sc_forward_numpy(weights, probs, length=300, seed=65500)
    assert get_backend("jax").name == "jax"
    assert np.array_equal(sc_forward(weights, probs, length=300, seed=65500, backend="jax"), want)


def weights_at_offset(rng, n_out, n_in, length, offset_words):
    """Random weights in a buffer that starts ``offset_words`` words past a 64-byte boundary."""
    n_words = (length + 63) // 64
    size = n_out * n_in * n_words
    raw = np.empty(size + 16, dtype=np.uint64)
    skip = (-raw.ctypes.data % 64) // 8 + offset_words
    weights = raw[skip:skip + size].reshape(n_out, n_in, n_words)
    weights[...] = random_weights(rng, n_out, n_in, length)
    assert weights.ctypes.data % 64 == 8 * offset_words
    return weights


@pytest.mark.parametrize("offset", range(8))
def test_sc_forward_any_alignment_one_kernel(rng, offset, monkeypatch):
    # The weights are read in place from their first 64-byte boundary on and
    # the words before and after travel as edges; every alignment gives the
    # reference's bits, through one compiled kernel per shape.  Blocks of 2
    # rows over 3 middle rows: the last block overlaps the one before it.
    monkeypatch.setattr(jb, "_SC_BLOCK_BYTES", 2 * 8 * 3 * 2)
    weights = weights_at_offset(rng, 5, 3, 100, offset)
    probs = rng.random((2, 3))
    want = sc_forward_numpy(weights, probs, length=100, seed=9)
    jb.JaxBackend().sc_forward(weights, probs, length=100, seed=9)  # trace once
    traces = jb.TRACE_COUNTS["sc_forward"]
    got = jb.JaxBackend().sc_forward(weights, probs, length=100, seed=9)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    if offset:
        assert jb.TRACE_COUNTS["sc_forward"] == traces


@pytest.mark.parametrize("n_out, n_in, length, block_bytes", [
    (1, 1, 1, 1 << 18),       # too small for edges: copied whole
    (2, 3, 64, 1 << 18),
    (40, 1, 64, 8 * 3),       # rows shorter than the edge words, blocks of 3 rows
    (17, 9, 1000, 8 * 16 * 4),  # 15 middle rows in blocks of 4: the last one overlaps
    (64, 20, 130, 1 << 18),   # one block
])
@pytest.mark.parametrize("batch", [1, 3])
def test_sc_forward_blocked_shapes(rng, n_out, n_in, length, block_bytes, batch, monkeypatch):
    monkeypatch.setattr(jb, "_SC_BLOCK_BYTES", block_bytes)
    weights = weights_at_offset(rng, n_out, n_in, length, 2)
    probs = rng.random((batch, n_in))
    probs[0, :1] = 1.0
    got = jb.JaxBackend().sc_forward(weights, probs, length=length, seed=44257)
    want = sc_forward_numpy(weights, probs, length=length, seed=44257)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))


def test_sc_forward_empty_dimensions():
    backend = jb.JaxBackend()
    assert backend.sc_forward(np.zeros((0, 3, 1), np.uint64), np.zeros(3), length=10).shape == (0,)
    assert backend.sc_forward(np.zeros((2, 0, 1), np.uint64), np.zeros(0), length=10).tolist() \
        == [0.0, 0.0]
    assert backend.sc_forward(np.zeros((2, 3, 1), np.uint64), np.zeros((0, 3)),
                              length=10).shape == (0, 2)


def test_backend_reports_available():
    assert jb.HAS_JAX is True and jb.JaxBackend.unavailable_reason() is None
    assert jb.JaxBackend.install_hint() == install_hint("jax")
    assert "python -m pip install -e '.[jax]'" in jb.JaxBackend.install_hint()


# ------------------------------------------------------------------------ LIF dynamics

def test_lif_step_matches_formula(rng):
    v = rng.normal(0.5, 0.6, size=50)
    I_t = rng.normal(0.3, 0.5, size=50)
    noise = rng.normal(0, 0.05, size=50)
    params = dict(v_rest=-0.1, v_reset=-0.3, v_threshold=0.9, alpha=0.2, resistance=1.5)
    got_v, got_s = jb.jax_lif_step(v, I_t, noise=noise, **params)
    raw = v + (params["v_rest"] - v) * params["alpha"] + I_t * params["resistance"] + noise
    fired = raw >= params["v_threshold"]
    assert 0 < fired.sum() < fired.size  # both branches exercised
    assert got_v.dtype == np.float64 and got_s.dtype == np.uint8
    assert np.array_equal(jb.to_host(got_s), fired.astype(np.uint8))
    np.testing.assert_allclose(jb.to_host(got_v), np.where(fired, params["v_reset"], raw),
                               rtol=1e-12, atol=1e-12)


def test_lif_step_broadcasts_and_keeps_float32():
    v = np.array([0.0, 0.5, 0.95], dtype=np.float32)
    got_v, got_s = jb.jax_lif_step(v, np.float32(0.1), alpha=0.5)
    assert got_v.dtype == np.float32
    assert jb.to_host(got_s).tolist() == [0, 0, 0]
    np.testing.assert_allclose(jb.to_host(got_v), v * 0.5 + 0.1, rtol=1e-6)
    _, spikes = jb.jax_lif_step(v, 0.75, alpha=0.5)  # 0.5 -> exactly 1.0: fires
    assert jb.to_host(spikes).tolist() == [0, 1, 1]


def _network(rng, sizes=(6, 10, 4), scale=0.9):
    return [rng.normal(0.15, scale, size=(n_out, n_in))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


@pytest.mark.parametrize("params", [
    {},
    {"v_rest": 0.1, "v_reset": -0.2, "v_threshold": 0.8, "alpha": 0.7},
    {"v_rest": 1.2, "v_reset": 0.0, "v_threshold": 1.0, "alpha": 0.5},  # rests above threshold
], ids=["defaults", "general", "rest-above-threshold"])
@pytest.mark.parametrize("time_major", [False, True], ids=["2d", "3d"])
def test_forward_pass_matches_independent_loop(rng, params, time_major):
    n_steps = 13
    weights = _network(rng)
    x = rng.random((n_steps, 5, 6) if time_major else (5, 6))
    if time_major:
        x = (x < 0.5).astype(np.float64)  # spike trains as input
    trains, v_last = jb.jax_forward_pass(weights, x, n_steps, **params)
    want_trains, want_v = reference_forward(weights, x, n_steps, **params)
    assert len(trains) == 2
    for got, want in zip(trains, want_trains):
        assert got.shape == (n_steps, 5, got.shape[-1]) and got.dtype == np.float64
        assert_spikes_match(jb.to_host(got), want)
    assert 0 < want_trains[-1].mean() < 1  # neither silent nor saturated
    np.testing.assert_allclose(jb.to_host(v_last), want_v, rtol=1e-12, atol=1e-12)
    # the NumPy reference of lif.py agrees with the same loop
    np_trains, np_v = forward_pass_numpy(weights, x, n_steps, **params)
    for got, want in zip(np_trains, want_trains):
        assert np.array_equal(got, want)
    np.testing.assert_allclose(np_v, want_v, rtol=1e-12, atol=1e-12)


def test_forward_pass_float32_stays_float32(rng):
    weights = [w.astype(np.float32) for w in _network(rng)]
    x = rng.random((3, 6)).astype(np.float32)
    trains, v_last = jb.jax_forward_pass(weights, x, 4)
    assert v_last.dtype == np.float32 and trains[0].dtype == np.float32


def test_forward_pass_program_size_does_not_grow_with_n_steps(rng):
    weights = [jb.to_jax(w) for w in _network(rng)]
    x = jb.to_jax(rng.random((2, 6)))
    with jax.enable_x64(True):
        scalars = [jax.numpy.asarray(s, np.float64) for s in (0.0, 0.0, 1.0, 0.9)]
        sizes = {n: len(jb._forward_pass_jit.lower(weights, x, *scalars, n_steps=n)
                        .as_text().splitlines()) for n in (2, 300)}
    assert sizes[2] == sizes[300]


# ------------------------------------------------------------------ surrogate training

BETA, THR, ALPHA = 5.0, 1.0, 0.9


def fast_sigmoid_grad(d):
    return 1.0 / (1.0 + BETA * abs(d)) ** 2


def analytic_one_input_gradient(w, a, target):
    """d loss / d w for one input ``a`` feeding two neurons, two steps, v_rest = v_reset = 0."""
    v1 = a * w
    s1 = (v1 >= THR).astype(float)
    ds1 = fast_sigmoid_grad(v1 - THR) * a
    v2 = ALPHA * (1 - s1) * v1 + a * w
    s2 = (v2 >= THR).astype(float)
    dv2 = ALPHA * ((1 - s1) * a - v1 * ds1) + a
    ds2 = fast_sigmoid_grad(v2 - THR) * dv2
    rate = (s1 + s2) / 2
    p = np.exp(rate) / np.exp(rate).sum()
    dloss_drate = p - np.eye(2)[target]
    loss = -np.log(p[target])
    return dloss_drate * (ds1 + ds2) / 2, loss


@pytest.mark.parametrize("path", ["custom_vjp", "legacy_stop_gradient"])
@pytest.mark.parametrize("w0, a", [((1.5, 0.7), 0.8), ((0.9, 1.6), 1.0), ((1.3, 1.1), 0.5)])
def test_surrogate_gradient_matches_analytic(path, w0, a):
    w = np.array(w0)
    want_grad, want_loss = analytic_one_input_gradient(w, a, target=1)
    assert np.all(want_grad != 0)
    weights = [w[:, None]]
    x, targets = np.array([[a]]), np.array([1])
    loss = jb.jax_surrogate_loss(weights, x, targets, n_steps=2, beta=BETA, threshold=THR,
                                 surrogate_path=path)
    new_w, step_loss = jb.jax_surrogate_gradient_step(weights, x, targets, n_steps=2, lr=1.0,
                                                      beta=BETA, threshold=THR,
                                                      surrogate_path=path)
    assert loss.dtype == np.float64 and float(loss) == float(step_loss)
    np.testing.assert_allclose(float(loss), want_loss, rtol=1e-12)
    np.testing.assert_allclose(w - jb.to_host(new_w[0])[:, 0], want_grad, rtol=1e-9, atol=1e-14)


def test_surrogate_loss_uses_the_forward_pass(rng):
    weights = _network(rng, (6, 10, 3))
    x = rng.random((7, 6))
    targets = rng.integers(0, 3, size=7)
    trains, _ = jb.jax_forward_pass(weights, x, 9)
    rates = jb.to_host(trains[-1]).mean(axis=0)
    log_p = rates - np.log(np.exp(rates).sum(axis=1, keepdims=True))
    want = -log_p[np.arange(7), targets].mean()
    for path in jb.JAX_SURROGATE_PATHS:
        got = jb.jax_surrogate_loss(weights, x, targets, n_steps=9, surrogate_path=path)
        np.testing.assert_allclose(float(got), want, rtol=1e-12)


def accuracy(weights, x, labels, n_steps):
    trains, _ = jb.jax_forward_pass(weights, x, n_steps)
    return float((jb.to_host(trains[-1]).mean(axis=0).argmax(axis=1) == labels).mean())


@pytest.mark.parametrize("path", ["custom_vjp", "legacy_stop_gradient"])
def test_training_two_layer_network_generalises(path):
    rng = np.random.default_rng(2024)
    x_train, y_train = separable_data(rng, 150)
    x_test, y_test = separable_data(rng, 150)
    init = np.random.default_rng(1)
    weights = [init.normal(0, 1 / np.sqrt(12), size=(20, 12)),
               init.normal(0, 1 / np.sqrt(20), size=(3, 20))]
    n_steps = 10
    before = accuracy(weights, x_test, y_test, n_steps)
    losses = []
    for _ in range(60):
        weights, loss = jb.jax_surrogate_gradient_step(weights, x_train, y_train, n_steps=n_steps,
                                                       lr=2.0, surrogate_path=path)
        losses.append(float(loss))
    after = accuracy(weights, x_test, y_test, n_steps)
    assert before < 0.7
    assert losses[-1] < losses[0]
    assert after >= 0.9, (before, after, losses[::10])


def test_gradient_step_is_traced_once_per_shape(rng):
    weights = _network(rng, (5, 7, 3))
    x = rng.random((11, 5))  # a batch size no other test uses
    targets = rng.integers(0, 3, size=11)
    before = jb.TRACE_COUNTS["surrogate_step"]
    weights, _ = jb.jax_surrogate_gradient_step(weights, x, targets, n_steps=3, lr=0.1)
    assert jb.TRACE_COUNTS["surrogate_step"] == before + 1
    for lr, beta, thr, alpha in [(0.2, 3.0, 0.8, 0.5), (0.05, 20.0, 1.1, 0.95)]:
        weights, _ = jb.jax_surrogate_gradient_step(weights, x, targets, n_steps=3, lr=lr,
                                                    beta=beta, threshold=thr, alpha=alpha)
    weights, _ = jb.jax_surrogate_gradient_step([jb.to_host(w) for w in weights], x.tolist(),
                                                targets, n_steps=3)
    assert jb.TRACE_COUNTS["surrogate_step"] == before + 1
    jb.jax_surrogate_gradient_step(weights, x, targets, n_steps=4)  # new n_steps: one new trace
    assert jb.TRACE_COUNTS["surrogate_step"] == before + 2


# --------------------------------------------------------------------- fail-closed inputs

GOOD_W = [np.full((3, 4), 0.5), np.full((2, 3), 0.5)]
GOOD_X = np.full((5, 4), 0.5)
GOOD_Y = np.zeros(5, dtype=np.int64)
NAN = float("nan")


def _with(index, value):
    ws = [w.copy() for w in GOOD_W]
    ws[index] = value
    return ws


# Wrong types are TypeErrors (docs/design.md#errors), checked separately from the ValueError cases.
TYPE_CASES = [
    (dict(weights=GOOD_W[0]), "weights"),
    (dict(n_steps=2.5), "n_steps"),
    (dict(x=np.array([["a", "b", "c", "d"]])), "x"),
]

FORWARD_CASES = [
    (dict(weights=[]), "weights"),
    (dict(weights=_with(0, np.full((3, 4), NAN))), r"weights\[0\]"),
    (dict(weights=_with(1, np.full((2, 5), 0.5))), r"weights\[1\]"),
    (dict(weights=_with(0, np.zeros((0, 4)))), r"weights\[0\]"),
    (dict(x=np.full((5, 3), 0.5)), r"weights\[0\]"),
    (dict(x=np.array([[0.5, np.inf, 0.5, 0.5]])), "x"),
    (dict(x=np.zeros((0, 4))), "x"),
    (dict(x=np.zeros(4)), "x"),
    (dict(x=np.zeros((3, 5, 4))), "x"),  # 3-D with the wrong n_steps
    (dict(n_steps=0), "n_steps"),
    (dict(n_steps=-3), "n_steps"),
    (dict(alpha=0.0), "alpha"),
    (dict(alpha=-1.0), "alpha"),
    (dict(alpha=NAN), "alpha"),
]


def _forward_call(weights=GOOD_W, x=GOOD_X, n_steps=4, alpha=0.9, v_threshold=1.0):
    return jb.jax_forward_pass(weights, x, n_steps, v_threshold=v_threshold, alpha=alpha)


@pytest.mark.parametrize("overrides, name", FORWARD_CASES)
def test_forward_pass_rejects_before_tracing(overrides, name):
    traces = dict(jb.TRACE_COUNTS)
    with pytest.raises(ValueError, match=name):
        _forward_call(**overrides)
    assert dict(jb.TRACE_COUNTS) == traces


@pytest.mark.parametrize("overrides, name", TYPE_CASES)
def test_wrong_types_raise_type_error(overrides, name):
    with pytest.raises(TypeError, match=name):
        _forward_call(**overrides)
    with pytest.raises(TypeError, match=name):
        jb.jax_surrogate_gradient_step(**_training_kwargs(overrides))


def test_forward_pass_rejects_nonfinite_threshold():
    with pytest.raises(ValueError, match="v_threshold"):
        _forward_call(v_threshold=np.inf)


TRAINING_CASES = FORWARD_CASES[1:] + [
    (dict(surrogate_path="sigmoid"), "surrogate_path"),
    (dict(surrogate_path=None), "surrogate_path"),
    (dict(beta=0.0), "beta"),
    (dict(beta=-2.0), "beta"),
    (dict(beta=np.inf), "beta"),
    (dict(targets=np.array([0, 1, 2, 0, 0])), "targets"),  # class 2 of 2
    (dict(targets=np.array([0, -1, 0, 0, 0])), "targets"),
    (dict(targets=np.zeros(4, dtype=int)), "targets"),
    (dict(threshold=NAN), "threshold"),
    (dict(threshold=np.inf), "threshold"),
]


def _training_kwargs(overrides):
    args = dict(weights=GOOD_W, x=GOOD_X, targets=GOOD_Y, n_steps=4, beta=10.0, threshold=1.0,
                surrogate_path="custom_vjp", alpha=0.9)
    args.update(overrides)
    return args


@pytest.mark.parametrize("overrides, name", TRAINING_CASES + [(dict(lr=0.0), "lr"),
                                                             (dict(lr=-1e-3), "lr"),
                                                             (dict(lr=NAN), "lr")])
def test_gradient_step_rejects_before_tracing(overrides, name):
    traces = dict(jb.TRACE_COUNTS)
    with pytest.raises(ValueError, match=name):
        jb.jax_surrogate_gradient_step(**_training_kwargs(overrides))
    assert dict(jb.TRACE_COUNTS) == traces


@pytest.mark.parametrize("overrides, name", TRAINING_CASES)
def test_surrogate_loss_rejects_before_tracing(overrides, name):
    traces = dict(jb.TRACE_COUNTS)
    with pytest.raises(ValueError, match=name):
        jb.jax_surrogate_loss(**_training_kwargs(overrides))
    assert dict(jb.TRACE_COUNTS) == traces


@pytest.mark.parametrize("kwargs, name", [
    (dict(v=np.array([0.1, NAN])), "v"),
    (dict(I_t=np.array([np.inf, 0.0])), "I_t"),
    (dict(I_t=np.zeros(3)), "I_t"),
    (dict(noise=np.zeros((2, 2))), "noise"),
    (dict(alpha=0.0), "alpha"),
    (dict(alpha=-0.5), "alpha"),
    (dict(v_threshold=NAN), "v_threshold"),
    (dict(resistance=np.inf), "resistance"),
])
def test_lif_step_rejects(kwargs, name):
    args = dict(v=np.zeros(2), I_t=np.zeros(2))
    args.update(kwargs)
    traces = dict(jb.TRACE_COUNTS)
    with pytest.raises(ValueError, match=name):
        jb.jax_lif_step(**args)
    assert dict(jb.TRACE_COUNTS) == traces


def test_packed_ops_reject():
    a = np.zeros((2, 3), dtype=np.uint64)
    with pytest.raises(ValueError, match="bits"):
        jb.jax_pack_bitstream(np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="bits"):
        jb.jax_pack_bitstream(np.zeros((2, 2, 2), dtype=np.uint8))
    with pytest.raises(TypeError, match="bits"):
        jb.jax_pack_bitstream(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="same shape"):
        jb.jax_vec_and(a, np.zeros((3, 2), dtype=np.uint64))
    with pytest.raises(TypeError, match="b must have dtype uint64"):
        jb.jax_vec_and(a, a.astype(np.int64))
    with pytest.raises(TypeError, match="a must have dtype uint64"):
        jb.jax_popcount(jb.to_jax(np.zeros(3, dtype=np.int64)))
    with pytest.raises(ValueError, match="sel"):
        jb.jax_vec_mux(a[:1], a, a)
    with pytest.raises(ValueError, match="inputs_packed"):
        jb.jax_vec_mac(np.zeros((2, 3, 4), dtype=np.uint64), np.zeros((3, 5), dtype=np.uint64))
    with pytest.raises(ValueError, match="weights_packed"):
        jb.jax_vec_mac(a, a)


@pytest.mark.parametrize("probs, length, seed, name", [
    (np.array([0.5, NAN, 0.1]), 64, 0, "input_probs"),
    (np.array([0.5, 1.5, 0.1]), 64, 0, "input_probs"),
    (np.array([0.5, 0.5]), 64, 0, "input_probs"),
    (np.array([0.5, 0.5, 0.5]), 0, 0, "length"),
    (np.array([0.5, 0.5, 0.5]), 65, 0, "n_words"),
    (np.array([0.5, 0.5, 0.5]), 64, 2**32, "seed"),
    (np.array([0.5, 0.5, 0.5]), 64, -1, "seed"),
])
def test_sc_forward_rejects(probs, length, seed, name):
    traces = dict(jb.TRACE_COUNTS)
    with pytest.raises(ValueError, match=name):
        jb.JaxBackend().sc_forward(np.zeros((2, 3, 1), dtype=np.uint64), probs, length=length,
                                   seed=seed)
    assert dict(jb.TRACE_COUNTS) == traces


# -------------------------------------------------------------------- x64 scoping, no JAX

def test_calls_leave_global_x64_setting_alone(global_x64, rng):
    weights = _network(rng)
    x = rng.random((3, 6))
    targets = np.array([0, 1, 3])
    calls = [
        lambda: jb.jax_pack_bitstream(np.array([1, 0, 1])),
        lambda: jb.jax_popcount(np.array([7], dtype=np.uint64)),
        lambda: jb.jax_vec_mac(np.ones((1, 2, 1), np.uint64), np.ones((2, 1), np.uint64)),
        lambda: jb.JaxBackend().sc_forward(random_weights(rng, 2, 6, 70), x, length=70),
        lambda: jb.jax_lif_step(x, x),
        lambda: jb.jax_forward_pass(weights, x, 3),
        lambda: jb.jax_surrogate_loss(weights, x, targets, n_steps=3),
        lambda: jb.jax_surrogate_gradient_step(weights, x, targets, n_steps=3),
        lambda: jb.to_jax(x),
    ]
    for call in calls:
        call()
        assert jax.config.jax_enable_x64 is global_x64
    # float64 in, float64 out, whatever the global setting
    v, _ = jb.jax_lif_step(x, x)
    trains, v_last = jb.jax_forward_pass(weights, x, 3)
    new_w, loss = jb.jax_surrogate_gradient_step(weights, x, targets, n_steps=3)
    outputs = (v, trains[0], v_last, new_w[0], new_w[1], loss)
    assert {a.dtype for a in outputs} == {np.dtype(np.float64)}
    assert jb.to_jax(x).dtype == np.float64
    assert jb.to_jax(np.array([2**64 - 1], dtype=np.uint64)).dtype == np.uint64


def test_importing_leaves_global_x64_setting_alone(global_x64):
    module = fresh_module("_jax_backend_reimported")
    assert module.HAS_JAX is True
    assert jax.config.jax_enable_x64 is global_x64


def test_module_imports_and_explains_without_jax(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # makes `import jax` raise ImportError
    module = fresh_module("_jax_backend_without_jax")
    assert module.HAS_JAX is False and module.jnp is None
    assert module.JaxBackend.unavailable_reason().startswith("JAX is not installed")
    assert module.JaxBackend.install_hint() == install_hint("jax")
    calls = [
        lambda: module.jax_pack_bitstream([1, 0]),
        lambda: module.jax_vec_and(np.zeros(1, np.uint64), np.zeros(1, np.uint64)),
        lambda: module.jax_popcount(np.zeros(1, np.uint64)),
        lambda: module.jax_vec_mac(np.zeros((1, 1, 1), np.uint64), np.zeros((1, 1), np.uint64)),
        lambda: module.jax_lif_step(np.zeros(2), np.zeros(2)),
        lambda: module.jax_forward_pass(GOOD_W, GOOD_X, 3),
        lambda: module.jax_surrogate_loss(GOOD_W, GOOD_X, GOOD_Y),
        lambda: module.jax_surrogate_gradient_step(GOOD_W, GOOD_X, GOOD_Y),
        lambda: module.JaxBackend().sc_forward(np.zeros((1, 1, 1), np.uint64), [0.5], length=8),
    ]
    for call in calls:
        with pytest.raises(RuntimeError, match=r"pip install -e '\.\[jax\]'"):
            call()
