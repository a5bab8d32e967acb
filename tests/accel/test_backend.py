"""docs/design.md#selector: backend registry, availability and selection."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import required_backends
from sc_neurocore.accel import PRIORITY, available_backends, backend_status, get_backend
from sc_neurocore.accel import backend as backend_mod


def test_numpy_always_available():
    assert available_backends()["numpy"] is True
    assert get_backend("numpy").name == "numpy"


def test_status_reports_reason_for_unavailable():
    for name, s in backend_status().items():
        assert s.name == name
        if not s.available:
            # an empty hint only where nothing installable is missing (CuPy, no GPU)
            assert s.reason and (s.install_hint or "no usable CUDA GPU" in s.reason)


def test_required_backends_are_available():
    # make test sets SC_NEUROCORE_REQUIRE_BACKENDS so a broken install fails
    # loudly instead of silently shrinking the backend matrix.
    status = backend_status()
    missing = {n: status[n].reason for n in required_backends() if not status[n].available}
    assert not missing


def test_unknown_and_bad_names():
    with pytest.raises(ValueError, match="backend must be one of"):
        get_backend("fortran")
    with pytest.raises(TypeError, match="backend"):
        get_backend(3)
    with pytest.raises(ValueError, match="backend"):  # the same error, caught as ValueError
        get_backend(3)


def test_unavailable_backend_is_runtime_error(monkeypatch):
    class Broken(backend_mod.NumpyBackend):
        name = "broken"

        @classmethod
        def unavailable_reason(cls):
            return "needs a flux capacitor"

        @classmethod
        def install_hint(cls):
            return "pip install flux"

    monkeypatch.setattr(backend_mod, "_REGISTRY", dict(backend_mod._REGISTRY))
    monkeypatch.setattr(backend_mod, "Broken", Broken, raising=False)
    backend_mod.register_backend("broken", "sc_neurocore.accel.backend:Broken")
    try:
        with pytest.raises(RuntimeError, match="flux capacitor.*pip install flux"):
            get_backend("broken")
        assert available_backends()["broken"] is False
        assert "flux capacitor" in backend_status()["broken"].reason
    finally:
        backend_mod._probe.cache_clear()


def test_probe_rejects_wrong_answers(monkeypatch):
    class Liar(backend_mod.NumpyBackend):
        name = "liar"

        def _forward(self, args):
            return super()._forward(args) + 1e-9

    monkeypatch.setattr(backend_mod, "_REGISTRY", dict(backend_mod._REGISTRY))
    monkeypatch.setattr(backend_mod, "Liar", Liar, raising=False)
    backend_mod.register_backend("liar", "sc_neurocore.accel.backend:Liar")
    try:
        status = backend_status()["liar"]
        assert not status.available and "probe call gave" in status.reason
        assert available_backends()["liar"] is False
        assert get_backend("auto").name != "liar"
    finally:
        backend_mod._probe.cache_clear()


def test_auto_follows_static_priority_without_results(monkeypatch, tmp_path):
    monkeypatch.setattr(backend_mod, "results_dirs", lambda: [tmp_path])
    order = backend_mod.selection_order()
    assert order[-1] == "numpy"
    assert order[0] == PRIORITY[0] == "rust"
    working = [n for n in order if available_backends()[n]]
    assert get_backend("auto").name == working[0]


def test_auto_uses_measured_results_for_this_host(monkeypatch, tmp_path):
    monkeypatch.setattr(backend_mod, "results_dirs", lambda: [tmp_path])
    (tmp_path / "bench-other.json").write_text(json.dumps(
        {"host": {"key": "some other cpu"}, "ranking": ["jax", "numpy"]}))
    (tmp_path / "bench-here.json").write_text(json.dumps(
        {"host": {"key": backend_mod.host_key()}, "ranking": ["numpy", "numba", "rust"]}))
    order = backend_mod.selection_order()
    assert order[:2] == ["numba", "rust"] and order[-1] == "numpy"


def test_auto_result_is_bit_identical(rng):
    weights = rng.integers(0, 2**64, size=(3, 4, 2), dtype=np.uint64, endpoint=False)
    probs = rng.random(4)
    auto = get_backend("auto").sc_forward(weights, probs, length=128)
    ref = get_backend("numpy").sc_forward(weights, probs, length=128)
    assert np.array_equal(auto, ref)
