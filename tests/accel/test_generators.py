"""docs/design.md#stream-generators: every generator against the oracle, on every backend."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from conftest import random_weights, with_fixtures
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_neurocore import _engine
from sc_neurocore._validation import GENERATORS, ROLES
from sc_neurocore.accel import (
    Backend,
    InputTypeError,
    encode_packed,
    get_backend,
    sc_forward,
    sc_forward_numpy,
    weight_seed,
)
from sc_neurocore.accel._encoder import encoder_operands
from sc_neurocore.accel._generators import (
    SEQUENCE_PERIODS,
    digital_shifts,
    sequence_values,
    sobol_directions,
)
from sc_neurocore.splitmix import SplitMix64

EDGE_PROBS = [0.0, 1.0, 1 / 65536, 65535 / 65536, 0.5, 0.3, 1e-9, 1 - 1e-9,
              0.5 / 65536, 1.5 / 65536, 65535.5 / 65536]
OTHER = [g for g in GENERATORS if g != "lfsr"]


def bits_equal(got: np.ndarray, want: np.ndarray) -> bool:
    got = np.asarray(got, dtype=np.float64)
    return got.shape == want.shape and np.array_equal(got.view(np.uint64), want.view(np.uint64))


def test_names_and_default():
    assert GENERATORS[0] == "lfsr" and set(GENERATORS) == {"lfsr", "sobol", "lfsr_pair"}
    assert ROLES == ("input", "weight")


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("length, seed", [(1, 0), (63, 65535), (64, 44257), (65, 2**32 - 1),
                                          (200, 12345), (65536 + 70, 7)])
def test_encode_matches_oracle(generator, role, length, seed):
    words = encode_packed(np.array(EDGE_PROBS), length, seed, generator=generator, role=role)
    assert words.tolist() == oracle.encode_with(EDGE_PROBS, length, seed, generator, role)
    engine = _engine.encode_packed(np.array(EDGE_PROBS), length, seed, generator, role)
    assert np.array_equal(engine, words)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=4), st.integers(1, 200),
       st.integers(0, 2**32 - 1), st.sampled_from(GENERATORS), st.sampled_from(ROLES))
@settings(max_examples=40, deadline=None)
def test_encode_random_against_oracle(probs, length, seed, generator, role):
    got = encode_packed(np.array(probs), length, seed, generator=generator, role=role)
    assert got.tolist() == oracle.encode_with(probs, length, seed, generator, role)


def test_default_generator_is_the_reference_bit_for_bit():
    probs = np.random.default_rng(1).random((3, 17))
    plain = encode_packed(probs, 300, 5)
    assert plain.tolist() == [oracle.encode(row.tolist(), 300, 5) for row in probs]
    for role in ROLES:
        assert np.array_equal(encode_packed(probs, 300, 5, generator="lfsr", role=role), plain)
    # lfsr_pair's input side is the reference; its weight side is another register.
    assert np.array_equal(encode_packed(probs, 300, 5, generator="lfsr_pair"), plain)
    assert not np.array_equal(encode_packed(probs, 300, 5, generator="lfsr_pair",
                                            role="weight"), plain)


def test_sobol_tables():
    vdc = sequence_values("sobol_1").astype(np.int64)
    n = np.arange(65536)
    rev = np.zeros_like(n)
    for b in range(16):
        rev |= ((n >> b) & 1) << (15 - b)
    assert np.array_equal(vdc, rev)
    assert sobol_directions(2)[:5] == (1 << 15, 3 << 14, 5 << 13, 15 << 12, 17 << 11)
    for name, period in SEQUENCE_PERIODS.items():
        values = sequence_values(name)
        assert values.shape == (period,) and values.dtype == np.uint16
        assert len(np.unique(values)) == period  # every value once per period
    # The first 2**m points of the pair are a (0, m, 2)-net: one point in every
    # elementary box of area 2**-m.
    s1, s2 = sequence_values("sobol_1").astype(int), sequence_values("sobol_2").astype(int)
    for m in (3, 6, 10):
        for a in range(m + 1):
            boxes = (s1[:2**m] >> (16 - a)) * 2**(m - a) + (s2[:2**m] >> (16 - (m - a)))
            assert len(np.unique(boxes)) == 2**m


def test_digital_shifts_are_splitmix_draws():
    draws = SplitMix64(44257).u64s(10)
    for coordinate in (1, 2):
        want = [int(d) >> 48 for d in draws[coordinate - 1::2]]
        assert digital_shifts(5, 44257, coordinate).tolist() == want
        assert want == [oracle.splitmix_draw(44257, 2 * i + coordinate) >> 48 for i in range(5)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("m", [0, 4, 10, 16])
def test_sobol_stream_counts_are_stratified(role, m):
    # Over 2**m points each coordinate puts one point in every interval of
    # width 2**(16 - m), whatever the shift: a stream's count of ones is
    # within 1 of length * x / 65536 (exact over the whole period).
    length = 2**m
    probs = np.random.default_rng(m).random(40)
    words = encode_packed(probs, length, 99, generator="sobol", role=role)
    counts = np.bitwise_count(words).sum(axis=-1)
    x = np.rint(probs * 65536)
    assert np.all(np.abs(counts - length * x / 65536) < 1)
    if m == 16:
        assert np.array_equal(counts, x)


@pytest.mark.parametrize("generator", GENERATORS)
def test_operands_period_and_mask(generator):
    for role in ROLES:
        ops = encoder_operands(np.full((2, 5), 0.5), 70_000, 3, generator=generator, role=role)
        period = SEQUENCE_PERIODS[ops.sequence]
        assert ops.cycle.shape == (ops.copies * period,)
        assert np.all(ops.start + 70_000 <= ops.cycle.shape[0])
        assert ops.masked == (generator == "sobol")


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("n_out, n_in, length, batch, seed", [
    (4, 9, 130, None, 65535), (3, 5, 1024, 3, 44257), (2, 3, 70_000, 2, 0), (1, 1, 1, None, 7),
    (6, 40, 65536, None, 2**32 - 1)])
def test_sc_forward_every_backend_bit_identical(backend_name, generator, n_out, n_in, length,
                                                batch, seed):
    rng = np.random.default_rng(n_in * length)
    w = rng.random((n_out, n_in))
    weights = encode_packed(w, length, weight_seed(seed), generator=generator, role="weight")
    probs = rng.random(n_in if batch is None else (batch, n_in))
    probs.flat[0] = 1.0
    probs.flat[-1] = 0.0
    want = sc_forward_numpy(weights, probs, length, seed, generator=generator)
    # The reference: the inputs' encoding (input side), ANDed and counted.
    x = encode_packed(probs, length, seed, generator=generator)
    x2 = x if batch is not None else x[None]
    counts = np.bitwise_count(weights[None] & x2[:, None]).sum(axis=(2, 3))
    assert bits_equal(want, (counts / np.float64(length)).reshape(want.shape))
    got = sc_forward(weights, probs, length=length, seed=seed, backend=backend_name,
                     generator=generator)
    assert bits_equal(got, want)


@given(data=st.data())
@with_fixtures(15)
def test_random_cases_match_oracle(backend_name, data):
    generator = data.draw(st.sampled_from(OTHER))
    n_in = data.draw(st.integers(1, 5))
    length = data.draw(st.integers(1, 200))
    seed = data.draw(st.integers(0, 2**32 - 1))
    probs = data.draw(st.lists(st.floats(0, 1), min_size=n_in, max_size=n_in))
    weights = random_weights(np.random.default_rng(data.draw(st.integers(0, 2**31))), 3, n_in,
                             length)
    streams = oracle.encode_with(probs, length, seed, generator, "input")
    want = [sum(bin(int(w) & x).count("1") for row_w, row_x in zip(row, streams)
                for w, x in zip(row_w, row_x)) / length for row in weights.tolist()]
    got = sc_forward(weights, np.array(probs), length=length, seed=seed, backend=backend_name,
                     generator=generator)
    assert bits_equal(got, np.array(want))


@pytest.mark.parametrize("bad, exc, match", [
    ("halton", ValueError, "generator must be one of lfsr, sobol, lfsr_pair; got 'halton'"),
    ("", ValueError, "got ''"),
    (3, InputTypeError, "generator must be a str"),
])
def test_bad_generator_is_refused_by_every_backend(backend_name, bad, exc, match):
    weights = np.zeros((2, 3, 1), dtype=np.uint64)
    with pytest.raises(exc, match=match):
        sc_forward(weights, np.full(3, 0.5), length=10, backend=backend_name, generator=bad)
    with pytest.raises(exc, match=match):
        encode_packed([0.5], 10, 1, generator=bad)


def test_no_generator_is_the_reference_in_sc_forward_only(backend_name, rng):
    # sc_forward's generator=None means "lfsr" (a prepared layer's own generator there);
    # a backend's method and the encoder take a name.
    weights, probs = random_weights(rng, 2, 3, 10), rng.random(3)
    assert bits_equal(sc_forward(weights, probs, length=10, backend=backend_name,
                                 generator=None),
                      sc_forward(weights, probs, length=10, backend=backend_name))
    with pytest.raises(InputTypeError, match="generator must be a str"):
        get_backend(backend_name).sc_forward(weights, probs, length=10, generator=None)
    with pytest.raises(InputTypeError, match="generator must be a str"):
        encode_packed([0.5], 10, 1, generator=None)


@pytest.mark.parametrize("bad, exc", [("output", ValueError), ("Input", ValueError),
                                      (1, InputTypeError)])
def test_bad_role_is_refused(bad, exc):
    with pytest.raises(exc, match="role must be"):
        encode_packed([0.5], 10, 1, generator="sobol", role=bad)
    with pytest.raises(TypeError if exc is InputTypeError else ValueError, match="role must be"):
        _engine.encode_packed(np.array([0.5]), 10, 1, "sobol", bad)


def test_engine_refuses_a_bad_generator_like_python():
    weights = np.zeros((2, 3, 1), dtype=np.uint64)
    with pytest.raises(ValueError, match="generator must be one of lfsr, sobol, lfsr_pair; "
                                         "got 'x'"):
        _engine.sc_forward(weights, np.full(3, 0.5), 10, 1, "x")
    with pytest.raises(TypeError, match="generator must be a str, one of lfsr, sobol, "
                                        "lfsr_pair; got float"):
        _engine.sc_forward(weights, np.full(3, 0.5), 10, 1, 1.5)


class _Plain(Backend):
    name = "plain_test"

    def sc_forward(self, weights_packed, input_probs, *, length, seed=44257):
        return sc_forward_numpy(weights_packed, input_probs, length, seed)


class _Aware(Backend):
    name = "aware_test"

    def sc_forward(self, weights_packed, input_probs, *, length, seed=44257,
                   generator="lfsr"):
        return sc_forward_numpy(weights_packed, input_probs, length, seed, generator=generator)


def test_user_backends_with_and_without_a_generator_parameter():
    rng = np.random.default_rng(3)
    weights = random_weights(rng, 3, 4, 100)
    probs = rng.random(4)
    want = sc_forward_numpy(weights, probs, 100, generator="sobol")
    assert bits_equal(sc_forward(weights, probs, length=100, backend=_Aware(),
                                 generator="sobol"), want)
    assert bits_equal(sc_forward(weights, probs, length=100, backend=_Plain()),
                      sc_forward_numpy(weights, probs, 100))
    with pytest.raises(ValueError, match="takes no generator, got generator='sobol'"):
        sc_forward(weights, probs, length=100, backend=_Plain(), generator="sobol")
    with pytest.raises(ValueError, match="generator must be one of"):
        sc_forward(weights, probs, length=100, backend=_Plain(), generator="bad")


def test_sobol_is_accurate_on_w1():
    # The accuracy the generator exists for (docs/design.md#stream-generators):
    # W1 (128 x 784, W and x uniform), L = 1024: RMSE of the mean product.
    rng = np.random.default_rng(7)
    w, x = rng.random((128, 784)), rng.random(784)
    errors = {}
    for generator in GENERATORS:
        weights = encode_packed(w, 1024, weight_seed(44257), generator=generator,
                                role="weight")
        y = sc_forward_numpy(weights, x, 1024, generator=generator)
        errors[generator] = float(np.sqrt(np.mean(((y - w @ x) / 784) ** 2)))
    assert errors["sobol"] <= 5e-5
    assert errors["sobol"] < errors["lfsr_pair"] / 5 and errors["sobol"] < errors["lfsr"] / 5
