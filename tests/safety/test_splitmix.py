"""The shared SplitMix64 generator (sc_neurocore.splitmix) against independent checks.

The golden file parity/golden/splitmix.txt is produced by this generator, so
its correctness is established here independently: published reference
outputs, the separate vectorised implementation of parity/bench.py, exact
rational arithmetic for uniforms, the rejection rule re-derived from the raw
stream, and distribution properties.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sc_neurocore.splitmix import GAMMA, TAU, SplitMix64  # noqa: E402

from parity.bench import splitmix64 as bench_splitmix64  # noqa: E402

# Published outputs of SplitMix64 (Vigna's splitmix64.c; Rosetta Code's
# "Pseudo-random numbers/Splitmix64" task) for seeds 0 and 1234567.
SEED0 = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F,
         0xF88BB8A8724C81EC]
SEED1234567 = [6457827717110365317, 3203168211198807973, 9817491932198370423,
               4593380528125082431, 16408922859458223821]


@pytest.mark.parametrize(("seed", "expected"), [(0, SEED0), (1234567, SEED1234567)])
def test_next_u64_matches_published_outputs(seed: int, expected: list[int]) -> None:
    g = SplitMix64(seed)
    assert [g.next_u64() for _ in expected] == expected
    assert SplitMix64(seed).u64s(len(expected)).tolist() == expected


def test_same_generator_as_the_bench_inputs() -> None:
    g = SplitMix64(0x5C0DE)
    assert g.u64s(1000).tolist() == bench_splitmix64(1000).tolist()
    assert g.u64s(10).tolist() == bench_splitmix64(10, start=1000).tolist()


@pytest.mark.parametrize("seed", [0, 1, 2**63, 2**64 - 1, 2**64 - GAMMA])
def test_arrays_equal_scalar_calls_and_leave_the_same_state(seed: int) -> None:
    a, b = SplitMix64(seed), SplitMix64(seed)
    assert a.u64s(7).tolist() == [b.next_u64() for _ in range(7)]
    assert a.state == b.state
    assert a.uniforms(9).tolist() == [b.uniform() for _ in range(9)]
    normals = a.normals(11)
    assert [x.hex() for x in normals.tolist()] == [b.normal().hex() for _ in range(11)]
    assert a.integers_below(13, 2**63 + 1).tolist() == [b.below(2**63 + 1) for _ in range(13)]
    assert a.state == b.state
    assert a.u64s(0).shape == (0,) and a.normals(0).dtype == np.float64
    assert a.state == b.state


def test_uniform_is_the_top_53_bits_exactly() -> None:
    raw = SplitMix64(99).u64s(500).tolist()
    got = SplitMix64(99).uniforms(500).tolist()
    for x, u in zip(raw, got):
        assert Fraction(u) == Fraction(x >> 11, 2**53)
        assert 0.0 <= u < 1.0


def test_normal_consumes_two_uniforms_u1_then_u2() -> None:
    u = SplitMix64(5).uniforms(8).tolist()
    g = SplitMix64(5)
    for k in range(4):
        u1, u2 = u[2 * k], u[2 * k + 1]
        expected = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(TAU * u2)
        assert g.normal() == expected
    assert TAU == 2 * math.pi


def test_normals_are_standard_normal() -> None:
    z = SplitMix64(2024).normals(200_000)
    assert np.isfinite(z).all()
    assert abs(z.mean()) < 0.01
    assert abs(z.var() - 1.0) < 0.01
    assert abs(np.mean(np.abs(z) < 1.0) - 0.6827) < 0.005


def test_below_rejects_exactly_the_words_at_or_above_the_limit() -> None:
    bound = 2**63 + 1                   # limit = 2**63 + 1: about half the words rejected
    limit = 2**64 - 2**64 % bound
    assert limit == 2**63 + 1
    raw = SplitMix64(7).u64s(400).tolist()
    expected = [x % bound for x in raw if x < limit]
    g = SplitMix64(7)
    got = [g.below(bound) for _ in range(len(expected))]
    assert got == expected
    assert 100 < len(expected) < 300      # the rejection branch really ran
    accepted = [k for k, x in enumerate(raw) if x < limit]
    assert g.state == (7 + (accepted[-1] + 1) * GAMMA) % 2**64
    # A bound that divides 2**64 never rejects: one draw per value.
    g = SplitMix64(7)
    assert [g.below(16) for _ in range(50)] == [x % 16 for x in raw[:50]]
    assert g.state == (7 + 50 * GAMMA) % 2**64


def test_below_is_uniform_for_a_small_bound() -> None:
    counts = np.bincount(SplitMix64(3).integers_below(60_000, 6).astype(np.int64), minlength=6)
    assert counts.shape == (6,)
    assert np.all(np.abs(counts - 10_000) < 400)


@pytest.mark.parametrize(("value", "exc"), [
    (-1, ValueError), (2**64, ValueError), (1.0, TypeError), (True, TypeError),
    ("1", TypeError), (None, TypeError),
])
def test_seed_is_validated(value: object, exc: type[Exception]) -> None:
    with pytest.raises(exc, match="seed"):
        SplitMix64(value)  # type: ignore[arg-type]


def test_numpy_integers_are_accepted() -> None:
    assert SplitMix64(np.uint64(2**64 - 1)).state == 2**64 - 1
    assert SplitMix64(np.int64(5)).next_u64() == SplitMix64(5).next_u64()


@pytest.mark.parametrize(("bound", "exc"), [(0, ValueError), (-3, ValueError),
                                            (2**64, ValueError), (2.0, TypeError)])
def test_bound_and_n_are_validated(bound: object, exc: type[Exception]) -> None:
    g = SplitMix64(1)
    with pytest.raises(exc, match="bound"):
        g.below(bound)  # type: ignore[arg-type]
    with pytest.raises(exc, match="bound"):
        g.integers_below(3, bound)  # type: ignore[arg-type]
    assert g.state == 1  # nothing drawn
    with pytest.raises(ValueError, match="n"):
        g.uniforms(-1)
    with pytest.raises(TypeError, match="n"):
        g.normals(2.5)  # type: ignore[arg-type]
