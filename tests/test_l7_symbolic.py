"""The symbolic layer (sc_neurocore.scpn.layers.l7_symbolic) against independent checks.

parity/golden/l7_symbolic.txt is written by this module (tests/test_safety_golden.py
checks the file and the Rust mirror reads it), so its correctness is established
here independently: the E8 root system's known structure, the metrics
recomputed with plain NumPy linear algebra or Python loops, the update rule
written out scalar by scalar, the bitstreams rebuilt from the public encoder,
and properties (ranges, invariances, determinism, stream means).
"""

from __future__ import annotations

import dataclasses
import doctest
import math
import subprocess
import sys
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_neurocore.accel import encode_packed, unpack_bitstream
from sc_neurocore.scpn.layers import l7_symbolic as l7
from sc_neurocore.scpn.layers.l7_symbolic import (
    PHI, L7_StochasticParameters, L7_SymbolicLayer, arc_bounds, bitstream_seed, e8_alignment,
    e8_root_alignments, e8_roots, fibonacci_correlation, fibonacci_lags,
    golden_ratio_regularity, health_score, state_vector, update_activations)
from sc_neurocore.splitmix import SplitMix64

unit = st.floats(0.0, 1.0, allow_nan=False)
real = st.floats(-1e6, 1e6, allow_nan=False)


def small_params(**kw: object) -> L7_StochasticParameters:
    base: dict[str, object] = {"n_symbols": 16, "bitstream_length": 64, "n_meridians": 4,
                               "rng_seed": 3}
    base.update(kw)
    return L7_StochasticParameters(**base)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ E8 roots

def test_roots_are_the_240_roots_of_e8() -> None:
    r = e8_roots()
    assert r.shape == (240, 8) and r.dtype == np.float64
    assert np.all(np.sum(r * r, axis=1) == 2.0)  # norm sqrt(2)
    assert len({tuple(v) for v in r}) == 240
    assert {tuple(v) for v in r} == {tuple(-v) for v in r}  # closed under negation
    twice = (2 * r).astype(int)
    integer = np.all(twice % 2 == 0, axis=1)
    assert integer.sum() == 112
    assert np.all(np.all(twice % 2 != 0, axis=1) | integer)  # integer or all half-integer
    assert np.all(twice.sum(axis=1) % 4 == 0)  # even coordinate sum: in the E8 lattice
    gram = r @ r.T
    assert set(np.unique(gram)) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert np.all((gram == 1.0).sum(axis=1) == 56)  # the E8 root system's kissing pattern
    assert np.all((gram == 0.0).sum(axis=1) == 126)


def test_roots_follow_the_documented_order() -> None:
    r = e8_roots()
    expected_int = []
    for i, j in combinations(range(8), 2):
        for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            v = np.zeros(8)
            v[i], v[j] = si, sj
            expected_int.append(v)
    assert np.array_equal(r[:112], np.array(expected_int))
    masks = [m for m in range(256) if bin(m).count("1") % 2 == 0]
    half = np.array([[-0.5 if m >> k & 1 else 0.5 for k in range(8)] for m in masks])
    assert np.array_equal(r[112:], half)


def test_roots_are_a_fresh_copy() -> None:
    r = e8_roots()
    r[0, 0] = 9.0
    assert e8_roots()[0, 0] == 1.0


# ------------------------------------------------------------------------------ alignment

def test_alignment_examples() -> None:
    assert e8_alignment([0.5] * 8) == 1.0
    assert e8_alignment(np.zeros(8)) == 0.0
    assert e8_alignment([-0.0] * 8) == 0.0
    assert all(e8_alignment(v) == 1.0 for v in e8_roots())
    assert all(e8_alignment(3.25 * v) == 1.0 for v in e8_roots())
    axis = np.zeros(8)
    axis[4] = -7.0
    assert e8_alignment(axis) == pytest.approx(1 / math.sqrt(2), rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(st.lists(real, min_size=8, max_size=8))
def test_alignment_matches_the_plain_formula(e: list[float]) -> None:
    v = np.array(e)
    got = e8_root_alignments(v)
    assert got.shape == (240,) and np.all((got >= 0) & (got <= 1))
    if not np.any(v):
        assert np.all(got == 0.0)
        return
    u = v / np.max(np.abs(v))  # the direction, without underflow in the norm
    expected = np.abs(e8_roots() @ u) / (math.sqrt(2) * np.linalg.norm(u))
    np.testing.assert_allclose(got, np.minimum(expected, 1.0), rtol=1e-12, atol=1e-15)
    assert e8_alignment(v) == got.max()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=8, max_size=8),
       st.floats(1e-3, 1e3))
def test_alignment_is_scale_and_sign_invariant(e: list[float], c: float) -> None:
    v = np.array(e)
    a = e8_alignment(v)
    assert e8_alignment(-v) == a
    assert e8_alignment(c * v) == pytest.approx(a, rel=1e-12, abs=1e-300)


def test_alignment_survives_extreme_magnitudes() -> None:
    huge = np.array([1e300, -1e300, 5e299, 0, 0, 0, 1e299, -3e299])
    assert e8_alignment(huge) == pytest.approx(e8_alignment(huge / 1e299), rel=1e-15)
    assert e8_alignment(np.array([5e-324] + [0.0] * 7)) == pytest.approx(2**-0.5, rel=1e-15)


# ------------------------------------------------------------------------------ regularity

def test_regularity_of_a_golden_profile_is_one() -> None:
    profile = PHI ** -np.arange(20.0)
    assert golden_ratio_regularity(profile) == pytest.approx(1.0, abs=1e-14)
    assert golden_ratio_regularity(np.random.default_rng(0).permutation(profile)) == \
        golden_ratio_regularity(profile)


def test_regularity_values() -> None:
    assert PHI == (1 + math.sqrt(5)) / 2
    dev = (PHI - 1.0) / PHI  # every ratio 1
    assert golden_ratio_regularity([0.3] * 10) == pytest.approx(1 / (1 + dev), rel=1e-15)
    assert golden_ratio_regularity([0.0] * 5) == 0.0
    assert golden_ratio_regularity([0.0, 0.7, 0.0]) == 0.0
    assert golden_ratio_regularity([0.9]) == 0.0
    # Ratios 2 and 4 (the zero is ignored): mean(|2-PHI|, |4-PHI|) / PHI.
    d = (abs(2 - PHI) + abs(4 - PHI)) / 2 / PHI
    assert golden_ratio_regularity([0.125, 0.0, 1.0, 0.5]) == pytest.approx(1 / (1 + d), 1e-15)


@settings(max_examples=150, deadline=None)
@given(st.lists(unit, min_size=1, max_size=40))
def test_regularity_in_unit_interval_and_order_free(a: list[float]) -> None:
    g = golden_ratio_regularity(a)
    assert 0.0 <= g <= 1.0
    assert golden_ratio_regularity(a[::-1]) == g


# ------------------------------------------------------------------------------ Fibonacci

def test_fibonacci_lags() -> None:
    assert fibonacci_lags(0) == [] and fibonacci_lags(1) == [] and fibonacci_lags(2) == [1]
    assert fibonacci_lags(128) == [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    assert fibonacci_lags(90) == [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    assert fibonacci_lags(89) == [1, 2, 3, 5, 8, 13, 21, 34, 55]


def reference_correlation(a: np.ndarray) -> float:
    """Circular autocorrelation by FFT (Wiener-Khinchin), averaged over the lags."""
    n = a.size
    lags = fibonacci_lags(n)
    if not lags or np.ptp(a) == 0:
        return 0.0
    d = a - a.mean()
    spec = np.fft.fft(d)
    acf = np.fft.ifft(spec * np.conj(spec)).real  # acf[L] = sum_i d[i] d[i+L]
    return float(np.clip(np.mean([acf[lag] / acf[0] for lag in lags]), -1, 1))


def test_fibonacci_correlation_examples() -> None:
    # Period 2 over 16: odd lags anti-correlate, even ones correlate; lags 1 2 3 5 8 13.
    assert fibonacci_correlation([0.0, 1.0] * 8) == pytest.approx(-1 / 3, rel=1e-15)
    assert fibonacci_correlation([0.1] * 128) == 0.0  # no rounding noise for a constant
    assert fibonacci_correlation([0.6]) == 0.0
    assert fibonacci_correlation([0.2, 0.9]) == pytest.approx(-1.0, rel=1e-15)


@settings(max_examples=150, deadline=None)
@given(st.lists(unit, min_size=1, max_size=64))
def test_fibonacci_correlation_matches_fft_reference(a: list[float]) -> None:
    arr = np.array(a)
    c = fibonacci_correlation(arr)
    assert -1.0 <= c <= 1.0
    d = arr - arr.mean()
    if np.ptp(arr) > 1e-6 and np.sum(d * d) > 1e-9:
        assert c == pytest.approx(reference_correlation(arr), abs=1e-9)
    assert fibonacci_correlation(np.roll(arr, 3)) == pytest.approx(c, abs=1e-12)


# ------------------------------------------------------------------------------ health

@settings(max_examples=150, deadline=None)
@given(unit, unit, st.floats(-1, 1), st.floats(0, 5), st.floats(0, 5), st.floats(0.01, 5))
def test_health_is_the_weighted_mean(a: float, g: float, c: float, we: float, wg: float,
                                     wf: float) -> None:
    h = health_score(a, g, c, weight_e8=we, weight_golden=wg, weight_fibonacci=wf)
    expected = np.dot([we, wg, wf], [a, g, max(c, 0.0)]) / (we + wg + wf)
    assert 0.0 <= h <= 1.0
    assert h == pytest.approx(min(expected, 1.0), rel=1e-12, abs=1e-300)


def test_health_defaults_and_bounds() -> None:
    assert health_score(0.9, 0.7, 0.2) == pytest.approx(0.4 * 0.9 + 0.3 * 0.7 + 0.3 * 0.2)
    assert health_score(1.0, 1.0, 1.0) == 1.0
    assert health_score(0.0, 0.0, -1.0) == 0.0


# ------------------------------------------------------------------------------ update rule

def scalar_update(a: list[float], dt: float, decay: float, coupling: float,
                  drive: list[float] | None) -> list[float]:
    """The documented update, one Python float operation at a time."""
    def clip(x: float) -> float:
        return 0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)
    n = len(a)
    if drive is not None:
        a = [clip(a[i] + drive[i]) for i in range(n)]
    out = []
    f = 1.0 - decay * dt
    for i in range(n):
        m = (a[i - 1] + a[(i + 1) % n]) * 0.5
        out.append(clip((a[i] + (coupling * (m - a[i])) * dt) * f))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=1, max_size=30), st.floats(1e-6, 2.0), st.floats(0, 0.5),
       st.floats(0, 0.5), st.booleans(), st.data())
def test_update_equals_the_scalar_rule_bit_for_bit(a: list[float], dt: float, decay: float,
                                                   coupling: float, driven: bool,
                                                   data: st.DataObject) -> None:
    drive = (data.draw(st.lists(st.floats(-2, 2), min_size=len(a), max_size=len(a)))
             if driven else None)
    got = update_activations(a, dt, symbol_decay=decay, symbol_coupling=coupling,
                             symbol_input=drive)
    assert got.tolist() == scalar_update(a, dt, decay, coupling, drive)
    assert np.all((got >= 0.0) & (got <= 1.0))
    assert not np.any(np.signbit(got))  # -0.0 never appears


def test_update_edges() -> None:
    a = SplitMix64(5).uniforms(12)
    kw = {"symbol_decay": 0.0, "symbol_coupling": 0.0}
    assert np.array_equal(update_activations(a, 1.0, **kw), a)  # identity
    ones = update_activations(a, 0.1, symbol_decay=0.0, symbol_coupling=0.5,
                              symbol_input=np.full(12, 5.0))
    assert np.all(ones == 1.0)
    zeros = update_activations(a, 2.0, symbol_decay=0.5, symbol_coupling=0.0)
    assert np.all(zeros == 0.0) and not np.any(np.signbit(zeros))
    decayed = update_activations(a, 0.5, symbol_decay=0.2, symbol_coupling=0.0)
    assert np.array_equal(decayed, a * 0.9)
    spike = update_activations([1.0, 0.0, 0.0, 0.0], 1.0, symbol_decay=0.0,
                               symbol_coupling=1.0)
    assert spike.tolist() == [0.0, 0.5, 0.0, 0.5]  # full averaging, wrapping the ring
    mass = update_activations(a, 0.3, symbol_decay=0.0, symbol_coupling=1.0)
    assert mass.sum() == pytest.approx(a.sum(), rel=1e-14)  # diffusion conserves mass


# ------------------------------------------------------------------------------ state, arcs

def test_arcs_and_state_vector() -> None:
    assert arc_bounds(128, 8) == [(16 * k, 16 * k + 16) for k in range(8)]
    bounds = arc_bounds(13, 8)
    assert bounds[0][0] == 0 and bounds[-1][1] == 13
    assert all(lo < hi for lo, hi in bounds)
    assert all(bounds[k][1] == bounds[k + 1][0] for k in range(7))
    a = SplitMix64(9).uniforms(128)
    np.testing.assert_allclose(state_vector(a), a.reshape(8, 16).mean(axis=1), rtol=1e-15)
    l6 = np.linspace(-1, 1, 8)
    assert np.array_equal(state_vector(a, l6), state_vector(a) + l6)
    assert np.array_equal(state_vector([0.5] * 128), np.full(8, 0.5))
    assert np.array_equal(state_vector(a[:8]), a[:8])


# ------------------------------------------------------------------------------ the layer

def test_defaults_and_layer_construction() -> None:
    p = L7_StochasticParameters()
    assert (p.n_symbols, p.bitstream_length, p.n_meridians, p.rng_seed) == (128, 1024, 12, 42)
    assert p.weights == (0.4, 0.3, 0.3) and (p.symbol_decay, p.symbol_coupling) == (0.05, 0.1)
    layer = L7_SymbolicLayer()
    assert np.array_equal(layer.activations, SplitMix64(42).uniforms(128))
    assert layer.step_count == 0
    m = layer.get_metrics()
    assert layer.get_global_metric() == m["health_score"]
    assert m["e8_alignment"] == e8_alignment(state_vector(layer.activations))
    assert m["golden_regularity"] == golden_ratio_regularity(layer.activations)
    assert m["fibonacci_correlation"] == fibonacci_correlation(layer.activations)
    assert m["health_score"] == health_score(m["e8_alignment"], m["golden_regularity"],
                                             m["fibonacci_correlation"])


def test_step_result_is_consistent_with_the_module_functions() -> None:
    layer = L7_SymbolicLayer(small_params())
    before = layer.activations
    l6 = np.linspace(-0.5, 0.5, 8)
    drive = SplitMix64(1).uniforms(16) - 0.5
    out = layer.step(0.2, l6_input=l6, symbol_input=drive)
    assert list(out) == ["step", "bitstream_seed", "activations", "state_vector",
                         "meridian_activity", "e8_alignment", "golden_regularity",
                         "fibonacci_correlation", "health_score", "bitstreams"]
    a = update_activations(before, 0.2, symbol_decay=0.05, symbol_coupling=0.1,
                           symbol_input=drive)
    assert np.array_equal(out["activations"], a)
    assert np.array_equal(out["state_vector"], state_vector(a, l6))
    assert out["e8_alignment"] == e8_alignment(state_vector(a, l6))
    assert np.array_equal(out["meridian_activity"], a.reshape(4, 4).mean(axis=1))
    assert out["step"] == 1 and out["bitstream_seed"] == 3
    bits = out["bitstreams"]
    assert bits.shape == (16, 64) and bits.dtype == np.uint8
    # The project's own encoder, through its public API, with the documented seed.
    expected = unpack_bitstream(encode_packed(a, 64, seed=3), 16 * 64, (16, 64))
    assert np.array_equal(bits, expected)
    glyph = layer.get_glyph_vector_normalized()
    e = out["state_vector"]
    np.testing.assert_allclose(glyph, e / np.linalg.norm(e), rtol=1e-15, atol=1e-16)
    assert np.linalg.norm(glyph) == pytest.approx(1.0, rel=1e-15)


def test_bitstream_seeds_follow_the_formula_and_wrap() -> None:
    layer = L7_SymbolicLayer(small_params(rng_seed=2**32 - 20, bitstream_length=8))
    seeds = [layer.step(0.1)["bitstream_seed"] for _ in range(4)]
    assert seeds == [(2**32 - 20 + 16 * t) % 2**32 for t in range(4)] == [2**32 - 20, 2**32 - 4,
                                                                         12, 28]
    assert bitstream_seed(5, 3, 128) == 5 + 384
    # For the first 65536 // n steps no two streams start in the same register state.
    n = 128
    starts = [(bitstream_seed(7, t, n) + i) % 65536 for t in range(65536 // n) for i in range(n)]
    assert len(set(starts)) == len(starts)


def test_stream_means_approach_the_activations() -> None:
    # A whole LFSR period holds every non-zero state once: the count is exact.
    layer = L7_SymbolicLayer(small_params(bitstream_length=65535, symbol_coupling=0.9))
    for t in range(3):
        out = layer.step(0.5, symbol_input=np.where(np.arange(16) % 3 == t, 0.6, -0.2))
        x = np.clip(np.rint(out["activations"] * 65536), 0, 65536)
        assert np.all(np.abs(out["bitstreams"].mean(axis=1) - out["activations"]) <= 2 / 65535)
        assert np.array_equal(out["bitstreams"].sum(axis=1), np.clip(x - 1, 0, 65535))
    # Shorter streams: within a few standard errors.
    long = L7_SymbolicLayer(small_params(bitstream_length=16384)).step(0.1)
    assert np.all(np.abs(long["bitstreams"].mean(axis=1) - long["activations"]) < 0.03)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(1e-3, 2.0), st.booleans(), st.booleans()), min_size=1,
                max_size=6), st.integers(0, 2**32 - 1))
def test_activations_stay_in_unit_interval_and_runs_are_deterministic(
        plan: list[tuple[float, bool, bool]], seed: int) -> None:
    params = small_params(rng_seed=seed, bitstream_length=16, symbol_decay=0.4,
                          symbol_coupling=0.5)
    g = SplitMix64(seed)
    inputs = [(dt, g.uniforms(8) * 4 - 2 if use_l6 else None,
               g.uniforms(16) * 4 - 2 if use_drive else None) for dt, use_l6, use_drive in plan]
    runs = []
    for _ in range(2):
        layer = L7_SymbolicLayer(params)
        outs = [layer.step(dt, l6, drive) for dt, l6, drive in inputs]
        runs.append(outs)
        for out in outs:
            assert np.all((out["activations"] >= 0) & (out["activations"] <= 1))
            for key in ("e8_alignment", "golden_regularity", "health_score"):
                assert 0.0 <= out[key] <= 1.0  # type: ignore[literal-required]
            assert -1.0 <= out["fibonacci_correlation"] <= 1.0
    for a, b in zip(*runs):
        for key in a:
            assert np.array_equal(a[key], b[key])  # type: ignore[literal-required]


def test_different_seeds_give_different_layers() -> None:
    a = L7_SymbolicLayer(small_params(rng_seed=1)).step(0.1)
    b = L7_SymbolicLayer(small_params(rng_seed=2)).step(0.1)
    assert not np.array_equal(a["activations"], b["activations"])
    assert not np.array_equal(a["bitstreams"], b["bitstreams"])


def test_stimulate_meridian_touches_only_its_arc() -> None:
    layer = L7_SymbolicLayer(small_params(n_symbols=20, n_meridians=3))
    before = layer.activations
    layer.stimulate_meridian(1, 0.3)
    lo, hi = arc_bounds(20, 3)[1]
    after = layer.activations
    assert (lo, hi) == (6, 13)
    assert np.array_equal(after[lo:hi], np.minimum(before[lo:hi] + 0.3, 1.0))
    assert np.array_equal(np.delete(after, range(lo, hi)), np.delete(before, range(lo, hi)))
    layer.stimulate_meridian(2, -1.0)
    assert np.all(layer.activations[13:] == 0.0)
    assert np.array_equal(layer.meridian_activity()[2:], [0.0])


def test_zero_state_has_zero_metrics_and_glyph() -> None:
    layer = L7_SymbolicLayer(small_params())
    out = layer.step(0.1, symbol_input=np.full(16, -1.0))
    assert np.all(out["activations"] == 0.0) and np.all(out["bitstreams"] == 0)
    assert (out["e8_alignment"], out["golden_regularity"], out["fibonacci_correlation"],
            out["health_score"]) == (0.0, 0.0, 0.0, 0.0)
    assert np.array_equal(layer.get_glyph_vector_normalized(), np.zeros(8))


def test_params_are_copied_and_revalidated() -> None:
    p = small_params()
    layer = L7_SymbolicLayer(p)
    p.n_symbols = 64
    assert layer.params.n_symbols == 16
    p.n_symbols = 3
    with pytest.raises(ValueError, match="n_symbols"):
        L7_SymbolicLayer(p)
    assert dataclasses.replace(small_params(), symbol_decay=0).symbol_decay == 0.0


# ------------------------------------------------------------------------------ validation

@pytest.mark.parametrize(("field", "value", "exc"), [
    ("n_symbols", 7, ValueError), ("n_symbols", 128.0, TypeError), ("n_symbols", True, TypeError),
    ("bitstream_length", 0, ValueError), ("n_meridians", 0, ValueError),
    ("n_meridians", 129, ValueError), ("weight_e8", -0.1, ValueError),
    ("weight_golden", math.nan, ValueError), ("weight_fibonacci", math.inf, ValueError),
    ("weight_e8", "0.4", TypeError), ("symbol_decay", -1e-9, ValueError),
    ("symbol_coupling", math.nan, ValueError), ("rng_seed", -1, ValueError),
    ("rng_seed", 2**32, ValueError), ("rng_seed", 1.0, TypeError),
])
def test_bad_parameters_name_the_field(field: str, value: object, exc: type) -> None:
    with pytest.raises(exc, match=field):
        L7_StochasticParameters(**{field: value})  # type: ignore[arg-type]


def test_zero_weight_sum_is_refused() -> None:
    with pytest.raises(ValueError, match="weight"):
        L7_StochasticParameters(weight_e8=0.0, weight_golden=0.0, weight_fibonacci=0.0)
    with pytest.raises(TypeError, match="params"):
        L7_SymbolicLayer({"n_symbols": 16})  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"dt": 0.0}, "dt"), ({"dt": -0.1}, "dt"), ({"dt": math.nan}, "dt"),
    ({"dt": math.inf}, "dt"), ({"dt": 30.0}, "dt"),  # decay * dt > 1
    ({"dt": 0.1, "l6_input": np.zeros(7)}, "l6_input"),
    ({"dt": 0.1, "l6_input": np.zeros((2, 4))}, "l6_input"),
    ({"dt": 0.1, "l6_input": [0.0] * 7 + [math.nan]}, "l6_input"),
    ({"dt": 0.1, "symbol_input": np.zeros(15)}, "symbol_input"),
    ({"dt": 0.1, "symbol_input": np.zeros((16, 1))}, "symbol_input"),
    ({"dt": 0.1, "symbol_input": [math.inf] * 16}, "symbol_input"),
])
def test_bad_step_arguments_name_the_argument_and_change_nothing(kwargs: dict[str, object],
                                                                 name: str) -> None:
    layer = L7_SymbolicLayer(small_params())
    before = layer.activations
    with pytest.raises(ValueError, match=name):
        layer.step(**kwargs)  # type: ignore[arg-type]
    assert layer.step_count == 0 and np.array_equal(layer.activations, before)
    with pytest.raises(TypeError, match="symbol_input"):
        layer.step(0.1, symbol_input=["a"] * 16)


@pytest.mark.parametrize(("i", "intensity", "exc", "name"), [
    (-1, 0.5, ValueError, "i"), (4, 0.5, ValueError, "i"), (1.0, 0.5, TypeError, "i"),
    (0, 1.5, ValueError, "intensity"), (0, -1.01, ValueError, "intensity"),
    (0, math.nan, ValueError, "intensity"), (0, None, TypeError, "intensity"),
])
def test_bad_stimulation(i: object, intensity: object, exc: type, name: str) -> None:
    with pytest.raises(exc, match=name):
        L7_SymbolicLayer(small_params()).stimulate_meridian(i, intensity)  # type: ignore[arg-type]


def test_bad_metric_inputs() -> None:
    with pytest.raises(ValueError, match="e must have shape"):
        e8_alignment([0.5] * 7)
    with pytest.raises(ValueError, match="finite"):
        e8_alignment([math.nan] * 8)
    with pytest.raises(TypeError, match="e must hold real"):
        e8_alignment(["x"] * 8)
    with pytest.raises(ValueError, match="activations"):
        golden_ratio_regularity([])
    with pytest.raises(ValueError, match="activations"):
        fibonacci_correlation([0.5, 1.5])
    with pytest.raises(ValueError, match="activations"):
        state_vector([0.5] * 7)
    with pytest.raises(ValueError, match="correlation"):
        health_score(0.5, 0.5, -2.0)
    with pytest.raises(ValueError, match="dt"):
        update_activations([0.5], 2.0, symbol_decay=0.0, symbol_coupling=0.6)


# ------------------------------------------------------------------------------ packaging

def test_docstring_examples_run() -> None:
    result = doctest.testmod(l7, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_imports_with_numpy_only() -> None:
    code = ("import sys; import sc_neurocore.scpn.layers.l7_symbolic as m; "
            "m.L7_SymbolicLayer().step(0.1); "
            "bad = [k for k in ('jax', 'numba', 'cupy', 'mpi4py', 'sc_neurocore._engine') "
            "if k in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
