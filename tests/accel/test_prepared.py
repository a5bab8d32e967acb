"""docs/design.md#prepared-layers: a prepared layer's forward pass is the packed path's, bit for bit.

Every backend that has the prepared path is compared, for every stream
generator ``g`` (docs/design.md#stream-generators), with the packed NumPy
reference ``sc_forward(encode_packed(W, length, weight_seed, generator=g,
role="weight"), x, ..., generator=g)`` on
1-D and batched inputs, every shape, lengths that are not a multiple of 64
and above 65535 (where the weight-side states repeat), seeds that wrap past
65535 and hit the state-0 substitution, and probabilities exactly 0 and 1.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import AVAILABLE, draw_sizes, with_fixtures
from hypothesis import given
from hypothesis import strategies as st
from sc_neurocore._validation import DEFAULT_GENERATOR, GENERATORS
from sc_neurocore.accel import (
    Backend,
    InputTypeError,
    PreparedLayer,
    encode_packed,
    get_backend,
    prepare_layer,
    sc_forward,
    weight_seed,
)
from sc_neurocore.accel._backends.on_numpy import prepared_counts as numpy_prepared_counts
from sc_neurocore.accel._encoder import stream_states
from sc_neurocore.accel._registry import backend_class, prepared_backend

PREPARED = [name for name in AVAILABLE if backend_class(name).has_prepared_path()]
EDGE = np.array([0.0, 1.0, 1 / 65536, 0.5, 65535.5 / 65536, 0.3, 1e-12])


@pytest.fixture(params=PREPARED)
def prepared_name(request) -> str:
    """Every backend available here that has the prepared path (NumPy always)."""
    return request.param


@pytest.fixture(params=GENERATORS)
def generator(request) -> str:
    """Every stream generator, the reference LFSR first."""
    return request.param


def packed_reference(weights, probs, length, seed, wseed, generator=DEFAULT_GENERATOR):
    packed = encode_packed(weights, length, wseed, generator=generator, role="weight")
    return sc_forward(packed, probs, length=length, seed=seed, backend="numpy",
                      generator=generator)


def assert_bits_equal(got, want):
    got = np.asarray(got)
    assert got.dtype == np.float64 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))


def edge_weights(rng, n_out, n_in):
    """Random probabilities with exact 0s and 1s and off-grid values mixed in."""
    w = rng.random((n_out, n_in))
    edge = rng.choice(EDGE, size=w.shape)
    return np.where(rng.random(w.shape) < 0.3, edge, w)


@pytest.mark.parametrize("length", [1, 63, 64, 65, 1000, 65535, 65536, 65537, 70000])
@pytest.mark.parametrize("seed, wseed", [(44257, weight_seed(44257)), (65535, 0),
                                         (65533, 65534), (0, 2**32 - 1), (131070, 65535)])
def test_matches_packed_path(prepared_name, generator, rng, length, seed, wseed):
    weights = edge_weights(rng, 3, 4)
    probs = np.vstack([rng.random(4), rng.choice(EDGE, 4), np.zeros(4), np.ones(4)])
    layer = prepare_layer(weights, length, weight_seed=wseed, generator=generator)
    want = packed_reference(weights, probs, length, seed, wseed, generator)
    assert_bits_equal(sc_forward(layer, probs, length=length, seed=seed, backend=prepared_name),
                      want)
    assert_bits_equal(layer.forward(probs[1], seed=seed, backend=prepared_name), want[1])


@given(data=st.data())
@with_fixtures(30)
def test_random_shapes_match_packed_path(prepared_name, data):
    n_out, n_in, batch = draw_sizes(data, 9, 9, 4)
    length = data.draw(st.one_of(st.integers(1, 300), st.integers(65000, 66200)))
    seed = data.draw(st.integers(0, 2**32 - 1))
    wseed = data.draw(st.integers(0, 2**32 - 1))
    generator = data.draw(st.sampled_from(GENERATORS))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    weights, probs = edge_weights(rng, n_out, n_in), edge_weights(rng, batch, n_in)
    layer = prepare_layer(weights, length, weight_seed=wseed, generator=generator)
    got = sc_forward(layer, probs, length=length, seed=seed, backend=prepared_name,
                     generator=data.draw(st.sampled_from([None, generator])))
    assert_bits_equal(got, packed_reference(weights, probs, length, seed, wseed, generator))


def test_larger_layer_matches_packed_path(prepared_name, generator, rng):
    weights, probs = rng.random((40, 130)), rng.random((5, 130))
    layer = prepare_layer(weights, 2000, weight_seed=weight_seed(), generator=generator)
    got = layer.forward(probs, backend=prepared_name)
    assert_bits_equal(got, packed_reference(weights, probs, 2000, 44257, weight_seed(),
                                            generator))


def test_long_streams_wrap_the_cycle(prepared_name, generator, rng):
    # 3 periods of every sequence: every weight-side state appears three times (ties).
    length = 3 * 65536 + 17
    weights, probs = edge_weights(rng, 4, 3), edge_weights(rng, 2, 3)
    layer = prepare_layer(weights, length, weight_seed=9, generator=generator)
    assert layer.order.dtype == np.uint32
    got = layer.forward(probs, seed=65534, backend=prepared_name)
    assert_bits_equal(got, packed_reference(weights, probs, length, 65534, 9, generator))


def test_from_packed_weights_equals_from_probabilities(generator, rng):
    weights = edge_weights(rng, 6, 5)
    for length in (100, 65536, 70001):
        from_probs = prepare_layer(weights, length, weight_seed=3, generator=generator)
        packed = encode_packed(weights, length, 3, generator=generator, role="weight")
        from_packed = prepare_layer(packed, length, weight_seed=3, generator=generator)
        assert np.array_equal(from_probs.k, from_packed.k)
        assert np.array_equal(from_probs.order, from_packed.order)
        assert from_packed.generator == generator


def test_packed_weights_in_other_byte_order_are_accepted(rng):
    weights = edge_weights(rng, 2, 3)
    packed = encode_packed(weights, 130, 11).astype(">u8")
    assert np.array_equal(prepare_layer(packed, 130, weight_seed=11).k,
                          prepare_layer(weights, 130, weight_seed=11).k)


def test_packed_weights_not_from_the_encoder_name_the_first_mismatch(rng):
    weights = edge_weights(rng, 4, 5)
    packed = encode_packed(weights, 200, 21)
    for o, i, word, bit in ((2, 3, 1, 5), (0, 4, 3, 7)):   # (0, 4, 3, 7): a tail bit
        bad = packed.copy()
        bad[o, i, word] ^= np.uint64(1 << bit)
        with pytest.raises(ValueError, match=rf"\(o, i\) = \({o}, {i}\)"):
            prepare_layer(bad, 200, weight_seed=21)
    with pytest.raises(ValueError, match=r"\(o, i\) = \(0, 0\)"):
        prepare_layer(packed, 200, weight_seed=22)   # another seed's streams


@pytest.mark.parametrize("made_by, prepared_as", [
    (made, prepared) for made in GENERATORS for prepared in GENERATORS if made != prepared])
def test_packed_weights_of_another_generator_are_refused(rng, made_by, prepared_as):
    # Weights from one generator's weight side are not another's encoder output; the
    # message names the generator they were checked against.
    packed = encode_packed(rng.random((3, 4)), 200, 21, generator=made_by, role="weight")
    with pytest.raises(ValueError, match=rf"generator='{prepared_as}'.*\(o, i\) = "):
        prepare_layer(packed, 200, weight_seed=21, generator=prepared_as)
    # and the input side is not the weight side (except for the reference LFSR)
    if made_by != "lfsr":
        inputs = encode_packed(rng.random((3, 4)), 200, 21, generator=made_by)
        with pytest.raises(ValueError, match=r"\(o, i\) = "):
            prepare_layer(inputs, 200, weight_seed=21, generator=made_by)


def test_packed_weights_that_split_equal_states_are_refused(generator):
    # Above one period some states repeat: the positions of the k smallest states
    # are an encoder stream only when k does not split a group of equal states.
    length = 65536 + 100
    layer = prepare_layer(np.array([[0.5]]), length, weight_seed=5, generator=generator)
    ordered = stream_states(1, length, 5, generator=generator, role="weight")[0][layer.order[0]]
    pair = int(np.flatnonzero(ordered[1:] == ordered[:-1])[0])   # ordered[pair] == ordered[pair + 1]
    for k, valid in ((pair + 1, False), (pair + 2, True), (pair, True)):
        bits = np.zeros(-(-length // 64) * 64, dtype=np.uint8)
        bits[layer.order[0, :k]] = 1
        words = np.packbits(bits, bitorder="little").view("<u8").reshape(1, 1, -1)
        if valid:
            assert prepare_layer(words, length, weight_seed=5, generator=generator).k[0, 0] == k
        else:
            with pytest.raises(ValueError, match=r"\(o, i\) = \(0, 0\)"):
                prepare_layer(words, length, weight_seed=5, generator=generator)


def test_layer_holds_counts_and_order(rng):
    weights = np.array([[0.0, 1.0, 0.5], [0.25, 1 / 65536, 0.75]])
    layer = prepare_layer(weights, 1000, weight_seed=77)
    packed = encode_packed(weights, 1000, 77)
    assert layer.k.dtype == np.uint32 and layer.order.dtype == np.uint16
    assert np.array_equal(layer.k, np.bitwise_count(packed).sum(axis=2))
    assert layer.shape == (2, 3) and layer.length == 1000 and layer.weight_seed == 77
    assert layer.generator == "lfsr"
    assert layer.nbytes == 2 * 3 * 4 + 3 * 1000 * 2
    for i in range(3):   # each row of order is a permutation of the positions
        assert np.array_equal(np.sort(layer.order[i]), np.arange(1000))
    with pytest.raises(ValueError):
        layer.k[0, 0] = 1   # read-only
    assert "n_out=2 n_in=3 length=1000 weight_seed=77 generator='lfsr'" in repr(layer)


def test_pickled_layer_runs_the_same(generator, rng):
    weights, probs = rng.random((3, 4)), rng.random(4)
    layer = prepare_layer(weights, 300, weight_seed=1, generator=generator)
    first = layer.forward(probs)
    again = pickle.loads(pickle.dumps(layer))
    assert again.generator == generator
    assert_bits_equal(again.forward(probs), first)


def test_input_states_are_the_generators_input_side(generator, rng):
    # states[i, j] < x is bit order[i, j] of the input stream on the generator's input side.
    layer = prepare_layer(rng.random((2, 5)), 300, weight_seed=1, generator=generator)
    probs = rng.random(5)
    bits = np.unpackbits(encode_packed(probs, 300, 17, generator=generator).view(np.uint8),
                         axis=-1, bitorder="little")[:, :300]
    states = layer.input_states(17)
    thresholds = np.rint(probs * 65536).astype(np.int64)[:, None]
    assert np.array_equal(states < thresholds, np.take_along_axis(bits, layer.order, 1) == 1)


def test_a_conflicting_generator_is_refused_naming_both(prepared_name, rng):
    layer = prepare_layer(rng.random((2, 3)), 100, weight_seed=1, generator="sobol")
    probs = rng.random(3)
    want = layer.forward(probs, backend=prepared_name)
    for same in (None, "sobol"):
        assert_bits_equal(sc_forward(layer, probs, length=100, backend=prepared_name,
                                     generator=same), want)
    for other in ("lfsr", "lfsr_pair"):
        with pytest.raises(ValueError, match=rf"generator '{other}' conflicts with the "
                                             r"prepared layer's generator 'sobol'"):
            sc_forward(layer, probs, length=100, backend=prepared_name, generator=other)
    with pytest.raises(ValueError, match="generator"):
        sc_forward(layer, probs, length=100, backend=prepared_name, generator="halton")
    with pytest.raises(InputTypeError, match="generator"):
        sc_forward(layer, probs, length=100, backend=prepared_name, generator=3)


def test_a_lfsr_layer_refuses_other_generators(rng):
    layer = prepare_layer(rng.random((2, 3)), 100, weight_seed=1)
    with pytest.raises(ValueError, match="prepared layer's generator 'lfsr'"):
        sc_forward(layer, rng.random(3), length=100, generator="sobol")


def test_input_states_are_cached_per_seed(rng):
    layer = prepare_layer(rng.random((2, 3)), 100, weight_seed=1)
    a = layer.input_states(5)
    assert layer.input_states(5) is a
    b = layer.input_states(6)
    assert b is not a and not np.array_equal(a, b)


def test_numpy_operation_counts_prefixes(rng):
    # The operation itself, against its definition.
    states = rng.integers(0, 65536, size=(3, 130), dtype=np.uint16)
    k = rng.integers(0, 131, size=(4, 3)).astype(np.uint32)
    k[0] = 130
    k[1] = 0
    thresholds = np.array([[0, 65536, 30000], [65535, 1, 40000]], dtype=np.int64)
    want = np.zeros((2, 4), dtype=np.uint64)
    for b in range(2):
        for o in range(4):
            want[b, o] = sum(int((states[i, :k[o, i]] < thresholds[b, i]).sum())
                             for i in range(3))
    assert np.array_equal(numpy_prepared_counts(k, states, thresholds), want)


def test_empty_dimensions(prepared_name):
    for n_out, n_in in ((0, 3), (2, 0)):
        layer = prepare_layer(np.zeros((n_out, n_in)), 70, weight_seed=1)
        probs = np.zeros((4, n_in))
        want = packed_reference(np.zeros((n_out, n_in)), probs, 70, 5, 1)
        assert_bits_equal(layer.forward(probs, seed=5, backend=prepared_name), want)
        assert_bits_equal(layer.forward(np.zeros((0, n_in)), backend=prepared_name),
                          np.zeros((0, n_out)))


def test_auto_chooses_a_backend_with_the_prepared_path():
    assert prepared_backend("auto").has_prepared_path()


class _PackedOnly(Backend):
    name = "packed-only"

    def sc_forward(self, weights_packed, input_probs, *, length, seed=44257):
        return get_backend("numpy").sc_forward(weights_packed, input_probs, length=length,
                                               seed=seed)


def test_a_backend_without_the_prepared_path_says_so(rng):
    layer = prepare_layer(rng.random((2, 3)), 64, weight_seed=1)
    assert not _PackedOnly.has_prepared_path()
    with pytest.raises(NotImplementedError, match="no prepared-layer path"):
        layer.forward(rng.random(3), backend=_PackedOnly())


INVALID_PREPARE = {
    "nan": (np.array([[0.5, np.nan]]), 64, 1, ValueError, "finite"),
    "above one": (np.array([[0.5, 1.5]]), 64, 1, ValueError, r"\[0, 1\]"),
    "rank 1": (np.array([0.5, 0.5]), 64, 1, ValueError, "2-D"),
    "rank 3 floats": (np.zeros((1, 2, 1)), 64, 1, InputTypeError, "uint64"),
    "packed rank 2": (np.zeros((1, 2), dtype=np.uint64), 64, 1, ValueError, "3-D"),
    "packed words": (np.zeros((1, 2, 2), dtype=np.uint64), 64, 1, ValueError, "n_words"),
    "strings": (np.array([["a"]]), 64, 1, InputTypeError, "real numbers"),
    "length 0": (np.zeros((1, 1)), 0, 1, ValueError, "length"),
    "length 2**32": (np.zeros((1, 1)), 2**32, 1, ValueError, "length"),
    "float length": (np.zeros((1, 1)), 64.0, 1, InputTypeError, "length"),
    "negative weight_seed": (np.zeros((1, 1)), 64, -1, ValueError, "weight_seed"),
    "weight_seed 2**32": (np.zeros((1, 1)), 64, 2**32, ValueError, "weight_seed"),
    "bool weight_seed": (np.zeros((1, 1)), 64, True, InputTypeError, "weight_seed"),
    "unknown generator": (np.zeros((1, 1)), 64, 1, ValueError, "generator", "halton"),
    "generator not a str": (np.zeros((1, 1)), 64, 1, InputTypeError, "generator", 1),
}


@pytest.mark.parametrize("case", sorted(INVALID_PREPARE))
def test_invalid_prepare_arguments_raise(case):
    weights, length, wseed, error, match, *generator = INVALID_PREPARE[case]
    with pytest.raises(error, match=match):
        prepare_layer(weights, length, weight_seed=wseed, generator=(generator or ["lfsr"])[0])


def test_weight_seed_is_required():
    with pytest.raises(TypeError):
        prepare_layer(np.zeros((1, 1)), 64)  # type: ignore[call-arg]


INVALID_FORWARD = {
    "other length": (np.zeros(3), 128, 1, ValueError, "prepared layer's length 100"),
    "float length": (np.zeros(3), 100.0, 1, InputTypeError, "length"),
    "n_in": (np.zeros(4), 100, 1, ValueError, "n_in = 3"),
    "rank 3": (np.zeros((1, 1, 3)), 100, 1, ValueError, "1-D or 2-D"),
    "nan": (np.array([0.5, np.nan, 0.1]), 100, 1, ValueError, "finite"),
    "negative": (np.array([0.5, -0.1, 0.1]), 100, 1, ValueError, r"\[0, 1\]"),
    "seed": (np.zeros(3), 100, 2**32, ValueError, "seed"),
    "complex": (np.zeros(3, dtype=complex), 100, 1, InputTypeError, "real numbers"),
}


@pytest.mark.parametrize("case", sorted(INVALID_FORWARD))
def test_invalid_forward_arguments_raise(prepared_name, case):
    layer = prepare_layer(np.full((2, 3), 0.5), 100, weight_seed=1)
    probs, length, seed, error, match = INVALID_FORWARD[case]
    with pytest.raises(error, match=match):
        sc_forward(layer, probs, length=length, seed=seed, backend=prepared_name)


def test_constructor_checks_its_arrays():
    k, order = np.zeros((2, 3), dtype=np.uint32), np.tile(np.arange(10, dtype=np.uint16), (3, 1))
    PreparedLayer(k, order, 10, 0)
    with pytest.raises(InputTypeError):
        PreparedLayer(k.astype(np.int64), order, 10, 0)
    with pytest.raises(InputTypeError):
        PreparedLayer(k, order.astype(np.uint32), 10, 0)   # uint16 up to 65536 bits
    with pytest.raises(ValueError, match="shape"):
        PreparedLayer(k, order[:2], 10, 0)
    with pytest.raises(ValueError, match="k must be"):
        PreparedLayer(k + 11, order, 10, 0)
    with pytest.raises(ValueError, match="positions below"):
        PreparedLayer(k, order + 1, 10, 0)
    assert PreparedLayer(k, order, 10, 0, "sobol").generator == "sobol"
    with pytest.raises(ValueError, match="generator"):
        PreparedLayer(k, order, 10, 0, "halton")


def test_engine_operation_refuses_bad_operands():
    engine = pytest.importorskip("sc_neurocore._engine")
    k = np.zeros((2, 3), dtype=np.uint32)
    states = np.zeros((3, 10), dtype=np.uint16)
    x = np.zeros((1, 3), dtype=np.int64)
    assert engine.prepared_counts(k, states, x).shape == (1, 2)
    for bad, error, match in (
        ((k.astype(np.int64), states, x), TypeError, "k must have dtype uint32"),
        ((k, states.astype(np.uint32), x), TypeError, "states must have dtype uint16"),
        ((k, states, x.astype(np.float64)), TypeError, "thresholds must have dtype int64"),
        ((k, states, [[0, 0, 0]]), TypeError, "numpy.ndarray"),
        ((np.zeros((2, 2), dtype=np.uint32), states, x), ValueError, "states must have shape"),
        ((k, states, x[:, :2]), ValueError, "thresholds must have n_in = 3"),
        ((k + 11, states, x), ValueError, r"k must be in \[0, 10\]"),
        ((k, states, x - 1), ValueError, r"thresholds must be in \[0, 65536\]"),
        ((k, states, x + 65537), ValueError, r"thresholds must be in \[0, 65536\]"),
        ((k, states[:, ::2], x), ValueError, "C-contiguous"),
        ((k[0], states, x), ValueError, "2-D"),
    ):
        with pytest.raises(error, match=match):
            engine.prepared_counts(*bad)
