"""Shared fixtures and helpers: the backends under test, small random cases, child interpreters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sc_neurocore.accel import available_backends  # noqa: E402

AVAILABLE = [name for name, works in available_backends().items() if works]
ROOT = Path(__file__).resolve().parents[1]


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


def run_child(code: str, env_drop: tuple[str, ...] = (), **env: str) -> Any:
    """Run ``code`` (dedented) in a fresh interpreter that imports this checkout's package
    and these helpers; it prints one JSON object last, which is returned.

    ``env_drop`` names environment variables the child must not see; ``env`` sets others.
    """
    child = {k: v for k, v in os.environ.items() if k not in env_drop}
    child["PYTHONPATH"] = os.pathsep.join([str(ROOT / "python"), str(ROOT / "tests"),
                                           child.get("PYTHONPATH", "")])
    child.update(env)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=child, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def required_backends() -> list[str]:
    """Backends that must be available (``SC_NEUROCORE_REQUIRE_BACKENDS``, comma list)."""
    raw = os.environ.get("SC_NEUROCORE_REQUIRE_BACKENDS", "")
    return [n for n in raw.split(",") if n]
