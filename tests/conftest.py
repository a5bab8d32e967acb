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
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The tests live in one folder per area (accel/, parity/, safety/, docs/, bench/,
# tooling/); the helpers beside this file (oracle.py, lgssm_reference.py) are
# importable from every one of them. The checkout's root comes too, so that
# `import parity` finds the runner package: tests/parity/ is a folder without
# __init__.py, which Python takes for a namespace package only where no regular
# package of that name is on the path.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

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


def with_fixtures(max_examples: int) -> settings:
    """Hypothesis settings for a test that also takes pytest fixtures (made once per
    test, not per example): ``max_examples``, no deadline."""
    return settings(max_examples=max_examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def draw_sizes(data: st.DataObject, *maxima: int) -> list[int]:
    """One size in ``[1, m]`` for each of ``maxima``, drawn in that order."""
    return [data.draw(st.integers(1, m)) for m in maxima]


def separable_data(rng: np.random.Generator, n: int, n_features: int = 12, n_classes: int = 3,
                   dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """A learnable classification set: class ``c`` lights up features ``c, c + k, c + 2k, ...``
    (plus noise), in [0, 1]; returns ``(x, labels)``, ``x`` of ``dtype``, ``(n, n_features)``."""
    labels = rng.integers(0, n_classes, size=n)
    prototypes = np.zeros((n_classes, n_features))
    for c in range(n_classes):
        prototypes[c, c::n_classes] = 0.8
    x = np.clip(prototypes[labels] + 0.1 + rng.normal(0, 0.15, size=(n, n_features)), 0, 1)
    return x.astype(dtype), labels


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


def run_without(dependency: str, module: str, code: str) -> Any:
    """``run_child(code)`` in an interpreter where ``import <dependency>`` raises ImportError.

    Before ``code`` the child imports ``json``, ``sys``, ``warnings`` and ``numpy as np``,
    then ``sc_neurocore.accel``'s ``module`` (``"gpu_backend as gb"``) with the messages
    of the warnings that import raised in the list ``import_warnings``.
    """
    prelude = f"""
        import json, sys, warnings
        sys.modules[{dependency!r}] = None  # makes `import {dependency}` raise ImportError
        import numpy as np
        with warnings.catch_warnings(record=True) as at_import:
            warnings.simplefilter("always")
            from sc_neurocore.accel import {module}
        import_warnings = [str(w.message) for w in at_import]
    """
    return run_child(textwrap.dedent(prelude) + textwrap.dedent(code))


def required_backends() -> list[str]:
    """Backends that must be available (``SC_NEUROCORE_REQUIRE_BACKENDS``, comma list)."""
    raw = os.environ.get("SC_NEUROCORE_REQUIRE_BACKENDS", "")
    return [n for n in raw.split(",") if n]
