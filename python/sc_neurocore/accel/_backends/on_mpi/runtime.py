"""mpi4py, imported on first use (never when the module is); the single-rank fallback notice; threads.

``mpi4py.MPI`` is imported on first use (constructing a driver, or reading
``HAS_MPI``), not when the backend is imported, so that a launcher process
(the timing study, the test suite) never initialises MPI itself.
"""

from __future__ import annotations

import os
from numbers import Integral
from typing import Any

from ..._optional import OptionalDependency
from ..._warnings import WarnOnce
from .errors import MPIFallbackWarning

__all__ = ["FALLBACK", "MPI4PY", "ROOT", "THREADS_ENV", "import_error", "load_mpi",
           "thread_request", "warn_fallback"]

ROOT = 0
"""The root rank, which holds inputs and results."""
THREADS_ENV = "SC_NEUROCORE_THREADS_PER_RANK"
"""Environment variable overriding the per-rank thread count (``auto``, ``keep`` or a number)."""

MPI4PY = OptionalDependency("mpi4py", "mpi", "mpi4py.MPI", missing="is not usable")
"""``mpi4py.MPI``, imported on first use."""

FALLBACK = WarnOnce(MPIFallbackWarning)
"""The notice, once per process, that a driver runs single-rank."""


def load_mpi() -> Any:
    """``mpi4py.MPI`` (imported once, on first call), or ``None`` when unusable."""
    modules = MPI4PY.load()
    return None if modules is None else modules[0]


def import_error() -> str | None:
    """Why ``mpi4py.MPI`` could not be imported (``"ImportError: ..."``), or ``None``."""
    return MPI4PY.error


def warn_fallback(reason: str) -> None:
    """Warn once per process, at the user's line, that a driver runs single-rank, and why."""
    FALLBACK.warn(
        f"sc_neurocore.accel.mpi_driver: {reason}; running single-rank (rank 0 of 1). "
        "To run on many ranks, launch with mpiexec -n N python -m mpi4py your_script.py, "
        f"after installing MPI support: {MPI4PY.install_hint()}")


def thread_request(value: object) -> int | str:
    """``threads_per_rank`` (or ``THREADS_ENV`` when ``None``): an int >= 1, auto or keep."""
    source = "threads_per_rank"
    if value is None:
        value = os.environ.get(THREADS_ENV, "").strip() or "auto"
        source = f"the environment variable {THREADS_ENV}"
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("auto", "keep"):
            return text
        if text.isdigit() and int(text) >= 1:
            return int(text)
    elif isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 1:
        return int(value)
    raise ValueError(f"{source} must be a positive int, 'auto' or 'keep', got {value!r}")
