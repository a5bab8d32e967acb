"""docs/design.md#packing and #vector-operations: packing layout and packed operations on NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import pack as oracle_pack
from sc_neurocore.accel import pack_bitstream, unpack_bitstream
from sc_neurocore.accel.vector_ops import vec_and, vec_mux, vec_not, vec_popcount, vec_xnor

bit_lists = st.lists(st.integers(0, 1), min_size=0, max_size=300)


@given(bit_lists)
@settings(max_examples=60, deadline=None)
def test_pack_matches_oracle_layout(bits):
    packed = pack_bitstream(np.array(bits, dtype=np.uint8))
    assert packed.dtype == np.uint64
    assert packed.tolist() == oracle_pack(bits)


@given(bit_lists)
@settings(max_examples=60, deadline=None)
def test_round_trip_1d(bits):
    arr = np.array(bits, dtype=np.uint8)
    assert np.array_equal(unpack_bitstream(pack_bitstream(arr), len(bits)), arr)


@pytest.mark.parametrize("n", [1, 63, 64, 65, 200])
def test_round_trip_2d(rng, n):
    bits = rng.integers(0, 2, size=(3, n), dtype=np.uint8)
    packed = pack_bitstream(bits)
    assert packed.shape == (3, (n + 63) // 64)
    assert np.array_equal(unpack_bitstream(packed, 3 * n), bits)
    assert np.array_equal(unpack_bitstream(packed, 3 * n, original_shape=(3, n)), bits)
    assert np.array_equal(unpack_bitstream(packed, 3 * n, original_shape=(3 * n,)),
                          bits.reshape(-1))


def test_pack_bool_and_padding_zero():
    packed = pack_bitstream(np.ones(70, dtype=bool))
    assert packed.tolist() == [2**64 - 1, (1 << 6) - 1]


def test_pack_lsb_first():
    bits = np.zeros(64, dtype=np.uint8)
    bits[0] = 1
    bits[63] = 1
    assert int(pack_bitstream(bits)[0]) == 1 | (1 << 63)


@pytest.mark.parametrize("bad", [[0, 2, 1], [0, -1], [0, 255]])
def test_pack_rejects_non_binary(bad):
    with pytest.raises(ValueError, match="only 0 and 1"):
        pack_bitstream(np.array(bad))


def test_pack_rejects_floats_and_bad_rank():
    with pytest.raises(TypeError, match="bits"):
        pack_bitstream(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="1-D"):
        pack_bitstream(np.zeros((2, 2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="1-D"):
        pack_bitstream(np.uint8(1))


def test_unpack_rejects_bad_arguments():
    packed = np.zeros(2, dtype=np.uint64)
    with pytest.raises(ValueError, match="words"):
        unpack_bitstream(packed, 129)
    with pytest.raises(ValueError, match="original_length"):
        unpack_bitstream(packed, -1)
    with pytest.raises(TypeError, match="uint64"):
        unpack_bitstream(np.zeros(2, dtype=np.int64), 10)
    with pytest.raises(ValueError, match="original_shape"):
        unpack_bitstream(packed, 10, original_shape=(3, 3))
    with pytest.raises(ValueError, match="multiple"):
        unpack_bitstream(np.zeros((3, 1), dtype=np.uint64), 10)


def test_bit_ops_match_python_ints(rng):
    a, b, s = (rng.integers(0, 2**64, size=17, dtype=np.uint64, endpoint=False)
               for _ in range(3))
    mask = 2**64 - 1
    pa, pb, ps = a.tolist(), b.tolist(), s.tolist()
    assert vec_and(a, b).tolist() == [x & y for x, y in zip(pa, pb)]
    assert vec_xnor(a, b).tolist() == [~(x ^ y) & mask for x, y in zip(pa, pb)]
    assert vec_not(a).tolist() == [~x & mask for x in pa]
    assert vec_mux(s, a, b).tolist() == [(z & x) | (~z & mask & y) for z, x, y in zip(ps, pa, pb)]
    assert vec_popcount(a) == sum(bin(x).count("1") for x in pa)
    assert isinstance(vec_popcount(a), int)


def test_ops_reject_mismatch_and_dtype():
    a = np.zeros(3, dtype=np.uint64)
    with pytest.raises(ValueError, match="same shape"):
        vec_and(a, np.zeros(4, dtype=np.uint64))
    with pytest.raises(ValueError, match="same shape"):
        vec_mux(a, a, np.zeros((3, 1), dtype=np.uint64))
    with pytest.raises(TypeError, match="uint64"):
        vec_xnor(a, np.zeros(3, dtype=np.float64))
    with pytest.raises(TypeError, match="ndarray"):
        vec_not([1, 2, 3])
