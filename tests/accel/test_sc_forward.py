"""docs/design.md#forward-pass: sc_forward on every available backend against the oracle and NumPy."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from conftest import draw_sizes, random_weights, with_fixtures
from hypothesis import given
from hypothesis import strategies as st
from sc_neurocore.accel import get_backend, sc_forward, sc_forward_numpy

EDGE_PROBS = [0.0, 1.0, 1 / 65536, 0.5, 0.3, (2 * 7 + 1) / 131072, (2 * 8 + 1) / 131072,
              65535.5 / 65536, 1e-12]


def run(backend_name, weights, probs, length, seed=44257):
    return sc_forward(weights, probs, length=length, seed=seed, backend=backend_name)


def assert_bits_equal(got, want):
    got = np.asarray(got)
    assert got.dtype == np.float64 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint64), np.asarray(want, dtype=np.float64).view(np.uint64))


@given(data=st.data())
@with_fixtures(25)
def test_random_small_cases_match_oracle(backend_name, data):
    n_out, n_in = draw_sizes(data, 4, 5)
    length = data.draw(st.integers(1, 200))
    seed = data.draw(st.integers(0, 2**32 - 1))
    probs = data.draw(st.lists(st.floats(0, 1), min_size=n_in, max_size=n_in))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    weights = random_weights(rng, n_out, n_in, length)
    got = run(backend_name, weights, np.array(probs), length, seed)
    assert_bits_equal(got, np.array(oracle.forward(weights.tolist(), probs, length, seed)))


@pytest.mark.parametrize("length", [1, 63, 64, 65, 127, 129, 300])
@pytest.mark.parametrize("seed", [0, 44257, 65534, 65535, 2**32 - 1])
def test_edge_probabilities_lengths_and_seeds(backend_name, rng, length, seed):
    weights = random_weights(rng, 3, len(EDGE_PROBS), length)
    got = run(backend_name, weights, np.array(EDGE_PROBS), length, seed)
    assert_bits_equal(got, np.array(oracle.forward(weights.tolist(), EDGE_PROBS, length, seed)))


def test_all_ones_weights_count_the_input_stream(backend_name):
    length = 65535  # one full cycle: exactly x - 1 of the non-zero states are < x
    weights = np.full((1, 2, (length + 63) // 64), np.uint64(2**64 - 1))
    probs = np.array([0.25, 1.0])
    got = run(backend_name, weights, probs, length, seed=7)
    assert got[0] == (16383 + 65535) / 65535


def test_larger_case_matches_numpy(backend_name, rng):
    weights = random_weights(rng, 37, 50, 1000)
    probs = rng.random(50)
    assert_bits_equal(run(backend_name, weights, probs, 1000, 123),
                      sc_forward_numpy(weights, probs, length=1000, seed=123))


def test_batch_rows_equal_single_calls(backend_name, rng):
    weights = random_weights(rng, 5, 9, 130)
    probs = rng.random((4, 9))
    probs[1] = [0, 1, 0.5, 1 / 65536, 0.25, 0.75, 1, 0, 0.5]
    batched = run(backend_name, weights, probs, 130, 65530)
    assert batched.shape == (4, 5)
    for b in range(4):
        assert_bits_equal(batched[b], run(backend_name, weights, probs[b], 130, 65530))


def test_empty_dimensions(backend_name):
    assert run(backend_name, np.zeros((0, 3, 1), np.uint64), np.zeros(3), 10).shape == (0,)
    assert run(backend_name, np.zeros((2, 3, 1), np.uint64), np.zeros((0, 3)), 10).shape == (0, 2)
    assert run(backend_name, np.zeros((2, 0, 1), np.uint64), np.zeros(0), 10).tolist() == [0, 0]


def test_non_contiguous_and_list_inputs(backend_name, rng):
    weights = random_weights(rng, 4, 6, 64)
    wide = np.zeros((4, 12, 1), dtype=np.uint64)
    wide[:, ::2] = weights
    probs = rng.random(6)
    want = sc_forward_numpy(weights, probs, length=64)
    assert_bits_equal(run(backend_name, wide[:, ::2], probs.tolist(), 64), want)


def test_backend_method_equals_facade(backend_name, rng):
    weights = random_weights(rng, 3, 4, 70)
    probs = rng.random(4)
    assert_bits_equal(get_backend(backend_name).sc_forward(weights, probs, length=70),
                      run(backend_name, weights, probs, 70))


# One case per invalid-input class (docs/design.md#errors): (weights, probs, length, seed, exception, match)
W = np.zeros((2, 3, 2), dtype=np.uint64)
P = np.full(3, 0.5)
INVALID = {
    "weights-rank": (np.zeros((2, 3), np.uint64), P, 100, 0, ValueError, "weights_packed"),
    "weights-n-words": (W, P, 64, 0, ValueError, "n_words"),
    "weights-n-in": (W, np.full(4, 0.5), 100, 0, ValueError, "n_in"),
    "weights-float": (W.astype(np.float64), P, 100, 0, TypeError, "uint64"),
    "weights-int64": (W.astype(np.int64), P, 100, 0, TypeError, "uint64"),
    "weights-list": (W.tolist(), P, 100, 0, TypeError, "weights_packed"),
    "probs-nan": (W, np.array([0.5, np.nan, 0.5]), 100, 0, ValueError, "finite"),
    "probs-inf": (W, np.array([0.5, np.inf, 0.5]), 100, 0, ValueError, "finite"),
    "probs-above-one": (W, np.array([0.5, 1.0000001, 0.5]), 100, 0, ValueError, r"\[0, 1\]"),
    "probs-negative": (W, np.array([-1e-300, 0.5, 0.5]), 100, 0, ValueError, r"\[0, 1\]"),
    "probs-rank": (W, np.full((1, 1, 3), 0.5), 100, 0, ValueError, "input_probs"),
    "probs-complex": (W, P.astype(complex), 100, 0, TypeError, "input_probs"),
    "probs-strings": (W, ["a", "b", "c"], 100, 0, TypeError, "input_probs"),
    "length-zero": (np.zeros((2, 3, 0), np.uint64), P, 0, 0, ValueError, "length"),
    "length-negative": (W, P, -5, 0, ValueError, "length"),
    "length-float": (W, P, 100.0, 0, TypeError, "length"),
    "seed-negative": (W, P, 100, -1, ValueError, "seed"),
    "seed-too-large": (W, P, 100, 2**32, ValueError, "seed"),
    "seed-bool": (W, P, 100, True, TypeError, "seed"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_inputs_raise(backend_name, case):
    weights, probs, length, seed, exc, match = INVALID[case]
    with pytest.raises(exc, match=match):
        run(backend_name, weights, probs, length, seed)
