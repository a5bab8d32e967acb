"""The L7 layer (sc_neurocore.scpn.layers.l7_symbolic) as the reference documents it.

* The reference's public API: parameter fields and defaults, class
  constants, state attributes, ``step``'s signature and keys, accessors and
  the ``ValueError`` it raises for every bad parameter or input.
* One step replayed from raw SplitMix64 draws with written-out loops (so the
  golden file, made from the module, is checked against independent code).
* What we add on top: size limits (oversized layers refused by name, not a
  MemoryError), the stability bound on ``dt``, state checked before use, and
  a refused step that changes nothing.
"""

from __future__ import annotations

import dataclasses
import doctest
import math
import subprocess
import sys
from typing import Any, cast

import numpy as np
import pytest
from sc_neurocore.accel import InputTypeError
from sc_neurocore.scpn.layers import l7_symbolic as l7
from sc_neurocore.scpn.layers.l7_symbolic import (
    PHI,
    L7_StochasticParameters,
    L7_SymbolicLayer,
    e8_alignment,
    fibonacci_alignment,
    phi_alignment,
    platonic_coherence,
)
from sc_neurocore.splitmix import SplitMix64

STEP_KEYS = ["glyph_vector", "phi_alignment", "fibonacci_alignment", "metatron_flow",
             "platonic_coherence", "e8_alignment", "symbolic_health", "cosmic_phase_drive",
             "meridian_qi", "acupoint_activations", "e8_state", "output_bitstreams"]


def layer(**overrides: Any) -> L7_SymbolicLayer:
    """A compact seeded layer (the size the reference's contract tests use)."""
    params: dict[str, Any] = {"n_symbols": 16, "n_meridians": 4, "n_acupoints": 16,
                              "bitstream_length": 16, "rng_seed": 5}
    params.update(overrides)
    return L7_SymbolicLayer(L7_StochasticParameters(**params))


# ------------------------------------------------------------------------------ the reference API

def test_parameters_have_the_reference_fields_and_defaults() -> None:
    fields = [(f.name, f.default) for f in dataclasses.fields(L7_StochasticParameters)]
    assert fields == [
        ("n_symbols", 128), ("n_meridians", 12), ("n_acupoints", 361),
        ("bitstream_length", 1024), ("phi_alignment_weight", 0.25), ("fibonacci_weight", 0.2),
        ("metatron_weight", 0.2), ("platonic_weight", 0.15), ("e8_weight", 0.2),
        ("symbol_decay", 0.05), ("symbol_coupling", 0.3), ("glyph_dimensions", 6),
        ("ecological_coupling", 0.1), ("cosmic_coupling", 0.15), ("rng_seed", None)]
    assert PHI == (1 + np.sqrt(5)) / 2
    assert isinstance(l7.logger, __import__("logging").Logger)


def test_class_constants_and_initial_state() -> None:
    assert L7_SymbolicLayer.PLATONIC_VERTICES == {"tetrahedron": 4, "cube": 8, "octahedron": 6,
                                                  "dodecahedron": 20, "icosahedron": 12}
    assert L7_SymbolicLayer.FIBONACCI == [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]
    assert L7_SymbolicLayer._e8_roots().shape == (240, 8)
    lay = L7_SymbolicLayer(L7_StochasticParameters(rng_seed=11))
    draws = SplitMix64(11).uniforms(128 + 8)
    assert np.array_equal(lay.symbol_activations, draws[:128] * 0.3)
    assert np.array_equal(lay.e8_state, draws[128:] * 0.5)
    assert (lay.phi_alignment, lay.fibonacci_alignment, lay.metatron_flow,
            lay.platonic_coherence, lay.e8_alignment, lay.symbolic_health) == (0.5,) * 6
    assert np.array_equal(lay.meridian_qi, np.full(12, 0.5))
    assert np.array_equal(lay.acupoint_activations, np.zeros(361))
    assert np.array_equal(lay.glyph_vector, np.zeros(6)) and lay.time == 0.0
    assert lay.get_global_metric() == 0.5
    assert np.array_equal(lay.get_glyph_vector_normalized(), np.zeros(6))
    assert lay.get_acupoint_map() == dict.fromkeys(l7.ACUPOINT_INDICES, 0.0)


def test_step_returns_the_reference_keys() -> None:
    lay = L7_SymbolicLayer(L7_StochasticParameters(n_symbols=8, bitstream_length=32, rng_seed=1))
    out = lay.step(0.01)
    assert list(out) == STEP_KEYS
    assert out["glyph_vector"].shape == (6,) and out["meridian_qi"].shape == (12,)
    assert out["acupoint_activations"].shape == (361,) and out["e8_state"].shape == (8,)
    assert out["output_bitstreams"].shape == (8, 32)
    assert out["output_bitstreams"].dtype == np.uint8
    assert set(np.unique(out["output_bitstreams"])) <= {0, 1}
    for key in STEP_KEYS[1:8]:
        assert type(out[key]) is float, key  # type: ignore[literal-required]
    glyph = [out["phi_alignment"], out["fibonacci_alignment"], out["metatron_flow"],
             out["platonic_coherence"], out["e8_alignment"], out["symbolic_health"]]
    assert out["glyph_vector"].tolist() == glyph
    assert out["cosmic_phase_drive"] == 0.15 * out["symbolic_health"]
    assert lay.get_global_metric() == lay.symbolic_health == out["symbolic_health"]
    assert lay.time == 0.01
    out["meridian_qi"][0] = 9.0  # copies
    assert lay.meridian_qi[0] != 9.0
    glyph_n = lay.get_glyph_vector_normalized()
    assert np.max(glyph_n) == pytest.approx(1.0) and np.all((glyph_n >= 0) & (glyph_n <= 1))
    lay.stimulate_meridian(0, 0.5)
    assert isinstance(lay.get_acupoint_map(), dict)


def test_seed_scopes_state_and_bitstreams() -> None:
    a, b = layer(bitstream_length=64, rng_seed=123), layer(bitstream_length=64, rng_seed=123)
    assert np.array_equal(a.symbol_activations, b.symbol_activations)
    assert np.array_equal(a.e8_state, b.e8_state)
    a0, b0 = a.step(0.001)["output_bitstreams"], b.step(0.001)["output_bitstreams"]
    a1, b1 = a.step(0.001)["output_bitstreams"], b.step(0.001)["output_bitstreams"]
    assert np.array_equal(a0, b0) and np.array_equal(a1, b1)
    assert not np.array_equal(a0, a1)
    assert not np.array_equal(layer(rng_seed=124).symbol_activations, a.symbol_activations)


def test_unseeded_layers_differ_and_report_their_seed() -> None:
    u, v = L7_SymbolicLayer(), L7_SymbolicLayer()
    assert u.params.rng_seed is None and u.seed != v.seed  # 64 random bits each
    replay = L7_SymbolicLayer(L7_StochasticParameters(rng_seed=u.seed))
    assert np.array_equal(replay.symbol_activations, u.symbol_activations)
    assert np.array_equal(replay.step(0.01)["output_bitstreams"],
                          u.step(0.01)["output_bitstreams"])


def test_e8_alignment_uses_the_full_root_system() -> None:
    lay = layer(rng_seed=7)
    lay.e8_state = np.full(8, 0.5)
    assert lay.step(0.001)["e8_alignment"] == 1.0
    lay.e8_state = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert lay.step(0.001)["e8_alignment"] == pytest.approx(2 ** -0.5)  # not 1: the roots


def test_health_weights_and_cosmic_drive() -> None:
    only_phi = layer(phi_alignment_weight=1.0, fibonacci_weight=0.0, metatron_weight=0.0,
                     platonic_weight=0.0, e8_weight=0.0, rng_seed=8).step(0.001)
    assert only_phi["symbolic_health"] == only_phi["phi_alignment"]
    out = layer(cosmic_coupling=0.5, rng_seed=12).step(0.001)
    assert out["cosmic_phase_drive"] == 0.5 * out["symbolic_health"]


def test_l6_symbolic_drive_and_schumann_fallback() -> None:
    base = layer(ecological_coupling=0.2, rng_seed=10).step(0.001)["meridian_qi"]
    driven = layer(ecological_coupling=0.2, rng_seed=10).step(
        0.001, l6_input={"symbolic_drive": np.ones(8)})["meridian_qi"]
    assert np.mean(driven) > np.mean(base)
    assert np.array_equal(driven, np.minimum(base * 1.2, 1.0))
    both = layer(ecological_coupling=0.2, rng_seed=10).step(
        0.001, l6_input={"schumann_field": np.zeros(8), "symbolic_drive": np.ones(8)})
    assert np.array_equal(both["meridian_qi"], driven)
    weak = layer(ecological_coupling=0.2, rng_seed=10).step(
        0.001, l6_input={"schumann_field": np.full(8, 0.5)})["meridian_qi"]
    assert np.array_equal(weak, base * 0.9)
    neutral = layer(ecological_coupling=0.2, rng_seed=10).step(
        0.001, l6_input={"unrelated_channel": 1.0})["meridian_qi"]
    assert np.array_equal(neutral, base)


def test_symbol_and_acupoint_inputs_are_consumed() -> None:
    lay = layer()
    lay.step(0.001, symbol_input=np.ones(16), acupoint_stimulus={0: 0.5, 3: 0.25})
    assert lay.acupoint_activations[0] == 0.5 * (1 - 0.05 * 0.001)
    assert lay.acupoint_activations[3] == 0.25 * (1 - 0.05 * 0.001)
    longer = layer()
    flat = np.ones(16)
    assert np.array_equal(longer.step(0.001, symbol_input=np.ones((4, 5)))["output_bitstreams"],
                          layer().step(0.001, symbol_input=flat)["output_bitstreams"])


def test_silent_state_gives_the_neutral_metrics() -> None:
    lay = layer()
    lay.symbol_activations = np.zeros(16)
    lay.e8_state = np.zeros(8)
    out = lay.step(0.001)
    assert (out["phi_alignment"], out["fibonacci_alignment"], out["e8_alignment"]) == (0.5,) * 3
    assert np.all(out["output_bitstreams"] == 0)


def test_n_symbols_8_with_12_meridians_is_accepted() -> None:
    lay = L7_SymbolicLayer(L7_StochasticParameters(n_symbols=8, bitstream_length=32))
    lay.step(0.01)
    lay.stimulate_meridian(11, 0.5)
    two = L7_SymbolicLayer(L7_StochasticParameters(n_symbols=2, bitstream_length=8, rng_seed=1))
    assert two.step(0.01)["fibonacci_alignment"] == 0.5  # fewer than 8 symbols


def test_meridian_stimulation() -> None:
    lay = layer()
    lay.stimulate_meridian(0, 0.25)
    assert lay.meridian_qi[0] == 0.75
    lay.stimulate_meridian(1, 5.0)
    lay.stimulate_meridian(2, -3.0)
    assert lay.meridian_qi.tolist() == [0.75, 1.0, 0.0, 0.5]


# ------------------------------------------------------------------------------ errors

@pytest.mark.parametrize(("field", "value"), [
    ("n_symbols", 1), ("n_symbols", True), ("n_symbols", 16.0), ("n_meridians", 0),
    ("n_meridians", True), ("n_acupoints", 0), ("bitstream_length", 0),
    ("bitstream_length", True), ("glyph_dimensions", 5), ("phi_alignment_weight", math.nan),
    ("fibonacci_weight", -0.2), ("e8_weight", math.inf), ("symbol_decay", -0.1),
    ("symbol_coupling", -0.1), ("ecological_coupling", -0.1), ("cosmic_coupling", -0.1),
    ("rng_seed", 1.5), ("rng_seed", -1), ("rng_seed", 2**64), ("symbol_decay", "0.05"),
])
def test_bad_parameters_raise_value_error_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        L7_SymbolicLayer(L7_StochasticParameters(**{field: value}))  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["n_symbols", "n_meridians", "n_acupoints", "bitstream_length"])
def test_a_bool_size_is_not_a_positive_integer(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must be a positive integer"):
        L7_SymbolicLayer(L7_StochasticParameters(**{field: True}))  # type: ignore[arg-type]


def test_weight_errors_say_weights() -> None:
    with pytest.raises(ValueError, match="weights"):
        L7_StochasticParameters(phi_alignment_weight=math.nan)
    with pytest.raises(ValueError, match="weights must sum"):
        L7_StochasticParameters(phi_alignment_weight=0.0, fibonacci_weight=0.0,
                                metatron_weight=0.0, platonic_weight=0.0, e8_weight=0.0)
    with pytest.raises(ValueError, match="e8_weight makes the sum of the weights overflow"):
        L7_StochasticParameters(platonic_weight=1e308, e8_weight=1e308)
    with pytest.raises(InputTypeError, match="params"):
        L7_SymbolicLayer(cast(Any, {"n_symbols": 16}))


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"dt": 0.0}, "dt"), ({"dt": -0.1}, "dt"), ({"dt": math.nan}, "dt"), ({"dt": math.inf}, "dt"),
    ({"dt": 4.0}, "dt"),  # symbol_coupling * dt > 1
    ({"symbol_input": np.array([1.0, np.nan])}, "symbol_input"),
    ({"symbol_input": np.ones(15)}, "symbol_input"),
    ({"symbol_input": np.r_[np.ones(5), np.nan, np.ones(10)]}, "symbol_input must contain only finite"),
    ({"symbol_input": ["a"] * 16}, "symbol_input"),
    ({"l6_input": {"schumann_field": np.array([0.5, np.nan])}}, "schumann_field"),
    ({"l6_input": {"symbolic_drive": np.array([0.5, np.nan])}}, "symbolic_drive"),
    ({"l6_input": {"symbolic_drive": np.array([-0.1, 0.2])}}, "symbolic_drive"),
    ({"l6_input": {"schumann_field": np.array([])}}, "schumann_field"),
    ({"l6_input": {"symbolic_drive": np.array([])}}, "symbolic_drive"),
    ({"l6_input": [0.5] * 8}, "l6_input"),
    ({"acupoint_stimulus": {0: np.nan}}, "acupoint_stimulus"),
    ({"acupoint_stimulus": {16: 0.5}}, "acupoint_stimulus"),
    ({"acupoint_stimulus": {True: 0.5}}, "integer point ids"),
])
def test_bad_step_arguments_name_the_argument_and_change_nothing(kwargs: dict[str, object],
                                                                 name: str) -> None:
    lay, twin = layer(rng_seed=9), layer(rng_seed=9)
    kwargs.setdefault("dt", 0.001)
    with pytest.raises(ValueError, match=name):
        lay.step(**kwargs)  # type: ignore[arg-type]
    assert lay.time == 0.0
    assert np.array_equal(lay.step(0.001)["output_bitstreams"],
                          twin.step(0.001)["output_bitstreams"])  # no draw was made


def test_stimulate_meridian_guards() -> None:
    lay = layer()
    with pytest.raises(ValueError, match="meridian_id must be in range"):
        lay.stimulate_meridian(10, 0.5)
    with pytest.raises(ValueError, match="intensity must be finite"):
        lay.stimulate_meridian(0, float("nan"))
    with pytest.raises(InputTypeError, match="meridian_id"):
        lay.stimulate_meridian(cast(Any, 1.0), 0.5)


# ------------------------------------------------------------------------------ what we add

def test_oversized_layers_are_refused_by_name_not_by_memory_error() -> None:
    for field, value in [("n_symbols", 10**12), ("n_meridians", 10**12),
                         ("n_acupoints", 10**12), ("bitstream_length", 10**12)]:
        with pytest.raises(ValueError, match=f"^{field} must be an int in"):
            L7_StochasticParameters(**{field: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^bitstream_length must be <= 524288 for n_symbols"):
        L7_StochasticParameters(bitstream_length=l7.MAX_SIZE)
    big = L7_StochasticParameters(n_symbols=64, n_meridians=1, n_acupoints=1,
                                  bitstream_length=l7.MAX_SIZE, rng_seed=0)
    assert big.n_symbols * big.bitstream_length == l7.MAX_STEP_BITS
    lay = L7_SymbolicLayer(big)
    lay.params.n_symbols = 10**9  # changed later: checked again before use
    with pytest.raises(ValueError, match="n_symbols"):
        lay.step(0.01)


def test_unstable_steps_are_refused() -> None:
    lay = layer(symbol_coupling=2.0)
    with pytest.raises(ValueError, match="symbol_coupling \\* dt <= 1"):
        lay.step(0.75)
    lay.step(0.5)  # c * dt = 1: the stability limit itself is allowed


def test_state_is_checked_before_use() -> None:
    lay = layer()
    for name, value, match in [
        ("symbol_activations", np.full(16, 1.5), "symbol_activations must be in"),
        ("symbol_activations", np.zeros(15), r"symbol_activations must have shape \(16,\)"),
        ("meridian_qi", [0.5, math.nan, 0.5, 0.5], "meridian_qi must be finite"),
        ("acupoint_activations", np.zeros((4, 4)), "acupoint_activations must be 1-D"),
        ("e8_state", np.zeros(7), "e8_state"), ("time", math.inf, "time"),
    ]:
        good = getattr(lay, name)
        setattr(lay, name, value)
        with pytest.raises(ValueError, match=match):
            lay.step(0.01)
        setattr(lay, name, good)
    lay.glyph_vector = np.array([0.5, -1.0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="glyph_vector"):
        lay.get_glyph_vector_normalized()
    lay.meridian_qi = [0.25, 0.5, 0.75, 1.0]  # a list is taken (and kept as an array)
    lay.stimulate_meridian(0, 0.5)
    assert isinstance(lay.meridian_qi, np.ndarray) and lay.meridian_qi[0] == 0.75


def test_parameters_changed_between_steps_take_effect() -> None:
    p = L7_StochasticParameters(n_symbols=16, n_meridians=4, n_acupoints=16,
                                bitstream_length=16, rng_seed=3)
    lay = L7_SymbolicLayer(p)
    assert lay.params is p
    p.cosmic_coupling = 1.0
    out = lay.step(0.01)
    assert out["cosmic_phase_drive"] == out["symbolic_health"]
    p.symbol_decay = -1.0
    with pytest.raises(ValueError, match="symbol_decay"):
        lay.step(0.01)


# ------------------------------------------------------------------------------ one step replayed

def _clip01(x: float) -> float:
    return 0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)


def test_one_step_replayed_from_raw_draws() -> None:
    """Every state update and the bits, from SplitMix64 words and scalar loops."""
    n, m, k, length, dt, c, decay = 16, 4, 16, 16, 0.01, 0.3, 0.05
    lay = layer(ecological_coupling=0.2)
    x = SplitMix64(99).uniforms(n) * 2.0 - 1.0
    out = lay.step(dt, l6_input={"symbolic_drive": [0.5, 1.0]}, symbol_input=x,
                   acupoint_stimulus={2: 0.75})

    g = SplitMix64(5)
    a = [float(v) * 0.3 for v in g.uniforms(n)]
    e8 = [float(v) * 0.5 for v in g.uniforms(8)]
    a = [_clip01(a[i] + 0.2 * x[i]) for i in range(n)]
    assert out["phi_alignment"] == pytest.approx(phi_alignment(a), rel=1e-15)
    assert out["fibonacci_alignment"] == fibonacci_alignment(a)
    assert out["platonic_coherence"] == platonic_coherence(a)
    noise = g.uniform()
    active = sum(1 for v in a[:13] if v > 0.5)
    assert out["metatron_flow"] == 0.9 * (active / 13) + 0.1 * noise
    assert out["e8_alignment"] == e8_alignment(e8)
    z = [g.normal() for _ in range(8)]
    walk = [min(1.0, max(-1.0, e8[i] + (0.1 * z[i]) * dt)) for i in range(8)]
    assert out["e8_state"].tolist() == pytest.approx(walk, rel=1e-12)
    qi = [0.5] * m
    gain = 1.0 + 0.2 * 0.75
    assert out["meridian_qi"].tolist() == [
        _clip01((qi[i] + ((qi[i - 1] - qi[i]) * c) * dt) * gain) for i in range(m)]
    acu = [0.0] * k
    acu[2] = 0.75
    assert out["acupoint_activations"].tolist() == [v * (1.0 - decay * dt) for v in acu]
    new = [_clip01((a[i] + (c * ((a[i - 1] + a[(i + 1) % n]) / 2 - a[i])) * dt)
                   * (1.0 - decay * dt)) for i in range(n)]
    assert lay.symbol_activations.tolist() == new
    u = g.uniforms(n * length).reshape(n, length)
    assert np.array_equal(out["output_bitstreams"], (u < np.array(new)[:, None]).astype(np.uint8))


def test_stream_means_follow_the_activations() -> None:
    lay = layer(bitstream_length=1 << 16, rng_seed=4)
    bits = lay.step(0.01)["output_bitstreams"]
    p = lay.symbol_activations
    sd = np.sqrt(p * (1 - p) / (1 << 16))
    assert np.all(np.abs(bits.mean(axis=1) - p) <= 6 * np.maximum(sd, 1e-5))


# ------------------------------------------------------------------------------ packaging

def test_docstring_examples_run() -> None:
    result = doctest.testmod(l7, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_every_export_exists_and_no_module_is_too_long() -> None:
    from pathlib import Path

    assert all(hasattr(l7, name) for name in l7.__all__)
    folder = Path(l7.__file__).parent / "_l7"
    for path in [Path(l7.__file__), *folder.glob("*.py")]:
        assert len(path.read_text().splitlines()) <= 1000, path


def test_imports_with_numpy_only() -> None:
    code = ("import sys; import sc_neurocore.scpn.layers.l7_symbolic as m; "
            "m.L7_SymbolicLayer().step(0.01); "
            "bad = [k for k in ('jax', 'numba', 'cupy', 'mpi4py', 'sc_neurocore._engine') "
            "if k in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
