"""docs/design.md#encoder: encode_packed against the bit-by-bit oracle."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_neurocore.accel import encode_packed, weight_seed
from sc_neurocore.accel.lfsr import PERIOD, lfsr_tables, quantize

EDGE_PROBS = [0.0, 1.0, 1 / 65536, 65535 / 65536, 0.5, 0.3, 1e-9, 1 - 1e-9,
              (2 * 7 + 1) / 131072, (2 * 8 + 1) / 131072, 0.5 / 65536, 1.5 / 65536,
              65535.5 / 65536]


def test_round_half_even_quantization():
    probs = np.array(EDGE_PROBS)
    assert quantize(probs).tolist() == [oracle.quantize(p) for p in EDGE_PROBS]
    # 7.5 -> 8 and 8.5 -> 8 (ties to even), 0.5 -> 0, 1.5 -> 2, 65535.5 -> 65536
    assert quantize(np.array([7.5, 8.5, 0.5, 1.5, 65535.5]) / 65536).tolist() == [
        8, 8, 0, 2, 65536]


def test_lfsr_is_maximal():
    seq, pos = lfsr_tables()
    assert len(set(seq.tolist())) == PERIOD and 0 not in set(seq.tolist())
    assert pos[seq[1234]] == 1234


@pytest.mark.parametrize("length", [1, 63, 64, 65, 127, 200])
@pytest.mark.parametrize("seed", [0, 1, 44257, 65534, 65535, 2**32 - 1, 2**32 - 65536])
def test_encode_matches_oracle(length, seed):
    words = encode_packed(np.array(EDGE_PROBS), length, seed)
    assert words.shape == (len(EDGE_PROBS), (length + 63) // 64)
    assert words.tolist() == oracle.encode(EDGE_PROBS, length, seed)


def test_seed_wrapping_hits_zero_uses_one():
    # input 1 with seed 65535 lands on register 0, which must behave as 1
    words = encode_packed(np.array([0.7, 0.7]), 100, 65535)
    ones = encode_packed(np.array([0.7]), 100, 1)
    assert np.array_equal(words[1], ones[0])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=5), st.integers(1, 300),
       st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_encode_random_against_oracle(probs, length, seed):
    assert encode_packed(np.array(probs), length, seed).tolist() == oracle.encode(
        probs, length, seed)


def test_long_streams_wrap_the_cycle():
    length = PERIOD + 70
    words = encode_packed(np.array([0.25]), length, 5)
    bits = np.unpackbits(words.view(np.uint8), bitorder="little")[:length]
    assert np.array_equal(bits[:70], bits[PERIOD:PERIOD + 70])
    # over one full cycle every non-zero state appears once: states 1..16383 are < 16384
    assert int(bits[:PERIOD].sum()) == 16383


def test_batch_and_matrix_shapes():
    probs = np.array([[0.1, 0.9, 0.5], [1.0, 0.0, 0.25]])
    words = encode_packed(probs, 70, 9)
    assert words.shape == (2, 3, 2)
    for row in range(2):
        assert np.array_equal(words[row], encode_packed(probs[row], 70, 9))


def test_weight_seed_is_offset():
    assert weight_seed(44257) == 44257 + 0x8000
    assert weight_seed(2**32 - 1) == 0x8000 - 1


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(probs=[0.5, np.nan], length=8, seed=0), ValueError, "finite"),
    (dict(probs=[1.5], length=8, seed=0), ValueError, r"\[0, 1\]"),
    (dict(probs=[-0.1], length=8, seed=0), ValueError, r"\[0, 1\]"),
    (dict(probs=[0.5], length=0, seed=0), ValueError, "length"),
    (dict(probs=[0.5], length=8, seed=-1), ValueError, "seed"),
    (dict(probs=[0.5], length=8, seed=2**32), ValueError, "seed"),
    (dict(probs=[0.5], length=8.0, seed=0), TypeError, "length"),
    (dict(probs=["a"], length=8, seed=0), TypeError, "probs"),
    (dict(probs=0.5, length=8, seed=0), ValueError, "probs"),
])
def test_encode_rejects(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        encode_packed(**kwargs)
