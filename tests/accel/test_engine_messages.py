"""The engine refuses bad arguments with the messages of Python's own checks.

Every case feeds the same bad arguments to a Python check (a public function
of ``sc_neurocore.accel`` or the shared validation helper it calls) and to the
function of the compiled engine ``sc_neurocore._engine`` called directly, and
compares what they raise: the same message, word for word, and the same kind
(a Python ``InputTypeError``, which is a ``TypeError``, is a ``TypeError`` from
the engine; a plain ``ValueError`` is a ``ValueError`` that is no
``TypeError``). Several cases break two things at once, so that the order of
the checks is compared as well.

The engine also has rules Python does not (its arrays are borrowed without a
copy, so they must be C-contiguous NumPy arrays of its exact dtype in native
byte order; its integers must fit ``usize``; ``encode_packed`` takes 1-D or
2-D probabilities): for those the Python check accepts the arguments and the
engine refuses them, naming the argument first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sc_neurocore._validation import (
    as_packed,
    check_int,
    check_length,
    check_rank,
    validate_forward,
)
from sc_neurocore.accel import encode_packed, pack_bitstream, unpack_bitstream, vector_ops

engine = pytest.importorskip("sc_neurocore._engine")  # required by make test (see test_backend)

U64 = np.uint64
W = np.zeros((2, 3, 1), U64)  # weights for length 1..64, n_in = 3
P = np.full(3, 0.5)
WORDS = np.arange(6, dtype=U64)


def _bad_probs(*values: float, shape: tuple[int, ...] | None = None) -> np.ndarray:
    arr = np.full(3 if shape is None else shape, 0.5)
    flat = arr.reshape(-1)
    flat[len(flat) - len(values):] = values
    return arr


def _forward(w: Any = W, p: Any = P, length: Any = 64, seed: Any = 0) -> tuple[Callable, Callable]:
    return (lambda: validate_forward(w, p, length, seed),
            lambda: engine.sc_forward(w, p, length, seed))


def _encode(probs: Any = P, length: Any = 8, seed: Any = 0) -> tuple[Callable, Callable]:
    return (lambda: encode_packed(probs, length, seed),
            lambda: engine.encode_packed(probs, length, seed))


def _pack(bits: Any) -> tuple[Callable, Callable]:
    return lambda: pack_bitstream(bits), lambda: engine.pack_bitstream(bits)


def _unpack_array(packed: Any) -> tuple[Callable, Callable]:
    return lambda: unpack_bitstream(packed, 0), lambda: engine.unpack_bitstream(packed, 0)


def _n_bits(n_bits: Any) -> tuple[Callable, Callable]:
    return (lambda: check_int(n_bits, "n_bits", minimum=0),
            lambda: engine.unpack_bitstream(WORDS, n_bits))


def _popcount(packed: Any) -> tuple[Callable, Callable]:
    return lambda: as_packed(packed, "packed"), lambda: engine.popcount_per_word(packed)


def _threads(n: Any) -> tuple[Callable, Callable]:
    return lambda: check_int(n, "n", minimum=1), lambda: engine.set_num_threads(n)


def _op(name: str, *args: Any) -> tuple[Callable, Callable]:
    """The NumPy vector operation ``name`` and the engine's, on the same arguments."""
    return (lambda: getattr(vector_ops, name)(*args),
            lambda: getattr(engine, name)(*args))


SAME_MESSAGE = {
    # sc_forward: length and seed (Python's check_int).
    "forward length 0": _forward(length=0),
    "forward length -5": _forward(length=-5),
    "forward length numpy 0": _forward(length=np.int64(0)),
    "forward length bool": _forward(length=True),
    "forward length numpy bool": _forward(length=np.True_),
    "forward length float": _forward(length=64.0),
    "forward length str": _forward(length="64"),
    "forward length -2**80": _forward(length=-2**80),
    "forward length -2**200": _forward(length=-2**200),
    "forward seed -1": _forward(seed=-1),
    "forward seed 2**32": _forward(seed=2**32),
    "forward seed 2**200": _forward(seed=2**200),
    "forward seed None": _forward(seed=None),
    # sc_forward: the weights (as_packed, rank 3).
    "forward weights list": _forward(w=[[[0]]]),
    "forward weights float64": _forward(w=np.zeros((2, 3, 1))),
    "forward weights int64": _forward(w=np.zeros((2, 3, 1), np.int64)),
    "forward weights uint32": _forward(w=np.zeros((2, 3, 1), np.uint32)),
    "forward weights 2-D": _forward(w=np.zeros((2, 3), U64)),
    "forward weights 4-D": _forward(w=np.zeros((2, 3, 1, 1), U64)),
    "forward weights 0-D": _forward(w=np.zeros((), U64)),
    # sc_forward: the probabilities (as_probabilities).
    "forward probs complex": _forward(p=np.zeros(3, complex)),
    "forward probs bool": _forward(p=np.zeros(3, bool)),
    "forward probs object": _forward(p=np.zeros(3, object)),
    "forward probs 3-D": _forward(p=np.full((1, 1, 3), 0.5)),
    "forward probs 0-D": _forward(p=np.array(0.5)),
    "forward probs nan": _forward(p=_bad_probs(np.nan)),
    "forward probs inf": _forward(p=_bad_probs(np.inf)),
    "forward probs -inf": _forward(p=_bad_probs(-np.inf, 0.5)),
    "forward probs 1.5": _forward(p=_bad_probs(1.5)),
    "forward probs -1e-300": _forward(p=_bad_probs(-1e-300, 0.5)),
    "forward probs 1e16": _forward(p=_bad_probs(1e16)),
    "forward probs 3e-05 below 0": _forward(p=_bad_probs(-3e-05)),
    "forward probs 2-D -0.5": _forward(p=_bad_probs(-0.5, 0.5, shape=(2, 3))),
    "forward probs 1.5 then nan": _forward(p=_bad_probs(1.5, np.nan)),
    # sc_forward: shapes that do not fit each other.
    "forward n_words": _forward(length=65),
    "forward n_in": _forward(p=np.full(4, 0.5)),
    "forward n_in 2-D": _forward(p=np.full((5, 2), 0.5)),
    # sc_forward: two faults, the first in Python's order wins.
    "forward length and weights": _forward(w=[0], length=0),
    "forward seed and probs": _forward(p=np.zeros(3, complex), seed=-1),
    "forward weights rank and probs": _forward(w=np.zeros((2, 3), U64), p=_bad_probs(np.nan)),
    "forward probs and n_words": _forward(p=_bad_probs(np.nan), length=65),
    "forward n_words and n_in": _forward(p=np.full(4, 0.5), length=65),
    # encode_packed.
    "encode length 0": _encode(length=0),
    "encode length float": _encode(length=8.0),
    "encode seed 2**32": _encode(seed=2**32),
    "encode seed -2**100": _encode(seed=-2**100),
    "encode probs complex": _encode(probs=np.zeros(2, complex)),
    "encode probs nan": _encode(probs=_bad_probs(np.nan)),
    "encode probs 2-D 1.0000000000000002": _encode(
        probs=_bad_probs(1.0000000000000002, 0.5, shape=(2, 2))),
    "encode length and probs": _encode(probs=_bad_probs(np.nan), length=-1),
    # pack_bitstream.
    "pack float bits": _pack(np.zeros(4)),
    "pack 3-D bits": _pack(np.zeros((1, 1, 4), np.uint8)),
    "pack 0-D bits": _pack(np.zeros((), np.uint8)),
    "pack bit 2": _pack(np.array([0, 1, 2, 1], np.uint8)),
    "pack 2-D bit 255": _pack(np.array([[0, 1], [1, 255]], np.uint8)),
    "pack float 3-D bits": _pack(np.zeros((1, 1, 4))),
    # unpack_bitstream.
    "unpack packed list": _unpack_array([1, 2]),
    "unpack packed int64": _unpack_array(np.zeros(2, np.int64)),
    "unpack packed 3-D": _unpack_array(np.zeros((1, 1, 2), U64)),
    "unpack n_bits -1": _n_bits(-1),
    "unpack n_bits bool": _n_bits(False),
    "unpack n_bits float": _n_bits(1.0),
    # popcount.
    "popcount list": _popcount([1, 2]),
    "popcount int32": _popcount(np.zeros(3, np.int32)),
    # The element-wise operations.
    "and a list": _op("vec_and", [1], WORDS),
    "and b float": _op("vec_and", WORDS, np.zeros(6)),
    "and shapes": _op("vec_and", WORDS.reshape(2, 3), WORDS.reshape(3, 2)),
    "xnor shapes": _op("vec_xnor", WORDS, WORDS[:5]),
    "not int64": _op("vec_not", np.zeros(2, np.int64)),
    "mux sel and a": _op("vec_mux", WORDS, WORDS[:5], WORDS),
    "mux sel and b": _op("vec_mux", WORDS, WORDS, WORDS.reshape(2, 3)),
    "mux b type before shapes": _op("vec_mux", WORDS, WORDS[:5], "b"),
    # set_num_threads.
    "threads 0": _threads(0),
    "threads -3": _threads(-3),
    "threads bool": _threads(True),
    "threads float": _threads(2.0),
}


@pytest.mark.parametrize("case", sorted(SAME_MESSAGE))
def test_engine_refuses_with_pythons_message(case: str):
    python, rust = SAME_MESSAGE[case]
    with pytest.raises(ValueError) as py_err:
        python()
    with pytest.raises((TypeError, ValueError)) as engine_err:
        rust()
    assert str(engine_err.value) == str(py_err.value)
    assert isinstance(engine_err.value, TypeError) == isinstance(py_err.value, TypeError), (
        type(engine_err.value), type(py_err.value))


def test_the_unpack_length_rule_reads_the_same():
    # Python's unpack_bitstream takes the total original_length, the engine
    # the bits per row (n_bits): for one row they are the same number.
    with pytest.raises(ValueError) as py_err:
        unpack_bitstream(WORDS[:1], 65)
    with pytest.raises(ValueError) as engine_err:
        engine.unpack_bitstream(WORDS[:1], 65)
    assert str(engine_err.value) == str(py_err.value).replace("original_length", "n_bits")


# The engine's rule for encode_packed's rank, worded by Python's rank check.
@pytest.mark.parametrize("shape", [(), (1, 1, 2), (1, 1, 1, 2)])
def test_encode_rank_uses_pythons_rank_message(shape):
    with pytest.raises(ValueError) as py_err:
        check_rank(shape, "probs", (1, 2))
    with pytest.raises(ValueError) as engine_err:
        engine.encode_packed(np.full(shape, 0.5), 8, 0)
    assert str(engine_err.value) == str(py_err.value)


ENGINE_ONLY = {
    "weights not C-contiguous": ("weights_packed", _forward(w=np.zeros((2, 6, 1), U64)[:, ::2])),
    "weights byte-swapped": ("weights_packed", _forward(w=np.zeros((2, 3, 1), ">u8"))),
    "probs int64": ("input_probs", _forward(p=np.zeros(3, np.int64))),
    "probs float32": ("input_probs", _forward(p=np.zeros(3, np.float32))),
    "probs list": ("input_probs", _forward(p=[0.5, 0.5, 0.5])),
    "probs reversed view": ("input_probs", _forward(p=np.full(6, 0.5)[::2])),
    "bits list": ("bits", _pack([0, 1])),
    "bits bool": ("bits", _pack(np.zeros(3, bool))),
    "bits int64": ("bits", _pack(np.zeros(3, np.int64))),
    "a byte-swapped": ("a", _op("vec_not", np.zeros(3, ">u8"))),
    "length 2**70": ("length", (lambda: check_length(2**70),
                                lambda: engine.sc_forward(W, P, 2**70, 0))),
    "threads 2**70": ("n", _threads(2**70)),
}


@pytest.mark.parametrize("case", sorted(ENGINE_ONLY))
def test_the_engines_own_rules_name_the_argument(case: str):
    name, (python, rust) = ENGINE_ONLY[case]
    python()  # Python accepts these arguments (it converts, or has no limit)
    with pytest.raises((TypeError, ValueError)) as engine_err:
        rust()
    assert str(engine_err.value).startswith(f"{name} must "), engine_err.value
