"""Shared fixtures: the backends under test and small random cases."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sc_neurocore.accel import available_backends  # noqa: E402

AVAILABLE = [name for name, works in available_backends().items() if works]


def pytest_report_header(config):
    return "sc_neurocore backends: " + ", ".join(
        f"{n}={'yes' if works else 'no'}" for n, works in available_backends().items())


@pytest.fixture(params=AVAILABLE)
def backend_name(request) -> str:
    """Every backend available here (NumPy always)."""
    return request.param


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def random_weights(rng: np.random.Generator, n_out: int, n_in: int, length: int) -> np.ndarray:
    """Random packed weights with the bits past ``length`` cleared."""
    n_words = (length + 63) // 64
    w = rng.integers(0, 2**64, size=(n_out, n_in, n_words), dtype=np.uint64, endpoint=False)
    if length % 64:
        w[..., -1] &= np.uint64((1 << (length % 64)) - 1)
    return w


def required_backends() -> list[str]:
    """Backends that must be available (``SC_NEUROCORE_REQUIRE_BACKENDS``, comma list)."""
    raw = os.environ.get("SC_NEUROCORE_REQUIRE_BACKENDS", "")
    return [n for n in raw.split(",") if n]
