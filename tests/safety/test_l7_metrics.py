"""The L7 metrics and updates against independent computations.

parity/golden/l7_symbolic.txt is written from the module itself, so its
correctness is established here: the E8 root system's known structure, each
metric recomputed with plain NumPy (``np.corrcoef``, ``np.std``, unit-vector
dot products...) or written-out Python loops, and properties (ranges,
invariances, the documented special values).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sc_neurocore.accel import InputTypeError
from sc_neurocore.scpn.layers.l7_symbolic import (
    ACUPOINT_INDICES,
    FIBONACCI,
    PHI,
    PLATONIC_VERTICES,
    acupoint_map,
    diffuse_symbols,
    drive_symbols,
    e8_alignment,
    e8_root_alignments,
    e8_roots,
    fibonacci_alignment,
    l6_symbolic_effect,
    metatron_flow,
    normalize_glyph,
    phi_alignment,
    platonic_coherence,
    symbolic_health,
    update_acupoints,
    update_meridian_qi,
)
from sc_neurocore.splitmix import SplitMix64

unit = st.floats(0.0, 1.0, allow_nan=False)
activations = st.lists(unit, min_size=2, max_size=40)


# ------------------------------------------------------------------------------ E8

def test_roots_are_the_240_roots_of_e8() -> None:
    r = e8_roots()
    assert r.shape == (240, 8) and r.dtype == np.float64
    assert np.all(np.sum(r * r, axis=1) == 2.0)
    assert len({tuple(v) for v in r}) == 240
    assert {tuple(v) for v in r} == {tuple(-v) for v in r}
    twice = (2 * r).astype(int)
    integer = np.all(twice % 2 == 0, axis=1)
    assert integer.sum() == 112
    assert np.all(np.all(twice % 2 != 0, axis=1) | integer)
    assert np.all(twice.sum(axis=1) % 4 == 0)  # in the E8 lattice
    gram = r @ r.T
    assert set(np.unique(gram)) == {-2.0, -1.0, 0.0, 1.0, 2.0}
    assert np.all((gram == 1.0).sum(axis=1) == 56)
    assert np.all((gram == 0.0).sum(axis=1) == 126)
    # The documented order: pairs first, signs (-,-), (-,+), (+,-), (+,+).
    assert r[:4, :2].tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    assert r[112].tolist() == [0.5] * 8 and r[-1].tolist() == [-0.5] * 8
    r[0, 0] = 9.0  # a copy: the module's table is untouched
    assert e8_roots()[0, 0] == -1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=8, max_size=8))
def test_alignment_is_the_largest_cosine_with_a_root(e: list[float]) -> None:
    v = np.array(e)
    if not np.any(v != 0.0):
        assert e8_alignment(v) == 0.5
        return
    roots = e8_roots()
    w = v / np.max(np.abs(v))  # the cosine is scale-free; this keeps the norm finite
    cosines = np.abs(roots @ w) / (np.linalg.norm(roots, axis=1) * np.linalg.norm(w))
    assert np.allclose(e8_root_alignments(v), cosines, rtol=0, atol=1e-12)
    assert e8_alignment(v) == pytest.approx(float(cosines.max()), abs=1e-12)
    assert e8_alignment(v) == e8_alignment(-4.0 * v)  # u = e / max|e| is unchanged


def test_alignment_special_values() -> None:
    assert e8_alignment([0.5] * 8) == 1.0
    assert all(e8_alignment(r) == 1.0 for r in e8_roots())
    assert e8_alignment([0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0]) == pytest.approx(2 ** -0.5)
    assert e8_alignment([0.0] * 8) == 0.5 and e8_alignment([-0.0] * 8) == 0.5
    assert np.array_equal(e8_root_alignments([0.0] * 8), np.zeros(240))
    assert e8_alignment([1e300, -1e300, 0, 0, 0, 0, 0, 0]) == 1.0
    assert e8_alignment([5e-324, 5e-324, 0, 0, 0, 0, 0, 0]) == 1.0


# ------------------------------------------------------------------------------ Phi, Fibonacci

def _phi_reference(a: list[float]) -> float:
    s = sorted(a, reverse=True)
    if not s[1] > 0.01:
        return 0.5
    d = [abs(s[i] / (s[i + 1] + 1e-8) - (1 + math.sqrt(5)) / 2) for i in range(len(s) - 1)]
    return math.exp(-sum(d) / len(d))


@settings(max_examples=200, deadline=None)
@given(activations)
def test_phi_alignment_is_the_documented_formula(a: list[float]) -> None:
    got = phi_alignment(a)
    assert got == pytest.approx(_phi_reference(a), rel=1e-12, abs=1e-300)
    assert 0.0 <= got <= 1.0


def test_phi_alignment_of_a_golden_profile_is_one_up_to_the_guard() -> None:
    profile = [PHI ** -k for k in range(10)]
    assert phi_alignment(profile) == pytest.approx(1.0, abs=1e-6)
    assert phi_alignment(profile[::-1]) == phi_alignment(profile)  # sorted first
    assert phi_alignment([0.9, 0.01, 0.0]) == 0.5  # second largest not above 0.01
    assert phi_alignment([0.0, 0.0]) == 0.5
    assert PHI == (1 + math.sqrt(5)) / 2


def _fibonacci_reference(a: list[float]) -> float:
    if len(a) < 8:
        return 0.5
    t = np.sort(np.array(a))[::-1][:8]
    if t[0] <= 0.01 or np.all(t == t[0]):
        return 0.5
    profile = np.array(FIBONACCI[:8][::-1], dtype=float)
    return float((np.corrcoef(t, profile)[0, 1] + 1) / 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=1, max_size=40))
def test_fibonacci_alignment_is_a_pearson_correlation(a: list[float]) -> None:
    got = fibonacci_alignment(a)
    t = np.sort(np.array(a))[::-1][:8]
    if len(a) >= 8 and t[0] > 0.01 and np.ptp(t) < 1e-6:
        return  # nearly flat: the correlation is ill-conditioned, only the range holds
    assert got == pytest.approx(_fibonacci_reference(a), abs=1e-9)
    assert 0.0 <= got <= 1.0


def test_fibonacci_alignment_rewards_a_fibonacci_profile() -> None:
    profile = [f / 21 for f in (21, 13, 8, 5, 3, 2, 1, 1)]
    assert fibonacci_alignment(profile) == pytest.approx(1.0, abs=1e-15)
    assert fibonacci_alignment(profile[::-1] + [0.0] * 5) == pytest.approx(1.0, abs=1e-15)
    # An anti-Fibonacci profile (a value rising towards the tail) scores low.
    assert fibonacci_alignment([0.6] * 7 + [0.1]) < fibonacci_alignment(profile)
    assert fibonacci_alignment([0.5] * 7) == 0.5  # fewer than 8
    assert fibonacci_alignment([1.0] * 20) == 0.5  # saturated: no correlation
    assert fibonacci_alignment([0.01] + [0.0] * 7) == 0.5


# ------------------------------------------------------------------------------ Metatron, Platonic

@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=1, max_size=30), unit)
def test_metatron_flow_counts_the_active_nodes(a: list[float], noise: float) -> None:
    k = min(13, len(a))
    active = sum(1 for v in a[:k] if v > 0.5)
    assert metatron_flow(a, noise) == 0.9 * (active / k) + 0.1 * noise


def test_metatron_flow_uses_13_nodes_and_a_strict_threshold() -> None:
    a = [0.5] * 13 + [1.0] * 10
    assert metatron_flow(a, 0.0) == 0.0
    assert metatron_flow([1.0] * 13, 1.0) == 1.0
    assert metatron_flow([1.0] * 12 + [0.0] + [1.0], 0.0) == 0.9 * (12 / 13)


@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=1, max_size=40))
def test_platonic_coherence_is_one_minus_the_mean_std(a: list[float]) -> None:
    x = np.array(a)
    want = np.mean([1.0 - np.std(x[:v]) for v in PLATONIC_VERTICES.values()])
    got = platonic_coherence(a)
    assert got == pytest.approx(want, abs=1e-14)
    assert 0.5 <= got <= 1.0 + 1e-15


def test_platonic_vertices_and_special_values() -> None:
    assert dict(PLATONIC_VERTICES) == {"tetrahedron": 4, "cube": 8, "octahedron": 6,
                                       "dodecahedron": 20, "icosahedron": 12}
    assert platonic_coherence([0.3]) == 1.0
    assert platonic_coherence([0.0, 1.0] * 12) == 0.5
    assert platonic_coherence([0.2] * 20 + [1.0]) == 1.0  # past the 20th vertex: unseen


# ------------------------------------------------------------------------------ health, glyph

@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=5, max_size=5),
       st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=5, max_size=5))
def test_health_is_the_weighted_mean(m: list[float], w: list[float]) -> None:
    names = ("phi_alignment_weight", "fibonacci_weight", "metatron_weight", "platonic_weight",
             "e8_weight")
    if sum(w) == 0.0:
        with pytest.raises(ValueError, match="phi_alignment_weight"):
            symbolic_health(*m, **dict(zip(names, w)))
        return
    got = symbolic_health(*m, **dict(zip(names, w)))
    assert got == pytest.approx(float(np.dot(m, w) / np.sum(w)), rel=1e-12, abs=1e-300)
    assert 0.0 <= got <= 1.0


def test_health_with_the_default_weights_is_their_weighted_sum() -> None:
    m = (0.61, 0.97, 0.3, 0.88, 0.93)
    assert symbolic_health(*m) == 0.25 * 0.61 + 0.2 * 0.97 + 0.2 * 0.3 + 0.15 * 0.88 + 0.2 * 0.93
    assert symbolic_health(*m, phi_alignment_weight=1.0, fibonacci_weight=0.0,
                           metatron_weight=0.0, platonic_weight=0.0, e8_weight=0.0) == 0.61


def test_normalize_glyph() -> None:
    g = np.array([0.5, 0.25, 0.0, 1.0, 0.75, 0.125])
    assert np.array_equal(normalize_glyph(g), g / (1.0 + 1e-8))
    assert np.array_equal(normalize_glyph(np.zeros(6)), np.zeros(6))
    with pytest.raises(ValueError, match="glyph_vector must be >= 0"):
        normalize_glyph([0.5, -0.1])
    with pytest.raises(ValueError, match="glyph_vector"):
        normalize_glyph([])


# ------------------------------------------------------------------------------ meridians

def test_acupoint_map_names_and_ids() -> None:
    assert dict(ACUPOINT_INDICES) == {
        "LI4_Hegu": 4, "ST36_Zusanli": 36, "SP6_Sanyinjiao": 60, "PC6_Neiguan": 96,
        "LV3_Taichong": 120, "GV20_Baihui": 200, "CV4_Guanyuan": 250, "BL23_Shenshu": 300}
    acts = SplitMix64(3).uniforms(361)
    full = acupoint_map(acts)
    assert full == {name: float(acts[i]) for name, i in ACUPOINT_INDICES.items()}
    assert list(acupoint_map(acts[:97])) == ["LI4_Hegu", "ST36_Zusanli", "SP6_Sanyinjiao",
                                             "PC6_Neiguan"]
    assert list(acupoint_map(acts[:96])) == ["LI4_Hegu", "ST36_Zusanli", "SP6_Sanyinjiao"]
    assert acupoint_map(acts[:4]) == {}


def test_l6_effect_prefers_the_symbolic_drive() -> None:
    drive = np.array([0.25, 0.75, 1.0, 0.0])
    assert l6_symbolic_effect({"symbolic_drive": drive}) == 0.5
    assert l6_symbolic_effect({"schumann_field": [1.5, 1.5]}) == 0.5
    assert l6_symbolic_effect({"symbolic_drive": drive, "schumann_field": [math.nan]}) == 0.5
    assert l6_symbolic_effect({"unrelated_channel": 1.0}) == 0.0
    assert l6_symbolic_effect({}) == 0.0
    with pytest.raises(ValueError, match="symbolic_drive"):
        l6_symbolic_effect({"symbolic_drive": [1.5]})
    with pytest.raises(ValueError, match="schumann_field"):
        l6_symbolic_effect({"schumann_field": []})
    with pytest.raises(InputTypeError, match="l6_input must be a mapping"):
        l6_symbolic_effect([0.5])


def test_qi_flow_written_out() -> None:
    qi = SplitMix64(5).uniforms(7)
    dt, c, effect, eco = 0.1, 0.3, 0.5, 0.2
    want = []
    for i in range(7):
        q = qi[i] + ((qi[i - 1] - qi[i]) * c) * dt
        q = q * (1.0 + eco * effect)
        want.append(min(1.0, max(0.0, q)))
    got = update_meridian_qi(qi, dt, symbol_coupling=c, l6_effect=effect,
                             ecological_coupling=eco)
    assert got.tolist() == want
    # Flow alone conserves the total Qi (a doubly stochastic update).
    flow = update_meridian_qi(qi, 0.5, symbol_coupling=1.0)
    assert math.fsum(flow) == pytest.approx(math.fsum(qi), abs=1e-15)
    assert np.array_equal(update_meridian_qi(qi, 2.0, symbol_coupling=0.5), np.roll(qi, 1))
    with pytest.raises(ValueError, match="dt"):
        update_meridian_qi(qi, 2.0, symbol_coupling=0.6)
    with pytest.raises(ValueError, match="l6_effect"):
        update_meridian_qi(qi, 0.1, l6_effect=1e308, ecological_coupling=10.0)


def test_acupoints_written_out() -> None:
    a = SplitMix64(6).uniforms(10)
    got = update_acupoints(a, 0.2, symbol_decay=0.5, acupoint_stimulus={3: 0.5, 0: -2.0, 9: 4.0})
    want = a.copy()
    want[3] = min(1.0, want[3] + 0.5)
    want[0], want[9] = 0.0, 1.0
    assert got.tolist() == (want * (1.0 - 0.5 * 0.2)).tolist()
    for bad, exc in [({10: 0.5}, ValueError), ({-1: 0.5}, ValueError),
                     ({True: 0.5}, InputTypeError), ({1.0: 0.5}, InputTypeError),
                     ({0: math.nan}, ValueError), ({0: "x"}, InputTypeError),
                     ([(0, 0.5)], InputTypeError)]:
        with pytest.raises(exc, match="acupoint_stimulus"):
            update_acupoints(a, 0.1, acupoint_stimulus=bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ symbols

def test_drive_uses_the_first_n_values() -> None:
    a = SplitMix64(7).uniforms(6)
    x = np.array([[1.0, -1.0, 0.5], [-0.5, 5.0, -5.0], [math.nan, 0.0, 0.0]])
    got = drive_symbols(a, x)
    assert got.tolist() == [min(1.0, max(0.0, a[i] + 0.2 * v))
                            for i, v in enumerate(x.reshape(-1)[:6])]
    with pytest.raises(ValueError, match="symbol_input must contain at least"):
        drive_symbols(a, [0.0] * 5)
    with pytest.raises(ValueError, match="symbol_input must contain only finite"):
        drive_symbols(a, [0.0, math.inf] * 3)
    with pytest.raises(InputTypeError, match="symbol_input"):
        drive_symbols(a, ["a"] * 6)


@settings(max_examples=200, deadline=None)
@given(st.lists(unit, min_size=1, max_size=20), st.floats(1e-6, 1.0),
       st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_diffusion_written_out(a: list[float], dt: float, decay: float, c: float) -> None:
    n = len(a)
    want = []
    for i in range(n):
        m = a[i - 1] + a[(i + 1) % n]
        b = a[i] + (c * (m / 2 - a[i])) * dt
        want.append(min(1.0, max(0.0, b * (1.0 - decay * dt))))
    assert diffuse_symbols(a, dt, symbol_decay=decay, symbol_coupling=c).tolist() == want


def test_diffusion_refuses_unstable_steps() -> None:
    # Past c * dt = 1 the alternating mode would grow (|1 - 2 c dt| > 1); refused.
    with pytest.raises(ValueError, match="symbol_coupling \\* dt <= 1"):
        diffuse_symbols([0.0, 1.0] * 4, 1.5, symbol_decay=0.0, symbol_coupling=1.0)
    with pytest.raises(ValueError, match="symbol_decay \\* dt <= 1"):
        diffuse_symbols([0.5] * 4, 3.0, symbol_decay=0.5, symbol_coupling=0.0)
    flat = diffuse_symbols([0.0, 1.0] * 4, 0.5, symbol_decay=0.0, symbol_coupling=2.0)
    assert flat.tolist() == [1.0, 0.0] * 4  # c * dt = 1: every symbol takes its neighbours'
