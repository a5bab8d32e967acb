"""The JAX functions compose with the caller's jit, grad, value_and_grad and vmap (issue 8).

Every public ``jax_*`` function works eagerly and when traced, in any
nesting; static checks hold for tracers, value checks run on concrete inputs
(and under ``checkify``); eager results are what they always were.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import separable_data
from sc_neurocore.accel import InputTypeError, pack_bitstream, vec_and, vec_mux, vec_not, vec_xnor

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
jb = pytest.importorskip("sc_neurocore.accel.jax_backend")
checkify = pytest.importorskip("jax.experimental.checkify")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(8)


def network(rng, sizes=(8, 16, 3), dtype=np.float64):
    return [(rng.normal(0, 0.6, size=(n_out, n_in))).astype(dtype)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


X64 = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])


def x64_for(dtype):
    """float64 needs the caller's x64 mode on for traced calls (float32 runs either way)."""
    return jax.enable_x64(np.dtype(dtype) == np.float64)


# ------------------------------------------------------------------------ forward pass

@X64
@pytest.mark.parametrize("time_major", [False, True])
def test_jit_forward_pass_equals_eager(rng, dtype, time_major):
    weights = network(rng, dtype=dtype)
    x = rng.random((4, 6, 8) if time_major else (6, 8)).astype(dtype)
    params = dict(v_rest=0.05, v_reset=-0.1, v_threshold=0.9, alpha=0.8)
    eager_trains, eager_v = jb.jax_forward_pass(weights, x, 4, **params)
    with x64_for(dtype):
        # weights traced, x and the scalars closed over (constants of the caller's program)
        trains, v = jax.jit(lambda w: jb.jax_forward_pass(w, x, 4, **params))(weights)
        # everything traced, n_steps static
        f = jax.jit(jb.jax_forward_pass, static_argnames="n_steps")
        trains2, v2 = f(weights, x, n_steps=4, **params)
    for got_trains, got_v in ((trains, v), (trains2, v2)):
        assert all(same_bits(a, b) for a, b in zip(got_trains, eager_trains))
        assert same_bits(got_v, eager_v)


def test_vmap_forward_pass_over_batches_of_weights(rng):
    stacks = [rng.normal(0, 0.6, size=(5, 16, 8)), rng.normal(0, 0.6, size=(5, 3, 16))]
    x = rng.random((6, 8))
    with jax.enable_x64(True):
        trains, v = jax.vmap(lambda w0, w1: jb.jax_forward_pass([w0, w1], x, 3))(*stacks)
    for k in range(5):
        one_trains, one_v = jb.jax_forward_pass([stacks[0][k], stacks[1][k]], x, 3)
        assert same_bits(trains[1][k], one_trains[1]) and same_bits(v[k], one_v)


def test_n_steps_must_stay_static(rng):
    weights, x = network(rng), rng.random((2, 8))
    with pytest.raises(InputTypeError, match="n_steps must be a concrete Python int"):
        jax.jit(lambda n: jb.jax_forward_pass(weights, x, n))(3)
    with pytest.raises(ValueError, match="static_argnames"):
        jax.jit(lambda n: jb.jax_surrogate_loss(weights, x, np.zeros(2, int), n))(3)


# --------------------------------------------------------------------------- LIF step

@X64
def test_vmap_lif_step_equals_per_row_calls(rng, dtype):
    v = rng.normal(0.5, 0.6, size=(7, 9)).astype(dtype)
    current = rng.normal(0.3, 0.5, size=(7, 9)).astype(dtype)
    noise = rng.normal(0, 0.05, size=(7, 9)).astype(dtype)
    params = dict(v_rest=-0.1, v_reset=-0.3, v_threshold=0.9, alpha=0.2, resistance=1.5)
    with x64_for(dtype):
        got_v, got_s = jax.vmap(lambda a, b, c: jb.jax_lif_step(a, b, noise=c, **params))(
            v, current, noise)
        jit_v, jit_s = jax.jit(jax.vmap(lambda a, b: jb.jax_lif_step(a, b, **params)))(
            v, current)
    rows = [jb.jax_lif_step(v[i], current[i], noise=noise[i], **params) for i in range(7)]
    assert 0 < int(np.asarray(got_s).sum()) < got_s.size  # both branches taken
    assert same_bits(got_v, np.stack([np.asarray(r[0]) for r in rows]))
    assert same_bits(got_s, np.stack([np.asarray(r[1]) for r in rows]))
    no_noise = [jb.jax_lif_step(v[i], current[i], **params) for i in range(7)]
    assert same_bits(jit_v, np.stack([np.asarray(r[0]) for r in no_noise]))
    assert same_bits(jit_s, np.stack([np.asarray(r[1]) for r in no_noise]))


def test_grad_through_lif_step(rng):
    v, current = rng.normal(0.5, 0.6, size=20), rng.normal(0.3, 0.5, size=20)
    with jax.enable_x64(True):
        grad = jax.grad(lambda i: jnp.sum(jb.jax_lif_step(v, i, resistance=1.5)[0]))(current)
        _, spikes = jb.jax_lif_step(v, current, resistance=1.5)
    # v' = v + (v_rest - v) alpha + I R where no spike, v_reset (constant) where one
    want = np.where(np.asarray(spikes) == 1, 0.0, 1.5)
    assert 0 < int(np.asarray(spikes).sum()) < 20
    np.testing.assert_array_equal(np.asarray(grad), want)


# --------------------------------------------------------------------- surrogate loss

@pytest.mark.parametrize("path", ["custom_vjp", "legacy_stop_gradient"])
def test_grad_of_loss_equals_the_gradient_step(rng, path):
    weights = network(rng)
    x, targets = rng.random((10, 8)), rng.integers(0, 3, size=10)
    kwargs = dict(n_steps=6, beta=4.0, threshold=0.9, alpha=0.8, surrogate_path=path)
    with jax.enable_x64(True):
        loss, grads = jax.value_and_grad(jb.jax_surrogate_loss)(weights, x, targets, **kwargs)
        grads_only = jax.grad(jb.jax_surrogate_loss)(weights, x, targets, **kwargs)
    new_w, step_loss = jb.jax_surrogate_gradient_step(weights, x, targets, lr=1.0, **kwargs)
    assert float(loss) == float(step_loss) == float(jb.jax_surrogate_loss(weights, x, targets,
                                                                          **kwargs))
    for g, g2, w, w_new in zip(grads, grads_only, weights, new_w):
        assert g.dtype == np.float64 and g.shape == w.shape
        assert same_bits(g, g2)
        assert np.abs(np.asarray(g)).max() > 1e-3  # a real gradient, not zeros
        # the step is w - 1.0 * g: equal up to the rounding of that subtraction
        np.testing.assert_allclose(np.asarray(g), w - np.asarray(w_new), rtol=0, atol=1e-15)


def test_jit_vmap_grad_over_a_batch_of_weight_matrices(rng):
    stack = rng.normal(0, 0.6, size=(6, 3, 8))
    x, targets = rng.random((10, 8)), rng.integers(0, 3, size=10)

    def loss(w):
        return jb.jax_surrogate_loss([w], x, targets, n_steps=5)

    with jax.enable_x64(True):
        batched = jax.jit(jax.vmap(jax.grad(loss)))(stack)
        singles = [jax.grad(loss)(w) for w in stack]
    assert batched.shape == stack.shape and batched.dtype == np.float64
    np.testing.assert_allclose(np.asarray(batched), np.stack([np.asarray(g) for g in singles]),
                               rtol=1e-12, atol=1e-15)
    assert np.abs(np.asarray(batched)).max() > 1e-3
    # float32 in the caller's default (x64 off) mode too
    batched32 = jax.jit(jax.vmap(jax.grad(loss)))(stack.astype(np.float32))
    assert batched32.dtype == np.float32
    np.testing.assert_allclose(np.asarray(batched32), np.asarray(batched), rtol=1e-4, atol=1e-5)


def test_jit_gradient_step_equals_eager(rng):
    weights = network(rng, dtype=np.float32)
    x, targets = rng.random((10, 8)).astype(np.float32), rng.integers(0, 3, size=10)
    eager_w, eager_loss = jb.jax_surrogate_gradient_step(weights, x, targets, 5, lr=0.1)
    step = jax.jit(jb.jax_surrogate_gradient_step, static_argnames=("n_steps",
                                                                    "surrogate_path"))
    jit_w, jit_loss = step(weights, x, targets, n_steps=5, lr=0.1)
    traced_lr_w, traced_lr_loss = jax.jit(
        lambda lr: jb.jax_surrogate_gradient_step(weights, x, targets, 5, lr=lr))(0.1)
    for got_w, got_loss in ((jit_w, jit_loss), (traced_lr_w, traced_lr_loss)):
        assert same_bits(got_loss, eager_loss)
        assert all(same_bits(a, b) for a, b in zip(got_w, eager_w))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_hot_and_integer_targets_give_the_same_loss(rng, dtype):
    weights = network(rng, dtype=dtype)
    x, labels = rng.random((10, 8)).astype(dtype), rng.integers(0, 3, size=10)
    one_hot = np.eye(3, dtype=dtype)[labels]
    for path in jb.JAX_SURROGATE_PATHS:
        by_label = jb.jax_surrogate_loss(weights, x, labels, n_steps=6, surrogate_path=path)
        by_row = jb.jax_surrogate_loss(weights, x, one_hot, n_steps=6, surrogate_path=path)
        assert by_label.dtype == by_row.dtype == dtype and float(by_label) == float(by_row)
        w1, l1 = jb.jax_surrogate_gradient_step(weights, x, labels, n_steps=6, lr=0.5,
                                                surrogate_path=path)
        w2, l2 = jb.jax_surrogate_gradient_step(weights, x, one_hot, n_steps=6, lr=0.5,
                                                surrogate_path=path)
        assert float(l1) == float(l2)
        for a, b in zip(w1, w2):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-7)


def test_soft_targets_are_a_cross_entropy(rng):
    weights = network(rng)
    x = rng.random((10, 8))
    soft = rng.dirichlet(np.ones(3), size=10)
    trains, _ = jb.jax_forward_pass(weights, x, 6)
    rates = np.asarray(trains[-1]).mean(axis=0)
    log_p = rates - np.log(np.exp(rates).sum(axis=1, keepdims=True))
    want = -(soft * log_p).sum(axis=1).mean()
    np.testing.assert_allclose(float(jb.jax_surrogate_loss(weights, x, soft, n_steps=6)), want,
                               rtol=1e-12)
    with jax.enable_x64(True):  # the targets may be traced too
        traced = jax.jit(lambda t: jb.jax_surrogate_loss(weights, x, t, n_steps=6))(soft)
    np.testing.assert_allclose(float(traced), want, rtol=1e-12)


@pytest.mark.parametrize("targets, match", [
    (np.full((10, 3), 0.5), "row 0 sums to 1.5"),
    (np.eye(3)[np.zeros(10, int)] * -1.0, r"in \[0, 1\]"),
    (np.full((10, 4), 0.25), r"\(batch, n_classes\) = \(10, 3\)"),
    (np.zeros((10, 3, 1)), "got shape"),
    (np.zeros(10), "integer class labels"),
])
def test_bad_targets_are_rejected(rng, targets, match):
    weights, x = network(rng), rng.random((10, 8))
    with pytest.raises(ValueError, match=match):
        jb.jax_surrogate_loss(weights, x, targets, n_steps=2)


# ---------------------------------------------------------------------------- optax

def test_optax_adam_with_value_and_grad_trains_to_90_percent():
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(2024)
    x_train, y_train = separable_data(rng, 150, dtype=np.float32)
    x_test, y_test = separable_data(rng, 150, dtype=np.float32)
    init = np.random.default_rng(1)
    params = [jnp.asarray(init.normal(0, 1 / np.sqrt(12), size=(20, 12)), jnp.float32),
              jnp.asarray(init.normal(0, 1 / np.sqrt(20), size=(3, 20)), jnp.float32)]
    optimiser = optax.adam(0.05)
    state = optimiser.init(params)

    @jax.jit
    def train_step(params, state):
        loss, grads = jax.value_and_grad(jb.jax_surrogate_loss)(params, x_train, y_train,
                                                                n_steps=10)
        updates, state = optimiser.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    def accuracy(params):
        trains, _ = jb.jax_forward_pass(params, x_test, 10)
        return float((np.asarray(trains[-1]).mean(axis=0).argmax(axis=1) == y_test).mean())

    before = accuracy(params)
    losses = []
    for _ in range(40):
        params, state, loss = train_step(params, state)
        losses.append(float(loss))
    after = accuracy(params)
    assert before < 0.7 and losses[-1] < losses[0]
    assert after >= 0.9, (before, after, losses[::8])


# --------------------------------------------------------------------- packed kernels

def test_packed_kernels_under_the_callers_jit_and_vmap(rng):
    a, b, sel = (rng.integers(0, 2**64, size=(4, 5), dtype=np.uint64) for _ in range(3))
    weights = rng.integers(0, 2**64, size=(3, 5, 2), dtype=np.uint64)
    inputs = rng.integers(0, 2**64, size=(4, 5, 2), dtype=np.uint64)
    bits = rng.integers(0, 2, size=(3, 130))
    with jax.enable_x64(True):
        ops = jax.jit(lambda a, b, s: (jb.jax_vec_and(a, b), jb.jax_vec_xnor(a, b),
                                       jb.jax_vec_not(a), jb.jax_vec_mux(s, a, b),
                                       jb.jax_popcount(a)))(a, b, sel)
        mac = jax.jit(jax.vmap(jb.jax_vec_mac, in_axes=(None, 0)))(weights, inputs)
        packed = jax.jit(jb.jax_pack_bitstream)(bits)
        popcounts = jax.vmap(jb.jax_popcount)(a)
    want = (vec_and(a, b), vec_xnor(a, b), vec_not(a), vec_mux(sel, a, b),
            np.bitwise_count(a).astype(np.uint64))
    assert all(same_bits(got, w) for got, w in zip(ops, want))
    assert same_bits(mac, np.asarray(jb.jax_vec_mac(weights, inputs)))
    assert same_bits(packed, pack_bitstream(bits))
    assert same_bits(popcounts, want[-1])


def test_uint64_kernels_traced_with_x64_off_say_so(rng):
    a = rng.integers(0, 2**64, size=(4,), dtype=np.uint64)
    assert not jax.config.jax_enable_x64
    calls = [
        lambda: jax.jit(jb.jax_popcount)(a),
        lambda: jax.jit(lambda x: jb.jax_vec_and(x, a))(a),
        lambda: jax.vmap(jb.jax_vec_not)(a[None]),
        lambda: jax.jit(lambda w: jb.jax_vec_mac(w, a.reshape(1, 4)))(a.reshape(1, 1, 4)),
        lambda: jax.jit(jb.jax_pack_bitstream)(np.array([1, 0, 1])),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"64-bit types are disabled.*jax.enable_x64"):
            call()
    # eagerly, the library scopes x64 itself, as before
    assert same_bits(jb.jax_popcount(a), np.bitwise_count(a).astype(np.uint64))


@pytest.mark.parametrize("call", [
    lambda: jb.jax_vec_and(np.zeros(0, np.uint64), np.zeros(0, np.uint64)),
    lambda: jb.jax_popcount(np.zeros((2, 0), np.uint64)),
    lambda: jb.jax_vec_xnor(np.zeros(0, np.uint64), np.zeros(0, np.uint64)),
    lambda: jb.jax_vec_not(jb.to_jax(np.zeros(0, np.uint64))),
    lambda: jb.jax_vec_mux(*[np.zeros((0, 3), np.uint64)] * 3),
], ids=["and", "popcount", "xnor", "not", "mux"])
def test_empty_packed_input_is_rejected(call):
    with pytest.raises(ValueError, match="must be non-empty"):
        call()


# --------------------------------------------------------------- value checks when traced

def test_concrete_arguments_are_still_checked_inside_a_trace(rng):
    weights = network(rng)
    x = rng.random((2, 8))
    x[1, 3] = np.nan
    with pytest.raises(ValueError, match=r"x must be finite, got nan at index \(1, 3\)"):
        jax.jit(lambda w: jb.jax_forward_pass([w, weights[1]], x, 3))(weights[0])
    with pytest.raises(ValueError, match="alpha"):
        jax.vmap(lambda v: jb.jax_lif_step(v, 0.1, alpha=-1.0))(np.zeros((2, 3)))


def test_traced_values_are_checked_under_checkify(rng):
    weights = network(rng)
    x = rng.random((2, 8))
    bad_x = x.copy()
    bad_x[0, 0] = np.inf
    forward = jax.jit(lambda xx: jb.jax_forward_pass(weights, xx, 3))
    forward(bad_x)  # plain jit: the value check on a tracer is skipped (documented)
    checked = checkify.checkify(forward, errors=checkify.user_checks)
    err, _ = checked(bad_x)
    assert "x must be finite" in err.get()
    err, _ = checked(x)
    assert err.get() is None
    labels = np.array([0, 5])
    err, _ = checkify.checkify(jax.jit(lambda y: jb.jax_surrogate_loss(weights, x, y, 3)))(labels)
    assert "targets must be class labels in [0, 3)" in err.get()
    err, _ = checkify.checkify(jax.vmap(lambda a: jb.jax_lif_step(np.zeros(3), 0.1, alpha=a)))(
        np.array([0.5, -0.5]))
    assert "alpha must be a finite number > 0" in err.get()


def test_eager_calls_keep_their_internal_jit_cache(rng):
    weights = network(rng, sizes=(5, 7, 2))
    x = rng.random((13, 5))  # a batch size no other test uses
    before = jb.TRACE_COUNTS["forward_pass"]
    for _ in range(3):
        jb.jax_forward_pass(weights, x, 3)
    assert jb.TRACE_COUNTS["forward_pass"] == before + 1
