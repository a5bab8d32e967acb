"""The package's shared argument checks (``sc_neurocore.accel._validation``).

One set of scalar, text and real-array checks serves the accel layer and the
four safety surfaces (studio, dna_mapper, l7_symbolic, predictive_model).
These tests pin the rules themselves, then check that every surface applies
the same rule to the same bad value, so that a surface can never drift back
to a private copy with looser checks.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from sc_neurocore.accel import InputTypeError
from sc_neurocore.accel._validation import (
    as_real_array,
    check_choice,
    check_real,
    check_text,
    real_scalar,
)
from sc_neurocore.accel.lif import lif_step
from sc_neurocore.bridges.dna_mapper import DNAStrand, KineticSimulator
from sc_neurocore.scpn.layers.l7_symbolic import diffuse_symbols, symbolic_health
from sc_neurocore.studio.analysis import lif_neuron
from sc_neurocore.world_model.predictive_model import EMLearner

NOT_ONE_REAL = [True, np.bool_(False), "1.0", b"1", 1 + 0j, Fraction(1, 2), None, [1.0],
                np.array([1.0]), [[1.0], [1.0, 2.0]], np.array(1.0 + 0j), object()]


# ------------------------------------------------------------------ the rules

@pytest.mark.parametrize("value, want", [
    (3, 3.0), (-2.5, -2.5), (np.float32(0.25), 0.25), (np.int64(-7), -7.0),
    (np.uint64(2**63), 2.0**63), (np.array(1.5), 1.5), (np.array(4, dtype=np.int8), 4.0),
])
def test_real_scalar_accepts_one_real_number(value, want):
    got = real_scalar(value, "x")
    assert type(got) is float and got == want


@pytest.mark.parametrize("value", NOT_ONE_REAL, ids=lambda v: type(v).__name__)
def test_real_scalar_refuses_everything_else_naming_the_argument(value):
    with pytest.raises(InputTypeError, match=r"^speed must be a real number, got "):
        real_scalar(value, "speed")


def test_check_real_ranges():
    assert check_real(0.0, "x", minimum=0.0, maximum=0.0) == 0.0
    assert check_real(1e-300, "x", positive=True) == 1e-300
    for bad, match in [(np.nan, "^x must be finite, got nan"),
                       (-np.inf, "^x must be finite, got -inf"),
                       (-0.5, r"^x must be >= 0.0, got -0.5"),
                       (2.0, r"^x must be <= 1.0, got 2.0")]:
        with pytest.raises(ValueError, match=match):
            check_real(bad, "x", minimum=0.0, maximum=1.0)
    for bad in (0.0, -0.0, -1.0):
        with pytest.raises(ValueError, match=r"^x must be > 0, got "):
            check_real(bad, "x", positive=True)
    with pytest.raises(InputTypeError, match="^x must be a positive real number"):
        check_real("2", "x", positive=True)


def test_check_text():
    assert check_text("a", "name") == "a"
    with pytest.raises(ValueError, match="^name must be a non-empty str"):
        check_text("", "name")
    for bad in (None, b"a", 1, ["a"]):
        with pytest.raises(InputTypeError, match="^name must be a str, got "):
            check_text(bad, "name")


def test_as_real_array_converts_and_checks():
    fortran = np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3))
    out = as_real_array(fortran, "m", (2,))
    assert out.dtype == np.float64 and out.flags.c_contiguous
    assert np.array_equal(out, fortran)
    assert as_real_array(2, "s").shape == ()  # 0-D stays 0-D
    assert as_real_array([1, 2], "v", shape=(2,)).tolist() == [1.0, 2.0]
    for bad in (np.array([True]), np.array([1j]), np.array(["1"]), np.array([None])):
        with pytest.raises(InputTypeError, match="^m must hold real numbers, got dtype"):
            as_real_array(bad, "m")
    with pytest.raises(ValueError, match=r"^m must be 1-D, got shape \(2, 2\)"):
        as_real_array(np.zeros((2, 2)), "m", (1,))
    with pytest.raises(ValueError, match=r"^m must have shape \(3,\), got shape \(2,\)"):
        as_real_array([1.0, 2.0], "m", shape=(3,))
    with pytest.raises(ValueError, match=r"^m must be finite, got inf at index \(1, 0\)"):
        as_real_array([[0.0], [np.inf]], "m")


# ------------------------------------------------------------------ every surface, one rule

SCALAR_CALLS = {
    "accel.lif_step": lambda bad: lif_step(np.zeros(2), 0.0, alpha=bad),
    "studio.lif_neuron": lambda bad: lif_neuron(current=bad, duration=0.3),
    "dna_mapper.DNAStrand": lambda bad: DNAStrand("s", "ACGT", concentration_nM=bad),
    "dna_mapper.KineticSimulator": lambda bad: KineticSimulator(rate_displacement=bad),
    "l7_symbolic.symbolic_health": lambda bad: symbolic_health(bad, 0.5, 0.5, 0.5, 0.5),
    "l7_symbolic.diffuse_symbols": lambda bad: diffuse_symbols(
        np.full(3, 0.5), bad, symbol_decay=0.1, symbol_coupling=0.1),
    "predictive_model.EMLearner": lambda bad: EMLearner(tol=bad),
}


@pytest.mark.parametrize("call", SCALAR_CALLS.values(), ids=SCALAR_CALLS.keys())
@pytest.mark.parametrize("bad", [True, "0.5", Fraction(1, 2), np.array([0.5])],
                         ids=["bool", "str", "Fraction", "1-D array"])
def test_every_surface_refuses_what_is_not_one_real_number(call, bad):
    with pytest.raises(InputTypeError, match="must be a (positive )?real number"):
        call(bad)


@pytest.mark.parametrize("call", SCALAR_CALLS.values(), ids=SCALAR_CALLS.keys())
def test_every_surface_refuses_non_finite_numbers(call):
    with pytest.raises(ValueError, match="must be finite, got nan"):
        call(float("nan"))


def test_check_choice():
    assert check_choice("rk4", "method", ("euler", "rk4")) == "rk4"
    with pytest.raises(ValueError, match="^method must be one of euler, rk4; got 'RK4'"):
        check_choice("RK4", "method", ("euler", "rk4"))
    with pytest.raises(InputTypeError, match="^method must be a str, one of euler, rk4; got int"):
        check_choice(4, "method", ("euler", "rk4"))
